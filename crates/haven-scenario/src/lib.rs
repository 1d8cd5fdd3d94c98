//! Deterministic, seeded generator of whole Haven operations, written as the CSV files of
//! Haven's import format (`docs/import-format.md`): `sites.csv`, `shelter_units.csv` and
//! `households.csv`.
//!
//! The default ([`ScenarioConfig::default`]) is the operation Haven was made for: about
//! 3,200 residents of a closing camp, a long-isolated exile community (Iranian exiles,
//! mostly adults 25–70, more men than women, many single-person households, a minority of
//! families), registered in the camp's shelter units; a temporary site (a former military
//! base) with shelter units for 5,500 persons, some of them below the Sphere minimum of
//! 3.5 m² covered area per person; and a transit centre.
//!
//! `people` scales the operation: one *group* (closing camp, temporary site, transit
//! centre) per [`ScenarioConfig::people_per_camp`] residents, so 1,000,000 people make
//! 313 camps and 313 temporary sites. Rows are written as they are generated; memory use
//! does not grow with the number of people.
//!
//! Same configuration, same bytes: every random choice comes from a ChaCha8 stream seeded
//! from [`ScenarioConfig::seed`].

mod data;
mod generate;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use time::Date;

pub use generate::HOUSEHOLD_HEADER;
pub use generate::SHELTER_UNIT_HEADER;
pub use generate::SITE_HEADER;

/// The Sphere minimum covered living area per person, in m².
pub const SPHERE_MIN_M2_PER_PERSON: f64 = 3.5;

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioConfig {
    /// Seed of every random choice.
    pub seed: u64,
    /// Residents to register, exactly.
    pub people: usize,
    /// The day registration starts; dates of birth are before it, registrations within
    /// eight weeks after it, the camp's closing deadline 300 days after it.
    pub start: Date,
    /// Residents per closing camp: the operation has `max(1, round(people / this))` groups
    /// of closing camp, temporary site and transit centre.
    pub people_per_camp: usize,
    /// Declared capacity (persons) of each temporary site; its shelter units add up to it.
    pub temporary_site_capacity: u32,
    /// Whether each group has a transit centre (with its own shelter units).
    pub transit_centre: bool,
}

impl Default for ScenarioConfig {
    /// The camp-closure operation: 3,200 residents, one closing camp, one temporary site
    /// for 5,500, one transit centre, seed 1.
    fn default() -> Self {
        ScenarioConfig {
            seed: 1,
            people: 3_200,
            start: time::macros::date!(2026 - 03 - 02),
            people_per_camp: 3_200,
            temporary_site_capacity: 5_500,
            transit_centre: true,
        }
    }
}

impl ScenarioConfig {
    /// The default operation with another seed and number of people.
    pub fn new(seed: u64, people: usize) -> Self {
        ScenarioConfig {
            seed,
            people,
            ..ScenarioConfig::default()
        }
    }

    /// How many groups (closing camp, temporary site, transit centre) the operation has.
    pub fn groups(&self) -> usize {
        let per = self.people_per_camp.max(1);
        ((self.people + per / 2) / per).max(1)
    }
}

/// What was generated.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ScenarioSummary {
    pub people: usize,
    pub households: usize,
    pub sites: usize,
    pub shelter_units: usize,
    pub closing_camps: usize,
    pub temporary_sites: usize,
    pub transit_centres: usize,
    /// Sum of the shelter-unit capacities of the temporary sites (persons).
    pub temporary_site_capacity: u64,
    /// Sum of the shelter-unit capacities of the closing camps (persons).
    pub camp_unit_capacity: u64,
    /// Shelter units (all sites) with less than [`SPHERE_MIN_M2_PER_PERSON`] per person.
    pub units_below_sphere: usize,
    /// `household_sizes[n]` households have `n` members (index 0 is always 0).
    pub household_sizes: Vec<usize>,
}

/// The three files of an operation, in memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioFiles {
    pub sites: Vec<u8>,
    pub shelter_units: Vec<u8>,
    pub households: Vec<u8>,
    pub summary: ScenarioSummary,
}

