//! Scenario tests drawn from public frameworks: the US DoD decision matrix for
//! fundamental research (2023) and NIH disclosure rules, Canada's Policy on
//! Sensitive Technology Research and Affiliations of Concern (STRAC), and the
//! UK's Trusted Research, NSIA, ATAS and export-control guidance. Each row
//! states the facts, the expected outcome and the factors that must explain it.

use meridian_risk::{CountryProfiles, ListHit, Outcome, Outcome::*, TravelAdvice, assess};
use serde_json::{Value, json};

use crate::common::*;

struct Scenario {
    name: &'static str,
    source: &'static str,
    engagement: Value,
    hits: Vec<ListHit>,
    profiles: CountryProfiles,
    home: Option<&'static str>,
    outcome: Outcome,
    factors: &'static [&'static str],
    mitigations: &'static [&'static str],
    tasks: &'static [&'static str],
}

fn s(name: &'static str, source: &'static str, engagement: Value) -> Scenario {
    Scenario {
        name,
        source,
        engagement,
        hits: Vec::new(),
        profiles: CountryProfiles::default(),
        home: None,
        outcome: Proceed,
        factors: &[],
        mitigations: &[],
        tasks: &[],
    }
}

impl Scenario {
    fn hits(mut self, hits: Vec<ListHit>) -> Self {
        self.hits = hits;
        self
    }
    fn profiles(mut self, p: CountryProfiles) -> Self {
        self.profiles = p;
        self
    }
    fn home(mut self, code: &'static str) -> Self {
        self.home = Some(code);
        self
    }
    fn expect(mut self, outcome: Outcome, factors: &'static [&'static str]) -> Self {
        self.outcome = outcome;
        self.factors = factors;
        self
    }
    fn mitigations(mut self, m: &'static [&'static str]) -> Self {
        self.mitigations = m;
        self
    }
    fn tasks(mut self, t: &'static [&'static str]) -> Self {
        self.tasks = t;
        self
    }
}

const DOD: &str = "US DoD, Countering Unwanted Foreign Influence in Department-Funded Research (decision matrix, 2023)";
const NIH: &str =
    "NIH other-support and foreign-component disclosure (NOT-OD-19-114, NOT-OD-21-073)";
const STRAC: &str =
    "Canada, Policy on Sensitive Technology Research and Affiliations of Concern (2024)";
const TR: &str = "UK NPSA/NCSC Trusted Research guidance for academia";
const UK_LAW: &str = "UK sanctions, NSIA 2021, ATAS and Export Control Order 2008";

fn partner(name: &str, sector: &str) -> Value {
    json!({"name": name, "country": "AQ", "sector": sector})
}

