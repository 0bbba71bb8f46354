//! Test support: `TestApp::spawn()` starts the real router on 127.0.0.1:0
//! over a temp SQLite database, or a fresh PostgreSQL database when
//! `TEST_DATABASE_URL` is set, with an admin account ready to sign in.

use meridian_store::{Role, Store};
use std::net::SocketAddr;

pub mod oidc_provider;
pub use oidc_provider::{Tamper, TestOidcProvider};

/// Builds the app's single sign-on settings once its address is known.
type OidcSetup = Box<dyn FnOnce(&str) -> meridian_web::OidcConfig + Send>;

pub const ADMIN: &str = "admin";
pub const ADMIN_PASSWORD: &str = "admin-password-for-tests";

pub struct TestApp {
    pub addr: SocketAddr,
    pub store: Store,
    /// A client with a cookie jar (a browser, for session tests).
    pub client: reqwest::Client,
    /// The server's state (engines, lists), for tests that drive list updates directly.
    pub state: meridian_web::AppState,
    _dir: tempfile::TempDir,
}

impl TestApp {
    /// A running Meridian with one admin account and the screening crate's
    /// fictional fixture lists loaded.
    pub async fn spawn() -> TestApp {
        Self::spawn_with(true, None).await
    }

    /// A running Meridian (no lists) that signs people in through `provider`;
    /// `tweak` adjusts the settings (role claim, role map, …).
    pub async fn spawn_with_oidc(
        provider: &TestOidcProvider,
        tweak: impl FnOnce(&mut meridian_web::OidcConfig) + Send + 'static,
    ) -> TestApp {
        let provider = provider.clone();
        Self::spawn_with(
            false,
            Some(Box::new(move |base: &str| {
                let mut c = provider.config(&format!("{base}/auth/oidc/callback"));
                tweak(&mut c);
                c
            })),
        )
        .await
    }

    /// A running Meridian with no screening lists (the safe-by-default case).
    pub async fn spawn_without_lists() -> TestApp {
        Self::spawn_with(false, None).await
    }

    async fn spawn_with(lists: bool, oidc: Option<OidcSetup>) -> TestApp {
        meridian_web::init_tls();
        let dir = tempfile::tempdir().expect("temp dir");
        let store = match std::env::var("TEST_DATABASE_URL") {
            Ok(url) if !url.is_empty() => {
                let fresh = meridian_store::testing::fresh_postgres_url(&url)
                    .await
                    .expect("create PostgreSQL test database");
                Store::connect(&fresh, 8)
                    .await
                    .expect("connect to PostgreSQL")
            }
            _ => Store::open_sqlite_dir(dir.path(), 8)
                .await
                .expect("open SQLite"),
        };
        let hash = meridian_web::hash_password(ADMIN_PASSWORD.into())
            .await
            .expect("hash");
        store
            .create_user(ADMIN, "Test Admin", &hash, Role::Admin, "Research Office")
            .await
            .expect("admin user");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let config = meridian_web::WebConfig {
            download_timeout_secs: 2,
            oidc: oidc.map(|setup| setup(&format!("http://{addr}"))),
            ..Default::default()
        };
        let state = meridian_web::AppState::new(store.clone(), config);
        meridian_web::lists::ensure_registry(&state)
            .await
            .expect("list registry");
        if lists {
            state
                .engines
                .set_static_lists_dir(Some(fixture_lists_dir()));
            meridian_web::lists::reload_index(&state)
                .await
                .expect("fixture lists load");
        }
        let app_state = state.clone();
        let app = meridian_web::router(state);
        tokio::spawn(async move {
            axum_serve(listener, app).await;
        });
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        TestApp {
            addr,
            store,
            client,
            state: app_state,
            _dir: dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Sign in through the real login form (login CSRF cookie included).
    pub async fn login(&self, username: &str, password: &str) -> reqwest::Response {
        let page = self
            .client
            .get(self.url("/login"))
            .send()
            .await
            .expect("login page")
            .text()
            .await
            .expect("body");
        let token =
            extract(&page, "name=\"login_csrf\" value=\"").expect("login form has a CSRF token");
        self.client
            .post(self.url("/login"))
            .form(&[
                ("username", username),
                ("password", password),
                ("login_csrf", token.as_str()),
                ("next", "/engagements"),
            ])
            .send()
            .await
            .expect("login post")
    }

    /// Sign in as the admin and return the session's CSRF token.
    pub async fn login_admin(&self) -> String {
        let r = self.login(ADMIN, ADMIN_PASSWORD).await;
        assert_eq!(r.status().as_u16(), 303, "admin login redirects");
        self.csrf().await
    }

    /// The CSRF token of the current session, read from a page's meta tag.
    pub async fn csrf(&self) -> String {
        let page = self
            .client
            .get(self.url("/account"))
            .send()
            .await
            .expect("account page")
            .text()
            .await
            .expect("body");
        extract(&page, "name=\"csrf-token\" content=\"")
            .expect("signed-in pages carry a CSRF token")
    }

    /// A user with `role`, and an API token for them.
    pub async fn user_with_token(&self, username: &str, role: Role) -> String {
        let hash = meridian_web::hash_password("password-for-tests".into())
            .await
            .expect("hash");
        let user = self
            .store
            .create_user(username, username, &hash, role, "Physics")
            .await
            .expect("user");
        let state = meridian_web::AppState::new(self.store.clone(), Default::default());
        meridian_web::issue_api_token(&state, &user.id, "tests")
            .await
            .expect("token")
            .token
    }

    /// Sign in through the identity provider the way a browser does
    /// (following each redirect by hand so the cookie jar sees every hop);
    /// returns Meridian's answer to the provider's callback.
    pub async fn oidc_login(&self, next: &str) -> reqwest::Response {
        let mut url = self.url(&format!("/auth/oidc/login?next={next}"));
        for _ in 0..2 {
            let r = self.client.get(&url).send().await.expect("OIDC hop");
            assert_eq!(r.status().as_u16(), 303, "GET {url} redirects");
            let location = r.headers()[reqwest::header::LOCATION]
                .to_str()
                .expect("location")
                .to_owned();
            url = if location.starts_with('/') {
                self.url(&location)
            } else {
                location
            };
        }
        assert!(
            url.starts_with(&self.url("/auth/oidc/callback?")),
            "the provider sends the browser back to the callback: {url}"
        );
        self.client.get(&url).send().await.expect("OIDC callback")
    }

    /// A client without cookies, for API-token calls.
    pub fn api(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
    }
}

async fn axum_serve(listener: tokio::net::TcpListener, app: axum::Router) {
    if let Err(e) = axum::serve(listener, app).await {
        eprintln!("test server stopped: {e}");
    }
}

/// The fictional fixture lists of the screening crate (publisher formats).
pub fn fixture_lists_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../screening/tests/fixtures/lists")
}

/// The shared data directory (`MERIDIAN_SHARED_DIR`, or `shared/` beside
/// the repository), when present.
pub fn shared_dir() -> Option<std::path::PathBuf> {
    let p = std::env::var_os("MERIDIAN_SHARED_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared")
        });
    p.join("data/lists").is_dir().then_some(p)
}

/// The text after `marker` up to the next `"`.
pub fn extract(page: &str, marker: &str) -> Option<String> {
    let start = page.find(marker)? + marker.len();
    let end = page[start..].find('"')?;
    Some(page[start..start + end].to_owned())
}
