//! The resettlement API: pledges with their places left, placement runs (start, read,
//! approve) and the departure of an accepted referral.

use axum::Json;
use axum::extract::{Path, State};
use haven_app::placement::{PledgePlaces, RunRequest, RunView};
use haven_core::access::Capability;
use haven_core::ledger::Account;
use haven_core::placement::Weights;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiResult, guarded};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiJson, ErrorBody, WebError};
use crate::pages::scoped_referral;

/// Time given to the optimiser unless the request says.
const DEFAULT_TIME_LIMIT_MS: u64 = 5_000;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(
            guarded(Capability::ViewPledges)
                .routes(routes!(pledges))
                .into(),
        )
        .merge(
            guarded(Capability::ManageResettlement)
                .routes(routes!(runs, start_run))
                .routes(routes!(run))
                .routes(routes!(approve))
                .routes(routes!(departure))
                .into(),
        )
}

fn json_value<T: Serialize>(v: &T) -> Result<serde_json::Value, WebError> {
    serde_json::to_value(v).map_err(|e| WebError::Internal(e.to_string()))
}

/// A pledge with the places referred to it and left.
#[derive(Serialize, ToSchema)]
pub struct PledgeBody {
    pub pledge_id: String,
    /// ISO 3166-1 alpha-3.
    pub country: String,
    /// Places, in persons.
    pub places: u32,
    pub period_start: String,
    pub period_end: String,
    /// People referred to it and not declined.
    pub places_referred: u32,
    pub places_left: u32,
    /// The period has not ended: a placement run may still use it.
    pub usable: bool,
    /// The criteria as recorded (household size, specific needs, languages,
    /// nationalities, maximum age, legal bars); see docs/resettlement-domain.md.
    #[schema(value_type = Object)]
    pub criteria: serde_json::Value,
}

impl PledgeBody {
    fn of(p: PledgePlaces) -> Result<Self, WebError> {
        Ok(PledgeBody {
            criteria: json_value(&p.pledge.criteria)?,
            pledge_id: p.pledge.pledge_id,
            country: p.pledge.country,
            places: p.pledge.places,
            period_start: p.pledge.period_start,
            period_end: p.pledge.period_end,
            places_referred: p.places_referred,
            places_left: p.places_left,
            usable: p.usable,
        })
    }
}

