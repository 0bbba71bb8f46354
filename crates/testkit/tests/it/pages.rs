use meridian_testkit::TestApp;

async fn post_form(
    app: &TestApp,
    path: &str,
    fields: &[(&str, &str)],
    csrf: &str,
) -> reqwest::Response {
    let mut all: Vec<(&str, &str)> = fields.to_vec();
    all.push(("csrf_token", csrf));
    app.client
        .post(app.url(path))
        .form(&all)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_form_shows_errors_beside_fields_and_saves_when_fixed() {
    let app = TestApp::spawn().await;
    let csrf = app.login_admin().await;
    let page = app
        .client
        .get(app.url("/engagements/new"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Register an engagement"));

    let fields = [
        ("title", "Polar ice cores"),
        ("kind", "research_collaboration"),
        ("countries", "NO"),
        ("partners[0].name", "Fjord University"),
        ("partners[0].country", "ZZ"),
        ("funding.amount", "lots"),
    ];
    let r = post_form(&app, "/engagements", &fields, &csrf).await;
    assert_eq!(r.status().as_u16(), 400);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("&#39;ZZ&#39; is not an ISO 3166-1 country code")
            || html.contains("'ZZ' is not an ISO 3166-1 country code"),
        "{html}"
    );
    assert!(html.contains("is not a number"));
    assert!(
        html.contains("value=\"Polar ice cores\""),
        "the form keeps what was typed"
    );
    assert_eq!(
        app.store.count_engagements().await.unwrap(),
        0,
        "nothing half-saved"
    );

    let fixed = [("partners[0].country", "NO"), ("funding.amount", "")];
    let mut good: Vec<(&str, &str)> = fields
        .iter()
        .filter(|(k, _)| !fixed.iter().any(|(f, _)| f == k))
        .cloned()
        .collect();
    good.extend(fixed);
    let r = post_form(&app, "/engagements", &good, &csrf).await;
    assert_eq!(r.status().as_u16(), 303);
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    let view = app
        .client
        .get(app.url(&location))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(view.contains("Polar ice cores") && view.contains("Fjord University"));
    assert!(
        view.contains("/parties/"),
        "the partner links to its party record"
    );

    let list = app
        .client
        .get(app.url("/engagements?q=polar&country=NO"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(list.contains(&location));
    let none = app
        .client
        .get(app.url("/engagements?q=polar&country=SE"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!none.contains(&location));
}

#[tokio::test]
async fn party_pages_list_engagements_and_import_reports_rows() {
    let app = TestApp::spawn().await;
    let csrf = app.login_admin().await;
    for title in ["Alpha", "Beta"] {
        let r = post_form(
            &app,
            "/engagements",
            &[
                ("title", title),
                ("kind", "other"),
                ("partners[0].name", "Shared Partner Org"),
                ("partners[0].country", "CL"),
            ],
            &csrf,
        )
        .await;
        assert_eq!(r.status().as_u16(), 303);
    }
    let parties = app.store.list_parties(&Default::default()).await.unwrap();
    assert_eq!(parties.total, 1);
    let page = app
        .client
        .get(app.url(&format!("/parties/{}", parties.items[0].id)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Alpha") && page.contains("Beta"));

    let r = post_form(
        &app,
        &format!("/parties/{}/due-diligence", parties.items[0].id),
        &[("status", "cleared_with_conditions")],
        &csrf,
    )
    .await;
    assert_eq!(r.status().as_u16(), 400);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("is required for this decision")
    );

    let form = reqwest::multipart::Form::new()
        .text("csv_text", "name,country\nGood Org,DE\nBad Org,XX\n")
        .text("mode", "import");
    let r = app
        .client
        .post(app.url(&format!("/parties/import?csrf_token={csrf}")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("nothing imported"), "{html}");
    assert!(html.contains("<td>3</td><td>country</td>"));
    assert_eq!(
        app.store
            .list_parties(&Default::default())
            .await
            .unwrap()
            .total,
        1
    );

    let dash = app
        .client
        .get(app.url("/dashboard"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(dash.contains("live engagements"));
    let docs = app
        .client
        .get(app.url("/api/docs"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(docs.contains("swagger-ui-bundle.js"));
    let js = app
        .client
        .get(app.url("/static/vendor/htmx.min.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(js.status().as_u16(), 200);
}

#[tokio::test]
async fn an_uploaded_docx_agreement_is_read_checked_and_highlighted() {
    let app = TestApp::spawn().await;
    let csrf = app.login_admin().await;
    let r = post_form(
        &app,
        "/engagements",
        &[
            ("title", "Agreement check"),
            ("kind", "contract_research"),
            ("countries", "DE"),
        ],
        &csrf,
    )
    .await;
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    let docx = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../risk/tests/it/fixtures/agreement.docx"),
    )
    .unwrap();
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(docx).file_name("agreement.docx"),
    );
    let r = app
        .client
        .post(app.url(&format!("{location}/agreement?csrf_token={csrf}")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
    let page = app
        .client
        .get(app.url(&location))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("id=\"clause-findings\""),
        "the .docx clauses are checked"
    );
    assert!(page.contains("<mark>"), "the matched words are highlighted");
    let id = location.rsplit('/').next().unwrap();
    let ev = app.store.latest_assessment(id).await.unwrap().unwrap();
    assert!(
        ev.assessment["factors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["id"] == "F9"),
        "the clauses drive F9: {}",
        ev.assessment
    );
}
