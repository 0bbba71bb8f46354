//! The screening index and the risk engine as the server holds them: the
//! loaded lists (swapped whole, never half-built), the policy pack and the
//! country profiles; and `evaluate`, which screens an engagement's parties,
//! assesses it, and records both. No lists loaded is an explicit state shown
//! to users, never an empty "no match".

use crate::{AppError, AppState};
use meridian_domain::{Engagement, PartyKind};
use meridian_risk::{
    Assessment, CountryProfiles, ListHit, ListKind, PolicyPack, assess, screening_subjects,
};
use meridian_screening::{
    EntityKind, Index, ListVersion, LoadedLists, Match, Query, ScreenOptions,
};
use serde::{Deserialize, Serialize};
use std::sync::{Arc, RwLock};

/// Matches at or above this score count as hits for the risk engine.
pub const HIT_THRESHOLD: f32 = meridian_screening::DEFAULT_THRESHOLD;

/// A built index and where it came from.
pub struct LoadedIndex {
    pub index: Index,
    pub versions: Vec<ListVersion>,
    pub loaded_at: String,
    pub source: String,
    pub row_issues: usize,
}

impl LoadedIndex {
    pub fn build(lists: LoadedLists, source: &str) -> LoadedIndex {
        let versions = lists.versions.clone();
        let row_issues = lists.issues.len();
        LoadedIndex {
            index: Index::build(lists.entities),
            versions,
            loaded_at: meridian_store::now_text(),
            source: source.to_owned(),
            row_issues,
        }
    }
}

/// What the server evaluates with. Readers take an `Arc` snapshot, so a new
/// list version or pack is swapped in atomically while requests continue.
pub struct Engines {
    lists: RwLock<Option<Arc<LoadedIndex>>>,
    /// Ids of the managed list versions behind `lists` (for multi-node reload).
    lists_fingerprint: RwLock<String>,
    /// A directory of list files loaded as they are (`--lists-dir`).
    static_dir: RwLock<Option<std::path::PathBuf>>,
    policy: RwLock<Arc<PolicyPack>>,
    profiles: RwLock<Arc<CountryProfiles>>,
}

impl Engines {
    pub fn new(policy: PolicyPack) -> Engines {
        Engines {
            lists: RwLock::new(None),
            lists_fingerprint: RwLock::new(String::new()),
            static_dir: RwLock::new(None),
            policy: RwLock::new(Arc::new(policy)),
            profiles: RwLock::new(Arc::new(CountryProfiles::default())),
        }
    }
    pub fn lists(&self) -> Option<Arc<LoadedIndex>> {
        self.lists.read().ok().and_then(|g| g.clone())
    }
    pub fn install_lists(&self, idx: LoadedIndex) {
        if let Ok(mut g) = self.lists.write() {
            *g = Some(Arc::new(idx));
        }
    }
    pub fn policy(&self) -> Arc<PolicyPack> {
        self.policy
            .read()
            .map(|g| g.clone())
            .unwrap_or_else(|p| p.into_inner().clone())
    }
    pub fn profiles(&self) -> Arc<CountryProfiles> {
        self.profiles
            .read()
            .map(|g| g.clone())
            .unwrap_or_else(|p| p.into_inner().clone())
    }
}

