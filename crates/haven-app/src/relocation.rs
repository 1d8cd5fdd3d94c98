//! Relocation: plan convoys from one site to another, depart them, receive them.
//!
//! Everyone on a convoy passes through the convoy's in-transit account. On arrival the
//! manifest is reconciled against the people checked in: whoever is not checked in goes
//! to the whereabouts-unknown account with the convoy named, never silently lost, and a
//! later check-in moves them on to the unit that was kept for them.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::io::Write;

use haven_core::ledger::Account;
use haven_core::registry::Person;
use haven_core::relocation::{
    self, ConvoySlot, Held, HouseholdToMove, Rules, Traveller, UnitGroup, UnitSpace,
};
use haven_core::standards::{Standards, assess_site, assess_unit};
use haven_core::validate;
use haven_store::{ConvoyRecord, ManifestLine, MovementRow, NewManifestEntry, PersonRecord};
use serde::Serialize;

use crate::{App, AppError, Ctx};

/// What `relocate plan` is asked to do.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanRequest {
    pub from_site: String,
    pub to_site: String,
    pub convoys: Vec<ConvoySlot>,
    pub rules: Rules,
}

/// One convoy of a new plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedConvoy {
    pub convoy_id: String,
    pub date: String,
    pub seats: u32,
    pub passengers: usize,
    pub households: usize,
    /// Passengers travelling early under the operator's rules.
    pub priority_passengers: usize,
}

/// The result of `relocate plan`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanSummary {
    pub plan_id: i64,
    pub from_site: String,
    pub to_site: String,
    /// People at the origin site when the plan was made.
    pub people_at_origin: usize,
    /// Of those, people already on an earlier plan's convoy (left out of this one).
    pub already_planned: usize,
    pub people_planned: usize,
    pub households_planned: usize,
    /// Room left at the destination to its facility standards before this plan
    /// (`None` when its facilities are not recorded).
    pub site_room: Option<i64>,
    pub convoys: Vec<PlannedConvoy>,
    /// Households that stay behind, with why.
    pub held: Vec<Held>,
}

/// The result of `relocate depart`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DepartSummary {
    pub convoy_id: String,
    pub travelling: usize,
    pub households: usize,
    /// Households taken off the convoy at departure: (household, people, why).
    pub stayed: Vec<(String, Vec<String>, String)>,
}

/// Who was checked in when a convoy arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckIn {
    /// Everyone on the manifest was checked in.
    Everyone,
    /// Only these people were checked in.
    Present(Vec<String>),
    /// Everyone but these people was checked in.
    Missing(Vec<String>),
}

/// The result of `relocate arrive`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArriveSummary {
    pub convoy_id: String,
    pub arrived: usize,
    /// People not checked in: now of unknown whereabouts, with the convoy named.
    pub missing: Vec<String>,
    /// People whose unit had filled since the plan: at the site, awaiting a unit.
    pub awaiting_unit: Vec<String>,
    /// People recorded elsewhere since departure (person, place): not moved.
    pub left_convoy: Vec<(String, String)>,
}

/// A convoy with its manifest, for `relocate show CONVOY`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConvoyDetail {
    pub convoy: ConvoyRecord,
    pub manifest: Vec<ManifestLine>,
}

/// `relocate show`: every convoy, and the households the latest plan held back.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RelocationOverview {
    pub convoys: Vec<ConvoyRecord>,
    pub latest_plan: Option<LatestPlan>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LatestPlan {
    pub plan_id: i64,
    pub from_site: String,
    pub to_site: String,
    pub created_at: String,
    pub rules: Rules,
    pub held: Vec<Held>,
}

fn refused(message: impl Into<String>) -> AppError {
    AppError::Refused(message.into())
}

