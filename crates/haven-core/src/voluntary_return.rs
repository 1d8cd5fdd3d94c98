//! Voluntary return: one person's return to the country of origin, as a state machine.
//!
//! ```text
//! counselled ─sign consent─▶ consent_signed ─verify (another officer)─▶ verified
//!     ▲                                                                    │ schedule (date)
//!     │ counsel again                                                      ▼
//! withdrawn ◀──────── withdraw (at any time until departure) ───────── scheduled ─depart─▶ departed
//! ```
//!
//! A return must be truly voluntary, so the only path to `departed` runs through a
//! signed consent, verified in an interview by a different officer than the counsellor
//! as free and informed, and not withdrawn since. A person may withdraw consent at any
//! moment before departure, without giving a reason; the withdrawal is recorded and the
//! return goes back to `withdrawn`, from which the person must be counselled again and
//! sign (and have verified) a new consent before a return can be scheduled again.
//!
//! Pure: the store keeps returns, use cases call these transitions and record what they
//! return (a departure is the ledger movement to the returned account), and
//! `haven return` drives them. See docs/resettlement-domain.md.

use serde::{Deserialize, Serialize};
use thiserror::Error;
use time::Date;

use crate::rsd::iso;
use crate::validate;

/// A counselling session: what return means, the alternatives, the person's rights.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counselling {
    #[serde(with = "iso")]
    pub on: Date,
    pub counsellor: String,
}

/// The signed consent record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    #[serde(with = "iso")]
    pub signed_on: Date,
    /// Reference of the signed form (document number or scan id).
    pub document: String,
}

/// The verification interview: another officer found the decision free and informed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verification {
    #[serde(with = "iso")]
    pub on: Date,
    pub officer: String,
}

/// A recorded withdrawal of consent (or of the wish to return).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Withdrawal {
    #[serde(with = "iso")]
    pub on: Date,
    /// The stage the return was in (its key).
    pub from: String,
    /// Who recorded it.
    pub recorded_by: String,
    /// The person's reason, if they gave one (they need not).
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ReturnStage {
    Counselled {
        counselling: Counselling,
    },
    ConsentSigned {
        counselling: Counselling,
        consent: Consent,
    },
    Verified {
        counselling: Counselling,
        consent: Consent,
        verification: Verification,
    },
    Scheduled {
        counselling: Counselling,
        consent: Consent,
        verification: Verification,
        #[serde(with = "iso")]
        departure_on: Date,
    },
    Departed {
        counselling: Counselling,
        consent: Consent,
        verification: Verification,
        #[serde(with = "iso")]
        departed_on: Date,
    },
    Withdrawn {
        #[serde(with = "iso")]
        on: Date,
    },
}

/// Every stage key, in the order of a return's life.
pub const STAGE_KEYS: [&str; 6] = [
    "counselled",
    "consent_signed",
    "verified",
    "scheduled",
    "departed",
    "withdrawn",
];

