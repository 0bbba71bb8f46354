//! OFAC's four-file CSV layout, shared by the SDN list (SDN/ALT/ADD/SDN_COMMENTS.CSV)
//! and the Consolidated non-SDN list (CONS_PRIM/ALT/ADD/COMMENTS.CSV): no header rows,
//! `-0-` for empty, remarks that carry DOB, nationality and "a.k.a." names.

use std::collections::HashMap;

use crate::entity::{Entity, EntityKind, NameQuality, ParsedList, RowIssue};
use crate::error::Error;
use crate::formats::{LineCounter, csv_field, trim_file_bytes};

/// One of the four files: its name (for reports) and bytes. Only `primary` is required.
#[derive(Debug, Clone, Copy)]
pub struct OfacFile<'a> {
    pub name: &'a str,
    pub bytes: &'a [u8],
}

#[derive(Debug, Clone, Copy)]
pub struct OfacFiles<'a> {
    pub primary: OfacFile<'a>,
    pub alt: Option<OfacFile<'a>>,
    pub add: Option<OfacFile<'a>>,
    pub comments: Option<OfacFile<'a>>,
}

const FORMAT: &str = "OFAC CSV";

/// Parses one OFAC list (`source` is `us_ofac_sdn` or `us_ofac_cons`).
pub fn parse(source: &str, files: OfacFiles<'_>) -> Result<ParsedList, Error> {
    let mut issues = Vec::new();
    let mut order: Vec<String> = Vec::new();
    let mut by_id: HashMap<String, (Entity, String)> = HashMap::new();

    let primary_rows = read_rows(files.primary)?;
    let mut valid_primary = 0usize;
    for (line, record) in &primary_rows {
        match primary_row(source, record) {
            Ok((entity, remarks)) => {
                valid_primary += 1;
                if by_id.contains_key(&entity.entity_id) {
                    issues.push(issue(
                        files.primary.name,
                        *line,
                        "duplicate ent_num; row skipped",
                    ));
                    continue;
                }
                order.push(entity.entity_id.clone());
                by_id.insert(entity.entity_id.clone(), (entity, remarks));
            }
            Err(reason) => issues.push(issue(files.primary.name, *line, reason)),
        }
    }
    if valid_primary == 0 && !primary_rows.is_empty() {
        return Err(Error::format(
            files.primary.name,
            FORMAT,
            "no row has the 12 fields of an OFAC primary record with a numeric ent_num",
        ));
    }

    if let Some(file) = files.comments {
        // Remarks longer than the SDN.CSV field continue here, split mid-word.
        each_child_row(
            file,
            2,
            &mut issues,
            |ent_num, record, line, issues| match by_id.get_mut(ent_num) {
                Some((_, remarks)) => {
                    if let Some(more) = csv_field(record, 1) {
                        remarks.push_str(&more);
                    }
                }
                None => issues.push(issue(file.name, line, "ent_num not in the primary file")),
            },
        )?;
    }

    if let Some(file) = files.alt {
        each_child_row(file, 4, &mut issues, |ent_num, record, line, issues| {
            let Some((entity, _)) = by_id.get_mut(ent_num) else {
                issues.push(issue(file.name, line, "ent_num not in the primary file"));
                return;
            };
            let Some(name) = csv_field(record, 3) else {
                issues.push(issue(file.name, line, "alias row without a name"));
                return;
            };
            let alt_type = csv_field(record, 2)
                .unwrap_or_default()
                .to_ascii_lowercase();
            // OFAC itself marks low-quality aliases "weak" in alt_remarks.
            let weak = alt_type.contains("weak")
                || csv_field(record, 4).is_some_and(|r| r.to_ascii_lowercase().contains("weak"));
            let quality = if weak {
                NameQuality::Weak
            } else {
                NameQuality::Strong
            };
            entity.push_name(&name, quality);
        })?;
    }

    if let Some(file) = files.add {
        each_child_row(file, 5, &mut issues, |ent_num, record, line, issues| {
            let Some((entity, _)) = by_id.get_mut(ent_num) else {
                issues.push(issue(file.name, line, "ent_num not in the primary file"));
                return;
            };
            if let Some(country) = csv_field(record, 4) {
                entity.push_country(&country);
            }
        })?;
    }

    let mut entities = Vec::with_capacity(order.len());
    for id in order {
        if let Some((mut entity, remarks)) = by_id.remove(&id) {
            apply_remarks(&mut entity, &remarks);
            entities.push(entity);
        }
    }
    Ok(ParsedList { entities, issues })
}

fn issue(file: &str, line: u64, reason: impl Into<String>) -> RowIssue {
    RowIssue {
        file: file.to_string(),
        line,
        reason: reason.into(),
    }
}

/// All records with their line numbers; a CSV-level error (not a field problem) is
/// the whole file being unreadable.
fn read_rows(file: OfacFile<'_>) -> Result<Vec<(u64, csv::ByteRecord)>, Error> {
    let bytes = trim_file_bytes(file.bytes);
    let mut lines = LineCounter::new(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut rows = Vec::new();
    let mut record = csv::ByteRecord::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {
                // Blank lines between records are layout, not data.
                if record.len() == 1 && record.get(0).is_some_and(|f| f.trim_ascii().is_empty()) {
                    continue;
                }
                rows.push((lines.line_of(&record), record.clone()));
            }
            Ok(false) => break,
            Err(err) => return Err(Error::format(file.name, FORMAT, err.to_string())),
        }
    }
    Ok(rows)
}

