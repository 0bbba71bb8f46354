//! Meridian's store: every table behind one `Store`, on one sqlx `AnyPool`
//! code path that runs unchanged on SQLite (the embedded default) and
//! PostgreSQL. SQL stays in this crate; callers get domain types back.

mod accounts;
mod audit;
mod engagements;
mod evaluations;
mod lists;
mod parties;
mod settings;
mod workflow;

pub use accounts::{ApiToken, LoginFailure, Role, SessionRecord, User};
pub use audit::{AuditEvent, AuditFilter};
pub use engagements::{
    EngagementFilter, EngagementPage, EngagementSummary, HistoryEntry, StoredEngagement, Visibility,
};
pub use evaluations::{AssessmentRecord, Evaluation, ScreeningRecord};
pub use lists::{AlertRecord, ListFiles, ListSource, ListVersionRecord, NewAlert, NewListVersion};
pub use meridian_audit::{Broken, ChainedRecord};
pub use parties::{
    AdverseMediaNote, DdDecisionRecord, DuplicatePair, PartyEngagement, PartyFilter, PartyPage,
    PartySuggestion,
};
pub use settings::Setting;
pub use workflow::{
    ConditionRecord, DecisionRecord, NewCondition, WorkflowOutcome, WorkflowRequest, WorkflowState,
};

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Row};
use std::path::Path;
use std::time::Duration;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// What went wrong in the store, in terms a caller can act on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// Someone else changed the record first (optimistic concurrency).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The actor's role or relation to the record does not allow this.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// Input referred to something that does not exist (a party id, say).
    #[error("invalid input: {0}")]
    Invalid(meridian_domain::FieldErrors),
    #[error("stored data is unreadable: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The database behind Meridian. Cheap to clone (a pool handle).
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// SQLite has one writer at a time and answers a second writer's lock
    /// upgrade with SQLITE_BUSY at once (no busy wait), so write transactions
    /// are serialised in-process there. PostgreSQL needs no such lock.
    write_lock: std::sync::Arc<tokio::sync::Mutex<()>>,
}

impl Store {
    /// Connect to `sqlite://…` or `postgres://…` and apply migrations.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Store> {
        install_default_drivers();
        let backend = if url.starts_with("postgres") {
            Backend::Postgres
        } else if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            return Err(StoreError::Invalid(meridian_domain::FieldErrors::single(
                "database_url",
                "must start with sqlite: or postgres://",
            )));
        };
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections.max(1))
            .acquire_timeout(Duration::from_secs(30))
            .connect(url)
            .await?;
        if backend == Backend::Sqlite {
            // WAL lets readers run while one writer writes; the journal mode is
            // stored in the file, so setting it once per open is enough.
            sqlx::query("PRAGMA journal_mode=WAL")
                .execute(&pool)
                .await?;
        }
        let store = Store {
            pool,
            backend,
            write_lock: Default::default(),
        };
        MIGRATOR.run(&store.pool).await?;
        Ok(store)
    }

    /// The embedded default: `meridian.db` in `data_dir` (created if missing).
    pub async fn open_sqlite_dir(data_dir: &Path, max_connections: u32) -> Result<Store> {
        std::fs::create_dir_all(data_dir).map_err(|e| {
            StoreError::Corrupt(format!(
                "cannot create data directory {}: {e}",
                data_dir.display()
            ))
        })?;
        let url = sqlite_url(&data_dir.join("meridian.db"));
        Store::connect(&url, max_connections).await
    }

    /// Begin a write transaction (serialised on SQLite, see `write_lock`).
    pub(crate) async fn write_tx(&self) -> Result<WriteTx<'_>> {
        let guard = match self.backend {
            Backend::Sqlite => Some(self.write_lock.lock().await),
            Backend::Postgres => None,
        };
        let tx = self.pool.begin().await?;
        Ok(WriteTx { tx, _guard: guard })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A cheap round trip, for /healthz.
    pub async fn ping(&self) -> Result<()> {
        let row = sqlx::query("SELECT 1 AS one").fetch_one(&self.pool).await?;
        let one: i64 = row.try_get("one")?;
        (one == 1)
            .then_some(())
            .ok_or_else(|| StoreError::Corrupt("SELECT 1 did not return 1".into()))
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// A write transaction plus, on SQLite, the in-process writer lock.
pub(crate) struct WriteTx<'a> {
    pub(crate) tx: sqlx::Transaction<'static, sqlx::Any>,
    _guard: Option<tokio::sync::MutexGuard<'a, ()>>,
}

