//! List updates against a local HTTP server standing in for the publisher:
//! a good version, a version that newly lists an engagement's partner, and
//! every broken variant (truncated, empty, an HTML error page, a 500, too
//! slow). The current version must keep serving through every failure.

use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use meridian_domain::{EngagementStatus, Role, WorkflowAction};
use meridian_store::WorkflowRequest;
use meridian_testkit::{TestApp, fixture_lists_dir, shared_dir};
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::Arc;

const FILES: [&str; 4] = ["sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"];

/// The OFAC SDN four-file set: the shared real files when present, else the fixtures.
fn sdn_files() -> (BTreeMap<String, Vec<u8>>, &'static str) {
    if let Some(shared) = shared_dir() {
        let l = shared.join("data/lists");
        let pick = |n: &str| std::fs::read(l.join(format!("ofac_{n}"))).expect("shared OFAC file");
        return (
            FILES.iter().map(|n| (n.to_string(), pick(n))).collect(),
            "shared",
        );
    }
    eprintln!(
        "shared list files not found (set MERIDIAN_SHARED_DIR): updating from the fictional fixtures instead"
    );
    let d = fixture_lists_dir().join("ofac");
    (
        FILES
            .iter()
            .map(|n| {
                (
                    n.to_string(),
                    std::fs::read(d.join(n)).expect("fixture OFAC file"),
                )
            })
            .collect(),
        "fixtures",
    )
}

