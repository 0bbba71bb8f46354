//! Party pages: the registry list, a record with every engagement it appears
//! in, its due-diligence decisions, adverse media and history; editing;
//! possible duplicates and merging; CSV import with a dry run.

use super::{Chrome, FormFields, PageError, PageResult, Pager, field_error, render, render_status};
use crate::access;
use crate::api::{
    DUPLICATE_THRESHOLD, ImportQuery, PartyDetail, PartyQuery, party_detail, run_import, today_text,
};
use crate::auth::CurrentUser;
use crate::{AppError, AppState};
use askama::Template;
use axum::Router;
use axum::extract::{Form, Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use meridian_domain::{
    AdverseMediaInput, DueDiligenceInput, DueDiligenceStatus, FieldErrors, NAME_TYPES, OtherName,
    Party, PartyInput, RegistrationId, Sector, all_countries,
};
use meridian_store::DuplicatePair;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/parties", get(list).post(create))
        .route("/parties/new", get(new_form))
        .route("/parties/duplicates", get(duplicates))
        .route("/parties/import", get(import_form).post(import))
        .route("/parties/{id}", get(view).post(update))
        .route("/parties/{id}/edit", get(edit_form))
        .route("/parties/{id}/due-diligence", post(due_diligence))
        .route("/parties/{id}/adverse-media", post(adverse_media))
        .route("/parties/{id}/merge", post(merge))
}

fn country_options() -> Vec<(&'static str, &'static str)> {
    all_countries().map(|c| (c.code(), c.name())).collect()
}

#[derive(Template)]
#[template(path = "parties.html")]
struct ListPage {
    chrome: Option<Chrome>,
    items: Vec<Party>,
    pager: Pager,
    q: PartyQuery,
    statuses: &'static [DueDiligenceStatus],
    countries: Vec<(&'static str, &'static str)>,
    today: String,
    error: String,
}

impl ListPage {
    fn sel<'a>(&self, v: &'a Option<String>) -> &'a str {
        v.as_deref().unwrap_or("")
    }
    fn expired(&self, p: &Party) -> bool {
        p.dd_expires_on
            .as_deref()
            .is_some_and(|d| d < self.today.as_str())
    }
}

async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<PartyQuery>,
) -> PageResult {
    let (page, error) = match q.to_filter() {
        Ok(f) => (state.store.list_parties(&f).await?, String::new()),
        Err(e) => (
            meridian_store::PartyPage {
                items: vec![],
                total: 0,
                page: 1,
                per_page: 50,
            },
            e.to_string(),
        ),
    };
    let pairs = [
        ("q", q.q.clone().unwrap_or_default()),
        ("kind", q.kind.clone().unwrap_or_default()),
        ("country", q.country.clone().unwrap_or_default()),
        ("dd_status", q.dd_status.clone().unwrap_or_default()),
    ];
    let pager = Pager::new(page.page, page.per_page, page.total, &pairs);
    let status = if error.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    Ok(render_status(
        status,
        &ListPage {
            chrome: Some(Chrome::new(&user, "Parties")),
            items: page.items,
            pager,
            q,
            statuses: DueDiligenceStatus::ALL,
            countries: country_options(),
            today: today_text(),
            error,
        },
    ))
}

#[derive(Template)]
#[template(path = "party_form.html")]
struct FormPage {
    chrome: Option<Chrome>,
    id: Option<String>,
    input: PartyInput,
    errors: FieldErrors,
    sectors: &'static [Sector],
    name_types: &'static [&'static str],
    countries: Vec<(&'static str, &'static str)>,
}

impl FormPage {
    fn new(
        user: &CurrentUser,
        id: Option<String>,
        mut input: PartyInput,
        errors: FieldErrors,
    ) -> Self {
        input.other_names.push(OtherName::default());
        input.other_names.push(OtherName::default());
        input.registration_ids.push(RegistrationId::default());
        FormPage {
            chrome: Some(Chrome::new(user, "Parties")),
            id,
            input,
            errors,
            sectors: Sector::ALL,
            name_types: NAME_TYPES,
            countries: country_options(),
        }
    }
    fn err(&self, field: &str) -> String {
        field_error(&self.errors, field)
    }
    fn row_err(&self, list: &str, i: &usize, field: &str) -> String {
        field_error(&self.errors, &format!("{list}[{i}].{field}"))
    }
    fn pct_text(&self) -> String {
        self.input
            .state_ownership_pct
            .map(|p| p.to_string())
            .unwrap_or_default()
    }
}

