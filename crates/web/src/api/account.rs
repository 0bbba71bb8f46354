//! `/api/v1/me` and API tokens: created by a user, shown once, stored as a
//! SHA-256 digest, acting with that user's role, revocable.

use crate::auth::{CurrentUser, digest, random_token};
use crate::{AppError, AppState};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use meridian_domain::FieldErrors;
use meridian_store::{ApiToken, Role};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(me))
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(revoke_token))
}

#[derive(Serialize, utoipa::ToSchema)]
struct Me {
    username: String,
    display_name: String,
    role: Role,
    department: String,
}

#[utoipa::path(get, path = "/api/v1/me", tag = "account", responses((status = 200, body = Me)))]
async fn me(user: CurrentUser) -> Json<Me> {
    let u = user.user;
    Json(Me {
        username: u.username,
        display_name: u.display_name,
        role: u.role,
        department: u.department,
    })
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct NewToken {
    pub name: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CreatedToken {
    pub id: String,
    pub name: String,
    /// Shown once: store it now; Meridian keeps only its digest.
    pub token: String,
}

/// Create an API token for the signed-in user.
pub async fn issue_token(
    state: &AppState,
    user_id: &str,
    name: &str,
) -> Result<CreatedToken, AppError> {
    let name = name.trim();
    if name.is_empty() || name.len() > 100 {
        return Err(
            FieldErrors::single("name", "give the token a name of 1 to 100 characters").into(),
        );
    }
    let token = format!("mrd_{}", random_token());
    let t = state
        .store
        .create_api_token(user_id, name, &digest(&token))
        .await?;
    Ok(CreatedToken {
        id: t.id,
        name: t.name,
        token,
    })
}

#[utoipa::path(post, path = "/api/v1/tokens", tag = "account", request_body = NewToken,
    responses((status = 201, body = CreatedToken), (status = 400, body = FieldErrors)))]
async fn create_token(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(req): Json<NewToken>,
) -> Result<(StatusCode, Json<CreatedToken>), AppError> {
    Ok((
        StatusCode::CREATED,
        Json(issue_token(&state, &user.user.id, &req.name).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/tokens", tag = "account", responses((status = 200, body = Vec<ApiToken>)))]
async fn list_tokens(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<ApiToken>>, AppError> {
    Ok(Json(state.store.list_api_tokens(&user.user.id).await?))
}

#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "account", responses((status = 204), (status = 404)))]
async fn revoke_token(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    state.store.revoke_api_token(&user.user.id, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
