//! The policy pack: a TOML file that holds every judgement the engine applies
//! (rules and their floors, the sensitivity × partner-risk matrix, mitigations,
//! routes, taxonomy keywords, clause patterns). Loading validates it fully and
//! records its name, version and SHA-256 so every assessment names its policy.

use std::collections::BTreeMap;

use meridian_domain::CountryCode;
use regex::Regex;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use toml::Spanned;

use crate::error::{PolicyError, PolicyProblem};
use crate::ladder::{Outcome, Principle, Rating, Route, Sensitivity};
use crate::taxonomy::{self, Area};

/// The factor ids the engine knows, in report order.
pub const FACTOR_IDS: &[&str] = &[
    "F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9", "F10", "F11", "F12", "F13",
];

/// Every rule the engine can fire, with the factor it belongs to. A pack may
/// leave a rule out (it then never fires) but may not invent one.
pub const KNOWN_RULES: &[(&str, &str)] = &[
    ("sanctions_hit", "F1"),
    ("research_security_hit", "F1"),
    ("research_security_sensitive", "F1"),
    ("other_list_hit", "F1"),
    ("partner_military", "F2"),
    ("partner_government", "F2"),
    ("sensitive_research", "F3"),
    ("controlled_research", "F3"),
    ("export_controlled", "F3"),
    ("country_travel_advice", "F4"),
    ("country_sanctions_regime", "F4"),
    ("country_academic_freedom", "F4"),
    ("funding_military", "F5"),
    ("funding_state_owned", "F5"),
    ("funding_foreign_government", "F5"),
    ("funding_anonymous", "F5"),
    ("funding_conditions", "F5"),
    ("funding_large", "F5"),
    ("talent_programme", "F6"),
    ("talent_undisclosed", "F6"),
    ("talent_malign", "F6"),
    ("undisclosed_affiliation", "F7"),
    ("personal_data", "F8"),
    ("special_category_data", "F8"),
    ("special_category_with_partner", "F8"),
    ("partner_facility_access", "F8"),
    ("facility_access_sensitive", "F8"),
    ("clause_data_localisation", "F8"),
    ("clause_state_access", "F8"),
    ("clause_publication_control", "F9"),
    ("clause_confidentiality", "F9"),
    ("clause_non_disparagement", "F9"),
    ("clause_surveillance_reporting", "F9"),
    ("clause_ip_assignment", "F9"),
    ("clause_governing_law", "F9"),
    ("clause_national_interest_termination", "F9"),
    ("travel_planned", "F10"),
    ("travel_advice_parts", "F10"),
    ("travel_advice_parts_all", "F10"),
    ("travel_advice_essential", "F10"),
    ("travel_advice_all", "F10"),
    ("fieldwork", "F10"),
    ("travel_sensitive_research", "F10"),
    ("ethics_misuse", "F11"),
    ("ethics_misuse_state_partner", "F11"),
];

/// Agreement clause kinds the checker knows; each has a `clause_<kind>` rule.
pub const CLAUSE_KINDS: &[&str] = &[
    "publication_control",
    "confidentiality",
    "ip_assignment",
    "data_localisation",
    "state_access",
    "non_disparagement",
    "surveillance_reporting",
    "governing_law",
    "national_interest_termination",
];

