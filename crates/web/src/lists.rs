//! List management: the registry of official sources, downloads that are
//! parsed in full before anything changes, sanity checks (a version that
//! fails to parse or loses more than 20% of its entities is refused unless
//! forced), the atomic swap of the in-memory index, multi-node reload, and
//! re-screening with alerts after every change. A failed download never
//! stops the server and never empties a list.

use crate::engines::LoadedIndex;
use crate::{AppError, AppState};
use meridian_screening::{LoadedLists, load_lists_dir};
use meridian_store::{ListFiles, NewAlert, NewListVersion};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::path::Path;
use std::time::Duration;

/// A version may shrink by at most this share before it is refused.
pub const MAX_DROP: f64 = 0.20;

/// A built-in source: where the publisher puts it, and the file names the
/// screening loader recognises.
pub struct SourceSpec {
    pub id: &'static str,
    pub format: &'static str,
    pub title: &'static str,
    /// (official URL, file name to store it as)
    pub files: &'static [(&'static str, &'static str)],
}

/// Official feeds Meridian can fetch and parse today. Research-security
/// lists published as PDFs or web pages are loaded with `lists import`.
pub const REGISTRY: &[SourceSpec] = &[
    SourceSpec {
        id: "us_ofac_sdn",
        format: "ofac_csv",
        title: "US Treasury OFAC Specially Designated Nationals",
        files: &[
            ("https://www.treasury.gov/ofac/downloads/sdn.csv", "sdn.csv"),
            ("https://www.treasury.gov/ofac/downloads/alt.csv", "alt.csv"),
            ("https://www.treasury.gov/ofac/downloads/add.csv", "add.csv"),
            (
                "https://www.treasury.gov/ofac/downloads/sdn_comments.csv",
                "sdn_comments.csv",
            ),
        ],
    },
    SourceSpec {
        id: "us_ofac_cons",
        format: "ofac_csv",
        title: "US Treasury OFAC Consolidated (non-SDN) list",
        files: &[
            (
                "https://www.treasury.gov/ofac/downloads/consolidated/cons_prim.csv",
                "cons_prim.csv",
            ),
            (
                "https://www.treasury.gov/ofac/downloads/consolidated/cons_alt.csv",
                "cons_alt.csv",
            ),
            (
                "https://www.treasury.gov/ofac/downloads/consolidated/cons_add.csv",
                "cons_add.csv",
            ),
            (
                "https://www.treasury.gov/ofac/downloads/consolidated/cons_comments.csv",
                "cons_comments.csv",
            ),
        ],
    },
    SourceSpec {
        id: "un_sc",
        format: "un_xml",
        title: "UN Security Council Consolidated List",
        files: &[(
            "https://scsanctions.un.org/resources/xml/en/consolidated.xml",
            "consolidated.xml",
        )],
    },
    SourceSpec {
        id: "uk_sanctions_list",
        format: "uk_sanctions_csv",
        title: "UK Sanctions List (FCDO)",
        files: &[(
            "https://sanctionslist.fcdo.gov.uk/docs/UK-Sanctions-List.csv",
            "UK-Sanctions-List.csv",
        )],
    },
    SourceSpec {
        id: "uk_ofsi",
        format: "ofsi_csv",
        title: "UK OFSI Consolidated List of Asset Freeze Targets",
        files: &[(
            "https://ofsistorage.blob.core.windows.net/publishlive/2022format/ConList.csv",
            "ConList.csv",
        )],
    },
    SourceSpec {
        id: "eu_fsf",
        format: "eu_fsf_xml",
        title: "EU Financial Sanctions File",
        files: &[(
            "https://webgate.ec.europa.eu/fsd/fsf/public/files/xmlFullSanctionsList_1_1/content?token=dG9rZW4tMjAxNw",
            "eu_fsf.xml",
        )],
    },
    SourceSpec {
        id: "us_bis_dpl",
        format: "bis_dpl_tsv",
        title: "US Commerce BIS Denied Persons List",
        files: &[("https://www.bis.doc.gov/dpl/dpl.txt", "dpl.txt")],
    },
];

