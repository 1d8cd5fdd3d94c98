//! Refugee status determination (RSD) use cases: officers and interpreters, interview
//! scheduling, interviews, decisions, notification, appeals, no-show closure, the sweep,
//! a person's RSD status and the queue report. See docs/rsd.md.
//!
//! One claim per household: the head is the principal applicant; the other members hold
//! derivative status from the principal's standing outcome. Every transition is checked
//! by `haven_core::rsd` inside one [`haven_store::Writer`] and written with its audit
//! entry; a refused request writes nothing.

use haven_core::rsd::{
    self, Booking, Candidate, Claim, Interviewer, Load, NotScheduled, Outcome, STAGE_KEYS, Stage,
};
use haven_core::validate;
use haven_store::{ClaimRow, ClaimSave, DecisionRow, InterviewRecord, RsdStaff, StaffKind, Writer};
use serde::Serialize;
use time::Date;

use crate::{App, AppError, Ctx, Problem};

/// Days ahead `haven rsd schedule` fills when `--days` is not given.
pub const DEFAULT_SCHEDULE_DAYS: u32 = 14;
/// The pace of decisions is measured over this many days up to today.
pub const PACE_DAYS: i64 = 28;
/// The longest appeal window a notification may give.
pub const MAX_APPEAL_WINDOW_DAYS: i64 = 365;

/// What `rsd officer add` / `rsd interpreter add` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StaffChange {
    Added,
    Updated,
    Unchanged,
}

/// A claim that found no interview slot, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotScheduledClaim {
    pub household_id: String,
    pub reason: NotScheduled,
    pub message: String,
}

/// What `rsd schedule --from` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScheduleReport {
    pub from: String,
    pub days: u32,
    /// Pending claims considered.
    pub pending: usize,
    pub scheduled: Vec<Booking>,
    pub not_scheduled: Vec<NotScheduledClaim>,
}

/// What `rsd sweep` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SweepSummary {
    /// Notified claims made final (recognitions at once, others after the window).
    pub finalised: usize,
    /// Scheduled claims closed after six weeks without contact.
    pub closed_no_show: usize,
}

/// Principal applicant or derivative (a member of the principal's household).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RsdRole {
    Principal,
    Derivative,
}

/// One person's RSD status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonRsdStatus {
    pub person_id: String,
    pub household_id: String,
    pub role: RsdRole,
    /// The principal applicant's person id (the household head).
    pub principal: String,
    /// The stage of the household's claim.
    pub stage: String,
    /// The principal's standing outcome (the appeal's, if there was one).
    pub outcome: Option<Outcome>,
    /// Whether that outcome is final.
    pub is_final: bool,
    /// Refugee status held: a recognised principal, or a derivative of one.
    pub refugee_status: bool,
    /// `principal: recognised (final)`, `derivative of P-000001: refugee status`, …
    pub summary: String,
}

/// A household's claim in brief: what other modules (resettlement) need to know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HouseholdRsdStatus {
    pub household_id: String,
    pub principal: String,
    pub stage: String,
    pub outcome: Option<Outcome>,
    pub is_final: bool,
    /// The principal is recognised (and so every member holds refugee status).
    pub recognised: bool,
}

/// A claim's page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClaimView {
    pub household_id: String,
    pub principal: String,
    pub stage: String,
    pub outcome: Option<Outcome>,
    pub is_final: bool,
    /// Since when the claim is in its stage (the head's registration while pending
    /// without a recorded transition).
    pub waiting_since: String,
    pub officer: Option<String>,
    pub interpreter: Option<String>,
    pub appeal_window_days: i64,
    /// The last day to lodge an appeal, once notified.
    pub appeal_deadline: Option<String>,
    /// The state machine's record (`None` until the first transition).
    pub claim: Option<Claim>,
    pub members: Vec<PersonRsdStatus>,
    pub interviews: Vec<InterviewRecord>,
    pub decisions: Vec<DecisionRow>,
}

/// How many claims are at a stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StageCount {
    pub stage: String,
    pub households: i64,
}

/// How long the claims at an open stage have waited there, in days.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageWait {
    pub stage: String,
    pub households: i64,
    pub longest_wait_days: Option<i64>,
    pub median_wait_days: Option<f64>,
}

