//! The JSON API under `/api`: the same use cases as the pages, for programs. Described by
//! the OpenAPI document at `/api/openapi.json`, generated from these handlers; errors are
//! an [`ErrorBody`] with a stable code. State-changing calls carry the `X-CSRF-Token`
//! header returned by `POST /api/login`.

mod registry_write;
mod relocation;
mod resettlement;
mod returns;
mod rsd;
mod sites;

use axum::Json;
use axum::extract::{Path, State};
use axum::routing::get;
use haven_app::access::User;
use haven_app::placement::CountryDecision;
use haven_core::access::Capability;
use haven_store::{PersonRecord, ReferralRecord};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::{self, ApiUser, Auth};
use crate::error::{ApiError, ApiJson, ApiQuery, ErrorBody, WebError};
use crate::pages::{RequestParts, referral_in_scope, scoped_referral};

pub(crate) type ApiResult<T> = Result<Json<T>, ApiError>;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Haven API",
        description = "Registry, relocation, refugee status determination, resettlement and voluntary return for one operation. Log in with POST /api/login; send the session cookie and, on state-changing calls, the X-CSRF-Token header it returns.",
        version = "1"
    ),
    components(schemas(ErrorBody))
)]
struct ApiDoc;

pub fn routes() -> axum::Router<AppState> {
    let (router, doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(me))
        .merge(
            guarded(Capability::ViewDashboard)
                .routes(routes!(progress))
                .into(),
        )
        .merge(
            guarded(Capability::ViewPeople)
                .routes(routes!(search))
                .routes(routes!(person))
                .routes(routes!(household))
                .into(),
        )
        .merge(
            guarded(Capability::ViewReferrals)
                .routes(routes!(referrals))
                .routes(routes!(referral))
                .into(),
        )
        .merge(
            guarded(Capability::DecideReferral)
                .routes(routes!(referral_decision))
                .into(),
        )
        .merge(
            guarded(Capability::Administer)
                .routes(routes!(users))
                .into(),
        )
        .merge(registry_write::routes())
        .merge(sites::routes())
        .merge(relocation::routes())
        .merge(rsd::routes())
        .merge(resettlement::routes())
        .merge(returns::routes())
        .split_for_parts();
    let doc = std::sync::Arc::new(doc);
    router.route(
        "/api/openapi.json",
        get(move || {
            let doc = doc.clone();
            async move { Json((*doc).clone()) }
        }),
    )
}

/// A group of routes for users holding `cap`, checked before the body is read. The check
/// wraps each route's handlers only, so a method the route does not have still answers
/// 405 rather than 401.
pub(crate) struct Guarded(Capability, OpenApiRouter<AppState>);

impl Guarded {
    pub(crate) fn routes(self, r: utoipa_axum::router::UtoipaMethodRouter<AppState>) -> Self {
        let (schemas, paths, method_router) = r;
        let guarded = method_router.route_layer(auth::require(self.0));
        Guarded(self.0, self.1.routes((schemas, paths, guarded)))
    }
}

pub(crate) fn guarded(cap: Capability) -> Guarded {
    Guarded(cap, OpenApiRouter::new())
}

impl From<Guarded> for OpenApiRouter<AppState> {
    fn from(g: Guarded) -> Self {
        g.1
    }
}

/// A user, as the API shows it.
#[derive(Serialize, ToSchema)]
pub struct UserBody {
    pub username: String,
    pub full_name: String,
    /// registration_officer, site_manager, rsd_officer, resettlement_officer,
    /// country_delegation, monitor or administrator.
    pub role: String,
    pub agency: String,
    pub country: Option<String>,
    pub active: bool,
    /// What the role allows.
    pub capabilities: Vec<String>,
}

