//! Building blocks of a placement run: what placing a household under a pledge is worth,
//! and which household–pledge pairs are eligible at all.
//!
//! Pure. A placement-run use case loads the recognised, not-yet-referred households
//! (each as a [`Submission`]: the household with its members, its submission priority
//! and category, and the operator's outcome scores), the open pledges with the places
//! each has left ([`OpenPledge`]) and the operator's [`Weights`]; [`build_inputs`] turns
//! them into [`PlacementInputs`], plain data in a deterministic order, which the use case
//! hands to the optimiser (`haven-optim`, which knows nothing of Haven) like this:
//!
//! ```text
//! resources: ["persons"], Sense::Maximize, Mode::Optional
//! for place in inputs.places:     builder.place(place.pledge_id, [place.capacity])
//! for item in inputs.items:       builder.item(item.household_id, [item.need])
//!     for pair in inputs.eligible_of(item index):
//!                                 builder.option(pair.place, pair.value)
//! ```
//!
//! Place and item indices in [`PlacementInputs`] are the optimiser's indices. A
//! household is one item needing as many places as it has members, so the optimiser can
//! place it whole or not at all: households are never split. Pairs a household is not
//! eligible for are not options; they are kept in [`PlacementInputs::ineligible`] with
//! the pledge evaluator's reasons, for the run's explanation and the shortfall report.

use std::collections::{BTreeMap, HashSet};
use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::pledge::{self, Day, Eligibility, FieldProblem, Pledge, Reason};
use crate::registry::{Household, Person};

/// The person attribute recording family links: the ISO3 codes of countries where the
/// person has family, comma-separated (`family_link=CAN` or `family_link=CAN,DEU`).
pub const FAMILY_LINK_ATTRIBUTE: &str = "family_link";

/// How soon a resettlement submission must be acted on (UNHCR's three levels).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubmissionPriority {
    /// Immediate risk: departure within days.
    Emergency,
    /// Serious risk: departure within weeks.
    Urgent,
    /// Everyone else: departure within the year.
    Normal,
}

impl SubmissionPriority {
    pub const ALL: [SubmissionPriority; 3] = [
        SubmissionPriority::Emergency,
        SubmissionPriority::Urgent,
        SubmissionPriority::Normal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SubmissionPriority::Emergency => "emergency",
            SubmissionPriority::Urgent => "urgent",
            SubmissionPriority::Normal => "normal",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// The resettlement submission category: the main reason a household needs resettlement
/// (UNHCR Resettlement Handbook).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubmissionCategory {
    LegalPhysicalProtection,
    SurvivorsOfViolenceTorture,
    MedicalNeeds,
    WomenAndGirlsAtRisk,
    FamilyReunification,
    ChildrenAtRisk,
    LackOfAlternativeSolutions,
}

impl SubmissionCategory {
    pub const ALL: [SubmissionCategory; 7] = [
        SubmissionCategory::LegalPhysicalProtection,
        SubmissionCategory::SurvivorsOfViolenceTorture,
        SubmissionCategory::MedicalNeeds,
        SubmissionCategory::WomenAndGirlsAtRisk,
        SubmissionCategory::FamilyReunification,
        SubmissionCategory::ChildrenAtRisk,
        SubmissionCategory::LackOfAlternativeSolutions,
    ];

    /// The key as stored and typed on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            SubmissionCategory::LegalPhysicalProtection => "legal_physical_protection",
            SubmissionCategory::SurvivorsOfViolenceTorture => "survivors_of_violence_torture",
            SubmissionCategory::MedicalNeeds => "medical_needs",
            SubmissionCategory::WomenAndGirlsAtRisk => "women_and_girls_at_risk",
            SubmissionCategory::FamilyReunification => "family_reunification",
            SubmissionCategory::ChildrenAtRisk => "children_at_risk",
            SubmissionCategory::LackOfAlternativeSolutions => "lack_of_alternative_solutions",
        }
    }

    /// The name an officer reads.
    pub fn label(self) -> &'static str {
        match self {
            SubmissionCategory::LegalPhysicalProtection => "legal and physical protection needs",
            SubmissionCategory::SurvivorsOfViolenceTorture => "survivors of violence and torture",
            SubmissionCategory::MedicalNeeds => "medical needs",
            SubmissionCategory::WomenAndGirlsAtRisk => "women and girls at risk",
            SubmissionCategory::FamilyReunification => "family reunification",
            SubmissionCategory::ChildrenAtRisk => "children and adolescents at risk",
            SubmissionCategory::LackOfAlternativeSolutions => {
                "lack of foreseeable alternative durable solutions"
            }
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// One household submitted for resettlement, with what makes placing it valuable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Submission {
    /// The household with all its members (the whole household is placed, or none of it).
    pub household: Household,
    pub priority: SubmissionPriority,
    /// The primary submission category; `None` until assessed.
    pub category: Option<SubmissionCategory>,
    /// Operator-configured expected outcome of resettling this household in a country
    /// (ISO3 → score from 0 to 1: e.g. employment prospects, community support).
    /// A country not listed scores 0.
    #[serde(default)]
    pub outcome_scores: BTreeMap<String, f64>,
}

