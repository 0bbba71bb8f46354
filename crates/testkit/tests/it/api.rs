use meridian_store::Role;
use meridian_testkit::TestApp;
use serde_json::{Value, json};

fn engagement(title: &str) -> Value {
    json!({
        "title": title, "kind": "research_collaboration", "description": "Sensors",
        "countries": ["JP"],
        "partners": [{"name": "Example Institute of Science", "kind": "organization", "country": "JP", "sector": "university"}],
        "research_areas": ["quantum sensing"],
        "funding": {"amount": 1000000, "currency": "JPY", "source": "Example Science Foundation", "source_country": "JP", "source_type": "philanthropic", "conditions": ""},
        "data": {"personal_data": false, "special_category_data": false, "export_controlled": true, "partner_access_to_facilities": false},
        "people": [{"name": "Hana Example", "role": "co-investigator", "talent_programme": "none", "undisclosed_affiliations": []}],
        "travel": {"destinations": [{"country": "JP", "region": "Osaka"}], "start": "2027-01-10", "end": "2027-01-20", "fieldwork": false},
        "agreement_text": "Each party may publish."
    })
}

#[tokio::test]
async fn register_list_edit_archive_and_history_through_the_api() {
    let app = TestApp::spawn().await;
    let token = app.user_with_token("rita", Role::Researcher).await;
    let api = app.api();
    let auth = format!("Bearer {token}");

    let r = api
        .post(app.url("/api/v1/engagements"))
        .header("authorization", &auth)
        .json(&engagement("Sensor lab"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let created: Value = r.json().await.unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["owner"], "rita", "the owner defaults to the caller");
    assert_eq!(created["status"], "draft");
    assert!(
        created["partners"][0]["party_id"].is_string(),
        "inline partner resolved to a party"
    );
    assert_eq!(created["travel"]["destinations"][0]["region"], "Osaka");

    for t in ["Second", "Third"] {
        let mut e = engagement(t);
        e["kind"] = json!("travel");
        e["countries"] = json!(["BR"]);
        e["partners"] = json!([]);
        e["travel"]["destinations"] = json!([{"country": "BR", "region": "Manaus"}]);
        let r = api
            .post(app.url("/api/v1/engagements"))
            .header("authorization", &auth)
            .json(&e)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 201);
    }
    let list: Value = api
        .get(app.url("/api/v1/engagements?kind=travel&country=br&per_page=1&page=2"))
        .header("authorization", &auth)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 2);
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let found: Value = api
        .get(app.url("/api/v1/engagements?q=sensor%20lab"))
        .header("authorization", &auth)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(found["total"], 1);

    let mut edit = engagement("Sensor lab, phase 2");
    edit["partners"][0]["party_id"] = created["partners"][0]["party_id"].clone();
    let r = api
        .put(app.url(&format!("/api/v1/engagements/{id}?expected_version=1")))
        .header("authorization", &auth)
        .json(&edit)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let r = api
        .put(app.url(&format!("/api/v1/engagements/{id}?expected_version=1")))
        .header("authorization", &auth)
        .json(&edit)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 409, "a stale version is refused");

    let r = api
        .post(app.url(&format!("/api/v1/engagements/{id}/archive")))
        .header("authorization", &auth)
        .send()
        .await
        .unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["archived"], true);
    let h: Value = api
        .get(app.url(&format!("/api/v1/engagements/{id}/history")))
        .header("authorization", &auth)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let actions: Vec<&str> = h
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["created", "edited", "archived"]);
    assert_eq!(h[1]["actor"], "rita");
    assert!(
        h[1]["changes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["field"] == "title" && c["after"] == "Sensor lab, phase 2")
    );

    let r = api
        .get(app.url("/api/v1/engagements/does-not-exist"))
        .header("authorization", &auth)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);
}

