//! Referrals and a country's decisions: all of them for a resettlement officer, a
//! delegation's own country's only.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use haven_core::access::Capability;
use serde::Deserialize;

use super::{Chrome, PageResult, render, see_other};
use crate::AppState;
use crate::auth::{PageUser, require};
use crate::error::WebError;
use axum::Router;
use axum::routing::{get, post};
use haven_app::access::User;
use haven_app::placement::CountryDecision;
use haven_core::access::Role;
use haven_store::{PersonRecord, ReferralRecord};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/referrals", get(referrals))
        .route("/referrals/{id}", get(referral))
        .route_layer(require(Capability::ViewReferrals))
        .merge(
            Router::new()
                .route("/referrals/{id}/decide", post(referral_decide))
                .route_layer(require(Capability::DecideReferral)),
        )
}

/// Whether the user may see this referral at all. Outside a delegation's country a
/// referral does not exist for it (404), so that ids reveal nothing.
pub fn referral_in_scope(user: &User, r: &ReferralRecord) -> bool {
    match user.role {
        Role::CountryDelegation => user.country.as_deref() == Some(r.country.as_str()),
        _ => user.can(Capability::ViewReferrals),
    }
}

pub async fn scoped_referral(
    st: &AppState,
    user: &User,
    id: &str,
) -> Result<ReferralRecord, WebError> {
    if !user.can(Capability::ViewReferrals) {
        return Err(WebError::forbidden());
    }
    st.app
        .referrals()
        .await?
        .into_iter()
        .find(|r| r.referral_id == id && referral_in_scope(user, r))
        .ok_or_else(|| WebError::NotFound(format!("no referral {id}")))
}

#[derive(Template)]
#[template(path = "referrals.html")]
struct ReferralsPage {
    c: Chrome,
    referrals: Vec<ReferralRecord>,
}

async fn referrals(State(st): State<AppState>, PageUser(s): PageUser) -> PageResult {
    s.need(Capability::ViewReferrals)?;
    let referrals = st
        .app
        .referrals()
        .await?
        .into_iter()
        .filter(|r| referral_in_scope(&s.user, r))
        .collect();
    render(&ReferralsPage {
        c: Chrome::new(&s, "Referrals", "/referrals"),
        referrals,
    })
}

#[derive(Template)]
#[template(path = "referral.html")]
struct ReferralPage {
    c: Chrome,
    r: ReferralRecord,
    members: Vec<PersonRecord>,
    can_decide: bool,
    can_depart: bool,
}

async fn referral(
    State(st): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
) -> PageResult {
    let r = scoped_referral(&st, &s.user, &id).await?;
    let members = st.app.household(&r.household_id).await?.members;
    st.app
        .record_view(&s.user.ctx(), "household", &r.household_id)
        .await?;
    render(&ReferralPage {
        can_decide: s.user.can(Capability::DecideReferral) && r.status == "submitted",
        can_depart: s.user.can(Capability::ManageResettlement) && r.status == "accepted",
        c: Chrome::new(&s, format!("Referral {id}"), "/referrals"),
        r,
        members,
    })
}

#[derive(Deserialize)]
struct DecideForm {
    decision: String,
    departure_date: Option<String>,
    reason: Option<String>,
}

async fn referral_decide(
    State(st): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
    Form(f): Form<DecideForm>,
) -> PageResult {
    s.need(Capability::DecideReferral)?;
    scoped_referral(&st, &s.user, &id).await?;
    let decision = match f.decision.as_str() {
        "accept" => CountryDecision::Accept {
            departure_date: f.departure_date.unwrap_or_default(),
        },
        "decline" => CountryDecision::Decline {
            reason: f.reason.unwrap_or_default(),
        },
        other => {
            return Err(WebError::BadRequest(format!(
                "decision is accept or decline, not '{other}'"
            ))
            .into());
        }
    };
    st.app
        .referral_decide(&s.user.ctx(), &id, &decision)
        .await?;
    see_other(&format!("/referrals/{id}"))
}
