use crate::{engagement, party};
use meridian_domain::{AdverseMediaInput, DueDiligenceInput, DueDiligenceStatus};
use meridian_store::testing::stores;
use meridian_store::{PartyFilter, StoreError};
use serde_json::json;

#[tokio::test]
async fn inline_partners_resolve_to_one_record_by_name_key_kind_and_country() {
    let (stores, _dir) = stores().await;
    for s in stores {
        let e1 = s
            .create_engagement(
                engagement(json!({"title": "A", "kind": "other", "owner": "o",
                "partners": [{"name": "Universität Beispiel", "country": "DE"}]})),
                "alice",
            )
            .await
            .unwrap();
        let e2 = s
            .create_engagement(
                engagement(json!({"title": "B", "kind": "other", "owner": "o",
                "partners": [{"name": "beispiel, UNIVERSITAT", "country": "de"}]})),
                "alice",
            )
            .await
            .unwrap();
        let e3 = s
            .create_engagement(
                engagement(json!({"title": "C", "kind": "other", "owner": "o",
                "partners": [{"name": "Universität Beispiel", "country": "AT"}]})),
                "alice",
            )
            .await
            .unwrap();
        let id = |e: &meridian_store::StoredEngagement| {
            e.engagement.partners[0].party_id.clone().unwrap()
        };
        assert_eq!(
            id(&e1),
            id(&e2),
            "accent, case and order do not make a new party"
        );
        assert_ne!(
            id(&e1),
            id(&e3),
            "the same name in another country is another party"
        );
        let linked = s.party_engagements(&id(&e1)).await.unwrap();
        assert_eq!(linked.len(), 2);
        assert!(linked.iter().all(|l| l.role == "partner"));
    }
}

