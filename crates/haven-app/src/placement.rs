//! Placement runs and referrals: recognised households placed where pledged places
//! exist, by the optimiser (`haven-optim`), as a recommendation an officer approves;
//! then each country's decision, and departure.
//!
//! A run takes every recognised household with no open referral (submitted, accepted or
//! departed; a declined household is back in the pool) and every pledge open today with
//! places left (places pledged less people referred and not declined).

use std::collections::{BTreeMap, HashMap, HashSet};

use haven_core::ledger::Account;
use haven_core::placement::{
    OpenPledge, PlacementInputs, Submission, SubmissionCategory, SubmissionPriority, Weights,
    build_inputs,
};
use haven_core::registry::{Household, Person};
use haven_optim::{Mode, ProblemBuilder, Sense, SolveOptions, explain, solve};
use haven_store::{MovementRow, NewRun, ReferralRecord, RunRecord};
use serde::{Deserialize, Serialize};

use crate::{App, AppError, Ctx};

fn refused(message: impl Into<String>) -> AppError {
    AppError::Refused(message.into())
}

fn io(e: impl std::fmt::Display) -> AppError {
    AppError::Io(e.to_string())
}

/// What `placement run` is asked to do.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRequest {
    pub weights: Weights,
    pub time_limit_ms: u64,
    pub seed: u64,
}

/// One pledge in a run: its places left and how many the run uses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PledgeUse {
    pub pledge_id: String,
    pub country: String,
    pub places_left: u32,
    pub places_used: u32,
    /// Value one more place would bring (the optimiser's shadow price).
    pub shadow_price: f64,
}

/// One household's place in a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Placement {
    pub household_id: String,
    pub people: u32,
    pub pledge_id: String,
    pub country: String,
    pub value: f64,
    /// How the value was made up (`4 × (base 10 + urgent 30 + ...) = 328`).
    pub value_breakdown: String,
}

/// A household the run could not place, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unplaced {
    pub household_id: String,
    pub people: u32,
    /// `no_eligible_pledge` or `places_exhausted` (or `not_worth_it`).
    pub reason: String,
    /// For a household eligible nowhere: each pledge and why not.
    pub ineligible: Vec<String>,
}

/// What a run stores as its result and shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunResult {
    pub households_considered: usize,
    pub people_considered: u64,
    pub places_left: u64,
    pub people_placed: u64,
    pub objective: Option<f64>,
    pub bound: Option<f64>,
    pub gap: Option<f64>,
    pub optimal: bool,
    pub time_ms: u64,
    pub pledges: Vec<PledgeUse>,
    pub placements: Vec<Placement>,
    pub unplaced: Vec<Unplaced>,
    /// The optimiser's answer, kept for what-if re-solves from it.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub solution: Option<haven_optim::Solution>,
}

/// One pledge in the shortfall report: what one more place there would bring.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PledgeMargin {
    pub pledge_id: String,
    pub country: String,
    pub places_left: u32,
    pub places_used: u32,
    /// Value one more place would bring (the optimiser's shadow price).
    pub shadow_price: f64,
    /// People placed with one more place here, less people placed now (re-solved).
    pub more_people_for_one_more_place: i64,
}

/// Who cannot be placed under the current pledges, and why; and where one more place
/// would help most — the figures to take to the next pledging conference.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShortfallReport {
    pub households_waiting: usize,
    pub people_waiting: u64,
    pub places_left: u64,
    pub people_placeable: u64,
    /// Reason → (households, people).
    pub by_reason: BTreeMap<String, (usize, u64)>,
    pub unplaced: Vec<Unplaced>,
    pub pledges: Vec<PledgeMargin>,
}

/// What one change of a pledge's places would do to a run (a warm re-solve from it).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WhatIf {
    pub run_id: String,
    pub pledge_id: String,
    pub places_before: u32,
    pub places_after: u32,
    pub value_before: Option<f64>,
    pub value_after: Option<f64>,
    pub people_placed_before: u64,
    pub people_placed_after: u64,
    pub households_placed_before: usize,
    pub households_placed_after: usize,
    /// The shadow price's estimate of the change in value.
    pub estimate: f64,
    pub time_ms: u64,
}

/// A run as shown: its record and its result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunView {
    pub run_id: String,
    pub status: String,
    pub created_at: String,
    pub actor: String,
    pub approved_at: Option<String>,
    pub approved_by: Option<String>,
    pub weights: Weights,
    #[serde(flatten)]
    pub result: RunResult,
}

