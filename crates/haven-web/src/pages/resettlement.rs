//! The resettlement officer's pages: the pledges (places, period, criteria and legal bars
//! in words, places left), placement runs (start one with the operator's weights, read
//! its explanation and shadow prices, ask what one pledge's places would change, approve
//! it), and the departure of an accepted referral.
//!
//! A run is a recommendation: only its approval submits referrals, and the use cases
//! refuse an approval made twice or out of date with a message shown as it is.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Form, Router};
use haven_app::placement::{PledgePlaces, RunRequest, RunView, WhatIf};
use haven_core::access::Capability;
use haven_core::placement::{CategoryWeights, Weights};
use haven_core::pledge::{BarOp, Criteria, LegalBar};
use haven_store::ReferralRecord;

use super::{Chrome, PageResult, render, scoped_referral, see_other};
use crate::AppState;
use crate::auth::{PageUser, require};
use crate::chart;
use crate::error::{WebError, urlencode};

/// Time given to the optimiser for a run started from the page, unless the form says.
const DEFAULT_TIME_LIMIT_MS: u64 = 5_000;
/// Time given to a what-if re-solve.
const WHATIF_TIME_LIMIT_MS: u64 = 1_000;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/pledges", get(pledges))
        .route_layer(require(Capability::ViewPledges))
        .merge(
            Router::new()
                .route("/placement", get(runs))
                .route("/placement/run", post(start_run))
                .route("/placement/{run_id}", get(run))
                .route("/placement/{run_id}/approve", post(approve))
                .route("/placement/{run_id}/whatif", post(whatif))
                .route("/referrals/{id}/depart", post(depart))
                .route_layer(require(Capability::ManageResettlement)),
        )
}

/// A pledge's criteria in words, legal bars apart.
fn criteria_in_words(c: &Criteria) -> Vec<String> {
    let mut out = Vec::new();
    match (c.household_size_min, c.household_size_max) {
        (Some(a), Some(b)) => out.push(format!("households of {a} to {b} people")),
        (Some(a), None) => out.push(format!("households of at least {a} people")),
        (None, Some(b)) => out.push(format!("households of at most {b} people")),
        (None, None) => {}
    }
    if !c.accepts_specific_needs {
        out.push("no member with any specific need".into());
    } else if !c.excluded_needs.is_empty() {
        let needs: Vec<String> = c
            .excluded_needs
            .iter()
            .map(|n| {
                if n.contains('-') {
                    n.clone()
                } else {
                    format!("any {n}-…")
                }
            })
            .collect();
        out.push(format!(
            "no member with specific need {}",
            needs.join(" or ")
        ));
    }
    if !c.languages.is_empty() {
        out.push(format!("a member speaks {}", c.languages.join(" or ")));
    }
    if !c.nationalities.is_empty() {
        out.push(format!(
            "every member a national of {}",
            c.nationalities.join(" or ")
        ));
    }
    if let Some(age) = c.max_age {
        out.push(format!("no member older than {age}"));
    }
    if out.is_empty() {
        out.push("any household".into());
    }
    out
}

/// A legal bar in words: the law, and whom it bars.
fn bar_in_words(b: &LegalBar) -> String {
    let whom = match &b.op {
        BarOp::Present => format!("anyone with a recorded {}", b.attribute),
        BarOp::Equals => format!(
            "anyone whose recorded {} is {}",
            b.attribute,
            b.values.join("")
        ),
        BarOp::In => format!(
            "anyone whose recorded {} is one of {}",
            b.attribute,
            b.values.join(", ")
        ),
        BarOp::Unknown(op) => format!(
            "cannot be applied (unknown operator '{op}'): no household qualifies until it is fixed"
        ),
    };
    format!("{}: bars {whom}", b.description)
}

struct PledgeRow {
    p: PledgePlaces,
    criteria: Vec<String>,
    bars: Vec<String>,
}

#[derive(Template)]
#[template(path = "pledges.html")]
struct PledgesPage {
    c: Chrome,
    pledges: Vec<PledgeRow>,
    places: u32,
    left: u32,
    can_place: bool,
}

async fn pledges(State(st): State<AppState>, PageUser(s): PageUser) -> PageResult {
    s.need(Capability::ViewPledges)?;
    let pledges: Vec<PledgeRow> = st
        .app
        .pledge_places()
        .await?
        .into_iter()
        .map(|p| PledgeRow {
            criteria: criteria_in_words(&p.pledge.criteria),
            bars: p
                .pledge
                .criteria
                .legal_bars
                .iter()
                .map(bar_in_words)
                .collect(),
            p,
        })
        .collect();
    render(&PledgesPage {
        c: Chrome::new(&s, "Pledges", "/placement"),
        places: pledges.iter().map(|r| r.p.pledge.places).sum(),
        left: pledges
            .iter()
            .filter(|r| r.p.usable)
            .map(|r| r.p.places_left)
            .sum(),
        pledges,
        can_place: s.user.can(Capability::ManageResettlement),
    })
}

