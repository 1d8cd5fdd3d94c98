//! Refugee status determination (RSD): the life of one claim, as a state machine.
//!
//! ```text
//! pending ─schedule─▶ scheduled ─interview─▶ interviewed ─decide─▶ decided ─notify─▶ notified
//!    ▲                    │                                                          │
//!    └──── reopen ── closed (no-show: six weeks without contact)      appeal (within the window,
//!                                                                     not against recognition)
//!                                                                                    ▼
//!                                                          appealed ─decide appeal (another officer)─▶ final
//! ```
//!
//! Every decision carries written reasons and the deciding officer. An appeal is decided
//! by a different officer than the first decision. A claim whose appeal window passes
//! without an appeal is final at first instance. Pure: the store keeps claims (one per
//! household, the head being the principal applicant), use cases in `haven-app` call
//! these transitions and record what they return, and `haven rsd` drives them.
//!
//! The interview planner ([`plan_interviews`], [`check_slot`]) is pure too: it books
//! pending claims into officers' daily capacity, with an interpreter when the officer
//! speaks none of the principal's languages. See docs/rsd.md.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use thiserror::Error;
use time::Date;

/// Days of silence after which a scheduled claimant who did not come is closed.
pub const NO_SHOW_DAYS: i64 = 42;
/// The default appeal window after notification, in days.
pub const APPEAL_WINDOW_DAYS: i64 = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Recognised,
    Rejected,
    /// Excluded under Article 1F of the 1951 Convention.
    Excluded,
}

impl Outcome {
    pub const ALL: [Outcome; 3] = [Outcome::Recognised, Outcome::Rejected, Outcome::Excluded];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Recognised => "recognised",
            Outcome::Rejected => "rejected",
            Outcome::Excluded => "excluded",
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        Self::ALL.into_iter().find(|o| o.as_str() == s)
    }
}

/// `YYYY-MM-DD`.
pub fn iso_date(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Parses `YYYY-MM-DD` (a real calendar date), `None` otherwise.
pub fn parse_iso_date(s: &str) -> Option<Date> {
    let mut it = s.trim().split('-');
    let (y, m, d) = (it.next()?, it.next()?, it.next()?);
    if it.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let month = time::Month::try_from(m.parse::<u8>().ok()?).ok()?;
    Date::from_calendar_date(y.parse().ok()?, month, d.parse().ok()?).ok()
}

/// Dates serialise as `YYYY-MM-DD`, readable in the audit log and in JSON reports.
pub(crate) mod iso {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Date;

    pub fn serialize<S: Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&super::iso_date(*d))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let s = String::deserialize(d)?;
        super::parse_iso_date(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("'{s}' is not a date YYYY-MM-DD")))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionRecord {
    pub outcome: Outcome,
    pub reasons: String,
    pub officer: String,
    #[serde(with = "iso")]
    pub on: Date,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Stage {
    Pending,
    Scheduled {
        #[serde(with = "iso")]
        on: Date,
        officer: String,
        interpreter_language: Option<String>,
    },
    Interviewed {
        #[serde(with = "iso")]
        on: Date,
        officer: String,
    },
    Decided {
        first: DecisionRecord,
    },
    Notified {
        first: DecisionRecord,
        #[serde(with = "iso")]
        notified_on: Date,
    },
    Appealed {
        first: DecisionRecord,
        #[serde(with = "iso")]
        notified_on: Date,
        #[serde(with = "iso")]
        lodged_on: Date,
    },
    Final {
        first: DecisionRecord,
        appeal: Option<DecisionRecord>,
    },
    ClosedNoShow {
        #[serde(with = "iso")]
        closed_on: Date,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RsdError {
    #[error("the claim is {0}; {1}")]
    WrongStage(&'static str, &'static str),
    #[error("this claim has already been decided ({})", .0.as_str())]
    AlreadyDecided(Outcome),
    #[error("a decision needs written reasons")]
    NoReasons,
    #[error("the appeal window closed on {deadline}")]
    AppealWindowClosed { deadline: Date },
    #[error("a recognised refugee has nothing to appeal")]
    NothingToAppeal,
    #[error("the appeal must be decided by another officer than {0}, who decided the claim")]
    SameOfficer(String),
    #[error("only {days} days without contact; a claim closes for no-show after {NO_SHOW_DAYS}")]
    TooEarlyForNoShow { days: i64 },
    #[error("{0} is before {1}")]
    BeforeEarlierStep(Date, Date),
}

/// One person's claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claim {
    pub person_id: String,
    pub stage: Stage,
    /// The last day the claimant was in contact (registration, interview, a visit).
    #[serde(with = "iso")]
    pub last_contact: Date,
}

impl Stage {
    /// The stage's key as stored and reported: `pending`, `scheduled`, `interviewed`,
    /// `decided`, `notified`, `appealed`, `final`, `closed_no_show`.
    pub fn key(&self) -> &'static str {
        match self {
            Stage::ClosedNoShow { .. } => "closed_no_show",
            s => name(s),
        }
    }

    /// Whether the claim is still in process (neither final nor closed).
    pub fn is_open(&self) -> bool {
        !matches!(self, Stage::Final { .. } | Stage::ClosedNoShow { .. })
    }

    /// Whether the claim waits for a decision (first instance or appeal).
    pub fn awaits_decision(&self) -> bool {
        matches!(
            self,
            Stage::Pending
                | Stage::Scheduled { .. }
                | Stage::Interviewed { .. }
                | Stage::Appealed { .. }
        )
    }
}

/// Every stage key, in the order of a claim's life.
pub const STAGE_KEYS: [&str; 8] = [
    "pending",
    "scheduled",
    "interviewed",
    "decided",
    "notified",
    "appealed",
    "final",
    "closed_no_show",
];

fn name(stage: &Stage) -> &'static str {
    match stage {
        Stage::Pending => "pending",
        Stage::Scheduled { .. } => "scheduled",
        Stage::Interviewed { .. } => "interviewed",
        Stage::Decided { .. } => "decided",
        Stage::Notified { .. } => "notified",
        Stage::Appealed { .. } => "appealed",
        Stage::Final { .. } => "final",
        Stage::ClosedNoShow { .. } => "closed for no-show",
    }
}

