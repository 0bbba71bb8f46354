//! The two UK CSV layouts: FCDO's UK Sanctions List (`Unique ID`, `Name 1`..`Name 6`,
//! `Name type`, `Alias strength`, `Designation Type`) and OFSI's legacy consolidated list
//! (`Name 6, Name 1, ...`, `Group Type`, `Alias Type`, `Group ID`). Both publish one row
//! per name, grouped into one entity by their id column; both put a date line above the header.

use std::collections::HashMap;

use crate::entity::{Entity, EntityKind, NameQuality, ParsedList, RowIssue};
use crate::error::Error;
use crate::formats::{
    Columns, LineCounter, dedupe_ids, field_at, find_header_line, header_columns, push_countries,
    trim_file_bytes,
};

pub const SOURCE_SANCTIONS_LIST: &str = "uk_sanctions_list";
pub const SOURCE_OFSI: &str = "uk_ofsi";

/// How far down the file the header may start (below "Report Date: ..." or "Last Updated,...").
const HEADER_SEARCH_LINES: usize = 5;

/// Which of the two publications a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// FCDO UK Sanctions List CSV.
    SanctionsList,
    /// OFSI Consolidated List of Financial Sanctions Targets CSV (legacy "2022 format").
    Ofsi,
}

impl Layout {
    pub fn source(self) -> &'static str {
        match self {
            Layout::SanctionsList => SOURCE_SANCTIONS_LIST,
            Layout::Ofsi => SOURCE_OFSI,
        }
    }

    fn format(self) -> &'static str {
        match self {
            Layout::SanctionsList => "UK Sanctions List CSV",
            Layout::Ofsi => "OFSI consolidated list CSV",
        }
    }

    fn is_header(self, line: &str) -> bool {
        let columns = header_columns(line);
        let has = |name: &str| columns.iter().any(|c| c == name);
        match self {
            Layout::SanctionsList => has("unique id") && has("name 6") && has("name type"),
            Layout::Ofsi => has("group id") && has("name 6") && has("group type"),
        }
    }
}

/// The layout of a file, from its first lines; `None` for other CSV.
pub fn detect(bytes: &[u8]) -> Option<Layout> {
    let bytes = trim_file_bytes(bytes);
    [Layout::SanctionsList, Layout::Ofsi]
        .into_iter()
        .find(|layout| {
            find_header_line(bytes, HEADER_SEARCH_LINES, |l| layout.is_header(l)).is_some()
        })
}

/// One entity's rows as they arrive (they need not be adjacent or primary-first).
struct Group {
    kind: Option<EntityKind>,
    primary: Vec<String>,
    others: Vec<(String, NameQuality)>,
    countries: Vec<String>,
    birth_dates: Vec<String>,
    programs: Vec<String>,
}

pub fn parse(file: &str, layout: Layout, bytes: &[u8]) -> Result<ParsedList, Error> {
    let format = layout.format();
    let bytes = trim_file_bytes(bytes);
    let (offset, lines_above) = find_header_line(bytes, HEADER_SEARCH_LINES, |l| {
        layout.is_header(l)
    })
    .ok_or_else(|| Error::format(file, format, "no header row with the expected columns"))?;
    let body = bytes.get(offset..).unwrap_or_default();
    let mut lines = LineCounter::new(body);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(body);
    let headers = reader
        .byte_headers()
        .map_err(|err| Error::format(file, format, err.to_string()))?
        .clone();
    let cols = Columns::new(&headers);
    let (id_col, kind_col, name_type_col, quality_col) = match layout {
        Layout::SanctionsList => (
            cols.find("unique id"),
            cols.find("designation type"),
            cols.find("name type"),
            cols.find("alias strength"),
        ),
        Layout::Ofsi => (
            cols.find("group id"),
            cols.find("group type"),
            cols.find("alias type"),
            cols.find("alias quality"),
        ),
    };
    let id_col = id_col.ok_or_else(|| Error::format(file, format, "no id column"))?;
    // Name 1..5 are given names, Name 6 the surname or the whole entity name.
    let name_cols: Vec<Option<usize>> =
        ["name 1", "name 2", "name 3", "name 4", "name 5", "name 6"]
            .iter()
            .map(|n| cols.find(n))
            .collect();
    let non_latin_col = cols.find("name non-latin script");
    let regime_col = cols.find_any(&["regime name", "regime"]);
    let dob_col = cols.find_any(&["d.o.b", "dob"]);
    let country_cols: Vec<usize> = [
        "nationality(/ies)",
        "nationality",
        "address country",
        "country",
        "country of birth",
    ]
    .iter()
    .filter_map(|n| cols.find(n))
    .collect();

    let mut groups: Vec<(String, Group)> = Vec::new();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    let mut out = ParsedList::default();
    let mut record = csv::ByteRecord::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(err) => return Err(Error::format(file, format, err.to_string())),
        }
        let line = lines.line_of(&record) + lines_above;
        let issue = |reason: &str| RowIssue {
            file: file.to_string(),
            line,
            reason: reason.to_string(),
        };
        let Some(id) = field_at(&record, Some(id_col)) else {
            out.issues.push(issue("no id (Unique ID / Group ID)"));
            continue;
        };
        let name = name_cols
            .iter()
            .filter_map(|c| field_at(&record, *c))
            .collect::<Vec<_>>()
            .join(" ");
        let non_latin = field_at(&record, non_latin_col);
        if name.trim().is_empty() && non_latin.is_none() {
            out.issues.push(issue("no name (Name 1..Name 6 empty)"));
            continue;
        }
        let position = *by_id.entry(id.clone()).or_insert_with(|| {
            groups.push((
                id.clone(),
                Group {
                    kind: None,
                    primary: Vec::new(),
                    others: Vec::new(),
                    countries: Vec::new(),
                    birth_dates: Vec::new(),
                    programs: Vec::new(),
                },
            ));
            groups.len() - 1
        });
        let Some((_, group)) = groups.get_mut(position) else {
            continue;
        };
        if group.kind.is_none() {
            group.kind = field_at(&record, kind_col).and_then(|k| EntityKind::parse(&k));
        }
        let name_type = field_at(&record, name_type_col)
            .unwrap_or_default()
            .to_ascii_lowercase();
        let weak = field_at(&record, quality_col)
            .is_some_and(|q| q.to_ascii_lowercase().starts_with("low"));
        if !name.trim().is_empty() {
            if name_type == "primary name" {
                group.primary.push(name);
            } else if weak {
                group.others.push((name, NameQuality::Weak));
            } else {
                group.others.push((name, NameQuality::Strong));
            }
        }
        if let Some(original) = non_latin {
            group.others.push((original, NameQuality::Strong));
        }
        for col in &country_cols {
            if let Some(country) = field_at(&record, Some(*col)) {
                group.countries.push(country);
            }
        }
        if let Some(dob) = field_at(&record, dob_col) {
            group.birth_dates.push(dob);
        }
        if let Some(regime) = field_at(&record, regime_col) {
            group.programs.push(regime);
        }
    }

    for (id, group) in groups {
        out.entities.push(finish(layout.source(), id, group));
    }
    dedupe_ids(&mut out.entities);
    Ok(out)
}

