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
    write_camp_closure(cfg, sites, units, households)
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
