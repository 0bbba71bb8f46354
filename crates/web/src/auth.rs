//! Who is asking, and may they ask. Deny by default: every request passes
//! `authenticate`, which lets through only the public list (health check,
//! login, static assets) without a signed-in user. Sessions live in the
//! database (app nodes stay stateless); the cookie holds a random token whose
//! SHA-256 digest is the key. Every state-changing request made with a
//! session cookie must carry that session's CSRF token (form field
//! `csrf_token`, header `X-CSRF-Token`, or for multipart uploads the query
//! parameter) and, when the browser sends one, a same-origin `Origin`.
//! API tokens (`Authorization: Bearer …`) are not cookies, so need no CSRF token.

use crate::{AppError, AppState};
use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header, request::Parts};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use meridian_store::User;
use sha2::{Digest, Sha256};

pub const SESSION_COOKIE: &str = "meridian_session";
pub const LOGIN_COOKIE: &str = "meridian_login";

/// The signed-in user of this request.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: User,
    /// The session's CSRF token (None for API-token requests).
    pub csrf: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<CurrentUser>()
            .cloned()
            .ok_or(AppError::Unauthenticated)
    }
}

/// argon2id with the crate's default (OWASP-recommended) parameters, off the
/// async threads because it is deliberately slow.
pub async fn hash_password(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || {
        use argon2::password_hash::PasswordHasher;
        argon2::Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| AppError::Internal(format!("hashing a password failed: {e}")))
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
}

pub async fn verify_password(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
        use argon2::password_hash::PasswordVerifier;
        argon2::Argon2::default()
            .verify_password(password.as_bytes(), hash.as_str())
            .is_ok()
    })
    .await
    .unwrap_or(false)
}

/// 256 random bits, hex-encoded.
pub fn random_token() -> String {
    let bytes: [u8; 32] = rand::random();
    hex::encode(bytes)
}

pub fn digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

pub fn set_cookie(name: &str, value: &str, max_age_secs: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}")
}

fn is_public(method: &Method, path: &str) -> bool {
    path == "/healthz"
        || path.starts_with("/static/")
        || path == "/favicon.ico"
        || (path == "/login" && (method == Method::GET || method == Method::POST))
        // Single sign-on (404 unless configured).
        || ((path == "/auth/oidc/login" || path == "/auth/oidc/callback") && method == Method::GET)
}

fn wants_json(path: &str) -> bool {
    path.starts_with("/api/v1/") || path == "/openapi.json"
}

/// The authentication and CSRF gate in front of every route.
pub async fn authenticate(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let method = req.method().clone();
    if is_public(&method, &path) {
        return next.run(req).await;
    }

    // API token first: integrations send `Authorization: Bearer mrd_…`.
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .map(str::to_owned);
    if let Some(token) = bearer {
        return match state.store.user_for_api_token(&digest(&token)).await {
            Ok(Some(user)) => {
                req.extensions_mut()
                    .insert(CurrentUser { user, csrf: None });
                next.run(req).await
            }
            Ok(None) => AppError::Unauthenticated.into_response(),
            Err(e) => AppError::from(e).into_response(),
        };
    }

    let session = match cookie(req.headers(), SESSION_COOKIE) {
        Some(token) => match state.store.session(&digest(token)).await {
            Ok(s) => s,
            Err(e) => return AppError::from(e).into_response(),
        },
        None => None,
    };
    let Some(session) = session else {
        if wants_json(&path) || method != Method::GET {
            return AppError::Unauthenticated.into_response();
        }
        let next_url = req
            .uri()
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/");
        let target = format!("/login?next={}", urlencode(next_url));
        return Redirect::to(&target).into_response();
    };

    if !matches!(method, Method::GET | Method::HEAD | Method::OPTIONS) {
        if !same_origin(req.headers()) {
            return (StatusCode::FORBIDDEN, "cross-origin request refused").into_response();
        }
        let (parts, body) = req.into_parts();
        let (ok, body) = match csrf_ok(&parts, body, &session.csrf_token).await {
            Ok(x) => x,
            Err(resp) => return resp,
        };
        if !ok {
            return (
                StatusCode::FORBIDDEN,
                "this form has expired or did not come from Meridian (CSRF check failed); reload the page and try again",
            )
                .into_response();
        }
        req = Request::from_parts(parts, body);
    }
    req.extensions_mut().insert(CurrentUser {
        user: session.user,
        csrf: Some(session.csrf_token),
    });
    next.run(req).await
}

/// When the browser says where a request comes from, it must be us.
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    origin
        .split_once("://")
        .map(|(_, rest)| rest.trim_end_matches('/'))
        == Some(host)
}

async fn csrf_ok(parts: &Parts, body: Body, expected: &str) -> Result<(bool, Body), Response> {
    let matches = |v: &str| constant_time_eq(v.as_bytes(), expected.as_bytes());
    if let Some(v) = parts
        .headers
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
    {
        return Ok((matches(v), body));
    }
    if let Some(q) = parts.uri.query()
        && let Some((_, v)) = form_urlencoded_pairs(q).find(|(k, _)| k == "csrf_token")
    {
        return Ok((matches(&v), body));
    }
    let is_form = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Ok((false, body));
    }
    let bytes = axum::body::to_bytes(body, 4 * 1024 * 1024)
        .await
        .map_err(|_| (StatusCode::PAYLOAD_TOO_LARGE, "the form is too large").into_response())?;
    let text = String::from_utf8_lossy(&bytes);
    let ok = form_urlencoded_pairs(&text).any(|(k, v)| k == "csrf_token" && matches(&v));
    Ok((ok, Body::from(bytes)))
}

fn form_urlencoded_pairs(s: &str) -> impl Iterator<Item = (String, String)> + '_ {
    serde_urlencoded::from_str::<Vec<(String, String)>>(s)
        .unwrap_or_default()
        .into_iter()
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("x", s)])
        .map(|v| v[2..].to_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_must_match_host_when_present() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, "127.0.0.1:8080".parse().unwrap());
        assert!(same_origin(&h));
        h.insert(header::ORIGIN, "http://127.0.0.1:8080".parse().unwrap());
        assert!(same_origin(&h));
        h.insert(header::ORIGIN, "http://evil.example".parse().unwrap());
        assert!(!same_origin(&h));
    }

    #[test]
    fn cookies_are_found_by_name() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            "a=1; meridian_session=abc; b=2".parse().unwrap(),
        );
        assert_eq!(cookie(&h, SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie(&h, "c"), None);
    }

    #[tokio::test]
    async fn argon2id_hashes_verify_and_reject() {
        let h = hash_password("correct horse".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse".into(), h.clone()).await);
        assert!(!verify_password("wrong".into(), h).await);
    }
}
