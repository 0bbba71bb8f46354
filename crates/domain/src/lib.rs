//! Meridian's domain model: the engagement register and the party registry as
//! plain, validated Rust values. Every type that comes from outside is parsed
//! once, here, into a value that cannot be invalid (`CountryCode` cannot hold
//! "ZZ"). No IO, no async, no database types.

pub mod access;
mod countries_data;
mod country;
mod engagement;
mod error;
mod names;
mod party;
mod party_csv;
mod vocab;
mod workflow;

pub use country::{CountryCode, CurrencyCode, all_countries};
pub use engagement::{
    DataFlags, Destination, DestinationInput, Engagement, EngagementInput, Funding, FundingInput,
    PartnerInput, PartnerRef, Person, PersonInput, Travel, TravelInput, parse_engagement_json,
};
pub use error::{FieldError, FieldErrors};
pub use names::{match_key, name_similarity, search_text};
pub use party::{
    AdverseMediaInput, DueDiligenceDecision, DueDiligenceInput, NAME_TYPES, OtherName, Party,
    PartyFields, PartyInput, RegistrationId, parse_party_json,
};
pub use party_csv::{CSV_FIELDS, CsvColumnMapping, CsvImport, CsvRowError, parse_party_csv};
pub use vocab::{
    DueDiligenceStatus, EngagementKind, EngagementStatus, FundingSourceType, PartyKind, PartyRole,
    Role, Sector, TalentProgramme,
};
pub use workflow::{
    ReviewRoute, WorkflowAction, available as available_actions, is_open, transition,
};

/// A calendar date as used across Meridian (ISO 8601 `YYYY-MM-DD`).
pub type Date = time::Date;

/// Parse an ISO 8601 calendar date, with a message a person can act on.
pub fn parse_date(s: &str) -> Result<Date, String> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(s.trim(), &fmt).map_err(|_| format!("'{s}' is not a date in the form YYYY-MM-DD"))
}

/// Format a date as `YYYY-MM-DD`.
pub fn format_date(d: Date) -> String {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    d.format(&fmt).unwrap_or_default()
}
