//! Accounts: users, login sessions (kept in the database so app nodes stay
//! stateless) and API tokens. Secrets never reach this layer in the clear:
//! callers pass argon2id hashes and SHA-256 digests of random tokens.

use crate::audit::{AuditEvent, append};
use crate::{Result, Store, StoreError, corrupt, new_id, now_text};
use sqlx::Row;
use sqlx::any::AnyRow;

pub use meridian_domain::Role;

#[derive(Debug, Clone, serde::Serialize)]
pub struct User {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub email: String,
    #[serde(skip)]
    pub password_hash: String,
    pub role: Role,
    pub department: String,
    pub active: bool,
    pub failed_logins: i64,
    pub locked_until: Option<String>,
    pub created_at: String,
}

/// A live login session and its CSRF token.
#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub user: User,
    pub csrf_token: String,
    pub expires_at: String,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ApiToken {
    pub id: String,
    pub user_id: String,
    pub name: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

/// The state of an account after a failed login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginFailure {
    pub failed_logins: i64,
    pub locked_until: Option<String>,
}

const USER_COLS: &str = "u.id, u.username, u.display_name, u.email, u.password_hash, u.role, u.department, u.active, u.failed_logins, u.locked_until, u.created_at";

fn user_from_row(r: &AnyRow) -> Result<User> {
    let role: String = r.try_get("role")?;
    Ok(User {
        id: r.try_get("id")?,
        username: r.try_get("username")?,
        display_name: r.try_get("display_name")?,
        email: r.try_get("email")?,
        password_hash: r.try_get("password_hash")?,
        role: Role::parse(&role).map_err(|e| corrupt("users.role", e))?,
        department: r.try_get("department")?,
        active: r.try_get::<i64, _>("active")? != 0,
        failed_logins: r.try_get("failed_logins")?,
        locked_until: r.try_get("locked_until")?,
        created_at: r.try_get("created_at")?,
    })
}

impl Store {
    pub async fn count_users(&self) -> Result<i64> {
        let r = sqlx::query("SELECT COUNT(*) AS n FROM users")
            .fetch_one(&self.pool)
            .await?;
        Ok(r.try_get("n")?)
    }

    /// Create a user; a taken username is a `Conflict`. `by` is who did it
    /// (recorded in the audit trail).
    pub async fn create_user(
        &self,
        username: &str,
        display_name: &str,
        password_hash: &str,
        role: Role,
        department: &str,
    ) -> Result<User> {
        self.create_user_by(
            username,
            display_name,
            password_hash,
            role,
            department,
            "system",
        )
        .await
    }

