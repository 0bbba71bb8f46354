//! Signing in and out, the dashboard, the account page (API tokens) and the
//! admin's user list.

use super::{Chrome, FormFields, PageError, PageResult, render, render_status};
use crate::auth::{
    self, CurrentUser, LOGIN_COOKIE, SESSION_COOKIE, cookie, digest, random_token, set_cookie,
};
use crate::{AppError, AppState};
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use meridian_domain::{EngagementKind, EngagementStatus, Role};
use meridian_store::{EngagementFilter, User};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/dashboard", get(dashboard))
        .route("/account", get(account_page))
        .route("/account/tokens", post(create_token))
        .route("/account/tokens/{id}/revoke", post(revoke_token))
        .route("/admin/users", get(users_page).post(create_user))
        .route("/admin/users/{id}/role", post(set_role))
        .merge(crate::oidc::router())
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Option<Chrome>,
    login_csrf: String,
    next: String,
    username: String,
    error: String,
    /// "Sign in with your institution" link; empty when single sign-on is off.
    sso_href: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NextQuery {
    next: String,
    /// Why a single sign-on just failed (a code, never free text).
    sso_error: String,
}

/// Only local paths are followed after login (no open redirect).
fn safe_next(next: &str) -> String {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next.to_owned()
    } else {
        "/engagements".to_owned()
    }
}

