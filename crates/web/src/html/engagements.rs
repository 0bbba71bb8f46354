//! Engagement pages: the filtered list, the register/edit form (re-rendered
//! with each message beside its field), the record with its parties and
//! history, and archiving.

use super::{
    Chrome, FormFields, PageError, PageResult, Pager, field_error, field_errors_under, render,
    render_status,
};
use crate::access;
use crate::api::ListQuery;
use crate::api::{ConditionInput, ConditionUpdate, WorkflowStep, condition_step, workflow_step};
use crate::auth::CurrentUser;
use crate::{AppError, AppState};
use askama::Template;
use axum::Router;
use axum::extract::{Form, Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use meridian_domain::access::{can_edit, may_take};
use meridian_domain::{
    CountryCode, DataFlags, DestinationInput, EngagementInput, EngagementKind, EngagementStatus,
    FieldErrors, FundingInput, FundingSourceType, PartnerInput, PersonInput, Sector,
    TalentProgramme, TravelInput, all_countries,
};
use meridian_domain::{ReviewRoute, Role, WorkflowAction, available_actions};
use meridian_store::{
    ConditionRecord, DecisionRecord, EngagementSummary, HistoryEntry, StoredEngagement,
    WorkflowState,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/engagements", get(list).post(create))
        .route("/engagements/new", get(new_form))
        .route("/engagements/{id}", get(view).post(update))
        .route("/engagements/{id}/edit", get(edit_form))
        .route("/engagements/{id}/archive", post(archive))
        .route("/engagements/{id}/restore", post(restore))
        .route("/engagements/{id}/workflow", post(workflow))
        .route("/engagements/{id}/evaluate", post(reevaluate))
        .route("/engagements/{id}/agreement", post(upload_agreement))
        .route("/engagements/{id}/conditions/{cid}", post(condition))
}

#[derive(Template)]
#[template(path = "engagements.html")]
struct ListPage {
    chrome: Option<Chrome>,
    items: Vec<EngagementSummary>,
    pager: Pager,
    q: ListQuery,
    kinds: &'static [EngagementKind],
    statuses: &'static [EngagementStatus],
    countries: Vec<(&'static str, &'static str)>,
    error: String,
}

impl ListPage {
    fn sel<'a>(&self, v: &'a Option<String>) -> &'a str {
        v.as_deref().unwrap_or("")
    }
}

fn country_options() -> Vec<(&'static str, &'static str)> {
    all_countries().map(|c| (c.code(), c.name())).collect()
}

async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let chrome = Some(Chrome::new(&user, "Engagements"));
    let (page, error) = match q.to_filter() {
        Ok(mut f) => {
            f.visible_to = access::visibility(&user);
            (state.store.list_engagements(&f).await?, String::new())
        }
        Err(e) => (
            meridian_store::EngagementPage {
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
        ("status", q.status.clone().unwrap_or_default()),
        (
            "include_archived",
            if q.include_archived == Some(true) {
                "true".into()
            } else {
                String::new()
            },
        ),
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
            chrome,
            items: page.items,
            pager,
            q,
            kinds: EngagementKind::ALL,
            statuses: EngagementStatus::ALL,
            countries: country_options(),
            error,
        },
    ))
}

#[derive(Template)]
#[template(path = "engagement_form.html")]
struct FormPage {
    chrome: Option<Chrome>,
    /// None when registering a new engagement.
    id: Option<String>,
    version: i64,
    input: EngagementInput,
    errors: FieldErrors,
    kinds: &'static [EngagementKind],
    sectors: &'static [Sector],
    source_types: &'static [FundingSourceType],
    talent: &'static [TalentProgramme],
    countries: Vec<(&'static str, &'static str)>,
}

