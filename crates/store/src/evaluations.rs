//! Screening results and risk assessments as recorded for an engagement:
//! opaque JSON documents (their shapes belong to the screening and risk
//! crates) plus the columns needed to find the latest and list the history.

use crate::audit::{AuditEvent, append};
use crate::{Result, Store, corrupt, new_id, now_text};
use serde::Serialize;
use sqlx::Row;

/// One recorded screening of an engagement's parties.
#[derive(Debug, Clone, Serialize)]
pub struct ScreeningRecord {
    pub at: String,
    pub engagement_version: i64,
    /// False when screening could not run (no lists loaded).
    pub ok: bool,
    pub hits: i64,
    pub result: serde_json::Value,
}

/// One recorded assessment.
#[derive(Debug, Clone, Serialize)]
pub struct AssessmentRecord {
    pub at: String,
    pub engagement_version: i64,
    pub policy_name: String,
    pub policy_version: String,
    pub policy_sha256: String,
    pub outcome: String,
    pub route: String,
    pub assessment: serde_json::Value,
}

/// What to record after evaluating an engagement.
#[derive(Debug, Clone)]
pub struct Evaluation {
    pub engagement_version: i64,
    pub screening_ok: bool,
    pub hits: i64,
    pub screening: serde_json::Value,
    pub policy: (String, String, String),
    pub outcome: String,
    pub route: String,
    pub assessment: serde_json::Value,
}

impl Store {
    /// Record a screening and an assessment together; audited when the
    /// outcome or the number of hits differs from the previous evaluation.
    pub async fn record_evaluation(
        &self,
        engagement_id: &str,
        ev: &Evaluation,
        actor: &str,
    ) -> Result<()> {
        let previous = self
            .latest_assessment(engagement_id)
            .await?
            .map(|p| p.outcome);
        let previous_hits = self.latest_screening(engagement_id).await?.map(|s| s.hits);
        let changed =
            previous.as_deref() != Some(ev.outcome.as_str()) || previous_hits != Some(ev.hits);
        let before =
            changed.then(|| serde_json::json!({"outcome": previous, "hits": previous_hits}));
        self.record_evaluations(&[(engagement_id.to_owned(), ev.clone(), before)], actor)
            .await
    }

    pub async fn latest_screening(&self, engagement_id: &str) -> Result<Option<ScreeningRecord>> {
        let row = sqlx::query(
            "SELECT at, engagement_version, ok, hits, result FROM engagement_screenings WHERE engagement_id = $1 ORDER BY at DESC, id DESC LIMIT 1",
        )
        .bind(engagement_id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else { return Ok(None) };
        let result: String = r.try_get("result")?;
        Ok(Some(ScreeningRecord {
            at: r.try_get("at")?,
            engagement_version: r.try_get("engagement_version")?,
            ok: r.try_get::<i64, _>("ok")? != 0,
            hits: r.try_get("hits")?,
            result: serde_json::from_str(&result)
                .map_err(|e| corrupt("engagement_screenings.result", e))?,
        }))
    }

    pub async fn latest_assessment(&self, engagement_id: &str) -> Result<Option<AssessmentRecord>> {
        Ok(self.assessments(engagement_id, 1).await?.into_iter().next())
    }

    /// Newest first.
    pub async fn assessments(
        &self,
        engagement_id: &str,
        limit: u32,
    ) -> Result<Vec<AssessmentRecord>> {
        let sql = format!(
            "SELECT at, engagement_version, policy_name, policy_version, policy_sha256, outcome, route, assessment
             FROM engagement_assessments WHERE engagement_id = $1 ORDER BY at DESC, id DESC LIMIT {}",
            limit.clamp(1, 1000)
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(engagement_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let a: String = r.try_get("assessment")?;
                Ok(AssessmentRecord {
                    at: r.try_get("at")?,
                    engagement_version: r.try_get("engagement_version")?,
                    policy_name: r.try_get("policy_name")?,
                    policy_version: r.try_get("policy_version")?,
                    policy_sha256: r.try_get("policy_sha256")?,
                    outcome: r.try_get("outcome")?,
                    route: r.try_get("route")?,
                    assessment: serde_json::from_str(&a)
                        .map_err(|e| corrupt("engagement_assessments.assessment", e))?,
                })
            })
            .collect()
    }

    /// Ids of every engagement (for re-evaluation after a list or policy change).
    pub async fn engagement_ids(&self) -> Result<Vec<String>> {
        let rows = sqlx::query("SELECT id FROM engagements ORDER BY created_at")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| Ok(r.try_get("id")?)).collect()
    }
}

