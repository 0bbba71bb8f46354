//! Importers and the .docx reader on fixtures in the publishers' formats
//! (see fixtures/README.md; values are synthetic), and the portfolio report.

use meridian_risk::{
    CountryProfiles, Outcome, TravelAdvice, assess, check_agreement, concentration, docx_text,
    import_govuk_travel_advice, import_vdem_academic_freedom,
};
use serde_json::json;

use crate::common::*;

const GOVUK: &[u8] = include_bytes!("fixtures/govuk_travel_advice.json");
const GOVUK_NONE: &[u8] = include_bytes!("fixtures/govuk_travel_advice_none.json");
const VDEM: &[u8] = include_bytes!("fixtures/vdem_country_year.csv");
const DOCX: &[u8] = include_bytes!("fixtures/agreement.docx");

#[test]
fn govuk_alert_status_gives_the_most_severe_level_with_its_date() {
    // Freedonia is not an ISO country: the caller names the code.
    assert!(import_govuk_travel_advice(GOVUK, None).is_err());
    let got = import_govuk_travel_advice(GOVUK, Some(cc("BV"))).unwrap();
    assert_eq!(got.country, cc("BV"));
    assert_eq!(got.advice.value, TravelAdvice::AgainstAllToParts);
    assert_eq!(got.advice.as_of, "2026-02-03");
    assert!(got.advice.source.contains("GOV.UK"));
    assert_eq!(got.alert_status.len(), 2);

    let none = import_govuk_travel_advice(GOVUK_NONE, None).unwrap();
    assert_eq!(none.country, cc("AQ"), "resolved from details.country.name");
    assert_eq!(none.advice.value, TravelAdvice::NoAdvisory);

    let mut profiles = CountryProfiles::default();
    profiles.apply_travel_advice(&got);
    assert_eq!(
        profiles
            .get(cc("BV"))
            .unwrap()
            .travel_advice
            .as_ref()
            .unwrap()
            .value,
        TravelAdvice::AgainstAllToParts
    );
    assert!(
        profiles.get(cc("BV")).unwrap().academic_freedom.is_none(),
        "unknown stays unknown"
    );
}

#[test]
fn govuk_without_alert_status_is_rejected() {
    let err = import_govuk_travel_advice(br#"{"details":{}}"#, Some(cc("AQ"))).unwrap_err();
    assert!(err.to_string().contains("alert_status"), "{err}");
}

#[test]
fn vdem_takes_the_latest_year_with_a_value() {
    let got = import_vdem_academic_freedom(VDEM).unwrap();
    let aq = &got.values[&cc("AQ")];
    assert_eq!(aq.as_of, "2023", "2024 has no value");
    assert!((aq.value - 0.33).abs() < 1e-9);
    assert_eq!(got.values[&cc("BV")].as_of, "2023");
    assert_eq!(got.skipped, ["PSG", "ZZB"]);

    let mut profiles = CountryProfiles::default();
    profiles.apply_vdem(&got);
    let e = engagement(json!({"research_areas": ["quantum computing"]}));
    let a = assess(&e, &[], &profiles, pack());
    let f4 = a
        .factors
        .iter()
        .find(|f| f.id == "F4")
        .expect("AQ is below 0.4");
    assert!(f4.evidence[0].contains("0.33"), "{:?}", f4.evidence);
    assert_eq!(a.outcome, Outcome::MitigationPlanRequired);
}

#[test]
fn vdem_without_the_column_names_it() {
    let err = import_vdem_academic_freedom(b"country_text_id,year\nATA,2020\n").unwrap_err();
    assert!(err.to_string().contains("v2xca_academ"), "{err}");
    let err = import_vdem_academic_freedom(b"country_text_id,year,v2xca_academ\nATA,2020,high\n")
        .unwrap_err();
    assert!(err.to_string().contains("row 2"), "{err}");
}

#[test]
fn docx_text_feeds_the_clause_checker() {
    let text = docx_text(DOCX).unwrap();
    assert!(text.contains("The Sponsor & its affiliates shall have the right to veto any publication of the Results."), "{text}");
    let found = check_agreement(&text, pack());
    let kinds: Vec<&str> = found.iter().map(|f| f.kind.as_str()).collect();
    assert_eq!(kinds, ["publication_control", "governing_law"]);
    let veto = &found[0];
    assert_eq!(&text[veto.start..veto.end], veto.passage);
    assert_eq!(&text[veto.match_start..veto.match_end], veto.matched);
    assert!(
        veto.passage.starts_with("4.1 The Sponsor"),
        "{}",
        veto.passage
    );
}

#[test]
fn clause_checker_flags_each_kind_with_offsets() {
    let text = "\
The Sponsor's prior written approval is required before any publication.
Results may be withheld from publication for 18 months.
The University hereby assigns all rights in the Results to the Sponsor.
Project data shall not be transferred outside the Partner's country.
The University shall provide all research data to the competent authorities on request.
Participants shall not criticise the Partner or its government.
The University shall monitor visiting students and report their political statements.
This Agreement is governed by the laws of Ruritania.
The Partner may terminate this Agreement on grounds of national security.";
    let found = check_agreement(text, pack());
    let mut kinds: Vec<&str> = found.iter().map(|f| f.kind.as_str()).collect();
    kinds.sort();
    kinds.dedup();
    let mut want = meridian_risk::CLAUSE_KINDS.to_vec();
    want.sort();
    assert_eq!(kinds, want);
    for f in &found {
        assert_eq!(&text[f.start..f.end], f.passage);
        assert!(f.start <= f.match_start && f.match_end <= f.end);
    }
    let conf = found.iter().find(|f| f.kind == "confidentiality").unwrap();
    assert!(conf.note.as_deref().unwrap().contains("18 months"));
}

#[test]
fn concentration_reports_funder_and_country_shares() {
    let mk = |funder: &str, country: &str| {
        engagement(json!({
            "countries": [country],
            "funding": {"source": funder, "amount": 100, "currency": "EUR"}
        }))
    };
    let all = vec![
        mk("Big Funder", "AQ"),
        mk("Big Funder", "AQ"),
        mk("big  funder", "BV"),
        mk("Small Trust", "HM"),
    ];
    let r = concentration(&all);
    assert_eq!(r.engagements, 4);
    assert_eq!(r.funded, 4);
    assert_eq!(r.funders[0].engagements, 3, "names are matched by key");
    assert!((r.funders[0].share - 0.75).abs() < 1e-9);
    assert_eq!(r.countries[0].key, "AQ");
    assert!((r.funder_hhi - (0.75f64.powi(2) + 0.25f64.powi(2))).abs() < 1e-9);
    let flagged = r.above(pack().concentration_share);
    assert!(flagged.iter().any(|s| s.label == "Big Funder"));
    assert!(flagged.iter().any(|s| s.key == "AQ"));
    assert!(!flagged.iter().any(|s| s.label == "Small Trust"));
}