async fn publisher(v1: BTreeMap<String, Vec<u8>>) -> String {
    let mut v2 = v1.clone();
    let sdn = v2.get_mut("sdn.csv").unwrap();
    if !sdn.ends_with(b"\n") {
        sdn.extend_from_slice(b"\r\n");
    }
    // OFAC SDN.CSV layout, a fictional entry that lists the demo partner.
    sdn.extend_from_slice(b"990001,\"GULF ORBITAL SYSTEMS LLC\",-0- ,\"DEMO-PROGRAM\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"Fictional test entry.\"\r\n");
    let truncated: Vec<u8> = {
        let text = String::from_utf8_lossy(&v1["sdn.csv"]).into_owned();
        let lines: Vec<&str> = text.lines().collect();
        lines[..lines.len() / 4].join("\n").into_bytes()
    };
    let v1 = Arc::new(v1);
    let v2 = Arc::new(v2);
    let truncated = Arc::new(truncated);
    let app = Router::new().route(
        "/{variant}/{file}",
        get(move |Path((variant, file)): Path<(String, String)>| {
            let (v1, v2, truncated) = (v1.clone(), v2.clone(), truncated.clone());
            async move {
                let body =
                    |m: &BTreeMap<String, Vec<u8>>| m.get(&file).cloned().unwrap_or_default();
                let r: Response = match variant.as_str() {
                    "good" => body(&v1).into_response(),
                    "v2" => body(&v2).into_response(),
                    "truncated" if file == "sdn.csv" => truncated.as_ref().clone().into_response(),
                    "truncated" => body(&v1).into_response(),
                    "empty" => Vec::<u8>::new().into_response(),
                    "html" => (
                        [("content-type", "text/html")],
                        "<html><body><h1>Service unavailable</h1></body></html>",
                    )
                        .into_response(),
                    "error" => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
                    "slow" => {
                        tokio::time::sleep(std::time::Duration::from_secs(5)).await;
                        body(&v1).into_response()
                    }
                    _ => StatusCode::NOT_FOUND.into_response(),
                };
                r
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    format!("http://{addr}")
}

async fn point(app: &TestApp, base: &str, variant: &str) {
    let urls: Vec<String> = FILES
        .iter()
        .map(|f| format!("{base}/{variant}/{f}"))
        .collect();
    app.store
        .set_list_source("us_ofac_sdn", true, Some(&urls), "test")
        .await
        .unwrap();
}

fn finds(app: &TestApp, name: &str) -> bool {
    let idx = app.state.engines.lists().expect("lists stay loaded");
    let q = meridian_screening::Query {
        name: name.into(),
        kind: None,
        country: None,
        birth_year: None,
    };
    !idx.index.screen(&q).is_empty()
}

#[tokio::test]
async fn updates_survive_every_broken_download_and_raise_alerts_for_new_listings() {
    let app = TestApp::spawn_without_lists().await;
    let (files, origin) = sdn_files();
    let base = publisher(files).await;
    let up = |force: bool| {
        let state = app.state.clone();
        async move {
            meridian_web::lists::update_source(&state, "us_ofac_sdn", force, "tester")
                .await
                .unwrap()
        }
    };

    // An active engagement with a partner that is not listed (yet).
    let e = meridian_domain::parse_engagement_json(
        json!({"title": "Antenna co-design", "kind": "contract_research", "owner": "rita", "department": "EE",
            "countries": ["AE"], "partners": [{"name": "Gulf Orbital Systems LLC", "country": "AE", "sector": "company"}]})
        .to_string()
        .as_bytes(),
    )
    .unwrap();
    let id = app.store.create_engagement(e, "rita").await.unwrap().id;

    point(&app, &base, "good").await;
    let r = up(false).await;
    assert_eq!(r.result, "installed", "{origin}: {}", r.message);
    let entities = r.entities;
    assert!(entities >= 3, "{entities}");
    assert!(!finds(&app, "Gulf Orbital Systems LLC"));
    for (a, who, role) in [
        (WorkflowAction::Submit, "rita", Role::Researcher),
        (WorkflowAction::StartReview, "olga", Role::ResearchOffice),
        (WorkflowAction::Approve, "olga", Role::ResearchOffice),
        (WorkflowAction::Activate, "rita", Role::Researcher),
    ] {
        app.store
            .apply_workflow(&id, &WorkflowRequest::new(a, who, role, "EE"))
            .await
            .unwrap();
    }

    // Version 2 newly lists the partner: an alert, and the engagement goes back to review.
    point(&app, &base, "v2").await;
    let r = up(false).await;
    assert_eq!(r.result, "installed", "{}", r.message);
    assert_eq!(r.entities, entities + 1);
    assert_eq!(r.rescreen.as_ref().unwrap().alerts_raised, 1);
    let alerts = app.store.alerts(Some(&id), true).await.unwrap();
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].entity_id, "990001");
    assert_eq!(alerts[0].change, "new match");
    assert_eq!(
        app.store.workflow_state(&id).await.unwrap().unwrap().status,
        EngagementStatus::ReviewRequired
    );

    // Every broken variant is refused, with a reason, and screening goes on.
    for (variant, expect) in [
        ("truncated", "fewer than the current"),
        ("empty", "empty"),
        ("html", "refused"),
        ("error", "500"),
        ("slow", "download failed"),
    ] {
        point(&app, &base, variant).await;
        let r = up(false).await;
        assert_eq!(r.result, "refused", "{variant}: {}", r.message);
        assert!(r.message.contains(expect), "{variant}: {}", r.message);
        assert!(
            finds(&app, "Gulf Orbital Systems LLC"),
            "{variant}: the current version keeps serving"
        );
        let src = app.store.list_source("us_ofac_sdn").await.unwrap().unwrap();
        assert!(src.last_error.is_some(), "{variant}: the refusal is shown");
        let current = app.store.current_list_versions().await.unwrap();
        assert_eq!(current[0].entity_count, entities + 1, "{variant}");
    }

    // Forcing installs a shrunken list; rollback restores the previous one.
    point(&app, &base, "truncated").await;
    let r = up(true).await;
    assert_eq!(r.result, "installed", "{}", r.message);
    assert!(!finds(&app, "Gulf Orbital Systems LLC"));
    meridian_web::lists::rollback(&app.state, "us_ofac_sdn", "tester")
        .await
        .unwrap();
    assert!(finds(&app, "Gulf Orbital Systems LLC"));

    // A dismissed alert is not raised again for the same unchanged entry.
    app.store
        .dismiss_alert(
            &alerts[0].id,
            "olga",
            "A different company with the same name",
        )
        .await
        .unwrap();
    point(&app, &base, "good").await;
    up(true).await;
    point(&app, &base, "v2").await;
    let r = up(false).await;
    assert_eq!(
        r.rescreen.unwrap().alerts_raised,
        0,
        "the dismissed entry did not change"
    );
    assert!(app.store.alerts(Some(&id), true).await.unwrap().is_empty());

    // The scheduler updates only enabled sources whose schedule is due (the
    // others are switched off here so nothing leaves this machine).
    for s in app.store.list_sources().await.unwrap() {
        if s.id != "us_ofac_sdn" {
            app.store
                .set_list_source(&s.id, false, None, "test")
                .await
                .unwrap();
        }
    }
    let due = meridian_web::lists::run_due_updates(&app.state)
        .await
        .unwrap();
    assert!(
        due.is_empty(),
        "us_ofac_sdn was attempted just now: not due for 24 hours"
    );
    assert!(app.store.verify_audit().await.unwrap().is_ok());
}

#[tokio::test]
async fn imports_are_checked_and_other_nodes_follow_the_new_version() {
    let app = TestApp::spawn_without_lists().await;
    let dir = fixture_lists_dir().join("research_security");
    let mut files = BTreeMap::new();
    files.insert(
        "bis_entity_list.json".to_string(),
        std::fs::read(dir.join("bis_entity_list.json")).unwrap(),
    );
    let r = meridian_web::lists::import(
        &app.state,
        "us_bis_entity_list",
        "research_json",
        files,
        false,
        "tester",
    )
    .await
    .unwrap();
    assert_eq!(r.result, "installed", "{}", r.message);
    let mut junk = BTreeMap::new();
    junk.insert(
        "bis_entity_list.json".to_string(),
        b"{\"not\": \"a list\"}".to_vec(),
    );
    let r = meridian_web::lists::import(
        &app.state,
        "us_bis_entity_list",
        "research_json",
        junk,
        false,
        "tester",
    )
    .await
    .unwrap();
    assert_eq!(r.result, "refused", "{}", r.message);

    // An institution's own watchlist, and a UK Sanctions List file.
    let mut own = BTreeMap::new();
    own.insert(
        "upload.csv".to_string(),
        std::fs::read(fixture_lists_dir().join("custom/partners_of_concern.csv")).unwrap(),
    );
    let r = meridian_web::lists::import(
        &app.state,
        "custom_watch",
        "custom_csv",
        own,
        false,
        "tester",
    )
    .await
    .unwrap();
    assert_eq!(r.result, "installed", "{}", r.message);
    let uk_dir = fixture_lists_dir().join("uk");
    let uk_file = std::fs::read_dir(&uk_dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .find(|p| {
            p.extension().is_some_and(|x| x == "csv")
                && std::fs::read_to_string(p)
                    .unwrap_or_default()
                    .contains("Unique ID")
        });
    if let Some(path) = uk_file {
        let mut uk = BTreeMap::new();
        uk.insert(
            "UK-Sanctions-List.csv".to_string(),
            std::fs::read(&path).unwrap(),
        );
        let r = meridian_web::lists::import(
            &app.state,
            "uk_sanctions_list",
            "uk_sanctions_csv",
            uk,
            false,
            "tester",
        )
        .await
        .unwrap();
        assert_eq!(r.result, "installed", "{}", r.message);
    }

    // A second node on the same database picks the version up.
    let other = meridian_web::AppState::new(app.store.clone(), Default::default());
    assert!(other.engines.lists().is_none());
    let follow = tokio::spawn(meridian_web::lists::follow_versions(
        other.clone(),
        std::time::Duration::from_millis(50),
    ));
    for _ in 0..100 {
        if other.engines.lists().is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    follow.abort();
    assert_eq!(
        other.engines.lists().unwrap().index.entity_count(),
        app.state.engines.lists().unwrap().index.entity_count()
    );
}

#[tokio::test]
async fn list_admin_is_for_admins_and_compliance() {
    let app = TestApp::spawn_without_lists().await;
    let researcher = app.user_with_token("rita", Role::Researcher).await;
    let compliance = app.user_with_token("cora", Role::ComplianceOfficer).await;
    let api = app.api();
    let r = api
        .post(app.url("/api/v1/lists/us_ofac_sdn/rollback"))
        .bearer_auth(&researcher)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    let r = api
        .post(app.url("/api/v1/lists/us_ofac_sdn/rollback"))
        .bearer_auth(&compliance)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 409, "nothing to roll back to");
    let status: serde_json::Value = api
        .get(app.url("/api/v1/lists/sources"))
        .bearer_auth(&researcher)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        status
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["id"] == "un_sc")
    );
    let page = api
        .get(app.url("/admin/lists"))
        .bearer_auth(&compliance)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
}

/// A minimal SMTP server that accepts everything and keeps each message.
async fn fake_smtp() -> (u16, Arc<std::sync::Mutex<Vec<String>>>) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let got = Arc::new(std::sync::Mutex::new(Vec::new()));
    let keep = got.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let keep = keep.clone();
            tokio::spawn(async move {
                let (r, mut w) = stream.into_split();
                let mut r = BufReader::new(r);
                w.write_all(b"220 test ESMTP\r\n").await.ok();
                let (mut data, mut in_data) = (String::new(), false);
                let mut line = String::new();
                while r.read_line(&mut line).await.unwrap_or(0) > 0 {
                    if in_data {
                        if line == ".\r\n" {
                            in_data = false;
                            keep.lock().unwrap().push(std::mem::take(&mut data));
                            w.write_all(b"250 queued\r\n").await.ok();
                        } else {
                            data.push_str(&line);
                        }
                    } else if line.starts_with("EHLO") {
                        w.write_all(b"250-test\r\n250 OK\r\n").await.ok();
                    } else if line.starts_with("DATA") {
                        in_data = true;
                        w.write_all(b"354 go on\r\n").await.ok();
                    } else if line.starts_with("QUIT") {
                        w.write_all(b"221 bye\r\n").await.ok();
                        break;
                    } else {
                        w.write_all(b"250 OK\r\n").await.ok();
                    }
                    line.clear();
                }
            });
        }
    });
    (port, got)
}

