//! The RSD API: the queue, one claim with its history, and a decision (first instance,
//! or the appeal's on an appealed claim) recorded in the name of the logged-in officer.

use axum::Json;
use axum::extract::{Path, State};
use haven_app::rsd::{ClaimView, QueueReport};
use haven_core::access::Capability;
use haven_core::rsd::Outcome;
use haven_store::StaffKind;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiResult, guarded};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiJson, ErrorBody, WebError};

pub fn routes() -> OpenApiRouter<AppState> {
    guarded(Capability::ManageRsd)
        .routes(routes!(queue))
        .routes(routes!(claim))
        .routes(routes!(decision))
        .into()
}

#[derive(Serialize, ToSchema)]
pub struct StageCountBody {
    pub stage: String,
    pub households: i64,
}

#[derive(Serialize, ToSchema)]
pub struct StageWaitBody {
    pub stage: String,
    pub households: i64,
    pub longest_wait_days: Option<i64>,
    pub median_wait_days: Option<f64>,
}

#[derive(Serialize, ToSchema)]
pub struct WaitingBody {
    pub household_id: String,
    pub principal: String,
    pub stage: String,
    pub waiting_since: String,
    pub wait_days: i64,
    pub specific_needs: bool,
}

/// The queue: claims per stage, who waits and how long, the pace of decisions and when
/// the queue will be through.
#[derive(Serialize, ToSchema)]
pub struct QueueBody {
    pub today: String,
    pub households: i64,
    /// Every stage, in the order of a claim's life: pending, scheduled, interviewed,
    /// decided, notified, appealed, final, closed_no_show.
    pub by_stage: Vec<StageCountBody>,
    pub waiting: Vec<StageWaitBody>,
    /// The longest-waiting open claims (at most 20).
    pub oldest: Vec<WaitingBody>,
    pub decisions_last_28_days: i64,
    pub decisions_per_day: f64,
    pub awaiting_decision: i64,
    pub projected_completion: Option<String>,
    pub projection_note: Option<String>,
    pub officer_capacity_per_day: i64,
    pub projected_completion_at_capacity: Option<String>,
}

impl From<QueueReport> for QueueBody {
    fn from(q: QueueReport) -> Self {
        QueueBody {
            today: q.today,
            households: q.households,
            by_stage: q
                .by_stage
                .into_iter()
                .map(|s| StageCountBody {
                    stage: s.stage,
                    households: s.households,
                })
                .collect(),
            waiting: q
                .waiting
                .into_iter()
                .map(|w| StageWaitBody {
                    stage: w.stage,
                    households: w.households,
                    longest_wait_days: w.longest_wait_days,
                    median_wait_days: w.median_wait_days,
                })
                .collect(),
            oldest: q
                .oldest
                .into_iter()
                .map(|w| WaitingBody {
                    household_id: w.household_id,
                    principal: w.principal,
                    stage: w.stage,
                    waiting_since: w.waiting_since,
                    wait_days: w.wait_days,
                    specific_needs: w.specific_needs,
                })
                .collect(),
            decisions_last_28_days: q.decisions_last_28_days,
            decisions_per_day: q.decisions_per_day,
            awaiting_decision: q.awaiting_decision,
            projected_completion: q.projected_completion,
            projection_note: q.projection_note,
            officer_capacity_per_day: q.officer_capacity_per_day,
            projected_completion_at_capacity: q.projected_completion_at_capacity,
        }
    }
}

