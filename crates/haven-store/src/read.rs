//! Reads: the trial balance, records with their history, search, export, audit.

use std::collections::{BTreeMap, HashMap};

use futures_util::TryStreamExt;
use haven_core::audit::{AuditEntry, ChainBreak, ChainVerifier};
use haven_core::ledger::{Account, TrialBalance};
use haven_core::needs::{NeedCode, NeedsCatalogue};
use haven_core::registry::{
    DateOfBirth, DobPrecision, Person, PersonName, Relationship, Sex, ShelterUnit, Site, SiteKind,
};
use haven_core::validate;
use sqlx::{QueryBuilder, Row};

use crate::{Result, Store, StoreError, on_db};

/// Five counts in one row.
type CountsRow = (
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);
/// A site with its unit totals, as selected.
type SiteRow = (
    String,
    String,
    String,
    i64,
    Option<f64>,
    Option<String>,
    i64,
    Option<i64>,
    Option<f64>,
);

/// A person as stored, with where they are now.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PersonRecord {
    #[serde(flatten)]
    pub person: Person,
    pub place: Account,
}

/// One ledger entry, for a person's history.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MovementRecord {
    pub person_id: String,
    pub from: Option<String>,
    pub to: String,
    pub at: String,
    pub reason: String,
    pub actor: String,
    pub split_reason: Option<String>,
}

/// A site with its shelter units' totals and how many people are there now.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SiteOverview {
    #[serde(flatten)]
    pub site: Site,
    pub units: i64,
    pub unit_capacity: i64,
    pub covered_area_m2: f64,
    /// People in the site's account or any of its units' accounts.
    pub occupancy: i64,
}

/// Counts of the registry, for the first screen.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RegistryCounts {
    pub people: i64,
    pub households: i64,
    pub sites: i64,
    pub shelter_units: i64,
    pub audit_entries: i64,
}

pub(crate) const PERSON_COLUMNS: &str = "p.person_id, h.household_id, p.relationship, p.given_name_latin, p.family_name_latin, \
     p.given_name_original, p.family_name_original, p.sex, p.date_of_birth, p.dob_precision, p.nationality, \
     p.languages, p.specific_needs, p.attributes, p.registered_site, p.registered_unit, p.registered_on, a.key";

pub(crate) const PERSON_FROM: &str = " FROM people p JOIN households h ON h.id = p.household_id JOIN accounts a ON a.id = p.account_id ";

pub(crate) fn corrupt(table: &'static str, message: impl Into<String>) -> StoreError {
    StoreError::Corrupt {
        table,
        message: message.into(),
    }
}

/// Maps a row of [`PERSON_COLUMNS`] back to the domain. Stored values were validated on
/// the way in; anything that no longer parses is reported as corruption, not skipped.
pub(crate) fn person_row<R: Row>(r: &R) -> Result<PersonRecord>
where
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    usize: sqlx::ColumnIndex<R>,
{
    let s = |i: usize| -> Result<String> { Ok(r.try_get::<String, _>(i)?) };
    let person_id = s(0)?;
    let bad = |field: &str, v: &str| corrupt("people", format!("{person_id}: {field} '{v}'"));
    let relationship = Relationship::parse(&s(2)?).ok_or_else(|| bad("relationship", "?"))?;
    let sex = match s(7)?.as_str() {
        "F" => Sex::F,
        "M" => Sex::M,
        "X" => Sex::X,
        v => return Err(bad("sex", v)),
    };
    let precision = validate::dob_precision(&s(9)?).map_err(|_| bad("dob_precision", "?"))?;
    let dob_text = s(8)?;
    let date_of_birth =
        parse_stored_dob(&dob_text, precision).ok_or_else(|| bad("date_of_birth", &dob_text))?;
    let list = |v: String| -> Vec<String> {
        v.split(';')
            .filter(|x| !x.is_empty())
            .map(str::to_string)
            .collect()
    };
    let attributes = validate::attributes(&s(13)?).map_err(|e| bad("attributes", &e.message))?;
    let key = s(17)?;
    let place = Account::parse(&key).map_err(|e| corrupt("accounts", e.to_string()))?;
    Ok(PersonRecord {
        person: Person {
            household_id: s(1)?,
            relationship,
            name: PersonName {
                given_latin: s(3)?,
                family_latin: s(4)?,
                given_original: s(5)?,
                family_original: s(6)?,
            },
            sex,
            date_of_birth,
            nationality: s(10)?,
            languages: list(s(11)?),
            specific_needs: list(s(12)?),
            attributes,
            site_id: s(14)?,
            unit_id: r.try_get::<Option<String>, _>(15usize)?,
            registered_on: s(16)?,
            person_id,
        },
        place,
    })
}

