//! Relocation for programs: the convoys with their manifests and the latest plan's
//! held-back households (site managers and registration officers); a convoy's departure
//! and its arrival check-in (site managers). Whoever is on board and not checked in on
//! arrival goes to whereabouts unknown, with the convoy named.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};
use haven_app::relocation::CheckIn;
use haven_core::access::Capability;
use haven_store::{ConvoyRecord, ManifestLine};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiResult, PersonBody, guarded};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiJson, ErrorBody};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(
            guarded(Capability::ViewConvoys)
                .routes(routes!(convoys))
                .routes(routes!(convoy))
                .into(),
        )
        .merge(
            guarded(Capability::ManageConvoys)
                .routes(routes!(depart))
                .routes(routes!(arrive))
                .into(),
        )
}

/// A convoy and the count of its manifest by status.
#[derive(Serialize, ToSchema)]
pub struct ConvoyBody {
    pub convoy_id: String,
    pub plan_id: i64,
    /// YYYY-MM-DD.
    pub date: String,
    pub from_site: String,
    pub to_site: String,
    pub seats: i64,
    /// planned, departed, arrived or cancelled.
    pub status: String,
    pub departed_at: Option<String>,
    pub arrived_at: Option<String>,
    /// People on the manifest by status (planned, departed, stayed, arrived, missing,
    /// found, left).
    pub manifest: BTreeMap<String, i64>,
}

impl From<ConvoyRecord> for ConvoyBody {
    fn from(c: ConvoyRecord) -> Self {
        ConvoyBody {
            convoy_id: c.convoy_id,
            plan_id: c.plan_id,
            date: c.date,
            from_site: c.from_site,
            to_site: c.to_site,
            seats: c.seats,
            status: c.status,
            departed_at: c.departed_at,
            arrived_at: c.arrived_at,
            manifest: c.manifest,
        }
    }
}

/// A household a plan left behind, and why.
#[derive(Serialize, ToSchema)]
pub struct HeldBody {
    pub household_id: String,
    pub person_ids: Vec<String>,
    pub reason: String,
}

/// The latest relocation plan.
#[derive(Serialize, ToSchema)]
pub struct PlanBody {
    pub plan_id: i64,
    pub from_site: String,
    pub to_site: String,
    pub created_at: String,
    pub held: Vec<HeldBody>,
}

/// Every convoy in date order, and what the latest plan held back.
#[derive(Serialize, ToSchema)]
pub struct ConvoysBody {
    pub convoys: Vec<ConvoyBody>,
    pub latest_plan: Option<PlanBody>,
}