impl Claim {
    pub fn new(person_id: impl Into<String>, registered_on: Date) -> Self {
        Claim {
            person_id: person_id.into(),
            stage: Stage::Pending,
            last_contact: registered_on,
        }
    }

    /// The first-instance decision, once there is one.
    pub fn first_decision(&self) -> Option<&DecisionRecord> {
        match &self.stage {
            Stage::Decided { first }
            | Stage::Notified { first, .. }
            | Stage::Appealed { first, .. } => Some(first),
            Stage::Final { first, .. } => Some(first),
            _ => None,
        }
    }

    /// The decision that stands now, if any: the appeal's if there was one.
    pub fn standing_outcome(&self) -> Option<Outcome> {
        match &self.stage {
            Stage::Final {
                appeal: Some(a), ..
            } => Some(a.outcome),
            _ => self.first_decision().map(|d| d.outcome),
        }
    }

    pub fn schedule(
        &mut self,
        on: Date,
        officer: &str,
        interpreter_language: Option<&str>,
    ) -> Result<(), RsdError> {
        match self.stage {
            Stage::Pending | Stage::Scheduled { .. } => {
                self.stage = Stage::Scheduled {
                    on,
                    officer: officer.to_string(),
                    interpreter_language: interpreter_language.map(str::to_string),
                };
                Ok(())
            }
            ref s => Err(self.refuse(s, "only a pending or scheduled claim can be scheduled")),
        }
    }

    pub fn record_interview(&mut self, on: Date, officer: &str) -> Result<(), RsdError> {
        match &self.stage {
            Stage::Scheduled { .. } => {
                self.stage = Stage::Interviewed {
                    on,
                    officer: officer.to_string(),
                };
                self.last_contact = self.last_contact.max(on);
                Ok(())
            }
            s => Err(self.refuse(s, "an interview is recorded for a scheduled claim")),
        }
    }

    pub fn decide(
        &mut self,
        outcome: Outcome,
        reasons: &str,
        officer: &str,
        on: Date,
    ) -> Result<(), RsdError> {
        if let Some(d) = self.first_decision() {
            return Err(RsdError::AlreadyDecided(d.outcome));
        }
        if reasons.trim().is_empty() {
            return Err(RsdError::NoReasons);
        }
        match &self.stage {
            Stage::Interviewed {
                on: interviewed, ..
            } => {
                if on < *interviewed {
                    return Err(RsdError::BeforeEarlierStep(on, *interviewed));
                }
                self.stage = Stage::Decided {
                    first: DecisionRecord {
                        outcome,
                        reasons: reasons.trim().to_string(),
                        officer: officer.to_string(),
                        on,
                    },
                };
                Ok(())
            }
            s => Err(self.refuse(s, "a claim is decided after its interview")),
        }
    }

