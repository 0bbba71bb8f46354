//! The assessment: reads an engagement, its list hits and country profiles
//! under a policy pack and returns a proportionate, explained outcome.
//! How it decides: each rule that fires contributes a floor, a partner-risk
//! level or a one-band bump; research sensitivity × partner risk is looked up in
//! the pack's matrix; the outcome is the highest of the floors and the (bumped)
//! matrix cell. Every step is a maximum over fired rules, so adding a risk fact
//! can only raise the outcome.

use std::collections::BTreeMap;

use meridian_domain::{
    CountryCode, Engagement, EngagementKind, FieldErrors, FundingSourceType, Sector,
    TalentProgramme,
};
use serde::{Deserialize, Serialize};

use crate::clauses::{self, ClauseFinding};
use crate::country::{CountryProfiles, TravelAdvice};
use crate::ladder::{Outcome, Principle, Rating, Route, Sensitivity};
use crate::lists::{ListHit, ListKind};
use crate::policy::{FACTOR_IDS, KNOWN_RULES, PolicyPack, PolicyRef, RuleSpec};
use crate::taxonomy::{self, AreaMatch};

/// The assessment JSON (the CLI prints it, the API returns it, the store keeps it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assessment {
    pub outcome: Outcome,
    pub route: Route,
    pub principles: BTreeMap<Principle, PrincipleRating>,
    pub factors: Vec<FactorResult>,
    pub mitigations: Vec<MitigationItem>,
    pub tasks: Vec<TaskItem>,
    pub policy: PolicyRef,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrincipleRating {
    pub rating: Rating,
    /// Ids of the factors behind the rating.
    pub factors: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FactorResult {
    pub id: String,
    pub principle: Principle,
    pub severity: Rating,
    pub explanation: String,
    pub evidence: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MitigationItem {
    pub id: String,
    pub title: String,
    pub required: bool,
}

/// A legal or administrative step (F13): a notification, certificate or
/// licence to check, not a score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskItem {
    pub id: String,
    pub title: String,
    pub reason: String,
    pub source: String,
}

/// Parse an engagement as the register's API accepts it, then assess it. Bad
/// input is reported field by field, exactly as the register reports it.
pub fn assess_json(
    engagement_json: &[u8],
    hits: &[ListHit],
    profiles: &CountryProfiles,
    pack: &PolicyPack,
) -> Result<Assessment, FieldErrors> {
    let engagement = meridian_domain::parse_engagement_json(engagement_json)?;
    Ok(assess(&engagement, hits, profiles, pack))
}

/// Assess one engagement. Pure and deterministic.
pub fn assess(
    engagement: &Engagement,
    hits: &[ListHit],
    profiles: &CountryProfiles,
    pack: &PolicyPack,
) -> Assessment {
    let mut f = Firing {
        pack,
        fired: BTreeMap::new(),
        tasks: Vec::new(),
    };
    let e = engagement;
    // F3 first: several rules depend on how sensitive the research is.
    let fields = text_fields(e);
    let matches = taxonomy::match_areas(&pack.areas, &fields);
    let sensitivity = f.sensitivity(e, &matches);
    let sensitive = sensitivity >= Sensitivity::Sensitive;
    f.lists(hits, sensitive);
    f.partners(e);
    f.countries(e, profiles);
    f.funding(e);
    f.people(e);
    f.data(e, sensitive);
    let findings = f.clauses(e);
    f.travel(e, profiles, sensitive);
    f.ethics(e, &fields);
    f.legal_tasks(e, sensitive, &matches, &fields, &findings);
    f.finish(sensitivity)
}

impl Firing<'_> {
    /// F3: taxonomy matches and the export-control flag give the sensitivity.
    fn sensitivity(&mut self, e: &Engagement, matches: &[AreaMatch]) -> Sensitivity {
        for m in matches {
            let rule = match m.level {
                Sensitivity::Controlled => "controlled_research",
                _ => "sensitive_research",
            };
            let ev = format!(
                "{} ({}): '{}' in {}",
                m.area_name, m.area_id, m.term, m.field
            );
            self.fire(rule, ev);
        }
        if e.data.export_controlled {
            self.fire("export_controlled", "data.export_controlled is true");
        }
        if self.has("controlled_research") || self.has("export_controlled") {
            Sensitivity::Controlled
        } else if self.has("sensitive_research") {
            Sensitivity::Sensitive
        } else {
            Sensitivity::None
        }
    }

    /// F1: restricted-list hits.
    fn lists(&mut self, hits: &[ListHit], sensitive: bool) {
        for hit in hits {
            match hit.list_kind {
                ListKind::Sanctions => self.fire("sanctions_hit", hit.describe()),
                ListKind::ResearchSecurity => {
                    self.fire("research_security_hit", hit.describe());
                    if sensitive {
                        self.fire("research_security_sensitive", hit.describe());
                    }
                }
                ListKind::Other => self.fire("other_list_hit", hit.describe()),
            }
        }
    }

    /// F2: partner sector.
    fn partners(&mut self, e: &Engagement) {
        for (i, p) in e.partners.iter().enumerate() {
            let what = format!("partners[{i}] '{}'", p.name);
            match p.sector {
                Some(Sector::Military) => {
                    self.fire("partner_military", format!("{what} is military"))
                }
                Some(Sector::Government) => {
                    self.fire("partner_government", format!("{what} is a government body"))
                }
                _ => {}
            }
        }
    }

    /// F4: country profiles, a modifier only (see `finish`).
    fn countries(&mut self, e: &Engagement, profiles: &CountryProfiles) {
        let below = self.pack.academic_freedom_below;
        for cc in involved_countries(e) {
            let Some(profile) = profiles.get(cc) else {
                continue;
            };
            if let Some(t) = &profile.travel_advice
                && t.value >= TravelAdvice::AgainstAllButEssential
            {
                let ev = format!(
                    "{cc}: {} (as of {}, {})",
                    t.value.label(),
                    t.as_of,
                    t.source
                );
                self.fire("country_travel_advice", ev);
            }
            if let Some(s) = &profile.sanctions_regimes
                && !s.value.is_empty()
            {
                let ev = format!(
                    "{cc}: sanctions regimes {} (as of {}, {})",
                    s.value.join(", "),
                    s.as_of,
                    s.source
                );
                self.fire("country_sanctions_regime", ev);
            }
            if let Some(a) = &profile.academic_freedom
                && a.value < below
            {
                let ev = format!(
                    "{cc}: academic freedom index {:.2} is below {below:.2} ({} {})",
                    a.value, a.source, a.as_of
                );
                self.fire("country_academic_freedom", ev);
            }
        }
    }

    /// F5: who funds, on what conditions, how much.
    fn funding(&mut self, e: &Engagement) {
        let Some(fu) = &e.funding else {
            return;
        };
        let who = if fu.source.is_empty() {
            "the funder".to_owned()
        } else {
            format!("funder '{}'", fu.source)
        };
        match fu.source_type {
            Some(FundingSourceType::Military) => {
                self.fire("funding_military", format!("{who} is military"))
            }
            Some(FundingSourceType::StateOwned) => {
                self.fire("funding_state_owned", format!("{who} is state-owned"))
            }
            Some(FundingSourceType::Anonymous) => {
                self.fire("funding_anonymous", format!("{who} is anonymous"))
            }
            Some(FundingSourceType::Government) => {
                if let (Some(home), Some(from)) = (self.pack.home_country, fu.source_country)
                    && home != from
                {
                    let ev = format!("{who} is the government of {from}");
                    self.fire("funding_foreign_government", ev);
                }
            }
            _ => {}
        }
        if !fu.conditions.trim().is_empty() {
            let ev = format!("funding.conditions: \"{}\"", fu.conditions.trim());
            self.fire("funding_conditions", ev);
        }
        let risky = [
            "funding_military",
            "funding_state_owned",
            "funding_anonymous",
            "funding_foreign_government",
        ]
        .iter()
        .any(|r| self.has(r));
        if let Some(amount) = fu.amount
            && risky
            && amount >= self.pack.large_funding_amount
        {
            let currency = fu.currency.map(|c| c.code()).unwrap_or("");
            let ev = format!("funding.amount {amount} {currency} from {who}");
            self.fire("funding_large", ev);
        }
    }

    /// F6 talent programmes, F7 undisclosed affiliations.
    fn people(&mut self, e: &Engagement) {
        for (i, p) in e.people.iter().enumerate() {
            let who = format!("people[{i}] '{}'", p.name);
            if p.talent_programme != TalentProgramme::None {
                let ev = format!(
                    "{who}: talent programme participation ({})",
                    p.talent_programme
                );
                self.fire("talent_programme", ev);
            }
            match p.talent_programme {
                TalentProgramme::Undisclosed => self.fire(
                    "talent_undisclosed",
                    format!("{who}: talent programme participation was not disclosed"),
                ),
                TalentProgramme::Malign => self.fire(
                    "talent_malign",
                    format!("{who}: participates in a malign foreign talent recruitment programme"),
                ),
                _ => {}
            }
            if !p.undisclosed_affiliations.is_empty() {
                let ev = format!(
                    "{who}: undisclosed affiliations: {}",
                    p.undisclosed_affiliations.join(", ")
                );
                self.fire("undisclosed_affiliation", ev);
            }
        }
    }

    /// F8: personal and special-category data, partner access.
    fn data(&mut self, e: &Engagement, sensitive: bool) {
        if e.data.personal_data {
            self.fire("personal_data", "data.personal_data is true");
        }
        if e.data.special_category_data {
            self.fire(
                "special_category_data",
                "data.special_category_data is true",
            );
            if !e.partners.is_empty() {
                let ev = format!(
                    "special-category data with {} external partner(s)",
                    e.partners.len()
                );
                self.fire("special_category_with_partner", ev);
            }
        }
        if e.data.partner_access_to_facilities {
            self.fire(
                "partner_facility_access",
                "data.partner_access_to_facilities is true",
            );
            if sensitive {
                self.fire(
                    "facility_access_sensitive",
                    "partner access to facilities or networks on sensitive research",
                );
            }
        }
    }

    /// F8/F9: clauses in the agreement and in the funding conditions.
    fn clauses(&mut self, e: &Engagement) -> Vec<(&'static str, ClauseFinding)> {
        let mut findings: Vec<(&'static str, ClauseFinding)> =
            clauses::check_agreement(&e.agreement_text, self.pack)
                .into_iter()
                .map(|c| ("agreement_text", c))
                .collect();
        if let Some(fu) = &e.funding {
            findings.extend(
                clauses::check_agreement(&fu.conditions, self.pack)
                    .into_iter()
                    .map(|c| ("funding.conditions", c)),
            );
        }
        for (field, c) in &findings {
            self.fire(
                &format!("clause_{}", c.kind),
                format!("{field}: {}", c.describe()),
            );
        }
        findings
    }

    /// F10: only a planned trip (dates or fieldwork) counts here; a
    /// destination alone is a country fact (F4).
    fn travel(&mut self, e: &Engagement, profiles: &CountryProfiles, sensitive: bool) {
        let Some(t) = &e.travel else {
            return;
        };
        if !(t.start.is_some() || t.fieldwork) || t.destinations.is_empty() {
            return;
        }
        let names: Vec<String> = t
            .destinations
            .iter()
            .map(|d| {
                if d.region.is_empty() {
                    d.country.to_string()
                } else {
                    format!("{} ({})", d.country, d.region)
                }
            })
            .collect();
        self.fire("travel_planned", format!("travel to {}", names.join(", ")));
        for d in &t.destinations {
            let advice = profiles
                .get(d.country)
                .and_then(|p| p.travel_advice.as_ref());
            let Some(a) = advice.filter(|a| a.value != TravelAdvice::Unknown) else {
                let reason = format!("no current travel advice is recorded for {}", d.country);
                self.task("check_travel_advice", reason);
                continue;
            };
            let ev = format!(
                "{}: {} (as of {}, {})",
                d.country,
                a.value.label(),
                a.as_of,
                a.source
            );
            for (level, rule) in [
                (
                    TravelAdvice::AgainstAllButEssentialToParts,
                    "travel_advice_parts",
                ),
                (TravelAdvice::AgainstAllToParts, "travel_advice_parts_all"),
                (
                    TravelAdvice::AgainstAllButEssential,
                    "travel_advice_essential",
                ),
                (TravelAdvice::AgainstAll, "travel_advice_all"),
            ] {
                if a.value >= level {
                    self.fire(rule, ev.clone());
                }
            }
        }
        if t.fieldwork {
            self.fire("fieldwork", "travel.fieldwork is true");
        }
        if sensitive {
            self.fire(
                "travel_sensitive_research",
                "travel while working on sensitive research",
            );
        }
    }

    /// F11: research open to human-rights misuse, worse with a state partner.
    fn ethics(&mut self, e: &Engagement, fields: &[(String, String)]) {
        for (field, text) in fields {
            let lower = text.to_lowercase();
            if let Some(k) = self
                .pack
                .ethics_keywords
                .iter()
                .find(|k| taxonomy::contains_term(&lower, k))
            {
                self.fire("ethics_misuse", format!("'{k}' in {field}"));
            }
        }
        if !self.has("ethics_misuse") {
            return;
        }
        let state_partner = e
            .partners
            .iter()
            .any(|p| matches!(p.sector, Some(Sector::Government | Sector::Military)))
            || e.funding.as_ref().is_some_and(|fu| {
                matches!(
                    fu.source_type,
                    Some(
                        FundingSourceType::Government
                            | FundingSourceType::Military
                            | FundingSourceType::StateOwned
                    )
                )
            });
        if state_partner {
            self.fire(
                "ethics_misuse_state_partner",
                "a government, military or state-owned partner or funder",
            );
        }
    }

    /// F13: notifications that depend on the kind of engagement (export
    /// licence checks come with the F3 rules themselves).
    fn legal_tasks(
        &mut self,
        e: &Engagement,
        sensitive: bool,
        matches: &[AreaMatch],
        fields: &[(String, String)],
        findings: &[(&str, ClauseFinding)],
    ) {
        if sensitive
            && matches!(
                e.kind,
                EngagementKind::VisitingResearcher | EngagementKind::StudentRecruitment
            )
        {
            let reason = format!(
                "a {} on sensitive research: check whether the person needs an ATAS certificate",
                e.kind.label().to_lowercase()
            );
            self.task("atas_certificate", reason);
        }
        let transfers_rights = matches!(
            e.kind,
            EngagementKind::Licensing | EngagementKind::EquipmentTransfer
        ) || findings.iter().any(|(_, c)| c.kind == "ip_assignment");
        if transfers_rights {
            for area in nsia_areas(self.pack, matches, fields) {
                self.task(
                    "nsia_notification",
                    format!(
                        "rights or assets in an NSIA area ({area}) may pass to another party: check whether a notification is mandatory or advisable"
                    ),
                );
            }
        }
    }
}

/// Every country the engagement involves: named, partners', funder's, destinations'.
fn involved_countries(e: &Engagement) -> Vec<CountryCode> {
    let mut out: Vec<CountryCode> = e.countries.clone();
    if let Some(t) = &e.travel {
        out.extend(t.destinations.iter().map(|d| d.country));
    }
    out.sort();
    out.dedup();
    out
}

fn text_fields(e: &Engagement) -> Vec<(String, String)> {
    let mut fields = vec![
        ("title".to_owned(), e.title.clone()),
        ("description".to_owned(), e.description.clone()),
    ];
    for (i, a) in e.research_areas.iter().enumerate() {
        fields.push((format!("research_areas[{i}]"), a.clone()));
    }
    fields
}

fn nsia_areas(
    pack: &PolicyPack,
    matches: &[AreaMatch],
    fields: &[(String, String)],
) -> Vec<String> {
    let lowered: Vec<String> = fields.iter().map(|(_, t)| t.to_lowercase()).collect();
    pack.nsia
        .iter()
        .filter(|n| {
            matches.iter().any(|m| n.stra.contains(&m.area_id))
                || n.keywords
                    .iter()
                    .any(|k| lowered.iter().any(|t| taxonomy::contains_term(t, k)))
        })
        .map(|n| n.name.clone())
        .collect()
}

/// The rules that fired, with their evidence, and the tasks raised.
struct Firing<'p> {
    pack: &'p PolicyPack,
    fired: BTreeMap<String, Vec<String>>,
    tasks: Vec<TaskItem>,
}

