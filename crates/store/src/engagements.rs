//! The engagement register: each engagement is kept as its validated JSON
//! document (the shape the API and the risk engine share) plus the columns
//! that lists filter on, its links to parties, and a history of every change.

use crate::audit::{AuditEvent, append};
use crate::parties::{live_party, resolve_or_create};
use crate::{
    Backend, Result, Store, StoreError, corrupt, diff_docs, like_pattern, new_id, now_text,
};
use meridian_domain::{
    CountryCode, Engagement, EngagementKind, EngagementStatus, FieldErrors, FundingSourceType,
    Party, PartyFields, PartyKind, PartyRole, Sector, is_open, match_key, search_text,
};
use serde::Serialize;
use sqlx::AnyConnection;
use sqlx::Row;
use sqlx::any::AnyRow;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StoredEngagement {
    pub id: String,
    pub status: EngagementStatus,
    pub archived: bool,
    /// Increases with every change; send it back to detect concurrent edits.
    pub version: i64,
    pub created_by: String,
    pub created_at: String,
    pub updated_at: String,
    #[serde(flatten)]
    pub engagement: Engagement,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EngagementSummary {
    pub id: String,
    pub title: String,
    pub kind: EngagementKind,
    pub status: EngagementStatus,
    pub owner: String,
    pub department: String,
    pub countries: Vec<String>,
    pub archived: bool,
    pub updated_at: String,
}

#[derive(Debug, Clone, Default)]
pub struct EngagementFilter {
    /// Only what this person may see (None: everything).
    pub visible_to: Option<Visibility>,
    pub q: Option<String>,
    pub kind: Option<EngagementKind>,
    pub country: Option<CountryCode>,
    pub status: Option<EngagementStatus>,
    pub include_archived: bool,
    pub page: u32,
    pub per_page: u32,
}

/// A researcher's or approver's window on the register: engagements they
/// own, created or submitted, and their departments'.
#[derive(Debug, Clone, Default)]
pub struct Visibility {
    pub username: String,
    pub departments: Vec<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EngagementPage {
    pub items: Vec<EngagementSummary>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

/// One change: who, when, what (`changes` lists field, before and after).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HistoryEntry {
    pub version: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    #[schema(value_type = Object)]
    pub changes: serde_json::Value,
}

/// Fields whose change alters what was approved (the risk picture), as
/// opposed to wording, ownership or dates.
const MATERIAL_FIELDS: &[&str] = &[
    "kind",
    "countries",
    "partners",
    "research_areas",
    "funding",
    "data",
    "people",
    "travel",
    "agreement_text",
];

const COLS: &str = "id, status, archived, version, doc, created_by, created_at, updated_at";

fn stored_from_row(r: &AnyRow) -> Result<StoredEngagement> {
    let doc: String = r.try_get("doc")?;
    let status: String = r.try_get("status")?;
    Ok(StoredEngagement {
        id: r.try_get("id")?,
        status: EngagementStatus::parse(&status).map_err(|e| corrupt("engagements.status", e))?,
        archived: r.try_get::<i64, _>("archived")? != 0,
        version: r.try_get("version")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        engagement: serde_json::from_str(&doc).map_err(|e| corrupt("engagements.doc", e))?,
    })
}

fn engagement_search_text(e: &Engagement) -> String {
    let mut parts = vec![
        e.title.as_str(),
        e.description.as_str(),
        e.owner.as_str(),
        e.department.as_str(),
    ];
    parts.extend(e.partners.iter().map(|p| p.name.as_str()));
    parts.extend(e.people.iter().map(|p| p.name.as_str()));
    parts.extend(e.research_areas.iter().map(String::as_str));
    if let Some(f) = &e.funding {
        parts.push(f.source.as_str());
    }
    parts
        .iter()
        .map(|p| search_text(p))
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" | ")
}

fn funder_sector(t: Option<FundingSourceType>) -> Option<Sector> {
    match t? {
        FundingSourceType::Government => Some(Sector::Government),
        FundingSourceType::Military => Some(Sector::Military),
        FundingSourceType::Private | FundingSourceType::StateOwned => Some(Sector::Company),
        FundingSourceType::Philanthropic => Some(Sector::Ngo),
        FundingSourceType::Individual => Some(Sector::Individual),
        FundingSourceType::Anonymous => None,
    }
}

/// Where an engagement names a party by id, check it and follow merges;
/// where it names one inline, reuse the party it names before (on edits) or
/// resolve it in the registry. Fills the snapshot fields from the record.
async fn resolve_parties(
    conn: &mut AnyConnection,
    backend: Backend,
    e: &mut Engagement,
    previous: Option<&Engagement>,
    actor: &str,
) -> Result<()> {
    let mut errors = FieldErrors::default();
    let prev_id = |list: Vec<(&str, Option<&String>)>, name: &str| -> Option<String> {
        let key = match_key(name);
        list.into_iter()
            .find(|(n, id)| id.is_some() && match_key(n) == key)
            .and_then(|(_, id)| id.cloned())
    };

    for (i, p) in e.partners.iter_mut().enumerate() {
        if p.party_id.is_none() {
            let before = previous.map(|x| {
                x.partners
                    .iter()
                    .map(|q| (q.name.as_str(), q.party_id.as_ref()))
                    .collect()
            });
            p.party_id = before.and_then(|b| prev_id(b, &p.name));
        }
        let party = match &p.party_id {
            Some(id) => match live_party(conn, id).await? {
                Some(party) => party,
                None => {
                    errors.push(
                        format!("partners[{i}].party_id"),
                        format!("no party with id '{id}'"),
                    );
                    continue;
                }
            },
            None => {
                let fields = PartyFields::from_name(&p.name, p.kind, p.country, p.sector);
                resolve_or_create(conn, backend, &fields, actor, "created from an engagement")
                    .await?
                    .0
            }
        };
        fill_from_party(
            &party,
            &mut p.party_id,
            &mut p.name,
            &mut p.country,
            &mut p.sector,
        );
        p.kind = party.fields.kind;
    }

    if let Some(f) = e.funding.as_mut() {
        if f.source_party_id.is_none() && !f.source.is_empty() {
            let before = previous
                .and_then(|x| x.funding.as_ref())
                .map(|g| vec![(g.source.as_str(), g.source_party_id.as_ref())]);
            f.source_party_id = before.and_then(|b| prev_id(b, &f.source));
        }
        if let Some(id) = f.source_party_id.clone() {
            match live_party(conn, &id).await? {
                Some(party) => {
                    f.source_party_id = Some(party.id.clone());
                    if f.source.is_empty() {
                        f.source = party.fields.legal_name.clone();
                    }
                    f.source_country = f.source_country.or(party.fields.country);
                }
                None => errors.push(
                    "funding.source_party_id",
                    format!("no party with id '{id}'"),
                ),
            }
        } else if !f.source.is_empty() && f.source_type != Some(FundingSourceType::Anonymous) {
            let kind = if f.source_type == Some(FundingSourceType::Individual) {
                PartyKind::Person
            } else {
                PartyKind::Organization
            };
            let fields = PartyFields::from_name(
                &f.source,
                kind,
                f.source_country,
                funder_sector(f.source_type),
            );
            let (party, _) =
                resolve_or_create(conn, backend, &fields, actor, "created from an engagement")
                    .await?;
            f.source_party_id = Some(party.id);
        }
    }

    for (i, p) in e.people.iter_mut().enumerate() {
        if p.party_id.is_none() {
            let before = previous.map(|x| {
                x.people
                    .iter()
                    .map(|q| (q.name.as_str(), q.party_id.as_ref()))
                    .collect()
            });
            p.party_id = before.and_then(|b| prev_id(b, &p.name));
        }
        let party = match &p.party_id {
            Some(id) => match live_party(conn, id).await? {
                Some(party) if party.fields.kind == PartyKind::Person => party,
                Some(_) => {
                    errors.push(
                        format!("people[{i}].party_id"),
                        "names an organisation, not a person",
                    );
                    continue;
                }
                None => {
                    errors.push(
                        format!("people[{i}].party_id"),
                        format!("no party with id '{id}'"),
                    );
                    continue;
                }
            },
            None => {
                let fields = PartyFields::from_name(
                    &p.name,
                    PartyKind::Person,
                    None,
                    Some(Sector::Individual),
                );
                resolve_or_create(conn, backend, &fields, actor, "created from an engagement")
                    .await?
                    .0
            }
        };
        p.party_id = Some(party.id.clone());
        if p.name.is_empty() {
            p.name = party.fields.legal_name.clone();
        }
    }
    e.add_implied_countries();
    if e.countries.is_empty() {
        errors.push(
            "countries",
            "name at least one country (the engagement's, a partner's or a destination's)",
        );
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Invalid(errors))
    }
}