    pub fn notify(&mut self, on: Date) -> Result<(), RsdError> {
        match &self.stage {
            Stage::Decided { first } => {
                if on < first.on {
                    return Err(RsdError::BeforeEarlierStep(on, first.on));
                }
                self.stage = Stage::Notified {
                    first: first.clone(),
                    notified_on: on,
                };
                Ok(())
            }
            s => Err(self.refuse(s, "only a decided claim is notified")),
        }
    }

    /// Lodges an appeal within `window_days` of notification.
    pub fn appeal(&mut self, on: Date, window_days: i64) -> Result<(), RsdError> {
        match &self.stage {
            Stage::Notified { first, notified_on } => {
                if first.outcome == Outcome::Recognised {
                    return Err(RsdError::NothingToAppeal);
                }
                let deadline = *notified_on + time::Duration::days(window_days);
                if on > deadline {
                    return Err(RsdError::AppealWindowClosed { deadline });
                }
                self.stage = Stage::Appealed {
                    first: first.clone(),
                    notified_on: *notified_on,
                    lodged_on: on,
                };
                self.last_contact = self.last_contact.max(on);
                Ok(())
            }
            s => Err(self.refuse(s, "an appeal follows notification of a decision")),
        }
    }

    pub fn decide_appeal(
        &mut self,
        outcome: Outcome,
        reasons: &str,
        officer: &str,
        on: Date,
    ) -> Result<(), RsdError> {
        if reasons.trim().is_empty() {
            return Err(RsdError::NoReasons);
        }
        match &self.stage {
            Stage::Appealed {
                first, lodged_on, ..
            } => {
                if first.officer == officer {
                    return Err(RsdError::SameOfficer(officer.to_string()));
                }
                if on < *lodged_on {
                    return Err(RsdError::BeforeEarlierStep(on, *lodged_on));
                }
                self.stage = Stage::Final {
                    first: first.clone(),
                    appeal: Some(DecisionRecord {
                        outcome,
                        reasons: reasons.trim().to_string(),
                        officer: officer.to_string(),
                        on,
                    }),
                };
                Ok(())
            }
            s => Err(self.refuse(s, "only an appealed claim has an appeal to decide")),
        }
    }

    /// Makes the first decision final once the appeal window has passed (or at once for
    /// a recognition, which nobody appeals).
    pub fn finalise(&mut self, today: Date, window_days: i64) -> Result<(), RsdError> {
        match &self.stage {
            Stage::Notified { first, notified_on } => {
                let deadline = *notified_on + time::Duration::days(window_days);
                if first.outcome != Outcome::Recognised && today <= deadline {
                    return Err(RsdError::WrongStage(
                        "notified",
                        "the appeal window is still open",
                    ));
                }
                self.stage = Stage::Final {
                    first: first.clone(),
                    appeal: None,
                };
                Ok(())
            }
            s => Err(self.refuse(s, "only a notified claim becomes final")),
        }
    }

    /// The appeal's decision, once there is one.
    pub fn appeal_decision(&self) -> Option<&DecisionRecord> {
        match &self.stage {
            Stage::Final { appeal, .. } => appeal.as_ref(),
            _ => None,
        }
    }

    /// The last day the appeal may be lodged, for a notified or appealed claim.
    pub fn appeal_deadline(&self, window_days: i64) -> Option<Date> {
        match &self.stage {
            Stage::Notified { notified_on, .. } | Stage::Appealed { notified_on, .. } => {
                Some(*notified_on + time::Duration::days(window_days))
            }
            _ => None,
        }
    }

    /// Days without contact, for a scheduled claim: counted from the later of the last
    /// contact and the interview day (nobody fails to come before their interview).
    pub fn days_without_contact(&self, today: Date) -> Option<i64> {
        match &self.stage {
            Stage::Scheduled { on, .. } => Some((today - self.last_contact.max(*on)).whole_days()),
            _ => None,
        }
    }

    /// Closes a scheduled claim whose claimant has not been in contact for six weeks
    /// since the later of the last contact and the interview day.
    pub fn close_no_show(&mut self, today: Date) -> Result<(), RsdError> {
        match &self.stage {
            Stage::Scheduled { .. } => {
                let days = self.days_without_contact(today).unwrap_or(0);
                if days < NO_SHOW_DAYS {
                    return Err(RsdError::TooEarlyForNoShow { days });
                }
                self.stage = Stage::ClosedNoShow { closed_on: today };
                Ok(())
            }
            s => Err(self.refuse(s, "only a scheduled claim closes for no-show")),
        }
    }

