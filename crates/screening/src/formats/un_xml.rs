//! UN Security Council Consolidated List XML (sc-sanctions.xsd), read as a stream with
//! quick-xml: individuals and entities, all name parts, aliases with their quality,
//! NAME_ORIGINAL_SCRIPT, dates of birth, nationality and address countries.

use quick_xml::events::Event;

use crate::entity::{Entity, EntityKind, NameQuality, ParsedList, RowIssue};
use crate::error::Error;
use crate::formats::trim_file_bytes;

const FORMAT: &str = "UN consolidated XML";

/// The fields of one INDIVIDUAL or ENTITY element as they stream past.
#[derive(Default)]
struct Record {
    kind_person: bool,
    start_line: u64,
    dataid: String,
    reference: String,
    name_parts: [String; 4],
    original_script: Vec<String>,
    program: String,
    aliases: Vec<(String, String)>,
    alias_quality: String,
    alias_name: String,
    countries: Vec<String>,
    birth_dates: Vec<String>,
    dob_from: String,
    dob_to: String,
}

pub fn parse(file: &str, bytes: &[u8]) -> Result<ParsedList, Error> {
    let bytes = trim_file_bytes(bytes);
    let mut reader = quick_xml::Reader::from_reader(bytes);
    // Not trimmed per event: "A &amp; B" arrives as three events and must keep its spaces.
    reader.config_mut().trim_text(false);
    let mut buf = Vec::new();
    let mut path: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut record: Option<Record> = None;
    let mut saw_root = false;
    let mut out = ParsedList::default();
    let mut lines = IncrementalLines::default();

    loop {
        let position = reader.buffer_position();
        let event = reader.read_event_into(&mut buf).map_err(|err| {
            let line = line_at(bytes, reader.error_position());
            Error::format(file, FORMAT, format!("line {line}: {err}"))
        })?;
        match event {
            Event::Start(start) => {
                let name = String::from_utf8_lossy(start.local_name().as_ref()).into_owned();
                if path.is_empty() {
                    if name != "CONSOLIDATED_LIST" {
                        return Err(Error::format(
                            file,
                            FORMAT,
                            format!("root element is <{name}>, expected <CONSOLIDATED_LIST>"),
                        ));
                    }
                    saw_root = true;
                }
                if (name == "INDIVIDUAL" || name == "ENTITY") && path.len() == 2 {
                    record = Some(Record {
                        kind_person: name == "INDIVIDUAL",
                        start_line: lines.line_at(bytes, position),
                        ..Record::default()
                    });
                }
                path.push(name);
                text.clear();
            }
            Event::Empty(_) => {}
            Event::Text(t) => {
                text.push_str(&String::from_utf8_lossy(t.as_ref()));
            }
            Event::CData(t) => {
                text.push_str(&String::from_utf8_lossy(t.as_ref()));
            }
            Event::GeneralRef(r) => {
                if let Ok(Some(ch)) = r.resolve_char_ref() {
                    text.push(ch);
                } else {
                    let name = String::from_utf8_lossy(r.as_ref()).into_owned();
                    if let Some(value) = quick_xml::escape::resolve_predefined_entity(&name) {
                        text.push_str(value);
                    }
                }
            }
            Event::End(_) => {
                if let Some(rec) = record.as_mut() {
                    end_element(rec, &path, &text);
                }
                let closed = path.pop();
                if path.len() == 2
                    && matches!(closed.as_deref(), Some("INDIVIDUAL") | Some("ENTITY"))
                    && let Some(rec) = record.take()
                {
                    match finish(file, rec) {
                        Ok(entity) => out.entities.push(entity),
                        Err(issue) => out.issues.push(issue),
                    }
                }
                text.clear();
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if !saw_root {
        return Err(Error::format(
            file,
            FORMAT,
            "no <CONSOLIDATED_LIST> element",
        ));
    }
    if !path.is_empty() {
        return Err(Error::format(file, FORMAT, "file ends inside an element"));
    }
    crate::formats::dedupe_ids(&mut out.entities);
    Ok(out)
}

/// Record start lines, counted forward once through the file (positions only grow).
#[derive(Default)]
struct IncrementalLines {
    scanned: usize,
    newlines: u64,
}

impl IncrementalLines {
    fn line_at(&mut self, bytes: &[u8], position: u64) -> u64 {
        let end = usize::try_from(position)
            .unwrap_or(usize::MAX)
            .min(bytes.len());
        if end > self.scanned {
            if let Some(chunk) = bytes.get(self.scanned..end) {
                self.newlines += chunk.iter().filter(|&&c| c == b'\n').count() as u64;
            }
            self.scanned = end;
        }
        self.newlines + 1
    }
}

/// For the one error message: counted from the start.
fn line_at(bytes: &[u8], position: u64) -> u64 {
    let end = usize::try_from(position)
        .unwrap_or(usize::MAX)
        .min(bytes.len());
    bytes
        .get(..end)
        .map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count()) as u64
        + 1
}

fn end_element(rec: &mut Record, path: &[String], text: &str) {
    let value = text.trim();
    let Some(leaf) = path.last().map(String::as_str) else {
        return;
    };
    let parent = path
        .len()
        .checked_sub(2)
        .and_then(|i| path.get(i))
        .map(String::as_str);
    match (parent, leaf) {
        (Some("INDIVIDUAL" | "ENTITY"), "DATAID") => rec.dataid = value.to_string(),
        (Some("INDIVIDUAL" | "ENTITY"), "REFERENCE_NUMBER") => rec.reference = value.to_string(),
        (Some("INDIVIDUAL" | "ENTITY"), "FIRST_NAME") => rec.name_parts[0] = value.to_string(),
        (Some("INDIVIDUAL" | "ENTITY"), "SECOND_NAME") => rec.name_parts[1] = value.to_string(),
        (Some("INDIVIDUAL" | "ENTITY"), "THIRD_NAME") => rec.name_parts[2] = value.to_string(),
        (Some("INDIVIDUAL" | "ENTITY"), "FOURTH_NAME") => rec.name_parts[3] = value.to_string(),
        (Some("INDIVIDUAL" | "ENTITY"), "NAME_ORIGINAL_SCRIPT") if !value.is_empty() => {
            rec.original_script.push(value.to_string())
        }
        (Some("INDIVIDUAL" | "ENTITY"), "UN_LIST_TYPE") => rec.program = value.to_string(),
        (Some("NATIONALITY"), "VALUE") => rec.countries.push(value.to_string()),
        (Some("INDIVIDUAL_ALIAS" | "ENTITY_ALIAS"), "QUALITY") => {
            rec.alias_quality = value.to_string()
        }
        (Some("INDIVIDUAL_ALIAS" | "ENTITY_ALIAS"), "ALIAS_NAME") => {
            rec.alias_name = value.to_string()
        }
        (_, "INDIVIDUAL_ALIAS" | "ENTITY_ALIAS") => {
            let name = std::mem::take(&mut rec.alias_name);
            let quality = std::mem::take(&mut rec.alias_quality);
            if !name.is_empty() {
                rec.aliases.push((name, quality));
            }
        }
        (
            Some("INDIVIDUAL_ADDRESS" | "ENTITY_ADDRESS" | "INDIVIDUAL_PLACE_OF_BIRTH"),
            "COUNTRY",
        ) if !value.is_empty() => rec.countries.push(value.to_string()),
        (Some("INDIVIDUAL_DATE_OF_BIRTH"), "DATE" | "YEAR") if !value.is_empty() => {
            rec.birth_dates.push(value.to_string())
        }
        (Some("INDIVIDUAL_DATE_OF_BIRTH"), "FROM_YEAR") => rec.dob_from = value.to_string(),
        (Some("INDIVIDUAL_DATE_OF_BIRTH"), "TO_YEAR") => rec.dob_to = value.to_string(),
        (_, "INDIVIDUAL_DATE_OF_BIRTH") => {
            let from = std::mem::take(&mut rec.dob_from);
            let to = std::mem::take(&mut rec.dob_to);
            match (from.is_empty(), to.is_empty()) {
                (false, false) => rec.birth_dates.push(format!("{from}-{to}")),
                (false, true) => rec.birth_dates.push(from),
                (true, false) => rec.birth_dates.push(to),
                (true, true) => {}
            }
        }
        _ => {}
    }
}

fn finish(file: &str, rec: Record) -> Result<Entity, RowIssue> {
    let issue = |reason: &str| RowIssue {
        file: file.to_string(),
        line: rec.start_line,
        reason: reason.to_string(),
    };
    let id = if !rec.reference.is_empty() {
        rec.reference.clone()
    } else if !rec.dataid.is_empty() {
        rec.dataid.clone()
    } else {
        return Err(issue("entry has neither REFERENCE_NUMBER nor DATAID"));
    };
    let primary = rec
        .name_parts
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let mut entity = Entity {
        source: "un_sc".to_string(),
        entity_id: id,
        kind: if rec.kind_person {
            EntityKind::Person
        } else {
            EntityKind::Organization
        },
        names: Vec::new(),
        countries: Vec::new(),
        birth_dates: Vec::new(),
        programs: Vec::new(),
    };
    entity.push_name_and_acronym(&primary, NameQuality::Primary);
    if entity.names.is_empty() {
        return Err(issue("entry has no name (FIRST_NAME..FOURTH_NAME empty)"));
    }
    for original in &rec.original_script {
        entity.push_name(original, NameQuality::Strong);
    }
    for (alias, quality) in &rec.aliases {
        let quality = if quality.eq_ignore_ascii_case("low") {
            NameQuality::Weak
        } else {
            NameQuality::Strong
        };
        entity.push_name(alias, quality);
    }
    for country in &rec.countries {
        entity.push_country(country);
    }
    for date in &rec.birth_dates {
        entity.push_birth_date(date);
    }
    entity.push_program(&rec.program);
    Ok(entity)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_root_is_rejected() {
        assert!(parse("x.xml", b"<OTHER><A/></OTHER>").is_err());
        assert!(parse("x.xml", b"<CONSOLIDATED_LIST><INDIVIDUALS>").is_err());
    }

    #[test]
    fn entity_refs_are_resolved() {
        let xml = b"<CONSOLIDATED_LIST><INDIVIDUALS/><ENTITIES><ENTITY><DATAID>1</DATAID>\
<FIRST_NAME>A &amp; B &#x41;</FIRST_NAME><REFERENCE_NUMBER>X.1</REFERENCE_NUMBER></ENTITY>\
</ENTITIES></CONSOLIDATED_LIST>";
        let parsed = parse("x.xml", xml).unwrap();
        assert_eq!(parsed.entities[0].primary_name(), "A & B A");
    }
}
