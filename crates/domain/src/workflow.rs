//! The review workflow as a pure state machine: which action moves an
//! engagement from which state to which. Who may take an action (roles, four
//! eyes, committee quorum) is decided by the caller; this module only knows
//! the legal moves, and is tested exhaustively over every state × action.

use crate::EngagementStatus::{self, *};
use serde::{Deserialize, Serialize};

macro_rules! actions {
    ($($variant:ident => $text:literal : $label:literal),+ $(,)?) => {
        /// Something a person (or the scheduler) does to an engagement.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum WorkflowAction { $($variant),+ }

        impl WorkflowAction {
            pub const ALL: &'static [WorkflowAction] = &[$(WorkflowAction::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $(WorkflowAction::$variant => $text),+ }
            }
            pub fn label(self) -> &'static str {
                match self { $(WorkflowAction::$variant => $label),+ }
            }
            pub fn parse(s: &str) -> Result<Self, String> {
                match s.trim() {
                    $($text => Ok(WorkflowAction::$variant),)+
                    other => Err(format!("'{other}' is not a workflow action; expected one of: {}", [$($text),+].join(", "))),
                }
            }
        }
    };
}

actions! {
    Submit => "submit": "Submit for review",
    StartReview => "start_review": "Start review",
    Approve => "approve": "Approve",
    ApproveWithConditions => "approve_with_conditions": "Approve with conditions",
    Decline => "decline": "Decline",
    Activate => "activate": "Mark active",
    MarkReviewDue => "mark_review_due": "Periodic review due",
    RequireReview => "require_review": "Require review",
    Pause => "pause": "Pause",
    Resume => "resume": "Resume",
    Withdraw => "withdraw": "Withdraw",
    Close => "close": "Close",
    Appeal => "appeal": "Appeal the decision",
}

impl WorkflowAction {
    /// Declining, pausing, withdrawing and appealing must say why.
    pub fn needs_rationale(self) -> bool {
        matches!(
            self,
            WorkflowAction::Decline
                | WorkflowAction::Pause
                | WorkflowAction::Withdraw
                | WorkflowAction::Appeal
                | WorkflowAction::RequireReview
        )
    }

    /// A reviewer's decision (subject to four eyes and the route).
    pub fn is_decision(self) -> bool {
        matches!(
            self,
            WorkflowAction::Approve
                | WorkflowAction::ApproveWithConditions
                | WorkflowAction::Decline
        )
    }
}

/// States in which an engagement is still in play (a new screening alert or
/// a material change sends it back to review).
pub fn is_open(s: EngagementStatus) -> bool {
    matches!(
        s,
        Submitted | InReview | Approved | ApprovedWithConditions | Active | ReviewDue | Paused
    )
}

/// The state `action` leads to from `from`, or why it cannot be taken.
pub fn transition(
    from: EngagementStatus,
    action: WorkflowAction,
) -> Result<EngagementStatus, String> {
    use WorkflowAction as A;
    let to = match (from, action) {
        (Draft, A::Submit) => Some(Submitted),
        (Submitted | ReviewDue | ReviewRequired, A::StartReview) => Some(InReview),
        (InReview, A::Approve) => Some(Approved),
        (InReview, A::ApproveWithConditions) => Some(ApprovedWithConditions),
        (InReview, A::Decline) => Some(Declined),
        (Approved | ApprovedWithConditions, A::Activate) => Some(Active),
        (Active, A::MarkReviewDue) => Some(ReviewDue),
        (s, A::RequireReview) if is_open(s) => Some(ReviewRequired),
        (Active, A::Pause) => Some(Paused),
        (Paused, A::Resume) => Some(Active),
        (Active | Paused, A::Withdraw) => Some(Withdrawn),
        (Declined, A::Appeal) => Some(InReview),
        (s, A::Close) if s != Closed => Some(Closed),
        _ => None,
    };
    to.ok_or_else(|| {
        format!(
            "an engagement that is {} cannot be taken to '{}'",
            from.label().to_lowercase(),
            action.label().to_lowercase()
        )
    })
}

/// The actions that are legal from `from` (for the buttons on a page).
pub fn available(from: EngagementStatus) -> Vec<WorkflowAction> {
    WorkflowAction::ALL
        .iter()
        .copied()
        .filter(|a| transition(from, *a).is_ok())
        .collect()
}