    /// Reopens a claim closed for no-show when the claimant comes back.
    pub fn reopen(&mut self, on: Date) -> Result<(), RsdError> {
        match &self.stage {
            Stage::ClosedNoShow { .. } => {
                self.stage = Stage::Pending;
                self.last_contact = self.last_contact.max(on);
                Ok(())
            }
            s => Err(self.refuse(s, "only a closed claim is reopened")),
        }
    }

    fn refuse(&self, stage: &Stage, why: &'static str) -> RsdError {
        RsdError::WrongStage(name(stage), why)
    }
}

/// An RSD officer or an interpreter: who they are, how many interviews a day they can
/// take, and the languages they speak (ISO 639 codes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interviewer {
    pub id: String,
    pub capacity_per_day: i64,
    pub languages: Vec<String>,
}

impl Interviewer {
    fn speaks_any<'a>(&self, languages: &'a [String]) -> Option<&'a str> {
        languages
            .iter()
            .find(|l| self.languages.contains(l))
            .map(String::as_str)
    }
}

/// A pending claim waiting for an interview slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub household_id: String,
    /// The principal applicant's languages, first the one they speak best.
    pub languages: Vec<String>,
    /// Households with specific needs are interviewed first.
    pub priority: bool,
    pub waiting_since: Date,
}

/// Interviews already booked per day: by officer and by interpreter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Load {
    pub officers: HashMap<(Date, String), i64>,
    pub interpreters: HashMap<(Date, String), i64>,
}

impl Load {
    pub fn book(&mut self, on: Date, officer: &str, interpreter: Option<&str>) {
        *self.officers.entry((on, officer.to_string())).or_default() += 1;
        if let Some(i) = interpreter {
            *self.interpreters.entry((on, i.to_string())).or_default() += 1;
        }
    }

    pub fn officer(&self, on: Date, officer: &str) -> i64 {
        self.officers
            .get(&(on, officer.to_string()))
            .copied()
            .unwrap_or(0)
    }

    pub fn interpreter(&self, on: Date, interpreter: &str) -> i64 {
        self.interpreters
            .get(&(on, interpreter.to_string()))
            .copied()
            .unwrap_or(0)
    }
}

/// One interview slot given to a claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Booking {
    pub household_id: String,
    #[serde(with = "iso")]
    pub on: Date,
    pub officer: String,
    pub interpreter: Option<String>,
    /// The language interpreted from, when an interpreter is booked.
    pub interpreter_language: Option<String>,
}

/// Why a claim found no slot in the horizon.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Error)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum NotScheduled {
    #[error("the principal applicant has no recorded language")]
    NoLanguage,
    #[error("no officer or interpreter speaks {}", .languages.join(" or "))]
    NoInterpreter { languages: Vec<String> },
    #[error("officers had slots, but no officer or interpreter speaking {} was free", .languages.join(" or "))]
    NoInterpreterCapacity { languages: Vec<String> },
    #[error("no officer capacity left in the horizon")]
    NoOfficerCapacity,
    /// The principal applicant has died, departed, returned or is missing: nobody to
    /// interview until they are found (or the household's claim is taken up again).
    #[error("the principal applicant is not with the operation ({place})")]
    PrincipalNotPresent { place: String },
}

/// Why one requested slot cannot be booked.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SlotError {
    #[error("{who} has no interview slot left on {on} ({booked} booked of {capacity} a day)")]
    Full {
        who: String,
        on: Date,
        booked: i64,
        capacity: i64,
    },
    #[error(
        "officer {officer} speaks none of the principal's languages ({}); name an interpreter who does",
        .languages.join(", ")
    )]
    InterpreterNeeded {
        officer: String,
        languages: Vec<String>,
    },
    #[error("interpreter {interpreter} speaks none of the principal's languages ({})", .languages.join(", "))]
    InterpreterLanguage {
        interpreter: String,
        languages: Vec<String>,
    },
}

/// The result of planning: the slots given, and the claims left waiting with why.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub bookings: Vec<Booking>,
    pub not_scheduled: Vec<(String, NotScheduled)>,
}

