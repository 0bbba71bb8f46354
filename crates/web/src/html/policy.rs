//! The Policy admin page: the active policy pack (name, version, SHA-256),
//! loading another pack (rejected with line numbers when it does not
//! validate), and the country profiles (GOV.UK travel advice and V-Dem
//! imports, and manual edits with date and source). Every change is audited
//! and the register is re-assessed.

use super::{Chrome, FormFields, PageResult, render};
use crate::auth::CurrentUser;
use crate::engines::{POLICY_KEY, PROFILES_KEY, reevaluate_in_background};
use crate::{AppError, AppState};
use askama::Template;
use axum::Router;
use axum::extract::{Form, Multipart, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use meridian_domain::{CountryCode, Role};
use meridian_risk::{CountryProfiles, PolicyPack, Sourced, TravelAdvice};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/policy", get(page).post(load_pack))
        .route("/admin/policy/pack.toml", get(download))
        .route("/admin/policy/reset", post(reset))
        .route("/admin/policy/countries", post(edit_country))
        .route("/admin/policy/countries/import", post(import_profiles))
}

fn require_admin(u: &CurrentUser) -> Result<(), AppError> {
    if u.user.role == Role::Admin {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "the policy pack and country profiles are for administrators".into(),
        ))
    }
}

/// The travel-advice levels an admin can record (lowest first).
const TRAVEL_LEVELS: &[TravelAdvice] = &[
    TravelAdvice::NoAdvisory,
    TravelAdvice::AgainstAllButEssentialToParts,
    TravelAdvice::AgainstAllToParts,
    TravelAdvice::AgainstAllButEssential,
    TravelAdvice::AgainstAll,
];

pub struct ProfileRow {
    pub code: String,
    pub name: String,
    pub travel: String,
    pub freedom: String,
    pub sanctions: String,
}

#[derive(Template)]
#[template(path = "policy.html")]
struct PolicyPage {
    chrome: Option<Chrome>,
    name: String,
    version: String,
    sha256: String,
    custom: bool,
    problems: Vec<String>,
    message: String,
    profiles: Vec<ProfileRow>,
    levels: &'static [TravelAdvice],
}

fn sourced<T>(s: &Option<Sourced<T>>, show: impl Fn(&T) -> String) -> String {
    s.as_ref()
        .map(|s| format!("{} (as of {}, {})", show(&s.value), s.as_of, s.source))
        .unwrap_or_else(|| "unknown".into())
}

async fn render_page(
    state: &AppState,
    user: &CurrentUser,
    problems: Vec<String>,
    message: String,
) -> PageResult {
    let pack = state.engines.policy();
    let profiles = state.engines.profiles();
    let rows = profiles
        .profiles
        .iter()
        .map(|(cc, p)| ProfileRow {
            code: cc.code().into(),
            name: cc.name().into(),
            travel: sourced(&p.travel_advice, |t| t.label().to_owned()),
            freedom: sourced(&p.academic_freedom, |f| format!("{f:.2}")),
            sanctions: sourced(&p.sanctions_regimes, |v| {
                if v.is_empty() {
                    "none".into()
                } else {
                    v.join("; ")
                }
            }),
        })
        .collect();
    Ok(render(&PolicyPage {
        chrome: Some(Chrome::new(user, "Admin")),
        name: pack.policy.name.clone(),
        version: pack.policy.version.clone(),
        sha256: pack.policy.sha256.clone(),
        custom: state.store.setting(POLICY_KEY).await?.is_some(),
        problems,
        message,
        profiles: rows,
        levels: TRAVEL_LEVELS,
    }))
}

async fn page(State(state): State<AppState>, user: CurrentUser) -> PageResult {
    require_admin(&user)?;
    render_page(&state, &user, vec![], String::new()).await
}