/// One waiting household.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WaitingHousehold {
    pub household_id: String,
    pub principal: String,
    pub stage: String,
    pub waiting_since: String,
    pub wait_days: i64,
    pub specific_needs: bool,
}

/// Who waits, for how long, and when the queue will be through at the current pace.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueueReport {
    pub today: String,
    pub households: i64,
    /// Every stage of a claim's life, in order.
    pub by_stage: Vec<StageCount>,
    /// Open stages (all but final and closed_no_show): who waits there and how long.
    pub waiting: Vec<StageWait>,
    /// The longest-waiting open claims.
    pub oldest: Vec<WaitingHousehold>,
    /// Decisions (first instance and appeal) in the last 28 days, today included.
    pub decisions_last_28_days: i64,
    pub decisions_per_day: f64,
    /// Claims that still need a decision: pending, scheduled, interviewed, appealed.
    pub awaiting_decision: i64,
    /// today + ⌈awaiting_decision / decisions_per_day⌉ days; `None` when the pace is 0.
    pub projected_completion: Option<String>,
    pub projection_note: Option<String>,
    /// Interviews a day all registered officers together can hold.
    pub officer_capacity_per_day: i64,
    /// today + ⌈awaiting_decision / officer_capacity_per_day⌉ days, one interview
    /// leading to one decision; `None` without officer capacity.
    pub projected_completion_at_capacity: Option<String>,
}

fn invalid(field: &str, message: impl Into<String>, value: &str) -> AppError {
    AppError::Invalid(vec![Problem::new("argument", 0, field, message, value)])
}

fn refused(e: impl std::fmt::Display) -> AppError {
    AppError::Refused(e.to_string())
}

fn parse_date(field: &str, s: &str) -> Result<Date, AppError> {
    rsd::parse_iso_date(s).ok_or_else(|| invalid(field, "must be a real date YYYY-MM-DD", s))
}

fn interviewer(s: &RsdStaff) -> Interviewer {
    Interviewer {
        id: s.id.clone(),
        capacity_per_day: s.capacity_per_day,
        languages: s.languages.clone(),
    }
}

/// The claim of a row: the stored one, or a fresh pending claim since registration.
fn claim_of(row: &ClaimRow) -> Result<Claim, AppError> {
    match &row.claim {
        Some(c) => Ok(c.clone()),
        None => {
            let registered = rsd::parse_iso_date(&row.registered_on).ok_or_else(|| {
                AppError::Store(haven_store::StoreError::Corrupt {
                    table: "people",
                    message: format!("{}: registered_on '{}'", row.principal, row.registered_on),
                })
            })?;
            Ok(Claim::new(row.principal.clone(), registered))
        }
    }
}

fn waiting_since(row: &ClaimRow) -> String {
    row.stage_since
        .clone()
        .unwrap_or_else(|| row.registered_on.clone())
}

fn stage_key(row: &ClaimRow) -> &'static str {
    row.claim.as_ref().map_or("pending", |c| c.stage.key())
}

fn is_final(c: Option<&Claim>) -> bool {
    c.is_some_and(|c| matches!(c.stage, Stage::Final { .. }))
}

/// The audit record of a claim row.
fn claim_json(
    claim: Option<&Claim>,
    officer: Option<&str>,
    interpreter: Option<&str>,
    window: Option<i64>,
) -> String {
    match claim {
        None => "null".into(),
        Some(c) => serde_json::json!({
            "claim": c,
            "officer": officer,
            "interpreter": interpreter,
            "appeal_window_days": window,
        })
        .to_string(),
    }
}

/// A claim loaded for a transition, with what it was before.
struct Open {
    row: ClaimRow,
    claim: Claim,
    before: String,
}