impl FormPage {
    fn new(
        user: &CurrentUser,
        id: Option<String>,
        version: i64,
        mut input: EngagementInput,
        errors: FieldErrors,
    ) -> Self {
        // Spare rows so a person can add partners, people and destinations
        // without script (the page's script adds more on demand).
        pad(&mut input.partners, 2);
        pad(&mut input.people, 1);
        let travel = input.travel.get_or_insert_with(TravelInput::default);
        pad(&mut travel.destinations, 1);
        input.funding.get_or_insert_with(FundingInput::default);
        FormPage {
            chrome: Some(Chrome::new(user, "Engagements")),
            id,
            version,
            input,
            errors,
            kinds: EngagementKind::ALL,
            sectors: Sector::ALL,
            source_types: FundingSourceType::ALL,
            talent: TalentProgramme::ALL,
            countries: country_options(),
        }
    }
    fn err(&self, field: &str) -> String {
        field_error(&self.errors, field)
    }
    fn errs(&self, prefix: &str) -> String {
        field_errors_under(&self.errors, prefix)
    }
    fn row_err(&self, list: &str, i: &usize, field: &str) -> String {
        field_error(&self.errors, &format!("{list}[{i}].{field}"))
    }
    fn funding(&self) -> FundingInput {
        self.input.funding.clone().unwrap_or_default()
    }
    fn travel(&self) -> TravelInput {
        self.input.travel.clone().unwrap_or_default()
    }
    fn countries_text(&self) -> String {
        self.input.countries.join(", ")
    }
    fn areas_text(&self) -> String {
        self.input.research_areas.join("\n")
    }
    fn amount_text(&self) -> String {
        self.input
            .funding
            .as_ref()
            .and_then(|f| f.amount)
            .map(|a| a.to_string())
            .unwrap_or_default()
    }
}

fn pad<T: Default>(v: &mut Vec<T>, spare: usize) {
    for _ in 0..spare {
        v.push(T::default());
    }
}

