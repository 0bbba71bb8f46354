//! One module per publisher format. Each parser takes bytes (the caller does the IO),
//! returns the entities plus the rows it had to skip, and rejects a file whose
//! structure is wrong as a whole. None of them may panic on any input.

pub mod bis_dpl;
pub mod ca_nro;
pub mod custom_csv;
pub mod eu_fsf;
pub mod ofac;
pub mod opensanctions_ftm;
pub mod research_json;
pub mod senzing;
pub mod uk_csv;
pub mod un_xml;
pub mod us_csl;

use sha2::{Digest, Sha256};

/// OFAC files end with a DOS end-of-file byte (0x1A); a BOM may start any file.
pub(crate) fn trim_file_bytes(bytes: &[u8]) -> &[u8] {
    let mut out = bytes;
    if let Some(rest) = out.strip_prefix(b"\xEF\xBB\xBF") {
        out = rest;
    }
    while let Some((&last, rest)) = out.split_last() {
        if last == 0x1A || last.is_ascii_whitespace() {
            out = rest;
        } else {
            break;
        }
    }
    out
}

/// A field's text, or `None` when empty or OFAC's `-0-` placeholder. Invalid UTF-8
/// is replaced rather than failing the row: a mangled accent must not drop a party.
pub(crate) fn csv_field(record: &csv::ByteRecord, index: usize) -> Option<String> {
    let raw = record.get(index)?;
    let text = String::from_utf8_lossy(raw);
    let trimmed = text.trim();
    if trimmed.is_empty() || trimmed == "-0-" {
        None
    } else {
        Some(trimmed.to_string())
    }
}

/// Line numbers for CSV records. The csv crate's own `Position::line` is off by one
/// after CRLF line ends (OFAC's), so lines are counted from the record's byte offset:
/// the newlines up to and including it, plus one. Incremental, so a file is scanned once.
pub(crate) struct LineCounter<'a> {
    bytes: &'a [u8],
    scanned: usize,
    newlines: u64,
}

impl<'a> LineCounter<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        LineCounter {
            bytes,
            scanned: 0,
            newlines: 0,
        }
    }

    pub(crate) fn line_of(&mut self, record: &csv::ByteRecord) -> u64 {
        let Some(byte) = record.position().map(|p| p.byte()) else {
            return 0;
        };
        let end = usize::try_from(byte)
            .unwrap_or(usize::MAX)
            .saturating_add(1)
            .min(self.bytes.len());
        if end > self.scanned {
            if let Some(chunk) = self.bytes.get(self.scanned..end) {
                self.newlines += chunk.iter().filter(|&&c| c == b'\n').count() as u64;
            }
            self.scanned = end;
        }
        self.newlines + 1
    }
}

/// A stable id for lists that have none: derived from the list and the primary name,
/// so it survives reordering of the published file (a row number would not).
pub(crate) fn derived_id(source: &str, name: &str) -> String {
    let key = crate::normalize::fold_for_id(name);
    let digest = Sha256::digest(format!("{source}\u{0}{key}").as_bytes());
    let mut hex = String::with_capacity(12);
    for byte in digest.iter().take(6) {
        hex.push_str(&format!("{byte:02x}"));
    }
    hex
}

/// Makes ids unique within one list when the same name is listed twice (the BIS
/// Entity List repeats a name with different addresses).
pub(crate) fn dedupe_ids(entities: &mut [crate::entity::Entity]) {
    let mut seen = std::collections::HashMap::<String, u32>::new();
    for entity in entities.iter_mut() {
        let count = seen.entry(entity.entity_id.clone()).or_insert(0);
        *count += 1;
        if *count > 1 {
            entity.entity_id = format!("{}-{}", entity.entity_id, count);
        }
    }
}

