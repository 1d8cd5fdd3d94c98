//! Specific-needs codes: data, not an enum frozen in code.
//!
//! The UNHCR standard list ships in `data/specific_needs.csv` and is loaded into the
//! database at `haven init`; an operator may add codes. A category (`SM`) and its
//! sub-codes (`SM-CI`) are all valid codes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The standard list shipped with Haven (columns `code,category,description`).
pub const STANDARD_CSV: &str = include_str!("../data/specific_needs.csv");

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeedCode {
    pub code: String,
    pub category: String,
    pub description: String,
}

/// The codes an operation knows.
#[derive(Debug, Clone, Default)]
pub struct NeedsCatalogue {
    codes: BTreeMap<String, NeedCode>,
}

/// Checks one catalogue row; returns the field at fault and the message.
pub fn check_code(c: &NeedCode) -> Result<(), (&'static str, String)> {
    let ok_code = !c.code.is_empty()
        && c.code.len() <= 16
        && c.code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-');
    if !ok_code {
        return Err(("code", "must be upper-case letters, digits and '-'".into()));
    }
    let prefix = c.code.split('-').next().unwrap_or_default();
    if prefix != c.category {
        return Err(("category", format!("must be the code's prefix '{prefix}'")));
    }
    if c.description.trim().is_empty() {
        return Err(("description", "is required".into()));
    }
    Ok(())
}

impl NeedsCatalogue {
    pub fn new(codes: impl IntoIterator<Item = NeedCode>) -> Self {
        NeedsCatalogue {
            codes: codes.into_iter().map(|c| (c.code.clone(), c)).collect(),
        }
    }

    /// Parses the standard list. It ships with Haven and is checked by a unit test, so
    /// rows that do not parse cannot occur in a release; they are skipped, not fatal.
    pub fn standard() -> Self {
        Self::new(STANDARD_CSV.lines().skip(1).filter_map(parse_line))
    }

    pub fn contains(&self, code: &str) -> bool {
        self.codes.contains_key(code)
    }

    pub fn get(&self, code: &str) -> Option<&NeedCode> {
        self.codes.get(code)
    }

    pub fn codes(&self) -> impl Iterator<Item = &NeedCode> {
        self.codes.values()
    }

    pub fn len(&self) -> usize {
        self.codes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }
}

fn parse_line(line: &str) -> Option<NeedCode> {
    let mut it = line.splitn(3, ',');
    let code = it.next()?.trim().to_string();
    let category = it.next()?.trim().to_string();
    let description = it.next()?.trim().trim_matches('"').to_string();
    Some(NeedCode {
        code,
        category,
        description,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_list_is_whole_and_valid() {
        let rows = STANDARD_CSV
            .lines()
            .skip(1)
            .filter(|l| !l.trim().is_empty());
        for line in rows {
            let c = parse_line(line);
            assert!(c.is_some(), "bad line {line}");
            if let Some(c) = c {
                assert_eq!(check_code(&c), Ok(()), "{line}");
            }
        }
        let cat = NeedsCatalogue::standard();
        for code in [
            "CR", "SC", "WR", "ER", "SP", "DS", "SM", "FU", "LP", "TR", "SV", "SM-CI", "DS-PM",
        ] {
            assert!(cat.contains(code), "{code} missing");
        }
    }
}
