//! The JSON API under `/api/v1`, built with utoipa-axum so that every route
//! is in `/openapi.json` by construction. Request bodies are parsed by the
//! domain crate, so a mistake is reported against its field.

mod account;
mod audit;
mod engagements;
mod lists;
mod parties;
mod screening;

pub use account::issue_token;
pub use audit::{AuditQuery, AuditRecordView};
pub use engagements::ListQuery;
pub use engagements::{
    ConditionInput, ConditionUpdate, WorkflowStep, condition_step, set_archived, workflow_step,
};
pub use lists::{SourceStatus, source_statuses, visible_alerts};
pub use parties::{
    DUPLICATE_THRESHOLD, ImportQuery, ImportReport, PartyDetail, PartyQuery, party_detail,
    run_import, today,
};

/// Today as `YYYY-MM-DD`.
pub fn today_text() -> String {
    meridian_domain::format_date(today())
}

use crate::AppState;
use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use std::sync::Arc;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(OpenApi)]
#[openapi(
    info(title = "Meridian API", description = "International engagement register, party registry and (as they land) screening, risk and review."),
    tags(
        (name = "engagements", description = "The engagement register"),
        (name = "parties", description = "The party registry: partners, funders, external people"),
        (name = "account", description = "The signed-in user and API tokens"),
        (name = "audit", description = "The tamper-evident audit trail"),
        (name = "screening", description = "Restricted-party screening and risk assessment"),
        (name = "lists", description = "Restricted-party list management and screening alerts"),
        (name = "system", description = "Health"),
    ),
    modifiers(&Security)
)]
struct ApiDoc;

struct Security;
impl utoipa::Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{
            ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme,
        };
        let c = openapi.components.get_or_insert_with(Default::default);
        c.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        c.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("meridian_session"))),
        );
        openapi.security = Some(vec![
            utoipa::openapi::security::SecurityRequirement::new("bearer", Vec::<String>::new()),
            utoipa::openapi::security::SecurityRequirement::new("session", Vec::<String>::new()),
        ]);
        openapi.info.version = crate::VERSION.to_owned();
    }
}

/// The API routes and the OpenAPI document describing them.
pub fn router() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(healthz))
        .merge(engagements::router())
        .merge(parties::router())
        .merge(account::router())
        .merge(audit::router())
        .merge(screening::router())
        .merge(lists::router())
        .split_for_parts()
}

pub fn docs_router(openapi: Arc<utoipa::openapi::OpenApi>) -> Router<AppState> {
    Router::new()
        .route(
            "/openapi.json",
            get(move || async move { Json(openapi.as_ref().clone()) }),
        )
        .route("/api/docs", get(api_docs))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
struct Health {
    status: &'static str,
    version: &'static str,
    database: &'static str,
}

/// Liveness and database reachability (public, for load balancers).
#[utoipa::path(get, path = "/healthz", tag = "system", security(()),
    responses((status = 200, body = Health), (status = 503, description = "database unreachable")))]
async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    let backend = match state.store.backend() {
        meridian_store::Backend::Sqlite => "sqlite",
        meridian_store::Backend::Postgres => "postgres",
    };
    match state.store.ping().await {
        Ok(()) => (
            axum::http::StatusCode::OK,
            Json(Health {
                status: "ok",
                version: crate::VERSION,
                database: backend,
            }),
        ),
        Err(e) => {
            tracing::error!(error = %e, "health check: database unreachable");
            (
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                Json(Health {
                    status: "database unreachable",
                    version: crate::VERSION,
                    database: backend,
                }),
            )
        }
    }
}

async fn api_docs(user: crate::auth::CurrentUser) -> Html<String> {
    let csrf = user.csrf.unwrap_or_default();
    Html(format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Meridian API</title>
<meta name="csrf-token" content="{csrf}">
<link rel="stylesheet" href="/static/vendor/swagger-ui.css"></head>
<body><p style="font-family:sans-serif;margin:1rem"><a href="/">&larr; Back to Meridian</a></p><div id="swagger-ui"></div>
<script src="/static/vendor/swagger-ui-bundle.js"></script><script src="/static/api-docs.js"></script></body></html>"#
    ))
}