/// Runs `apply` for every row of a child file (ALT/ADD/COMMENTS) whose ent_num parses.
fn each_child_row(
    file: OfacFile<'_>,
    min_fields: usize,
    issues: &mut Vec<RowIssue>,
    mut apply: impl FnMut(&str, &csv::ByteRecord, u64, &mut Vec<RowIssue>),
) -> Result<(), Error> {
    let rows = read_rows(file)?;
    let mut valid = 0usize;
    for (line, record) in &rows {
        if record.len() < min_fields {
            issues.push(issue(
                file.name,
                *line,
                format!(
                    "expected at least {min_fields} fields, found {}",
                    record.len()
                ),
            ));
            continue;
        }
        let Some(ent_num) = csv_field(record, 0).filter(|n| n.parse::<u64>().is_ok()) else {
            issues.push(issue(file.name, *line, "ent_num is not a number"));
            continue;
        };
        valid += 1;
        apply(&ent_num, record, *line, issues);
    }
    if valid == 0 && !rows.is_empty() {
        return Err(Error::format(
            file.name,
            FORMAT,
            "no row starts with a numeric ent_num",
        ));
    }
    Ok(())
}

fn primary_row(source: &str, record: &csv::ByteRecord) -> Result<(Entity, String), String> {
    if record.len() < 12 {
        return Err(format!("expected 12 fields, found {}", record.len()));
    }
    let ent_num = csv_field(record, 0).ok_or("ent_num is empty")?;
    if ent_num.parse::<u64>().is_err() {
        return Err(format!("ent_num {ent_num:?} is not a number"));
    }
    let name = csv_field(record, 1).ok_or("SDN_Name is empty")?;
    let kind = match csv_field(record, 2)
        .map(|t| t.to_ascii_lowercase())
        .as_deref()
    {
        Some("individual") => EntityKind::Person,
        Some("vessel") => EntityKind::Vessel,
        Some("aircraft") => EntityKind::Aircraft,
        _ => EntityKind::Organization,
    };
    let mut entity = Entity {
        source: source.to_string(),
        entity_id: ent_num,
        kind,
        names: Vec::new(),
        countries: Vec::new(),
        birth_dates: Vec::new(),
        programs: Vec::new(),
    };
    entity.push_name(&name, NameQuality::Primary);
    if entity.names.is_empty() {
        return Err("SDN_Name is blank".to_string());
    }
    if let Some(programs) = csv_field(record, 3) {
        // Several programmes are written "IRAN] [SDGT] [IRGC".
        for program in programs.split(['[', ']']) {
            entity.push_program(program);
        }
    }
    if let Some(flag) = csv_field(record, 9) {
        entity.push_country(&flag);
    }
    Ok((entity, csv_field(record, 11).unwrap_or_default()))
}

/// Pulls what the remarks carry that screening can use: "DOB ...", "nationality X",
/// "citizen X", "a.k.a. 'NAME'" (OFAC's weak aliases), and country words in
/// "Registration Number ... (Russia)".
fn apply_remarks(entity: &mut Entity, remarks: &str) {
    for clause in remarks.split(';') {
        let clause = clause.trim().trim_end_matches('.');
        let lower = clause.to_ascii_lowercase();
        let lower = lower.strip_prefix("alt. ").unwrap_or(&lower);
        let offset = clause.len() - lower.len();
        if let Some(rest) = lower.strip_prefix("dob ") {
            let start = offset + 4;
            if let Some(original) = clause.get(start..start + rest.len()) {
                entity.push_birth_date(original);
            }
        } else if let Some(rest) = lower
            .strip_prefix("nationality ")
            .or_else(|| lower.strip_prefix("citizen "))
        {
            entity.push_country(rest);
        } else if lower.starts_with("a.k.a.")
            || lower.starts_with("f.k.a.")
            || lower.starts_with("n.k.a.")
        {
            let start = offset + 6;
            if let Some(rest) = clause.get(start..) {
                let name = rest.trim().trim_matches(|c| c == '\'' || c == '"');
                entity.push_name(name, NameQuality::Weak);
            }
        } else if let (Some(open), Some(close)) = (clause.rfind('('), clause.rfind(')'))
            && open < close
            && (lower.contains("registration") || lower.contains("tax id"))
            && let Some(inner) = clause.get(open + 1..close)
        {
            entity.push_country(inner);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file<'a>(name: &'a str, bytes: &'a [u8]) -> OfacFile<'a> {
        OfacFile { name, bytes }
    }

    #[test]
    fn remarks_yield_dob_nationality_and_weak_aliases() {
        let sdn = b"9639,\"HANIYA, Ismail Abdul Salah\",\"individual\",\"NS-PLC] [SDGT\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"DOB 1962; alt. DOB 12 Mar 1963; POB Shati; nationality Palestinian; a.k.a. 'ABU AL-ABD'.\"\r\n\x1a";
        let parsed = parse(
            "us_ofac_sdn",
            OfacFiles {
                primary: file("sdn.csv", sdn),
                alt: None,
                add: None,
                comments: None,
            },
        )
        .unwrap();
        let entity = &parsed.entities[0];
        assert_eq!(entity.kind, EntityKind::Person);
        assert_eq!(entity.birth_dates, vec!["1962", "12 Mar 1963"]);
        assert_eq!(entity.countries, vec!["PS"]);
        assert_eq!(entity.programs, vec!["NS-PLC", "SDGT"]);
        assert_eq!(entity.names[1].name, "ABU AL-ABD");
        assert_eq!(entity.names[1].quality, NameQuality::Weak);
        assert!(parsed.issues.is_empty());
    }

    #[test]
    fn broken_primary_file_is_rejected_whole() {
        let err = parse(
            "us_ofac_sdn",
            OfacFiles {
                primary: file("sdn.csv", b"hello,world\nfoo,bar\n"),
                alt: None,
                add: None,
                comments: None,
            },
        );
        assert!(matches!(err, Err(Error::Format { .. })));
    }
}
