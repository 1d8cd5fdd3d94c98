//! Parsers for single field values, each saying exactly what is wrong.
//!
//! Import, the command line and (later) web forms all build domain values through these,
//! so a bad value gets the same message wherever it comes from.

use std::collections::BTreeMap;

use crate::registry::{DateOfBirth, DobPrecision, Sex};

/// Why a field value was refused: the message, and the value as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub message: String,
}

impl FieldError {
    fn new(message: impl Into<String>) -> Self {
        FieldError {
            message: message.into(),
        }
    }
}

type R<T> = Result<T, FieldError>;

/// External ids: 1–64 characters of letters, digits, `-`, `_`, `.`.
pub fn external_id(s: &str) -> R<String> {
    if s.is_empty() {
        return Err(FieldError::new("is required"));
    }
    if s.len() > 64 {
        return Err(FieldError::new("is longer than 64 characters"));
    }
    if !s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err(FieldError::new(
            "may hold only letters, digits, '-', '_' and '.'",
        ));
    }
    Ok(s.to_string())
}

/// A required free text: trimmed, non-empty, no control characters.
pub fn required_text(s: &str) -> R<String> {
    let t = s.trim();
    if t.is_empty() {
        return Err(FieldError::new("is required"));
    }
    optional_text(t)
}

/// An optional free text: trimmed, no control characters.
pub fn optional_text(s: &str) -> R<String> {
    let t = s.trim();
    if t.chars().any(|c| c.is_control()) {
        return Err(FieldError::new("holds a control character"));
    }
    if t.len() > 200 {
        return Err(FieldError::new("is longer than 200 bytes"));
    }
    Ok(t.to_string())
}

pub fn sex(s: &str) -> R<Sex> {
    match s.trim() {
        "F" | "f" => Ok(Sex::F),
        "M" | "m" => Ok(Sex::M),
        "X" | "x" => Ok(Sex::X),
        "" => Err(FieldError::new("is required (F, M or X)")),
        _ => Err(FieldError::new("must be F, M or X")),
    }
}

pub fn dob_precision(s: &str) -> R<DobPrecision> {
    match s.trim() {
        "exact" => Ok(DobPrecision::Exact),
        "month" => Ok(DobPrecision::Month),
        "year" => Ok(DobPrecision::Year),
        "estimated" => Ok(DobPrecision::Estimated),
        "" => Err(FieldError::new(
            "is required (exact, month, year or estimated)",
        )),
        _ => Err(FieldError::new("must be exact, month, year or estimated")),
    }
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ => {
            if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 {
                29
            } else {
                28
            }
        }
    }
}

fn number<T: std::str::FromStr>(s: &str, len: usize) -> Option<T> {
    if s.len() == len && s.bytes().all(|b| b.is_ascii_digit()) {
        s.parse().ok()
    } else {
        None
    }
}

/// A calendar date `YYYY-MM-DD` (years 1900–2100), returned as it was written.
pub fn iso_date(s: &str) -> R<String> {
    let t = s.trim();
    let parts: Vec<&str> = t.split('-').collect();
    let bad = || FieldError::new("must be a date YYYY-MM-DD");
    if parts.len() != 3 {
        return Err(bad());
    }
    let y: i32 = number(parts[0], 4).ok_or_else(bad)?;
    let m: u8 = number(parts[1], 2).ok_or_else(bad)?;
    let d: u8 = number(parts[2], 2).ok_or_else(bad)?;
    if !(1900..=2100).contains(&y) || !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return Err(FieldError::new("is not a real calendar date"));
    }
    Ok(t.to_string())
}

