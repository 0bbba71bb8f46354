use meridian_store::Role;
use meridian_testkit::{ADMIN, ADMIN_PASSWORD, TestApp};
use serde_json::Value;

/// Every page route (method, path), with ids filled in.
const PAGES: &[(&str, &str)] = &[
    ("GET", "/"),
    ("GET", "/dashboard"),
    ("GET", "/engagements"),
    ("POST", "/engagements"),
    ("GET", "/engagements/new"),
    ("GET", "/engagements/x"),
    ("POST", "/engagements/x"),
    ("GET", "/engagements/x/edit"),
    ("POST", "/engagements/x/archive"),
    ("POST", "/engagements/x/restore"),
    ("GET", "/parties"),
    ("POST", "/parties"),
    ("GET", "/parties/new"),
    ("GET", "/parties/duplicates"),
    ("GET", "/parties/import"),
    ("POST", "/parties/import"),
    ("GET", "/parties/x"),
    ("POST", "/parties/x"),
    ("GET", "/parties/x/edit"),
    ("POST", "/parties/x/due-diligence"),
    ("POST", "/parties/x/adverse-media"),
    ("POST", "/parties/x/merge"),
    ("POST", "/engagements/x/workflow"),
    ("POST", "/engagements/x/conditions/y"),
    ("GET", "/engagements/x/audit"),
    ("GET", "/tasks"),
    ("GET", "/audit"),
    ("POST", "/admin/users/x/role"),
    ("GET", "/screening"),
    ("POST", "/engagements/preview"),
    ("POST", "/engagements/x/evaluate"),
    ("POST", "/engagements/x/agreement"),
    ("GET", "/admin/lists"),
    ("POST", "/admin/lists/x/update"),
    ("POST", "/admin/lists/x/rollback"),
    ("POST", "/admin/lists/x/configure"),
    ("POST", "/admin/lists/import"),
    ("POST", "/alerts/x/dismiss"),
    ("GET", "/admin/policy"),
    ("POST", "/admin/policy"),
    ("GET", "/admin/policy/pack.toml"),
    ("POST", "/admin/policy/reset"),
    ("POST", "/admin/policy/countries"),
    ("POST", "/admin/policy/countries/import"),
    ("GET", "/account"),
    ("POST", "/account/tokens"),
    ("POST", "/account/tokens/x/revoke"),
    ("GET", "/admin/users"),
    ("POST", "/admin/users"),
    ("POST", "/logout"),
    ("GET", "/api/docs"),
    ("GET", "/openapi.json"),
];

#[tokio::test]
async fn every_route_denies_anonymous_callers() {
    let app = TestApp::spawn().await;
    let anon = app.api();
    // Pages: GET redirects to the login page, anything else is refused.
    for (method, path) in PAGES {
        let r = anon
            .request(method.parse().unwrap(), app.url(path))
            .send()
            .await
            .unwrap();
        let code = r.status().as_u16();
        if *method == "GET" && !path.starts_with("/openapi") {
            assert_eq!(code, 303, "{method} {path}");
            assert!(
                r.headers()["location"]
                    .to_str()
                    .unwrap()
                    .starts_with("/login?next="),
                "{method} {path}"
            );
        } else {
            assert_eq!(code, 401, "{method} {path}");
        }
    }
    // Single sign-on is public (the provider's redirect carries no session)
    // for GET only; unconfigured, as here, it does not exist.
    for path in ["/auth/oidc/login", "/auth/oidc/callback"] {
        let r = anon.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 404, "GET {path}");
        let r = anon.post(app.url(path)).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 401, "POST {path}");
    }
    // API: every documented operation, from the OpenAPI document itself.
    let token = app.user_with_token("reader", Role::Auditor).await;
    let doc: Value = anon
        .get(app.url("/openapi.json"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut checked = 0;
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
            let url = app.url(&path.replace("{id}", "x").replace("{condition_id}", "y"));
            let r = anon
                .request(method.to_uppercase().parse().unwrap(), url)
                .send()
                .await
                .unwrap();
            let expected = if path == "/healthz" { 200 } else { 401 };
            assert_eq!(r.status().as_u16(), expected, "{method} {path}");
            checked += 1;
        }
    }
    assert!(checked >= 20, "only {checked} API operations found");
    // A bad token is no better than none.
    let r = anon
        .get(app.url("/api/v1/engagements"))
        .bearer_auth("mrd_wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
}

