//! The Lists admin page (status, update now, configure, import, rollback,
//! refusals shown) and alert dismissal from the engagement page.

use super::{Chrome, FormFields, PageResult, render};
use crate::access;
use crate::api::{SourceStatus, source_statuses};
use crate::auth::CurrentUser;
use crate::lists::UpdateReport;
use crate::{AppError, AppState};
use askama::Template;
use axum::Router;
use axum::extract::{Form, Multipart, Path, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/lists", get(page))
        .route("/admin/lists/{id}/update", post(update))
        .route("/admin/lists/{id}/rollback", post(rollback))
        .route("/admin/lists/{id}/configure", post(configure))
        .route("/admin/lists/import", post(import))
        .route("/alerts/{id}/dismiss", post(dismiss))
}

#[derive(Template)]
#[template(path = "lists.html")]
struct ListsPage {
    chrome: Option<Chrome>,
    sources: Vec<SourceStatus>,
    report: Option<UpdateReport>,
    loaded: String,
    error: String,
}

async fn render_page(
    state: &AppState,
    user: &CurrentUser,
    report: Option<UpdateReport>,
    error: String,
) -> PageResult {
    let loaded = match state.engines.lists() {
        Some(i) => format!(
            "{} entities ({} names) from {} list files, loaded {} UTC",
            i.index.entity_count(),
            i.index.name_count(),
            i.versions.len(),
            super::when(&i.loaded_at)
        ),
        None => String::new(),
    };
    Ok(render(&ListsPage {
        chrome: Some(Chrome::new(user, "Admin")),
        sources: source_statuses(state).await?,
        report,
        loaded,
        error,
    }))
}

async fn page(State(state): State<AppState>, user: CurrentUser) -> PageResult {
    access::require_list_manager(&user)?;
    render_page(&state, &user, None, String::new()).await
}

async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> PageResult {
    access::require_list_manager(&user)?;
    let f = FormFields(f);
    let report =
        crate::lists::update_source(&state, &id, f.flag("force"), &user.user.username).await?;
    render_page(&state, &user, Some(report), String::new()).await
}

async fn rollback(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> PageResult {
    access::require_list_manager(&user)?;
    match crate::lists::rollback(&state, &id, &user.user.username).await {
        Ok(_) => Ok(Redirect::to("/admin/lists").into_response()),
        Err(AppError::Conflict(m)) => render_page(&state, &user, None, m).await,
        Err(e) => Err(e.into()),
    }
}

async fn configure(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> PageResult {
    access::require_list_manager(&user)?;
    let f = FormFields(f);
    let urls: Vec<String> = f
        .get("urls")
        .lines()
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .map(str::to_owned)
        .collect();
    if let Some(bad) = urls
        .iter()
        .find(|u| !(u.starts_with("https://") || u.starts_with("http://")))
    {
        return render_page(
            &state,
            &user,
            None,
            format!("'{bad}' is not an http(s) address"),
        )
        .await;
    }
    state
        .store
        .set_list_source(&id, f.flag("enabled"), Some(&urls), &user.user.username)
        .await?;
    Ok(Redirect::to("/admin/lists").into_response())
}

/// Multipart upload (its CSRF token travels in the URL).
async fn import(State(state): State<AppState>, user: CurrentUser, form: Multipart) -> PageResult {
    access::require_list_manager(&user)?;
    let (mut source, mut format, mut force) = (String::new(), String::new(), false);
    let mut files = meridian_store::ListFiles::new();
    for part in super::read_parts(form).await? {
        match (part.name.as_str(), &part.file_name) {
            ("file", Some(fname)) if !part.bytes.is_empty() => {
                files.insert(fname.clone(), part.bytes);
            }
            ("source", _) => source = part.text(),
            ("format", _) => format = part.text(),
            ("force", _) => force = true,
            _ => {}
        }
    }
    if files.is_empty() {
        return render_page(
            &state,
            &user,
            None,
            "Choose the list file(s) to import.".into(),
        )
        .await;
    }
    match crate::lists::import(&state, &source, &format, files, force, &user.user.username).await {
        Ok(report) => render_page(&state, &user, Some(report), String::new()).await,
        Err(AppError::Invalid(e)) => render_page(&state, &user, None, e.to_string()).await,
        Err(e) => Err(e.into()),
    }
}

async fn dismiss(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> PageResult {
    access::require_alert_handler(&user)?;
    let f = FormFields(f);
    let back = f.get("back").to_owned();
    state
        .store
        .dismiss_alert(&id, &user.user.username, f.get("reason"))
        .await?;
    let to = if back.starts_with("/engagements/") {
        back
    } else {
        "/tasks".to_owned()
    };
    Ok(Redirect::to(&to).into_response())
}