/// Who reviews: the approval route, lowest to highest.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ReviewRoute {
    None,
    Department,
    ResearchOffice,
    Committee,
}

impl ReviewRoute {
    pub const ALL: &'static [ReviewRoute] = &[
        ReviewRoute::None,
        ReviewRoute::Department,
        ReviewRoute::ResearchOffice,
        ReviewRoute::Committee,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewRoute::None => "none",
            ReviewRoute::Department => "department",
            ReviewRoute::ResearchOffice => "research_office",
            ReviewRoute::Committee => "committee",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            ReviewRoute::None => "No review",
            ReviewRoute::Department => "Department approver",
            ReviewRoute::ResearchOffice => "Research office",
            ReviewRoute::Committee => "Risk committee",
        }
    }
    pub fn parse(s: &str) -> Result<Self, String> {
        ReviewRoute::ALL
            .iter()
            .copied()
            .find(|r| r.as_str() == s.trim())
            .ok_or_else(|| format!("'{s}' is not a review route; expected none, department, research_office or committee"))
    }
    /// An appeal goes one level up.
    pub fn escalate(self) -> ReviewRoute {
        match self {
            ReviewRoute::None | ReviewRoute::Department => ReviewRoute::ResearchOffice,
            ReviewRoute::ResearchOffice | ReviewRoute::Committee => ReviewRoute::Committee,
        }
    }
    /// Approvals needed to decide (the committee decides with two).
    pub fn approvals_needed(self) -> usize {
        if self == ReviewRoute::Committee { 2 } else { 1 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole table, written out: every state × action pair not listed is refused.
    #[test]
    fn every_state_action_pair_matches_the_specification() {
        use WorkflowAction as A;
        let allowed: &[(EngagementStatus, A, EngagementStatus)] = &[
            (Draft, A::Submit, Submitted),
            (Submitted, A::StartReview, InReview),
            (ReviewDue, A::StartReview, InReview),
            (ReviewRequired, A::StartReview, InReview),
            (InReview, A::Approve, Approved),
            (InReview, A::ApproveWithConditions, ApprovedWithConditions),
            (InReview, A::Decline, Declined),
            (Approved, A::Activate, Active),
            (ApprovedWithConditions, A::Activate, Active),
            (Active, A::MarkReviewDue, ReviewDue),
            (Submitted, A::RequireReview, ReviewRequired),
            (InReview, A::RequireReview, ReviewRequired),
            (Approved, A::RequireReview, ReviewRequired),
            (ApprovedWithConditions, A::RequireReview, ReviewRequired),
            (Active, A::RequireReview, ReviewRequired),
            (ReviewDue, A::RequireReview, ReviewRequired),
            (Paused, A::RequireReview, ReviewRequired),
            (Active, A::Pause, Paused),
            (Paused, A::Resume, Active),
            (Active, A::Withdraw, Withdrawn),
            (Paused, A::Withdraw, Withdrawn),
            (Declined, A::Appeal, InReview),
        ];
        for s in EngagementStatus::ALL {
            for a in WorkflowAction::ALL {
                let expected = if *a == A::Close {
                    (*s != Closed).then_some(Closed)
                } else {
                    allowed
                        .iter()
                        .find(|(f, x, _)| f == s && x == a)
                        .map(|(_, _, t)| *t)
                };
                assert_eq!(transition(*s, *a).ok(), expected, "{s:?} × {a:?}");
            }
        }
    }

    #[test]
    fn refusals_say_what_was_attempted() {
        let err = transition(Draft, WorkflowAction::Approve).unwrap_err();
        assert_eq!(
            err,
            "an engagement that is draft cannot be taken to 'approve'"
        );
        assert_eq!(
            available(Declined),
            [WorkflowAction::Close, WorkflowAction::Appeal]
        );
    }

    #[test]
    fn appeals_go_one_level_up_and_committees_need_two() {
        assert_eq!(
            ReviewRoute::Department.escalate(),
            ReviewRoute::ResearchOffice
        );
        assert_eq!(
            ReviewRoute::ResearchOffice.escalate(),
            ReviewRoute::Committee
        );
        assert_eq!(ReviewRoute::Committee.approvals_needed(), 2);
        assert_eq!(ReviewRoute::Department.approvals_needed(), 1);
    }
}