/// Make sure every built-in source is configured.
pub async fn ensure_registry(state: &AppState) -> Result<(), AppError> {
    for s in REGISTRY {
        let urls: Vec<String> = s.files.iter().map(|(u, _)| (*u).to_owned()).collect();
        state
            .store
            .ensure_list_source(s.id, s.format, s.title, &urls, 24)
            .await?;
    }
    Ok(())
}

fn file_names(source_id: &str, count: usize) -> Vec<String> {
    match REGISTRY.iter().find(|s| s.id == source_id) {
        Some(s) => s.files.iter().map(|(_, n)| (*n).to_owned()).collect(),
        None => (0..count).map(|i| format!("file{i}")).collect(),
    }
}

/// What one update did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UpdateReport {
    pub source: String,
    /// `installed`, `unchanged` or `refused`.
    pub result: String,
    pub message: String,
    pub entities: i64,
    pub previous_entities: Option<i64>,
    pub rescreen: Option<RescreenReport>,
}

#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct RescreenReport {
    pub engagements: usize,
    pub parties: usize,
    pub alerts_raised: usize,
    pub millis: u128,
}

fn sha256_files(files: &ListFiles) -> String {
    let mut h = Sha256::new();
    for (name, bytes) in files {
        h.update(name.as_bytes());
        h.update(hex::encode(Sha256::digest(bytes)).as_bytes());
    }
    hex::encode(h.finalize())
}

/// Parse a set of files as a list, fully, in a scratch directory.
fn parse_files(files: &ListFiles) -> Result<LoadedLists, String> {
    let dir = tempfile::tempdir().map_err(|e| format!("scratch directory: {e}"))?;
    for (name, bytes) in files {
        let safe: String = name
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || "._-".contains(*c))
            .collect();
        std::fs::write(dir.path().join(safe), bytes).map_err(|e| format!("scratch file: {e}"))?;
    }
    load_lists_dir(dir.path()).map_err(|e| e.to_string())
}

async fn download(
    urls: &[String],
    names: &[String],
    timeout: Duration,
) -> Result<ListFiles, String> {
    crate::init_tls();
    let client = reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(Duration::from_secs(20))
        .user_agent(concat!(
            "Meridian/",
            env!("CARGO_PKG_VERSION"),
            " (restricted-party list update)"
        ))
        .build()
        .map_err(|e| format!("HTTP client: {e}"))?;
    let mut files = ListFiles::new();
    for (i, (url, name)) in urls.iter().zip(names).enumerate() {
        let resp = client
            .get(url)
            .send()
            .await
            .map_err(|e| format!("{url}: {e}"))?;
        let status = resp.status();
        if !status.is_success() {
            return Err(format!("{url}: the server answered {status}"));
        }
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| format!("{url}: the download broke off ({e})"))?;
        // The primary file must have content; companion files (comments) may be empty.
        if bytes.is_empty() && i == 0 {
            return Err(format!("{url}: the file is empty"));
        }
        files.insert(name.clone(), bytes.to_vec());
    }
    Ok(files)
}

