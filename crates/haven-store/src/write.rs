//! Writes: the [`Writer`] transaction, with its ledger movements and audit entries.

use std::collections::HashMap;

use haven_core::audit::{AuditEntry, GENESIS_HASH};
use haven_core::ledger::Account;
use haven_core::names::{joined_key, name_keys};
use haven_core::needs::NeedCode;
use haven_core::registry::{Household, ShelterUnit, Site};
use sqlx::{QueryBuilder, Row};

use crate::{Result, StoreError, Tx, on_tx};

/// Rows per multi-row INSERT: well inside SQLite's 32,766 and PostgreSQL's 65,535 bound
/// parameters for the widest table (people, 19 columns).
pub(crate) const CHUNK: usize = 1000;

#[doc(hidden)]
pub struct WriterState {
    audit_seq: i64,
    audit_hash: String,
}

/// One write transaction. Dropping it without [`commit`](Writer::commit) rolls back.
pub struct Writer {
    pub(crate) tx: Tx,
    pub(crate) actor: String,
    pub(crate) at: String,
    state: WriterState,
    pending_audit: Vec<AuditEntry>,
    next_ids: HashMap<&'static str, i64>,
    accounts: HashMap<String, i64>,
    accounts_loaded: bool,
}

/// A change of place for one person, as the store records it.
#[derive(Debug, Clone)]
pub struct MovementRow {
    pub person_key: i64,
    /// The person's external id, for the audit entry.
    pub person_id: String,
    pub from: Option<Account>,
    pub to: Account,
    pub reason: String,
    pub split_reason: Option<String>,
}

/// Where a person is now, read inside a write transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    pub person_key: i64,
    pub person_id: String,
    pub household_id: String,
    pub account: Account,
}

