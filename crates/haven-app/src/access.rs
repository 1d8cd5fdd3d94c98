//! Agencies, users and logging in: passwords hashed with argon2, failed logins counted
//! and audited, accounts locked after repeated failures; role and agency changes made by
//! an administrator, never by the user concerned; reads of a person's record audited.

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use haven_core::access::{self, Capability, Role};
use haven_core::audit::AuditEntry;
use haven_store::{AuditFilter, UserRow};
use serde_json::json;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::{App, AppError, Ctx, Problem};

pub use haven_store::AgencyRow as Agency;

/// A user of Haven as the edges see it (never with its password hash).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub role: Role,
    pub agency_id: String,
    pub agency_name: String,
    /// The resettlement country of a delegation's agency.
    pub country: Option<String>,
    pub active: bool,
    pub locked_until: Option<String>,
    /// Changes when the password does, so that sessions of an old password end.
    #[serde(skip)]
    pub session_key: Vec<u8>,
}

impl User {
    pub fn can(&self, cap: Capability) -> bool {
        self.active && self.role.allows(cap)
    }

    /// The actor recorded in the audit log for this user's changes.
    pub fn ctx(&self) -> Ctx {
        Ctx::new(self.username.clone())
    }
}

/// A user to create.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub full_name: String,
    pub role: Role,
    pub agency_id: String,
    pub password: String,
}

const SOURCE: &str = "user";
/// What a failed login is told, whatever the reason: no hint which half was wrong.
const WRONG: &str = "wrong username or password";

fn to_user(r: UserRow) -> Result<User, AppError> {
    let role = Role::parse(&r.role).ok_or_else(|| {
        AppError::Refused(format!(
            "user {} has an unknown role '{}'",
            r.username, r.role
        ))
    })?;
    // A digest, so that no password hash is ever copied into a session.
    let mut digest = Sha256::new();
    digest.update(r.id.to_le_bytes());
    digest.update(r.password_hash.as_bytes());
    let session_key = digest.finalize().to_vec();
    Ok(User {
        id: r.id,
        username: r.username,
        full_name: r.full_name,
        role,
        agency_id: r.agency_id,
        agency_name: r.agency_name,
        country: r.country,
        active: r.active,
        locked_until: r.locked_until,
        session_key,
    })
}

fn hash_password(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Refused(format!("cannot hash the password: {e}")))
}

fn password_matches(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

fn parse_time(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s, &Rfc3339).ok()
}

fn user_json(u: &User) -> String {
    json!({"username": u.username, "full_name": u.full_name, "role": u.role.key(),
           "agency": u.agency_id, "active": u.active})
    .to_string()
}

fn problem(field: &str, message: impl Into<String>, value: &str) -> Problem {
    Problem::new(SOURCE, 1, field, message, value)
}

impl App {
    pub async fn agencies(&self) -> Result<Vec<Agency>, AppError> {
        Ok(self.store.agencies().await?)
    }

    /// Adds an agency; false when it already exists unchanged.
    pub async fn add_agency(&self, ctx: &Ctx, agency: Agency) -> Result<bool, AppError> {
        let mut problems = Vec::new();
        let id_ok = !agency.agency_id.is_empty()
            && agency.agency_id.len() <= 32
            && agency
                .agency_id
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-');
        if !id_ok {
            problems.push(Problem::new(
                "agency",
                1,
                "agency_id",
                "an agency id is 1 to 32 of A-Z, 0-9 and '-'",
                &agency.agency_id,
            ));
        }
        if agency.name.trim().is_empty() {
            problems.push(Problem::new("agency", 1, "name", "a name is required", ""));
        }
        if let Some(c) = &agency.country
            && !(c.len() == 3 && c.chars().all(|c| c.is_ascii_uppercase()))
        {
            problems.push(Problem::new(
                "agency",
                1,
                "country",
                "a country is ISO 3166-1 alpha-3, e.g. CAN",
                c,
            ));
        }
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        let mut w = self.begin(ctx).await?;
        let added = w.insert_agency(&agency).await?;
        if added {
            w.audit(
                "agency.create",
                "agency",
                &agency.agency_id,
                "null".into(),
                json!(agency).to_string(),
            );
        }
        w.commit().await?;
        Ok(added)
    }

