//! Meridian's HTTP surface: one `router(AppState)` serving the JSON API under
//! `/api/v1` (documented in `/openapi.json`), the server-rendered pages, and
//! the static assets compiled into the binary. Every route is behind the
//! authentication layer unless it is on the short public list in `auth`.

mod access;
mod api;
mod assets;
mod auth;
pub mod engines;
mod error;
mod html;
pub mod lists;
pub mod notify;
mod oidc;

pub use api::issue_token as issue_api_token;
pub use auth::{hash_password, verify_password};
pub use error::AppError;
pub use oidc::{OidcConfig, map_role, parse_role_map};

use axum::Router;
use meridian_store::Store;
use std::sync::Arc;

/// Settings the web layer needs.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark cookies `Secure` (set when served over HTTPS).
    pub secure_cookies: bool,
    /// How long a login session lasts.
    pub session_hours: i64,
    /// Failed logins before an account is locked, and for how long.
    pub max_failed_logins: i64,
    pub lockout_minutes: i64,
    /// Give up on a list download after this long.
    pub download_timeout_secs: u64,
    /// Single sign-on with OpenID Connect, when configured.
    pub oidc: Option<OidcConfig>,
    /// E-mail for screening alerts, when configured.
    pub smtp: Option<notify::SmtpConfig>,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            secure_cookies: false,
            session_hours: 8,
            max_failed_logins: 5,
            lockout_minutes: 15,
            download_timeout_secs: 120,
            oidc: None,
            smtp: None,
        }
    }
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<WebConfig>,
    /// Screening lists, policy pack, country profiles.
    pub engines: Arc<engines::Engines>,
    /// The identity provider (discovery cache, HTTP client), when configured.
    pub(crate) oidc: Option<Arc<oidc::Oidc>>,
}

impl AppState {
    pub fn new(store: Store, config: WebConfig) -> Self {
        AppState {
            store,
            oidc: config.oidc.clone().map(|c| Arc::new(oidc::Oidc::new(c))),
            config: Arc::new(config),
            engines: Arc::new(engines::Engines::default()),
        }
    }
}

/// The product version shown in the page footer and /healthz.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The whole application.
pub fn router(state: AppState) -> Router {
    let (api_router, openapi) = api::router();
    let openapi = Arc::new(openapi);
    Router::new()
        .merge(html::router())
        .merge(api_router)
        .merge(api::docs_router(openapi))
        .merge(assets::router())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::authenticate,
        ))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(
            4 * 1024 * 1024,
        ))
        .layer(axum::middleware::from_fn(security_headers))
        .with_state(state)
}

async fn security_headers(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::header::{HeaderValue, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS};
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    h.insert(
        "content-security-policy",
        HeaderValue::from_static("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'"),
    );
    res
}

/// Install the TLS crypto provider (ring) once per process, before any HTTP
/// client is built: reqwest is compiled without a bundled provider.
pub fn init_tls() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
