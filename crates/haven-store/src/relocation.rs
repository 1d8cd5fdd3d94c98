//! Relocation in the store: people on hold, plans, convoys and their manifests.

use std::collections::{BTreeMap, HashMap, HashSet};

use futures_util::TryStreamExt;
use haven_core::ledger::Account;
use haven_core::registry::{Site, SiteKind};
use sqlx::{QueryBuilder, Row};

use crate::read::{PERSON_COLUMNS, PersonRecord, corrupt, person_row};
use crate::write::{CHUNK, PushIn};
use crate::{Result, Store, StoreError, Writer, on_db, on_tx};

/// Why a person cannot travel now, and since when.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Hold {
    pub reason: String,
    pub since: String,
    pub actor: String,
}

/// A convoy as stored, with how many of its manifest are in each status.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ConvoyRecord {
    #[serde(skip)]
    pub key: i64,
    pub convoy_id: String,
    pub plan_id: i64,
    pub from_site: String,
    pub to_site: String,
    pub date: String,
    pub seats: i64,
    /// `planned`, `departed` or `arrived`.
    pub status: String,
    pub departed_at: Option<String>,
    pub arrived_at: Option<String>,
    /// Manifest entries by status (`planned`, `departed`, `stayed`, `arrived`, `missing`, `found`).
    pub manifest: BTreeMap<String, i64>,
}

/// One person on a convoy's manifest.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ManifestLine {
    #[serde(flatten)]
    pub person: PersonRecord,
    /// The shelter unit allocated at the destination.
    pub to_unit: String,
    pub priority: bool,
    pub status: String,
    pub note: Option<String>,
}

/// A relocation plan's header: its sites, rules and the households it held back.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PlanRecord {
    pub plan_id: i64,
    pub from_site: String,
    pub to_site: String,
    pub created_at: String,
    pub actor: String,
    pub rules_json: String,
    pub held_json: String,
}

/// A manifest entry read under the writer lock, with where the person is now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestPosition {
    pub person_key: i64,
    pub person_id: String,
    pub household_id: String,
    pub account: Account,
    pub to_unit: String,
    pub status: String,
    pub hold: Option<String>,
}

/// A new manifest entry: person and household by external id, the convoy by its index
/// in the plan's convoys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewManifestEntry {
    pub convoy: usize,
    pub person_id: String,
    pub household_id: String,
    pub unit_id: String,
    pub priority: bool,
}

const CONVOY_SELECT: &str = "SELECT c.id, c.convoy_id, c.plan_id, sf.site_id, st.site_id, c.date, c.seats, c.status, \
     c.departed_at, c.arrived_at FROM convoys c JOIN relocation_plans rp ON rp.id = c.plan_id \
     JOIN sites sf ON sf.id = rp.from_site_id JOIN sites st ON st.id = rp.to_site_id ";

type ConvoyRow = (
    i64,
    String,
    i64,
    String,
    String,
    String,
    i64,
    String,
    Option<String>,
    Option<String>,
);

fn convoy_record(r: ConvoyRow) -> ConvoyRecord {
    ConvoyRecord {
        key: r.0,
        convoy_id: r.1,
        plan_id: r.2,
        from_site: r.3,
        to_site: r.4,
        date: r.5,
        seats: r.6,
        status: r.7,
        departed_at: r.8,
        arrived_at: r.9,
        manifest: BTreeMap::new(),
    }
}

/// The ids of a site's account and its units' accounts (`$1`: the site's account key,
/// `$2`: the site id). Resolving accounts first lets both databases reach people through
/// the account index instead of scanning everyone.
const SITE_ACCOUNTS: &str = "SELECT sa.id FROM accounts sa WHERE sa.key = $1 UNION ALL \
     SELECT ua.id FROM shelter_units u JOIN sites s ON s.id = u.site_id \
     JOIN accounts ua ON ua.key = 'unit:' || u.unit_id WHERE s.site_id = $2";

/// Manifest statuses of people still on their way: planned to travel or travelling.
const OPEN: &str = "('planned', 'departed')";
/// Manifest statuses that keep a place in the destination unit: on their way, or
/// missing on arrival (the unit is kept for them until they are checked in).
const RESERVED: &str = "('planned', 'departed', 'missing')";

