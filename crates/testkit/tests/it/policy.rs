//! The policy pack and country profiles as an administrator changes them:
//! a bad pack is refused with line numbers, a good one is activated (and
//! recorded in every later assessment), and a country fact needs its date and
//! source and can never lift a country-only engagement past safeguards.

use meridian_store::Role;
use meridian_testkit::TestApp;
use serde_json::{Value, json};

fn pack_form(text: &str) -> reqwest::multipart::Form {
    reqwest::multipart::Form::new().text("text", text.to_owned())
}

#[tokio::test]
async fn packs_are_validated_activated_and_recorded() {
    let app = TestApp::spawn().await;
    let admin = app.user_with_token("adm", Role::Admin).await;
    let office = app.user_with_token("ro", Role::ResearchOffice).await;
    let api = app.api();

    let r = api
        .get(app.url("/admin/policy"))
        .bearer_auth(&office)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403, "only admins load packs");

    let default = api
        .get(app.url("/admin/policy/pack.toml"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // A broken pack: an unknown outcome name, reported with its line.
    let broken = default.replacen("committee_review", "committee_reviewz", 1);
    let page = api
        .post(app.url("/admin/policy"))
        .bearer_auth(&admin)
        .multipart(pack_form(&broken))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Not loaded: the pack does not validate"),
        "{page}"
    );
    assert!(page.contains("line "), "problems name their line: {page}");

    // A good pack with a new version string.
    let renamed = default.replacen("version = \"", "version = \"9.9-test-", 1);
    assert_ne!(renamed, default, "the default pack has a version field");
    let page = api
        .post(app.url("/admin/policy"))
        .bearer_auth(&admin)
        .multipart(pack_form(&renamed))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("9.9-test-"), "{page}");
    let a: Value = api
        .post(app.url("/api/v1/assessments"))
        .bearer_auth(&admin)
        .json(&json!({"title": "T", "kind": "gift", "countries": ["NO"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        a["assessment"]["policy"]["version"]
            .as_str()
            .unwrap()
            .starts_with("9.9-test-"),
        "{a}"
    );
    let audit: Value = api
        .get(app.url("/api/v1/audit?action=setting.policy_pack"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(audit.as_array().unwrap().len(), 1, "the change is audited");
}

#[tokio::test]
async fn country_facts_need_a_source_and_stay_a_modifier() {
    let app = TestApp::spawn().await;
    let admin = app.user_with_token("adm", Role::Admin).await;
    let api = app.api();
    let r = api
        .post(app.url("/admin/policy/countries"))
        .bearer_auth(&admin)
        .form(&[
            ("country", "NO"),
            ("travel_advice", "against_all"),
            ("as_of", ""),
            ("source", ""),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(r.contains("needs its date"), "{r}");
    let r = api
        .post(app.url("/admin/policy/countries"))
        .bearer_auth(&admin)
        .form(&[
            ("country", "NO"),
            ("travel_advice", "against_all"),
            ("as_of", "2026-11-01"),
            ("source", "Test fixture"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
    let page = api
        .get(app.url("/admin/policy"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Norway (NO)") && page.contains("Test fixture"),
        "{page}"
    );
    // A country-only engagement (no planned trip) stays at or below safeguards.
    let a: Value = api
        .post(app.url("/api/v1/assessments"))
        .bearer_auth(&admin)
        .json(&json!({"title": "T", "kind": "institutional_partnership", "countries": ["NO"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let outcome = a["assessment"]["outcome"].as_str().unwrap();
    assert!(
        outcome == "proceed" || outcome == "proceed_with_safeguards",
        "{outcome}"
    );
    // Planned fieldwork there is a people-safety fact.
    let a: Value = api
        .post(app.url("/api/v1/assessments"))
        .bearer_auth(&admin)
        .json(&json!({"title": "T", "kind": "travel", "countries": ["NO"],
            "travel": {"destinations": [{"country": "NO", "region": "Svalbard"}], "start": "2027-01-01", "fieldwork": true}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        a["assessment"]["factors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["id"] == "F10"),
        "{a}"
    );
}