/// One weight of the form: its field name, what it is, its value.
struct WeightField {
    name: &'static str,
    label: &'static str,
    value: f64,
}

fn weight_fields(w: &Weights) -> Vec<WeightField> {
    let c = &w.categories;
    let f = |name, label, value| WeightField { name, label, value };
    vec![
        f("base", "Base (any durable solution)", w.base),
        f("emergency", "Emergency priority", w.emergency),
        f("urgent", "Urgent priority", w.urgent),
        f("normal", "Normal priority", w.normal),
        f(
            "legal_physical_protection",
            "Legal and physical protection needs",
            c.legal_physical_protection,
        ),
        f(
            "survivors_of_violence_torture",
            "Survivors of violence and torture",
            c.survivors_of_violence_torture,
        ),
        f("medical_needs", "Medical needs", c.medical_needs),
        f(
            "women_and_girls_at_risk",
            "Women and girls at risk",
            c.women_and_girls_at_risk,
        ),
        f(
            "family_reunification",
            "Family reunification",
            c.family_reunification,
        ),
        f("children_at_risk", "Children at risk", c.children_at_risk),
        f(
            "lack_of_alternative_solutions",
            "Lack of foreseeable alternative solutions",
            c.lack_of_alternative_solutions,
        ),
        f(
            "family_link",
            "Family link in the pledging country",
            w.family_link,
        ),
        f("outcome", "Outcome score (× 0–1)", w.outcome),
    ]
}

/// The run request of the form: every weight a number, nothing left out.
fn run_request(f: &HashMap<String, String>) -> Result<RunRequest, WebError> {
    let number = |name: &str| -> Result<f64, WebError> {
        let v = f.get(name).map(|v| v.trim()).unwrap_or("");
        v.parse::<f64>()
            .map_err(|_| WebError::BadRequest(format!("weight {name} must be a number, not '{v}'")))
    };
    let whole = |name: &str, default: u64| -> Result<u64, WebError> {
        match f.get(name).map(|v| v.trim()).filter(|v| !v.is_empty()) {
            None => Ok(default),
            Some(v) => v.parse::<u64>().map_err(|_| {
                WebError::BadRequest(format!("{name} must be a whole number, not '{v}'"))
            }),
        }
    };
    let (base, emergency, urgent, normal) = (
        number("base")?,
        number("emergency")?,
        number("urgent")?,
        number("normal")?,
    );
    let categories = CategoryWeights {
        legal_physical_protection: number("legal_physical_protection")?,
        survivors_of_violence_torture: number("survivors_of_violence_torture")?,
        medical_needs: number("medical_needs")?,
        women_and_girls_at_risk: number("women_and_girls_at_risk")?,
        family_reunification: number("family_reunification")?,
        children_at_risk: number("children_at_risk")?,
        lack_of_alternative_solutions: number("lack_of_alternative_solutions")?,
    };
    let per_person = match f.get("per_person").map(|v| v.trim()) {
        None | Some("true") => true,
        Some("false") => false,
        Some(v) => {
            return Err(WebError::BadRequest(format!(
                "per_person is true or false, not '{v}'"
            )));
        }
    };
    let w = Weights {
        base,
        emergency,
        urgent,
        normal,
        categories,
        family_link: number("family_link")?,
        outcome: number("outcome")?,
        per_person,
    };
    let time_limit_ms = whole("time_limit_ms", DEFAULT_TIME_LIMIT_MS)?;
    if !(1..=600_000).contains(&time_limit_ms) {
        return Err(WebError::BadRequest(format!(
            "time_limit_ms is 1 to 600000 (ten minutes), not {time_limit_ms}"
        )));
    }
    Ok(RunRequest {
        weights: w,
        time_limit_ms,
        seed: whole("seed", 0)?,
    })
}

#[derive(Template)]
#[template(path = "placement_runs.html")]
struct RunsPage {
    c: Chrome,
    runs: Vec<RunView>,
    weights: Vec<WeightField>,
    per_person: bool,
    time_limit_ms: u64,
}

