//! `/api/v1/engagements`: register, list, read, edit, archive, history.

use crate::access;
use crate::auth::CurrentUser;
use crate::{AppError, AppState};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use meridian_domain::{
    CountryCode, EngagementInput, EngagementKind, EngagementStatus, FieldErrors,
    parse_engagement_json,
};
use meridian_domain::{Role, WorkflowAction};
use meridian_store::{
    ConditionRecord, DecisionRecord, EngagementFilter, EngagementPage, HistoryEntry, NewCondition,
    StoredEngagement, WorkflowOutcome, WorkflowRequest,
};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_engagements, create_engagement))
        .routes(routes!(get_engagement, update_engagement))
        .routes(routes!(archive_engagement))
        .routes(routes!(restore_engagement))
        .routes(routes!(engagement_history))
        .routes(routes!(take_workflow_step))
        .routes(routes!(engagement_decisions))
        .routes(routes!(engagement_conditions))
        .routes(routes!(update_condition))
        .routes(routes!(engagement_audit))
}

/// List filters; unknown values are a 400 naming the parameter.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct ListQuery {
    /// Words that must all appear in the title, description, partners, people or areas.
    pub q: Option<String>,
    pub kind: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
    pub status: Option<String>,
    pub include_archived: Option<bool>,
    pub page: Option<u32>,
    /// At most 200; default 50.
    pub per_page: Option<u32>,
}

impl ListQuery {
    pub fn to_filter(&self) -> Result<EngagementFilter, FieldErrors> {
        let mut errors = FieldErrors::default();
        let kind = errors.optional("kind", self.kind.as_deref(), EngagementKind::parse);
        let country = errors.optional("country", self.country.as_deref(), CountryCode::parse);
        let status = errors.optional("status", self.status.as_deref(), EngagementStatus::parse);
        errors.into_result(EngagementFilter {
            visible_to: None,
            q: self
                .q
                .as_deref()
                .map(str::trim)
                .filter(|q| !q.is_empty())
                .map(str::to_owned),
            kind,
            country,
            status,
            include_archived: self.include_archived.unwrap_or(false),
            page: self.page.unwrap_or(1),
            per_page: self.per_page.unwrap_or(50),
        })
    }
}

/// Parse and validate a body, defaulting the owner to the caller.
pub fn engagement_from_body(
    body: &[u8],
    user: &CurrentUser,
) -> Result<meridian_domain::Engagement, FieldErrors> {
    let mut value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| FieldErrors::single("body", format!("is not valid JSON: {e}")))?;
    if let Some(obj) = value.as_object_mut() {
        let blank = |v: Option<&serde_json::Value>| {
            v.and_then(|v| v.as_str())
                .is_none_or(|s| s.trim().is_empty())
        };
        if blank(obj.get("owner")) {
            obj.insert("owner".into(), user.user.username.clone().into());
        }
        if blank(obj.get("department")) && !user.user.department.is_empty() {
            obj.insert("department".into(), user.user.department.clone().into());
        }
    }
    parse_engagement_json(value.to_string().as_bytes())
}

#[utoipa::path(get, path = "/api/v1/engagements", tag = "engagements", params(ListQuery),
    responses((status = 200, body = EngagementPage), (status = 400, body = FieldErrors)))]
async fn list_engagements(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<Json<EngagementPage>, AppError> {
    let mut f = q.to_filter()?;
    f.visible_to = access::visibility(&user);
    Ok(Json(state.store.list_engagements(&f).await?))
}

/// Register an engagement. Partners, the funder and people may be given by
/// `party_id` or inline (`{name, kind, country, sector}`); inline names are
/// resolved to existing parties or create new ones.
#[utoipa::path(post, path = "/api/v1/engagements", tag = "engagements", request_body = EngagementInput,
    responses((status = 201, body = StoredEngagement), (status = 400, body = FieldErrors, description = "field-level errors; nothing saved")))]
async fn create_engagement(
    State(state): State<AppState>,
    user: CurrentUser,
    body: Bytes,
) -> Result<(StatusCode, Json<StoredEngagement>), AppError> {
    access::require_register(&user)?;
    let e = engagement_from_body(&body, &user)?;
    let stored = crate::engines::create_and_evaluate(&state, e, &user.user.username).await?;
    Ok((StatusCode::CREATED, Json(stored)))
}

#[utoipa::path(get, path = "/api/v1/engagements/{id}", tag = "engagements",
    responses((status = 200, body = StoredEngagement), (status = 404)))]
