//! The RSD officer's pages: the queue (claims by stage, who waits longest, the pace of
//! decisions and when the queue will be through) and one claim with its history and the
//! forms its stage allows: schedule, interview, decision, notification, appeal, appeal
//! decision, no-show, reopening.
//!
//! Interviews and decisions are recorded in the name of the logged-in officer, who must
//! be registered as RSD staff (a daily interview capacity and languages): the pages say
//! so, and offer to register, rather than let a step fail on an unknown officer.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use axum::{Form, Router};
use haven_app::rsd::{ClaimView, QueueReport, ScheduleReport};
use haven_core::access::Capability;
use haven_core::rsd::Outcome;
use haven_store::{PersonRecord, RsdStaff, StaffKind};
use serde::Deserialize;

use super::{Chrome, PageResult, render, see_other};
use crate::AppState;
use crate::auth::{PageUser, Signed, require};
use crate::chart;
use crate::error::WebError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/rsd", get(queue))
        .route("/rsd/staff", post(register_self))
        .route("/rsd/schedule", post(schedule_all))
        .route("/rsd/{household_id}", get(claim))
        .route("/rsd/{household_id}/schedule", post(schedule))
        .route("/rsd/{household_id}/interview", post(interview))
        .route("/rsd/{household_id}/decide", post(decide))
        .route("/rsd/{household_id}/notify", post(notify))
        .route("/rsd/{household_id}/appeal", post(appeal))
        .route("/rsd/{household_id}/no-show", post(no_show))
        .route("/rsd/{household_id}/reopen", post(reopen))
        .route_layer(require(Capability::ManageRsd))
}

/// A form field left empty is not given.
fn given(s: &str) -> Option<&str> {
    let t = s.trim();
    (!t.is_empty()).then_some(t)
}

/// Whether the logged-in user is registered as an RSD officer.
async fn registered(st: &AppState, s: &Signed) -> Result<bool, WebError> {
    Ok(st
        .app
        .rsd_staff(StaffKind::Officer)
        .await?
        .iter()
        .any(|o| o.id == s.user.username))
}

/// The officer a step is recorded for: the logged-in user, once registered.
async fn acting_officer(st: &AppState, s: &Signed) -> Result<String, WebError> {
    if registered(st, s).await? {
        Ok(s.user.username.clone())
    } else {
        Err(WebError::Refused(format!(
            "you ({}) are not registered as an RSD officer, and interviews and decisions are recorded in the officer's name: register first on the RSD queue page (/rsd) with your daily interview capacity and languages",
            s.user.username
        )))
    }
}

#[derive(Deserialize)]
struct QueueQuery {
    household: Option<String>,
}

#[derive(Template)]
#[template(path = "rsd_queue.html")]
struct QueuePage {
    c: Chrome,
    q: QueueReport,
    stages_svg: String,
    officers: Vec<RsdStaff>,
    interpreters: Vec<RsdStaff>,
    me: String,
    me_registered: bool,
}