impl From<&User> for UserBody {
    fn from(u: &User) -> Self {
        UserBody {
            username: u.username.clone(),
            full_name: u.full_name.clone(),
            role: u.role.key().into(),
            agency: u.agency_id.clone(),
            country: u.country.clone(),
            active: u.active,
            capabilities: u
                .role
                .capabilities()
                .iter()
                .map(|c| {
                    serde_json::to_value(c)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default()
                })
                .collect(),
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct LoginResponse {
    pub user: UserBody,
    /// Send as the X-CSRF-Token header on every state-changing call of this session.
    pub csrf_token: String,
}

/// Log in; sets the session cookie.
#[utoipa::path(post, path = "/api/login", request_body = LoginRequest, tag = "access",
    responses((status = 200, body = LoginResponse), (status = 400, body = ErrorBody),
              (status = 401, description = "wrong username or password, or a locked account", body = ErrorBody),
              (status = 429, description = "too many failed logins from this address", body = ErrorBody)))]
async fn login(
    State(st): State<AppState>,
    mut auth: Auth,
    parts: RequestParts,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<LoginResponse> {
    let (user, csrf_token) = auth::log_in(
        &st.app,
        &st.throttle,
        &mut auth,
        parts.client,
        &req.username,
        &req.password,
    )
    .await?;
    Ok(Json(LoginResponse {
        user: UserBody::from(&user),
        csrf_token,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct Done {
    pub ok: bool,
}

/// Log out; ends the session.
#[utoipa::path(post, path = "/api/logout", tag = "access",
    responses((status = 200, body = Done), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn logout(ApiUser(_): ApiUser, mut auth: Auth) -> ApiResult<Done> {
    auth.logout()
        .await
        .map_err(|e| WebError::Internal(format!("session: {e}")))?;
    Ok(Json(Done { ok: true }))
}

/// Who is logged in.
#[utoipa::path(get, path = "/api/me", tag = "access",
    responses((status = 200, body = UserBody), (status = 401, body = ErrorBody)))]
async fn me(ApiUser(s): ApiUser) -> ApiResult<UserBody> {
    Ok(Json(UserBody::from(&s.user)))
}

/// The progress report: funnel, open statuses with owners, pledge gap, projected end.
#[utoipa::path(get, path = "/api/progress", tag = "reports",
    responses((status = 200, body = Object), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn progress(State(st): State<AppState>, ApiUser(s): ApiUser) -> ApiResult<serde_json::Value> {
    s.need(Capability::ViewDashboard)?;
    let r = st.app.progress_report().await?;
    Ok(Json(
        serde_json::to_value(r).map_err(|e| WebError::Internal(e.to_string()))?,
    ))
}

/// A person as the API shows it.
#[derive(Serialize, ToSchema)]
pub struct PersonBody {
    pub person_id: String,
    pub household_id: String,
    pub relationship: String,
    pub given_latin: String,
    pub family_latin: String,
    pub given_original: String,
    pub family_original: String,
    pub sex: String,
    /// As registered: YYYY, YYYY-MM or YYYY-MM-DD.
    pub date_of_birth: String,
    pub nationality: String,
    pub languages: Vec<String>,
    pub specific_needs: Vec<String>,
    /// The ledger account the person is in now, e.g. `site:S-TS`.
    pub place: String,
}

impl From<&PersonRecord> for PersonBody {
    fn from(r: &PersonRecord) -> Self {
        let p = &r.person;
        PersonBody {
            person_id: p.person_id.clone(),
            household_id: p.household_id.clone(),
            relationship: p.relationship.as_str().into(),
            given_latin: p.name.given_latin.clone(),
            family_latin: p.name.family_latin.clone(),
            given_original: p.name.given_original.clone(),
            family_original: p.name.family_original.clone(),
            sex: p.sex.as_str().into(),
            date_of_birth: p.date_of_birth.to_string(),
            nationality: p.nationality.clone(),
            languages: p.languages.clone(),
            specific_needs: p.specific_needs.clone(),
            place: r.place.to_string(),
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct SearchParams {
    /// A name in either script (transliteration-tolerant) or an id.
    q: String,
    /// At most this many (1–200, default 20).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct SearchHitBody {
    pub score: f64,
    pub person: PersonBody,
}

/// Search people by name in either script.
#[utoipa::path(get, path = "/api/search", params(SearchParams), tag = "registry",
    responses((status = 200, body = Vec<SearchHitBody>), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn search(
    State(st): State<AppState>,
    ApiUser(s): ApiUser,
    ApiQuery(p): ApiQuery<SearchParams>,
) -> ApiResult<Vec<SearchHitBody>> {
    s.need(Capability::ViewPeople)?;
    let limit = match p.limit.unwrap_or(20) {
        n @ 1..=200 => n as usize,
        n => {
            return Err(WebError::BadRequest(format!("limit is 1 to 200, not {n}")).into());
        }
    };
    // Text with nothing to search by (no letters) finds nobody.
    let hits = match st.app.search_seen(&s.user.ctx(), &p.q, limit).await {
        Err(haven_app::AppError::Refused(_)) => vec![],
        other => other?,
    };
    Ok(Json(
        hits.iter()
            .map(|h| SearchHitBody {
                score: if h.score.is_finite() { h.score } else { 0.0 },
                person: PersonBody::from(&h.record),
            })
            .collect(),
    ))
}

/// One person; the read is recorded in the audit log.
#[utoipa::path(get, path = "/api/people/{person_id}", tag = "registry",
    params(("person_id" = String, Path, description = "e.g. P-000001")),
    responses((status = 200, body = PersonBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn person(
    State(st): State<AppState>,
    ApiUser(s): ApiUser,
    Path(person_id): Path<String>,
) -> ApiResult<PersonBody> {
    s.need(Capability::ViewPeople)?;
    let p = st.app.person(&person_id).await?;
    st.app
        .record_view(&s.user.ctx(), "person", &person_id)
        .await?;
    Ok(Json(PersonBody::from(&p.record)))
}

#[derive(Serialize, ToSchema)]
pub struct HouseholdBody {
    pub household_id: String,
    pub members: Vec<PersonBody>,
}

/// One household with its members; the read is recorded in the audit log.
#[utoipa::path(get, path = "/api/households/{household_id}", tag = "registry",
    params(("household_id" = String, Path, description = "e.g. H-000001")),
    responses((status = 200, body = HouseholdBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn household(
    State(st): State<AppState>,
    ApiUser(s): ApiUser,
    Path(household_id): Path<String>,
) -> ApiResult<HouseholdBody> {
    s.need(Capability::ViewPeople)?;
    let h = st.app.household(&household_id).await?;
    st.app
        .record_view(&s.user.ctx(), "household", &household_id)
        .await?;
    Ok(Json(HouseholdBody {
        household_id: h.household_id,
        members: h.members.iter().map(PersonBody::from).collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct ReferralBody {
    pub referral_id: String,
    pub run_id: String,
    pub household_id: String,
    pub pledge_id: String,
    pub country: String,
    pub people: i64,
    /// submitted, accepted, declined or departed.
    pub status: String,
    pub submitted_at: String,
    pub decided_at: Option<String>,
    pub decided_by: Option<String>,
    pub reason: Option<String>,
    pub departure_date: Option<String>,
    pub departed_at: Option<String>,
}

impl From<ReferralRecord> for ReferralBody {
    fn from(r: ReferralRecord) -> Self {
        ReferralBody {
            referral_id: r.referral_id,
            run_id: r.run_id,
            household_id: r.household_id,
            pledge_id: r.pledge_id,
            country: r.country,
            people: r.people,
            status: r.status,
            submitted_at: r.submitted_at,
            decided_at: r.decided_at,
            decided_by: r.decided_by,
            reason: r.reason,
            departure_date: r.departure_date,
            departed_at: r.departed_at,
        }
    }
}

/// Referrals: every one for a resettlement officer; a delegation's own country's only.
#[utoipa::path(get, path = "/api/referrals", tag = "resettlement",
    responses((status = 200, body = Vec<ReferralBody>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn referrals(
    State(st): State<AppState>,
    ApiUser(s): ApiUser,
) -> ApiResult<Vec<ReferralBody>> {
    s.need(Capability::ViewReferrals)?;
    Ok(Json(
        st.app
            .referrals()
            .await?
            .into_iter()
            .filter(|r| referral_in_scope(&s.user, r))
            .map(ReferralBody::from)
            .collect(),
    ))
}

/// One referral (404 outside a delegation's country).
#[utoipa::path(get, path = "/api/referrals/{referral_id}", tag = "resettlement",
    params(("referral_id" = String, Path)),
    responses((status = 200, body = ReferralBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn referral(
    State(st): State<AppState>,
    ApiUser(s): ApiUser,
    Path(referral_id): Path<String>,
) -> ApiResult<ReferralBody> {
    Ok(Json(
        scoped_referral(&st, &s.user, &referral_id).await?.into(),
    ))
}

/// A country's decision on a referral.
#[derive(Deserialize, ToSchema)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum DecisionRequest {
    /// The country accepts; the household departs on this date (YYYY-MM-DD).
    Accept { departure_date: String },
    /// The country declines, with its reason; the household returns to the pool.
    Decline { reason: String },
}

/// Records a country's decision on a submitted referral.
#[utoipa::path(post, path = "/api/referrals/{referral_id}/decision", tag = "resettlement",
    params(("referral_id" = String, Path)), request_body = DecisionRequest,
    responses((status = 200, body = ReferralBody), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, description = "already decided", body = ErrorBody)))]
async fn referral_decision(
    State(st): State<AppState>,
    ApiUser(s): ApiUser,
    Path(referral_id): Path<String>,
    ApiJson(req): ApiJson<DecisionRequest>,
) -> ApiResult<ReferralBody> {
    s.need(Capability::DecideReferral)?;
    scoped_referral(&st, &s.user, &referral_id).await?;
    let decision = match req {
        DecisionRequest::Accept { departure_date } => CountryDecision::Accept { departure_date },
        DecisionRequest::Decline { reason } => CountryDecision::Decline { reason },
    };
    let r = st
        .app
        .referral_decide(&s.user.ctx(), &referral_id, &decision)
        .await?;
    Ok(Json(r.into()))
}

/// Every user (administrators only).
#[utoipa::path(get, path = "/api/admin/users", tag = "administration",
    responses((status = 200, body = Vec<UserBody>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn users(State(st): State<AppState>, ApiUser(s): ApiUser) -> ApiResult<Vec<UserBody>> {
    s.need(Capability::Administer)?;
    Ok(Json(
        st.app.users().await?.iter().map(UserBody::from).collect(),
    ))
}