fn scenarios() -> Vec<Scenario> {
    let quantum = json!(["quantum sensing"]);
    vec![
        s("open collaboration, no risk facts", DOD, json!({
            "research_areas": ["medieval manuscript studies"],
            "partners": [partner("Example University", "university")]
        })).expect(Proceed, &[]).mitigations(&["training"]),
        s("sanctioned partner", UK_LAW, json!({"partners": [partner("Listed Co", "company")]}))
            .hits(vec![hit("partners[0]", "us_ofac_sdn")])
            .expect(Prohibited, &["F1"]),
        s("sanctioned funder with otherwise benign facts", UK_LAW, json!({
            "funding": {"source": "Listed Foundation", "source_type": "philanthropic"}
        })).hits(vec![hit("funding", "un_sc")]).expect(Prohibited, &["F1"]),
        s("sanctioned visiting person", UK_LAW, json!({"people": [{"name": "A Person"}]}))
            .hits(vec![hit("people[0]", "uk_sanctions_list")])
            .expect(Prohibited, &["F1"]),
        s("denied-persons order on a partner", UK_LAW, json!({"partners": [partner("Denied Co", "company")]}))
            .hits(vec![hit("partners[0]", "us_bis_dpl")])
            .expect(Prohibited, &["F1"]),
        s("malign foreign talent recruitment programme", DOD, json!({
            "people": [{"name": "P", "talent_programme": "malign"}]
        })).expect(Prohibited, &["F6"]),
        s("undisclosed talent programme, non-sensitive", DOD, json!({
            "people": [{"name": "P", "talent_programme": "undisclosed"}]
        })).expect(MitigationPlanRequired, &["F6"]).mitigations(&["coi_management_plan"]),
        s("disclosed talent programme, non-sensitive", NIH, json!({
            "people": [{"name": "P", "talent_programme": "disclosed"}]
        })).expect(ProceedWithSafeguards, &["F6"]),
        s("disclosed talent programme on sensitive research", DOD, json!({
            "research_areas": quantum.clone(),
            "people": [{"name": "P", "talent_programme": "disclosed"}]
        })).expect(MitigationPlanRequired, &["F3", "F6"]),
        s("undisclosed affiliation", NIH, json!({
            "people": [{"name": "P", "undisclosed_affiliations": ["Other Institute"]}]
        })).expect(MitigationPlanRequired, &["F7"]),
        s("undisclosed talent programme and affiliation on sensitive research", DOD, json!({
            "research_areas": quantum.clone(),
            "people": [{"name": "P", "talent_programme": "undisclosed", "undisclosed_affiliations": true}]
        })).expect(CommitteeReview, &["F3", "F6", "F7"]),
        s("Named Research Organization on STRA research", STRAC, json!({
            "research_areas": quantum.clone(),
            "partners": [partner("Listed Institute", "university")]
        })).hits(vec![hit("partners[0]", "ca_nro")]).expect(Prohibited, &["F1", "F3"]),
        s("Named Research Organization outside STRA", STRAC, json!({
            "research_areas": ["medieval manuscript studies"],
            "partners": [partner("Listed Institute", "university")]
        })).hits(vec![hit("partners[0]", "ca_nro")]).expect(CommitteeReview, &["F1"]),
        s("DoD Section 1286 institution, fundamental research", DOD, json!({
            "partners": [partner("Listed University", "university")]
        })).hits(vec![hit("partners[0]", "us_dod_1286")]).expect(CommitteeReview, &["F1"]),
        s("Entity List partner on export-controlled work", UK_LAW, json!({
            "partners": [partner("Listed Co", "company")],
            "data": {"export_controlled": true}
        })).hits(vec![hit("partners[0]", "us_bis_entity_list")]).expect(Prohibited, &["F1", "F3"])
            .tasks(&["export_licence_check"]),
        s("STRA research with a university partner", STRAC, json!({
            "description": "We will build quantum sensors for medical imaging.",
            "partners": [partner("Example University", "university")]
        })).expect(ProceedWithSafeguards, &["F3"]),
        s("declared export-controlled work", UK_LAW, json!({"data": {"export_controlled": true}}))
            .expect(MitigationPlanRequired, &["F3"])
            .mitigations(&["export_control_classification", "technology_control_plan"])
            .tasks(&["export_licence_check"]),
        s("military partner, non-sensitive research", TR, json!({
            "research_areas": ["coastal erosion"],
            "partners": [partner("Defence Lab", "military")]
        })).expect(MitigationPlanRequired, &["F2"]),
        s("military partner on drone research", TR, json!({
            "research_areas": ["drone swarms"],
            "partners": [partner("Defence Lab", "military")]
        })).expect(CommitteeReview, &["F2", "F3"]),
        s("military funder on machine learning", DOD, json!({
            "research_areas": ["machine learning"],
            "funding": {"source": "Defence Agency", "source_type": "military"}
        })).expect(CommitteeReview, &["F3", "F5"]),
        s("anonymous gift", TR, json!({"kind": "gift", "funding": {"source": "", "source_type": "anonymous", "amount": 50000, "currency": "GBP"}}))
            .expect(MitigationPlanRequired, &["F5"]),
        s("foreign-government funding", NIH, json!({
            "funding": {"source": "Ministry of Science", "source_type": "government", "source_country": "AQ"}
        })).home("GB").expect(ProceedWithSafeguards, &["F5"]),
        s("large state-owned funding on sensitive research", TR, json!({
            "research_areas": ["battery chemistry"],
            "funding": {"source": "State Energy Co", "source_type": "state_owned", "amount": 2000000, "currency": "EUR"}
        })).expect(CommitteeReview, &["F3", "F5"]).mitigations(&["funding_diversification"]),
        s("partner may veto publication", TR, json!({
            "agreement_text": "The Sponsor shall have the right to veto any publication arising from the Project."
        })).expect(CommitteeReview, &["F9"]).mitigations(&["publication_rights_clause"]),
        s("publication after a 60-day review is fine", TR, json!({
            "agreement_text": "Either party may publish results after giving the other 60 days to identify its confidential information."
        })).expect(Proceed, &[]),
        s("results confidential for three years", TR, json!({
            "agreement_text": "All results shall be kept confidential for a period of three (3) years."
        })).expect(MitigationPlanRequired, &["F9"]),
        s("IP assigned to the sponsor", TR, json!({
            "agreement_text": "All intellectual property arising from the Project shall vest in the Sponsor."
        })).expect(MitigationPlanRequired, &["F9"]).mitigations(&["ip_clause"]),
        s("non-disparagement of the partner's country", TR, json!({
            "agreement_text": "The University shall not publish any statement that may harm the reputation of the partner country."
        })).expect(CommitteeReview, &["F9"]),
        s("reporting on students' political views", TR, json!({
            "agreement_text": "The University will report to the Partner on the political activities of visiting students."
        })).expect(CommitteeReview, &["F9"]),
        s("data must stay in the partner's jurisdiction", TR, json!({
            "data": {"personal_data": true},
            "agreement_text": "All project data shall be stored exclusively in servers located in the Partner's territory."
        })).expect(MitigationPlanRequired, &["F8"]).mitigations(&["data_sharing_agreement"]),
        s("state authorities may access the data", TR, json!({
            "agreement_text": "The competent authorities of the Partner's state may request access to all project data."
        })).expect(CommitteeReview, &["F8"]),
        s("planned trip to a destination with advice against all travel", TR, json!({
            "travel": {"destinations": [{"country": "BV"}], "start": "2026-05-01", "end": "2026-05-10"}
        })).profiles(with_travel(CountryProfiles::default(), "BV", TravelAdvice::AgainstAll))
            .expect(CommitteeReview, &["F4", "F10"]),
        s("a destination alone is a country fact only", TR, json!({
            "travel": {"destinations": [{"country": "BV"}]}
        })).profiles(with_travel(CountryProfiles::default(), "BV", TravelAdvice::AgainstAll))
            .expect(ProceedWithSafeguards, &["F4"]),
        s("fieldwork where no travel advice is recorded", TR, json!({
            "travel": {"destinations": [{"country": "HM", "region": "coast"}], "fieldwork": true}
        })).expect(ProceedWithSafeguards, &["F10"])
            .mitigations(&["pre_travel_briefing", "fieldwork_risk_assessment"])
            .tasks(&["check_travel_advice"]),
        s("travel while working on sensitive research", TR, json!({
            "research_areas": ["quantum computing"],
            "travel": {"destinations": [{"country": "HM"}], "start": "2026-05-01"}
        })).profiles(with_travel(CountryProfiles::default(), "HM", TravelAdvice::NoAdvisory))
            .expect(ProceedWithSafeguards, &["F3", "F10"]).mitigations(&["clean_device_travel_kit"]),
        s("restricted academic freedom with sensitive research", TR, json!({
            "research_areas": ["machine learning"],
            "partners": [partner("Example University", "university")]
        })).profiles(with_afi(CountryProfiles::default(), "AQ", 0.1))
            .expect(MitigationPlanRequired, &["F3", "F4"]),
        s("restricted academic freedom alone", TR, json!({
            "research_areas": ["coastal erosion"]
        })).profiles(with_sanctions(with_afi(CountryProfiles::default(), "AQ", 0.1), "AQ", &["Example regime"]))
            .expect(ProceedWithSafeguards, &["F4"]),
        s("surveillance technology with a government partner", TR, json!({
            "description": "Facial recognition for crowd monitoring in public spaces.",
            "partners": [partner("Public Security Bureau", "government")]
        })).expect(CommitteeReview, &["F2", "F3", "F11"]),
        s("special-category data shared with a partner", TR, json!({
            "data": {"special_category_data": true},
            "partners": [partner("Example Hospital", "company")]
        })).expect(MitigationPlanRequired, &["F8"]),
        s("personal data only", TR, json!({"data": {"personal_data": true}}))
            .expect(ProceedWithSafeguards, &["F8"]).mitigations(&["data_sharing_agreement"]),
        s("visiting researcher in quantum computing", UK_LAW, json!({
            "kind": "visiting_researcher", "research_areas": ["quantum computing"]
        })).expect(ProceedWithSafeguards, &["F3"]).tasks(&["atas_certificate"]),
        s("licensing quantum sensor IP", UK_LAW, json!({
            "kind": "licensing", "research_areas": ["quantum sensing"]
        })).expect(ProceedWithSafeguards, &["F3"]).tasks(&["nsia_notification"]),
        s("politically exposed funder", TR, json!({"funding": {"source": "A Person", "source_type": "individual"}}))
            .hits(vec![hit("funding", "opensanctions_peps")])
            .expect(ProceedWithSafeguards, &["F1"]),
        s("governing law clause alone", TR, json!({
            "agreement_text": "This Agreement is governed by the laws of England and Wales."
        })).expect(Proceed, &["F9"]),
        s("termination in the national interest", TR, json!({
            "agreement_text": "The Partner may terminate this Agreement at any time where its national interest so requires."
        })).expect(ProceedWithSafeguards, &["F9"]),
        s("partner facility access on sensitive research", TR, json!({
            "research_areas": ["metamaterials"],
            "data": {"partner_access_to_facilities": true}
        })).expect(MitigationPlanRequired, &["F3", "F8"]).mitigations(&["technology_control_plan"]),
    ]
}

