//! Writing to the registry from programs: a household registered by hand, checked by
//! the importer's own rules (`App::register_household`); on bad input a 400 whose
//! problems name the member (`form:N`, 1 = first), the field and the value.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use haven_app::{NewHousehold, NewMember};
use haven_core::access::Capability;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{HouseholdBody, PersonBody, guarded};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, ApiJson, ErrorBody};

pub fn routes() -> OpenApiRouter<AppState> {
    guarded(Capability::Register)
        .routes(routes!(register_household))
        .into()
}

/// One person of a new household, as on the registration form.
#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct NewMemberRequest {
    /// `head` for the head; spouse, child, parent, sibling, grandchild, grandparent,
    /// other_relative or non_relative for the others.
    pub relationship: String,
    pub given_name_latin: String,
    pub family_name_latin: String,
    /// In the original script (e.g. Persian).
    pub given_name_original: String,
    pub family_name_original: String,
    /// F, M or X.
    pub sex: String,
    /// YYYY, YYYY-MM or YYYY-MM-DD.
    pub date_of_birth: String,
    /// exact, month, year or estimated; omitted: as precise as the date is written.
    pub dob_precision: String,
    /// ISO 3166-1 alpha-3 (XXA: stateless).
    pub nationality: String,
    /// ISO 639 codes.
    pub languages: Vec<String>,
    /// Specific-needs codes of the operation's catalogue.
    pub specific_needs: Vec<String>,
}

/// A household to register: the head and members, at a site (and optionally a unit).
#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct NewHouseholdRequest {
    pub site_id: String,
    /// A shelter unit of that site.
    pub unit_id: Option<String>,
    /// Exactly one with relationship `head`.
    pub members: Vec<NewMemberRequest>,
}

impl From<NewMemberRequest> for NewMember {
    fn from(m: NewMemberRequest) -> Self {
        NewMember {
            relationship: m.relationship,
            given_name_latin: m.given_name_latin,
            family_name_latin: m.family_name_latin,
            given_name_original: m.given_name_original,
            family_name_original: m.family_name_original,
            sex: m.sex,
            date_of_birth: m.date_of_birth,
            dob_precision: m.dob_precision,
            nationality: m.nationality,
            languages: m.languages,
            specific_needs: m.specific_needs,
        }
    }
}

/// Registers a household with the operation's next household and person ids.
#[utoipa::path(post, path = "/api/households", tag = "registry",
    request_body = NewHouseholdRequest,
    responses((status = 201, body = HouseholdBody),
              (status = 400, description = "problems, each naming the member (form:N), field and value; nothing was written", body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn register_household(
    State(st): State<AppState>,
    ApiUser(s): ApiUser,
    ApiJson(req): ApiJson<NewHouseholdRequest>,
) -> Result<(StatusCode, Json<HouseholdBody>), ApiError> {
    s.need(Capability::Register)?;
    let h = st
        .app
        .register_household(
            &s.user.ctx(),
            &NewHousehold {
                site_id: req.site_id,
                unit_id: req.unit_id.filter(|u| !u.trim().is_empty()),
                members: req.members.into_iter().map(NewMember::from).collect(),
            },
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(HouseholdBody {
            household_id: h.household_id,
            members: h.members.iter().map(PersonBody::from).collect(),
        }),
    ))
}