fn fill_from_party(
    party: &Party,
    id: &mut Option<String>,
    name: &mut String,
    country: &mut Option<CountryCode>,
    sector: &mut Option<Sector>,
) {
    *id = Some(party.id.clone());
    if name.is_empty() {
        *name = party.fields.legal_name.clone();
    }
    *country = country.or(party.fields.country);
    *sector = sector.or(party.fields.sector);
}

/// Rewrite the link tables and derived columns from the document.
async fn write_links(conn: &mut AnyConnection, id: &str, e: &Engagement) -> Result<()> {
    sqlx::query("DELETE FROM engagement_countries WHERE engagement_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM engagement_parties WHERE engagement_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for c in &e.countries {
        sqlx::query("INSERT INTO engagement_countries (engagement_id, country) VALUES ($1, $2)")
            .bind(id)
            .bind(c.code())
            .execute(&mut *conn)
            .await?;
    }
    let links = e
        .partners
        .iter()
        .map(|p| (PartyRole::Partner, p.party_id.as_deref()))
        .chain(
            e.funding
                .iter()
                .map(|f| (PartyRole::Funder, f.source_party_id.as_deref())),
        )
        .chain(
            e.people
                .iter()
                .map(|p| (PartyRole::Person, p.party_id.as_deref())),
        );
    for (pos, (role, party)) in links.enumerate() {
        let Some(party) = party else { continue };
        sqlx::query("INSERT INTO engagement_parties (engagement_id, party_id, role, position) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(party)
            .bind(role.as_str())
            .bind(pos as i64)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

pub(crate) async fn add_history(
    conn: &mut AnyConnection,
    id: &str,
    version: i64,
    actor: &str,
    action: &str,
    changes: serde_json::Value,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO engagement_history (id, engagement_id, version, at, actor, action, changes) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(new_id())
    .bind(id)
    .bind(version)
    .bind(now_text())
    .bind(actor)
    .bind(action)
    .bind(changes.to_string())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn load(conn: &mut AnyConnection, id: &str) -> Result<Option<StoredEngagement>> {
    let sql = format!("SELECT {COLS} FROM engagements WHERE id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(stored_from_row).transpose()
}

fn to_doc(e: &Engagement) -> Result<(String, serde_json::Value)> {
    let v = serde_json::to_value(e).map_err(|err| corrupt("engagement doc", err))?;
    Ok((v.to_string(), v))
}

async fn write_doc(conn: &mut AnyConnection, id: &str, e: &Engagement, version: i64) -> Result<()> {
    let (doc, _) = to_doc(e)?;
    sqlx::query(
        "UPDATE engagements SET title = $1, kind = $2, owner = $3, department = $4, search_text = $5, start_date = $6,
         end_date = $7, doc = $8, version = $9, updated_at = $10 WHERE id = $11",
    )
    .bind(&e.title)
    .bind(e.kind.as_str())
    .bind(&e.owner)
    .bind(&e.department)
    .bind(engagement_search_text(e))
    .bind(e.start_date.as_deref())
    .bind(e.end_date.as_deref())
    .bind(&doc)
    .bind(version)
    .bind(now_text())
    .bind(id)
    .execute(&mut *conn)
    .await?;
    write_links(conn, id, e).await
}

/// After a party merge: point every engagement that named `from` at the
/// survivor, in the links and inside the documents, with a history entry.
pub(crate) async fn relink_party(
    conn: &mut AnyConnection,
    from: &str,
    survivor: &Party,
    actor: &str,
) -> Result<usize> {
    let rows =
        sqlx::query("SELECT DISTINCT engagement_id FROM engagement_parties WHERE party_id = $1")
            .bind(from)
            .fetch_all(&mut *conn)
            .await?;
    let ids: Vec<String> = rows
        .iter()
        .map(|r| r.try_get("engagement_id"))
        .collect::<Result<_, _>>()?;
    for id in &ids {
        let Some(stored) = load(conn, id).await? else {
            continue;
        };
        let mut e = stored.engagement.clone();
        let to = Some(survivor.id.clone());
        for p in e
            .partners
            .iter_mut()
            .filter(|p| p.party_id.as_deref() == Some(from))
        {
            p.party_id = to.clone();
        }
        for p in e
            .people
            .iter_mut()
            .filter(|p| p.party_id.as_deref() == Some(from))
        {
            p.party_id = to.clone();
        }
        if let Some(f) = e
            .funding
            .as_mut()
            .filter(|f| f.source_party_id.as_deref() == Some(from))
        {
            f.source_party_id = to.clone();
        }
        let version = stored.version + 1;
        write_doc(conn, id, &e, version).await?;
        let changes = serde_json::json!([{"field": "party", "before": from, "after": survivor.id,
            "note": format!("duplicate party merged into {}", survivor.fields.legal_name)}]);
        add_history(conn, id, version, actor, "party merged", changes).await?;
    }
    Ok(ids.len())
}

impl Store {
    /// Register an engagement (status draft). Inline partners, the funder and
    /// people are resolved to party records in the same transaction.
    pub async fn create_engagement(
        &self,
        mut e: Engagement,
        actor: &str,
    ) -> Result<StoredEngagement> {
        let mut w = self.write_tx().await?;
        resolve_parties(&mut w.tx, self.backend, &mut e, None, actor).await?;
        let id = new_id();
        let now = now_text();
        let (doc, value) = to_doc(&e)?;
        sqlx::query(
            "INSERT INTO engagements (id, title, kind, status, owner, department, search_text, start_date, end_date,
             archived, version, doc, created_by, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, 1, $10, $11, $12, $13)",
        )
        .bind(&id)
        .bind(&e.title)
        .bind(e.kind.as_str())
        .bind(EngagementStatus::Draft.as_str())
        .bind(&e.owner)
        .bind(&e.department)
        .bind(engagement_search_text(&e))
        .bind(e.start_date.as_deref())
        .bind(e.end_date.as_deref())
        .bind(&doc)
        .bind(actor)
        .bind(&now)
        .bind(&now)
        .execute(&mut *w.tx)
        .await?;
        write_links(&mut w.tx, &id, &e).await?;
        add_history(
            &mut w.tx,
            &id,
            1,
            actor,
            "created",
            diff_docs(&serde_json::Value::Null, &value),
        )
        .await?;
        let ev = AuditEvent::new(actor, "engagement.created", "engagement", &id).after(&value);
        append(&mut w.tx, self.backend, ev).await?;
        let out = load(&mut w.tx, &id).await?.ok_or(StoreError::NotFound)?;
        w.commit().await?;
        Ok(out)
    }

    pub async fn engagement(&self, id: &str) -> Result<Option<StoredEngagement>> {
        let mut conn = self.pool.acquire().await?;
        load(&mut conn, id).await
    }

    /// Replace an engagement's document. With `expected_version`, a concurrent
    /// edit since that version is a `Conflict` rather than a lost update.
    pub async fn update_engagement(
        &self,
        id: &str,
        mut e: Engagement,
        expected_version: Option<i64>,
        actor: &str,
    ) -> Result<StoredEngagement> {
        let mut w = self.write_tx().await?;
        let before = load(&mut w.tx, id).await?.ok_or(StoreError::NotFound)?;
        if let Some(v) = expected_version
            && v != before.version
        {
            return Err(StoreError::Conflict(format!(
                "the engagement was changed by someone else (version {} is current, you edited version {v}); reload and edit again",
                before.version
            )));
        }
        resolve_parties(
            &mut w.tx,
            self.backend,
            &mut e,
            Some(&before.engagement),
            actor,
        )
        .await?;
        let (_, after) = to_doc(&e)?;
        let (_, prior) = to_doc(&before.engagement)?;
        let changes = diff_docs(&prior, &after);
        if changes.as_array().is_some_and(Vec::is_empty) {
            return Ok(before);
        }
        let version = before.version + 1;
        write_doc(&mut w.tx, id, &e, version).await?;
        let material: Vec<String> = changes
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c["field"].as_str())
            .filter(|f| MATERIAL_FIELDS.contains(f))
            .map(str::to_owned)
            .collect();
        add_history(&mut w.tx, id, version, actor, "edited", changes).await?;
        let ev = AuditEvent::new(actor, "engagement.edited", "engagement", id)
            .before(&prior)
            .after(&after);
        append(&mut w.tx, self.backend, ev).await?;
        if !material.is_empty()
            && is_open(before.status)
            && before.status != EngagementStatus::Submitted
        {
            // An approved engagement that changes in substance goes back to review.
            let reason = format!("material change by {actor}: {}", material.join(", "));
            crate::workflow::require_review_in_tx(&mut w.tx, self.backend, id, &reason).await?;
        }
        let out = load(&mut w.tx, id).await?.ok_or(StoreError::NotFound)?;
        w.commit().await?;
        Ok(out)
    }

    /// Archive (or restore) an engagement; archived ones leave the default list.
    pub async fn set_engagement_archived(
        &self,
        id: &str,
        archived: bool,
        actor: &str,
    ) -> Result<StoredEngagement> {
        let mut w = self.write_tx().await?;
        let before = load(&mut w.tx, id).await?.ok_or(StoreError::NotFound)?;
        if before.archived == archived {
            return Ok(before);
        }
        let version = before.version + 1;
        sqlx::query(
            "UPDATE engagements SET archived = $1, version = $2, updated_at = $3 WHERE id = $4",
        )
        .bind(archived as i64)
        .bind(version)
        .bind(now_text())
        .bind(id)
        .execute(&mut *w.tx)
        .await?;
        let action = if archived { "archived" } else { "restored" };
        let changes = serde_json::json!([{"field": "archived", "before": before.archived, "after": archived}]);
        add_history(&mut w.tx, id, version, actor, action, changes).await?;
        let ev = AuditEvent::new(actor, &format!("engagement.{action}"), "engagement", id)
            .before(serde_json::json!({"archived": before.archived}))
            .after(serde_json::json!({"archived": archived}));
        append(&mut w.tx, self.backend, ev).await?;
        let out = load(&mut w.tx, id).await?.ok_or(StoreError::NotFound)?;
        w.commit().await?;
        Ok(out)
    }

    /// Record a workflow state (used by seeding and, later, the workflow).
    pub async fn set_engagement_status(
        &self,
        id: &str,
        status: EngagementStatus,
        actor: &str,
    ) -> Result<StoredEngagement> {
        let mut w = self.write_tx().await?;
        let before = load(&mut w.tx, id).await?.ok_or(StoreError::NotFound)?;
        let version = before.version + 1;
        sqlx::query(
            "UPDATE engagements SET status = $1, version = $2, updated_at = $3 WHERE id = $4",
        )
        .bind(status.as_str())
        .bind(version)
        .bind(now_text())
        .bind(id)
        .execute(&mut *w.tx)
        .await?;
        let changes =
            serde_json::json!([{"field": "status", "before": before.status, "after": status}]);
        add_history(&mut w.tx, id, version, actor, "status changed", changes).await?;
        let ev = AuditEvent::new(actor, "engagement.status_set", "engagement", id)
            .before(serde_json::json!({"status": before.status}))
            .after(serde_json::json!({"status": status}));
        append(&mut w.tx, self.backend, ev).await?;
        let out = load(&mut w.tx, id).await?.ok_or(StoreError::NotFound)?;
        w.commit().await?;
        Ok(out)
    }

    pub async fn count_engagements(&self) -> Result<i64> {
        Ok(sqlx::query("SELECT COUNT(*) AS n FROM engagements")
            .fetch_one(&self.pool)
            .await?
            .try_get("n")?)
    }

    pub async fn list_engagements(&self, f: &EngagementFilter) -> Result<EngagementPage> {
        let per_page = if f.per_page == 0 {
            50
        } else {
            f.per_page.min(200)
        };
        let page = f.page.max(1);
        let mut clauses: Vec<String> = Vec::new();
        let mut binds: Vec<String> = Vec::new();
        if !f.include_archived {
            clauses.push("e.archived = 0".into());
        }
        if let Some(v) = &f.visible_to {
            binds.push(v.username.clone());
            let n = binds.len();
            let mut any = vec![
                format!("e.owner = ${n}"),
                format!("e.created_by = ${n}"),
                format!("e.submitted_by = ${n}"),
            ];
            for d in v.departments.iter().filter(|d| !d.trim().is_empty()) {
                binds.push(d.trim().to_lowercase());
                any.push(format!("LOWER(e.department) = ${}", binds.len()));
            }
            clauses.push(format!("({})", any.join(" OR ")));
        }
        for word in
            f.q.as_deref()
                .map(search_text)
                .unwrap_or_default()
                .split_whitespace()
        {
            binds.push(like_pattern(word));
            clauses.push(format!("e.search_text LIKE ${} ESCAPE '\\'", binds.len()));
        }
        if let Some(k) = f.kind {
            binds.push(k.as_str().into());
            clauses.push(format!("e.kind = ${}", binds.len()));
        }
        if let Some(s) = f.status {
            binds.push(s.as_str().into());
            clauses.push(format!("e.status = ${}", binds.len()));
        }
        if let Some(c) = f.country {
            binds.push(c.code().into());
            clauses.push(format!(
                "EXISTS (SELECT 1 FROM engagement_countries ec WHERE ec.engagement_id = e.id AND ec.country = ${})",
                binds.len()
            ));
        }
        let filter = if clauses.is_empty() {
            "1 = 1".to_owned()
        } else {
            clauses.join(" AND ")
        };
        let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) AS n FROM engagements e WHERE {filter}"
        )));
        for b in &binds {
            q = q.bind(b.clone());
        }
        let total: i64 = q.fetch_one(&self.pool).await?.try_get("n")?;
        let sql = format!(
            "SELECT e.id, e.title, e.kind, e.status, e.owner, e.department, e.archived, e.updated_at FROM engagements e
             WHERE {filter} ORDER BY e.updated_at DESC, e.id LIMIT {per_page} OFFSET {}",
            (page - 1) as u64 * per_page as u64
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for b in &binds {
            q = q.bind(b.clone());
        }
        let rows = q.fetch_all(&self.pool).await?;
        let mut items = Vec::with_capacity(rows.len());
        for r in &rows {
            let id: String = r.try_get("id")?;
            let kind: String = r.try_get("kind")?;
            let status: String = r.try_get("status")?;
            let countries = sqlx::query("SELECT country FROM engagement_countries WHERE engagement_id = $1 ORDER BY country")
                .bind(&id)
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|c| c.try_get("country"))
                .collect::<Result<Vec<String>, _>>()?;
            items.push(EngagementSummary {
                id,
                title: r.try_get("title")?,
                kind: EngagementKind::parse(&kind).map_err(|e| corrupt("engagements.kind", e))?,
                status: EngagementStatus::parse(&status)
                    .map_err(|e| corrupt("engagements.status", e))?,
                owner: r.try_get("owner")?,
                department: r.try_get("department")?,
                countries,
                archived: r.try_get::<i64, _>("archived")? != 0,
                updated_at: r.try_get("updated_at")?,
            });
        }
        Ok(EngagementPage {
            items,
            total,
            page,
            per_page,
        })
    }

    pub async fn engagement_history(&self, id: &str) -> Result<Vec<HistoryEntry>> {
        let rows = sqlx::query(
            "SELECT version, at, actor, action, changes FROM engagement_history WHERE engagement_id = $1 ORDER BY version, at",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let changes: String = r.try_get("changes")?;
                Ok(HistoryEntry {
                    version: r.try_get("version")?,
                    at: r.try_get("at")?,
                    actor: r.try_get("actor")?,
                    action: r.try_get("action")?,
                    changes: serde_json::from_str(&changes)
                        .map_err(|e| corrupt("engagement_history.changes", e))?,
                })
            })
            .collect()
    }
}

impl Store {
    /// Every live (not archived) engagement's document, for portfolio reports.
    pub async fn live_engagement_docs(&self) -> Result<Vec<(String, Engagement)>> {
        let rows =
            sqlx::query("SELECT id, doc FROM engagements WHERE archived = 0 ORDER BY created_at")
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|r| {
                let doc: String = r.try_get("doc")?;
                Ok((
                    r.try_get("id")?,
                    serde_json::from_str(&doc).map_err(|e| corrupt("engagements.doc", e))?,
                ))
            })
            .collect()
    }
}

impl Store {
    /// Every live engagement with its version and document (re-screening).
    pub async fn live_engagements_versioned(&self) -> Result<Vec<(String, i64, Engagement)>> {
        let rows = sqlx::query(
            "SELECT id, version, doc FROM engagements WHERE archived = 0 ORDER BY created_at",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let doc: String = r.try_get("doc")?;
                Ok((
                    r.try_get("id")?,
                    r.try_get("version")?,
                    serde_json::from_str(&doc).map_err(|e| corrupt("engagements.doc", e))?,
                ))
            })
            .collect()
    }
}