// ------------------------------------------------------------- the file shape

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPack {
    pack: RawMeta,
    outcomes: BTreeMap<Spanned<String>, RawOutcome>,
    matrix: RawMatrix,
    factors: BTreeMap<Spanned<String>, RawFactor>,
    rules: BTreeMap<Spanned<String>, RawRule>,
    mitigations: BTreeMap<Spanned<String>, RawMitigation>,
    #[serde(default)]
    tasks: BTreeMap<Spanned<String>, RawTask>,
    sensitivity: RawSensitivity,
    #[serde(default)]
    clauses: BTreeMap<Spanned<String>, RawClause>,
    #[serde(default)]
    thresholds: RawThresholds,
    #[serde(default)]
    ethics: RawEthics,
    #[serde(default)]
    nsia: BTreeMap<Spanned<String>, RawNsia>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeta {
    name: Spanned<String>,
    version: Spanned<String>,
    #[serde(default)]
    description: String,
    #[serde(default)]
    home_country: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOutcome {
    route: Spanned<String>,
    #[serde(default)]
    mitigations: Vec<Spanned<String>>,
    #[serde(default)]
    suggested: Vec<Spanned<String>>,
    #[serde(default)]
    review_months: Option<u32>,
}

/// Rows are research sensitivity; columns partner risk low, medium, high, very_high.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMatrix {
    none: Spanned<Vec<Spanned<String>>>,
    sensitive: Spanned<Vec<Spanned<String>>>,
    controlled: Spanned<Vec<Spanned<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFactor {
    title: String,
    principle: Spanned<String>,
    #[serde(default)]
    source: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    factor: Spanned<String>,
    severity: Spanned<String>,
    explanation: Spanned<String>,
    #[serde(default)]
    floor: Option<Spanned<String>>,
    #[serde(default)]
    partner_risk: Option<Spanned<String>>,
    #[serde(default)]
    bump: Option<Spanned<u8>>,
    #[serde(default)]
    mitigations: Vec<Spanned<String>>,
    #[serde(default)]
    tasks: Vec<Spanned<String>>,
    #[serde(default)]
    source: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMitigation {
    title: String,
    #[serde(default)]
    description: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTask {
    title: String,
    #[serde(default)]
    source: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSensitivity {
    stra: BTreeMap<Spanned<String>, RawStraArea>,
    #[serde(default)]
    extra: BTreeMap<Spanned<String>, RawExtraArea>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStraArea {
    keywords: Vec<String>,
    #[serde(default)]
    level: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExtraArea {
    name: String,
    level: Spanned<String>,
    keywords: Vec<String>,
    #[serde(default)]
    source: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClause {
    patterns: Vec<Spanned<String>>,
    #[serde(default)]
    max_delay_days: Option<u32>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawThresholds {
    #[serde(default)]
    academic_freedom_below: Option<f64>,
    #[serde(default)]
    large_funding_amount: Option<f64>,
    #[serde(default)]
    concentration_share: Option<f64>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawEthics {
    #[serde(default)]
    keywords: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNsia {
    name: String,
    #[serde(default)]
    stra: Vec<Spanned<String>>,
    #[serde(default)]
    keywords: Vec<String>,
}

// ------------------------------------------------------------ the loaded pack

/// Which policy produced an assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyRef {
    pub name: String,
    pub version: String,
    /// SHA-256 of the pack's exact text, hex.
    pub sha256: String,
}

#[derive(Debug, Clone)]
pub struct OutcomeSpec {
    pub route: Route,
    pub mitigations: Vec<String>,
    pub suggested: Vec<String>,
    pub review_months: Option<u32>,
}

#[derive(Debug, Clone)]
pub struct FactorSpec {
    pub title: String,
    pub principle: Principle,
    pub source: String,
}

#[derive(Debug, Clone)]
pub struct RuleSpec {
    pub factor: String,
    pub severity: Rating,
    pub explanation: String,
    pub floor: Option<Outcome>,
    pub partner_risk: Option<Rating>,
    pub bump: usize,
    pub mitigations: Vec<String>,
    pub tasks: Vec<String>,
    pub source: String,
}

#[derive(Debug, Clone)]
pub struct MitigationSpec {
    pub title: String,
    pub description: String,
}

#[derive(Debug, Clone)]
pub struct TaskSpec {
    pub title: String,
    pub source: String,
}

#[derive(Debug, Clone)]
pub struct ClauseSpec {
    pub kind: String,
    pub patterns: Vec<Regex>,
    pub max_delay_days: Option<u32>,
}

#[derive(Debug, Clone)]
pub struct NsiaArea {
    pub id: String,
    pub name: String,
    pub stra: Vec<String>,
    pub keywords: Vec<String>,
}

/// A validated policy pack.
#[derive(Debug, Clone)]
pub struct PolicyPack {
    pub policy: PolicyRef,
    pub description: String,
    /// The institution's own country: government funding from elsewhere is
    /// foreign-state funding. Unset, government funding is not flagged as foreign.
    pub home_country: Option<CountryCode>,
    pub outcomes: BTreeMap<Outcome, OutcomeSpec>,
    /// `matrix[sensitivity][partner_risk]`.
    pub matrix: [[Outcome; 4]; 3],
    pub factors: BTreeMap<String, FactorSpec>,
    pub rules: BTreeMap<String, RuleSpec>,
    pub mitigations: BTreeMap<String, MitigationSpec>,
    pub tasks: BTreeMap<String, TaskSpec>,
    pub areas: Vec<Area>,
    pub clauses: Vec<ClauseSpec>,
    pub academic_freedom_below: f64,
    pub large_funding_amount: f64,
    pub concentration_share: f64,
    pub ethics_keywords: Vec<String>,
    pub nsia: Vec<NsiaArea>,
}

const DEFAULT_PACK: &str = include_str!("../../../policy/default.toml");

impl PolicyPack {
    /// The pack Meridian ships (`policy/default.toml`).
    pub fn default_pack() -> Result<PolicyPack, PolicyError> {
        PolicyPack::from_toml(DEFAULT_PACK)
    }

    /// Parse and validate a pack. Every problem is reported with its line.
    pub fn from_toml(text: &str) -> Result<PolicyPack, PolicyError> {
        let raw: RawPack = toml::from_str(text).map_err(|e| {
            let (line, column) = e.span().map(|s| line_col(text, s.start)).unwrap_or((1, 1));
            PolicyError::Parse {
                line,
                column,
                message: e.message().to_owned(),
            }
        })?;
        let mut v = Validator {
            text,
            problems: Vec::new(),
        };
        let pack = v.pack(raw);
        if v.problems.is_empty() {
            Ok(pack)
        } else {
            v.problems.sort_by_key(|p| p.line);
            Err(PolicyError::Invalid(v.problems))
        }
    }

    /// Look up a rule; `None` when the pack leaves it out.
    pub fn rule(&self, id: &str) -> Option<&RuleSpec> {
        self.rules.get(id)
    }

    pub fn outcome_spec(&self, outcome: Outcome) -> Option<&OutcomeSpec> {
        self.outcomes.get(&outcome)
    }

    pub fn clause(&self, kind: &str) -> Option<&ClauseSpec> {
        self.clauses.iter().find(|c| c.kind == kind)
    }
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    // toml's spans fall on character boundaries; fall back to the whole text if not.
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.len() - before.rfind('\n').map(|i| i + 1).unwrap_or(0) + 1;
    (line, column)
}

struct Validator<'a> {
    text: &'a str,
    problems: Vec<PolicyProblem>,
}

impl Validator<'_> {
    fn problem<T>(&mut self, at: &Spanned<T>, message: impl Into<String>) {
        let line = line_col(self.text, at.span().start).0;
        self.problems.push(PolicyProblem {
            line: Some(line),
            message: message.into(),
        });
    }

    /// A problem with no single value to point at: placed on the first line
    /// that mentions `near` (a section header), if any.
    fn general(&mut self, near: &str, message: impl Into<String>) {
        let line = self
            .text
            .lines()
            .position(|l| l.trim_start().starts_with(near))
            .map(|i| i + 1);
        self.problems.push(PolicyProblem {
            line,
            message: message.into(),
        });
    }

    fn parse<T>(
        &mut self,
        at: &Spanned<String>,
        parse: fn(&str) -> Result<T, String>,
        what: &str,
    ) -> Option<T> {
        match parse(at.get_ref()) {
            Ok(v) => Some(v),
            Err(m) => {
                self.problem(at, format!("{what}: {m}"));
                None
            }
        }
    }

    fn pack(&mut self, raw: RawPack) -> PolicyPack {
        let sha256 = hex::encode(Sha256::digest(self.text.as_bytes()));
        for (field, value) in [("name", &raw.pack.name), ("version", &raw.pack.version)] {
            if value.get_ref().trim().is_empty() {
                self.problem(value, format!("pack.{field} is empty"));
            }
        }
        let home_country = raw
            .pack
            .home_country
            .as_ref()
            .filter(|h| !h.get_ref().trim().is_empty())
            .and_then(|h| self.parse(h, CountryCode::parse, "pack.home_country"));

        let mitigations: BTreeMap<String, MitigationSpec> = raw
            .mitigations
            .into_iter()
            .map(|(k, m)| {
                if m.title.trim().is_empty() {
                    self.problem(&k, format!("mitigation '{}' has no title", k.get_ref()));
                }
                let spec = MitigationSpec {
                    title: m.title,
                    description: m.description,
                };
                (k.into_inner(), spec)
            })
            .collect();
        let tasks: BTreeMap<String, TaskSpec> = raw
            .tasks
            .into_iter()
            .map(|(k, t)| {
                let spec = TaskSpec {
                    title: t.title,
                    source: t.source,
                };
                (k.into_inner(), spec)
            })
            .collect();

        let outcomes = self.outcomes(raw.outcomes, &mitigations);
        let matrix = self.matrix(&raw.matrix);
        let factors = self.factors(raw.factors);
        let rules = self.rules(raw.rules, &factors, &mitigations, &tasks);
        let areas = self.areas(raw.sensitivity);
        let clauses = self.clauses(raw.clauses, &rules);
        let nsia = self.nsia(raw.nsia);

        let t = raw.thresholds;
        let share = t.concentration_share.unwrap_or(0.25);
        let afi = t.academic_freedom_below.unwrap_or(0.4);
        if !(0.0..=1.0).contains(&share) || !(0.0..=1.0).contains(&afi) {
            self.general("[thresholds]", "thresholds.concentration_share and academic_freedom_below must lie between 0 and 1");
        }
        PolicyPack {
            policy: PolicyRef {
                name: raw.pack.name.into_inner(),
                version: raw.pack.version.into_inner(),
                sha256,
            },
            description: raw.pack.description,
            home_country,
            outcomes,
            matrix,
            factors,
            rules,
            mitigations,
            tasks,
            areas,
            clauses,
            academic_freedom_below: afi,
            large_funding_amount: t.large_funding_amount.unwrap_or(f64::INFINITY),
            concentration_share: share,
            ethics_keywords: raw
                .ethics
                .keywords
                .iter()
                .map(|k| k.to_lowercase())
                .collect(),
            nsia,
        }
    }

    fn refs(
        &mut self,
        list: &[Spanned<String>],
        known: &BTreeMap<String, impl Sized>,
        what: &str,
    ) -> Vec<String> {
        let mut out = Vec::new();
        for r in list {
            if known.contains_key(r.get_ref()) {
                out.push(r.get_ref().clone());
            } else {
                self.problem(r, format!("unknown {what} '{}'", r.get_ref()));
            }
        }
        out
    }

    fn outcomes(
        &mut self,
        raw: BTreeMap<Spanned<String>, RawOutcome>,
        mitigations: &BTreeMap<String, MitigationSpec>,
    ) -> BTreeMap<Outcome, OutcomeSpec> {
        let mut out = BTreeMap::new();
        for (name, o) in raw {
            let Some(outcome) = self.parse(&name, Outcome::parse, "outcome name") else {
                continue;
            };
            let route = self
                .parse(&o.route, Route::parse, "route")
                .unwrap_or(Route::Committee);
            let spec = OutcomeSpec {
                route,
                mitigations: self.refs(&o.mitigations, mitigations, "mitigation"),
                suggested: self.refs(&o.suggested, mitigations, "mitigation"),
                review_months: o.review_months,
            };
            out.insert(outcome, spec);
        }
        for o in Outcome::ALL {
            if !out.contains_key(o) {
                self.general("[outcomes.", format!("outcomes.{o} is missing"));
            }
        }
        // Routes must not get laxer as outcomes get worse.
        let routes: Vec<Route> = out.values().map(|s| s.route).collect();
        if routes.windows(2).any(|w| w[1] < w[0]) {
            self.general(
                "[outcomes.",
                "a worse outcome has a laxer approval route than a better one",
            );
        }
        out
    }

    fn matrix(&mut self, raw: &RawMatrix) -> [[Outcome; 4]; 3] {
        let mut m = [[Outcome::Proceed; 4]; 3];
        for (i, row) in [&raw.none, &raw.sensitive, &raw.controlled]
            .into_iter()
            .enumerate()
        {
            if row.get_ref().len() != 4 {
                self.problem(
                    row,
                    "a matrix row needs 4 outcomes (partner risk low, medium, high, very_high)",
                );
                continue;
            }
            for (j, cell) in row.get_ref().iter().enumerate() {
                if let Some(o) = self.parse(cell, Outcome::parse, "matrix cell") {
                    m[i][j] = o;
                }
            }
        }
        // A matrix that falls anywhere would make adding a risk fact lower an
        // outcome; the engine's monotonicity rests on this check.
        let rising = (0..3).all(|i| (1..4).all(|j| m[i][j - 1] <= m[i][j]))
            && (1..3).all(|i| (0..4).all(|j| m[i - 1][j] <= m[i][j]));
        if !rising {
            self.problem(
                &raw.none,
                "the matrix must not fall: each row and each column must be non-decreasing",
            );
        }
        if m[0][0] != Outcome::Proceed {
            self.problem(
                &raw.none,
                "matrix.none must start with 'proceed': an engagement with no risk fact proceeds",
            );
        }
        m
    }

    fn factors(
        &mut self,
        raw: BTreeMap<Spanned<String>, RawFactor>,
    ) -> BTreeMap<String, FactorSpec> {
        let mut out = BTreeMap::new();
        for (id, f) in raw {
            if !FACTOR_IDS.contains(&id.get_ref().as_str()) {
                self.problem(&id, format!("unknown factor id '{}'", id.get_ref()));
                continue;
            }
            let Some(principle) = self.parse(&f.principle, Principle::parse, "principle") else {
                continue;
            };
            out.insert(
                id.into_inner(),
                FactorSpec {
                    title: f.title,
                    principle,
                    source: f.source,
                },
            );
        }
        out
    }

    fn rules(
        &mut self,
        raw: BTreeMap<Spanned<String>, RawRule>,
        factors: &BTreeMap<String, FactorSpec>,
        mitigations: &BTreeMap<String, MitigationSpec>,
        tasks: &BTreeMap<String, TaskSpec>,
    ) -> BTreeMap<String, RuleSpec> {
        let mut out = BTreeMap::new();
        for (id, r) in raw {
            let Some((_, expected)) = KNOWN_RULES.iter().find(|(k, _)| k == id.get_ref()) else {
                self.problem(&id, format!("unknown rule '{}'", id.get_ref()));
                continue;
            };
            if r.factor.get_ref() != expected {
                self.problem(
                    &r.factor,
                    format!(
                        "rule '{}' belongs to factor {expected}, not {}",
                        id.get_ref(),
                        r.factor.get_ref()
                    ),
                );
            }
            if !factors.contains_key(*expected) {
                self.problem(&r.factor, format!("factor {expected} is not defined"));
            }
            if r.explanation.get_ref().trim().is_empty() {
                self.problem(&r.explanation, "a rule's explanation must not be empty");
            }
            let severity = self
                .parse(&r.severity, Rating::parse, "severity")
                .unwrap_or(Rating::Low);
            let floor = r
                .floor
                .as_ref()
                .and_then(|f| self.parse(f, Outcome::parse, "floor"));
            let partner_risk = r
                .partner_risk
                .as_ref()
                .and_then(|p| self.parse(p, Rating::parse, "partner_risk"));
            if *expected == "F4" {
                // A country alone may never lift an outcome above safeguards.
                if floor.is_some_and(|f| f > Outcome::ProceedWithSafeguards) {
                    self.problem(
                        r.floor.as_ref().unwrap_or(&r.factor),
                        "a country rule's floor may not exceed proceed_with_safeguards",
                    );
                }
                if let Some(b) = r.bump.as_ref().filter(|b| *b.get_ref() > 0) {
                    self.problem(b, "a country rule may not bump the outcome");
                }
            }
            if let Some(b) = r.bump.as_ref().filter(|b| *b.get_ref() > 2) {
                self.problem(b, "bump may be 0, 1 or 2");
            }
            let spec = RuleSpec {
                factor: expected.to_string(),
                severity,
                explanation: r.explanation.into_inner(),
                floor,
                partner_risk,
                bump: r.bump.as_ref().map_or(0, |b| usize::from(*b.get_ref())),
                mitigations: self.refs(&r.mitigations, mitigations, "mitigation"),
                tasks: self.refs(&r.tasks, tasks, "task"),
                source: r.source,
            };
            out.insert(id.into_inner(), spec);
        }
        match out.get("sanctions_hit") {
            Some(r) if r.floor == Some(Outcome::Prohibited) => {}
            _ => self.general(
                "[rules.sanctions_hit]",
                "rule 'sanctions_hit' must exist with floor = \"prohibited\": a sanctions match is a legal bar",
            ),
        }
        out
    }

    fn level(&mut self, raw: Option<&Spanned<String>>) -> Sensitivity {
        match raw {
            None => Sensitivity::Sensitive,
            Some(l) => match self.parse(l, Sensitivity::parse, "level") {
                Some(Sensitivity::None) => {
                    self.problem(l, "an area's level must be sensitive or controlled");
                    Sensitivity::Sensitive
                }
                Some(s) => s,
                None => Sensitivity::Sensitive,
            },
        }
    }

    fn areas(&mut self, raw: RawSensitivity) -> Vec<Area> {
        let mut out = Vec::new();
        for (id, a) in raw.stra {
            let Some((cat_id, cat, _, name)) = taxonomy::stra_subarea(id.get_ref()) else {
                self.problem(&id, format!("unknown STRA sub-area '{}'", id.get_ref()));
                continue;
            };
            if a.keywords.is_empty() {
                self.problem(&id, format!("sub-area '{}' has no keywords", id.get_ref()));
            }
            let level = self.level(a.level.as_ref());
            out.push(Area {
                id: id.into_inner(),
                name: name.to_owned(),
                category_id: cat_id.to_owned(),
                category: cat.to_owned(),
                level,
                keywords: taxonomy::normalise_keywords(&a.keywords),
                source: "Canada, Sensitive Technology Research Areas (STRA)".to_owned(),
            });
        }
        for (id, a) in raw.extra {
            if taxonomy::stra_subarea(id.get_ref()).is_some() {
                self.problem(&id, "an extra area may not reuse a STRA sub-area id");
            }
            if a.keywords.is_empty() {
                self.problem(&id, format!("area '{}' has no keywords", id.get_ref()));
            }
            let level = self.level(Some(&a.level));
            out.push(Area {
                id: id.into_inner(),
                name: a.name,
                category_id: "extra".to_owned(),
                category: "Export control and other lists".to_owned(),
                level,
                keywords: taxonomy::normalise_keywords(&a.keywords),
                source: a.source,
            });
        }
        out
    }

    fn clauses(
        &mut self,
        raw: BTreeMap<Spanned<String>, RawClause>,
        rules: &BTreeMap<String, RuleSpec>,
    ) -> Vec<ClauseSpec> {
        let mut out = Vec::new();
        for (kind, c) in raw {
            if !CLAUSE_KINDS.contains(&kind.get_ref().as_str()) {
                self.problem(&kind, format!("unknown clause kind '{}'", kind.get_ref()));
                continue;
            }
            if !rules.contains_key(&format!("clause_{}", kind.get_ref())) {
                self.problem(
                    &kind,
                    format!(
                        "clause '{}' has no rule 'clause_{}'",
                        kind.get_ref(),
                        kind.get_ref()
                    ),
                );
            }
            let mut patterns = Vec::new();
            for p in &c.patterns {
                match Regex::new(p.get_ref()) {
                    Ok(r) => patterns.push(r),
                    Err(e) => self.problem(p, format!("pattern does not compile: {e}")),
                }
            }
            if kind.get_ref() == "confidentiality" && c.max_delay_days.is_none() {
                self.problem(&kind, "clause 'confidentiality' needs max_delay_days");
            }
            out.push(ClauseSpec {
                kind: kind.into_inner(),
                patterns,
                max_delay_days: c.max_delay_days,
            });
        }
        out
    }

    fn nsia(&mut self, raw: BTreeMap<Spanned<String>, RawNsia>) -> Vec<NsiaArea> {
        let mut out = Vec::new();
        for (id, n) in raw {
            for s in &n.stra {
                if taxonomy::stra_subarea(s.get_ref()).is_none() {
                    self.problem(s, format!("unknown STRA sub-area '{}'", s.get_ref()));
                }
            }
            out.push(NsiaArea {
                id: id.into_inner(),
                name: n.name,
                stra: n.stra.into_iter().map(Spanned::into_inner).collect(),
                keywords: taxonomy::normalise_keywords(&n.keywords),
            });
        }
        out
    }
}
