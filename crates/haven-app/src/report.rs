//! The progress report: how far the operation has brought everyone, what is open and
//! for how long, the pledge gap, and when it will be done at the current pace.

use std::collections::{BTreeMap, HashMap};

use haven_core::ledger::Account;
use haven_core::rsd::parse_iso_date;
use serde::Serialize;

use crate::{App, AppError};

/// One step of the funnel: people who have reached it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FunnelStep {
    pub step: &'static str,
    pub people: i64,
}

/// An open status: how many wait in it, and for how long (days).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OpenStatus {
    pub status: String,
    /// Who is accountable for moving it on.
    pub owner: &'static str,
    /// Cases waiting: households (persons for voluntary return).
    pub cases: i64,
    pub longest_wait_days: Option<i64>,
    pub median_wait_days: Option<f64>,
}

/// People needing a place against places pledged and left.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PledgeGap {
    /// Recognised people with the operation, not yet referred (or declined).
    pub people_needing_a_place: i64,
    /// Places of the pledges whose period has not ended.
    pub places_pledged: i64,
    /// Of those, places not taken by people referred and not declined. Criteria are not
    /// counted here: `haven report shortfall` says who can really be placed.
    pub places_left: i64,
    /// People needing a place beyond the places left (0 when all fit).
    pub gap: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProgressReport {
    pub today: String,
    pub funnel: Vec<FunnelStep>,
    pub open: Vec<OpenStatus>,
    pub pledge_gap: PledgeGap,
    /// People still with the operation (at a site, in a unit, in transit).
    pub people_present: i64,
    /// Departures and returns in the last 28 days, and per day.
    pub exits_last_28_days: i64,
    pub exits_per_day: f64,
    /// today + people present / pace; `None` when nobody has left in 28 days.
    pub projected_end: Option<String>,
}

fn days_between(from: &str, to: time::Date) -> Option<i64> {
    let from = parse_iso_date(from.get(..10)?)?;
    Some((to - from).whole_days())
}

fn waits(owner: &'static str, status: &str, mut days: Vec<i64>) -> OpenStatus {
    days.sort_unstable();
    let n = days.len();
    OpenStatus {
        status: status.to_string(),
        owner,
        cases: n as i64,
        longest_wait_days: days.last().copied(),
        median_wait_days: (n > 0).then(|| {
            if n % 2 == 1 {
                days[n / 2] as f64
            } else {
                (days[n / 2 - 1] + days[n / 2]) as f64 / 2.0
            }
        }),
    }
}

