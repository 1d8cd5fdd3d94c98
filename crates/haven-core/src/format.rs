//! The columns of Haven's import format (`docs/import-format.md`), in the order Haven
//! writes them. The importer, the exporter and the scenario generator all use these.

pub const SITE_COLUMNS: [&str; 6] = [
    "site_id",
    "name",
    "kind",
    "capacity",
    "area_m2",
    "closing_deadline",
];
pub const SITE_REQUIRED: [&str; 4] = ["site_id", "name", "kind", "capacity"];

pub const SHELTER_UNIT_COLUMNS: [&str; 6] = [
    "unit_id",
    "site_id",
    "name",
    "capacity",
    "covered_area_m2",
    "near_facilities",
];
pub const SHELTER_UNIT_REQUIRED: [&str; 5] =
    ["unit_id", "site_id", "name", "capacity", "covered_area_m2"];

pub const HOUSEHOLD_COLUMNS: [&str; 17] = [
    "household_id",
    "person_id",
    "relationship",
    "given_name_latin",
    "family_name_latin",
    "given_name_original",
    "family_name_original",
    "sex",
    "date_of_birth",
    "dob_precision",
    "nationality",
    "languages",
    "specific_needs",
    "attributes",
    "site_id",
    "unit_id",
    "registered_on",
];
pub const HOUSEHOLD_REQUIRED: [&str; 10] = [
    "household_id",
    "person_id",
    "relationship",
    "given_name_latin",
    "sex",
    "date_of_birth",
    "dob_precision",
    "nationality",
    "site_id",
    "registered_on",
];

pub const NEEDS_COLUMNS: [&str; 3] = ["code", "category", "description"];

pub const FACILITY_COLUMNS: [&str; 4] = ["site_id", "water_litres_per_day", "latrines", "showers"];

/// The optional columns of a file: those not required.
pub fn optional<'a>(all: &[&'a str], required: &[&str]) -> Vec<&'a str> {
    all.iter()
        .copied()
        .filter(|c| !required.contains(c))
        .collect()
}