#[tokio::test]
async fn new_alerts_are_emailed_to_the_owner_and_the_research_office() {
    let app = TestApp::spawn_without_lists().await;
    let (port, mailbox) = fake_smtp().await;
    let config = meridian_web::WebConfig {
        smtp: Some(meridian_web::notify::SmtpConfig {
            host: "127.0.0.1".into(),
            port,
            from: "meridian@university.example".into(),
            research_office: Some("research-office@university.example".into()),
        }),
        ..Default::default()
    };
    let state = meridian_web::AppState::new(app.store.clone(), config);
    let rita = app
        .store
        .create_user("rita", "Rita", "!", Role::Researcher, "EE")
        .await
        .unwrap();
    app.store
        .set_user_email(&rita.id, "rita@university.example", "test")
        .await
        .unwrap();
    let e = meridian_domain::parse_engagement_json(
        json!({"title": "Antenna co-design", "kind": "contract_research", "owner": "rita", "countries": ["AE"],
            "partners": [{"name": "Gulf Orbital Systems LLC", "country": "AE"}]})
        .to_string()
        .as_bytes(),
    )
    .unwrap();
    app.store.create_engagement(e, "rita").await.unwrap();

    let d = fixture_lists_dir().join("ofac");
    let v1: BTreeMap<String, Vec<u8>> = FILES
        .iter()
        .map(|n| (n.to_string(), std::fs::read(d.join(n)).unwrap()))
        .collect();
    let r = meridian_web::lists::import(
        &state,
        "us_ofac_sdn",
        "ofac_csv",
        v1.clone(),
        false,
        "tester",
    )
    .await
    .unwrap();
    assert_eq!(r.result, "installed", "{}", r.message);
    assert!(mailbox.lock().unwrap().is_empty(), "no alert, no mail");
    let mut v2 = v1;
    let sdn = v2.get_mut("sdn.csv").unwrap();
    sdn.extend_from_slice(b"\r\n990001,\"GULF ORBITAL SYSTEMS LLC\",-0- ,\"DEMO-PROGRAM\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"Fictional test entry.\"\r\n");
    let r = meridian_web::lists::import(&state, "us_ofac_sdn", "ofac_csv", v2, false, "tester")
        .await
        .unwrap();
    assert_eq!(r.rescreen.unwrap().alerts_raised, 1);
    let mails = mailbox.lock().unwrap().clone();
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert!(
        mails[0].contains("To: research-office@university.example, rita@university.example"),
        "{}",
        mails[0]
    );
    assert!(
        mails[0].contains(
            "Subject: Meridian screening alert: Gulf Orbital Systems LLC on \"Antenna co-design\""
        ),
        "{}",
        mails[0]
    );
    assert!(
        mails[0].contains("GULF ORBITAL SYSTEMS LLC on us_ofac_sdn (entry 990001)"),
        "{}",
        mails[0]
    );
    let audit = app
        .store
        .audit_records(&meridian_store::AuditFilter {
            action_prefix: Some("alert.notified".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);
}
