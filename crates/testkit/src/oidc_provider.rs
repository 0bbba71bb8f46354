//! A small OpenID Connect provider for tests: discovery, a JWKS with an RSA
//! key generated at run time, `/authorize` that signs the configured test
//! user in at once, and `/token` that checks the client secret and PKCE and
//! returns an RS256 ID token. Written by hand (not with openidconnect) so the
//! tests check Meridian against the protocol rather than the library against
//! itself. A `Tamper` setting makes it send the ID tokens an attacker would.

use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Json, Redirect, Response};
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use rsa::pkcs1v15::SigningKey;
use rsa::signature::{SignatureEncoding, Signer};
use rsa::traits::PublicKeyParts;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

pub const CLIENT_ID: &str = "meridian-test";
pub const CLIENT_SECRET: &str = "test-client-secret";
const KEY_ID: &str = "test-key-1";

/// What the provider gets wrong on purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tamper {
    None,
    /// The ID token carries a nonce other than the one asked for.
    WrongNonce,
    /// The ID token is for another client.
    WrongAudience,
    /// The ID token's signature does not verify.
    BadSignature,
    /// The ID token expired an hour ago.
    Expired,
}

struct Issued {
    claims: Value,
    nonce: String,
    code_challenge: String,
    redirect_uri: String,
}

struct Inner {
    issuer: String,
    key: SigningKey<Sha256>,
    jwk: Value,
    user: Mutex<Value>,
    tamper: Mutex<Tamper>,
    codes: Mutex<HashMap<String, Issued>>,
}

/// A running provider on 127.0.0.1.
#[derive(Clone)]
pub struct TestOidcProvider {
    pub issuer: String,
    inner: Arc<Inner>,
}

/// One RSA key per test process: generating it is the slow part.
fn private_key() -> &'static rsa::RsaPrivateKey {
    static KEY: OnceLock<rsa::RsaPrivateKey> = OnceLock::new();
    KEY.get_or_init(|| {
        rsa::RsaPrivateKey::new(&mut rand_core_06::OsRng, 2048).expect("generate an RSA key")
    })
}

impl TestOidcProvider {
    /// Start the provider; it signs in `alice` (no groups) until told otherwise.
    pub async fn start() -> TestOidcProvider {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the OIDC provider");
        let issuer = format!("http://{}", listener.local_addr().expect("addr"));
        let key = private_key().clone();
        let public = key.to_public_key();
        let jwk = json!({
            "kty": "RSA",
            "use": "sig",
            "alg": "RS256",
            "kid": KEY_ID,
            "n": URL_SAFE_NO_PAD.encode(public.n().to_bytes_be()),
            "e": URL_SAFE_NO_PAD.encode(public.e().to_bytes_be()),
        });
        let inner = Arc::new(Inner {
            issuer: issuer.clone(),
            key: SigningKey::<Sha256>::new(key),
            jwk,
            user: Mutex::new(json!({"sub": "alice-subject", "preferred_username": "alice"})),
            tamper: Mutex::new(Tamper::None),
            codes: Mutex::new(HashMap::new()),
        });
        let app = Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/jwks", get(jwks))
            .route("/authorize", get(authorize))
            .route("/token", post(token))
            .with_state(inner.clone());
        tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                eprintln!("test OIDC provider stopped: {e}");
            }
        });
        TestOidcProvider { issuer, inner }
    }

    /// The claims of whoever signs in next (`sub` plus anything else).
    pub fn sign_in_as(&self, claims: Value) {
        *self.inner.user.lock().expect("lock") = claims;
    }

    pub fn tamper(&self, t: Tamper) {
        *self.inner.tamper.lock().expect("lock") = t;
    }

    /// Meridian's configuration for this provider (http allowed: tests only).
    pub fn config(&self, redirect_url: &str) -> meridian_web::OidcConfig {
        let mut c =
            meridian_web::OidcConfig::new(&self.issuer, CLIENT_ID, CLIENT_SECRET, redirect_url);
        c.allowed_http_issuer = true;
        c
    }
}

