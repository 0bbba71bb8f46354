//! `/api/v1/audit`: the global audit trail for auditors, compliance and the
//! research office, filterable, plus the chain's verification.

use crate::access;
use crate::auth::CurrentUser;
use crate::{AppError, AppState};
use axum::Json;
use axum::extract::{Query, State};
use meridian_store::{AuditFilter, ChainedRecord};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_audit))
        .routes(routes!(verify_audit))
}

/// One audit record as the API shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditRecordView {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub before_digest: String,
    pub after_digest: String,
    pub reason: String,
    pub prev_hash: String,
    pub hash: String,
}

impl From<ChainedRecord> for AuditRecordView {
    fn from(r: ChainedRecord) -> Self {
        AuditRecordView {
            seq: r.seq,
            at: r.entry.at,
            actor: r.entry.actor,
            action: r.entry.action,
            object_type: r.entry.object_type,
            object_id: r.entry.object_id,
            before_digest: r.entry.before_digest,
            after_digest: r.entry.after_digest,
            reason: r.entry.reason,
            prev_hash: r.prev_hash,
            hash: r.hash,
        }
    }
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct AuditQuery {
    pub actor: Option<String>,
    /// e.g. `engagement`, `party`, `user`, `api_token`.
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    /// e.g. `login`, `engagement.approve`.
    pub action: Option<String>,
    /// At most 2000; default 200.
    pub limit: Option<u32>,
}

impl AuditQuery {
    pub fn to_filter(&self) -> AuditFilter {
        AuditFilter {
            object_type: self.object_type.clone(),
            object_id: self.object_id.clone(),
            actor: self.actor.clone(),
            action_prefix: self.action.clone(),
            limit: self.limit.unwrap_or(200),
        }
    }
}

#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, body = Vec<AuditRecordView>), (status = 403)))]
async fn list_audit(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<AuditQuery>,
) -> Result<Json<Vec<AuditRecordView>>, AppError> {
    access::require_audit_reader(&user)?;
    Ok(Json(
        state
            .store
            .audit_records(&q.to_filter())
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VerifyReport {
    pub intact: bool,
    pub records_checked: u64,
    /// Where the chain breaks, when it does.
    pub broken_at_position: Option<u64>,
    pub broken_at_seq: Option<i64>,
    pub reason: Option<String>,
}

/// Walk the whole chain and report the first broken link.
#[utoipa::path(get, path = "/api/v1/audit/verify", tag = "audit", responses((status = 200, body = VerifyReport), (status = 403)))]
async fn verify_audit(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<VerifyReport>, AppError> {
    access::require_audit_reader(&user)?;
    Ok(Json(match state.store.verify_audit().await? {
        Ok(n) => VerifyReport {
            intact: true,
            records_checked: n,
            broken_at_position: None,
            broken_at_seq: None,
            reason: None,
        },
        Err(b) => VerifyReport {
            intact: false,
            records_checked: b.position,
            broken_at_position: Some(b.position),
            broken_at_seq: Some(b.seq),
            reason: Some(b.reason),
        },
    }))
}