/// The convoy, read under the writer lock, if it is in the status the step needs;
/// otherwise a refusal that says where it is (and, for a convoy already past that step,
/// `hint`: what to do instead).
async fn convoy_at(
    w: &mut haven_store::Writer,
    convoy_id: &str,
    needed: &str,
    hint: &str,
) -> Result<ConvoyRecord, AppError> {
    let convoy = w
        .convoy(convoy_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no convoy with id {convoy_id}")))?;
    if convoy.status == needed {
        return Ok(convoy);
    }
    let now = match convoy.status.as_str() {
        "planned" => "has not departed; depart it first".to_string(),
        "departed" => format!(
            "departed at {} already",
            convoy.departed_at.as_deref().unwrap_or_default()
        ),
        "arrived" => format!(
            "arrived at {} already",
            convoy.arrived_at.as_deref().unwrap_or_default()
        ),
        other => format!("was {other}"),
    };
    let hint = if convoy.status == "planned" { "" } else { hint };
    Err(refused(format!("convoy {convoy_id} {now}{hint}")))
}

/// The sharing group of the people living in (or on their way to) one unit, or `None`
/// when they are of no single group (such a unit takes no one new).
fn occupants_group(occupants: &[&Person], today: (i32, u8, u8)) -> Option<UnitGroup> {
    let mut per_household: HashMap<&str, Vec<&Person>> = HashMap::new();
    for p in occupants {
        per_household
            .entry(p.household_id.as_str())
            .or_default()
            .push(p);
    }
    let mut groups = BTreeSet::new();
    for members in per_household.values() {
        groups.insert(match members.as_slice() {
            [one] if one.date_of_birth.age_on(today) >= 18 => UnitGroup::SingleAdults(one.sex),
            _ => UnitGroup::Families,
        });
    }
    match groups.len() {
        1 => groups.into_iter().next(),
        _ => None,
    }
}

impl App {
    /// Plans convoys and shelter units for everyone at `from_site` not yet on a convoy.
    pub async fn plan_relocation(
        &self,
        ctx: &Ctx,
        req: &PlanRequest,
    ) -> Result<PlanSummary, AppError> {
        if req.from_site == req.to_site {
            return Err(refused(format!(
                "a relocation goes from one site to another, not from {} to itself",
                req.from_site
            )));
        }
        if req.convoys.is_empty() {
            return Err(refused("a plan needs at least one convoy"));
        }
        for c in &req.convoys {
            validate::iso_date(&c.date)
                .map_err(|e| refused(format!("convoy date {} ({})", e.message, c.date)))?;
            if c.seats == 0 {
                return Err(refused("a convoy needs at least one seat"));
            }
        }
        let on = self.today_day()?;

        // Hold the writer lock while reading, so nothing changes between plan and write.
        let mut w = self.begin(ctx).await?;
        for id in [&req.from_site, &req.to_site] {
            if self.store.site_record(id).await?.is_none() {
                return Err(AppError::NotFound(format!("no site with id {id}")));
            }
        }
        let to = self
            .store
            .site_record(&req.to_site)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("no site with id {}", req.to_site)))?;
        let standards = self.store.standards().await?;
        let units = self.store.shelter_units(&req.to_site).await?;
        let reserved = self.store.reserved_places(&req.to_site).await?;
        let at_destination = self.store.people_at_site(&req.to_site).await?;
        let spaces = unit_spaces(&units, &at_destination, &reserved, &standards, on);

        let facilities = self.store.facilities().await?;
        let occupancy = at_destination.len() as i64;
        let assessment = assess_site(
            &to,
            &units,
            occupancy,
            facilities.get(&req.to_site),
            &standards,
        );
        let site_room = assessment
            .facilities_recorded
            .then(|| (assessment.capacity_at_standards - occupancy - reserved.len() as i64).max(0));

        let origin_units: HashSet<String> = self
            .store
            .shelter_units(&req.from_site)
            .await?
            .into_iter()
            .map(|(u, _)| u.unit_id)
            .collect();
        let destination_units: HashSet<&str> =
            units.iter().map(|(u, _)| u.unit_id.as_str()).collect();
        let is_at = |a: &Account, site: &str, units: &dyn Fn(&str) -> bool| match a {
            Account::Site(s) => s == site,
            Account::Unit(u) => units(u),
            _ => false,
        };
        let members = self.store.households_at_site(&req.from_site).await?;
        let holds = self.store.holds().await?;
        let planned = self.store.people_on_open_manifests(&req.from_site).await?;
        // A household moves together: one with a member present elsewhere (another
        // site, not the destination) waits, and the plan says who and where.
        let mut elsewhere: BTreeMap<String, (String, String)> = BTreeMap::new();
        let mut origin = Vec::with_capacity(members.len());
        for r in members {
            if is_at(&r.place, &req.from_site, &|u| origin_units.contains(u)) {
                origin.push(r);
            } else if r.place.is_present()
                && !matches!(r.place, Account::InTransit(_))
                && !is_at(&r.place, &req.to_site, &|u| destination_units.contains(u))
            {
                elsewhere
                    .entry(r.person.household_id.clone())
                    .or_insert((r.person.person_id.clone(), r.place.key()));
            }
        }
        let people_at_origin = origin.len();
        let mut households: Vec<HouseholdToMove> = Vec::new();
        let mut waiting: Vec<Held> = Vec::new();
        let mut already_planned = 0;
        for r in origin {
            if planned.contains(&r.person.person_id) {
                already_planned += 1;
                continue;
            }
            if let Some((person_id, place)) = elsewhere.get(&r.person.household_id) {
                match waiting.last_mut() {
                    Some(h) if h.household_id == r.person.household_id => {
                        h.person_ids.push(r.person.person_id);
                    }
                    _ => waiting.push(Held {
                        household_id: r.person.household_id.clone(),
                        person_ids: vec![r.person.person_id],
                        reason: relocation::HeldReason::MemberElsewhere {
                            person_id: person_id.clone(),
                            place: place.clone(),
                        },
                    }),
                }
                continue;
            }
            let p = r.person;
            let traveller = Traveller {
                adult: p.date_of_birth.age_on(on) >= 18,
                sex: p.sex,
                specific_needs: p.specific_needs,
                hold: holds.get(&p.person_id).map(|h| h.reason.clone()),
                person_id: p.person_id,
            };
            match households.last_mut() {
                Some(h) if h.household_id == p.household_id => h.members.push(traveller),
                _ => households.push(HouseholdToMove {
                    household_id: p.household_id,
                    members: vec![traveller],
                }),
            }
        }
        if households.is_empty() && waiting.is_empty() {
            return Err(refused(format!(
                "no one at {} is left to plan ({people_at_origin} there, {already_planned} already on a convoy)",
                req.from_site
            )));
        }
        let room = site_room.map(|r| u32::try_from(r).unwrap_or(u32::MAX));
        let mut plan = relocation::plan(&households, &spaces, &req.convoys, &req.rules, room);
        plan.held.extend(waiting);
        plan.held
            .sort_by(|a, b| a.household_id.cmp(&b.household_id));
        if plan.assignments.is_empty() {
            let reasons: Vec<String> = plan
                .held
                .iter()
                .take(5)
                .map(|h| format!("{}: {}", h.household_id, h.reason))
                .collect();
            let more = plan.held.len().saturating_sub(5);
            return Err(refused(format!(
                "no household at {} could be planned; {}{}",
                req.from_site,
                reasons.join("; "),
                if more > 0 {
                    format!("; and {more} more")
                } else {
                    String::new()
                }
            )));
        }

        let entries: Vec<NewManifestEntry> = plan
            .assignments
            .iter()
            .flat_map(|a| {
                a.person_ids.iter().map(|p| NewManifestEntry {
                    convoy: a.convoy,
                    person_id: p.clone(),
                    household_id: a.household_id.clone(),
                    unit_id: a.unit_id.clone(),
                    priority: a.priority,
                })
            })
            .collect();
        let slots: Vec<(String, u32)> = plan
            .convoys
            .iter()
            .map(|c| (c.date.clone(), c.seats))
            .collect();
        let rules_json =
            serde_json::to_string(&req.rules).map_err(|e| AppError::Io(e.to_string()))?;
        let held_json =
            serde_json::to_string(&plan.held).map_err(|e| AppError::Io(e.to_string()))?;
        let (plan_id, convoy_ids) = w
            .insert_plan(
                &req.from_site,
                &req.to_site,
                &rules_json,
                &held_json,
                &slots,
                &entries,
            )
            .await?;
        let convoys: Vec<PlannedConvoy> = plan
            .convoys
            .iter()
            .zip(&convoy_ids)
            .enumerate()
            .map(|(i, (c, id))| {
                let on_it: Vec<_> = plan.assignments.iter().filter(|a| a.convoy == i).collect();
                PlannedConvoy {
                    convoy_id: id.clone(),
                    date: c.date.clone(),
                    seats: c.seats,
                    passengers: on_it.iter().map(|a| a.person_ids.len()).sum(),
                    households: on_it.len(),
                    priority_passengers: on_it
                        .iter()
                        .filter(|a| a.priority)
                        .map(|a| a.person_ids.len())
                        .sum(),
                }
            })
            .collect();
        let summary = PlanSummary {
            plan_id,
            from_site: req.from_site.clone(),
            to_site: req.to_site.clone(),
            people_at_origin,
            already_planned,
            people_planned: plan.people_moving(),
            households_planned: plan.assignments.len(),
            site_room,
            convoys,
            held: plan.held,
        };
        for c in &summary.convoys {
            w.audit(
                "convoy.plan",
                "convoy",
                &c.convoy_id,
                "null".into(),
                serde_json::to_string(c).map_err(|e| AppError::Io(e.to_string()))?,
            );
        }
        let after = serde_json::json!({
            "from_site": summary.from_site, "to_site": summary.to_site,
            "rules": req.rules, "people_planned": summary.people_planned,
            "households_planned": summary.households_planned,
            "convoys": convoy_ids, "held": summary.held,
        });
        w.audit(
            "relocation.plan",
            "relocation_plan",
            &plan_id.to_string(),
            "null".into(),
            after.to_string(),
        );
        w.commit().await?;
        Ok(summary)
    }

    /// Puts a person on hold (in hospital, in custody, ...): their household stays out of
    /// relocation plans and departures until the hold is released.
    pub async fn hold_person(
        &self,
        ctx: &Ctx,
        person_id: &str,
        reason: &str,
    ) -> Result<(), AppError> {
        let reason = validate::required_text(reason)
            .map_err(|e| refused(format!("reason {}", e.message)))?;
        let mut w = self.begin(ctx).await?;
        if self.store.person(person_id).await?.is_none() {
            return Err(AppError::NotFound(format!("no person with id {person_id}")));
        }
        let before = w.set_hold(person_id, &reason).await?;
        w.audit(
            "person.hold",
            "person",
            person_id,
            serde_json::json!({ "hold": before }).to_string(),
            serde_json::json!({ "hold": reason }).to_string(),
        );
        w.commit().await?;
        Ok(())
    }

    /// Lifts a person's hold.
    pub async fn release_person(&self, ctx: &Ctx, person_id: &str) -> Result<String, AppError> {
        let mut w = self.begin(ctx).await?;
        if self.store.person(person_id).await?.is_none() {
            return Err(AppError::NotFound(format!("no person with id {person_id}")));
        }
        let Some(before) = w.release_hold(person_id).await? else {
            return Err(refused(format!("{person_id} is not on hold")));
        };
        w.audit(
            "person.release",
            "person",
            person_id,
            serde_json::json!({ "hold": before }).to_string(),
            serde_json::json!({ "hold": null }).to_string(),
        );
        w.commit().await?;
        Ok(before)
    }

    /// Departs a planned convoy: everyone on its manifest moves into the convoy's
    /// in-transit account, except whole households taken off it (`left_behind`: person
    /// or household ids), households with a member now on hold, and households with a
    /// member no longer at the origin site.
    pub async fn depart_convoy(
        &self,
        ctx: &Ctx,
        convoy_id: &str,
        left_behind: &[String],
    ) -> Result<DepartSummary, AppError> {
        let mut w = self.begin(ctx).await?;
        let convoy = convoy_at(&mut w, convoy_id, "planned", "").await?;
        let manifest = w.manifest_positions(convoy.key).await?;
        let origin_units: HashSet<String> = self
            .store
            .shelter_units(&convoy.from_site)
            .await?
            .into_iter()
            .map(|(u, _)| u.unit_id)
            .collect();
        let at_origin = |a: &Account| match a {
            Account::Site(s) => *s == convoy.from_site,
            Account::Unit(u) => origin_units.contains(u),
            _ => false,
        };
        let mut unknown: Vec<&str> = Vec::new();
        for id in left_behind {
            if !manifest
                .iter()
                .any(|m| &m.person_id == id || &m.household_id == id)
            {
                unknown.push(id);
            }
        }
        if !unknown.is_empty() {
            return Err(refused(format!(
                "not on convoy {convoy_id}: {}",
                unknown.join(", ")
            )));
        }
        let mut households: BTreeMap<&str, Vec<&haven_store::ManifestPosition>> = BTreeMap::new();
        for m in &manifest {
            households
                .entry(m.household_id.as_str())
                .or_default()
                .push(m);
        }
        let reason = format!(
            "convoy {convoy_id} departed {} for {}",
            convoy.from_site, convoy.to_site
        );
        let transit = Account::InTransit(convoy_id.to_string());
        let mut moves = Vec::new();
        let mut statuses = Vec::new();
        let mut stayed = Vec::new();
        for (household, members) in &households {
            let why = if let Some(m) = members.iter().find(|m| {
                left_behind
                    .iter()
                    .any(|l| *l == m.person_id || *l == m.household_id)
            }) {
                Some(
                    if m.household_id == *household && left_behind.contains(&m.household_id) {
                        "taken off the convoy at departure".to_string()
                    } else {
                        format!("{} did not come to the convoy", m.person_id)
                    },
                )
            } else if let Some(m) = members.iter().find(|m| m.hold.is_some()) {
                Some(format!(
                    "{} is on hold: {}",
                    m.person_id,
                    m.hold.clone().unwrap_or_default()
                ))
            } else {
                // A member present elsewhere holds the household back; one who died,
                // departed or is missing since the plan does not.
                members
                    .iter()
                    .find(|m| !at_origin(&m.account) && m.account.is_present())
                    .map(|m| format!("{} is now in {}", m.person_id, m.account))
            };
            let (members, gone): (Vec<_>, Vec<_>) = if why.is_some() {
                (members.clone(), Vec::new())
            } else {
                members.iter().partition(|m| at_origin(&m.account))
            };
            for m in gone {
                statuses.push((
                    m.person_key,
                    "stayed",
                    Some(format!("now in {}", m.account)),
                ));
            }
            if members.is_empty() {
                stayed.push((
                    household.to_string(),
                    Vec::new(),
                    "no member left to travel".into(),
                ));
                continue;
            }
            match why {
                Some(why) => {
                    for m in &members {
                        statuses.push((m.person_key, "stayed", Some(why.clone())));
                    }
                    stayed.push((
                        household.to_string(),
                        members.iter().map(|m| m.person_id.clone()).collect(),
                        why,
                    ));
                }
                None => {
                    for m in &members {
                        moves.push(MovementRow {
                            person_key: m.person_key,
                            person_id: m.person_id.clone(),
                            from: Some(m.account.clone()),
                            to: transit.clone(),
                            reason: reason.clone(),
                            split_reason: None,
                        });
                        statuses.push((m.person_key, "departed", None));
                    }
                }
            }
        }
        if moves.is_empty() {
            let why: Vec<String> = stayed
                .iter()
                .take(5)
                .map(|(h, _, why)| format!("{h}: {why}"))
                .collect();
            return Err(refused(format!(
                "no one is left to travel on convoy {convoy_id} ({}); nothing was changed — cancel it with `haven relocate cancel {convoy_id}` so that the next plan takes these households up",
                why.join("; ")
            )));
        }
        w.record_movements(&moves).await?;
        w.set_manifest_status(convoy.key, &statuses).await?;
        w.set_convoy_status(convoy.key, "departed").await?;
        let summary = DepartSummary {
            convoy_id: convoy_id.to_string(),
            travelling: moves.len(),
            households: households.len() - stayed.len(),
            stayed,
        };
        w.audit(
            "convoy.depart",
            "convoy",
            convoy_id,
            serde_json::json!({ "status": "planned" }).to_string(),
            serde_json::to_string(&summary).map_err(|e| AppError::Io(e.to_string()))?,
        );
        w.commit().await?;
        Ok(summary)
    }

    /// Cancels a planned convoy: everyone on it is taken off (marked `stayed` with the
    /// reason), so that their places are released and the next plan takes them up.
    pub async fn cancel_convoy(
        &self,
        ctx: &Ctx,
        convoy_id: &str,
        reason: &str,
    ) -> Result<usize, AppError> {
        let reason = validate::required_text(reason)
            .map_err(|e| refused(format!("reason {}", e.message)))?;
        let mut w = self.begin(ctx).await?;
        let convoy = convoy_at(
            &mut w,
            convoy_id,
            "planned",
            "; only a planned convoy is cancelled",
        )
        .await?;
        let note = format!("convoy cancelled: {reason}");
        let manifest = w.manifest_positions(convoy.key).await?;
        let statuses: Vec<(i64, &str, Option<String>)> = manifest
            .iter()
            .map(|m| (m.person_key, "stayed", Some(note.clone())))
            .collect();
        w.set_manifest_status(convoy.key, &statuses).await?;
        w.set_convoy_status(convoy.key, "cancelled").await?;
        w.audit(
            "convoy.cancel",
            "convoy",
            convoy_id,
            serde_json::json!({ "status": "planned" }).to_string(),
            serde_json::json!({ "status": "cancelled", "reason": reason, "taken_off": manifest.len() })
                .to_string(),
        );
        w.commit().await?;
        Ok(manifest.len())
    }

    /// Receives a departed convoy: people checked in move into the units kept for them;
    /// anyone not checked in moves to whereabouts unknown, with the convoy named.
    pub async fn arrive_convoy(
        &self,
        ctx: &Ctx,
        convoy_id: &str,
        check_in: &CheckIn,
    ) -> Result<ArriveSummary, AppError> {
        let mut w = self.begin(ctx).await?;
        let convoy = convoy_at(
            &mut w,
            convoy_id,
            "departed",
            "; check in a late arrival with `haven relocate check-in PERSON`",
        )
        .await?;
        let manifest = w.manifest_positions(convoy.key).await?;
        let transit = Account::InTransit(convoy_id.to_string());
        // Someone recorded elsewhere since departure (died on the road, taken to
        // hospital) has left the convoy: the books already say where they are.
        let (travellers, left): (Vec<&haven_store::ManifestPosition>, Vec<_>) = manifest
            .iter()
            .filter(|m| m.status == "departed")
            .partition(|m| m.account == transit);
        let on_board: HashSet<&str> = travellers.iter().map(|m| m.person_id.as_str()).collect();
        let listed = match check_in {
            CheckIn::Everyone => &[][..],
            CheckIn::Present(ids) | CheckIn::Missing(ids) => ids.as_slice(),
        };
        // An empty gate list would send everyone on board to whereabouts unknown: a
        // failed export, not an arrival.
        if matches!(check_in, CheckIn::Present(ids) if ids.is_empty()) && !travellers.is_empty() {
            return Err(refused(format!(
                "the check-in list for convoy {convoy_id} is empty: nobody would be checked in and all {} on board would become of unknown whereabouts; if truly no one arrived, name them with --missing",
                travellers.len()
            )));
        }
        let strangers: Vec<&str> = listed
            .iter()
            .map(String::as_str)
            .filter(|id| !on_board.contains(id))
            .collect();
        if !strangers.is_empty() {
            return Err(refused(format!(
                "not travelling on convoy {convoy_id}: {}",
                strangers.join(", ")
            )));
        }
        let listed: HashSet<&str> = listed.iter().map(String::as_str).collect();
        let present = |id: &str| match check_in {
            CheckIn::Everyone => true,
            CheckIn::Present(_) => listed.contains(id),
            CheckIn::Missing(_) => !listed.contains(id),
        };
        let standards = self.store.standards().await?;
        // Room left in each unit now: its room to standard less the people living there.
        let mut room: HashMap<String, i64> = self
            .store
            .shelter_units(&convoy.to_site)
            .await?
            .into_iter()
            .map(|(u, n)| {
                let at_standard = assess_unit(&u, n, &standards).persons_at_standard;
                (u.unit_id, at_standard - n)
            })
            .collect();
        let mut per_household: HashMap<&str, (usize, usize)> = HashMap::new();
        for m in &travellers {
            let e = per_household.entry(m.household_id.as_str()).or_default();
            if present(&m.person_id) {
                e.0 += 1;
            } else {
                e.1 += 1;
            }
        }
        let missing_reason = format!(
            "not checked in on arrival of convoy {convoy_id} at {}",
            convoy.to_site
        );
        let arrival_reason = format!("arrived with convoy {convoy_id} from {}", convoy.from_site);
        let mut moves = Vec::new();
        let mut statuses = Vec::new();
        let mut summary = ArriveSummary {
            convoy_id: convoy_id.to_string(),
            arrived: 0,
            missing: Vec::new(),
            awaiting_unit: Vec::new(),
            left_convoy: left
                .iter()
                .map(|m| (m.person_id.clone(), m.account.key()))
                .collect(),
        };
        // A unit that filled by other means since the plan takes whole households while
        // they fit; the others wait at the site for a unit.
        let mut over: HashSet<&str> = HashSet::new();
        let mut seen: HashSet<&str> = HashSet::new();
        for m in &travellers {
            if !seen.insert(m.household_id.as_str()) {
                continue;
            }
            let here = per_household
                .get(m.household_id.as_str())
                .map_or(0, |c| c.0) as i64;
            let left_in_unit = room.entry(m.to_unit.clone()).or_insert(0);
            if here <= *left_in_unit {
                *left_in_unit -= here;
            } else {
                over.insert(m.household_id.as_str());
            }
        }
        for m in &left {
            statuses.push((
                m.person_key,
                "left",
                Some(format!("left the convoy: now in {}", m.account)),
            ));
        }
        for m in &travellers {
            let split = per_household
                .get(m.household_id.as_str())
                .filter(|(here, gone)| *here > 0 && *gone > 0)
                .map(|_| format!("members missing on arrival of convoy {convoy_id}"));
            if present(&m.person_id) {
                let to = if over.contains(m.household_id.as_str()) {
                    summary.awaiting_unit.push(m.person_id.clone());
                    Account::Site(convoy.to_site.clone())
                } else {
                    Account::Unit(m.to_unit.clone())
                };
                moves.push(MovementRow {
                    person_key: m.person_key,
                    person_id: m.person_id.clone(),
                    from: Some(m.account.clone()),
                    to,
                    reason: arrival_reason.clone(),
                    split_reason: split,
                });
                statuses.push((m.person_key, "arrived", None));
                summary.arrived += 1;
            } else {
                moves.push(MovementRow {
                    person_key: m.person_key,
                    person_id: m.person_id.clone(),
                    from: Some(m.account.clone()),
                    to: Account::WhereaboutsUnknown,
                    reason: missing_reason.clone(),
                    split_reason: split,
                });
                statuses.push((m.person_key, "missing", Some(missing_reason.clone())));
                summary.missing.push(m.person_id.clone());
            }
        }
        w.record_movements(&moves).await?;
        w.set_manifest_status(convoy.key, &statuses).await?;
        w.set_convoy_status(convoy.key, "arrived").await?;
        w.audit(
            "convoy.arrive",
            "convoy",
            convoy_id,
            serde_json::json!({ "status": "departed" }).to_string(),
            serde_json::to_string(&summary).map_err(|e| AppError::Io(e.to_string()))?,
        );
        w.commit().await?;
        Ok(summary)
    }

    /// Checks in a person who was missing on a convoy's arrival: they move from
    /// whereabouts unknown into the unit kept for them (or the site, if it has filled).
    pub async fn check_in_late(&self, ctx: &Ctx, person_id: &str) -> Result<Account, AppError> {
        let mut w = self.begin(ctx).await?;
        let position = w
            .positions_of_people(&[person_id.to_string()])
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| AppError::NotFound(format!("no person with id {person_id}")))?;
        let entry = w.missing_entry(position.person_key).await?;
        let Some((convoy_key, convoy_id, unit)) =
            entry.filter(|_| position.account == Account::WhereaboutsUnknown)
        else {
            return Err(refused(format!(
                "{person_id} is in {} and not missing from any convoy",
                position.account
            )));
        };
        let convoy = w
            .convoy(&convoy_id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("no convoy with id {convoy_id}")))?;
        let standards = self.store.standards().await?;
        let at_standard = self
            .store
            .shelter_units(&convoy.to_site)
            .await?
            .into_iter()
            .find(|(u, _)| u.unit_id == unit)
            .map(|(u, n)| assess_unit(&u, n, &standards).persons_at_standard)
            .unwrap_or(0);
        // The unit was kept for them (their reservation is in its load). It takes them if
        // it is not over its room and, unless their own household lives there, if its
        // occupants are of their group.
        let on = self.today_day()?;
        let person = self
            .store
            .person(person_id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("no person with id {person_id}")))?
            .person;
        let occupants: Vec<PersonRecord> = self
            .store
            .people_at_site(&convoy.to_site)
            .await?
            .into_iter()
            .filter(|r| r.place == Account::Unit(unit.clone()))
            .collect();
        let with_family = occupants
            .iter()
            .any(|r| r.person.household_id == person.household_id);
        let theirs: Vec<&Person> = occupants.iter().map(|r| &r.person).collect();
        let own = occupants_group(&[&person], on);
        let compatible = with_family || theirs.is_empty() || occupants_group(&theirs, on) == own;
        let to = if compatible && w.unit_load(&unit).await? <= at_standard {
            Account::Unit(unit)
        } else {
            Account::Site(convoy.to_site.clone())
        };
        let reason = format!("checked in late from convoy {convoy_id}");
        let mv = MovementRow {
            person_key: position.person_key,
            person_id: person_id.to_string(),
            from: Some(Account::WhereaboutsUnknown),
            to: to.clone(),
            reason: reason.clone(),
            split_reason: None,
        };
        w.record_movements(std::slice::from_ref(&mv)).await?;
        w.set_manifest_status(
            convoy_key,
            &[(position.person_key, "found", Some(reason.clone()))],
        )
        .await?;
        w.commit().await?;
        Ok(to)
    }

    /// Every convoy, and what the latest plan held back.
    pub async fn relocation_overview(&self) -> Result<RelocationOverview, AppError> {
        let convoys = self.store.convoys().await?;
        let latest_plan = match self.store.relocation_plans().await?.into_iter().next() {
            Some(p) => Some(LatestPlan {
                plan_id: p.plan_id,
                rules: serde_json::from_str(&p.rules_json)
                    .map_err(|e| AppError::Io(format!("plan {}: rules: {e}", p.plan_id)))?,
                held: serde_json::from_str(&p.held_json)
                    .map_err(|e| AppError::Io(format!("plan {}: held: {e}", p.plan_id)))?,
                from_site: p.from_site,
                to_site: p.to_site,
                created_at: p.created_at,
            }),
            None => None,
        };
        Ok(RelocationOverview {
            convoys,
            latest_plan,
        })
    }

    /// One convoy with its manifest.
    pub async fn convoy_detail(&self, convoy_id: &str) -> Result<ConvoyDetail, AppError> {
        let convoy = self
            .store
            .convoys()
            .await?
            .into_iter()
            .find(|c| c.convoy_id == convoy_id)
            .ok_or_else(|| AppError::NotFound(format!("no convoy with id {convoy_id}")))?;
        let manifest = self.store.manifest(convoy_id).await?;
        Ok(ConvoyDetail { convoy, manifest })
    }
}

