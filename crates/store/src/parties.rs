//! The party registry: one due-diligence record per organisation or external
//! person, every name it is known by (for resolution and suggestions), its
//! due-diligence decisions, adverse-media notes, history, and merging of
//! duplicates that keeps every link.

use crate::audit::{AuditEvent, append};
use crate::engagements::HistoryEntry;
use crate::{
    Backend, Result, Store, StoreError, corrupt, diff_docs, like_pattern, new_id, now_text,
};
use meridian_domain::{
    AdverseMediaInput, CountryCode, DueDiligenceDecision, DueDiligenceStatus, FieldErrors, Party,
    PartyFields, PartyKind, Sector, match_key, name_similarity, search_text,
};
use serde::Serialize;
use sqlx::AnyConnection;
use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::HashMap;

/// Filters for the Parties list.
#[derive(Debug, Clone, Default)]
pub struct PartyFilter {
    pub q: Option<String>,
    pub kind: Option<PartyKind>,
    pub country: Option<CountryCode>,
    pub dd_status: Option<DueDiligenceStatus>,
    pub page: u32,
    pub per_page: u32,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PartyPage {
    pub items: Vec<Party>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

/// A party offered while someone types a name.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PartySuggestion {
    pub id: String,
    pub legal_name: String,
    /// The name that matched (an alias, say), when not the legal name.
    pub matched_name: String,
    pub kind: PartyKind,
    pub country: Option<String>,
    pub sector: Option<Sector>,
    pub dd_status: DueDiligenceStatus,
    pub score: f64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DdDecisionRecord {
    pub id: String,
    pub status: DueDiligenceStatus,
    pub reviewer: String,
    pub decided_on: String,
    pub expires_on: Option<String>,
    pub note: String,
    pub recorded_at: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AdverseMediaNote {
    pub id: String,
    pub text: String,
    pub source_url: String,
    pub published_on: Option<String>,
    pub added_by: String,
    pub added_at: String,
}

/// An engagement a party appears in, and in which role.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PartyEngagement {
    pub engagement_id: String,
    pub title: String,
    pub kind: String,
    pub status: String,
    pub role: String,
    pub archived: bool,
}

/// Two records that may be the same party.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DuplicatePair {
    pub a: PartySuggestion,
    pub b: PartySuggestion,
    /// Why they were paired: `same name and country` or `similar names`.
    pub reason: String,
    pub score: f64,
}

const PARTY_COLS: &str = "id, doc, dd_status, dd_reviewer, dd_decided_on, dd_expires_on, merged_into, created_at, updated_at";

fn party_from_row(r: &AnyRow) -> Result<Party> {
    let doc: String = r.try_get("doc")?;
    let fields: PartyFields = serde_json::from_str(&doc).map_err(|e| corrupt("parties.doc", e))?;
    let status: String = r.try_get("dd_status")?;
    Ok(Party {
        id: r.try_get("id")?,
        fields,
        dd_status: DueDiligenceStatus::parse(&status)
            .map_err(|e| corrupt("parties.dd_status", e))?,
        dd_reviewer: r.try_get("dd_reviewer")?,
        dd_decided_on: r.try_get("dd_decided_on")?,
        dd_expires_on: r.try_get("dd_expires_on")?,
        merged_into: r.try_get("merged_into")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

fn suggestion(p: &Party, matched_name: &str, score: f64) -> PartySuggestion {
    PartySuggestion {
        id: p.id.clone(),
        legal_name: p.fields.legal_name.clone(),
        matched_name: matched_name.to_owned(),
        kind: p.fields.kind,
        country: p.fields.country.map(|c| c.code().to_owned()),
        sector: p.fields.sector,
        dd_status: p.dd_status,
        score,
    }
}

fn party_search_text(f: &PartyFields) -> String {
    std::iter::once(f.legal_name.as_str())
        .chain(f.other_names.iter().map(|n| n.name.as_str()))
        .map(search_text)
        .collect::<Vec<_>>()
        .join(" | ")
}

pub(crate) async fn load_party(conn: &mut AnyConnection, id: &str) -> Result<Option<Party>> {
    let sql = format!("SELECT {PARTY_COLS} FROM parties WHERE id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(party_from_row).transpose()
}

/// Follow `merged_into` to the surviving record.
pub(crate) async fn live_party(conn: &mut AnyConnection, id: &str) -> Result<Option<Party>> {
    let mut id = id.to_owned();
    for _ in 0..16 {
        match load_party(conn, &id).await? {
            Some(p) => match &p.merged_into {
                Some(next) => id = next.clone(),
                None => return Ok(Some(p)),
            },
            None => return Ok(None),
        }
    }
    Err(StoreError::Corrupt(format!(
        "party {id}: merge chain does not end"
    )))
}

async fn write_names(conn: &mut AnyConnection, id: &str, f: &PartyFields) -> Result<()> {
    sqlx::query("DELETE FROM party_names WHERE party_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    let names = std::iter::once((f.legal_name.as_str(), "legal")).chain(
        f.other_names
            .iter()
            .map(|n| (n.name.as_str(), n.name_type.as_str())),
    );
    for (name, ty) in names {
        sqlx::query(
            "INSERT INTO party_names (party_id, name, name_type, name_key) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(name)
        .bind(ty)
        .bind(match_key(name))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

pub(crate) async fn history(
    conn: &mut AnyConnection,
    backend: Backend,
    party_id: &str,
    actor: &str,
    action: &str,
    detail: serde_json::Value,
) -> Result<()> {
    sqlx::query("INSERT INTO party_history (id, party_id, at, actor, action, detail) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(new_id())
        .bind(party_id)
        .bind(now_text())
        .bind(actor)
        .bind(action)
        .bind(detail.to_string())
        .execute(&mut *conn)
        .await?;
    // Every party event is also a link in the audit chain.
    let slug: String = action
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let ev = AuditEvent::new(actor, &format!("party.{slug}"), "party", party_id).after(&detail);
    append(conn, backend, ev).await?;
    Ok(())
}

async fn check_parent(conn: &mut AnyConnection, id: Option<&str>, f: &PartyFields) -> Result<()> {
    let Some(parent) = f.parent_id.as_deref() else {
        return Ok(());
    };
    if Some(parent) == id {
        return Err(StoreError::Invalid(FieldErrors::single(
            "parent_id",
            "a party cannot be its own parent",
        )));
    }
    if load_party(conn, parent).await?.is_none() {
        return Err(StoreError::Invalid(FieldErrors::single(
            "parent_id",
            format!("no party with id '{parent}'"),
        )));
    }
    Ok(())
}

pub(crate) async fn insert_party(
    conn: &mut AnyConnection,
    backend: Backend,
    f: &PartyFields,
    actor: &str,
    how: &str,
) -> Result<Party> {
    check_parent(conn, None, f).await?;
    let id = new_id();
    let now = now_text();
    let doc = serde_json::to_string(f).map_err(|e| corrupt("party doc", e))?;
    sqlx::query(
        "INSERT INTO parties (id, kind, legal_name, name_key, search_text, country, sector, parent_id, doc, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&id)
    .bind(f.kind.as_str())
    .bind(&f.legal_name)
    .bind(match_key(&f.legal_name))
    .bind(party_search_text(f))
    .bind(f.country.map(|c| c.code()))
    .bind(f.sector.map(|s| s.as_str()))
    .bind(f.parent_id.as_deref())
    .bind(&doc)
    .bind(&now)
    .bind(&now)
    .execute(&mut *conn)
    .await?;
    write_names(conn, &id, f).await?;
    history(
        conn,
        backend,
        &id,
        actor,
        how,
        serde_json::json!({"legal_name": f.legal_name}),
    )
    .await?;
    load_party(conn, &id).await?.ok_or(StoreError::NotFound)
}

/// Find the party a name refers to: same name key (on any of its names),
/// same kind, and a compatible country (equal, or unknown on the record); or
/// create it from `fields`. Returns the party and whether it was created.
pub(crate) async fn resolve_or_create(
    conn: &mut AnyConnection,
    backend: Backend,
    fields: &PartyFields,
    actor: &str,
    how: &str,
) -> Result<(Party, bool)> {
    let key = match_key(&fields.legal_name);
    if backend == Backend::Postgres {
        // Two transactions resolving the same new name must not both create
        // it: serialise on the name key until commit. (SQLite's writer lock
        // already serialises.)
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(key_lock_id(&key))
            .execute(&mut *conn)
            .await?;
    }
    let base = "SELECT p.id FROM party_names n JOIN parties p ON p.id = n.party_id
                WHERE n.name_key = $1 AND p.kind = $2 AND p.merged_into IS NULL";
    let row = match fields.country {
        Some(c) => {
            let sql = format!(
                "{base} AND (p.country = $3 OR p.country IS NULL) ORDER BY p.created_at LIMIT 1"
            );
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(&key)
                .bind(fields.kind.as_str())
                .bind(c.code())
                .fetch_optional(&mut *conn)
                .await?
        }
        None => {
            let sql = format!("{base} ORDER BY p.created_at LIMIT 1");
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(&key)
                .bind(fields.kind.as_str())
                .fetch_optional(&mut *conn)
                .await?
        }
    };
    if let Some(r) = row {
        let id: String = r.try_get("id")?;
        return Ok((
            load_party(conn, &id).await?.ok_or(StoreError::NotFound)?,
            false,
        ));
    }
    Ok((insert_party(conn, backend, fields, actor, how).await?, true))
}

/// A stable 64-bit lock id for a name key.
fn key_lock_id(key: &str) -> i64 {
    use sha2::Digest;
    let d = sha2::Sha256::digest(key.as_bytes());
    i64::from_be_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]])
}

impl Store {
    pub async fn create_party(&self, fields: &PartyFields, actor: &str) -> Result<Party> {
        let mut w = self.write_tx().await?;
        let p = insert_party(&mut w.tx, self.backend, fields, actor, "created").await?;
        w.commit().await?;
        Ok(p)
    }

    /// The record itself (merged records included: their page says where they went).
    pub async fn party(&self, id: &str) -> Result<Option<Party>> {
        let mut conn = self.pool.acquire().await?;
        load_party(&mut conn, id).await
    }

    pub async fn update_party(&self, id: &str, fields: &PartyFields, actor: &str) -> Result<Party> {
        let mut w = self.write_tx().await?;
        let before = load_party(&mut w.tx, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        if before.merged_into.is_some() {
            return Err(StoreError::Conflict(
                "this record was merged into another; edit the surviving record".into(),
            ));
        }
        check_parent(&mut w.tx, Some(id), fields).await?;
        let doc = serde_json::to_string(fields).map_err(|e| corrupt("party doc", e))?;
        sqlx::query(
            "UPDATE parties SET kind = $1, legal_name = $2, name_key = $3, search_text = $4, country = $5, sector = $6,
             parent_id = $7, doc = $8, updated_at = $9 WHERE id = $10",
        )
        .bind(fields.kind.as_str())
        .bind(&fields.legal_name)
        .bind(match_key(&fields.legal_name))
        .bind(party_search_text(fields))
        .bind(fields.country.map(|c| c.code()))
        .bind(fields.sector.map(|s| s.as_str()))
        .bind(fields.parent_id.as_deref())
        .bind(&doc)
        .bind(now_text())
        .bind(id)
        .execute(&mut *w.tx)
        .await?;
        write_names(&mut w.tx, id, fields).await?;
        let changes = diff_docs(
            &serde_json::to_value(&before.fields).unwrap_or_default(),
            &serde_json::to_value(fields).unwrap_or_default(),
        );
        history(&mut w.tx, self.backend, id, actor, "edited", changes).await?;
        let p = load_party(&mut w.tx, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        w.commit().await?;
        Ok(p)
    }

    pub async fn list_parties(&self, f: &PartyFilter) -> Result<PartyPage> {
        let per_page = if f.per_page == 0 {
            50
        } else {
            f.per_page.min(200)
        };
        let page = f.page.max(1);
        let mut clauses = vec!["merged_into IS NULL".to_owned()];
        let mut binds: Vec<String> = Vec::new();
        for word in
            f.q.as_deref()
                .map(search_text)
                .unwrap_or_default()
                .split_whitespace()
        {
            binds.push(like_pattern(word));
            clauses.push(format!("search_text LIKE ${} ESCAPE '\\'", binds.len()));
        }
        if let Some(k) = f.kind {
            binds.push(k.as_str().into());
            clauses.push(format!("kind = ${}", binds.len()));
        }
        if let Some(c) = f.country {
            binds.push(c.code().into());
            clauses.push(format!("country = ${}", binds.len()));
        }
        if let Some(s) = f.dd_status {
            binds.push(s.as_str().into());
            clauses.push(format!("dd_status = ${}", binds.len()));
        }
        let filter = clauses.join(" AND ");
        let count_sql = format!("SELECT COUNT(*) AS n FROM parties WHERE {filter}");
        let mut q = sqlx::query(sqlx::AssertSqlSafe(count_sql));
        for b in &binds {
            q = q.bind(b.clone());
        }
        let total: i64 = q.fetch_one(&self.pool).await?.try_get("n")?;
        let sql = format!(
            "SELECT {PARTY_COLS} FROM parties WHERE {filter} ORDER BY legal_name, id LIMIT {per_page} OFFSET {}",
            (page - 1) as u64 * per_page as u64
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for b in &binds {
            q = q.bind(b.clone());
        }
        let rows = q.fetch_all(&self.pool).await?;
        let items = rows
            .iter()
            .map(party_from_row)
            .collect::<Result<Vec<_>>>()?;
        Ok(PartyPage {
            items,
            total,
            page,
            per_page,
        })
    }

    /// Parties whose names resemble `text` (accent-, case- and order-insensitive,
    /// typo-tolerant), best first.
    pub async fn suggest_parties(
        &self,
        text: &str,
        kind: Option<PartyKind>,
        limit: usize,
    ) -> Result<Vec<PartySuggestion>> {
        let words: Vec<String> = search_text(text)
            .split(' ')
            .filter(|w| w.len() >= 2)
            .map(str::to_owned)
            .collect();
        if words.is_empty() {
            return Ok(Vec::new());
        }
        // Candidates: any name containing one of the query's words (or its
        // first three letters, so a typo later in the word still finds it).
        let mut clauses = Vec::new();
        let mut binds = Vec::new();
        for w in words.iter().take(6) {
            binds.push(like_pattern(w));
            clauses.push(format!("search_text LIKE ${} ESCAPE '\\'", binds.len()));
            if w.len() > 4 {
                binds.push(like_pattern(&w[..3]));
                clauses.push(format!("search_text LIKE ${} ESCAPE '\\'", binds.len()));
            }
        }
        let mut sql = format!(
            "SELECT {PARTY_COLS} FROM parties WHERE merged_into IS NULL AND ({})",
            clauses.join(" OR ")
        );
        if let Some(k) = kind {
            binds.push(k.as_str().to_owned());
            sql.push_str(&format!(" AND kind = ${}", binds.len()));
        }
        sql.push_str(" LIMIT 500");
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for b in &binds {
            q = q.bind(b.clone());
        }
        let rows = q.fetch_all(&self.pool).await?;
        let mut out = Vec::new();
        for r in &rows {
            let p = party_from_row(r)?;
            let (best, score) = p
                .all_names()
                .map(|n| (n, name_similarity(text, n)))
                .fold(("", 0.0), |acc, x| if x.1 > acc.1 { x } else { acc });
            if score >= 0.3 {
                out.push(suggestion(&p, best, score));
            }
        }
        out.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| a.legal_name.cmp(&b.legal_name))
        });
        out.truncate(limit);
        Ok(out)
    }

    pub async fn record_dd_decision(
        &self,
        id: &str,
        d: &DueDiligenceDecision,
        reviewer: &str,
    ) -> Result<Party> {
        let mut w = self.write_tx().await?;
        let p = load_party(&mut w.tx, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        if p.merged_into.is_some() {
            return Err(StoreError::Conflict(
                "this record was merged into another".into(),
            ));
        }
        let now = now_text();
        sqlx::query(
            "INSERT INTO party_dd_decisions (id, party_id, status, reviewer, decided_on, expires_on, note, recorded_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(new_id())
        .bind(id)
        .bind(d.status.as_str())
        .bind(reviewer)
        .bind(&d.decided_on)
        .bind(d.expires_on.as_deref())
        .bind(&d.note)
        .bind(&now)
        .execute(&mut *w.tx)
        .await?;
        sqlx::query(
            "UPDATE parties SET dd_status = $1, dd_reviewer = $2, dd_decided_on = $3, dd_expires_on = $4, updated_at = $5 WHERE id = $6",
        )
        .bind(d.status.as_str())
        .bind(reviewer)
        .bind(&d.decided_on)
        .bind(d.expires_on.as_deref())
        .bind(&now)
        .bind(id)
        .execute(&mut *w.tx)
        .await?;
        history(
            &mut w.tx,
            self.backend,
            id,
            reviewer,
            "due diligence",
            serde_json::json!({"status": d.status, "expires_on": d.expires_on, "note": d.note}),
        )
        .await?;
        let p = load_party(&mut w.tx, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        w.commit().await?;
        Ok(p)
    }

    pub async fn dd_decisions(&self, id: &str) -> Result<Vec<DdDecisionRecord>> {
        let rows = sqlx::query(
            "SELECT id, status, reviewer, decided_on, expires_on, note, recorded_at FROM party_dd_decisions
             WHERE party_id = $1 ORDER BY recorded_at DESC, id DESC",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let status: String = r.try_get("status")?;
                Ok(DdDecisionRecord {
                    id: r.try_get("id")?,
                    status: DueDiligenceStatus::parse(&status)
                        .map_err(|e| corrupt("party_dd_decisions.status", e))?,
                    reviewer: r.try_get("reviewer")?,
                    decided_on: r.try_get("decided_on")?,
                    expires_on: r.try_get("expires_on")?,
                    note: r.try_get("note")?,
                    recorded_at: r.try_get("recorded_at")?,
                })
            })
            .collect()
    }

    pub async fn add_adverse_media(
        &self,
        id: &str,
        note: &AdverseMediaInput,
        actor: &str,
    ) -> Result<AdverseMediaNote> {
        let mut w = self.write_tx().await?;
        load_party(&mut w.tx, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        let rec = AdverseMediaNote {
            id: new_id(),
            text: note.text.clone(),
            source_url: note.source_url.clone(),
            published_on: note.date.clone(),
            added_by: actor.to_owned(),
            added_at: now_text(),
        };
        sqlx::query(
            "INSERT INTO party_adverse_media (id, party_id, text, source_url, published_on, added_by, added_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&rec.id)
        .bind(id)
        .bind(&rec.text)
        .bind(&rec.source_url)
        .bind(rec.published_on.as_deref())
        .bind(&rec.added_by)
        .bind(&rec.added_at)
        .execute(&mut *w.tx)
        .await?;
        history(
            &mut w.tx,
            self.backend,
            id,
            actor,
            "adverse media added",
            serde_json::json!({"source_url": rec.source_url}),
        )
        .await?;
        w.commit().await?;
        Ok(rec)
    }

    pub async fn adverse_media(&self, id: &str) -> Result<Vec<AdverseMediaNote>> {
        let rows = sqlx::query(
            "SELECT id, text, source_url, published_on, added_by, added_at FROM party_adverse_media
             WHERE party_id = $1 ORDER BY added_at DESC, id DESC",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AdverseMediaNote {
                    id: r.try_get("id")?,
                    text: r.try_get("text")?,
                    source_url: r.try_get("source_url")?,
                    published_on: r.try_get("published_on")?,
                    added_by: r.try_get("added_by")?,
                    added_at: r.try_get("added_at")?,
                })
            })
            .collect()
    }

    pub async fn party_history(&self, id: &str) -> Result<Vec<HistoryEntry>> {
        let rows = sqlx::query("SELECT at, actor, action, detail FROM party_history WHERE party_id = $1 ORDER BY at, id")
            .bind(id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let detail: String = r.try_get("detail")?;
                Ok(HistoryEntry {
                    version: 0,
                    at: r.try_get("at")?,
                    actor: r.try_get("actor")?,
                    action: r.try_get("action")?,
                    changes: serde_json::from_str(&detail)
                        .map_err(|e| corrupt("party_history.detail", e))?,
                })
            })
            .collect()
    }

    /// Every engagement this party (or a record merged into it) appears in.
    pub async fn party_engagements(&self, id: &str) -> Result<Vec<PartyEngagement>> {
        let rows = sqlx::query(
            "SELECT DISTINCT e.id, e.title, e.kind, e.status, e.archived, ep.role FROM engagement_parties ep
             JOIN engagements e ON e.id = ep.engagement_id WHERE ep.party_id = $1 ORDER BY e.title, e.id, ep.role",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(PartyEngagement {
                    engagement_id: r.try_get("id")?,
                    title: r.try_get("title")?,
                    kind: r.try_get("kind")?,
                    status: r.try_get("status")?,
                    role: r.try_get("role")?,
                    archived: r.try_get::<i64, _>("archived")? != 0,
                })
            })
            .collect()
    }

    /// Records that may be the same party: the same name key (on any name)
    /// and country, or names at least `threshold` similar with compatible
    /// kind and country.
    pub async fn possible_duplicates(&self, threshold: f64) -> Result<Vec<DuplicatePair>> {
        let sql = format!(
            "SELECT {PARTY_COLS} FROM parties WHERE merged_into IS NULL ORDER BY created_at"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await?;
        let parties = rows
            .iter()
            .map(party_from_row)
            .collect::<Result<Vec<_>>>()?;
        // Block on shared words so the comparison stays near-linear.
        let mut by_word: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, p) in parties.iter().enumerate() {
            let mut words: Vec<String> = p
                .all_names()
                .flat_map(|n| {
                    match_key(n)
                        .split(' ')
                        .map(str::to_owned)
                        .collect::<Vec<_>>()
                })
                .collect();
            words.sort();
            words.dedup();
            for w in words.into_iter().filter(|w| w.len() >= 3) {
                by_word.entry(w).or_default().push(i);
            }
        }
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        for ids in by_word.values().filter(|ids| ids.len() <= 200) {
            for (x, &i) in ids.iter().enumerate() {
                for &j in &ids[x + 1..] {
                    if !seen.insert((i.min(j), i.max(j))) {
                        continue;
                    }
                    let (a, b) = (&parties[i], &parties[j]);
                    if a.fields.kind != b.fields.kind {
                        continue;
                    }
                    let countries_clash = matches!((a.fields.country, b.fields.country), (Some(x), Some(y)) if x != y);
                    if countries_clash {
                        continue;
                    }
                    let mut best = (0.0, "", "");
                    for na in a.all_names() {
                        for nb in b.all_names() {
                            let s = if match_key(na) == match_key(nb) {
                                1.0
                            } else {
                                name_similarity(na, nb)
                            };
                            if s > best.0 {
                                best = (s, na, nb);
                            }
                        }
                    }
                    if best.0 >= threshold {
                        let reason = if best.0 >= 1.0 {
                            "same name and country"
                        } else {
                            "similar names"
                        };
                        out.push(DuplicatePair {
                            a: suggestion(a, best.1, best.0),
                            b: suggestion(b, best.2, best.0),
                            reason: reason.to_owned(),
                            score: best.0,
                        });
                    }
                }
            }
        }
        out.sort_by(|x, y| {
            y.score
                .total_cmp(&x.score)
                .then_with(|| x.a.legal_name.cmp(&y.a.legal_name))
        });
        Ok(out)
    }

    /// Merge `duplicate` into `survivor`: every engagement link, name,
    /// due-diligence decision, adverse-media note and child record moves to
    /// the survivor; the duplicate stays as a record that points at it, with
    /// its own history intact. Both histories record the merge.
    pub async fn merge_parties(
        &self,
        survivor_id: &str,
        duplicate_id: &str,
        actor: &str,
    ) -> Result<Party> {
        if survivor_id == duplicate_id {
            return Err(StoreError::Invalid(FieldErrors::single(
                "duplicate_id",
                "a record cannot be merged into itself",
            )));
        }
        let mut w = self.write_tx().await?;
        let survivor = load_party(&mut w.tx, survivor_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        let duplicate = load_party(&mut w.tx, duplicate_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        if survivor.merged_into.is_some() || duplicate.merged_into.is_some() {
            return Err(StoreError::Conflict(
                "one of the records was already merged".into(),
            ));
        }
        if survivor.fields.kind != duplicate.fields.kind {
            return Err(StoreError::Invalid(FieldErrors::single(
                "duplicate_id",
                "an organisation and a person cannot be merged",
            )));
        }
        // Names: the duplicate's names become the survivor's other names.
        let mut fields = survivor.fields.clone();
        let known: std::collections::HashSet<String> =
            survivor.all_names().map(match_key).collect();
        for n in std::iter::once(meridian_domain::OtherName {
            name: duplicate.fields.legal_name.clone(),
            name_type: "alias".into(),
        })
        .chain(duplicate.fields.other_names.iter().cloned())
        {
            if !known.contains(&match_key(&n.name))
                && !fields
                    .other_names
                    .iter()
                    .any(|o| match_key(&o.name) == match_key(&n.name))
            {
                fields.other_names.push(n);
            }
        }
        if fields.country.is_none() {
            fields.country = duplicate.fields.country;
        }
        if fields.sector.is_none() {
            fields.sector = duplicate.fields.sector;
        }
        for r in &duplicate.fields.registration_ids {
            if !fields.registration_ids.contains(r) {
                fields.registration_ids.push(r.clone());
            }
        }
        let doc = serde_json::to_string(&fields).map_err(|e| corrupt("party doc", e))?;
        let now = now_text();
        sqlx::query("UPDATE parties SET doc = $1, search_text = $2, country = $3, sector = $4, updated_at = $5 WHERE id = $6")
            .bind(&doc)
            .bind(party_search_text(&fields))
            .bind(fields.country.map(|c| c.code()))
            .bind(fields.sector.map(|s| s.as_str()))
            .bind(&now)
            .bind(survivor_id)
            .execute(&mut *w.tx)
            .await?;
        write_names(&mut w.tx, survivor_id, &fields).await?;
        for table in ["party_dd_decisions", "party_adverse_media"] {
            let sql = format!("UPDATE {table} SET party_id = $1 WHERE party_id = $2");
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(survivor_id)
                .bind(duplicate_id)
                .execute(&mut *w.tx)
                .await?;
        }
        sqlx::query("UPDATE parties SET parent_id = $1 WHERE parent_id = $2")
            .bind(survivor_id)
            .bind(duplicate_id)
            .execute(&mut *w.tx)
            .await?;
        let moved =
            crate::engagements::relink_party(&mut w.tx, duplicate_id, &survivor, actor).await?;
        sqlx::query("DELETE FROM party_names WHERE party_id = $1")
            .bind(duplicate_id)
            .execute(&mut *w.tx)
            .await?;
        sqlx::query("UPDATE parties SET merged_into = $1, updated_at = $2 WHERE id = $3")
            .bind(survivor_id)
            .bind(&now)
            .bind(duplicate_id)
            .execute(&mut *w.tx)
            .await?;
        let detail = serde_json::json!({
            "survivor": survivor_id, "duplicate": duplicate_id,
            "duplicate_name": duplicate.fields.legal_name, "engagements_relinked": moved,
        });
        history(
            &mut w.tx,
            self.backend,
            survivor_id,
            actor,
            "merged a duplicate into this record",
            detail.clone(),
        )
        .await?;
        history(
            &mut w.tx,
            self.backend,
            duplicate_id,
            actor,
            "merged into another record",
            detail,
        )
        .await?;
        let p = load_party(&mut w.tx, survivor_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        w.commit().await?;
        Ok(p)
    }

    /// Create many parties in one transaction (a CSV import after its dry
    /// run): all or nothing. Rows whose name, kind and country match an
    /// existing record are linked, not duplicated; returns (created, existing).
    pub async fn import_parties(
        &self,
        rows: &[PartyFields],
        actor: &str,
    ) -> Result<(usize, usize)> {
        let mut w = self.write_tx().await?;
        let (mut created, mut existing) = (0, 0);
        for f in rows {
            match resolve_or_create(&mut w.tx, self.backend, f, actor, "imported from CSV").await? {
                (_, true) => created += 1,
                (_, false) => existing += 1,
            }
        }
        w.commit().await?;
        Ok((created, existing))
    }
}

impl Store {
    /// How many live parties have due diligence past its expiry date.
    pub async fn count_dd_expired(&self, today: &str) -> Result<i64> {
        let r = sqlx::query("SELECT COUNT(*) AS n FROM parties WHERE merged_into IS NULL AND dd_expires_on IS NOT NULL AND dd_expires_on < $1")
            .bind(today)
            .fetch_one(&self.pool)
            .await?;
        Ok(r.try_get("n")?)
    }
}
