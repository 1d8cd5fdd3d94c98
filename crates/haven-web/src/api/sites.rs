//! The sites against the humanitarian minimum standards, for programs: every site's
//! occupancy, declared capacity, capacity at standards and what limits it. Aggregates
//! only, as on the sites page.

use axum::Json;
use axum::extract::State;
use haven_core::access::Capability;
use haven_core::standards::SiteAssessment;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiResult, guarded};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::ErrorBody;

pub fn routes() -> OpenApiRouter<AppState> {
    guarded(Capability::ViewSites).routes(routes!(sites)).into()
}

/// A site against the standards in force.
#[derive(Serialize, ToSchema)]
pub struct SiteBody {
    pub site_id: String,
    pub name: String,
    /// closing_camp, temporary_site or transit_centre.
    pub kind: String,
    /// People there now (at the site or in its units).
    pub occupancy: i64,
    /// People the site is declared to hold.
    pub declared_capacity: i64,
    pub shelter_units: i64,
    /// Places in its shelter units.
    pub unit_capacity: i64,
    /// People its shelter units hold to the covered-area standard.
    pub shelter_at_standard: i64,
    /// People its water, latrines and showers serve to standard (null: not recorded).
    pub water_at_standard: Option<i64>,
    pub latrines_at_standard: Option<i64>,
    pub showers_at_standard: Option<i64>,
    /// People it can hold to every recorded standard.
    pub capacity_at_standards: i64,
    /// What limits that: covered_area, water, latrines or showers.
    pub limited_by: String,
    /// Whether facilities were recorded; if not, the capacity counts shelter only.
    pub facilities_recorded: bool,
    pub units_below_standard: usize,
    /// Places beyond what the covered-area standard allows.
    pub places_over_standard: i64,
    /// Covered area missing for every unit to hold its capacity to standard (m²).
    pub area_short_m2: f64,
    /// People now living in units beyond what the standard allows.
    pub occupants_over_standard: i64,
    /// YYYY-MM-DD, for a closing site.
    pub closing_deadline: Option<String>,
}

/// The operation's sites and whether the temporary sites can hold everyone.
#[derive(Serialize, ToSchema)]
pub struct SitesBody {
    pub sites: Vec<SiteBody>,
    /// People present in the operation (at a site, in a unit, in transit).
    pub residents_present: i64,
    /// People the temporary sites together can hold to every recorded standard.
    pub temporary_sites_capacity_at_standards: i64,
    /// Residents present beyond that (0 when they all fit).
    pub shortfall: i64,
}

fn site_body(a: SiteAssessment, units: i64, closing_deadline: Option<String>) -> SiteBody {
    SiteBody {
        limited_by: serde_json::to_value(a.limited_by)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        site_id: a.site_id,
        name: a.name,
        kind: a.kind,
        occupancy: a.occupancy,
        declared_capacity: a.declared_capacity,
        shelter_units: units,
        unit_capacity: a.unit_capacity,
        shelter_at_standard: a.shelter_at_standard,
        water_at_standard: a.water_at_standard,
        latrines_at_standard: a.latrines_at_standard,
        showers_at_standard: a.showers_at_standard,
        capacity_at_standards: a.capacity_at_standards,
        facilities_recorded: a.facilities_recorded,
        units_below_standard: a.units_below_standard,
        places_over_standard: a.places_over_standard,
        area_short_m2: a.area_short_m2,
        occupants_over_standard: a.occupants_over_standard,
        closing_deadline,
    }
}

/// Every site against the standards in force.
#[utoipa::path(get, path = "/api/sites", tag = "sites",
    responses((status = 200, body = SitesBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn sites(State(st): State<AppState>, ApiUser(s): ApiUser) -> ApiResult<SitesBody> {
    s.need(Capability::ViewSites)?;
    let report = st.app.standards_report(None).await?;
    let overview = st.app.overview().await?.sites;
    Ok(Json(SitesBody {
        residents_present: report.residents_present,
        temporary_sites_capacity_at_standards: report.temporary_sites_capacity_at_standards,
        shortfall: report.shortfall,
        sites: report
            .sites
            .into_iter()
            .map(|a| {
                let o = overview.iter().find(|o| o.site.site_id == a.site_id);
                site_body(
                    a,
                    o.map_or(0, |o| o.units),
                    o.and_then(|o| o.site.closing_deadline.clone()),
                )
            })
            .collect(),
    }))
}