/// Checks one requested slot against the day's capacities and the principal's languages.
/// Returns the interpreter's language when an interpreter is needed and booked; an
/// interpreter named for an officer who speaks the language is booked all the same.
pub fn check_slot(
    languages: &[String],
    on: Date,
    officer: &Interviewer,
    interpreter: Option<&Interviewer>,
    load: &Load,
) -> Result<Option<String>, SlotError> {
    let booked = load.officer(on, &officer.id);
    if booked >= officer.capacity_per_day {
        return Err(SlotError::Full {
            who: format!("officer {}", officer.id),
            on,
            booked,
            capacity: officer.capacity_per_day,
        });
    }
    match interpreter {
        None => match officer.speaks_any(languages) {
            Some(_) => Ok(None),
            None => Err(SlotError::InterpreterNeeded {
                officer: officer.id.clone(),
                languages: languages.to_vec(),
            }),
        },
        Some(i) => {
            let booked = load.interpreter(on, &i.id);
            if booked >= i.capacity_per_day {
                return Err(SlotError::Full {
                    who: format!("interpreter {}", i.id),
                    on,
                    booked,
                    capacity: i.capacity_per_day,
                });
            }
            match i.speaks_any(languages) {
                Some(l) => Ok(Some(l.to_string())),
                None => Err(SlotError::InterpreterLanguage {
                    interpreter: i.id.clone(),
                    languages: languages.to_vec(),
                }),
            }
        }
    }
}