async fn runs(State(st): State<AppState>, PageUser(s): PageUser) -> PageResult {
    s.need(Capability::ManageResettlement)?;
    let runs = st.app.placement_runs().await?;
    // The form starts from the weights of the newest run: what the operator used last.
    let w = runs.first().map(|r| r.weights.clone()).unwrap_or_default();
    render(&RunsPage {
        c: Chrome::new(&s, "Placement runs", "/placement"),
        weights: weight_fields(&w),
        per_person: w.per_person,
        time_limit_ms: DEFAULT_TIME_LIMIT_MS,
        runs,
    })
}

async fn start_run(
    State(st): State<AppState>,
    PageUser(s): PageUser,
    Form(f): Form<HashMap<String, String>>,
) -> PageResult {
    s.need(Capability::ManageResettlement)?;
    let req = run_request(&f)?;
    let v = crate::heavy(st.app.placement_run(&s.user.ctx(), &req)).await?;
    see_other(&format!("/placement/{}", urlencode(&v.run_id)))
}

/// An unplaced household's reason, as an officer reads it.
fn unplaced_reason(reason: &str) -> &'static str {
    match reason {
        "no_eligible_pledge" => "eligible for no open pledge",
        "places_exhausted" => "eligible, but every pledge it is eligible for is used up",
        "not_worth_it" => "placing it would lower the run's value",
        _ => "not placed",
    }
}

#[derive(Template)]
#[template(path = "placement_run.html")]
struct RunPage {
    c: Chrome,
    v: RunView,
    shadow_svg: String,
    /// (household, people, reason in words, each pledge and why not).
    unplaced: Vec<(String, u32, &'static str, Vec<String>)>,
    referrals: Vec<ReferralRecord>,
}

async fn run(
    State(st): State<AppState>,
    PageUser(s): PageUser,
    Path(run_id): Path<String>,
) -> PageResult {
    s.need(Capability::ManageResettlement)?;
    let v = st.app.placement_show(&run_id).await?;
    let rows: Vec<(String, i64)> = v
        .result
        .pledges
        .iter()
        .map(|p| {
            (
                format!("{} {}", p.country, p.pledge_id),
                p.shadow_price.round() as i64,
            )
        })
        .collect();
    let unplaced = v
        .result
        .unplaced
        .iter()
        .map(|u| {
            (
                u.household_id.clone(),
                u.people,
                unplaced_reason(&u.reason),
                u.ineligible.clone(),
            )
        })
        .collect();
    let referrals = st
        .app
        .referrals()
        .await?
        .into_iter()
        .filter(|r| r.run_id == run_id)
        .collect();
    render(&RunPage {
        c: Chrome::new(&s, format!("Placement run {run_id}"), "/placement"),
        shadow_svg: chart::bars("value of one more place per pledge", &rows),
        unplaced,
        referrals,
        v,
    })
}

async fn approve(
    State(st): State<AppState>,
    PageUser(s): PageUser,
    Path(run_id): Path<String>,
) -> PageResult {
    s.need(Capability::ManageResettlement)?;
    st.app.placement_approve(&s.user.ctx(), &run_id).await?;
    see_other(&format!("/placement/{}", urlencode(&run_id)))
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct WhatIfForm {
    pledge_id: String,
    places: String,
}

#[derive(Template)]
#[template(path = "placement_whatif.html")]
struct WhatIfPage {
    c: Chrome,
    w: WhatIf,
    more_people: i64,
}

async fn whatif(
    State(st): State<AppState>,
    PageUser(s): PageUser,
    Path(run_id): Path<String>,
    Form(f): Form<WhatIfForm>,
) -> PageResult {
    s.need(Capability::ManageResettlement)?;
    let delta: i64 = f.places.trim().parse().map_err(|_| {
        WebError::BadRequest(format!(
            "places is a whole number of places to add (or, negative, to take away), not '{}'",
            f.places
        ))
    })?;
    let w = crate::heavy(st.app.placement_whatif(
        &run_id,
        f.pledge_id.trim(),
        delta,
        WHATIF_TIME_LIMIT_MS,
    ))
    .await?;
    render(&WhatIfPage {
        c: Chrome::new(&s, format!("What if: run {run_id}"), "/placement"),
        more_people: w.people_placed_after as i64 - w.people_placed_before as i64,
        w,
    })
}

/// An accepted referral's household departs for the country.
async fn depart(
    State(st): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
) -> PageResult {
    s.need(Capability::ManageResettlement)?;
    scoped_referral(&st, &s.user, &id).await?;
    st.app.referral_depart(&s.user.ctx(), &id).await?;
    see_other(&format!("/referrals/{}", urlencode(&id)))
}