/// A pledge taking part in a run, with the places it has left (places pledged less
/// those already referred and not declined).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenPledge {
    pub pledge: Pledge,
    pub places_left: u32,
}

/// Weights per submission category (per person placed). See [`Weights`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CategoryWeights {
    pub legal_physical_protection: f64,
    pub survivors_of_violence_torture: f64,
    pub medical_needs: f64,
    pub women_and_girls_at_risk: f64,
    pub family_reunification: f64,
    pub children_at_risk: f64,
    pub lack_of_alternative_solutions: f64,
}

impl Default for CategoryWeights {
    /// The categories of acute protection risk 15; family reunification 10 (family links
    /// in the pledging country add their own term); lack of alternative solutions 5, as it
    /// holds for nearly everyone in a closing camp and so distinguishes little.
    fn default() -> Self {
        CategoryWeights {
            legal_physical_protection: 15.0,
            survivors_of_violence_torture: 15.0,
            medical_needs: 15.0,
            women_and_girls_at_risk: 15.0,
            family_reunification: 10.0,
            children_at_risk: 15.0,
            lack_of_alternative_solutions: 5.0,
        }
    }
}

impl CategoryWeights {
    pub fn get(&self, c: SubmissionCategory) -> f64 {
        match c {
            SubmissionCategory::LegalPhysicalProtection => self.legal_physical_protection,
            SubmissionCategory::SurvivorsOfViolenceTorture => self.survivors_of_violence_torture,
            SubmissionCategory::MedicalNeeds => self.medical_needs,
            SubmissionCategory::WomenAndGirlsAtRisk => self.women_and_girls_at_risk,
            SubmissionCategory::FamilyReunification => self.family_reunification,
            SubmissionCategory::ChildrenAtRisk => self.children_at_risk,
            SubmissionCategory::LackOfAlternativeSolutions => self.lack_of_alternative_solutions,
        }
    }
}

/// What the operator says a placement is worth. Every term is per person placed (see
/// [`Weights::per_person`]); JSON fields left out take their defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Weights {
    /// Worth of any durable solution: placing someone always beats leaving a place empty.
    pub base: f64,
    pub emergency: f64,
    pub urgent: f64,
    pub normal: f64,
    pub categories: CategoryWeights,
    /// Added when a member has a family link in the pledging country.
    pub family_link: f64,
    /// Multiplies the household's outcome score (0–1) for the pledging country.
    pub outcome: f64,
    /// `true`: the value is multiplied by the household's size, so a place is worth the
    /// same whether it goes to a large family or a single person with the same
    /// priority and category, and large families are not passed over for small ones.
    /// `false`: a household is worth the same whatever its size (favours placing more
    /// households, at the cost of large families).
    pub per_person: bool,
}

impl Default for Weights {
    /// base 10, emergency 100, urgent 30, normal 0, family link 20, outcome 10,
    /// per person; categories as [`CategoryWeights::default`]. Emergency outweighs any
    /// combination of the other terms, urgent outweighs a category alone.
    fn default() -> Self {
        Weights {
            base: 10.0,
            emergency: 100.0,
            urgent: 30.0,
            normal: 0.0,
            categories: CategoryWeights::default(),
            family_link: 20.0,
            outcome: 10.0,
            per_person: true,
        }
    }
}

impl Weights {
    pub fn priority(&self, p: SubmissionPriority) -> f64 {
        match p {
            SubmissionPriority::Emergency => self.emergency,
            SubmissionPriority::Urgent => self.urgent,
            SubmissionPriority::Normal => self.normal,
        }
    }

