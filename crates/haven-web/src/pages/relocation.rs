//! Relocation, for the site manager (and, to read, the registration officer): the
//! convoys by date with their manifests, the latest plan and whom it held back; a new
//! plan; a convoy's departure, its arrival check-in (whoever is not ticked goes to
//! whereabouts unknown, named on the convoy's page) and the late check-in of someone
//! missing; cancelling a planned convoy; the manifest as CSV.

use std::collections::HashSet;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Form, Router};
use haven_app::relocation::{CheckIn, LatestPlan, PlanRequest, write_manifest_csv};
use haven_core::access::Capability;
use haven_core::ledger::Account;
use haven_core::registry::SiteKind;
use haven_core::relocation::{NeedRule, Rules, convoy_slots};
use haven_store::{ConvoyRecord, ManifestLine};
use serde::Deserialize;

use super::{Chrome, PageResult, render, see_other};
use crate::AppState;
use crate::auth::{PageUser, require};
use crate::error::WebError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/convoys", get(convoys))
        .route("/convoys/{id}", get(convoy))
        .route("/convoys/{id}/manifest.csv", get(manifest_csv))
        .route_layer(require(Capability::ViewConvoys))
        .merge(
            Router::new()
                .route("/relocation/plan", post(plan))
                .route("/convoys/{id}/depart", post(depart))
                .route("/convoys/{id}/arrive", post(arrive))
                .route("/convoys/{id}/cancel", post(cancel))
                .route("/people/{id}/check-in", post(check_in))
                .route_layer(require(Capability::ManageConvoys)),
        )
}

