//! The registry: people, households, sites and shelter units as plain data.
//!
//! Values here are already valid: they are built by the parsers in [`crate::validate`],
//! which say precisely what is wrong with bad input.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// Sex as registered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Sex {
    F,
    M,
    X,
}

impl Sex {
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::F => "F",
            Sex::M => "M",
            Sex::X => "X",
        }
    }
}

/// How much of a date of birth is known. Long-isolated communities often know only
/// the year, or an estimate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DobPrecision {
    Exact,
    Month,
    Year,
    Estimated,
}

impl DobPrecision {
    pub fn as_str(self) -> &'static str {
        match self {
            DobPrecision::Exact => "exact",
            DobPrecision::Month => "month",
            DobPrecision::Year => "year",
            DobPrecision::Estimated => "estimated",
        }
    }
}

/// A date of birth as registered: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, with its precision.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DateOfBirth {
    pub year: i32,
    pub month: Option<u8>,
    pub day: Option<u8>,
    pub precision: DobPrecision,
}

impl DateOfBirth {
    /// Age in whole years on `on` (year, month, day), taking unknown parts as mid-year.
    pub fn age_on(&self, on: (i32, u8, u8)) -> i32 {
        let (m, d) = (self.month.unwrap_or(7), self.day.unwrap_or(1));
        let mut age = on.0 - self.year;
        if (on.1, on.2) < (m, d) {
            age -= 1;
        }
        age.max(0)
    }
}

impl fmt::Display for DateOfBirth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
            if let Some(d) = self.day {
                write!(f, "-{d:02}")?;
            }
        }
        Ok(())
    }
}

/// Relationship of a household member to the head.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relationship {
    Head,
    Spouse,
    Child,
    Parent,
    Sibling,
    Grandchild,
    Grandparent,
    OtherRelative,
    NonRelative,
}

impl Relationship {
    pub const ALL: [Relationship; 9] = [
        Relationship::Head,
        Relationship::Spouse,
        Relationship::Child,
        Relationship::Parent,
        Relationship::Sibling,
        Relationship::Grandchild,
        Relationship::Grandparent,
        Relationship::OtherRelative,
        Relationship::NonRelative,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Relationship::Head => "head",
            Relationship::Spouse => "spouse",
            Relationship::Child => "child",
            Relationship::Parent => "parent",
            Relationship::Sibling => "sibling",
            Relationship::Grandchild => "grandchild",
            Relationship::Grandparent => "grandparent",
            Relationship::OtherRelative => "other_relative",
            Relationship::NonRelative => "non_relative",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// A person's names: as written in the original script, and as transliterated.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub struct PersonName {
    pub given_latin: String,
    pub family_latin: String,
    pub given_original: String,
    pub family_original: String,
}

impl PersonName {
    pub fn latin(&self) -> String {
        join_names(&self.given_latin, &self.family_latin)
    }
    pub fn original(&self) -> String {
        join_names(&self.given_original, &self.family_original)
    }
}

fn join_names(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (false, false) => format!("{a} {b}"),
        (false, true) => a.to_string(),
        (true, false) => b.to_string(),
        (true, true) => String::new(),
    }
}

/// One individual as registered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub person_id: String,
    pub household_id: String,
    pub relationship: Relationship,
    pub name: PersonName,
    pub sex: Sex,
    pub date_of_birth: DateOfBirth,
    /// ISO 3166-1 alpha-3.
    pub nationality: String,
    /// ISO 639 codes, as registered.
    pub languages: Vec<String>,
    /// Specific-needs codes (see [`crate::needs`]).
    pub specific_needs: Vec<String>,
    /// Free-form recorded attributes (e.g. `affiliation`), which a country's legal bar
    /// may test. Sorted by key so that equal records serialise equally.
    pub attributes: BTreeMap<String, String>,
    /// Where the person was registered: a site and, if allocated, a shelter unit.
    pub site_id: String,
    pub unit_id: Option<String>,
    /// `YYYY-MM-DD`.
    pub registered_on: String,
}

/// People processed together: a head and members, never split in a durable solution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Household {
    pub household_id: String,
    /// Members, head first, then in registration order.
    pub members: Vec<Person>,
}

impl Household {
    pub fn head(&self) -> Option<&Person> {
        self.members
            .iter()
            .find(|p| p.relationship == Relationship::Head)
    }
    pub fn size(&self) -> usize {
        self.members.len()
    }
}

/// What a site is for in the operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SiteKind {
    ClosingCamp,
    TemporarySite,
    TransitCentre,
}

impl SiteKind {
    pub const ALL: [SiteKind; 3] = [
        SiteKind::ClosingCamp,
        SiteKind::TemporarySite,
        SiteKind::TransitCentre,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            SiteKind::ClosingCamp => "closing_camp",
            SiteKind::TemporarySite => "temporary_site",
            SiteKind::TransitCentre => "transit_centre",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A place people live.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Site {
    pub site_id: String,
    pub name: String,
    pub kind: SiteKind,
    /// Persons the site is declared to hold.
    pub capacity: i64,
    pub area_m2: Option<f64>,
    /// `YYYY-MM-DD`.
    pub closing_deadline: Option<String>,
}

/// A room, trailer or tent within a site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShelterUnit {
    pub unit_id: String,
    pub site_id: String,
    pub name: String,
    pub capacity: i64,
    pub covered_area_m2: f64,
    /// Close to latrines, water and showers: kept for people whose needs call for it.
    /// Left out of the serialised form when false, so older content hashes still hold.
    #[serde(default, skip_serializing_if = "is_false")]
    pub near_facilities: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}