impl Store {
    /// Refreshes the query planner's statistics (after a bulk load).
    pub async fn analyse(&self) -> Result<()> {
        match self {
            Store::Sqlite(p) => {
                sqlx::query("PRAGMA optimize=0x10002").execute(p).await?;
            }
            Store::Postgres(p) => {
                sqlx::query("ANALYZE").execute(p).await?;
            }
        }
        Ok(())
    }

    /// One site's record.
    pub async fn site_record(&self, site_id: &str) -> Result<Option<Site>> {
        type Row = (String, String, String, i64, Option<f64>, Option<String>);
        let row: Option<Row> = on_db!(self, c => sqlx::query_as(
            "SELECT site_id, name, kind, capacity, area_m2, closing_deadline FROM sites WHERE site_id = $1",
        )
        .bind(site_id)
        .fetch_optional(c)
        .await?);
        row.map(
            |(site_id, name, kind, capacity, area_m2, closing_deadline)| {
                let kind = SiteKind::parse(&kind)
                    .ok_or_else(|| corrupt("sites", format!("{site_id}: kind '{kind}'")))?;
                Ok(Site {
                    site_id,
                    name,
                    kind,
                    capacity,
                    area_m2,
                    closing_deadline,
                })
            },
        )
        .transpose()
    }

    /// People at a site: in its account or in any of its shelter units.
    pub async fn people_at_site(&self, site_id: &str) -> Result<Vec<PersonRecord>> {
        let sql = format!(
            "SELECT {PERSON_COLUMNS} FROM people p JOIN households h ON h.id = p.household_id \
             JOIN accounts a ON a.id = p.account_id \
             WHERE p.account_id IN ({SITE_ACCOUNTS}) ORDER BY h.id, p.id"
        );
        let site_key = Account::Site(site_id.to_string()).key();
        on_db!(self, c => {
            let mut out = Vec::new();
            let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(site_key).bind(site_id).fetch(c);
            while let Some(r) = rows.try_next().await? {
                out.push(person_row(&r)?);
            }
            Ok(out)
        })
    }

    /// Every member of every household with someone at `site_id`, wherever each is now.
    pub async fn households_at_site(&self, site_id: &str) -> Result<Vec<PersonRecord>> {
        let sql = format!(
            "SELECT {PERSON_COLUMNS} FROM people p JOIN households h ON h.id = p.household_id \
             JOIN accounts a ON a.id = p.account_id \
             WHERE p.household_id IN (SELECT p2.household_id FROM people p2 WHERE p2.account_id IN ({SITE_ACCOUNTS})) \
             ORDER BY h.id, p.id"
        );
        let site_key = Account::Site(site_id.to_string()).key();
        on_db!(self, c => {
            let mut out = Vec::new();
            let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(site_key).bind(site_id).fetch(c);
            while let Some(r) = rows.try_next().await? {
                out.push(person_row(&r)?);
            }
            Ok(out)
        })
    }

    /// Everyone on hold, by person id.
    pub async fn holds(&self) -> Result<HashMap<String, Hold>> {
        let rows: Vec<(String, String, String, String)> = on_db!(self, c => sqlx::query_as(
            "SELECT p.person_id, ph.reason, ph.since, ph.actor FROM person_holds ph JOIN people p ON p.id = ph.person_id",
        )
        .fetch_all(c)
        .await?);
        Ok(rows
            .into_iter()
            .map(|(p, reason, since, actor)| {
                (
                    p,
                    Hold {
                        reason,
                        since,
                        actor,
                    },
                )
            })
            .collect())
    }

    /// People at `site_id` who are on a convoy's manifest and have not yet arrived
    /// (planned or travelling).
    pub async fn people_on_open_manifests(&self, site_id: &str) -> Result<HashSet<String>> {
        let sql = format!(
            "SELECT p.person_id FROM people p WHERE p.account_id IN ({SITE_ACCOUNTS}) \
             AND EXISTS (SELECT 1 FROM manifest_entries me WHERE me.person_id = p.id AND me.status IN {OPEN})"
        );
        let site_key = Account::Site(site_id.to_string()).key();
        let rows: Vec<String> = on_db!(self, c => sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(site_key).bind(site_id).fetch_all(c).await?);
        Ok(rows.into_iter().collect())
    }

