//! The store's integration tests. Every test runs on SQLite, and on
//! PostgreSQL too when TEST_DATABASE_URL is set (CI sets it).

mod accounts;
mod engagements;
mod parties;
mod workflow;

use meridian_domain::{Engagement, EngagementInput, PartyFields, PartyInput};

pub fn engagement(v: serde_json::Value) -> Engagement {
    let input: EngagementInput = serde_json::from_value(v).expect("test input has the right shape");
    input.validate().expect("test input is valid")
}

pub fn party(v: serde_json::Value) -> PartyFields {
    let input: PartyInput = serde_json::from_value(v).expect("test input has the right shape");
    input.validate().expect("test input is valid")
}