/// A pledge now: its places, those taken by people referred and not declined, and
/// those left; whether its period is open today or yet to come.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PledgePlaces {
    #[serde(flatten)]
    pub pledge: haven_core::pledge::Pledge,
    pub places_referred: u32,
    pub places_left: u32,
    /// The period has not ended: a placement run may still use the pledge.
    pub usable: bool,
}

/// A country's answer to a referral.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CountryDecision {
    /// Accepted, departure planned on this day (`YYYY-MM-DD`).
    Accept { departure_date: String },
    /// Declined, with the reason given.
    Decline { reason: String },
}

/// The submission of a household: priority and category from its recorded attributes
/// (`submission_priority`, `submission_category` on any member), else the category
/// follows its specific needs; outcome scores from `outcome_score` (`CAN:0.7,DEU:0.4`).
fn submission(household: Household) -> Submission {
    let attr = |key: &str| {
        household
            .members
            .iter()
            .find_map(|m| m.attributes.get(key).cloned())
    };
    let priority = match attr("submission_priority").as_deref() {
        Some("emergency") => SubmissionPriority::Emergency,
        Some("urgent") => SubmissionPriority::Urgent,
        _ => SubmissionPriority::Normal,
    };
    let needs: HashSet<&str> = household
        .members
        .iter()
        .flat_map(|m| m.specific_needs.iter())
        .filter_map(|c| c.split('-').next())
        .collect();
    let category = attr("submission_category")
        .and_then(|c| SubmissionCategory::parse(&c))
        .or_else(|| {
            [
                ("TR", SubmissionCategory::SurvivorsOfViolenceTorture),
                ("LP", SubmissionCategory::LegalPhysicalProtection),
                ("SM", SubmissionCategory::MedicalNeeds),
                ("DS", SubmissionCategory::MedicalNeeds),
                ("WR", SubmissionCategory::WomenAndGirlsAtRisk),
                ("CR", SubmissionCategory::ChildrenAtRisk),
                ("SC", SubmissionCategory::ChildrenAtRisk),
                ("FU", SubmissionCategory::FamilyReunification),
            ]
            .into_iter()
            .find(|(code, _)| needs.contains(code))
            .map(|(_, c)| c)
        })
        .or(Some(SubmissionCategory::LackOfAlternativeSolutions));
    // A score that does not read as a number is kept as NaN, so that the run is refused
    // naming the household and the country rather than the score silently ignored.
    let outcome_scores: BTreeMap<String, f64> = attr("outcome_score")
        .map(|text| {
            text.split(',')
                .filter_map(|pair| {
                    let (country, score) = pair.split_once(':')?;
                    Some((
                        country.trim().to_ascii_uppercase(),
                        score.trim().parse::<f64>().unwrap_or(f64::NAN),
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    Submission {
        household,
        priority,
        category,
        outcome_scores,
    }
}

/// People referred to each pledge and not declined.
fn referred_per_pledge(referrals: &[ReferralRecord]) -> HashMap<&str, u32> {
    let mut out: HashMap<&str, u32> = HashMap::new();
    for r in referrals.iter().filter(|r| r.status != "declined") {
        *out.entry(r.pledge_id.as_str()).or_default() += u32::try_from(r.people).unwrap_or(0);
    }
    out
}

impl App {
    /// The optimiser's inputs now: recognised households with no open referral, present
    /// members only, and open pledges with places left.
    async fn placement_inputs(&self, weights: &Weights) -> Result<PlacementInputs, AppError> {
        let today = self.today();
        let on = self.today_day()?;
        let referrals = self.store.referrals().await?;
        let open: HashSet<&str> = referrals
            .iter()
            .filter(|r| r.status != "declined")
            .map(|r| r.household_id.as_str())
            .collect();
        let recognised: HashSet<String> = self
            .rsd_statuses()
            .await?
            .into_iter()
            .filter(|s| s.recognised)
            .map(|s| s.household_id)
            .collect();
        let mut households: BTreeMap<String, Vec<Person>> = BTreeMap::new();
        for r in self.store.all_people().await? {
            let h = &r.person.household_id;
            if recognised.contains(h) && !open.contains(h.as_str()) && r.place.is_present() {
                households.entry(h.clone()).or_default().push(r.person);
            }
        }
        let submissions: Vec<Submission> = households
            .into_iter()
            .map(|(household_id, members)| {
                submission(Household {
                    household_id,
                    members,
                })
            })
            .collect();
        let used = referred_per_pledge(&referrals);
        let pledges: Vec<OpenPledge> = self
            .store
            .pledges()
            .await?
            .into_iter()
            .filter(|p| p.period_end.as_str() >= today.as_str())
            // A full pledge stays in: households it would take are told its places are
            // exhausted (not that they are ineligible), and its shadow price is shown.
            .map(|p| {
                let left = p
                    .places
                    .saturating_sub(used.get(p.pledge_id.as_str()).copied().unwrap_or(0));
                OpenPledge {
                    pledge: p,
                    places_left: left,
                }
            })
            .collect();
        let mut inputs = build_inputs(&submissions, &pledges, weights, on)
            .map_err(|e| refused(e.to_string()))?;
        // A country that declined a household is not proposed for it again.
        let declined: HashSet<(&str, &str)> = referrals
            .iter()
            .filter(|r| r.status == "declined")
            .map(|r| (r.household_id.as_str(), r.country.as_str()))
            .collect();
        if !declined.is_empty() {
            let (items, places) = (&inputs.items, &inputs.places);
            let kept: Vec<_> = inputs
                .eligible
                .iter()
                .filter(|p| {
                    !declined.contains(&(
                        items[p.item].household_id.as_str(),
                        places[p.place].country.as_str(),
                    ))
                })
                .cloned()
                .collect();
            inputs.eligible = kept;
        }
        Ok(inputs)
    }

    /// Runs the optimiser on today's recognised households and open pledges and stores
    /// the run (proposed) with its inputs, result, bound, gap and explanation.
    pub async fn placement_run(&self, ctx: &Ctx, req: &RunRequest) -> Result<RunView, AppError> {
        let problems = req.weights.validate();
        if !problems.is_empty() {
            let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
            return Err(refused(format!("weights: {}", text.join("; "))));
        }
        let inputs = self.placement_inputs(&req.weights).await?;
        if inputs.items.is_empty() {
            return Err(refused(
                "no recognised household is waiting for a place (all are referred, or none is recognised yet)",
            ));
        }
        if inputs.places.iter().all(|p| p.capacity == 0) {
            return Err(refused("no pledge is open with places left"));
        }
        let result = optimise(&inputs, req)?;
        let mut w = self.begin(ctx).await?;
        let weights_json = serde_json::to_string(&req.weights).map_err(io)?;
        let inputs_json = serde_json::to_string(&StoredInputs::from(&inputs)).map_err(io)?;
        let result_json = serde_json::to_string(&result).map_err(io)?;
        let run_id = w
            .insert_placement_run(&NewRun {
                weights_json: &weights_json,
                inputs_json: &inputs_json,
                result_json: &result_json,
                objective: result.objective,
                bound: result.bound,
                gap: result.gap,
                optimal: result.optimal,
            })
            .await?;
        w.audit(
            "placement.run",
            "placement_run",
            &run_id,
            "null".into(),
            serde_json::json!({
                "households_considered": result.households_considered,
                "people_placed": result.people_placed,
                "objective": result.objective, "bound": result.bound, "gap": result.gap,
                "weights": req.weights,
            })
            .to_string(),
        );
        w.commit().await?;
        self.placement_show(&run_id).await
    }

    /// A run with its result.
    pub async fn placement_show(&self, run_id: &str) -> Result<RunView, AppError> {
        let r = self
            .store
            .placement_run(run_id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("no placement run with id {run_id}")))?;
        run_view(r)
    }

    /// Placement runs, newest first.
    pub async fn placement_runs(&self) -> Result<Vec<RunView>, AppError> {
        self.store
            .placement_runs()
            .await?
            .into_iter()
            .map(run_view)
            .collect()
    }

    /// Approves a proposed run: each placement becomes a referral to its pledge. Refused
    /// if the run was approved already, or if since the run a household it places was
    /// referred by another run or a pledge it uses no longer has the places.
    pub async fn placement_approve(
        &self,
        ctx: &Ctx,
        run_id: &str,
    ) -> Result<Vec<String>, AppError> {
        let mut w = self.begin(ctx).await?;
        let run = w
            .placement_run(run_id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("no placement run with id {run_id}")))?;
        if run.status == "approved" {
            return Err(refused(format!(
                "placement run {run_id} was approved already, by {} at {}",
                run.approved_by.unwrap_or_default(),
                run.approved_at.unwrap_or_default()
            )));
        }
        let result: RunResult = serde_json::from_str(&run.result_json).map_err(io)?;
        let referrals = w.referrals().await?;
        let open: HashSet<&str> = referrals
            .iter()
            .filter(|r| r.status != "declined")
            .map(|r| r.household_id.as_str())
            .collect();
        if let Some(p) = result
            .placements
            .iter()
            .find(|p| open.contains(p.household_id.as_str()))
        {
            return Err(refused(format!(
                "placement run {run_id} is out of date: household {} has been referred since; make a new run",
                p.household_id
            )));
        }
        // The households must still be as the run saw them: the same members present.
        let households: Vec<String> = result
            .placements
            .iter()
            .map(|p| p.household_id.clone())
            .collect();
        let mut present: HashMap<String, u32> = HashMap::new();
        for m in w.positions_of_households(&households).await? {
            if m.account.is_present() {
                *present.entry(m.household_id).or_default() += 1;
            }
        }
        if let Some(p) = result
            .placements
            .iter()
            .find(|p| present.get(&p.household_id).copied().unwrap_or(0) != p.people)
        {
            return Err(refused(format!(
                "placement run {run_id} is out of date: household {} had {} members present, now {}; make a new run",
                p.household_id,
                p.people,
                present.get(&p.household_id).copied().unwrap_or(0)
            )));
        }
        let used = referred_per_pledge(&referrals);
        for u in &result.pledges {
            let pledged = self.pledge(&u.pledge_id).await?.places;
            let left = pledged.saturating_sub(used.get(u.pledge_id.as_str()).copied().unwrap_or(0));
            if u.places_used > left {
                return Err(refused(format!(
                    "placement run {run_id} is out of date: pledge {} has {left} places left, the run uses {}; make a new run",
                    u.pledge_id, u.places_used
                )));
            }
        }
        let placements: Vec<(String, String, i64)> = result
            .placements
            .iter()
            .map(|p| {
                (
                    p.household_id.clone(),
                    p.pledge_id.clone(),
                    i64::from(p.people),
                )
            })
            .collect();
        let ids = w.approve_placement_run(run_id, &placements).await?;
        w.audit(
            "placement.approve",
            "placement_run",
            run_id,
            serde_json::json!({ "status": "proposed" }).to_string(),
            serde_json::json!({ "status": "approved", "referrals": ids.len() }).to_string(),
        );
        for (id, p) in ids.iter().zip(&result.placements) {
            w.audit(
                "referral.submit",
                "referral",
                id,
                "null".into(),
                serde_json::json!({
                    "household_id": p.household_id, "pledge_id": p.pledge_id,
                    "country": p.country, "people": p.people, "run_id": run_id,
                })
                .to_string(),
            );
        }
        w.commit().await?;
        Ok(ids)
    }

    /// What changing one pledge's places by `delta` would do to a run: a warm re-solve
    /// from the run's answer (the run itself is not changed).
    pub async fn placement_whatif(
        &self,
        run_id: &str,
        pledge_id: &str,
        delta: i64,
        time_limit_ms: u64,
    ) -> Result<WhatIf, AppError> {
        let run = self
            .store
            .placement_run(run_id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("no placement run with id {run_id}")))?;
        let inputs: StoredInputs = serde_json::from_str(&run.inputs_json).map_err(io)?;
        let result: RunResult = serde_json::from_str(&run.result_json).map_err(io)?;
        let previous = result.solution.ok_or_else(|| {
            refused(format!(
                "placement run {run_id} has no stored answer to start from"
            ))
        })?;
        let place = inputs
            .places
            .iter()
            .position(|p| p.pledge_id == pledge_id)
            .ok_or_else(|| {
                AppError::NotFound(format!("pledge {pledge_id} is not part of run {run_id}"))
            })?;
        let before = inputs.places[place].capacity;
        let after = i64::from(before).checked_add(delta).unwrap_or(-1);
        let after = u32::try_from(after).map_err(|_| {
            refused(format!(
                "{pledge_id} has {before} places; it cannot change by {delta}"
            ))
        })?;
        let problem = problem_of(&inputs)?;
        let w = haven_optim::what_if_capacity(
            &problem,
            &previous,
            place,
            0,
            delta as f64,
            &SolveOptions {
                time_limit_ms,
                ..SolveOptions::default()
            },
        )
        .map_err(optim)?;
        let persons = |v: &[f64]| v.first().copied().unwrap_or(0.0).round() as u64;
        Ok(WhatIf {
            run_id: run_id.to_string(),
            pledge_id: pledge_id.to_string(),
            places_before: before,
            places_after: after,
            value_before: w.objective_before,
            value_after: w.objective_after,
            people_placed_before: persons(&w.need_placed_before),
            people_placed_after: persons(&w.need_placed_after),
            households_placed_before: w.items_placed_before,
            households_placed_after: w.items_placed_after,
            estimate: w.estimate,
            time_ms: w.solution.time_ms,
        })
    }

    /// The shortfall now: a placement of today's waiting households on today's pledges
    /// (not stored), who is left out and why, and what one more place in each pledge
    /// would bring.
    pub async fn shortfall(&self, time_limit_ms: u64) -> Result<ShortfallReport, AppError> {
        let req = RunRequest {
            weights: Weights::default(),
            time_limit_ms,
            seed: 0,
        };
        let inputs = self.placement_inputs(&req.weights).await?;
        let mut report = ShortfallReport {
            households_waiting: inputs.items.len(),
            people_waiting: inputs.items.iter().map(|i| u64::from(i.need)).sum(),
            places_left: inputs.places.iter().map(|p| u64::from(p.capacity)).sum(),
            people_placeable: 0,
            by_reason: BTreeMap::new(),
            unplaced: Vec::new(),
            pledges: Vec::new(),
        };
        if inputs.items.is_empty() || inputs.places.is_empty() {
            report.unplaced = inputs
                .items
                .iter()
                .map(|i| Unplaced {
                    household_id: i.household_id.clone(),
                    people: i.need,
                    reason: "no_eligible_pledge".into(),
                    ineligible: Vec::new(),
                })
                .collect();
        } else {
            let result = optimise(&inputs, &req)?;
            let problem = problem_of(&StoredInputs::from(&inputs))?;
            report.people_placeable = result.people_placed;
            if let Some(solution) = &result.solution {
                for (i, u) in result.pledges.iter().enumerate() {
                    let w = haven_optim::what_if_capacity(
                        &problem,
                        solution,
                        i,
                        0,
                        1.0,
                        &SolveOptions {
                            time_limit_ms: (time_limit_ms / 4).max(100),
                            ..SolveOptions::default()
                        },
                    )
                    .map_err(optim)?;
                    let persons = |v: &[f64]| v.first().copied().unwrap_or(0.0).round() as i64;
                    report.pledges.push(PledgeMargin {
                        pledge_id: u.pledge_id.clone(),
                        country: u.country.clone(),
                        places_left: u.places_left,
                        places_used: u.places_used,
                        shadow_price: u.shadow_price,
                        more_people_for_one_more_place: persons(&w.need_placed_after)
                            - persons(&w.need_placed_before),
                    });
                }
            }
            report.unplaced = result.unplaced;
        }
        for u in &report.unplaced {
            let e = report.by_reason.entry(u.reason.clone()).or_default();
            e.0 += 1;
            e.1 += u64::from(u.people);
        }
        Ok(report)
    }

    /// Every pledge with the places referred to it and left, by id: the places a run
    /// counts (places pledged less people referred and not declined).
    pub async fn pledge_places(&self) -> Result<Vec<PledgePlaces>, AppError> {
        let today = self.today();
        let referrals = self.store.referrals().await?;
        let used = referred_per_pledge(&referrals);
        Ok(self
            .store
            .pledges()
            .await?
            .into_iter()
            .map(|p| {
                let referred = used.get(p.pledge_id.as_str()).copied().unwrap_or(0);
                PledgePlaces {
                    places_referred: referred,
                    places_left: p.places.saturating_sub(referred),
                    usable: p.period_end.as_str() >= today.as_str(),
                    pledge: p,
                }
            })
            .collect())
    }

    /// Every referral, oldest first.
    pub async fn referrals(&self) -> Result<Vec<ReferralRecord>, AppError> {
        Ok(self.store.referrals().await?)
    }

    /// Records a country's decision on a submitted referral. A declined household goes
    /// back to the pool for the next run.
    pub async fn referral_decide(
        &self,
        ctx: &Ctx,
        referral_id: &str,
        decision: &CountryDecision,
    ) -> Result<ReferralRecord, AppError> {
        let mut w = self.begin(ctx).await?;
        let r = find_referral(&mut w, referral_id).await?;
        if r.status != "submitted" {
            return Err(refused(format!(
                "referral {referral_id} was {} already{}",
                r.status,
                r.decided_by
                    .as_deref()
                    .map(|b| format!(" (by {b})"))
                    .unwrap_or_default()
            )));
        }
        let (status, reason, date) = match decision {
            CountryDecision::Accept { departure_date } => {
                haven_core::validate::iso_date(departure_date).map_err(|e| {
                    refused(format!("departure date {} ({departure_date})", e.message))
                })?;
                ("accepted", None, Some(departure_date.as_str()))
            }
            CountryDecision::Decline { reason } => {
                if reason.trim().is_empty() {
                    return Err(refused("a declined referral needs the country's reason"));
                }
                ("declined", Some(reason.trim()), None)
            }
        };
        w.update_referral(r.key, status, reason, date).await?;
        w.audit(
            if status == "accepted" {
                "referral.accept"
            } else {
                "referral.decline"
            },
            "referral",
            referral_id,
            serde_json::json!({ "status": r.status }).to_string(),
            serde_json::json!({ "status": status, "reason": reason, "departure_date": date })
                .to_string(),
        );
        w.commit().await?;
        find_referral_read(self, referral_id).await
    }

    /// Departs an accepted referral: the household's members who are present move to
    /// the departed-to-country account.
    pub async fn referral_depart(
        &self,
        ctx: &Ctx,
        referral_id: &str,
    ) -> Result<Vec<String>, AppError> {
        let mut w = self.begin(ctx).await?;
        let r = find_referral(&mut w, referral_id).await?;
        if r.status != "accepted" {
            return Err(refused(format!(
                "referral {referral_id} is {}; only an accepted referral departs",
                r.status
            )));
        }
        let members = w
            .positions_of_households(std::slice::from_ref(&r.household_id))
            .await?;
        let present: Vec<&str> = members
            .iter()
            .filter(|m| m.account.is_present())
            .map(|m| m.person_id.as_str())
            .collect();
        if present.len() as i64 != r.people {
            return Err(refused(format!(
                "referral {referral_id} is for {} people of household {}, but {} are with the operation now ({}); the country must be told before they travel",
                r.people,
                r.household_id,
                present.len(),
                present.join(", ")
            )));
        }
        let returning: HashSet<String> = self
            .store
            .voluntary_returns()
            .await?
            .into_iter()
            .filter(|v| v.is_open())
            .map(|v| v.person_id)
            .collect();
        if let Some(p) = present.iter().find(|p| returning.contains(**p)) {
            return Err(refused(format!(
                "{p} has a voluntary return under way; it must be withdrawn before the household departs for {}",
                r.country
            )));
        }
        let to = Account::Departed(r.country.clone());
        let reason = format!("resettled to {} (referral {referral_id})", r.country);
        let moves: Vec<MovementRow> = members
            .iter()
            .filter(|m| m.account.is_present())
            .map(|m| MovementRow {
                person_key: m.person_key,
                person_id: m.person_id.clone(),
                from: Some(m.account.clone()),
                to: to.clone(),
                reason: reason.clone(),
                split_reason: None,
            })
            .collect();
        if moves.is_empty() {
            return Err(refused(format!(
                "no member of household {} is present to depart",
                r.household_id
            )));
        }
        w.record_movements(&moves).await?;
        w.update_referral(r.key, "departed", None, None).await?;
        let moved: Vec<String> = moves.iter().map(|m| m.person_id.clone()).collect();
        w.audit(
            "referral.depart",
            "referral",
            referral_id,
            serde_json::json!({ "status": "accepted" }).to_string(),
            serde_json::json!({ "status": "departed", "people": moved.len() }).to_string(),
        );
        w.commit().await?;
        Ok(moved)
    }
}

async fn find_referral(
    w: &mut haven_store::Writer,
    referral_id: &str,
) -> Result<ReferralRecord, AppError> {
    w.referrals()
        .await?
        .into_iter()
        .find(|r| r.referral_id == referral_id)
        .ok_or_else(|| AppError::NotFound(format!("no referral with id {referral_id}")))
}

async fn find_referral_read(app: &App, referral_id: &str) -> Result<ReferralRecord, AppError> {
    app.store
        .referrals()
        .await?
        .into_iter()
        .find(|r| r.referral_id == referral_id)
        .ok_or_else(|| AppError::NotFound(format!("no referral with id {referral_id}")))
}

fn run_view(r: RunRecord) -> Result<RunView, AppError> {
    Ok(RunView {
        weights: serde_json::from_str(&r.weights_json).map_err(io)?,
        result: serde_json::from_str(&r.result_json).map_err(io)?,
        run_id: r.run_id,
        status: r.status,
        created_at: r.created_at,
        actor: r.actor,
        approved_at: r.approved_at,
        approved_by: r.approved_by,
    })
}

/// Timings of one placement computed in memory, for `haven bench placement`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BenchFigures {
    pub households: usize,
    pub pledges: usize,
    pub eligible_pairs: usize,
    pub build_inputs_ms: f64,
    pub solve_ms: f64,
    pub serialise_ms: f64,
    pub stored_json_bytes: usize,
    pub whatif_ms: f64,
    pub result: RunResult,
}

/// Runs the placement pipeline in memory — inputs, solve, the JSON a run stores, and a
/// what-if on the first pledge — timing each step.
pub fn bench_placement(
    households: Vec<Household>,
    pledges: &[OpenPledge],
    req: &RunRequest,
    on: haven_core::pledge::Day,
) -> Result<BenchFigures, AppError> {
    let t = std::time::Instant::now();
    let submissions: Vec<Submission> = households.into_iter().map(submission).collect();
    let inputs = build_inputs(&submissions, pledges, &req.weights, on)
        .map_err(|e| refused(e.to_string()))?;
    let build_inputs_ms = t.elapsed().as_secs_f64() * 1000.0;
    let t = std::time::Instant::now();
    let result = optimise(&inputs, req)?;
    let solve_ms = t.elapsed().as_secs_f64() * 1000.0;
    let t = std::time::Instant::now();
    let stored = serde_json::to_string(&StoredInputs::from(&inputs))
        .map_err(io)?
        .len()
        + serde_json::to_string(&result).map_err(io)?.len();
    let serialise_ms = t.elapsed().as_secs_f64() * 1000.0;
    let problem = problem_of(&StoredInputs::from(&inputs))?;
    let t = std::time::Instant::now();
    if let Some(solution) = &result.solution {
        haven_optim::what_if_capacity(
            &problem,
            solution,
            0,
            0,
            10.0,
            &SolveOptions {
                time_limit_ms: 1_000,
                ..SolveOptions::default()
            },
        )
        .map_err(optim)?;
    }
    let whatif_ms = t.elapsed().as_secs_f64() * 1000.0;
    Ok(BenchFigures {
        households: inputs.items.len(),
        pledges: inputs.places.len(),
        eligible_pairs: inputs.eligible.len(),
        build_inputs_ms,
        solve_ms,
        serialise_ms,
        stored_json_bytes: stored,
        whatif_ms,
        result,
    })
}

fn optim(e: haven_optim::OptimError) -> AppError {
    AppError::Io(format!("optimiser: {e}"))
}

/// What a run keeps of its inputs: places, households, and the eligible pairs with
/// their values — enough to rebuild the optimiser's problem for a what-if. The reasons
/// for ineligible pairs are kept in the result, for the households not placed only
/// (all of them would take hundreds of megabytes on a national programme).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredInputs {
    pub places: Vec<haven_core::placement::PlacementPlace>,
    pub items: Vec<haven_core::placement::PlacementItem>,
    /// (item, place, value), sorted by item then place.
    pub eligible: Vec<(usize, usize, f64)>,
}

impl From<&PlacementInputs> for StoredInputs {
    fn from(i: &PlacementInputs) -> Self {
        StoredInputs {
            places: i.places.clone(),
            items: i.items.clone(),
            eligible: i
                .eligible
                .iter()
                .map(|p| (p.item, p.place, p.value))
                .collect(),
        }
    }
}

/// The optimiser's problem: one resource (persons), maximise value, households optional,
/// places and items in the inputs' order.
fn problem_of(inputs: &StoredInputs) -> Result<haven_optim::Problem, AppError> {
    let mut b = ProblemBuilder::new(vec!["persons".into()], Sense::Maximize, Mode::Optional);
    b.name("placement");
    for p in &inputs.places {
        b.place(p.pledge_id.clone(), &[f64::from(p.capacity)])
            .map_err(optim)?;
    }
    let mut pairs = inputs.eligible.iter().peekable();
    for (i, item) in inputs.items.iter().enumerate() {
        b.item(item.household_id.clone(), &[f64::from(item.need)])
            .map_err(optim)?;
        while let Some(&(_, place, value)) = pairs.next_if(|(it, _, _)| *it == i) {
            b.option(place, value).map_err(optim)?;
        }
    }
    b.build().map_err(optim)
}

/// Solves the placement problem; every answer is checked by the optimiser's
/// independent checker before it leaves the library.
fn optimise(inputs: &PlacementInputs, req: &RunRequest) -> Result<RunResult, AppError> {
    let problem = problem_of(&StoredInputs::from(inputs))?;
    let solution = solve(
        &problem,
        &SolveOptions {
            time_limit_ms: req.time_limit_ms,
            seed: req.seed,
            ..SolveOptions::default()
        },
    );
    if !solution.feasible {
        return Err(AppError::Io(
            "the optimiser returned no feasible placement".into(),
        ));
    }
    let explanation = explain(&problem, &solution);
    let mut used = vec![0u32; inputs.places.len()];
    let mut placements = Vec::new();
    let mut unplaced = Vec::new();
    for (i, item) in inputs.items.iter().enumerate() {
        match solution.assignment.get(i).copied().flatten() {
            Some(place) => {
                used[place] += item.need;
                let pair = inputs.eligible_of(i).iter().find(|p| p.place == place);
                placements.push(Placement {
                    household_id: item.household_id.clone(),
                    people: item.need,
                    pledge_id: inputs.places[place].pledge_id.clone(),
                    country: inputs.places[place].country.clone(),
                    value: pair.map_or(0.0, |p| p.value),
                    value_breakdown: pair.map(|p| p.breakdown.to_string()).unwrap_or_default(),
                });
            }
            None => {
                let eligible = !inputs.eligible_of(i).is_empty();
                let reason = if !eligible {
                    "no_eligible_pledge".to_string()
                } else {
                    // The optimiser says `places_full` when every eligible pledge is used up.
                    match explanation
                        .items
                        .get(i)
                        .and_then(|e| e.unplaced_reason.as_deref())
                    {
                        Some("not_worth_it") => "not_worth_it".to_string(),
                        _ => "places_exhausted".to_string(),
                    }
                };
                let ineligible = if eligible {
                    Vec::new()
                } else {
                    inputs
                        .ineligible_of(i)
                        .iter()
                        .map(|p| {
                            let why: Vec<String> =
                                p.reasons.iter().map(ToString::to_string).collect();
                            format!("{}: {}", inputs.places[p.place].pledge_id, why.join("; "))
                        })
                        .collect()
                };
                unplaced.push(Unplaced {
                    household_id: item.household_id.clone(),
                    people: item.need,
                    reason,
                    ineligible,
                });
            }
        }
    }
    let shadow: HashMap<usize, f64> = explanation
        .places
        .iter()
        .map(|p| (p.place, p.shadow_price))
        .collect();
    let pledges = inputs
        .places
        .iter()
        .enumerate()
        .map(|(i, p)| PledgeUse {
            pledge_id: p.pledge_id.clone(),
            country: p.country.clone(),
            places_left: p.capacity,
            places_used: used[i],
            shadow_price: shadow.get(&i).copied().unwrap_or(0.0),
        })
        .collect();
    Ok(RunResult {
        households_considered: inputs.items.len(),
        people_considered: inputs.items.iter().map(|i| u64::from(i.need)).sum(),
        places_left: inputs.places.iter().map(|p| u64::from(p.capacity)).sum(),
        people_placed: placements.iter().map(|p| u64::from(p.people)).sum(),
        objective: solution.objective,
        bound: solution.bound,
        gap: solution.gap,
        optimal: solution.optimal,
        time_ms: solution.time_ms,
        pledges,
        placements,
        unplaced,
        solution: Some(solution),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(needs: &[&str], attributes: &[(&str, &str)]) -> Person {
        let attributes: BTreeMap<&str, &str> = attributes.iter().copied().collect();
        let json = serde_json::json!({
            "person_id": "P-1", "household_id": "H-1", "relationship": "head",
            "name": {"given_latin": "A", "family_latin": "B", "given_original": "", "family_original": ""},
            "sex": "F", "date_of_birth": {"year": 1980, "month": null, "day": null, "precision": "year"},
            "nationality": "IRN", "languages": ["fas"], "specific_needs": needs,
            "attributes": attributes, "site_id": "S-1", "unit_id": null, "registered_on": "2026-01-01"
        });
        serde_json::from_value(json).expect("a person")
    }

    fn household(p: Person) -> Household {
        Household {
            household_id: "H-1".into(),
            members: vec![p],
        }
    }

    #[test]
    fn a_submission_reads_the_registry() {
        let s = submission(household(person(&["TR-HO"], &[])));
        assert_eq!(s.priority, SubmissionPriority::Normal);
        assert_eq!(
            s.category,
            Some(SubmissionCategory::SurvivorsOfViolenceTorture)
        );
        assert!(s.outcome_scores.is_empty());

        let s = submission(household(person(
            &["SM-CI"],
            &[
                ("submission_priority", "urgent"),
                ("submission_category", "family_reunification"),
                ("outcome_score", "can:0.7, DEU:0.25"),
            ],
        )));
        assert_eq!(s.priority, SubmissionPriority::Urgent);
        assert_eq!(s.category, Some(SubmissionCategory::FamilyReunification));
        assert_eq!(s.outcome_scores.get("CAN"), Some(&0.7));
        assert_eq!(s.outcome_scores.get("DEU"), Some(&0.25));

        let s = submission(household(person(&[], &[("outcome_score", "CAN:high")])));
        assert!(
            s.outcome_scores["CAN"].is_nan(),
            "kept so that the run is refused"
        );
        assert_eq!(
            s.category,
            Some(SubmissionCategory::LackOfAlternativeSolutions)
        );
    }
}
