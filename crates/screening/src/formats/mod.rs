//! One module per publisher format. Each parser takes bytes (the caller does the IO),
//! returns the entities plus the rows it had to skip, and rejects a file whose
//! structure is wrong as a whole. None of them may panic on any input.

pub mod bis_dpl;
pub mod ca_nro;
pub mod ofac;
pub mod research_json;
pub mod un_xml;

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
