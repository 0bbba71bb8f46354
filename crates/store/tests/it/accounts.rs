use meridian_store::testing::stores;
use meridian_store::{Role, StoreError};

#[tokio::test]
async fn users_sessions_and_tokens() {
    let (stores, _dir) = stores().await;
    for s in stores {
        assert_eq!(s.count_users().await.unwrap(), 0);
        let u = s
            .create_user("Alice", "Alice A", "$argon2id$fake", Role::Admin, "Physics")
            .await
            .unwrap();
        assert_eq!(u.username, "alice");
        assert!(matches!(
            s.create_user("alice", "x", "h", Role::Researcher, "").await,
            Err(StoreError::Conflict(_))
        ));

        s.create_session("digest1", &u.id, "csrf1", "2999-01-01T00:00:00.000000Z")
            .await
            .unwrap();
        s.create_session("digest-old", &u.id, "csrf2", "2000-01-01T00:00:00.000000Z")
            .await
            .unwrap();
        let live = s.session("digest1").await.unwrap().expect("live session");
        assert_eq!(live.user.id, u.id);
        assert_eq!(live.csrf_token, "csrf1");
        assert!(
            s.session("digest-old").await.unwrap().is_none(),
            "expired sessions are not found"
        );
        assert_eq!(s.purge_expired_sessions().await.unwrap(), 1);
        s.delete_session("digest1").await.unwrap();
        assert!(s.session("digest1").await.unwrap().is_none());

        let t = s
            .create_api_token(&u.id, "ci", "tokendigest")
            .await
            .unwrap();
        assert_eq!(
            s.user_for_api_token("tokendigest")
                .await
                .unwrap()
                .unwrap()
                .id,
            u.id
        );
        assert!(
            s.list_api_tokens(&u.id).await.unwrap()[0]
                .last_used_at
                .is_some()
        );
        s.revoke_api_token(&u.id, &t.id).await.unwrap();
        assert!(s.user_for_api_token("tokendigest").await.unwrap().is_none());
        assert!(matches!(
            s.revoke_api_token(&u.id, &t.id).await,
            Err(StoreError::NotFound)
        ));
    }
}

#[tokio::test]
async fn repeated_login_failures_lock_the_account() {
    let (stores, _dir) = stores().await;
    for s in stores {
        let u = s
            .create_user("bob", "Bob", "h", Role::Researcher, "")
            .await
            .unwrap();
        for n in 1..=4 {
            let f = s
                .record_login_failure(&u.id, 5, "2999-01-01T00:00:00.000000Z")
                .await
                .unwrap();
            assert_eq!(f.failed_logins, n);
            assert!(f.locked_until.is_none());
        }
        let f = s
            .record_login_failure(&u.id, 5, "2999-01-01T00:00:00.000000Z")
            .await
            .unwrap();
        assert_eq!(
            f.locked_until.as_deref(),
            Some("2999-01-01T00:00:00.000000Z")
        );
        s.record_login_success(&u.id).await.unwrap();
        assert!(s.user(&u.id).await.unwrap().unwrap().locked_until.is_none());
    }
}