impl Firing<'_> {
    /// Record a rule with one piece of evidence; rules the pack leaves out never fire.
    fn fire(&mut self, rule: &str, evidence: impl Into<String>) {
        if self.pack.rule(rule).is_none() {
            return;
        }
        let ev = self.fired.entry(rule.to_owned()).or_default();
        let evidence = evidence.into();
        if !ev.contains(&evidence) {
            ev.push(evidence);
        }
    }

    fn has(&self, rule: &str) -> bool {
        self.fired.contains_key(rule)
    }

    fn task(&mut self, id: &str, reason: String) {
        let Some(spec) = self.pack.tasks.get(id) else {
            return;
        };
        if let Some(t) = self.tasks.iter_mut().find(|t| t.id == id) {
            if !t.reason.contains(&reason) {
                t.reason.push_str("; ");
                t.reason.push_str(&reason);
            }
            return;
        }
        self.tasks.push(TaskItem {
            id: id.to_owned(),
            title: spec.title.clone(),
            reason,
            source: spec.source.clone(),
        });
    }

    fn finish(mut self, sensitivity: Sensitivity) -> Assessment {
        let pack = self.pack;
        let sensitive = sensitivity >= Sensitivity::Sensitive;
        let mut partner_risk = Rating::Low;
        let mut floor = Outcome::Proceed;
        let mut bumps = 0;
        for rule_id in self.fired.keys() {
            let Some(rule) = pack.rule(rule_id) else {
                continue;
            };
            // Country facts raise partner risk only for sensitive research:
            // a country alone never moves the matrix.
            let counts = rule.factor != "F4" || sensitive;
            if let Some(p) = rule.partner_risk
                && counts
            {
                partner_risk = partner_risk.max(p);
            }
            if let Some(fl) = rule.floor {
                floor = floor.max(fl);
            }
            bumps += rule.bump;
        }
        let row = match sensitivity {
            Sensitivity::None => 0,
            Sensitivity::Sensitive => 1,
            Sensitivity::Controlled => 2,
        };
        let base = pack.matrix[row][partner_risk as usize];
        // Bumps (undisclosed facts) move up at most to committee review: only a
        // legal bar (a floor) or the matrix itself can prohibit.
        let bumped = if base >= Outcome::CommitteeReview {
            base
        } else {
            base.raised(bumps).min(Outcome::CommitteeReview)
        };
        let outcome = floor.max(bumped);

        // Factors, in F1..F13 order.
        let mut factors: Vec<FactorResult> = Vec::new();
        let mut mitigation_ids: Vec<(String, bool)> = Vec::new();
        let mut rule_tasks: Vec<(String, String)> = Vec::new();
        for fid in FACTOR_IDS {
            let Some(spec) = pack.factors.get(*fid) else {
                continue;
            };
            // The most serious rule speaks first; ties keep the engine's order.
            let mut rules: Vec<(&RuleSpec, &Vec<String>)> = KNOWN_RULES
                .iter()
                .filter(|(_, factor)| factor == fid)
                .filter_map(|(id, _)| Some((pack.rule(id)?, self.fired.get(*id)?)))
                .collect();
            rules.sort_by_key(|r| std::cmp::Reverse(r.0.severity));
            let mut severity = None;
            let mut explanations: Vec<&str> = Vec::new();
            let mut evidence: Vec<String> = Vec::new();
            for (rule, ev) in rules {
                severity = severity.max(Some(rule.severity));
                if !explanations.contains(&rule.explanation.as_str()) {
                    explanations.push(&rule.explanation);
                }
                for e in ev {
                    if !evidence.contains(e) {
                        evidence.push(e.clone());
                    }
                }
                for m in &rule.mitigations {
                    mitigation_ids.push((m.clone(), true));
                }
                for t in &rule.tasks {
                    rule_tasks.push((t.clone(), rule.explanation.clone()));
                }
            }
            if let Some(severity) = severity {
                factors.push(FactorResult {
                    id: (*fid).to_owned(),
                    principle: spec.principle,
                    severity,
                    explanation: explanations.join(" "),
                    evidence,
                });
            }
        }
        for (id, reason) in rule_tasks {
            self.task(&id, reason);
        }

        let outcome_spec = pack.outcome_spec(outcome);
        let route = outcome_spec.map(|o| o.route).unwrap_or(Route::Committee);
        let mut ordered: Vec<(String, bool)> = Vec::new();
        if let Some(o) = outcome_spec {
            ordered.extend(o.mitigations.iter().map(|m| (m.clone(), true)));
        }
        ordered.extend(mitigation_ids);
        if let Some(o) = outcome_spec {
            ordered.extend(o.suggested.iter().map(|m| (m.clone(), false)));
        }
        let mut mitigations: Vec<MitigationItem> = Vec::new();
        for (id, required) in ordered {
            if let Some(existing) = mitigations.iter_mut().find(|m| m.id == id) {
                existing.required |= required;
                continue;
            }
            if let Some(spec) = pack.mitigations.get(&id) {
                mitigations.push(MitigationItem {
                    id,
                    title: spec.title.clone(),
                    required,
                });
            }
        }

        let principles = Principle::ALL
            .iter()
            .map(|p| {
                let of: Vec<&FactorResult> = factors.iter().filter(|f| f.principle == *p).collect();
                let rating = of.iter().map(|f| f.severity).max().unwrap_or(Rating::Low);
                let ids = of.iter().map(|f| f.id.clone()).collect();
                (
                    *p,
                    PrincipleRating {
                        rating,
                        factors: ids,
                    },
                )
            })
            .collect();

        Assessment {
            outcome,
            route,
            principles,
            factors,
            mitigations,
            tasks: self.tasks,
            policy: pack.policy.clone(),
        }
    }
}