/// Read the form into the same input shape the API takes; a non-number
/// amount is reported against `funding.amount`.
pub(super) fn input_from_form(f: &FormFields) -> (EngagementInput, FieldErrors) {
    let mut errors = FieldErrors::default();
    let split = |s: &str, seps: &[char]| -> Vec<String> {
        s.split(seps)
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let partners = f
        .indices("partners")
        .into_iter()
        .map(|i| PartnerInput {
            party_id: f.opt(&format!("partners[{i}].party_id")),
            name: f.get(&format!("partners[{i}].name")).to_owned(),
            kind: f.opt(&format!("partners[{i}].kind")),
            country: f.opt(&format!("partners[{i}].country")),
            sector: f.opt(&format!("partners[{i}].sector")),
        })
        .filter(|p| {
            p.party_id.is_some() || !p.name.is_empty() || p.country.is_some() || p.sector.is_some()
        })
        .collect();
    let people = f
        .indices("people")
        .into_iter()
        .map(|i| PersonInput {
            party_id: f.opt(&format!("people[{i}].party_id")),
            name: f.get(&format!("people[{i}].name")).to_owned(),
            role: f.get(&format!("people[{i}].role")).to_owned(),
            talent_programme: f.opt(&format!("people[{i}].talent_programme")),
            undisclosed_affiliations: split(
                f.get(&format!("people[{i}].undisclosed_affiliations")),
                &[';', ','],
            ),
        })
        .filter(|p| {
            p.party_id.is_some()
                || !p.name.is_empty()
                || !p.role.is_empty()
                || !p.undisclosed_affiliations.is_empty()
        })
        .collect();
    let amount = match f.get("funding.amount").replace([',', ' '], "") {
        a if a.is_empty() => None,
        a => match a.parse::<f64>() {
            Ok(n) => Some(n),
            Err(_) => {
                errors.push(
                    "funding.amount",
                    format!("'{}' is not a number", f.get("funding.amount")),
                );
                None
            }
        },
    };
    let funding = FundingInput {
        amount,
        currency: f.opt("funding.currency"),
        source: f.get("funding.source").to_owned(),
        source_party_id: f.opt("funding.source_party_id"),
        source_country: f.opt("funding.source_country"),
        source_type: f.opt("funding.source_type"),
        conditions: f.get("funding.conditions").to_owned(),
    };
    let destinations: Vec<DestinationInput> = f
        .indices("travel.destinations")
        .into_iter()
        .map(|i| DestinationInput {
            country: f
                .get(&format!("travel.destinations[{i}].country"))
                .to_owned(),
            region: f
                .get(&format!("travel.destinations[{i}].region"))
                .to_owned(),
        })
        .filter(|d| !d.country.is_empty() || !d.region.is_empty())
        .collect();
    let travel = TravelInput {
        destinations,
        start: f.opt("travel.start"),
        end: f.opt("travel.end"),
        fieldwork: f.flag("travel.fieldwork"),
    };
    let input = EngagementInput {
        title: f.get("title").to_owned(),
        kind: f.get("kind").to_owned(),
        description: f.get("description").to_owned(),
        owner: f.get("owner").to_owned(),
        department: f.get("department").to_owned(),
        start_date: f.opt("start_date"),
        end_date: f.opt("end_date"),
        countries: split(f.get("countries"), &[',', ' ', ';']),
        partners,
        research_areas: split(f.get("research_areas"), &['\n', ';']),
        funding: Some(funding),
        data: DataFlags {
            personal_data: f.flag("data.personal_data"),
            special_category_data: f.flag("data.special_category_data"),
            export_controlled: f.flag("data.export_controlled"),
            partner_access_to_facilities: f.flag("data.partner_access_to_facilities"),
        },
        people,
        travel: Some(travel),
        agreement_text: f.get("agreement_text").to_owned(),
    };
    (input, errors)
}

/// Validate a submitted form; on failure re-render it with every message.
fn validate_form(
    user: &CurrentUser,
    f: &FormFields,
) -> Result<meridian_domain::Engagement, Box<(EngagementInput, FieldErrors)>> {
    let (mut input, mut errors) = input_from_form(f);
    if input.owner.is_empty() {
        input.owner = user.user.username.clone();
    }
    match input.validate() {
        Ok(e) if errors.is_empty() => Ok(e),
        Ok(_) => Err(Box::new((input, errors))),
        Err(more) => {
            errors.errors.extend(more.errors);
            Err(Box::new((input, errors)))
        }
    }
}

async fn new_form(user: CurrentUser) -> PageResult {
    let input = EngagementInput {
        owner: user.user.username.clone(),
        department: user.user.department.clone(),
        ..Default::default()
    };
    Ok(render(&FormPage::new(
        &user,
        None,
        0,
        input,
        FieldErrors::default(),
    )))
}

async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(f): Form<Vec<(String, String)>>,
) -> PageResult {
    access::require_register(&user)?;
    let f = FormFields(f);
    let result = match validate_form(&user, &f) {
        Ok(e) => crate::engines::create_and_evaluate(&state, e, &user.user.username).await,
        Err(bad) => {
            let (input, errors) = *bad;
            return Ok(render_status(
                StatusCode::BAD_REQUEST,
                &FormPage::new(&user, None, 0, input, errors),
            ));
        }
    };
    match result {
        Ok(stored) => Ok(Redirect::to(&format!("/engagements/{}", stored.id)).into_response()),
        Err(AppError::Invalid(errors)) => {
            let (input, _) = input_from_form(&f);
            Ok(render_status(
                StatusCode::BAD_REQUEST,
                &FormPage::new(&user, None, 0, input, errors),
            ))
        }
        Err(e) => Err(e.into()),
    }
}

async fn edit_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> PageResult {
    let (stored, st) = access::visible_engagement(&state, &user, &id).await?;
    access::require_edit(&user, &st)?;
    let input = stored.engagement.to_input();
    Ok(render(&FormPage::new(
        &user,
        Some(id),
        stored.version,
        input,
        FieldErrors::default(),
    )))
}

