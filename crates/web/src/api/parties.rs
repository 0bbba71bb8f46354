//! `/api/v1/parties`: the party registry — records, suggestions as you type,
//! due diligence, adverse media, duplicates and merging, CSV import.

use crate::access;
use crate::auth::CurrentUser;
use crate::{AppError, AppState};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use meridian_domain::{
    AdverseMediaInput, CountryCode, CsvColumnMapping, CsvRowError, DueDiligenceInput,
    DueDiligenceStatus, FieldErrors, Party, PartyInput, PartyKind, parse_party_csv,
    parse_party_json,
};
use meridian_store::{
    AdverseMediaNote, DdDecisionRecord, DuplicatePair, HistoryEntry, PartyEngagement, PartyFilter,
    PartyPage, PartySuggestion,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Names at least this similar are listed as possible duplicates.
pub const DUPLICATE_THRESHOLD: f64 = 0.8;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_parties, create_party))
        .routes(routes!(suggest_parties))
        .routes(routes!(duplicates))
        .routes(routes!(import_parties))
        .routes(routes!(get_party, update_party))
        .routes(routes!(record_due_diligence))
        .routes(routes!(add_adverse_media))
        .routes(routes!(merge_party))
}

pub fn today() -> meridian_domain::Date {
    time::OffsetDateTime::now_utc().date()
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct PartyQuery {
    pub q: Option<String>,
    pub kind: Option<String>,
    pub country: Option<String>,
    pub dd_status: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

impl PartyQuery {
    pub fn to_filter(&self) -> Result<PartyFilter, FieldErrors> {
        let mut errors = FieldErrors::default();
        let kind = errors.optional("kind", self.kind.as_deref(), PartyKind::parse);
        let country = errors.optional("country", self.country.as_deref(), CountryCode::parse);
        let dd_status = errors.optional(
            "dd_status",
            self.dd_status.as_deref(),
            DueDiligenceStatus::parse,
        );
        errors.into_result(PartyFilter {
            q: self
                .q
                .as_deref()
                .map(str::trim)
                .filter(|q| !q.is_empty())
                .map(str::to_owned),
            kind,
            country,
            dd_status,
            page: self.page.unwrap_or(1),
            per_page: self.per_page.unwrap_or(50),
        })
    }
}

/// A party with everything its page shows.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PartyDetail {
    pub party: Party,
    /// Due diligence has passed its expiry date.
    pub dd_expired: bool,
    pub engagements: Vec<PartyEngagement>,
    pub due_diligence_history: Vec<DdDecisionRecord>,
    pub adverse_media: Vec<AdverseMediaNote>,
    pub history: Vec<HistoryEntry>,
}

pub async fn party_detail(state: &AppState, id: &str) -> Result<PartyDetail, AppError> {
    let party = state.store.party(id).await?.ok_or(AppError::NotFound)?;
    Ok(PartyDetail {
        dd_expired: party.dd_expired(today()),
        engagements: state.store.party_engagements(id).await?,
        due_diligence_history: state.store.dd_decisions(id).await?,
        adverse_media: state.store.adverse_media(id).await?,
        history: state.store.party_history(id).await?,
        party,
    })
}

#[utoipa::path(get, path = "/api/v1/parties", tag = "parties", params(PartyQuery),
    responses((status = 200, body = PartyPage), (status = 400, body = FieldErrors)))]
async fn list_parties(
    State(state): State<AppState>,
    _u: CurrentUser,
    Query(q): Query<PartyQuery>,
) -> Result<Json<PartyPage>, AppError> {
    Ok(Json(state.store.list_parties(&q.to_filter()?).await?))
}

#[utoipa::path(post, path = "/api/v1/parties", tag = "parties", request_body = PartyInput,
    responses((status = 201, body = Party), (status = 400, body = FieldErrors)))]
async fn create_party(
    State(state): State<AppState>,
    user: CurrentUser,
    body: Bytes,
) -> Result<(StatusCode, Json<Party>), AppError> {
    access::require_register(&user)?;
    let fields = parse_party_json(&body)?;
    Ok((
        StatusCode::CREATED,
        Json(
            state
                .store
                .create_party(&fields, &user.user.username)
                .await?,
        ),
    ))
}

#[utoipa::path(get, path = "/api/v1/parties/{id}", tag = "parties", responses((status = 200, body = PartyDetail), (status = 404)))]
async fn get_party(
    State(state): State<AppState>,
    _u: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<PartyDetail>, AppError> {
    Ok(Json(party_detail(&state, &id).await?))
}

#[utoipa::path(put, path = "/api/v1/parties/{id}", tag = "parties", request_body = PartyInput,
    responses((status = 200, body = Party), (status = 400, body = FieldErrors), (status = 404), (status = 409)))]
async fn update_party(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Party>, AppError> {
    access::require_register(&user)?;
    let fields = parse_party_json(&body)?;
    Ok(Json(
        state
            .store
            .update_party(&id, &fields, &user.user.username)
            .await?,
    ))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct SuggestQuery {
    /// What has been typed so far.
    pub q: String,
    /// `organization` or `person`.
    pub kind: Option<String>,
    pub limit: Option<usize>,
}

/// Existing parties resembling a name as it is typed (accent-, case- and
/// order-insensitive, typo-tolerant), best first.
#[utoipa::path(get, path = "/api/v1/parties/suggest", tag = "parties", params(SuggestQuery),
    responses((status = 200, body = Vec<PartySuggestion>)))]
