//! The voluntary return API: every case, and one step of a person's case (counselling,
//! consent, verification, scheduling, withdrawal, departure), recorded in the name of the
//! logged-in officer. The verification by another officer than the counsellor is the
//! use case's rule; its refusal is answered as 409 with its message.

use axum::Json;
use axum::extract::{Path, State};
use haven_app::voluntary_return::ReturnStep;
use haven_core::access::Capability;
use haven_core::rsd::iso_date;
use haven_core::voluntary_return::{ReturnStage, VoluntaryReturn};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiResult, guarded};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiJson, ErrorBody};

pub fn routes() -> OpenApiRouter<AppState> {
    guarded(Capability::ManageReturns)
        .routes(routes!(returns))
        .routes(routes!(step))
        .into()
}

#[derive(Serialize, ToSchema)]
pub struct WithdrawalBody {
    pub on: String,
    /// The stage the return was in.
    pub from: String,
    pub recorded_by: String,
    pub reason: Option<String>,
}

/// One person's return case.
#[derive(Serialize, ToSchema)]
pub struct ReturnBody {
    pub person_id: String,
    /// The country of return (ISO 3166-1 alpha-3).
    pub country: String,
    /// counselled, consent_signed, verified, scheduled, departed or withdrawn.
    pub stage: String,
    /// The stage as a caseworker reads it.
    pub stage_label: String,
    pub counsellor: Option<String>,
    pub counselled_on: Option<String>,
    pub consent_document: Option<String>,
    pub consent_signed_on: Option<String>,
    pub verified_by: Option<String>,
    pub verified_on: Option<String>,
    pub departure_on: Option<String>,
    pub departed_on: Option<String>,
    pub withdrawals: Vec<WithdrawalBody>,
}

impl From<&VoluntaryReturn> for ReturnBody {
    fn from(v: &VoluntaryReturn) -> Self {
        let mut b = ReturnBody {
            person_id: v.person_id.clone(),
            country: v.country.clone(),
            stage: v.stage.key().into(),
            stage_label: v.stage.label().into(),
            counsellor: None,
            counselled_on: None,
            consent_document: None,
            consent_signed_on: None,
            verified_by: None,
            verified_on: None,
            departure_on: None,
            departed_on: None,
            withdrawals: v
                .withdrawals
                .iter()
                .map(|w| WithdrawalBody {
                    on: iso_date(w.on),
                    from: w.from.clone(),
                    recorded_by: w.recorded_by.clone(),
                    reason: w.reason.clone(),
                })
                .collect(),
        };
        let (counselling, consent, verification) = match &v.stage {
            ReturnStage::Counselled { counselling } => (Some(counselling), None, None),
            ReturnStage::ConsentSigned {
                counselling,
                consent,
            } => (Some(counselling), Some(consent), None),
            ReturnStage::Verified {
                counselling,
                consent,
                verification,
            } => (Some(counselling), Some(consent), Some(verification)),
            ReturnStage::Scheduled {
                counselling,
                consent,
                verification,
                departure_on,
            } => {
                b.departure_on = Some(iso_date(*departure_on));
                (Some(counselling), Some(consent), Some(verification))
            }
            ReturnStage::Departed {
                counselling,
                consent,
                verification,
                departed_on,
            } => {
                b.departed_on = Some(iso_date(*departed_on));
                (Some(counselling), Some(consent), Some(verification))
            }
            ReturnStage::Withdrawn { .. } => (None, None, None),
        };
        if let Some(c) = counselling {
            b.counsellor = Some(c.counsellor.clone());
            b.counselled_on = Some(iso_date(c.on));
        }
        if let Some(c) = consent {
            b.consent_document = Some(c.document.clone());
            b.consent_signed_on = Some(iso_date(c.signed_on));
        }
        if let Some(x) = verification {
            b.verified_by = Some(x.officer.clone());
            b.verified_on = Some(iso_date(x.on));
        }
        b
    }
}

/// Every return case.
#[utoipa::path(get, path = "/api/returns", tag = "voluntary_return",
    responses((status = 200, body = Vec<ReturnBody>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn returns(State(st): State<AppState>, ApiUser(s): ApiUser) -> ApiResult<Vec<ReturnBody>> {
    s.need(Capability::ManageReturns)?;
    Ok(Json(
        st.app
            .voluntary_returns()
            .await?
            .iter()
            .map(ReturnBody::from)
            .collect(),
    ))
}

/// One step of a return case. The counsellor and the verifier are the logged-in user.
#[derive(Deserialize, ToSchema)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum StepRequest {
    /// A counselling session: opens the case, or restarts it after a withdrawal. The
    /// country defaults to the person's nationality.
    Counsel {
        country: Option<String>,
        on: Option<String>,
    },
    /// The person signed the consent form (its reference).
    Consent {
        document: String,
        on: Option<String>,
    },
    /// The consent is free and informed: by another officer than the counsellor.
    Verify { on: Option<String> },
    /// The departure day, YYYY-MM-DD.
    Schedule { departure: String },
    /// The person withdraws (a reason only if they give one).
    Withdraw {
        reason: Option<String>,
        on: Option<String>,
    },
    /// The person departs: moves to the `returned:ISO3` account.
    Depart { on: Option<String> },
}

/// Records one step of a person's return case; answers the case as it is now.
#[utoipa::path(post, path = "/api/returns/{person_id}/steps", tag = "voluntary_return",
    params(("person_id" = String, Path, description = "e.g. P-000001")), request_body = StepRequest,
    responses((status = 200, body = ReturnBody), (status = 400, description = "not a step", body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = "the step does not apply now (e.g. verification by the counsellor)", body = ErrorBody)))]
async fn step(
    State(st): State<AppState>,
    ApiUser(s): ApiUser,
    Path(person_id): Path<String>,
    ApiJson(req): ApiJson<StepRequest>,
) -> ApiResult<ReturnBody> {
    s.need(Capability::ManageReturns)?;
    let ctx = s.user.ctx();
    let me = s.user.username.clone();
    let (step, on) = match req {
        StepRequest::Counsel { country, on } => (
            ReturnStep::Counsel {
                officer: me,
                country: country.map(|c| c.trim().to_uppercase()),
            },
            on,
        ),
        StepRequest::Consent { document, on } => (ReturnStep::Consent { document }, on),
        StepRequest::Verify { on } => (ReturnStep::Verify { officer: me }, on),
        StepRequest::Schedule { departure } => (ReturnStep::Schedule { departure }, None),
        StepRequest::Withdraw { reason, on } => (ReturnStep::Withdraw { reason }, on),
        StepRequest::Depart { on } => {
            st.app
                .return_depart(&ctx, &person_id, on.as_deref())
                .await?;
            return Ok(Json(case(&st, &person_id).await?));
        }
    };
    let v = st
        .app
        .return_step(&ctx, &person_id, &step, on.as_deref())
        .await?;
    Ok(Json(ReturnBody::from(&v)))
}

async fn case(st: &AppState, person_id: &str) -> Result<ReturnBody, crate::error::WebError> {
    st.app
        .voluntary_returns()
        .await?
        .iter()
        .find(|v| v.person_id == person_id)
        .map(ReturnBody::from)
        .ok_or_else(|| crate::error::WebError::NotFound(format!("no return case for {person_id}")))
}