async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> PageResult {
    let (_, st) = access::visible_engagement(&state, &user, &id).await?;
    access::require_edit(&user, &st)?;
    let f = FormFields(f);
    let version: i64 = f.get("version").parse().unwrap_or(0);
    let result = match validate_form(&user, &f) {
        Ok(e) => {
            crate::engines::update_and_evaluate(&state, &id, e, Some(version), &user.user.username)
                .await
        }
        Err(bad) => {
            let (input, errors) = *bad;
            return Ok(render_status(
                StatusCode::BAD_REQUEST,
                &FormPage::new(&user, Some(id), version, input, errors),
            ));
        }
    };
    match result {
        Ok(stored) => Ok(Redirect::to(&format!("/engagements/{}", stored.id)).into_response()),
        Err(AppError::Invalid(errors)) => {
            let (input, _) = input_from_form(&f);
            Ok(render_status(
                StatusCode::BAD_REQUEST,
                &FormPage::new(&user, Some(id), version, input, errors),
            ))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "engagement.html")]
struct ViewPage {
    chrome: Option<Chrome>,
    e: StoredEngagement,
    st: WorkflowState,
    history: Vec<HistoryEntry>,
    decisions: Vec<DecisionRecord>,
    conditions: Vec<ConditionRecord>,
    /// Workflow steps this user may take now.
    actions: Vec<WorkflowAction>,
    can_edit: bool,
    approvals: Vec<String>,
    assessment: Option<meridian_risk::Assessment>,
    assessed_at: String,
    alerts: Vec<meridian_store::AlertRecord>,
    handles_alerts: bool,
    /// Agreement clauses the policy pack flags: (kind, before, matched, after, note).
    clauses: Vec<(String, String, String, String, String)>,
    screening: Option<crate::engines::ScreeningView>,
    username: String,
    is_office: bool,
    error: String,
}

impl ViewPage {
    fn outcome_label(&self, o: &str) -> String {
        let mut s = o.replace('_', " ");
        if let Some(c) = s.get_mut(0..1) {
            c.make_ascii_uppercase();
        }
        s
    }
    fn offers_conditions(&self) -> bool {
        self.actions
            .contains(&WorkflowAction::ApproveWithConditions)
    }
    fn committee_voting(&self) -> bool {
        self.st.route == ReviewRoute::Committee && self.st.status == EngagementStatus::InReview
    }
    fn country_name(&self, c: &CountryCode) -> &'static str {
        c.name()
    }
    fn change_lines(&self, h: &HistoryEntry) -> Vec<(String, String, String)> {
        h.changes
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|c| {
                        let show = |v: &serde_json::Value| match v {
                            serde_json::Value::Null => "—".to_owned(),
                            serde_json::Value::String(s) => s.clone(),
                            other => other.to_string(),
                        };
                        let mut after = show(&c["after"]);
                        if after.len() > 300 {
                            after = format!("{}…", after.chars().take(300).collect::<String>());
                        }
                        let mut before = show(&c["before"]);
                        if before.len() > 300 {
                            before = format!("{}…", before.chars().take(300).collect::<String>());
                        }
                        (c["field"].as_str().unwrap_or("").to_owned(), before, after)
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
    fn amount(&self) -> String {
        match &self.e.engagement.funding {
            Some(f) => match (f.amount, f.currency) {
                (Some(a), Some(c)) => format!("{} {}", group_thousands(a), c.code()),
                (Some(a), None) => group_thousands(a),
                _ => String::new(),
            },
            None => String::new(),
        }
    }
}

fn group_thousands(a: f64) -> String {
    let whole = a.trunc() as i64;
    let digits = whole.abs().to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    let frac = a.fract().abs();
    if frac > 0.0 {
        out.push_str(&format!("{:.2}", frac)[1..]);
    }
    if whole < 0 { format!("-{out}") } else { out }
}

async fn view(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> PageResult {
    Ok(render(&view_page(&state, &user, &id, String::new()).await?))
}

async fn view_page(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    error: String,
) -> Result<ViewPage, PageError> {
    let (e, st) = access::visible_engagement(state, user, id).await?;
    let actor = access::actor(user);
    let actions = available_actions(st.status)
        .into_iter()
        .filter(|a| may_take(&actor, *a, &st.subject()).is_ok())
        .collect();
    Ok(ViewPage {
        chrome: Some(Chrome::new(user, "Engagements")),
        can_edit: can_edit(&actor, &st.subject()),
        history: state.store.engagement_history(id).await?,
        decisions: state.store.decisions(id).await?,
        conditions: state.store.conditions(id).await?,
        approvals: state.store.approvals_this_round(id).await?,
        alerts: state.store.alerts(Some(id), false).await?,
        clauses: clause_findings(&e.engagement.agreement_text, &state.engines.policy()),
        handles_alerts: access::require_alert_handler(user).is_ok(),
        assessed_at: state
            .store
            .latest_assessment(id)
            .await?
            .map(|a| a.at)
            .unwrap_or_default(),
        assessment: state
            .store
            .latest_assessment(id)
            .await?
            .and_then(|a| serde_json::from_value(a.assessment).ok()),
        screening: state
            .store
            .latest_screening(id)
            .await?
            .and_then(|s| serde_json::from_value(s.result).ok()),
        username: user.user.username.clone(),
        is_office: matches!(user.user.role, Role::ResearchOffice | Role::Admin),
        actions,
        e,
        st,
        error,
    })
}

/// The workflow form: an action, a rationale and, for approvals with
/// conditions, condition rows.
async fn workflow(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> PageResult {
    let f = FormFields(f);
    let conditions = f
        .indices("conditions")
        .into_iter()
        .map(|i| ConditionInput {
            text: f.get(&format!("conditions[{i}].text")).to_owned(),
            owner: f.get(&format!("conditions[{i}].owner")).to_owned(),
            due_on: f.opt(&format!("conditions[{i}].due_on")),
        })
        .filter(|c| !c.text.is_empty() || !c.owner.is_empty())
        .collect();
    let step = WorkflowStep {
        action: f.get("action").to_owned(),
        rationale: f.get("rationale").to_owned(),
        conditions,
    };
    match workflow_step(&state, &user, &id, step).await {
        Ok(_) => Ok(Redirect::to(&format!("/engagements/{id}#workflow")).into_response()),
        Err(AppError::Invalid(e)) => Ok(render_status(
            StatusCode::BAD_REQUEST,
            &view_page(&state, &user, &id, e.to_string()).await?,
        )),
        Err(AppError::Conflict(m)) => Ok(render_status(
            StatusCode::CONFLICT,
            &view_page(&state, &user, &id, m).await?,
        )),
        Err(AppError::Forbidden(m)) => Ok(render_status(
            StatusCode::FORBIDDEN,
            &view_page(&state, &user, &id, m).await?,
        )),
        Err(e) => Err(e.into()),
    }
}

async fn condition(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, cid)): Path<(String, String)>,
    Form(f): Form<Vec<(String, String)>>,
) -> PageResult {
    let f = FormFields(f);
    let up = ConditionUpdate {
        status: f.get("status").to_owned(),
        note: f.get("note").to_owned(),
    };
    match condition_step(&state, &user, &id, &cid, up).await {
        Ok(_) => Ok(Redirect::to(&format!("/engagements/{id}#conditions")).into_response()),
        Err(AppError::Forbidden(m)) => Ok(render_status(
            StatusCode::FORBIDDEN,
            &view_page(&state, &user, &id, m).await?,
        )),
        Err(e) => Err(e.into()),
    }
}

async fn archive(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> PageResult {
    crate::api::set_archived(&state, &user, &id, true).await?;
    Ok(Redirect::to(&format!("/engagements/{id}")).into_response())
}

async fn restore(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> PageResult {
    crate::api::set_archived(&state, &user, &id, false).await?;
    Ok(Redirect::to(&format!("/engagements/{id}")).into_response())
}

/// Flagged clauses with the matched words split out for highlighting.
fn clause_findings(
    text: &str,
    pack: &meridian_risk::PolicyPack,
) -> Vec<(String, String, String, String, String)> {
    meridian_risk::check_agreement(text, pack)
        .into_iter()
        .map(|f| {
            let rel_start = f.match_start.saturating_sub(f.start);
            let rel_end = f.match_end.saturating_sub(f.start);
            let split = |a: usize, b: usize| f.passage.get(a..b).unwrap_or("").to_owned();
            let (before, matched, after) = if f.passage.get(rel_start..rel_end).is_some() {
                (
                    split(0, rel_start),
                    split(rel_start, rel_end),
                    split(rel_end, f.passage.len()),
                )
            } else {
                (f.passage.clone(), String::new(), String::new())
            };
            (
                f.kind.replace('_', " "),
                before,
                matched,
                after,
                f.note.unwrap_or_default(),
            )
        })
        .collect()
}

/// Upload an agreement (.docx or plain text): its text becomes the
/// engagement's agreement text (a material change), and it is re-assessed.
async fn upload_agreement(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    form: Multipart,
) -> PageResult {
    let (stored, st) = access::visible_engagement(&state, &user, &id).await?;
    access::require_edit(&user, &st)?;
    let mut text = None;
    for part in super::read_parts(form).await? {
        if part.name != "file" {
            continue;
        }
        let name = part.file_name.as_deref().unwrap_or("").to_lowercase();
        let bytes = part.bytes;
        text = Some(if name.ends_with(".docx") {
            meridian_risk::docx_text(&bytes)
                .map_err(|e| AppError::BadRequest(format!("{name}: {e}")))?
        } else {
            String::from_utf8(bytes.to_vec()).map_err(|_| {
                AppError::BadRequest(format!("{name}: not a .docx file nor UTF-8 text"))
            })?
        });
    }
    let text = text.filter(|t| !t.trim().is_empty()).ok_or_else(|| {
        AppError::BadRequest("choose a .docx or text file with the agreement".into())
    })?;
    let mut e = stored.engagement;
    e.agreement_text = text;
    crate::engines::update_and_evaluate(&state, &id, e, Some(stored.version), &user.user.username)
        .await?;
    Ok(Redirect::to(&format!("/engagements/{id}#agreement")).into_response())
}

async fn reevaluate(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> PageResult {
    access::visible_engagement(&state, &user, &id).await?;
    access::require_register(&user)?;
    crate::engines::evaluate_and_record(&state, &id, &user.user.username).await?;
    Ok(Redirect::to(&format!("/engagements/{id}#assessment")).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_rows_map_to_the_api_shape() {
        let f = FormFields(
            [
                ("title", "T"),
                ("kind", "travel"),
                ("countries", "jp, kr"),
                ("partners[0].name", "A Uni"),
                ("partners[0].country", "JP"),
                ("partners[1].name", ""),
                ("people[3].name", "P"),
                ("funding.amount", "12,500"),
                ("travel.destinations[0].country", "KR"),
                ("travel.fieldwork", "on"),
                ("research_areas", "ai\nrobotics\n"),
            ]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        );
        let (input, errors) = input_from_form(&f);
        assert!(errors.is_empty());
        assert_eq!(input.countries, ["jp", "kr"]);
        assert_eq!(input.partners.len(), 1, "blank rows are dropped");
        assert_eq!(input.people[0].name, "P");
        assert_eq!(input.funding.as_ref().unwrap().amount, Some(12500.0));
        assert!(input.travel.as_ref().unwrap().fieldwork);
        assert_eq!(input.research_areas, ["ai", "robotics"]);
        let bad = FormFields(vec![("funding.amount".into(), "lots".into())]);
        assert_eq!(input_from_form(&bad).1.errors[0].field, "funding.amount");
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(group_thousands(1234567.5), "1,234,567.50");
        assert_eq!(group_thousands(999.0), "999");
    }
}