/// A convoy's manifest counts in words: `89 arrived, 1 missing`.
pub fn manifest_counts(c: &ConvoyRecord) -> String {
    c.manifest
        .iter()
        .map(|(status, n)| format!("{n} {status}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Ids typed in a list: separated by commas, semicolons or white space.
pub fn id_list(s: &str) -> Vec<String> {
    s.split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

struct ConvoyRow {
    r: ConvoyRecord,
    manifest: String,
}

/// What the plan form starts with.
struct PlanDefaults {
    from_site: String,
    to_site: String,
    first_date: String,
    last_date: String,
    per_day: u32,
    seats: u32,
    early_needs: String,
    near_facilities_needs: String,
}

#[derive(Template)]
#[template(path = "convoys.html")]
struct ConvoysPage {
    c: Chrome,
    convoys: Vec<ConvoyRow>,
    latest: Option<LatestPlan>,
    can_manage: bool,
    sites: Vec<(String, String)>,
    plan: PlanDefaults,
    notice: Option<String>,
}

#[derive(Deserialize, Default)]
struct ConvoysQuery {
    planned: Option<i64>,
}

fn codes(rule: &NeedRule) -> String {
    rule.0.iter().cloned().collect::<Vec<_>>().join(",")
}

async fn convoys(
    State(st): State<AppState>,
    PageUser(s): PageUser,
    Query(q): Query<ConvoysQuery>,
) -> PageResult {
    s.need(Capability::ViewConvoys)?;
    let o = st.app.relocation_overview().await?;
    let sites = st.app.overview().await?.sites;
    let of_kind = |k: SiteKind| {
        sites
            .iter()
            .find(|x| x.site.kind == k)
            .map(|x| x.site.site_id.clone())
            .unwrap_or_default()
    };
    let today = st.app.today();
    let rules = Rules::default();
    let plan = PlanDefaults {
        from_site: of_kind(SiteKind::ClosingCamp),
        to_site: of_kind(SiteKind::TemporarySite),
        first_date: today.clone(),
        last_date: today,
        per_day: 1,
        seats: 90,
        early_needs: codes(&rules.early_convoy),
        near_facilities_needs: codes(&rules.near_facilities),
    };
    let notice = q.planned.map(|id| match &o.latest_plan {
        Some(p) if p.plan_id == id => format!(
            "Plan {id} made: its convoys are listed below; {} household(s) held back.",
            p.held.len()
        ),
        _ => format!("Plan {id} made."),
    });
    render(&ConvoysPage {
        c: Chrome::new(&s, "Convoys", "/convoys"),
        convoys: o
            .convoys
            .into_iter()
            .map(|r| ConvoyRow {
                manifest: manifest_counts(&r),
                r,
            })
            .collect(),
        latest: o.latest_plan,
        can_manage: s.user.can(Capability::ManageConvoys),
        sites: sites
            .iter()
            .map(|x| (x.site.site_id.clone(), x.site.name.clone()))
            .collect(),
        plan,
        notice,
    })
}

#[derive(Template)]
#[template(path = "convoy.html")]
struct ConvoyPage {
    c: Chrome,
    r: ConvoyRecord,
    manifest: String,
    lines: Vec<ManifestLine>,
    /// Not checked in on arrival and still of unknown whereabouts.
    missing: Vec<ManifestLine>,
    /// On board now (for the arrival check-in).
    on_board: Vec<ManifestLine>,
    can_manage: bool,
}

async fn convoy(
    State(st): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
) -> PageResult {
    s.need(Capability::ViewConvoys)?;
    let d = st.app.convoy_seen(&s.user.ctx(), &id).await?;
    let transit = Account::InTransit(id.clone());
    let missing = d
        .manifest
        .iter()
        .filter(|l| l.status == "missing" && l.person.place == Account::WhereaboutsUnknown)
        .cloned()
        .collect();
    let on_board = d
        .manifest
        .iter()
        .filter(|l| l.status == "departed" && l.person.place == transit)
        .cloned()
        .collect();
    render(&ConvoyPage {
        c: Chrome::new(&s, format!("Convoy {id}"), "/convoys"),
        manifest: manifest_counts(&d.convoy),
        r: d.convoy,
        lines: d.manifest,
        missing,
        on_board,
        can_manage: s.user.can(Capability::ManageConvoys),
    })
}

/// Only the characters of an id in a file name.
fn file_safe(id: &str) -> String {
    id.chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect()
}

async fn manifest_csv(
    State(st): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
) -> PageResult {
    s.need(Capability::ViewConvoys)?;
    let d = st.app.convoy_seen(&s.user.ctx(), &id).await?;
    let mut out = Vec::new();
    write_manifest_csv(&d, &mut out)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"manifest-{}.csv\"", file_safe(&id)),
            ),
        ],
        out,
    )
        .into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PlanForm {
    from_site: String,
    to_site: String,
    first_date: String,
    last_date: String,
    per_day: String,
    seats: String,
    early_needs: String,
    near_facilities_needs: String,
}

fn number(field: &str, s: &str) -> Result<u32, WebError> {
    s.trim()
        .parse()
        .map_err(|_| WebError::BadRequest(format!("{field} must be a whole number, not '{s}'")))
}

async fn plan(
    State(st): State<AppState>,
    PageUser(s): PageUser,
    Form(f): Form<PlanForm>,
) -> PageResult {
    s.need(Capability::ManageConvoys)?;
    let (first, last) = (f.first_date.trim(), f.last_date.trim());
    let dates = if last.is_empty() || last == first {
        first.to_string()
    } else {
        format!("{first}..{last}")
    };
    let convoys = convoy_slots(
        &dates,
        number("convoys per day", &f.per_day)?,
        number("seats", &f.seats)?,
    )
    .map_err(|e| WebError::BadRequest(format!("convoy dates: {e}")))?;
    let req = PlanRequest {
        from_site: f.from_site.trim().to_string(),
        to_site: f.to_site.trim().to_string(),
        convoys,
        rules: Rules {
            early_convoy: NeedRule::new(id_list(&f.early_needs)),
            near_facilities: NeedRule::new(id_list(&f.near_facilities_needs)),
        },
    };
    let summary = st.app.plan_relocation(&s.user.ctx(), &req).await?;
    see_other(&format!("/convoys?planned={}", summary.plan_id))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DepartForm {
    /// People or households who did not come (their whole household stays).
    left_behind: String,
}

async fn depart(
    State(st): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
    Form(f): Form<DepartForm>,
) -> PageResult {
    s.need(Capability::ManageConvoys)?;
    st.app
        .depart_convoy(&s.user.ctx(), &id, &id_list(&f.left_behind))
        .await?;
    see_other(&format!("/convoys/{id}"))
}

/// The arrival check-in: every person on board is `listed`, those checked in are also
/// `present` (a ticked box); whoever is listed but not present was not checked in.
async fn arrive(
    State(st): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> PageResult {
    s.need(Capability::ManageConvoys)?;
    let present: HashSet<&str> = fields
        .iter()
        .filter(|(k, _)| k == "present")
        .map(|(_, v)| v.as_str())
        .collect();
    let missing: Vec<String> = fields
        .iter()
        .filter(|(k, v)| k == "listed" && !present.contains(v.as_str()))
        .map(|(_, v)| v.clone())
        .collect();
    let check = if missing.is_empty() {
        CheckIn::Everyone
    } else {
        CheckIn::Missing(missing)
    };
    st.app.arrive_convoy(&s.user.ctx(), &id, &check).await?;
    see_other(&format!("/convoys/{id}"))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CancelForm {
    reason: String,
}

async fn cancel(
    State(st): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
    Form(f): Form<CancelForm>,
) -> PageResult {
    s.need(Capability::ManageConvoys)?;
    st.app.cancel_convoy(&s.user.ctx(), &id, &f.reason).await?;
    see_other(&format!("/convoys/{id}"))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CheckInForm {
    /// The convoy page to come back to.
    convoy: String,
}

async fn check_in(
    State(st): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
    Form(f): Form<CheckInForm>,
) -> PageResult {
    s.need(Capability::ManageConvoys)?;
    st.app.check_in_late(&s.user.ctx(), &id).await?;
    let back = file_safe(&f.convoy);
    if back.is_empty() || back != f.convoy {
        see_other(&format!("/people/{id}"))
    } else {
        see_other(&format!("/convoys/{back}"))
    }
}
