//! Shared builders: the default pack (parsed once), engagements from JSON
//! patches over a minimal valid engagement, hits and synthetic profiles.

use std::sync::OnceLock;

use meridian_domain::{CountryCode, Engagement, parse_engagement_json};
use meridian_risk::{CountryProfiles, ListHit, ListKind, PolicyPack, Sourced, TravelAdvice};
use serde_json::{Value, json};

pub fn pack() -> &'static PolicyPack {
    static PACK: OnceLock<PolicyPack> = OnceLock::new();
    PACK.get_or_init(|| PolicyPack::default_pack().expect("the default pack validates"))
}

/// The default pack with `home_country` set.
pub fn pack_with_home(code: &str) -> PolicyPack {
    let text = include_str!("../../../../policy/default.toml")
        .replace("home_country = \"\"", &format!("home_country = \"{code}\""));
    PolicyPack::from_toml(&text).expect("valid")
}

/// A minimal valid engagement with `patch`'s fields laid over it.
pub fn engagement(patch: Value) -> Engagement {
    let mut base = json!({
        "title": "Collaboration", "kind": "research_collaboration",
        "owner": "a.researcher", "countries": ["AQ"]
    });
    if let (Some(b), Some(p)) = (base.as_object_mut(), patch.as_object()) {
        for (k, v) in p {
            b.insert(k.clone(), v.clone());
        }
    }
    match parse_engagement_json(base.to_string().as_bytes()) {
        Ok(e) => e,
        Err(errs) => panic!("test engagement is invalid: {errs}"),
    }
}

pub fn hit(subject: &str, source: &str) -> ListHit {
    ListHit {
        subject: subject.to_owned(),
        subject_name: "Example Party".to_owned(),
        source_id: source.to_owned(),
        list_kind: ListKind::for_source(source),
        entity_id: "T-1".to_owned(),
        matched_name: "EXAMPLE PARTY".to_owned(),
        score: 0.97,
    }
}

pub fn cc(code: &str) -> CountryCode {
    CountryCode::parse(code).expect("test country code")
}

fn sourced<T>(value: T) -> Sourced<T> {
    Sourced {
        value,
        as_of: "2026-01-01".to_owned(),
        source: "synthetic test value".to_owned(),
    }
}

/// Synthetic profile values for tests: they describe no real country's status.
pub fn with_travel(mut p: CountryProfiles, code: &str, level: TravelAdvice) -> CountryProfiles {
    p.entry(cc(code)).travel_advice = Some(sourced(level));
    p
}

pub fn with_afi(mut p: CountryProfiles, code: &str, value: f64) -> CountryProfiles {
    p.entry(cc(code)).academic_freedom = Some(sourced(value));
    p
}

pub fn with_sanctions(mut p: CountryProfiles, code: &str, regimes: &[&str]) -> CountryProfiles {
    p.entry(cc(code)).sanctions_regimes =
        Some(sourced(regimes.iter().map(|s| s.to_string()).collect()));
    p
}