#[tokio::test]
async fn edit_due_diligence_media_and_history() {
    let (stores, _dir) = stores().await;
    for s in stores {
        let p = s.create_party(&party(json!({"legal_name": "Example Institute", "country": "SG", "sector": "university"})), "alice").await.unwrap();
        let mut f = p.fields.clone();
        f.website = "https://example.org".into();
        f.other_names.push(meridian_domain::OtherName {
            name: "EI".into(),
            name_type: "acronym".into(),
        });
        let p = s.update_party(&p.id, &f, "bob").await.unwrap();
        assert_eq!(p.fields.website, "https://example.org");

        let today = time::macros::date!(2026 - 11 - 26);
        let d = DueDiligenceInput {
            status: "cleared_with_conditions".into(),
            expires_on: Some("2027-11-26".into()),
            note: "annual check".into(),
            ..Default::default()
        }
        .validate(today)
        .unwrap();
        let p = s.record_dd_decision(&p.id, &d, "carol").await.unwrap();
        assert_eq!(p.dd_status, DueDiligenceStatus::ClearedWithConditions);
        assert_eq!(p.dd_reviewer.as_deref(), Some("carol"));
        assert_eq!(s.dd_decisions(&p.id).await.unwrap().len(), 1);

        let note = AdverseMediaInput {
            text: "Reported misuse".into(),
            source_url: "https://news.example/x".into(),
            date: Some("2026-10-01".into()),
        };
        s.add_adverse_media(&p.id, &note.validate().unwrap(), "dave")
            .await
            .unwrap();
        assert_eq!(s.adverse_media(&p.id).await.unwrap()[0].added_by, "dave");

        let actions: Vec<String> = s
            .party_history(&p.id)
            .await
            .unwrap()
            .into_iter()
            .map(|h| h.action)
            .collect();
        assert_eq!(
            actions,
            ["created", "edited", "due diligence", "adverse media added"]
        );

        let hits = s
            .suggest_parties("exampel institut", None, 5)
            .await
            .unwrap();
        assert_eq!(
            hits.first().map(|h| h.id.as_str()),
            Some(p.id.as_str()),
            "typos still find the party: {hits:?}"
        );
        let by_acronym = s
            .list_parties(&PartyFilter {
                q: Some("ei".into()),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(by_acronym.total, 1, "other names are searchable");

        let mut bad = p.fields.clone();
        bad.parent_id = Some(p.id.clone());
        assert!(matches!(
            s.update_party(&p.id, &bad, "bob").await,
            Err(StoreError::Invalid(_))
        ));
    }
}

#[tokio::test]
async fn duplicates_are_found_and_merging_keeps_every_link() {
    let (stores, _dir) = stores().await;
    for s in stores {
        let a = s
            .create_party(
                &party(json!({"legal_name": "Northern Polytechnic University", "country": "KR"})),
                "alice",
            )
            .await
            .unwrap();
        let b = s
            .create_party(
                &party(json!({"legal_name": "Northern Polytechnical University", "country": "KR"})),
                "alice",
            )
            .await
            .unwrap();
        let _c = s
            .create_party(
                &party(json!({"legal_name": "Northern Polytechnic University", "country": "CA"})),
                "alice",
            )
            .await
            .unwrap();
        let e1 = s
            .create_engagement(engagement(json!({"title": "One", "kind": "other", "owner": "o", "partners": [{"party_id": a.id}]})), "alice")
            .await
            .unwrap();
        let e2 = s
            .create_engagement(engagement(json!({"title": "Two", "kind": "other", "owner": "o", "partners": [{"party_id": b.id}]})), "alice")
            .await
            .unwrap();
        assert_eq!(
            e2.engagement.partners[0].country.unwrap().code(),
            "KR",
            "snapshot fields come from the record"
        );
        let note = AdverseMediaInput {
            text: "t".into(),
            ..Default::default()
        }
        .validate()
        .unwrap();
        s.add_adverse_media(&b.id, &note, "x").await.unwrap();

        let dups = s.possible_duplicates(0.8).await.unwrap();
        assert_eq!(
            dups.len(),
            1,
            "same-name parties in different countries are not duplicates: {dups:?}"
        );
        let ids = [dups[0].a.id.as_str(), dups[0].b.id.as_str()];
        assert!(ids.contains(&a.id.as_str()) && ids.contains(&b.id.as_str()));

        let survivor = s.merge_parties(&a.id, &b.id, "merger").await.unwrap();
        assert!(
            survivor
                .fields
                .other_names
                .iter()
                .any(|n| n.name == "Northern Polytechnical University")
        );
        let linked = s.party_engagements(&a.id).await.unwrap();
        let titles: Vec<&str> = linked.iter().map(|l| l.title.as_str()).collect();
        assert_eq!(titles, ["One", "Two"]);
        let e2 = s.engagement(&e2.id).await.unwrap().unwrap();
        assert_eq!(
            e2.engagement.partners[0].party_id.as_deref(),
            Some(a.id.as_str())
        );
        assert_eq!(
            s.engagement_history(&e2.id)
                .await
                .unwrap()
                .last()
                .unwrap()
                .action,
            "party merged"
        );
        assert_eq!(
            s.adverse_media(&a.id).await.unwrap().len(),
            1,
            "the duplicate's notes move to the survivor"
        );
        let gone = s.party(&b.id).await.unwrap().unwrap();
        assert_eq!(gone.merged_into.as_deref(), Some(a.id.as_str()));
        assert_eq!(
            s.party_history(&b.id).await.unwrap().last().unwrap().action,
            "merged into another record"
        );
        assert!(s.possible_duplicates(0.8).await.unwrap().is_empty());
        // Referring to the merged record now lands on the survivor.
        let e3 = s
            .create_engagement(engagement(json!({"title": "Three", "kind": "other", "owner": "o", "partners": [{"party_id": b.id}]})), "alice")
            .await
            .unwrap();
        assert_eq!(
            e3.engagement.partners[0].party_id.as_deref(),
            Some(a.id.as_str())
        );
        assert!(matches!(
            s.merge_parties(&a.id, &b.id, "m").await,
            Err(StoreError::Conflict(_))
        ));
        let _ = e1;
    }
}

#[tokio::test]
async fn csv_import_creates_new_records_and_links_existing_ones() {
    let (stores, _dir) = stores().await;
    for s in stores {
        s.create_party(
            &party(json!({"legal_name": "Existing University", "country": "NZ"})),
            "alice",
        )
        .await
        .unwrap();
        let csv =
            "name,country,sector\nExisting University,NZ,university\nNew Institute,AU,university\n";
        let parsed = meridian_domain::parse_party_csv(csv.as_bytes(), &Default::default()).unwrap();
        let rows: Vec<_> = parsed.rows.into_iter().map(|(_, p)| p).collect();
        assert_eq!(s.import_parties(&rows, "importer").await.unwrap(), (1, 1));
        assert_eq!(s.list_parties(&Default::default()).await.unwrap().total, 2);
    }
}
