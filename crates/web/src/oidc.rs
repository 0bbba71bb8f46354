//! Single sign-on with OpenID Connect: `/auth/oidc/login` sends the browser to
//! the institution's identity provider (authorization code flow with state,
//! nonce and PKCE), `/auth/oidc/callback` exchanges the code, verifies the ID
//! token (signature, issuer, audience, expiry, nonce, at_hash), maps its
//! claims to a Meridian role and department, and starts the same database
//! session a password login starts. SAML federations (Shibboleth, eduGAIN)
//! come in through an OIDC bridge; see docs/OPERATIONS.md.
//!
//! App nodes stay stateless: the flow's state, nonce and PKCE verifier travel
//! in a short-lived HttpOnly cookie authenticated with an HMAC whose key is
//! derived from the client secret, which every node shares.

use crate::AppState;
use crate::auth::{SESSION_COOKIE, cookie, digest, random_token, set_cookie};
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use hmac::{Hmac, Mac};
use meridian_domain::Role;
use meridian_store::{AuditEvent, StoreError};
use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreErrorResponseType, CoreGenderClaim, CoreJsonWebKey,
    CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm, CoreProviderMetadata,
    CoreResponseType, CoreRevocableToken, CoreRevocationErrorResponse,
    CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AccessTokenHash, AdditionalClaims, AuthenticationFlow, AuthorizationCode, Client, ClientId,
    ClientSecret, CsrfToken, EmptyExtraTokenFields, EndpointMaybeSet, EndpointNotSet, EndpointSet,
    IdTokenClaims, IdTokenFields, IssuerUrl, Nonce, OAuth2TokenResponse, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, RequestTokenError, Scope, StandardErrorResponse,
    StandardTokenResponse, TokenResponse, http,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The cookie that carries one sign-in attempt from `/login` to `/callback`.
pub const FLOW_COOKIE: &str = "meridian_oidc";
/// How long a sign-in at the identity provider may take.
const FLOW_SECONDS: i64 = 600;
/// How long discovery (endpoints and signing keys) is reused.
const DISCOVERY_TTL: Duration = Duration::from_secs(600);
/// The largest response accepted from the identity provider.
const MAX_RESPONSE_BYTES: usize = 1024 * 1024;
/// Who the audit trail names when claims change an account.
const OIDC_ACTOR: &str = "oidc";

/// How to reach the identity provider and read its claims.
#[derive(Clone)]
pub struct OidcConfig {
    /// The issuer, e.g. `https://login.example.edu/realms/staff`
    /// (discovery is read from `<issuer>/.well-known/openid-configuration`).
    pub issuer_url: String,
    pub client_id: String,
    /// Also keys the flow cookie's HMAC, so every node must share it.
    pub client_secret: Option<String>,
    /// Meridian's callback as registered at the provider:
    /// `https://meridian.example.edu/auth/oidc/callback`.
    pub redirect_url: String,
    /// Scopes besides `openid` (which is always asked for).
    pub scopes: Vec<String>,
    /// The claim that names the account (`preferred_username`, `email`,
    /// `eppn`, `sub`, …).
    pub username_claim: String,
    /// The claim whose values decide the role (`groups`, `roles`,
    /// `eduperson_entitlement`, …): a string or an array of strings.
    pub role_claim: String,
    /// Claim value → role; the first entry whose value the user has wins,
    /// so list the more privileged mappings first.
    pub role_map: Vec<(String, Role)>,
    /// The role when no value maps.
    pub default_role: Role,
    /// The claim holding the department(s); None keeps departments as the
    /// administrator sets them.
    pub department_claim: Option<String>,
    /// Accept an `http://` issuer and endpoints. Only for tests.
    pub allowed_http_issuer: bool,
}

impl std::fmt::Debug for OidcConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcConfig")
            .field("issuer_url", &self.issuer_url)
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "[redacted]"),
            )
            .field("redirect_url", &self.redirect_url)
            .field("scopes", &self.scopes)
            .field("username_claim", &self.username_claim)
            .field("role_claim", &self.role_claim)
            .field("role_map", &self.role_map)
            .field("default_role", &self.default_role)
            .field("department_claim", &self.department_claim)
            .field("allowed_http_issuer", &self.allowed_http_issuer)
            .finish()
    }
}