impl Open {
    async fn load(w: &mut Writer, household_id: &str) -> Result<Open, AppError> {
        let row = w
            .rsd_claim_rows(Some(household_id))
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| AppError::NotFound(format!("no household with id {household_id}")))?;
        let claim = claim_of(&row)?;
        let before = claim_json(
            row.claim.as_ref(),
            row.officer.as_deref(),
            row.interpreter.as_deref(),
            row.appeal_window_days,
        );
        Ok(Open { row, claim, before })
    }

    fn window(&self) -> i64 {
        self.row
            .appeal_window_days
            .unwrap_or(rsd::APPEAL_WINDOW_DAYS)
    }

    /// Writes the claim and its audit entry; returns the claim's row id.
    async fn save(
        &self,
        w: &mut Writer,
        action: &str,
        officer: Option<&str>,
        interpreter: Option<&str>,
        window: i64,
        stage_since: Date,
    ) -> Result<i64, AppError> {
        let since = rsd::iso_date(stage_since);
        let id = w
            .save_rsd_claim(&ClaimSave {
                household_key: self.row.household_key,
                claim: &self.claim,
                officer,
                interpreter,
                appeal_window_days: window,
                stage_since: &since,
            })
            .await?;
        w.audit(
            action,
            "rsd_claim",
            &self.row.household_id,
            self.before.clone(),
            claim_json(Some(&self.claim), officer, interpreter, Some(window)),
        );
        Ok(id)
    }
}

async fn staff(w: &mut Writer, kind: StaffKind, id: &str) -> Result<RsdStaff, AppError> {
    w.rsd_staff_member(kind, id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no RSD {} with id {id}", kind.as_str())))
}

fn load_of(bookings: &[haven_store::BookingRow], except: Option<&str>) -> Load {
    let mut load = Load::default();
    for (household, on, officer, interpreter) in bookings {
        if except == Some(household.as_str()) {
            continue;
        }
        if let Some(on) = rsd::parse_iso_date(on) {
            load.book(on, officer, interpreter.as_deref());
        }
    }
    load
}

fn person_status(person_id: &str, household_id: &str, row: &ClaimRow) -> PersonRsdStatus {
    let outcome = row.claim.as_ref().and_then(Claim::standing_outcome);
    let final_ = is_final(row.claim.as_ref());
    let stage = stage_key(row).to_string();
    let recognised = outcome == Some(Outcome::Recognised);
    let principal = person_id == row.principal;
    let standing = match outcome {
        Some(o) if final_ => format!("{} (final)", o.as_str()),
        Some(o) => format!("{} ({stage})", o.as_str()),
        None => format!("claim {stage}"),
    };
    let summary = if principal {
        format!("principal: {standing}")
    } else if recognised {
        format!("derivative of {}: refugee status", row.principal)
    } else if outcome.is_some() {
        format!(
            "derivative of {}: none (principal {standing})",
            row.principal
        )
    } else {
        format!("derivative of {}: {standing}", row.principal)
    };
    PersonRsdStatus {
        person_id: person_id.to_string(),
        household_id: household_id.to_string(),
        role: if principal {
            RsdRole::Principal
        } else {
            RsdRole::Derivative
        },
        principal: row.principal.clone(),
        stage,
        outcome,
        is_final: final_,
        refugee_status: recognised,
        summary,
    }
}

/// Days to get through `n` claims at `per` decisions in `days` days: ⌈n · days / per⌉,
/// in integers so that the projection does not wobble with rounding.
fn ceil_days(n: i64, per: i64, days: i64) -> i64 {
    (n * days + per - 1) / per
}

fn median(sorted: &[i64]) -> Option<f64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    Some(if n % 2 == 1 {
        sorted[n / 2] as f64
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) as f64 / 2.0
    })
}

impl App {
    fn date_or_today(&self, field: &str, on: Option<&str>) -> Result<Date, AppError> {
        match on {
            Some(s) => parse_date(field, s),
            None => parse_date("today", &self.today()),
        }
    }

