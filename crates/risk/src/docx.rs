//! Plain text out of a .docx agreement, for the clause checker. A .docx is a
//! zip archive; the body is `word/document.xml`. Only what is needed is read:
//! the zip central directory, one stored or deflated member, and the `<w:t>`
//! runs with paragraph breaks. Sizes are capped so a zip bomb cannot exhaust memory.

use crate::error::DocxError;

/// Largest inflated document.xml accepted (agreements are far smaller).
const MAX_XML: usize = 32 * 1024 * 1024;
const MEMBER: &[u8] = b"word/document.xml";

/// The agreement's text: one line per paragraph.
pub fn docx_text(bytes: &[u8]) -> Result<String, DocxError> {
    let xml = document_xml(bytes)?;
    let xml = String::from_utf8_lossy(&xml);
    Ok(runs_to_text(&xml))
}

fn u16_at(b: &[u8], at: usize) -> Option<usize> {
    b.get(at..at + 2)
        .map(|s| usize::from(u16::from_le_bytes([s[0], s[1]])))
}

fn u32_at(b: &[u8], at: usize) -> Option<usize> {
    b.get(at..at + 4)
        .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]) as usize)
}

fn document_xml(b: &[u8]) -> Result<Vec<u8>, DocxError> {
    let damaged = |what: &str| DocxError::Damaged(what.to_owned());
    // The end-of-central-directory record sits in the last 64 KiB + 22 bytes.
    let search_from = b.len().saturating_sub(65_557);
    let eocd = (search_from..b.len().saturating_sub(21))
        .rev()
        .find(|&i| b[i..].starts_with(&[0x50, 0x4b, 0x05, 0x06]))
        .ok_or(DocxError::NotDocx("no zip directory"))?;
    let entries = u16_at(b, eocd + 10).ok_or_else(|| damaged("directory"))?;
    let mut at = u32_at(b, eocd + 16).ok_or_else(|| damaged("directory"))?;
    for _ in 0..entries {
        if u32_at(b, at) != Some(0x0201_4b50) {
            return Err(damaged("directory entry"));
        }
        let field = |off| u16_at(b, at + off).ok_or_else(|| damaged("directory entry"));
        let method = field(10)?;
        let compressed = u32_at(b, at + 20).ok_or_else(|| damaged("directory entry"))?;
        let (name_len, extra_len, comment_len) = (field(28)?, field(30)?, field(32)?);
        let local = u32_at(b, at + 42).ok_or_else(|| damaged("directory entry"))?;
        let name = b
            .get(at + 46..at + 46 + name_len)
            .ok_or_else(|| damaged("entry name"))?;
        if name == MEMBER {
            if u32_at(b, local) != Some(0x0403_4b50) {
                return Err(damaged("local header"));
            }
            let n = u16_at(b, local + 26).ok_or_else(|| damaged("local header"))?;
            let e = u16_at(b, local + 28).ok_or_else(|| damaged("local header"))?;
            let start = local + 30 + n + e;
            let data = b
                .get(start..start + compressed)
                .ok_or_else(|| damaged("document.xml is truncated"))?;
            return match method {
                0 => Ok(data.to_vec()),
                8 => miniz_oxide::inflate::decompress_to_vec_with_limit(data, MAX_XML)
                    .map_err(|e| DocxError::Damaged(format!("document.xml: {e:?}"))),
                _ => Err(DocxError::Damaged(format!(
                    "document.xml uses compression method {method}"
                ))),
            };
        }
        at += 46 + name_len + extra_len + comment_len;
    }
    Err(DocxError::NotDocx("no word/document.xml"))
}

/// Keep the text of `<w:t>` runs; paragraphs and breaks become newlines.
fn runs_to_text(xml: &str) -> String {
    let mut out = String::new();
    let mut in_text = false;
    let mut rest = xml;
    while let Some(lt) = rest.find('<') {
        if in_text {
            out.push_str(&unescape(&rest[..lt]));
        }
        let Some(gt) = rest[lt..].find('>') else {
            break;
        };
        let tag = &rest[lt + 1..lt + gt];
        let name = tag
            .trim_start_matches('/')
            .split(|c: char| c.is_whitespace() || c == '/')
            .next()
            .unwrap_or("");
        let closing = tag.starts_with('/');
        let empty = tag.ends_with('/');
        match name {
            "w:t" => in_text = !closing && !empty,
            "w:p" if closing => out.push('\n'),
            "w:br" | "w:cr" => out.push('\n'),
            "w:tab" => out.push('\t'),
            _ => {}
        }
        rest = &rest[lt + gt + 1..];
    }
    out
}

fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let Some(semi) = after.find(';').filter(|&i| i <= 10) else {
            out.push('&');
            rest = after;
            continue;
        };
        let entity = &after[..semi];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &after[semi + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_become_lines() {
        let xml = r#"<w:document><w:body><w:p><w:r><w:t>The Sponsor &amp; its</w:t></w:r><w:r><w:t xml:space="preserve"> affiliates</w:t></w:r></w:p><w:p><w:r><w:t>Second.</w:t></w:r></w:p></w:body></w:document>"#;
        assert_eq!(runs_to_text(xml), "The Sponsor & its affiliates\nSecond.\n");
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(docx_text(b"not a zip").is_err());
        assert!(docx_text(&[0x50, 0x4b, 0x05, 0x06, 0, 0]).is_err());
        let mut fake = vec![0u8; 30];
        fake.extend_from_slice(&[0x50, 0x4b, 0x05, 0x06]);
        fake.extend_from_slice(&[
            0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0x0f, 0, 0,
        ]);
        assert!(docx_text(&fake).is_err());
    }
}
