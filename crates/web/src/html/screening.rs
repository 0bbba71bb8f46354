//! The Screening page: type a name (and optionally kind and country), see
//! ranked matches with their explanations and the list versions used. And the
//! form's live assessment preview (htmx), so a researcher sees what drives the
//! outcome while filling the form.

use super::{Chrome, FormFields, PageResult, render};
use crate::auth::CurrentUser;
use crate::engines::{LoadedIndex, MatchView, evaluate_engagement};
use crate::{AppError, AppState};
use askama::Template;
use axum::Router;
use axum::extract::{Form, Query, State};
use axum::routing::{get, post};
use meridian_screening::{EntityKind, Query as ScreenQuery, ScreenOptions};
use serde::Deserialize;
use std::sync::Arc;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/screening", get(page))
        .route("/engagements/preview", post(preview))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ScreenForm {
    name: String,
    kind: String,
    country: String,
}

#[derive(Template)]
#[template(path = "screening.html")]
struct ScreeningPage {
    chrome: Option<Chrome>,
    form: ScreenForm,
    lists: Option<Arc<LoadedIndex>>,
    matches: Vec<MatchView>,
    searched: bool,
}

async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(form): Query<ScreenForm>,
) -> PageResult {
    let lists = state.engines.lists();
    let name = form.name.trim().to_owned();
    let mut matches = Vec::new();
    if let (Some(idx), false) = (lists.clone(), name.is_empty()) {
        let q = ScreenQuery {
            name,
            kind: EntityKind::parse(&form.kind),
            country: Some(form.country.trim().to_owned()).filter(|c| !c.is_empty()),
            birth_year: None,
        };
        let opts = ScreenOptions {
            threshold: 0.6,
            limit: 20,
        };
        matches = tokio::task::spawn_blocking(move || {
            idx.index
                .screen_with(&q, &opts)
                .iter()
                .map(MatchView::from)
                .collect()
        })
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    }
    let searched = !form.name.trim().is_empty();
    Ok(render(&ScreeningPage {
        chrome: Some(Chrome::new(&user, "Screening")),
        form,
        lists,
        matches,
        searched,
    }))
}

#[derive(Template)]
#[template(path = "preview.html")]
struct PreviewFragment {
    assessment: Option<meridian_risk::Assessment>,
    screened: bool,
    message: String,
}

impl PreviewFragment {
    fn label(&self, s: &str) -> String {
        s.replace('_', " ")
    }
}

/// Assess the form as it stands, without saving (an htmx fragment).
async fn preview(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(f): Form<Vec<(String, String)>>,
) -> PageResult {
    let f = FormFields(f);
    let (mut input, errors) = super::engagements::input_from_form(&f);
    if input.owner.is_empty() {
        input.owner = user.user.username.clone();
    }
    let fragment = match (errors.is_empty(), input.validate()) {
        (true, Ok(e)) => {
            let st = state.clone();
            let (screening, a) = tokio::task::spawn_blocking(move || evaluate_engagement(&st, &e))
                .await
                .map_err(|e| AppError::Internal(e.to_string()))?;
            PreviewFragment {
                assessment: Some(a),
                screened: screening.ok,
                message: String::new(),
            }
        }
        _ => PreviewFragment {
            assessment: None,
            screened: false,
            message: "Complete the required fields (title, kind, a country) to see the assessment."
                .into(),
        },
    };
    Ok(render(&fragment))
}
