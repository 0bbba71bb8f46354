//! The party registry's record: one due-diligence file per organisation or
//! external person, reused by every engagement that names it.

use crate::{
    CountryCode, DueDiligenceStatus, FieldErrors, PartyKind, Sector, format_date, parse_date,
};
use serde::{Deserialize, Serialize};

/// Kinds of other name a party can be known by.
pub const NAME_TYPES: &[&str] = &["alias", "former", "acronym", "original_script"];

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct OtherName {
    pub name: String,
    /// `alias` (default), `former`, `acronym` or `original_script`.
    pub name_type: String,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct RegistrationId {
    /// e.g. `LEI`, `ROR`, `companies_house`, `USCC`.
    pub scheme: String,
    pub value: String,
}

/// A party as submitted; validated into [`PartyInput::validate`]'s output.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct PartyInput {
    /// `organization` or `person`.
    pub kind: String,
    pub legal_name: String,
    pub other_names: Vec<OtherName>,
    pub country: Option<String>,
    pub sector: Option<String>,
    pub parent_id: Option<String>,
    /// Share held by a state, in percent (0–100).
    pub state_ownership_pct: Option<f64>,
    pub ownership_notes: String,
    pub website: String,
    pub registration_ids: Vec<RegistrationId>,
    pub governance_notes: String,
}

/// The validated, editable fields of a party.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, utoipa::ToSchema)]
pub struct PartyFields {
    pub kind: PartyKind,
    pub legal_name: String,
    pub other_names: Vec<OtherName>,
    #[schema(value_type = Option<String>)]
    pub country: Option<CountryCode>,
    pub sector: Option<Sector>,
    pub parent_id: Option<String>,
    pub state_ownership_pct: Option<f64>,
    pub ownership_notes: String,
    pub website: String,
    pub registration_ids: Vec<RegistrationId>,
    pub governance_notes: String,
}

/// A stored party with its due-diligence state.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Party {
    pub id: String,
    #[serde(flatten)]
    pub fields: PartyFields,
    pub dd_status: DueDiligenceStatus,
    pub dd_reviewer: Option<String>,
    pub dd_decided_on: Option<String>,
    pub dd_expires_on: Option<String>,
    /// Set when this record was merged into another (the survivor).
    pub merged_into: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl Party {
    /// Due diligence has lapsed: its expiry date is before `today`.
    pub fn dd_expired(&self, today: crate::Date) -> bool {
        self.dd_expires_on
            .as_deref()
            .and_then(|d| parse_date(d).ok())
            .is_some_and(|exp| exp < today)
    }

    /// Every name the party is known by, legal name first.
    pub fn all_names(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.fields.legal_name.as_str())
            .chain(self.fields.other_names.iter().map(|n| n.name.as_str()))
    }
}

/// A due-diligence decision as submitted.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct DueDiligenceInput {
    pub status: String,
    /// `YYYY-MM-DD`; defaults to today.
    pub decided_on: Option<String>,
    /// `YYYY-MM-DD`; after it the record shows "due-diligence expired".
    pub expires_on: Option<String>,
    pub note: String,
}

/// A validated due-diligence decision (the reviewer is the signed-in user).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DueDiligenceDecision {
    pub status: DueDiligenceStatus,
    pub decided_on: String,
    pub expires_on: Option<String>,
    pub note: String,
}

impl DueDiligenceInput {
    pub fn validate(&self, today: crate::Date) -> Result<DueDiligenceDecision, FieldErrors> {
        let mut errors = FieldErrors::default();
        let status = if self.status.trim().is_empty() {
            errors.push("status", "is required");
            None
        } else {
            DueDiligenceStatus::parse(&self.status)
                .map_err(|m| errors.push("status", m))
                .ok()
        };
        let date = |field: &str, v: &Option<String>, errors: &mut FieldErrors| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .and_then(|s| parse_date(s).map_err(|m| errors.push(field, m)).ok())
        };
        let decided = date("decided_on", &self.decided_on, &mut errors).unwrap_or(today);
        let expires = date("expires_on", &self.expires_on, &mut errors);
        if let Some(exp) = expires
            && exp <= decided
        {
            errors.push("expires_on", "must be after the decision date");
        }
        if matches!(
            status,
            Some(DueDiligenceStatus::ClearedWithConditions | DueDiligenceStatus::Rejected)
        ) && self.note.trim().is_empty()
        {
            errors.push(
                "note",
                "is required for this decision: say what the conditions or reasons are",
            );
        }
        match status {
            Some(status) if errors.is_empty() => Ok(DueDiligenceDecision {
                status,
                decided_on: format_date(decided),
                expires_on: expires.map(format_date),
                note: self.note.trim().to_owned(),
            }),
            _ => Err(errors),
        }
    }
}

