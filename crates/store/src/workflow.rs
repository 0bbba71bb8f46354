//! The review workflow in the database: one `apply_workflow` that checks the
//! role rules and the state machine inside the transaction that applies them
//! (so two reviewers cannot both move the same engagement from the same
//! state), records the decision with a snapshot of what was known, attaches
//! conditions, counts committee votes, and writes the audit record.

use crate::audit::{AuditEvent, append};
use crate::{Result, Store, StoreError, corrupt, new_id, now_text};
use meridian_domain::access::{Actor, Subject, may_take};
use meridian_domain::{
    EngagementStatus, FieldErrors, ReviewRoute, Role, WorkflowAction, transition,
};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

/// A condition attached to an approval.
#[derive(Debug, Clone, Default)]
pub struct NewCondition {
    pub text: String,
    pub owner: String,
    pub due_on: Option<String>,
}

/// One workflow step as requested.
#[derive(Debug, Clone)]
pub struct WorkflowRequest {
    pub action: WorkflowAction,
    pub actor: String,
    pub actor_role: Role,
    pub actor_department: String,
    pub rationale: String,
    pub conditions: Vec<NewCondition>,
    /// What was known at decision time (assessment with policy version,
    /// screening results with list versions), stored with the decision.
    pub snapshot: serde_json::Value,
    /// On submit: the route the assessment asks for (default: department).
    pub route: Option<ReviewRoute>,
    /// On activation: days until the periodic review.
    pub review_interval_days: i64,
}

impl WorkflowRequest {
    pub fn new(action: WorkflowAction, actor: &str, role: Role, department: &str) -> Self {
        WorkflowRequest {
            action,
            actor: actor.to_owned(),
            actor_role: role,
            actor_department: department.to_owned(),
            rationale: String::new(),
            conditions: Vec::new(),
            snapshot: serde_json::Value::Null,
            route: None,
            review_interval_days: 365,
        }
    }
}

/// What a step did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum WorkflowOutcome {
    Moved {
        from: EngagementStatus,
        to: EngagementStatus,
    },
    /// A committee vote was recorded; the decision needs more votes.
    VoteRecorded { approvals: usize, needed: usize },
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DecisionRecord {
    pub id: String,
    pub review_round: i64,
    pub action: WorkflowAction,
    pub actor: String,
    pub actor_role: String,
    pub route: String,
    pub from_status: EngagementStatus,
    pub to_status: EngagementStatus,
    pub rationale: String,
    #[schema(value_type = Object)]
    pub snapshot: serde_json::Value,
    pub at: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ConditionRecord {
    pub id: String,
    pub engagement_id: String,
    pub engagement_title: String,
    pub decision_id: String,
    pub text: String,
    pub owner: String,
    pub due_on: Option<String>,
    /// `open`, `done` or `waived`.
    pub status: String,
    pub completed_by: Option<String>,
    pub completed_at: Option<String>,
    pub created_at: String,
}

/// Workflow columns of an engagement.
#[derive(Debug, Clone)]
pub struct WorkflowState {
    pub status: EngagementStatus,
    pub route: ReviewRoute,
    pub review_round: i64,
    pub owner: String,
    pub created_by: String,
    pub submitted_by: Option<String>,
    pub department: String,
    pub title: String,
    pub next_review_on: Option<String>,
    pub version: i64,
}

impl WorkflowState {
    pub fn subject(&self) -> Subject<'_> {
        Subject {
            owner: &self.owner,
            created_by: &self.created_by,
            submitted_by: self.submitted_by.as_deref(),
            department: &self.department,
            status: self.status,
            route: self.route,
        }
    }
}

fn state_from_row(r: &AnyRow) -> Result<WorkflowState> {
    let status: String = r.try_get("status")?;
    let route: String = r.try_get("route")?;
    Ok(WorkflowState {
        status: EngagementStatus::parse(&status).map_err(|e| corrupt("engagements.status", e))?,
        route: ReviewRoute::parse(&route).map_err(|e| corrupt("engagements.route", e))?,
        review_round: r.try_get("review_round")?,
        owner: r.try_get("owner")?,
        created_by: r.try_get("created_by")?,
        submitted_by: r.try_get("submitted_by")?,
        department: r.try_get("department")?,
        title: r.try_get("title")?,
        next_review_on: r.try_get("next_review_on")?,
        version: r.try_get("version")?,
    })
}

