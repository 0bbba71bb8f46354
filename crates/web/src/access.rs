//! The web layer's use of the domain's access rules: who the signed-in user
//! is as an `Actor`, which engagements they may see (others are 404, never
//! 403, so ids cannot be probed), and the role checks for writes.

use crate::auth::CurrentUser;
use crate::{AppError, AppState};
use meridian_domain::Role;
use meridian_domain::access::{self, Actor};
use meridian_store::{StoredEngagement, Visibility, WorkflowState};

pub fn actor(u: &CurrentUser) -> Actor<'_> {
    Actor::new(&u.user.username, u.user.role, &u.user.department)
}

/// The list filter for this user (None: sees everything).
pub fn visibility(u: &CurrentUser) -> Option<Visibility> {
    if access::sees_everything(u.user.role) {
        return None;
    }
    Some(Visibility {
        username: u.user.username.clone(),
        departments: u
            .user
            .department
            .split(',')
            .map(|d| d.trim().to_owned())
            .filter(|d| !d.is_empty())
            .collect(),
    })
}

/// The engagement, if it exists and this user may see it; otherwise 404.
pub async fn visible_engagement(
    state: &AppState,
    u: &CurrentUser,
    id: &str,
) -> Result<(StoredEngagement, WorkflowState), AppError> {
    let (Some(e), Some(st)) = (
        state.store.engagement(id).await?,
        state.store.workflow_state(id).await?,
    ) else {
        return Err(AppError::NotFound);
    };
    if !access::can_view(&actor(u), &st.subject()) {
        return Err(AppError::NotFound);
    }
    Ok((e, st))
}

pub fn require_edit(u: &CurrentUser, st: &WorkflowState) -> Result<(), AppError> {
    if access::can_edit(&actor(u), &st.subject()) {
        Ok(())
    } else {
        Err(AppError::Forbidden(format!(
            "{} may not edit this engagement",
            u.user.role.label()
        )))
    }
}

/// Registering engagements and maintaining parties: every role but auditor.
pub fn require_register(u: &CurrentUser) -> Result<(), AppError> {
    if access::can_register(u.user.role) {
        Ok(())
    } else {
        Err(AppError::Forbidden("auditors have read-only access".into()))
    }
}

/// Who reads the global audit trail.
pub fn can_read_audit(role: Role) -> bool {
    matches!(
        role,
        Role::Auditor | Role::Admin | Role::ComplianceOfficer | Role::ResearchOffice
    )
}

pub fn require_audit_reader(u: &CurrentUser) -> Result<(), AppError> {
    if can_read_audit(u.user.role) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "the audit trail is for auditors, compliance and the research office".into(),
        ))
    }
}

/// Changing parties' due diligence, merging records: the research office,
/// compliance and admins.
pub fn require_due_diligence(u: &CurrentUser) -> Result<(), AppError> {
    if matches!(
        u.user.role,
        Role::ResearchOffice | Role::ComplianceOfficer | Role::Admin
    ) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "due-diligence decisions and merges are for the research office and compliance".into(),
        ))
    }
}

/// What was known when a decision was made: the engagement as it stood.
/// (Assessment and screening results join this as those engines land.)
pub fn snapshot(e: &StoredEngagement) -> serde_json::Value {
    serde_json::json!({
        "engagement": e.engagement,
        "version": e.version,
        "status": e.status,
        "taken_at": meridian_store::now_text(),
    })
}

/// The engagement's own people (owner, creator).
pub fn involved(u: &CurrentUser, e: &StoredEngagement) -> bool {
    e.engagement.owner == u.user.username || e.created_by == u.user.username
}

/// Managing restricted-party lists: admins and compliance officers.
pub fn require_list_manager(u: &CurrentUser) -> Result<(), AppError> {
    if matches!(u.user.role, Role::Admin | Role::ComplianceOfficer) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "list management is for administrators and compliance officers".into(),
        ))
    }
}

/// Dismissing screening alerts: the research office, compliance, admins.
pub fn require_alert_handler(u: &CurrentUser) -> Result<(), AppError> {
    if matches!(
        u.user.role,
        Role::ResearchOffice | Role::ComplianceOfficer | Role::Admin
    ) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "alerts are dismissed by the research office or compliance".into(),
        ))
    }
}
