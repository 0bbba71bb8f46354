use crate::engagement;
use meridian_domain::{EngagementStatus, ReviewRoute, Role, WorkflowAction};
use meridian_store::testing::stores;
use meridian_store::{AuditFilter, NewCondition, StoreError, WorkflowOutcome, WorkflowRequest};
use serde_json::json;

fn req(action: WorkflowAction, who: &str, role: Role, dept: &str) -> WorkflowRequest {
    WorkflowRequest::new(action, who, role, dept)
}

async fn new_engagement(s: &meridian_store::Store, owner: &str) -> String {
    let e = engagement(
        json!({"title": "Sensor network", "kind": "research_collaboration", "owner": owner,
        "department": "Physics", "countries": ["NO"], "partners": [{"name": "Fjord Institute", "country": "NO"}]}),
    );
    s.create_engagement(e, owner).await.unwrap().id
}

#[tokio::test]
async fn department_review_with_conditions_four_eyes_and_activation() {
    let (stores, _dir) = stores().await;
    for s in stores {
        let id = new_engagement(&s, "rita").await;
        // Only the owner submits.
        let other = s
            .apply_workflow(
                &id,
                &req(WorkflowAction::Submit, "paul", Role::Researcher, "Physics"),
            )
            .await;
        assert!(matches!(other, Err(StoreError::Forbidden(_))), "{other:?}");
        s.apply_workflow(
            &id,
            &req(WorkflowAction::Submit, "rita", Role::Researcher, "Physics"),
        )
        .await
        .unwrap();
        // The owner cannot approve even with an approver's role (four eyes).
        s.apply_workflow(
            &id,
            &req(
                WorkflowAction::StartReview,
                "dana",
                Role::DepartmentApprover,
                "Physics",
            ),
        )
        .await
        .unwrap();
        let own = s
            .apply_workflow(
                &id,
                &req(
                    WorkflowAction::Approve,
                    "rita",
                    Role::DepartmentApprover,
                    "Physics",
                ),
            )
            .await;
        assert!(
            matches!(own, Err(StoreError::Forbidden(ref m)) if m.contains("four eyes")),
            "{own:?}"
        );
        // Approving with conditions needs a condition.
        let bare = s
            .apply_workflow(
                &id,
                &req(
                    WorkflowAction::ApproveWithConditions,
                    "dana",
                    Role::DepartmentApprover,
                    "Physics",
                ),
            )
            .await;
        assert!(matches!(bare, Err(StoreError::Invalid(_))));
        let mut approve = req(
            WorkflowAction::ApproveWithConditions,
            "dana",
            Role::DepartmentApprover,
            "Physics",
        );
        approve.conditions = vec![NewCondition {
            text: "Technology control plan".into(),
            owner: "rita".into(),
            due_on: Some("2020-01-01".into()),
        }];
        approve.snapshot = json!({"assessment": {"outcome": "mitigation_plan_required"}});
        let out = s.apply_workflow(&id, &approve).await.unwrap();
        assert_eq!(
            out,
            WorkflowOutcome::Moved {
                from: EngagementStatus::InReview,
                to: EngagementStatus::ApprovedWithConditions
            }
        );

        let conds = s.open_conditions(Some("rita")).await.unwrap();
        assert_eq!(conds.len(), 1);
        assert_eq!(conds[0].engagement_title, "Sensor network");
        s.set_condition_status(&conds[0].id, "done", "rita", "")
            .await
            .unwrap();
        assert!(s.open_conditions(Some("rita")).await.unwrap().is_empty());

        s.apply_workflow(
            &id,
            &req(
                WorkflowAction::Activate,
                "rita",
                Role::Researcher,
                "Physics",
            ),
        )
        .await
        .unwrap();
        let st = s.workflow_state(&id).await.unwrap().unwrap();
        assert_eq!(st.status, EngagementStatus::Active);
        assert!(st.next_review_on.is_some());
        let decisions = s.decisions(&id).await.unwrap();
        let snap = &decisions
            .iter()
            .find(|d| d.action == WorkflowAction::ApproveWithConditions)
            .unwrap()
            .snapshot;
        assert_eq!(
            snap["assessment"]["outcome"], "mitigation_plan_required",
            "the snapshot is kept with the decision"
        );

        // Pause needs a rationale; withdrawal from pause too.
        let no_reason = s
            .apply_workflow(
                &id,
                &req(WorkflowAction::Pause, "olga", Role::ResearchOffice, ""),
            )
            .await;
        assert!(matches!(no_reason, Err(StoreError::Invalid(_))));
        let mut pause = req(WorkflowAction::Pause, "olga", Role::ResearchOffice, "");
        pause.rationale = "Partner added to a restricted list".into();
        s.apply_workflow(&id, &pause).await.unwrap();
        let mut withdraw = req(WorkflowAction::Withdraw, "olga", Role::ResearchOffice, "");
        withdraw.rationale = "Cannot be mitigated".into();
        s.apply_workflow(&id, &withdraw).await.unwrap();
        assert_eq!(
            s.workflow_state(&id).await.unwrap().unwrap().status,
            EngagementStatus::Withdrawn
        );
        let illegal = s
            .apply_workflow(
                &id,
                &req(
                    WorkflowAction::Activate,
                    "rita",
                    Role::Researcher,
                    "Physics",
                ),
            )
            .await;
        assert!(matches!(illegal, Err(StoreError::Conflict(_))));
        assert!(s.verify_audit().await.unwrap().is_ok());
    }
}

