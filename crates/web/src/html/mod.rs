//! Server-rendered pages (askama templates in crates/web/templates, htmx for
//! the small interactive bits). Each page gets the same `Chrome` (who is
//! signed in, their CSRF token, which section is active) for the layout.

mod account;
mod engagements;
mod lists;
mod parties;
mod policy;
mod reviews;
mod screening;

use crate::auth::CurrentUser;
use crate::{AppError, AppState};
use askama::Template;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use meridian_domain::FieldErrors;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/engagements") }))
        .merge(account::router())
        .merge(engagements::router())
        .merge(parties::router())
        .merge(reviews::router())
        .merge(screening::router())
        .merge(lists::router())
        .merge(policy::router())
}

/// The sections in the navigation, in order. Sections whose features have
/// not landed yet are shown, marked as planned, but are not links.
pub const SECTIONS: &[(&str, &str, bool)] = &[
    ("Dashboard", "/dashboard", true),
    ("Engagements", "/engagements", true),
    ("Parties", "/parties", true),
    ("Screening", "/screening", true),
    ("Reviews", "/tasks", true),
    ("Travel", "/travel", false),
    ("Funding", "/funding", false),
    ("Training", "/training", false),
    ("Audit", "/audit", true),
    ("Admin", "/admin/users", true),
];

/// Layout data every page needs.
pub struct Chrome {
    pub username: String,
    pub display_name: String,
    pub is_admin: bool,
    pub reads_audit: bool,
    pub csrf: String,
    pub active: &'static str,
    pub version: &'static str,
    pub sections: &'static [(&'static str, &'static str, bool)],
}

impl Chrome {
    pub fn new(user: &CurrentUser, active: &'static str) -> Self {
        Chrome {
            username: user.user.username.clone(),
            display_name: user.user.display_name.clone(),
            is_admin: user.user.role == meridian_domain::Role::Admin,
            reads_audit: crate::access::can_read_audit(user.user.role),
            csrf: user.csrf.clone().unwrap_or_default(),
            active,
            version: crate::VERSION,
            sections: SECTIONS,
        }
    }
}

/// Render a template, turning a rendering failure into a logged 500.
pub fn render<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => AppError::Internal(format!("template: {e}")).into_response(),
    }
}

pub fn render_status<T: Template>(status: StatusCode, t: &T) -> Response {
    let mut r = render(t);
    if r.status() == StatusCode::OK {
        *r.status_mut() = status;
    }
    r
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    chrome: Option<Chrome>,
    title: String,
    message: String,
}

/// An error shown as a page rather than JSON.
pub struct PageError(pub AppError, pub Option<Box<Chrome>>);

impl<E: Into<AppError>> From<E> for PageError {
    fn from(e: E) -> Self {
        PageError(e.into(), None)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, title, message) = match self.0 {
            AppError::NotFound => (
                StatusCode::NOT_FOUND,
                "Not found",
                "There is nothing here. It may have been merged, removed, or never existed."
                    .to_owned(),
            ),
            AppError::Conflict(m) => (StatusCode::CONFLICT, "Changed by someone else", m),
            AppError::Forbidden(m) => (StatusCode::FORBIDDEN, "Not allowed", m),
            AppError::Unauthenticated => (
                StatusCode::UNAUTHORIZED,
                "Sign in",
                "Please sign in first.".to_owned(),
            ),
            AppError::BadRequest(m) => (StatusCode::BAD_REQUEST, "Cannot do that", m),
            AppError::Invalid(errs) => (
                StatusCode::BAD_REQUEST,
                "Please check the input",
                errs.to_string(),
            ),
            AppError::Internal(cause) => {
                tracing::error!(%cause, "page failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong",
                    "Something went wrong on our side; it has been logged.".to_owned(),
                )
            }
        };
        render_status(
            status,
            &ErrorPage {
                chrome: self.1.map(|c| *c),
                title: title.to_owned(),
                message,
            },
        )
    }
}