fn finish(source: &str, id: String, group: Group) -> Entity {
    let mut names = group
        .primary
        .iter()
        .chain(group.others.iter().map(|(n, _)| n));
    let first = names.next().cloned().unwrap_or_default();
    let kind = group
        .kind
        .unwrap_or_else(|| crate::normalize::guess_kind(&first));
    let mut entity = Entity {
        source: source.to_string(),
        entity_id: id,
        kind,
        names: Vec::new(),
        countries: Vec::new(),
        birth_dates: Vec::new(),
        programs: Vec::new(),
    };
    // A group without a "Primary name" row still gets its first name as the primary.
    entity.push_name_and_acronym(&first, NameQuality::Primary);
    for name in group.primary.iter().skip(1) {
        entity.push_name(name, NameQuality::Strong);
    }
    let skip_first_other = usize::from(group.primary.is_empty());
    for (name, quality) in group.others.iter().skip(skip_first_other) {
        entity.push_name(name, *quality);
    }
    for country in &group.countries {
        push_countries(&mut entity, country);
    }
    for date in &group.birth_dates {
        entity.push_birth_date(date);
    }
    for program in &group.programs {
        entity.push_program(program);
    }
    entity
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_group_by_unique_id_with_primary_first() {
        let csv = "Report Date: 01-Jan-2026\n\
Last Updated,Unique ID,Name 6,Name 1,Name 2,Name 3,Name 4,Name 5,Name type,Alias strength,Name non-latin script,Regime Name,Designation Type,D.O.B,Nationality(/ies)\n\
01/01/2026,XYZ0001,DOE,John,,,,,Alias,Low quality,,Fictional,Individual,01/02/1970,Narnia\n\
01/01/2026,XYZ0001,DOE,Jonathan,,,,,Primary Name,,Джонатан Доу,Fictional,Individual,,United Kingdom\n\
01/01/2026,,NOBODY,,,,,,Primary Name,,,Fictional,Individual,,\n";
        assert_eq!(detect(csv.as_bytes()), Some(Layout::SanctionsList));
        let parsed = parse("uk.csv", Layout::SanctionsList, csv.as_bytes()).unwrap();
        assert_eq!(parsed.entities.len(), 1);
        let e = &parsed.entities[0];
        assert_eq!(e.primary_name(), "Jonathan DOE");
        assert_eq!(e.kind, EntityKind::Person);
        assert!(
            e.names
                .iter()
                .any(|n| n.name == "John DOE" && n.quality == NameQuality::Weak)
        );
        assert!(e.names.iter().any(|n| n.name == "Джонатан Доу"));
        assert_eq!(e.countries, vec!["GB"]);
        assert_eq!(parsed.issues.len(), 1);
        assert_eq!(parsed.issues[0].line, 5);
    }

    #[test]
    fn other_csv_is_not_detected() {
        assert_eq!(detect(b"name,aliases,country\nA,B,C\n"), None);
        assert!(parse("x.csv", Layout::Ofsi, b"a,b\n").is_err());
    }
}
