//! The US Consolidated Screening List CSV (trade.gov): one row per entry of eleven
//! agency lists, each row's `source` column mapped to that list's own source id, names
//! plus `;`-separated `alt_names`. The loader decides whether to use it (see `load`).

use crate::entity::{Entity, EntityKind, NameQuality, ParsedList, RowIssue};
use crate::error::Error;
use crate::formats::{
    Columns, LineCounter, dedupe_ids_per_source, derived_id, field_at, header_columns,
    push_countries, slug, trim_file_bytes,
};

const FORMAT: &str = "US Consolidated Screening List CSV";

/// The abbreviation in the CSL `source` label, and the id of the list it repeats.
/// Lists this crate also parses on their own keep that list's id, so a match reads the same.
pub const SOURCE_IDS: &[(&str, &str)] = &[
    ("EL", "us_bis_entity_list"),
    ("DPL", "us_bis_dpl"),
    ("SDN", "us_ofac_sdn"),
    ("ISN", "us_state_nonproliferation"),
    ("MEU", "us_bis_meu"),
    ("UVL", "us_bis_uvl"),
];

/// True when a CSV header is the CSL's (used by the directory loader).
pub fn is_csl_header(first_line: &str) -> bool {
    let columns = header_columns(first_line);
    let has = |name: &str| columns.iter().any(|c| c == name);
    has("source") && has("name") && has("alt_names") && has("source_list_url")
}

/// "Entity List (EL) - Bureau of Industry and Security" -> `us_bis_entity_list`;
/// labels without a known abbreviation -> `us_csl_<abbreviation or slug>`.
pub fn source_for_label(label: &str) -> String {
    let abbreviation = label
        .split_once('(')
        .and_then(|(_, rest)| rest.split_once(')'))
        .map(|(inside, _)| inside.trim())
        .filter(|a| !a.is_empty());
    if let Some(abbreviation) = abbreviation {
        if let Some((_, source)) = SOURCE_IDS
            .iter()
            .find(|(a, _)| a.eq_ignore_ascii_case(abbreviation))
        {
            return (*source).to_string();
        }
        return format!("us_csl_{}", slug(abbreviation));
    }
    let slug = slug(label);
    if slug.is_empty() {
        "us_csl".to_string()
    } else {
        format!("us_csl_{slug}")
    }
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
    let cols = Columns::new(&headers);
    let need = |name: &str| {
        cols.find(name)
            .ok_or_else(|| Error::format(file, FORMAT, format!("header has no {name:?} column")))
    };
    let source_col = need("source")?;
    let name_col = need("name")?;
    let id_col = cols.find("entity_number");
    let type_col = cols.find("type");
    let programs_col = cols.find("programs");
    let alt_col = cols.find("alt_names");
    let address_col = cols.find("addresses");
    let dob_col = cols.find("dates_of_birth");
    let country_cols: Vec<usize> = ["citizenships", "nationalities"]
        .iter()
        .filter_map(|n| cols.find(n))
        .collect();

    let mut out = ParsedList::default();
    let mut record = csv::ByteRecord::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(err) => return Err(Error::format(file, FORMAT, err.to_string())),
        }
        let line = lines.line_of(&record);
        let issue = |reason: &str| RowIssue {
            file: file.to_string(),
            line,
            reason: reason.to_string(),
        };
        let Some(label) = field_at(&record, Some(source_col)) else {
            out.issues.push(issue("no source"));
            continue;
        };
        let Some(name) = field_at(&record, Some(name_col)) else {
            out.issues.push(issue("no name"));
            continue;
        };
        let source = source_for_label(&label);
        let kind = field_at(&record, type_col)
            .and_then(|t| EntityKind::parse(&t))
            .unwrap_or_else(|| crate::normalize::guess_kind(&name));
        let mut entity = Entity {
            entity_id: field_at(&record, id_col).unwrap_or_else(|| derived_id(&source, &name)),
            source,
            kind,
            names: Vec::new(),
            countries: Vec::new(),
            birth_dates: Vec::new(),
            programs: Vec::new(),
        };
        entity.push_name_and_acronym(&name, NameQuality::Primary);
        for alias in field_at(&record, alt_col).unwrap_or_default().split(';') {
            entity.push_name(alias, NameQuality::Strong);
        }
        for col in &country_cols {
            if let Some(countries) = field_at(&record, Some(*col)) {
                push_countries(&mut entity, &countries);
            }
        }
        // Each address ends with its ISO country code: "..., Kowloon, HK; ..., Antalya, TR".
        for address in field_at(&record, address_col)
            .unwrap_or_default()
            .split(';')
        {
            if let Some(last) = address.rsplit(',').next().map(str::trim)
                && last.len() == 2
            {
                entity.push_country(last);
            }
        }
        for date in field_at(&record, dob_col).unwrap_or_default().split(';') {
            entity.push_birth_date(date);
        }
        for program in field_at(&record, programs_col)
            .unwrap_or_default()
            .split(';')
        {
            entity.push_program(program);
        }
        out.entities.push(entity);
    }
    dedupe_ids_per_source(&mut out.entities);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_labels_map_to_list_ids() {
        let cases = [
            (
                "Entity List (EL) - Bureau of Industry and Security",
                "us_bis_entity_list",
            ),
            (
                "Denied Persons List (DPL) - Bureau of Industry and Security",
                "us_bis_dpl",
            ),
            (
                "Specially Designated Nationals (SDN) - Treasury Department",
                "us_ofac_sdn",
            ),
            (
                "Nonproliferation Sanctions (ISN) - State Department",
                "us_state_nonproliferation",
            ),
            (
                "Military End User (MEU) List - Bureau of Industry and Security",
                "us_bis_meu",
            ),
            (
                "Unverified List (UVL) - Bureau of Industry and Security",
                "us_bis_uvl",
            ),
            (
                "Sectoral Sanctions Identifications List (SSI) - Treasury Department",
                "us_csl_ssi",
            ),
            ("ITAR Debarred (DTC) - State Department", "us_csl_dtc"),
            ("Some New List", "us_csl_some_new_list"),
        ];
        for (label, source) in cases {
            assert_eq!(source_for_label(label), source, "{label}");
        }
    }
}