/// The destination's units with the room each has left to standard and who may share it.
fn unit_spaces(
    units: &[(haven_core::registry::ShelterUnit, i64)],
    at_destination: &[PersonRecord],
    reserved: &[(PersonRecord, String)],
    standards: &Standards,
    today: (i32, u8, u8),
) -> Vec<UnitSpace> {
    let mut occupants: HashMap<&str, Vec<&Person>> = HashMap::new();
    for r in at_destination {
        if let Account::Unit(u) = &r.place {
            occupants.entry(u.as_str()).or_default().push(&r.person);
        }
    }
    for (r, u) in reserved {
        occupants.entry(u.as_str()).or_default().push(&r.person);
    }
    units
        .iter()
        .map(|(u, _)| {
            let here = occupants
                .get(u.unit_id.as_str())
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            let at_standard = assess_unit(u, here.len() as i64, standards).persons_at_standard;
            let group = occupants_group(here, today);
            let mixed = !here.is_empty() && group.is_none();
            let free = if mixed {
                0
            } else {
                (at_standard - here.len() as i64).max(0)
            };
            UnitSpace {
                unit_id: u.unit_id.clone(),
                free: u32::try_from(free).unwrap_or(u32::MAX),
                group,
                near_facilities: u.near_facilities,
            }
        })
        .collect()
}