#[tokio::test]
async fn committee_needs_two_members_and_appeals_go_up() {
    let (stores, _dir) = stores().await;
    for s in stores {
        let id = new_engagement(&s, "rita").await;
        let mut submit = req(WorkflowAction::Submit, "rita", Role::Researcher, "Physics");
        submit.route = Some(ReviewRoute::Committee);
        s.apply_workflow(&id, &submit).await.unwrap();
        assert!(
            s.apply_workflow(
                &id,
                &req(
                    WorkflowAction::StartReview,
                    "olga",
                    Role::ResearchOffice,
                    ""
                )
            )
            .await
            .is_err()
        );
        s.apply_workflow(
            &id,
            &req(
                WorkflowAction::StartReview,
                "cm1",
                Role::CommitteeMember,
                "",
            ),
        )
        .await
        .unwrap();
        let first = s
            .apply_workflow(
                &id,
                &req(WorkflowAction::Approve, "cm1", Role::CommitteeMember, ""),
            )
            .await
            .unwrap();
        assert_eq!(
            first,
            WorkflowOutcome::VoteRecorded {
                approvals: 1,
                needed: 2
            }
        );
        let again = s
            .apply_workflow(
                &id,
                &req(WorkflowAction::Approve, "cm1", Role::CommitteeMember, ""),
            )
            .await;
        assert!(
            matches!(again, Err(StoreError::Conflict(_))),
            "one member, one vote"
        );
        let second = s
            .apply_workflow(
                &id,
                &req(WorkflowAction::Approve, "cm2", Role::CommitteeMember, ""),
            )
            .await
            .unwrap();
        assert_eq!(
            second,
            WorkflowOutcome::Moved {
                from: EngagementStatus::InReview,
                to: EngagementStatus::Approved
            }
        );

        // A declined department case is appealed to the research office.
        let id2 = new_engagement(&s, "rita").await;
        s.apply_workflow(
            &id2,
            &req(WorkflowAction::Submit, "rita", Role::Researcher, "Physics"),
        )
        .await
        .unwrap();
        s.apply_workflow(
            &id2,
            &req(
                WorkflowAction::StartReview,
                "dana",
                Role::DepartmentApprover,
                "Physics",
            ),
        )
        .await
        .unwrap();
        let mut decline = req(
            WorkflowAction::Decline,
            "dana",
            Role::DepartmentApprover,
            "Physics",
        );
        decline.rationale = "Unclear data flows".into();
        s.apply_workflow(&id2, &decline).await.unwrap();
        let mut appeal = req(WorkflowAction::Appeal, "rita", Role::Researcher, "Physics");
        appeal.rationale = "Data-sharing agreement now attached".into();
        s.apply_workflow(&id2, &appeal).await.unwrap();
        let st = s.workflow_state(&id2).await.unwrap().unwrap();
        assert_eq!(
            (st.status, st.route),
            (EngagementStatus::InReview, ReviewRoute::ResearchOffice)
        );
        assert!(
            s.apply_workflow(
                &id2,
                &req(
                    WorkflowAction::Approve,
                    "dana",
                    Role::DepartmentApprover,
                    "Physics"
                )
            )
            .await
            .is_err()
        );
        s.apply_workflow(
            &id2,
            &req(WorkflowAction::Approve, "olga", Role::ResearchOffice, ""),
        )
        .await
        .unwrap();
    }
}