/// A date of birth `YYYY`, `YYYY-MM` or `YYYY-MM-DD` with its precision, not after `today`.
pub fn date_of_birth(s: &str, precision: DobPrecision, today: &str) -> R<DateOfBirth> {
    let t = s.trim();
    if t.is_empty() {
        return Err(FieldError::new("is required (YYYY, YYYY-MM or YYYY-MM-DD)"));
    }
    let parts: Vec<&str> = t.split('-').collect();
    let bad = || FieldError::new("must be YYYY, YYYY-MM or YYYY-MM-DD");
    let year: i32 = number(parts[0], 4).ok_or_else(bad)?;
    let month: Option<u8> = match parts.get(1) {
        Some(p) => Some(number(p, 2).ok_or_else(bad)?),
        None => None,
    };
    let day: Option<u8> = match parts.get(2) {
        Some(p) => Some(number(p, 2).ok_or_else(bad)?),
        None => None,
    };
    if parts.len() > 3 {
        return Err(bad());
    }
    if !(1880..=2100).contains(&year) {
        return Err(FieldError::new("year is out of range (1880–2100)"));
    }
    if let Some(m) = month {
        if !(1..=12).contains(&m) {
            return Err(FieldError::new("month must be 01–12"));
        }
        if let Some(d) = day
            && (d == 0 || d > days_in_month(year, m))
        {
            return Err(FieldError::new("is not a real calendar date"));
        }
    }
    match (precision, month, day) {
        (DobPrecision::Exact, Some(_), Some(_)) => {}
        (DobPrecision::Exact, _, _) => {
            return Err(FieldError::new(
                "precision 'exact' needs a full date YYYY-MM-DD",
            ));
        }
        (DobPrecision::Month, Some(_), _) => {}
        (DobPrecision::Month, None, _) => {
            return Err(FieldError::new("precision 'month' needs at least YYYY-MM"));
        }
        (DobPrecision::Year | DobPrecision::Estimated, _, _) => {}
    }
    let dob = DateOfBirth {
        year,
        month,
        day,
        precision,
    };
    if dob.to_string().as_str() > today {
        return Err(FieldError::new("is in the future"));
    }
    Ok(dob)
}

/// ISO 3166-1 alpha-3, upper case (e.g. `IRN`).
pub fn nationality(s: &str) -> R<String> {
    let t = s.trim();
    if t.is_empty() {
        return Err(FieldError::new("is required (ISO 3166-1 alpha-3)"));
    }
    // Stateless persons have a code of their own in UNHCR usage.
    if t == "XXA" || t == "XXB" {
        return Ok(t.to_string());
    }
    match celes::Country::from_alpha3(t) {
        Ok(c) if t.len() == 3 && t.bytes().all(|b| b.is_ascii_uppercase()) => {
            Ok(c.alpha3.to_string())
        }
        _ => Err(FieldError::new("is not an ISO 3166-1 alpha-3 country code")),
    }
}

/// A country for a pledge or a return: the same rule as [`nationality`].
pub fn country(s: &str) -> R<String> {
    nationality(s)
}

/// ISO 639 language codes separated by `;` (639-1 two-letter or 639-3 three-letter).
pub fn languages(s: &str) -> R<Vec<String>> {
    let mut out = Vec::new();
    for code in s.split(';').map(str::trim).filter(|c| !c.is_empty()) {
        let known = match code.len() {
            2 => isolang::Language::from_639_1(code).is_some(),
            3 => isolang::Language::from_639_3(code).is_some(),
            _ => false,
        };
        if !known || code.bytes().any(|b| !b.is_ascii_lowercase()) {
            return Err(FieldError::new(format!(
                "'{code}' is not an ISO 639 language code"
            )));
        }
        if !out.iter().any(|c| c == code) {
            out.push(code.to_string());
        }
    }
    Ok(out)
}

/// Specific-needs codes separated by `;`; each must be in the catalogue.
pub fn specific_needs(s: &str, is_known: impl Fn(&str) -> bool) -> R<Vec<String>> {
    let mut out = Vec::new();
    for code in s.split(';').map(str::trim).filter(|c| !c.is_empty()) {
        if !is_known(code) {
            return Err(FieldError::new(format!(
                "'{code}' is not a known specific-needs code"
            )));
        }
        if !out.iter().any(|c| c == code) {
            out.push(code.to_string());
        }
    }
    Ok(out)
}

