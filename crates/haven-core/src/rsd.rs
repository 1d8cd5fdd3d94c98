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
//! without an appeal is final at first instance. Pure: the store keeps claims, use cases
//! call these transitions and record what they return.
//!
//! Groundwork for issue 4; not yet wired to the store or the command line.

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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionRecord {
    pub outcome: Outcome,
    pub reasons: String,
    pub officer: String,
    pub on: Date,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Stage {
    Pending,
    Scheduled {
        on: Date,
        officer: String,
        interpreter_language: Option<String>,
    },
    Interviewed {
        on: Date,
        officer: String,
    },
    Decided {
        first: DecisionRecord,
    },
    Notified {
        first: DecisionRecord,
        notified_on: Date,
    },
    Appealed {
        first: DecisionRecord,
        notified_on: Date,
        lodged_on: Date,
    },
    Final {
        first: DecisionRecord,
        appeal: Option<DecisionRecord>,
    },
    ClosedNoShow {
        closed_on: Date,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RsdError {
    #[error("the claim is {0}; {1}")]
    WrongStage(&'static str, &'static str),
    #[error("this claim has already been decided ({0:?})")]
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
    pub last_contact: Date,
}

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

    fn first_decision(&self) -> Option<&DecisionRecord> {
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

    /// Closes a scheduled claim whose claimant has not been in contact for six weeks.
    pub fn close_no_show(&mut self, today: Date) -> Result<(), RsdError> {
        match &self.stage {
            Stage::Scheduled { .. } => {
                let days = (today - self.last_contact).whole_days();
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
        assert_eq!(
            c.close_no_show(date!(2026 - 04 - 11)),
            Err(RsdError::TooEarlyForNoShow { days: 41 })
        );
        c.close_no_show(date!(2026 - 04 - 12)).expect("closed");
        assert!(c.record_interview(date!(2026 - 04 - 13), "rsd-a").is_err());
        c.reopen(date!(2026 - 05 - 01)).expect("reopen");
        assert_eq!(c.stage, Stage::Pending);
        assert_eq!(c.last_contact, date!(2026 - 05 - 01));
    }
}