#[tokio::test]
async fn material_changes_and_due_dates_send_engagements_back_to_review() {
    let (stores, _dir) = stores().await;
    for s in stores {
        let id = new_engagement(&s, "rita").await;
        for (a, who, role) in [
            (WorkflowAction::Submit, "rita", Role::Researcher),
            (WorkflowAction::StartReview, "olga", Role::ResearchOffice),
            (WorkflowAction::Approve, "olga", Role::ResearchOffice),
            (WorkflowAction::Activate, "rita", Role::Researcher),
        ] {
            s.apply_workflow(&id, &req(a, who, role, "Physics"))
                .await
                .unwrap();
        }
        let mut e = s.engagement(&id).await.unwrap().unwrap().engagement;
        e.description = "wording only".into();
        s.update_engagement(&id, e.clone(), None, "rita")
            .await
            .unwrap();
        assert_eq!(
            s.workflow_state(&id).await.unwrap().unwrap().status,
            EngagementStatus::Active,
            "wording is not material"
        );
        e.data.export_controlled = true;
        s.update_engagement(&id, e, None, "rita").await.unwrap();
        assert_eq!(
            s.workflow_state(&id).await.unwrap().unwrap().status,
            EngagementStatus::ReviewRequired
        );
        let last = s.decisions(&id).await.unwrap().pop().unwrap();
        assert!(
            last.rationale.contains("material change by rita: data"),
            "{}",
            last.rationale
        );

        // Periodic review.
        let id2 = new_engagement(&s, "rita").await;
        for (a, who, role) in [
            (WorkflowAction::Submit, "rita", Role::Researcher),
            (WorkflowAction::StartReview, "olga", Role::ResearchOffice),
            (WorkflowAction::Approve, "olga", Role::ResearchOffice),
        ] {
            s.apply_workflow(&id2, &req(a, who, role, ""))
                .await
                .unwrap();
        }
        let mut activate = req(WorkflowAction::Activate, "rita", Role::Researcher, "");
        activate.review_interval_days = 30;
        s.apply_workflow(&id2, &activate).await.unwrap();
        assert_eq!(s.mark_reviews_due("2000-01-01").await.unwrap(), 0);
        assert_eq!(s.mark_reviews_due("2999-01-01").await.unwrap(), 1);
        assert_eq!(
            s.workflow_state(&id2).await.unwrap().unwrap().status,
            EngagementStatus::ReviewDue
        );
    }
}

#[tokio::test]
async fn the_audit_chain_verifies_and_catches_a_direct_edit() {
    let (stores, _dir) = stores().await;
    for s in stores {
        let id = new_engagement(&s, "rita").await;
        s.apply_workflow(
            &id,
            &req(WorkflowAction::Submit, "rita", Role::Researcher, "Physics"),
        )
        .await
        .unwrap();
        let n = s.verify_audit().await.unwrap().expect("intact chain");
        assert!(n >= 3, "engagement, party and submission are recorded: {n}");
        let recs = s
            .audit_records(&AuditFilter {
                object_id: Some(id.clone()),
                ..Default::default()
            })
            .await
            .unwrap();
        let actions: Vec<&str> = recs.iter().map(|r| r.entry.action.as_str()).collect();
        assert_eq!(actions, ["engagement.submit", "engagement.created"]);
        // Someone with database access rewrites history.
        s.tamper_for_tests("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2")
            .await
            .unwrap();
        let broken = s.verify_audit().await.unwrap().unwrap_err();
        assert_eq!(broken.position, 2, "{broken}");
    }
}
