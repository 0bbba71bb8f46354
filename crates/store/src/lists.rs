//! List management in the database: configured sources, each version that
//! was fetched or imported (its files kept here so every app node loads the
//! very same bytes), the current/previous pointers for atomic swap and
//! rollback, and the alerts re-screening raises.

use crate::audit::{AuditEvent, append};
use crate::{Result, Store, StoreError, corrupt, new_id, now_text};
use base64::Engine;
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::BTreeMap;

/// File name → bytes, as fetched.
pub type ListFiles = BTreeMap<String, Vec<u8>>;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ListSource {
    pub id: String,
    /// The publisher format (`ofac_csv`, `un_xml`, `research_json`, `ca_nro_csv`, …).
    pub format: String,
    pub title: String,
    /// Official download addresses (one per file; OFAC ships four).
    pub urls: Vec<String>,
    pub enabled: bool,
    pub schedule_hours: i64,
    pub last_error: Option<String>,
    pub last_attempt_at: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ListVersionRecord {
    pub id: String,
    pub source_id: String,
    pub fetched_at: String,
    /// `download`, `import` or `rollback`.
    pub origin: String,
    pub sha256: String,
    pub entity_count: i64,
    pub row_issues: i64,
    /// `current`, `previous`, `superseded`, `refused` or `rolled_back`.
    pub status: String,
    pub note: String,
}

/// What a fetched version is, once parsed.
#[derive(Debug, Clone)]
pub struct NewListVersion {
    pub origin: String,
    pub sha256: String,
    pub entity_count: i64,
    pub row_issues: i64,
    pub note: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AlertRecord {
    pub id: String,
    pub engagement_id: String,
    pub engagement_title: String,
    pub subject: String,
    pub subject_name: String,
    pub source: String,
    pub entity_id: String,
    pub entry_fingerprint: String,
    pub matched_name: String,
    pub score: f64,
    /// `new match` or `stronger match (0.82 → 0.95)`.
    pub change: String,
    pub explanation: String,
    /// `open` or `dismissed`.
    pub status: String,
    pub created_at: String,
    pub dismissed_by: Option<String>,
    pub dismissed_at: Option<String>,
    pub dismissed_reason: Option<String>,
}

/// An alert to raise.
#[derive(Debug, Clone)]
pub struct NewAlert {
    pub engagement_id: String,
    pub subject: String,
    pub subject_name: String,
    pub source: String,
    pub entity_id: String,
    pub entry_fingerprint: String,
    pub matched_name: String,
    pub score: f64,
    pub change: String,
    pub explanation: String,
}

fn source_from_row(r: &AnyRow) -> Result<ListSource> {
    let urls: String = r.try_get("urls")?;
    Ok(ListSource {
        id: r.try_get("id")?,
        format: r.try_get("format")?,
        title: r.try_get("title")?,
        urls: serde_json::from_str(&urls).map_err(|e| corrupt("list_sources.urls", e))?,
        enabled: r.try_get::<i64, _>("enabled")? != 0,
        schedule_hours: r.try_get("schedule_hours")?,
        last_error: r.try_get("last_error")?,
        last_attempt_at: r.try_get("last_attempt_at")?,
    })
}

fn version_from_row(r: &AnyRow) -> Result<ListVersionRecord> {
    Ok(ListVersionRecord {
        id: r.try_get("id")?,
        source_id: r.try_get("source_id")?,
        fetched_at: r.try_get("fetched_at")?,
        origin: r.try_get("origin")?,
        sha256: r.try_get("sha256")?,
        entity_count: r.try_get("entity_count")?,
        row_issues: r.try_get("row_issues")?,
        status: r.try_get("status")?,
        note: r.try_get("note")?,
    })
}

const SOURCE_COLS: &str =
    "id, format, title, urls, enabled, schedule_hours, last_error, last_attempt_at";
const VERSION_COLS: &str =
    "id, source_id, fetched_at, origin, sha256, entity_count, row_issues, status, note";
const ALERT_COLS: &str = "a.id, a.engagement_id, e.title, a.subject, a.subject_name, a.source, a.entity_id, a.entry_fingerprint, a.matched_name, a.score, a.change, a.explanation, a.status, a.created_at, a.dismissed_by, a.dismissed_at, a.dismissed_reason";

fn encode_files(files: &ListFiles) -> String {
    let m: BTreeMap<&String, String> = files
        .iter()
        .map(|(k, v)| (k, base64::engine::general_purpose::STANDARD.encode(v)))
        .collect();
    serde_json::to_string(&m).unwrap_or_else(|_| "{}".into())
}

fn alert_from_row(r: &AnyRow) -> Result<AlertRecord> {
    Ok(AlertRecord {
        id: r.try_get("id")?,
        engagement_id: r.try_get("engagement_id")?,
        engagement_title: r.try_get("title")?,
        subject: r.try_get("subject")?,
        subject_name: r.try_get("subject_name")?,
        source: r.try_get("source")?,
        entity_id: r.try_get("entity_id")?,
        entry_fingerprint: r.try_get("entry_fingerprint")?,
        matched_name: r.try_get("matched_name")?,
        score: r.try_get("score")?,
        change: r.try_get("change")?,
        explanation: r.try_get("explanation")?,
        status: r.try_get("status")?,
        created_at: r.try_get("created_at")?,
        dismissed_by: r.try_get("dismissed_by")?,
        dismissed_at: r.try_get("dismissed_at")?,
        dismissed_reason: r.try_get("dismissed_reason")?,
    })
}

impl Store {
    /// Add a source if it is not configured yet (the built-in registry and
    /// custom sources); an existing source is left as the admin set it.
    pub async fn ensure_list_source(
        &self,
        id: &str,
        format: &str,
        title: &str,
        urls: &[String],
        schedule_hours: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO list_sources (id, format, title, urls, enabled, schedule_hours, created_at) VALUES ($1, $2, $3, $4, 1, $5, $6)
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(id)
        .bind(format)
        .bind(title)
        .bind(serde_json::to_string(urls).unwrap_or_else(|_| "[]".into()))
        .bind(schedule_hours)
        .bind(now_text())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn list_sources(&self) -> Result<Vec<ListSource>> {
        let sql = format!("SELECT {SOURCE_COLS} FROM list_sources ORDER BY id");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(source_from_row).collect()
    }

    pub async fn list_source(&self, id: &str) -> Result<Option<ListSource>> {
        let sql = format!("SELECT {SOURCE_COLS} FROM list_sources WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(source_from_row).transpose()
    }

    pub async fn set_list_source(
        &self,
        id: &str,
        enabled: bool,
        urls: Option<&[String]>,
        actor: &str,
    ) -> Result<()> {
        let mut w = self.write_tx().await?;
        let done = sqlx::query("UPDATE list_sources SET enabled = $1 WHERE id = $2")
            .bind(enabled as i64)
            .bind(id)
            .execute(&mut *w.tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        if let Some(urls) = urls {
            sqlx::query("UPDATE list_sources SET urls = $1 WHERE id = $2")
                .bind(serde_json::to_string(urls).unwrap_or_else(|_| "[]".into()))
                .bind(id)
                .execute(&mut *w.tx)
                .await?;
        }
        let ev = AuditEvent::new(actor, "list.configured", "list_source", id)
            .after(serde_json::json!({"enabled": enabled, "urls": urls}));
        append(&mut w.tx, self.backend, ev).await?;
        w.commit().await
    }

    /// Note the outcome of an update attempt (the error stays visible until
    /// the next success).
    pub async fn record_list_attempt(&self, id: &str, error: Option<&str>) -> Result<()> {
        sqlx::query("UPDATE list_sources SET last_error = $1, last_attempt_at = $2 WHERE id = $3")
            .bind(error)
            .bind(now_text())
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Make `files` the current version of `source_id`: the old current
    /// becomes `previous` (kept for rollback), an older previous is
    /// superseded and its files dropped. One transaction: readers see the old
    /// set or the new one, never a mix.
    pub async fn install_list_version(
        &self,
        source_id: &str,
        files: &ListFiles,
        v: &NewListVersion,
        actor: &str,
    ) -> Result<String> {
        let mut w = self.write_tx().await?;
        sqlx::query("UPDATE list_versions SET status = 'superseded', files = '{}' WHERE source_id = $1 AND status = 'previous'")
            .bind(source_id)
            .execute(&mut *w.tx)
            .await?;
        sqlx::query("UPDATE list_versions SET status = 'previous' WHERE source_id = $1 AND status = 'current'")
            .bind(source_id)
            .execute(&mut *w.tx)
            .await?;
        let id = new_id();
        sqlx::query(
            "INSERT INTO list_versions (id, source_id, fetched_at, origin, sha256, entity_count, row_issues, status, note, files)
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'current', $8, $9)",
        )
        .bind(&id)
        .bind(source_id)
        .bind(now_text())
        .bind(&v.origin)
        .bind(&v.sha256)
        .bind(v.entity_count)
        .bind(v.row_issues)
        .bind(&v.note)
        .bind(encode_files(files))
        .execute(&mut *w.tx)
        .await?;
        sqlx::query(
            "UPDATE list_sources SET last_error = NULL, last_attempt_at = $1 WHERE id = $2",
        )
        .bind(now_text())
        .bind(source_id)
        .execute(&mut *w.tx)
        .await?;
        let ev = AuditEvent::new(actor, "list.updated", "list_source", source_id)
            .after(serde_json::json!({"version": id, "sha256": v.sha256, "entities": v.entity_count, "origin": v.origin}))
            .reason(&v.note);
        append(&mut w.tx, self.backend, ev).await?;
        w.commit().await?;
        Ok(id)
    }

    /// Record a version that was refused (failed to parse, or shrank too
    /// much): shown to admins; the current version keeps serving.
    pub async fn record_refused_version(
        &self,
        source_id: &str,
        v: &NewListVersion,
        reason: &str,
        actor: &str,
    ) -> Result<()> {
        let mut w = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO list_versions (id, source_id, fetched_at, origin, sha256, entity_count, row_issues, status, note, files)
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'refused', $8, '{}')",
        )
        .bind(new_id())
        .bind(source_id)
        .bind(now_text())
        .bind(&v.origin)
        .bind(&v.sha256)
        .bind(v.entity_count)
        .bind(v.row_issues)
        .bind(reason)
        .execute(&mut *w.tx)
        .await?;
        sqlx::query("UPDATE list_sources SET last_error = $1, last_attempt_at = $2 WHERE id = $3")
            .bind(reason)
            .bind(now_text())
            .bind(source_id)
            .execute(&mut *w.tx)
            .await?;
        let ev = AuditEvent::new(actor, "list.refused", "list_source", source_id).reason(reason);
        append(&mut w.tx, self.backend, ev).await?;
        w.commit().await
    }

    /// Put the previous version back; the current one is marked rolled back.
    pub async fn rollback_list(&self, source_id: &str, actor: &str) -> Result<()> {
        let mut w = self.write_tx().await?;
        let prev = sqlx::query(
            "SELECT id FROM list_versions WHERE source_id = $1 AND status = 'previous'",
        )
        .bind(source_id)
        .fetch_optional(&mut *w.tx)
        .await?;
        let Some(prev) = prev else {
            return Err(StoreError::Conflict(format!(
                "{source_id} has no previous version to roll back to"
            )));
        };
        let prev_id: String = prev.try_get("id")?;
        sqlx::query("UPDATE list_versions SET status = 'rolled_back', files = '{}' WHERE source_id = $1 AND status = 'current'")
            .bind(source_id)
            .execute(&mut *w.tx)
            .await?;
        sqlx::query("UPDATE list_versions SET status = 'current' WHERE id = $1")
            .bind(&prev_id)
            .execute(&mut *w.tx)
            .await?;
        let ev = AuditEvent::new(actor, "list.rolled_back", "list_source", source_id)
            .after(serde_json::json!({"version": prev_id}));
        append(&mut w.tx, self.backend, ev).await?;
        w.commit().await
    }

    /// Newest first.
    pub async fn list_versions(
        &self,
        source_id: &str,
        limit: u32,
    ) -> Result<Vec<ListVersionRecord>> {
        let sql = format!(
            "SELECT {VERSION_COLS} FROM list_versions WHERE source_id = $1 ORDER BY fetched_at DESC, id DESC LIMIT {}",
            limit.clamp(1, 500)
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(source_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(version_from_row).collect()
    }

    pub async fn current_list_versions(&self) -> Result<Vec<ListVersionRecord>> {
        let sql = format!(
            "SELECT {VERSION_COLS} FROM list_versions WHERE status = 'current' ORDER BY source_id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(version_from_row).collect()
    }

    /// The files of a stored version.
    pub async fn list_version_files(&self, version_id: &str) -> Result<ListFiles> {
        let r = sqlx::query("SELECT files FROM list_versions WHERE id = $1")
            .bind(version_id)
            .fetch_optional(&self.pool)
            .await?;
        let files: String = r.ok_or(StoreError::NotFound)?.try_get("files")?;
        let m: BTreeMap<String, String> =
            serde_json::from_str(&files).map_err(|e| corrupt("list_versions.files", e))?;
        m.into_iter()
            .map(|(k, v)| {
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(v)
                    .map_err(|e| corrupt("list_versions.files", e))?;
                Ok((k, bytes))
            })
            .collect()
    }

    /// Raise an alert unless an open one exists for the same engagement and
    /// entry, or a dismissed one for the same unchanged entry. Returns
    /// whether it was raised.
    pub async fn raise_alert(&self, a: &NewAlert) -> Result<bool> {
        let mut w = self.write_tx().await?;
        let existing = sqlx::query(
            "SELECT status, entry_fingerprint, score FROM alerts WHERE engagement_id = $1 AND source = $2 AND entity_id = $3 AND subject = $4",
        )
        .bind(&a.engagement_id)
        .bind(&a.source)
        .bind(&a.entity_id)
        .bind(&a.subject)
        .fetch_all(&mut *w.tx)
        .await?;
        for r in &existing {
            let status: String = r.try_get("status")?;
            let fp: String = r.try_get("entry_fingerprint")?;
            let score: f64 = r.try_get("score")?;
            let same_entry = fp == a.entry_fingerprint;
            if (status == "open" && a.score <= score + 1e-9)
                || (status == "dismissed" && same_entry)
            {
                return Ok(false);
            }
        }
        let id = new_id();
        sqlx::query(
            "INSERT INTO alerts (id, engagement_id, subject, subject_name, source, entity_id, entry_fingerprint, matched_name, score, change, explanation, status, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'open', $12)",
        )
        .bind(&id)
        .bind(&a.engagement_id)
        .bind(&a.subject)
        .bind(&a.subject_name)
        .bind(&a.source)
        .bind(&a.entity_id)
        .bind(&a.entry_fingerprint)
        .bind(&a.matched_name)
        .bind(a.score)
        .bind(&a.change)
        .bind(&a.explanation)
        .bind(now_text())
        .execute(&mut *w.tx)
        .await?;
        let ev = AuditEvent::new("system", "alert.raised", "engagement", &a.engagement_id)
            .after(serde_json::json!({"alert": id, "source": a.source, "entity_id": a.entity_id, "score": a.score, "change": a.change}));
        append(&mut w.tx, self.backend, ev).await?;
        crate::workflow::require_review_in_tx(
            &mut w.tx,
            self.backend,
            &a.engagement_id,
            &format!(
                "screening alert: {} {} on {} ({})",
                a.subject_name, a.change, a.source, a.matched_name
            ),
        )
        .await?;
        w.commit().await?;
        Ok(true)
    }

    /// Open alerts (for one engagement, or all), newest first.
    pub async fn alerts(
        &self,
        engagement_id: Option<&str>,
        only_open: bool,
    ) -> Result<Vec<AlertRecord>> {
        let mut sql = format!(
            "SELECT {ALERT_COLS} FROM alerts a JOIN engagements e ON e.id = a.engagement_id WHERE 1 = 1"
        );
        if engagement_id.is_some() {
            sql.push_str(" AND a.engagement_id = $1");
        }
        if only_open {
            sql.push_str(" AND a.status = 'open'");
        }
        sql.push_str(" ORDER BY a.created_at DESC, a.id");
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        if let Some(e) = engagement_id {
            q = q.bind(e.to_owned());
        }
        let rows = q.fetch_all(&self.pool).await?;
        rows.iter().map(alert_from_row).collect()
    }

    /// Dismiss an alert, recording who, when and why.
    pub async fn dismiss_alert(&self, alert_id: &str, actor: &str, reason: &str) -> Result<()> {
        if reason.trim().is_empty() {
            return Err(StoreError::Invalid(meridian_domain::FieldErrors::single(
                "reason",
                "say why the alert is dismissed",
            )));
        }
        let mut w = self.write_tx().await?;
        let row = sqlx::query("SELECT engagement_id FROM alerts WHERE id = $1 AND status = 'open'")
            .bind(alert_id)
            .fetch_optional(&mut *w.tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        let engagement_id: String = row.try_get("engagement_id")?;
        sqlx::query("UPDATE alerts SET status = 'dismissed', dismissed_by = $1, dismissed_at = $2, dismissed_reason = $3 WHERE id = $4")
            .bind(actor)
            .bind(now_text())
            .bind(reason.trim())
            .bind(alert_id)
            .execute(&mut *w.tx)
            .await?;
        let ev = AuditEvent::new(actor, "alert.dismissed", "engagement", &engagement_id)
            .after(serde_json::json!({"alert": alert_id}))
            .reason(reason.trim());
        append(&mut w.tx, self.backend, ev).await?;
        w.commit().await
    }
}
