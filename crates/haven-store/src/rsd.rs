//! Refugee status determination: officers, interpreters, claims (one per household),
//! interviews and decisions. The claim's life is `haven_core::rsd::Claim`, stored as JSON
//! beside the columns that reports and scheduling query (stage, slot, outcome).
//!
//! A household without a claim row has a pending claim since its head's registration;
//! the row is created at the claim's first transition.

use haven_core::rsd::{Claim, Outcome};
use serde::Serialize;

use crate::write::json;
use crate::{Result, Store, StoreError, Writer, on_db, on_tx};

/// Officers decide claims; interpreters interpret at interviews. Both are data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StaffKind {
    Officer,
    Interpreter,
}

impl StaffKind {
    pub fn as_str(self) -> &'static str {
        match self {
            StaffKind::Officer => "officer",
            StaffKind::Interpreter => "interpreter",
        }
    }

    fn table(self) -> &'static str {
        match self {
            StaffKind::Officer => "rsd_officers",
            StaffKind::Interpreter => "rsd_interpreters",
        }
    }

    fn id_column(self) -> &'static str {
        match self {
            StaffKind::Officer => "officer_id",
            StaffKind::Interpreter => "interpreter_id",
        }
    }
}

/// An RSD officer or an interpreter as registered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RsdStaff {
    pub id: String,
    pub name: String,
    pub capacity_per_day: i64,
    /// ISO 639 codes.
    pub languages: Vec<String>,
}

/// A household's claim as stored, with what scheduling and reports need of its head.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClaimRow {
    #[serde(skip)]
    pub household_key: i64,
    pub household_id: String,
    /// The principal applicant: the household head's person id.
    pub principal: String,
    /// The head's registration date, `YYYY-MM-DD`.
    pub registered_on: String,
    /// The head's languages.
    pub languages: Vec<String>,
    /// Whether any member has a specific need recorded.
    pub specific_needs: bool,
    /// `None` until the claim's first transition (pending since registration).
    pub claim: Option<Claim>,
    pub officer: Option<String>,
    pub interpreter: Option<String>,
    pub appeal_window_days: Option<i64>,
    /// The day the claim entered its current stage (`None`: pending since registration).
    pub stage_since: Option<String>,
}

/// What to store of a claim after a transition.
#[derive(Debug, Clone)]
pub struct ClaimSave<'a> {
    pub household_key: i64,
    pub claim: &'a Claim,
    pub officer: Option<&'a str>,
    pub interpreter: Option<&'a str>,
    pub appeal_window_days: i64,
    pub stage_since: &'a str,
}

/// An interview as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InterviewRecord {
    pub held_on: String,
    pub officer: String,
    pub interpreter: Option<String>,
    pub notes: String,
    pub recorded_at: String,
}

/// A decision as recorded: `instance` is `first` or `appeal`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecisionRow {
    pub instance: String,
    pub outcome: String,
    pub reasons: String,
    pub officer: String,
    pub decided_on: String,
}

/// An interview slot taken: household, day, officer, interpreter.
pub type BookingRow = (String, String, String, Option<String>);

type ClaimTuple = (
    i64,
    String,
    String,
    String,
    String,
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<String>,
);

const CLAIM_SELECT: &str = "SELECT h.id, h.household_id, p.person_id, p.registered_on, p.languages, \
     (SELECT COUNT(*) FROM people m WHERE m.household_id = h.id AND m.specific_needs <> ''), \
     c.claim_json, o.officer_id, i.interpreter_id, c.appeal_window_days, c.stage_since \
     FROM households h JOIN people p ON p.household_id = h.id AND p.relationship = 'head' \
     LEFT JOIN rsd_claims c ON c.household_id = h.id \
     LEFT JOIN rsd_officers o ON o.id = c.officer_id \
     LEFT JOIN rsd_interpreters i ON i.id = c.interpreter_id ";

const BOOKINGS_SELECT: &str = "SELECT h.household_id, c.scheduled_on, o.officer_id, i.interpreter_id \
     FROM rsd_claims c JOIN households h ON h.id = c.household_id \
     JOIN rsd_officers o ON o.id = c.officer_id LEFT JOIN rsd_interpreters i ON i.id = c.interpreter_id \
     WHERE c.stage = 'scheduled' AND c.scheduled_on >= $1 AND c.scheduled_on <= $2 \
     UNION ALL \
     SELECT h.household_id, v.held_on, o.officer_id, i.interpreter_id \
     FROM rsd_interviews v JOIN rsd_claims c ON c.id = v.claim_id JOIN households h ON h.id = c.household_id \
     JOIN rsd_officers o ON o.id = v.officer_id LEFT JOIN rsd_interpreters i ON i.id = v.interpreter_id \
     WHERE v.held_on >= $3 AND v.held_on <= $4";

