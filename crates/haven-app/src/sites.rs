//! Sites against humanitarian minimum standards: facilities, the standards in force,
//! and the report that settles whether a site can hold its residents.

use std::path::Path;

use haven_core::format;
use haven_core::ledger::Account;
use haven_core::registry::SiteKind;
use haven_core::standards::{Facilities, SiteAssessment, Standards, assess_site};
use haven_core::validate;
use serde::Serialize;

use crate::import::{ImportSummary, RowReader, fail_if, read_table};
use crate::{App, AppError, Ctx};

/// The standards report: every site assessed, and the operation-level answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StandardsReport {
    pub standards: Standards,
    pub sites: Vec<SiteAssessment>,
    /// People present in the operation (at a site, in a unit, in transit).
    pub residents_present: i64,
    /// People the temporary sites together can hold to every recorded standard.
    pub temporary_sites_capacity_at_standards: i64,
    /// Residents present beyond that capacity (0 when they all fit).
    pub shortfall: i64,
}

impl App {
    /// Assesses every site (or one) against the standards in force.
    pub async fn standards_report(&self, only: Option<&str>) -> Result<StandardsReport, AppError> {
        let standards = self.store.standards().await?;
        let facilities = self.store.facilities().await?;
        let mut sites = Vec::new();
        for s in self.store.sites().await? {
            if only.is_some_and(|o| o != s.site.site_id) {
                continue;
            }
            let units = self.store.shelter_units(&s.site.site_id).await?;
            sites.push(assess_site(
                &s.site,
                &units,
                s.occupancy,
                facilities.get(&s.site.site_id),
                &standards,
            ));
        }
        if let Some(o) = only
            && sites.is_empty()
        {
            return Err(AppError::NotFound(format!("no site with id {o}")));
        }
        let residents_present = self
            .store
            .positions_by_account()
            .await?
            .into_iter()
            .filter(|(k, _)| Account::parse(k).is_ok_and(|a| a.is_present()))
            .map(|(_, n)| n)
            .sum();
        let temporary: i64 = sites
            .iter()
            .filter(|a| a.kind == SiteKind::TemporarySite.as_str())
            .map(|a| a.capacity_at_standards)
            .sum();
        Ok(StandardsReport {
            standards,
            residents_present,
            temporary_sites_capacity_at_standards: temporary,
            shortfall: (residents_present - temporary).max(0),
            sites,
        })
    }

    /// A site's measured facilities (`None` when not recorded).
    pub async fn site_facilities(&self, site_id: &str) -> Result<Option<Facilities>, AppError> {
        Ok(self.store.facilities().await?.remove(site_id))
    }

    /// Records a site's measured facilities.
    pub async fn set_facilities(
        &self,
        ctx: &Ctx,
        site_id: &str,
        f: Facilities,
    ) -> Result<(), AppError> {
        if !(f.water_litres_per_day.is_finite() && f.water_litres_per_day >= 0.0)
            || f.latrines < 0
            || f.showers < 0
        {
            return Err(AppError::Refused(
                "water, latrines and showers must be numbers ≥ 0".into(),
            ));
        }
        if !self.store.site_hashes().await?.contains_key(site_id) {
            return Err(AppError::NotFound(format!("no site with id {site_id}")));
        }
        let mut w = self.begin(ctx).await?;
        w.set_facilities(site_id, &f).await?;
        w.commit().await?;
        Ok(())
    }

    /// Changes a standard (e.g. a stricter covered-area minimum for a cold climate).
    pub async fn set_standard(&self, ctx: &Ctx, key: &str, value: f64) -> Result<(), AppError> {
        Standards::check(key, value).map_err(AppError::Refused)?;
        let mut w = self.begin(ctx).await?;
        w.set_standard(key, value).await?;
        w.commit().await?;
        Ok(())
    }

    /// Imports `facilities.csv` (site_id, water_litres_per_day, latrines, showers).
    pub async fn import_facilities(
        &self,
        ctx: &Ctx,
        path: &Path,
    ) -> Result<ImportSummary, AppError> {
        let mut problems = Vec::new();
        let table = read_table(
            path,
            &format::FACILITY_COLUMNS,
            &format::FACILITY_COLUMNS,
            &mut problems,
        )?;
        let sites = self.store.site_hashes().await?;
        let known = self.store.facilities().await?;
        let mut rows = Vec::new();
        let mut unchanged = 0;
        for (line, fields) in &table.rows {
            let mut r = RowReader::new(&table, *line, fields, &mut problems);
            let site = r.get("site_id", |s| {
                let id = validate::external_id(s)?;
                if sites.contains_key(&id) {
                    Ok(id)
                } else {
                    Err(validate::FieldError {
                        message: "is not a registered site".into(),
                    })
                }
            });
            let water = r.get("water_litres_per_day", validate::area);
            let latrines = r.get("latrines", validate::capacity);
            let showers = r.get("showers", validate::capacity);
            if let (Some(site), Some(water_litres_per_day), Some(latrines), Some(showers)) =
                (site, water, latrines, showers)
            {
                let f = Facilities {
                    water_litres_per_day,
                    latrines,
                    showers,
                };
                if known.get(&site) == Some(&f) {
                    unchanged += 1;
                } else {
                    rows.push((site, f));
                }
            }
        }
        fail_if(problems)?;
        let mut w = self.begin(ctx).await?;
        for (site, f) in &rows {
            w.set_facilities(site, f).await?;
        }
        w.commit().await?;
        Ok(ImportSummary {
            file: table.file,
            records: "site facilities",
            imported: rows.len() as u64,
            unchanged,
            people: 0,
        })
    }
}