pub type PageResult = Result<Response, PageError>;

/// Form fields as ordered pairs (repeated names and `list[0].field` names
/// need more than a flat struct).
pub struct FormFields(pub Vec<(String, String)>);

impl FormFields {
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .unwrap_or("")
    }
    pub fn opt(&self, name: &str) -> Option<String> {
        Some(self.get(name))
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    }
    pub fn flag(&self, name: &str) -> bool {
        matches!(self.get(name), "on" | "true" | "1" | "yes")
    }
    /// Indices used by `prefix[i].…` fields, ascending.
    pub fn indices(&self, prefix: &str) -> Vec<usize> {
        let mut out: Vec<usize> = self
            .0
            .iter()
            .filter_map(|(k, _)| {
                k.strip_prefix(prefix)?
                    .strip_prefix('[')?
                    .split_once(']')?
                    .0
                    .parse()
                    .ok()
            })
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// Look up a field's message for a template (empty when none).
pub fn field_error(errors: &FieldErrors, field: &str) -> String {
    errors.get(field).unwrap_or("").to_owned()
}

/// Messages for a field and everything under it (`countries` covers `countries[2]`).
pub fn field_errors_under(errors: &FieldErrors, prefix: &str) -> String {
    errors
        .errors
        .iter()
        .filter(|e| {
            e.field == prefix
                || e.field.starts_with(&format!("{prefix}["))
                || e.field.starts_with(&format!("{prefix}."))
        })
        .map(|e| e.message.as_str())
        .collect::<Vec<_>>()
        .join("; ")
}

/// Pages for lists: 1-based page numbers.
pub struct Pager {
    pub page: u32,
    pub pages: u32,
    pub total: i64,
    /// The current query string without `page`, for links.
    pub base_query: String,
}

impl Pager {
    pub fn new(page: u32, per_page: u32, total: i64, pairs: &[(&str, String)]) -> Self {
        let pages = ((total.max(0) as u64).div_ceil(per_page.max(1) as u64)).max(1) as u32;
        let base_query = serde_urlencoded::to_string(
            pairs
                .iter()
                .filter(|(_, v)| !v.is_empty())
                .collect::<Vec<_>>(),
        )
        .unwrap_or_default();
        Pager {
            page,
            pages,
            total,
            base_query,
        }
    }
    pub fn link(&self, page: u32) -> String {
        if self.base_query.is_empty() {
            format!("?page={page}")
        } else {
            format!("?{}&page={page}", self.base_query)
        }
    }
}

/// `2026-11-26T10:31:02.123456Z` → `2026-11-26 10:31` (UTC), for tables.
pub fn when(t: &str) -> String {
    t.get(..16)
        .map(|s| s.replace('T', " "))
        .unwrap_or_else(|| t.to_owned())
}

/// The date part of a timestamp.
pub fn day(t: &str) -> String {
    t.get(..10).unwrap_or(t).to_owned()
}

/// One part of a multipart form.
pub struct Part {
    pub name: String,
    pub file_name: Option<String>,
    pub bytes: Vec<u8>,
}

impl Part {
    /// The part as trimmed text (form fields next to an upload).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).trim().to_owned()
    }
}

/// Read a whole multipart form (the upload forms, whose CSRF token travels
/// in the URL), naming the failure for the person who sent it.
pub async fn read_parts(mut form: axum::extract::Multipart) -> Result<Vec<Part>, AppError> {
    let unreadable = |e: axum::extract::multipart::MultipartError| {
        AppError::BadRequest(format!("the upload could not be read: {e}"))
    };
    let mut parts = Vec::new();
    while let Some(field) = form.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or("").to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let bytes = field.bytes().await.map_err(unreadable)?.to_vec();
        parts.push(Part {
            name,
            file_name,
            bytes,
        });
    }
    Ok(parts)
}
