use crate::engagement;
use meridian_domain::{CountryCode, EngagementKind, EngagementStatus};
use meridian_store::testing::stores;
use meridian_store::{EngagementFilter, StoreError};
use serde_json::json;

fn sample(title: &str, kind: &str, country: &str) -> meridian_domain::Engagement {
    engagement(json!({
        "title": title, "kind": kind, "owner": "alice", "department": "Physics", "countries": [country],
        "partners": [{"name": "Université de Exemple", "country": country, "sector": "university"}],
        "funding": {"amount": 1000, "currency": "EUR", "source": "Example Foundation", "source_type": "philanthropic"},
        "people": [{"name": "Jean Exemple", "role": "co-investigator"}],
        "description": "Quantum sensing for geology"
    }))
}

#[tokio::test]
async fn create_read_update_archive_with_history() {
    let (stores, _dir) = stores().await;
    for s in stores {
        let created = s
            .create_engagement(
                sample("Lab exchange", "research_collaboration", "FR"),
                "alice",
            )
            .await
            .unwrap();
        assert_eq!(created.status, EngagementStatus::Draft);
        assert_eq!(created.version, 1);
        let pid = created.engagement.partners[0]
            .party_id
            .clone()
            .expect("partner resolved to a party");
        assert!(
            created
                .engagement
                .funding
                .as_ref()
                .unwrap()
                .source_party_id
                .is_some()
        );
        assert!(created.engagement.people[0].party_id.is_some());

        let mut edited = created.engagement.clone();
        edited.title = "Lab exchange (renewed)".into();
        edited.partners[0].party_id = None; // an API client that only sends names
        let updated = s
            .update_engagement(&created.id, edited.clone(), Some(1), "bob")
            .await
            .unwrap();
        assert_eq!(updated.version, 2);
        assert_eq!(
            updated.engagement.partners[0].party_id.as_deref(),
            Some(pid.as_str()),
            "edits keep the party link"
        );

        let stale = s
            .update_engagement(&created.id, edited, Some(1), "carol")
            .await;
        assert!(
            matches!(stale, Err(StoreError::Conflict(_))),
            "a stale version is refused: {stale:?}"
        );

        s.set_engagement_archived(&created.id, true, "alice")
            .await
            .unwrap();
        let h = s.engagement_history(&created.id).await.unwrap();
        let actions: Vec<(&str, &str)> = h
            .iter()
            .map(|e| (e.action.as_str(), e.actor.as_str()))
            .collect();
        assert_eq!(
            actions,
            [
                ("created", "alice"),
                ("edited", "bob"),
                ("archived", "alice")
            ]
        );
        let title_change = h[1]
            .changes
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["field"] == "title")
            .unwrap();
        assert_eq!(title_change["before"], "Lab exchange");
        assert_eq!(title_change["after"], "Lab exchange (renewed)");

        let listed = s
            .list_engagements(&EngagementFilter {
                per_page: 10,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(
            listed.total, 0,
            "archived engagements leave the default list"
        );
        let all = s
            .list_engagements(&EngagementFilter {
                include_archived: true,
                per_page: 10,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(all.total, 1);
        assert!(matches!(
            s.update_engagement("nope", sample("x", "other", "FR"), None, "a")
                .await,
            Err(StoreError::NotFound)
        ));
    }
}

#[tokio::test]
async fn list_filters_and_pages() {
    let (stores, _dir) = stores().await;
    for s in stores {
        for i in 0..7 {
            let (kind, country) = if i % 2 == 0 {
                ("travel", "JP")
            } else {
                ("funding", "BR")
            };
            s.create_engagement(sample(&format!("Engagement {i}"), kind, country), "alice")
                .await
                .unwrap();
        }
        let mut f = EngagementFilter {
            per_page: 3,
            page: 1,
            ..Default::default()
        };
        let p1 = s.list_engagements(&f).await.unwrap();
        assert_eq!((p1.total, p1.items.len()), (7, 3));
        f.page = 3;
        assert_eq!(s.list_engagements(&f).await.unwrap().items.len(), 1);

        let by_kind = s
            .list_engagements(&EngagementFilter {
                kind: Some(EngagementKind::Travel),
                per_page: 50,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(by_kind.total, 4);
        let by_country = s
            .list_engagements(&EngagementFilter {
                country: Some(CountryCode::parse("BR").unwrap()),
                per_page: 50,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(by_country.total, 3);
        assert!(by_country.items.iter().all(|e| e.countries == ["BR"]));
        let by_text = s
            .list_engagements(&EngagementFilter {
                q: Some("ENGAGEMENT 5".into()),
                per_page: 50,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(by_text.items.len(), 1);
        let by_partner = s
            .list_engagements(&EngagementFilter {
                q: Some("universite exemple".into()),
                per_page: 50,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(
            by_partner.total, 7,
            "text search covers partner names, accent-insensitively"
        );
        let like_chars = s
            .list_engagements(&EngagementFilter {
                q: Some("%".into()),
                per_page: 50,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(
            like_chars.total, 7,
            "punctuation-only queries match everything rather than erroring"
        );
        let by_status = s
            .list_engagements(&EngagementFilter {
                status: Some(EngagementStatus::Active),
                per_page: 50,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(by_status.total, 0);
    }
}

#[tokio::test]
async fn an_unknown_party_id_is_a_field_error_and_nothing_is_saved() {
    let (stores, _dir) = stores().await;
    for s in stores {
        let mut e = sample("Bad link", "other", "DE");
        e.partners[0].party_id = Some("no-such-party".into());
        match s.create_engagement(e, "alice").await {
            Err(StoreError::Invalid(errs)) => {
                assert_eq!(errs.errors[0].field, "partners[0].party_id")
            }
            other => panic!("expected a field error, got {other:?}"),
        }
        assert_eq!(s.count_engagements().await.unwrap(), 0);
        let parties = s.list_parties(&Default::default()).await.unwrap();
        assert_eq!(
            parties.total, 0,
            "the funder and person resolved in the failed transaction were rolled back"
        );
    }
}

#[tokio::test]
async fn concurrent_writes_all_land() {
    let (stores, _dir) = stores().await;
    for s in stores {
        let mut tasks = Vec::new();
        for i in 0..16 {
            let s = s.clone();
            tasks.push(tokio::spawn(async move {
                s.create_engagement(sample(&format!("Parallel {i}"), "other", "IT"), "alice")
                    .await
            }));
        }
        for t in tasks {
            t.await.unwrap().unwrap();
        }
        assert_eq!(s.count_engagements().await.unwrap(), 16);
        let parties = s.list_parties(&Default::default()).await.unwrap();
        let partner_records = parties
            .items
            .iter()
            .filter(|p| p.fields.legal_name == "Université de Exemple")
            .count();
        assert_eq!(
            partner_records, 1,
            "sixteen engagements naming one partner share one record"
        );
    }
}
