//! Sites against humanitarian minimum standards.
//!
//! The standards are data the operator can change; the defaults are the Sphere
//! Handbook's: at least 3.5 m² of covered living space per person, at least 15 litres of
//! water per person per day, at most 20 people per latrine and per shower. An assessment
//! says how many people a site can hold *to these standards*, what limits it, and where
//! exactly it falls short and by how much — the facts that settle whether a site is fit.

use serde::{Deserialize, Serialize};

use crate::registry::{ShelterUnit, Site};

/// A standard's key, its Sphere default and what it means.
pub const DEFAULTS: [(&str, f64, &str); 4] = [
    (
        "covered_area_m2_per_person",
        3.5,
        "minimum covered living space per person (m²)",
    ),
    (
        "water_litres_per_person_day",
        15.0,
        "minimum water per person per day (litres)",
    ),
    ("persons_per_latrine", 20.0, "maximum people per latrine"),
    ("persons_per_shower", 20.0, "maximum people per shower"),
];

/// The standards in force.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Standards {
    pub covered_area_m2_per_person: f64,
    pub water_litres_per_person_day: f64,
    pub persons_per_latrine: f64,
    pub persons_per_shower: f64,
}

impl Default for Standards {
    fn default() -> Self {
        Standards {
            covered_area_m2_per_person: DEFAULTS[0].1,
            water_litres_per_person_day: DEFAULTS[1].1,
            persons_per_latrine: DEFAULTS[2].1,
            persons_per_shower: DEFAULTS[3].1,
        }
    }
}

impl Standards {
    /// Builds the standards from stored key/value pairs; missing keys keep their default.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, f64)>) -> Self {
        let mut s = Standards::default();
        for (k, v) in pairs {
            match k {
                "covered_area_m2_per_person" => s.covered_area_m2_per_person = v,
                "water_litres_per_person_day" => s.water_litres_per_person_day = v,
                "persons_per_latrine" => s.persons_per_latrine = v,
                "persons_per_shower" => s.persons_per_shower = v,
                _ => {}
            }
        }
        s
    }

    /// Checks a new value for a standard: a known key and a positive, finite value.
    pub fn check(key: &str, value: f64) -> Result<(), String> {
        if !DEFAULTS.iter().any(|(k, _, _)| *k == key) {
            let keys: Vec<&str> = DEFAULTS.iter().map(|(k, _, _)| *k).collect();
            return Err(format!("'{key}' is not a standard ({})", keys.join(", ")));
        }
        if !(value.is_finite() && value > 0.0) {
            return Err(format!("{key} must be a number greater than 0"));
        }
        Ok(())
    }
}

/// A site's facilities as measured.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Facilities {
    pub water_litres_per_day: f64,
    pub latrines: i64,
    pub showers: i64,
}

/// One shelter unit against the covered-area standard.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitAssessment {
    pub unit_id: String,
    pub capacity: i64,
    pub covered_area_m2: f64,
    pub occupancy: i64,
    /// Covered area per person when the unit is full (`None` for a unit of capacity 0).
    pub m2_per_person_at_capacity: Option<f64>,
    /// People the unit can hold to the standard: `min(capacity, ⌊area / standard⌋)`.
    pub persons_at_standard: i64,
    /// Places beyond what the standard allows (`capacity − persons_at_standard`).
    pub places_over_standard: i64,
    /// Covered area missing for the unit to hold its capacity to the standard (m²).
    pub area_short_m2: f64,
    /// People now in the unit beyond what the standard allows.
    pub occupants_over_standard: i64,
}

/// What limits a site's capacity to the standards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Limit {
    CoveredArea,
    Water,
    Latrines,
    Showers,
}

impl Limit {
    /// In words, for reports and pages.
    pub fn label(self) -> &'static str {
        match self {
            Limit::CoveredArea => "covered area",
            Limit::Water => "water",
            Limit::Latrines => "latrines",
            Limit::Showers => "showers",
        }
    }
}

/// A site against the standards.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SiteAssessment {
    pub site_id: String,
    pub name: String,
    pub kind: String,
    pub declared_capacity: i64,
    pub unit_capacity: i64,
    pub occupancy: i64,
    /// People the shelter units can hold to the covered-area standard.
    pub shelter_at_standard: i64,
    /// People the water supply serves to standard (`None`: facilities not recorded).
    pub water_at_standard: Option<i64>,
    pub latrines_at_standard: Option<i64>,
    pub showers_at_standard: Option<i64>,
    /// The smallest of the above: people the site can hold to every recorded standard.
    pub capacity_at_standards: i64,
    pub limited_by: Limit,
    /// Whether water, latrines and showers were recorded; if not, the capacity above
    /// counts shelter only and says so.
    pub facilities_recorded: bool,
    pub units_below_standard: usize,
    pub places_over_standard: i64,
    pub area_short_m2: f64,
    pub occupants_over_standard: i64,
    /// Units below the standard, worst (least area per person) first.
    pub units: Vec<UnitAssessment>,
}

fn floor_div(a: f64, b: f64) -> i64 {
    if b > 0.0 {
        (a / b + 1e-9).floor() as i64
    } else {
        0
    }
}

/// Assesses one unit against the covered-area standard.
pub fn assess_unit(unit: &ShelterUnit, occupancy: i64, s: &Standards) -> UnitAssessment {
    let per = s.covered_area_m2_per_person;
    let at_standard = floor_div(unit.covered_area_m2, per)
        .min(unit.capacity)
        .max(0);
    UnitAssessment {
        unit_id: unit.unit_id.clone(),
        capacity: unit.capacity,
        covered_area_m2: unit.covered_area_m2,
        occupancy,
        m2_per_person_at_capacity: (unit.capacity > 0)
            .then(|| unit.covered_area_m2 / unit.capacity as f64),
        persons_at_standard: at_standard,
        places_over_standard: unit.capacity - at_standard,
        area_short_m2: (unit.capacity as f64 * per - unit.covered_area_m2).max(0.0),
        occupants_over_standard: (occupancy - floor_div(unit.covered_area_m2, per)).max(0),
    }
}

