//! The audit trail in the database: appends chained with the `audit` crate
//! inside the same transaction as the change they record (so a rolled-back
//! change leaves no record, and a committed one always has one), serialised so
//! that two appenders never fork the chain: SQLite's writer lock, or a
//! transaction-scoped advisory lock on PostgreSQL.

use crate::{Backend, Result, Store, corrupt, now_text};
use meridian_audit::{AuditEntry, Broken, ChainedRecord, GENESIS, Verifier, chain};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

/// Advisory lock id for audit appends on PostgreSQL.
const AUDIT_LOCK: i64 = 0x4d45_5249_4449_414e; // "MERIDIAN"

/// What to record; `at` is filled in at append time.
#[derive(Debug, Clone, Default)]
pub struct AuditEvent {
    pub actor: String,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub reason: String,
}

impl AuditEvent {
    pub fn new(actor: &str, action: &str, object_type: &str, object_id: &str) -> Self {
        AuditEvent {
            actor: actor.to_owned(),
            action: action.to_owned(),
            object_type: object_type.to_owned(),
            object_id: object_id.to_owned(),
            ..Default::default()
        }
    }
    pub fn before(mut self, v: impl Serialize) -> Self {
        self.before = serde_json::to_value(v).ok();
        self
    }
    pub fn after(mut self, v: impl Serialize) -> Self {
        self.after = serde_json::to_value(v).ok();
        self
    }
    pub fn reason(mut self, r: impl Into<String>) -> Self {
        self.reason = r.into();
        self
    }
}

pub(crate) async fn append(
    conn: &mut AnyConnection,
    backend: Backend,
    ev: AuditEvent,
) -> Result<ChainedRecord> {
    if backend == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(AUDIT_LOCK)
            .execute(&mut *conn)
            .await?;
    }
    let last = sqlx::query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        .fetch_optional(&mut *conn)
        .await?;
    let (seq, prev) = match last {
        Some(r) => (
            r.try_get::<i64, _>("seq")? + 1,
            r.try_get::<String, _>("hash")?,
        ),
        None => (1, GENESIS.to_owned()),
    };
    let entry = AuditEntry {
        at: now_text(),
        actor: ev.actor,
        action: ev.action,
        object_type: ev.object_type,
        object_id: ev.object_id,
        before_digest: ev
            .before
            .as_ref()
            .map(meridian_audit::digest_json)
            .unwrap_or_default(),
        after_digest: ev
            .after
            .as_ref()
            .map(meridian_audit::digest_json)
            .unwrap_or_default(),
        reason: ev.reason,
    };
    let rec = chain(seq, entry, &prev);
    sqlx::query(
        "INSERT INTO audit_log (seq, at, actor, action, object_type, object_id, before_digest, after_digest, reason, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(rec.seq)
    .bind(&rec.entry.at)
    .bind(&rec.entry.actor)
    .bind(&rec.entry.action)
    .bind(&rec.entry.object_type)
    .bind(&rec.entry.object_id)
    .bind(&rec.entry.before_digest)
    .bind(&rec.entry.after_digest)
    .bind(&rec.entry.reason)
    .bind(&rec.prev_hash)
    .bind(&rec.hash)
    .execute(&mut *conn)
    .await?;
    Ok(rec)
}

fn record_from_row(r: &AnyRow) -> Result<ChainedRecord> {
    Ok(ChainedRecord {
        seq: r.try_get("seq")?,
        entry: AuditEntry {
            at: r.try_get("at")?,
            actor: r.try_get("actor")?,
            action: r.try_get("action")?,
            object_type: r.try_get("object_type")?,
            object_id: r.try_get("object_id")?,
            before_digest: r.try_get("before_digest")?,
            after_digest: r.try_get("after_digest")?,
            reason: r.try_get("reason")?,
        },
        prev_hash: r.try_get("prev_hash")?,
        hash: r.try_get("hash")?,
    })
}

const COLS: &str = "seq, at, actor, action, object_type, object_id, before_digest, after_digest, reason, prev_hash, hash";

/// Filters for the audit pages.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    pub actor: Option<String>,
    pub action_prefix: Option<String>,
    pub limit: u32,
}

impl Store {
    /// Record an event on its own (for events that change nothing else, such
    /// as a failed login or an export).
    pub async fn audit(&self, ev: AuditEvent) -> Result<ChainedRecord> {
        let mut w = self.write_tx().await?;
        let rec = append(&mut w.tx, self.backend, ev).await?;
        w.commit().await?;
        Ok(rec)
    }

    /// Walk the whole chain in pages and report the first broken link.
    pub async fn verify_audit(&self) -> Result<Result<u64, Broken>> {
        let mut v = Verifier::default();
        let mut after: i64 = -1;
        let mut position: u64 = 0;
        loop {
            let sql =
                format!("SELECT {COLS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT 1000");
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(after)
                .fetch_all(&self.pool)
                .await?;
            if rows.is_empty() {
                return Ok(Ok(position));
            }
            for r in &rows {
                let rec = record_from_row(r)?;
                if let Err(b) = v.check(&rec) {
                    return Ok(Err(b));
                }
                position += 1;
                after = rec.seq;
            }
        }
    }

    /// Every record in order, for export (streamed in pages by the caller's loop).
    pub async fn audit_page(&self, after_seq: i64, limit: u32) -> Result<Vec<ChainedRecord>> {
        let sql = format!(
            "SELECT {COLS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT {}",
            limit.clamp(1, 10_000)
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(after_seq)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(record_from_row).collect()
    }

    /// Newest first, filtered.
    pub async fn audit_records(&self, f: &AuditFilter) -> Result<Vec<ChainedRecord>> {
        let mut clauses = vec!["1 = 1".to_owned()];
        let mut binds: Vec<String> = Vec::new();
        for (col, v) in [
            ("object_type", &f.object_type),
            ("object_id", &f.object_id),
            ("actor", &f.actor),
        ] {
            if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                binds.push(v.to_owned());
                clauses.push(format!("{col} = ${}", binds.len()));
            }
        }
        if let Some(p) = f.action_prefix.as_deref().filter(|v| !v.is_empty()) {
            binds.push(crate::like_pattern(p).trim_start_matches('%').to_owned());
            clauses.push(format!("action LIKE ${} ESCAPE '\\'", binds.len()));
        }
        let limit = if f.limit == 0 { 200 } else { f.limit.min(2000) };
        let sql = format!(
            "SELECT {COLS} FROM audit_log WHERE {} ORDER BY seq DESC LIMIT {limit}",
            clauses.join(" AND ")
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for b in &binds {
            q = q.bind(b.clone());
        }
        let rows = q.fetch_all(&self.pool).await?;
        rows.iter()
            .map(record_from_row)
            .collect::<Result<Vec<_>>>()
            .map_err(|e| match e {
                crate::StoreError::Database(d) => corrupt("audit_log", d),
                other => other,
            })
    }
}