/// An adverse-media note as submitted.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct AdverseMediaInput {
    pub text: String,
    pub source_url: String,
    /// Publication date, `YYYY-MM-DD`.
    pub date: Option<String>,
}

impl AdverseMediaInput {
    pub fn validate(&self) -> Result<AdverseMediaInput, FieldErrors> {
        let mut errors = FieldErrors::default();
        if self.text.trim().is_empty() {
            errors.push("text", "is required");
        }
        let url = self.source_url.trim();
        if !is_web_address(url) {
            errors.push("source_url", "must start with http:// or https://");
        }
        let date = self
            .date
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let date = match date.map(parse_date) {
            Some(Ok(d)) => Some(format_date(d)),
            Some(Err(m)) => {
                errors.push("date", m);
                None
            }
            None => None,
        };
        errors.into_result(AdverseMediaInput {
            text: self.text.trim().to_owned(),
            source_url: url.to_owned(),
            date,
        })
    }
}

/// Empty, or an http(s) address.
fn is_web_address(s: &str) -> bool {
    s.is_empty() || s.starts_with("https://") || s.starts_with("http://")
}

/// Parse a party body from JSON, naming the path of any type error.
pub fn parse_party_json(body: &[u8]) -> Result<PartyFields, FieldErrors> {
    let de = &mut serde_json::Deserializer::from_slice(body);
    let input: PartyInput = serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        FieldErrors::single(
            if path == "." { "body".into() } else { path },
            e.into_inner().to_string(),
        )
    })?;
    input.validate()
}

impl PartyInput {
    pub fn validate(&self) -> Result<PartyFields, FieldErrors> {
        let mut errors = FieldErrors::default();
        let kind = match self.kind.trim() {
            "" => Some(PartyKind::Organization),
            k => PartyKind::parse(k).map_err(|m| errors.push("kind", m)).ok(),
        };
        let legal_name = self.legal_name.trim().to_owned();
        if legal_name.is_empty() {
            errors.push("legal_name", "is required");
        } else if legal_name.chars().count() > 300 {
            errors.push("legal_name", "is longer than 300 characters");
        }
        let mut other_names = Vec::new();
        for (i, n) in self.other_names.iter().enumerate() {
            let name = n.name.trim();
            if name.is_empty() {
                continue;
            }
            let name_type = match n.name_type.trim() {
                "" => "alias",
                t if NAME_TYPES.contains(&t) => t,
                t => {
                    errors.push(
                        format!("other_names[{i}].name_type"),
                        format!(
                            "'{t}' is not a name type; expected one of: {}",
                            NAME_TYPES.join(", ")
                        ),
                    );
                    continue;
                }
            };
            other_names.push(OtherName {
                name: name.to_owned(),
                name_type: name_type.to_owned(),
            });
        }
        let country = self
            .country
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .and_then(|s| {
                CountryCode::parse(s)
                    .map_err(|m| errors.push("country", m))
                    .ok()
            });
        let mut sector = self
            .sector
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .and_then(|s| Sector::parse(s).map_err(|m| errors.push("sector", m)).ok());
        if kind == Some(PartyKind::Person) && sector.is_none() {
            sector = Some(Sector::Individual);
        }
        if let Some(p) = self.state_ownership_pct
            && !(0.0..=100.0).contains(&p)
        {
            errors.push("state_ownership_pct", "must be a percentage from 0 to 100");
        }
        let website = self.website.trim().to_owned();
        if !is_web_address(&website) {
            errors.push("website", "must start with http:// or https://");
        }
        let registration_ids = self
            .registration_ids
            .iter()
            .filter(|r| !r.value.trim().is_empty())
            .map(|r| RegistrationId {
                scheme: r.scheme.trim().to_owned(),
                value: r.value.trim().to_owned(),
            })
            .collect();
        let parent_id = self
            .parent_id
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned);
        match kind {
            Some(kind) if errors.is_empty() => Ok(PartyFields {
                kind,
                legal_name,
                other_names,
                country,
                sector,
                parent_id,
                state_ownership_pct: self.state_ownership_pct,
                ownership_notes: self.ownership_notes.trim().to_owned(),
                website,
                registration_ids,
                governance_notes: self.governance_notes.trim().to_owned(),
            }),
            _ => Err(errors),
        }
    }
}