    /// Adds or updates an RSD officer or interpreter. `languages` are ISO 639 codes
    /// separated by `,` or `;`. Idempotent: the same data again changes nothing.
    pub async fn rsd_add_staff(
        &self,
        ctx: &Ctx,
        kind: StaffKind,
        id: &str,
        name: &str,
        capacity_per_day: i64,
        languages: &str,
    ) -> Result<StaffChange, AppError> {
        let mut problems = Vec::new();
        let id = match validate::external_id(id) {
            Ok(id) => id,
            Err(e) => {
                problems.push(Problem::new("argument", 0, "id", e.message, id));
                String::new()
            }
        };
        if name.trim().is_empty() {
            problems.push(Problem::new("argument", 0, "name", "is required", name));
        }
        if !(0..=1000).contains(&capacity_per_day) {
            problems.push(Problem::new(
                "argument",
                0,
                "capacity",
                "must be a whole number of interviews a day, 0 to 1000",
                capacity_per_day.to_string(),
            ));
        }
        let langs = match validate::languages(&languages.replace(',', ";")) {
            Ok(l) if l.is_empty() => {
                problems.push(Problem::new(
                    "argument",
                    0,
                    "languages",
                    "at least one ISO 639 code is required",
                    languages,
                ));
                l
            }
            Ok(l) => l,
            Err(e) => {
                problems.push(Problem::new(
                    "argument",
                    0,
                    "languages",
                    e.message,
                    languages,
                ));
                Vec::new()
            }
        };
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        let s = RsdStaff {
            id,
            name: name.trim().to_string(),
            capacity_per_day,
            languages: langs,
        };
        let mut w = self.begin(ctx).await?;
        let before = w.rsd_staff_member(kind, &s.id).await?;
        if before.as_ref() == Some(&s) {
            return Ok(StaffChange::Unchanged);
        }
        w.upsert_rsd_staff(kind, &s).await?;
        let change = if before.is_some() {
            StaffChange::Updated
        } else {
            StaffChange::Added
        };
        let before = before.map_or("null".to_string(), |b| {
            serde_json::to_string(&b).unwrap_or_default()
        });
        let after = serde_json::to_string(&s).unwrap_or_default();
        w.audit(
            &format!("rsd.{}", kind.as_str()),
            &format!("rsd_{}", kind.as_str()),
            &s.id,
            before,
            after,
        );
        w.commit().await?;
        Ok(change)
    }

    /// Registered officers or interpreters, by id.
    pub async fn rsd_staff(&self, kind: StaffKind) -> Result<Vec<RsdStaff>, AppError> {
        Ok(self.store.rsd_staff(kind).await?)
    }

    /// Schedules pending claims into interview slots over `days` days from `from`
    /// (today by default): see [`rsd::plan_interviews`] for the rule.
    pub async fn rsd_schedule(
        &self,
        ctx: &Ctx,
        from: Option<&str>,
        days: u32,
    ) -> Result<ScheduleReport, AppError> {
        let from = self.date_or_today("from", from)?;
        if !(1..=366).contains(&days) {
            return Err(invalid("days", "must be 1 to 366", &days.to_string()));
        }
        let to = from + time::Duration::days(i64::from(days) - 1);
        let mut w = self.begin(ctx).await?;
        let officers = w.rsd_staff_all(StaffKind::Officer).await?;
        if officers.is_empty() {
            return Err(AppError::Refused(
                "no RSD officers are registered: add them with `haven rsd officer add`".into(),
            ));
        }
        let officers: Vec<Interviewer> = officers.iter().map(interviewer).collect();
        let interpreters: Vec<Interviewer> = w
            .rsd_staff_all(StaffKind::Interpreter)
            .await?
            .iter()
            .map(interviewer)
            .collect();
        let rows: Vec<ClaimRow> = w
            .rsd_claim_rows(None)
            .await?
            .into_iter()
            .filter(|row| row.claim.as_ref().is_none_or(|c| c.stage == Stage::Pending))
            .collect();
        let principals: Vec<String> = rows.iter().map(|r| r.principal.clone()).collect();
        let absent: std::collections::HashMap<String, String> = w
            .positions_of_people(&principals)
            .await?
            .into_iter()
            .filter(|p| !p.account.is_present())
            .map(|p| (p.person_id, p.account.key()))
            .collect();
        let mut pending = std::collections::HashMap::new();
        let mut candidates = Vec::new();
        let mut not_present = Vec::new();
        for row in rows {
            if let Some(place) = absent.get(&row.principal) {
                not_present.push((
                    row.household_id.clone(),
                    NotScheduled::PrincipalNotPresent {
                        place: place.clone(),
                    },
                ));
                continue;
            }
            let since = waiting_since(&row);
            candidates.push(Candidate {
                household_id: row.household_id.clone(),
                languages: row.languages.clone(),
                priority: row.specific_needs,
                waiting_since: parse_date("stage_since", &since)?,
            });
            pending.insert(row.household_id.clone(), row);
        }
        let bookings = w
            .rsd_bookings(&rsd::iso_date(from), &rsd::iso_date(to))
            .await?;
        let mut load = load_of(&bookings, None);
        let plan =
            rsd::plan_interviews(&candidates, &officers, &interpreters, &mut load, from, days);
        let today = parse_date("today", &self.today())?;
        for b in &plan.bookings {
            let Some(row) = pending.get(&b.household_id) else {
                continue;
            };
            let mut open = Open {
                claim: claim_of(row)?,
                before: claim_json(
                    row.claim.as_ref(),
                    row.officer.as_deref(),
                    row.interpreter.as_deref(),
                    row.appeal_window_days,
                ),
                row: row.clone(),
            };
            open.claim
                .schedule(b.on, &b.officer, b.interpreter_language.as_deref())
                .map_err(refused)?;
            let window = open.window();
            open.save(
                &mut w,
                "rsd.schedule",
                Some(&b.officer),
                b.interpreter.as_deref(),
                window,
                today,
            )
            .await?;
        }
        w.commit().await?;
        Ok(ScheduleReport {
            from: rsd::iso_date(from),
            days,
            pending: candidates.len() + not_present.len(),
            scheduled: plan.bookings,
            not_scheduled: not_present
                .into_iter()
                .chain(plan.not_scheduled)
                .map(|(household_id, reason)| NotScheduledClaim {
                    household_id,
                    message: reason.to_string(),
                    reason,
                })
                .collect(),
        })
    }