#[test]
fn scenarios_from_public_frameworks() {
    let all = scenarios();
    assert!(all.len() >= 30, "at least 30 scenarios");
    let mut failures = Vec::new();
    for sc in &all {
        let custom;
        let pack = match sc.home {
            Some(code) => {
                custom = pack_with_home(code);
                &custom
            }
            None => pack(),
        };
        let a = assess(
            &engagement(sc.engagement.clone()),
            &sc.hits,
            &sc.profiles,
            pack,
        );
        let ids: Vec<&str> = a.factors.iter().map(|f| f.id.as_str()).collect();
        let mits: Vec<&str> = a.mitigations.iter().map(|m| m.id.as_str()).collect();
        let tasks: Vec<&str> = a.tasks.iter().map(|t| t.id.as_str()).collect();
        let mut wrong = Vec::new();
        if a.outcome != sc.outcome {
            wrong.push(format!("outcome {} (expected {})", a.outcome, sc.outcome));
        }
        if sc.factors.is_empty() && !ids.is_empty() && sc.outcome == Proceed {
            wrong.push(format!("unexpected factors {ids:?}"));
        }
        for f in sc.factors {
            if !ids.contains(f) {
                wrong.push(format!("factor {f} missing from {ids:?}"));
            }
        }
        for m in sc.mitigations {
            if !mits.contains(m) {
                wrong.push(format!("mitigation {m} missing from {mits:?}"));
            }
        }
        for t in sc.tasks {
            if !tasks.contains(t) {
                wrong.push(format!("task {t} missing from {tasks:?}"));
            }
        }
        if !wrong.is_empty() {
            failures.push(format!(
                "{} [{}]: {}\n  factors: {:#?}",
                sc.name,
                sc.source,
                wrong.join("; "),
                a.factors
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn evidence_shows_the_matched_terms_and_passages() {
    let e = engagement(json!({
        "research_areas": ["Quantum Sensing"],
        "description": "Includes drone swarms.",
        "agreement_text": "Clause 1. The Sponsor may veto any publication. Clause 2."
    }));
    let a = assess(&e, &[], &CountryProfiles::default(), pack());
    let f3 = a.factors.iter().find(|f| f.id == "F3").unwrap();
    assert!(
        f3.evidence
            .iter()
            .any(|e| e.contains("'quantum sensing' in research_areas[0]")),
        "{:?}",
        f3.evidence
    );
    assert!(
        f3.evidence
            .iter()
            .any(|e| e.contains("Uncrewed") && e.contains("description")),
        "{:?}",
        f3.evidence
    );
    let f9 = a.factors.iter().find(|f| f.id == "F9").unwrap();
    let passage = "The Sponsor may veto any publication.";
    let start = e.agreement_text.find(passage).unwrap();
    assert!(
        f9.evidence[0].contains(&format!("bytes {start}..{}", start + passage.len())),
        "{:?}",
        f9.evidence
    );
    assert!(!f9.explanation.is_empty());
}

#[test]
fn the_json_has_the_documented_shape() {
    let e = engagement(
        json!({"research_areas": ["machine learning"], "data": {"personal_data": true}}),
    );
    let a = assess(&e, &[], &CountryProfiles::default(), pack());
    let v = serde_json::to_value(&a).unwrap();
    assert_eq!(v["outcome"], a.outcome.as_str());
    for p in [
        "people",
        "academic_freedom",
        "risk_culture",
        "open_flow",
        "funding_autonomy",
    ] {
        let r = v["principles"][p]["rating"].as_str().unwrap();
        assert!(["low", "medium", "high", "very_high"].contains(&r));
        assert!(v["principles"][p]["factors"].is_array());
    }
    assert_eq!(v["principles"]["open_flow"]["factors"][0], "F3");
    let f = &v["factors"][0];
    for k in ["id", "principle", "severity", "explanation", "evidence"] {
        assert!(!f[k].is_null(), "factor field {k}");
    }
    let m = &v["mitigations"][0];
    for k in ["id", "title", "required"] {
        assert!(!m[k].is_null(), "mitigation field {k}");
    }
    assert_eq!(v["policy"]["name"], "meridian-default");
    assert_eq!(v["policy"]["sha256"].as_str().unwrap().len(), 64);
    assert!(
        ["none", "department", "research_office", "committee"]
            .contains(&v["route"].as_str().unwrap())
    );
    // It round-trips, so the store can keep it as JSON.
    let back: meridian_risk::Assessment = serde_json::from_value(v).unwrap();
    assert_eq!(back, a);
}

#[test]
fn assess_json_reports_bad_fields() {
    let errs = meridian_risk::assess_json(
        br#"{"title":"x","kind":"research_collaboration","owner":"o","countries":["ZZ"]}"#,
        &[],
        &CountryProfiles::default(),
        pack(),
    )
    .unwrap_err();
    assert_eq!(errs.errors[0].field, "countries[0]");
    let ok = meridian_risk::assess_json(
        br#"{"title":"x","kind":"research_collaboration","owner":"o","countries":["AQ"]}"#,
        &[],
        &CountryProfiles::default(),
        pack(),
    )
    .unwrap();
    assert_eq!(ok.outcome, Proceed);
}