    pub async fn create_user_by(
        &self,
        username: &str,
        display_name: &str,
        password_hash: &str,
        role: Role,
        department: &str,
        by: &str,
    ) -> Result<User> {
        let username = username.trim().to_lowercase();
        let mut w = self.write_tx().await?;
        let taken = sqlx::query("SELECT id FROM users WHERE username = $1")
            .bind(&username)
            .fetch_optional(&mut *w.tx)
            .await?;
        if taken.is_some() {
            return Err(StoreError::Conflict(format!(
                "the username '{username}' is taken"
            )));
        }
        let id = new_id();
        sqlx::query(
            "INSERT INTO users (id, username, display_name, password_hash, role, department, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&id)
        .bind(&username)
        .bind(display_name.trim())
        .bind(password_hash)
        .bind(role.as_str())
        .bind(department.trim())
        .bind(now_text())
        .execute(&mut *w.tx)
        .await?;
        let ev = AuditEvent::new(by, "user.created", "user", &id)
            .after(serde_json::json!({"username": username, "role": role, "department": department.trim()}));
        append(&mut w.tx, self.backend, ev).await?;
        w.commit().await?;
        self.user(&id).await?.ok_or(StoreError::NotFound)
    }

    pub async fn user(&self, id: &str) -> Result<Option<User>> {
        let sql = format!("SELECT {USER_COLS} FROM users u WHERE u.id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(user_from_row).transpose()
    }

    pub async fn user_by_username(&self, username: &str) -> Result<Option<User>> {
        let sql = format!("SELECT {USER_COLS} FROM users u WHERE u.username = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(username.trim().to_lowercase())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(user_from_row).transpose()
    }

    pub async fn list_users(&self) -> Result<Vec<User>> {
        let sql = format!("SELECT {USER_COLS} FROM users u ORDER BY u.username");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(user_from_row).collect()
    }

    /// Change a user's role and departments (audited as a role change).
    pub async fn set_user_role(
        &self,
        user_id: &str,
        role: Role,
        department: &str,
        by: &str,
    ) -> Result<User> {
        let before = self.user(user_id).await?.ok_or(StoreError::NotFound)?;
        let mut w = self.write_tx().await?;
        sqlx::query("UPDATE users SET role = $1, department = $2 WHERE id = $3")
            .bind(role.as_str())
            .bind(department.trim())
            .bind(user_id)
            .execute(&mut *w.tx)
            .await?;
        let ev = AuditEvent::new(by, "user.role_changed", "user", user_id)
            .before(serde_json::json!({"role": before.role, "department": before.department}))
            .after(serde_json::json!({"role": role, "department": department.trim()}));
        append(&mut w.tx, self.backend, ev).await?;
        w.commit().await?;
        self.user(user_id).await?.ok_or(StoreError::NotFound)
    }

    pub async fn set_password_hash(&self, user_id: &str, hash: &str, by: &str) -> Result<()> {
        let mut w = self.write_tx().await?;
        let done = sqlx::query("UPDATE users SET password_hash = $1, failed_logins = 0, locked_until = NULL WHERE id = $2")
            .bind(hash)
            .bind(user_id)
            .execute(&mut *w.tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        append(
            &mut w.tx,
            self.backend,
            AuditEvent::new(by, "user.password_set", "user", user_id),
        )
        .await?;
        w.commit().await
    }

    /// Count a failed login; lock the account until `lock_until` once
    /// `max_failures` is reached. Audited.
    pub async fn record_login_failure(
        &self,
        user_id: &str,
        max_failures: i64,
        lock_until: &str,
    ) -> Result<LoginFailure> {
        let mut w = self.write_tx().await?;
        sqlx::query("UPDATE users SET failed_logins = failed_logins + 1 WHERE id = $1")
            .bind(user_id)
            .execute(&mut *w.tx)
            .await?;
        sqlx::query("UPDATE users SET locked_until = $1, failed_logins = 0 WHERE id = $2 AND failed_logins >= $3")
            .bind(lock_until)
            .bind(user_id)
            .bind(max_failures)
            .execute(&mut *w.tx)
            .await?;
        let r =
            sqlx::query("SELECT username, failed_logins, locked_until FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_one(&mut *w.tx)
                .await?;
        let username: String = r.try_get("username")?;
        let failure = LoginFailure {
            failed_logins: r.try_get("failed_logins")?,
            locked_until: r.try_get("locked_until")?,
        };
        let action = if failure.locked_until.is_some() {
            "login.locked"
        } else {
            "login.failed"
        };
        append(
            &mut w.tx,
            self.backend,
            AuditEvent::new(&username, action, "user", user_id),
        )
        .await?;
        w.commit().await?;
        Ok(failure)
    }

    /// A sign-in with a name nobody has (audited, so probing is visible).
    pub async fn record_unknown_login(&self, username: &str) -> Result<()> {
        let name: String = username.chars().take(100).collect();
        self.audit(AuditEvent::new(&name, "login.unknown_user", "user", ""))
            .await
            .map(|_| ())
    }

    pub async fn record_login_success(&self, user_id: &str) -> Result<()> {
        let mut w = self.write_tx().await?;
        sqlx::query("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1")
            .bind(user_id)
            .execute(&mut *w.tx)
            .await?;
        let r = sqlx::query("SELECT username FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_one(&mut *w.tx)
            .await?;
        let username: String = r.try_get("username")?;
        append(
            &mut w.tx,
            self.backend,
            AuditEvent::new(&username, "login", "user", user_id),
        )
        .await?;
        w.commit().await
    }

    pub async fn create_session(
        &self,
        token_hash: &str,
        user_id: &str,
        csrf_token: &str,
        expires_at: &str,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(csrf_token)
        .bind(now_text())
        .bind(expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The live session for a token digest (expired sessions are not found).
    pub async fn session(&self, token_hash: &str) -> Result<Option<SessionRecord>> {
        let sql = format!(
            "SELECT {USER_COLS}, s.csrf_token, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.active = 1"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(token_hash)
            .bind(now_text())
            .fetch_optional(&self.pool)
            .await?;
        match row {
            None => Ok(None),
            Some(r) => Ok(Some(SessionRecord {
                user: user_from_row(&r)?,
                csrf_token: r.try_get("csrf_token")?,
                expires_at: r.try_get("expires_at")?,
            })),
        }
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Drop expired sessions; returns how many.
    pub async fn purge_expired_sessions(&self) -> Result<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now_text())
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    pub async fn create_api_token(
        &self,
        user_id: &str,
        name: &str,
        token_hash: &str,
    ) -> Result<ApiToken> {
        let id = new_id();
        let now = now_text();
        let mut w = self.write_tx().await?;
        sqlx::query("INSERT INTO api_tokens (id, user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(&id)
            .bind(user_id)
            .bind(name.trim())
            .bind(token_hash)
            .bind(&now)
            .execute(&mut *w.tx)
            .await?;
        let owner = sqlx::query("SELECT username FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_one(&mut *w.tx)
            .await?;
        let owner: String = owner.try_get("username")?;
        let ev = AuditEvent::new(&owner, "api_token.created", "api_token", &id)
            .after(serde_json::json!({"name": name.trim()}));
        append(&mut w.tx, self.backend, ev).await?;
        w.commit().await?;
        Ok(ApiToken {
            id,
            user_id: user_id.to_owned(),
            name: name.trim().to_owned(),
            created_at: now,
            last_used_at: None,
            revoked_at: None,
        })
    }

    /// The user behind a live (unrevoked) API token; records its use.
    pub async fn user_for_api_token(&self, token_hash: &str) -> Result<Option<User>> {
        let sql = format!(
            "SELECT {USER_COLS}, t.id AS token_id FROM api_tokens t JOIN users u ON u.id = t.user_id
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.active = 1"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await?;
        let Some(r) = row else { return Ok(None) };
        let token_id: String = r.try_get("token_id")?;
        let user = user_from_row(&r)?;
        let mut w = self.write_tx().await?;
        sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
            .bind(now_text())
            .bind(&token_id)
            .execute(&mut *w.tx)
            .await?;
        append(
            &mut w.tx,
            self.backend,
            AuditEvent::new(&user.username, "api_token.used", "api_token", &token_id),
        )
        .await?;
        w.commit().await?;
        Ok(Some(user))
    }

    pub async fn list_api_tokens(&self, user_id: &str) -> Result<Vec<ApiToken>> {
        let rows = sqlx::query(
            "SELECT id, user_id, name, created_at, last_used_at, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY created_at",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ApiToken {
                    id: r.try_get("id")?,
                    user_id: r.try_get("user_id")?,
                    name: r.try_get("name")?,
                    created_at: r.try_get("created_at")?,
                    last_used_at: r.try_get("last_used_at")?,
                    revoked_at: r.try_get("revoked_at")?,
                })
            })
            .collect()
    }

    /// Revoke one of `user_id`'s tokens (another user's token is NotFound).
    pub async fn revoke_api_token(&self, user_id: &str, token_id: &str) -> Result<()> {
        let mut w = self.write_tx().await?;
        let done = sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL")
            .bind(now_text())
            .bind(token_id)
            .bind(user_id)
            .execute(&mut *w.tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        let owner = sqlx::query("SELECT username FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_one(&mut *w.tx)
            .await?;
        let owner: String = owner.try_get("username")?;
        append(
            &mut w.tx,
            self.backend,
            AuditEvent::new(&owner, "api_token.revoked", "api_token", token_id),
        )
        .await?;
        w.commit().await
    }
}

impl Store {
    /// Set a user's e-mail address (for alert notifications); audited.
    pub async fn set_user_email(&self, user_id: &str, email: &str, by: &str) -> Result<()> {
        let mut w = self.write_tx().await?;
        let done = sqlx::query("UPDATE users SET email = $1 WHERE id = $2")
            .bind(email.trim())
            .bind(user_id)
            .execute(&mut *w.tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        let ev = AuditEvent::new(by, "user.email_set", "user", user_id)
            .after(serde_json::json!({"email": email.trim()}));
        append(&mut w.tx, self.backend, ev).await?;
        w.commit().await
    }
}