async fn suggest_parties(
    State(state): State<AppState>,
    _u: CurrentUser,
    Query(q): Query<SuggestQuery>,
) -> Result<Json<Vec<PartySuggestion>>, AppError> {
    let kind = match q.kind.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        Some(k) => Some(PartyKind::parse(k).map_err(|m| FieldErrors::single("kind", m))?),
        None => None,
    };
    Ok(Json(
        state
            .store
            .suggest_parties(&q.q, kind, q.limit.unwrap_or(8).min(50))
            .await?,
    ))
}

/// Records that may be the same party (same name key and compatible country,
/// or names at least 0.8 similar).
#[utoipa::path(get, path = "/api/v1/parties/duplicates", tag = "parties", responses((status = 200, body = Vec<DuplicatePair>)))]
async fn duplicates(
    State(state): State<AppState>,
    _u: CurrentUser,
) -> Result<Json<Vec<DuplicatePair>>, AppError> {
    Ok(Json(
        state.store.possible_duplicates(DUPLICATE_THRESHOLD).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/parties/{id}/due-diligence", tag = "parties", request_body = DueDiligenceInput,
    responses((status = 200, body = Party), (status = 400, body = FieldErrors), (status = 404)))]
async fn record_due_diligence(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Json(input): Json<DueDiligenceInput>,
) -> Result<Json<Party>, AppError> {
    access::require_due_diligence(&user)?;
    let d = input.validate(today())?;
    Ok(Json(
        state
            .store
            .record_dd_decision(&id, &d, &user.user.username)
            .await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/parties/{id}/adverse-media", tag = "parties", request_body = AdverseMediaInput,
    responses((status = 201, body = AdverseMediaNote), (status = 400, body = FieldErrors), (status = 404)))]
async fn add_adverse_media(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Json(input): Json<AdverseMediaInput>,
) -> Result<(StatusCode, Json<AdverseMediaNote>), AppError> {
    access::require_register(&user)?;
    let note = input.validate()?;
    Ok((
        StatusCode::CREATED,
        Json(
            state
                .store
                .add_adverse_media(&id, &note, &user.user.username)
                .await?,
        ),
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct MergeRequest {
    /// The record to fold into this one.
    pub duplicate_id: String,
}

/// Merge a duplicate into this record, keeping every link and both histories.
#[utoipa::path(post, path = "/api/v1/parties/{id}/merge", tag = "parties", request_body = MergeRequest,
    responses((status = 200, body = Party), (status = 400, body = FieldErrors), (status = 404), (status = 409)))]
async fn merge_party(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Json(req): Json<MergeRequest>,
) -> Result<Json<Party>, AppError> {
    access::require_due_diligence(&user)?;
    Ok(Json(
        state
            .store
            .merge_parties(&id, &req.duplicate_id, &user.user.username)
            .await?,
    ))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct ImportQuery {
    /// Only check the file (default true).
    pub dry_run: Option<bool>,
    /// Import the good rows even though some rows have errors.
    pub force: bool,
    /// Column mapping, `field=Header` pairs separated by commas.
    pub mapping: Option<String>,
}

/// What an import found (and, when not a dry run, did).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    pub dry_run: bool,
    pub rows_ok: usize,
    pub errors: Vec<CsvRowError>,
    /// Which CSV column fills which field.
    pub columns: BTreeMap<String, String>,
    pub imported: bool,
    pub created: usize,
    pub existing: usize,
    /// Why nothing was imported, when nothing was.
    pub message: String,
}

/// Check, and optionally run, a CSV import. With errors, nothing is
/// imported unless `force=true`.
pub async fn run_import(
    state: &AppState,
    actor: &str,
    csv: &[u8],
    q: &ImportQuery,
) -> Result<ImportReport, AppError> {
    let mapping = CsvColumnMapping::parse(q.mapping.as_deref().unwrap_or(""))
        .map_err(|m| FieldErrors::single("mapping", m))?;
    let parsed = parse_party_csv(csv, &mapping).map_err(|m| FieldErrors::single("file", m))?;
    let dry_run = q.dry_run.unwrap_or(true);
    let mut report = ImportReport {
        dry_run,
        rows_ok: parsed.rows.len(),
        errors: parsed.errors,
        columns: parsed.resolved_columns,
        imported: false,
        created: 0,
        existing: 0,
        message: String::new(),
    };
    if dry_run {
        report.message = "dry run: nothing imported".into();
    } else if !report.errors.is_empty() && !q.force {
        report.message = format!(
            "{} row(s) have errors: nothing imported; fix them, or import the good rows anyway with force",
            report.errors.len()
        );
    } else if parsed.rows.is_empty() {
        report.message = "no rows to import".into();
    } else {
        let rows: Vec<_> = parsed.rows.into_iter().map(|(_, p)| p).collect();
        let (created, existing) = state.store.import_parties(&rows, actor).await?;
        report.imported = true;
        report.created = created;
        report.existing = existing;
        report.message = format!("imported: {created} new, {existing} already in the registry");
    }
    Ok(report)
}

#[utoipa::path(post, path = "/api/v1/parties/import", tag = "parties", params(ImportQuery),
    request_body(content = String, content_type = "text/csv", description = "CSV with a header row"),
    responses((status = 200, body = ImportReport), (status = 400, body = FieldErrors)))]
async fn import_parties(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ImportQuery>,
    body: Bytes,
) -> Result<Json<ImportReport>, AppError> {
    access::require_register(&user)?;
    Ok(Json(
        run_import(&state, &user.user.username, &body, &q).await?,
    ))
}
