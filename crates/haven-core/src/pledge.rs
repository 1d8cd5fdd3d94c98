//! Pledges: a country's offer of resettlement places, and the criteria a household must
//! meet to be referred there.
//!
//! Criteria are data, not code: operators write them as JSON (the shape is below and in
//! docs/resettlement-domain.md), the store keeps them as JSON, and ONE evaluator,
//! [`evaluate`], applies them. When a household fails, the evaluator returns every
//! criterion it fails, each as a [`Reason`] a resettlement officer can act on; reasons are
//! an enum (not free text) so that explanations can be stored and compared between runs.
//!
//! ```json
//! {
//!   "household_size_min": 1,
//!   "household_size_max": 8,
//!   "accepts_specific_needs": true,
//!   "excluded_needs": ["SM", "DS-PM"],
//!   "languages": ["eng", "fra"],
//!   "nationalities": ["IRN", "IRQ"],
//!   "max_age": 70,
//!   "legal_bars": [
//!     { "attribute": "affiliation", "op": "present", "values": [],
//!       "description": "Designated organisation (Act 12 s.3)" }
//!   ]
//! }
//! ```
//!
//! Every field is optional; `{}` accepts every household. A household is barred when ANY
//! member matches ANY legal bar. A rule the evaluator cannot read (an unknown `op`, an
//! `in` without values, ...) makes every household fail with a reason naming the rule:
//! a legal bar that cannot be applied must not let anyone through. [`Criteria::validate`]
//! finds such problems when the pledge is recorded, naming the field.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::needs::NeedsCatalogue;
use crate::registry::Person;
use crate::validate;

/// A day as `(year, month, day)`, the form [`crate::registry::DateOfBirth::age_on`] takes.
pub type Day = (i32, u8, u8);

/// A country's offer: a number of places (persons) for a period, with criteria.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pledge {
    /// The operation's id for this pledge (a country may pledge more than once).
    pub pledge_id: String,
    /// ISO 3166-1 alpha-3 of the pledging country.
    pub country: String,
    /// Places, counted in persons (a household of five takes five).
    pub places: u32,
    /// `YYYY-MM-DD`, first day departures may take place under this pledge.
    pub period_start: String,
    /// `YYYY-MM-DD`, last day.
    pub period_end: String,
    #[serde(default)]
    pub criteria: Criteria,
}

/// One thing wrong with a pledge or its criteria: the field (as a JSON path, e.g.
/// `legal_bars[1].values`) and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

impl FieldProblem {
    fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldProblem {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for FieldProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl Pledge {
    /// Everything wrong with the pledge, criteria included (empty when it is valid).
    pub fn validate(&self) -> Vec<FieldProblem> {
        let mut out = Vec::new();
        if let Err(e) = validate::external_id(&self.pledge_id) {
            out.push(FieldProblem::new("pledge_id", e.message));
        }
        if let Err(e) = validate::country(&self.country) {
            out.push(FieldProblem::new(
                "country",
                format!("'{}' {}", self.country, e.message),
            ));
        }
        let start = validate::iso_date(&self.period_start);
        let end = validate::iso_date(&self.period_end);
        if let Err(e) = &start {
            out.push(FieldProblem::new(
                "period_start",
                format!("'{}' {}", self.period_start, e.message),
            ));
        }
        if let Err(e) = &end {
            out.push(FieldProblem::new(
                "period_end",
                format!("'{}' {}", self.period_end, e.message),
            ));
        }
        if let (Ok(s), Ok(e)) = (start, end)
            && s > e
        {
            out.push(FieldProblem::new(
                "period_end",
                format!("{e} is before the start of the period ({s})"),
            ));
        }
        out.extend(self.criteria.validate().into_iter().map(|p| FieldProblem {
            field: format!("criteria.{}", p.field),
            message: p.message,
        }));
        out
    }

    /// Whether `day` (`YYYY-MM-DD`) falls within the pledge's period.
    pub fn is_open_on(&self, day: &str) -> bool {
        self.period_start.as_str() <= day && day <= self.period_end.as_str()
    }
}

/// What a country requires of a household. See the module documentation for the JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Criteria {
    /// Fewest persons in the household.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub household_size_min: Option<u32>,
    /// Most persons in the household.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub household_size_max: Option<u32>,
    /// `false`: no member may have any specific need.
    pub accepts_specific_needs: bool,
    /// Specific-needs codes (`SM-CI`) or categories (`SM`, covering every `SM-…`) that
    /// no member may have.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub excluded_needs: Vec<String>,
    /// If given, at least one member must speak one of these (ISO 639).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub languages: Vec<String>,
    /// If given, every member must be a national of one of these (ISO 3166-1 alpha-3).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub nationalities: Vec<String>,
    /// If given, no member may be older than this on the evaluation day.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_age: Option<u32>,
    /// Rules over recorded person attributes; any member matching any bar bars the
    /// household.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub legal_bars: Vec<LegalBar>,
}

impl Default for Criteria {
    /// Accepts every household.
    fn default() -> Self {
        Criteria {
            household_size_min: None,
            household_size_max: None,
            accepts_specific_needs: true,
            excluded_needs: Vec::new(),
            languages: Vec::new(),
            nationalities: Vec::new(),
            max_age: None,
            legal_bars: Vec::new(),
        }
    }
}

/// How a legal bar tests a recorded attribute.
///
/// Kept as data even when unknown (serialised as the string given) so that a criteria
/// document with a typo still loads, is reported by [`Criteria::validate`], and is applied
/// fail-safe by [`evaluate`] rather than silently dropped.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum BarOp {
    /// The attribute's value equals the one value given.
    Equals,
    /// The attribute's value is one of the values given.
    In,
    /// The attribute is recorded at all, whatever its value.
    Present,
    /// Anything else, as written.
    Unknown(String),
}