/// A header line's column names, lowercased and trimmed, read with the CSV rules
/// (quoted names, a BOM on the first line).
pub(crate) fn header_columns(line: &str) -> Vec<String> {
    let line = line.trim_start_matches('\u{feff}');
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(line.as_bytes());
    let mut record = csv::StringRecord::new();
    match reader.read_record(&mut record) {
        Ok(true) => record
            .iter()
            .map(|c| c.trim().to_ascii_lowercase())
            .collect(),
        _ => Vec::new(),
    }
}

/// The byte offset and zero-based line index of the first of the first `max_lines`
/// lines that `is_header` accepts: publishers put a title or date line above the header.
pub(crate) fn find_header_line(
    bytes: &[u8],
    max_lines: usize,
    is_header: impl Fn(&str) -> bool,
) -> Option<(usize, u64)> {
    let mut offset = 0usize;
    for index in 0..max_lines {
        let rest = bytes.get(offset..)?;
        if rest.is_empty() {
            return None;
        }
        let end = rest.iter().position(|&c| c == b'\n').unwrap_or(rest.len());
        let line = String::from_utf8_lossy(rest.get(..end).unwrap_or_default());
        if is_header(&line) {
            return Some((offset, index as u64));
        }
        offset = offset.saturating_add(end).saturating_add(1);
    }
    None
}

/// Column positions by header name (case-insensitive), for publishers that reorder
/// or add columns between releases.
pub(crate) struct Columns(Vec<String>);

impl Columns {
    pub(crate) fn new(headers: &csv::ByteRecord) -> Self {
        Columns(
            headers
                .iter()
                .map(|h| {
                    String::from_utf8_lossy(h)
                        .trim()
                        .trim_start_matches('\u{feff}')
                        .to_ascii_lowercase()
                })
                .collect(),
        )
    }

    pub(crate) fn find(&self, wanted: &str) -> Option<usize> {
        self.0.iter().position(|h| h == wanted)
    }

    pub(crate) fn find_any(&self, wanted: &[&str]) -> Option<usize> {
        wanted.iter().find_map(|w| self.find(w))
    }
}

/// A field by optional column: `None` when the column is absent or the field empty.
pub(crate) fn field_at(record: &csv::ByteRecord, column: Option<usize>) -> Option<String> {
    column.and_then(|c| csv_field(record, c))
}

/// Adds the countries named in `raw`: the whole text first ("Korea, Republic of"),
/// else each `;`- or `,`-separated part ("Russia; Ukraine").
pub(crate) fn push_countries(entity: &mut crate::entity::Entity, raw: &str) {
    if crate::country::country_code(raw).is_some() {
        entity.push_country(raw);
        return;
    }
    for part in raw.split([';', ',', '/']) {
        entity.push_country(part);
    }
}

/// Lowercase ASCII letters and digits joined by single underscores: for source ids
/// built from file names or publisher labels.
pub(crate) fn slug(raw: &str) -> String {
    let mut out = String::new();
    for c in any_ascii::any_ascii(raw).chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    out
}

/// Like `dedupe_ids`, for files that hold entities of several sources (the CSL):
/// ids only need to be unique within their own source.
pub(crate) fn dedupe_ids_per_source(entities: &mut [crate::entity::Entity]) {
    let mut seen = std::collections::HashMap::<(String, String), u32>::new();
    for entity in entities.iter_mut() {
        let count = seen
            .entry((entity.source.clone(), entity.entity_id.clone()))
            .or_insert(0);
        *count += 1;
        if *count > 1 {
            entity.entity_id = format!("{}-{}", entity.entity_id, count);
        }
    }
}

/// Line numbers of JSON-lines records: one object a line, blank lines allowed.
pub(crate) fn json_lines(bytes: &[u8]) -> impl Iterator<Item = (u64, &[u8])> {
    bytes
        .split(|&c| c == b'\n')
        .enumerate()
        .map(|(i, line)| (i as u64 + 1, line.trim_ascii()))
        .filter(|(_, line)| !line.is_empty())
}
