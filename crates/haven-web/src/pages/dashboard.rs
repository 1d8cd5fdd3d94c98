//! The dashboard: aggregates only (no personal data), with SVG charts.

use askama::Template;
use axum::extract::State;
use haven_core::access::Capability;

use super::{Chrome, PageResult, render};
use crate::AppState;
use crate::auth::{PageUser, require};
use crate::chart;
use axum::Router;
use axum::routing::get;
use std::collections::BTreeMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/dashboard", get(dashboard))
        .route_layer(require(Capability::ViewDashboard))
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    c: Chrome,
    report: haven_app::report::ProgressReport,
    funnel_svg: String,
    sites: Vec<haven_core::standards::SiteAssessment>,
    site_svg: String,
    rsd: haven_app::rsd::QueueReport,
    convoys: BTreeMap<String, i64>,
}

async fn dashboard(State(st): State<AppState>, PageUser(s): PageUser) -> PageResult {
    s.need(Capability::ViewDashboard)?;
    let app = &st.app;
    let report = app.progress_report().await?;
    let funnel: Vec<(String, i64)> = report
        .funnel
        .iter()
        .map(|f| (f.step.to_string(), f.people))
        .collect();
    let standards = app.standards_report(None).await?;
    let site_rows: Vec<(String, i64)> = standards
        .sites
        .iter()
        .flat_map(|a| {
            [
                (format!("{} present", a.site_id), a.occupancy),
                (
                    format!("{} at standards", a.site_id),
                    a.capacity_at_standards,
                ),
            ]
        })
        .collect();
    let rsd = app.rsd_queue(5, None).await?;
    let mut convoys = BTreeMap::new();
    for c in app.relocation_overview().await?.convoys {
        *convoys.entry(c.status).or_insert(0) += 1;
    }
    render(&DashboardPage {
        c: Chrome::new(&s, "Dashboard", "/dashboard"),
        funnel_svg: chart::bars("Progress funnel", &funnel),
        site_svg: chart::bars(
            "Sites: people present and capacity at standards",
            &site_rows,
        ),
        report,
        sites: standards.sites,
        rsd,
        convoys,
    })
}
