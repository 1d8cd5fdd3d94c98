//! The demo operation's story: after the import, the operation is taken to a realistic
//! point through the same use cases a caseworker calls. Staged once: a database that
//! already has convoys is left as it is, so `haven demo` can be run again safely.

use haven_core::relocation::{Rules, convoy_slots};
use serde::Serialize;

use haven_core::rsd::Outcome;
use haven_store::StaffKind;

use crate::relocation::{CheckIn, PlanRequest};
use crate::{App, AppError, Ctx};

/// What the demo staged, for the first screen.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DemoStory {
    /// False when the database already had its story (nothing was done).
    pub staged: bool,
    pub convoys_planned: usize,
    pub convoys_arrived: usize,
    pub convoys_in_transit: usize,
    pub people_relocated: usize,
    /// A person not checked in on arrival, now of unknown whereabouts.
    pub missing: Vec<String>,
    /// A person in hospital whose household waits.
    pub on_hold: Option<String>,
    /// Claims (households) with a first-instance decision, and how many of them were
    /// recognised.
    pub claims_decided: usize,
    pub claims_recognised: usize,
    pub claims_appealed: usize,
    /// Claims in the operation.
    pub claims: usize,
    /// The approved placement run, its referrals, the countries' decisions so far, and
    /// the people who have departed.
    pub placement_run: Option<String>,
    pub referrals: usize,
    pub accepted: usize,
    pub declined: usize,
    pub departed_people: usize,
    /// A rejected claimant on the way to a voluntary return (consent signed, awaiting
    /// verification).
    pub returning: Option<String>,
}

fn day(today: &str, offset: i64) -> Result<String, AppError> {
    let bad = || AppError::Refused(format!("the clock's date {today} is not YYYY-MM-DD"));
    let mut it = today.split('-');
    let (Some(y), Some(m), Some(d)) = (it.next(), it.next(), it.next()) else {
        return Err(bad());
    };
    let month = time::Month::try_from(m.parse::<u8>().map_err(|_| bad())?).map_err(|_| bad())?;
    let date = time::Date::from_calendar_date(
        y.parse().map_err(|_| bad())?,
        month,
        d.parse().map_err(|_| bad())?,
    )
    .map_err(|_| bad())?;
    let t = date
        .checked_add(time::Duration::days(offset))
        .ok_or_else(bad)?;
    Ok(format!(
        "{:04}-{:02}-{:02}",
        t.year(),
        u8::from(t.month()),
        t.day()
    ))
}

impl App {
    /// Takes a freshly imported camp-closure operation (sites `from` and `to`) to its
    /// midpoint: one resident in hospital, relocation planned for everyone else, the
    /// first convoys arrived (one with a person not checked in), one on the road, the
    /// rest planned.
    pub async fn stage_demo(&self, ctx: &Ctx, from: &str, to: &str) -> Result<DemoStory, AppError> {
        // Each part is staged once; a part interrupted on an earlier run is staged now.
        let relocation_staged = !self.store.convoys().await?.is_empty();
        let rsd_staged = !self.rsd_staff(StaffKind::Officer).await?.is_empty();
        let resettlement_staged = !self.store.placement_runs().await?.is_empty();
        if relocation_staged && rsd_staged && resettlement_staged {
            return Ok(DemoStory::default());
        }
        let today = self.today();
        let mut story = DemoStory {
            staged: true,
            ..DemoStory::default()
        };
        if !relocation_staged {
            self.stage_demo_relocation(ctx, from, to, &today, &mut story)
                .await?;
        }
        if !rsd_staged {
            self.stage_demo_rsd(ctx, &today, &mut story).await?;
        }
        if !resettlement_staged && !self.store.pledges().await?.is_empty() {
            self.stage_demo_resettlement(ctx, &today, &mut story)
                .await?;
        }
        Ok(story)
    }

