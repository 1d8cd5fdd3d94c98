//! Relocation planning: which household travels in which convoy, into which shelter unit.
//!
//! Pure: the use case reads who is at the origin site, the destination's shelter units
//! with the space they have left to standard, and the convoys the operator can run; this
//! module decides, and says for every household it does not move why not.
//!
//! The rules a plan keeps, whatever the input:
//! - a household travels whole, in one convoy, into one shelter unit (never split);
//! - no convoy carries more people than it has seats, no unit receives more people than
//!   it has room for to standard (capacity and covered area);
//! - single adults share units only with single adults of the same sex, and never with
//!   families;
//! - a household with a member on hold (in hospital, in custody, ...) stays, and the
//!   plan names the person and the reason;
//! - households with a specific need the operator marked *early* go first; those with a
//!   need marked *near facilities* get units near facilities first.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::registry::Sex;

/// A person who may travel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Traveller {
    pub person_id: String,
    pub sex: Sex,
    /// 18 or older on the planning date.
    pub adult: bool,
    pub specific_needs: Vec<String>,
    /// Why this person cannot travel now (in hospital, in custody, ...), if on hold.
    pub hold: Option<String>,
}

/// A household's members who are at the origin site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HouseholdToMove {
    pub household_id: String,
    pub members: Vec<Traveller>,
}

/// Who may share a shelter unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitGroup {
    /// Households of more than one person, and children on their own.
    Families,
    /// Single adults of one sex.
    SingleAdults(Sex),
}

impl HouseholdToMove {
    /// The group this household belongs to for shelter allocation.
    pub fn group(&self) -> UnitGroup {
        match self.members.as_slice() {
            [one] if one.adult => UnitGroup::SingleAdults(one.sex),
            _ => UnitGroup::Families,
        }
    }

    fn has_need(&self, codes: &NeedRule) -> bool {
        self.members
            .iter()
            .any(|m| m.specific_needs.iter().any(|c| codes.matches(c)))
    }
}

/// A destination shelter unit and the room it has left.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitSpace {
    pub unit_id: String,
    /// People it can still take to standard: `min(capacity, ⌊area / m² per person⌋)`
    /// less those living there and those already on their way.
    pub free: u32,
    /// Who lives there already (`None`: empty).
    pub group: Option<UnitGroup>,
    pub near_facilities: bool,
}

/// A convoy the operator can run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConvoySlot {
    /// `YYYY-MM-DD`.
    pub date: String,
    pub seats: u32,
}

/// Specific-needs codes a rule applies to: whole codes (`SM-CI`) or categories (`SM`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeedRule(pub BTreeSet<String>);

impl NeedRule {
    pub fn new<I: IntoIterator<Item = S>, S: Into<String>>(codes: I) -> Self {
        NeedRule(codes.into_iter().map(Into::into).collect())
    }

    pub fn matches(&self, code: &str) -> bool {
        self.0.contains(code)
            || code
                .split_once('-')
                .is_some_and(|(category, _)| self.0.contains(category))
    }
}

/// The operator's rules for people with specific needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rules {
    /// Households with one of these needs travel in the earliest convoys.
    pub early_convoy: NeedRule,
    /// Households with one of these needs get units near facilities first.
    pub near_facilities: NeedRule,
}

impl Default for Rules {
    /// Disability, serious medical condition and older person at risk go first and near
    /// facilities.
    fn default() -> Self {
        Rules {
            early_convoy: NeedRule::new(["DS", "SM", "ER"]),
            near_facilities: NeedRule::new(["DS", "ER"]),
        }
    }
}

