//! Agencies, users, web sessions and the audit log viewer's query.
//!
//! Users and agencies change through a [`Writer`] like every other record, so their
//! changes are audited. Web sessions are not records of the operation: they are written
//! straight to their table, outside the writer lock, so that browsing never waits for a
//! write of the operation.

use haven_core::audit::AuditEntry;

use crate::read::{audit_row, corrupt};
use crate::{Result, Store, StoreError, Writer, on_db, on_tx};

/// An agency as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AgencyRow {
    pub agency_id: String,
    pub name: String,
    /// ISO 3166-1 alpha-3 of the resettlement country a delegation speaks for.
    pub country: Option<String>,
}

/// A user as stored, with the agency it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub role: String,
    pub agency_id: String,
    pub agency_name: String,
    pub country: Option<String>,
    pub password_hash: String,
    pub failed_logins: i64,
    pub locked_until: Option<String>,
    pub active: bool,
    pub created_at: String,
}

/// Filters of the audit log viewer; empty strings match everything.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    /// Inclusive lower bound on `at` (a date or an RFC 3339 time).
    pub since: String,
    /// Exclusive upper bound on `at`.
    pub until: String,
}

type UserTuple = (
    i64,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    String,
    i64,
    Option<String>,
    i64,
    String,
);

const USER_SELECT: &str = "SELECT u.id, u.username, u.full_name, u.role, a.agency_id, a.name, a.country, \
     u.password_hash, u.failed_logins, u.locked_until, u.active, u.created_at \
     FROM users u JOIN agencies a ON a.id = u.agency_id ";

fn user_row(t: UserTuple) -> UserRow {
    UserRow {
        id: t.0,
        username: t.1,
        full_name: t.2,
        role: t.3,
        agency_id: t.4,
        agency_name: t.5,
        country: t.6,
        password_hash: t.7,
        failed_logins: t.8,
        locked_until: t.9,
        active: t.10 != 0,
        created_at: t.11,
    }
}

impl Store {
    pub async fn agencies(&self) -> Result<Vec<AgencyRow>> {
        let rows: Vec<(String, String, Option<String>)> = on_db!(self, c => sqlx::query_as(
            "SELECT agency_id, name, country FROM agencies ORDER BY agency_id",
        )
        .fetch_all(c)
        .await?);
        Ok(rows
            .into_iter()
            .map(|(agency_id, name, country)| AgencyRow {
                agency_id,
                name,
                country,
            })
            .collect())
    }

    pub async fn users(&self) -> Result<Vec<UserRow>> {
        let sql = format!("{USER_SELECT}ORDER BY u.username");
        let rows: Vec<UserTuple> =
            on_db!(self, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(c).await?);
        Ok(rows.into_iter().map(user_row).collect())
    }

    pub async fn user_by_name(&self, username: &str) -> Result<Option<UserRow>> {
        let sql = format!("{USER_SELECT}WHERE u.username = $1");
        let row: Option<UserTuple> = on_db!(self, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(username).fetch_optional(c).await?);
        Ok(row.map(user_row))
    }

    pub async fn user_by_id(&self, id: i64) -> Result<Option<UserRow>> {
        let sql = format!("{USER_SELECT}WHERE u.id = $1");
        let row: Option<UserTuple> = on_db!(self, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(c).await?);
        Ok(row.map(user_row))
    }

    /// A web session's data and expiry (unix seconds), if it exists.
    pub async fn session_load(&self, id: &str) -> Result<Option<(String, i64)>> {
        Ok(on_db!(self, c => sqlx::query_as(
            "SELECT data, expires_at FROM web_sessions WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(c)
        .await?))
    }

    /// Creates or replaces a web session.
    pub async fn session_save(&self, id: &str, data: &str, expires_at: i64) -> Result<()> {
        on_db!(self, c => sqlx::query(
            "INSERT INTO web_sessions (id, data, expires_at) VALUES ($1, $2, $3) \
             ON CONFLICT (id) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at",
        )
        .bind(id)
        .bind(data)
        .bind(expires_at)
        .execute(c)
        .await?
        .rows_affected());
        Ok(())
    }

    /// Whether a session id is taken (the session layer retries on a collision).
    pub async fn session_exists(&self, id: &str) -> Result<bool> {
        let n: i64 = on_db!(self, c => sqlx::query_scalar("SELECT COUNT(*) FROM web_sessions WHERE id = $1")
            .bind(id).fetch_one(c).await?);
        Ok(n > 0)
    }

    pub async fn session_delete(&self, id: &str) -> Result<()> {
        on_db!(self, c => sqlx::query("DELETE FROM web_sessions WHERE id = $1").bind(id).execute(c).await?.rows_affected());
        Ok(())
    }

    /// Deletes sessions that expired before `now` (unix seconds); returns how many.
    pub async fn sessions_expire(&self, now: i64) -> Result<u64> {
        Ok(
            on_db!(self, c => sqlx::query("DELETE FROM web_sessions WHERE expires_at < $1")
            .bind(now).execute(c).await?.rows_affected()),
        )
    }

    /// Audit entries matching `filter`, newest first, with the total that match.
    pub async fn audit_search(
        &self,
        filter: &AuditFilter,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<AuditEntry>, i64)> {
        const WHERE: &str = "WHERE ($1 = '' OR actor = $1) AND ($2 = '' OR action = $2) \
             AND ($3 = '' OR entity = $3) AND ($4 = '' OR entity_id = $4) \
             AND ($5 = '' OR at >= $5) AND ($6 = '' OR at < $6)";
        let select = format!(
            "SELECT seq, at, actor, action, entity, entity_id, before_json, after_json, prev_hash, hash \
             FROM audit_log {WHERE} ORDER BY seq DESC LIMIT $7 OFFSET $8"
        );
        let count = format!("SELECT COUNT(*) FROM audit_log {WHERE}");
        let f = filter;
        on_db!(self, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(select))
                .bind(f.actor.as_str()).bind(f.action.as_str()).bind(f.entity.as_str())
                .bind(f.entity_id.as_str()).bind(f.since.as_str()).bind(f.until.as_str())
                .bind(limit).bind(offset)
                .fetch_all(c).await?;
            let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(count))
                .bind(f.actor.as_str()).bind(f.action.as_str()).bind(f.entity.as_str())
                .bind(f.entity_id.as_str()).bind(f.since.as_str()).bind(f.until.as_str())
                .fetch_one(c).await?;
            let entries = rows.iter().map(audit_row).collect::<Result<Vec<_>>>()?;
            Ok((entries, total))
        })
    }
}

