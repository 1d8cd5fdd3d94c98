//! Haven's persistence: the only crate that speaks SQL.
//!
//! Two real backends behind one [`Store`]: SQLite, the embedded default, and PostgreSQL
//! for scale, chosen by the URL (`sqlite://…` or `postgres://…`). The SQL is written once
//! and run on either concrete driver through the [`on_db!`] and [`on_tx!`] macros; the
//! few statements that differ are marked where they are.
//!
//! Every change goes through a [`Writer`]: one transaction, holding the operation's single
//! writer lock (`BEGIN IMMEDIATE` on SQLite, a transaction-scoped advisory lock on
//! PostgreSQL), into which the change, its ledger movements and its audit entries are
//! all written, and committed together or not at all.
//!
//! Rows are mapped to `haven-core` types here; sqlx types never leave this crate.

mod access;
mod placement;
mod pledges;
mod read;
mod relocation;
mod rsd;
mod voluntary_return;
mod write;

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

pub use access::*;
pub use placement::*;
pub use read::*;
pub use relocation::*;
pub use rsd::*;
pub use write::*;

/// What can go wrong in the store. Messages are for the person at the terminal.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database URL '{0}' is neither sqlite://… nor postgres://…")]
    BadUrl(String),
    #[error("cannot open the database: {0}")]
    Connect(#[source] sqlx::Error),
    #[error("cannot migrate the database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("{0}")]
    Invalid(String),
    #[error("corrupt row in {table}: {message}")]
    Corrupt {
        table: &'static str,
        message: String,
    },
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// PostgreSQL advisory lock key that serialises Haven's writers (and so the audit chain).
const WRITER_LOCK_KEY: i64 = 0x0048_4156_454e;

/// A connection pool to one operation's database.
#[derive(Clone, Debug)]
pub enum Store {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs `$body` with `$c` bound to the pool of whichever backend the store uses.
#[macro_export]
#[doc(hidden)]
macro_rules! on_db {
    ($store:expr, $c:ident => $body:expr) => {
        match $store {
            $crate::Store::Sqlite($c) => $body,
            $crate::Store::Postgres($c) => $body,
        }
    };
}

/// Runs `$body` with `$c` bound to the open transaction's connection.
#[macro_export]
#[doc(hidden)]
macro_rules! on_tx {
    ($tx:expr, $c:ident => $body:expr) => {
        match $tx {
            $crate::Tx::Sqlite(t) => {
                let $c: &mut sqlx::SqliteConnection = &mut **t;
                $body
            }
            $crate::Tx::Postgres(t) => {
                let $c: &mut sqlx::PgConnection = &mut **t;
                $body
            }
        }
    };
}

/// An open transaction on either backend.
#[doc(hidden)]
pub enum Tx {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

impl Store {
    /// Opens (and for SQLite creates) the database at `url`. Does not migrate.
    pub async fn connect(url: &str) -> Result<Store> {
        if url.starts_with("sqlite:") {
            let opts = SqliteConnectOptions::from_str(url)
                .map_err(StoreError::Connect)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(30))
                .pragma("cache_size", "-65536")
                .pragma("temp_store", "memory");
            let pool = SqlitePoolOptions::new()
                .max_connections(4)
                .connect_with(opts)
                .await
                .map_err(StoreError::Connect)?;
            Ok(Store::Sqlite(pool))
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let pool = PgPoolOptions::new()
                .max_connections(8)
                .acquire_timeout(Duration::from_secs(30))
                .connect(url)
                .await
                .map_err(StoreError::Connect)?;
            Ok(Store::Postgres(pool))
        } else {
            Err(StoreError::BadUrl(url.to_string()))
        }
    }

    /// Connects and brings the schema up to date, seeding reference data on first use.
    pub async fn open(url: &str) -> Result<Store> {
        let store = Store::connect(url).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Applies pending migrations and loads the standard specific-needs codes if the
    /// catalogue is empty.
    pub async fn migrate(&self) -> Result<()> {
        match self {
            Store::Sqlite(p) => SQLITE_MIGRATIONS.run(p).await?,
            Store::Postgres(p) => POSTGRES_MIGRATIONS.run(p).await?,
        }
        let n: i64 = on_db!(self, c => sqlx::query_scalar("SELECT COUNT(*) FROM specific_needs").fetch_one(c).await?);
        if n == 0 {
            let mut w = self.begin("system:init", &now_rfc3339()).await?;
            let codes: Vec<_> = haven_core::needs::NeedsCatalogue::standard()
                .codes()
                .cloned()
                .collect();
            w.upsert_needs(&codes).await?;
            w.commit().await?;
        }
        let n: i64 = on_db!(self, c => sqlx::query_scalar("SELECT COUNT(*) FROM standards").fetch_one(c).await?);
        if n == 0 {
            let mut w = self.begin("system:init", &now_rfc3339()).await?;
            for (key, value, _) in haven_core::standards::DEFAULTS {
                w.set_standard(key, value).await?;
            }
            w.commit().await?;
        }
        Ok(())
    }

    /// `sqlite` or `postgres`.
    pub fn backend(&self) -> &'static str {
        match self {
            Store::Sqlite(_) => "sqlite",
            Store::Postgres(_) => "postgres",
        }
    }

    pub async fn close(&self) {
        on_db!(self, c => c.close().await)
    }

    /// Starts a write: one transaction holding the writer lock. Everything written through
    /// the returned [`Writer`] commits together, with its audit entries, or not at all.
    pub async fn begin(&self, actor: &str, at: &str) -> Result<Writer> {
        let mut tx = match self {
            Store::Sqlite(p) => Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Store::Postgres(p) => {
                let mut t = p.begin().await?;
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(WRITER_LOCK_KEY)
                    .execute(&mut *t)
                    .await?;
                Tx::Postgres(t)
            }
        };
        let state = Writer::start(&mut tx).await?;
        let mut w = Writer::new(tx, state);
        w.set_actor(actor, at);
        Ok(w)
    }
}

/// Creates (or re-creates, empty) the database `name` on the PostgreSQL server of
/// `server_url` and returns its URL. For tests and benchmarks that want a database of
/// their own; `name` must be lower-case letters, digits and `_`.
pub async fn create_postgres_database(server_url: &str, name: &str) -> Result<String> {
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err(StoreError::Invalid(format!(
            "'{name}' is not a plain database name"
        )));
    }
    let (prefix, _) = server_url
        .rsplit_once('/')
        .ok_or_else(|| StoreError::BadUrl(server_url.to_string()))?;
    let admin = Store::connect(server_url).await?;
    admin
        .execute_raw(&format!("DROP DATABASE IF EXISTS {name}"))
        .await?;
    admin
        .execute_raw(&format!("CREATE DATABASE {name}"))
        .await?;
    admin.close().await;
    Ok(format!("{prefix}/{name}"))
}

/// The current time as RFC 3339 in UTC, to the second (`2026-11-29T18:40:12Z`).
pub fn now_rfc3339() -> String {
    let t = time::OffsetDateTime::now_utc();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}