impl OidcConfig {
    /// A configuration with the usual defaults: scopes `profile email`,
    /// usernames from `preferred_username`, roles from `groups`, nothing
    /// mapped (everyone is a researcher).
    pub fn new(issuer_url: &str, client_id: &str, client_secret: &str, redirect_url: &str) -> Self {
        OidcConfig {
            issuer_url: issuer_url.to_owned(),
            client_id: client_id.to_owned(),
            client_secret: Some(client_secret.to_owned()).filter(|s| !s.is_empty()),
            redirect_url: redirect_url.to_owned(),
            scopes: vec!["profile".into(), "email".into()],
            username_claim: "preferred_username".into(),
            role_claim: "groups".into(),
            role_map: Vec::new(),
            default_role: Role::Researcher,
            department_claim: None,
            allowed_http_issuer: false,
        }
    }

    /// Refuse a configuration that cannot work, naming the setting.
    pub fn check(&self) -> Result<(), String> {
        IssuerUrl::new(self.issuer_url.clone())
            .map_err(|e| format!("oidc_issuer '{}' is not a URL: {e}", self.issuer_url))?;
        RedirectUrl::new(self.redirect_url.clone()).map_err(|e| {
            format!(
                "oidc_redirect_url '{}' is not a URL: {e}",
                self.redirect_url
            )
        })?;
        if !self.allowed_http_issuer && !self.issuer_url.starts_with("https://") {
            return Err(format!(
                "oidc_issuer '{}' must use https://",
                self.issuer_url
            ));
        }
        if self.client_id.trim().is_empty() {
            return Err("oidc_client_id is empty".into());
        }
        Ok(())
    }
}

/// Parse `value=role,value=role` (the role after the last `=`, so values may
/// contain `=`; values may not contain commas).
pub fn parse_role_map(s: &str) -> Result<Vec<(String, Role)>, String> {
    s.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (value, role) = pair.rsplit_once('=').ok_or_else(|| {
                format!("oidc_role_map: '{pair}' is not of the form claimvalue=role")
            })?;
            let role = Role::parse(role).map_err(|e| format!("oidc_role_map: {e}"))?;
            let value = value.trim();
            if value.is_empty() {
                return Err(format!("oidc_role_map: '{pair}' has no claim value"));
            }
            Ok((value.to_owned(), role))
        })
        .collect()
}

/// The role for a user holding `values` of the role claim.
pub fn map_role(values: &[String], map: &[(String, Role)], default: Role) -> Role {
    map.iter()
        .find(|(v, _)| values.iter().any(|have| have == v))
        .map_or(default, |(_, r)| *r)
}

/// The claims beyond OpenID Connect's standard set (groups, roles,
/// departments, entitlements): whatever the provider sends.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
struct ExtraClaims {
    #[serde(flatten)]
    claims: serde_json::Map<String, serde_json::Value>,
}
impl AdditionalClaims for ExtraClaims {}

type ExtraIdTokenFields = IdTokenFields<
    ExtraClaims,
    EmptyExtraTokenFields,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;