fn party_input_from_form(f: &FormFields) -> (PartyInput, FieldErrors) {
    let mut errors = FieldErrors::default();
    let pct = match f.get("state_ownership_pct").trim_end_matches('%') {
        "" => None,
        v => match v.trim().parse::<f64>() {
            Ok(n) => Some(n),
            Err(_) => {
                errors.push("state_ownership_pct", format!("'{v}' is not a number"));
                None
            }
        },
    };
    let input = PartyInput {
        kind: f.get("kind").to_owned(),
        legal_name: f.get("legal_name").to_owned(),
        other_names: f
            .indices("other_names")
            .into_iter()
            .map(|i| OtherName {
                name: f.get(&format!("other_names[{i}].name")).to_owned(),
                name_type: f.get(&format!("other_names[{i}].name_type")).to_owned(),
            })
            .filter(|n| !n.name.is_empty())
            .collect(),
        country: f.opt("country"),
        sector: f.opt("sector"),
        parent_id: f.opt("parent_id"),
        state_ownership_pct: pct,
        ownership_notes: f.get("ownership_notes").to_owned(),
        website: f.get("website").to_owned(),
        registration_ids: f
            .indices("registration_ids")
            .into_iter()
            .map(|i| RegistrationId {
                scheme: f.get(&format!("registration_ids[{i}].scheme")).to_owned(),
                value: f.get(&format!("registration_ids[{i}].value")).to_owned(),
            })
            .filter(|r| !r.value.is_empty())
            .collect(),
        governance_notes: f.get("governance_notes").to_owned(),
    };
    (input, errors)
}

async fn new_form(user: CurrentUser) -> PageResult {
    Ok(render(&FormPage::new(
        &user,
        None,
        PartyInput {
            kind: "organization".into(),
            ..Default::default()
        },
        FieldErrors::default(),
    )))
}

async fn save(
    state: &AppState,
    user: &CurrentUser,
    id: Option<String>,
    f: FormFields,
) -> PageResult {
    access::require_register(user)?;
    let (input, mut errors) = party_input_from_form(&f);
    let fields = match input.validate() {
        Ok(p) if errors.is_empty() => p,
        Ok(_) => {
            return Ok(render_status(
                StatusCode::BAD_REQUEST,
                &FormPage::new(user, id, input, errors),
            ));
        }
        Err(more) => {
            errors.errors.extend(more.errors);
            return Ok(render_status(
                StatusCode::BAD_REQUEST,
                &FormPage::new(user, id, input, errors),
            ));
        }
    };
    let result = match &id {
        Some(id) => {
            state
                .store
                .update_party(id, &fields, &user.user.username)
                .await
        }
        None => state.store.create_party(&fields, &user.user.username).await,
    };
    match result.map_err(AppError::from) {
        Ok(p) => Ok(Redirect::to(&format!("/parties/{}", p.id)).into_response()),
        Err(AppError::Invalid(errors)) => Ok(render_status(
            StatusCode::BAD_REQUEST,
            &FormPage::new(user, id, input, errors),
        )),
        Err(e) => Err(e.into()),
    }
}

async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(f): Form<Vec<(String, String)>>,
) -> PageResult {
    save(&state, &user, None, FormFields(f)).await
}

async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> PageResult {
    save(&state, &user, Some(id), FormFields(f)).await
}

async fn edit_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> PageResult {
    let p = state.store.party(&id).await?.ok_or(AppError::NotFound)?;
    if let Some(to) = p.merged_into {
        return Ok(Redirect::to(&format!("/parties/{to}")).into_response());
    }
    Ok(render(&FormPage::new(
        &user,
        Some(id),
        p.fields.to_input(),
        FieldErrors::default(),
    )))
}

#[derive(Template)]
#[template(path = "party.html")]
struct ViewPage {
    chrome: Option<Chrome>,
    d: PartyDetail,
    parent: Option<Party>,
    merged_into: Option<Party>,
    statuses: &'static [DueDiligenceStatus],
    candidates: Vec<DuplicatePair>,
    errors: FieldErrors,
    dd_input: DueDiligenceInput,
    media_input: AdverseMediaInput,
    /// The party screened now against the loaded lists (None: no lists).
    screening: Option<Vec<crate::engines::MatchView>>,
    lists_loaded_at: String,
}

