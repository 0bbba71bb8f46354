//! The invariants, for all inputs: deterministic; monotone (the join of two
//! sets of risk facts is never assessed lower than either); a country alone
//! never goes above proceed_with_safeguards; every outcome above proceed is
//! explained; a sanctions hit is always prohibited.

use meridian_domain::EngagementKind;
use meridian_risk::{CountryProfiles, ListHit, Outcome, TravelAdvice, assess};
use proptest::prelude::*;
use serde_json::{Value, json};

use crate::common::*;

const AREAS: &[&str] = &[
    "coastal erosion",
    "quantum sensing",
    "machine learning",
    "munitions",
    "facial recognition",
    "medieval history",
];
const CLAUSES: &[&str] = &[
    "The Sponsor may veto any publication.",
    "Results shall be kept confidential for two years.",
    "All intellectual property shall vest in the Sponsor.",
    "Data shall be stored exclusively in the Partner's territory.",
    "The authorities of the Partner may request access to all data.",
    "The University shall not criticise the Partner.",
    "The University will report on the political activities of students.",
    "This Agreement is governed by the laws of Ruritania.",
    "The Partner may terminate this Agreement in its national interest.",
];
const SECTORS: &[&str] = &["", "university", "government", "military"];
const FUNDING: &[&str] = &["", "private", "state_owned", "military"];
const TALENT: &[&str] = &["none", "disclosed", "undisclosed", "malign"];
const ADVICE: &[Option<TravelAdvice>] = &[
    None,
    Some(TravelAdvice::NoAdvisory),
    Some(TravelAdvice::AgainstAllButEssentialToParts),
    Some(TravelAdvice::AgainstAllToParts),
    Some(TravelAdvice::AgainstAllButEssential),
    Some(TravelAdvice::AgainstAll),
];
const PLACES: &[&str] = &["AQ", "BV", "HM"];

/// A set of risk facts where every component is ordered (absent < present,
/// lower level < higher level), so two sets have a join.
#[derive(Debug, Clone, Default)]
struct Facts {
    areas: [bool; 6],
    clauses: [bool; 9],
    sectors: [usize; 2],
    funding: usize,
    large: bool,
    conditions: bool,
    talent: [usize; 2],
    affiliations: [bool; 2],
    data: [bool; 4],
    destinations: [bool; 3],
    planned: bool,
    fieldwork: bool,
    countries: [bool; 3],
    hits: [bool; 3],
    advice: [usize; 3],
    afi: [usize; 3],
    sanctions: [usize; 3],
}

fn join_arr<const N: usize, T: Ord + Copy>(a: [T; N], b: [T; N]) -> [T; N] {
    let mut out = a;
    for i in 0..N {
        out[i] = a[i].max(b[i]);
    }
    out
}

impl Facts {
    fn join(&self, o: &Facts) -> Facts {
        Facts {
            areas: join_arr(self.areas, o.areas),
            clauses: join_arr(self.clauses, o.clauses),
            sectors: join_arr(self.sectors, o.sectors),
            funding: self.funding.max(o.funding),
            large: self.large || o.large,
            conditions: self.conditions || o.conditions,
            talent: join_arr(self.talent, o.talent),
            affiliations: join_arr(self.affiliations, o.affiliations),
            data: join_arr(self.data, o.data),
            destinations: join_arr(self.destinations, o.destinations),
            planned: self.planned || o.planned,
            fieldwork: self.fieldwork || o.fieldwork,
            countries: join_arr(self.countries, o.countries),
            hits: join_arr(self.hits, o.hits),
            advice: join_arr(self.advice, o.advice),
            afi: join_arr(self.afi, o.afi),
            sanctions: join_arr(self.sanctions, o.sanctions),
        }
    }