    /// People planned, travelling or missing on arrival, with the unit of `site_id` kept
    /// for them.
    pub async fn reserved_places(&self, site_id: &str) -> Result<Vec<(PersonRecord, String)>> {
        let sql = format!(
            "SELECT {PERSON_COLUMNS}, u.unit_id FROM manifest_entries me JOIN people p ON p.id = me.person_id \
             JOIN households h ON h.id = p.household_id JOIN accounts a ON a.id = p.account_id \
             JOIN shelter_units u ON u.id = me.unit_id JOIN sites s ON s.id = u.site_id \
             WHERE s.site_id = $1 AND me.status IN {RESERVED}"
        );
        on_db!(self, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(site_id).fetch_all(c).await?;
            rows.iter()
                .map(|r| Ok((person_row(r)?, r.try_get::<String, _>(18usize)?)))
                .collect()
        })
    }

    /// Every convoy, in date order, with its manifest counts.
    pub async fn convoys(&self) -> Result<Vec<ConvoyRecord>> {
        let sql = format!("{CONVOY_SELECT}ORDER BY c.date, c.id");
        let rows: Vec<ConvoyRow> =
            on_db!(self, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(c).await?);
        let counts: Vec<(String, String, i64)> = on_db!(self, c => sqlx::query_as(
            "SELECT c.convoy_id, me.status, COUNT(*) FROM manifest_entries me JOIN convoys c ON c.id = me.convoy_id \
             GROUP BY c.convoy_id, me.status",
        )
        .fetch_all(c)
        .await?);
        let mut convoys: Vec<ConvoyRecord> = rows.into_iter().map(convoy_record).collect();
        let at: HashMap<String, usize> = convoys
            .iter()
            .enumerate()
            .map(|(i, c)| (c.convoy_id.clone(), i))
            .collect();
        for (convoy, status, n) in counts {
            if let Some(&i) = at.get(&convoy) {
                convoys[i].manifest.insert(status, n);
            }
        }
        Ok(convoys)
    }

    /// One convoy's manifest, household by household.
    pub async fn manifest(&self, convoy_id: &str) -> Result<Vec<ManifestLine>> {
        let sql = format!(
            "SELECT {PERSON_COLUMNS}, u.unit_id, me.priority, me.status, me.note FROM manifest_entries me \
             JOIN convoys c ON c.id = me.convoy_id JOIN people p ON p.id = me.person_id \
             JOIN households h ON h.id = p.household_id JOIN accounts a ON a.id = p.account_id \
             JOIN shelter_units u ON u.id = me.unit_id WHERE c.convoy_id = $1 ORDER BY h.id, p.id"
        );
        on_db!(self, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(convoy_id).fetch_all(c).await?;
            rows.iter()
                .map(|r| {
                    Ok(ManifestLine {
                        person: person_row(r)?,
                        to_unit: r.try_get(18usize)?,
                        priority: r.try_get(19usize)?,
                        status: r.try_get(20usize)?,
                        note: r.try_get(21usize)?,
                    })
                })
                .collect()
        })
    }

    /// A person's manifest entries, oldest convoy first: (convoy, status, unit).
    pub async fn manifests_of_person(
        &self,
        person_id: &str,
    ) -> Result<Vec<(String, String, String)>> {
        Ok(on_db!(self, c => sqlx::query_as(
            "SELECT c.convoy_id, me.status, u.unit_id FROM manifest_entries me JOIN convoys c ON c.id = me.convoy_id \
             JOIN people p ON p.id = me.person_id JOIN shelter_units u ON u.id = me.unit_id \
             WHERE p.person_id = $1 ORDER BY c.id",
        )
        .bind(person_id)
        .fetch_all(c)
        .await?))
    }

    /// Relocation plans, newest first.
    pub async fn relocation_plans(&self) -> Result<Vec<PlanRecord>> {
        let rows: Vec<(i64, String, String, String, String, String, String)> = on_db!(self, c => sqlx::query_as(
            "SELECT rp.id, sf.site_id, st.site_id, rp.created_at, rp.actor, rp.rules_json, rp.held_json \
             FROM relocation_plans rp JOIN sites sf ON sf.id = rp.from_site_id JOIN sites st ON st.id = rp.to_site_id \
             ORDER BY rp.id DESC",
        )
        .fetch_all(c)
        .await?);
        Ok(rows
            .into_iter()
            .map(
                |(plan_id, from_site, to_site, created_at, actor, rules_json, held_json)| {
                    PlanRecord {
                        plan_id,
                        from_site,
                        to_site,
                        created_at,
                        actor,
                        rules_json,
                        held_json,
                    }
                },
            )
            .collect())
    }
}

