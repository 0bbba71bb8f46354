//! What the engine is told about restricted-list matches. Screening happens in
//! the screening crate; the web and CLI layers map each match they accept as a
//! hit to a `ListHit`, so this crate never depends on the index.

use meridian_domain::{CountryCode, Engagement, FundingSourceType, PartyKind};
use serde::{Deserialize, Serialize};

/// Whether a list is a legal bar (sanctions, denial orders) or a
/// research-security list that calls for review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListKind {
    /// Dealing is prohibited by law (asset freezes, denial orders).
    Sanctions,
    /// Lists that govern research partnerships (Entity List, DoD 1286/1260H,
    /// MEU, NS-CMIC, Canada's Named Research Organizations).
    ResearchSecurity,
    /// Anything else (e.g. politically exposed persons): noted, never a bar.
    Other,
}

/// Source ids as the screening crate reports them, and what each one is.
const SOURCES: &[(&str, ListKind)] = &[
    ("us_ofac_sdn", ListKind::Sanctions),
    ("us_ofac_cons", ListKind::Sanctions),
    ("un_sc", ListKind::Sanctions),
    ("uk_sanctions_list", ListKind::Sanctions),
    ("uk_ofsi", ListKind::Sanctions),
    ("eu_fsf", ListKind::Sanctions),
    ("us_state_nonproliferation", ListKind::Sanctions),
    // A denial order bars exports to the party outright.
    ("us_bis_dpl", ListKind::Sanctions),
    ("us_bis_entity_list", ListKind::ResearchSecurity),
    ("us_bis_meu", ListKind::ResearchSecurity),
    ("us_dod_1286", ListKind::ResearchSecurity),
    ("us_dod_1260h", ListKind::ResearchSecurity),
    ("us_ofac_nscmic", ListKind::ResearchSecurity),
    ("ca_nro", ListKind::ResearchSecurity),
];

impl ListKind {
    /// The kind of a screening source id (`us_ofac_sdn` → sanctions,
    /// `ca_nro` → research security); unknown sources are `Other`.
    pub fn for_source(source_id: &str) -> ListKind {
        let id = source_id.trim().to_ascii_lowercase();
        SOURCES
            .iter()
            .find(|(s, _)| *s == id)
            .map(|(_, k)| *k)
            .unwrap_or(ListKind::Other)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ListKind::Sanctions => "sanctions",
            ListKind::ResearchSecurity => "research_security",
            ListKind::Other => "other",
        }
    }
}

/// One accepted match of an engagement's party against a list entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListHit {
    /// The engagement field the party sits in: `partners[0]`, `funding`, `people[1]`.
    pub subject: String,
    /// The name as the engagement gives it.
    pub subject_name: String,
    /// Screening's source id: `us_ofac_sdn`, `us_bis_entity_list`, `us_dod_1286`, `ca_nro`…
    pub source_id: String,
    pub list_kind: ListKind,
    /// The list's own identifier for the entry.
    pub entity_id: String,
    /// The listed name that matched.
    pub matched_name: String,
    /// Screening's score (0–1). Scores are the caller's business: every hit
    /// passed in is treated as a match.
    pub score: f64,
}

impl ListHit {
    pub(crate) fn describe(&self) -> String {
        format!(
            "{} '{}' matches '{}' on {} (entry {}, score {:.2})",
            self.subject,
            self.subject_name,
            self.matched_name,
            self.source_id,
            self.entity_id,
            self.score
        )
    }
}

/// A party of an engagement that the caller should screen, named by the
/// `subject` its hits must carry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScreeningSubject {
    /// `partners[0]`, `funding` or `people[1]`.
    pub subject: String,
    pub name: String,
    /// `organization` or `person`, for the screening query's kind.
    pub kind: PartyKind,
    pub country: Option<CountryCode>,
}

/// Every partner, the funder and every person, in a stable order, so the
/// caller screens each and maps its matches to `ListHit`s with the same subject.
/// Unnamed parties (known only by party id) are left to the caller.
pub fn screening_subjects(e: &Engagement) -> Vec<ScreeningSubject> {
    let mut out: Vec<ScreeningSubject> = e
        .partners
        .iter()
        .enumerate()
        .map(|(i, p)| ScreeningSubject {
            subject: format!("partners[{i}]"),
            name: p.name.clone(),
            kind: p.kind,
            country: p.country,
        })
        .collect();
    if let Some(f) = &e.funding {
        let kind = match f.source_type {
            Some(FundingSourceType::Individual) => PartyKind::Person,
            _ => PartyKind::Organization,
        };
        out.push(ScreeningSubject {
            subject: "funding".to_owned(),
            name: f.source.clone(),
            kind,
            country: f.source_country,
        });
    }
    out.extend(e.people.iter().enumerate().map(|(i, p)| ScreeningSubject {
        subject: format!("people[{i}]"),
        name: p.name.clone(),
        kind: PartyKind::Person,
        country: None,
    }));
    out.retain(|s| !s.name.trim().is_empty());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_map_to_kinds() {
        assert_eq!(ListKind::for_source("us_ofac_sdn"), ListKind::Sanctions);
        assert_eq!(ListKind::for_source("UN_SC"), ListKind::Sanctions);
        assert_eq!(ListKind::for_source("ca_nro"), ListKind::ResearchSecurity);
        assert_eq!(
            ListKind::for_source("us_dod_1286"),
            ListKind::ResearchSecurity
        );
        assert_eq!(ListKind::for_source("opensanctions_peps"), ListKind::Other);
    }

    #[test]
    fn subjects_name_the_fields_hits_refer_to() {
        let e = meridian_domain::parse_engagement_json(
            br#"{"title":"t","kind":"funding","owner":"o","countries":["AQ"],
                "partners":[{"name":"Acme","country":"AQ"}],
                "funding":{"source":"A Donor","source_type":"individual"},
                "people":[{"name":"P One"},{"party_id":"p-2"}]}"#,
        )
        .unwrap();
        let got: Vec<(String, PartyKind)> = screening_subjects(&e)
            .into_iter()
            .map(|s| (s.subject, s.kind))
            .collect();
        assert_eq!(
            got,
            [
                ("partners[0]".to_owned(), PartyKind::Organization),
                ("funding".to_owned(), PartyKind::Person),
                ("people[0]".to_owned(), PartyKind::Person),
            ]
        );
    }
}