    fn engagement_json(&self) -> Value {
        let pick = |flags: &[bool], from: &[&str]| -> Vec<String> {
            flags
                .iter()
                .zip(from)
                .filter(|(f, _)| **f)
                .map(|(_, s)| s.to_string())
                .collect()
        };
        let mut countries = vec!["AQ".to_string()];
        countries.extend(pick(&self.countries, PLACES));
        let partners: Vec<Value> = self
            .sectors
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let mut p = json!({"name": format!("Partner {i}")});
                if *s > 0 {
                    p["sector"] = json!(SECTORS[*s]);
                }
                p
            })
            .collect();
        let people: Vec<Value> = (0..2)
            .map(|i| {
                json!({
                    "name": format!("Person {i}"),
                    "talent_programme": TALENT[self.talent[i]],
                    "undisclosed_affiliations": self.affiliations[i],
                })
            })
            .collect();
        let mut v = json!({
            "title": "Project", "kind": "research_collaboration", "owner": "o",
            "countries": countries,
            "research_areas": pick(&self.areas, AREAS),
            "agreement_text": pick(&self.clauses, CLAUSES).join(" "),
            "partners": partners,
            "people": people,
            "data": {
                "personal_data": self.data[0], "special_category_data": self.data[1],
                "export_controlled": self.data[2], "partner_access_to_facilities": self.data[3]
            },
        });
        let mut funding = json!({"source": "Funder"});
        if self.funding > 0 {
            funding["source_type"] = json!(FUNDING[self.funding]);
        }
        if self.large {
            funding["amount"] = json!(5_000_000);
            funding["currency"] = json!("EUR");
        }
        if self.conditions {
            funding["conditions"] = json!("Annual report to the funder.");
        }
        v["funding"] = funding;
        let destinations: Vec<Value> = pick(&self.destinations, PLACES)
            .into_iter()
            .map(|c| json!({"country": c}))
            .collect();
        let mut travel = json!({"destinations": destinations, "fieldwork": self.fieldwork});
        if self.planned {
            travel["start"] = json!("2026-06-01");
        }
        v["travel"] = travel;
        v
    }

    fn hits(&self) -> Vec<ListHit> {
        let all = [
            hit("partners[0]", "us_bis_entity_list"),
            hit("partners[1]", "ca_nro"),
            hit("funding", "opensanctions_peps"),
        ];
        all.into_iter()
            .zip(self.hits)
            .filter(|(_, on)| *on)
            .map(|(h, _)| h)
            .collect()
    }

    fn profiles(&self) -> CountryProfiles {
        let mut p = CountryProfiles::default();
        for (i, code) in PLACES.iter().enumerate() {
            if let Some(level) = ADVICE[self.advice[i]] {
                p = with_travel(p, code, level);
            }
            match self.afi[i] {
                1 => p = with_afi(p, code, 0.9),
                2 => p = with_afi(p, code, 0.1),
                _ => {}
            }
            match self.sanctions[i] {
                1 => p = with_sanctions(p, code, &[]),
                2 => p = with_sanctions(p, code, &["Example regime"]),
                _ => {}
            }
        }
        p
    }

    fn assess(&self) -> meridian_risk::Assessment {
        let e = engagement(self.engagement_json());
        assess(&e, &self.hits(), &self.profiles(), pack())
    }
}

fn facts() -> impl Strategy<Value = Facts> {
    (
        (
            any::<[bool; 6]>(),
            any::<[bool; 9]>(),
            [0..SECTORS.len(), 0..SECTORS.len()],
            0..FUNDING.len(),
            any::<bool>(),
            any::<bool>(),
            [0..TALENT.len(), 0..TALENT.len()],
            any::<[bool; 2]>(),
        ),
        (
            any::<[bool; 4]>(),
            any::<[bool; 3]>(),
            any::<bool>(),
            any::<bool>(),
            any::<[bool; 3]>(),
            any::<[bool; 3]>(),
            [0..ADVICE.len(), 0..ADVICE.len(), 0..ADVICE.len()],
            [0..3usize, 0..3usize, 0..3usize],
            [0..3usize, 0..3usize, 0..3usize],
        ),
    )
        .prop_map(|(a, b)| Facts {
            areas: a.0,
            clauses: a.1,
            sectors: a.2,
            funding: a.3,
            large: a.4,
            conditions: a.5,
            talent: a.6,
            affiliations: a.7,
            data: b.0,
            destinations: b.1,
            planned: b.2,
            fieldwork: b.3,
            countries: b.4,
            hits: b.5,
            advice: b.6,
            afi: b.7,
            sanctions: b.8,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn assessment_is_deterministic(f in facts()) {
        let a = f.assess();
        let b = f.assess();
        prop_assert_eq!(serde_json::to_string(&a).unwrap(), serde_json::to_string(&b).unwrap());
    }

    #[test]
    fn adding_risk_facts_never_lowers_the_outcome(a in facts(), b in facts()) {
        let joined = a.join(&b).assess().outcome;
        prop_assert!(a.assess().outcome <= joined);
        prop_assert!(b.assess().outcome <= joined);
    }

    #[test]
    fn outcomes_above_proceed_are_explained(f in facts()) {
        let a = f.assess();
        if a.outcome > Outcome::Proceed {
            prop_assert!(a.factors.iter().any(|x| !x.explanation.trim().is_empty()));
        }
        prop_assert!(a.factors.iter().all(|x| !x.explanation.trim().is_empty()));
    }

    #[test]
    fn a_sanctions_hit_is_always_prohibited(f in facts(), subject in 0..3usize) {
        let e = engagement(f.engagement_json());
        let mut hits = f.hits();
        hits.push(hit(["partners[0]", "funding", "people[1]"][subject], "us_ofac_sdn"));
        let a = assess(&e, &hits, &f.profiles(), pack());
        prop_assert_eq!(a.outcome, Outcome::Prohibited);
    }

    #[test]
    fn a_country_alone_never_goes_above_safeguards(
        f in facts(),
        kind in 0..EngagementKind::ALL.len(),
        unknown in any::<[bool; 3]>(),
    ) {
        let mut countries = vec!["AQ".to_string()];
        for (on, c) in f.countries.iter().zip(PLACES) {
            if *on { countries.push(c.to_string()); }
        }
        let destinations: Vec<Value> = f.destinations.iter().zip(PLACES)
            .filter(|(on, _)| **on).map(|(_, c)| json!({"country": c})).collect();
        let e = engagement(json!({
            "kind": EngagementKind::ALL[kind].as_str(),
            "countries": countries,
            "travel": {"destinations": destinations},
        }));
        let mut profiles = f.profiles();
        for (on, c) in unknown.iter().zip(PLACES) {
            if *on { profiles = with_travel(profiles, c, TravelAdvice::Unknown); }
        }
        let a = assess(&e, &[], &profiles, pack());
        prop_assert!(a.outcome <= Outcome::ProceedWithSafeguards, "{:?}", a);
    }
}
