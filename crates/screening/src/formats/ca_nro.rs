//! Canada's Named Research Organizations list as a CSV with a header row
//! (name, aliases `;`-separated, country, city, parent, notes). No ids: derived.

use crate::entity::{Entity, EntityKind, NameQuality, ParsedList, RowIssue};
use crate::error::Error;
use crate::formats::{LineCounter, csv_field, dedupe_ids, derived_id, trim_file_bytes};

const FORMAT: &str = "Canada NRO CSV";
pub const SOURCE: &str = "ca_nro";

/// True when a CSV header is this list's (used by the directory loader to recognise it).
pub fn is_nro_header(first_line: &str) -> bool {
    let columns: Vec<String> = first_line
        .trim()
        .split(',')
        .map(|c| c.trim().trim_matches('"').to_ascii_lowercase())
        .collect();
    columns.iter().any(|c| c == "name")
        && columns.iter().any(|c| c == "aliases")
        && columns.iter().any(|c| c == "parent")
}

pub fn parse(file: &str, bytes: &[u8]) -> Result<ParsedList, Error> {
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
    let column = |wanted: &str| {
        headers.iter().position(|h| {
            String::from_utf8_lossy(h)
                .trim()
                .eq_ignore_ascii_case(wanted)
        })
    };
    let name_col = column("name")
        .ok_or_else(|| Error::format(file, FORMAT, "header has no \"name\" column"))?;
    let alias_col = column("aliases");
    let country_col = column("country");

    let mut out = ParsedList::default();
    let mut record = csv::ByteRecord::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(err) => return Err(Error::format(file, FORMAT, err.to_string())),
        }
        let line = lines.line_of(&record);
        let Some(name) = csv_field(&record, name_col) else {
            out.issues.push(RowIssue {
                file: file.to_string(),
                line,
                reason: "no name".to_string(),
            });
            continue;
        };
        let mut entity = Entity {
            source: SOURCE.to_string(),
            entity_id: derived_id(SOURCE, &name),
            kind: EntityKind::Organization,
            names: Vec::new(),
            countries: Vec::new(),
            birth_dates: Vec::new(),
            programs: vec!["NRO".to_string()],
        };
        entity.push_name_and_acronym(&name, NameQuality::Primary);
        if let Some(aliases) = alias_col.and_then(|c| csv_field(&record, c)) {
            for alias in aliases.split(';') {
                entity.push_name(alias, NameQuality::Strong);
            }
        }
        if let Some(country) = country_col.and_then(|c| csv_field(&record, c)) {
            entity.push_country(&country);
        }
        out.entities.push(entity);
    }
    dedupe_ids(&mut out.entities);
    Ok(out)
}
