//! The sites against the humanitarian minimum standards: every site's occupancy, its
//! declared capacity and the people it can hold to every standard (and what limits it);
//! one site's assessment with its shelter units below standard, worst first, and its
//! facilities. Aggregates only: no personal data, so monitors see it too.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::routing::get;
use haven_core::access::Capability;
use haven_core::standards::{Facilities, Limit, SiteAssessment, Standards, UnitAssessment};
use haven_store::SiteOverview;

use super::{Chrome, PageResult, render};
use crate::AppState;
use crate::auth::{PageUser, require};
use crate::chart;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/sites", get(sites))
        .route("/sites/{id}", get(site))
        .route_layer(require(Capability::ViewSites))
}

/// What limits a site's capacity, in words.
fn limit_name(l: Limit) -> &'static str {
    match l {
        Limit::CoveredArea => "covered area",
        Limit::Water => "water",
        Limit::Latrines => "latrines",
        Limit::Showers => "showers",
    }
}

/// One site's line: its assessment with its shelter units' totals.
struct SiteRow {
    a: SiteAssessment,
    units: i64,
    closing_deadline: Option<String>,
    limit: &'static str,
}

#[derive(Template)]
#[template(path = "sites.html")]
struct SitesPage {
    c: Chrome,
    standards: Standards,
    rows: Vec<SiteRow>,
    residents_present: i64,
    temporary_capacity: i64,
    shortfall: i64,
    chart: String,
}

fn row(a: SiteAssessment, overview: &[SiteOverview]) -> SiteRow {
    let o = overview.iter().find(|o| o.site.site_id == a.site_id);
    SiteRow {
        units: o.map_or(0, |o| o.units),
        closing_deadline: o.and_then(|o| o.site.closing_deadline.clone()),
        limit: limit_name(a.limited_by),
        a,
    }
}

async fn sites(State(st): State<AppState>, PageUser(s): PageUser) -> PageResult {
    s.need(Capability::ViewSites)?;
    let report = st.app.standards_report(None).await?;
    let overview = st.app.overview().await?;
    let bars: Vec<(String, i64)> = report
        .sites
        .iter()
        .flat_map(|a| {
            [
                (format!("{} present", a.site_id), a.occupancy),
                (format!("{} declared", a.site_id), a.declared_capacity),
                (
                    format!("{} at standards", a.site_id),
                    a.capacity_at_standards,
                ),
            ]
        })
        .collect();
    render(&SitesPage {
        c: Chrome::new(&s, "Sites", "/sites"),
        chart: chart::bars(
            "Sites: people present, declared capacity and capacity at standards",
            &bars,
        ),
        standards: report.standards,
        residents_present: report.residents_present,
        temporary_capacity: report.temporary_sites_capacity_at_standards,
        shortfall: report.shortfall,
        rows: report
            .sites
            .into_iter()
            .map(|a| row(a, &overview.sites))
            .collect(),
    })
}

/// Units listed on a site's page; the rest are counted.
const UNITS_SHOWN: usize = 200;

#[derive(Template)]
#[template(path = "site.html")]
struct SitePage {
    c: Chrome,
    standards: Standards,
    r: SiteRow,
    facilities: Option<Facilities>,
    units: Vec<UnitAssessment>,
    more_units: usize,
}

async fn site(
    State(st): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
) -> PageResult {
    s.need(Capability::ViewSites)?;
    let mut report = st.app.standards_report(Some(&id)).await?;
    let overview = st.app.overview().await?;
    let facilities = st.app.site_facilities(&id).await?;
    let Some(mut a) = report.sites.pop() else {
        return Err(crate::error::WebError::NotFound(format!("no site with id {id}")).into());
    };
    let mut units = std::mem::take(&mut a.units);
    let more_units = units.len().saturating_sub(UNITS_SHOWN);
    units.truncate(UNITS_SHOWN);
    let r = row(a, &overview.sites);
    render(&SitePage {
        c: Chrome::new(&s, format!("{} · {}", r.a.site_id, r.a.name), "/sites"),
        standards: report.standards,
        r,
        facilities,
        units,
        more_units,
    })
}