impl Default for Engines {
    fn default() -> Self {
        // The default pack is compiled in and validated by the risk crate's tests.
        Engines::new(
            PolicyPack::default_pack()
                .unwrap_or_else(|e| panic!("the built-in policy pack is invalid: {e}")),
        )
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ListVersionView {
    pub source: String,
    pub file: String,
    pub sha256: String,
    pub entity_count: usize,
}

impl From<&ListVersion> for ListVersionView {
    fn from(v: &ListVersion) -> Self {
        ListVersionView {
            source: v.source.clone(),
            file: v.file.clone(),
            sha256: v.sha256.clone(),
            entity_count: v.entity_count,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MatchView {
    pub source: String,
    pub entity_id: String,
    pub name: String,
    pub matched_name: String,
    pub kind: String,
    pub score: f32,
    /// The explanation in a sentence per aligned token.
    pub explanation_text: String,
    #[schema(value_type = Object)]
    pub explanation: serde_json::Value,
}

impl From<&Match> for MatchView {
    fn from(m: &Match) -> Self {
        MatchView {
            source: m.source.clone(),
            entity_id: m.entity_id.clone(),
            name: m.name.clone(),
            matched_name: m.matched_name.clone(),
            kind: m.kind.as_str().to_owned(),
            score: (m.score * 1000.0).round() / 1000.0,
            explanation_text: meridian_screening::batch::explanation_text(m),
            explanation: serde_json::to_value(&m.explanation).unwrap_or_default(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SubjectScreening {
    /// `partners[0]`, `funding`, `people[1]`.
    pub subject: String,
    pub name: String,
    pub matches: Vec<MatchView>,
}

/// The screening of one engagement, as stored and shown.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ScreeningView {
    pub ok: bool,
    /// Why screening could not run, when it could not.
    pub error: Option<String>,
    pub threshold: f32,
    pub lists: Vec<ListVersionView>,
    pub lists_loaded_at: String,
    pub subjects: Vec<SubjectScreening>,
}

pub const NO_LISTS: &str =
    "Screening did not run: no restricted-party lists are loaded. This is not a clear result.";

fn entity_kind(k: PartyKind) -> EntityKind {
    match k {
        PartyKind::Person => EntityKind::Person,
        PartyKind::Organization => EntityKind::Organization,
    }
}

/// Screen every partner, the funder and every person of `e`.
pub fn screen_engagement(
    e: &Engagement,
    lists: Option<&LoadedIndex>,
) -> (ScreeningView, Vec<ListHit>) {
    let Some(idx) = lists else {
        let view = ScreeningView {
            ok: false,
            error: Some(NO_LISTS.into()),
            threshold: HIT_THRESHOLD,
            lists: vec![],
            lists_loaded_at: String::new(),
            subjects: vec![],
        };
        return (view, Vec::new());
    };
    let opts = ScreenOptions {
        threshold: HIT_THRESHOLD,
        limit: 5,
    };
    let mut hits = Vec::new();
    let mut subjects = Vec::new();
    for s in screening_subjects(e) {
        let q = Query {
            name: s.name.clone(),
            kind: Some(entity_kind(s.kind)),
            country: s.country.map(|c| c.code().to_owned()),
            birth_year: None,
        };
        let matches = idx.index.screen_with(&q, &opts);
        for m in &matches {
            hits.push(ListHit {
                subject: s.subject.clone(),
                subject_name: s.name.clone(),
                source_id: m.source.clone(),
                list_kind: ListKind::for_source(&m.source),
                entity_id: m.entity_id.clone(),
                matched_name: m.matched_name.clone(),
                score: f64::from(m.score),
            });
        }
        subjects.push(SubjectScreening {
            subject: s.subject,
            name: s.name,
            matches: matches.iter().map(MatchView::from).collect(),
        });
    }
    let view = ScreeningView {
        ok: true,
        error: None,
        threshold: HIT_THRESHOLD,
        lists: idx.versions.iter().map(ListVersionView::from).collect(),
        lists_loaded_at: idx.loaded_at.clone(),
        subjects,
    };
    (view, hits)
}

/// Screen and assess without saving.
pub fn evaluate_engagement(state: &AppState, e: &Engagement) -> (ScreeningView, Assessment) {
    let lists = state.engines.lists();
    let (screening, hits) = screen_engagement(e, lists.as_deref());
    let assessment = assess(e, &hits, &state.engines.profiles(), &state.engines.policy());
    (screening, assessment)
}

/// Screen, assess and record the result for a stored engagement.
pub async fn evaluate_and_record(state: &AppState, id: &str, actor: &str) -> Result<(), AppError> {
    let stored = state
        .store
        .engagement(id)
        .await?
        .ok_or(AppError::NotFound)?;
    let st2 = state.clone();
    let e = stored.engagement.clone();
    let (screening, assessment) =
        tokio::task::spawn_blocking(move || evaluate_engagement(&st2, &e))
            .await
            .map_err(|e| AppError::Internal(format!("evaluation task: {e}")))?;
    let hits: i64 = screening
        .subjects
        .iter()
        .map(|s| s.matches.len() as i64)
        .sum();
    let a = serde_json::to_value(&assessment).map_err(|e| AppError::Internal(e.to_string()))?;
    let ev = meridian_store::Evaluation {
        engagement_version: stored.version,
        screening_ok: screening.ok,
        hits,
        screening: serde_json::to_value(&screening)
            .map_err(|e| AppError::Internal(e.to_string()))?,
        policy: (
            assessment.policy.name.clone(),
            assessment.policy.version.clone(),
            assessment.policy.sha256.clone(),
        ),
        outcome: a["outcome"].as_str().unwrap_or_default().to_owned(),
        route: a["route"].as_str().unwrap_or_default().to_owned(),
        assessment: a,
    };
    state.store.record_evaluation(id, &ev, actor).await?;
    Ok(())
}

/// Register an engagement and evaluate it (screening + assessment).
pub async fn create_and_evaluate(
    state: &AppState,
    e: Engagement,
    actor: &str,
) -> Result<meridian_store::StoredEngagement, AppError> {
    let stored = state.store.create_engagement(e, actor).await?;
    evaluate_and_record(state, &stored.id, actor).await?;
    Ok(stored)
}

/// Save an edit and evaluate the engagement again.
pub async fn update_and_evaluate(
    state: &AppState,
    id: &str,
    e: Engagement,
    expected_version: Option<i64>,
    actor: &str,
) -> Result<meridian_store::StoredEngagement, AppError> {
    let stored = state
        .store
        .update_engagement(id, e, expected_version, actor)
        .await?;
    evaluate_and_record(state, id, actor).await?;
    Ok(stored)
}

/// Load every list file under `dir` and build the index (blocking: call
/// from `spawn_blocking` or before the server starts).
pub fn load_index(dir: &std::path::Path) -> Result<LoadedIndex, meridian_screening::Error> {
    let lists = meridian_screening::load_lists_dir(dir)?;
    Ok(LoadedIndex::build(lists, &dir.display().to_string()))
}

const BASIS_KEY: &str = "evaluation_basis";

/// What an evaluation depends on besides the engagement: the list versions
/// (their SHA-256s), the policy pack and the country profiles.
pub fn evaluation_basis(state: &AppState) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    if let Some(l) = state.engines.lists() {
        let mut shas: Vec<&str> = l.versions.iter().map(|v| v.sha256.as_str()).collect();
        shas.sort_unstable();
        for s in shas {
            h.update(s.as_bytes());
        }
    }
    h.update(state.engines.policy().policy.sha256.as_bytes());
    h.update(serde_json::to_vec(&*state.engines.profiles()).unwrap_or_default());
    hex::encode(h.finalize())
}

/// Remember what the register was last evaluated against.
pub async fn mark_evaluated(state: &AppState) -> Result<(), AppError> {
    Ok(state
        .store
        .set_marker(BASIS_KEY, &evaluation_basis(state))
        .await?)
}

/// Re-evaluate every engagement when the lists, the pack or the profiles
/// differ from those of the last evaluation (at start-up, after a policy or
/// profile change); returns how many were evaluated (0 when nothing changed).
pub async fn evaluate_all(state: &AppState, actor: &str) -> Result<usize, AppError> {
    let basis = evaluation_basis(state);
    if state
        .store
        .setting(BASIS_KEY)
        .await?
        .is_some_and(|s| s.value == basis)
    {
        return Ok(0);
    }
    let n = crate::lists::reevaluate_register(state, actor, false)
        .await?
        .engagements;
    state.store.set_marker(BASIS_KEY, &basis).await?;
    Ok(n)
}

impl Engines {
    pub fn install_lists_with(&self, idx: LoadedIndex, fingerprint: String) {
        self.install_lists(idx);
        if let Ok(mut g) = self.lists_fingerprint.write() {
            *g = fingerprint;
        }
    }
    pub fn clear_lists(&self, fingerprint: String) {
        if let Ok(mut g) = self.lists.write() {
            *g = None;
        }
        if let Ok(mut g) = self.lists_fingerprint.write() {
            *g = fingerprint;
        }
    }
    pub fn lists_fingerprint(&self) -> String {
        self.lists_fingerprint
            .read()
            .map(|g| g.clone())
            .unwrap_or_default()
    }
    pub fn set_static_lists_dir(&self, dir: Option<std::path::PathBuf>) {
        if let Ok(mut g) = self.static_dir.write() {
            *g = dir;
        }
    }
    pub fn static_lists_dir(&self) -> Option<std::path::PathBuf> {
        self.static_dir.read().ok().and_then(|g| g.clone())
    }
    /// Swap in another (validated) policy pack.
    pub fn install_policy(&self, pack: PolicyPack) {
        if let Ok(mut g) = self.policy.write() {
            *g = Arc::new(pack);
        }
    }
}

impl Engines {
    pub fn install_profiles(&self, profiles: CountryProfiles) {
        if let Ok(mut g) = self.profiles.write() {
            *g = Arc::new(profiles);
        }
    }
}

pub const POLICY_KEY: &str = "policy_pack";
pub const PROFILES_KEY: &str = "country_profiles";

/// Install the policy pack and country profiles stored in the database (the
/// built-in pack when none is stored). A stored pack that no longer
/// validates is reported and the current one kept.
pub async fn load_settings(state: &AppState) -> Result<(), AppError> {
    match state.store.setting(POLICY_KEY).await? {
        Some(s) => match PolicyPack::from_toml(&s.value) {
            Ok(p) => state.engines.install_policy(p),
            Err(e) => {
                tracing::error!(error = %e, "the stored policy pack does not validate; keeping the current one")
            }
        },
        None => {
            if let Ok(p) = PolicyPack::default_pack() {
                state.engines.install_policy(p);
            }
        }
    }
    if let Some(s) = state.store.setting(PROFILES_KEY).await? {
        match serde_json::from_str::<CountryProfiles>(&s.value) {
            Ok(p) => state.engines.install_profiles(p),
            Err(e) => {
                tracing::error!(error = %e, "stored country profiles are unreadable; keeping the current ones")
            }
        }
    }
    Ok(())
}

/// Re-evaluate the whole register in the background (after a policy or
/// profile change), so the request that made the change returns at once.
pub fn reevaluate_in_background(state: &AppState, actor: &str) {
    let st = state.clone();
    let actor = actor.to_owned();
    tokio::spawn(async move {
        match evaluate_all(&st, &actor).await {
            Ok(n) => tracing::info!(engagements = n, "register re-evaluated"),
            Err(e) => tracing::warn!(error = ?e, "re-evaluation failed"),
        }
    });
}