impl Writer {
    /// Adds an agency, or returns false when one with that id exists.
    pub async fn insert_agency(&mut self, a: &AgencyRow) -> Result<bool> {
        let exists: Option<i64> = on_tx!(&mut self.tx, c => sqlx::query_scalar("SELECT id FROM agencies WHERE agency_id = $1")
            .bind(a.agency_id.as_str()).fetch_optional(&mut *c).await?);
        if exists.is_some() {
            return Ok(false);
        }
        let id = self.alloc_ids("agencies", 1).await?;
        on_tx!(&mut self.tx, c => sqlx::query("INSERT INTO agencies (id, agency_id, name, country) VALUES ($1, $2, $3, $4)")
            .bind(id).bind(a.agency_id.as_str()).bind(a.name.as_str()).bind(a.country.as_deref())
            .execute(&mut *c).await?.rows_affected());
        Ok(true)
    }

    async fn agency_key(&mut self, agency_id: &str) -> Result<i64> {
        let id: Option<i64> = on_tx!(&mut self.tx, c => sqlx::query_scalar("SELECT id FROM agencies WHERE agency_id = $1")
            .bind(agency_id).fetch_optional(&mut *c).await?);
        id.ok_or_else(|| StoreError::Invalid(format!("no agency {agency_id}")))
    }

    /// Adds a user; returns its id.
    pub async fn insert_user(
        &mut self,
        username: &str,
        full_name: &str,
        role: &str,
        agency_id: &str,
        password_hash: &str,
    ) -> Result<i64> {
        let agency = self.agency_key(agency_id).await?;
        let id = self.alloc_ids("users", 1).await?;
        let at = self.at.clone();
        on_tx!(&mut self.tx, c => sqlx::query(
            "INSERT INTO users (id, username, full_name, role, agency_id, password_hash, failed_logins, locked_until, active, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 0, NULL, 1, $7)",
        )
        .bind(id).bind(username).bind(full_name).bind(role).bind(agency).bind(password_hash).bind(at.as_str())
        .execute(&mut *c).await?.rows_affected());
        Ok(id)
    }

    /// A user read under the writer lock.
    pub async fn user_by_name(&mut self, username: &str) -> Result<Option<UserRow>> {
        let sql = format!("{USER_SELECT}WHERE u.username = $1");
        let row: Option<UserTuple> = on_tx!(&mut self.tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(username).fetch_optional(&mut *c).await?);
        Ok(row.map(user_row))
    }

    pub async fn set_user_role(&mut self, id: i64, role: &str, agency_id: &str) -> Result<()> {
        let agency = self.agency_key(agency_id).await?;
        let n = on_tx!(&mut self.tx, c => sqlx::query("UPDATE users SET role = $1, agency_id = $2 WHERE id = $3")
            .bind(role).bind(agency).bind(id).execute(&mut *c).await?.rows_affected());
        if n == 1 {
            Ok(())
        } else {
            Err(corrupt("users", format!("no user with id {id}")))
        }
    }

    pub async fn set_user_password(&mut self, id: i64, password_hash: &str) -> Result<()> {
        on_tx!(&mut self.tx, c => sqlx::query("UPDATE users SET password_hash = $1, failed_logins = 0, locked_until = NULL WHERE id = $2")
            .bind(password_hash).bind(id).execute(&mut *c).await?.rows_affected());
        Ok(())
    }

    pub async fn set_user_active(&mut self, id: i64, active: bool) -> Result<()> {
        on_tx!(&mut self.tx, c => sqlx::query("UPDATE users SET active = $1, failed_logins = 0, locked_until = NULL WHERE id = $2")
            .bind(i64::from(active)).bind(id).execute(&mut *c).await?.rows_affected());
        Ok(())
    }

    /// Records the outcome of a login attempt: the count of failures in a row and, when
    /// it locks the account, until when.
    pub async fn set_login_failures(
        &mut self,
        id: i64,
        failed_logins: i64,
        locked_until: Option<&str>,
    ) -> Result<()> {
        on_tx!(&mut self.tx, c => sqlx::query("UPDATE users SET failed_logins = $1, locked_until = $2 WHERE id = $3")
            .bind(failed_logins).bind(locked_until).bind(id).execute(&mut *c).await?.rows_affected());
        Ok(())
    }
}