impl ReturnStage {
    /// The stage's key as stored and reported (see [`STAGE_KEYS`]).
    pub fn key(&self) -> &'static str {
        match self {
            ReturnStage::Counselled { .. } => "counselled",
            ReturnStage::ConsentSigned { .. } => "consent_signed",
            ReturnStage::Verified { .. } => "verified",
            ReturnStage::Scheduled { .. } => "scheduled",
            ReturnStage::Departed { .. } => "departed",
            ReturnStage::Withdrawn { .. } => "withdrawn",
        }
    }

    /// The stage as a caseworker reads it.
    pub fn label(&self) -> &'static str {
        match self {
            ReturnStage::Counselled { .. } => "counselled",
            ReturnStage::ConsentSigned { .. } => "consent signed, not yet verified",
            ReturnStage::Verified { .. } => "consent verified",
            ReturnStage::Scheduled { .. } => "scheduled",
            ReturnStage::Departed { .. } => "departed",
            ReturnStage::Withdrawn { .. } => "withdrawn",
        }
    }

    /// The latest date recorded in this stage: no later step may be dated before it.
    fn last_date(&self) -> Date {
        match self {
            ReturnStage::Counselled { counselling } => counselling.on,
            ReturnStage::ConsentSigned { consent, .. } => consent.signed_on,
            ReturnStage::Verified { verification, .. } => verification.on,
            ReturnStage::Scheduled { verification, .. } => verification.on,
            ReturnStage::Departed { departed_on, .. } => *departed_on,
            ReturnStage::Withdrawn { on } => *on,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ReturnError {
    #[error("the return is {0}; {1}")]
    WrongStage(&'static str, &'static str),
    #[error("the verification must be done by another officer than {0}, who counselled")]
    SameOfficer(String),
    #[error("{0} is before {1}, the date of the previous step")]
    BeforeEarlierStep(Date, Date),
    #[error("the return is scheduled for {0}; until that day the person may still withdraw")]
    BeforeScheduledDeparture(Date),
    #[error("a signed consent needs the reference of the signed form")]
    NoConsentDocument,
    #[error("the officer's id is required")]
    NoOfficer,
    #[error("country of return '{country}' {message}")]
    Country { country: String, message: String },
    #[error("the person departed on {0}; a departed return cannot change")]
    AlreadyDeparted(Date),
    #[error("consent was already withdrawn on {0}")]
    AlreadyWithdrawn(Date),
}

/// One person's voluntary return.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoluntaryReturn {
    pub person_id: String,
    /// Country of origin, ISO 3166-1 alpha-3.
    pub country: String,
    pub stage: ReturnStage,
    /// Every withdrawal, oldest first.
    pub withdrawals: Vec<Withdrawal>,
}

fn officer_id(officer: &str) -> Result<String, ReturnError> {
    let o = officer.trim();
    if o.is_empty() {
        Err(ReturnError::NoOfficer)
    } else {
        Ok(o.to_string())
    }
}

impl VoluntaryReturn {
    /// Opens a return with its first counselling session.
    pub fn start(
        person_id: impl Into<String>,
        country: &str,
        on: Date,
        counsellor: &str,
    ) -> Result<Self, ReturnError> {
        let country = validate::country(country).map_err(|e| ReturnError::Country {
            country: country.to_string(),
            message: e.message,
        })?;
        Ok(VoluntaryReturn {
            person_id: person_id.into(),
            country,
            stage: ReturnStage::Counselled {
                counselling: Counselling {
                    on,
                    counsellor: officer_id(counsellor)?,
                },
            },
            withdrawals: Vec::new(),
        })
    }

    /// Whether the person holds a verified consent that has not been withdrawn: the only
    /// condition under which a return may be scheduled or depart.
    pub fn has_verified_consent(&self) -> bool {
        matches!(
            self.stage,
            ReturnStage::Verified { .. } | ReturnStage::Scheduled { .. }
        )
    }

    /// The country the person returned to, once departed.
    pub fn returned_to(&self) -> Option<&str> {
        matches!(self.stage, ReturnStage::Departed { .. }).then_some(self.country.as_str())
    }

    /// Whether the return is still in process (neither departed nor withdrawn).
    pub fn is_open(&self) -> bool {
        !matches!(
            self.stage,
            ReturnStage::Departed { .. } | ReturnStage::Withdrawn { .. }
        )
    }

    fn not_before(&self, on: Date) -> Result<(), ReturnError> {
        let last = self.stage.last_date();
        if on < last {
            return Err(ReturnError::BeforeEarlierStep(on, last));
        }
        Ok(())
    }

    fn refuse(&self, why: &'static str) -> ReturnError {
        match self.stage {
            ReturnStage::Departed { departed_on, .. } => ReturnError::AlreadyDeparted(departed_on),
            ref s => ReturnError::WrongStage(s.label(), why),
        }
    }

    /// Records a counselling session: another session before consent, or counselling
    /// again after a withdrawal (which a new consent requires).
    pub fn counsel(&mut self, on: Date, counsellor: &str) -> Result<(), ReturnError> {
        let counsellor = officer_id(counsellor)?;
        match self.stage {
            ReturnStage::Counselled { .. } | ReturnStage::Withdrawn { .. } => {
                self.not_before(on)?;
                self.stage = ReturnStage::Counselled {
                    counselling: Counselling { on, counsellor },
                };
                Ok(())
            }
            _ => Err(self.refuse(
                "counselling again is for a person who has not signed, or who withdrew; withdraw the consent first",
            )),
        }
    }

    /// Records the signed consent, after counselling.
    pub fn sign_consent(&mut self, on: Date, document: &str) -> Result<(), ReturnError> {
        if document.trim().is_empty() {
            return Err(ReturnError::NoConsentDocument);
        }
        match &self.stage {
            ReturnStage::Counselled { counselling } => {
                self.not_before(on)?;
                self.stage = ReturnStage::ConsentSigned {
                    counselling: counselling.clone(),
                    consent: Consent {
                        signed_on: on,
                        document: document.trim().to_string(),
                    },
                };
                Ok(())
            }
            ReturnStage::Withdrawn { .. } => {
                Err(self.refuse("the person must be counselled again before signing a new consent"))
            }
            _ => Err(self.refuse("a consent is already signed")),
        }
    }

    /// Records the verification interview by `officer`, who must not be the counsellor.
    pub fn verify(&mut self, on: Date, officer: &str) -> Result<(), ReturnError> {
        let officer = officer_id(officer)?;
        match &self.stage {
            ReturnStage::ConsentSigned {
                counselling,
                consent,
            } => {
                if counselling.counsellor == officer {
                    return Err(ReturnError::SameOfficer(officer));
                }
                self.not_before(on)?;
                self.stage = ReturnStage::Verified {
                    counselling: counselling.clone(),
                    consent: consent.clone(),
                    verification: Verification { on, officer },
                };
                Ok(())
            }
            ReturnStage::Counselled { .. } => Err(self.refuse("there is no signed consent to verify")),
            ReturnStage::Withdrawn { .. } => Err(self.refuse(
                "the consent was withdrawn; counsel the person again and record a new signed consent first",
            )),
            _ => Err(self.refuse("the consent is already verified")),
        }
    }

    /// Sets (or moves) the departure date; only with a verified, unwithdrawn consent.
    pub fn schedule(&mut self, departure_on: Date) -> Result<(), ReturnError> {
        match &self.stage {
            ReturnStage::Verified {
                counselling,
                consent,
                verification,
            }
            | ReturnStage::Scheduled {
                counselling,
                consent,
                verification,
                ..
            } => {
                self.not_before(departure_on)?;
                self.stage = ReturnStage::Scheduled {
                    counselling: counselling.clone(),
                    consent: consent.clone(),
                    verification: verification.clone(),
                    departure_on,
                };
                Ok(())
            }
            ReturnStage::Withdrawn { .. } => Err(self.refuse(
                "the consent was withdrawn; a return is scheduled only after a new consent is signed and verified",
            )),
            _ => Err(self.refuse(
                "a return can be scheduled only after the consent is verified by another officer than the counsellor",
            )),
        }
    }

    /// Records the departure to the country of origin: the person leaves the books for
    /// the returned account.
    pub fn depart(&mut self, on: Date) -> Result<(), ReturnError> {
        match &self.stage {
            ReturnStage::Scheduled {
                counselling,
                consent,
                verification,
                departure_on,
            } => {
                self.not_before(on)?;
                // Until the day itself the person may still withdraw.
                if on < *departure_on {
                    return Err(ReturnError::BeforeScheduledDeparture(*departure_on));
                }
                self.stage = ReturnStage::Departed {
                    counselling: counselling.clone(),
                    consent: consent.clone(),
                    verification: verification.clone(),
                    departed_on: on,
                };
                Ok(())
            }
            ReturnStage::Withdrawn { .. } => Err(self.refuse(
                "the consent was withdrawn; nobody returns without a new, verified consent",
            )),
            _ => Err(self
                .refuse("a person departs only on a scheduled return, after a verified consent")),
        }
    }

    /// Records that the person withdrew: possible at any moment until departure.
    pub fn withdraw(
        &mut self,
        on: Date,
        recorded_by: &str,
        reason: Option<&str>,
    ) -> Result<(), ReturnError> {
        let recorded_by = officer_id(recorded_by)?;
        match self.stage {
            ReturnStage::Departed { departed_on, .. } => {
                Err(ReturnError::AlreadyDeparted(departed_on))
            }
            ReturnStage::Withdrawn { on: earlier } => Err(ReturnError::AlreadyWithdrawn(earlier)),
            ReturnStage::Scheduled {
                verification: ref v,
                ..
            } => {
                // A departure date may lie ahead; a withdrawal only has to follow the
                // verification.
                if on < v.on {
                    return Err(ReturnError::BeforeEarlierStep(on, v.on));
                }
                self.record_withdrawal(on, recorded_by, reason);
                Ok(())
            }
            _ => {
                self.not_before(on)?;
                self.record_withdrawal(on, recorded_by, reason);
                Ok(())
            }
        }
    }

    fn record_withdrawal(&mut self, on: Date, recorded_by: String, reason: Option<&str>) {
        self.withdrawals.push(Withdrawal {
            on,
            from: self.stage.key().to_string(),
            recorded_by,
            reason: reason
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(str::to_string),
        });
        self.stage = ReturnStage::Withdrawn { on };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    fn verified() -> VoluntaryReturn {
        let mut r = VoluntaryReturn::start("P-1", "IRQ", date!(2026 - 05 - 01), "O-1")
            .unwrap_or_else(|e| panic!("{e}"));
        r.sign_consent(date!(2026 - 05 - 03), "VR-0001")
            .unwrap_or_else(|e| panic!("{e}"));
        r.verify(date!(2026 - 05 - 05), "O-2")
            .unwrap_or_else(|e| panic!("{e}"));
        r
    }

    #[test]
    fn the_only_path_to_departure() {
        let mut r = VoluntaryReturn::start("P-1", "IRQ", date!(2026 - 05 - 01), "O-1")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            r.schedule(date!(2026 - 06 - 01)).map_err(|e| e.to_string()),
            Err("the return is counselled; a return can be scheduled only after the consent is verified by another officer than the counsellor".into())
        );
        assert_eq!(
            r.verify(date!(2026 - 05 - 02), "O-2"),
            Err(ReturnError::WrongStage(
                "counselled",
                "there is no signed consent to verify"
            ))
        );
        assert_eq!(
            r.sign_consent(date!(2026 - 05 - 03), " "),
            Err(ReturnError::NoConsentDocument)
        );
        r.sign_consent(date!(2026 - 05 - 03), "VR-0001")
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(!r.has_verified_consent());
        assert!(r.depart(date!(2026 - 05 - 04)).is_err());
        assert_eq!(
            r.verify(date!(2026 - 05 - 05), "O-1")
                .map_err(|e| e.to_string()),
            Err("the verification must be done by another officer than O-1, who counselled".into())
        );
        r.verify(date!(2026 - 05 - 05), "O-2")
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(r.has_verified_consent());
        assert!(r.depart(date!(2026 - 05 - 06)).is_err());
        r.schedule(date!(2026 - 06 - 01))
            .unwrap_or_else(|e| panic!("{e}"));
        r.schedule(date!(2026 - 06 - 08))
            .unwrap_or_else(|e| panic!("rescheduling: {e}"));
        assert_eq!(r.returned_to(), None);
        r.depart(date!(2026 - 06 - 08))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.returned_to(), Some("IRQ"));
        assert_eq!(r.stage.key(), "departed");
        assert!(!r.is_open());
        assert_eq!(
            r.withdraw(date!(2026 - 06 - 09), "O-3", None)
                .map_err(|e| e.to_string()),
            Err("the person departed on 2026-06-08; a departed return cannot change".into())
        );
    }

    #[test]
    fn withdrawal_at_any_time_until_departure_needs_new_counselling_and_consent() {
        let mut r = verified();
        r.schedule(date!(2026 - 06 - 01))
            .unwrap_or_else(|e| panic!("{e}"));
        // Withdrawn before the scheduled day; no reason needs to be given.
        r.withdraw(date!(2026 - 05 - 20), "O-3", Some("  "))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.stage.key(), "withdrawn");
        assert!(!r.has_verified_consent());
        assert_eq!(
            r.withdrawals,
            [Withdrawal {
                on: date!(2026 - 05 - 20),
                from: "scheduled".into(),
                recorded_by: "O-3".into(),
                reason: None
            }]
        );
        assert_eq!(
            r.withdraw(date!(2026 - 05 - 21), "O-3", None),
            Err(ReturnError::AlreadyWithdrawn(date!(2026 - 05 - 20)))
        );
        assert_eq!(
            r.depart(date!(2026 - 06 - 01)).map_err(|e| e.to_string()),
            Err("the return is withdrawn; the consent was withdrawn; nobody returns without a new, verified consent".into())
        );
        assert!(r.schedule(date!(2026 - 06 - 01)).is_err());
        assert!(r.verify(date!(2026 - 06 - 01), "O-4").is_err());
        assert!(r.sign_consent(date!(2026 - 06 - 01), "VR-0002").is_err());
        assert_eq!(
            r.counsel(date!(2026 - 05 - 19), "O-2"),
            Err(ReturnError::BeforeEarlierStep(
                date!(2026 - 05 - 19),
                date!(2026 - 05 - 20)
            ))
        );
        // Counselled again by O-2, who verified before: now O-2 may not verify.
        r.counsel(date!(2026 - 07 - 01), "O-2")
            .unwrap_or_else(|e| panic!("{e}"));
        r.sign_consent(date!(2026 - 07 - 02), "VR-0002")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            r.verify(date!(2026 - 07 - 03), "O-2"),
            Err(ReturnError::SameOfficer("O-2".into()))
        );
        r.withdraw(
            date!(2026 - 07 - 03),
            "O-1",
            Some("wants to wait for news from home"),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.withdrawals.len(), 2);
        assert_eq!(r.withdrawals[1].from, "consent_signed");
        assert_eq!(
            r.withdrawals[1].reason.as_deref(),
            Some("wants to wait for news from home")
        );
    }

    #[test]
    fn dates_follow_the_steps_and_bad_input_is_refused() {
        assert!(matches!(
            VoluntaryReturn::start("P-1", "Iraq", date!(2026 - 05 - 01), "O-1"),
            Err(ReturnError::Country { .. })
        ));
        assert_eq!(
            VoluntaryReturn::start("P-1", "IRQ", date!(2026 - 05 - 01), " "),
            Err(ReturnError::NoOfficer)
        );
        let mut r = VoluntaryReturn::start("P-1", "IRQ", date!(2026 - 05 - 01), "O-1")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            r.sign_consent(date!(2026 - 04 - 30), "VR-1")
                .map_err(|e| e.to_string()),
            Err("2026-04-30 is before 2026-05-01, the date of the previous step".into())
        );
        let mut v = verified();
        assert!(v.schedule(date!(2026 - 05 - 04)).is_err());
        assert!(v.withdraw(date!(2026 - 05 - 04), "O-1", None).is_err());
        assert!(v.counsel(date!(2026 - 05 - 06), "O-3").is_err());
        // A failed step changes nothing.
        let before = v.clone();
        assert!(v.verify(date!(2026 - 05 - 06), "O-3").is_err());
        assert_eq!(v, before);
        r.counsel(date!(2026 - 05 - 02), "O-3")
            .unwrap_or_else(|e| panic!("a second session: {e}"));
        assert!(
            matches!(&r.stage, ReturnStage::Counselled { counselling } if counselling.counsellor == "O-3")
        );
    }

    #[test]
    fn returns_serialise_with_iso_dates_and_round_trip() {
        let mut r = verified();
        r.schedule(date!(2026 - 06 - 01))
            .unwrap_or_else(|e| panic!("{e}"));
        let json = serde_json::to_string(&r).unwrap_or_default();
        assert!(json.contains("\"status\":\"scheduled\""), "{json}");
        assert!(json.contains("\"departure_on\":\"2026-06-01\""), "{json}");
        let back: VoluntaryReturn = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back, r);
        for k in STAGE_KEYS {
            assert!(!k.contains(' '));
        }
    }

    #[derive(Debug, Clone)]
    enum Op {
        Counsel(u8),
        Sign,
        Verify(u8),
        Schedule,
        Depart,
        Withdraw,
    }

    fn arb_op() -> impl Strategy<Value = Op> {
        // Weighted so that many sequences get far enough to depart (or nearly).
        prop_oneof![
            2 => (0u8..3).prop_map(Op::Counsel),
            3 => Just(Op::Sign),
            3 => (0u8..3).prop_map(Op::Verify),
            3 => Just(Op::Schedule),
            3 => Just(Op::Depart),
            1 => Just(Op::Withdraw),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1024))]
        #[test]
        fn departure_only_with_the_last_consent_verified_by_another_officer_and_not_withdrawn(
            ops in prop::collection::vec((arb_op(), 0i64..3), 0..24)
        ) {
            let mut day = date!(2026 - 01 - 01);
            let mut r: Option<VoluntaryReturn> = None;
            // The operations that succeeded, with the officer they named.
            let mut done: Vec<(&'static str, String)> = Vec::new();
            for (op, gap) in &ops {
                day += time::Duration::days(*gap);
                let officer = |i: &u8| format!("O-{i}");
                let Some(ret) = r.as_mut() else {
                    if let Op::Counsel(i) = op {
                        r = VoluntaryReturn::start("P-1", "AFG", day, &officer(i)).ok();
                        done.push(("counsel", officer(i)));
                    }
                    continue;
                };
                let before = ret.clone();
                let (name, who, result) = match op {
                    Op::Counsel(i) => ("counsel", officer(i), ret.counsel(day, &officer(i))),
                    Op::Sign => ("sign", String::new(), ret.sign_consent(day, "VR-1")),
                    Op::Verify(i) => ("verify", officer(i), ret.verify(day, &officer(i))),
                    Op::Schedule => ("schedule", String::new(), ret.schedule(day)),
                    Op::Depart => ("depart", String::new(), ret.depart(day)),
                    Op::Withdraw => ("withdraw", "O-9".to_string(), ret.withdraw(day, "O-9", None)),
                };
                match result {
                    Ok(()) => done.push((name, who)),
                    Err(_) => prop_assert_eq!(&*ret, &before, "a refused step changed the return"),
                }
            }
            let Some(r) = r else { return Ok(()) };
            let withdrawals = done.iter().filter(|(n, _)| *n == "withdraw").count();
            prop_assert_eq!(r.withdrawals.len(), withdrawals);
            if r.stage.key() == "departed" {
                let sign = done.iter().rposition(|(n, _)| *n == "sign");
                prop_assert!(sign.is_some(), "departed without consent: {:?}", done);
                let sign = sign.unwrap_or_default();
                let counsellor = done[..sign].iter().rev().find(|(n, _)| *n == "counsel").map(|(_, w)| w);
                let after = &done[sign..];
                let verifier = after.iter().find(|(n, _)| *n == "verify").map(|(_, w)| w);
                prop_assert!(verifier.is_some(), "departed with unverified consent: {:?}", done);
                prop_assert!(counsellor.is_some());
                prop_assert_ne!(verifier, counsellor, "verified by the counsellor: {:?}", done);
                prop_assert!(!after.iter().any(|(n, _)| *n == "withdraw"), "departed after withdrawal: {:?}", done);
                prop_assert!(after.iter().any(|(n, _)| *n == "schedule"));
                prop_assert_eq!(r.returned_to(), Some("AFG"));
            } else {
                prop_assert_eq!(r.returned_to(), None);
            }
        }
    }
}
