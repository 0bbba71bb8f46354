//! OpenSanctions FollowTheMoney entity JSON lines (`entities.ftm.json`): one entity a
//! line with `schema`, `properties.name[]`, `alias[]`, `weakAlias[]`, `country[]`,
//! `birthDate[]`. Only party schemas are screened; sanctions, addresses and links are not.

use serde::Deserialize;

use crate::entity::{Entity, EntityKind, NameQuality, ParsedList, RowIssue};
use crate::error::Error;
use crate::formats::{dedupe_ids, json_lines, slug, trim_file_bytes};

const FORMAT: &str = "FollowTheMoney entity JSON lines";
pub const SOURCE: &str = "opensanctions";

/// True when the first record looks like a FtM entity (used by the directory loader).
pub fn is_ftm(first_line: &str) -> bool {
    first_line.trim_start().starts_with('{')
        && first_line.contains("\"schema\"")
        && first_line.contains("\"properties\"")
}

#[derive(Deserialize)]
struct FtmEntity {
    id: Option<String>,
    schema: Option<String>,
    #[serde(default)]
    properties: Properties,
    #[serde(default)]
    datasets: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Properties {
    #[serde(default)]
    name: Vec<String>,
    #[serde(default)]
    alias: Vec<String>,
    #[serde(default)]
    previous_name: Vec<String>,
    #[serde(default)]
    weak_alias: Vec<String>,
    #[serde(default)]
    country: Vec<String>,
    #[serde(default)]
    nationality: Vec<String>,
    #[serde(default)]
    citizenship: Vec<String>,
    #[serde(default)]
    jurisdiction: Vec<String>,
    #[serde(default)]
    birth_date: Vec<String>,
    #[serde(default)]
    program: Vec<String>,
}

/// The kind a party schema screens as; `None` for schemas that are not parties.
fn kind_of(schema: &str) -> Option<EntityKind> {
    match schema {
        "Person" => Some(EntityKind::Person),
        "Organization" | "Company" | "LegalEntity" | "PublicBody" => Some(EntityKind::Organization),
        "Vessel" => Some(EntityKind::Vessel),
        "Airplane" => Some(EntityKind::Aircraft),
        _ => None,
    }
}

/// Entities get `opensanctions_<dataset>` when every party in the file names the same
/// first dataset, else `opensanctions` (a multi-dataset collection such as `default`).
pub fn parse(file: &str, bytes: &[u8]) -> Result<ParsedList, Error> {
    let bytes = trim_file_bytes(bytes);
    let mut out = ParsedList::default();
    let mut common_dataset: Option<Option<String>> = None;
    let mut saw_object = false;
    for (line, raw) in json_lines(bytes) {
        let issue = |reason: String| RowIssue {
            file: file.to_string(),
            line,
            reason,
        };
        let parsed: FtmEntity = match serde_json::from_slice(raw) {
            Ok(parsed) => parsed,
            Err(err) => {
                out.issues.push(issue(err.to_string()));
                continue;
            }
        };
        saw_object = true;
        let Some(schema) = parsed.schema.as_deref() else {
            out.issues.push(issue("no schema".to_string()));
            continue;
        };
        let Some(kind) = kind_of(schema) else {
            continue;
        };
        let props = parsed.properties;
        let mut names = props.name.iter().filter(|n| !n.trim().is_empty());
        let Some(first) = names.next() else {
            out.issues
                .push(issue(format!("{schema} entity has no name")));
            continue;
        };
        let dataset = parsed.datasets.first().map(|d| slug(d));
        common_dataset = match common_dataset {
            None => Some(dataset),
            Some(previous) if previous == dataset => Some(previous),
            Some(_) => Some(None),
        };
        let mut entity = Entity {
            source: SOURCE.to_string(),
            entity_id: parsed
                .id
                .filter(|id| !id.trim().is_empty())
                .unwrap_or_else(|| crate::formats::derived_id(SOURCE, first)),
            kind,
            names: Vec::new(),
            countries: Vec::new(),
            birth_dates: Vec::new(),
            programs: Vec::new(),
        };
        entity.push_name(first, NameQuality::Primary);
        for name in names.chain(&props.alias).chain(&props.previous_name) {
            entity.push_name(name, NameQuality::Strong);
        }
        for name in &props.weak_alias {
            entity.push_name(name, NameQuality::Weak);
        }
        for country in props
            .country
            .iter()
            .chain(&props.nationality)
            .chain(&props.citizenship)
            .chain(&props.jurisdiction)
        {
            entity.push_country(country);
        }
        for date in &props.birth_date {
            entity.push_birth_date(date);
        }
        for program in &props.program {
            entity.push_program(program);
        }
        out.entities.push(entity);
    }
    if !saw_object && out.entities.is_empty() && !out.issues.is_empty() {
        return Err(Error::format(file, FORMAT, "no line is a JSON object"));
    }
    let source = match common_dataset.flatten().filter(|d| !d.is_empty()) {
        Some(dataset) => format!("{SOURCE}_{dataset}"),
        None => SOURCE.to_string(),
    };
    for entity in &mut out.entities {
        entity.source.clone_from(&source);
    }
    dedupe_ids(&mut out.entities);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parties_only_with_dataset_source() {
        let lines = r#"{"id":"p1","schema":"Person","properties":{"name":["Ann Example"],"alias":["A. Example"],"weakAlias":["Annie"],"country":["fr"],"birthDate":["1970"]},"datasets":["xx_demo"]}
{"id":"s1","schema":"Sanction","properties":{"program":["X"]},"datasets":["xx_demo"]}
not json
{"id":"c1","schema":"Company","properties":{},"datasets":["xx_demo"]}
"#;
        assert!(is_ftm(lines.lines().next().unwrap()));
        let parsed = parse("e.json", lines.as_bytes()).unwrap();
        assert_eq!(parsed.entities.len(), 1);
        let e = &parsed.entities[0];
        assert_eq!(e.source, "opensanctions_xx_demo");
        assert_eq!(e.names.len(), 3);
        assert_eq!(e.names[2].quality, NameQuality::Weak);
        assert_eq!(e.countries, vec!["FR"]);
        let lines: Vec<u64> = parsed.issues.iter().map(|i| i.line).collect();
        assert_eq!(lines, vec![3, 4]);
    }
}
