//! Single sign-on against the test OpenID Connect provider: a full browser
//! login, role and department mapping from claims, tampered ID tokens, and
//! the boundary with local accounts.

use meridian_store::{AuditFilter, Role};
use meridian_testkit::{ADMIN, ADMIN_PASSWORD, Tamper, TestApp, TestOidcProvider};
use serde_json::{Value, json};

/// Approvers and admins by group; departments from the `department` claim.
async fn app_with_mapping(provider: &TestOidcProvider) -> TestApp {
    TestApp::spawn_with_oidc(provider, |c| {
        c.role_claim = "groups".into();
        c.role_map = meridian_web::parse_role_map(
            "meridian-admins=admin,meridian-approvers=department_approver",
        )
        .expect("role map");
        c.department_claim = Some("department".into());
    })
    .await
}

fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

async fn actions(app: &TestApp, prefix: &str) -> Vec<(String, String, String)> {
    app.store
        .audit_records(&AuditFilter {
            action_prefix: Some(prefix.into()),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.entry.actor, r.entry.action, r.entry.reason))
        .collect()
}

#[tokio::test]
async fn oidc_login_maps_role_and_department_and_starts_a_session() {
    let idp = TestOidcProvider::start().await;
    let app = app_with_mapping(&idp).await;
    idp.sign_in_as(json!({
        "sub": "s-dora",
        "preferred_username": "Dora",
        "name": "Dora Approver",
        "groups": ["staff", "meridian-approvers"],
        "department": "Chemistry",
    }));

    // The login page offers the institution's sign-in.
    let page = app
        .client
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Sign in with your institution"));
    assert!(page.contains("/auth/oidc/login?next="));

    let r = app.oidc_login("/dashboard").await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(location(&r), "/dashboard");
    let me: Value = app
        .client
        .get(app.url("/api/v1/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["username"], "dora");
    assert_eq!(me["display_name"], "Dora Approver");
    assert_eq!(me["role"], "department_approver");
    assert_eq!(me["department"], "Chemistry");
    // A real session: pages work and carry a CSRF token.
    let csrf = app.csrf().await;
    assert!(!csrf.is_empty());

    let logins = actions(&app, "login.oidc").await;
    assert!(
        logins
            .iter()
            .any(|(a, act, _)| a == "dora" && act == "login.oidc"),
        "{logins:?}"
    );
    let created = actions(&app, "user.created").await;
    assert!(created.iter().any(|(a, _, _)| a == "oidc"), "{created:?}");

    // The account has no password that a local sign-in could use.
    let user = app.store.user_by_username("dora").await.unwrap().unwrap();
    assert!(user.password_hash.starts_with("!oidc"));
    let r = app.login("dora", &user.password_hash).await;
    assert_eq!(r.status().as_u16(), 401);
}

#[tokio::test]
async fn tampered_id_tokens_and_forged_callbacks_are_refused() {
    let idp = TestOidcProvider::start().await;
    let app = app_with_mapping(&idp).await;
    idp.sign_in_as(
        json!({"sub": "s-eve", "preferred_username": "eve", "groups": ["meridian-admins"]}),
    );
    for tamper in [
        Tamper::WrongNonce,
        Tamper::WrongAudience,
        Tamper::BadSignature,
        Tamper::Expired,
    ] {
        idp.tamper(tamper);
        let r = app.oidc_login("/dashboard").await;
        assert_eq!(r.status().as_u16(), 303, "{tamper:?}");
        assert_eq!(location(&r), "/login?sso_error=refused", "{tamper:?}");
        let me = app.client.get(app.url("/api/v1/me")).send().await.unwrap();
        assert_eq!(me.status().as_u16(), 401, "{tamper:?} must not sign in");
    }
    assert!(app.store.user_by_username("eve").await.unwrap().is_none());
    let failures = actions(&app, "login.oidc_failed").await;
    assert_eq!(failures.len(), 4, "{failures:?}");
    for why in ["nonce", "audiences", "Signature", "expired"] {
        assert!(
            failures.iter().any(|(_, _, reason)| reason.contains(why)),
            "no refusal names '{why}': {failures:?}"
        );
    }

    // The refusal is explained on the login page.
    let page = app
        .client
        .get(app.url("/login?sso_error=refused"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("could not be verified"));

    // A callback without the browser's sign-in state (another browser, a
    // forged link) is refused before the code is used.
    idp.tamper(Tamper::None);
    let r = app
        .api()
        .get(app.url("/auth/oidc/callback?code=stolen&state=guessed"))
        .send()
        .await
        .unwrap();
    assert_eq!(location(&r), "/login?sso_error=expired");
    // The provider reporting an error is not a sign-in either.
    let r = app
        .api()
        .get(app.url("/auth/oidc/callback?error=access_denied&state=x"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
    assert!(location(&r).starts_with("/login?sso_error="));

    // And with nothing tampered the same user gets in.
    let r = app.oidc_login("/dashboard").await;
    assert_eq!(location(&r), "/dashboard");
}

#[tokio::test]
async fn an_unmapped_user_gets_the_default_role() {
    let idp = TestOidcProvider::start().await;
    let app = app_with_mapping(&idp).await;
    idp.sign_in_as(json!({"sub": "s-sam", "preferred_username": "sam", "groups": ["students"]}));
    let r = app.oidc_login("/engagements").await;
    assert_eq!(location(&r), "/engagements");
    let user = app.store.user_by_username("sam").await.unwrap().unwrap();
    assert_eq!(user.role, Role::Researcher);
    assert_eq!(user.department, "", "no department claim, no department");
}

#[tokio::test]
async fn role_changes_in_claims_update_the_user_and_are_audited() {
    let idp = TestOidcProvider::start().await;
    let app = app_with_mapping(&idp).await;
    idp.sign_in_as(json!({
        "sub": "s-pat", "preferred_username": "pat",
        "groups": ["meridian-approvers"], "department": "Physics",
    }));
    app.oidc_login("/dashboard").await;
    let user = app.store.user_by_username("pat").await.unwrap().unwrap();
    assert_eq!(user.role, Role::DepartmentApprover);
    assert_eq!(user.department, "Physics");

    // Pat moves department and becomes an administrator at the institution.
    idp.sign_in_as(json!({
        "sub": "s-pat", "preferred_username": "pat",
        "groups": ["meridian-approvers", "meridian-admins"], "department": ["Chemistry", "Biology"],
    }));
    let r = app.oidc_login("/admin/users").await;
    assert_eq!(location(&r), "/admin/users");
    let user = app.store.user_by_username("pat").await.unwrap().unwrap();
    assert_eq!(
        user.role,
        Role::Admin,
        "the first mapping that matches wins"
    );
    assert_eq!(user.department, "Chemistry, Biology");
    let page = app
        .client
        .get(app.url("/admin/users"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200, "the new role applies at once");

    let changes = actions(&app, "user.role_changed").await;
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0].0, "oidc");

    // Signing in again with the same claims changes nothing.
    app.oidc_login("/dashboard").await;
    assert_eq!(actions(&app, "user.role_changed").await.len(), 1);
    assert_eq!(actions(&app, "login.oidc").await.len(), 3);
}

#[tokio::test]
async fn local_accounts_cannot_be_taken_over_through_the_provider() {
    let idp = TestOidcProvider::start().await;
    let app = app_with_mapping(&idp).await;
    // Someone at the provider calls themselves "admin".
    idp.sign_in_as(
        json!({"sub": "s-mallory", "preferred_username": "admin", "groups": ["meridian-admins"]}),
    );
    let r = app.oidc_login("/dashboard").await;
    assert_eq!(location(&r), "/login?sso_error=account");
    let admin = app.store.user_by_username(ADMIN).await.unwrap().unwrap();
    assert!(admin.password_hash.starts_with("$argon2id$"));

    // Another subject cannot take over an OIDC account with the same name.
    idp.sign_in_as(json!({"sub": "s-kim", "preferred_username": "kim"}));
    assert_eq!(location(&app.oidc_login("/dashboard").await), "/dashboard");
    idp.sign_in_as(json!({"sub": "s-not-kim", "preferred_username": "kim"}));
    assert_eq!(
        location(&app.oidc_login("/dashboard").await),
        "/login?sso_error=account"
    );

    // Unusable usernames are refused, not mangled.
    idp.sign_in_as(json!({"sub": "s-x", "preferred_username": "x y/z"}));
    assert_eq!(
        location(&app.oidc_login("/dashboard").await),
        "/login?sso_error=account"
    );

    // The local admin still signs in with the password.
    let r = app.login(ADMIN, ADMIN_PASSWORD).await;
    assert_eq!(r.status().as_u16(), 303);
}

#[tokio::test]
async fn without_configuration_the_sso_routes_do_not_exist() {
    let app = TestApp::spawn_without_lists().await;
    for path in ["/auth/oidc/login", "/auth/oidc/callback?code=x&state=y"] {
        let r = app.api().get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 404, "{path}");
    }
    let page = app
        .api()
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains("Sign in with your institution"));
}

#[tokio::test]
async fn an_unreachable_provider_is_explained_on_the_login_page() {
    let idp = TestOidcProvider::start().await;
    // Nothing listens on the discard port.
    let app = TestApp::spawn_with_oidc(&idp, |c| c.issuer_url = "http://127.0.0.1:9".into()).await;
    let r = app
        .client
        .get(app.url("/auth/oidc/login?next=/dashboard"))
        .send()
        .await
        .unwrap();
    assert_eq!(location(&r), "/login?sso_error=provider");
    let r = app
        .client
        .get(app.url("/login?sso_error=provider"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    assert!(r.text().await.unwrap().contains("could not be reached"));
}
