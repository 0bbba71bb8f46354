//! EU Financial Sanctions File XML (FSF v1.1, `<export>` of `<sanctionEntity>`), read as a
//! stream: `subjectType code`, every `nameAlias` (`wholeName`, `strong`), `citizenship` and
//! address `countryIso2Code`, `birthdate` (full date or `year`) and regulation programmes.

use quick_xml::events::{BytesStart, Event};

use crate::entity::{Entity, EntityKind, NameQuality, ParsedList, RowIssue};
use crate::error::Error;
use crate::formats::{dedupe_ids, derived_id, trim_file_bytes};

const FORMAT: &str = "EU Financial Sanctions File XML";
pub const SOURCE: &str = "eu_fsf";

/// True for the start of an FSF file (used by the directory loader).
pub fn is_fsf(head: &str) -> bool {
    head.contains("<export") && (head.contains("fsd/export") || head.contains("<sanctionEntity"))
}

#[derive(Default)]
struct Record {
    line: u64,
    logical_id: String,
    eu_reference: String,
    kind: Option<EntityKind>,
    names: Vec<(String, bool)>,
    countries: Vec<String>,
    birth_dates: Vec<String>,
    programs: Vec<String>,
}

fn attr(start: &BytesStart<'_>, wanted: &[u8]) -> Option<String> {
    start
        .attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == wanted)
        .map(|a| {
            a.unescape_value()
                .map(|v| v.into_owned())
                .unwrap_or_else(|_| String::from_utf8_lossy(&a.value).into_owned())
        })
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

