//! Voluntary return, for the resettlement officer: every case (person, country, stage,
//! counsellor, consent, verifier, departure day, withdrawals) with the forms its stage
//! allows, and a form to open a case with counselling.
//!
//! The counsellor and the verifier are the logged-in user; that the verification is by
//! another officer than the counsellor is the use case's rule, and its refusal is shown
//! as it is.

use askama::Template;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Form, Router};
use haven_app::voluntary_return::ReturnStep;
use haven_core::access::Capability;
use haven_core::rsd::iso_date;
use haven_core::voluntary_return::{ReturnStage, VoluntaryReturn};
use serde::Deserialize;

use super::{Chrome, PageResult, render, see_other};
use crate::AppState;
use crate::auth::{PageUser, require};
use crate::error::WebError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/returns", get(list).post(start))
        .route("/returns/{person_id}/step", post(step))
        .route("/returns/{person_id}/depart", post(depart))
        .route_layer(require(Capability::ManageReturns))
}

/// A form field left empty is not given.
fn given(s: &str) -> Option<&str> {
    let t = s.trim();
    (!t.is_empty()).then_some(t)
}

/// One case as the list shows it.
struct CaseRow {
    person_id: String,
    name_latin: String,
    name_original: String,
    country: String,
    /// The stage's key, for the forms it allows.
    stage: &'static str,
    label: &'static str,
    counsellor: Option<String>,
    /// The logged-in officer counselled (and so may not verify).
    counselled_by_me: bool,
    consent: Option<String>,
    verifier: Option<String>,
    departure: Option<String>,
    withdrawals: Vec<String>,
}

fn case_row(v: &VoluntaryReturn, latin: String, original: String, me: &str) -> CaseRow {
    let (counselling, consent, verification, departure) = match &v.stage {
        ReturnStage::Counselled { counselling } => (Some(counselling), None, None, None),
        ReturnStage::ConsentSigned {
            counselling,
            consent,
        } => (Some(counselling), Some(consent), None, None),
        ReturnStage::Verified {
            counselling,
            consent,
            verification,
        } => (Some(counselling), Some(consent), Some(verification), None),
        ReturnStage::Scheduled {
            counselling,
            consent,
            verification,
            departure_on,
        } => (
            Some(counselling),
            Some(consent),
            Some(verification),
            Some(format!("scheduled for {}", iso_date(*departure_on))),
        ),
        ReturnStage::Departed {
            counselling,
            consent,
            verification,
            departed_on,
        } => (
            Some(counselling),
            Some(consent),
            Some(verification),
            Some(format!("departed on {}", iso_date(*departed_on))),
        ),
        ReturnStage::Withdrawn { .. } => (None, None, None, None),
    };
    CaseRow {
        person_id: v.person_id.clone(),
        name_latin: latin,
        name_original: original,
        country: v.country.clone(),
        stage: v.stage.key(),
        label: v.stage.label(),
        counsellor: counselling.map(|c| format!("{} on {}", c.counsellor, iso_date(c.on))),
        counselled_by_me: counselling.is_some_and(|c| c.counsellor == me),
        consent: consent.map(|c| format!("{} signed on {}", c.document, iso_date(c.signed_on))),
        verifier: verification.map(|x| format!("{} on {}", x.officer, iso_date(x.on))),
        departure,
        withdrawals: v
            .withdrawals
            .iter()
            .map(|w| {
                format!(
                    "{} (from {}, recorded by {}){}",
                    iso_date(w.on),
                    w.from.replace('_', " "),
                    w.recorded_by,
                    w.reason
                        .as_deref()
                        .map(|r| format!(": {r}"))
                        .unwrap_or_default()
                )
            })
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "returns.html")]
struct ReturnsPage {
    c: Chrome,
    cases: Vec<CaseRow>,
    me: String,
    today: String,
}

async fn list(State(st): State<AppState>, PageUser(s): PageUser) -> PageResult {
    s.need(Capability::ManageReturns)?;
    let mut cases = Vec::new();
    let returns = st.app.voluntary_returns().await?;
    let shown: Vec<&str> = returns.iter().map(|v| v.person_id.as_str()).collect();
    st.app
        .record_list_view(&s.user.ctx(), "returns.view", "returns", "all", &shown)
        .await?;
    for v in &returns {
        let p = st.app.person(&v.person_id).await?;
        let name = &p.record.person.name;
        cases.push(case_row(v, name.latin(), name.original(), &s.user.username));
    }
    render(&ReturnsPage {
        c: Chrome::new(&s, "Voluntary return", "/returns"),
        cases,
        me: s.user.username.clone(),
        today: st.app.today(),
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct StartForm {
    person_id: String,
    country: String,
    on: String,
}

/// Opens a case (or restarts a withdrawn one) with a counselling session by the
/// logged-in officer.
async fn start(
    State(st): State<AppState>,
    PageUser(s): PageUser,
    Form(f): Form<StartForm>,
) -> PageResult {
    s.need(Capability::ManageReturns)?;
    let person_id = given(&f.person_id)
        .ok_or_else(|| WebError::BadRequest("the person's id is required".into()))?;
    st.app
        .return_step(
            &s.user.ctx(),
            person_id,
            &ReturnStep::Counsel {
                officer: s.user.username.clone(),
                country: given(&f.country).map(str::to_uppercase),
            },
            given(&f.on),
        )
        .await?;
    see_other("/returns")
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct StepForm {
    step: String,
    on: String,
    document: String,
    departure: String,
    reason: String,
}

async fn step(
    State(st): State<AppState>,
    PageUser(s): PageUser,
    Path(person_id): Path<String>,
    Form(f): Form<StepForm>,
) -> PageResult {
    s.need(Capability::ManageReturns)?;
    let me = s.user.username.clone();
    let step = match f.step.trim() {
        "counsel" => ReturnStep::Counsel {
            officer: me,
            country: None,
        },
        "consent" => ReturnStep::Consent {
            document: f.document.trim().to_string(),
        },
        "verify" => ReturnStep::Verify { officer: me },
        "schedule" => ReturnStep::Schedule {
            departure: f.departure.trim().to_string(),
        },
        "withdraw" => ReturnStep::Withdraw {
            reason: given(&f.reason).map(str::to_string),
        },
        other => {
            return Err(WebError::BadRequest(format!(
                "the step is counsel, consent, verify, schedule or withdraw, not '{other}'"
            ))
            .into());
        }
    };
    st.app
        .return_step(&s.user.ctx(), &person_id, &step, given(&f.on))
        .await?;
    see_other("/returns")
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DepartForm {
    on: String,
}

async fn depart(
    State(st): State<AppState>,
    PageUser(s): PageUser,
    Path(person_id): Path<String>,
    Form(f): Form<DepartForm>,
) -> PageResult {
    s.need(Capability::ManageReturns)?;
    st.app
        .return_depart(&s.user.ctx(), &person_id, given(&f.on))
        .await?;
    see_other("/returns")
}
