//! An institution's own watchlist as CSV with a header row: `name`, `aliases`
//! (`;`-separated), `kind`, `country`, `notes`, `reference`. The source id comes from the
//! file name (`custom_<stem>`), so several watchlists stay apart. See docs/LISTS.md.

use crate::entity::{Entity, EntityKind, NameQuality, ParsedList, RowIssue};
use crate::error::Error;
use crate::formats::{
    Columns, LineCounter, dedupe_ids, derived_id, field_at, header_columns, push_countries, slug,
    trim_file_bytes,
};

const FORMAT: &str = "custom watchlist CSV";

/// True when a CSV header is a custom watchlist's (used by the directory loader).
pub fn is_custom_header(first_line: &str) -> bool {
    let columns = header_columns(first_line);
    let has = |name: &str| columns.iter().any(|c| c == name);
    has("name") && has("aliases") && has("kind") && has("reference")
}

/// `Partners of Concern.csv` -> `custom_partners_of_concern`.
pub fn source_for_file(file_name: &str) -> String {
    let stem = std::path::Path::new(file_name)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let slug = slug(&stem);
    if slug.is_empty() {
        "custom".to_string()
    } else {
        format!("custom_{slug}")
    }
}

pub fn parse(file: &str, source: &str, bytes: &[u8]) -> Result<ParsedList, Error> {
    let bytes = trim_file_bytes(bytes);
    let mut lines = LineCounter::new(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(bytes);
    let headers = reader
        .byte_headers()
        .map_err(|err| Error::format(file, FORMAT, err.to_string()))?
        .clone();
    let cols = Columns::new(&headers);
    let name_col = cols
        .find("name")
        .ok_or_else(|| Error::format(file, FORMAT, "header has no \"name\" column"))?;
    let alias_col = cols.find("aliases");
    let kind_col = cols.find("kind");
    let country_col = cols.find("country");
    let reference_col = cols.find("reference");

    let mut out = ParsedList::default();
    let mut record = csv::ByteRecord::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(err) => return Err(Error::format(file, FORMAT, err.to_string())),
        }
        let line = lines.line_of(&record);
        let issue = |reason: String| RowIssue {
            file: file.to_string(),
            line,
            reason,
        };
        let Some(name) = field_at(&record, Some(name_col)) else {
            out.issues.push(issue("no name".to_string()));
            continue;
        };
        let kind = match field_at(&record, kind_col) {
            None => crate::normalize::guess_kind(&name),
            Some(raw) => match EntityKind::parse(&raw) {
                Some(kind) => kind,
                None => {
                    out.issues.push(issue(format!(
                        "kind {raw:?} is not person, organization, vessel or aircraft"
                    )));
                    continue;
                }
            },
        };
        let mut entity = Entity {
            source: source.to_string(),
            entity_id: field_at(&record, reference_col)
                .unwrap_or_else(|| derived_id(source, &name)),
            kind,
            names: Vec::new(),
            countries: Vec::new(),
            birth_dates: Vec::new(),
            programs: Vec::new(),
        };
        entity.push_name_and_acronym(&name, NameQuality::Primary);
        for alias in field_at(&record, alias_col).unwrap_or_default().split(';') {
            entity.push_name(alias, NameQuality::Strong);
        }
        if let Some(country) = field_at(&record, country_col) {
            push_countries(&mut entity, &country);
        }
        out.entities.push(entity);
    }
    dedupe_ids(&mut out.entities);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_and_bad_kind() {
        let csv = "name,aliases,kind,country,notes,reference\n\
Example Institute of Physics,EIP;Example Physics Inst,organization,Narnia,,W-1\n\
Someone,,dragon,,,W-2\n\
,x,person,,,W-3\n";
        assert!(is_custom_header(csv.lines().next().unwrap()));
        let parsed = parse("w.csv", "custom_w", csv.as_bytes()).unwrap();
        assert_eq!(parsed.entities.len(), 1);
        assert_eq!(parsed.entities[0].entity_id, "W-1");
        assert_eq!(parsed.entities[0].names.len(), 3);
        let lines: Vec<u64> = parsed.issues.iter().map(|i| i.line).collect();
        assert_eq!(lines, vec![3, 4]);
        assert_eq!(
            source_for_file("Partners of Concern.csv"),
            "custom_partners_of_concern"
        );
    }
}