#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("invalid scenario: {0}")]
    Config(String),
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("writing CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("writing: {0}")]
    Write(#[from] std::io::Error),
}

/// File names written by [`generate_camp_closure`], in import order.
pub const FILES: [&str; 3] = ["sites.csv", "shelter_units.csv", "households.csv"];

/// Writes the camp-closure operation to `out_dir` (created if missing) as `sites.csv`,
/// `shelter_units.csv` and `households.csv`, overwriting them.
pub fn generate_camp_closure(
    cfg: &ScenarioConfig,
    out_dir: &Path,
) -> Result<ScenarioSummary, ScenarioError> {
    std::fs::create_dir_all(out_dir).map_err(|source| ScenarioError::Io {
        path: out_dir.to_path_buf(),
        source,
    })?;
    let open = |name: &str| -> Result<(PathBuf, BufWriter<File>), ScenarioError> {
        let path = out_dir.join(name);
        let file = File::create(&path).map_err(|source| ScenarioError::Io {
            path: path.clone(),
            source,
        })?;
        Ok((path, BufWriter::with_capacity(1 << 20, file)))
    };
    let (_, sites) = open(FILES[0])?;
    let (_, units) = open(FILES[1])?;
    let (_, households) = open(FILES[2])?;
    let summary = write_camp_closure(cfg, sites, units, households)?;
    let sites_csv = out_dir.join(FILES[0]);
    let text = std::fs::read(&sites_csv).map_err(|source| ScenarioError::Io {
        path: sites_csv.clone(),
        source,
    })?;
    let (_, facilities) = open(FACILITIES_FILE)?;
    write_facilities(&text, facilities)?;
    let (_, mut pledges) = open(PLEDGES_FILE)?;
    write_pledges(cfg.people, &mut pledges)?;
    pledges.flush()?;
    Ok(summary)
}

/// The pledging conference's pledges that [`generate_camp_closure`] writes beside the
/// others.
pub const PLEDGES_FILE: &str = "pledges.json";

/// Writes a pledging conference's pledges for an operation of `people` residents: few
/// places (about 42 for every 100 residents), each country with its criteria, two of
/// them with a legal bar on a recorded affiliation.
pub fn write_pledges<W: Write>(people: usize, mut out: W) -> Result<(), ScenarioError> {
    let scale = |places: usize| (places * people).div_ceil(3200).max(1);
    let bar = r#"{"attribute": "affiliation", "op": "present", "values": [], "description": "Designated organisation (national security law)"}"#;
    let pledges = [
        (
            "PL-CAN-2027",
            "CAN",
            scale(320),
            r#"{"household_size_max": 9}"#.to_string(),
        ),
        (
            "PL-USA-2027",
            "USA",
            scale(400),
            format!(r#"{{"legal_bars": [{bar}]}}"#),
        ),
        (
            "PL-AUS-2027",
            "AUS",
            scale(240),
            format!(r#"{{"household_size_max": 8, "legal_bars": [{bar}]}}"#),
        ),
        ("PL-DEU-2027", "DEU", scale(200), "{}".to_string()),
        (
            "PL-SWE-2027",
            "SWE",
            scale(120),
            r#"{"household_size_max": 6, "excluded_needs": ["SM-CI"]}"#.to_string(),
        ),
        (
            "PL-FRA-2027",
            "FRA",
            scale(80),
            r#"{"languages": ["fra", "eng"]}"#.to_string(),
        ),
    ];
    writeln!(out, "[")?;
    for (i, (id, country, places, criteria)) in pledges.iter().enumerate() {
        let comma = if i + 1 < pledges.len() { "," } else { "" };
        writeln!(
            out,
            r#"  {{"pledge_id": "{id}", "country": "{country}", "places": {places}, "period_start": "2027-01-01", "period_end": "2027-12-31",
   "criteria": {criteria}}}{comma}"#
        )?;
    }
    writeln!(out, "]")?;
    Ok(())
}

/// The file of measured facilities that [`generate_camp_closure`] writes beside the others.
pub const FACILITIES_FILE: &str = "facilities.csv";

/// Writes facilities for the sites in `sites_csv`, by kind of site, as found in practice:
/// the closing camp meets the standards for its declared capacity; the temporary site was
/// equipped for soldiers — water and sanitation enough for roughly 3,500–4,900 people,
/// not its declared 5,500; the transit centre meets them.
pub fn write_facilities<W: Write>(sites_csv: &[u8], out: W) -> Result<(), ScenarioError> {
    let mut rdr = csv::Reader::from_reader(sites_csv);
    let mut w = csv::Writer::from_writer(out);
    w.write_record(haven_core::format::FACILITY_COLUMNS)?;
    for rec in rdr.records() {
        let rec = rec?;
        let (Some(site), Some(kind), Some(capacity)) = (rec.get(0), rec.get(2), rec.get(3)) else {
            continue;
        };
        let capacity: f64 = capacity.parse().unwrap_or(0.0);
        // (litres per declared place per day, places per latrine, places per shower)
        let (water, per_latrine, per_shower) = match kind {
            "closing_camp" => (16.0, 18.0, 19.0),
            "temporary_site" => (13.5, 25.0, 30.0),
            _ => (15.0, 20.0, 20.0),
        };
        w.write_record([
            site.to_string(),
            format!("{}", (capacity * water).round()),
            format!("{}", (capacity / per_latrine).ceil()),
            format!("{}", (capacity / per_shower).ceil()),
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// Writes the camp-closure operation to three writers (sites, shelter units, households).
/// Each writer is flushed at the end.
pub fn write_camp_closure<S: Write, U: Write, H: Write>(
    cfg: &ScenarioConfig,
    sites: S,
    shelter_units: U,
    households: H,
) -> Result<ScenarioSummary, ScenarioError> {
    generate::run(cfg, sites, shelter_units, households)
}

/// The camp-closure operation in memory (for tests and small operations).
pub fn camp_closure_in_memory(cfg: &ScenarioConfig) -> Result<ScenarioFiles, ScenarioError> {
    let mut sites = Vec::new();
    let mut shelter_units = Vec::new();
    let mut households = Vec::new();
    let summary = write_camp_closure(cfg, &mut sites, &mut shelter_units, &mut households)?;
    Ok(ScenarioFiles {
        sites,
        shelter_units,
        households,
        summary,
    })
}

#[cfg(test)]
mod tests;
