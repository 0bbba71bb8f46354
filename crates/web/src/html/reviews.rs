//! "My tasks" for every role, and the audit pages: one per engagement and a
//! global, filterable one for auditors, compliance and the research office.

use super::{Chrome, PageResult, render};
use crate::access;
use crate::api::AuditQuery;
use crate::auth::CurrentUser;
use crate::{AppError, AppState};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use meridian_domain::access::may_take;
use meridian_domain::{EngagementStatus, WorkflowAction, available_actions};
use meridian_store::{ChainedRecord, ConditionRecord};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/tasks", get(tasks))
        .route("/audit", get(audit))
        .route("/engagements/{id}/audit", get(engagement_audit))
}

/// Something waiting for the signed-in user.
pub struct Task {
    pub engagement_id: String,
    pub title: String,
    pub what: String,
    pub since: String,
    pub due: String,
}

#[derive(Template)]
#[template(path = "tasks.html")]
struct TasksPage {
    chrome: Option<Chrome>,
    tasks: Vec<Task>,
    conditions: Vec<ConditionRecord>,
    alerts: Vec<meridian_store::AlertRecord>,
    today: String,
}

/// Statuses in which someone has to act.
const WAITING: &[EngagementStatus] = &[
    EngagementStatus::Draft,
    EngagementStatus::Submitted,
    EngagementStatus::InReview,
    EngagementStatus::Approved,
    EngagementStatus::ApprovedWithConditions,
    EngagementStatus::ReviewDue,
    EngagementStatus::ReviewRequired,
    EngagementStatus::Declined,
];

async fn tasks(State(state): State<AppState>, user: CurrentUser) -> PageResult {
    let actor = access::actor(&user);
    let mut tasks = Vec::new();
    for (id, st, since) in state.store.engagements_in_status(WAITING).await? {
        let mine: Vec<WorkflowAction> = available_actions(st.status)
            .into_iter()
            .filter(|a| {
                !matches!(
                    a,
                    WorkflowAction::Close | WorkflowAction::RequireReview | WorkflowAction::Appeal
                )
            })
            .filter(|a| may_take(&actor, *a, &st.subject()).is_ok())
            .collect();
        if mine.is_empty() {
            continue;
        }
        // A committee member who already approved waits for the second.
        if st.status == EngagementStatus::InReview && mine.contains(&WorkflowAction::Approve) {
            let voters = state.store.approvals_this_round(&id).await?;
            if voters.contains(&user.user.username) {
                continue;
            }
        }
        let what = mine
            .iter()
            .map(|a| a.label())
            .collect::<Vec<_>>()
            .join(" / ");
        tasks.push(Task {
            engagement_id: id,
            title: st.title.clone(),
            what,
            since: super::day(&since),
            due: st.next_review_on.clone().unwrap_or_default(),
        });
    }
    let conditions = state
        .store
        .open_conditions(Some(&user.user.username))
        .await?;
    let alerts = crate::api::visible_alerts(&state, &user, true).await?;
    Ok(render(&TasksPage {
        chrome: Some(Chrome::new(&user, "Reviews")),
        tasks,
        conditions,
        alerts,
        today: crate::api::today_text(),
    }))
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    chrome: Option<Chrome>,
    records: Vec<ChainedRecord>,
    q: AuditQuery,
    scope: String,
    engagement_id: String,
    verify: String,
    intact: bool,
}

impl AuditPage {
    fn sel<'a>(&self, v: &'a Option<String>) -> &'a str {
        v.as_deref().unwrap_or("")
    }
}

async fn audit(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<AuditQuery>,
) -> PageResult {
    access::require_audit_reader(&user)?;
    let records = state.store.audit_records(&q.to_filter()).await?;
    let (verify, intact) = match state.store.verify_audit().await? {
        Ok(n) => (format!("Chain intact: {n} records verified."), true),
        Err(b) => (b.to_string(), false),
    };
    Ok(render(&AuditPage {
        chrome: Some(Chrome::new(&user, "Audit")),
        records,
        q,
        scope: "all".into(),
        engagement_id: String::new(),
        verify,
        intact,
    }))
}

async fn engagement_audit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> PageResult {
    let (e, _) = access::visible_engagement(&state, &user, &id).await?;
    if !access::can_read_audit(user.user.role) && !access::involved(&user, &e) {
        return Err(AppError::Forbidden("the audit trail is for auditors, compliance, the research office and the engagement's own people".into()).into());
    }
    let q = AuditQuery {
        object_type: Some("engagement".into()),
        object_id: Some(id.clone()),
        limit: Some(2000),
        ..Default::default()
    };
    let records = state.store.audit_records(&q.to_filter()).await?;
    Ok(render(&AuditPage {
        chrome: Some(Chrome::new(&user, "Engagements")),
        records,
        q,
        scope: e.engagement.title.clone(),
        engagement_id: id,
        verify: String::new(),
        intact: true,
    }))
}