fn login_form(
    state: &AppState,
    next: &str,
    username: &str,
    error: &str,
    status: StatusCode,
) -> Response {
    let token = random_token();
    let next = safe_next(next);
    let sso_href = if state.config.oidc.is_some() {
        format!("/auth/oidc/login?next={}", auth::urlencode(&next))
    } else {
        String::new()
    };
    let page = LoginPage {
        chrome: None,
        login_csrf: token.clone(),
        next,
        username: username.to_owned(),
        error: error.to_owned(),
        sso_href,
    };
    let mut resp = render_status(status, &page);
    if let Ok(v) = set_cookie(LOGIN_COOKIE, &token, 3600, false).parse() {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

async fn login_page(State(state): State<AppState>, Query(q): Query<NextQuery>) -> Response {
    match crate::oidc::sso_error_message(&q.sso_error) {
        Some(msg) => login_form(&state, &q.next, "", msg, StatusCode::UNAUTHORIZED),
        None => login_form(&state, &q.next, "", "", StatusCode::OK),
    }
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    next: String,
    #[serde(default)]
    login_csrf: String,
}

async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Result<Response, PageError> {
    // Login CSRF: the form's token must equal the cookie set with the form.
    if cookie(&headers, LOGIN_COOKIE).is_none_or(|c| c != f.login_csrf || c.is_empty()) {
        return Ok(login_form(
            &state,
            &f.next,
            &f.username,
            "The sign-in form expired. Please try again.",
            StatusCode::FORBIDDEN,
        ));
    }
    let generic = "Wrong username or password.";
    let Some(user) = state.store.user_by_username(&f.username).await? else {
        // Spend the same time as a real check so usernames cannot be probed by timing.
        let _ = auth::hash_password(f.password).await;
        state.store.record_unknown_login(&f.username).await?;
        return Ok(login_form(
            &state,
            &f.next,
            &f.username,
            generic,
            StatusCode::UNAUTHORIZED,
        ));
    };
    let now = meridian_store::now_text();
    if let Some(until) = user.locked_until.as_deref().filter(|u| *u > now.as_str()) {
        let msg = format!(
            "This account is locked after too many failed sign-ins until {} UTC. Try again then, or ask an administrator.",
            &until[..16].replace('T', " ")
        );
        return Ok(login_form(
            &state,
            &f.next,
            &f.username,
            &msg,
            StatusCode::TOO_MANY_REQUESTS,
        ));
    }
    if !user.active || !auth::verify_password(f.password, user.password_hash.clone()).await {
        let lock_until = meridian_store::time_text(
            time::OffsetDateTime::now_utc() + time::Duration::minutes(state.config.lockout_minutes),
        );
        let failure = state
            .store
            .record_login_failure(&user.id, state.config.max_failed_logins, &lock_until)
            .await?;
        let msg = if failure.locked_until.is_some() {
            format!(
                "Too many failed sign-ins: this account is locked for {} minutes.",
                state.config.lockout_minutes
            )
        } else {
            generic.to_owned()
        };
        tracing::info!(username = %user.username, "failed sign-in");
        return Ok(login_form(
            &state,
            &f.next,
            &f.username,
            &msg,
            StatusCode::UNAUTHORIZED,
        ));
    }
    state.store.record_login_success(&user.id).await?;
    let token = random_token();
    let expires = meridian_store::time_text(
        time::OffsetDateTime::now_utc() + time::Duration::hours(state.config.session_hours),
    );
    state
        .store
        .create_session(&digest(&token), &user.id, &random_token(), &expires)
        .await?;
    tracing::info!(username = %user.username, "signed in");
    let mut resp = Redirect::to(&safe_next(&f.next)).into_response();
    let secure = state.config.secure_cookies;
    for c in [
        set_cookie(
            SESSION_COOKIE,
            &token,
            state.config.session_hours * 3600,
            secure,
        ),
        set_cookie(LOGIN_COOKIE, "", 0, secure),
    ] {
        if let Ok(v) = c.parse() {
            resp.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    Ok(resp)
}

async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, PageError> {
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        state.store.delete_session(&digest(token)).await?;
    }
    let mut resp = Redirect::to("/login").into_response();
    if let Ok(v) = set_cookie(SESSION_COOKIE, "", 0, state.config.secure_cookies).parse() {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(resp)
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    chrome: Option<Chrome>,
    total: i64,
    by_kind: Vec<(String, i64)>,
    by_status: Vec<(String, i64)>,
    by_country: Vec<(String, String, i64)>,
    max_country: i64,
    parties: i64,
    dd_expired: i64,
    overdue: Vec<meridian_store::ConditionRecord>,
    /// F12: funders and countries above the pack's concentration share.
    concentration: Vec<(String, String, usize, String)>,
    concentration_threshold: String,
    funder_hhi: String,
}

async fn dashboard(State(state): State<AppState>, user: CurrentUser) -> PageResult {
    // Counts over the live register (archived engagements excluded).
    let visible_to = crate::access::visibility(&user);
    let all = state
        .store
        .list_engagements(&EngagementFilter {
            per_page: 200,
            page: 1,
            visible_to: visible_to.clone(),
            ..Default::default()
        })
        .await?;
    let mut items = all.items;
    let mut page = 1;
    while (items.len() as i64) < all.total {
        page += 1;
        let more = state
            .store
            .list_engagements(&EngagementFilter {
                per_page: 200,
                page,
                visible_to: visible_to.clone(),
                ..Default::default()
            })
            .await?;
        if more.items.is_empty() {
            break;
        }
        items.extend(more.items);
    }
    let by_kind = EngagementKind::ALL
        .iter()
        .map(|k| {
            (
                k.label().to_owned(),
                items.iter().filter(|e| e.kind == *k).count() as i64,
            )
        })
        .filter(|(_, n)| *n > 0)
        .collect();
    let by_status = EngagementStatus::ALL
        .iter()
        .map(|s| {
            (
                s.label().to_owned(),
                items.iter().filter(|e| e.status == *s).count() as i64,
            )
        })
        .filter(|(_, n)| *n > 0)
        .collect();
    let mut countries: std::collections::BTreeMap<String, i64> = Default::default();
    for e in &items {
        for c in &e.countries {
            *countries.entry(c.clone()).or_default() += 1;
        }
    }
    let mut by_country: Vec<(String, String, i64)> = countries
        .into_iter()
        .map(|(c, n)| {
            let name = meridian_domain::CountryCode::parse(&c)
                .map(|cc| cc.name().to_owned())
                .unwrap_or_default();
            (c, name, n)
        })
        .collect();
    by_country.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
    by_country.truncate(15);
    let parties = state
        .store
        .list_parties(&meridian_store::PartyFilter {
            per_page: 1,
            ..Default::default()
        })
        .await?;
    let today = crate::api::today_text();
    let dd_expired = state.store.count_dd_expired(&today).await?;
    // F12 concentration over the engagements this user may see.
    let docs: Vec<meridian_domain::Engagement> = state
        .store
        .live_engagement_docs()
        .await?
        .into_iter()
        .filter(|(id, _)| items.iter().any(|e| &e.id == id))
        .map(|(_, e)| e)
        .collect();
    let report = meridian_risk::concentration(&docs);
    let threshold = state.engines.policy().concentration_share;
    let kind_of = |s: &meridian_risk::Share| {
        if report.countries.iter().any(|c| c.key == s.key) {
            "country"
        } else {
            "funder"
        }
    };
    let concentration = report
        .above(threshold)
        .into_iter()
        .map(|s| {
            (
                kind_of(s).to_owned(),
                s.label.clone(),
                s.engagements,
                format!("{:.0}%", s.share * 100.0),
            )
        })
        .collect();
    let funder_hhi = format!("{:.2}", report.funder_hhi);
    // Overdue conditions the user may see.
    let visible: std::collections::HashSet<String> = items.iter().map(|e| e.id.clone()).collect();
    let overdue = state
        .store
        .open_conditions(None)
        .await?
        .into_iter()
        .filter(|c| {
            c.due_on.as_deref().is_some_and(|d| d < today.as_str())
                && visible.contains(&c.engagement_id)
        })
        .collect();
    render_ok(DashboardPage {
        chrome: Some(Chrome::new(&user, "Dashboard")),
        total: items.len() as i64,
        by_kind,
        by_status,
        max_country: by_country.first().map_or(1, |c| c.2.max(1)),
        by_country,
        parties: parties.total,
        dd_expired,
        overdue,
        concentration,
        concentration_threshold: format!("{:.0}%", threshold * 100.0),
        funder_hhi,
    })
}

fn render_ok<T: Template>(t: T) -> PageResult {
    Ok(render(&t))
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    chrome: Option<Chrome>,
    tokens: Vec<meridian_store::ApiToken>,
    new_token: String,
    error: String,
}

async fn account_page(State(state): State<AppState>, user: CurrentUser) -> PageResult {
    let tokens = state.store.list_api_tokens(&user.user.id).await?;
    render_ok(AccountPage {
        chrome: Some(Chrome::new(&user, "")),
        tokens,
        new_token: String::new(),
        error: String::new(),
    })
}

async fn create_token(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(f): Form<Vec<(String, String)>>,
) -> PageResult {
    let f = FormFields(f);
    let (new_token, error) =
        match crate::api::issue_token(&state, &user.user.id, f.get("name")).await {
            Ok(t) => (t.token, String::new()),
            Err(AppError::Invalid(e)) => (String::new(), e.to_string()),
            Err(e) => return Err(e.into()),
        };
    let tokens = state.store.list_api_tokens(&user.user.id).await?;
    let status = if error.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    Ok(render_status(
        status,
        &AccountPage {
            chrome: Some(Chrome::new(&user, "")),
            tokens,
            new_token,
            error,
        },
    ))
}

async fn revoke_token(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> PageResult {
    state.store.revoke_api_token(&user.user.id, &id).await?;
    Ok(Redirect::to("/account").into_response())
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    chrome: Option<Chrome>,
    users: Vec<User>,
    roles: &'static [Role],
    error: String,
    created: String,
}

fn require_admin(user: &CurrentUser) -> Result<(), PageError> {
    if user.user.role == Role::Admin {
        Ok(())
    } else {
        Err(PageError(
            AppError::Forbidden("Your role does not allow this.".into()),
            Some(Box::new(Chrome::new(user, "Admin"))),
        ))
    }
}

async fn users_page(State(state): State<AppState>, user: CurrentUser) -> PageResult {
    require_admin(&user)?;
    let users = state.store.list_users().await?;
    render_ok(UsersPage {
        chrome: Some(Chrome::new(&user, "Admin")),
        users,
        roles: Role::ALL,
        error: String::new(),
        created: String::new(),
    })
}

async fn create_user(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(f): Form<Vec<(String, String)>>,
) -> PageResult {
    require_admin(&user)?;
    let f = FormFields(f);
    let mut error = String::new();
    let mut created = String::new();
    let username = f.get("username");
    let password = f.get("password");
    match Role::parse(f.get("role")) {
        Err(m) => error = m,
        Ok(_)
            if username.is_empty()
                || !username
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)) =>
        {
            error = "username: use letters, digits, '.', '_' or '-'".into()
        }
        Ok(_) if password.chars().count() < 12 => {
            error = "password: use at least 12 characters".into()
        }
        Ok(role) => {
            let hash = crate::auth::hash_password(password.to_owned()).await?;
            let display = if f.get("display_name").is_empty() {
                username
            } else {
                f.get("display_name")
            };
            match state
                .store
                .create_user_by(
                    username,
                    display,
                    &hash,
                    role,
                    f.get("department"),
                    &user.user.username,
                )
                .await
            {
                Ok(u) => {
                    if !f.get("email").is_empty() {
                        state
                            .store
                            .set_user_email(&u.id, f.get("email"), &user.user.username)
                            .await?;
                    }
                    created = u.username
                }
                Err(meridian_store::StoreError::Conflict(m)) => error = m,
                Err(e) => return Err(e.into()),
            }
        }
    }
    let users = state.store.list_users().await?;
    let status = if error.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    Ok(render_status(
        status,
        &UsersPage {
            chrome: Some(Chrome::new(&user, "Admin")),
            users,
            roles: Role::ALL,
            error,
            created,
        },
    ))
}

async fn set_role(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> PageResult {
    require_admin(&user)?;
    let f = FormFields(f);
    let role = Role::parse(f.get("role")).map_err(AppError::BadRequest)?;
    if id == user.user.id && role != Role::Admin {
        return Err(
            AppError::BadRequest("you cannot remove your own administrator role".into()).into(),
        );
    }
    let email = f.get("email");
    if !email.is_empty() && !email.contains('@') {
        return Err(AppError::BadRequest(format!("'{email}' is not an e-mail address")).into());
    }
    state
        .store
        .set_user_role(&id, role, f.get("department"), &user.user.username)
        .await?;
    if state
        .store
        .user(&id)
        .await?
        .is_some_and(|u| u.email != email)
    {
        state
            .store
            .set_user_email(&id, email, &user.user.username)
            .await?;
    }
    Ok(Redirect::to("/admin/users").into_response())
}