/// Assesses a site: its shelter units against the covered-area standard and its
/// facilities against the water, latrine and shower standards.
pub fn assess_site(
    site: &Site,
    units: &[(ShelterUnit, i64)],
    site_occupancy: i64,
    facilities: Option<&Facilities>,
    s: &Standards,
) -> SiteAssessment {
    let assessed: Vec<UnitAssessment> = units.iter().map(|(u, n)| assess_unit(u, *n, s)).collect();
    let shelter_at_standard: i64 = assessed.iter().map(|u| u.persons_at_standard).sum();
    let water =
        facilities.map(|f| floor_div(f.water_litres_per_day, s.water_litres_per_person_day));
    let latrines = facilities.map(|f| (f.latrines as f64 * s.persons_per_latrine).floor() as i64);
    let showers = facilities.map(|f| (f.showers as f64 * s.persons_per_shower).floor() as i64);
    let mut capacity = shelter_at_standard;
    let mut limited_by = Limit::CoveredArea;
    for (limit, value) in [
        (Limit::Water, water),
        (Limit::Latrines, latrines),
        (Limit::Showers, showers),
    ] {
        if let Some(v) = value
            && v < capacity
        {
            capacity = v;
            limited_by = limit;
        }
    }
    let mut below: Vec<UnitAssessment> = assessed
        .iter()
        .filter(|u| u.places_over_standard > 0 || u.occupants_over_standard > 0)
        .cloned()
        .collect();
    below.sort_by(|a, b| {
        a.m2_per_person_at_capacity
            .unwrap_or(f64::INFINITY)
            .total_cmp(&b.m2_per_person_at_capacity.unwrap_or(f64::INFINITY))
            .then_with(|| a.unit_id.cmp(&b.unit_id))
    });
    SiteAssessment {
        site_id: site.site_id.clone(),
        name: site.name.clone(),
        kind: site.kind.as_str().to_string(),
        declared_capacity: site.capacity,
        unit_capacity: units.iter().map(|(u, _)| u.capacity).sum(),
        occupancy: site_occupancy,
        shelter_at_standard,
        water_at_standard: water,
        latrines_at_standard: latrines,
        showers_at_standard: showers,
        capacity_at_standards: capacity,
        limited_by,
        facilities_recorded: facilities.is_some(),
        units_below_standard: below.len(),
        places_over_standard: assessed.iter().map(|u| u.places_over_standard).sum(),
        area_short_m2: assessed.iter().map(|u| u.area_short_m2).sum(),
        occupants_over_standard: assessed.iter().map(|u| u.occupants_over_standard).sum(),
        units: below,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::SiteKind;

    fn unit(id: &str, capacity: i64, area: f64) -> ShelterUnit {
        ShelterUnit {
            unit_id: id.into(),
            site_id: "S".into(),
            name: id.into(),
            capacity,
            covered_area_m2: area,
            near_facilities: false,
        }
    }

    fn site() -> Site {
        Site {
            site_id: "S".into(),
            name: "Site".into(),
            kind: SiteKind::TemporarySite,
            capacity: 20,
            area_m2: None,
            closing_deadline: None,
        }
    }

    #[test]
    fn units_are_held_to_the_covered_area_standard() {
        let s = Standards::default();
        let u = assess_unit(&unit("A", 10, 28.0), 9, &s);
        assert_eq!(u.persons_at_standard, 8);
        assert_eq!(u.places_over_standard, 2);
        assert!((u.area_short_m2 - 7.0).abs() < 1e-9);
        assert_eq!(u.occupants_over_standard, 1);
        let ok = assess_unit(&unit("B", 4, 14.0), 4, &s);
        assert_eq!(
            (
                ok.persons_at_standard,
                ok.places_over_standard,
                ok.occupants_over_standard
            ),
            (4, 0, 0)
        );
    }

    #[test]
    fn the_scarcest_standard_limits_the_site() {
        let s = Standards::default();
        let units = vec![(unit("A", 10, 28.0), 0), (unit("B", 10, 40.0), 0)];
        let a = assess_site(&site(), &units, 0, None, &s);
        assert_eq!(
            (a.shelter_at_standard, a.capacity_at_standards, a.limited_by),
            (18, 18, Limit::CoveredArea)
        );
        assert!(!a.facilities_recorded);
        assert_eq!(a.units_below_standard, 1);
        let f = Facilities {
            water_litres_per_day: 200.0,
            latrines: 1,
            showers: 5,
        };
        let a = assess_site(&site(), &units, 0, Some(&f), &s);
        assert_eq!(
            (a.water_at_standard, a.capacity_at_standards, a.limited_by),
            (Some(13), 13, Limit::Water)
        );
        let changed = Standards {
            water_litres_per_person_day: 10.0,
            ..s
        };
        let a = assess_site(&site(), &units, 0, Some(&f), &changed);
        assert_eq!(
            (a.capacity_at_standards, a.limited_by),
            (18, Limit::CoveredArea)
        );
    }

    #[test]
    fn standards_are_checked() {
        assert!(Standards::check("persons_per_latrine", 25.0).is_ok());
        assert!(Standards::check("persons_per_latrine", 0.0).is_err());
        assert!(Standards::check("beds", 2.0).is_err());
        let s = Standards::from_pairs([("persons_per_latrine", 50.0)]);
        assert_eq!(s.persons_per_latrine, 50.0);
        assert_eq!(s.covered_area_m2_per_person, 3.5);
    }
}
