//! US Commerce BIS Denied Persons List as published: tab-separated, quoted fields, a
//! header row (Name, Street_Address, City, State, Country, ...). One row per address, so
//! rows with the same name are merged into one entity; no ids, so ids are derived.

use std::collections::HashMap;

use crate::entity::{Entity, NameQuality, ParsedList, RowIssue};
use crate::error::Error;
use crate::formats::{LineCounter, csv_field, derived_id, trim_file_bytes};

const FORMAT: &str = "BIS Denied Persons List (tab-separated)";
pub const SOURCE: &str = "us_bis_dpl";

/// True when the first line is the DPL header (used by the directory loader).
pub fn is_dpl_header(first_line: &str) -> bool {
    let columns: Vec<String> = first_line
        .split('\t')
        .map(|c| c.trim().trim_matches('"').to_ascii_lowercase())
        .collect();
    columns.first().is_some_and(|c| c == "name")
        && columns.iter().any(|c| c == "street_address")
        && columns.iter().any(|c| c == "fr_citation")
}

pub fn parse(file: &str, bytes: &[u8]) -> Result<ParsedList, Error> {
    let bytes = trim_file_bytes(bytes);
    let mut lines = LineCounter::new(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b'\t')
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
        .ok_or_else(|| Error::format(file, FORMAT, "header has no \"Name\" column"))?;
    let country_col = column("country");

    let mut out = ParsedList::default();
    let mut by_name: HashMap<String, usize> = HashMap::new();
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
        let id = derived_id(SOURCE, &name);
        let position = *by_name.entry(id.clone()).or_insert_with(|| {
            let mut entity = Entity {
                source: SOURCE.to_string(),
                entity_id: id,
                kind: crate::normalize::guess_kind(&name),
                names: Vec::new(),
                countries: Vec::new(),
                birth_dates: Vec::new(),
                programs: vec!["DPL".to_string()],
            };
            entity.push_name(&name, NameQuality::Primary);
            out.entities.push(entity);
            out.entities.len() - 1
        });
        if let Some(country) = country_col.and_then(|c| csv_field(&record, c))
            && let Some(entity) = out.entities.get_mut(position)
        {
            entity.push_country(&country);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_for_one_name_merge() {
        let tsv = "\"Name\"\t\"Street_Address\"\t\"City\"\t\"State\"\t\"Country\"\t\"Postal_Code\"\t\"FR_Citation\"\n\
\"JOHN Q SAMPLE\"\t\"1 A ST\"\t\"X\"\t\"TX\"\t\"US\"\t\"1\"\t\"1 F.R. 1\"\n\
\"JOHN Q SAMPLE\"\t\"2 B ST\"\t\"Y\"\t\"\"\t\"CA\"\t\"2\"\t\"1 F.R. 1\"\n\
\"\"\t\"3 C ST\"\t\"Z\"\t\"\"\t\"US\"\t\"3\"\t\"1 F.R. 1\"\n";
        assert!(is_dpl_header(tsv.lines().next().unwrap()));
        let parsed = parse("dpl.txt", tsv.as_bytes()).unwrap();
        assert_eq!(parsed.entities.len(), 1);
        assert_eq!(parsed.entities[0].countries, vec!["US", "CA"]);
        assert_eq!(parsed.issues.len(), 1);
        assert_eq!(parsed.issues[0].line, 4);
    }
}