async fn get_engagement(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<StoredEngagement>, AppError> {
    Ok(Json(
        access::visible_engagement(&state, &user, &id).await?.0,
    ))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct VersionQuery {
    /// The version you edited; if someone saved since, the edit is refused (409).
    pub expected_version: Option<i64>,
}

/// Replace an engagement's fields (the whole document, as on create). A
/// material change to an approved engagement sends it back to review.
#[utoipa::path(put, path = "/api/v1/engagements/{id}", tag = "engagements", request_body = EngagementInput, params(VersionQuery),
    responses((status = 200, body = StoredEngagement), (status = 400, body = FieldErrors), (status = 403), (status = 404), (status = 409)))]
async fn update_engagement(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(v): Query<VersionQuery>,
    body: Bytes,
) -> Result<Json<StoredEngagement>, AppError> {
    let (_, st) = access::visible_engagement(&state, &user, &id).await?;
    access::require_edit(&user, &st)?;
    let e = engagement_from_body(&body, &user)?;
    Ok(Json(
        crate::engines::update_and_evaluate(
            &state,
            &id,
            e,
            v.expected_version,
            &user.user.username,
        )
        .await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/engagements/{id}/archive", tag = "engagements",
    responses((status = 200, body = StoredEngagement), (status = 403), (status = 404)))]
async fn archive_engagement(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<StoredEngagement>, AppError> {
    Ok(Json(set_archived(&state, &user, &id, true).await?))
}

/// Archive or restore, for its own people, the research office and admins.
pub async fn set_archived(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    archived: bool,
) -> Result<StoredEngagement, AppError> {
    let (_, st) = access::visible_engagement(state, user, id).await?;
    access::require_edit(user, &st)?;
    Ok(state
        .store
        .set_engagement_archived(id, archived, &user.user.username)
        .await?)
}

#[utoipa::path(post, path = "/api/v1/engagements/{id}/restore", tag = "engagements",
    responses((status = 200, body = StoredEngagement), (status = 403), (status = 404)))]
async fn restore_engagement(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<StoredEngagement>, AppError> {
    Ok(Json(set_archived(&state, &user, &id, false).await?))
}

/// Every change: who, when, and what changed (field, before, after).
#[utoipa::path(get, path = "/api/v1/engagements/{id}/history", tag = "engagements",
    responses((status = 200, body = Vec<HistoryEntry>), (status = 404)))]
async fn engagement_history(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<Vec<HistoryEntry>>, AppError> {
    access::visible_engagement(&state, &user, &id).await?;
    Ok(Json(state.store.engagement_history(&id).await?))
}

#[derive(Debug, Default, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ConditionInput {
    pub text: String,
    /// Username of whoever must fulfil it.
    pub owner: String,
    /// `YYYY-MM-DD`
    pub due_on: Option<String>,
}

/// One workflow step: submit, start_review, approve, approve_with_conditions,
/// decline, activate, require_review, pause, resume, withdraw, close, appeal.
#[derive(Debug, Default, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct WorkflowStep {
    pub action: String,
    /// Required to decline, pause, withdraw, appeal or require review.
    pub rationale: String,
    /// Required (at least one) to approve with conditions.
    pub conditions: Vec<ConditionInput>,
}

/// Take a workflow step, applying the role rules, four eyes and the
/// committee's two-approval quorum. Decisions keep a snapshot.
pub async fn workflow_step(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    step: WorkflowStep,
) -> Result<WorkflowOutcome, AppError> {
    let (e, st) = access::visible_engagement(state, user, id).await?;
    let action =
        WorkflowAction::parse(&step.action).map_err(|m| FieldErrors::single("action", m))?;
    meridian_domain::access::may_take(&access::actor(user), action, &st.subject())
        .map_err(AppError::Forbidden)?;
    let mut req = WorkflowRequest::new(
        action,
        &user.user.username,
        user.user.role,
        &user.user.department,
    );
    req.rationale = step.rationale;
    req.conditions = step
        .conditions
        .into_iter()
        .map(|c| NewCondition {
            text: c.text,
            owner: c.owner,
            due_on: c.due_on,
        })
        .collect();
    let assessment = state.store.latest_assessment(id).await?;
    let screening = state.store.latest_screening(id).await?;
    if action == WorkflowAction::Submit {
        // Safe by default: nothing goes to review unscreened.
        if !screening.as_ref().is_some_and(|s| s.ok) {
            return Err(AppError::Conflict(
                "this engagement has not been screened (no restricted-party lists are loaded); it cannot be submitted until it is".into(),
            ));
        }
        req.route = assessment
            .as_ref()
            .and_then(|a| meridian_domain::ReviewRoute::parse(&a.route).ok());
    }
    if let Some(a) = assessment.as_ref() {
        let outcome: Option<meridian_risk::Outcome> =
            serde_json::from_value(serde_json::Value::String(a.outcome.clone())).ok();
        let months = outcome.and_then(|o| {
            state
                .engines
                .policy()
                .outcome_spec(o)
                .and_then(|s| s.review_months)
        });
        if let Some(months) = months {
            req.review_interval_days = i64::from(months) * 30;
        }
    }
    let mut snap = access::snapshot(&e);
    snap["assessment"] = assessment.map(|a| a.assessment).unwrap_or_default();
    snap["screening"] = screening.map(|s| s.result).unwrap_or_default();
    req.snapshot = snap;
    Ok(state.store.apply_workflow(id, &req).await?)
}