impl Writer {
    async fn person_key(&mut self, person_id: &str) -> Result<Option<i64>> {
        Ok(
            on_tx!(&mut self.tx, c => sqlx::query_scalar("SELECT id FROM people WHERE person_id = $1")
            .bind(person_id)
            .fetch_optional(&mut *c)
            .await?),
        )
    }

    /// Puts a person on hold; returns the reason it replaces, if any.
    pub async fn set_hold(&mut self, person_id: &str, reason: &str) -> Result<Option<String>> {
        let key = self
            .person_key(person_id)
            .await?
            .ok_or_else(|| StoreError::Invalid(format!("no person with id {person_id}")))?;
        let before: Option<String> = on_tx!(&mut self.tx, c => sqlx::query_scalar("SELECT reason FROM person_holds WHERE person_id = $1")
            .bind(key).fetch_optional(&mut *c).await?);
        let (at, actor) = (self.at.clone(), self.actor.clone());
        on_tx!(&mut self.tx, c => {
            sqlx::query("DELETE FROM person_holds WHERE person_id = $1").bind(key).execute(&mut *c).await?;
            sqlx::query("INSERT INTO person_holds (person_id, reason, since, actor) VALUES ($1, $2, $3, $4)")
                .bind(key).bind(reason).bind(at.as_str()).bind(actor.as_str()).execute(&mut *c).await?;
        });
        Ok(before)
    }

    /// Lifts a person's hold; returns the reason it had, `None` if there was none.
    pub async fn release_hold(&mut self, person_id: &str) -> Result<Option<String>> {
        let key = self
            .person_key(person_id)
            .await?
            .ok_or_else(|| StoreError::Invalid(format!("no person with id {person_id}")))?;
        let before: Option<String> = on_tx!(&mut self.tx, c => sqlx::query_scalar("SELECT reason FROM person_holds WHERE person_id = $1")
            .bind(key).fetch_optional(&mut *c).await?);
        on_tx!(&mut self.tx, c => sqlx::query("DELETE FROM person_holds WHERE person_id = $1").bind(key).execute(&mut *c).await?.rows_affected());
        Ok(before)
    }

