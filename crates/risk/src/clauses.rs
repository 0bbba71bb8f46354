//! The agreement clause checker: finds clauses in agreement text that bear on
//! academic freedom and open flow (publication control, long confidentiality,
//! IP assignment, data localisation, state access, non-disparagement,
//! surveillance, governing law, "national interest" termination). The patterns
//! are the policy pack's; this module finds them and cuts out the passage.

use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

use crate::policy::PolicyPack;

/// One flagged clause. Offsets are byte offsets into the text that was checked,
/// so a page can highlight `text[start..end]` and, within it, the match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClauseFinding {
    pub kind: String,
    /// The sentence (or line) containing the match.
    pub passage: String,
    pub start: usize,
    pub end: usize,
    /// The words the pattern matched.
    pub matched: String,
    pub match_start: usize,
    pub match_end: usize,
    /// Why a confidentiality clause was flagged (the delay it sets).
    pub note: Option<String>,
}

impl ClauseFinding {
    pub(crate) fn describe(&self) -> String {
        let note = self
            .note
            .as_deref()
            .map(|n| format!(" ({n})"))
            .unwrap_or_default();
        format!(
            "{} at bytes {}..{}: \"{}\"{note}",
            self.kind, self.start, self.end, self.passage
        )
    }
}

/// Check agreement text against every clause pattern of the pack. Findings are
/// ordered by position, one per (kind, passage).
pub fn check_agreement(text: &str, pack: &PolicyPack) -> Vec<ClauseFinding> {
    let mut out: Vec<ClauseFinding> = Vec::new();
    for spec in &pack.clauses {
        for pattern in &spec.patterns {
            for m in pattern.find_iter(text) {
                let (start, end) = sentence_around(text, m.start(), m.end());
                if out.iter().any(|f| f.kind == spec.kind && f.start == start) {
                    continue;
                }
                let passage = &text[start..end];
                let note = match spec.max_delay_days {
                    Some(max) => match excessive_delay(passage, max) {
                        Some(note) => Some(note),
                        // A confidentiality clause within the allowed delay is fine.
                        None => continue,
                    },
                    None => None,
                };
                out.push(ClauseFinding {
                    kind: spec.kind.clone(),
                    passage: passage.to_owned(),
                    start,
                    end,
                    matched: m.as_str().to_owned(),
                    match_start: m.start(),
                    match_end: m.end(),
                    note,
                });
            }
        }
    }
    out.sort_by(|a, b| (a.start, &a.kind).cmp(&(b.start, &b.kind)));
    out
}

/// Byte range of the sentence around a match: from after the previous
/// sentence end or line break to the next one (inclusive of the full stop).
fn sentence_around(text: &str, start: usize, end: usize) -> (usize, usize) {
    let stop = |c: char| matches!(c, '.' | ';' | '!' | '?' | '\n');
    let from = text[..start]
        .char_indices()
        .rev()
        .find(|&(i, c)| stop(c) && !is_decimal_point(text, i))
        .map(|(i, c)| i + c.len_utf8())
        .unwrap_or(0);
    let to = text[end..]
        .char_indices()
        .find(|&(i, c)| stop(c) && !is_decimal_point(text, end + i))
        .map(|(i, c)| end + i + c.len_utf8())
        .unwrap_or(text.len());
    // Trim the whitespace a sentence starts with.
    let lead = text[from..to].len() - text[from..to].trim_start().len();
    (from + lead, to)
}

/// "2.5" or "section 4.1" must not end a sentence.
fn is_decimal_point(text: &str, i: usize) -> bool {
    let b = text.as_bytes();
    b.get(i) == Some(&b'.')
        && i > 0
        && b[i - 1].is_ascii_digit()
        && b.get(i + 1).is_some_and(u8::is_ascii_digit)
}

static DURATION: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|eighteen|twenty-four|thirty|sixty|ninety)\b\s*(?:\(\s*\d+\s*\)\s*)?(day|week|month|year)s?\b").ok()
});
static PERPETUAL: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(indefinite(ly)?|in perpetuity|perpetual(ly)?|without (any )?time limit|no time limit)\b").ok()
});

/// The longest delay a passage sets, if it exceeds `max_days` (or is unlimited).
fn excessive_delay(passage: &str, max_days: u32) -> Option<String> {
    if let Some(m) = PERPETUAL.as_ref().and_then(|r| r.find(passage)) {
        return Some(format!("sets no time limit: '{}'", m.as_str()));
    }
    let longest = DURATION
        .as_ref()?
        .captures_iter(passage)
        .filter_map(|c| {
            let n = number(c.get(1)?.as_str())?;
            let unit = match c.get(2)?.as_str().to_ascii_lowercase().as_str() {
                "day" => 1,
                "week" => 7,
                "month" => 30,
                _ => 365,
            };
            Some((n.saturating_mul(unit), c.get(0)?.as_str().to_owned()))
        })
        .max_by_key(|(days, _)| *days)?;
    (longest.0 > u64::from(max_days)).then(|| {
        format!(
            "a delay of {} is longer than the {max_days} days the policy allows",
            longest.1
        )
    })
}

fn number(s: &str) -> Option<u64> {
    let words = [
        ("one", 1),
        ("two", 2),
        ("three", 3),
        ("four", 4),
        ("five", 5),
        ("six", 6),
        ("seven", 7),
        ("eight", 8),
        ("nine", 9),
        ("ten", 10),
        ("eleven", 11),
        ("twelve", 12),
        ("eighteen", 18),
        ("twenty-four", 24),
        ("thirty", 30),
        ("sixty", 60),
        ("ninety", 90),
    ];
    s.parse().ok().or_else(|| {
        let s = s.to_ascii_lowercase();
        words.iter().find(|(w, _)| *w == s).map(|(_, n)| *n)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_are_cut_at_stops_but_not_decimals() {
        let t = "Clause 4.1 applies. The Sponsor may veto any publication. Next.";
        let m = t.find("veto").unwrap();
        let (s, e) = sentence_around(t, m, m + 4);
        assert_eq!(&t[s..e], "The Sponsor may veto any publication.");
        let m = t.find("applies").unwrap();
        let (s, e) = sentence_around(t, m, m + 7);
        assert_eq!(&t[s..e], "Clause 4.1 applies.");
    }

    #[test]
    fn delays_are_measured() {
        assert!(excessive_delay("publication delayed by 60 days", 90).is_none());
        assert!(excessive_delay("delayed by six (6) months", 90).is_some());
        assert!(excessive_delay("kept confidential for 2 years", 90).is_some());
        assert!(excessive_delay("confidential in perpetuity", 90).is_some());
    }
}
