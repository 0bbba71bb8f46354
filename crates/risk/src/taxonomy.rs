//! The sensitive-technology taxonomy: Canada's STRA categories and sub-areas
//! (names generated into `stra_data.rs`), plus areas a pack adds (export-control
//! lists), each with the pack's keywords. Matching is plain whole-word phrase
//! search so that every hit can be shown as the term and the field it came from.

use serde::Serialize;

use crate::ladder::Sensitivity;
use crate::stra_data::STRA_SUBAREAS;

/// A taxonomy area with its keywords (lowercased).
#[derive(Debug, Clone, PartialEq)]
pub struct Area {
    pub id: String,
    pub name: String,
    pub category_id: String,
    pub category: String,
    pub level: Sensitivity,
    pub keywords: Vec<String>,
    pub source: String,
}

/// Every STRA sub-area: (category id, category name, sub-area id, sub-area name).
pub fn stra_subareas() -> &'static [(&'static str, &'static str, &'static str, &'static str)] {
    STRA_SUBAREAS
}

pub(crate) fn stra_subarea(
    id: &str,
) -> Option<(&'static str, &'static str, &'static str, &'static str)> {
    STRA_SUBAREAS.iter().find(|s| s.2 == id).copied()
}

pub(crate) fn normalise_keywords(words: &[String]) -> Vec<String> {
    words
        .iter()
        .map(|w| w.trim().to_lowercase())
        .filter(|w| !w.is_empty())
        .collect()
}

/// One area matched in one field.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaMatch {
    pub area_id: String,
    pub area_name: String,
    pub level: Sensitivity,
    /// The engagement field: `research_areas[0]`, `description`, `title`.
    pub field: String,
    pub term: String,
}

/// Does `keyword` (lowercase) occur in `haystack` (lowercase) as whole words?
/// A trailing "s" or "es" is allowed so plurals match.
pub(crate) fn contains_term(haystack: &str, keyword: &str) -> bool {
    if keyword.is_empty() {
        return false;
    }
    let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    let mut from = 0;
    while let Some(pos) = haystack[from..].find(keyword) {
        let start = from + pos;
        let end = start + keyword.len();
        let before = haystack[..start].chars().next_back();
        let rest = &haystack[end..];
        let rest = rest
            .strip_prefix("es")
            .filter(|r| !word(r.chars().next()))
            .or_else(|| rest.strip_prefix('s'))
            .unwrap_or(rest);
        if !word(before) && !word(rest.chars().next()) {
            return true;
        }
        // Step past this occurrence's first character (keywords may be non-ASCII).
        from = start + keyword.chars().next().map_or(1, char::len_utf8);
    }
    false
}

/// Match every area against the given fields, in area then field order; one
/// match per (area, field), naming the first keyword that hit.
pub fn match_areas(areas: &[Area], fields: &[(String, String)]) -> Vec<AreaMatch> {
    let lowered: Vec<(&str, String)> = fields
        .iter()
        .map(|(f, t)| (f.as_str(), t.to_lowercase()))
        .collect();
    let mut out = Vec::new();
    for area in areas {
        for (field, text) in &lowered {
            if let Some(term) = area.keywords.iter().find(|k| contains_term(text, k)) {
                out.push(AreaMatch {
                    area_id: area.id.clone(),
                    area_name: area.name.clone(),
                    level: area.level,
                    field: (*field).to_owned(),
                    term: term.clone(),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generated_table_has_11_categories_and_75_subareas() {
        let mut cats: Vec<&str> = stra_subareas().iter().map(|s| s.0).collect();
        cats.dedup();
        assert_eq!(cats.len(), 11);
        assert_eq!(stra_subareas().len(), 75);
        assert_eq!(
            stra_subarea("quantum-sensing").map(|s| s.3),
            Some("Quantum Sensing")
        );
    }

    #[test]
    fn terms_match_whole_words_and_plurals() {
        assert!(contains_term("we build quantum sensors.", "quantum sensor"));
        assert!(contains_term("drone swarms", "drone"));
        assert!(contains_term("hypersonic missiles", "missile"));
        assert!(!contains_term("radarsat mission", "radar"));
        assert!(!contains_term("biopharmaceutical", "pharma"));
        assert!(contains_term("ai, radar", "radar"));
    }
}