fn languages(s: &str) -> Vec<String> {
    s.split(';')
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

fn claim_row(t: ClaimTuple) -> Result<ClaimRow> {
    let (
        key,
        household_id,
        principal,
        registered_on,
        langs,
        needs,
        json,
        officer,
        interp,
        window,
        since,
    ) = t;
    let claim = json
        .map(|j| {
            serde_json::from_str::<Claim>(&j).map_err(|e| StoreError::Corrupt {
                table: "rsd_claims",
                message: format!("{household_id}: {e}"),
            })
        })
        .transpose()?;
    Ok(ClaimRow {
        household_key: key,
        household_id,
        principal,
        registered_on,
        languages: languages(&langs),
        specific_needs: needs > 0,
        claim,
        officer,
        interpreter: interp,
        appeal_window_days: window,
        stage_since: since,
    })
}

fn claim_sql(only: Option<&str>) -> String {
    match only {
        Some(_) => format!("{CLAIM_SELECT}WHERE h.household_id = $1 ORDER BY h.id"),
        None => format!("{CLAIM_SELECT}ORDER BY h.id"),
    }
}

fn staff_sql(kind: StaffKind, one: bool) -> String {
    let (table, col) = (kind.table(), kind.id_column());
    let filter = if one {
        format!(" WHERE {col} = $1")
    } else {
        String::new()
    };
    format!("SELECT {col}, name, capacity_per_day, languages FROM {table}{filter} ORDER BY {col}")
}

fn staff_row((id, name, capacity_per_day, langs): (String, String, i64, String)) -> RsdStaff {
    RsdStaff {
        id,
        name,
        capacity_per_day,
        languages: languages(&langs),
    }
}

impl Writer {
    /// An officer or interpreter, read under the writer lock.
    pub async fn rsd_staff_member(
        &mut self,
        kind: StaffKind,
        id: &str,
    ) -> Result<Option<RsdStaff>> {
        let sql = staff_sql(kind, true);
        let row: Option<(String, String, i64, String)> = on_tx!(&mut self.tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&mut *c)
            .await?);
        Ok(row.map(staff_row))
    }

    /// Every officer or interpreter, read under the writer lock.
    pub async fn rsd_staff_all(&mut self, kind: StaffKind) -> Result<Vec<RsdStaff>> {
        let sql = staff_sql(kind, false);
        let rows: Vec<(String, String, i64, String)> = on_tx!(&mut self.tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .fetch_all(&mut *c)
            .await?);
        Ok(rows.into_iter().map(staff_row).collect())
    }

    /// Adds or replaces an officer or interpreter (the caller audits).
    pub async fn upsert_rsd_staff(&mut self, kind: StaffKind, s: &RsdStaff) -> Result<()> {
        let (table, col) = (kind.table(), kind.id_column());
        let langs = s.languages.join(";");
        let exists = self.rsd_staff_member(kind, &s.id).await?.is_some();
        if exists {
            let sql = format!(
                "UPDATE {table} SET name = $1, capacity_per_day = $2, languages = $3 WHERE {col} = $4"
            );
            on_tx!(&mut self.tx, c => sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(s.name.as_str())
                .bind(s.capacity_per_day)
                .bind(langs.as_str())
                .bind(s.id.as_str())
                .execute(&mut *c)
                .await?
                .rows_affected());
        } else {
            let id = self.alloc_ids(table, 1).await?;
            let sql = format!(
                "INSERT INTO {table} (id, {col}, name, capacity_per_day, languages) VALUES ($1, $2, $3, $4, $5)"
            );
            on_tx!(&mut self.tx, c => sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(id)
                .bind(s.id.as_str())
                .bind(s.name.as_str())
                .bind(s.capacity_per_day)
                .bind(langs.as_str())
                .execute(&mut *c)
                .await?
                .rows_affected());
        }
        Ok(())
    }

    /// Claims of every household (or one), read under the writer lock so that checks
    /// made on them hold until commit.
    pub async fn rsd_claim_rows(&mut self, only: Option<&str>) -> Result<Vec<ClaimRow>> {
        let sql = claim_sql(only);
        let rows: Vec<ClaimTuple> = on_tx!(&mut self.tx, c => {
            let q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
            let q = match only { Some(h) => q.bind(h.to_string()), None => q };
            q.fetch_all(&mut *c).await?
        });
        rows.into_iter().map(claim_row).collect()
    }

    /// Interview slots taken between two days (inclusive, `YYYY-MM-DD`): claims still
    /// scheduled on those days and interviews held on them.
    pub async fn rsd_bookings(&mut self, from: &str, to: &str) -> Result<Vec<BookingRow>> {
        let rows: Vec<BookingRow> = on_tx!(&mut self.tx, c => sqlx::query_as(BOOKINGS_SELECT)
            .bind(from)
            .bind(to)
            .bind(from)
            .bind(to)
            .fetch_all(&mut *c)
            .await?);
        Ok(rows)
    }

    async fn rsd_staff_key(&mut self, kind: StaffKind, id: &str) -> Result<i64> {
        let sql = format!(
            "SELECT id FROM {} WHERE {} = $1",
            kind.table(),
            kind.id_column()
        );
        let key: Option<i64> = on_tx!(&mut self.tx, c => sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&mut *c)
            .await?);
        key.ok_or_else(|| StoreError::Invalid(format!("no {} with id {id}", kind.as_str())))
    }

    async fn rsd_staff_opt(&mut self, kind: StaffKind, id: Option<&str>) -> Result<Option<i64>> {
        match id {
            Some(id) => Ok(Some(self.rsd_staff_key(kind, id).await?)),
            None => Ok(None),
        }
    }

    /// Writes a claim after a transition, creating its row on the first; returns the
    /// claim's row id. The caller audits.
    pub async fn save_rsd_claim(&mut self, s: &ClaimSave<'_>) -> Result<i64> {
        let officer = self.rsd_staff_opt(StaffKind::Officer, s.officer).await?;
        let interpreter = self
            .rsd_staff_opt(StaffKind::Interpreter, s.interpreter)
            .await?;
        let stage = s.claim.stage.key();
        let scheduled_on = match &s.claim.stage {
            haven_core::rsd::Stage::Scheduled { on, .. } => Some(haven_core::rsd::iso_date(*on)),
            _ => None,
        };
        let outcome = s.claim.standing_outcome().map(Outcome::as_str);
        let claim_json = json(s.claim);
        let at = self.at.clone();
        let existing: Option<i64> = on_tx!(&mut self.tx, c => sqlx::query_scalar("SELECT id FROM rsd_claims WHERE household_id = $1")
            .bind(s.household_key)
            .fetch_optional(&mut *c)
            .await?);
        let id = match existing {
            Some(id) => {
                on_tx!(&mut self.tx, c => sqlx::query(
                    "UPDATE rsd_claims SET stage = $1, claim_json = $2, scheduled_on = COALESCE($3, scheduled_on), \
                     officer_id = $4, interpreter_id = $5, outcome = $6, appeal_window_days = $7, stage_since = $8, \
                     updated_at = $9 WHERE id = $10",
                )
                .bind(stage)
                .bind(claim_json.as_str())
                .bind(scheduled_on.as_deref())
                .bind(officer)
                .bind(interpreter)
                .bind(outcome)
                .bind(s.appeal_window_days)
                .bind(s.stage_since)
                .bind(at.as_str())
                .bind(id)
                .execute(&mut *c)
                .await?
                .rows_affected());
                id
            }
            None => {
                let id = self.alloc_ids("rsd_claims", 1).await?;
                on_tx!(&mut self.tx, c => sqlx::query(
                    "INSERT INTO rsd_claims (id, household_id, stage, claim_json, scheduled_on, officer_id, interpreter_id, \
                     outcome, appeal_window_days, stage_since, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                )
                .bind(id)
                .bind(s.household_key)
                .bind(stage)
                .bind(claim_json.as_str())
                .bind(scheduled_on.as_deref())
                .bind(officer)
                .bind(interpreter)
                .bind(outcome)
                .bind(s.appeal_window_days)
                .bind(s.stage_since)
                .bind(at.as_str())
                .execute(&mut *c)
                .await?
                .rows_affected());
                id
            }
        };
        Ok(id)
    }

    /// Records an interview of a claim (by claim row id).
    pub async fn insert_rsd_interview(
        &mut self,
        claim: i64,
        held_on: &str,
        officer: &str,
        interpreter: Option<&str>,
        notes: &str,
    ) -> Result<()> {
        let officer = self.rsd_staff_key(StaffKind::Officer, officer).await?;
        let interpreter = self
            .rsd_staff_opt(StaffKind::Interpreter, interpreter)
            .await?;
        let id = self.alloc_ids("rsd_interviews", 1).await?;
        let at = self.at.clone();
        on_tx!(&mut self.tx, c => sqlx::query(
            "INSERT INTO rsd_interviews (id, claim_id, held_on, officer_id, interpreter_id, notes, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(claim)
        .bind(held_on)
        .bind(officer)
        .bind(interpreter)
        .bind(notes)
        .bind(at.as_str())
        .execute(&mut *c)
        .await?
        .rows_affected());
        Ok(())
    }

    /// Records a decision of a claim (by claim row id); `instance` is `first` or `appeal`.
    pub async fn insert_rsd_decision(
        &mut self,
        claim: i64,
        instance: &str,
        d: &haven_core::rsd::DecisionRecord,
    ) -> Result<()> {
        let officer = self.rsd_staff_key(StaffKind::Officer, &d.officer).await?;
        let id = self.alloc_ids("rsd_decisions", 1).await?;
        let at = self.at.clone();
        let on = haven_core::rsd::iso_date(d.on);
        on_tx!(&mut self.tx, c => sqlx::query(
            "INSERT INTO rsd_decisions (id, claim_id, instance, outcome, reasons, officer_id, decided_on, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id)
        .bind(claim)
        .bind(instance)
        .bind(d.outcome.as_str())
        .bind(d.reasons.as_str())
        .bind(officer)
        .bind(on.as_str())
        .bind(at.as_str())
        .execute(&mut *c)
        .await?
        .rows_affected());
        Ok(())
    }
}

impl Store {
    /// Every officer or interpreter, by id.
    pub async fn rsd_staff(&self, kind: StaffKind) -> Result<Vec<RsdStaff>> {
        let sql = staff_sql(kind, false);
        let rows: Vec<(String, String, i64, String)> = on_db!(self, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .fetch_all(c)
            .await?);
        Ok(rows.into_iter().map(staff_row).collect())
    }

    /// Claims of every household (or one), household by household.
    pub async fn rsd_claims(&self, only: Option<&str>) -> Result<Vec<ClaimRow>> {
        let sql = claim_sql(only);
        let rows: Vec<ClaimTuple> = on_db!(self, c => {
            let q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
            let q = match only { Some(h) => q.bind(h.to_string()), None => q };
            q.fetch_all(c).await?
        });
        rows.into_iter().map(claim_row).collect()
    }

    /// Decisions (first instance and appeal) taken between two days, inclusive.
    pub async fn rsd_decision_count(&self, from: &str, to: &str) -> Result<i64> {
        let n: i64 = on_db!(self, c => sqlx::query_scalar(
            "SELECT COUNT(*) FROM rsd_decisions WHERE decided_on >= $1 AND decided_on <= $2",
        )
        .bind(from)
        .bind(to)
        .fetch_one(c)
        .await?);
        Ok(n)
    }

    /// A household's recorded interviews, oldest first.
    pub async fn rsd_interviews(&self, household_id: &str) -> Result<Vec<InterviewRecord>> {
        let rows: Vec<(String, String, Option<String>, String, String)> = on_db!(self, c => sqlx::query_as(
            "SELECT v.held_on, o.officer_id, i.interpreter_id, v.notes, v.recorded_at FROM rsd_interviews v \
             JOIN rsd_claims c ON c.id = v.claim_id JOIN households h ON h.id = c.household_id \
             JOIN rsd_officers o ON o.id = v.officer_id LEFT JOIN rsd_interpreters i ON i.id = v.interpreter_id \
             WHERE h.household_id = $1 ORDER BY v.id",
        )
        .bind(household_id)
        .fetch_all(c)
        .await?);
        Ok(rows
            .into_iter()
            .map(
                |(held_on, officer, interpreter, notes, recorded_at)| InterviewRecord {
                    held_on,
                    officer,
                    interpreter,
                    notes,
                    recorded_at,
                },
            )
            .collect())
    }

    /// A household's recorded decisions, oldest first.
    pub async fn rsd_decisions(&self, household_id: &str) -> Result<Vec<DecisionRow>> {
        let rows: Vec<(String, String, String, String, String)> = on_db!(self, c => sqlx::query_as(
            "SELECT d.instance, d.outcome, d.reasons, o.officer_id, d.decided_on FROM rsd_decisions d \
             JOIN rsd_claims c ON c.id = d.claim_id JOIN households h ON h.id = c.household_id \
             JOIN rsd_officers o ON o.id = d.officer_id WHERE h.household_id = $1 ORDER BY d.id",
        )
        .bind(household_id)
        .fetch_all(c)
        .await?);
        Ok(rows
            .into_iter()
            .map(
                |(instance, outcome, reasons, officer, decided_on)| DecisionRow {
                    instance,
                    outcome,
                    reasons,
                    officer,
                    decided_on,
                },
            )
            .collect())
    }
}