async fn download(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, super::PageError> {
    require_admin(&user)?;
    let text = match state.store.setting(POLICY_KEY).await? {
        Some(s) => s.value,
        None => include_str!("../../../../policy/default.toml").to_owned(),
    };
    Ok((
        [(header::CONTENT_TYPE, "application/toml; charset=utf-8")],
        text,
    )
        .into_response())
}

/// Validate and activate a pack (pasted or uploaded).
async fn load_pack(
    State(state): State<AppState>,
    user: CurrentUser,
    form: Multipart,
) -> PageResult {
    require_admin(&user)?;
    let mut text = String::new();
    for part in super::read_parts(form).await? {
        if (part.name == "file" && !part.bytes.is_empty())
            || (part.name == "text" && text.is_empty())
        {
            text = String::from_utf8_lossy(&part.bytes).into_owned();
        }
    }
    if text.trim().is_empty() {
        return render_page(
            &state,
            &user,
            vec!["Paste or upload a policy pack (TOML).".into()],
            String::new(),
        )
        .await;
    }
    match PolicyPack::from_toml(&text) {
        Err(e) => {
            let problems = match &e {
                meridian_risk::PolicyError::Invalid(list) => list
                    .iter()
                    .map(|p| match p.line {
                        Some(l) => format!("line {l}: {}", p.message),
                        None => p.message.clone(),
                    })
                    .collect(),
                other => vec![other.to_string()],
            };
            render_page(&state, &user, problems, String::new()).await
        }
        Ok(pack) => {
            let summary = serde_json::json!({"name": pack.policy.name, "version": pack.policy.version, "sha256": pack.policy.sha256});
            state
                .store
                .set_setting(POLICY_KEY, Some(&text), &user.user.username, summary)
                .await?;
            let msg = format!(
                "Loaded {} {}: the register is being re-assessed.",
                pack.policy.name, pack.policy.version
            );
            state.engines.install_policy(pack);
            reevaluate_in_background(&state, &user.user.username);
            render_page(&state, &user, vec![], msg).await
        }
    }
}

async fn reset(State(state): State<AppState>, user: CurrentUser) -> PageResult {
    require_admin(&user)?;
    let pack = PolicyPack::default_pack().map_err(|e| AppError::Internal(e.to_string()))?;
    state
        .store
        .set_setting(
            POLICY_KEY,
            None,
            &user.user.username,
            serde_json::json!({"reset_to": pack.policy.sha256}),
        )
        .await?;
    state.engines.install_policy(pack);
    reevaluate_in_background(&state, &user.user.username);
    Ok(Redirect::to("/admin/policy").into_response())
}

async fn save_profiles(
    state: &AppState,
    user: &CurrentUser,
    profiles: CountryProfiles,
    what: &str,
) -> Result<(), AppError> {
    let json = serde_json::to_string(&profiles).map_err(|e| AppError::Internal(e.to_string()))?;
    state
        .store
        .set_setting(
            PROFILES_KEY,
            Some(&json),
            &user.user.username,
            serde_json::json!({"change": what, "countries": profiles.profiles.len()}),
        )
        .await?;
    state.engines.install_profiles(profiles);
    reevaluate_in_background(state, &user.user.username);
    Ok(())
}

/// Set or clear one country's travel advice by hand, with its date and source.
async fn edit_country(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(f): Form<Vec<(String, String)>>,
) -> PageResult {
    require_admin(&user)?;
    let f = FormFields(f);
    let cc = match CountryCode::parse(f.get("country")) {
        Ok(c) => c,
        Err(m) => {
            return render_page(&state, &user, vec![format!("country: {m}")], String::new()).await;
        }
    };
    let mut profiles = (*state.engines.profiles()).clone();
    let level = f.get("travel_advice");
    if level.is_empty() {
        profiles.entry(cc).travel_advice = None;
    } else {
        let advice = match TravelAdvice::parse(level) {
            Ok(a) => a,
            Err(m) => {
                return render_page(
                    &state,
                    &user,
                    vec![format!("travel_advice: {m}")],
                    String::new(),
                )
                .await;
            }
        };
        if f.get("source").is_empty() || meridian_domain::parse_date(f.get("as_of")).is_err() {
            return render_page(
                &state,
                &user,
                vec!["A fact needs its date (YYYY-MM-DD) and its source.".into()],
                String::new(),
            )
            .await;
        }
        profiles.entry(cc).travel_advice = Some(Sourced {
            value: advice,
            as_of: f.get("as_of").into(),
            source: f.get("source").into(),
        });
    }
    save_profiles(
        &state,
        &user,
        profiles,
        &format!("travel advice for {}", cc.code()),
    )
    .await?;
    Ok(Redirect::to("/admin/policy#countries").into_response())
}

/// Import GOV.UK travel advice (content API JSON, one country per file) or a
/// V-Dem country-year CSV.
async fn import_profiles(
    State(state): State<AppState>,
    user: CurrentUser,
    form: Multipart,
) -> PageResult {
    require_admin(&user)?;
    let (mut format, mut country, mut bytes) = (String::new(), String::new(), Vec::new());
    for part in super::read_parts(form).await? {
        match part.name.as_str() {
            "format" => format = part.text(),
            "country" => country = part.text(),
            "file" => bytes = part.bytes,
            _ => {}
        }
    }
    let mut profiles = (*state.engines.profiles()).clone();
    let message = match format.as_str() {
        "govuk" => {
            let cc = if country.is_empty() {
                None
            } else {
                CountryCode::parse(&country).ok()
            };
            match meridian_risk::import_govuk_travel_advice(&bytes, cc) {
                Ok(imp) => {
                    profiles.apply_travel_advice(&imp);
                    format!(
                        "Travel advice for {}: {}",
                        imp.country.name(),
                        imp.advice.value.label()
                    )
                }
                Err(e) => {
                    return render_page(&state, &user, vec![e.to_string()], String::new()).await;
                }
            }
        }
        "vdem" => match meridian_risk::import_vdem_academic_freedom(&bytes) {
            Ok(imp) => {
                profiles.apply_vdem(&imp);
                format!(
                    "Academic freedom for {} countries ({} V-Dem units skipped)",
                    imp.values.len(),
                    imp.skipped.len()
                )
            }
            Err(e) => return render_page(&state, &user, vec![e.to_string()], String::new()).await,
        },
        other => {
            return render_page(
                &state,
                &user,
                vec![format!("choose a format (govuk or vdem), not '{other}'")],
                String::new(),
            )
            .await;
        }
    };
    save_profiles(&state, &user, profiles, &message).await?;
    render_page(
        &state,
        &user,
        vec![],
        format!("{message}. The register is being re-assessed."),
    )
    .await
}