/// Convoy slots from the operator's calendar: `dates` is a comma-separated list of
/// `YYYY-MM-DD` days and `FIRST..LAST` ranges (both ends included); each day runs
/// `per_day` convoys of `seats` seats.
pub fn convoy_slots(dates: &str, per_day: u32, seats: u32) -> Result<Vec<ConvoySlot>, String> {
    fn day(s: &str) -> Result<time::Date, String> {
        let bad = || format!("'{s}' is not a date YYYY-MM-DD");
        let mut it = s.trim().split('-');
        let (Some(y), Some(m), Some(d), None) = (it.next(), it.next(), it.next(), it.next()) else {
            return Err(bad());
        };
        let y: i32 = y.parse().map_err(|_| bad())?;
        let m: u8 = m.parse().map_err(|_| bad())?;
        let d: u8 = d.parse().map_err(|_| bad())?;
        let m = time::Month::try_from(m).map_err(|_| bad())?;
        time::Date::from_calendar_date(y, m, d).map_err(|_| bad())
    }
    if per_day == 0 || seats == 0 {
        return Err("a convoy day needs at least one convoy of at least one seat".into());
    }
    let mut days = Vec::new();
    for part in dates.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match part.split_once("..") {
            Some((a, b)) => {
                let (mut d, last) = (day(a)?, day(b)?);
                if last < d {
                    return Err(format!("'{part}' ends before it starts"));
                }
                if (last - d).whole_days() > 3660 {
                    return Err(format!("'{part}' spans more than ten years"));
                }
                while d <= last {
                    days.push(d);
                    d = d
                        .next_day()
                        .ok_or_else(|| format!("'{part}' runs off the calendar"))?;
                }
            }
            None => days.push(day(part)?),
        }
    }
    if days.is_empty() {
        return Err("no convoy dates given".into());
    }
    days.sort();
    days.dedup();
    const MAX_CONVOYS: usize = 100_000;
    if days.len().saturating_mul(per_day as usize) > MAX_CONVOYS {
        return Err(format!(
            "{} days of {per_day} convoys is more than {MAX_CONVOYS} convoys",
            days.len()
        ));
    }
    Ok(days
        .into_iter()
        .flat_map(|d| {
            let date = format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day());
            (0..per_day).map(move |_| ConvoySlot {
                date: date.clone(),
                seats,
            })
        })
        .collect())
}

/// One household's place in the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    pub household_id: String,
    /// Index into the plan's convoys.
    pub convoy: usize,
    pub unit_id: String,
    pub person_ids: Vec<String>,
    /// Travels early under the operator's rules.
    pub priority: bool,
}

/// Why a household stays behind in this plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum HeldReason {
    /// A member is on hold.
    MemberOnHold { person_id: String, hold: String },
    /// The household has more people than any convoy has seats.
    LargerThanAnyConvoy { people: u32, largest: u32 },
    /// Every convoy with enough seats is full.
    NoSeats { people: u32 },
    /// No unit of the right kind has room for the whole household to standard.
    NoShelter { people: u32, group: UnitGroup },
    /// The destination site is full to its facility standards (water, latrines, showers).
    SiteFull { people: u32, room: u32 },
    /// A member is with the operation but elsewhere (another site, in transit): the
    /// household moves when it is together.
    MemberElsewhere { person_id: String, place: String },
}

impl std::fmt::Display for HeldReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HeldReason::MemberOnHold { person_id, hold } => {
                write!(f, "{person_id} is on hold: {hold}")
            }
            HeldReason::LargerThanAnyConvoy { people, largest } => write!(
                f,
                "{people} people travel together but the largest convoy has {largest} seats"
            ),
            HeldReason::NoSeats { people } => {
                write!(f, "no convoy has {people} seats left")
            }
            HeldReason::NoShelter { people, group } => {
                let who = match group {
                    UnitGroup::Families => "families".to_string(),
                    UnitGroup::SingleAdults(s) => format!("single adults ({})", s.as_str()),
                };
                write!(
                    f,
                    "no shelter unit for {who} has room for {people} people together to standard"
                )
            }
            HeldReason::MemberElsewhere { person_id, place } => write!(
                f,
                "{person_id}, a member of the household, is in {place}: the household moves together"
            ),
            HeldReason::SiteFull { people, room } => write!(
                f,
                "the destination has room for {room} more people to its facility standards, not {people}"
            ),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Held {
    pub household_id: String,
    pub person_ids: Vec<String>,
    #[serde(flatten)]
    pub reason: HeldReason,
}

/// A relocation plan: convoys in date order, who travels in each and where they go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub convoys: Vec<ConvoySlot>,
    pub assignments: Vec<Assignment>,
    pub held: Vec<Held>,
}

impl Plan {
    /// People on the convoy with this index.
    pub fn passengers(&self, convoy: usize) -> usize {
        self.assignments
            .iter()
            .filter(|a| a.convoy == convoy)
            .map(|a| a.person_ids.len())
            .sum()
    }