pub fn parse(file: &str, bytes: &[u8]) -> Result<ParsedList, Error> {
    let bytes = trim_file_bytes(bytes);
    let mut reader = quick_xml::Reader::from_reader(bytes);
    let mut buf = Vec::new();
    let mut depth = 0usize;
    let mut saw_root = false;
    let mut record: Option<Record> = None;
    let mut out = ParsedList::default();
    let mut scanned = (0usize, 0u64);

    loop {
        let position = reader.buffer_position();
        let event = reader.read_event_into(&mut buf).map_err(|err| {
            let line = line_at(bytes, reader.error_position(), &mut (0, 0));
            Error::format(file, FORMAT, format!("line {line}: {err}"))
        })?;
        let is_start = matches!(event, Event::Start(_));
        match event {
            Event::Start(start) | Event::Empty(start) => {
                let name = start.local_name();
                let name = name.as_ref();
                if depth == 0 {
                    if name != b"export" {
                        return Err(Error::format(
                            file,
                            FORMAT,
                            format!(
                                "root element is <{}>, expected <export>",
                                String::from_utf8_lossy(name)
                            ),
                        ));
                    }
                    saw_root = true;
                }
                if name == b"sanctionEntity" {
                    let rec = Record {
                        line: line_at(bytes, position, &mut scanned),
                        logical_id: attr(&start, b"logicalId").unwrap_or_default(),
                        eu_reference: attr(&start, b"euReferenceNumber").unwrap_or_default(),
                        ..Record::default()
                    };
                    if is_start {
                        record = Some(rec);
                    } else {
                        out.issues
                            .push(issue(file, &rec, "sanctionEntity has no names"));
                    }
                } else if let Some(rec) = record.as_mut() {
                    element(rec, name, &start);
                }
                if is_start {
                    depth += 1;
                }
            }
            Event::End(end) => {
                depth = depth.saturating_sub(1);
                if end.local_name().as_ref() == b"sanctionEntity"
                    && let Some(rec) = record.take()
                {
                    match finish(file, rec) {
                        Ok(entity) => out.entities.push(entity),
                        Err(issue) => out.issues.push(issue),
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if !saw_root {
        return Err(Error::format(file, FORMAT, "no <export> element"));
    }
    if depth != 0 {
        return Err(Error::format(file, FORMAT, "file ends inside an element"));
    }
    dedupe_ids(&mut out.entities);
    Ok(out)
}

fn element(rec: &mut Record, name: &[u8], start: &BytesStart<'_>) {
    match name {
        b"subjectType" => {
            rec.kind = match attr(start, b"code").as_deref() {
                Some("person") => Some(EntityKind::Person),
                Some("enterprise") => Some(EntityKind::Organization),
                _ => rec.kind,
            }
        }
        b"nameAlias" => {
            let whole = attr(start, b"wholeName").unwrap_or_else(|| {
                [&b"firstName"[..], b"middleName", b"lastName"]
                    .iter()
                    .filter_map(|a| attr(start, a))
                    .collect::<Vec<_>>()
                    .join(" ")
            });
            let strong = attr(start, b"strong").is_none_or(|s| !s.eq_ignore_ascii_case("false"));
            if !whole.is_empty() {
                rec.names.push((whole, strong));
            }
        }
        b"citizenship" | b"address" => {
            if let Some(code) = attr(start, b"countryIso2Code") {
                rec.countries.push(code);
            }
        }
        b"birthdate" => {
            if let Some(date) = attr(start, b"birthdate").or_else(|| attr(start, b"year")) {
                rec.birth_dates.push(date);
            }
        }
        b"regulation" => {
            if let Some(programme) = attr(start, b"programme") {
                rec.programs.push(programme);
            }
        }
        _ => {}
    }
}

fn issue(file: &str, rec: &Record, reason: &str) -> RowIssue {
    let id = if rec.eu_reference.is_empty() {
        &rec.logical_id
    } else {
        &rec.eu_reference
    };
    RowIssue {
        file: file.to_string(),
        line: rec.line,
        reason: format!("sanctionEntity {id:?}: {reason}"),
    }
}

fn finish(file: &str, rec: Record) -> Result<Entity, RowIssue> {
    let Some((first, _)) = rec.names.first() else {
        return Err(issue(file, &rec, "no nameAlias with a name"));
    };
    let id = if !rec.eu_reference.is_empty() {
        rec.eu_reference.clone()
    } else if !rec.logical_id.is_empty() {
        rec.logical_id.clone()
    } else {
        derived_id(SOURCE, first)
    };
    let mut entity = Entity {
        source: SOURCE.to_string(),
        entity_id: id,
        kind: rec
            .kind
            .unwrap_or_else(|| crate::normalize::guess_kind(first)),
        names: Vec::new(),
        countries: Vec::new(),
        birth_dates: Vec::new(),
        programs: Vec::new(),
    };
    // The FSF has no primary flag: the first alias is the one the regulation lists first.
    entity.push_name_and_acronym(first, NameQuality::Primary);
    for (name, strong) in rec.names.iter().skip(1) {
        let quality = if *strong {
            NameQuality::Strong
        } else {
            NameQuality::Weak
        };
        entity.push_name(name, quality);
    }
    for country in &rec.countries {
        entity.push_country(country);
    }
    for date in &rec.birth_dates {
        entity.push_birth_date(date);
    }
    for program in &rec.programs {
        entity.push_program(program);
    }
    Ok(entity)
}

/// Lines counted forward once (positions only grow within one parse).
fn line_at(bytes: &[u8], position: u64, scanned: &mut (usize, u64)) -> u64 {
    let end = usize::try_from(position)
        .unwrap_or(usize::MAX)
        .min(bytes.len());
    if end > scanned.0 {
        if let Some(chunk) = bytes.get(scanned.0..end) {
            scanned.1 += chunk.iter().filter(|&&c| c == b'\n').count() as u64;
        }
        scanned.0 = end;
    }
    scanned.1 + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_strength_and_countries() {
        let xml = br#"<export xmlns="http://eu.europa.ec/fpi/fsd/export">
<sanctionEntity logicalId="7" euReferenceNumber="EU.1.2">
<regulation programme="XYZ"/>
<subjectType code="person" classificationCode="P"/>
<nameAlias wholeName="Anna Example" strong="true"/>
<nameAlias wholeName="Ann" strong="false"/>
<citizenship countryIso2Code="FR"/>
<birthdate birthdate="1970-01-02" year="1970"/>
</sanctionEntity>
<sanctionEntity logicalId="8"><subjectType code="enterprise"/></sanctionEntity>
</export>"#;
        assert!(is_fsf(std::str::from_utf8(xml).unwrap()));
        let parsed = parse("eu.xml", xml).unwrap();
        assert_eq!(parsed.entities.len(), 1);
        let e = &parsed.entities[0];
        assert_eq!(e.entity_id, "EU.1.2");
        assert_eq!(e.kind, EntityKind::Person);
        assert_eq!(e.names[1].quality, NameQuality::Weak);
        assert_eq!(e.countries, vec!["FR"]);
        assert_eq!(e.birth_dates, vec!["1970-01-02"]);
        assert_eq!(e.programs, vec!["XYZ"]);
        assert_eq!(parsed.issues.len(), 1);
        assert_eq!(parsed.issues[0].line, 10);
    }

    #[test]
    fn wrong_root_or_truncation_is_rejected() {
        assert!(parse("x.xml", b"<CONSOLIDATED_LIST/>").is_err());
        assert!(parse("x.xml", b"<export><sanctionEntity>").is_err());
    }
}