impl WriteTx<'_> {
    pub(crate) async fn commit(self) -> Result<()> {
        self.tx.commit().await?;
        Ok(())
    }
}

/// `sqlite://` URL for a file path, created when missing.
pub fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}?mode=rwc", path.display())
}

/// Now, as fixed-width RFC 3339 UTC text (sorts lexicographically as time).
pub fn now_text() -> String {
    time_text(time::OffsetDateTime::now_utc())
}

pub fn time_text(t: time::OffsetDateTime) -> String {
    let fmt = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z"
    );
    t.to_offset(time::UtcOffset::UTC)
        .format(&fmt)
        .unwrap_or_default()
}

pub(crate) fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Escape a user's text for `LIKE … ESCAPE '\'`.
pub(crate) fn like_pattern(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

pub(crate) fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

/// What changed between two JSON documents, field by top-level field:
/// `[{"field": "title", "before": "A", "after": "B"}, …]`.
pub(crate) fn diff_docs(
    before: &serde_json::Value,
    after: &serde_json::Value,
) -> serde_json::Value {
    use serde_json::{Value, json};
    let empty = serde_json::Map::new();
    let b = before.as_object().unwrap_or(&empty);
    let a = after.as_object().unwrap_or(&empty);
    let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
    keys.sort();
    keys.dedup();
    let changes: Vec<Value> = keys
        .into_iter()
        .filter_map(|k| {
            let (x, y) = (
                b.get(k).unwrap_or(&Value::Null),
                a.get(k).unwrap_or(&Value::Null),
            );
            (x != y).then(|| json!({"field": k, "before": x, "after": y}))
        })
        .collect();
    Value::Array(changes)
}

/// Support for test suites that run the same tests on both backends.
pub mod testing {
    use sqlx::Connection;

    /// Given a PostgreSQL server URL, create a new empty database on it and
    /// return its URL, so each test starts clean and tests run in parallel.
    pub async fn fresh_postgres_url(server_url: &str) -> Result<String, sqlx::Error> {
        sqlx::any::install_default_drivers();
        let name = format!("meridian_test_{}", uuid::Uuid::new_v4().simple());
        let mut conn = sqlx::AnyConnection::connect(server_url).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await?;
        conn.close().await?;
        let (base, query) = match server_url.split_once('?') {
            Some((b, q)) => (b, format!("?{q}")),
            None => (server_url, String::new()),
        };
        let root = match base.rfind('/') {
            Some(i) if i > "postgres://".len() => &base[..i],
            _ => base,
        };
        Ok(format!("{root}/{name}{query}"))
    }

    /// The backends to run a store test on: a temp SQLite file always, and a
    /// fresh PostgreSQL database when `TEST_DATABASE_URL` is set. The
    /// returned guard keeps the SQLite directory alive.
    pub async fn stores() -> (Vec<crate::Store>, tempfile::TempDir) {
        let dir = tempfile::tempdir().expect("temp dir for the SQLite test database");
        let mut out = vec![
            crate::Store::open_sqlite_dir(dir.path(), 8)
                .await
                .expect("open SQLite"),
        ];
        match std::env::var("TEST_DATABASE_URL") {
            Ok(url) if !url.is_empty() => {
                let fresh = fresh_postgres_url(&url)
                    .await
                    .expect("create a PostgreSQL test database");
                out.push(
                    crate::Store::connect(&fresh, 8)
                        .await
                        .expect("connect to PostgreSQL"),
                );
            }
            _ => {
                static ONCE: std::sync::Once = std::sync::Once::new();
                ONCE.call_once(|| {
                    eprintln!("TEST_DATABASE_URL is not set: store tests run on SQLite only")
                });
            }
        }
        (out, dir)
    }
}

impl Store {
    /// Run raw SQL, for tests that play an attacker with database access.
    #[doc(hidden)]
    pub async fn tamper_for_tests(&self, sql: &'static str) -> Result<u64> {
        Ok(sqlx::query(sql).execute(&self.pool).await?.rows_affected())
    }
}