/// Recorded attributes `key=value;key=value`; keys `[a-z0-9_]+`, each at most once.
pub fn attributes(s: &str) -> R<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for pair in s.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((k, v)) = pair.split_once('=') else {
            return Err(FieldError::new(format!("'{pair}' is not key=value")));
        };
        let (k, v) = (k.trim(), v.trim());
        if k.is_empty()
            || !k
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            return Err(FieldError::new(format!(
                "key '{k}' must be lower-case letters, digits and '_'"
            )));
        }
        if v.is_empty() || v.chars().any(|c| c.is_control() || c == '=') {
            return Err(FieldError::new(format!(
                "value of '{k}' must be non-empty, without '=' or control characters"
            )));
        }
        if out.insert(k.to_string(), v.to_string()).is_some() {
            return Err(FieldError::new(format!("key '{k}' is given twice")));
        }
    }
    Ok(out)
}

/// Attributes back to their text form (inverse of [`attributes`]).
pub fn attributes_text(attrs: &BTreeMap<String, String>) -> String {
    attrs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(";")
}

/// A count of persons: an integer ≥ 0.
pub fn capacity(s: &str) -> R<i64> {
    match s.trim().parse::<i64>() {
        Ok(n) if n >= 0 => Ok(n),
        Ok(_) => Err(FieldError::new("must not be negative")),
        Err(_) => Err(FieldError::new("must be a whole number")),
    }
}

/// A yes/no flag: `yes`, `no`, `true`, `false`, `1`, `0` (any case); empty is no.
pub fn flag(s: &str) -> R<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "yes" | "y" | "true" | "1" => Ok(true),
        "" | "no" | "n" | "false" | "0" => Ok(false),
        _ => Err(FieldError::new("must be yes or no")),
    }
}

/// An area in m²: a finite decimal ≥ 0.
pub fn area(s: &str) -> R<f64> {
    match s.trim().parse::<f64>() {
        Ok(a) if a.is_finite() && a >= 0.0 => Ok(a),
        Ok(_) => Err(FieldError::new("must be a number ≥ 0")),
        Err(_) => Err(FieldError::new("must be a number (m²)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_of_birth_respect_precision() {
        let today = "2026-11-29";
        assert!(date_of_birth("1970-02-29", DobPrecision::Exact, today).is_err());
        assert!(date_of_birth("1972-02-29", DobPrecision::Exact, today).is_ok());
        assert!(date_of_birth("1970", DobPrecision::Exact, today).is_err());
        assert!(date_of_birth("1970-05", DobPrecision::Month, today).is_ok());
        assert!(date_of_birth("1970", DobPrecision::Estimated, today).is_ok());
        assert!(date_of_birth("2030", DobPrecision::Year, today).is_err());
        assert!(date_of_birth("19x0", DobPrecision::Year, today).is_err());
        assert!(date_of_birth("1970-13", DobPrecision::Month, today).is_err());
        assert_eq!(
            date_of_birth("1970-05", DobPrecision::Month, today)
                .map(|d| d.to_string())
                .ok(),
            Some("1970-05".to_string())
        );
    }

    #[test]
    fn codes() {
        assert!(nationality("IRN").is_ok());
        assert!(nationality("irn").is_err());
        assert!(nationality("ZZZ").is_err());
        assert_eq!(
            languages("fas; eng;fas").ok(),
            Some(vec!["fas".into(), "eng".into()])
        );
        assert!(languages("xx1").is_err());
        assert!(languages("fa").is_ok());
    }

    #[test]
    fn attributes_round_trip() {
        let a = attributes("profession=teacher; affiliation=org-a").unwrap_or_default();
        assert_eq!(attributes_text(&a), "affiliation=org-a;profession=teacher");
        assert!(attributes("Bad=1").is_err());
        assert!(attributes("a=1;a=2").is_err());
        assert!(attributes("novalue").is_err());
    }

    #[test]
    fn ids_and_numbers() {
        assert!(external_id("H-0001").is_ok());
        assert!(external_id("H 1").is_err());
        assert!(external_id("").is_err());
        assert!(capacity("-1").is_err());
        assert!(capacity("12").is_ok());
        assert!(area("NaN").is_err());
        assert!(iso_date("2026-02-30").is_err());
    }
}
