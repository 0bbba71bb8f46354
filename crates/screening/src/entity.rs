//! The one shape every list format is parsed into: an `Entity` with its source list,
//! the list's own identifier, kind, names (primary first, then aliases with their
//! quality), countries, birth dates and programmes. Formats fill it; the index reads it.

use serde::{Deserialize, Serialize};

/// What a listed party is. Lists that do not say (the research-security
/// transcriptions) are classified by the parser from the name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntityKind {
    Person,
    Organization,
    Vessel,
    Aircraft,
}

impl EntityKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::Person => "person",
            EntityKind::Organization => "organization",
            EntityKind::Vessel => "vessel",
            EntityKind::Aircraft => "aircraft",
        }
    }

    /// Accepts the spellings queries and lists use; `None` for "any" or unknown words.
    pub fn parse(raw: &str) -> Option<EntityKind> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "person" | "individual" | "people" => Some(EntityKind::Person),
            "organization" | "organisation" | "entity" | "company" | "legalentity" => {
                Some(EntityKind::Organization)
            }
            "vessel" | "ship" => Some(EntityKind::Vessel),
            "aircraft" => Some(EntityKind::Aircraft),
            _ => None,
        }
    }
}

/// How much a name can be trusted to identify the entity. Weak aliases (UN "Low",
/// OFAC remarks' "a.k.a." nicknames) are indexed but a match on them scores lower.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NameQuality {
    Primary,
    Strong,
    Weak,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityName {
    pub name: String,
    pub quality: NameQuality,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entity {
    /// Source list id, e.g. `us_ofac_sdn`, `un_sc`, `us_bis_entity_list`.
    pub source: String,
    /// The list's own identifier (OFAC ent_num, UN REFERENCE_NUMBER) or a derived stable id.
    pub entity_id: String,
    pub kind: EntityKind,
    /// `names[0]` is the primary name; the rest are aliases. Never empty.
    pub names: Vec<EntityName>,
    /// ISO 3166-1 alpha-2 codes, deduplicated, where the list's text could be resolved.
    pub countries: Vec<String>,
    /// As the list writes them ("1962", "1958-02-22", "12 Mar 1958", "1973-1974").
    pub birth_dates: Vec<String>,
    pub programs: Vec<String>,
}

impl Entity {
    pub fn primary_name(&self) -> &str {
        self.names.first().map(|n| n.name.as_str()).unwrap_or("")
    }

    /// Birth years (four-digit numbers) in the birth dates, for the birth-year adjustment.
    pub fn birth_years(&self) -> Vec<u16> {
        let mut years = Vec::new();
        for date in &self.birth_dates {
            for part in date.split(|c: char| !c.is_ascii_digit()) {
                if part.len() == 4
                    && let Ok(year) = part.parse::<u16>()
                    && (1800..=2100).contains(&year)
                    && !years.contains(&year)
                {
                    years.push(year);
                }
            }
        }
        years
    }

    /// Adds a name unless an equal one (ignoring case and spacing) is already there.
    pub(crate) fn push_name(&mut self, name: &str, quality: NameQuality) {
        let clean = collapse_spaces(name);
        if clean.is_empty() {
            return;
        }
        let key = clean.to_lowercase();
        if self.names.iter().any(|n| n.name.to_lowercase() == key) {
            return;
        }
        self.names.push(EntityName {
            name: clean,
            quality,
        });
    }

    /// Adds a name written "Full Name (ACRONYM)" as itself, plus "Full Name" (strong) and
    /// "ACRONYM" (weak: short and ambiguous) as aliases, so each form matches on its own.
    pub(crate) fn push_name_and_acronym(&mut self, name: &str, quality: NameQuality) {
        self.push_name(name, quality);
        let trimmed = name.trim_end();
        let Some(without_close) = trimmed.strip_suffix(')') else {
            return;
        };
        let Some(open) = without_close.rfind('(') else {
            return;
        };
        let (base, acronym) = (&without_close[..open], &without_close[open + 1..]);
        let is_acronym = (2..=10).contains(&acronym.len())
            && acronym
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || matches!(c, '&' | '-'))
            && acronym.chars().any(|c| c.is_ascii_uppercase());
        if is_acronym && !base.trim().is_empty() {
            self.push_name(
                base.trim().trim_end_matches([',', '-']),
                NameQuality::Strong,
            );
            self.push_name(acronym, NameQuality::Weak);
        }
    }

    pub(crate) fn push_country(&mut self, raw: &str) {
        if let Some(code) = crate::country::country_code(raw)
            && !self.countries.iter().any(|c| c == code)
        {
            self.countries.push(code.to_string());
        }
    }

    pub(crate) fn push_birth_date(&mut self, raw: &str) {
        let clean = collapse_spaces(raw);
        if !clean.is_empty() && !self.birth_dates.contains(&clean) {
            self.birth_dates.push(clean);
        }
    }

    pub(crate) fn push_program(&mut self, raw: &str) {
        let clean = collapse_spaces(raw);
        if !clean.is_empty() && !self.programs.contains(&clean) {
            self.programs.push(clean);
        }
    }
}

pub(crate) fn collapse_spaces(raw: &str) -> String {
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// One row the parser skipped, and why: shown to operators so a list update that
/// drops records is noticed rather than silently screened against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowIssue {
    pub file: String,
    pub line: u64,
    pub reason: String,
}

/// What one parser produced from one list.
#[derive(Debug, Clone, Default)]
pub struct ParsedList {
    pub entities: Vec<Entity>,
    pub issues: Vec<RowIssue>,
}