/// The columns of a convoy manifest CSV.
pub const MANIFEST_COLUMNS: [&str; 16] = [
    "convoy_id",
    "date",
    "from_site",
    "to_site",
    "household_id",
    "person_id",
    "relationship",
    "given_name_latin",
    "family_name_latin",
    "given_name_original",
    "family_name_original",
    "sex",
    "date_of_birth",
    "specific_needs",
    "to_unit",
    "status",
];

/// Writes a convoy's manifest as CSV, one row per person.
/// A cell a spreadsheet will not run as a formula: manifests are opened in Excel at the
/// gate, and a name registered as `=HYPERLINK(…)` must stay a name.
fn spreadsheet_safe(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

pub fn write_manifest_csv<W: Write>(detail: &ConvoyDetail, out: W) -> Result<(), AppError> {
    let io = |e: csv::Error| AppError::Io(e.to_string());
    let mut w = csv::Writer::from_writer(out);
    w.write_record(MANIFEST_COLUMNS).map_err(io)?;
    let c = &detail.convoy;
    for l in &detail.manifest {
        let p = &l.person.person;
        w.write_record(
            [
                c.convoy_id.as_str(),
                c.date.as_str(),
                c.from_site.as_str(),
                c.to_site.as_str(),
                p.household_id.as_str(),
                p.person_id.as_str(),
                p.relationship.as_str(),
                p.name.given_latin.as_str(),
                p.name.family_latin.as_str(),
                p.name.given_original.as_str(),
                p.name.family_original.as_str(),
                p.sex.as_str(),
                &p.date_of_birth.to_string(),
                &p.specific_needs.join(";"),
                l.to_unit.as_str(),
                l.status.as_str(),
            ]
            .map(spreadsheet_safe),
        )
        .map_err(io)?;
    }
    w.flush().map_err(|e| AppError::Io(e.to_string()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn manifest_cells_never_become_spreadsheet_formulas() {
        assert_eq!(
            super::spreadsheet_safe("=HYPERLINK(\"x\")"),
            "'=HYPERLINK(\"x\")"
        );
        assert_eq!(super::spreadsheet_safe("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(super::spreadsheet_safe("Azadeh"), "Azadeh");
        assert_eq!(super::spreadsheet_safe("آزاده"), "آزاده");
    }
}
