//! `/api/v1/engagements`: register, list, read, edit, archive, history.

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
use meridian_store::{EngagementFilter, EngagementPage, HistoryEntry, StoredEngagement};
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
        let nonempty = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let kind = nonempty(&self.kind).and_then(|k| {
            EngagementKind::parse(&k)
                .map_err(|m| errors.push("kind", m))
                .ok()
        });
        let country = nonempty(&self.country).and_then(|c| {
            CountryCode::parse(&c)
                .map_err(|m| errors.push("country", m))
                .ok()
        });
        let status = nonempty(&self.status).and_then(|s| {
            EngagementStatus::parse(&s)
                .map_err(|m| errors.push("status", m))
                .ok()
        });
        errors.into_result(EngagementFilter {
            q: nonempty(&self.q),
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
    _user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<Json<EngagementPage>, AppError> {
    Ok(Json(state.store.list_engagements(&q.to_filter()?).await?))
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
    let e = engagement_from_body(&body, &user)?;
    let stored = state
        .store
        .create_engagement(e, &user.user.username)
        .await?;
    Ok((StatusCode::CREATED, Json(stored)))
}

#[utoipa::path(get, path = "/api/v1/engagements/{id}", tag = "engagements",
    responses((status = 200, body = StoredEngagement), (status = 404)))]
async fn get_engagement(
    State(state): State<AppState>,
    _user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<StoredEngagement>, AppError> {
    state
        .store
        .engagement(&id)
        .await?
        .map(Json)
        .ok_or(AppError::NotFound)
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct VersionQuery {
    /// The version you edited; if someone saved since, the edit is refused (409).
    pub expected_version: Option<i64>,
}

/// Replace an engagement's fields (the whole document, as on create).
#[utoipa::path(put, path = "/api/v1/engagements/{id}", tag = "engagements", request_body = EngagementInput, params(VersionQuery),
    responses((status = 200, body = StoredEngagement), (status = 400, body = FieldErrors), (status = 404), (status = 409)))]
async fn update_engagement(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(v): Query<VersionQuery>,
    body: Bytes,
) -> Result<Json<StoredEngagement>, AppError> {
    let e = engagement_from_body(&body, &user)?;
    Ok(Json(
        state
            .store
            .update_engagement(&id, e, v.expected_version, &user.user.username)
            .await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/engagements/{id}/archive", tag = "engagements",
    responses((status = 200, body = StoredEngagement), (status = 404)))]
async fn archive_engagement(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<StoredEngagement>, AppError> {
    Ok(Json(
        state
            .store
            .set_engagement_archived(&id, true, &user.user.username)
            .await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/engagements/{id}/restore", tag = "engagements",
    responses((status = 200, body = StoredEngagement), (status = 404)))]
async fn restore_engagement(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<StoredEngagement>, AppError> {
    Ok(Json(
        state
            .store
            .set_engagement_archived(&id, false, &user.user.username)
            .await?,
    ))
}

/// Every change: who, when, and what changed (field, before, after).
#[utoipa::path(get, path = "/api/v1/engagements/{id}/history", tag = "engagements",
    responses((status = 200, body = Vec<HistoryEntry>), (status = 404)))]
async fn engagement_history(
    State(state): State<AppState>,
    _user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<Vec<HistoryEntry>>, AppError> {
    if state.store.engagement(&id).await?.is_none() {
        return Err(AppError::NotFound);
    }
    Ok(Json(state.store.engagement_history(&id).await?))
}