    /// Stores a plan with its convoys (`(date, seats)`, in order) and manifests. Returns
    /// the plan id and the new convoys' ids, in the same order.
    pub async fn insert_plan(
        &mut self,
        from_site: &str,
        to_site: &str,
        rules_json: &str,
        held_json: &str,
        convoys: &[(String, u32)],
        entries: &[NewManifestEntry],
    ) -> Result<(i64, Vec<String>)> {
        let site = |s: &str| s.to_string();
        let mut site_keys = Vec::new();
        for s in [from_site, to_site] {
            let key: Option<i64> = on_tx!(&mut self.tx, c => sqlx::query_scalar("SELECT id FROM sites WHERE site_id = $1")
                .bind(s).fetch_optional(&mut *c).await?);
            site_keys.push(
                key.ok_or_else(|| StoreError::Invalid(format!("no site with id {}", site(s))))?,
            );
        }
        let plan = self.alloc_ids("relocation_plans", 1).await?;
        let (at, actor) = (self.at.clone(), self.actor.clone());
        on_tx!(&mut self.tx, c => sqlx::query(
            "INSERT INTO relocation_plans (id, from_site_id, to_site_id, created_at, actor, rules_json, held_json) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(plan).bind(site_keys[0]).bind(site_keys[1]).bind(at.as_str()).bind(actor.as_str())
        .bind(rules_json).bind(held_json).execute(&mut *c).await?.rows_affected());

        let first = self.alloc_ids("convoys", convoys.len()).await?;
        let ids: Vec<(i64, String)> = (0..convoys.len())
            .map(|i| {
                let key = first + i as i64;
                (key, format!("CV-{key:04}"))
            })
            .collect();
        for (chunk_ids, chunk) in ids.chunks(CHUNK).zip(convoys.chunks(CHUNK)) {
            on_tx!(&mut self.tx, c => {
                let mut q = QueryBuilder::new("INSERT INTO convoys (id, convoy_id, plan_id, date, seats, status) ");
                q.push_values(chunk_ids.iter().zip(chunk), |mut b, ((key, id), (date, seats))| {
                    b.push_bind(*key).push_bind(id.as_str()).push_bind(plan).push_bind(date.as_str())
                        .push_bind(i64::from(*seats)).push_bind("planned");
                });
                q.build().execute(&mut *c).await?;
            });
        }

        let units: Vec<(i64, String)> = on_tx!(&mut self.tx, c => sqlx::query_as(
            "SELECT u.id, u.unit_id FROM shelter_units u WHERE u.site_id = $1",
        )
        .bind(site_keys[1]).fetch_all(&mut *c).await?);
        let units: HashMap<String, i64> = units.into_iter().map(|(k, u)| (u, k)).collect();
        let mut people: HashMap<String, (i64, i64)> = HashMap::with_capacity(entries.len());
        let wanted: Vec<String> = entries.iter().map(|e| e.person_id.clone()).collect();
        for chunk in wanted.chunks(CHUNK) {
            let rows: Vec<(String, i64, i64)> = on_tx!(&mut self.tx, c => {
                let mut q = QueryBuilder::new("SELECT person_id, id, household_id FROM people WHERE person_id IN ");
                q.push_tuples_in(chunk);
                q.build_query_as().fetch_all(&mut *c).await?
            });
            people.extend(rows.into_iter().map(|(p, k, h)| (p, (k, h))));
        }
        let mut rows = Vec::with_capacity(entries.len());
        for e in entries {
            let (person, household) = *people
                .get(&e.person_id)
                .ok_or_else(|| StoreError::Invalid(format!("no person with id {}", e.person_id)))?;
            let unit = *units.get(&e.unit_id).ok_or_else(|| {
                StoreError::Invalid(format!("no shelter unit {} at {to_site}", e.unit_id))
            })?;
            let convoy = ids
                .get(e.convoy)
                .map(|c| c.0)
                .ok_or_else(|| StoreError::Invalid(format!("no convoy #{}", e.convoy)))?;
            rows.push((convoy, person, household, unit, e.priority));
        }
        for chunk in rows.chunks(CHUNK) {
            on_tx!(&mut self.tx, c => {
                let mut q = QueryBuilder::new(
                    "INSERT INTO manifest_entries (convoy_id, person_id, household_id, unit_id, priority, status) ",
                );
                q.push_values(chunk, |mut b, (convoy, person, household, unit, priority)| {
                    b.push_bind(*convoy).push_bind(*person).push_bind(*household).push_bind(*unit)
                        .push_bind(*priority).push_bind("planned");
                });
                q.build().execute(&mut *c).await?;
            });
        }
        Ok((plan, ids.into_iter().map(|(_, id)| id).collect()))
    }

    /// A convoy, read under the writer lock.
    pub async fn convoy(&mut self, convoy_id: &str) -> Result<Option<ConvoyRecord>> {
        let sql = format!("{CONVOY_SELECT}WHERE c.convoy_id = $1");
        let row: Option<ConvoyRow> = on_tx!(&mut self.tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(convoy_id).fetch_optional(&mut *c).await?);
        Ok(row.map(convoy_record))
    }

    /// A convoy's manifest with where each person is now and any hold on them.
    pub async fn manifest_positions(&mut self, convoy_key: i64) -> Result<Vec<ManifestPosition>> {
        type Row = (i64, String, String, String, String, String, Option<String>);
        let rows: Vec<Row> = on_tx!(&mut self.tx, c => sqlx::query_as(
            "SELECT p.id, p.person_id, h.household_id, a.key, u.unit_id, me.status, ph.reason \
             FROM manifest_entries me JOIN people p ON p.id = me.person_id JOIN households h ON h.id = p.household_id \
             JOIN accounts a ON a.id = p.account_id JOIN shelter_units u ON u.id = me.unit_id \
             LEFT JOIN person_holds ph ON ph.person_id = p.id \
             WHERE me.convoy_id = $1 ORDER BY h.id, p.id",
        )
        .bind(convoy_key).fetch_all(&mut *c).await?);
        rows.into_iter()
            .map(
                |(person_key, person_id, household_id, key, to_unit, status, hold)| {
                    Ok(ManifestPosition {
                        account: Account::parse(&key)
                            .map_err(|e| corrupt("accounts", e.to_string()))?,
                        person_key,
                        person_id,
                        household_id,
                        to_unit,
                        status,
                        hold,
                    })
                },
            )
            .collect()
    }

    /// Sets manifest entries' status (and note) on one convoy.
    pub async fn set_manifest_status(
        &mut self,
        convoy_key: i64,
        entries: &[(i64, &str, Option<String>)],
    ) -> Result<()> {
        for (person, status, note) in entries {
            on_tx!(&mut self.tx, c => sqlx::query(
                "UPDATE manifest_entries SET status = $1, note = $2 WHERE convoy_id = $3 AND person_id = $4",
            )
            .bind(*status).bind(note.as_deref()).bind(convoy_key).bind(*person)
            .execute(&mut *c).await?.rows_affected());
        }
        Ok(())
    }

    /// Marks a convoy departed or arrived (now), or cancelled.
    pub async fn set_convoy_status(&mut self, convoy_key: i64, status: &str) -> Result<()> {
        if status == "cancelled" {
            on_tx!(&mut self.tx, c => sqlx::query("UPDATE convoys SET status = $1 WHERE id = $2")
                .bind(status).bind(convoy_key).execute(&mut *c).await?.rows_affected());
            return Ok(());
        }
        let at = self.at.clone();
        let sql = match status {
            "departed" => "UPDATE convoys SET status = $1, departed_at = $2 WHERE id = $3",
            "arrived" => "UPDATE convoys SET status = $1, arrived_at = $2 WHERE id = $3",
            other => return Err(StoreError::Invalid(format!("no convoy status {other}"))),
        };
        on_tx!(&mut self.tx, c => sqlx::query(sql).bind(status).bind(at.as_str()).bind(convoy_key).execute(&mut *c).await?.rows_affected());
        Ok(())
    }

    /// A person's latest manifest entry still marked missing: (convoy key, convoy id, unit).
    pub async fn missing_entry(
        &mut self,
        person_key: i64,
    ) -> Result<Option<(i64, String, String)>> {
        Ok(on_tx!(&mut self.tx, c => sqlx::query_as(
            "SELECT c.id, c.convoy_id, u.unit_id FROM manifest_entries me JOIN convoys c ON c.id = me.convoy_id \
             JOIN shelter_units u ON u.id = me.unit_id WHERE me.person_id = $1 AND me.status = 'missing' \
             ORDER BY c.id DESC LIMIT 1",
        )
        .bind(person_key).fetch_optional(&mut *c).await?))
    }

    /// People in a shelter unit now plus those for whom it is kept (planned, travelling,
    /// missing on arrival).
    pub async fn unit_load(&mut self, unit_id: &str) -> Result<i64> {
        let key = Account::Unit(unit_id.to_string()).key();
        let sql = format!(
            "SELECT (SELECT COUNT(*) FROM people p JOIN accounts a ON a.id = p.account_id WHERE a.key = $1) \
             + (SELECT COUNT(*) FROM manifest_entries me JOIN shelter_units u ON u.id = me.unit_id \
                WHERE u.unit_id = $2 AND me.status IN {RESERVED})"
        );
        Ok(
            on_tx!(&mut self.tx, c => sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(key).bind(unit_id).fetch_one(&mut *c).await?),
        )
    }
}