    /// Every weight must be a finite number ≥ 0; each problem names its field.
    pub fn validate(&self) -> Vec<FieldProblem> {
        let c = &self.categories;
        let fields = [
            ("base", self.base),
            ("emergency", self.emergency),
            ("urgent", self.urgent),
            ("normal", self.normal),
            ("family_link", self.family_link),
            ("outcome", self.outcome),
            (
                "categories.legal_physical_protection",
                c.legal_physical_protection,
            ),
            (
                "categories.survivors_of_violence_torture",
                c.survivors_of_violence_torture,
            ),
            ("categories.medical_needs", c.medical_needs),
            (
                "categories.women_and_girls_at_risk",
                c.women_and_girls_at_risk,
            ),
            ("categories.family_reunification", c.family_reunification),
            ("categories.children_at_risk", c.children_at_risk),
            (
                "categories.lack_of_alternative_solutions",
                c.lack_of_alternative_solutions,
            ),
        ];
        fields
            .into_iter()
            .filter(|(_, w)| !w.is_finite() || *w < 0.0)
            .map(|(f, w)| FieldProblem {
                field: f.to_string(),
                message: format!("{w} must be a number ≥ 0"),
            })
            .collect()
    }
}

/// Why a placement has its value: each term per person, and the total.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValueBreakdown {
    pub persons: u32,
    /// What the per-person sum is multiplied by: `persons`, or 1 (see [`Weights::per_person`]).
    pub multiplier: f64,
    pub base: f64,
    pub priority: SubmissionPriority,
    pub priority_value: f64,
    pub category: Option<SubmissionCategory>,
    pub category_value: f64,
    /// The pledging country, when a member has a family link there.
    pub family_link: Option<String>,
    pub family_link_value: f64,
    /// The outcome score used (0–1).
    pub outcome_score: f64,
    pub outcome_value: f64,
    pub total: f64,
}

impl fmt::Display for ValueBreakdown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = |x: f64| {
            if x.fract() == 0.0 {
                format!("{x:.0}")
            } else {
                format!("{x:.2}")
            }
        };
        write!(f, "{} × (base {}", n(self.multiplier), n(self.base))?;
        write!(
            f,
            " + {} {}",
            self.priority.as_str(),
            n(self.priority_value)
        )?;
        if let Some(c) = self.category {
            write!(f, " + {} {}", c.label(), n(self.category_value))?;
        }
        if let Some(country) = &self.family_link {
            write!(
                f,
                " + family link in {country} {}",
                n(self.family_link_value)
            )?;
        }
        write!(
            f,
            " + outcome {:.2} → {}) = {}",
            self.outcome_score,
            n(self.outcome_value),
            n(self.total)
        )
    }
}

/// Whether any member has a family link in `country`.
pub fn has_family_link(members: &[Person], country: &str) -> bool {
    members.iter().any(|p| {
        p.attributes
            .get(FAMILY_LINK_ATTRIBUTE)
            .is_some_and(|v| v.split(',').any(|c| c.trim() == country))
    })
}

/// What placing `submission` under `pledge` is worth with `weights`, and why. Eligibility
/// is not checked here (see [`build_inputs`]). An outcome score outside 0–1 is taken as
/// the nearest bound (and a non-number as 0), so the value is always a finite number;
/// [`build_inputs`] refuses such scores before they get here.
pub fn value(submission: &Submission, pledge: &Pledge, weights: &Weights) -> (f64, ValueBreakdown) {
    let members = &submission.household.members;
    let persons = u32::try_from(members.len()).unwrap_or(u32::MAX);
    let multiplier = if weights.per_person {
        f64::from(persons)
    } else {
        1.0
    };
    let priority_value = weights.priority(submission.priority);
    let category_value = submission
        .category
        .map_or(0.0, |c| weights.categories.get(c));
    let family_link = has_family_link(members, &pledge.country).then(|| pledge.country.clone());
    let family_link_value = if family_link.is_some() {
        weights.family_link
    } else {
        0.0
    };
    let raw = submission
        .outcome_scores
        .get(&pledge.country)
        .copied()
        .unwrap_or(0.0);
    let outcome_score = if raw.is_finite() {
        raw.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let outcome_value = outcome_score * weights.outcome;
    let total = multiplier
        * (weights.base + priority_value + category_value + family_link_value + outcome_value);
    let b = ValueBreakdown {
        persons,
        multiplier,
        base: weights.base,
        priority: submission.priority,
        priority_value,
        category: submission.category,
        category_value,
        family_link,
        family_link_value,
        outcome_score,
        outcome_value,
        total,
    };
    (total, b)
}

/// A place of the optimiser's problem: one pledge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlacementPlace {
    pub pledge_id: String,
    pub country: String,
    /// Places left, in persons.
    pub capacity: u32,
}

/// An item of the optimiser's problem: one whole household.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlacementItem {
    pub household_id: String,
    /// Places needed: the number of members.
    pub need: u32,
    /// Every member, sorted.
    pub person_ids: Vec<String>,
}