type ExtraTokenResponse = StandardTokenResponse<ExtraIdTokenFields, CoreTokenType>;
type ProviderClient = Client<
    ExtraClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    ExtraTokenResponse,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// Why talking to the identity provider failed (never holds a secret).
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error("the identity provider could not be reached: {0}")]
    Transport(#[from] reqwest::Error),
    #[error("the identity provider's response is larger than 1 MiB")]
    TooLarge,
    #[error("the identity provider's response could not be read: {0}")]
    Response(#[from] http::Error),
}

/// The configured provider, its discovery cache and the HTTP client.
pub(crate) struct Oidc {
    config: OidcConfig,
    cookie_key: [u8; 32],
    http: std::sync::Mutex<Option<reqwest::Client>>,
    discovery: tokio::sync::Mutex<Option<(Instant, Arc<CoreProviderMetadata>)>>,
}

impl Oidc {
    pub(crate) fn new(config: OidcConfig) -> Self {
        let cookie_key = match &config.client_secret {
            Some(secret) => {
                let mut h = Sha256::new();
                h.update(b"meridian oidc flow cookie v1\0");
                h.update(secret.as_bytes());
                h.finalize().into()
            }
            // A public client: the key lives in this process only, so a
            // sign-in must come back to the node that started it.
            None => rand::random(),
        };
        Oidc {
            config,
            cookie_key,
            http: std::sync::Mutex::new(None),
            discovery: tokio::sync::Mutex::new(None),
        }
    }

    fn http_client(&self) -> Result<reqwest::Client, Refusal> {
        let mut slot = self
            .http
            .lock()
            .map_err(|_| Refusal::provider("the HTTP client lock is poisoned"))?;
        if let Some(c) = slot.as_ref() {
            return Ok(c.clone());
        }
        crate::init_tls();
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .connect_timeout(Duration::from_secs(10))
            // Following redirects from the provider's endpoints invites SSRF.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("Meridian/", env!("CARGO_PKG_VERSION"), " (OIDC)"))
            .build()
            .map_err(|e| Refusal::provider(format!("building the HTTP client failed: {e}")))?;
        *slot = Some(client.clone());
        Ok(client)
    }

    /// The provider's endpoints and keys, fetched at most every ten minutes.
    async fn metadata(&self) -> Result<Arc<CoreProviderMetadata>, Refusal> {
        let mut cached = self.discovery.lock().await;
        if let Some((at, m)) = cached.as_ref()
            && at.elapsed() < DISCOVERY_TTL
        {
            return Ok(m.clone());
        }
        let issuer = IssuerUrl::new(self.config.issuer_url.clone())
            .map_err(|e| Refusal::provider(format!("oidc_issuer is not a URL: {e}")))?;
        let client = self.http_client()?;
        let send = |req| send(client.clone(), req);
        let m = CoreProviderMetadata::discover_async(issuer, &send)
            .await
            .map_err(|e| Refusal::provider(format!("OIDC discovery failed: {e}")))?;
        if !self.config.allowed_http_issuer {
            let endpoints = [
                Some(m.jwks_uri().url().as_str()),
                m.token_endpoint().map(|u| u.url().as_str()),
                Some(m.authorization_endpoint().url().as_str()),
            ];
            if let Some(bad) = endpoints
                .into_iter()
                .flatten()
                .find(|u| !u.starts_with("https://"))
            {
                return Err(Refusal::provider(format!(
                    "the identity provider names an endpoint without https: {bad}"
                )));
            }
        }
        let m = Arc::new(m);
        *cached = Some((Instant::now(), m.clone()));
        Ok(m)
    }

    async fn client(&self) -> Result<ProviderClient, Refusal> {
        let metadata = self.metadata().await?;
        let redirect = RedirectUrl::new(self.config.redirect_url.clone())
            .map_err(|e| Refusal::provider(format!("oidc_redirect_url is not a URL: {e}")))?;
        Ok(ProviderClient::from_provider_metadata(
            (*metadata).clone(),
            ClientId::new(self.config.client_id.clone()),
            self.config.client_secret.clone().map(ClientSecret::new),
        )
        .set_redirect_uri(redirect))
    }

    fn mac(&self, payload: &[u8]) -> Hmac<Sha256> {
        // HMAC accepts keys of any length: this cannot fail.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.cookie_key)
            .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
        mac.update(payload);
        mac
    }

    fn seal(&self, flow: &Flow) -> Result<String, Refusal> {
        let json = serde_json::to_vec(flow)
            .map_err(|e| Refusal::provider(format!("encoding the sign-in state failed: {e}")))?;
        let tag = self.mac(&json).finalize().into_bytes();
        Ok(format!("{}.{}", hex::encode(&json), hex::encode(tag)))
    }

    fn open(&self, sealed: &str) -> Option<Flow> {
        let (payload, tag) = sealed.split_once('.')?;
        let payload = hex::decode(payload).ok()?;
        let tag = hex::decode(tag).ok()?;
        self.mac(&payload).verify_slice(&tag).ok()?;
        let flow: Flow = serde_json::from_slice(&payload).ok()?;
        (flow.expires > time::OffsetDateTime::now_utc().unix_timestamp()).then_some(flow)
    }
}

/// One sign-in attempt, between leaving for the provider and coming back.
#[derive(Serialize, Deserialize)]
struct Flow {
    state: String,
    nonce: String,
    pkce_verifier: String,
    next: String,
    expires: i64,
}

/// A refused sign-in: `code` picks the sentence shown on the login page;
/// `detail` goes to the log and the audit trail (never a secret).
#[derive(Debug)]
struct Refusal {
    code: &'static str,
    detail: String,
    username: Option<String>,
}

impl Refusal {
    fn new(code: &'static str, detail: impl Into<String>) -> Self {
        Refusal {
            code,
            detail: detail.into(),
            username: None,
        }
    }
    fn provider(detail: impl Into<String>) -> Self {
        Self::new("provider", detail)
    }
    fn refused(detail: impl Into<String>) -> Self {
        Self::new("refused", detail)
    }
}

impl From<StoreError> for Refusal {
    fn from(e: StoreError) -> Self {
        Refusal::new("internal", format!("the database failed: {e}"))
    }
}

/// The sentence the login page shows for a refused single sign-on.
pub(crate) fn sso_error_message(code: &str) -> Option<&'static str> {
    Some(match code {
        "expired" => {
            "The sign-in with your institution expired or was started elsewhere. Please try again."
        }
        "denied" => "Your institution did not sign you in.",
        "provider" => {
            "Your institution's sign-in service could not be reached or answered with an error. Please try again later."
        }
        "refused" => "Your institution's answer could not be verified, so you were not signed in.",
        "account" => {
            "Your institution's account cannot be used here: its name is taken by a local account, is not usable, or the account is disabled. Ask an administrator."
        }
        "internal" => "Signing you in failed. Please try again.",
        _ => return None,
    })
}

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/oidc/login", get(start))
        .route("/auth/oidc/callback", get(callback))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct StartQuery {
    next: String,
}