    async fn stage_demo_relocation(
        &self,
        ctx: &Ctx,
        from: &str,
        to: &str,
        today: &str,
        story: &mut DemoStory,
    ) -> Result<(), AppError> {
        let people = self.store.people_at_site(from).await?;
        // A member of a larger household is in hospital: the household waits for them.
        if let Some(patient) = people
            .iter()
            .filter(|p| p.person.relationship.as_str() != "head")
            .nth(3)
        {
            self.hold_person(ctx, &patient.person.person_id, "in hospital")
                .await?;
            story.on_hold = Some(patient.person.person_id.clone());
        }
        let seats = 90;
        let convoys_needed = people.len().div_ceil(seats as usize).max(1);
        let days = convoys_needed.div_ceil(2) as i64 + 2;
        let dates = format!("{}..{}", day(today, -8)?, day(today, days - 9)?);
        let plan = self
            .plan_relocation(
                ctx,
                &PlanRequest {
                    from_site: from.to_string(),
                    to_site: to.to_string(),
                    convoys: convoy_slots(&dates, 2, seats).map_err(AppError::Refused)?,
                    rules: Rules::default(),
                },
            )
            .await?;
        story.convoys_planned = plan.convoys.len();
        // The convoys of the past week have arrived; yesterday's is on the road.
        let yesterday = day(today, -1)?;
        for c in plan.convoys.iter().filter(|c| c.date < yesterday) {
            self.depart_convoy(ctx, &c.convoy_id, &[]).await?;
            let check = if story.missing.is_empty() && story.convoys_arrived == 2 {
                let detail = self.convoy_detail(&c.convoy_id).await?;
                let absent: Vec<String> = detail
                    .manifest
                    .iter()
                    .rev()
                    .find(|l| l.person.person.relationship.as_str() == "head")
                    .map(|l| l.person.person.person_id.clone())
                    .into_iter()
                    .collect();
                story.missing.clone_from(&absent);
                CheckIn::Missing(absent)
            } else {
                CheckIn::Everyone
            };
            let a = self.arrive_convoy(ctx, &c.convoy_id, &check).await?;
            story.people_relocated += a.arrived;
            story.convoys_arrived += 1;
        }
        if let Some(c) = plan.convoys.iter().find(|c| c.date >= yesterday) {
            self.depart_convoy(ctx, &c.convoy_id, &[]).await?;
            story.convoys_in_transit = 1;
        }
        Ok(())
    }

    /// RSD for two weeks: three officers (one working through an interpreter) heard the
    /// claims scheduled before today; each was decided and notified, and a few rejected
    /// applicants appealed.
    async fn stage_demo_rsd(
        &self,
        ctx: &Ctx,
        today: &str,
        story: &mut DemoStory,
    ) -> Result<(), AppError> {
        for (id, name, capacity, languages) in [
            (
                "O-01",
                "Eligibility officer (Persian, English)",
                14,
                "fas,eng",
            ),
            (
                "O-02",
                "Eligibility officer (Persian, Arabic)",
                14,
                "fas,ara",
            ),
            ("O-03", "Eligibility officer (English)", 8, "eng"),
        ] {
            self.rsd_add_staff(ctx, StaffKind::Officer, id, name, capacity, languages)
                .await?;
        }
        self.rsd_add_staff(
            ctx,
            StaffKind::Interpreter,
            "I-01",
            "Interpreter (Persian, Azerbaijani, Sorani)",
            8,
            "fas,azb,ckb",
        )
        .await?;
        let schedule = self.rsd_schedule(ctx, Some(&day(today, -14)?), 60).await?;
        story.claims = schedule.pending;
        let mut heard: Vec<_> = schedule
            .scheduled
            .iter()
            .map(|b| (b.on.to_string(), b.household_id.clone(), b.officer.clone()))
            .filter(|(on, _, _)| on.as_str() < today)
            .collect();
        heard.sort();
        for (n, (on, household, officer)) in heard.iter().enumerate() {
            let (outcome, reasons) = match n % 10 {
                7 | 8 => (
                    Outcome::Rejected,
                    "The account of persecution was not found credible on the material facts.",
                ),
                9 => (
                    Outcome::Excluded,
                    "Serious reasons for considering a serious non-political crime (Article 1F(b)).",
                ),
                _ => (
                    Outcome::Recognised,
                    "Well-founded fear of persecution for reasons of political opinion.",
                ),
            };
            self.rsd_interview(ctx, household, officer, Some(on), "interview held")
                .await?;
            self.rsd_decide(ctx, household, outcome, reasons, officer, Some(on))
                .await?;
            self.rsd_notify(ctx, household, Some(on), None).await?;
            story.claims_decided += 1;
            if outcome == Outcome::Recognised {
                story.claims_recognised += 1;
            } else if outcome == Outcome::Rejected && n % 20 == 7 {
                self.rsd_appeal(ctx, household, Some(today)).await?;
                story.claims_appealed += 1;
            }
        }
        self.rsd_sweep(ctx, Some(today)).await?;
        Ok(())
    }