impl From<String> for BarOp {
    fn from(s: String) -> Self {
        match s.as_str() {
            "equals" => BarOp::Equals,
            "in" => BarOp::In,
            "present" => BarOp::Present,
            _ => BarOp::Unknown(s),
        }
    }
}

impl From<BarOp> for String {
    fn from(op: BarOp) -> Self {
        match op {
            BarOp::Equals => "equals".into(),
            BarOp::In => "in".into(),
            BarOp::Present => "present".into(),
            BarOp::Unknown(s) => s,
        }
    }
}

/// A country's legal bar as a rule over one recorded person attribute.
///
/// A recorded value may list several, separated by commas (`affiliation=org-x,org-y`);
/// `equals` and `in` match when any listed value matches. Comparison ignores case and
/// surrounding spaces: a bar must not be escaped by the spelling of a record.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LegalBar {
    /// Attribute key as recorded on the person (`affiliation`).
    pub attribute: String,
    pub op: BarOp,
    #[serde(default)]
    pub values: Vec<String>,
    /// The law or rule, as the officer will read it in explanations.
    pub description: String,
}

impl LegalBar {
    /// What makes this bar unusable, if anything (the message of [`Criteria::validate`]).
    fn problem(&self) -> Option<(&'static str, String)> {
        let key_ok = !self.attribute.is_empty()
            && self
                .attribute
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !key_ok {
            return Some((
                "attribute",
                format!(
                    "'{}' must be an attribute key: lower-case letters, digits and '_'",
                    self.attribute
                ),
            ));
        }
        if self.description.trim().is_empty() {
            return Some((
                "description",
                "is required: it is what the officer reads when a household is barred".into(),
            ));
        }
        if self.values.iter().any(|v| v.trim().is_empty()) {
            return Some(("values", "holds an empty value".into()));
        }
        match (&self.op, self.values.len()) {
            (BarOp::Unknown(op), _) => Some((
                "op",
                format!("unknown operator '{op}' (use equals, in or present)"),
            )),
            (BarOp::Equals, 1) => None,
            (BarOp::Equals, n) => Some((
                "values",
                format!("'equals' takes exactly one value, {n} given"),
            )),
            (BarOp::In, 0) => Some(("values", "'in' needs at least one value".into())),
            (BarOp::In, _) => None,
            (BarOp::Present, 0) => None,
            (BarOp::Present, _) => Some((
                "values",
                "'present' takes no values (it bars any recorded value)".into(),
            )),
        }
    }

    /// The recorded value that makes `person` barred, if it does. Assumes the bar is
    /// usable ([`Self::problem`] is `None`).
    fn matches<'p>(&self, person: &'p Person) -> Option<&'p str> {
        let recorded = person.attributes.get(&self.attribute)?;
        let hit = match self.op {
            BarOp::Present => true,
            BarOp::Equals | BarOp::In => recorded.split(',').any(|r| {
                self.values
                    .iter()
                    .any(|v| v.trim().eq_ignore_ascii_case(r.trim()))
            }),
            BarOp::Unknown(_) => false,
        };
        hit.then_some(recorded.as_str())
    }
}

/// Whether a specific-needs code is covered by a rule code: the same code, or its
/// category (the part before `-`).
pub fn need_matches(rule: &str, code: &str) -> bool {
    rule == code || code.split_once('-').is_some_and(|(cat, _)| cat == rule)
}

/// A language code in the form used for comparison: ISO 639-3, lower case.
fn language_key(code: &str) -> String {
    let c = code.trim().to_ascii_lowercase();
    if c.len() == 2
        && let Some(l) = isolang::Language::from_639_1(&c)
    {
        return l.to_639_3().to_string();
    }
    c
}

fn need_code_ok(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 16
        && code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-')
}