    /// Schedules one claim's interview on a day with an officer (and an interpreter),
    /// checked against their capacity that day and the principal's languages.
    pub async fn rsd_schedule_one(
        &self,
        ctx: &Ctx,
        household_id: &str,
        on: Option<&str>,
        officer: &str,
        interpreter: Option<&str>,
    ) -> Result<ClaimView, AppError> {
        let on = self.date_or_today("on", on)?;
        let today = parse_date("today", &self.today())?;
        let mut w = self.begin(ctx).await?;
        let mut open = Open::load(&mut w, household_id).await?;
        let o = staff(&mut w, StaffKind::Officer, officer).await?;
        let i = match interpreter {
            Some(i) => Some(staff(&mut w, StaffKind::Interpreter, i).await?),
            None => None,
        };
        let day = rsd::iso_date(on);
        let bookings = w.rsd_bookings(&day, &day).await?;
        let load = load_of(&bookings, Some(household_id));
        let language = rsd::check_slot(
            &open.row.languages,
            on,
            &interviewer(&o),
            i.as_ref().map(interviewer).as_ref(),
            &load,
        )
        .map_err(refused)?;
        open.claim
            .schedule(on, &o.id, language.as_deref())
            .map_err(refused)?;
        let window = open.window();
        open.save(
            &mut w,
            "rsd.schedule",
            Some(&o.id),
            i.as_ref().map(|i| i.id.as_str()),
            window,
            today,
        )
        .await?;
        w.commit().await?;
        self.rsd_claim(household_id).await
    }

    /// Records the interview of a scheduled claim.
    pub async fn rsd_interview(
        &self,
        ctx: &Ctx,
        household_id: &str,
        officer: &str,
        on: Option<&str>,
        notes: &str,
    ) -> Result<ClaimView, AppError> {
        let on = self.date_or_today("on", on)?;
        let mut w = self.begin(ctx).await?;
        let mut open = Open::load(&mut w, household_id).await?;
        let o = staff(&mut w, StaffKind::Officer, officer).await?;
        open.claim.record_interview(on, &o.id).map_err(refused)?;
        let window = open.window();
        let interpreter = open.row.interpreter.clone();
        let claim = open
            .save(
                &mut w,
                "rsd.interview",
                Some(&o.id),
                interpreter.as_deref(),
                window,
                on,
            )
            .await?;
        w.insert_rsd_interview(
            claim,
            &rsd::iso_date(on),
            &o.id,
            interpreter.as_deref(),
            notes.trim(),
        )
        .await?;
        w.commit().await?;
        self.rsd_claim(household_id).await
    }