/// A household–pledge pair the household is eligible for: an option of the optimiser.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EligiblePair {
    /// Index into [`PlacementInputs::items`].
    pub item: usize,
    /// Index into [`PlacementInputs::places`].
    pub place: usize,
    pub value: f64,
    /// Places needed (persons), the item's need.
    pub need: u32,
    pub breakdown: ValueBreakdown,
}

/// A household–pledge pair the household fails, with every failed criterion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IneligiblePair {
    pub item: usize,
    pub place: usize,
    pub reasons: Vec<Reason>,
}

/// Everything the optimiser needs, and the reasons behind what it is not given. Items are
/// sorted by household id, places by pledge id, pairs by (item, place): the same
/// households and pledges give the same inputs in whatever order they were loaded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlacementInputs {
    pub places: Vec<PlacementPlace>,
    pub items: Vec<PlacementItem>,
    pub eligible: Vec<EligiblePair>,
    pub ineligible: Vec<IneligiblePair>,
}

impl PlacementInputs {
    /// The eligible pairs of item `item`, sorted by place.
    pub fn eligible_of(&self, item: usize) -> &[EligiblePair] {
        let s = self.eligible.partition_point(|p| p.item < item);
        let e = self.eligible.partition_point(|p| p.item <= item);
        &self.eligible[s..e]
    }

    /// The ineligible pairs of item `item`, sorted by place.
    pub fn ineligible_of(&self, item: usize) -> &[IneligiblePair] {
        let s = self.ineligible.partition_point(|p| p.item < item);
        let e = self.ineligible.partition_point(|p| p.item <= item);
        &self.ineligible[s..e]
    }

    /// Items eligible under no pledge at all: the first part of the shortfall.
    pub fn without_eligible_pledge(&self) -> Vec<usize> {
        (0..self.items.len())
            .filter(|&i| self.eligible_of(i).is_empty())
            .collect()
    }

    /// Persons in all households of the run.
    pub fn total_need(&self) -> u64 {
        self.items.iter().map(|i| u64::from(i.need)).sum()
    }

    /// Places left in all pledges of the run.
    pub fn total_capacity(&self) -> u64 {
        self.places.iter().map(|p| u64::from(p.capacity)).sum()
    }
}

/// Why the inputs of a run cannot be built. The run must not start on such data.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum PlacementError {
    #[error("the weights are not valid: {}", join(.0))]
    InvalidWeights(Vec<FieldProblem>),
    #[error("pledge {pledge_id} is not valid: {}", join(.problems))]
    InvalidPledge {
        pledge_id: String,
        problems: Vec<FieldProblem>,
    },
    #[error("pledge {pledge_id} has {places_left} places left, more than the {places} it pledged")]
    PlacesLeftAbovePledge {
        pledge_id: String,
        places_left: u32,
        places: u32,
    },
    #[error("pledge {0} is given twice")]
    DuplicatePledge(String),
    #[error("household {0} is given twice")]
    DuplicateHousehold(String),
    #[error("household {0} has no members")]
    EmptyHousehold(String),
    #[error("{person_id} is listed in household {listed_in} but belongs to household {belongs_to}")]
    ForeignMember {
        person_id: String,
        listed_in: String,
        belongs_to: String,
    },
    #[error("{person_id} is listed in two households (the second is {household_id})")]
    DuplicatePerson {
        person_id: String,
        household_id: String,
    },
    #[error(
        "household {household_id} has outcome score {score} for {country}; scores are from 0 to 1"
    )]
    OutcomeScore {
        household_id: String,
        country: String,
        score: f64,
    },
}

