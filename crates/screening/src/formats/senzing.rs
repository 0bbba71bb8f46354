//! Senzing entity-specification JSON lines, as OpenSanctions exports them: one record a
//! line with DATA_SOURCE, RECORD_ID, RECORD_TYPE, NAMES[], DATES[], COUNTRIES[]. Records
//! without a RECORD_TYPE (position anchors such as "United States senator") are not parties.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::entity::{Entity, EntityKind, NameQuality, ParsedList, RowIssue};
use crate::error::Error;
use crate::formats::{dedupe_ids_per_source, json_lines, slug, trim_file_bytes};

const FORMAT: &str = "Senzing JSON lines";

/// True when the first record looks like a Senzing record (used by the directory loader).
pub fn is_senzing(first_line: &str) -> bool {
    first_line.trim_start().starts_with('{')
        && first_line.contains("\"DATA_SOURCE\"")
        && first_line.contains("\"RECORD_ID\"")
}

/// `OS_US_CONGRESS` -> `opensanctions_os_us_congress`.
pub fn source_for_data_source(data_source: &str) -> String {
    let slug = slug(data_source);
    if slug.is_empty() {
        "opensanctions".to_string()
    } else {
        format!("opensanctions_{slug}")
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
struct Record {
    data_source: Option<String>,
    record_id: Option<serde_json::Value>,
    record_type: Option<String>,
    #[serde(default)]
    names: Vec<BTreeMap<String, serde_json::Value>>,
    #[serde(default)]
    dates: Vec<BTreeMap<String, serde_json::Value>>,
    #[serde(default)]
    countries: Vec<BTreeMap<String, serde_json::Value>>,
    #[serde(default)]
    risks: Vec<BTreeMap<String, serde_json::Value>>,
}

fn text(map: &BTreeMap<String, serde_json::Value>, key: &str) -> Option<String> {
    map.get(key)
        .and_then(serde_json::Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// NAME_FULL or NAME_ORG, else the parts (NAME_FIRST NAME_MIDDLE NAME_LAST).
fn full_name(map: &BTreeMap<String, serde_json::Value>) -> Option<String> {
    text(map, "NAME_FULL")
        .or_else(|| text(map, "NAME_ORG"))
        .or_else(|| {
            let parts: Vec<String> = ["NAME_FIRST", "NAME_MIDDLE", "NAME_LAST"]
                .iter()
                .filter_map(|k| text(map, k))
                .collect();
            (!parts.is_empty()).then(|| parts.join(" "))
        })
}

pub fn parse(file: &str, bytes: &[u8]) -> Result<ParsedList, Error> {
    let bytes = trim_file_bytes(bytes);
    let mut out = ParsedList::default();
    let mut saw_object = false;
    for (line, raw) in json_lines(bytes) {
        let issue = |reason: String| RowIssue {
            file: file.to_string(),
            line,
            reason,
        };
        let record: Record = match serde_json::from_slice(raw) {
            Ok(record) => record,
            Err(err) => {
                out.issues.push(issue(err.to_string()));
                continue;
            }
        };
        saw_object = true;
        let kind = match record.record_type.as_deref().map(str::to_ascii_uppercase) {
            None => continue,
            Some(t) if t == "PERSON" => EntityKind::Person,
            Some(t) if t == "VESSEL" => EntityKind::Vessel,
            Some(t) if t == "AIRCRAFT" => EntityKind::Aircraft,
            Some(_) => EntityKind::Organization,
        };
        let Some(data_source) = record.data_source.filter(|d| !d.trim().is_empty()) else {
            out.issues.push(issue("no DATA_SOURCE".to_string()));
            continue;
        };
        let record_id = match record.record_id {
            Some(serde_json::Value::String(id)) if !id.trim().is_empty() => id,
            Some(serde_json::Value::Number(id)) => id.to_string(),
            _ => {
                out.issues.push(issue("no RECORD_ID".to_string()));
                continue;
            }
        };
        let mut primary = Vec::new();
        let mut aliases = Vec::new();
        for name in &record.names {
            let Some(full) = full_name(name) else {
                continue;
            };
            match text(name, "NAME_TYPE")
                .map(|t| t.to_ascii_uppercase())
                .as_deref()
            {
                Some("PRIMARY") => primary.push(full),
                _ => aliases.push(full),
            }
        }
        let mut all = primary.into_iter().chain(aliases);
        let Some(first) = all.next() else {
            out.issues
                .push(issue(format!("record {record_id:?} has no name")));
            continue;
        };
        let mut entity = Entity {
            source: source_for_data_source(&data_source),
            entity_id: record_id,
            kind,
            names: Vec::new(),
            countries: Vec::new(),
            birth_dates: Vec::new(),
            programs: Vec::new(),
        };
        entity.push_name(&first, NameQuality::Primary);
        for alias in all {
            entity.push_name(&alias, NameQuality::Strong);
        }
        for country in &record.countries {
            for value in country.values().filter_map(serde_json::Value::as_str) {
                entity.push_country(value);
            }
        }
        for date in &record.dates {
            if let Some(birth) = text(date, "DATE_OF_BIRTH") {
                entity.push_birth_date(&birth);
            }
        }
        for risk in &record.risks {
            if let Some(topic) = text(risk, "TOPIC") {
                entity.push_program(&topic);
            }
        }
        out.entities.push(entity);
    }
    if !saw_object && !out.issues.is_empty() {
        return Err(Error::format(file, FORMAT, "no line is a JSON object"));
    }
    dedupe_ids_per_source(&mut out.entities);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_and_anchors() {
        let lines = r#"{"DATA_SOURCE":"OS_DEMO","RECORD_ID":"Q1","RECORD_TYPE":"PERSON","NAMES":[{"NAME_TYPE":"ALIAS","NAME_FULL":"J. Doe"},{"NAME_TYPE":"PRIMARY","NAME_FULL":"Jane Doe"}],"DATES":[{"DATE_OF_BIRTH":"1960"},{"DATE_OF_DEATH":"2020"}],"COUNTRIES":[{"NATIONALITY":"us"}]}
{"DATA_SOURCE":"OS_DEMO","RECORD_ID":"Q2","RECORD_TYPE":null,"NAMES":[{"NAME_TYPE":"PRIMARY","NAME_FULL":"Senator"}]}
{"DATA_SOURCE":"OS_DEMO","RECORD_ID":"Q3","RECORD_TYPE":"PERSON","NAMES":[]}
"#;
        assert!(is_senzing(lines.lines().next().unwrap()));
        let parsed = parse("s.json", lines.as_bytes()).unwrap();
        assert_eq!(parsed.entities.len(), 1);
        let e = &parsed.entities[0];
        assert_eq!(e.source, "opensanctions_os_demo");
        assert_eq!(e.primary_name(), "Jane Doe");
        assert_eq!(e.birth_dates, vec!["1960"]);
        assert_eq!(e.countries, vec!["US"]);
        assert_eq!(parsed.issues.len(), 1);
        assert_eq!(parsed.issues[0].line, 3);
    }
}
