//! Static assets compiled into the binary, so a single file serves the whole
//! product offline: our stylesheet and script, and the vendored htmx and
//! swagger-ui (see scripts/vendor-assets.sh for their pinned versions).

use crate::AppState;
use axum::Router;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

static ASSETS: &[(&str, &str, &[u8])] = &[
    ("app.css", "text/css", include_bytes!("../static/app.css")),
    (
        "app.js",
        "text/javascript",
        include_bytes!("../static/app.js"),
    ),
    (
        "api-docs.js",
        "text/javascript",
        include_bytes!("../static/api-docs.js"),
    ),
    (
        "vendor/htmx.min.js",
        "text/javascript",
        include_bytes!("../static/vendor/htmx.min.js"),
    ),
    (
        "vendor/swagger-ui-bundle.js",
        "text/javascript",
        include_bytes!("../static/vendor/swagger-ui-bundle.js"),
    ),
    (
        "vendor/swagger-ui.css",
        "text/css",
        include_bytes!("../static/vendor/swagger-ui.css"),
    ),
];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/static/{*path}", get(asset))
        .route("/favicon.ico", get(|| async { StatusCode::NO_CONTENT }))
}

async fn asset(Path(path): Path<String>) -> Response {
    match ASSETS.iter().find(|(p, _, _)| *p == path) {
        Some((_, mime, bytes)) => (
            [
                (header::CONTENT_TYPE, *mime),
                (header::CACHE_CONTROL, "public, max-age=3600"),
            ],
            *bytes,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