    /// Decides a claim: the first decision after the interview, or, on an appealed
    /// claim, the appeal (by another officer than the first decision's). Written
    /// reasons are required.
    pub async fn rsd_decide(
        &self,
        ctx: &Ctx,
        household_id: &str,
        outcome: Outcome,
        reasons: &str,
        officer: &str,
        on: Option<&str>,
    ) -> Result<ClaimView, AppError> {
        let on = self.date_or_today("on", on)?;
        let mut w = self.begin(ctx).await?;
        let mut open = Open::load(&mut w, household_id).await?;
        let o = staff(&mut w, StaffKind::Officer, officer).await?;
        let appeal = matches!(open.claim.stage, Stage::Appealed { .. });
        if appeal {
            open.claim
                .decide_appeal(outcome, reasons, &o.id, on)
                .map_err(refused)?;
        } else {
            open.claim
                .decide(outcome, reasons, &o.id, on)
                .map_err(refused)?;
        }
        let record = if appeal {
            open.claim.appeal_decision()
        } else {
            open.claim.first_decision()
        }
        .cloned()
        .ok_or_else(|| AppError::Refused("the decision was not recorded".into()))?;
        let window = open.window();
        let interpreter = open.row.interpreter.clone();
        let claim = open
            .save(
                &mut w,
                if appeal {
                    "rsd.decide_appeal"
                } else {
                    "rsd.decide"
                },
                Some(&o.id),
                interpreter.as_deref(),
                window,
                on,
            )
            .await?;
        w.insert_rsd_decision(claim, if appeal { "appeal" } else { "first" }, &record)
            .await?;
        w.commit().await?;
        self.rsd_claim(household_id).await
    }

    /// Records that the principal was notified of the first decision. The appeal window
    /// (30 days unless `window_days` says otherwise) is fixed here, as the letter states it.
    pub async fn rsd_notify(
        &self,
        ctx: &Ctx,
        household_id: &str,
        on: Option<&str>,
        window_days: Option<i64>,
    ) -> Result<ClaimView, AppError> {
        let on = self.date_or_today("on", on)?;
        let window = window_days.unwrap_or(rsd::APPEAL_WINDOW_DAYS);
        if !(1..=MAX_APPEAL_WINDOW_DAYS).contains(&window) {
            return Err(invalid(
                "window-days",
                format!("must be 1 to {MAX_APPEAL_WINDOW_DAYS}"),
                &window.to_string(),
            ));
        }
        self.transition(ctx, household_id, "rsd.notify", on, Some(window), |c, _| {
            c.notify(on)
        })
        .await
    }

    /// Lodges an appeal against a notified decision, within the window.
    pub async fn rsd_appeal(
        &self,
        ctx: &Ctx,
        household_id: &str,
        on: Option<&str>,
    ) -> Result<ClaimView, AppError> {
        let on = self.date_or_today("on", on)?;
        self.transition(ctx, household_id, "rsd.appeal", on, None, |c, window| {
            c.appeal(on, window)
        })
        .await
    }

    /// Closes a scheduled claim whose claimant has not come and not been in contact for
    /// six weeks.
    pub async fn rsd_no_show(
        &self,
        ctx: &Ctx,
        household_id: &str,
        on: Option<&str>,
    ) -> Result<ClaimView, AppError> {
        let on = self.date_or_today("on", on)?;
        self.transition(ctx, household_id, "rsd.no_show", on, None, |c, _| {
            c.close_no_show(on)
        })
        .await
    }

    /// Reopens a claim closed for no-show: it is pending again, waiting from today.
    pub async fn rsd_reopen(
        &self,
        ctx: &Ctx,
        household_id: &str,
        on: Option<&str>,
    ) -> Result<ClaimView, AppError> {
        let on = self.date_or_today("on", on)?;
        let mut w = self.begin(ctx).await?;
        let mut open = Open::load(&mut w, household_id).await?;
        open.claim.reopen(on).map_err(refused)?;
        let window = open.window();
        open.save(&mut w, "rsd.reopen", None, None, window, on)
            .await?;
        w.commit().await?;
        self.rsd_claim(household_id).await
    }

    /// One transition that keeps the claim's officer and interpreter. `window` sets the
    /// appeal window; without it the claim's own is kept, and `step` is given it.
    async fn transition(
        &self,
        ctx: &Ctx,
        household_id: &str,
        action: &str,
        on: Date,
        window: Option<i64>,
        step: impl FnOnce(&mut Claim, i64) -> Result<(), rsd::RsdError>,
    ) -> Result<ClaimView, AppError> {
        let mut w = self.begin(ctx).await?;
        let mut open = Open::load(&mut w, household_id).await?;
        let window = window.unwrap_or_else(|| open.window());
        step(&mut open.claim, window).map_err(refused)?;
        let (officer, interpreter) = (open.row.officer.clone(), open.row.interpreter.clone());
        open.save(
            &mut w,
            action,
            officer.as_deref(),
            interpreter.as_deref(),
            window,
            on,
        )
        .await?;
        w.commit().await?;
        self.rsd_claim(household_id).await
    }

