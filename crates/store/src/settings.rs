//! Shared run-time settings (the active policy pack, country profiles): one
//! row per key, every change audited with the value's digest, so all app
//! nodes read the same and an auditor can tell which pack decided what.

use crate::audit::{AuditEvent, append};
use crate::{Result, Store, now_text};
use sqlx::Row;

/// A stored setting and who last set it.
#[derive(Debug, Clone)]
pub struct Setting {
    pub value: String,
    pub updated_by: String,
    pub updated_at: String,
}

impl Store {
    pub async fn setting(&self, key: &str) -> Result<Option<Setting>> {
        let row = sqlx::query("SELECT value, updated_by, updated_at FROM settings WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| {
            Ok(Setting {
                value: r.try_get("value")?,
                updated_by: r.try_get("updated_by")?,
                updated_at: r.try_get("updated_at")?,
            })
        })
        .transpose()
    }

    /// Set (or, with `None`, remove) a setting; `summary` goes into the audit record.
    pub async fn set_setting(
        &self,
        key: &str,
        value: Option<&str>,
        actor: &str,
        summary: serde_json::Value,
    ) -> Result<()> {
        let mut w = self.write_tx().await?;
        sqlx::query("DELETE FROM settings WHERE key = $1")
            .bind(key)
            .execute(&mut *w.tx)
            .await?;
        if let Some(v) = value {
            sqlx::query(
                "INSERT INTO settings (key, value, updated_by, updated_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(key)
            .bind(v)
            .bind(actor)
            .bind(now_text())
            .execute(&mut *w.tx)
            .await?;
        }
        let ev = AuditEvent::new(actor, &format!("setting.{key}"), "setting", key).after(summary);
        append(&mut w.tx, self.backend, ev).await?;
        w.commit().await
    }

    /// A fingerprint of all settings (for other nodes to notice changes).
    pub async fn settings_fingerprint(&self) -> Result<String> {
        let rows = sqlx::query("SELECT key, updated_at FROM settings ORDER BY key")
            .fetch_all(&self.pool)
            .await?;
        let mut out = String::new();
        for r in &rows {
            let k: String = r.try_get("key")?;
            let t: String = r.try_get("updated_at")?;
            out.push_str(&k);
            out.push('@');
            out.push_str(&t);
            out.push(';');
        }
        Ok(out)
    }
}

impl Store {
    /// Internal bookkeeping that is not an administrator's decision (so not
    /// audited), such as what the register was last evaluated against.
    pub async fn set_marker(&self, key: &str, value: &str) -> Result<()> {
        let mut w = self.write_tx().await?;
        sqlx::query("DELETE FROM settings WHERE key = $1")
            .bind(key)
            .execute(&mut *w.tx)
            .await?;
        sqlx::query("INSERT INTO settings (key, value, updated_by, updated_at) VALUES ($1, $2, 'system', $3)")
            .bind(key)
            .bind(value)
            .bind(now_text())
            .execute(&mut *w.tx)
            .await?;
        w.commit().await
    }
}
