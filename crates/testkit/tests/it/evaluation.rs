//! Screening and assessment through HTTP: the batch API, evaluation on save,
//! the route a submission takes, and the safe default with no lists.

use meridian_store::Role;
use meridian_testkit::TestApp;
use serde_json::{Value, json};

#[tokio::test]
async fn screening_api_matches_across_scripts_and_refuses_without_lists() {
    let app = TestApp::spawn().await;
    let token = app.user_with_token("ro", Role::ResearchOffice).await;
    let body = json!({"queries": [
        {"id": "q1", "name": "Zephyr Trading Company Limited"},
        {"id": "q2", "name": "Андрей Петровский", "kind": "person"},
        {"id": "q3", "name": "Harbin Medical University"},
    ]});
    let r: Value = app
        .api()
        .post(app.url("/api/v1/screen"))
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["results"][0]["matches"][0]["entity_id"], "1001", "{r}");
    assert_eq!(r["results"][1]["matches"][0]["source"], "us_ofac_sdn");
    assert!(
        r["results"][1]["matches"][0]["explanation_text"]
            .as_str()
            .unwrap()
            .len()
            > 10
    );
    assert_eq!(r["results"][2]["matches"].as_array().unwrap().len(), 0);
    assert!(
        !r["lists"].as_array().unwrap().is_empty(),
        "the list versions used are reported"
    );
    let bad = app
        .api()
        .post(app.url("/api/v1/screen"))
        .bearer_auth(&token)
        .json(&json!({"queries": [{"id": 1}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status().as_u16(), 400);
    assert_eq!(
        bad.json::<Value>().await.unwrap()["errors"][0]["field"],
        "queries[0]"
    );

    let empty = TestApp::spawn_without_lists().await;
    let token = empty.user_with_token("ro", Role::ResearchOffice).await;
    let r = empty
        .api()
        .post(empty.url("/api/v1/screen"))
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status().as_u16(),
        503,
        "no lists is an error, never 'no match'"
    );
    let page = empty
        .api()
        .get(empty.url("/screening?name=Zephyr"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("No restricted-party lists are loaded"));
}

#[tokio::test]
async fn engagements_are_screened_and_assessed_on_save_and_submission_follows_the_route() {
    let app = TestApp::spawn().await;
    let rita = app.user_with_token("rita", Role::Researcher).await;
    let e = json!({"title": "Photonics exchange", "kind": "research_collaboration", "countries": ["CN"],
        "partners": [{"name": "Western Institute of Photonics", "country": "CN", "sector": "university"}],
        "research_areas": ["quantum sensing"]});
    let created: Value = app
        .api()
        .post(app.url("/api/v1/engagements"))
        .bearer_auth(&rita)
        .json(&e)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    let ev: Value = app
        .api()
        .get(app.url(&format!("/api/v1/engagements/{id}/assessment")))
        .bearer_auth(&rita)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ev["screening"]["ok"], true);
    assert_eq!(
        ev["screening"]["subjects"][0]["matches"][0]["source"], "ca_nro",
        "{ev}"
    );
    let outcome = ev["assessment"]["outcome"].as_str().unwrap();
    assert!(
        outcome == "committee_review" || outcome == "prohibited",
        "a named research organisation is escalated: {outcome}"
    );
    assert!(
        ev["assessment"]["factors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["id"] == "F1" && !f["explanation"].as_str().unwrap().is_empty())
    );
    // The partner's own page shows its screening now.
    let pid = created["partners"][0]["party_id"].as_str().unwrap();
    let page = app
        .api()
        .get(app.url(&format!("/parties/{pid}")))
        .bearer_auth(&rita)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("id=\"party-screening\"") && page.contains("ca_nro"),
        "the party page shows its list match"
    );

    let r = app
        .api()
        .post(app.url(&format!("/api/v1/engagements/{id}/workflow")))
        .bearer_auth(&rita)
        .json(&json!({"action": "submit"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let st = app.store.workflow_state(&id).await.unwrap().unwrap();
    assert_eq!(
        st.route.as_str(),
        ev["assessment"]["route"].as_str().unwrap(),
        "submission takes the assessment's route"
    );
    let decisions: Value = app
        .api()
        .get(app.url(&format!("/api/v1/engagements/{id}/decisions")))
        .bearer_auth(&rita)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        decisions[0]["snapshot"]["assessment"]["outcome"], outcome,
        "the decision keeps the assessment it was made on"
    );
    assert!(
        decisions[0]["snapshot"]["screening"]["lists"]
            .as_array()
            .is_some_and(|l| !l.is_empty())
    );

    // Assess without saving.
    let count = app.store.count_engagements().await.unwrap();
    let a: Value = app
        .api()
        .post(app.url("/api/v1/assessments"))
        .bearer_auth(&rita)
        .json(&json!({"title": "Gift", "kind": "gift", "countries": ["CH"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(a["assessment"]["outcome"], "proceed");
    assert_eq!(app.store.count_engagements().await.unwrap(), count);
}

#[tokio::test]
async fn without_lists_nothing_is_submitted_unscreened() {
    let app = TestApp::spawn_without_lists().await;
    let rita = app.user_with_token("rita", Role::Researcher).await;
    let created: Value = app
        .api()
        .post(app.url("/api/v1/engagements"))
        .bearer_auth(&rita)
        .json(&json!({"title": "T", "kind": "other", "countries": ["FR"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().unwrap();
    let ev: Value = app
        .api()
        .get(app.url(&format!("/api/v1/engagements/{id}/assessment")))
        .bearer_auth(&rita)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ev["screening"]["ok"], false);
    let r = app
        .api()
        .post(app.url(&format!("/api/v1/engagements/{id}/workflow")))
        .bearer_auth(&rita)
        .json(&json!({"action": "submit"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 409);
    assert!(r.text().await.unwrap().contains("has not been screened"));
}

#[tokio::test]
async fn the_form_preview_shows_what_drives_the_outcome() {
    let app = TestApp::spawn().await;
    let csrf = app.login_admin().await;
    let r = app
        .client
        .post(app.url("/engagements/preview"))
        .header("x-csrf-token", &csrf)
        .form(&[
            ("title", "Drones"),
            ("kind", "research_collaboration"),
            ("countries", "CN"),
            ("partners[0].name", "Northfield Engineering University"),
            ("partners[0].country", "CN"),
        ])
        .send()
        .await
        .unwrap();
    let html = r.text().await.unwrap();
    assert!(html.contains("Likely outcome"), "{html}");
    assert!(html.contains("F1"), "the list hit is named: {html}");
    let r = app
        .client
        .post(app.url("/engagements/preview"))
        .header("x-csrf-token", &csrf)
        .form(&[("title", "")])
        .send()
        .await
        .unwrap();
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Complete the required fields")
    );
}

#[tokio::test]
async fn the_register_is_evaluated_again_only_when_lists_policy_or_profiles_changed() {
    let app = TestApp::spawn().await;
    let rita = app.user_with_token("rita", Role::Researcher).await;
    let r = app
        .api()
        .post(app.url("/api/v1/engagements"))
        .bearer_auth(&rita)
        .json(&json!({"title": "T", "kind": "other", "countries": ["FI"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    assert_eq!(
        meridian_web::engines::evaluate_all(&app.state, "test")
            .await
            .unwrap(),
        1,
        "first start: evaluated"
    );
    assert_eq!(
        meridian_web::engines::evaluate_all(&app.state, "test")
            .await
            .unwrap(),
        0,
        "restart with nothing changed: skipped"
    );
    let mut profiles = (*app.state.engines.profiles()).clone();
    profiles
        .entry(meridian_domain::CountryCode::parse("FI").unwrap())
        .academic_freedom = Some(meridian_risk::Sourced {
        value: 0.9,
        as_of: "2025".into(),
        source: "test".into(),
    });
    app.state.engines.install_profiles(profiles);
    assert_eq!(
        meridian_web::engines::evaluate_all(&app.state, "test")
            .await
            .unwrap(),
        1,
        "profiles changed: evaluated"
    );
}
