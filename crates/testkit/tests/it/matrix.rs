//! The route × role matrix: every page and API route, asked by every role,
//! with the status each must get. Researchers and approvers outside the
//! engagement's department get 404 (not 403), so ids cannot be probed.

use meridian_store::Role;
use meridian_testkit::TestApp;
use serde_json::{Value, json};

const ROLES: [(&str, Role, &str); 7] = [
    ("res", Role::Researcher, "Physics"),
    ("appr", Role::DepartmentApprover, "Chemistry"),
    ("office", Role::ResearchOffice, ""),
    ("member", Role::CommitteeMember, ""),
    ("compliance", Role::ComplianceOfficer, ""),
    ("adm", Role::Admin, ""),
    ("aud", Role::Auditor, ""),
];

fn body() -> Value {
    json!({"title": "Matrix case", "kind": "data_sharing", "owner": "owner", "department": "Chemistry", "countries": ["NL"]})
}

#[tokio::test]
async fn every_route_for_every_role() {
    let app = TestApp::spawn().await;
    let owner_token = app.user_with_token("owner", Role::Researcher).await;
    app.store
        .set_user_role(
            &app.store
                .user_by_username("owner")
                .await
                .unwrap()
                .unwrap()
                .id,
            Role::Researcher,
            "Chemistry",
            "test",
        )
        .await
        .unwrap();
    let api = app.api();
    let e: Value = api
        .post(app.url("/api/v1/engagements"))
        .bearer_auth(&owner_token)
        .json(&body())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let eid = e["id"].as_str().unwrap().to_owned();
    let pid: String = app
        .store
        .list_parties(&Default::default())
        .await
        .unwrap()
        .items
        .first()
        .map(|p| p.id.clone())
        .unwrap_or_default();
    let p: Value = api
        .post(app.url("/api/v1/parties"))
        .bearer_auth(&owner_token)
        .json(&json!({"legal_name": "Matrix Org"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let pid = if pid.is_empty() {
        p["id"].as_str().unwrap().to_owned()
    } else {
        pid
    };
    let uid = app
        .store
        .user_by_username("owner")
        .await
        .unwrap()
        .unwrap()
        .id;

    let mut tokens = Vec::new();
    for (name, role, dept) in ROLES {
        let t = app.user_with_token(name, role).await;
        let u = app.store.user_by_username(name).await.unwrap().unwrap();
        app.store
            .set_user_role(&u.id, role, dept, "test")
            .await
            .unwrap();
        tokens.push(t);
    }

    //            method, path, JSON body, expected for [res, appr, office, member, compliance, adm, aud]
    let e = eid.as_str();
    let rows: Vec<(&str, String, Option<Value>, [u16; 7])> = vec![
        ("GET", "/engagements".into(), None, [200; 7]),
        ("GET", "/engagements/new".into(), None, [200; 7]),
        (
            "GET",
            format!("/engagements/{e}"),
            None,
            [404, 200, 200, 200, 200, 200, 200],
        ),
        (
            "GET",
            format!("/engagements/{e}/edit"),
            None,
            [404, 403, 200, 403, 403, 200, 403],
        ),
        (
            "GET",
            format!("/engagements/{e}/audit"),
            None,
            [404, 403, 200, 403, 200, 200, 200],
        ),
        ("GET", "/parties".into(), None, [200; 7]),
        ("GET", format!("/parties/{pid}"), None, [200; 7]),
        ("GET", format!("/parties/{pid}/edit"), None, [200; 7]),
        ("GET", "/parties/new".into(), None, [200; 7]),
        ("GET", "/parties/duplicates".into(), None, [200; 7]),
        ("GET", "/parties/import".into(), None, [200; 7]),
        ("GET", "/dashboard".into(), None, [200; 7]),
        ("GET", "/tasks".into(), None, [200; 7]),
        ("GET", "/account".into(), None, [200; 7]),
        (
            "GET",
            "/audit".into(),
            None,
            [403, 403, 200, 403, 200, 200, 200],
        ),
        (
            "GET",
            "/admin/users".into(),
            None,
            [403, 403, 403, 403, 403, 200, 403],
        ),
        (
            "GET",
            "/admin/lists".into(),
            None,
            [403, 403, 403, 403, 200, 200, 403],
        ),
        (
            "GET",
            "/admin/policy".into(),
            None,
            [403, 403, 403, 403, 403, 200, 403],
        ),
        ("GET", "/screening?name=Zephyr".into(), None, [200; 7]),
        ("GET", "/api/v1/lists".into(), None, [200; 7]),
        ("GET", "/api/v1/lists/sources".into(), None, [200; 7]),
        ("GET", "/api/v1/alerts".into(), None, [200; 7]),
        (
            "GET",
            format!("/api/v1/engagements/{e}/assessment"),
            None,
            [404, 200, 200, 200, 200, 200, 200],
        ),
        ("GET", "/api/docs".into(), None, [200; 7]),
        // Public single sign-on routes: not configured here, so absent.
        ("GET", "/auth/oidc/login".into(), None, [404; 7]),
        ("GET", "/auth/oidc/callback".into(), None, [404; 7]),
        ("GET", "/openapi.json".into(), None, [200; 7]),
        ("GET", "/api/v1/me".into(), None, [200; 7]),
        ("GET", "/api/v1/tokens".into(), None, [200; 7]),
        ("GET", "/api/v1/engagements".into(), None, [200; 7]),
        (
            "GET",
            format!("/api/v1/engagements/{e}"),
            None,
            [404, 200, 200, 200, 200, 200, 200],
        ),
        (
            "GET",
            format!("/api/v1/engagements/{e}/history"),
            None,
            [404, 200, 200, 200, 200, 200, 200],
        ),
        (
            "GET",
            format!("/api/v1/engagements/{e}/decisions"),
            None,
            [404, 200, 200, 200, 200, 200, 200],
        ),
        (
            "GET",
            format!("/api/v1/engagements/{e}/conditions"),
            None,
            [404, 200, 200, 200, 200, 200, 200],
        ),
        (
            "GET",
            format!("/api/v1/engagements/{e}/audit"),
            None,
            [404, 200, 200, 200, 200, 200, 200],
        ),
        ("GET", "/api/v1/parties".into(), None, [200; 7]),
        ("GET", format!("/api/v1/parties/{pid}"), None, [200; 7]),
        (
            "GET",
            "/api/v1/parties/suggest?q=matrix".into(),
            None,
            [200; 7],
        ),
        ("GET", "/api/v1/parties/duplicates".into(), None, [200; 7]),
        (
            "GET",
            "/api/v1/audit".into(),
            None,
            [403, 403, 200, 403, 200, 200, 200],
        ),
        (
            "GET",
            "/api/v1/audit/verify".into(),
            None,
            [403, 403, 200, 403, 200, 200, 200],
        ),
        (
            "POST",
            "/api/v1/engagements".into(),
            Some(body()),
            [201, 201, 201, 201, 201, 201, 403],
        ),
        (
            "PUT",
            format!("/api/v1/engagements/{e}"),
            Some(body()),
            [404, 403, 200, 403, 403, 200, 403],
        ),
        (
            "POST",
            format!("/api/v1/engagements/{e}/workflow"),
            Some(json!({"action": "submit"})),
            [404, 403, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            format!("/api/v1/engagements/{e}/archive"),
            None,
            [404, 403, 200, 403, 403, 200, 403],
        ),
        (
            "POST",
            format!("/api/v1/engagements/{e}/restore"),
            None,
            [404, 403, 200, 403, 403, 200, 403],
        ),
        (
            "POST",
            "/api/v1/parties".into(),
            Some(json!({"legal_name": "Another Org"})),
            [201, 201, 201, 201, 201, 201, 403],
        ),
        (
            "PUT",
            format!("/api/v1/parties/{pid}"),
            Some(json!({"legal_name": "Matrix Org"})),
            [200, 200, 200, 200, 200, 200, 403],
        ),
        (
            "POST",
            format!("/api/v1/parties/{pid}/adverse-media"),
            Some(json!({"text": "x"})),
            [201, 201, 201, 201, 201, 201, 403],
        ),
        (
            "POST",
            format!("/api/v1/parties/{pid}/due-diligence"),
            Some(json!({"status": "in_progress"})),
            [403, 403, 200, 403, 200, 200, 403],
        ),
        (
            "POST",
            format!("/api/v1/parties/{pid}/merge"),
            Some(json!({"duplicate_id": "none"})),
            [403, 403, 404, 403, 404, 404, 403],
        ),
        (
            "POST",
            "/api/v1/parties/import".into(),
            None,
            [400, 400, 400, 400, 400, 400, 403],
        ),
        (
            "POST",
            "/api/v1/tokens".into(),
            Some(json!({"name": "x"})),
            [201; 7],
        ),
        (
            "POST",
            format!("/engagements/{e}/workflow"),
            None,
            [404, 403, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            format!("/admin/users/{uid}/role"),
            None,
            [403, 403, 403, 403, 403, 400, 403],
        ),
        (
            "POST",
            "/api/v1/screen".into(),
            Some(json!({"queries": [{"name": "Zephyr Trading"}]})),
            [200; 7],
        ),
        (
            "POST",
            "/api/v1/assessments".into(),
            Some(json!({"title": "x", "kind": "gift", "countries": ["NL"]})),
            [200; 7],
        ),
        (
            "POST",
            format!("/api/v1/engagements/{e}/evaluate"),
            None,
            [404, 200, 200, 200, 200, 200, 403],
        ),
        (
            "POST",
            "/api/v1/lists/us_ofac_sdn/rollback".into(),
            None,
            [403, 403, 403, 403, 409, 409, 403],
        ),
        (
            "PUT",
            "/api/v1/lists/un_sc".into(),
            Some(json!({"enabled": true})),
            [403, 403, 403, 403, 204, 204, 403],
        ),
        (
            "POST",
            "/api/v1/alerts/none/dismiss".into(),
            Some(json!({"reason": "x"})),
            [403, 403, 404, 403, 404, 404, 403],
        ),
    ];
    let mut failures = Vec::new();
    for (method, path, json_body, expected) in &rows {
        for (i, (name, _, _)) in ROLES.iter().enumerate() {
            let mut req = api
                .request(method.parse().unwrap(), app.url(path))
                .bearer_auth(&tokens[i]);
            if let Some(b) = json_body {
                req = req.json(b);
            } else if *method == "POST" && path.starts_with("/engagements") {
                req = req.form(&[("action", "submit")]);
            } else if *method == "POST" && path.starts_with("/admin") {
                req = req.form(&[("role", "nonsense")]);
            }
            let got = req.send().await.unwrap().status().as_u16();
            if got != expected[i] {
                failures.push(format!(
                    "{method} {path} as {name}: expected {}, got {got}",
                    expected[i]
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "route × role matrix mismatches:\n{}",
        failures.join("\n")
    );
}