/// Every convoy, and the households the latest plan held back with why.
#[utoipa::path(get, path = "/api/convoys", tag = "relocation",
    responses((status = 200, body = ConvoysBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn convoys(State(st): State<AppState>, ApiUser(s): ApiUser) -> ApiResult<ConvoysBody> {
    s.need(Capability::ViewConvoys)?;
    let o = st.app.relocation_overview().await?;
    Ok(Json(ConvoysBody {
        convoys: o.convoys.into_iter().map(ConvoyBody::from).collect(),
        latest_plan: o.latest_plan.map(|p| PlanBody {
            plan_id: p.plan_id,
            from_site: p.from_site,
            to_site: p.to_site,
            created_at: p.created_at,
            held: p
                .held
                .into_iter()
                .map(|h| HeldBody {
                    reason: h.reason.to_string(),
                    household_id: h.household_id,
                    person_ids: h.person_ids,
                })
                .collect(),
        }),
    }))
}

/// One person on a convoy's manifest.
#[derive(Serialize, ToSchema)]
pub struct ManifestLineBody {
    pub person: PersonBody,
    /// The shelter unit kept at the destination.
    pub to_unit: String,
    /// Travels early under the plan's rules.
    pub priority: bool,
    /// planned, departed, stayed, arrived, missing, found or left.
    pub status: String,
    pub note: Option<String>,
}

impl From<&ManifestLine> for ManifestLineBody {
    fn from(l: &ManifestLine) -> Self {
        ManifestLineBody {
            person: PersonBody::from(&l.person),
            to_unit: l.to_unit.clone(),
            priority: l.priority,
            status: l.status.clone(),
            note: l.note.clone(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ConvoyDetailBody {
    pub convoy: ConvoyBody,
    pub manifest: Vec<ManifestLineBody>,
}

/// One convoy with its manifest; the read is recorded in the audit log.
#[utoipa::path(get, path = "/api/convoys/{convoy_id}", tag = "relocation",
    params(("convoy_id" = String, Path, description = "e.g. CV-0001")),
    responses((status = 200, body = ConvoyDetailBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn convoy(
    State(st): State<AppState>,
    ApiUser(s): ApiUser,
    Path(convoy_id): Path<String>,
) -> ApiResult<ConvoyDetailBody> {
    s.need(Capability::ViewConvoys)?;
    let d = st.app.convoy_seen(&s.user.ctx(), &convoy_id).await?;
    Ok(Json(ConvoyDetailBody {
        manifest: d.manifest.iter().map(ManifestLineBody::from).collect(),
        convoy: d.convoy.into(),
    }))
}

/// Who did not come to a departing convoy.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct DepartRequest {
    /// People or households who did not come: their whole household stays.
    pub left_behind: Vec<String>,
}

/// A household taken off a convoy at departure.
#[derive(Serialize, ToSchema)]
pub struct StayedBody {
    pub household_id: String,
    pub person_ids: Vec<String>,
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct DepartBody {
    pub convoy_id: String,
    /// People now in the convoy's in-transit account.
    pub travelling: usize,
    pub households: usize,
    pub stayed: Vec<StayedBody>,
}

/// Departs a planned convoy: everyone on it moves into its in-transit account, except
/// households taken off (left behind, a member on hold or no longer at the origin).
#[utoipa::path(post, path = "/api/convoys/{convoy_id}/depart", tag = "relocation",
    params(("convoy_id" = String, Path)), request_body = DepartRequest,
    responses((status = 200, body = DepartBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = "not a planned convoy, or no one left to travel", body = ErrorBody)))]
async fn depart(
    State(st): State<AppState>,
    ApiUser(s): ApiUser,
    Path(convoy_id): Path<String>,
    ApiJson(req): ApiJson<DepartRequest>,
) -> ApiResult<DepartBody> {
    s.need(Capability::ManageConvoys)?;
    let d = st
        .app
        .depart_convoy(&s.user.ctx(), &convoy_id, &req.left_behind)
        .await?;
    Ok(Json(DepartBody {
        convoy_id: d.convoy_id,
        travelling: d.travelling,
        households: d.households,
        stayed: d
            .stayed
            .into_iter()
            .map(|(household_id, person_ids, reason)| StayedBody {
                household_id,
                person_ids,
                reason,
            })
            .collect(),
    }))
}

/// Everyone on board.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Everyone {
    All,
}

/// Who was checked in: `"all"`, or the ids of the people checked in.
#[derive(Deserialize, ToSchema)]
#[serde(untagged)]
pub enum CheckedIn {
    Everyone(Everyone),
    People(Vec<String>),
}

#[derive(Deserialize, ToSchema)]
pub struct ArriveRequest {
    /// `"all"`, or the people checked in; anyone else on board becomes of unknown
    /// whereabouts, with the convoy named, until checked in late.
    pub checked_in: CheckedIn,
}

/// A person recorded elsewhere since departure (not moved).
#[derive(Serialize, ToSchema)]
pub struct LeftConvoyBody {
    pub person_id: String,
    pub place: String,
}

#[derive(Serialize, ToSchema)]
pub struct ArriveBody {
    pub convoy_id: String,
    pub arrived: usize,
    /// Not checked in: now of unknown whereabouts.
    pub missing: Vec<String>,
    /// Checked in, but their unit filled since the plan: at the site awaiting a unit.
    pub awaiting_unit: Vec<String>,
    pub left_convoy: Vec<LeftConvoyBody>,
}

/// Receives a departed convoy: the people checked in move into the units kept for them;
/// anyone else on board moves to whereabouts unknown.
#[utoipa::path(post, path = "/api/convoys/{convoy_id}/arrive", tag = "relocation",
    params(("convoy_id" = String, Path)), request_body = ArriveRequest,
    responses((status = 200, body = ArriveBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = "not a departed convoy, an empty list, or someone not on board", body = ErrorBody)))]
async fn arrive(
    State(st): State<AppState>,
    ApiUser(s): ApiUser,
    Path(convoy_id): Path<String>,
    ApiJson(req): ApiJson<ArriveRequest>,
) -> ApiResult<ArriveBody> {
    s.need(Capability::ManageConvoys)?;
    let check = match req.checked_in {
        CheckedIn::Everyone(Everyone::All) => CheckIn::Everyone,
        CheckedIn::People(ids) => CheckIn::Present(ids),
    };
    let a = st
        .app
        .arrive_convoy(&s.user.ctx(), &convoy_id, &check)
        .await?;
    Ok(Json(ArriveBody {
        convoy_id: a.convoy_id,
        arrived: a.arrived,
        missing: a.missing,
        awaiting_unit: a.awaiting_unit,
        left_convoy: a
            .left_convoy
            .into_iter()
            .map(|(person_id, place)| LeftConvoyBody { person_id, place })
            .collect(),
    }))
}
