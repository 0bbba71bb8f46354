//! `/api/v1/lists/…` and `/api/v1/alerts`: the list registry (status,
//! update now, import, rollback, configure) and screening alerts.

use crate::access;
use crate::auth::CurrentUser;
use crate::lists::{RescreenReport, UpdateReport};
use crate::{AppError, AppState};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use meridian_store::{AlertRecord, ListSource, ListVersionRecord};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(sources))
        .routes(routes!(configure))
        .routes(routes!(update))
        .routes(routes!(rollback))
        .routes(routes!(import))
        .routes(routes!(alerts))
        .routes(routes!(dismiss))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SourceStatus {
    #[serde(flatten)]
    pub source: ListSource,
    pub current: Option<ListVersionRecord>,
    /// Recent versions, newest first (current, previous, refused, …).
    pub versions: Vec<ListVersionRecord>,
}

pub async fn source_statuses(state: &AppState) -> Result<Vec<SourceStatus>, AppError> {
    let mut out = Vec::new();
    for s in state.store.list_sources().await? {
        let versions = state.store.list_versions(&s.id, 6).await?;
        let current = versions.iter().find(|v| v.status == "current").cloned();
        out.push(SourceStatus {
            source: s,
            current,
            versions,
        });
    }
    Ok(out)
}

/// Every configured list: its current version (fetched at, entities,
/// checksum), recent versions and the last error.
#[utoipa::path(get, path = "/api/v1/lists/sources", tag = "lists", responses((status = 200, body = Vec<SourceStatus>)))]
async fn sources(
    State(state): State<AppState>,
    _u: CurrentUser,
) -> Result<Json<Vec<SourceStatus>>, AppError> {
    Ok(Json(source_statuses(&state).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct SourceConfig {
    pub enabled: bool,
    /// Download addresses, one per file (omit to keep them).
    pub urls: Option<Vec<String>>,
}

#[utoipa::path(put, path = "/api/v1/lists/{id}", tag = "lists", request_body = SourceConfig, responses((status = 204), (status = 403), (status = 404)))]
async fn configure(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Json(c): Json<SourceConfig>,
) -> Result<StatusCode, AppError> {
    access::require_list_manager(&user)?;
    if let Some(urls) = &c.urls
        && let Some(bad) = urls
            .iter()
            .find(|u| !(u.starts_with("https://") || u.starts_with("http://")))
    {
        return Err(meridian_domain::FieldErrors::single(
            "urls",
            format!("'{bad}' is not an http(s) address"),
        )
        .into());
    }
    state
        .store
        .set_list_source(&id, c.enabled, c.urls.as_deref(), &user.user.username)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct ForceQuery {
    /// Install even if the version lost more than 20% of its entities.
    pub force: bool,
}

/// Download now. A failed download or a version that fails the checks is
/// refused and reported; the current version keeps serving.
#[utoipa::path(post, path = "/api/v1/lists/{id}/update", tag = "lists", params(ForceQuery),
    responses((status = 200, body = UpdateReport), (status = 403), (status = 404)))]
async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<ForceQuery>,
) -> Result<Json<UpdateReport>, AppError> {
    access::require_list_manager(&user)?;
    Ok(Json(
        crate::lists::update_source(&state, &id, q.force, &user.user.username).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/lists/{id}/rollback", tag = "lists",
    responses((status = 200, body = RescreenReport), (status = 403), (status = 409, description = "no previous version")))]
async fn rollback(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<RescreenReport>, AppError> {
    access::require_list_manager(&user)?;
    Ok(Json(
        crate::lists::rollback(&state, &id, &user.user.username).await?,
    ))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct ImportQuery {
    /// The file name the loader recognises (e.g. `sdn.csv`, `consolidated.xml`, `bis_entity_list.json`).
    pub filename: String,
    /// The publisher format.
    pub format: String,
    pub force: bool,
}

/// Import one list file as a source's new version (a custom watchlist, or a
/// list without a machine-readable feed).
#[utoipa::path(post, path = "/api/v1/lists/{id}/import", tag = "lists", params(ImportQuery),
    request_body(content = String, content_type = "application/octet-stream"),
    responses((status = 200, body = UpdateReport), (status = 400), (status = 403)))]
async fn import(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<ImportQuery>,
    body: Bytes,
) -> Result<Json<UpdateReport>, AppError> {
    access::require_list_manager(&user)?;
    if q.filename.is_empty() {
        return Err(meridian_domain::FieldErrors::single(
            "filename",
            "name the file (e.g. sdn.csv)",
        )
        .into());
    }
    let mut files = meridian_store::ListFiles::new();
    files.insert(q.filename.clone(), body.to_vec());
    Ok(Json(
        crate::lists::import(&state, &id, &q.format, files, q.force, &user.user.username).await?,
    ))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct AlertQuery {
    /// Include dismissed alerts.
    pub all: bool,
}

/// Screening alerts on engagements the caller may see, newest first.
#[utoipa::path(get, path = "/api/v1/alerts", tag = "lists", params(AlertQuery), responses((status = 200, body = Vec<AlertRecord>)))]
async fn alerts(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<AlertQuery>,
) -> Result<Json<Vec<AlertRecord>>, AppError> {
    Ok(Json(visible_alerts(&state, &user, !q.all).await?))
}

pub async fn visible_alerts(
    state: &AppState,
    user: &CurrentUser,
    only_open: bool,
) -> Result<Vec<AlertRecord>, AppError> {
    let all = state.store.alerts(None, only_open).await?;
    if access::visibility(user).is_none() {
        return Ok(all);
    }
    let mut out = Vec::new();
    for a in all {
        if access::visible_engagement(state, user, &a.engagement_id)
            .await
            .is_ok()
        {
            out.push(a);
        }
    }
    Ok(out)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct Dismissal {
    pub reason: String,
}

/// Dismiss an alert (who, when and why are recorded; the same unchanged
/// list entry will not raise it again).
#[utoipa::path(post, path = "/api/v1/alerts/{id}/dismiss", tag = "lists", request_body = Dismissal,
    responses((status = 204), (status = 400), (status = 403), (status = 404)))]
async fn dismiss(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Json(d): Json<Dismissal>,
) -> Result<StatusCode, AppError> {
    access::require_alert_handler(&user)?;
    state
        .store
        .dismiss_alert(&id, &user.user.username, &d.reason)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