    /// Makes notified claims final once their appeal window has passed (recognitions at
    /// once) and closes scheduled claims after six weeks without contact, as of `today`.
    pub async fn rsd_sweep(
        &self,
        ctx: &Ctx,
        today: Option<&str>,
    ) -> Result<SweepSummary, AppError> {
        let today = self.date_or_today("today", today)?;
        let mut w = self.begin(ctx).await?;
        let rows = w.rsd_claim_rows(None).await?;
        let mut summary = SweepSummary {
            finalised: 0,
            closed_no_show: 0,
        };
        for row in rows {
            let Some(claim) = row.claim.clone() else {
                continue;
            };
            let mut open = Open {
                before: claim_json(
                    Some(&claim),
                    row.officer.as_deref(),
                    row.interpreter.as_deref(),
                    row.appeal_window_days,
                ),
                claim,
                row,
            };
            let window = open.window();
            let action = match open.claim.stage.key() {
                "notified" if open.claim.finalise(today, window).is_ok() => {
                    summary.finalised += 1;
                    "rsd.finalise"
                }
                "scheduled" if open.claim.close_no_show(today).is_ok() => {
                    summary.closed_no_show += 1;
                    "rsd.no_show"
                }
                _ => continue,
            };
            let (officer, interpreter) = (open.row.officer.clone(), open.row.interpreter.clone());
            open.save(
                &mut w,
                action,
                officer.as_deref(),
                interpreter.as_deref(),
                window,
                today,
            )
            .await?;
        }
        w.commit().await?;
        Ok(summary)
    }

