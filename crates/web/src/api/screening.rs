//! `/api/v1/screen`, `/api/v1/lists`, `/api/v1/assessments` and an
//! engagement's latest evaluation: the screening index and the risk engine
//! over HTTP. With no lists loaded, screening answers 503, never "no match".

use crate::access;
use crate::auth::CurrentUser;
use crate::engines::{
    ListVersionView, MatchView, ScreeningView, evaluate_and_record, evaluate_engagement,
};
use crate::{AppError, AppState};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use meridian_domain::FieldErrors;
use meridian_screening::ScreenOptions;
use meridian_screening::batch::RawQuery;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub const MAX_BATCH: usize = 1000;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(screen))
        .routes(routes!(lists))
        .routes(routes!(assess_without_saving))
        .routes(routes!(engagement_evaluation))
        .routes(routes!(reevaluate))
}

fn no_lists() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Json(serde_json::json!({"error": "no restricted-party lists are loaded: screening is unavailable (this is not a 'no match')"})),
    )
        .into_response()
}

/// A batch of queries: `{"queries":[{"id":"q1","name":"…","kind":"person","country":"IR","birth_year":1962}]}`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ScreenRequest {
    #[schema(value_type = Vec<Object>)]
    pub queries: Vec<serde_json::Value>,
    /// Minimum score (default 0.80).
    pub threshold: Option<f32>,
    /// Matches per query (default 10).
    pub limit: Option<usize>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ScreenResult {
    #[schema(value_type = Object)]
    pub id: serde_json::Value,
    pub matches: Vec<MatchView>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ScreenResponse {
    pub results: Vec<ScreenResult>,
    pub threshold: f32,
    pub lists: Vec<ListVersionView>,
}

/// Screen up to 1,000 names; results in input order, best match first.
#[utoipa::path(post, path = "/api/v1/screen", tag = "screening", request_body = ScreenRequest,
    responses((status = 200, body = ScreenResponse), (status = 400, body = FieldErrors), (status = 503, description = "no lists loaded")))]
