//! The research-security lists' shared JSON shape (`list_id`, `entities[]` of `name`,
//! `aliases[]`, `country`, ...): BIS Entity List, DoD 1286 and 1260H, BIS MEU,
//! OFAC NS-CMIC, State nonproliferation. These lists carry no ids, so ids are derived.

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::entity::{Entity, EntityKind, NameQuality, ParsedList, RowIssue};
use crate::error::Error;
use crate::formats::{dedupe_ids, derived_id, trim_file_bytes};

const FORMAT: &str = "research-security list JSON";

/// The publisher's `list_id` and the source id screening reports for it.
pub const LIST_IDS: &[(&str, &str)] = &[
    ("bis-entity-list", "us_bis_entity_list"),
    ("dow-1286", "us_dod_1286"),
    ("dow-1260h", "us_dod_1260h"),
    ("bis-meu", "us_bis_meu"),
    ("ofac-nscmic", "us_ofac_nscmic"),
    ("state-nonproliferation", "us_state_nonproliferation"),
];

pub fn source_for_list_id(list_id: &str) -> Option<&'static str> {
    let key = list_id.trim().to_ascii_lowercase().replace('_', "-");
    LIST_IDS
        .iter()
        .find(|(id, _)| *id == key)
        .map(|(_, source)| *source)
}

#[derive(Deserialize)]
struct ListFile<'a> {
    list_id: String,
    #[serde(borrow)]
    entities: Vec<&'a RawValue>,
}

#[derive(Deserialize)]
struct ListEntry {
    name: Option<String>,
    #[serde(default)]
    aliases: Option<Vec<Option<String>>>,
    #[serde(default)]
    country: Option<String>,
}

pub fn parse(file: &str, bytes: &[u8]) -> Result<ParsedList, Error> {
    let bytes = trim_file_bytes(bytes);
    let text = std::str::from_utf8(bytes)
        .map_err(|err| Error::format(file, FORMAT, format!("not UTF-8: {err}")))?;
    let list: ListFile<'_> =
        serde_json::from_str(text).map_err(|err| Error::format(file, FORMAT, err.to_string()))?;
    let source = source_for_list_id(&list.list_id).ok_or_else(|| {
        Error::format(
            file,
            FORMAT,
            format!("unsupported list_id {:?}", list.list_id),
        )
    })?;
    let mut out = ParsedList::default();
    let mut lines = (0usize, 0u64);
    for (position, raw) in list.entities.iter().enumerate() {
        let line = line_of(text, raw.get(), &mut lines);
        let issue = |reason: String| RowIssue {
            file: file.to_string(),
            line,
            reason: format!("entities[{position}]: {reason}"),
        };
        let entry: ListEntry = match serde_json::from_str(raw.get()) {
            Ok(entry) => entry,
            Err(err) => {
                out.issues.push(issue(err.to_string()));
                continue;
            }
        };
        let Some(name) = entry.name.filter(|n| !n.trim().is_empty()) else {
            out.issues.push(issue("no name".to_string()));
            continue;
        };
        let mut entity = Entity {
            source: source.to_string(),
            entity_id: derived_id(source, &name),
            kind: crate::normalize::guess_kind(&name),
            names: Vec::new(),
            countries: Vec::new(),
            birth_dates: Vec::new(),
            programs: vec![list.list_id.clone()],
        };
        entity.push_name_and_acronym(&name, NameQuality::Primary);
        for alias in entry.aliases.unwrap_or_default().into_iter().flatten() {
            entity.push_name(&alias, NameQuality::Strong);
        }
        if let Some(country) = entry.country {
            entity.push_country(&country);
        }
        if entity.kind == EntityKind::Person && entity.names.len() > 1 {
            // An acronym alias ("AECC") means an organisation, whatever the name looks like.
            if entity.names.iter().skip(1).any(|n| is_acronym(&n.name)) {
                entity.kind = EntityKind::Organization;
            }
        }
        out.entities.push(entity);
    }
    dedupe_ids(&mut out.entities);
    Ok(out)
}

fn is_acronym(name: &str) -> bool {
    let letters: Vec<char> = name.chars().filter(|c| !c.is_whitespace()).collect();
    letters.len() >= 2
        && letters
            .iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// The line an entity starts on: `raw` borrows from `text`, so its offset is known.
/// `scanned` carries (offset, newlines) forward so the file is counted once.
fn line_of(text: &str, raw: &str, scanned: &mut (usize, u64)) -> u64 {
    let offset = (raw.as_ptr() as usize)
        .saturating_sub(text.as_ptr() as usize)
        .min(text.len());
    if offset > scanned.0 {
        if let Some(chunk) = text.as_bytes().get(scanned.0..offset) {
            scanned.1 += chunk.iter().filter(|&&c| c == b'\n').count() as u64;
        }
        scanned.0 = offset;
    }
    scanned.1 + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_name_is_a_row_issue_with_its_line() {
        let json = "{\"list_id\":\"dow-1286\",\"entities\":[\n{\"name\":\"Harbin Institute of Technology\",\"aliases\":[\"HIT\"],\"country\":\"China\"},\n{\"aliases\":[]}\n]}";
        let parsed = parse("dow_1286.json", json.as_bytes()).unwrap();
        assert_eq!(parsed.entities.len(), 1);
        assert_eq!(parsed.entities[0].source, "us_dod_1286");
        assert_eq!(parsed.entities[0].countries, vec!["CN"]);
        assert_eq!(parsed.issues.len(), 1);
        assert_eq!(parsed.issues[0].line, 3);
    }

    #[test]
    fn unknown_list_id_is_rejected() {
        assert!(parse("x.json", b"{\"list_id\":\"x\",\"entities\":[]}").is_err());
        assert!(parse("x.json", b"[1,2]").is_err());
    }
}