    /// A household's claim with its members' status, interviews and decisions.
    pub async fn rsd_claim(&self, household_id: &str) -> Result<ClaimView, AppError> {
        let row = self
            .store
            .rsd_claims(Some(household_id))
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| AppError::NotFound(format!("no household with id {household_id}")))?;
        let members = self
            .store
            .household_members(household_id)
            .await?
            .iter()
            .map(|m| person_status(&m.person.person_id, household_id, &row))
            .collect();
        let window = row.appeal_window_days.unwrap_or(rsd::APPEAL_WINDOW_DAYS);
        Ok(ClaimView {
            household_id: row.household_id.clone(),
            principal: row.principal.clone(),
            stage: stage_key(&row).to_string(),
            outcome: row.claim.as_ref().and_then(Claim::standing_outcome),
            is_final: is_final(row.claim.as_ref()),
            waiting_since: waiting_since(&row),
            officer: row.officer.clone(),
            interpreter: row.interpreter.clone(),
            appeal_window_days: window,
            appeal_deadline: row
                .claim
                .as_ref()
                .and_then(|c| c.appeal_deadline(window))
                .map(rsd::iso_date),
            members,
            interviews: self.store.rsd_interviews(household_id).await?,
            decisions: self.store.rsd_decisions(household_id).await?,
            claim: row.claim,
        })
    }

    /// One person's RSD status: principal with the claim's standing, or derivative of
    /// the household head.
    pub async fn rsd_person_status(&self, person_id: &str) -> Result<PersonRsdStatus, AppError> {
        let person = self
            .store
            .person(person_id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("no person with id {person_id}")))?;
        let household = person.person.household_id;
        let row = self
            .store
            .rsd_claims(Some(&household))
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| AppError::NotFound(format!("no household with id {household}")))?;
        Ok(person_status(person_id, &household, &row))
    }

    /// Every household's claim in brief, household by household: for the modules that
    /// act on RSD outcomes (resettlement takes the recognised ones).
    pub async fn rsd_statuses(&self) -> Result<Vec<HouseholdRsdStatus>, AppError> {
        Ok(self
            .store
            .rsd_claims(None)
            .await?
            .into_iter()
            .map(|row| {
                let outcome = row.claim.as_ref().and_then(Claim::standing_outcome);
                HouseholdRsdStatus {
                    stage: stage_key(&row).to_string(),
                    is_final: is_final(row.claim.as_ref()),
                    recognised: outcome == Some(Outcome::Recognised),
                    outcome,
                    household_id: row.household_id,
                    principal: row.principal,
                }
            })
            .collect())
    }

    /// The queue: claims per stage, who waits and how long, the pace of decisions and
    /// when the queue will be through (see docs/rsd.md). `today` defaults to the clock's.
    pub async fn rsd_queue(
        &self,
        oldest: usize,
        today: Option<&str>,
    ) -> Result<QueueReport, AppError> {
        let today = self.date_or_today("today", today)?;
        let rows = self.store.rsd_claims(None).await?;
        let mut by_stage: Vec<StageCount> = STAGE_KEYS
            .iter()
            .map(|s| StageCount {
                stage: (*s).to_string(),
                households: 0,
            })
            .collect();
        let mut waits: Vec<(&'static str, Vec<i64>)> = STAGE_KEYS
            .iter()
            .filter(|s| !matches!(**s, "final" | "closed_no_show"))
            .map(|s| (*s, Vec::new()))
            .collect();
        let mut waiting = Vec::new();
        let mut awaiting_decision = 0;
        for row in &rows {
            let stage = stage_key(row);
            if let Some(c) = by_stage.iter_mut().find(|c| c.stage == stage) {
                c.households += 1;
            }
            let open = row.claim.as_ref().is_none_or(|c| c.stage.is_open());
            if row.claim.as_ref().is_none_or(|c| c.stage.awaits_decision()) {
                awaiting_decision += 1;
            }
            if !open {
                continue;
            }
            let since = waiting_since(row);
            let days = rsd::parse_iso_date(&since).map_or(0, |d| (today - d).whole_days().max(0));
            if let Some((_, v)) = waits.iter_mut().find(|(s, _)| *s == stage) {
                v.push(days);
            }
            waiting.push(WaitingHousehold {
                household_id: row.household_id.clone(),
                principal: row.principal.clone(),
                stage: stage.to_string(),
                waiting_since: since,
                wait_days: days,
                specific_needs: row.specific_needs,
            });
        }
        waiting.sort_by(|a, b| {
            b.wait_days
                .cmp(&a.wait_days)
                .then(a.household_id.cmp(&b.household_id))
        });
        waiting.truncate(oldest);
        let waiting_by_stage = waits
            .into_iter()
            .map(|(stage, mut v)| {
                v.sort_unstable();
                StageWait {
                    stage: stage.to_string(),
                    households: v.len() as i64,
                    longest_wait_days: v.last().copied(),
                    median_wait_days: median(&v),
                }
            })
            .collect();
        let first_day = today - time::Duration::days(PACE_DAYS - 1);
        let decided = self
            .store
            .rsd_decision_count(&rsd::iso_date(first_day), &rsd::iso_date(today))
            .await?;
        let pace = decided as f64 / PACE_DAYS as f64;
        let capacity: i64 = self
            .store
            .rsd_staff(StaffKind::Officer)
            .await?
            .iter()
            .map(|o| o.capacity_per_day)
            .sum();
        let project = |per: i64, days: i64| -> Option<String> {
            (per > 0).then(|| {
                rsd::iso_date(today + time::Duration::days(ceil_days(awaiting_decision, per, days)))
            })
        };
        let projection_note = (decided == 0 && awaiting_decision > 0).then(|| {
            format!(
                "no decisions in the last {PACE_DAYS} days: completion cannot be projected at the current pace"
            )
        });
        Ok(QueueReport {
            today: rsd::iso_date(today),
            households: rows.len() as i64,
            by_stage,
            waiting: waiting_by_stage,
            oldest: waiting,
            decisions_last_28_days: decided,
            decisions_per_day: pace,
            awaiting_decision,
            projected_completion: if awaiting_decision == 0 {
                Some(rsd::iso_date(today))
            } else {
                project(decided, PACE_DAYS)
            },
            projection_note,
            officer_capacity_per_day: capacity,
            projected_completion_at_capacity: if awaiting_decision == 0 {
                Some(rsd::iso_date(today))
            } else {
                project(capacity, 1)
            },
        })
    }
}
