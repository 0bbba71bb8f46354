//! CSV import of an existing partner list: map the file's columns onto party
//! fields, validate every row, and report each bad row by line and field so
//! that nothing is silently dropped.

use crate::{OtherName, PartyFields, PartyInput, RegistrationId};
use std::collections::BTreeMap;

/// Party fields a CSV column can fill.
pub const CSV_FIELDS: &[&str] = &[
    "legal_name",
    "kind",
    "country",
    "sector",
    "other_names",
    "website",
    "registration_scheme",
    "registration_value",
    "state_ownership_pct",
    "ownership_notes",
    "governance_notes",
];

/// Which CSV header fills which party field. Unmapped fields are looked up
/// by their own name (case and spaces ignored), and `name` fills `legal_name`.
#[derive(Debug, Clone, Default)]
pub struct CsvColumnMapping {
    pub columns: BTreeMap<String, String>,
}

impl CsvColumnMapping {
    /// Parse `field=Header` pairs, one per line or comma-separated.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut columns = BTreeMap::new();
        for pair in text
            .split([',', '\n'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let (field, header) = pair.split_once('=').ok_or_else(|| {
                format!("mapping '{pair}' is not in the form field=Column header")
            })?;
            let field = field.trim();
            if !CSV_FIELDS.contains(&field) {
                return Err(format!(
                    "mapping names unknown field '{field}'; fields are: {}",
                    CSV_FIELDS.join(", ")
                ));
            }
            columns.insert(field.to_owned(), header.trim().to_owned());
        }
        Ok(CsvColumnMapping { columns })
    }
}

/// One rejected row: its line in the file, the field and why.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct CsvRowError {
    pub line: u64,
    pub field: String,
    pub message: String,
}

/// The outcome of reading a whole file: every good row and every bad one.
#[derive(Debug, Clone, Default)]
pub struct CsvImport {
    /// (line, validated party)
    pub rows: Vec<(u64, PartyFields)>,
    pub errors: Vec<CsvRowError>,
    /// Which header fills which field, as resolved.
    pub resolved_columns: BTreeMap<String, String>,
}

fn simplify(h: &str) -> String {
    h.trim().to_lowercase().replace([' ', '-'], "_")
}

/// Read a CSV file with a header row. A file that is not CSV at all (no
/// header, not UTF-8, no legal-name column) is an `Err` naming the problem.
pub fn parse_party_csv(bytes: &[u8], mapping: &CsvColumnMapping) -> Result<CsvImport, String> {
    let text =
        std::str::from_utf8(bytes).map_err(|e| format!("the file is not UTF-8 text ({e})"))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| format!("cannot read the header row: {e}"))?
        .clone();
    if headers.iter().all(|h| h.trim().is_empty()) {
        return Err("the file has no header row".into());
    }
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    let mut resolved = BTreeMap::new();
    for field in CSV_FIELDS {
        let wanted = mapping.columns.get(*field);
        let pos = match wanted {
            Some(h) => Some(
                headers
                    .iter()
                    .position(|x| x.trim() == h || simplify(x) == simplify(h))
                    .ok_or_else(|| format!("the mapping names column '{h}' for {field}, but the file has no such column"))?,
            ),
            None => headers.iter().position(|x| {
                let s = simplify(x);
                s == *field || (*field == "legal_name" && s == "name")
            }),
        };
        if let Some(p) = pos {
            index.insert(field, p);
            resolved.insert((*field).to_owned(), headers[p].to_owned());
        }
    }
    if !index.contains_key("legal_name") {
        return Err("no column gives the legal name: add a 'legal_name' or 'name' column, or map one (legal_name=Your column)".into());
    }

    let mut out = CsvImport {
        resolved_columns: resolved,
        ..Default::default()
    };
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                out.errors.push(CsvRowError {
                    line,
                    field: "row".into(),
                    message: e.to_string(),
                });
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(|v| v.trim().is_empty()) {
            continue;
        }
        let get = |f: &str| {
            index
                .get(f)
                .and_then(|&i| record.get(i))
                .map(str::trim)
                .unwrap_or("")
        };
        let mut row_errors = Vec::new();
        let state_ownership_pct = match get("state_ownership_pct") {
            "" => None,
            v => match v.trim_end_matches('%').trim().parse::<f64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    row_errors.push(CsvRowError {
                        line,
                        field: "state_ownership_pct".into(),
                        message: format!("'{v}' is not a number"),
                    });
                    None
                }
            },
        };
        let input = PartyInput {
            kind: get("kind").to_owned(),
            legal_name: get("legal_name").to_owned(),
            other_names: get("other_names")
                .split(';')
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(|n| OtherName {
                    name: n.to_owned(),
                    name_type: "alias".into(),
                })
                .collect(),
            country: Some(get("country").to_owned()),
            sector: Some(get("sector").to_owned()),
            parent_id: None,
            state_ownership_pct,
            ownership_notes: get("ownership_notes").to_owned(),
            website: get("website").to_owned(),
            registration_ids: vec![RegistrationId {
                scheme: get("registration_scheme").to_owned(),
                value: get("registration_value").to_owned(),
            }],
            governance_notes: get("governance_notes").to_owned(),
        };
        match input.validate() {
            Ok(p) if row_errors.is_empty() => out.rows.push((line, p)),
            Ok(_) => out.errors.extend(row_errors),
            Err(errs) => {
                out.errors.extend(row_errors);
                out.errors
                    .extend(errs.errors.into_iter().map(|e| CsvRowError {
                        line,
                        field: e.field,
                        message: e.message,
                    }));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imports_good_rows_and_reports_bad_ones_by_line() {
        let csv = "Name,Country,Sector,Other names\n\
                   Example University,JP,university,EU;Ex Uni\n\
                   Bad Country Corp,ZZ,company,\n\
                   ,DE,company,\n\
                   Acme GmbH,de,company,\n";
        let out = parse_party_csv(csv.as_bytes(), &CsvColumnMapping::default()).unwrap();
        assert_eq!(out.rows.len(), 2);
        assert_eq!(out.rows[0].0, 2);
        assert_eq!(out.rows[0].1.other_names.len(), 2);
        assert_eq!(out.rows[1].1.country.unwrap().code(), "DE");
        assert_eq!(
            out.errors,
            vec![
                CsvRowError {
                    line: 3,
                    field: "country".into(),
                    message: "'ZZ' is not an ISO 3166-1 country code".into()
                },
                CsvRowError {
                    line: 4,
                    field: "legal_name".into(),
                    message: "is required".into()
                },
            ]
        );
    }

    #[test]
    fn mapping_renames_columns_and_rejects_unknown_ones() {
        let csv = "Organisation,ISO\nExample Institute,FR\n";
        let m = CsvColumnMapping::parse("legal_name=Organisation, country=ISO").unwrap();
        let out = parse_party_csv(csv.as_bytes(), &m).unwrap();
        assert_eq!(out.rows[0].1.legal_name, "Example Institute");
        let m = CsvColumnMapping::parse("legal_name=Missing").unwrap();
        assert!(
            parse_party_csv(csv.as_bytes(), &m)
                .unwrap_err()
                .contains("'Missing'")
        );
        assert!(CsvColumnMapping::parse("colour=X").is_err());
        assert!(
            parse_party_csv(csv.as_bytes(), &CsvColumnMapping::default())
                .unwrap_err()
                .contains("legal name")
        );
    }
}