/// Books pending claims into interview slots over `days` days from `from`.
///
/// Claims go in order: households with specific needs first, then the longest waiting,
/// then by household id. Each claim takes the earliest day on which an officer has a
/// slot left (capacity minus what `load` already holds): an officer who speaks one of
/// the principal's languages if one is free that day, otherwise any officer with an
/// interpreter who speaks one of them and has a slot left. Officers and interpreters are
/// tried in id order. Deterministic.
pub fn plan_interviews(
    candidates: &[Candidate],
    officers: &[Interviewer],
    interpreters: &[Interviewer],
    load: &mut Load,
    from: Date,
    days: u32,
) -> Plan {
    let mut order: Vec<&Candidate> = candidates.iter().collect();
    order.sort_by(|a, b| {
        b.priority
            .cmp(&a.priority)
            .then(a.waiting_since.cmp(&b.waiting_since))
            .then(a.household_id.cmp(&b.household_id))
    });
    let mut officers: Vec<&Interviewer> = officers.iter().collect();
    officers.sort_by(|a, b| a.id.cmp(&b.id));
    let mut interpreters: Vec<&Interviewer> = interpreters.iter().collect();
    interpreters.sort_by(|a, b| a.id.cmp(&b.id));
    let dates: Vec<Date> = (0..i64::from(days))
        .map(|d| from + time::Duration::days(d))
        .collect();
    // Days before this index have no officer slot left: skip them.
    let mut first_open_day = 0;
    let mut plan = Plan::default();
    for c in order {
        if c.languages.is_empty() {
            plan.not_scheduled
                .push((c.household_id.clone(), NotScheduled::NoLanguage));
            continue;
        }
        let spoken = officers
            .iter()
            .any(|o| o.speaks_any(&c.languages).is_some())
            || interpreters
                .iter()
                .any(|i| i.speaks_any(&c.languages).is_some());
        if !spoken {
            plan.not_scheduled.push((
                c.household_id.clone(),
                NotScheduled::NoInterpreter {
                    languages: c.languages.clone(),
                },
            ));
            continue;
        }
        let mut booking = None;
        let mut saw_slot = false;
        'days: for (di, &on) in dates.iter().enumerate().skip(first_open_day) {
            let free: Vec<&&Interviewer> = officers
                .iter()
                .filter(|o| load.officer(on, &o.id) < o.capacity_per_day)
                .collect();
            if free.is_empty() {
                if di == first_open_day {
                    first_open_day += 1;
                }
                continue;
            }
            saw_slot = true;
            if let Some(o) = free.iter().find(|o| o.speaks_any(&c.languages).is_some()) {
                booking = Some((on, o.id.clone(), None));
                break 'days;
            }
            for i in &interpreters {
                if load.interpreter(on, &i.id) >= i.capacity_per_day {
                    continue;
                }
                if let Some(l) = i.speaks_any(&c.languages) {
                    booking = Some((on, free[0].id.clone(), Some((i.id.clone(), l.to_string()))));
                    break 'days;
                }
            }
        }
        match booking {
            Some((on, officer, interp)) => {
                load.book(on, &officer, interp.as_ref().map(|(i, _)| i.as_str()));
                let (interpreter, interpreter_language) = match interp {
                    Some((i, l)) => (Some(i), Some(l)),
                    None => (None, None),
                };
                plan.bookings.push(Booking {
                    household_id: c.household_id.clone(),
                    on,
                    officer,
                    interpreter,
                    interpreter_language,
                });
            }
            None => plan.not_scheduled.push((
                c.household_id.clone(),
                if saw_slot {
                    NotScheduled::NoInterpreterCapacity {
                        languages: c.languages.clone(),
                    }
                } else {
                    NotScheduled::NoOfficerCapacity
                },
            )),
        }
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn interviewed() -> Claim {
        let mut c = Claim::new("P-1", date!(2026 - 03 - 01));
        c.schedule(date!(2026 - 04 - 01), "rsd-a", Some("fas"))
            .expect("schedule");
        c.record_interview(date!(2026 - 04 - 01), "rsd-a")
            .expect("interview");
        c
    }

    #[test]
    fn a_claim_goes_from_interview_to_final_decision_on_appeal() {
        let mut c = interviewed();
        assert_eq!(
            c.decide(Outcome::Rejected, "  ", "rsd-a", date!(2026 - 04 - 10)),
            Err(RsdError::NoReasons)
        );
        c.decide(
            Outcome::Rejected,
            "no well-founded fear established",
            "rsd-a",
            date!(2026 - 04 - 10),
        )
        .expect("decide");
        assert_eq!(
            c.decide(Outcome::Recognised, "again", "rsd-b", date!(2026 - 04 - 11)),
            Err(RsdError::AlreadyDecided(Outcome::Rejected))
        );
        c.notify(date!(2026 - 04 - 12)).expect("notify");
        assert_eq!(
            c.clone().appeal(date!(2026 - 05 - 13), APPEAL_WINDOW_DAYS),
            Err(RsdError::AppealWindowClosed {
                deadline: date!(2026 - 05 - 12)
            })
        );
        c.appeal(date!(2026 - 05 - 12), APPEAL_WINDOW_DAYS)
            .expect("appeal on the last day");
        assert_eq!(
            c.decide_appeal(
                Outcome::Recognised,
                "credible on review",
                "rsd-a",
                date!(2026 - 06 - 01)
            ),
            Err(RsdError::SameOfficer("rsd-a".into()))
        );
        c.decide_appeal(
            Outcome::Recognised,
            "credible on review",
            "rsd-b",
            date!(2026 - 06 - 01),
        )
        .expect("appeal decided");
        assert_eq!(c.standing_outcome(), Some(Outcome::Recognised));
    }

    #[test]
    fn recognition_is_final_at_once_and_cannot_be_appealed() {
        let mut c = interviewed();
        c.decide(
            Outcome::Recognised,
            "persecution on political grounds",
            "rsd-a",
            date!(2026 - 04 - 10),
        )
        .expect("decide");
        c.notify(date!(2026 - 04 - 10)).expect("notify");
        assert_eq!(
            c.clone().appeal(date!(2026 - 04 - 11), 30),
            Err(RsdError::NothingToAppeal)
        );
        c.finalise(date!(2026 - 04 - 10), 30).expect("final");
        assert!(matches!(c.stage, Stage::Final { appeal: None, .. }));
    }

    #[test]
    fn a_rejection_is_final_only_after_the_window() {
        let mut c = interviewed();
        c.decide(
            Outcome::Excluded,
            "Article 1F(a)",
            "rsd-a",
            date!(2026 - 04 - 10),
        )
        .expect("decide");
        c.notify(date!(2026 - 04 - 10)).expect("notify");
        assert!(c.finalise(date!(2026 - 05 - 10), 30).is_err());
        c.finalise(date!(2026 - 05 - 11), 30)
            .expect("final after the window");
        assert_eq!(c.standing_outcome(), Some(Outcome::Excluded));
    }

    #[test]
    fn no_show_closes_after_six_weeks_and_reopens() {
        let mut c = Claim::new("P-2", date!(2026 - 03 - 01));
        c.schedule(date!(2026 - 03 - 20), "rsd-a", None)
            .expect("schedule");
        // Six weeks count from the interview day, not from registration.
        assert_eq!(
            c.close_no_show(date!(2026 - 04 - 12)),
            Err(RsdError::TooEarlyForNoShow { days: 23 })
        );
        assert_eq!(
            c.close_no_show(date!(2026 - 04 - 30)),
            Err(RsdError::TooEarlyForNoShow { days: 41 })
        );
        c.close_no_show(date!(2026 - 05 - 01)).expect("closed");
        assert_eq!(c.stage.key(), "closed_no_show");
        assert!(!c.stage.is_open());
        assert!(c.record_interview(date!(2026 - 05 - 02), "rsd-a").is_err());
        c.reopen(date!(2026 - 05 - 10)).expect("reopen");
        assert_eq!(c.stage, Stage::Pending);
        assert_eq!(c.last_contact, date!(2026 - 05 - 10));
    }

    fn staff(id: &str, capacity: i64, languages: &[&str]) -> Interviewer {
        Interviewer {
            id: id.into(),
            capacity_per_day: capacity,
            languages: languages.iter().map(|l| l.to_string()).collect(),
        }
    }

    fn candidate(id: &str, languages: &[&str], priority: bool, since: Date) -> Candidate {
        Candidate {
            household_id: id.into(),
            languages: languages.iter().map(|l| l.to_string()).collect(),
            priority,
            waiting_since: since,
        }
    }

    #[test]
    fn claims_serialise_with_iso_dates_and_round_trip() {
        let mut c = interviewed();
        c.decide(Outcome::Rejected, "reasons", "rsd-a", date!(2026 - 04 - 10))
            .expect("decide");
        let json = serde_json::to_string(&c).expect("json");
        assert!(json.contains("\"on\":\"2026-04-10\""), "{json}");
        assert!(json.contains("\"last_contact\":\"2026-04-01\""), "{json}");
        let back: Claim = serde_json::from_str(&json).expect("parse");
        assert_eq!(back, c);
        assert!(serde_json::from_str::<Claim>(&json.replace("2026-04-10", "2026-02-30")).is_err());
        assert_eq!(parse_iso_date("2026-02-28"), Some(date!(2026 - 02 - 28)));
        assert_eq!(parse_iso_date("2026-2-28"), None);
        assert_eq!(parse_iso_date("2026-02-29"), None);
        assert_eq!(iso_date(date!(2026 - 01 - 05)), "2026-01-05");
        assert_eq!(Outcome::parse("excluded"), Some(Outcome::Excluded));
        assert_eq!(Outcome::parse("Excluded"), None);
    }

    #[test]
    fn stage_keys_and_what_waits_for_a_decision() {
        let mut c = Claim::new("P-3", date!(2026 - 03 - 01));
        assert_eq!(c.stage.key(), "pending");
        assert!(c.stage.awaits_decision() && c.stage.is_open());
        c.schedule(date!(2026 - 03 - 02), "rsd-a", None)
            .expect("schedule");
        assert_eq!(c.stage.key(), "scheduled");
        c.record_interview(date!(2026 - 03 - 02), "rsd-a")
            .expect("interview");
        c.decide(Outcome::Rejected, "r", "rsd-a", date!(2026 - 03 - 03))
            .expect("decide");
        assert!(!c.stage.awaits_decision() && c.stage.is_open());
        c.notify(date!(2026 - 03 - 04)).expect("notify");
        assert_eq!(c.appeal_deadline(30), Some(date!(2026 - 04 - 03)));
        c.appeal(date!(2026 - 03 - 05), 30).expect("appeal");
        assert_eq!(c.stage.key(), "appealed");
        assert!(c.stage.awaits_decision());
        assert_eq!(
            c.decide(Outcome::Recognised, "r", "rsd-b", date!(2026 - 03 - 06)),
            Err(RsdError::AlreadyDecided(Outcome::Rejected))
        );
        assert_eq!(
            RsdError::AlreadyDecided(Outcome::Rejected).to_string(),
            "this claim has already been decided (rejected)"
        );
        c.decide_appeal(Outcome::Recognised, "r", "rsd-b", date!(2026 - 03 - 06))
            .expect("appeal decided");
        assert_eq!(c.stage.key(), "final");
        assert!(!c.stage.is_open());
        assert_eq!(
            c.appeal_decision().map(|d| d.officer.as_str()),
            Some("rsd-b")
        );
        assert_eq!(
            c.first_decision().map(|d| d.outcome),
            Some(Outcome::Rejected)
        );
        for k in STAGE_KEYS {
            assert!(!k.contains(' '));
        }
    }

    #[test]
    fn planning_respects_daily_capacity_in_waiting_order() {
        let d = date!(2026 - 06 - 01);
        let officers = [staff("O-2", 2, &["fas"]), staff("O-1", 1, &["fas"])];
        let candidates: Vec<Candidate> = (0..5)
            .map(|i| {
                candidate(
                    &format!("H-{i}"),
                    &["fas"],
                    i == 4,
                    d - time::Duration::days(10 - i),
                )
            })
            .collect();
        let mut load = Load::default();
        load.book(d, "O-2", None); // one slot of O-2 already taken on day one
        let plan = plan_interviews(&candidates, &officers, &[], &mut load, d, 1);
        // Day one has 1 + 1 slots: the household with specific needs, then the oldest.
        let booked: Vec<(&str, &str)> = plan
            .bookings
            .iter()
            .map(|b| (b.household_id.as_str(), b.officer.as_str()))
            .collect();
        assert_eq!(booked, [("H-4", "O-1"), ("H-0", "O-2")]);
        assert_eq!(plan.not_scheduled.len(), 3);
        assert!(
            plan.not_scheduled
                .iter()
                .all(|(_, r)| *r == NotScheduled::NoOfficerCapacity)
        );
        assert_eq!(load.officer(d, "O-2"), 2);
        // Over three days everyone fits: 2 + 3 + 3 slots, 2 already used.
        let mut load = Load::default();
        let plan = plan_interviews(&candidates, &officers, &[], &mut load, d, 3);
        assert!(plan.not_scheduled.is_empty());
        for day in 0..3 {
            let on = d + time::Duration::days(day);
            assert!(load.officer(on, "O-1") <= 1 && load.officer(on, "O-2") <= 2);
        }
        assert_eq!(plan.bookings[3].on, d + time::Duration::days(1));
    }

    #[test]
    fn planning_books_interpreters_for_languages_the_officer_lacks() {
        let d = date!(2026 - 06 - 01);
        let officers = [staff("O-1", 5, &["eng", "fas"])];
        let interpreters = [staff("I-1", 1, &["ckb", "fas"]), staff("I-2", 3, &["kmr"])];
        let candidates = [
            candidate("H-1", &["ckb", "fas"], false, d),
            candidate("H-2", &["ckb"], false, d),
            candidate("H-3", &["fas"], false, d),
            candidate("H-4", &["pus"], false, d),
            candidate("H-5", &[], false, d),
        ];
        let mut load = Load::default();
        let plan = plan_interviews(&candidates, &officers, &interpreters, &mut load, d, 1);
        // H-1 speaks fas with the officer; H-2 needs the ckb interpreter; H-3 speaks fas.
        let b: Vec<(&str, Option<&str>, Option<&str>)> = plan
            .bookings
            .iter()
            .map(|b| {
                (
                    b.household_id.as_str(),
                    b.interpreter.as_deref(),
                    b.interpreter_language.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            b,
            [
                ("H-1", None, None),
                ("H-2", Some("I-1"), Some("ckb")),
                ("H-3", None, None)
            ]
        );
        assert_eq!(
            plan.not_scheduled,
            [
                (
                    "H-4".to_string(),
                    NotScheduled::NoInterpreter {
                        languages: vec!["pus".into()]
                    }
                ),
                ("H-5".to_string(), NotScheduled::NoLanguage),
            ]
        );
        // A second ckb speaker finds the interpreter's one daily slot taken.
        let plan = plan_interviews(
            &[candidate("H-6", &["ckb"], false, d)],
            &officers,
            &interpreters,
            &mut load,
            d,
            1,
        );
        assert_eq!(
            plan.not_scheduled[0].1.to_string(),
            "officers had slots, but no officer or interpreter speaking ckb was free"
        );
        assert_eq!(
            NotScheduled::NoInterpreter {
                languages: vec!["pus".into()]
            }
            .to_string(),
            "no officer or interpreter speaks pus"
        );
    }

    #[test]
    fn one_slot_is_checked_against_capacity_and_languages() {
        let d = date!(2026 - 06 - 01);
        let o = staff("O-1", 1, &["eng"]);
        let i = staff("I-1", 1, &["fas"]);
        let other = staff("I-2", 1, &["ara"]);
        let fas = vec!["fas".to_string()];
        let mut load = Load::default();
        assert!(matches!(
            check_slot(&fas, d, &o, None, &load),
            Err(SlotError::InterpreterNeeded { .. })
        ));
        assert!(matches!(
            check_slot(&fas, d, &o, Some(&other), &load),
            Err(SlotError::InterpreterLanguage { .. })
        ));
        assert_eq!(
            check_slot(&fas, d, &o, Some(&i), &load),
            Ok(Some("fas".to_string()))
        );
        load.book(d, "O-1", Some("I-1"));
        let full = check_slot(&fas, d, &o, Some(&i), &load).map_err(|e| e.to_string());
        assert_eq!(
            full,
            Err(
                "officer O-1 has no interview slot left on 2026-06-01 (1 booked of 1 a day)".into()
            )
        );
        let o2 = staff("O-2", 3, &["eng"]);
        assert!(matches!(
            check_slot(&fas, d, &o2, Some(&i), &load),
            Err(SlotError::Full { .. })
        ));
        assert_eq!(
            check_slot(&["eng".to_string()], d, &o2, None, &load),
            Ok(None)
        );
    }
}