    pub async fn users(&self) -> Result<Vec<User>, AppError> {
        self.store.users().await?.into_iter().map(to_user).collect()
    }

    /// The user behind a session, if it still exists.
    pub async fn user(&self, id: i64) -> Result<Option<User>, AppError> {
        self.store.user_by_id(id).await?.map(to_user).transpose()
    }

    pub async fn user_named(&self, username: &str) -> Result<User, AppError> {
        let row = self
            .store
            .user_by_name(username)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("no user {username}")))?;
        to_user(row)
    }

    /// Checks that the agency can hold the role: a country delegation belongs to an
    /// agency that speaks for a country, and no other role does.
    async fn check_agency(&self, role: Role, agency_id: &str) -> Result<(), AppError> {
        let agency = self
            .store
            .agencies()
            .await?
            .into_iter()
            .find(|a| a.agency_id == agency_id)
            .ok_or_else(|| {
                AppError::Invalid(vec![problem("agency", "no such agency", agency_id)])
            })?;
        match (role, &agency.country) {
            (Role::CountryDelegation, None) => Err(AppError::Invalid(vec![problem(
                "agency",
                "a country delegation belongs to an agency with a country",
                agency_id,
            )])),
            (r, Some(c)) if r != Role::CountryDelegation => Err(AppError::Invalid(vec![problem(
                "role",
                format!(
                    "agency {agency_id} is the delegation of {c}; its users are country delegation"
                ),
                r.key(),
            )])),
            _ => Ok(()),
        }
    }

    /// Creates a user (an administrator's task; the edges check the caller's role).
    pub async fn add_user(&self, ctx: &Ctx, new: NewUser) -> Result<User, AppError> {
        let mut problems = Vec::new();
        if let Some(m) = access::username_problem(&new.username) {
            problems.push(problem("username", m, &new.username));
        }
        if let Some(m) = access::password_problem(&new.username, &new.password) {
            problems.push(problem("password", m, "(hidden)"));
        }
        if new.full_name.trim().is_empty() {
            problems.push(problem("full_name", "a full name is required", ""));
        }
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        self.check_agency(new.role, &new.agency_id).await?;
        let hash = hash_password(&new.password)?;
        let mut w = self.begin(ctx).await?;
        if w.user_by_name(&new.username).await?.is_some() {
            return Err(AppError::Invalid(vec![problem(
                "username",
                "a user with this name exists",
                &new.username,
            )]));
        }
        w.insert_user(
            &new.username,
            new.full_name.trim(),
            new.role.key(),
            &new.agency_id,
            &hash,
        )
        .await?;
        let row = w
            .user_by_name(&new.username)
            .await?
            .ok_or_else(|| AppError::NotFound(new.username.clone()))?;
        let user = to_user(row)?;
        w.audit(
            "user.create",
            "user",
            &user.username,
            "null".into(),
            user_json(&user),
        );
        w.commit().await?;
        Ok(user)
    }

    fn refuse_self(acting: &User, username: &str, what: &str) -> Result<(), AppError> {
        if !acting.can(Capability::Administer) {
            return Err(AppError::Refused(format!(
                "only an administrator can {what}"
            )));
        }
        if acting.username == username {
            return Err(AppError::Refused(format!(
                "no user can {what} of their own account; ask another administrator"
            )));
        }
        Ok(())
    }

    /// Changes a user's role and agency. Never one's own.
    pub async fn set_user_role(
        &self,
        acting: &User,
        username: &str,
        role: Role,
        agency_id: &str,
    ) -> Result<User, AppError> {
        Self::refuse_self(acting, username, "change the role or agency")?;
        self.check_agency(role, agency_id).await?;
        let mut w = self.begin(&acting.ctx()).await?;
        let before = w
            .user_by_name(username)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("no user {username}")))?;
        let before = to_user(before)?;
        w.set_user_role(before.id, role.key(), agency_id).await?;
        let after = to_user(
            w.user_by_name(username)
                .await?
                .ok_or_else(|| AppError::NotFound(username.to_string()))?,
        )?;
        w.audit(
            "user.role",
            "user",
            username,
            user_json(&before),
            user_json(&after),
        );
        w.commit().await?;
        Ok(after)
    }

    /// Enables or disables another user's account (disabling also ends their sessions,
    /// which look the user up on every request).
    pub async fn set_user_active(
        &self,
        acting: &User,
        username: &str,
        active: bool,
    ) -> Result<User, AppError> {
        Self::refuse_self(acting, username, "enable or disable")?;
        let mut w = self.begin(&acting.ctx()).await?;
        let before = to_user(
            w.user_by_name(username)
                .await?
                .ok_or_else(|| AppError::NotFound(format!("no user {username}")))?,
        )?;
        w.set_user_active(before.id, active).await?;
        let mut after = before.clone();
        after.active = active;
        after.locked_until = None;
        w.audit(
            if active {
                "user.enable"
            } else {
                "user.disable"
            },
            "user",
            username,
            user_json(&before),
            user_json(&after),
        );
        w.commit().await?;
        Ok(after)
    }

    /// Sets another user's password (an administrator's reset); unlocks the account.
    pub async fn reset_password(
        &self,
        acting: &User,
        username: &str,
        password: &str,
    ) -> Result<(), AppError> {
        Self::refuse_self(acting, username, "reset the password")?;
        self.set_password(&acting.ctx(), username, password).await
    }

    /// Sets a user's password and unlocks the account: the operator's tool on the server
    /// (`haven user password`), for the first administrator or a locked-out one. The
    /// edges decide who may call it; the web calls [`App::reset_password`].
    pub async fn set_password(
        &self,
        ctx: &Ctx,
        username: &str,
        password: &str,
    ) -> Result<(), AppError> {
        if let Some(m) = access::password_problem(username, password) {
            return Err(AppError::Invalid(vec![problem("password", m, "(hidden)")]));
        }
        let hash = hash_password(password)?;
        let mut w = self.begin(ctx).await?;
        let user = w
            .user_by_name(username)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("no user {username}")))?;
        w.set_user_password(user.id, &hash).await?;
        w.audit(
            "user.password_reset",
            "user",
            username,
            "null".into(),
            "null".into(),
        );
        w.commit().await?;
        Ok(())
    }

    /// Checks a username and password. Every failure is audited with the client's
    /// address; five failures in a row lock the account for fifteen minutes, and a
    /// locked account is refused without looking at the password.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        client: &str,
    ) -> Result<User, AppError> {
        let now = self.now();
        let row = self.store.user_by_name(username).await?;
        let Some(row) = row else {
            // Spend the same work as a real check, so timing does not reveal who exists.
            let _ = password_matches(dummy_hash(), password);
            self.audit_failed_login(username, client, "unknown user")
                .await?;
            return Err(AppError::Refused(WRONG.into()));
        };
        if let Some(until) = row.locked_until.as_deref()
            && let (Some(u), Some(n)) = (parse_time(until), parse_time(&now))
            && u > n
        {
            self.audit_failed_login(username, client, "account locked")
                .await?;
            return Err(AppError::Refused(format!(
                "this account is locked after {} failed logins, until {until}; an administrator can unlock it",
                row.failed_logins
            )));
        }
        let ok = password_matches(&row.password_hash, password);
        if ok && row.active {
            let user = to_user(row)?;
            let mut w = self.begin(&user.ctx()).await?;
            w.set_login_failures(user.id, 0, None).await?;
            w.audit(
                "login",
                "user",
                &user.username,
                "null".into(),
                json!({"client": client}).to_string(),
            );
            w.commit().await?;
            return Ok(user);
        }
        if !row.active {
            self.audit_failed_login(username, client, "account disabled")
                .await?;
            return Err(AppError::Refused(WRONG.into()));
        }
        // Counted under the writer lock from the row as it is now, so that guesses sent in
        // parallel each count; a lock that has run out starts the count again.
        let mut w = self.begin(&Ctx::new(format!("login:{client}"))).await?;
        let fresh = w.user_by_name(username).await?;
        let (id, before, locked_until) = match &fresh {
            Some(f) => (f.id, f.failed_logins, f.locked_until.clone()),
            None => (row.id, row.failed_logins, row.locked_until.clone()),
        };
        let lock_ran_out = locked_until
            .as_deref()
            .and_then(parse_time)
            .zip(parse_time(&now))
            .is_some_and(|(u, n)| u <= n);
        let failures = if lock_ran_out { 1 } else { before + 1 };
        let lock = (failures >= access::LOCKOUT_AFTER_FAILURES)
            .then(|| parse_time(&now))
            .flatten()
            .and_then(|n| {
                (n + time::Duration::seconds(access::LOCKOUT_SECONDS))
                    .format(&Rfc3339)
                    .ok()
            });
        w.set_login_failures(id, failures, lock.as_deref()).await?;
        w.audit(
            "login.failed",
            "user",
            username,
            "null".into(),
            json!({"client": client, "reason": "wrong password", "failures": failures, "locked_until": lock})
                .to_string(),
        );
        w.commit().await?;
        match lock {
            Some(until) => Err(AppError::Refused(format!(
                "{WRONG}; after {failures} failed logins this account is locked until {until}"
            ))),
            None => Err(AppError::Refused(WRONG.into())),
        }
    }

    async fn audit_failed_login(
        &self,
        username: &str,
        client: &str,
        reason: &str,
    ) -> Result<(), AppError> {
        let mut w = self.begin(&Ctx::new(format!("login:{client}"))).await?;
        w.audit(
            "login.failed",
            "user",
            username,
            "null".into(),
            json!({"client": client, "reason": reason}).to_string(),
        );
        w.commit().await?;
        Ok(())
    }

    /// Records that `ctx` read a record (who viewed whom), in the audit log.
    pub async fn record_view(
        &self,
        ctx: &Ctx,
        entity: &str,
        entity_id: &str,
    ) -> Result<(), AppError> {
        let mut w = self.begin(ctx).await?;
        w.audit(
            &format!("{entity}.view"),
            entity,
            entity_id,
            "null".into(),
            "null".into(),
        );
        w.commit().await?;
        Ok(())
    }

    /// Records that `ctx` was shown a list of people (search results, a convoy's
    /// manifest, the return cases): one audit entry naming every person shown, so that
    /// "who saw whom" covers lists as well as records.
    pub async fn record_list_view(
        &self,
        ctx: &Ctx,
        action: &str,
        entity: &str,
        entity_id: &str,
        people: &[&str],
    ) -> Result<(), AppError> {
        if people.is_empty() {
            return Ok(());
        }
        let mut w = self.begin(ctx).await?;
        w.audit(
            action,
            entity,
            entity_id,
            "null".into(),
            json!({ "people": people }).to_string(),
        );
        w.commit().await?;
        Ok(())
    }

    /// Search results shown to a reader: the search, audited (`person.search`) with the
    /// people it found.
    pub async fn search_seen(
        &self,
        ctx: &Ctx,
        text: &str,
        limit: usize,
    ) -> Result<Vec<crate::SearchHit>, AppError> {
        let hits = self.search(text, limit).await?;
        let shown: Vec<&str> = hits
            .iter()
            .map(|h| h.record.person.person_id.as_str())
            .collect();
        self.record_list_view(ctx, "person.search", "search", text.trim(), &shown)
            .await?;
        Ok(hits)
    }

    /// A convoy and its manifest shown to a reader, audited (`convoy.view`) with every
    /// person on the manifest.
    pub async fn convoy_seen(
        &self,
        ctx: &Ctx,
        convoy_id: &str,
    ) -> Result<crate::relocation::ConvoyDetail, AppError> {
        let d = self.convoy_detail(convoy_id).await?;
        let shown: Vec<&str> = d
            .manifest
            .iter()
            .map(|l| l.person.person.person_id.as_str())
            .collect();
        self.record_list_view(ctx, "convoy.view", "convoy", convoy_id, &shown)
            .await?;
        Ok(d)
    }

    /// The audit log, newest first, filtered; with how many entries match.
    pub async fn audit_log(
        &self,
        filter: &AuditFilter,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<AuditEntry>, i64), AppError> {
        Ok(self
            .store
            .audit_search(filter, limit.clamp(1, 500), offset.max(0))
            .await?)
    }
}

/// An argon2 hash of a password nobody knows, verified against for unknown users so
/// that they cost the same time as known ones.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(salt.as_str().as_bytes(), &salt)
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_differ_by_salt() {
        let a = hash_password("correct horse battery").expect("hash");
        let b = hash_password("correct horse battery").expect("hash");
        assert_ne!(a, b);
        assert!(password_matches(&a, "correct horse battery"));
        assert!(!password_matches(&a, "correct horse battery!"));
        assert!(!password_matches("not a hash", "x"));
        assert!(PasswordHash::new(dummy_hash()).is_ok());
    }
}