fn parse_stored_dob(s: &str, precision: DobPrecision) -> Option<DateOfBirth> {
    let mut it = s.split('-');
    let year = it.next()?.parse().ok()?;
    let month = it.next().map(str::parse).transpose().ok()?;
    let day = it.next().map(str::parse).transpose().ok()?;
    Some(DateOfBirth {
        year,
        month,
        day,
        precision,
    })
}

fn movement_row<R: Row>(r: &R) -> Result<MovementRecord>
where
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    usize: sqlx::ColumnIndex<R>,
{
    Ok(MovementRecord {
        person_id: r.try_get(0usize)?,
        from: r.try_get(1usize)?,
        to: r.try_get(2usize)?,
        at: r.try_get(3usize)?,
        reason: r.try_get(4usize)?,
        actor: r.try_get(5usize)?,
        split_reason: r.try_get(6usize)?,
    })
}

const MOVEMENT_SELECT: &str = "SELECT p.person_id, af.key, at.key, m.at, m.reason, m.actor, m.split_reason \
     FROM movements m JOIN people p ON p.id = m.person_id \
     LEFT JOIN accounts af ON af.id = m.from_account_id JOIN accounts at ON at.id = m.to_account_id ";

impl Store {
    /// The trial balance from the ledger entries alone (credits minus debits per account),
    /// against the number of people registered.
    pub async fn trial_balance(&self) -> Result<TrialBalance> {
        let rows: Vec<(String, i64)> = on_db!(self, c => sqlx::query_as(
            "SELECT a.key, CAST(SUM(t.n) AS BIGINT) FROM ( \
                SELECT to_account_id AS acc, COUNT(*) AS n FROM movements GROUP BY to_account_id \
                UNION ALL \
                SELECT from_account_id AS acc, -COUNT(*) AS n FROM movements WHERE from_account_id IS NOT NULL GROUP BY from_account_id \
             ) t JOIN accounts a ON a.id = t.acc GROUP BY a.key",
        )
        .fetch_all(c)
        .await?);
        let registered: i64 = on_db!(self, c => sqlx::query_scalar("SELECT COUNT(*) FROM people").fetch_one(c).await?);
        Ok(TrialBalance::new(rows.into_iter().collect(), registered))
    }

    /// How many people each account holds according to their current place (the
    /// registry's view, which must agree with the ledger's).
    pub async fn positions_by_account(&self) -> Result<BTreeMap<String, i64>> {
        let rows: Vec<(String, i64)> = on_db!(self, c => sqlx::query_as(
            "SELECT a.key, COUNT(*) FROM people p JOIN accounts a ON a.id = p.account_id GROUP BY a.key",
        )
        .fetch_all(c)
        .await?);
        Ok(rows.into_iter().collect())
    }