/// Download a configured source now and install it if it passes the checks.
pub async fn update_source(
    state: &AppState,
    source_id: &str,
    force: bool,
    actor: &str,
) -> Result<UpdateReport, AppError> {
    let src = state
        .store
        .list_source(source_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if src.urls.is_empty() {
        return Err(AppError::BadRequest(format!(
            "{source_id} has no download address; load it with an import"
        )));
    }
    let names = file_names(source_id, src.urls.len());
    match download(
        &src.urls,
        &names,
        Duration::from_secs(state.config.download_timeout_secs),
    )
    .await
    {
        Ok(files) => install(state, source_id, files, "download", force, actor).await,
        Err(e) => {
            let msg = format!("download failed: {e}; the current version keeps serving");
            state
                .store
                .record_list_attempt(source_id, Some(&msg))
                .await?;
            state
                .store
                .audit(
                    meridian_store::AuditEvent::new(
                        actor,
                        "list.download_failed",
                        "list_source",
                        source_id,
                    )
                    .reason(&msg),
                )
                .await?;
            tracing::warn!(source = source_id, error = %e, "list download failed");
            Ok(UpdateReport {
                source: source_id.into(),
                result: "refused".into(),
                message: msg,
                entities: 0,
                previous_entities: None,
                rescreen: None,
            })
        }
    }
}

/// Check a set of files and, if it passes, make it the source's current
/// version, swap the index and re-screen.
pub async fn install(
    state: &AppState,
    source_id: &str,
    files: ListFiles,
    origin: &str,
    force: bool,
    actor: &str,
) -> Result<UpdateReport, AppError> {
    let sha256 = sha256_files(&files);
    let current = state
        .store
        .current_list_versions()
        .await?
        .into_iter()
        .find(|v| v.source_id == source_id);
    let previous_entities = current.as_ref().map(|v| v.entity_count);
    if current.as_ref().is_some_and(|v| v.sha256 == sha256) {
        state.store.record_list_attempt(source_id, None).await?;
        return Ok(UpdateReport {
            source: source_id.into(),
            result: "unchanged".into(),
            message: "same content as the current version".into(),
            entities: previous_entities.unwrap_or(0),
            previous_entities,
            rescreen: None,
        });
    }
    let f2 = files.clone();
    let parsed = tokio::task::spawn_blocking(move || parse_files(&f2))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let mut meta = NewListVersion {
        origin: origin.into(),
        sha256,
        entity_count: 0,
        row_issues: 0,
        note: String::new(),
    };
    let refuse = |meta: NewListVersion, reason: String| async move {
        state
            .store
            .record_refused_version(source_id, &meta, &reason, actor)
            .await?;
        tracing::warn!(source = source_id, %reason, "list version refused");
        Ok::<_, AppError>(UpdateReport {
            source: source_id.into(),
            result: "refused".into(),
            message: reason,
            entities: meta.entity_count,
            previous_entities,
            rescreen: None,
        })
    };
    let lists = match parsed {
        Ok(l) => l,
        Err(e) => return refuse(
            meta,
            format!(
                "refused: the new version does not parse ({e}); the current version keeps serving"
            ),
        )
        .await,
    };
    let count = lists
        .versions
        .iter()
        .filter(|v| v.source == source_id)
        .map(|v| v.entity_count)
        .sum::<usize>() as i64;
    let other: Vec<String> = lists
        .versions
        .iter()
        .filter(|v| v.source != source_id)
        .map(|v| v.source.clone())
        .collect();
    meta.entity_count = count;
    meta.row_issues = lists.issues.len() as i64;
    if count == 0 {
        let found = if other.is_empty() {
            String::new()
        } else {
            format!(" (found {} instead)", other.join(", "))
        };
        return refuse(meta, format!("refused: the new version holds no {source_id} entries{found}; the current version keeps serving")).await;
    }
    if let Some(prev) = previous_entities {
        let floor = (prev as f64 * (1.0 - MAX_DROP)).ceil() as i64;
        if count < floor && !force {
            let reason = format!(
                "refused: the new version has {count} entities, {:.0}% fewer than the current {prev} (more than {:.0}% is suspicious: truncated download?); force the update if the list really shrank",
                100.0 * (prev - count) as f64 / prev as f64,
                MAX_DROP * 100.0
            );
            return refuse(meta, reason).await;
        }
        if count < floor {
            meta.note = format!("forced by {actor}: {count} entities after {prev}");
        }
    }
    if meta.row_issues > 0 && meta.note.is_empty() {
        meta.note = format!("{} malformed rows skipped", meta.row_issues);
    }
    state
        .store
        .install_list_version(source_id, &files, &meta, actor)
        .await?;
    reload_index(state).await?;
    let rescreen = rescreen_all(state).await?;
    Ok(UpdateReport {
        source: source_id.into(),
        result: "installed".into(),
        message: format!("installed {count} entities"),
        entities: count,
        previous_entities,
        rescreen: Some(rescreen),
    })
}

/// Import list files for a source (a custom watchlist, or a list whose
/// publisher offers no machine-readable feed).
pub async fn import(
    state: &AppState,
    source_id: &str,
    format: &str,
    files: ListFiles,
    force: bool,
    actor: &str,
) -> Result<UpdateReport, AppError> {
    if source_id.is_empty()
        || !source_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return Err(meridian_domain::FieldErrors::single(
            "source",
            "use letters, digits and '_' (e.g. us_bis_entity_list)",
        )
        .into());
    }
    // A custom watchlist's source id comes from its file name
    // (`custom_<stem>`): store a single file under the name that yields this id.
    let files = match source_id.strip_prefix("custom_") {
        Some(stem) if files.len() == 1 => files
            .into_values()
            .map(|bytes| (format!("{stem}.csv"), bytes))
            .collect(),
        _ => files,
    };
    state
        .store
        .ensure_list_source(source_id, format, source_id, &[], 0)
        .await?;
    install(state, source_id, files, "import", force, actor).await
}