impl ViewPage {
    fn err(&self, field: &str) -> String {
        field_error(&self.errors, field)
    }
    fn detail_text(&self, v: &serde_json::Value) -> String {
        match v {
            serde_json::Value::Array(a) => a
                .iter()
                .map(|c| {
                    format!(
                        "{}: {} → {}",
                        c["field"].as_str().unwrap_or(""),
                        short(&c["before"]),
                        short(&c["after"])
                    )
                })
                .collect::<Vec<_>>()
                .join("; "),
            serde_json::Value::Object(o) => o
                .iter()
                .map(|(k, v)| format!("{k}: {}", short(v)))
                .collect::<Vec<_>>()
                .join("; "),
            other => short(other),
        }
    }
    /// The other record of a duplicate pair involving this party.
    fn other<'a>(&self, pair: &'a DuplicatePair) -> &'a meridian_store::PartySuggestion {
        if pair.a.id == self.d.party.id {
            &pair.b
        } else {
            &pair.a
        }
    }
    fn pct(&self) -> String {
        self.d
            .party
            .fields
            .state_ownership_pct
            .map(|p| format!("{p}%"))
            .unwrap_or_default()
    }
}

fn short(v: &serde_json::Value) -> String {
    let s = match v {
        serde_json::Value::Null => "—".to_owned(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if s.chars().count() > 120 {
        format!("{}…", s.chars().take(120).collect::<String>())
    } else {
        s
    }
}

/// Every name of the party against the index, best match per listed entry.
fn screen_party(idx: &crate::engines::LoadedIndex, p: &Party) -> Vec<crate::engines::MatchView> {
    let kind = match p.fields.kind {
        meridian_domain::PartyKind::Person => meridian_screening::EntityKind::Person,
        meridian_domain::PartyKind::Organization => meridian_screening::EntityKind::Organization,
    };
    let opts = meridian_screening::ScreenOptions {
        threshold: crate::engines::HIT_THRESHOLD,
        limit: 5,
    };
    let mut out: Vec<crate::engines::MatchView> = Vec::new();
    for name in p.all_names() {
        let q = meridian_screening::Query {
            name: name.to_owned(),
            kind: Some(kind),
            country: p.fields.country.map(|c| c.code().to_owned()),
            birth_year: None,
        };
        for m in idx.index.screen_with(&q, &opts) {
            let v = crate::engines::MatchView::from(&m);
            match out
                .iter_mut()
                .find(|o| o.source == v.source && o.entity_id == v.entity_id)
            {
                Some(o) if o.score >= v.score => {}
                Some(o) => *o = v,
                None => out.push(v),
            }
        }
    }
    out.sort_by(|a, b| b.score.total_cmp(&a.score));
    out
}

async fn view_page(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    errors: FieldErrors,
    dd_input: DueDiligenceInput,
    media_input: AdverseMediaInput,
) -> Result<ViewPage, PageError> {
    let d = party_detail(state, id).await?;
    let parent = match &d.party.fields.parent_id {
        Some(p) => state.store.party(p).await?,
        None => None,
    };
    let merged_into = match &d.party.merged_into {
        Some(p) => state.store.party(p).await?,
        None => None,
    };
    let candidates = if d.party.merged_into.is_none() {
        state
            .store
            .possible_duplicates(DUPLICATE_THRESHOLD)
            .await?
            .into_iter()
            .filter(|p| p.a.id == d.party.id || p.b.id == d.party.id)
            .collect()
    } else {
        Vec::new()
    };
    let lists = state.engines.lists();
    let lists_loaded_at = lists
        .as_ref()
        .map(|l| super::when(&l.loaded_at))
        .unwrap_or_default();
    let screening = lists.map(|idx| screen_party(&idx, &d.party));
    Ok(ViewPage {
        chrome: Some(Chrome::new(user, "Parties")),
        screening,
        lists_loaded_at,
        d,
        parent,
        merged_into,
        statuses: DueDiligenceStatus::ALL,
        candidates,
        errors,
        dd_input,
        media_input,
    })
}

async fn view(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> PageResult {
    let page = view_page(
        &state,
        &user,
        &id,
        FieldErrors::default(),
        DueDiligenceInput::default(),
        AdverseMediaInput::default(),
    )
    .await?;
    Ok(render(&page))
}

async fn due_diligence(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> PageResult {
    access::require_due_diligence(&user)?;
    let f = FormFields(f);
    let input = DueDiligenceInput {
        status: f.get("status").to_owned(),
        decided_on: f.opt("decided_on"),
        expires_on: f.opt("expires_on"),
        note: f.get("note").to_owned(),
    };
    match input.validate(crate::api::today()) {
        Ok(d) => {
            state
                .store
                .record_dd_decision(&id, &d, &user.user.username)
                .await?;
            Ok(Redirect::to(&format!("/parties/{id}")).into_response())
        }
        Err(errors) => {
            let page = view_page(
                &state,
                &user,
                &id,
                errors,
                input,
                AdverseMediaInput::default(),
            )
            .await?;
            Ok(render_status(StatusCode::BAD_REQUEST, &page))
        }
    }
}

async fn adverse_media(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> PageResult {
    access::require_register(&user)?;
    let f = FormFields(f);
    let input = AdverseMediaInput {
        text: f.get("text").to_owned(),
        source_url: f.get("source_url").to_owned(),
        date: f.opt("date"),
    };
    match input.validate() {
        Ok(note) => {
            state
                .store
                .add_adverse_media(&id, &note, &user.user.username)
                .await?;
            Ok(Redirect::to(&format!("/parties/{id}")).into_response())
        }
        Err(errors) => {
            let page = view_page(
                &state,
                &user,
                &id,
                errors,
                DueDiligenceInput::default(),
                input,
            )
            .await?;
            Ok(render_status(StatusCode::BAD_REQUEST, &page))
        }
    }
}

async fn merge(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> PageResult {
    access::require_due_diligence(&user)?;
    let f = FormFields(f);
    let duplicate = f.get("duplicate_id");
    if duplicate.is_empty() {
        return Err(AppError::BadRequest("choose the record to merge into this one".into()).into());
    }
    state
        .store
        .merge_parties(&id, duplicate, &user.user.username)
        .await?;
    Ok(Redirect::to(&format!("/parties/{id}")).into_response())
}

#[derive(Template)]
#[template(path = "duplicates.html")]
struct DuplicatesPage {
    chrome: Option<Chrome>,
    pairs: Vec<DuplicatePair>,
}

impl DuplicatesPage {
    fn pct(&self, s: &f64) -> String {
        format!("{:.0}%", s * 100.0)
    }
}

async fn duplicates(State(state): State<AppState>, user: CurrentUser) -> PageResult {
    let pairs = state.store.possible_duplicates(DUPLICATE_THRESHOLD).await?;
    Ok(render(&DuplicatesPage {
        chrome: Some(Chrome::new(&user, "Parties")),
        pairs,
    }))
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    chrome: Option<Chrome>,
    mapping: String,
    report: Option<crate::api::ImportReport>,
    error: String,
}

async fn import_form(user: CurrentUser) -> PageResult {
    Ok(render(&ImportPage {
        chrome: Some(Chrome::new(&user, "Parties")),
        mapping: String::new(),
        report: None,
        error: String::new(),
    }))
}

/// The upload form posts multipart (the file) with its CSRF token in the URL.
async fn import(State(state): State<AppState>, user: CurrentUser, form: Multipart) -> PageResult {
    access::require_register(&user)?;
    let (mut csv, mut mapping, mut mode) = (Vec::new(), String::new(), String::from("dry_run"));
    let mut pasted = String::new();
    for part in super::read_parts(form).await? {
        match part.name.as_str() {
            "file" => csv = part.bytes,
            "csv_text" => pasted = String::from_utf8_lossy(&part.bytes).into_owned(),
            "mapping" => mapping = part.text(),
            "mode" => mode = String::from_utf8_lossy(&part.bytes).into_owned(),
            _ => {}
        }
    }
    if csv.is_empty() {
        csv = pasted.into_bytes();
    }
    let chrome = Some(Chrome::new(&user, "Parties"));
    if csv.iter().all(u8::is_ascii_whitespace) {
        let page = ImportPage {
            chrome,
            mapping,
            report: None,
            error: "Choose a CSV file (or paste its text) first.".into(),
        };
        return Ok(render_status(StatusCode::BAD_REQUEST, &page));
    }
    let q = ImportQuery {
        dry_run: Some(mode == "dry_run"),
        force: mode == "force",
        mapping: Some(mapping.clone()),
    };
    match run_import(&state, &user.user.username, &csv, &q).await {
        Ok(report) => {
            let status = if report.errors.is_empty() {
                StatusCode::OK
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            Ok(render_status(
                status,
                &ImportPage {
                    chrome,
                    mapping,
                    report: Some(report),
                    error: String::new(),
                },
            ))
        }
        Err(AppError::Invalid(e)) => Ok(render_status(
            StatusCode::BAD_REQUEST,
            &ImportPage {
                chrome,
                mapping,
                report: None,
                error: e.to_string(),
            },
        )),
        Err(e) => Err(e.into()),
    }
}