    pub async fn counts(&self) -> Result<RegistryCounts> {
        let one = |n: Option<i64>| n.unwrap_or(0);
        let (people, households, sites, units, audit): CountsRow = on_db!(self, c => sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM people), (SELECT COUNT(*) FROM households), (SELECT COUNT(*) FROM sites), \
             (SELECT COUNT(*) FROM shelter_units), (SELECT COUNT(*) FROM audit_log)",
        )
        .fetch_one(c)
        .await?);
        Ok(RegistryCounts {
            people: one(people),
            households: one(households),
            sites: one(sites),
            shelter_units: one(units),
            audit_entries: one(audit),
        })
    }

    pub async fn needs_catalogue(&self) -> Result<NeedsCatalogue> {
        let rows: Vec<(String, String, String)> = on_db!(self, c => sqlx::query_as(
            "SELECT code, category, description FROM specific_needs ORDER BY code",
        )
        .fetch_all(c)
        .await?);
        Ok(NeedsCatalogue::new(rows.into_iter().map(
            |(code, category, description)| NeedCode {
                code,
                category,
                description,
            },
        )))
    }

    /// External ids of sites with their content hashes.
    pub async fn site_hashes(&self) -> Result<HashMap<String, String>> {
        let rows: Vec<(String, String)> = on_db!(self, c => sqlx::query_as("SELECT site_id, content_hash FROM sites").fetch_all(c).await?);
        Ok(rows.into_iter().collect())
    }

    /// External ids of shelter units with their site ids and content hashes.
    pub async fn unit_hashes(&self) -> Result<HashMap<String, (String, String)>> {
        let rows: Vec<(String, String, String)> = on_db!(self, c => sqlx::query_as(
            "SELECT u.unit_id, s.site_id, u.content_hash FROM shelter_units u JOIN sites s ON s.id = u.site_id",
        )
        .fetch_all(c)
        .await?);
        Ok(rows.into_iter().map(|(u, s, h)| (u, (s, h))).collect())
    }

    /// External ids of households with their content hashes.
    pub async fn household_hashes(&self) -> Result<HashMap<String, String>> {
        let rows: Vec<(String, String)> = on_db!(self, c => sqlx::query_as("SELECT household_id, content_hash FROM households").fetch_all(c).await?);
        Ok(rows.into_iter().collect())
    }

    /// External ids of all people with their household's external id.
    pub async fn person_households(&self) -> Result<HashMap<String, String>> {
        let rows: Vec<(String, String)> = on_db!(self, c => sqlx::query_as(
            "SELECT p.person_id, h.household_id FROM people p JOIN households h ON h.id = p.household_id",
        )
        .fetch_all(c)
        .await?);
        Ok(rows.into_iter().collect())
    }

    pub async fn person(&self, person_id: &str) -> Result<Option<PersonRecord>> {
        let sql = format!("SELECT {PERSON_COLUMNS}{PERSON_FROM}WHERE p.person_id = $1");
        on_db!(self, c => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(person_id).fetch_optional(c).await?;
            row.as_ref().map(person_row).transpose()
        })
    }

    /// The members of a household, head first.
    pub async fn household_members(&self, household_id: &str) -> Result<Vec<PersonRecord>> {
        let sql = format!(
            "SELECT {PERSON_COLUMNS}{PERSON_FROM}WHERE h.household_id = $1 \
             ORDER BY CASE WHEN p.relationship = 'head' THEN 0 ELSE 1 END, p.id"
        );
        on_db!(self, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(household_id).fetch_all(c).await?;
            rows.iter().map(person_row).collect()
        })
    }

    /// A person's ledger history, oldest first.
    pub async fn person_history(&self, person_id: &str) -> Result<Vec<MovementRecord>> {
        let sql = format!("{MOVEMENT_SELECT}WHERE p.person_id = $1 ORDER BY m.id");
        on_db!(self, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(person_id).fetch_all(c).await?;
            rows.iter().map(movement_row).collect()
        })
    }

    /// The ledger history of every member of a household, oldest first.
    pub async fn household_history(&self, household_id: &str) -> Result<Vec<MovementRecord>> {
        let sql = format!(
            "{MOVEMENT_SELECT}JOIN households h ON h.id = p.household_id WHERE h.household_id = $1 ORDER BY m.id"
        );
        on_db!(self, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(household_id).fetch_all(c).await?;
            rows.iter().map(movement_row).collect()
        })
    }

    /// Audit entries that changed one record, oldest first: its timeline. Reads of the
    /// record (`….view`) are left out; they are for the audit log viewer, and a record
    /// read often would otherwise carry all its reads into every page that shows it.
    pub async fn audit_for(&self, entity: &str, entity_id: &str) -> Result<Vec<AuditEntry>> {
        on_db!(self, c => {
            let rows = sqlx::query(
                "SELECT seq, at, actor, action, entity, entity_id, before_json, after_json, prev_hash, hash \
                 FROM audit_log WHERE entity = $1 AND entity_id = $2 AND action NOT LIKE '%.view' ORDER BY seq",
            )
            .bind(entity)
            .bind(entity_id)
            .fetch_all(c)
            .await?;
            rows.iter().map(audit_row).collect()
        })
    }

    /// People who have at least `min_keys` of the given name keys, up to `limit`:
    /// those with most keys first, then those whose name is spelled exactly as `exact`
    /// (given name, or given and family name; case-insensitive in Latin). The caller
    /// ranks them by name similarity.
    pub async fn search_by_keys(
        &self,
        keys: &[String],
        min_keys: usize,
        exact: &str,
        limit: i64,
    ) -> Result<Vec<PersonRecord>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let exact = exact.split_whitespace().collect::<Vec<_>>().join(" ");
        let exact_lower = exact.to_lowercase();
        on_db!(self, c => {
            let mut q = QueryBuilder::new(format!(
                "SELECT {PERSON_COLUMNS}{PERSON_FROM}JOIN (SELECT person_id AS pid, COUNT(*) AS hits FROM name_keys WHERE key IN ("
            ));
            let mut sep = q.separated(", ");
            for k in keys {
                sep.push_bind(k.as_str());
            }
            q.push(") GROUP BY person_id HAVING COUNT(*) >= ");
            q.push_bind(min_keys as i64);
            q.push(" ORDER BY COUNT(*) DESC, person_id LIMIT 5000) k ON k.pid = p.id ORDER BY k.hits DESC, CASE WHEN LOWER(p.given_name_latin) = ");
            q.push_bind(exact_lower.clone());
            q.push(" OR LOWER(p.given_name_latin || ' ' || p.family_name_latin) = ");
            q.push_bind(exact_lower.clone());
            q.push(" OR p.given_name_original = ");
            q.push_bind(exact.clone());
            q.push(" OR (p.given_name_original || ' ' || p.family_name_original) = ");
            q.push_bind(exact.clone());
            q.push(" THEN 0 ELSE 1 END, p.id LIMIT ");
            q.push_bind(limit);
            let rows = q.build().fetch_all(c).await?;
            rows.iter().map(person_row).collect()
        })
    }

    /// Every person, household by household (head first), for export.
    pub async fn all_people(&self) -> Result<Vec<PersonRecord>> {
        let sql = format!(
            "SELECT {PERSON_COLUMNS}{PERSON_FROM}ORDER BY h.id, CASE WHEN p.relationship = 'head' THEN 0 ELSE 1 END, p.id"
        );
        on_db!(self, c => {
            let mut out = Vec::new();
            let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch(c);
            while let Some(r) = rows.try_next().await? {
                out.push(person_row(&r)?);
            }
            Ok(out)
        })
    }

    /// Every `stride`-th person (by internal id), up to `limit`: a deterministic sample
    /// for benchmarks and spot checks.
    pub async fn sample_people(&self, stride: i64, limit: i64) -> Result<Vec<PersonRecord>> {
        let sql = format!(
            "SELECT {PERSON_COLUMNS}{PERSON_FROM}WHERE p.id % $1 = 0 ORDER BY p.id LIMIT $2"
        );
        on_db!(self, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(stride.max(1)).bind(limit).fetch_all(c).await?;
            rows.iter().map(person_row).collect()
        })
    }

    pub async fn sites(&self) -> Result<Vec<SiteOverview>> {
        let rows: Vec<SiteRow> = on_db!(self, c => sqlx::query_as(
            "SELECT s.site_id, s.name, s.kind, s.capacity, s.area_m2, s.closing_deadline, \
                    COUNT(u.id), CAST(SUM(u.capacity) AS BIGINT), SUM(u.covered_area_m2) \
             FROM sites s LEFT JOIN shelter_units u ON u.site_id = s.id \
             GROUP BY s.id, s.site_id, s.name, s.kind, s.capacity, s.area_m2, s.closing_deadline ORDER BY s.id",
        )
        .fetch_all(c)
        .await?);
        let occupancy: Vec<(String, i64)> = on_db!(self, c => sqlx::query_as(
            "SELECT s.site_id, COUNT(*) FROM people p JOIN accounts a ON a.id = p.account_id \
             JOIN sites s ON a.key = 'site:' || s.site_id \
             GROUP BY s.site_id \
             UNION ALL \
             SELECT s.site_id, COUNT(*) FROM people p JOIN accounts a ON a.id = p.account_id \
             JOIN shelter_units u ON a.key = 'unit:' || u.unit_id JOIN sites s ON s.id = u.site_id \
             GROUP BY s.site_id",
        )
        .fetch_all(c)
        .await?);
        let mut occ: HashMap<String, i64> = HashMap::new();
        for (s, n) in occupancy {
            *occ.entry(s).or_default() += n;
        }
        rows.into_iter()
            .map(
                |(
                    site_id,
                    name,
                    kind,
                    capacity,
                    area_m2,
                    closing_deadline,
                    units,
                    unit_capacity,
                    area,
                )| {
                    let kind = SiteKind::parse(&kind)
                        .ok_or_else(|| corrupt("sites", format!("{site_id}: kind '{kind}'")))?;
                    Ok(SiteOverview {
                        occupancy: occ.get(&site_id).copied().unwrap_or(0),
                        site: Site {
                            site_id,
                            name,
                            kind,
                            capacity,
                            area_m2,
                            closing_deadline,
                        },
                        units,
                        unit_capacity: unit_capacity.unwrap_or(0),
                        covered_area_m2: area.unwrap_or(0.0),
                    })
                },
            )
            .collect()
    }

    pub async fn shelter_units(&self, site_id: &str) -> Result<Vec<(ShelterUnit, i64)>> {
        let rows: Vec<(String, String, i64, f64, bool, i64)> = on_db!(self, c => sqlx::query_as(
            "SELECT u.unit_id, u.name, u.capacity, u.covered_area_m2, u.near_facilities, \
                    (SELECT COUNT(*) FROM people p JOIN accounts a ON a.id = p.account_id WHERE a.key = 'unit:' || u.unit_id) \
             FROM shelter_units u JOIN sites s ON s.id = u.site_id WHERE s.site_id = $1 ORDER BY u.id",
        )
        .bind(site_id)
        .fetch_all(c)
        .await?);
        Ok(rows
            .into_iter()
            .map(
                |(unit_id, name, capacity, covered_area_m2, near_facilities, n)| {
                    (
                        ShelterUnit {
                            unit_id,
                            site_id: site_id.to_string(),
                            name,
                            capacity,
                            covered_area_m2,
                            near_facilities,
                        },
                        n,
                    )
                },
            )
            .collect())
    }

    /// Walks the audit hash chain in order. `Ok(n)` when all `n` entries verify; the
    /// first break otherwise.
    pub async fn verify_audit(&self) -> Result<std::result::Result<u64, ChainBreak>> {
        let mut v = ChainVerifier::default();
        let mut after: i64 = 0;
        loop {
            let page: Vec<AuditEntry> = on_db!(self, c => {
                let rows = sqlx::query(
                    "SELECT seq, at, actor, action, entity, entity_id, before_json, after_json, prev_hash, hash \
                     FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT 10000",
                )
                .bind(after)
                .fetch_all(c)
                .await?;
                rows.iter().map(audit_row).collect::<Result<Vec<_>>>()?
            });
            let Some(last) = page.last() else { break };
            after = last.seq;
            for e in &page {
                if let Err(b) = v.push(e) {
                    return Ok(Err(b));
                }
            }
        }
        Ok(Ok(v.verified))
    }

    /// The standards in force.
    pub async fn standards(&self) -> Result<haven_core::standards::Standards> {
        let rows: Vec<(String, f64)> = on_db!(self, c => sqlx::query_as("SELECT key, value FROM standards")
            .fetch_all(c)
            .await?);
        Ok(haven_core::standards::Standards::from_pairs(
            rows.iter().map(|(k, v)| (k.as_str(), *v)),
        ))
    }

    /// Facilities recorded per site (by external site id).
    pub async fn facilities(&self) -> Result<HashMap<String, haven_core::standards::Facilities>> {
        let rows: Vec<(String, f64, i64, i64)> = on_db!(self, c => sqlx::query_as(
            "SELECT s.site_id, f.water_litres_per_day, f.latrines, f.showers \
             FROM site_facilities f JOIN sites s ON s.id = f.site_id",
        )
        .fetch_all(c)
        .await?);
        Ok(rows
            .into_iter()
            .map(|(s, water_litres_per_day, latrines, showers)| {
                (
                    s,
                    haven_core::standards::Facilities {
                        water_litres_per_day,
                        latrines,
                        showers,
                    },
                )
            })
            .collect())
    }

    /// Haven's tables (not the migration bookkeeping), sorted.
    pub async fn table_names(&self) -> Result<Vec<String>> {
        let names: Vec<String> = match self {
            Store::Sqlite(p) => sqlx::query_scalar(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx%' ORDER BY name",
            )
            .fetch_all(p)
            .await?,
            Store::Postgres(p) => sqlx::query_scalar(
                "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' AND table_name NOT LIKE '_sqlx%' ORDER BY table_name",
            )
            .fetch_all(p)
            .await?,
        };
        Ok(names)
    }

    /// A table's columns in order, with whether each may be NULL.
    pub async fn table_columns(&self, table: &str) -> Result<Vec<(String, bool)>> {
        let cols: Vec<(String, bool)> = match self {
            Store::Sqlite(p) => {
                let rows: Vec<(String, i64, i64)> = sqlx::query_as(
                    "SELECT name, \"notnull\", pk FROM pragma_table_info($1) ORDER BY cid",
                )
                .bind(table)
                .fetch_all(p)
                .await?;
                rows.into_iter()
                    .map(|(n, notnull, pk)| (n, notnull == 0 && pk == 0))
                    .collect()
            }
            Store::Postgres(p) => {
                let rows: Vec<(String, String)> = sqlx::query_as(
                    "SELECT column_name::text, is_nullable::text FROM information_schema.columns \
                     WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position",
                )
                .bind(table)
                .fetch_all(p)
                .await?;
                rows.into_iter()
                    .map(|(n, nullable)| (n, nullable == "YES"))
                    .collect()
            }
        };
        Ok(cols)
    }

    /// Runs a raw statement outside any writer: no audit, no lock. For administration
    /// ([`crate::create_postgres_database`]) and for tests that tamper with the database
    /// on purpose; never for operation data.
    #[doc(hidden)]
    pub async fn execute_raw(&self, sql: &str) -> Result<u64> {
        on_db!(self, c => Ok(sqlx::query(sqlx::AssertSqlSafe(sql.to_string())).execute(c).await?.rows_affected()))
    }
}

pub(crate) fn audit_row<R: Row>(r: &R) -> Result<AuditEntry>
where
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    usize: sqlx::ColumnIndex<R>,
{
    Ok(AuditEntry {
        seq: r.try_get(0usize)?,
        at: r.try_get(1usize)?,
        actor: r.try_get(2usize)?,
        action: r.try_get(3usize)?,
        entity: r.try_get(4usize)?,
        entity_id: r.try_get(5usize)?,
        before: r.try_get(6usize)?,
        after: r.try_get(7usize)?,
        prev_hash: r.try_get(8usize)?,
        hash: r.try_get(9usize)?,
    })
}