#[utoipa::path(post, path = "/api/v1/engagements/{id}/workflow", tag = "engagements", request_body = WorkflowStep,
    responses((status = 200, body = WorkflowOutcome), (status = 400, body = FieldErrors), (status = 403, description = "role or four-eyes rule"),
        (status = 404), (status = 409, description = "not possible from the current state")))]
async fn take_workflow_step(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Json(step): Json<WorkflowStep>,
) -> Result<Json<WorkflowOutcome>, AppError> {
    Ok(Json(workflow_step(&state, &user, &id, step).await?))
}

/// Every workflow decision with the snapshot of what was known at the time.
#[utoipa::path(get, path = "/api/v1/engagements/{id}/decisions", tag = "engagements",
    responses((status = 200, body = Vec<DecisionRecord>), (status = 404)))]
async fn engagement_decisions(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<Vec<DecisionRecord>>, AppError> {
    access::visible_engagement(&state, &user, &id).await?;
    Ok(Json(state.store.decisions(&id).await?))
}

#[utoipa::path(get, path = "/api/v1/engagements/{id}/conditions", tag = "engagements",
    responses((status = 200, body = Vec<ConditionRecord>), (status = 404)))]
async fn engagement_conditions(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<Vec<ConditionRecord>>, AppError> {
    access::visible_engagement(&state, &user, &id).await?;
    Ok(Json(state.store.conditions(&id).await?))
}

#[derive(Debug, Default, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ConditionUpdate {
    /// `done` (its owner or the research office) or `waived` (research office).
    pub status: String,
    pub note: String,
}

/// Mark a condition done or waived.
pub async fn condition_step(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    condition_id: &str,
    up: ConditionUpdate,
) -> Result<ConditionRecord, AppError> {
    access::visible_engagement(state, user, id).await?;
    let cond = state
        .store
        .conditions(id)
        .await?
        .into_iter()
        .find(|c| c.id == condition_id)
        .ok_or(AppError::NotFound)?;
    let office = matches!(user.user.role, Role::ResearchOffice | Role::Admin);
    let allowed = match up.status.as_str() {
        "done" => office || cond.owner == user.user.username,
        "waived" | "open" => office,
        _ => {
            return Err(FieldErrors::single(
                "status",
                "a condition is marked done, waived or open",
            )
            .into());
        }
    };
    if !allowed {
        return Err(AppError::Forbidden(
            "only the condition's owner or the research office may change it".into(),
        ));
    }
    Ok(state
        .store
        .set_condition_status(condition_id, &up.status, &user.user.username, &up.note)
        .await?)
}

#[utoipa::path(post, path = "/api/v1/engagements/{id}/conditions/{condition_id}", tag = "engagements", request_body = ConditionUpdate,
    responses((status = 200, body = ConditionRecord), (status = 400, body = FieldErrors), (status = 403), (status = 404)))]
async fn update_condition(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, condition_id)): Path<(String, String)>,
    Json(up): Json<ConditionUpdate>,
) -> Result<Json<ConditionRecord>, AppError> {
    Ok(Json(
        condition_step(&state, &user, &id, &condition_id, up).await?,
    ))
}

/// The engagement's audit records, newest first (auditors, compliance,
/// the research office, and the engagement's own people).
#[utoipa::path(get, path = "/api/v1/engagements/{id}/audit", tag = "engagements",
    responses((status = 200, body = Vec<crate::api::AuditRecordView>), (status = 404)))]
async fn engagement_audit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<Vec<crate::api::AuditRecordView>>, AppError> {
    access::visible_engagement(&state, &user, &id).await?;
    let f = meridian_store::AuditFilter {
        object_type: Some("engagement".into()),
        object_id: Some(id),
        ..Default::default()
    };
    Ok(Json(
        state
            .store
            .audit_records(&f)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}