    pub fn people_moving(&self) -> usize {
        self.assignments.iter().map(|a| a.person_ids.len()).sum()
    }
}

/// Plans the move of `households` into `units` with `convoys` (taken in date order).
/// `site_room` caps the people the destination can take to its facility standards.
pub fn plan(
    households: &[HouseholdToMove],
    units: &[UnitSpace],
    convoys: &[ConvoySlot],
    rules: &Rules,
    site_room: Option<u32>,
) -> Plan {
    let mut convoys: Vec<ConvoySlot> = convoys.to_vec();
    convoys.sort_by(|a, b| a.date.cmp(&b.date));
    let largest = convoys.iter().map(|c| c.seats).max().unwrap_or(0);
    let mut seats: Vec<u32> = convoys.iter().map(|c| c.seats).collect();
    // Where a convoy with seats left is likely to be: skips the full convoys at the front.
    let mut first_open = 0usize;
    let mut shelter = Shelter::new(units);
    let mut room = site_room;
    let mut assignments = Vec::new();
    let mut held = Vec::new();

    let mut order: Vec<(bool, bool, &HouseholdToMove)> = Vec::with_capacity(households.len());
    for h in households {
        if h.members.is_empty() {
            continue;
        }
        if let Some(m) = h.members.iter().find(|m| m.hold.is_some()) {
            held.push(Held {
                household_id: h.household_id.clone(),
                person_ids: ids(h),
                reason: HeldReason::MemberOnHold {
                    person_id: m.person_id.clone(),
                    hold: m.hold.clone().unwrap_or_default(),
                },
            });
            continue;
        }
        order.push((
            h.has_need(&rules.early_convoy),
            h.has_need(&rules.near_facilities),
            h,
        ));
    }
    // Early households first; within a tier those needing facilities first, then the
    // largest households (they are the hardest to fit), then by id for a stable plan.
    order.sort_by(|a, b| {
        b.0.cmp(&a.0)
            .then(b.1.cmp(&a.1))
            .then(b.2.members.len().cmp(&a.2.members.len()))
            .then(a.2.household_id.cmp(&b.2.household_id))
    });

    for (early, near, h) in order {
        let people = h.members.len() as u32;
        let hold = |reason| Held {
            household_id: h.household_id.clone(),
            person_ids: ids(h),
            reason,
        };
        if people > largest {
            held.push(hold(HeldReason::LargerThanAnyConvoy { people, largest }));
            continue;
        }
        if let Some(r) = room
            && people > r
        {
            held.push(hold(HeldReason::SiteFull { people, room: r }));
            continue;
        }
        while first_open < seats.len() && seats[first_open] == 0 {
            first_open += 1;
        }
        let Some(convoy) = (first_open..seats.len()).find(|&c| seats[c] >= people) else {
            held.push(hold(HeldReason::NoSeats { people }));
            continue;
        };
        let group = h.group();
        let Some(unit) = shelter.take(people, group, near) else {
            held.push(hold(HeldReason::NoShelter { people, group }));
            continue;
        };
        seats[convoy] -= people;
        if let Some(r) = room.as_mut() {
            *r -= people;
        }
        assignments.push(Assignment {
            household_id: h.household_id.clone(),
            convoy,
            unit_id: units[unit].unit_id.clone(),
            person_ids: ids(h),
            priority: early,
        });
    }
    held.sort_by(|a, b| a.household_id.cmp(&b.household_id));
    // Convoys nobody boards are not part of the plan.
    let used: BTreeSet<usize> = assignments.iter().map(|a| a.convoy).collect();
    let renumber: std::collections::HashMap<usize, usize> = used
        .iter()
        .enumerate()
        .map(|(new, &old)| (old, new))
        .collect();
    for a in &mut assignments {
        a.convoy = renumber[&a.convoy];
    }
    let convoys = convoys
        .into_iter()
        .enumerate()
        .filter(|(i, _)| used.contains(i))
        .map(|(_, c)| c)
        .collect();
    Plan {
        convoys,
        assignments,
        held,
    }
}

fn ids(h: &HouseholdToMove) -> Vec<String> {
    h.members.iter().map(|m| m.person_id.clone()).collect()
}

