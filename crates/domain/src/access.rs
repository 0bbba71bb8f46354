//! Who may see, edit and move an engagement: the role rules in one place,
//! pure, so the web layer asks and the tests can walk every combination.
//! Four eyes: nobody decides on an engagement they own, created or submitted.

use crate::{EngagementStatus, ReviewRoute, Role, WorkflowAction};

/// The person asking.
#[derive(Debug, Clone)]
pub struct Actor<'a> {
    pub username: &'a str,
    pub role: Role,
    /// Departments the person belongs to (an approver may cover several).
    pub departments: Vec<&'a str>,
}

impl<'a> Actor<'a> {
    /// `department` may list several, comma-separated.
    pub fn new(username: &'a str, role: Role, department: &'a str) -> Self {
        let departments = department
            .split(',')
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .collect();
        Actor {
            username,
            role,
            departments,
        }
    }
    fn in_department(&self, dept: &str) -> bool {
        !dept.is_empty()
            && self
                .departments
                .iter()
                .any(|d| d.eq_ignore_ascii_case(dept))
    }
}

/// The facts about an engagement that access depends on.
#[derive(Debug, Clone)]
pub struct Subject<'a> {
    pub owner: &'a str,
    pub created_by: &'a str,
    pub submitted_by: Option<&'a str>,
    pub department: &'a str,
    pub status: EngagementStatus,
    pub route: ReviewRoute,
}

impl Subject<'_> {
    fn involves(&self, who: &str) -> bool {
        self.owner == who || self.created_by == who || self.submitted_by == Some(who)
    }
}

/// Researchers see their own and their department's engagements; approvers
/// their departments'; everyone else with a role sees all.
pub fn can_view(a: &Actor, s: &Subject) -> bool {
    match a.role {
        Role::Researcher | Role::DepartmentApprover => {
            s.involves(a.username) || a.in_department(s.department)
        }
        Role::ResearchOffice
        | Role::CommitteeMember
        | Role::ComplianceOfficer
        | Role::Admin
        | Role::Auditor => true,
    }
}

/// Whether the lists show only what `can_view` allows (the store filters).
pub fn sees_everything(role: Role) -> bool {
    !matches!(role, Role::Researcher | Role::DepartmentApprover)
}

/// Editing the record itself: its people, the research office, admins.
/// Closed or withdrawn engagements are history and stay as they are.
pub fn can_edit(a: &Actor, s: &Subject) -> bool {
    if matches!(
        s.status,
        EngagementStatus::Closed | EngagementStatus::Withdrawn
    ) {
        return false;
    }
    match a.role {
        Role::Researcher | Role::DepartmentApprover => s.involves(a.username),
        Role::ResearchOffice | Role::Admin => true,
        Role::CommitteeMember | Role::ComplianceOfficer | Role::Auditor => false,
    }
}

/// May create engagements and parties at all (auditors only read).
pub fn can_register(role: Role) -> bool {
    role != Role::Auditor
}

/// Reviewing for a route: the department's approver (or anyone higher),
/// the research office, or the committee's members.
fn reviews(a: &Actor, s: &Subject) -> bool {
    match s.route {
        ReviewRoute::None | ReviewRoute::Department => {
            (a.role == Role::DepartmentApprover && a.in_department(s.department))
                || matches!(a.role, Role::ResearchOffice | Role::Admin)
        }
        ReviewRoute::ResearchOffice => matches!(a.role, Role::ResearchOffice | Role::Admin),
        ReviewRoute::Committee => a.role == Role::CommitteeMember,
    }
}

/// May `a` take `action` on `s` (leaving aside whether the state allows it)?
/// `Err` says why not, in a sentence.
pub fn may_take(a: &Actor, action: WorkflowAction, s: &Subject) -> Result<(), String> {
    use WorkflowAction as W;
    if !can_view(a, s) || a.role == Role::Auditor {
        return Err("your role does not allow changes to this engagement".into());
    }
    let own = s.involves(a.username);
    let oversight = matches!(
        a.role,
        Role::ResearchOffice | Role::CommitteeMember | Role::ComplianceOfficer | Role::Admin
    );
    let ok = match action {
        W::Submit | W::Appeal => own,
        W::Activate | W::Close => own || matches!(a.role, Role::ResearchOffice | Role::Admin),
        W::StartReview => reviews(a, s),
        W::Approve | W::ApproveWithConditions | W::Decline => {
            if own {
                return Err(
                    "four eyes: you cannot decide on an engagement you own, created or submitted"
                        .into(),
                );
            }
            reviews(a, s)
        }
        W::Pause | W::Resume | W::Withdraw | W::RequireReview => oversight,
        W::MarkReviewDue => false,
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{} may not {} this engagement",
            a.role.label(),
            action.label().to_lowercase()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subject(route: ReviewRoute) -> Subject<'static> {
        Subject {
            owner: "rita",
            created_by: "rita",
            submitted_by: Some("rita"),
            department: "Physics",
            status: EngagementStatus::InReview,
            route,
        }
    }

    #[test]
    fn researchers_see_their_own_and_their_departments_only() {
        let s = subject(ReviewRoute::Department);
        assert!(can_view(
            &Actor::new("rita", Role::Researcher, "Chemistry"),
            &s
        ));
        assert!(can_view(
            &Actor::new("paul", Role::Researcher, "Physics"),
            &s
        ));
        assert!(!can_view(
            &Actor::new("carl", Role::Researcher, "Chemistry"),
            &s
        ));
        assert!(can_view(&Actor::new("audrey", Role::Auditor, ""), &s));
        assert!(!can_edit(&Actor::new("audrey", Role::Auditor, ""), &s));
    }

    #[test]
    fn four_eyes_and_routes_decide_who_decides() {
        let s = subject(ReviewRoute::Department);
        let approver = Actor::new("dana", Role::DepartmentApprover, "Physics, Maths");
        assert!(may_take(&approver, WorkflowAction::Approve, &s).is_ok());
        let other_dept = Actor::new("dave", Role::DepartmentApprover, "Chemistry");
        assert!(may_take(&other_dept, WorkflowAction::Approve, &s).is_err());
        let owner_approver = Actor::new("rita", Role::DepartmentApprover, "Physics");
        let err = may_take(&owner_approver, WorkflowAction::Approve, &s).unwrap_err();
        assert!(err.contains("four eyes"), "{err}");
        let committee = subject(ReviewRoute::Committee);
        assert!(
            may_take(
                &Actor::new("cm", Role::CommitteeMember, ""),
                WorkflowAction::Approve,
                &committee
            )
            .is_ok()
        );
        assert!(
            may_take(
                &Actor::new("ro", Role::ResearchOffice, ""),
                WorkflowAction::Approve,
                &committee
            )
            .is_err()
        );
        assert!(
            may_take(
                &Actor::new("rita", Role::Researcher, ""),
                WorkflowAction::Submit,
                &s
            )
            .is_ok()
        );
        assert!(
            may_take(
                &Actor::new("paul", Role::Researcher, "Physics"),
                WorkflowAction::Submit,
                &s
            )
            .is_err()
        );
        assert!(
            may_take(
                &Actor::new("co", Role::ComplianceOfficer, ""),
                WorkflowAction::Pause,
                &s
            )
            .is_ok()
        );
        assert!(
            may_take(
                &Actor::new("au", Role::Auditor, ""),
                WorkflowAction::Close,
                &s
            )
            .is_err()
        );
    }
}
