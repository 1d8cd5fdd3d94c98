//! Placement runs and referrals in the store.

use crate::{Result, Store, StoreError, Writer, on_db, on_tx};

/// A placement run as stored. The JSON columns are the use case's to read.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RunRecord {
    pub run_id: String,
    pub created_at: String,
    pub actor: String,
    /// `proposed` or `approved`.
    pub status: String,
    pub approved_at: Option<String>,
    pub approved_by: Option<String>,
    pub weights_json: String,
    pub inputs_json: String,
    pub result_json: String,
    pub objective: Option<f64>,
    pub bound: Option<f64>,
    pub gap: Option<f64>,
    pub optimal: bool,
}

/// A new run, as the use case made it.
pub struct NewRun<'a> {
    pub weights_json: &'a str,
    pub inputs_json: &'a str,
    pub result_json: &'a str,
    pub objective: Option<f64>,
    pub bound: Option<f64>,
    pub gap: Option<f64>,
    pub optimal: bool,
}

/// A referral: one household submitted to one pledge, and the country's answer.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ReferralRecord {
    #[serde(skip)]
    pub key: i64,
    pub referral_id: String,
    pub run_id: String,
    pub household_id: String,
    pub pledge_id: String,
    pub country: String,
    pub people: i64,
    /// `submitted`, `accepted`, `declined` or `departed`.
    pub status: String,
    pub submitted_at: String,
    pub decided_at: Option<String>,
    pub decided_by: Option<String>,
    pub reason: Option<String>,
    pub departure_date: Option<String>,
    pub departed_at: Option<String>,
}

const RUN_SELECT: &str = "SELECT run_id, created_at, actor, status, approved_at, approved_by, weights_json, \
     inputs_json, result_json, objective, bound, gap, optimal FROM placement_runs ";

type RunRow = (
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    String,
    String,
    Option<f64>,
    Option<f64>,
    Option<f64>,
    bool,
);

fn run_record(r: RunRow) -> RunRecord {
    RunRecord {
        run_id: r.0,
        created_at: r.1,
        actor: r.2,
        status: r.3,
        approved_at: r.4,
        approved_by: r.5,
        weights_json: r.6,
        inputs_json: r.7,
        result_json: r.8,
        objective: r.9,
        bound: r.10,
        gap: r.11,
        optimal: r.12,
    }
}

const REFERRAL_SELECT: &str = "SELECT r.id, r.referral_id, pr.run_id, h.household_id, pl.pledge_id, pl.country, r.people, \
     r.status, r.submitted_at, r.decided_at, r.decided_by, r.reason, r.departure_date, r.departed_at \
     FROM referrals r JOIN placement_runs pr ON pr.id = r.run_id JOIN households h ON h.id = r.household_id \
     JOIN pledges pl ON pl.id = r.pledge_id ";