impl Writer {
    pub(crate) async fn start(tx: &mut Tx) -> Result<WriterState> {
        let last: Option<(i64, String)> = on_tx!(tx, c => sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut *c)
            .await?);
        let (audit_seq, audit_hash) = last.unwrap_or_else(|| (0, GENESIS_HASH.to_string()));
        Ok(WriterState {
            audit_seq,
            audit_hash,
        })
    }

    pub(crate) fn new(tx: Tx, state: WriterState) -> Self {
        Writer {
            tx,
            actor: String::new(),
            at: String::new(),
            state,
            pending_audit: Vec::new(),
            next_ids: HashMap::new(),
            accounts: HashMap::new(),
            accounts_loaded: false,
        }
    }

    /// Sets who writes and when; called by [`crate::Store::begin`].
    pub(crate) fn set_actor(&mut self, actor: &str, at: &str) {
        self.actor = actor.to_string();
        self.at = at.to_string();
    }

    /// Appends an audit entry (written at commit, chained in order).
    pub fn audit(
        &mut self,
        action: &str,
        entity: &str,
        entity_id: &str,
        before: String,
        after: String,
    ) {
        let seq = self.state.audit_seq + 1;
        let e = AuditEntry::chained(
            &self.state.audit_hash,
            seq,
            &self.at,
            &self.actor,
            action,
            entity,
            entity_id,
            before,
            after,
        );
        self.state.audit_seq = seq;
        self.state.audit_hash.clone_from(&e.hash);
        self.pending_audit.push(e);
    }

    /// Writes the pending audit entries and commits everything.
    pub async fn commit(mut self) -> Result<()> {
        self.flush_audit().await?;
        match self.tx {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }

    async fn flush_audit(&mut self) -> Result<()> {
        let pending = std::mem::take(&mut self.pending_audit);
        for chunk in pending.chunks(CHUNK) {
            match &mut self.tx {
                Tx::Sqlite(t) => {
                    audit_statement::<sqlx::Sqlite>(chunk)
                        .build()
                        .execute(&mut **t)
                        .await?;
                }
                Tx::Postgres(t) => {
                    audit_statement::<sqlx::Postgres>(chunk)
                        .build()
                        .execute(&mut **t)
                        .await?;
                }
            }
        }
        Ok(())
    }

    /// Allocates `n` consecutive ids in `table` (safe: we hold the writer lock).
    pub(crate) async fn alloc_ids(&mut self, table: &'static str, n: usize) -> Result<i64> {
        let next = match self.next_ids.get(table) {
            Some(n) => *n,
            None => {
                let sql = match table {
                    "sites" => "SELECT COALESCE(MAX(id), 0) FROM sites",
                    "shelter_units" => "SELECT COALESCE(MAX(id), 0) FROM shelter_units",
                    "accounts" => "SELECT COALESCE(MAX(id), 0) FROM accounts",
                    "households" => "SELECT COALESCE(MAX(id), 0) FROM households",
                    "people" => "SELECT COALESCE(MAX(id), 0) FROM people",
                    "movements" => "SELECT COALESCE(MAX(id), 0) FROM movements",
                    "relocation_plans" => "SELECT COALESCE(MAX(id), 0) FROM relocation_plans",
                    "convoys" => "SELECT COALESCE(MAX(id), 0) FROM convoys",
                    "pledges" => "SELECT COALESCE(MAX(id), 0) FROM pledges",
                    "placement_runs" => "SELECT COALESCE(MAX(id), 0) FROM placement_runs",
                    "referrals" => "SELECT COALESCE(MAX(id), 0) FROM referrals",
                    "voluntary_returns" => "SELECT COALESCE(MAX(id), 0) FROM voluntary_returns",
                    "rsd_officers" => "SELECT COALESCE(MAX(id), 0) FROM rsd_officers",
                    "rsd_interpreters" => "SELECT COALESCE(MAX(id), 0) FROM rsd_interpreters",
                    "rsd_claims" => "SELECT COALESCE(MAX(id), 0) FROM rsd_claims",
                    "rsd_interviews" => "SELECT COALESCE(MAX(id), 0) FROM rsd_interviews",
                    "rsd_decisions" => "SELECT COALESCE(MAX(id), 0) FROM rsd_decisions",
                    "agencies" => "SELECT COALESCE(MAX(id), 0) FROM agencies",
                    "users" => "SELECT COALESCE(MAX(id), 0) FROM users",
                    other => {
                        return Err(StoreError::Invalid(format!("no id sequence for {other}")));
                    }
                };
                let max: i64 =
                    on_tx!(&mut self.tx, c => sqlx::query_scalar(sql).fetch_one(&mut *c).await?);
                max + 1
            }
        };
        self.next_ids.insert(table, next + n as i64);
        Ok(next)
    }

    /// Loads every account into the cache once per transaction: an import touches as
    /// many accounts as there are shelter units, and one query beats thousands.
    async fn load_accounts(&mut self) -> Result<()> {
        if self.accounts_loaded {
            return Ok(());
        }
        let rows: Vec<(String, i64)> = on_tx!(&mut self.tx, c => sqlx::query_as("SELECT key, id FROM accounts")
            .fetch_all(&mut *c)
            .await?);
        self.accounts.extend(rows);
        self.accounts_loaded = true;
        Ok(())
    }

    /// The id of a place account, created on first use.
    pub async fn account_id(&mut self, account: &Account) -> Result<i64> {
        self.ensure_accounts(std::slice::from_ref(account)).await?;
        self.accounts
            .get(&account.key())
            .copied()
            .ok_or_else(|| StoreError::Invalid(format!("account {account} was not created")))
    }

    /// Creates the accounts that do not exist yet, in bulk.
    pub async fn ensure_accounts(&mut self, accounts: &[Account]) -> Result<()> {
        self.load_accounts().await?;
        let mut missing: Vec<&Account> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for a in accounts {
            let key = a.key();
            if !self.accounts.contains_key(&key) && seen.insert(key) {
                missing.push(a);
            }
        }
        if missing.is_empty() {
            return Ok(());
        }
        let first = self.alloc_ids("accounts", missing.len()).await?;
        let rows: Vec<(i64, String, &'static str)> = missing
            .iter()
            .enumerate()
            .map(|(i, a)| (first + i as i64, a.key(), a.kind()))
            .collect();
        for chunk in rows.chunks(CHUNK) {
            on_tx!(&mut self.tx, c => {
                let mut q = QueryBuilder::new("INSERT INTO accounts (id, key, kind) ");
                q.push_values(chunk, |mut b, (id, key, kind)| {
                    b.push_bind(*id).push_bind(key.as_str()).push_bind(*kind);
                });
                q.build().execute(&mut *c).await?;
            });
        }
        self.accounts
            .extend(rows.into_iter().map(|(id, key, _)| (key, id)));
        Ok(())
    }

    /// Adds or replaces specific-needs codes.
    pub async fn upsert_needs(&mut self, codes: &[NeedCode]) -> Result<()> {
        for code in codes {
            let before: Option<(String, String)> = on_tx!(&mut self.tx, c => sqlx::query_as("SELECT category, description FROM specific_needs WHERE code = $1")
                .bind(code.code.as_str())
                .fetch_optional(&mut *c)
                .await?);
            if before.as_ref() == Some(&(code.category.clone(), code.description.clone())) {
                continue;
            }
            on_tx!(&mut self.tx, c => sqlx::query(
                "INSERT INTO specific_needs (code, category, description) VALUES ($1, $2, $3) \
                 ON CONFLICT (code) DO UPDATE SET category = excluded.category, description = excluded.description",
            )
            .bind(code.code.as_str())
            .bind(code.category.as_str())
            .bind(code.description.as_str())
            .execute(&mut *c)
            .await?.rows_affected());
            let before_json = match before {
                Some((category, description)) => serde_json::json!({"code": code.code, "category": category, "description": description}).to_string(),
                None => "null".into(),
            };
            self.audit(
                "needs.upsert",
                "specific_need",
                &code.code,
                before_json,
                json(code),
            );
        }
        Ok(())
    }

    /// Sets a standard's value (the key must be one of `haven_core::standards::DEFAULTS`).
    pub async fn set_standard(&mut self, key: &str, value: f64) -> Result<()> {
        let description = haven_core::standards::DEFAULTS
            .iter()
            .find(|(k, _, _)| *k == key)
            .map(|(_, _, d)| *d)
            .ok_or_else(|| StoreError::Invalid(format!("'{key}' is not a standard")))?;
        let before: Option<f64> = on_tx!(&mut self.tx, c => sqlx::query_scalar("SELECT value FROM standards WHERE key = $1")
            .bind(key)
            .fetch_optional(&mut *c)
            .await?);
        if before == Some(value) {
            return Ok(()); // nothing changes, nothing to audit
        }
        on_tx!(&mut self.tx, c => sqlx::query(
            "INSERT INTO standards (key, value, description) VALUES ($1, $2, $3) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(key)
        .bind(value)
        .bind(description)
        .execute(&mut *c)
        .await?
        .rows_affected());
        let before = before.map_or("null".to_string(), |v| {
            serde_json::json!({ "value": v }).to_string()
        });
        self.audit(
            "standard.set",
            "standard",
            key,
            before,
            serde_json::json!({ "value": value }).to_string(),
        );
        Ok(())
    }

    /// Records a site's measured facilities (replacing earlier figures).
    pub async fn set_facilities(
        &mut self,
        site_id: &str,
        f: &haven_core::standards::Facilities,
    ) -> Result<()> {
        let site: Option<i64> = on_tx!(&mut self.tx, c => sqlx::query_scalar("SELECT id FROM sites WHERE site_id = $1")
            .bind(site_id)
            .fetch_optional(&mut *c)
            .await?);
        let site = site.ok_or_else(|| StoreError::Invalid(format!("no site with id {site_id}")))?;
        let before: Option<(f64, i64, i64)> = on_tx!(&mut self.tx, c => sqlx::query_as(
            "SELECT water_litres_per_day, latrines, showers FROM site_facilities WHERE site_id = $1",
        )
        .bind(site)
        .fetch_optional(&mut *c)
        .await?);
        on_tx!(&mut self.tx, c => sqlx::query(
            "INSERT INTO site_facilities (site_id, water_litres_per_day, latrines, showers) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (site_id) DO UPDATE SET water_litres_per_day = excluded.water_litres_per_day, \
             latrines = excluded.latrines, showers = excluded.showers",
        )
        .bind(site)
        .bind(f.water_litres_per_day)
        .bind(f.latrines)
        .bind(f.showers)
        .execute(&mut *c)
        .await?
        .rows_affected());
        let before = before.map_or("null".to_string(), |(w, l, s)| {
            json(&haven_core::standards::Facilities {
                water_litres_per_day: w,
                latrines: l,
                showers: s,
            })
        });
        self.audit("site.facilities", "site", site_id, before, json(f));
        Ok(())
    }

    /// Inserts new sites. `hash` is the content hash that makes re-import a no-op.
    pub async fn insert_sites(&mut self, sites: &[(Site, String)]) -> Result<()> {
        let first = self.alloc_ids("sites", sites.len()).await?;
        for (i, (s, hash)) in sites.iter().enumerate() {
            let id = first + i as i64;
            on_tx!(&mut self.tx, c => sqlx::query(
                "INSERT INTO sites (id, site_id, name, kind, capacity, area_m2, closing_deadline, content_hash) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(id)
            .bind(s.site_id.as_str())
            .bind(s.name.as_str())
            .bind(s.kind.as_str())
            .bind(s.capacity)
            .bind(s.area_m2)
            .bind(s.closing_deadline.as_deref())
            .bind(hash.as_str())
            .execute(&mut *c)
            .await?.rows_affected());
            self.account_id(&Account::Site(s.site_id.clone())).await?;
            self.audit("site.create", "site", &s.site_id, "null".into(), json(s));
        }
        Ok(())
    }

    /// Inserts new shelter units; their sites must exist (in the database or this
    /// transaction).
    pub async fn insert_units(&mut self, units: &[(ShelterUnit, String)]) -> Result<()> {
        let site_rows: Vec<(i64, String)> = on_tx!(&mut self.tx, c => sqlx::query_as("SELECT id, site_id FROM sites")
            .fetch_all(&mut *c)
            .await?);
        let sites: HashMap<String, i64> = site_rows.into_iter().map(|(id, s)| (s, id)).collect();
        let first = self.alloc_ids("shelter_units", units.len()).await?;
        for (i, chunk) in units.chunks(CHUNK).enumerate() {
            let mut rows = Vec::with_capacity(chunk.len());
            for (j, (u, hash)) in chunk.iter().enumerate() {
                let site = *sites.get(&u.site_id).ok_or_else(|| {
                    StoreError::Invalid(format!(
                        "unit {}: site {} does not exist",
                        u.unit_id, u.site_id
                    ))
                })?;
                rows.push((first + (i * CHUNK + j) as i64, site, u, hash));
            }
            on_tx!(&mut self.tx, c => {
                let mut q = QueryBuilder::new(
                    "INSERT INTO shelter_units (id, unit_id, site_id, name, capacity, covered_area_m2, content_hash, near_facilities) ",
                );
                q.push_values(&rows, |mut b, (id, site, u, hash)| {
                    b.push_bind(*id)
                        .push_bind(u.unit_id.as_str())
                        .push_bind(*site)
                        .push_bind(u.name.as_str())
                        .push_bind(u.capacity)
                        .push_bind(u.covered_area_m2)
                        .push_bind(hash.as_str())
                        .push_bind(u.near_facilities);
                });
                q.build().execute(&mut *c).await?;
            });
        }
        let accounts: Vec<Account> = units
            .iter()
            .map(|(u, _)| Account::Unit(u.unit_id.clone()))
            .collect();
        self.ensure_accounts(&accounts).await?;
        for (u, _) in units {
            self.audit(
                "shelter_unit.create",
                "shelter_unit",
                &u.unit_id,
                "null".into(),
                json(u),
            );
        }
        Ok(())
    }

    /// Registers new households: their people, their name keys for search, one
    /// registration movement per person into the place they were registered at, and one
    /// audit entry per household. `progress` is told how many people were written so far.
    ///
    /// Work is pipelined: while the database executes one chunk's statements, the next
    /// chunk's rows, audit entries and bound statements are prepared.
    pub async fn register_households(
        &mut self,
        households: &[(Household, String)],
        // Generic, not `dyn`: a caller with a `Send` callback (a web request) gets a
        // `Send` future.
        progress: &mut impl FnMut(u64),
    ) -> Result<()> {
        let n_people: usize = households.iter().map(|(h, _)| h.members.len()).sum();
        let first_hh = self.alloc_ids("households", households.len()).await?;
        let first_person = self.alloc_ids("people", n_people).await?;
        let first_movement = self.alloc_ids("movements", n_people).await?;

        // Resolve every registration account up front, in bulk.
        let mut places: Vec<Account> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (h, _) in households {
            for p in &h.members {
                if seen.insert((p.site_id.as_str(), p.unit_id.as_deref())) {
                    places.push(match &p.unit_id {
                        Some(u) => Account::Unit(u.clone()),
                        None => Account::Site(p.site_id.clone()),
                    });
                }
            }
        }
        self.ensure_accounts(&places).await?;
        // Audit entries already pending must precede the registrations in the chain.
        self.flush_audit().await?;

        let backend = match self.tx {
            Tx::Sqlite(_) => Backend::Sqlite,
            Tx::Postgres(_) => Backend::Postgres,
        };
        let mut builder = ChunkBuilder {
            accounts: &self.accounts,
            state: &mut self.state,
            at: &self.at,
            actor: &self.actor,
            backend,
            next_hh: first_hh,
            next_person: first_person,
            person_offset_to_movement: first_movement - first_person,
        };
        let tx = &mut self.tx;
        let mut written: u64 = 0;
        let mut in_flight: Option<Prepared> = None;
        // About CHUNK people per chunk on SQLite (households are 1–10 people); COPY on
        // PostgreSQL takes larger chunks well.
        let per_chunk = match backend {
            Backend::Sqlite => CHUNK / 2,
            Backend::Postgres => 5 * CHUNK,
        };
        for group in households.chunks(per_chunk) {
            let next = match in_flight.take() {
                Some(prepared) => {
                    let (done, next) =
                        tokio::join!(execute(tx, prepared), async { builder.build(group) });
                    written += done?;
                    progress(written);
                    next?
                }
                None => builder.build(group)?,
            };
            in_flight = Some(next);
        }
        if let Some(prepared) = in_flight {
            written += execute(tx, prepared).await?;
            progress(written);
        }
        Ok(())
    }

    /// Where the given people are now (by external person id), read under the writer
    /// lock so the answer holds until commit. Unknown ids are left out.
    pub async fn positions_of_people(&mut self, person_ids: &[String]) -> Result<Vec<Position>> {
        let mut out = Vec::with_capacity(person_ids.len());
        for chunk in person_ids.chunks(CHUNK) {
            let rows = on_tx!(&mut self.tx, c => {
                let mut q = QueryBuilder::new(
                    "SELECT p.id, p.person_id, h.household_id, a.key FROM people p \
                     JOIN households h ON h.id = p.household_id JOIN accounts a ON a.id = p.account_id \
                     WHERE p.person_id IN ",
                );
                q.push_tuples_in(chunk);
                let rows = q.build().fetch_all(&mut *c).await?;
                rows.iter().map(position_row).collect::<Result<Vec<_>>>()?
            });
            out.extend(rows);
        }
        Ok(out)
    }

    /// Every member of the given households (by external household id) with their place.
    pub async fn positions_of_households(
        &mut self,
        household_ids: &[String],
    ) -> Result<Vec<Position>> {
        let mut out = Vec::new();
        for chunk in household_ids.chunks(CHUNK) {
            let rows = on_tx!(&mut self.tx, c => {
                let mut q = QueryBuilder::new(
                    "SELECT p.id, p.person_id, h.household_id, a.key FROM people p \
                     JOIN households h ON h.id = p.household_id JOIN accounts a ON a.id = p.account_id \
                     WHERE h.household_id IN ",
                );
                q.push_tuples_in(chunk);
                q.push(" ORDER BY p.id");
                let rows = q.build().fetch_all(&mut *c).await?;
                rows.iter().map(position_row).collect::<Result<Vec<_>>>()?
            });
            out.extend(rows);
        }
        Ok(out)
    }

    /// Records movements: each person's place changes, a ledger entry is written, and one
    /// `person.move` audit entry (place before; place, reason and split reason after).
    /// The caller has checked the rules (household together, source account) against
    /// [`Writer::positions_of_people`].
    pub async fn record_movements(&mut self, moves: &[MovementRow]) -> Result<()> {
        let first = self.alloc_ids("movements", moves.len()).await?;
        for (i, m) in moves.iter().enumerate() {
            let to = self.account_id(&m.to).await?;
            let from = match &m.from {
                Some(a) => Some(self.account_id(a).await?),
                None => None,
            };
            let updated = on_tx!(&mut self.tx, c => {
                let r = match from {
                    Some(f) => sqlx::query("UPDATE people SET account_id = $1 WHERE id = $2 AND account_id = $3")
                        .bind(to).bind(m.person_key).bind(f).execute(&mut *c).await?,
                    None => sqlx::query("UPDATE people SET account_id = $1 WHERE id = $2")
                        .bind(to).bind(m.person_key).execute(&mut *c).await?,
                };
                r.rows_affected()
            });
            if updated != 1 {
                return Err(StoreError::Invalid(format!(
                    "person #{} is no longer in {}",
                    m.person_key,
                    m.from.as_ref().map(Account::key).unwrap_or_default()
                )));
            }
            let (at, actor) = (self.at.clone(), self.actor.clone());
            on_tx!(&mut self.tx, c => sqlx::query(
                "INSERT INTO movements (id, person_id, from_account_id, to_account_id, at, reason, actor, split_reason) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(first + i as i64)
            .bind(m.person_key)
            .bind(from)
            .bind(to)
            .bind(at.as_str())
            .bind(m.reason.as_str())
            .bind(actor.as_str())
            .bind(m.split_reason.as_deref())
            .execute(&mut *c)
            .await?.rows_affected());
            let before =
                serde_json::json!({ "place": m.from.as_ref().map(Account::key) }).to_string();
            let after = serde_json::json!({
                "place": m.to.key(), "reason": m.reason, "split_reason": m.split_reason,
            })
            .to_string();
            self.audit("person.move", "person", &m.person_id, before, after);
        }
        Ok(())
    }

    /// Whether a site or unit account refers to a registered site or unit (other kinds
    /// of account need no registry record).
    pub async fn place_exists(&mut self, account: &Account) -> Result<bool> {
        let n: i64 = match account {
            Account::Site(s) => {
                on_tx!(&mut self.tx, c => sqlx::query_scalar("SELECT COUNT(*) FROM sites WHERE site_id = $1")
                .bind(s.as_str()).fetch_one(&mut *c).await?)
            }
            Account::Unit(u) => {
                on_tx!(&mut self.tx, c => sqlx::query_scalar("SELECT COUNT(*) FROM shelter_units WHERE unit_id = $1")
                .bind(u.as_str()).fetch_one(&mut *c).await?)
            }
            _ => 1,
        };
        Ok(n > 0)
    }
}

#[derive(Clone, Copy)]
enum Backend {
    Sqlite,
    Postgres,
}

/// Statements of one chunk, bound and ready to run, and how many people they write.
/// On PostgreSQL a chunk is a set of `COPY ... FROM STDIN` streams, many times faster
/// than multi-row INSERTs there.
enum Prepared {
    Sqlite(Vec<QueryBuilder<sqlx::Sqlite>>, u64),
    PgCopy(Vec<(&'static str, Vec<u8>)>, u64),
}

/// CSV text for `COPY ... WITH (FORMAT csv)`: text always quoted (so an empty string
/// stays empty), NULL as an unquoted empty field.
#[derive(Default)]
struct CopyBuf {
    out: Vec<u8>,
    first: bool,
}

impl CopyBuf {
    fn sep(&mut self) {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
    }
    fn text(&mut self, s: &str) -> &mut Self {
        self.sep();
        self.out.push(b'"');
        for b in s.bytes() {
            if b == b'"' {
                self.out.push(b'"');
            }
            self.out.push(b);
        }
        self.out.push(b'"');
        self
    }
    fn opt_text(&mut self, s: Option<&str>) -> &mut Self {
        match s {
            Some(s) => self.text(s),
            None => {
                self.sep();
                self
            }
        }
    }
    fn int(&mut self, n: i64) -> &mut Self {
        self.sep();
        self.out.extend_from_slice(n.to_string().as_bytes());
        self
    }
    fn null(&mut self) -> &mut Self {
        self.sep();
        self
    }
    fn end(&mut self) {
        self.out.push(b'\n');
        self.first = true;
    }
}

async fn execute(tx: &mut Tx, prepared: Prepared) -> Result<u64> {
    match (tx, prepared) {
        (Tx::Sqlite(t), Prepared::Sqlite(qs, n)) => {
            for mut q in qs {
                q.build().execute(&mut **t).await?;
            }
            Ok(n)
        }
        (Tx::Postgres(t), Prepared::PgCopy(streams, n)) => {
            for (statement, data) in streams {
                if data.is_empty() {
                    continue;
                }
                let mut copy = t.copy_in_raw(statement).await?;
                copy.send(data).await?;
                copy.finish().await?;
            }
            Ok(n)
        }
        _ => Err(StoreError::Invalid(
            "statements prepared for the other backend".into(),
        )),
    }
}

/// Prepares registration chunks: ids, name keys, audit entries, bound statements.
struct ChunkBuilder<'a> {
    accounts: &'a HashMap<String, i64>,
    state: &'a mut WriterState,
    at: &'a str,
    actor: &'a str,
    backend: Backend,
    next_hh: i64,
    next_person: i64,
    person_offset_to_movement: i64,
}

struct PersonRow<'a> {
    id: i64,
    household: i64,
    account: i64,
    languages: String,
    needs: String,
    attributes: String,
    dob: String,
    person: &'a haven_core::registry::Person,
}

impl ChunkBuilder<'_> {
    fn build(&mut self, group: &[(Household, String)]) -> Result<Prepared> {
        let mut hh_rows: Vec<(i64, &str, &str)> = Vec::with_capacity(group.len());
        let mut people: Vec<PersonRow<'_>> = Vec::with_capacity(group.len() * 2);
        let mut keys: Vec<(String, i64)> = Vec::with_capacity(group.len() * 8);
        let mut audit: Vec<AuditEntry> = Vec::with_capacity(group.len());
        for (h, hash) in group {
            let hh = self.next_hh;
            self.next_hh += 1;
            hh_rows.push((hh, h.household_id.as_str(), hash.as_str()));
            for p in &h.members {
                let key = match &p.unit_id {
                    Some(u) => Account::Unit(u.clone()).key(),
                    None => Account::Site(p.site_id.clone()).key(),
                };
                let account =
                    self.accounts.get(&key).copied().ok_or_else(|| {
                        StoreError::Invalid(format!("account {key} was not created"))
                    })?;
                let id = self.next_person;
                self.next_person += 1;
                let start = keys.len();
                for part in [
                    &p.name.given_latin,
                    &p.name.family_latin,
                    &p.name.given_original,
                    &p.name.family_original,
                ] {
                    let tokens = name_keys(part);
                    // A compound name is written as one word or two (Mohammadreza,
                    // Mohammad Reza): index the joined key too.
                    let joined = (tokens.len() > 1).then(|| joined_key(part));
                    for k in tokens.into_iter().chain(joined) {
                        if !k.is_empty() && !keys[start..].iter().any(|(x, _)| *x == k) {
                            keys.push((k, id));
                        }
                    }
                }
                people.push(PersonRow {
                    id,
                    household: hh,
                    account,
                    languages: p.languages.join(";"),
                    needs: p.specific_needs.join(";"),
                    attributes: haven_core::validate::attributes_text(&p.attributes),
                    dob: p.date_of_birth.to_string(),
                    person: p,
                });
            }
            let seq = self.state.audit_seq + 1;
            let e = AuditEntry::chained(
                &self.state.audit_hash,
                seq,
                self.at,
                self.actor,
                "household.register",
                "household",
                &h.household_id,
                "null".into(),
                json(h),
            );
            self.state.audit_seq = seq;
            self.state.audit_hash.clone_from(&e.hash);
            audit.push(e);
        }
        let n = people.len() as u64;
        let offset = self.person_offset_to_movement;
        Ok(match self.backend {
            Backend::Sqlite => Prepared::Sqlite(
                registration_statements(
                    &hh_rows, &people, &keys, &audit, offset, self.at, self.actor,
                ),
                n,
            ),
            Backend::Postgres => Prepared::PgCopy(
                registration_copies(
                    &hh_rows, &people, &keys, &audit, offset, self.at, self.actor,
                ),
                n,
            ),
        })
    }
}

/// Binds the multi-row INSERTs of one registration chunk.
fn registration_statements<DB: sqlx::Database>(
    hh_rows: &[(i64, &str, &str)],
    people: &[PersonRow<'_>],
    keys: &[(String, i64)],
    audit: &[AuditEntry],
    movement_offset: i64,
    at: &str,
    actor: &str,
) -> Vec<QueryBuilder<DB>>
where
    DB::Arguments: Default,
    i64: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<i64>: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> Option<&'q str>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    let mut out = Vec::new();
    if !hh_rows.is_empty() {
        let mut q = QueryBuilder::new("INSERT INTO households (id, household_id, content_hash) ");
        q.push_values(hh_rows, |mut b, (id, hid, hash)| {
            b.push_bind(*id).push_bind(*hid).push_bind(*hash);
        });
        out.push(q);
    }
    for chunk in people.chunks(CHUNK) {
        let mut q = QueryBuilder::new(
            "INSERT INTO people (id, person_id, household_id, relationship, given_name_latin, family_name_latin, \
             given_name_original, family_name_original, sex, date_of_birth, dob_precision, nationality, languages, \
             specific_needs, attributes, registered_site, registered_unit, registered_on, account_id) ",
        );
        q.push_values(chunk, |mut b, r| {
            let p = r.person;
            b.push_bind(r.id)
                .push_bind(p.person_id.as_str())
                .push_bind(r.household)
                .push_bind(p.relationship.as_str())
                .push_bind(p.name.given_latin.as_str())
                .push_bind(p.name.family_latin.as_str())
                .push_bind(p.name.given_original.as_str())
                .push_bind(p.name.family_original.as_str())
                .push_bind(p.sex.as_str())
                .push_bind(r.dob.as_str())
                .push_bind(p.date_of_birth.precision.as_str())
                .push_bind(p.nationality.as_str())
                .push_bind(r.languages.as_str())
                .push_bind(r.needs.as_str())
                .push_bind(r.attributes.as_str())
                .push_bind(p.site_id.as_str())
                .push_bind(p.unit_id.as_deref())
                .push_bind(p.registered_on.as_str())
                .push_bind(r.account);
        });
        out.push(q);
        let mut q = QueryBuilder::new(
            "INSERT INTO movements (id, person_id, from_account_id, to_account_id, at, reason, actor, split_reason) ",
        );
        q.push_values(chunk, |mut b, r| {
            b.push_bind(r.id + movement_offset)
                .push_bind(r.id)
                .push_bind(None::<i64>)
                .push_bind(r.account)
                .push_bind(at)
                .push_bind("registration")
                .push_bind(actor)
                .push_bind(None::<&str>);
        });
        out.push(q);
    }
    for chunk in keys.chunks(5 * CHUNK) {
        let mut q = QueryBuilder::new("INSERT INTO name_keys (key, person_id) ");
        q.push_values(chunk, |mut b, (k, id)| {
            b.push_bind(k.as_str()).push_bind(*id);
        });
        out.push(q);
    }
    for chunk in audit.chunks(CHUNK) {
        out.push(audit_statement(chunk));
    }
    out
}

/// The same rows as [`registration_statements`], as CSV for PostgreSQL's COPY.
fn registration_copies(
    hh_rows: &[(i64, &str, &str)],
    people: &[PersonRow<'_>],
    keys: &[(String, i64)],
    audit: &[AuditEntry],
    movement_offset: i64,
    at: &str,
    actor: &str,
) -> Vec<(&'static str, Vec<u8>)> {
    let mut hh = CopyBuf {
        first: true,
        ..CopyBuf::default()
    };
    for (id, hid, hash) in hh_rows {
        hh.int(*id).text(hid).text(hash).end();
    }
    let mut ps = CopyBuf {
        first: true,
        ..CopyBuf::default()
    };
    let mut mv = CopyBuf {
        first: true,
        ..CopyBuf::default()
    };
    for r in people {
        let p = r.person;
        ps.int(r.id)
            .text(&p.person_id)
            .int(r.household)
            .text(p.relationship.as_str())
            .text(&p.name.given_latin)
            .text(&p.name.family_latin)
            .text(&p.name.given_original)
            .text(&p.name.family_original)
            .text(p.sex.as_str())
            .text(&r.dob)
            .text(p.date_of_birth.precision.as_str())
            .text(&p.nationality)
            .text(&r.languages)
            .text(&r.needs)
            .text(&r.attributes)
            .text(&p.site_id)
            .opt_text(p.unit_id.as_deref())
            .text(&p.registered_on)
            .int(r.account)
            .end();
        mv.int(r.id + movement_offset)
            .int(r.id)
            .null()
            .int(r.account)
            .text(at)
            .text("registration")
            .text(actor)
            .null()
            .end();
    }
    let mut nk = CopyBuf {
        first: true,
        ..CopyBuf::default()
    };
    for (k, id) in keys {
        nk.text(k).int(*id).end();
    }
    let mut au = CopyBuf {
        first: true,
        ..CopyBuf::default()
    };
    for e in audit {
        au.int(e.seq)
            .text(&e.at)
            .text(&e.actor)
            .text(&e.action)
            .text(&e.entity)
            .text(&e.entity_id)
            .text(&e.before)
            .text(&e.after)
            .text(&e.prev_hash)
            .text(&e.hash)
            .end();
    }
    vec![
        (
            "COPY households (id, household_id, content_hash) FROM STDIN WITH (FORMAT csv)",
            hh.out,
        ),
        (
            "COPY people (id, person_id, household_id, relationship, given_name_latin, family_name_latin, \
             given_name_original, family_name_original, sex, date_of_birth, dob_precision, nationality, languages, \
             specific_needs, attributes, registered_site, registered_unit, registered_on, account_id) FROM STDIN WITH (FORMAT csv)",
            ps.out,
        ),
        (
            "COPY movements (id, person_id, from_account_id, to_account_id, at, reason, actor, split_reason) FROM STDIN WITH (FORMAT csv)",
            mv.out,
        ),
        (
            "COPY name_keys (key, person_id) FROM STDIN WITH (FORMAT csv)",
            nk.out,
        ),
        (
            "COPY audit_log (seq, at, actor, action, entity, entity_id, before_json, after_json, prev_hash, hash) FROM STDIN WITH (FORMAT csv)",
            au.out,
        ),
    ]
}

/// One multi-row INSERT of audit entries.
fn audit_statement<DB: sqlx::Database>(entries: &[AuditEntry]) -> QueryBuilder<DB>
where
    DB::Arguments: Default,
    i64: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    let mut q = QueryBuilder::new(
        "INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, before_json, after_json, prev_hash, hash) ",
    );
    q.push_values(entries, |mut b, e| {
        b.push_bind(e.seq)
            .push_bind(e.at.as_str())
            .push_bind(e.actor.as_str())
            .push_bind(e.action.as_str())
            .push_bind(e.entity.as_str())
            .push_bind(e.entity_id.as_str())
            .push_bind(e.before.as_str())
            .push_bind(e.after.as_str())
            .push_bind(e.prev_hash.as_str())
            .push_bind(e.hash.as_str());
    });
    q
}

pub(crate) fn position_row<R: Row>(r: &R) -> Result<Position>
where
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    usize: sqlx::ColumnIndex<R>,
{
    let key: String = r.try_get(3usize)?;
    let account = Account::parse(&key).map_err(|e| StoreError::Corrupt {
        table: "accounts",
        message: e.to_string(),
    })?;
    Ok(Position {
        person_key: r.try_get(0usize)?,
        person_id: r.try_get(1usize)?,
        household_id: r.try_get(2usize)?,
        account,
    })
}

/// JSON of a record for the audit log.
pub(crate) fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|e| format!("{{\"unserialisable\":\"{e}\"}}"))
}

/// `IN (...)` lists for the query builder.
pub(crate) trait PushIn {
    fn push_tuples_in(&mut self, values: &[String]) -> &mut Self;
}

impl<DB: sqlx::Database> PushIn for QueryBuilder<DB>
where
    for<'a> &'a str: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    fn push_tuples_in(&mut self, values: &[String]) -> &mut Self {
        self.push("(");
        let mut sep = self.separated(", ");
        for v in values {
            sep.push_bind(v.as_str());
        }
        self.push(")");
        self
    }
}