/// The destination's units, indexed by the room they have left so that a best fit is
/// found in logarithmic time (the 100,000-person operation has tens of thousands).
struct Shelter {
    free: Vec<u32>,
    group: Vec<Option<UnitGroup>>,
    /// (near facilities, group or empty, free room, unit index).
    index: BTreeSet<(bool, Option<UnitGroup>, u32, usize)>,
}

impl Shelter {
    fn new(units: &[UnitSpace]) -> Self {
        let mut s = Shelter {
            free: units.iter().map(|u| u.free).collect(),
            group: units.iter().map(|u| u.group).collect(),
            index: BTreeSet::new(),
        };
        for (i, u) in units.iter().enumerate() {
            if u.free > 0 {
                s.index.insert((u.near_facilities, u.group, u.free, i));
            }
        }
        s
    }

    /// The unit with the least room that still takes `people` of `group`: first among
    /// units already shared by the group, then empty ones; near facilities first when
    /// `near`, otherwise last (they are kept for those who need them).
    fn take(&mut self, people: u32, group: UnitGroup, near: bool) -> Option<usize> {
        let sides = if near { [true, false] } else { [false, true] };
        let mut found = None;
        'search: for side in sides {
            for g in [Some(group), None] {
                if let Some(&(_, _, _, i)) = self
                    .index
                    .range((side, g, people, 0)..=(side, g, u32::MAX, usize::MAX))
                    .next()
                {
                    found = Some((side, i));
                    break 'search;
                }
            }
        }
        let (side, i) = found?;
        self.index.remove(&(side, self.group[i], self.free[i], i));
        self.free[i] -= people;
        self.group[i] = Some(group);
        if self.free[i] > 0 {
            self.index.insert((side, self.group[i], self.free[i], i));
        }
        Some(i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    fn person(id: &str, sex: Sex, adult: bool) -> Traveller {
        Traveller {
            person_id: id.into(),
            sex,
            adult,
            specific_needs: vec![],
            hold: None,
        }
    }

    fn unit(id: &str, free: u32) -> UnitSpace {
        UnitSpace {
            unit_id: id.into(),
            free,
            group: None,
            near_facilities: false,
        }
    }

    fn convoy(date: &str, seats: u32) -> ConvoySlot {
        ConvoySlot {
            date: date.into(),
            seats,
        }
    }

    #[test]
    fn convoy_slots_read_days_and_ranges() {
        let s = convoy_slots("2026-12-30..2027-01-02, 2026-12-01", 2, 60).unwrap();
        let dates: Vec<&str> = s.iter().map(|c| c.date.as_str()).collect();
        assert_eq!(
            dates,
            [
                "2026-12-01",
                "2026-12-01",
                "2026-12-30",
                "2026-12-30",
                "2026-12-31",
                "2026-12-31",
                "2027-01-01",
                "2027-01-01",
                "2027-01-02",
                "2027-01-02"
            ]
        );
        assert_eq!(
            convoy_slots("2026-02-30", 1, 1).unwrap_err(),
            "'2026-02-30' is not a date YYYY-MM-DD"
        );
        assert!(convoy_slots("2026-12-05..2026-12-01", 1, 1).is_err());
        assert!(convoy_slots("", 1, 1).is_err());
        assert!(convoy_slots("2026-12-01", 0, 1).is_err());
        assert!(convoy_slots("2026-01-01..2035-12-31", 1_000_000, 60).is_err());
    }

    #[test]
    fn a_member_on_hold_holds_the_household_back() {
        let mut h = HouseholdToMove {
            household_id: "H1".into(),
            members: vec![person("P1", Sex::F, true), person("P2", Sex::M, false)],
        };
        h.members[1].hold = Some("in hospital".into());
        let p = plan(
            &[h],
            &[unit("U1", 4)],
            &[convoy("2026-12-01", 10)],
            &Rules::default(),
            None,
        );
        assert!(p.assignments.is_empty());
        assert_eq!(p.held.len(), 1);
        assert_eq!(p.held[0].reason.to_string(), "P2 is on hold: in hospital");
        assert_eq!(p.held[0].person_ids, ["P1", "P2"]);
    }

    #[test]
    fn single_adults_share_by_sex_and_never_with_families() {
        let hs = vec![
            HouseholdToMove {
                household_id: "H1".into(),
                members: vec![person("P1", Sex::F, true)],
            },
            HouseholdToMove {
                household_id: "H2".into(),
                members: vec![person("P2", Sex::M, true)],
            },
            HouseholdToMove {
                household_id: "H3".into(),
                members: vec![person("P3", Sex::F, true)],
            },
            HouseholdToMove {
                household_id: "H4".into(),
                members: vec![person("P4", Sex::F, true), person("P5", Sex::M, false)],
            },
        ];
        let p = plan(
            &hs,
            &[unit("U1", 4), unit("U2", 4), unit("U3", 4)],
            &[convoy("2026-12-01", 10)],
            &Rules::default(),
            None,
        );
        let at: HashMap<&str, &str> = p
            .assignments
            .iter()
            .map(|a| (a.household_id.as_str(), a.unit_id.as_str()))
            .collect();
        assert_eq!(at["H1"], at["H3"], "the two women share");
        assert_ne!(at["H1"], at["H2"]);
        assert_ne!(at["H4"], at["H1"]);
        assert_ne!(at["H4"], at["H2"]);
    }

    #[test]
    fn early_needs_go_first_and_full_convoys_are_explained() {
        let mut sick = HouseholdToMove {
            household_id: "H9".into(),
            members: vec![person("P9", Sex::M, true)],
        };
        sick.members[0].specific_needs = vec!["SM-CI".into()];
        let hs = vec![
            HouseholdToMove {
                household_id: "H1".into(),
                members: vec![person("P1", Sex::M, true), person("P2", Sex::M, true)],
            },
            sick,
        ];
        let p = plan(
            &hs,
            &[unit("U1", 9), unit("U2", 9)],
            &[convoy("2026-12-02", 2), convoy("2026-12-01", 1)],
            &Rules::default(),
            None,
        );
        assert_eq!(p.convoys[0].date, "2026-12-01", "convoys in date order");
        let sick = p.assignments.iter().find(|a| a.household_id == "H9");
        assert_eq!(sick.map(|a| (a.convoy, a.priority)), Some((0, true)));
        let h1 = p.assignments.iter().find(|a| a.household_id == "H1");
        assert_eq!(h1.map(|a| a.convoy), Some(1));

        let p = plan(
            &hs,
            &[unit("U1", 9)],
            &[convoy("2026-12-01", 1)],
            &Rules::default(),
            None,
        );
        assert_eq!(
            p.held[0].reason,
            HeldReason::LargerThanAnyConvoy {
                people: 2,
                largest: 1
            }
        );
    }

    #[test]
    fn households_needing_facilities_get_units_near_them() {
        let mut old = HouseholdToMove {
            household_id: "H2".into(),
            members: vec![person("P2", Sex::F, true)],
        };
        old.members[0].specific_needs = vec!["ER-NF".into()];
        let hs = vec![
            HouseholdToMove {
                household_id: "H1".into(),
                members: vec![person("P1", Sex::F, true)],
            },
            old,
        ];
        let mut near = unit("U-NEAR", 1);
        near.near_facilities = true;
        let p = plan(
            &hs,
            &[unit("U-FAR", 1), near],
            &[convoy("2026-12-01", 10)],
            &Rules::default(),
            None,
        );
        let at: HashMap<&str, &str> = p
            .assignments
            .iter()
            .map(|a| (a.household_id.as_str(), a.unit_id.as_str()))
            .collect();
        assert_eq!(at["H2"], "U-NEAR");
        assert_eq!(at["H1"], "U-FAR");
    }

    #[test]
    fn site_room_caps_the_plan() {
        let hs: Vec<_> = (0..5)
            .map(|i| HouseholdToMove {
                household_id: format!("H{i}"),
                members: vec![person(&format!("P{i}"), Sex::M, true)],
            })
            .collect();
        let p = plan(
            &hs,
            &[unit("U1", 10)],
            &[convoy("2026-12-01", 10)],
            &Rules::default(),
            Some(3),
        );
        assert_eq!(p.people_moving(), 3);
        assert_eq!(p.held.len(), 2);
        assert!(matches!(p.held[0].reason, HeldReason::SiteFull { .. }));
    }

    fn arb_sex() -> impl Strategy<Value = Sex> {
        prop_oneof![Just(Sex::F), Just(Sex::M), Just(Sex::X)]
    }

    prop_compose! {
        fn arb_household(i: usize)(
            members in prop::collection::vec((arb_sex(), any::<bool>(), 0u8..10, 0u8..20), 1..7)
        ) -> HouseholdToMove {
            HouseholdToMove {
                household_id: format!("H{i:03}"),
                members: members.into_iter().enumerate().map(|(j, (sex, adult, need, hold))| Traveller {
                    person_id: format!("P{i:03}-{j}"),
                    sex,
                    adult,
                    specific_needs: match need { 0 => vec!["SM-CI".into()], 1 => vec!["ER-NF".into()], _ => vec![] },
                    hold: (hold == 0).then(|| "in hospital".to_string()),
                }).collect(),
            }
        }
    }

    fn arb_households() -> impl Strategy<Value = Vec<HouseholdToMove>> {
        (0usize..40).prop_flat_map(|n| (0..n).map(arb_household).collect::<Vec<_>>())
    }

    fn arb_group() -> impl Strategy<Value = Option<UnitGroup>> {
        prop_oneof![
            Just(None),
            Just(Some(UnitGroup::Families)),
            arb_sex().prop_map(|s| Some(UnitGroup::SingleAdults(s))),
        ]
    }

    fn arb_units() -> impl Strategy<Value = Vec<UnitSpace>> {
        prop::collection::vec((0u32..12, arb_group(), any::<bool>()), 0..25).prop_map(|v| {
            v.into_iter()
                .enumerate()
                .map(|(i, (free, group, near))| UnitSpace {
                    unit_id: format!("U{i:02}"),
                    free,
                    group,
                    near_facilities: near,
                })
                .collect()
        })
    }

    fn arb_convoys() -> impl Strategy<Value = Vec<ConvoySlot>> {
        prop::collection::vec((1u8..20, 1u32..30), 0..8).prop_map(|v| {
            v.into_iter()
                .map(|(d, seats)| convoy(&format!("2026-12-{d:02}"), seats))
                .collect()
        })
    }

    proptest! {
        #[test]
        fn plans_keep_every_rule(
            hs in arb_households(),
            units in arb_units(),
            convoys in arb_convoys(),
            room in prop::option::of(0u32..200),
        ) {
            let p = plan(&hs, &units, &convoys, &Rules::default(), room);
            let by_id: HashMap<&str, &HouseholdToMove> =
                hs.iter().map(|h| (h.household_id.as_str(), h)).collect();
            // Every household is either planned or held, once, and whole.
            let mut seen = BTreeSet::new();
            for (id, people) in p.assignments.iter().map(|a| (&a.household_id, &a.person_ids))
                .chain(p.held.iter().map(|h| (&h.household_id, &h.person_ids)))
            {
                prop_assert!(seen.insert(id.clone()), "{} twice", id);
                let h = by_id[id.as_str()];
                prop_assert_eq!(people, &ids(h));
            }
            prop_assert_eq!(seen.len(), hs.len());
            // No one on hold travels, nor anyone of their household.
            for a in &p.assignments {
                prop_assert!(by_id[a.household_id.as_str()].members.iter().all(|m| m.hold.is_none()));
            }
            // Convoys are not overfilled.
            for (i, c) in p.convoys.iter().enumerate() {
                prop_assert!(p.passengers(i) as u32 <= c.seats);
                prop_assert!(p.passengers(i) > 0, "an empty convoy is planned");
            }
            // Units are not overfilled, and their occupants are of one group.
            let mut load: HashMap<&str, (u32, BTreeSet<UnitGroup>)> = HashMap::new();
            for a in &p.assignments {
                let e = load.entry(a.unit_id.as_str()).or_default();
                e.0 += a.person_ids.len() as u32;
                e.1.insert(by_id[a.household_id.as_str()].group());
            }
            for u in &units {
                if let Some((n, groups)) = load.get(u.unit_id.as_str()) {
                    prop_assert!(*n <= u.free, "{} over its room", u.unit_id);
                    prop_assert_eq!(groups.len(), 1, "{} mixes groups", &u.unit_id);
                    if let Some(g) = u.group {
                        prop_assert!(groups.contains(&g), "{} had {:?}", &u.unit_id, g);
                    }
                }
            }
            if let Some(r) = room {
                prop_assert!(p.people_moving() as u32 <= r);
            }
        }
    }
}