#[tokio::test]
async fn state_changes_need_the_csrf_token_and_the_same_origin() {
    let app = TestApp::spawn().await;
    let csrf = app.login_admin().await;
    let body = [("legal_name", "Example Org"), ("kind", "organization")];
    let r = app
        .client
        .post(app.url("/parties"))
        .form(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403, "no token");
    let r = app
        .client
        .post(app.url("/parties"))
        .form(&[("legal_name", "Example Org"), ("csrf_token", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403, "wrong token");
    let r = app
        .client
        .post(app.url("/parties"))
        .header("origin", "http://evil.example")
        .form(&[("legal_name", "Example Org"), ("csrf_token", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403, "cross-origin");
    let r = app
        .client
        .post(app.url("/api/v1/parties"))
        .json(&serde_json::json!({"legal_name": "X"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status().as_u16(),
        403,
        "API calls with a session cookie need the header too"
    );
    let r = app
        .client
        .post(app.url("/api/v1/parties"))
        .header("x-csrf-token", &csrf)
        .json(&serde_json::json!({"legal_name": "X"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let r = app
        .client
        .post(app.url("/parties"))
        .form(&[("legal_name", "Example Org"), ("csrf_token", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status().as_u16(),
        303,
        "with the token the form is accepted"
    );
    assert_eq!(
        app.store
            .list_parties(&Default::default())
            .await
            .unwrap()
            .total,
        2
    );
}

#[tokio::test]
async fn login_failures_lock_the_account_and_logout_ends_the_session() {
    let app = TestApp::spawn().await;
    for _ in 0..4 {
        let r = app.login(ADMIN, "wrong password").await;
        assert_eq!(r.status().as_u16(), 401);
        assert!(
            r.text()
                .await
                .unwrap()
                .contains("Wrong username or password.")
        );
    }
    let r = app.login(ADMIN, "wrong password").await;
    assert!(
        r.text().await.unwrap().contains("locked"),
        "the fifth failure locks the account"
    );
    let r = app.login(ADMIN, ADMIN_PASSWORD).await;
    assert_eq!(
        r.status().as_u16(),
        429,
        "even the right password waits out the lock"
    );
    assert!(r.text().await.unwrap().contains("locked"));
    let r = app.login("nobody", "x").await;
    assert_eq!(
        r.status().as_u16(),
        401,
        "unknown users get the same answer"
    );

    // A fresh app: sign in, then out; the old session cookie stops working.
    let app = TestApp::spawn().await;
    let csrf = app.login_admin().await;
    assert_eq!(
        app.client
            .get(app.url("/engagements"))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        200
    );
    let r = app
        .client
        .post(app.url("/logout"))
        .form(&[("csrf_token", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(
        app.client
            .get(app.url("/engagements"))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        303
    );
    // Only local paths are followed after login.
    let page = app
        .client
        .get(app.url("/login?next=//evil.example/x"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("name=\"next\" value=\"/engagements\""));
}

#[tokio::test]
async fn api_tokens_are_shown_once_and_can_be_revoked() {
    let app = TestApp::spawn().await;
    let csrf = app.login_admin().await;
    let r = app
        .client
        .post(app.url("/api/v1/tokens"))
        .header("x-csrf-token", &csrf)
        .json(&serde_json::json!({"name": "sync"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let t: Value = r.json().await.unwrap();
    let token = t["token"].as_str().unwrap();
    assert!(token.starts_with("mrd_"));
    let me: Value = app
        .api()
        .get(app.url("/api/v1/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["username"], ADMIN);
    let list: Value = app
        .client
        .get(app.url("/api/v1/tokens"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        !list.to_string().contains(token),
        "the token itself is never listed"
    );
    let r = app
        .client
        .delete(app.url(&format!("/api/v1/tokens/{}", t["id"].as_str().unwrap())))
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
    let r = app
        .api()
        .get(app.url("/api/v1/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
}

#[tokio::test]
async fn only_admins_reach_the_user_admin_page() {
    let app = TestApp::spawn().await;
    let hash = meridian_web::hash_password("researcher-password".into())
        .await
        .unwrap();
    app.store
        .create_user("rita", "Rita", &hash, Role::Researcher, "")
        .await
        .unwrap();
    let r = app.login("rita", "researcher-password").await;
    assert_eq!(r.status().as_u16(), 303);
    let r = app
        .client
        .get(app.url("/admin/users"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
}