impl PartyFields {
    pub fn to_input(&self) -> PartyInput {
        PartyInput {
            kind: self.kind.as_str().to_owned(),
            legal_name: self.legal_name.clone(),
            other_names: self.other_names.clone(),
            country: self.country.map(|c| c.code().to_owned()),
            sector: self.sector.map(|s| s.as_str().to_owned()),
            parent_id: self.parent_id.clone(),
            state_ownership_pct: self.state_ownership_pct,
            ownership_notes: self.ownership_notes.clone(),
            website: self.website.clone(),
            registration_ids: self.registration_ids.clone(),
            governance_notes: self.governance_notes.clone(),
        }
    }

    /// A minimal record for a partner first named inline in an engagement.
    pub fn from_name(
        name: &str,
        kind: PartyKind,
        country: Option<CountryCode>,
        sector: Option<Sector>,
    ) -> Self {
        PartyFields {
            kind,
            legal_name: name.trim().to_owned(),
            other_names: Vec::new(),
            country,
            sector,
            parent_id: None,
            state_ownership_pct: None,
            ownership_notes: String::new(),
            website: String::new(),
            registration_ids: Vec::new(),
            governance_notes: String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn validates_a_party_and_defaults_person_sector() {
        let p = PartyInput {
            kind: "person".into(),
            legal_name: "  Ana Pérez ".into(),
            other_names: vec![OtherName {
                name: "A. Perez".into(),
                name_type: String::new(),
            }],
            country: Some("es".into()),
            ..Default::default()
        }
        .validate()
        .unwrap();
        assert_eq!(p.legal_name, "Ana Pérez");
        assert_eq!(p.sector, Some(Sector::Individual));
        assert_eq!(p.other_names[0].name_type, "alias");
        assert_eq!(p.country.unwrap().code(), "ES");
    }

    #[test]
    fn reports_every_bad_field() {
        let err = PartyInput {
            kind: "robot".into(),
            country: Some("XX".into()),
            state_ownership_pct: Some(140.0),
            website: "example.org".into(),
            other_names: vec![OtherName {
                name: "X".into(),
                name_type: "nickname".into(),
            }],
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        let fields: Vec<&str> = err.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "kind",
                "legal_name",
                "other_names[0].name_type",
                "country",
                "state_ownership_pct",
                "website"
            ]
        );
    }

    #[test]
    fn due_diligence_expiry_and_required_note() {
        let today = date!(2026 - 11 - 26);
        let d = DueDiligenceInput {
            status: "cleared".into(),
            expires_on: Some("2027-11-26".into()),
            ..Default::default()
        }
        .validate(today)
        .unwrap();
        assert_eq!(d.decided_on, "2026-11-26");
        let err = DueDiligenceInput {
            status: "rejected".into(),
            ..Default::default()
        }
        .validate(today)
        .unwrap_err();
        assert_eq!(err.errors[0].field, "note");
        let err = DueDiligenceInput {
            status: "cleared".into(),
            expires_on: Some("2026-01-01".into()),
            ..Default::default()
        }
        .validate(today)
        .unwrap_err();
        assert_eq!(err.errors[0].field, "expires_on");
    }

    #[test]
    fn expired_due_diligence_is_detected() {
        let party = Party {
            id: "p".into(),
            fields: PartyFields::from_name("X", PartyKind::Organization, None, None),
            dd_status: DueDiligenceStatus::Cleared,
            dd_reviewer: None,
            dd_decided_on: Some("2024-01-01".into()),
            dd_expires_on: Some("2025-01-01".into()),
            merged_into: None,
            created_at: String::new(),
            updated_at: String::new(),
        };
        assert!(party.dd_expired(date!(2025 - 01 - 02)));
        assert!(!party.dd_expired(date!(2025 - 01 - 01)));
    }
}