async fn screen(
    State(state): State<AppState>,
    _u: CurrentUser,
    body: Bytes,
) -> Result<Response, AppError> {
    let req: ScreenRequest = serde_json::from_slice(&body)
        .map_err(|e| FieldErrors::single("body", format!("is not a screening request: {e}")))?;
    if req.queries.len() > MAX_BATCH {
        return Err(FieldErrors::single(
            "queries",
            format!("at most {MAX_BATCH} queries per request"),
        )
        .into());
    }
    let mut errors = FieldErrors::default();
    let mut queries = Vec::new();
    for (i, q) in req.queries.into_iter().enumerate() {
        match serde_json::from_value::<RawQuery>(q)
            .map_err(|e| e.to_string())
            .and_then(|r| r.into_query(i + 1))
        {
            Ok(q) => queries.push(q),
            Err(m) => errors.push(format!("queries[{i}]"), m),
        }
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let Some(idx) = state.engines.lists() else {
        return Ok(no_lists());
    };
    let threshold = req
        .threshold
        .unwrap_or(meridian_screening::DEFAULT_THRESHOLD)
        .clamp(0.0, 1.0);
    let opts = ScreenOptions {
        threshold,
        limit: req
            .limit
            .unwrap_or(meridian_screening::DEFAULT_LIMIT)
            .clamp(1, 100),
    };
    let idx2 = idx.clone();
    let results = tokio::task::spawn_blocking(move || {
        meridian_screening::batch::screen_batch(&idx2.index, &queries, &opts)
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Json(ScreenResponse {
        results: results
            .into_iter()
            .map(|r| ScreenResult {
                id: r.id,
                matches: r.matches.iter().map(MatchView::from).collect(),
            })
            .collect(),
        threshold,
        lists: idx.versions.iter().map(ListVersionView::from).collect(),
    })
    .into_response())
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ListsStatus {
    pub loaded: bool,
    pub loaded_at: String,
    pub source: String,
    pub entities: usize,
    pub names: usize,
    pub malformed_rows_skipped: usize,
    pub lists: Vec<ListVersionView>,
}

/// Which lists screening uses now.
#[utoipa::path(get, path = "/api/v1/lists", tag = "screening", responses((status = 200, body = ListsStatus)))]
async fn lists(State(state): State<AppState>, _u: CurrentUser) -> Json<ListsStatus> {
    Json(match state.engines.lists() {
        Some(i) => ListsStatus {
            loaded: true,
            loaded_at: i.loaded_at.clone(),
            source: i.source.clone(),
            entities: i.index.entity_count(),
            names: i.index.name_count(),
            malformed_rows_skipped: i.row_issues,
            lists: i.versions.iter().map(ListVersionView::from).collect(),
        },
        None => ListsStatus {
            loaded: false,
            loaded_at: String::new(),
            source: String::new(),
            entities: 0,
            names: 0,
            malformed_rows_skipped: 0,
            lists: vec![],
        },
    })
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Evaluation {
    #[schema(value_type = Object)]
    pub assessment: serde_json::Value,
    pub screening: ScreeningView,
}

/// Assess an engagement (the register's JSON shape) without saving it.
/// Partners, the funder and people are screened as part of it.
#[utoipa::path(post, path = "/api/v1/assessments", tag = "screening", request_body = meridian_domain::EngagementInput,
    responses((status = 200, body = Evaluation), (status = 400, body = FieldErrors)))]
async fn assess_without_saving(
    State(state): State<AppState>,
    user: CurrentUser,
    body: Bytes,
) -> Result<Json<Evaluation>, AppError> {
    let e = super::engagements::engagement_from_body(&body, &user)?;
    let st = state.clone();
    let (screening, assessment) = tokio::task::spawn_blocking(move || evaluate_engagement(&st, &e))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Json(Evaluation {
        assessment: serde_json::to_value(&assessment)
            .map_err(|e| AppError::Internal(e.to_string()))?,
        screening,
    }))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StoredEvaluation {
    pub assessed_at: String,
    pub engagement_version: i64,
    #[schema(value_type = Object)]
    pub assessment: serde_json::Value,
    #[schema(value_type = Object)]
    pub screening: serde_json::Value,
    /// Earlier outcomes, newest first: (time, outcome, policy version).
    pub history: Vec<(String, String, String)>,
}

/// The latest screening and assessment of a registered engagement.
#[utoipa::path(get, path = "/api/v1/engagements/{id}/assessment", tag = "screening",
    responses((status = 200, body = StoredEvaluation), (status = 404)))]
async fn engagement_evaluation(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<StoredEvaluation>, AppError> {
    access::visible_engagement(&state, &user, &id).await?;
    let history = state.store.assessments(&id, 50).await?;
    let latest = history.first().cloned().ok_or(AppError::NotFound)?;
    let screening = state
        .store
        .latest_screening(&id)
        .await?
        .map(|s| s.result)
        .unwrap_or_default();
    Ok(Json(StoredEvaluation {
        assessed_at: latest.at,
        engagement_version: latest.engagement_version,
        assessment: latest.assessment,
        screening,
        history: history
            .into_iter()
            .map(|a| (a.at, a.outcome, a.policy_version))
            .collect(),
    }))
}

/// Screen and assess a registered engagement again now.
#[utoipa::path(post, path = "/api/v1/engagements/{id}/evaluate", tag = "screening",
    responses((status = 200, body = StoredEvaluation), (status = 404)))]
async fn reevaluate(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<StoredEvaluation>, AppError> {
    access::visible_engagement(&state, &user, &id).await?;
    access::require_register(&user)?;
    evaluate_and_record(&state, &id, &user.user.username).await?;
    engagement_evaluation(State(state), user, Path(id)).await
}