/// Every pledge with its places left.
#[utoipa::path(get, path = "/api/pledges", tag = "resettlement",
    responses((status = 200, body = Vec<PledgeBody>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn pledges(State(st): State<AppState>, ApiUser(s): ApiUser) -> ApiResult<Vec<PledgeBody>> {
    s.need(Capability::ViewPledges)?;
    Ok(Json(
        st.app
            .pledge_places()
            .await?
            .into_iter()
            .map(PledgeBody::of)
            .collect::<Result<_, _>>()?,
    ))
}

#[derive(Serialize, ToSchema)]
pub struct PledgeUseBody {
    pub pledge_id: String,
    pub country: String,
    pub places_left: u32,
    pub places_used: u32,
    /// The value one more place in this pledge would bring to the run.
    pub shadow_price: f64,
}

#[derive(Serialize, ToSchema)]
pub struct PlacementBody {
    pub household_id: String,
    pub people: u32,
    pub pledge_id: String,
    pub country: String,
    pub value: f64,
    /// How the value was made up.
    pub value_breakdown: String,
}

#[derive(Serialize, ToSchema)]
pub struct UnplacedBody {
    pub household_id: String,
    pub people: u32,
    /// no_eligible_pledge, places_exhausted or not_worth_it.
    pub reason: String,
    /// For a household eligible nowhere: each pledge and why not.
    pub ineligible: Vec<String>,
}

/// A placement run in brief.
#[derive(Serialize, ToSchema)]
pub struct RunSummaryBody {
    pub run_id: String,
    /// proposed or approved.
    pub status: String,
    pub created_at: String,
    pub actor: String,
    pub approved_at: Option<String>,
    pub approved_by: Option<String>,
    pub households_considered: usize,
    pub people_considered: u64,
    pub places_left: u64,
    pub people_placed: u64,
    pub objective: Option<f64>,
    pub bound: Option<f64>,
    /// Relative gap between the value and the bound (0.01 = 1 %).
    pub gap: Option<f64>,
    pub optimal: bool,
}

/// A placement run with its explanation.
#[derive(Serialize, ToSchema)]
pub struct RunBody {
    #[serde(flatten)]
    pub summary: RunSummaryBody,
    /// The weights the run was made with.
    #[schema(value_type = Object)]
    pub weights: serde_json::Value,
    pub time_ms: u64,
    pub pledges: Vec<PledgeUseBody>,
    pub placements: Vec<PlacementBody>,
    pub unplaced: Vec<UnplacedBody>,
}

fn summary(v: &RunView) -> RunSummaryBody {
    let r = &v.result;
    RunSummaryBody {
        run_id: v.run_id.clone(),
        status: v.status.clone(),
        created_at: v.created_at.clone(),
        actor: v.actor.clone(),
        approved_at: v.approved_at.clone(),
        approved_by: v.approved_by.clone(),
        households_considered: r.households_considered,
        people_considered: r.people_considered,
        places_left: r.places_left,
        people_placed: r.people_placed,
        objective: r.objective,
        bound: r.bound,
        gap: r.gap,
        optimal: r.optimal,
    }
}

impl RunBody {
    fn of(v: RunView) -> Result<Self, WebError> {
        Ok(RunBody {
            summary: summary(&v),
            weights: json_value(&v.weights)?,
            time_ms: v.result.time_ms,
            pledges: v
                .result
                .pledges
                .into_iter()
                .map(|p| PledgeUseBody {
                    pledge_id: p.pledge_id,
                    country: p.country,
                    places_left: p.places_left,
                    places_used: p.places_used,
                    shadow_price: p.shadow_price,
                })
                .collect(),
            placements: v
                .result
                .placements
                .into_iter()
                .map(|p| PlacementBody {
                    household_id: p.household_id,
                    people: p.people,
                    pledge_id: p.pledge_id,
                    country: p.country,
                    value: p.value,
                    value_breakdown: p.value_breakdown,
                })
                .collect(),
            unplaced: v
                .result
                .unplaced
                .into_iter()
                .map(|u| UnplacedBody {
                    household_id: u.household_id,
                    people: u.people,
                    reason: u.reason,
                    ineligible: u.ineligible,
                })
                .collect(),
        })
    }
}

/// Placement runs, newest first.
#[utoipa::path(get, path = "/api/placement/runs", tag = "resettlement",
    responses((status = 200, body = Vec<RunSummaryBody>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn runs(State(st): State<AppState>, ApiUser(s): ApiUser) -> ApiResult<Vec<RunSummaryBody>> {
    s.need(Capability::ManageResettlement)?;
    Ok(Json(
        st.app.placement_runs().await?.iter().map(summary).collect(),
    ))
}

/// One placement run: per pledge the places used and the shadow price, each placed
/// household with where and why, each unplaced one with the reason.
#[utoipa::path(get, path = "/api/placement/runs/{run_id}", tag = "resettlement",
    params(("run_id" = String, Path, description = "e.g. RUN-0001")),
    responses((status = 200, body = RunBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn run(
    State(st): State<AppState>,
    ApiUser(s): ApiUser,
    Path(run_id): Path<String>,
) -> ApiResult<RunBody> {
    s.need(Capability::ManageResettlement)?;
    Ok(Json(RunBody::of(st.app.placement_show(&run_id).await?)?))
}

/// A placement run to start.
#[derive(Deserialize, ToSchema)]
pub struct RunRequestBody {
    /// Value weights; fields left out take their defaults (base 10, emergency 100,
    /// urgent 30, normal 0, categories, family_link 20, outcome 10, per_person true).
    #[schema(value_type = Option<Object>)]
    pub weights: Option<serde_json::Value>,
    /// Time for the optimiser in milliseconds (default 5000, at most ten minutes).
    #[schema(minimum = 1, maximum = 600000)]
    pub time_limit_ms: Option<u64>,
    /// Seed of the optimiser's search: the same inputs and seed give the same run.
    #[schema(minimum = 0, maximum = 4294967295_u64)]
    pub seed: Option<u64>,
}

/// Runs the optimiser on today's recognised households and open pledges; the run is
/// stored as proposed (a recommendation until approved).
#[utoipa::path(post, path = "/api/placement/runs", tag = "resettlement",
    request_body = RunRequestBody,
    responses((status = 200, body = RunBody), (status = 400, description = "weights that do not read", body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, description = "nobody waiting, no places left, or weights refused", body = ErrorBody)))]
async fn start_run(
    State(st): State<AppState>,
    ApiUser(s): ApiUser,
    ApiJson(req): ApiJson<RunRequestBody>,
) -> ApiResult<RunBody> {
    let time_limit_ms = match req.time_limit_ms.unwrap_or(DEFAULT_TIME_LIMIT_MS) {
        t @ 1..=600_000 => t,
        t => {
            return Err(
                WebError::BadRequest(format!("time_limit_ms is 1 to 600000, not {t}")).into(),
            );
        }
    };
    let seed = match req.seed.unwrap_or(0) {
        n if n <= u64::from(u32::MAX) => n,
        n => return Err(WebError::BadRequest(format!("seed is 0 to 4294967295, not {n}")).into()),
    };
    s.need(Capability::ManageResettlement)?;
    let weights: Weights = match req.weights {
        None => Weights::default(),
        Some(w) => {
            serde_json::from_value(w).map_err(|e| WebError::BadRequest(format!("weights: {e}")))?
        }
    };
    let request = RunRequest {
        weights,
        time_limit_ms,
        seed,
    };
    let v = crate::heavy(st.app.placement_run(&s.user.ctx(), &request)).await?;
    Ok(Json(RunBody::of(v)?))
}

#[derive(Serialize, ToSchema)]
pub struct ApprovedBody {
    pub run_id: String,
    /// The referrals submitted, one per placed household.
    pub referrals: Vec<String>,
}

/// Approves a proposed run: each placement becomes a referral to its pledge's country.
#[utoipa::path(post, path = "/api/placement/runs/{run_id}/approve", tag = "resettlement",
    params(("run_id" = String, Path)),
    responses((status = 200, body = ApprovedBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = "approved already, or out of date", body = ErrorBody)))]
async fn approve(
    State(st): State<AppState>,
    ApiUser(s): ApiUser,
    Path(run_id): Path<String>,
) -> ApiResult<ApprovedBody> {
    s.need(Capability::ManageResettlement)?;
    let referrals = st.app.placement_approve(&s.user.ctx(), &run_id).await?;
    Ok(Json(ApprovedBody { run_id, referrals }))
}

#[derive(Serialize, ToSchema)]
pub struct DepartedBody {
    pub referral_id: String,
    /// The people who departed.
    pub departed: Vec<String>,
    /// The ledger account they are in now, e.g. `departed:CAN`.
    pub to: String,
}

/// The household of an accepted referral departs for the country: its present members
/// move to the `departed:ISO3` account.
#[utoipa::path(post, path = "/api/referrals/{referral_id}/departure", tag = "resettlement",
    params(("referral_id" = String, Path)),
    responses((status = 200, body = DepartedBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = "not accepted, departed already, or the household has changed", body = ErrorBody)))]
async fn departure(
    State(st): State<AppState>,
    ApiUser(s): ApiUser,
    Path(referral_id): Path<String>,
) -> ApiResult<DepartedBody> {
    s.need(Capability::ManageResettlement)?;
    let r = scoped_referral(&st, &s.user, &referral_id).await?;
    let departed = st.app.referral_depart(&s.user.ctx(), &referral_id).await?;
    Ok(Json(DepartedBody {
        referral_id,
        departed,
        to: Account::Departed(r.country).to_string(),
    }))
}