async fn queue(
    State(st): State<AppState>,
    PageUser(s): PageUser,
    Query(qq): Query<QueueQuery>,
) -> PageResult {
    s.need(Capability::ManageRsd)?;
    if let Some(h) = qq.household.as_deref().and_then(given) {
        return see_other(&format!("/rsd/{}", crate::error::urlencode(h)));
    }
    let q = st.app.rsd_queue(20, None).await?;
    let rows: Vec<(String, i64)> = q
        .by_stage
        .iter()
        .map(|c| (c.stage.replace('_', " "), c.households))
        .collect();
    let officers = st.app.rsd_staff(StaffKind::Officer).await?;
    let me_registered = officers.iter().any(|o| o.id == s.user.username);
    render(&QueuePage {
        c: Chrome::new(&s, "RSD queue", "/rsd"),
        stages_svg: chart::bars("claims by stage", &rows),
        q,
        interpreters: st.app.rsd_staff(StaffKind::Interpreter).await?,
        officers,
        me: s.user.username.clone(),
        me_registered,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct StaffForm {
    capacity: String,
    languages: String,
}

/// Registers the logged-in user as an RSD officer (or updates their capacity and
/// languages): the id is their username, so nobody registers in another's name.
async fn register_self(
    State(st): State<AppState>,
    PageUser(s): PageUser,
    Form(f): Form<StaffForm>,
) -> PageResult {
    s.need(Capability::ManageRsd)?;
    let capacity: i64 = f.capacity.trim().parse().map_err(|_| {
        WebError::BadRequest(format!(
            "capacity must be a whole number of interviews a day, not '{}'",
            f.capacity
        ))
    })?;
    st.app
        .rsd_add_staff(
            &s.user.ctx(),
            StaffKind::Officer,
            &s.user.username,
            &s.user.full_name,
            capacity,
            &f.languages,
        )
        .await?;
    see_other("/rsd")
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ScheduleAllForm {
    from: String,
    days: String,
}

#[derive(Template)]
#[template(path = "rsd_schedule.html")]
struct ScheduleResultPage {
    c: Chrome,
    r: ScheduleReport,
}

/// The bulk scheduler: every pending claim into the officers' free slots.
async fn schedule_all(
    State(st): State<AppState>,
    PageUser(s): PageUser,
    Form(f): Form<ScheduleAllForm>,
) -> PageResult {
    s.need(Capability::ManageRsd)?;
    let days = match given(&f.days) {
        None => haven_app::rsd::DEFAULT_SCHEDULE_DAYS,
        Some(d) => d.parse().map_err(|_| {
            WebError::BadRequest(format!("days must be a whole number of days, not '{d}'"))
        })?,
    };
    let r = st
        .app
        .rsd_schedule(&s.user.ctx(), given(&f.from), days)
        .await?;
    render(&ScheduleResultPage {
        c: Chrome::new(&s, "Interviews scheduled", "/rsd"),
        r,
    })
}

#[derive(Template)]
#[template(path = "rsd_claim.html")]
struct ClaimPage {
    c: Chrome,
    v: ClaimView,
    /// Each member's record with their RSD status line.
    members: Vec<(PersonRecord, String)>,
    officers: Vec<RsdStaff>,
    interpreters: Vec<RsdStaff>,
    me: String,
    me_registered: bool,
    outcomes: Vec<(&'static str, &'static str)>,
    /// A rejection or exclusion (a recognition has nothing to appeal).
    appealable: bool,
    today: String,
}

async fn claim(
    State(st): State<AppState>,
    PageUser(s): PageUser,
    Path(household_id): Path<String>,
) -> PageResult {
    s.need(Capability::ManageRsd)?;
    let v = st.app.rsd_claim(&household_id).await?;
    let records = st.app.household(&household_id).await?.members;
    st.app
        .record_view(&s.user.ctx(), "household", &household_id)
        .await?;
    let members = records
        .into_iter()
        .map(|r| {
            let status = v
                .members
                .iter()
                .find(|m| m.person_id == r.person.person_id)
                .map(|m| m.summary.clone())
                .unwrap_or_default();
            (r, status)
        })
        .collect();
    let officers = st.app.rsd_staff(StaffKind::Officer).await?;
    let me_registered = officers.iter().any(|o| o.id == s.user.username);
    render(&ClaimPage {
        c: Chrome::new(&s, format!("RSD claim {household_id}"), "/rsd"),
        appealable: v.outcome.is_some_and(|o| o != Outcome::Recognised),
        v,
        members,
        interpreters: st.app.rsd_staff(StaffKind::Interpreter).await?,
        officers,
        me: s.user.username.clone(),
        me_registered,
        outcomes: vec![
            ("recognised", "recognised as a refugee"),
            ("rejected", "rejected"),
            ("excluded", "excluded under Article 1F"),
        ],
        today: st.app.today(),
    })
}

/// The fields of every step's form; each step reads the ones it needs.
#[derive(Deserialize, Default)]
#[serde(default)]
struct StepForm {
    on: String,
    officer: String,
    interpreter: String,
    notes: String,
    outcome: String,
    reasons: String,
    window_days: String,
}

fn back(household_id: &str) -> PageResult {
    see_other(&format!("/rsd/{}", crate::error::urlencode(household_id)))
}

async fn schedule(
    State(st): State<AppState>,
    PageUser(s): PageUser,
    Path(household_id): Path<String>,
    Form(f): Form<StepForm>,
) -> PageResult {
    s.need(Capability::ManageRsd)?;
    // The interviewing officer is chosen on the form (the scheduler books a colleague as
    // readily as themself); the logged-in user by default.
    let officer = given(&f.officer).unwrap_or(&s.user.username);
    st.app
        .rsd_schedule_one(
            &s.user.ctx(),
            &household_id,
            given(&f.on),
            officer,
            given(&f.interpreter),
        )
        .await?;
    back(&household_id)
}

async fn interview(
    State(st): State<AppState>,
    PageUser(s): PageUser,
    Path(household_id): Path<String>,
    Form(f): Form<StepForm>,
) -> PageResult {
    s.need(Capability::ManageRsd)?;
    let officer = acting_officer(&st, &s).await?;
    st.app
        .rsd_interview(
            &s.user.ctx(),
            &household_id,
            &officer,
            given(&f.on),
            &f.notes,
        )
        .await?;
    back(&household_id)
}

fn outcome(s: &str) -> Result<Outcome, WebError> {
    Outcome::parse(s.trim()).ok_or_else(|| {
        WebError::BadRequest(format!(
            "the outcome is recognised, rejected or excluded, not '{s}'"
        ))
    })
}

async fn decide(
    State(st): State<AppState>,
    PageUser(s): PageUser,
    Path(household_id): Path<String>,
    Form(f): Form<StepForm>,
) -> PageResult {
    s.need(Capability::ManageRsd)?;
    let outcome = outcome(&f.outcome)?;
    let officer = acting_officer(&st, &s).await?;
    st.app
        .rsd_decide(
            &s.user.ctx(),
            &household_id,
            outcome,
            &f.reasons,
            &officer,
            given(&f.on),
        )
        .await?;
    back(&household_id)
}

async fn notify(
    State(st): State<AppState>,
    PageUser(s): PageUser,
    Path(household_id): Path<String>,
    Form(f): Form<StepForm>,
) -> PageResult {
    s.need(Capability::ManageRsd)?;
    let window = match given(&f.window_days) {
        None => None,
        Some(w) => Some(w.parse::<i64>().map_err(|_| {
            WebError::BadRequest(format!(
                "the appeal window is a whole number of days, not '{w}'"
            ))
        })?),
    };
    st.app
        .rsd_notify(&s.user.ctx(), &household_id, given(&f.on), window)
        .await?;
    back(&household_id)
}

async fn appeal(
    State(st): State<AppState>,
    PageUser(s): PageUser,
    Path(household_id): Path<String>,
    Form(f): Form<StepForm>,
) -> PageResult {
    s.need(Capability::ManageRsd)?;
    st.app
        .rsd_appeal(&s.user.ctx(), &household_id, given(&f.on))
        .await?;
    back(&household_id)
}

async fn no_show(
    State(st): State<AppState>,
    PageUser(s): PageUser,
    Path(household_id): Path<String>,
    Form(f): Form<StepForm>,
) -> PageResult {
    s.need(Capability::ManageRsd)?;
    st.app
        .rsd_no_show(&s.user.ctx(), &household_id, given(&f.on))
        .await?;
    back(&household_id)
}

async fn reopen(
    State(st): State<AppState>,
    PageUser(s): PageUser,
    Path(household_id): Path<String>,
    Form(f): Form<StepForm>,
) -> PageResult {
    s.need(Capability::ManageRsd)?;
    st.app
        .rsd_reopen(&s.user.ctx(), &household_id, given(&f.on))
        .await?;
    back(&household_id)
}