/// Only local paths are followed after sign-in (no open redirect).
fn local_path(next: &str) -> String {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next.to_owned()
    } else {
        "/engagements".to_owned()
    }
}

fn with_cookie(mut resp: Response, c: String) -> Response {
    if let Ok(v) = c.parse() {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

fn login_error(code: &str) -> Response {
    Redirect::to(&format!("/login?sso_error={code}")).into_response()
}

/// Off to the identity provider, with a fresh state, nonce and PKCE challenge.
async fn start(State(state): State<AppState>, Query(q): Query<StartQuery>) -> Response {
    let Some(oidc) = state.oidc.clone() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let client = match oidc.client().await {
        Ok(c) => c,
        Err(r) => {
            tracing::warn!(detail = %r.detail, "single sign-on unavailable");
            return login_error(r.code);
        }
    };
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = client
        .authorize_url(
            AuthenticationFlow::<CoreResponseType>::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .set_pkce_challenge(challenge);
    for s in oidc.config.scopes.iter().filter(|s| s.as_str() != "openid") {
        request = request.add_scope(Scope::new(s.clone()));
    }
    let (url, csrf, nonce) = request.url();
    let flow = Flow {
        state: csrf.secret().clone(),
        nonce: nonce.secret().clone(),
        pkce_verifier: verifier.secret().clone(),
        next: local_path(&q.next),
        expires: time::OffsetDateTime::now_utc().unix_timestamp() + FLOW_SECONDS,
    };
    let sealed = match oidc.seal(&flow) {
        Ok(s) => s,
        Err(r) => return login_error(r.code),
    };
    with_cookie(
        Redirect::to(url.as_str()).into_response(),
        set_cookie(
            FLOW_COOKIE,
            &sealed,
            FLOW_SECONDS,
            state.config.secure_cookies,
        ),
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// Back from the identity provider: verify, map, sign in.
async fn callback(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<CallbackQuery>,
) -> Response {
    let Some(oidc) = state.oidc.clone() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let clear_flow = set_cookie(FLOW_COOKIE, "", 0, state.config.secure_cookies);
    match finish(&state, &oidc, &headers, q).await {
        Ok(resp) => with_cookie(resp, clear_flow),
        Err(r) => {
            tracing::info!(code = r.code, detail = %r.detail, "single sign-on refused");
            let actor = r.username.as_deref().unwrap_or(OIDC_ACTOR);
            let ev = AuditEvent::new(actor, "login.oidc_failed", "user", "")
                .reason(r.detail.chars().take(500).collect::<String>());
            if let Err(e) = state.store.audit(ev).await {
                tracing::error!(cause = %e, "recording a refused single sign-on failed");
            }
            with_cookie(login_error(r.code), clear_flow)
        }
    }
}

async fn finish(
    state: &AppState,
    oidc: &Oidc,
    headers: &HeaderMap,
    q: CallbackQuery,
) -> Result<Response, Refusal> {
    let flow = cookie(headers, FLOW_COOKIE)
        .and_then(|c| oidc.open(c))
        .ok_or_else(|| Refusal::new("expired", "no valid sign-in state cookie"))?;
    let returned_state = q.state.unwrap_or_default();
    if !constant_time_eq(returned_state.as_bytes(), flow.state.as_bytes()) {
        return Err(Refusal::new(
            "expired",
            "the state parameter does not match",
        ));
    }
    if let Some(error) = q.error {
        let error: String = error.chars().take(100).collect();
        let code = if error == "access_denied" {
            "denied"
        } else {
            "provider"
        };
        return Err(Refusal::new(
            code,
            format!("the identity provider answered '{error}'"),
        ));
    }
    let code = q
        .code
        .filter(|c| !c.is_empty())
        .ok_or_else(|| Refusal::provider("the callback carries no authorization code"))?;

    let client = oidc.client().await?;
    let http = oidc.http_client()?;
    let send = |req| send(http.clone(), req);
    let token = client
        .exchange_code(AuthorizationCode::new(code))
        .map_err(|e| Refusal::provider(format!("the provider has no token endpoint: {e}")))?
        .set_pkce_verifier(PkceCodeVerifier::new(flow.pkce_verifier.clone()))
        .request_async(&send)
        .await
        .map_err(|e| Refusal::provider(describe_token_error(&e)))?;
    let id_token = token
        .id_token()
        .ok_or_else(|| Refusal::refused("the token response carries no ID token"))?;
    let verifier = client.id_token_verifier();
    let claims = id_token
        .claims(&verifier, &Nonce::new(flow.nonce.clone()))
        .map_err(|e| Refusal::refused(format!("the ID token was refused: {e}")))?;
    if let Some(expected) = claims.access_token_hash() {
        let alg = id_token
            .signing_alg()
            .map_err(|e| Refusal::refused(format!("the ID token's algorithm: {e}")))?;
        let key = id_token
            .signing_key(&verifier)
            .map_err(|e| Refusal::refused(format!("the ID token's signing key: {e}")))?;
        let actual = AccessTokenHash::from_token(token.access_token(), alg, key)
            .map_err(|e| Refusal::refused(format!("hashing the access token failed: {e}")))?;
        if actual != *expected {
            return Err(Refusal::refused(
                "the ID token's at_hash does not match the access token",
            ));
        }
    }

    let identity = Identity::from_claims(claims, &oidc.config)?;
    let user = provision(state, &identity).await.map_err(|mut r| {
        r.username = Some(identity.username.clone());
        r
    })?;

    let ev =
        AuditEvent::new(&user.username, "login.oidc", "user", &user.id).after(serde_json::json!({
            "issuer": claims.issuer().as_str(),
            "role": user.role,
            "department": user.department,
        }));
    state.store.audit(ev).await?;
    let token = random_token();
    let expires = meridian_store::time_text(
        time::OffsetDateTime::now_utc() + time::Duration::hours(state.config.session_hours),
    );
    state
        .store
        .create_session(&digest(&token), &user.id, &random_token(), &expires)
        .await?;
    tracing::info!(username = %user.username, "signed in with single sign-on");
    Ok(with_cookie(
        Redirect::to(&local_path(&flow.next)).into_response(),
        set_cookie(
            SESSION_COOKIE,
            &token,
            state.config.session_hours * 3600,
            state.config.secure_cookies,
        ),
    ))
}

/// Token endpoint failures, described without the response body (which
/// could hold tokens).
fn describe_token_error<E: std::error::Error>(
    e: &RequestTokenError<E, StandardErrorResponse<CoreErrorResponseType>>,
) -> String {
    match e {
        RequestTokenError::ServerResponse(r) => {
            format!("the token endpoint refused the code: {}", r.error())
        }
        RequestTokenError::Request(e) => format!("the token request failed: {e}"),
        RequestTokenError::Parse(e, _) => {
            format!("the token response could not be parsed: {e}")
        }
        RequestTokenError::Other(m) => format!("the token response was unexpected: {m}"),
    }
}

/// Who the verified ID token says this is, in Meridian's terms.
#[derive(Debug, Clone)]
struct Identity {
    username: String,
    display_name: String,
    /// Binds the local account to this issuer's subject.
    marker: String,
    role: Role,
    /// None when departments are not taken from claims.
    department: Option<String>,
}

impl Identity {
    fn from_claims(
        claims: &IdTokenClaims<ExtraClaims, CoreGenderClaim>,
        config: &OidcConfig,
    ) -> Result<Identity, Refusal> {
        let extra = &claims.additional_claims().claims;
        let standard = |name: &str| -> Option<String> {
            match name {
                "sub" => Some(claims.subject().as_str().to_owned()),
                "preferred_username" => claims.preferred_username().map(|u| u.as_str().to_owned()),
                "email" => claims.email().map(|e| e.as_str().to_owned()),
                "name" => claims
                    .name()
                    .and_then(|n| n.get(None))
                    .map(|n| n.as_str().to_owned()),
                _ => None,
            }
        };
        let values = |name: &str| -> Vec<String> {
            match standard(name) {
                Some(v) => vec![v],
                None => extra.get(name).map(claim_strings).unwrap_or_default(),
            }
        };
        let raw = values(&config.username_claim)
            .into_iter()
            .next()
            .ok_or_else(|| {
                Refusal::new(
                    "account",
                    format!("the ID token has no '{}' claim", config.username_claim),
                )
            })?;
        let username = raw.trim().to_lowercase();
        if username.is_empty()
            || username.chars().count() > 100
            || !username
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-@".contains(c))
        {
            return Err(Refusal::new(
                "account",
                format!(
                    "the '{}' claim is not usable as a username (letters, digits, '.', '_', '-', '@')",
                    config.username_claim
                ),
            ));
        }
        let role_values = values(&config.role_claim);
        let role = map_role(&role_values, &config.role_map, config.default_role);
        let department = config
            .department_claim
            .as_deref()
            .map(|c| values(c).join(", "));
        let display_name = standard("name")
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| username.clone());
        let marker = format!(
            "!oidc:{}",
            digest(&format!(
                "{}\n{}",
                claims.issuer().as_str(),
                claims.subject().as_str()
            ))
        );
        Ok(Identity {
            username,
            display_name,
            marker,
            role,
            department,
        })
    }
}

/// A claim as a list of strings (a string, or an array of strings).
fn claim_strings(v: &serde_json::Value) -> Vec<String> {
    match v {
        serde_json::Value::String(s) => vec![s.clone()],
        serde_json::Value::Array(items) => items
            .iter()
            .filter_map(|i| match i {
                serde_json::Value::String(s) => Some(s.clone()),
                serde_json::Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .collect(),
        serde_json::Value::Number(n) => vec![n.to_string()],
        serde_json::Value::Bool(b) => vec![b.to_string()],
        _ => Vec::new(),
    }
}

/// Create the account on first sign-in, or bring its role and department in
/// line with the claims (audited as a role change). The account has no
/// usable password: its hash is a marker no argon2 check accepts.
async fn provision(state: &AppState, id: &Identity) -> Result<meridian_store::User, Refusal> {
    let Some(user) = state.store.user_by_username(&id.username).await? else {
        let department = id.department.clone().unwrap_or_default();
        return match state
            .store
            .create_user_by(
                &id.username,
                &id.display_name,
                &id.marker,
                id.role,
                &department,
                OIDC_ACTOR,
            )
            .await
        {
            Ok(u) => Ok(u),
            Err(StoreError::Conflict(m)) => Err(Refusal::new("account", m)),
            Err(e) => Err(e.into()),
        };
    };
    if user.password_hash != id.marker {
        return Err(Refusal::new(
            "account",
            "the username belongs to a local account or to another identity",
        ));
    }
    if !user.active {
        return Err(Refusal::new("account", "the account is disabled"));
    }
    let department = id
        .department
        .clone()
        .unwrap_or_else(|| user.department.clone());
    if user.role == id.role && user.department == department {
        return Ok(user);
    }
    Ok(state
        .store
        .set_user_role(&user.id, id.role, &department, OIDC_ACTOR)
        .await?)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// openidconnect's HTTP calls, made with our reqwest (one HTTP/TLS stack).
async fn send(
    client: reqwest::Client,
    request: http::Request<Vec<u8>>,
) -> Result<http::Response<Vec<u8>>, HttpError> {
    let (parts, body) = request.into_parts();
    let resp = client
        .request(parts.method, parts.uri.to_string())
        .headers(parts.headers)
        .body(body)
        .send()
        .await?;
    if resp
        .content_length()
        .is_some_and(|n| n > MAX_RESPONSE_BYTES as u64)
    {
        return Err(HttpError::TooLarge);
    }
    let status = resp.status();
    let resp_headers = resp.headers().clone();
    let mut resp = resp;
    let mut bytes = Vec::new();
    while let Some(chunk) = resp.chunk().await? {
        if bytes.len() + chunk.len() > MAX_RESPONSE_BYTES {
            return Err(HttpError::TooLarge);
        }
        bytes.extend_from_slice(&chunk);
    }
    let mut out = http::Response::builder().status(status).body(bytes)?;
    *out.headers_mut() = resp_headers;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_maps_parse_and_the_first_match_wins() {
        let map = parse_role_map(
            "urn:mace:uni.edu:meridian=admin, staff=research_office,member=researcher",
        )
        .unwrap();
        assert_eq!(map.len(), 3);
        assert_eq!(map[0], ("urn:mace:uni.edu:meridian".into(), Role::Admin));
        let have = vec!["member".to_owned(), "staff".to_owned()];
        assert_eq!(
            map_role(&have, &map, Role::Researcher),
            Role::ResearchOffice
        );
        assert_eq!(
            map_role(&["other".into()], &map, Role::Auditor),
            Role::Auditor
        );
        assert!(
            parse_role_map("staff")
                .unwrap_err()
                .contains("claimvalue=role")
        );
        assert!(
            parse_role_map("staff=boss")
                .unwrap_err()
                .contains("not a role")
        );
        assert!(parse_role_map("").unwrap().is_empty());
    }

    #[test]
    fn the_flow_cookie_is_authenticated_and_expires() {
        let oidc = Oidc::new(OidcConfig::new(
            "https://idp.example",
            "meridian",
            "s3cret",
            "https://m.example/auth/oidc/callback",
        ));
        let flow = Flow {
            state: "st".into(),
            nonce: "n".into(),
            pkce_verifier: "v".into(),
            next: "/".into(),
            expires: time::OffsetDateTime::now_utc().unix_timestamp() + 60,
        };
        let sealed = oidc.seal(&flow).unwrap();
        assert_eq!(oidc.open(&sealed).unwrap().state, "st");
        let mut forged = sealed.clone();
        forged.replace_range(0..2, "00");
        assert!(oidc.open(&forged).is_none());
        let other = Oidc::new(OidcConfig::new(
            "https://idp.example",
            "meridian",
            "another",
            "https://m.example/auth/oidc/callback",
        ));
        assert!(other.open(&sealed).is_none());
        let old = Flow { expires: 0, ..flow };
        assert!(oidc.open(&oidc.seal(&old).unwrap()).is_none());
    }

    #[test]
    fn secrets_stay_out_of_debug_output() {
        let c = OidcConfig::new("https://idp.example", "m", "topsecret", "https://m/cb");
        assert!(!format!("{c:?}").contains("topsecret"));
    }
}