type ReferralRow = (
    i64,
    String,
    String,
    String,
    String,
    String,
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn referral_record(r: ReferralRow) -> ReferralRecord {
    ReferralRecord {
        key: r.0,
        referral_id: r.1,
        run_id: r.2,
        household_id: r.3,
        pledge_id: r.4,
        country: r.5,
        people: r.6,
        status: r.7,
        submitted_at: r.8,
        decided_at: r.9,
        decided_by: r.10,
        reason: r.11,
        departure_date: r.12,
        departed_at: r.13,
    }
}

impl Store {
    /// Placement runs, newest first.
    pub async fn placement_runs(&self) -> Result<Vec<RunRecord>> {
        let sql = format!("{RUN_SELECT}ORDER BY id DESC");
        let rows: Vec<RunRow> =
            on_db!(self, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(c).await?);
        Ok(rows.into_iter().map(run_record).collect())
    }

    pub async fn placement_run(&self, run_id: &str) -> Result<Option<RunRecord>> {
        let sql = format!("{RUN_SELECT}WHERE run_id = $1");
        let row: Option<RunRow> = on_db!(self, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(run_id).fetch_optional(c).await?);
        Ok(row.map(run_record))
    }

    /// Every referral, oldest first.
    pub async fn referrals(&self) -> Result<Vec<ReferralRecord>> {
        let sql = format!("{REFERRAL_SELECT}ORDER BY r.id");
        let rows: Vec<ReferralRow> =
            on_db!(self, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(c).await?);
        Ok(rows.into_iter().map(referral_record).collect())
    }
}

impl Writer {
    /// Stores a proposed run; returns its id (`RUN-0001`, ...).
    pub async fn insert_placement_run(&mut self, run: &NewRun<'_>) -> Result<String> {
        let key = self.alloc_ids("placement_runs", 1).await?;
        let run_id = format!("RUN-{key:04}");
        let (at, actor) = (self.at.clone(), self.actor.clone());
        on_tx!(&mut self.tx, c => sqlx::query(
            "INSERT INTO placement_runs (id, run_id, created_at, actor, status, weights_json, inputs_json, result_json, \
             objective, bound, gap, optimal) VALUES ($1, $2, $3, $4, 'proposed', $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(key).bind(run_id.as_str()).bind(at.as_str()).bind(actor.as_str())
        .bind(run.weights_json).bind(run.inputs_json).bind(run.result_json)
        .bind(run.objective).bind(run.bound).bind(run.gap).bind(run.optimal)
        .execute(&mut *c).await?.rows_affected());
        Ok(run_id)
    }

    /// A run, read under the writer lock.
    pub async fn placement_run(&mut self, run_id: &str) -> Result<Option<RunRecord>> {
        let sql = format!("{RUN_SELECT}WHERE run_id = $1");
        let row: Option<RunRow> = on_tx!(&mut self.tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(run_id).fetch_optional(&mut *c).await?);
        Ok(row.map(run_record))
    }

    /// Every referral, read under the writer lock.
    pub async fn referrals(&mut self) -> Result<Vec<ReferralRecord>> {
        let sql = format!("{REFERRAL_SELECT}ORDER BY r.id");
        let rows: Vec<ReferralRow> = on_tx!(&mut self.tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(&mut *c).await?);
        Ok(rows.into_iter().map(referral_record).collect())
    }

    /// Marks a run approved (now, by the actor) and refers its placements:
    /// `(household id, pledge id, people)`. Returns the new referrals' ids.
    pub async fn approve_placement_run(
        &mut self,
        run_id: &str,
        placements: &[(String, String, i64)],
    ) -> Result<Vec<String>> {
        let (at, actor) = (self.at.clone(), self.actor.clone());
        let run_key: i64 = on_tx!(&mut self.tx, c => sqlx::query_scalar("SELECT id FROM placement_runs WHERE run_id = $1")
            .bind(run_id).fetch_one(&mut *c).await?);
        on_tx!(&mut self.tx, c => sqlx::query(
            "UPDATE placement_runs SET status = 'approved', approved_at = $1, approved_by = $2 WHERE id = $3",
        )
        .bind(at.as_str()).bind(actor.as_str()).bind(run_key).execute(&mut *c).await?.rows_affected());
        let first = self.alloc_ids("referrals", placements.len()).await?;
        let mut ids = Vec::with_capacity(placements.len());
        for (i, (household, pledge, people)) in placements.iter().enumerate() {
            let key = first + i as i64;
            let referral_id = format!("REF-{key:05}");
            let n = on_tx!(&mut self.tx, c => sqlx::query(
                "INSERT INTO referrals (id, referral_id, run_id, household_id, pledge_id, people, status, submitted_at) \
                 SELECT $1, $2, $3, h.id, p.id, $4, 'submitted', $5 FROM households h, pledges p \
                 WHERE h.household_id = $6 AND p.pledge_id = $7",
            )
            .bind(key).bind(referral_id.as_str()).bind(run_key).bind(*people).bind(at.as_str())
            .bind(household.as_str()).bind(pledge.as_str())
            .execute(&mut *c).await?.rows_affected());
            if n != 1 {
                return Err(StoreError::Invalid(format!(
                    "cannot refer household {household} to pledge {pledge}: one of them does not exist"
                )));
            }
            ids.push(referral_id);
        }
        Ok(ids)
    }

    /// Records a country's decision or a departure on a referral.
    pub async fn update_referral(
        &mut self,
        key: i64,
        status: &str,
        reason: Option<&str>,
        departure_date: Option<&str>,
    ) -> Result<()> {
        let (at, actor) = (self.at.clone(), self.actor.clone());
        on_tx!(&mut self.tx, c => {
            if status == "departed" {
                sqlx::query("UPDATE referrals SET status = $1, departed_at = $2 WHERE id = $3")
                    .bind(status).bind(at.as_str()).bind(key).execute(&mut *c).await?.rows_affected()
            } else {
                sqlx::query(
                    "UPDATE referrals SET status = $1, decided_at = $2, decided_by = $3, reason = $4, departure_date = $5 WHERE id = $6",
                )
                .bind(status).bind(at.as_str()).bind(actor.as_str()).bind(reason).bind(departure_date).bind(key)
                .execute(&mut *c).await?.rows_affected()
            }
        });
        Ok(())
    }
}

impl Store {
    /// Movements into departed and returned accounts since `since` (RFC 3339 or a day):
    /// the pace at which people reach a durable solution.
    pub async fn exits_since(&self, since: &str) -> Result<i64> {
        Ok(on_db!(self, c => sqlx::query_scalar(
            "SELECT COUNT(*) FROM movements m JOIN accounts a ON a.id = m.to_account_id \
             WHERE a.kind IN ('departed', 'returned') AND m.at >= $1",
        )
        .bind(since)
        .fetch_one(c)
        .await?))
    }

    /// People who have arrived at a site by convoy (manifest arrived or found).
    pub async fn people_relocated(&self) -> Result<i64> {
        Ok(on_db!(self, c => sqlx::query_scalar(
            "SELECT COUNT(DISTINCT person_id) FROM manifest_entries WHERE status IN ('arrived', 'found')",
        )
        .fetch_one(c)
        .await?))
    }
}