/// Roll a source back to its previous version, then swap and re-screen.
pub async fn rollback(
    state: &AppState,
    source_id: &str,
    actor: &str,
) -> Result<RescreenReport, AppError> {
    state.store.rollback_list(source_id, actor).await?;
    reload_index(state).await?;
    rescreen_all(state).await
}

/// Build the index from every current managed version (plus any static
/// lists directory) and swap it in whole. Returns the fingerprint installed.
pub async fn reload_index(state: &AppState) -> Result<String, AppError> {
    let versions = state.store.current_list_versions().await?;
    let fingerprint: String = versions
        .iter()
        .map(|v| v.id.as_str())
        .collect::<Vec<_>>()
        .join(",");
    let mut sets = Vec::new();
    for v in &versions {
        sets.push((
            v.source_id.clone(),
            state.store.list_version_files(&v.id).await?,
        ));
    }
    let static_dir = state.engines.static_lists_dir();
    let built = tokio::task::spawn_blocking(move || -> Result<Option<LoadedIndex>, String> {
        let root = tempfile::tempdir().map_err(|e| e.to_string())?;
        for (source, files) in &sets {
            let dir = root.path().join(source);
            std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
            for (name, bytes) in files {
                std::fs::write(dir.join(name), bytes).map_err(|e| e.to_string())?;
            }
        }
        let mut all = LoadedLists::default();
        let mut sources = Vec::new();
        if !sets.is_empty() {
            merge(
                &mut all,
                load_lists_dir(root.path()).map_err(|e| e.to_string())?,
            );
            sources.push("database".to_owned());
        }
        if let Some(d) = static_dir.as_deref().filter(|d| Path::new(d).is_dir()) {
            match load_lists_dir(d) {
                Ok(l) => {
                    merge(&mut all, l);
                    sources.push(d.display().to_string());
                }
                Err(e) => tracing::warn!(dir = %d.display(), error = %e, "static lists directory not loaded"),
            }
        }
        if all.entities.is_empty() {
            return Ok(None);
        }
        Ok(Some(LoadedIndex::build(all, &sources.join(" + "))))
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
    .map_err(AppError::Internal)?;
    match built {
        Some(idx) => state.engines.install_lists_with(idx, fingerprint.clone()),
        None => state.engines.clear_lists(fingerprint.clone()),
    }
    Ok(fingerprint)
}

fn merge(into: &mut LoadedLists, from: LoadedLists) {
    into.entities.extend(from.entities);
    into.versions.extend(from.versions);
    into.issues.extend(from.issues);
    into.skipped.extend(from.skipped);
}

/// Every node polls the current versions and reloads when another node
/// installed a new one (the database is the source of truth).
pub async fn follow_versions(state: AppState, every: Duration) {
    let mut tick = tokio::time::interval(every);
    let mut settings_seen = state.store.settings_fingerprint().await.unwrap_or_default();
    loop {
        tick.tick().await;
        if let Ok(fp) = state.store.settings_fingerprint().await
            && fp != settings_seen
        {
            settings_seen = fp;
            if let Err(e) = crate::engines::load_settings(&state).await {
                tracing::warn!(error = ?e, "could not reload settings");
            }
        }
        let Ok(versions) = state.store.current_list_versions().await else {
            continue;
        };
        let fp: String = versions
            .iter()
            .map(|v| v.id.as_str())
            .collect::<Vec<_>>()
            .join(",");
        if fp != state.engines.lists_fingerprint() {
            match reload_index(&state).await {
                Ok(_) => tracing::info!("reloaded lists installed by another node"),
                Err(e) => tracing::warn!(error = ?e, "could not reload lists"),
            }
        }
    }
}

/// Re-screen every engagement against the current index; raise an alert for
/// each new or stronger match (not for one dismissed for the same entry).
pub async fn rescreen_all(state: &AppState) -> Result<RescreenReport, AppError> {
    let report = reevaluate_register(state, "system", true).await?;
    crate::engines::mark_evaluated(state).await?;
    Ok(report)
}

/// Screen and assess every live engagement again, in parallel, and record
/// the results in batches; with `alerts`, compare each subject's matches with
/// its previous screening and raise alerts for new or stronger ones.
pub async fn reevaluate_register(
    state: &AppState,
    actor: &str,
    alerts: bool,
) -> Result<RescreenReport, AppError> {
    let started = std::time::Instant::now();
    let docs = state.store.live_engagements_versioned().await?;
    let before = state.store.latest_screenings_all().await?;
    let outcomes = state.store.latest_outcomes_all().await?;
    let st = state.clone();
    let evaluated = tokio::task::spawn_blocking(move || evaluate_many(&st, docs))
        .await
        .map_err(|e| AppError::Internal(format!("re-screening task: {e}")))?;

    let mut report = RescreenReport::default();
    let mut batch = Vec::with_capacity(500);
    let mut to_alert = Vec::new();
    for (id, version, screening, assessment) in evaluated {
        report.engagements += 1;
        report.parties += screening.subjects.len();
        let hits: i64 = screening
            .subjects
            .iter()
            .map(|s| s.matches.len() as i64)
            .sum();
        let a = serde_json::to_value(&assessment).map_err(|e| AppError::Internal(e.to_string()))?;
        let outcome = a["outcome"].as_str().unwrap_or_default().to_owned();
        let prev = before.get(&id);
        let changed = (outcomes.get(&id) != Some(&outcome) || prev.map(|p| p.hits) != Some(hits))
            .then(
                || serde_json::json!({"outcome": outcomes.get(&id), "hits": prev.map(|p| p.hits)}),
            );
        if alerts {
            let old: Option<crate::engines::ScreeningView> =
                prev.and_then(|p| serde_json::from_value(p.result.clone()).ok());
            to_alert.extend(new_or_stronger(&id, old.as_ref(), &screening));
        }
        let ev = meridian_store::Evaluation {
            engagement_version: version,
            screening_ok: screening.ok,
            hits,
            screening: serde_json::to_value(&screening)
                .map_err(|e| AppError::Internal(e.to_string()))?,
            policy: (
                assessment.policy.name.clone(),
                assessment.policy.version.clone(),
                assessment.policy.sha256.clone(),
            ),
            outcome,
            route: a["route"].as_str().unwrap_or_default().to_owned(),
            assessment: a,
        };
        batch.push((id, ev, changed));
        if batch.len() == 500 {
            state.store.record_evaluations(&batch, actor).await?;
            batch.clear();
        }
    }
    state.store.record_evaluations(&batch, actor).await?;
    let idx = state.engines.lists();
    for mut alert in to_alert {
        alert.entry_fingerprint = idx
            .as_ref()
            .and_then(|i| {
                i.index
                    .entities()
                    .iter()
                    .find(|e| e.source == alert.source && e.entity_id == alert.entity_id)
            })
            .map(|e| hex::encode(Sha256::digest(serde_json::to_vec(e).unwrap_or_default())))
            .unwrap_or_default();
        if state.store.raise_alert(&alert).await? {
            report.alerts_raised += 1;
            if state.config.smtp.is_some() {
                let raised = state.store.alerts(Some(&alert.engagement_id), true).await?;
                if let Some(rec) = raised.iter().find(|a| {
                    a.source == alert.source
                        && a.entity_id == alert.entity_id
                        && a.subject == alert.subject
                }) {
                    crate::notify::alert_raised(state, rec).await;
                }
            }
        }
    }
    report.millis = started.elapsed().as_millis();
    Ok(report)
}

/// Screen and assess engagements on every core (the index is shared read-only).
fn evaluate_many(
    state: &AppState,
    docs: Vec<(String, i64, meridian_domain::Engagement)>,
) -> Vec<(
    String,
    i64,
    crate::engines::ScreeningView,
    meridian_risk::Assessment,
)> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 16);
    let chunk = docs.len().div_ceil(threads).max(1);
    let lists = state.engines.lists();
    let policy = state.engines.policy();
    let profiles = state.engines.profiles();
    std::thread::scope(|scope| {
        let handles: Vec<_> = docs
            .chunks(chunk)
            .map(|part| {
                let (lists, policy, profiles) = (lists.clone(), policy.clone(), profiles.clone());
                scope.spawn(move || {
                    part.iter()
                        .map(|(id, version, e)| {
                            let (screening, hits) =
                                crate::engines::screen_engagement(e, lists.as_deref());
                            let a = meridian_risk::assess(e, &hits, &profiles, &policy);
                            (id.clone(), *version, screening, a)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    })
}

/// Matches in `now` that are new against `before`, or stronger by more than 0.02.
fn new_or_stronger(
    id: &str,
    before: Option<&crate::engines::ScreeningView>,
    now: &crate::engines::ScreeningView,
) -> Vec<NewAlert> {
    let mut out = Vec::new();
    for s in &now.subjects {
        for m in &s.matches {
            let old = before.and_then(|b| {
                b.subjects
                    .iter()
                    .find(|x| x.subject == s.subject)
                    .and_then(|x| {
                        x.matches
                            .iter()
                            .find(|o| o.source == m.source && o.entity_id == m.entity_id)
                    })
            });
            let change = match old {
                None => "new match".to_owned(),
                Some(o) if m.score > o.score + 0.02 => {
                    format!("stronger match ({:.2} → {:.2})", o.score, m.score)
                }
                Some(_) => continue,
            };
            out.push(NewAlert {
                engagement_id: id.to_owned(),
                subject: s.subject.clone(),
                subject_name: s.name.clone(),
                source: m.source.clone(),
                entity_id: m.entity_id.clone(),
                entry_fingerprint: String::new(),
                matched_name: m.matched_name.clone(),
                score: f64::from(m.score),
                change,
                explanation: m.explanation_text.clone(),
            });
        }
    }
    out
}

/// Download every enabled source whose schedule is due (its last attempt is
/// older than its `schedule_hours`). Opt-in: run by `serve` only when
/// scheduled updates are switched on.
pub async fn run_due_updates(state: &AppState) -> Result<Vec<UpdateReport>, AppError> {
    let now = time::OffsetDateTime::now_utc();
    let mut out = Vec::new();
    for s in state.store.list_sources().await? {
        if !s.enabled || s.urls.is_empty() || s.schedule_hours <= 0 {
            continue;
        }
        let due = match s.last_attempt_at.as_deref() {
            None => true,
            Some(t) => {
                let cutoff =
                    meridian_store::time_text(now - time::Duration::hours(s.schedule_hours));
                t < cutoff.as_str()
            }
        };
        if due {
            out.push(update_source(state, &s.id, false, "scheduler").await?);
        }
    }
    Ok(out)
}