async fn discovery(State(p): State<Arc<Inner>>) -> Json<Value> {
    let i = &p.issuer;
    Json(json!({
        "issuer": i,
        "authorization_endpoint": format!("{i}/authorize"),
        "token_endpoint": format!("{i}/token"),
        "jwks_uri": format!("{i}/jwks"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "profile", "email"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
    }))
}

async fn jwks(State(p): State<Arc<Inner>>) -> Json<Value> {
    Json(json!({ "keys": [p.jwk] }))
}

fn bad_request(what: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"error": "invalid_request", "error_description": what})),
    )
        .into_response()
}

/// Signs the configured user in without asking anything.
async fn authorize(
    State(p): State<Arc<Inner>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let get = |k: &str| q.get(k).cloned().unwrap_or_default();
    if get("client_id") != CLIENT_ID || get("response_type") != "code" {
        return bad_request("unknown client or response type");
    }
    if !get("scope").split(' ').any(|s| s == "openid") {
        return bad_request("the openid scope is missing");
    }
    if get("code_challenge_method") != "S256" || get("code_challenge").is_empty() {
        return bad_request("PKCE (S256) is required");
    }
    let code = format!("code-{}", uuid::Uuid::new_v4());
    let redirect_uri = get("redirect_uri");
    p.codes.lock().expect("lock").insert(
        code.clone(),
        Issued {
            claims: p.user.lock().expect("lock").clone(),
            nonce: get("nonce"),
            code_challenge: get("code_challenge"),
            redirect_uri: redirect_uri.clone(),
        },
    );
    match reqwest::Url::parse_with_params(&redirect_uri, [("code", code), ("state", get("state"))])
    {
        Ok(back) => Redirect::to(back.as_str()).into_response(),
        Err(_) => bad_request("redirect_uri is not a URL"),
    }
}

fn client_authenticated(headers: &HeaderMap, form: &HashMap<String, String>) -> bool {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|v| STANDARD.decode(v).ok())
        .and_then(|v| String::from_utf8(v).ok());
    match basic {
        Some(pair) => pair == format!("{CLIENT_ID}:{CLIENT_SECRET}"),
        None => {
            form.get("client_id").map(String::as_str) == Some(CLIENT_ID)
                && form.get("client_secret").map(String::as_str) == Some(CLIENT_SECRET)
        }
    }
}

async fn token(
    State(p): State<Arc<Inner>>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if !client_authenticated(&headers, &form) {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": "invalid_client"})),
        )
            .into_response();
    }
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    if get("grant_type") != "authorization_code" {
        return bad_request("unsupported grant type");
    }
    // Codes are single use.
    let Some(issued) = p.codes.lock().expect("lock").remove(&get("code")) else {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_grant"})),
        )
            .into_response();
    };
    if issued.redirect_uri != get("redirect_uri") {
        return bad_request("redirect_uri differs from the authorization request");
    }
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(get("code_verifier").as_bytes()));
    if challenge != issued.code_challenge {
        return (
            StatusCode::BAD_REQUEST,
            Json(
                json!({"error": "invalid_grant", "error_description": "PKCE verification failed"}),
            ),
        )
            .into_response();
    }
    let access_token = format!("at-{}", uuid::Uuid::new_v4());
    let tamper = *p.tamper.lock().expect("lock");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default();
    let at_hash = {
        let h = Sha256::digest(access_token.as_bytes());
        URL_SAFE_NO_PAD.encode(&h[..16])
    };
    let mut claims = json!({
        "iss": p.issuer,
        "aud": if tamper == Tamper::WrongAudience { "someone-else" } else { CLIENT_ID },
        "iat": now,
        "exp": if tamper == Tamper::Expired { now - 3600 } else { now + 300 },
        "nonce": if tamper == Tamper::WrongNonce { "not-the-nonce".to_owned() } else { issued.nonce },
        "at_hash": at_hash,
    });
    if let (Some(c), Some(user)) = (claims.as_object_mut(), issued.claims.as_object()) {
        for (k, v) in user {
            c.insert(k.clone(), v.clone());
        }
    }
    let header = json!({"alg": "RS256", "typ": "JWT", "kid": KEY_ID});
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let mut signature = p.key.sign(signing_input.as_bytes()).to_bytes().to_vec();
    if tamper == Tamper::BadSignature {
        signature[10] ^= 0x55;
    }
    let id_token = format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature));
    Json(json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": 300,
        "id_token": id_token,
    }))
    .into_response()
}