impl Criteria {
    /// Parses a criteria document as an operator wrote it, then validates it. Unknown
    /// fields are refused (a misspelt criterion must not be silently ignored).
    pub fn from_json(json: &str) -> Result<Criteria, Vec<FieldProblem>> {
        let c: Criteria = serde_json::from_str(json)
            .map_err(|e| vec![FieldProblem::new("criteria", e.to_string())])?;
        let problems = c.validate();
        if problems.is_empty() {
            Ok(c)
        } else {
            Err(problems)
        }
    }

    /// Excluded needs the operation's catalogue does not know (a well-formed but unknown
    /// code would never match anyone). Separate from [`Self::validate`] because the
    /// catalogue is the operation's data, kept in the store.
    pub fn unknown_needs(&self, catalogue: &NeedsCatalogue) -> Vec<FieldProblem> {
        self.excluded_needs
            .iter()
            .enumerate()
            .filter(|(_, code)| need_code_ok(code) && !catalogue.contains(code))
            .map(|(i, code)| {
                FieldProblem::new(
                    format!("excluded_needs[{i}]"),
                    format!("'{code}' is not in the specific-needs catalogue"),
                )
            })
            .collect()
    }

    /// Everything wrong with the criteria, each naming its field; empty when valid.
    pub fn validate(&self) -> Vec<FieldProblem> {
        let mut out = Vec::new();
        if self.household_size_max == Some(0) {
            out.push(FieldProblem::new(
                "household_size_max",
                "must be at least 1 (0 admits no household)",
            ));
        }
        if let (Some(min), Some(max)) = (self.household_size_min, self.household_size_max)
            && min > max
        {
            out.push(FieldProblem::new(
                "household_size_min",
                format!("{min} is above household_size_max {max}"),
            ));
        }
        for (i, code) in self.excluded_needs.iter().enumerate() {
            if !need_code_ok(code) {
                out.push(FieldProblem::new(
                    format!("excluded_needs[{i}]"),
                    format!("'{code}' is not a specific-needs code or category (e.g. SM, SM-CI)"),
                ));
            }
        }
        for (i, code) in self.languages.iter().enumerate() {
            if let Err(e) = validate::languages(code).and_then(|v| {
                if v.len() == 1 {
                    Ok(v)
                } else {
                    Err(validate::FieldError {
                        message: format!("'{code}' must be one ISO 639 language code"),
                    })
                }
            }) {
                out.push(FieldProblem::new(format!("languages[{i}]"), e.message));
            }
        }
        for (i, code) in self.nationalities.iter().enumerate() {
            if let Err(e) = validate::nationality(code) {
                out.push(FieldProblem::new(
                    format!("nationalities[{i}]"),
                    format!("'{code}' {}", e.message),
                ));
            }
        }
        for (i, bar) in self.legal_bars.iter().enumerate() {
            if let Some((field, message)) = bar.problem() {
                out.push(FieldProblem::new(
                    format!("legal_bars[{i}].{field}"),
                    message,
                ));
            }
        }
        out
    }
}

/// Why a household fails a pledge's criteria: one criterion, with what the officer needs
/// to act (who, which value, which limit). Ordered by criterion, then person, so that
/// the list for a household does not depend on the order of its members.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "criterion", rename_all = "snake_case")]
pub enum Reason {
    /// The household has no members to evaluate.
    NoMembers,
    TooSmall {
        size: u32,
        min: u32,
    },
    TooLarge {
        size: u32,
        max: u32,
    },
    SpecificNeedsNotAccepted {
        person_id: String,
        codes: Vec<String>,
    },
    ExcludedNeed {
        person_id: String,
        code: String,
        /// The rule code or category that excludes it.
        excluded: String,
    },
    NoCommonLanguage {
        required: Vec<String>,
    },
    NationalityNotAccepted {
        person_id: String,
        nationality: String,
        accepted: Vec<String>,
    },
    TooOld {
        person_id: String,
        age: i32,
        max: u32,
    },
    LegalBar {
        person_id: String,
        attribute: String,
        value: String,
        description: String,
    },
    /// A rule of the criteria cannot be applied: nobody passes until it is fixed.
    UnusableRule {
        rule: String,
        problem: String,
    },
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::NoMembers => write!(f, "the household has no members"),
            Reason::TooSmall { size, min } => {
                write!(f, "household of {size} is below the minimum of {min}")
            }
            Reason::TooLarge { size, max } => {
                write!(f, "household of {size} exceeds the maximum of {max}")
            }
            Reason::SpecificNeedsNotAccepted { person_id, codes } => write!(
                f,
                "{person_id} has specific needs ({}) and the pledge accepts none",
                codes.join(", ")
            ),
            Reason::ExcludedNeed {
                person_id,
                code,
                excluded,
            } if code == excluded => write!(
                f,
                "{person_id} has specific need {code}, which the pledge excludes"
            ),
            Reason::ExcludedNeed {
                person_id,
                code,
                excluded,
            } => write!(
                f,
                "{person_id} has specific need {code}, which the pledge excludes ({excluded})"
            ),
            Reason::NoCommonLanguage { required } => write!(
                f,
                "no member speaks any of the required languages ({})",
                required.join(", ")
            ),
            Reason::NationalityNotAccepted {
                person_id,
                nationality,
                accepted,
            } => write!(
                f,
                "{person_id} is a national of {nationality}, not among the accepted nationalities ({})",
                accepted.join(", ")
            ),
            Reason::TooOld {
                person_id,
                age,
                max,
            } => write!(f, "{person_id} is {age}, above the maximum age of {max}"),
            Reason::LegalBar {
                person_id,
                attribute,
                value,
                description,
            } => write!(
                f,
                "{person_id} has a recorded {attribute} ({value}): legal bar '{description}'"
            ),
            Reason::UnusableRule { rule, problem } => write!(
                f,
                "{rule} cannot be applied ({problem}); no household qualifies until the pledge's criteria are fixed"
            ),
        }
    }
}