    /// Resettlement under way: one approved placement run; the countries have answered
    /// the first referrals (most accepted, a few declined); the first accepted households
    /// have left; a rejected claimant has asked to go home.
    async fn stage_demo_resettlement(
        &self,
        ctx: &Ctx,
        today: &str,
        story: &mut DemoStory,
    ) -> Result<(), AppError> {
        use crate::placement::{CountryDecision, RunRequest};
        use crate::voluntary_return::ReturnStep;
        use haven_core::placement::Weights;

        let run = match self
            .placement_run(
                ctx,
                &RunRequest {
                    weights: Weights::default(),
                    time_limit_ms: 2_000,
                    seed: 0,
                },
            )
            .await
        {
            Ok(run) => run,
            // Nobody recognised yet, or no places: nothing to stage.
            Err(AppError::Refused(_)) => return Ok(()),
            Err(e) => return Err(e),
        };
        let referrals = self.placement_approve(ctx, &run.run_id).await?;
        story.placement_run = Some(run.run_id.clone());
        story.referrals = referrals.len();
        let departure = day(today, 21)?;
        for (n, id) in referrals.iter().take(60).enumerate() {
            let decision = if n % 12 == 5 {
                CountryDecision::Decline {
                    reason:
                        "the security interview raised questions the delegation could not resolve"
                            .into(),
                }
            } else {
                CountryDecision::Accept {
                    departure_date: departure.clone(),
                }
            };
            let r = self.referral_decide(ctx, id, &decision).await?;
            if r.status == "accepted" {
                story.accepted += 1;
                if story.accepted <= 20 {
                    story.departed_people += self.referral_depart(ctx, id).await?.len();
                }
            } else {
                story.declined += 1;
            }
        }
        // A rejected claimant asks to go home: counselled, consent signed, awaiting the
        // verification by another officer.
        let rejected = self
            .rsd_statuses()
            .await?
            .into_iter()
            .find(|s| s.outcome == Some(Outcome::Rejected));
        if let Some(s) = rejected {
            let person = s.principal;
            self.return_step(
                ctx,
                &person,
                &ReturnStep::Counsel {
                    officer: "O-PROT-1".into(),
                    country: None,
                },
                Some(&day(today, -3)?),
            )
            .await?;
            self.return_step(
                ctx,
                &person,
                &ReturnStep::Consent {
                    document: "CONSENT-0001".into(),
                },
                Some(&day(today, -1)?),
            )
            .await?;
            story.returning = Some(person);
        }
        Ok(())
    }
}

/// One demo login per role, printed by `haven demo`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DemoLogin {
    pub username: String,
    pub password: String,
    pub role: haven_core::access::Role,
    pub agency: String,
}

impl App {
    /// Creates the demo's agencies and one user per role (once; existing users are left
    /// as they are). The passwords are printed by `haven demo`: a demo served on
    /// loopback only, never an operation's real accounts.
    pub async fn stage_demo_users(&self, ctx: &Ctx) -> Result<Vec<DemoLogin>, AppError> {
        use crate::access::{Agency, NewUser};
        use haven_core::access::Role;
        let agencies = [
            ("UNHCR", "UN refugee agency", None),
            ("UNMIS", "UN mission in the country", None),
            ("DONORS", "Donor monitoring group", None),
            ("DEL-CAN", "Delegation of Canada", Some("CAN")),
        ];
        for (id, name, country) in agencies {
            self.add_agency(
                ctx,
                Agency {
                    agency_id: id.into(),
                    name: name.into(),
                    country: country.map(str::to_string),
                },
            )
            .await?;
        }
        let users = [
            (
                "registration",
                "Amina Registration",
                Role::RegistrationOfficer,
                "UNHCR",
            ),
            ("sites", "Omid Sites", Role::SiteManager, "UNMIS"),
            ("rsd", "Leila RSD", Role::RsdOfficer, "UNHCR"),
            (
                "resettlement",
                "Sara Resettlement",
                Role::ResettlementOfficer,
                "UNHCR",
            ),
            (
                "delegation",
                "Claire Delegation",
                Role::CountryDelegation,
                "DEL-CAN",
            ),
            ("monitor", "Jonas Monitor", Role::Monitor, "DONORS"),
            ("admin", "Farid Admin", Role::Administrator, "UNMIS"),
        ];
        let existing: Vec<String> = self
            .users()
            .await?
            .into_iter()
            .map(|u| u.username)
            .collect();
        let mut logins = Vec::new();
        for (username, full_name, role, agency) in users {
            let password = format!("demo-{username}-password");
            if !existing.iter().any(|e| e == username) {
                self.add_user(
                    ctx,
                    NewUser {
                        username: username.into(),
                        full_name: full_name.into(),
                        role,
                        agency_id: agency.into(),
                        password: password.clone(),
                    },
                )
                .await?;
            }
            logins.push(DemoLogin {
                username: username.into(),
                password,
                role,
                agency: agency.into(),
            });
        }
        Ok(logins)
    }
}