const STATE_COLS: &str = "status, route, review_round, owner, created_by, submitted_by, department, title, next_review_on, version";

pub(crate) async fn load_state(
    conn: &mut sqlx::AnyConnection,
    id: &str,
) -> Result<Option<WorkflowState>> {
    let sql = format!("SELECT {STATE_COLS} FROM engagements WHERE id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(state_from_row).transpose()
}

fn decision_from_row(r: &AnyRow) -> Result<DecisionRecord> {
    let action: String = r.try_get("action")?;
    let from: String = r.try_get("from_status")?;
    let to: String = r.try_get("to_status")?;
    let snapshot: String = r.try_get("snapshot")?;
    Ok(DecisionRecord {
        id: r.try_get("id")?,
        review_round: r.try_get("review_round")?,
        action: WorkflowAction::parse(&action)
            .map_err(|e| corrupt("engagement_decisions.action", e))?,
        actor: r.try_get("actor")?,
        actor_role: r.try_get("actor_role")?,
        route: r.try_get("route")?,
        from_status: EngagementStatus::parse(&from)
            .map_err(|e| corrupt("engagement_decisions.from_status", e))?,
        to_status: EngagementStatus::parse(&to)
            .map_err(|e| corrupt("engagement_decisions.to_status", e))?,
        rationale: r.try_get("rationale")?,
        snapshot: serde_json::from_str(&snapshot)
            .map_err(|e| corrupt("engagement_decisions.snapshot", e))?,
        at: r.try_get("at")?,
    })
}

fn condition_from_row(r: &AnyRow) -> Result<ConditionRecord> {
    Ok(ConditionRecord {
        id: r.try_get("id")?,
        engagement_id: r.try_get("engagement_id")?,
        engagement_title: r.try_get("title")?,
        decision_id: r.try_get("decision_id")?,
        text: r.try_get("text")?,
        owner: r.try_get("owner")?,
        due_on: r.try_get("due_on")?,
        status: r.try_get("status")?,
        completed_by: r.try_get("completed_by")?,
        completed_at: r.try_get("completed_at")?,
        created_at: r.try_get("created_at")?,
    })
}

const COND_COLS: &str = "c.id, c.engagement_id, e.title, c.decision_id, c.text, c.owner, c.due_on, c.status, c.completed_by, c.completed_at, c.created_at";

fn invalid(field: &str, msg: impl Into<String>) -> StoreError {
    StoreError::Invalid(FieldErrors::single(field, msg))
}

fn add_days(today: &str, days: i64) -> Option<String> {
    let d = meridian_domain::parse_date(today).ok()?;
    Some(meridian_domain::format_date(d + time::Duration::days(days)))
}

impl Store {
    pub async fn workflow_state(&self, id: &str) -> Result<Option<WorkflowState>> {
        let mut conn = self.pool.acquire().await?;
        load_state(&mut conn, id).await
    }

    /// Take one workflow step, or refuse it with a reason.
    pub async fn apply_workflow(&self, id: &str, req: &WorkflowRequest) -> Result<WorkflowOutcome> {
        let rationale = req.rationale.trim();
        if req.action.needs_rationale() && rationale.is_empty() {
            return Err(invalid(
                "rationale",
                format!("say why: '{}' needs a rationale", req.action.label()),
            ));
        }
        if req.action == WorkflowAction::ApproveWithConditions
            && req.conditions.iter().all(|c| c.text.trim().is_empty())
        {
            return Err(invalid(
                "conditions",
                "approving with conditions needs at least one condition",
            ));
        }
        for (i, c) in req.conditions.iter().enumerate() {
            if !c.text.trim().is_empty() && c.owner.trim().is_empty() {
                return Err(invalid(
                    &format!("conditions[{i}].owner"),
                    "each condition needs an owner",
                ));
            }
            if let Some(d) = c.due_on.as_deref().filter(|d| !d.is_empty()) {
                meridian_domain::parse_date(d)
                    .map_err(|m| invalid(&format!("conditions[{i}].due_on"), m))?;
            }
        }

        let mut w = self.write_tx().await?;
        let st = load_state(&mut w.tx, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        let actor = Actor::new(&req.actor, req.actor_role, &req.actor_department);
        if req.action != WorkflowAction::MarkReviewDue || req.actor != "system" {
            may_take(&actor, req.action, &st.subject()).map_err(StoreError::Forbidden)?;
        }
        let to = transition(st.status, req.action).map_err(StoreError::Conflict)?;

        // The committee decides with two approvals by different members.
        let needed = st.route.approvals_needed();
        let is_approval = matches!(
            req.action,
            WorkflowAction::Approve | WorkflowAction::ApproveWithConditions
        );
        let mut outcome = WorkflowOutcome::Moved {
            from: st.status,
            to,
        };
        let mut new_status = to;
        if is_approval && needed > 1 {
            let rows = sqlx::query(
                "SELECT DISTINCT actor FROM engagement_decisions WHERE engagement_id = $1 AND review_round = $2
                 AND action IN ('approve', 'approve_with_conditions')",
            )
            .bind(id)
            .bind(st.review_round)
            .fetch_all(&mut *w.tx)
            .await?;
            let voters: Vec<String> = rows
                .iter()
                .map(|r| r.try_get("actor"))
                .collect::<Result<_, _>>()?;
            if voters.contains(&req.actor) {
                return Err(StoreError::Conflict(
                    "you have already approved in this review; a second member must approve".into(),
                ));
            }
            let approvals = voters.len() + 1;
            if approvals < needed {
                outcome = WorkflowOutcome::VoteRecorded { approvals, needed };
                new_status = st.status;
            }
        }

        let now = now_text();
        let today = &now[..10];
        let decision_id = new_id();
        let route_after = match req.action {
            WorkflowAction::Submit => req.route.unwrap_or(st.route),
            WorkflowAction::Appeal => st.route.escalate(),
            _ => st.route,
        };
        sqlx::query(
            "INSERT INTO engagement_decisions (id, engagement_id, review_round, action, actor, actor_role, route, from_status, to_status, rationale, snapshot, at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(&decision_id)
        .bind(id)
        .bind(st.review_round)
        .bind(req.action.as_str())
        .bind(&req.actor)
        .bind(req.actor_role.as_str())
        .bind(route_after.as_str())
        .bind(st.status.as_str())
        .bind(new_status.as_str())
        .bind(rationale)
        .bind(req.snapshot.to_string())
        .bind(&now)
        .execute(&mut *w.tx)
        .await?;

        if matches!(
            req.action,
            WorkflowAction::Approve | WorkflowAction::ApproveWithConditions
        ) {
            for c in req.conditions.iter().filter(|c| !c.text.trim().is_empty()) {
                sqlx::query(
                    "INSERT INTO engagement_conditions (id, engagement_id, decision_id, text, owner, due_on, status, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, 'open', $7)",
                )
                .bind(new_id())
                .bind(id)
                .bind(&decision_id)
                .bind(c.text.trim())
                .bind(c.owner.trim().to_lowercase())
                .bind(c.due_on.as_deref().filter(|d| !d.is_empty()))
                .bind(&now)
                .execute(&mut *w.tx)
                .await?;
            }
        }

        if new_status != st.status {
            let entering_review = new_status == EngagementStatus::InReview;
            let round = if entering_review {
                st.review_round + 1
            } else {
                st.review_round
            };
            let submitted_by = if req.action == WorkflowAction::Submit {
                Some(req.actor.clone())
            } else {
                st.submitted_by.clone()
            };
            let next_review = if req.action == WorkflowAction::Activate {
                add_days(today, req.review_interval_days)
            } else {
                st.next_review_on.clone()
            };
            sqlx::query(
                "UPDATE engagements SET status = $1, route = $2, review_round = $3, submitted_by = $4, next_review_on = $5,
                 version = version + 1, updated_at = $6 WHERE id = $7",
            )
            .bind(new_status.as_str())
            .bind(route_after.as_str())
            .bind(round)
            .bind(submitted_by.as_deref())
            .bind(next_review.as_deref())
            .bind(&now)
            .bind(id)
            .execute(&mut *w.tx)
            .await?;
            let changes = serde_json::json!([{"field": "status", "before": st.status, "after": new_status, "note": rationale}]);
            crate::engagements::add_history(
                &mut w.tx,
                id,
                st.version + 1,
                &req.actor,
                req.action.as_str(),
                changes,
            )
            .await?;
        }
        let ev = AuditEvent::new(&req.actor, &format!("engagement.{}", req.action.as_str()), "engagement", id)
            .before(serde_json::json!({"status": st.status, "route": st.route}))
            .after(serde_json::json!({"status": new_status, "route": route_after, "snapshot": req.snapshot}))
            .reason(rationale);
        append(&mut w.tx, self.backend, ev).await?;
        w.commit().await?;
        Ok(outcome)
    }

    pub async fn decisions(&self, engagement_id: &str) -> Result<Vec<DecisionRecord>> {
        let rows = sqlx::query(
            "SELECT id, review_round, action, actor, actor_role, route, from_status, to_status, rationale, snapshot, at
             FROM engagement_decisions WHERE engagement_id = $1 ORDER BY at, id",
        )
        .bind(engagement_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(decision_from_row).collect()
    }

    pub async fn conditions(&self, engagement_id: &str) -> Result<Vec<ConditionRecord>> {
        let sql = format!(
            "SELECT {COND_COLS} FROM engagement_conditions c JOIN engagements e ON e.id = c.engagement_id
             WHERE c.engagement_id = $1 ORDER BY c.created_at, c.id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(engagement_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(condition_from_row).collect()
    }

    /// Open conditions, oldest due first; for one owner, or all.
    pub async fn open_conditions(&self, owner: Option<&str>) -> Result<Vec<ConditionRecord>> {
        let mut sql = format!(
            "SELECT {COND_COLS} FROM engagement_conditions c JOIN engagements e ON e.id = c.engagement_id WHERE c.status = 'open'"
        );
        if owner.is_some() {
            sql.push_str(" AND c.owner = $1");
        }
        sql.push_str(" ORDER BY c.due_on, c.created_at");
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        if let Some(o) = owner {
            q = q.bind(o.to_lowercase());
        }
        let rows = q.fetch_all(&self.pool).await?;
        let mut out = rows
            .iter()
            .map(condition_from_row)
            .collect::<Result<Vec<_>>>()?;
        // Undated conditions after dated ones.
        out.sort_by(|a, b| {
            (a.due_on.is_none(), &a.due_on, &a.created_at).cmp(&(
                b.due_on.is_none(),
                &b.due_on,
                &b.created_at,
            ))
        });
        Ok(out)
    }

    /// Mark a condition done (by its owner or the research office) or waived
    /// (research office only; the caller checks roles).
    pub async fn set_condition_status(
        &self,
        condition_id: &str,
        status: &str,
        actor: &str,
        note: &str,
    ) -> Result<ConditionRecord> {
        if !matches!(status, "done" | "waived" | "open") {
            return Err(invalid("status", "a condition is open, done or waived"));
        }
        let mut w = self.write_tx().await?;
        let sql = format!(
            "SELECT {COND_COLS} FROM engagement_conditions c JOIN engagements e ON e.id = c.engagement_id WHERE c.id = $1"
        );
        let before = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
            .bind(condition_id)
            .fetch_optional(&mut *w.tx)
            .await?;
        let before = before
            .as_ref()
            .map(condition_from_row)
            .transpose()?
            .ok_or(StoreError::NotFound)?;
        let now = now_text();
        let (by, at) = if status == "open" {
            (None, None)
        } else {
            (Some(actor), Some(now.as_str()))
        };
        sqlx::query("UPDATE engagement_conditions SET status = $1, completed_by = $2, completed_at = $3 WHERE id = $4")
            .bind(status)
            .bind(by)
            .bind(at)
            .bind(condition_id)
            .execute(&mut *w.tx)
            .await?;
        let ev = AuditEvent::new(
            actor,
            &format!("condition.{status}"),
            "engagement",
            &before.engagement_id,
        )
        .before(serde_json::json!({"condition": condition_id, "status": before.status}))
        .after(serde_json::json!({"condition": condition_id, "status": status}))
        .reason(note);
        append(&mut w.tx, self.backend, ev).await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(condition_id)
            .fetch_one(&mut *w.tx)
            .await?;
        let after = condition_from_row(&row)?;
        w.commit().await?;
        Ok(after)
    }

    /// Active engagements whose periodic review date has passed become
    /// `review_due` (run by the scheduler as "system"). Returns how many.
    pub async fn mark_reviews_due(&self, today: &str) -> Result<usize> {
        let rows = sqlx::query("SELECT id FROM engagements WHERE status = 'active' AND next_review_on IS NOT NULL AND next_review_on <= $1")
            .bind(today)
            .fetch_all(&self.pool)
            .await?;
        let mut n = 0;
        for r in &rows {
            let id: String = r.try_get("id")?;
            let mut req =
                WorkflowRequest::new(WorkflowAction::MarkReviewDue, "system", Role::Admin, "");
            req.rationale = format!("periodic review date passed ({today})");
            match self.apply_workflow(&id, &req).await {
                Ok(_) => n += 1,
                Err(StoreError::Conflict(_)) => {} // moved meanwhile
                Err(e) => return Err(e),
            }
        }
        Ok(n)
    }

    /// Engagements in any of `statuses`, oldest change first, with their
    /// workflow state (for task lists; the caller filters by role).
    pub async fn engagements_in_status(
        &self,
        statuses: &[EngagementStatus],
    ) -> Result<Vec<(String, WorkflowState, String)>> {
        if statuses.is_empty() {
            return Ok(Vec::new());
        }
        let list = statuses
            .iter()
            .map(|s| format!("'{}'", s.as_str()))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT id, updated_at, {STATE_COLS} FROM engagements WHERE archived = 0 AND status IN ({list}) ORDER BY updated_at, id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("id")?,
                    state_from_row(r)?,
                    r.try_get("updated_at")?,
                ))
            })
            .collect()
    }

    /// Distinct approvers in the current review round (for committee progress).
    pub async fn approvals_this_round(&self, id: &str) -> Result<Vec<String>> {
        let Some(st) = self.workflow_state(id).await? else {
            return Ok(Vec::new());
        };
        let rows = sqlx::query(
            "SELECT DISTINCT actor FROM engagement_decisions WHERE engagement_id = $1 AND review_round = $2
             AND action IN ('approve', 'approve_with_conditions')",
        )
        .bind(id)
        .bind(st.review_round)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok(r.try_get("actor")?)).collect()
    }
}

/// Inside an edit's transaction: send an open engagement back to review
/// (`review_required`) as the system, with the reason, a decision record, a
/// history entry and an audit record.
pub(crate) async fn require_review_in_tx(
    conn: &mut sqlx::AnyConnection,
    backend: crate::Backend,
    id: &str,
    reason: &str,
) -> Result<()> {
    let Some(st) = load_state(conn, id).await? else {
        return Ok(());
    };
    let Ok(to) = transition(st.status, WorkflowAction::RequireReview) else {
        return Ok(());
    };
    let now = now_text();
    sqlx::query(
        "INSERT INTO engagement_decisions (id, engagement_id, review_round, action, actor, actor_role, route, from_status, to_status, rationale, snapshot, at)
         VALUES ($1, $2, $3, 'require_review', 'system', 'system', $4, $5, $6, $7, 'null', $8)",
    )
    .bind(new_id())
    .bind(id)
    .bind(st.review_round)
    .bind(st.route.as_str())
    .bind(st.status.as_str())
    .bind(to.as_str())
    .bind(reason)
    .bind(&now)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE engagements SET status = $1, version = version + 1, updated_at = $2 WHERE id = $3",
    )
    .bind(to.as_str())
    .bind(&now)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    let changes =
        serde_json::json!([{"field": "status", "before": st.status, "after": to, "note": reason}]);
    crate::engagements::add_history(
        conn,
        id,
        st.version + 1,
        "system",
        "require_review",
        changes,
    )
    .await?;
    let ev = AuditEvent::new("system", "engagement.require_review", "engagement", id)
        .before(serde_json::json!({"status": st.status}))
        .after(serde_json::json!({"status": to}))
        .reason(reason);
    append(conn, backend, ev).await?;
    Ok(())
}