/// The evaluator's verdict on one household against one set of criteria.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Eligibility {
    Eligible,
    /// Every criterion failed, sorted, never empty.
    Ineligible {
        reasons: Vec<Reason>,
    },
}

impl Eligibility {
    pub fn is_eligible(&self) -> bool {
        matches!(self, Eligibility::Eligible)
    }

    /// The failed criteria (empty when eligible).
    pub fn reasons(&self) -> &[Reason] {
        match self {
            Eligibility::Eligible => &[],
            Eligibility::Ineligible { reasons } => reasons,
        }
    }
}

/// Applies `criteria` to a household (all its members, in any order) on day `on` (for
/// ages). Returns every failed criterion, not only the first, so that one explanation
/// tells the officer everything that stands in the way.
pub fn evaluate(criteria: &Criteria, household: &[&Person], on: Day) -> Eligibility {
    let mut reasons = Vec::new();
    let size = u32::try_from(household.len()).unwrap_or(u32::MAX);
    if household.is_empty() {
        reasons.push(Reason::NoMembers);
    }
    if let Some(min) = criteria.household_size_min
        && size < min
        && size > 0
    {
        reasons.push(Reason::TooSmall { size, min });
    }
    if let Some(max) = criteria.household_size_max
        && size > max
    {
        reasons.push(Reason::TooLarge { size, max });
    }
    for (i, bar) in criteria.legal_bars.iter().enumerate() {
        if let Some((field, problem)) = bar.problem() {
            reasons.push(Reason::UnusableRule {
                rule: format!("legal bar {} ('{}')", i + 1, bar.description.trim()),
                problem: format!("{field}: {problem}"),
            });
        }
    }
    let usable_bars: Vec<&LegalBar> = criteria
        .legal_bars
        .iter()
        .filter(|b| b.problem().is_none())
        .collect();
    for p in household {
        if !criteria.accepts_specific_needs && !p.specific_needs.is_empty() {
            let mut codes = p.specific_needs.clone();
            codes.sort();
            codes.dedup();
            reasons.push(Reason::SpecificNeedsNotAccepted {
                person_id: p.person_id.clone(),
                codes,
            });
        } else {
            for code in &p.specific_needs {
                if let Some(rule) = criteria
                    .excluded_needs
                    .iter()
                    .find(|r| need_matches(r, code))
                {
                    reasons.push(Reason::ExcludedNeed {
                        person_id: p.person_id.clone(),
                        code: code.clone(),
                        excluded: rule.clone(),
                    });
                }
            }
        }
        if !criteria.nationalities.is_empty() && !criteria.nationalities.contains(&p.nationality) {
            reasons.push(Reason::NationalityNotAccepted {
                person_id: p.person_id.clone(),
                nationality: p.nationality.clone(),
                accepted: criteria.nationalities.clone(),
            });
        }
        if let Some(max) = criteria.max_age {
            let age = p.date_of_birth.age_on(on);
            if i64::from(age) > i64::from(max) {
                reasons.push(Reason::TooOld {
                    person_id: p.person_id.clone(),
                    age,
                    max,
                });
            }
        }
        for bar in &usable_bars {
            if let Some(value) = bar.matches(p) {
                reasons.push(Reason::LegalBar {
                    person_id: p.person_id.clone(),
                    attribute: bar.attribute.clone(),
                    value: value.to_string(),
                    description: bar.description.trim().to_string(),
                });
            }
        }
    }
    if !criteria.languages.is_empty() && !household.is_empty() {
        let wanted: Vec<String> = criteria.languages.iter().map(|l| language_key(l)).collect();
        let spoken = household.iter().any(|p| {
            p.languages
                .iter()
                .any(|l| wanted.contains(&language_key(l)))
        });
        if !spoken {
            reasons.push(Reason::NoCommonLanguage {
                required: criteria.languages.clone(),
            });
        }
    }
    if reasons.is_empty() {
        Eligibility::Eligible
    } else {
        reasons.sort();
        reasons.dedup();
        Eligibility::Ineligible { reasons }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::registry::{DateOfBirth, DobPrecision, PersonName, Relationship, Sex};
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    pub(crate) fn person(id: &str, household: &str) -> Person {
        Person {
            person_id: id.into(),
            household_id: household.into(),
            relationship: Relationship::Head,
            name: PersonName::default(),
            sex: Sex::F,
            date_of_birth: DateOfBirth {
                year: 1990,
                month: Some(6),
                day: Some(15),
                precision: DobPrecision::Exact,
            },
            nationality: "IRN".into(),
            languages: vec!["fas".into()],
            specific_needs: vec![],
            attributes: BTreeMap::new(),
            site_id: "S-1".into(),
            unit_id: None,
            registered_on: "2026-01-10".into(),
        }
    }

    const ON: Day = (2026, 6, 1);

    fn bar(attribute: &str, op: &str, values: &[&str], description: &str) -> LegalBar {
        LegalBar {
            attribute: attribute.into(),
            op: BarOp::from(op.to_string()),
            values: values.iter().map(|v| v.to_string()).collect(),
            description: description.into(),
        }
    }

    fn reasons_of(c: &Criteria, h: &[&Person]) -> Vec<String> {
        evaluate(c, h, ON)
            .reasons()
            .iter()
            .map(|r| r.to_string())
            .collect()
    }

    #[test]
    fn empty_criteria_accept_everyone_but_not_an_empty_household() {
        let a = person("P-1", "H-1");
        assert_eq!(
            evaluate(&Criteria::default(), &[&a], ON),
            Eligibility::Eligible
        );
        assert_eq!(
            evaluate(&Criteria::default(), &[], ON).reasons(),
            &[Reason::NoMembers]
        );
        let parsed = Criteria::from_json("{}").unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(parsed, Criteria::default());
    }

    #[test]
    fn household_size_limits() {
        let c = Criteria {
            household_size_min: Some(2),
            household_size_max: Some(3),
            ..Criteria::default()
        };
        let ps: Vec<Person> = (0..9).map(|i| person(&format!("P-{i}"), "H-1")).collect();
        let refs: Vec<&Person> = ps.iter().collect();
        assert_eq!(
            reasons_of(&c, &refs[..1]),
            ["household of 1 is below the minimum of 2"]
        );
        assert!(evaluate(&c, &refs[..2], ON).is_eligible());
        assert!(evaluate(&c, &refs[..3], ON).is_eligible());
        let c8 = Criteria {
            household_size_max: Some(8),
            ..Criteria::default()
        };
        assert_eq!(
            reasons_of(&c8, &refs),
            ["household of 9 exceeds the maximum of 8"]
        );
    }

    #[test]
    fn specific_needs_not_accepted_or_excluded_by_code_or_category() {
        let mut a = person("P-1", "H-1");
        a.specific_needs = vec!["SM-CI".into(), "DS".into()];
        let b = person("P-2", "H-1");
        let none = Criteria {
            accepts_specific_needs: false,
            ..Criteria::default()
        };
        assert_eq!(
            reasons_of(&none, &[&b, &a]),
            ["P-1 has specific needs (DS, SM-CI) and the pledge accepts none"]
        );
        assert!(evaluate(&none, &[&b], ON).is_eligible());
        let by_category = Criteria {
            excluded_needs: vec!["SM".into()],
            ..Criteria::default()
        };
        assert_eq!(
            reasons_of(&by_category, &[&a]),
            ["P-1 has specific need SM-CI, which the pledge excludes (SM)"]
        );
        let by_code = Criteria {
            excluded_needs: vec!["DS".into(), "SM-XX".into()],
            ..Criteria::default()
        };
        assert_eq!(
            reasons_of(&by_code, &[&a]),
            ["P-1 has specific need DS, which the pledge excludes"]
        );
        // A sub-code rule does not exclude its category or its siblings.
        assert!(!need_matches("SM-CI", "SM"));
        assert!(!need_matches("SM-CI", "SM-CC"));
        assert!(need_matches("SM", "SM-CC"));
        assert!(!need_matches("S", "SM-CC"));
    }

    #[test]
    fn one_member_speaking_a_required_language_is_enough() {
        let a = person("P-1", "H-1");
        let mut b = person("P-2", "H-1");
        b.languages = vec!["en".into()];
        let c = Criteria {
            languages: vec!["eng".into(), "fra".into()],
            ..Criteria::default()
        };
        assert!(evaluate(&c, &[&a, &b], ON).is_eligible());
        assert_eq!(
            reasons_of(&c, &[&a]),
            ["no member speaks any of the required languages (eng, fra)"]
        );
        // Two-letter codes on either side compare with their three-letter form.
        let c2 = Criteria {
            languages: vec!["fa".into()],
            ..Criteria::default()
        };
        assert!(evaluate(&c2, &[&a], ON).is_eligible());
    }

    #[test]
    fn every_member_must_hold_an_accepted_nationality() {
        let a = person("P-1", "H-1");
        let mut b = person("P-2", "H-1");
        b.nationality = "AFG".into();
        let c = Criteria {
            nationalities: vec!["IRN".into(), "IRQ".into()],
            ..Criteria::default()
        };
        assert!(evaluate(&c, &[&a], ON).is_eligible());
        assert_eq!(
            reasons_of(&c, &[&a, &b]),
            ["P-2 is a national of AFG, not among the accepted nationalities (IRN, IRQ)"]
        );
    }

    #[test]
    fn maximum_age_on_the_evaluation_day() {
        let mut a = person("P-1", "H-1");
        a.date_of_birth.year = 1961; // born 1961-06-15: 64 on 2026-06-01, 65 on 2026-06-15
        let c = Criteria {
            max_age: Some(64),
            ..Criteria::default()
        };
        assert!(evaluate(&c, &[&a], ON).is_eligible());
        assert_eq!(
            evaluate(&c, &[&a], (2026, 6, 15))
                .reasons()
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            ["P-1 is 65, above the maximum age of 64"]
        );
    }

    #[test]
    fn legal_bars_bar_the_whole_household_for_one_member() {
        let head = person("P-000122", "H-1");
        let mut member = person("P-000123", "H-1");
        member
            .attributes
            .insert("affiliation".into(), "org-x".into());
        let act = "Designated organisation (Act 12 s.3)";
        for b in [
            bar("affiliation", "present", &[], act),
            bar("affiliation", "equals", &["ORG-X"], act),
            bar("affiliation", "in", &["org-y", " org-x "], act),
        ] {
            let c = Criteria {
                legal_bars: vec![b.clone()],
                ..Criteria::default()
            };
            assert_eq!(
                reasons_of(&c, &[&head, &member]),
                [
                    "P-000123 has a recorded affiliation (org-x): legal bar 'Designated organisation (Act 12 s.3)'"
                ],
                "{b:?}"
            );
            assert!(evaluate(&c, &[&head], ON).is_eligible());
        }
        let other = Criteria {
            legal_bars: vec![bar("affiliation", "in", &["org-y", "org-z"], act)],
            ..Criteria::default()
        };
        assert!(evaluate(&other, &[&head, &member], ON).is_eligible());
        // A recorded list is matched element by element.
        member
            .attributes
            .insert("affiliation".into(), "org-a, org-z".into());
        assert!(!evaluate(&other, &[&member], ON).is_eligible());
    }

    #[test]
    fn every_failed_criterion_is_reported_in_a_stable_order() {
        let mut a = person("P-2", "H-1");
        a.specific_needs = vec!["SM-CI".into()];
        a.attributes.insert("affiliation".into(), "org-x".into());
        let mut b = person("P-1", "H-1");
        b.nationality = "AFG".into();
        let c = Criteria {
            household_size_max: Some(1),
            excluded_needs: vec!["SM".into()],
            languages: vec!["eng".into()],
            nationalities: vec!["IRN".into()],
            legal_bars: vec![bar("affiliation", "present", &[], "Act 12")],
            ..Criteria::default()
        };
        let r = evaluate(&c, &[&a, &b], ON);
        assert_eq!(r.reasons().len(), 5);
        assert_eq!(r, evaluate(&c, &[&b, &a], ON));
        assert!(matches!(
            r.reasons()[0],
            Reason::TooLarge { size: 2, max: 1 }
        ));
        // Reasons are data: they round-trip through JSON for storage and comparison.
        let json = serde_json::to_string(&r).unwrap_or_default();
        assert!(json.contains("\"criterion\":\"legal_bar\""), "{json}");
        let back: Eligibility = serde_json::from_str(&json).unwrap_or(Eligibility::Eligible);
        assert_eq!(back, r);
    }

    #[test]
    fn an_unusable_bar_lets_nobody_through() {
        let a = person("P-1", "H-1");
        let c = Criteria {
            legal_bars: vec![bar("affiliation", "eq", &["org-x"], "Act 12")],
            ..Criteria::default()
        };
        assert_eq!(
            reasons_of(&c, &[&a]),
            [
                "legal bar 1 ('Act 12') cannot be applied (op: unknown operator 'eq' (use equals, in or present)); no household qualifies until the pledge's criteria are fixed"
            ]
        );
    }

    #[test]
    fn criteria_documents_are_parsed_and_validated_naming_the_field() {
        let json = r#"{
            "household_size_min": 1, "household_size_max": 8,
            "accepts_specific_needs": true, "excluded_needs": ["SM"],
            "languages": ["eng"], "nationalities": ["IRN"], "max_age": 70,
            "legal_bars": [{"attribute": "affiliation", "op": "present",
                            "description": "Designated organisation (Act 12 s.3)"}]
        }"#;
        let c = Criteria::from_json(json).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(c.legal_bars[0].op, BarOp::Present);
        let round: Criteria = serde_json::from_str(&serde_json::to_string(&c).unwrap_or_default())
            .unwrap_or_default();
        assert_eq!(round, c);

        let bad = r#"{
            "household_size_min": 5, "household_size_max": 3,
            "excluded_needs": ["sm"], "languages": ["english"], "nationalities": ["XYZ"],
            "legal_bars": [
                {"attribute": "affiliation", "op": "eq", "values": ["x"], "description": "A"},
                {"attribute": "affiliation", "op": "in", "values": [], "description": "B"},
                {"attribute": "affiliation", "op": "equals", "values": ["a", "b"], "description": "C"},
                {"attribute": "affiliation", "op": "present", "values": [], "description": " "},
                {"attribute": "Affiliation", "op": "present", "description": "E"}
            ]
        }"#;
        let problems: Vec<String> = Criteria::from_json(bad)
            .err()
            .unwrap_or_default()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            problems,
            [
                "household_size_min: 5 is above household_size_max 3",
                "excluded_needs[0]: 'sm' is not a specific-needs code or category (e.g. SM, SM-CI)",
                "languages[0]: 'english' is not an ISO 639 language code",
                "nationalities[0]: 'XYZ' is not an ISO 3166-1 alpha-3 country code",
                "legal_bars[0].op: unknown operator 'eq' (use equals, in or present)",
                "legal_bars[1].values: 'in' needs at least one value",
                "legal_bars[2].values: 'equals' takes exactly one value, 2 given",
                "legal_bars[3].description: is required: it is what the officer reads when a household is barred",
                "legal_bars[4].attribute: 'Affiliation' must be an attribute key: lower-case letters, digits and '_'",
            ]
        );
        // Well-formed codes are checked against the operation's catalogue separately.
        let unknown = Criteria {
            excluded_needs: vec!["SM".into(), "SM-ZZ".into()],
            ..Criteria::default()
        };
        assert!(unknown.validate().is_empty());
        assert_eq!(
            unknown
                .unknown_needs(&NeedsCatalogue::standard())
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            ["excluded_needs[1]: 'SM-ZZ' is not in the specific-needs catalogue"]
        );
        // A misspelt field is refused, not ignored.
        let typo = Criteria::from_json(r#"{"excluded_need": ["SM"]}"#)
            .err()
            .unwrap_or_default();
        assert_eq!(typo.len(), 1);
        assert_eq!(typo[0].field, "criteria");
        assert!(typo[0].message.contains("excluded_need"), "{}", typo[0]);
        assert_eq!(
            Criteria {
                household_size_max: Some(0),
                ..Criteria::default()
            }
            .validate()[0]
                .field,
            "household_size_max"
        );
    }

    #[test]
    fn pledges_are_validated_and_know_their_period() {
        let p = Pledge {
            pledge_id: "PL-CAN-1".into(),
            country: "CAN".into(),
            places: 120,
            period_start: "2026-07-01".into(),
            period_end: "2027-06-30".into(),
            criteria: Criteria::default(),
        };
        assert!(p.validate().is_empty());
        assert!(p.is_open_on("2026-07-01") && p.is_open_on("2027-06-30"));
        assert!(!p.is_open_on("2026-06-30") && !p.is_open_on("2027-07-01"));
        let bad = Pledge {
            country: "Canada".into(),
            period_start: "2027-07-01".into(),
            criteria: Criteria {
                household_size_max: Some(0),
                ..Criteria::default()
            },
            ..p
        };
        let fields: Vec<String> = bad.validate().into_iter().map(|f| f.field).collect();
        assert_eq!(
            fields,
            ["country", "period_end", "criteria.household_size_max"]
        );
    }

    // ---- properties ----

    const ATTR_VALUES: [&str; 4] = ["org-x", "org-y", "ORG-Z", "org-x,org-w"];
    const NEEDS: [&str; 5] = ["SM", "SM-CI", "DS-PM", "WR", "CR-CS"];
    const LANGS: [&str; 4] = ["fas", "eng", "ar", "kmr"];

    prop_compose! {
        fn arb_person(n: usize)(
            affiliation in prop::option::of(prop::sample::select(&ATTR_VALUES[..])),
            profession in prop::option::of(prop::sample::select(&["teacher", "soldier"][..])),
            needs in prop::collection::vec(prop::sample::select(&NEEDS[..]), 0..3),
            langs in prop::collection::vec(prop::sample::select(&LANGS[..]), 0..3),
            nat in prop::sample::select(&["IRN", "IRQ", "AFG"][..]),
            year in 1940i32..2026,
        ) -> Person {
            let mut p = person(&format!("P-{n}"), "H-1");
            if let Some(a) = affiliation { p.attributes.insert("affiliation".into(), a.into()); }
            if let Some(a) = profession { p.attributes.insert("profession".into(), a.into()); }
            p.specific_needs = needs.into_iter().map(String::from).collect();
            p.languages = langs.into_iter().map(String::from).collect();
            p.nationality = nat.into();
            p.date_of_birth.year = year;
            p
        }
    }

    pub(crate) fn arb_household() -> impl Strategy<Value = Vec<Person>> {
        (1usize..7).prop_flat_map(|n| (0..n).map(arb_person).collect::<Vec<_>>())
    }

    fn arb_bar() -> impl Strategy<Value = LegalBar> {
        let attr = prop::sample::select(&["affiliation", "profession"][..]);
        let vals = prop::collection::vec(
            prop::sample::select(&["org-x", "ORG-Y", "org-z", "soldier", "org-w"][..]),
            1..3,
        );
        (attr, 0u8..3, vals).prop_map(|(a, op, vals)| match op {
            0 => bar(a, "present", &[], "bar present"),
            1 => bar(a, "equals", &vals[..1], "bar equals"),
            _ => bar(a, "in", &vals, "bar in"),
        })
    }

    pub(crate) fn arb_criteria() -> impl Strategy<Value = Criteria> {
        (
            prop::option::of(1u32..4),
            prop::option::of(2u32..7),
            any::<bool>(),
            prop::collection::vec(prop::sample::select(&NEEDS[..]), 0..2),
            prop::collection::vec(prop::sample::select(&LANGS[..]), 0..2),
            prop::collection::vec(prop::sample::select(&["IRN", "IRQ", "AFG"][..]), 0..3),
            prop::option::of(40u32..90),
            prop::collection::vec(arb_bar(), 0..3),
        )
            .prop_map(|(min, max, acc, ex, langs, nats, age, bars)| Criteria {
                household_size_min: min,
                household_size_max: max,
                accepts_specific_needs: acc,
                excluded_needs: ex.into_iter().map(String::from).collect(),
                languages: langs.into_iter().map(String::from).collect(),
                nationalities: nats.into_iter().map(String::from).collect(),
                max_age: age,
                legal_bars: bars,
            })
    }

    /// An independent reading of "matches the bar", written from the documentation.
    fn barred(b: &LegalBar, p: &Person) -> bool {
        let Some(v) = p.attributes.get(&b.attribute) else {
            return false;
        };
        match b.op {
            BarOp::Present => true,
            _ => v.split(',').any(|x| {
                b.values
                    .iter()
                    .any(|w| w.trim().to_lowercase() == x.trim().to_lowercase())
            }),
        }
    }

    proptest! {
        #[test]
        fn never_eligible_when_a_member_matches_a_legal_bar(
            c in arb_criteria(), h in arb_household()
        ) {
            let refs: Vec<&Person> = h.iter().collect();
            let e = evaluate(&c, &refs, ON);
            for b in &c.legal_bars {
                for p in &h {
                    if barred(b, p) {
                        prop_assert!(!e.is_eligible());
                        let named = e.reasons().iter().any(|r| matches!(r,
                            Reason::LegalBar { person_id, description, .. }
                                if *person_id == p.person_id && *description == b.description));
                        prop_assert!(named, "{:?} not named for {}", b, p.person_id);
                    }
                }
            }
            // And a household is eligible only when no reason is left.
            prop_assert_eq!(e.is_eligible(), e.reasons().is_empty());
        }

        #[test]
        fn eligibility_does_not_depend_on_member_order(
            c in arb_criteria(),
            (h, shuffled) in arb_household().prop_flat_map(|h| {
                let s = Just(h.clone()).prop_shuffle();
                (Just(h), s)
            })
        ) {
            let a: Vec<&Person> = h.iter().collect();
            let b: Vec<&Person> = shuffled.iter().collect();
            prop_assert_eq!(evaluate(&c, &a, ON), evaluate(&c, &b, ON));
        }

        #[test]
        fn generated_criteria_are_valid_and_round_trip(c in arb_criteria()) {
            let json = serde_json::to_string(&c).unwrap_or_default();
            let back = Criteria::from_json(&json);
            let min_above_max = matches!((c.household_size_min, c.household_size_max),
                (Some(a), Some(b)) if a > b);
            if min_above_max {
                prop_assert!(back.is_err());
            } else {
                prop_assert_eq!(back, Ok(c));
            }
        }
    }
}