impl Store {
    /// The latest screening of every engagement, by engagement id.
    pub async fn latest_screenings_all(
        &self,
    ) -> Result<std::collections::HashMap<String, ScreeningRecord>> {
        let rows = sqlx::query(
            "SELECT s.engagement_id, s.at, s.engagement_version, s.ok, s.hits, s.result FROM engagement_screenings s
             WHERE s.at = (SELECT MAX(x.at) FROM engagement_screenings x WHERE x.engagement_id = s.engagement_id)",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut out = std::collections::HashMap::with_capacity(rows.len());
        for r in &rows {
            let result: String = r.try_get("result")?;
            out.insert(
                r.try_get("engagement_id")?,
                ScreeningRecord {
                    at: r.try_get("at")?,
                    engagement_version: r.try_get("engagement_version")?,
                    ok: r.try_get::<i64, _>("ok")? != 0,
                    hits: r.try_get("hits")?,
                    result: serde_json::from_str(&result)
                        .map_err(|e| corrupt("engagement_screenings.result", e))?,
                },
            );
        }
        Ok(out)
    }

    /// The latest outcome of every engagement, by engagement id.
    pub async fn latest_outcomes_all(&self) -> Result<std::collections::HashMap<String, String>> {
        let rows = sqlx::query(
            "SELECT a.engagement_id, a.outcome FROM engagement_assessments a
             WHERE a.at = (SELECT MAX(x.at) FROM engagement_assessments x WHERE x.engagement_id = a.engagement_id)",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("engagement_id")?, r.try_get("outcome")?)))
            .collect()
    }

    /// Record many evaluations in one transaction (re-screening the whole
    /// register after a list change). An item whose outcome or hit count
    /// changed carries what they were before, and is audited.
    pub async fn record_evaluations(
        &self,
        items: &[(String, Evaluation, Option<serde_json::Value>)],
        actor: &str,
    ) -> Result<()> {
        let mut w = self.write_tx().await?;
        let now = now_text();
        for (engagement_id, ev, changed) in items {
            sqlx::query(
                "INSERT INTO engagement_screenings (id, engagement_id, engagement_version, at, ok, hits, result) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(new_id())
            .bind(engagement_id)
            .bind(ev.engagement_version)
            .bind(&now)
            .bind(ev.screening_ok as i64)
            .bind(ev.hits)
            .bind(ev.screening.to_string())
            .execute(&mut *w.tx)
            .await?;
            sqlx::query(
                "INSERT INTO engagement_assessments (id, engagement_id, engagement_version, at, policy_name, policy_version, policy_sha256, outcome, route, assessment)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(new_id())
            .bind(engagement_id)
            .bind(ev.engagement_version)
            .bind(&now)
            .bind(&ev.policy.0)
            .bind(&ev.policy.1)
            .bind(&ev.policy.2)
            .bind(&ev.outcome)
            .bind(&ev.route)
            .bind(ev.assessment.to_string())
            .execute(&mut *w.tx)
            .await?;
            if let Some(before) = changed {
                let e = AuditEvent::new(actor, "engagement.assessed", "engagement", engagement_id)
                    .before(before)
                    .after(serde_json::json!({"outcome": ev.outcome, "route": ev.route, "hits": ev.hits, "policy_sha256": ev.policy.2}));
                append(&mut w.tx, self.backend, e).await?;
            }
        }
        w.commit().await
    }
}