impl App {
    /// The progress report of the whole operation.
    pub async fn progress_report(&self) -> Result<ProgressReport, AppError> {
        let today = self.today();
        let day = parse_iso_date(&today)
            .ok_or_else(|| AppError::Refused(format!("bad clock date {today}")))?;
        let ledger = self.ledger().await?;
        let people = self.store.all_people().await?;
        let size: HashMap<&str, i64> = people.iter().fold(HashMap::new(), |mut m, r| {
            *m.entry(r.person.household_id.as_str()).or_default() += 1;
            m
        });
        let present_of: HashMap<&str, i64> =
            people
                .iter()
                .filter(|r| r.place.is_present())
                .fold(HashMap::new(), |mut m, r| {
                    *m.entry(r.person.household_id.as_str()).or_default() += 1;
                    m
                });
        let in_kind = |kind: &str| -> i64 {
            ledger
                .balance
                .accounts
                .iter()
                .filter(|(k, _)| Account::parse(k).is_ok_and(|a| a.kind() == kind))
                .map(|(_, n)| *n)
                .sum()
        };
        let statuses = self.rsd_statuses().await?;
        let decided: i64 = statuses
            .iter()
            .filter(|s| s.outcome.is_some())
            .map(|s| size.get(s.household_id.as_str()).copied().unwrap_or(0))
            .sum();
        let recognised: Vec<&str> = statuses
            .iter()
            .filter(|s| s.recognised)
            .map(|s| s.household_id.as_str())
            .collect();
        let recognised_people: i64 = recognised
            .iter()
            .map(|h| size.get(h).copied().unwrap_or(0))
            .sum();
        let referrals = self.store.referrals().await?;
        let mut referred_households: BTreeMap<&str, &str> = BTreeMap::new();
        for r in &referrals {
            let e = referred_households
                .entry(r.household_id.as_str())
                .or_insert(r.status.as_str());
            if r.status != "declined" {
                *e = r.status.as_str();
            }
        }
        let referred: i64 = referred_households
            .keys()
            .map(|h| size.get(h).copied().unwrap_or(0))
            .sum();
        let accepted: i64 = referrals
            .iter()
            .filter(|r| r.status == "accepted" || r.status == "departed")
            .map(|r| r.people)
            .sum();
        let funnel = vec![
            FunnelStep {
                step: "registered",
                people: ledger.balance.registered,
            },
            FunnelStep {
                step: "relocated",
                people: self.store.people_relocated().await?,
            },
            FunnelStep {
                step: "decided",
                people: decided,
            },
            FunnelStep {
                step: "recognised",
                people: recognised_people,
            },
            FunnelStep {
                step: "referred",
                people: referred,
            },
            FunnelStep {
                step: "accepted",
                people: accepted,
            },
            FunnelStep {
                step: "departed",
                people: in_kind("departed"),
            },
            FunnelStep {
                step: "returned",
                people: in_kind("returned"),
            },
        ];

        // Open statuses, with their owners.
        let mut open = Vec::new();
        let queue = self.rsd_queue(0, None).await?;
        for w in &queue.waiting {
            open.push(OpenStatus {
                status: format!("rsd {}", w.stage),
                owner: "RSD officer",
                cases: w.households,
                longest_wait_days: w.longest_wait_days,
                median_wait_days: w.median_wait_days,
            });
        }
        let waited = |at: &Option<String>, since: &str| {
            days_between(at.as_deref().unwrap_or(since), day).unwrap_or(0)
        };
        let submitted: Vec<i64> = referrals
            .iter()
            .filter(|r| r.status == "submitted")
            .map(|r| waited(&None, &r.submitted_at))
            .collect();
        open.push(waits("country delegation", "referral submitted", submitted));
        let to_depart: Vec<i64> = referrals
            .iter()
            .filter(|r| r.status == "accepted")
            .map(|r| waited(&r.decided_at, &r.submitted_at))
            .collect();
        open.push(waits(
            "resettlement officer",
            "accepted, awaiting departure",
            to_depart,
        ));
        // Return cases by stage (counted; their waiting time is not tracked yet).
        let mut returns: BTreeMap<&'static str, i64> = BTreeMap::new();
        for v in self.voluntary_returns().await? {
            if v.is_open() {
                *returns.entry(v.stage.key()).or_default() += 1;
            }
        }
        for (stage, n) in returns {
            open.push(OpenStatus {
                status: format!("return {stage}"),
                owner: "protection officer",
                cases: n,
                longest_wait_days: None,
                median_wait_days: None,
            });
        }
        // Households whose claim is settled but who have no durable solution under way.
        let returning: std::collections::HashSet<String> = self
            .voluntary_returns()
            .await?
            .into_iter()
            .filter(|v| v.is_open())
            .map(|v| v.person_id)
            .collect();
        let with_open_referral: std::collections::HashSet<&str> = referrals
            .iter()
            .filter(|r| r.status != "declined")
            .map(|r| r.household_id.as_str())
            .collect();
        let mut awaiting_place = 0;
        let mut no_solution = 0;
        for s in &statuses {
            if present_of
                .get(s.household_id.as_str())
                .copied()
                .unwrap_or(0)
                == 0
                || with_open_referral.contains(s.household_id.as_str())
            {
                continue;
            }
            if s.recognised {
                awaiting_place += 1;
            } else if s.is_final && !returning.contains(&s.principal) {
                no_solution += 1;
            }
        }
        for (status, owner, cases) in [
            (
                "recognised, awaiting a place",
                "resettlement officer",
                awaiting_place,
            ),
            (
                "not recognised, no return under way",
                "protection officer",
                no_solution,
            ),
        ] {
            open.push(OpenStatus {
                status: status.to_string(),
                owner,
                cases,
                longest_wait_days: None,
                median_wait_days: None,
            });
        }
        open.retain(|o| o.cases > 0);

        // The pledge gap.
        let referred_open: std::collections::HashSet<&str> = referrals
            .iter()
            .filter(|r| r.status != "declined")
            .map(|r| r.household_id.as_str())
            .collect();
        let needing: i64 = recognised
            .iter()
            .filter(|h| !referred_open.contains(*h))
            .map(|h| present_of.get(h).copied().unwrap_or(0))
            .sum();
        // Only pledges whose period has not ended can still take anyone.
        let pledges: Vec<_> = self
            .store
            .pledges()
            .await?
            .into_iter()
            .filter(|p| p.period_end.as_str() >= today.as_str())
            .collect();
        let places_pledged: i64 = pledges.iter().map(|p| i64::from(p.places)).sum();
        let mut used: HashMap<&str, i64> = HashMap::new();
        for r in referrals.iter().filter(|r| r.status != "declined") {
            *used.entry(r.pledge_id.as_str()).or_default() += r.people;
        }
        let places_left: i64 = pledges
            .iter()
            .map(|p| {
                (i64::from(p.places) - used.get(p.pledge_id.as_str()).copied().unwrap_or(0)).max(0)
            })
            .sum();

        let people_present = people.iter().filter(|r| r.place.is_present()).count() as i64;
        let since = (day - time::Duration::days(27)).to_string();
        let exits = self.store.exits_since(&since).await?;
        let per_day = exits as f64 / 28.0;
        let projected_end = (exits > 0).then(|| {
            let days = (people_present * 28 + exits - 1) / exits;
            (day + time::Duration::days(days)).to_string()
        });
        Ok(ProgressReport {
            today,
            funnel,
            open,
            pledge_gap: PledgeGap {
                people_needing_a_place: needing,
                places_pledged,
                places_left,
                gap: (needing - places_left).max(0),
            },
            people_present,
            exits_last_28_days: exits,
            exits_per_day: per_day,
            projected_end,
        })
    }
}