#[tokio::test]
async fn invalid_input_gets_field_level_errors_and_nothing_is_saved() {
    let app = TestApp::spawn().await;
    let token = app.user_with_token("rita", Role::Researcher).await;
    let auth = format!("Bearer {token}");
    let mut bad = engagement("Bad");
    bad["partners"][0]["country"] = json!("ZZ");
    bad["kind"] = json!("holiday");
    let r = app
        .api()
        .post(app.url("/api/v1/engagements"))
        .header("authorization", &auth)
        .json(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let body: Value = r.json().await.unwrap();
    let errors = body["errors"].as_array().unwrap();
    assert!(errors.contains(&json!({"field": "partners[0].country", "message": "'ZZ' is not an ISO 3166-1 country code"})), "{body}");
    assert!(errors.iter().any(|e| e["field"] == "kind"));
    let r = app
        .api()
        .post(app.url("/api/v1/engagements"))
        .header("authorization", &auth)
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert_eq!(
        r.json::<Value>().await.unwrap()["errors"][0]["field"],
        "body"
    );
    let r = app
        .api()
        .get(app.url("/api/v1/engagements?country=XX"))
        .header("authorization", &auth)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert_eq!(app.store.count_engagements().await.unwrap(), 0);
    assert_eq!(
        app.store
            .list_parties(&Default::default())
            .await
            .unwrap()
            .total,
        0,
        "no party was created by a rejected engagement"
    );
}

#[tokio::test]
async fn parties_suggest_merge_and_import_through_the_api() {
    let app = TestApp::spawn().await;
    let token = app.user_with_token("ro", Role::ResearchOffice).await;
    let auth = format!("Bearer {token}");
    let api = app.api();
    let post = |path: &str, body: Value| {
        api.post(app.url(path))
            .header("authorization", &auth)
            .json(&body)
            .send()
    };

    let a: Value = post(
        "/api/v1/parties",
        json!({"legal_name": "Université Côte Exemple", "country": "FR", "sector": "university",
        "other_names": [{"name": "UCE", "name_type": "acronym"}]}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let b: Value = post(
        "/api/v1/parties",
        json!({"legal_name": "Universite Cote Exemple", "country": "FR"}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let bad = post(
        "/api/v1/parties",
        json!({"legal_name": "", "country": "FRA"}),
    )
    .await
    .unwrap();
    assert_eq!(bad.status().as_u16(), 400);

    let s: Value = api
        .get(app.url("/api/v1/parties/suggest?q=exemple%20cote"))
        .header("authorization", &auth)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        s.as_array().unwrap().len(),
        2,
        "accent- and order-insensitive: {s}"
    );
    let s: Value = api
        .get(app.url("/api/v1/parties/suggest?q=uce"))
        .header("authorization", &auth)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(s[0]["id"], a["id"], "acronyms are suggested");

    // Two engagements, one linking each record, then merge.
    for (title, id) in [("One", &a["id"]), ("Two", &b["id"])] {
        let r = post(
            "/api/v1/engagements",
            json!({"title": title, "kind": "other", "partners": [{"party_id": id}]}),
        )
        .await
        .unwrap();
        assert_eq!(r.status().as_u16(), 201);
    }
    let dups: Value = api
        .get(app.url("/api/v1/parties/duplicates"))
        .header("authorization", &auth)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(dups.as_array().unwrap().len(), 1);
    let r = post(
        &format!("/api/v1/parties/{}/merge", a["id"].as_str().unwrap()),
        json!({"duplicate_id": b["id"]}),
    )
    .await
    .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let detail: Value = api
        .get(app.url(&format!("/api/v1/parties/{}", a["id"].as_str().unwrap())))
        .header("authorization", &auth)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        detail["engagements"].as_array().unwrap().len(),
        2,
        "the survivor lists both engagements"
    );
    assert!(
        detail["history"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["action"] == "merged a duplicate into this record")
    );

    let dd = post(
        &format!(
            "/api/v1/parties/{}/due-diligence",
            a["id"].as_str().unwrap()
        ),
        json!({"status": "rejected"}),
    )
    .await
    .unwrap();
    assert_eq!(dd.status().as_u16(), 400, "a rejection needs a note");
    let dd = post(
        &format!(
            "/api/v1/parties/{}/due-diligence",
            a["id"].as_str().unwrap()
        ),
        json!({"status": "cleared", "decided_on": "2024-01-01", "expires_on": "2025-01-01"}),
    )
    .await
    .unwrap();
    assert_eq!(dd.status().as_u16(), 200);
    let detail: Value = api
        .get(app.url(&format!("/api/v1/parties/{}", a["id"].as_str().unwrap())))
        .header("authorization", &auth)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(detail["dd_expired"], true);

    // CSV import: dry run reports rows; errors block the import unless forced.
    let csv = "Organisation,ISO\nNew Research Institute,SE\nBroken Row Ltd,QQ\n";
    let imp = |q: &str| {
        api.post(app.url(&format!(
            "/api/v1/parties/import?mapping=legal_name%3DOrganisation%2Ccountry%3DISO{q}"
        )))
        .header("authorization", &auth)
        .body(csv)
        .send()
    };
    let dry: Value = imp("").await.unwrap().json().await.unwrap();
    assert_eq!(
        (
            dry["dry_run"].as_bool(),
            dry["rows_ok"].as_u64(),
            dry["imported"].as_bool()
        ),
        (Some(true), Some(1), Some(false))
    );
    assert_eq!(dry["errors"][0]["line"], 3);
    let blocked: Value = imp("&dry_run=false").await.unwrap().json().await.unwrap();
    assert_eq!(blocked["imported"], false);
    let forced: Value = imp("&dry_run=false&force=true")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (forced["imported"].as_bool(), forced["created"].as_u64()),
        (Some(true), Some(1))
    );
}

#[tokio::test]
async fn openapi_documents_every_api_route() {
    let app = TestApp::spawn().await;
    let token = app.user_with_token("x", Role::Auditor).await;
    let doc: Value = app
        .api()
        .get(app.url("/openapi.json"))
        .header("authorization", format!("Bearer {token}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/healthz",
        "/api/v1/engagements",
        "/api/v1/engagements/{id}",
        "/api/v1/engagements/{id}/history",
        "/api/v1/engagements/{id}/archive",
        "/api/v1/engagements/{id}/restore",
        "/api/v1/parties",
        "/api/v1/parties/{id}",
        "/api/v1/parties/suggest",
        "/api/v1/parties/duplicates",
        "/api/v1/parties/import",
        "/api/v1/parties/{id}/merge",
        "/api/v1/parties/{id}/due-diligence",
        "/api/v1/parties/{id}/adverse-media",
        "/api/v1/me",
        "/api/v1/tokens",
        "/api/v1/tokens/{id}",
    ] {
        assert!(paths.contains_key(p), "{p} missing from /openapi.json");
    }
    assert!(doc["components"]["schemas"]["EngagementInput"].is_object());
    let health: Value = reqwest::get(app.url("/healthz"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "ok");
}