/// The RSD queue.
#[utoipa::path(get, path = "/api/rsd/queue", tag = "rsd",
    responses((status = 200, body = QueueBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn queue(State(st): State<AppState>, ApiUser(s): ApiUser) -> ApiResult<QueueBody> {
    s.need(Capability::ManageRsd)?;
    Ok(Json(st.app.rsd_queue(20, None).await?.into()))
}

#[derive(Serialize, ToSchema)]
pub struct MemberStatusBody {
    pub person_id: String,
    /// principal or derivative.
    pub role: String,
    pub refugee_status: bool,
    /// `principal: recognised (final)`, `derivative of P-000001: refugee status`, …
    pub summary: String,
}

#[derive(Serialize, ToSchema)]
pub struct InterviewBody {
    pub held_on: String,
    pub officer: String,
    pub interpreter: Option<String>,
    pub notes: String,
}

#[derive(Serialize, ToSchema)]
pub struct DecisionBody {
    /// first or appeal.
    pub instance: String,
    /// recognised, rejected or excluded.
    pub outcome: String,
    pub reasons: String,
    pub officer: String,
    pub decided_on: String,
}

/// A household's claim: the head is the principal applicant, the others derivatives.
#[derive(Serialize, ToSchema)]
pub struct ClaimBody {
    pub household_id: String,
    pub principal: String,
    /// pending, scheduled, interviewed, decided, notified, appealed, final or closed_no_show.
    pub stage: String,
    /// The standing outcome (the appeal's, if there was one).
    pub outcome: Option<String>,
    pub is_final: bool,
    pub waiting_since: String,
    pub officer: Option<String>,
    pub interpreter: Option<String>,
    pub appeal_window_days: i64,
    pub appeal_deadline: Option<String>,
    pub members: Vec<MemberStatusBody>,
    pub interviews: Vec<InterviewBody>,
    pub decisions: Vec<DecisionBody>,
}

impl From<ClaimView> for ClaimBody {
    fn from(v: ClaimView) -> Self {
        ClaimBody {
            household_id: v.household_id,
            principal: v.principal,
            stage: v.stage,
            outcome: v.outcome.map(|o| o.as_str().to_string()),
            is_final: v.is_final,
            waiting_since: v.waiting_since,
            officer: v.officer,
            interpreter: v.interpreter,
            appeal_window_days: v.appeal_window_days,
            appeal_deadline: v.appeal_deadline,
            members: v
                .members
                .into_iter()
                .map(|m| MemberStatusBody {
                    person_id: m.person_id,
                    role: match m.role {
                        haven_app::rsd::RsdRole::Principal => "principal".into(),
                        haven_app::rsd::RsdRole::Derivative => "derivative".into(),
                    },
                    refugee_status: m.refugee_status,
                    summary: m.summary,
                })
                .collect(),
            interviews: v
                .interviews
                .into_iter()
                .map(|i| InterviewBody {
                    held_on: i.held_on,
                    officer: i.officer,
                    interpreter: i.interpreter,
                    notes: i.notes,
                })
                .collect(),
            decisions: v
                .decisions
                .into_iter()
                .map(|d| DecisionBody {
                    instance: d.instance,
                    outcome: d.outcome,
                    reasons: d.reasons,
                    officer: d.officer,
                    decided_on: d.decided_on,
                })
                .collect(),
        }
    }
}

/// A household's claim with its members' status, interviews and decisions; the read is
/// recorded in the audit log.
#[utoipa::path(get, path = "/api/rsd/claims/{household_id}", tag = "rsd",
    params(("household_id" = String, Path, description = "e.g. H-000001")),
    responses((status = 200, body = ClaimBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn claim(
    State(st): State<AppState>,
    ApiUser(s): ApiUser,
    Path(household_id): Path<String>,
) -> ApiResult<ClaimBody> {
    s.need(Capability::ManageRsd)?;
    let v = st.app.rsd_claim(&household_id).await?;
    st.app
        .record_view(&s.user.ctx(), "household", &household_id)
        .await?;
    Ok(Json(v.into()))
}

/// A decision on a claim, by the logged-in officer (who must be registered as an RSD
/// officer).
#[derive(Deserialize, ToSchema)]
pub struct DecisionRequest {
    /// recognised, rejected or excluded (under Article 1F).
    pub outcome: String,
    /// Written reasons: required.
    pub reasons: String,
    /// The day of the decision, YYYY-MM-DD (today if left out).
    pub on: Option<String>,
}

/// Decides an interviewed claim, or the appeal of an appealed one (by another officer
/// than the first decision's).
#[utoipa::path(post, path = "/api/rsd/claims/{household_id}/decision", tag = "rsd",
    params(("household_id" = String, Path)), request_body = DecisionRequest,
    responses((status = 200, body = ClaimBody), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody),
              (status = 409, description = "not at a stage to decide, decided already, no reasons, the same officer on appeal, or the user is not a registered officer", body = ErrorBody)))]
async fn decision(
    State(st): State<AppState>,
    ApiUser(s): ApiUser,
    Path(household_id): Path<String>,
    ApiJson(req): ApiJson<DecisionRequest>,
) -> ApiResult<ClaimBody> {
    s.need(Capability::ManageRsd)?;
    let outcome = Outcome::parse(req.outcome.trim()).ok_or_else(|| {
        WebError::BadRequest(format!(
            "the outcome is recognised, rejected or excluded, not '{}'",
            req.outcome
        ))
    })?;
    let me = &s.user.username;
    if !st
        .app
        .rsd_staff(StaffKind::Officer)
        .await?
        .iter()
        .any(|o| &o.id == me)
    {
        return Err(WebError::Refused(format!(
            "you ({me}) are not registered as an RSD officer, and decisions are recorded in the officer's name: register first (the RSD queue page, or `haven rsd officer add`)"
        ))
        .into());
    }
    let v = st
        .app
        .rsd_decide(
            &s.user.ctx(),
            &household_id,
            outcome,
            &req.reasons,
            me,
            req.on.as_deref().filter(|d| !d.trim().is_empty()),
        )
        .await?;
    Ok(Json(v.into()))
}