fn join(problems: &[FieldProblem]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// Builds a run's inputs from the households submitted and the open pledges: one item
/// per household (need = its size), one place per pledge (capacity = places left), and
/// every household–pledge pair, eligible (with its value) or not (with its reasons).
/// `on` is the day criteria are evaluated (ages). Refuses bad input as a whole, naming it.
pub fn build_inputs(
    submissions: &[Submission],
    pledges: &[OpenPledge],
    weights: &Weights,
    on: Day,
) -> Result<PlacementInputs, PlacementError> {
    let problems = weights.validate();
    if !problems.is_empty() {
        return Err(PlacementError::InvalidWeights(problems));
    }
    let mut pledges: Vec<&OpenPledge> = pledges.iter().collect();
    pledges.sort_by(|a, b| a.pledge.pledge_id.cmp(&b.pledge.pledge_id));
    for w in pledges.windows(2) {
        if w[0].pledge.pledge_id == w[1].pledge.pledge_id {
            return Err(PlacementError::DuplicatePledge(
                w[0].pledge.pledge_id.clone(),
            ));
        }
    }
    for p in &pledges {
        let problems = p.pledge.validate();
        if !problems.is_empty() {
            return Err(PlacementError::InvalidPledge {
                pledge_id: p.pledge.pledge_id.clone(),
                problems,
            });
        }
        if p.places_left > p.pledge.places {
            return Err(PlacementError::PlacesLeftAbovePledge {
                pledge_id: p.pledge.pledge_id.clone(),
                places_left: p.places_left,
                places: p.pledge.places,
            });
        }
    }
    let mut subs: Vec<&Submission> = submissions.iter().collect();
    subs.sort_by(|a, b| a.household.household_id.cmp(&b.household.household_id));
    for w in subs.windows(2) {
        if w[0].household.household_id == w[1].household.household_id {
            return Err(PlacementError::DuplicateHousehold(
                w[0].household.household_id.clone(),
            ));
        }
    }
    let mut seen_people: HashSet<&str> = HashSet::new();
    for s in &subs {
        let h = &s.household;
        if h.members.is_empty() {
            return Err(PlacementError::EmptyHousehold(h.household_id.clone()));
        }
        for m in &h.members {
            if m.household_id != h.household_id {
                return Err(PlacementError::ForeignMember {
                    person_id: m.person_id.clone(),
                    listed_in: h.household_id.clone(),
                    belongs_to: m.household_id.clone(),
                });
            }
            if !seen_people.insert(&m.person_id) {
                return Err(PlacementError::DuplicatePerson {
                    person_id: m.person_id.clone(),
                    household_id: h.household_id.clone(),
                });
            }
        }
        if let Some((country, score)) = s
            .outcome_scores
            .iter()
            .find(|(_, v)| !(v.is_finite() && (0.0..=1.0).contains(*v)))
        {
            return Err(PlacementError::OutcomeScore {
                household_id: h.household_id.clone(),
                country: country.clone(),
                score: *score,
            });
        }
    }

    let places = pledges
        .iter()
        .map(|p| PlacementPlace {
            pledge_id: p.pledge.pledge_id.clone(),
            country: p.pledge.country.clone(),
            capacity: p.places_left,
        })
        .collect();
    let mut items = Vec::with_capacity(subs.len());
    let mut eligible = Vec::new();
    let mut ineligible = Vec::new();
    for (item, s) in subs.iter().enumerate() {
        let members: Vec<&Person> = s.household.members.iter().collect();
        let need = u32::try_from(members.len()).unwrap_or(u32::MAX);
        let mut person_ids: Vec<String> = members.iter().map(|m| m.person_id.clone()).collect();
        person_ids.sort();
        items.push(PlacementItem {
            household_id: s.household.household_id.clone(),
            need,
            person_ids,
        });
        for (place, p) in pledges.iter().enumerate() {
            match pledge::evaluate(&p.pledge.criteria, &members, on) {
                Eligibility::Eligible => {
                    let (value, breakdown) = value(s, &p.pledge, weights);
                    eligible.push(EligiblePair {
                        item,
                        place,
                        value,
                        need,
                        breakdown,
                    });
                }
                Eligibility::Ineligible { reasons } => ineligible.push(IneligiblePair {
                    item,
                    place,
                    reasons,
                }),
            }
        }
    }
    Ok(PlacementInputs {
        places,
        items,
        eligible,
        ineligible,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pledge::tests::{arb_criteria, arb_household, person};
    use crate::pledge::{BarOp, Criteria, LegalBar};
    use proptest::prelude::*;

    const ON: Day = (2026, 6, 1);

    fn household(id: &str, n: usize) -> Household {
        Household {
            household_id: id.into(),
            members: (0..n).map(|i| person(&format!("{id}-P{i}"), id)).collect(),
        }
    }

    fn submission(h: Household, priority: SubmissionPriority) -> Submission {
        Submission {
            household: h,
            priority,
            category: None,
            outcome_scores: BTreeMap::new(),
        }
    }

    fn open(id: &str, country: &str, places: u32, criteria: Criteria) -> OpenPledge {
        OpenPledge {
            pledge: Pledge {
                pledge_id: id.into(),
                country: country.into(),
                places,
                period_start: "2026-01-01".into(),
                period_end: "2026-12-31".into(),
                criteria,
            },
            places_left: places,
        }
    }

    #[test]
    fn value_adds_every_term_and_shows_it() {
        let mut h = household("H-1", 4);
        h.members[2]
            .attributes
            .insert(FAMILY_LINK_ATTRIBUTE.into(), "DEU, CAN".into());
        let mut s = submission(h, SubmissionPriority::Urgent);
        s.category = Some(SubmissionCategory::MedicalNeeds);
        s.outcome_scores.insert("CAN".into(), 0.7);
        let can = open("PL-1", "CAN", 50, Criteria::default()).pledge;
        let w = Weights::default();
        let (v, b) = value(&s, &can, &w);
        // 4 × (10 + 30 + 15 + 20 + 0.7 × 10)
        assert!((v - 328.0).abs() < 1e-9, "{v}");
        assert_eq!(b.total, v);
        assert_eq!(
            b.to_string(),
            "4 × (base 10 + urgent 30 + medical needs 15 + family link in CAN 20 + outcome 0.70 → 7) = 328"
        );
        let fra = open("PL-2", "FRA", 50, Criteria::default()).pledge;
        let (v, b) = value(&s, &fra, &w);
        assert_eq!(v, 4.0 * (10.0 + 30.0 + 15.0));
        assert_eq!(b.family_link, None);
        assert_eq!(
            b.to_string(),
            "4 × (base 10 + urgent 30 + medical needs 15 + outcome 0.00 → 0) = 220"
        );
        // Per household instead of per person.
        let flat = Weights {
            per_person: false,
            ..Weights::default()
        };
        assert_eq!(value(&s, &fra, &flat).0, 55.0);
        // Emergency outweighs everything else a normal household can get.
        let mut e = submission(household("H-2", 1), SubmissionPriority::Emergency);
        let mut n = submission(household("H-3", 1), SubmissionPriority::Normal);
        n.category = Some(SubmissionCategory::SurvivorsOfViolenceTorture);
        n.outcome_scores.insert("CAN".into(), 1.0);
        n.household.members[0]
            .attributes
            .insert(FAMILY_LINK_ATTRIBUTE.into(), "CAN".into());
        assert!(value(&e, &can, &w).0 > value(&n, &can, &w).0);
        // Out-of-range scores never make a value that is not a number.
        e.outcome_scores.insert("CAN".into(), f64::NAN);
        assert_eq!(value(&e, &can, &w).1.outcome_score, 0.0);
    }

    #[test]
    fn weights_have_documented_defaults_and_are_validated() {
        let w: Weights =
            serde_json::from_str(r#"{"urgent": 40, "categories": {"medical_needs": 20}}"#)
                .unwrap_or_default();
        assert_eq!(w.urgent, 40.0);
        assert_eq!(w.categories.medical_needs, 20.0);
        assert_eq!(w.emergency, 100.0);
        assert_eq!(w.categories.children_at_risk, 15.0);
        assert!(serde_json::from_str::<Weights>(r#"{"urgnet": 40}"#).is_err());
        let bad = Weights {
            base: -1.0,
            categories: CategoryWeights {
                medical_needs: f64::INFINITY,
                ..CategoryWeights::default()
            },
            ..Weights::default()
        };
        let fields: Vec<String> = bad.validate().into_iter().map(|p| p.field).collect();
        assert_eq!(fields, ["base", "categories.medical_needs"]);
        assert!(Weights::default().validate().is_empty());
        for c in SubmissionCategory::ALL {
            assert_eq!(SubmissionCategory::parse(c.as_str()), Some(c));
            let json = serde_json::to_string(&c).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", c.as_str()));
        }
        for p in SubmissionPriority::ALL {
            assert_eq!(SubmissionPriority::parse(p.as_str()), Some(p));
        }
    }

    #[test]
    fn inputs_pair_every_household_with_every_pledge_in_a_stable_order() {
        let mut barred = household("H-2", 2);
        barred.members[1]
            .attributes
            .insert("affiliation".into(), "org-x".into());
        let subs = vec![
            submission(household("H-3", 9), SubmissionPriority::Normal),
            submission(barred, SubmissionPriority::Urgent),
            submission(household("H-1", 1), SubmissionPriority::Normal),
        ];
        let bar = Criteria {
            household_size_max: Some(8),
            legal_bars: vec![LegalBar {
                attribute: "affiliation".into(),
                op: BarOp::Present,
                values: vec![],
                description: "Designated organisation (Act 12 s.3)".into(),
            }],
            ..Criteria::default()
        };
        let pledges = vec![
            open("PL-B", "USA", 30, bar),
            open("PL-A", "CAN", 10, Criteria::default()),
        ];
        let inputs = build_inputs(&subs, &pledges, &Weights::default(), ON)
            .unwrap_or_else(|e| panic!("{e}"));
        let ids: Vec<&str> = inputs
            .items
            .iter()
            .map(|i| i.household_id.as_str())
            .collect();
        assert_eq!(ids, ["H-1", "H-2", "H-3"]);
        let needs: Vec<u32> = inputs.items.iter().map(|i| i.need).collect();
        assert_eq!(needs, [1, 2, 9]);
        assert_eq!(inputs.places[0].pledge_id, "PL-A");
        assert_eq!(inputs.total_capacity(), 40);
        assert_eq!(inputs.total_need(), 12);
        let pairs: Vec<(usize, usize)> =
            inputs.eligible.iter().map(|p| (p.item, p.place)).collect();
        assert_eq!(pairs, [(0, 0), (0, 1), (1, 0), (2, 0)]);
        let why: Vec<(usize, usize, Vec<String>)> = inputs
            .ineligible
            .iter()
            .map(|p| {
                (
                    p.item,
                    p.place,
                    p.reasons.iter().map(ToString::to_string).collect(),
                )
            })
            .collect();
        assert_eq!(
            why,
            [
                (
                    1,
                    1,
                    vec!["H-2-P1 has a recorded affiliation (org-x): legal bar 'Designated organisation (Act 12 s.3)'".to_string()]
                ),
                (2, 1, vec!["household of 9 exceeds the maximum of 8".to_string()]),
            ]
        );
        assert_eq!(inputs.eligible_of(1).len(), 1);
        assert_eq!(inputs.ineligible_of(2)[0].place, 1);
        assert!(inputs.without_eligible_pledge().is_empty());
        // The same data in another order gives the same inputs.
        let mut rev_s = subs.clone();
        rev_s.reverse();
        let mut rev_p = pledges.clone();
        rev_p.reverse();
        assert_eq!(
            build_inputs(&rev_s, &rev_p, &Weights::default(), ON),
            Ok(inputs)
        );
    }

    #[test]
    fn bad_inputs_are_refused_with_a_clear_message() {
        let w = Weights::default();
        let ok = open("PL-A", "CAN", 10, Criteria::default());
        let msg = |r: Result<PlacementInputs, PlacementError>| r.err().map(|e| e.to_string());
        let s = submission(household("H-1", 2), SubmissionPriority::Normal);
        assert_eq!(
            msg(build_inputs(
                &[s.clone(), s.clone()],
                std::slice::from_ref(&ok),
                &w,
                ON
            )),
            Some("household H-1 is given twice".into())
        );
        assert_eq!(
            msg(build_inputs(
                std::slice::from_ref(&s),
                &[ok.clone(), ok.clone()],
                &w,
                ON
            )),
            Some("pledge PL-A is given twice".into())
        );
        let mut bad = open("PL-B", "CAN", 10, Criteria::default());
        bad.pledge.criteria.household_size_min = Some(4);
        bad.pledge.criteria.household_size_max = Some(3);
        assert_eq!(
            msg(build_inputs(std::slice::from_ref(&s), &[bad], &w, ON)),
            Some("pledge PL-B is not valid: criteria.household_size_min: 4 is above household_size_max 3".into())
        );
        let mut over = ok.clone();
        over.places_left = 11;
        assert!(matches!(
            build_inputs(std::slice::from_ref(&s), &[over], &w, ON),
            Err(PlacementError::PlacesLeftAbovePledge { .. })
        ));
        let mut other = household("H-2", 1);
        other.members[0].person_id = "H-1-P0".into();
        other.members[0].household_id = "H-2".into();
        assert_eq!(
            msg(build_inputs(
                &[s.clone(), submission(other, SubmissionPriority::Normal)],
                std::slice::from_ref(&ok),
                &w,
                ON
            )),
            Some("H-1-P0 is listed in two households (the second is H-2)".into())
        );
        let mut foreign = s.clone();
        foreign.household.members[1].household_id = "H-9".into();
        assert!(matches!(
            build_inputs(&[foreign], std::slice::from_ref(&ok), &w, ON),
            Err(PlacementError::ForeignMember { .. })
        ));
        let empty = submission(household("H-5", 0), SubmissionPriority::Normal);
        assert_eq!(
            msg(build_inputs(&[empty], std::slice::from_ref(&ok), &w, ON)),
            Some("household H-5 has no members".into())
        );
        let mut scored = s.clone();
        scored.outcome_scores.insert("CAN".into(), 1.5);
        assert_eq!(
            msg(build_inputs(&[scored], std::slice::from_ref(&ok), &w, ON)),
            Some("household H-1 has outcome score 1.5 for CAN; scores are from 0 to 1".into())
        );
        let neg = Weights {
            urgent: -5.0,
            ..Weights::default()
        };
        assert_eq!(
            msg(build_inputs(&[s], &[ok], &neg, ON)),
            Some("the weights are not valid: urgent: -5 must be a number ≥ 0".into())
        );
    }

    #[test]
    fn a_household_eligible_nowhere_is_named() {
        let subs = vec![submission(household("H-1", 3), SubmissionPriority::Normal)];
        let small = Criteria {
            household_size_max: Some(2),
            ..Criteria::default()
        };
        let inputs = build_inputs(
            &subs,
            &[open("PL-A", "CAN", 5, small)],
            &Weights::default(),
            ON,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(inputs.without_eligible_pledge(), [0]);
        assert!(inputs.eligible_of(0).is_empty());
    }

    fn arb_submissions() -> impl Strategy<Value = Vec<Submission>> {
        prop::collection::vec(
            (
                arb_household(),
                prop::sample::select(&SubmissionPriority::ALL[..]),
                0.0f64..=1.0,
            ),
            0..8,
        )
        .prop_map(|hs| {
            hs.into_iter()
                .enumerate()
                .map(|(i, (members, priority, score))| {
                    let hid = format!("H-{i}");
                    let members = members
                        .into_iter()
                        .enumerate()
                        .map(|(n, mut p)| {
                            p.person_id = format!("{hid}-P{n}");
                            p.household_id = hid.clone();
                            p
                        })
                        .collect();
                    let mut s = submission(
                        Household {
                            household_id: hid,
                            members,
                        },
                        priority,
                    );
                    s.outcome_scores.insert("CAN".into(), score);
                    s
                })
                .collect()
        })
    }

    fn arb_pledges() -> impl Strategy<Value = Vec<OpenPledge>> {
        prop::collection::vec(
            (
                arb_criteria(),
                0u32..40,
                prop::sample::select(&["CAN", "USA", "DEU"][..]),
            ),
            0..5,
        )
        .prop_map(|ps| {
            ps.into_iter()
                .enumerate()
                .map(|(i, (mut c, places, country))| {
                    if let (Some(a), Some(b)) = (c.household_size_min, c.household_size_max)
                        && a > b
                    {
                        c.household_size_min = Some(b);
                    }
                    open(&format!("PL-{i}"), country, places, c)
                })
                .collect()
        })
    }

    proptest! {
        #[test]
        fn no_eligible_pair_fails_the_criteria_and_households_stay_whole(
            subs in arb_submissions(), pledges in arb_pledges()
        ) {
            let inputs = build_inputs(&subs, &pledges, &Weights::default(), ON)
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            // One item per household, needing its whole size, naming every member.
            prop_assert_eq!(inputs.items.len(), subs.len());
            for item in &inputs.items {
                let s = subs.iter().find(|s| s.household.household_id == item.household_id);
                prop_assert!(s.is_some());
                let members = &s.map(|s| &s.household.members).cloned().unwrap_or_default();
                prop_assert_eq!(item.need as usize, members.len());
                let mut ids: Vec<String> = members.iter().map(|m| m.person_id.clone()).collect();
                ids.sort();
                prop_assert_eq!(&item.person_ids, &ids);
            }
            // Every pair is decided once, eligible exactly when the evaluator says so.
            prop_assert_eq!(inputs.eligible.len() + inputs.ineligible.len(),
                            inputs.items.len() * inputs.places.len());
            for pair in &inputs.eligible {
                let s = subs.iter().find(|s| s.household.household_id == inputs.items[pair.item].household_id);
                let p = pledges.iter().find(|p| p.pledge.pledge_id == inputs.places[pair.place].pledge_id);
                let (Some(s), Some(p)) = (s, p) else { return Err(TestCaseError::fail("unknown pair")); };
                let refs: Vec<&Person> = s.household.members.iter().collect();
                prop_assert!(pledge::evaluate(&p.pledge.criteria, &refs, ON).is_eligible());
                prop_assert_eq!(pair.need, inputs.items[pair.item].need);
                prop_assert!(pair.value.is_finite() && pair.value > 0.0);
            }
            for pair in &inputs.ineligible {
                prop_assert!(!pair.reasons.is_empty());
            }
            // Sorted by (item, place), so the optimiser's options come in order.
            let keys: Vec<(usize, usize)> = inputs.eligible.iter().map(|p| (p.item, p.place)).collect();
            let mut sorted = keys.clone();
            sorted.sort();
            sorted.dedup();
            prop_assert_eq!(keys, sorted);
        }
    }
}
