//! The operation end to end, on the default operation (3,200 people): everyone is
//! relocated from the closing camp to the temporary site; every claim is heard and
//! decided with scripted outcomes, appeals included; recognised households are placed,
//! referred, decided on and depart until no pledged place can be used; households not
//! recognised go home by verified voluntary return; and at the end everyone has
//! departed, returned, or is in a named open status with an accountable owner — with
//! the ledger and the audit chain checked after every step.

use std::collections::{BTreeMap, HashMap, HashSet};

use haven_app::placement::{CountryDecision, RunRequest};
use haven_app::relocation::{CheckIn, PlanRequest};
use haven_app::voluntary_return::ReturnStep;
use haven_app::{App, AppError, NoProgress};
use haven_core::placement::Weights;
use haven_core::relocation::{Rules, convoy_slots};
use haven_core::rsd::Outcome;
use haven_store::StaffKind;

use super::ctx;
use super::support::{self, TestDb};

on_both!(the_first_half_of_the_operation_end_to_end);

async fn books_are_sound(app: &App, step: &str) {
    let ledger = app.ledger().await.expect("ledger");
    assert!(ledger.ok(), "after {step}: {ledger:?}");
    let verified = app.verify_audit().await.expect("verify");
    assert!(verified.is_ok(), "after {step}: {verified:?}");
}

/// The scripted outcome of the n-th claim decided: 7 in 10 recognised, 2 rejected,
/// 1 excluded under Article 1F.
fn scripted(n: usize) -> (Outcome, &'static str) {
    match n % 10 {
        7 | 8 => (
            Outcome::Rejected,
            "The account of persecution was not found credible on the material facts.",
        ),
        9 => (
            Outcome::Excluded,
            "Serious reasons for considering the applicant committed a serious non-political crime (Article 1F(b)).",
        ),
        _ => (
            Outcome::Recognised,
            "Well-founded fear of persecution for reasons of political opinion (Article 1A(2)).",
        ),
    }
}

async fn the_first_half_of_the_operation_end_to_end(db: TestDb) {
    let app = &db.app;
    let dir = db.scenario(1, 3200);
    app.import_dir(&ctx(), dir.path(), &mut NoProgress)
        .await
        .expect("import");
    books_are_sound(app, "import").await;

    // Relocation: everyone, convoy by convoy.
    let plan = app
        .plan_relocation(
            &ctx(),
            &PlanRequest {
                from_site: "S-CAMP".into(),
                to_site: "S-TS".into(),
                convoys: convoy_slots("2026-12-01..2026-12-20", 2, 100).expect("slots"),
                rules: Rules::default(),
            },
        )
        .await
        .expect("plan");
    assert_eq!(plan.people_planned, 3200, "{:?}", plan.held);
    books_are_sound(app, "planning").await;
    for c in &plan.convoys {
        app.depart_convoy(&ctx(), &c.convoy_id, &[])
            .await
            .expect("depart");
        books_are_sound(app, &format!("departure of {}", c.convoy_id)).await;
        app.arrive_convoy(&ctx(), &c.convoy_id, &CheckIn::Everyone)
            .await
            .expect("arrive");
        books_are_sound(app, &format!("arrival of {}", c.convoy_id)).await;
    }
    let ledger = app.ledger().await.expect("ledger");
    assert_eq!(ledger.by_place.get("site:S-TS"), Some(&3200));
    assert_eq!(ledger.by_place.len(), 1, "{:?}", ledger.by_place);

    // RSD: officers (one who needs an interpreter for Persian) and an interpreter.
    for (id, cap, langs) in [
        ("O-1", 40, "fas,eng"),
        ("O-2", 40, "fas"),
        ("O-3", 30, "fas,ara"),
        ("O-4", 20, "eng"),
    ] {
        app.rsd_add_staff(
            &ctx(),
            StaffKind::Officer,
            id,
            "Eligibility officer",
            cap,
            langs,
        )
        .await
        .expect("officer");
    }
    app.rsd_add_staff(
        &ctx(),
        StaffKind::Interpreter,
        "I-1",
        "Interpreter",
        20,
        "fas,azb,ckb",
    )
    .await
    .expect("interpreter");
    let schedule = app
        .rsd_schedule(&ctx(), Some("2026-12-21"), 30)
        .await
        .expect("schedule");
    assert_eq!(schedule.pending, 1859);
    assert!(
        schedule.not_scheduled.is_empty(),
        "{:?}",
        schedule.not_scheduled
    );
    assert_eq!(schedule.scheduled.len(), 1859);
    let interpreted = schedule
        .scheduled
        .iter()
        .filter(|b| b.interpreter.is_some())
        .count();
    assert!(
        interpreted > 0,
        "the English-speaking officer needs an interpreter"
    );
    books_are_sound(app, "scheduling").await;

    // Day by day: interview, decide, notify.
    let mut by_day: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for b in &schedule.scheduled {
        by_day
            .entry(b.on.to_string())
            .or_default()
            .push((b.household_id.clone(), b.officer.clone()));
    }
    let mut n = 0;
    let mut outcomes: HashMap<String, (Outcome, String)> = HashMap::new();
    let mut last_day = String::new();
    for (day, claims) in &by_day {
        for (household, officer) in claims {
            app.rsd_interview(&ctx(), household, officer, Some(day), "interview held")
                .await
                .expect("interview");
            let (outcome, reasons) = scripted(n);
            n += 1;
            app.rsd_decide(&ctx(), household, outcome, reasons, officer, Some(day))
                .await
                .expect("decide");
            app.rsd_notify(&ctx(), household, Some(day), None)
                .await
                .expect("notify");
            outcomes.insert(household.clone(), (outcome, officer.clone()));
        }
        books_are_sound(app, &format!("decisions of {day}")).await;
        last_day.clone_from(day);
    }

    // Every fourth rejected claim is appealed within the window; another officer
    // decides it, recognising every second one.
    let mut appealed: Vec<(String, String)> = outcomes
        .iter()
        .filter(|(_, (o, _))| *o == Outcome::Rejected)
        .map(|(h, (_, officer))| (h.clone(), officer.clone()))
        .collect();
    appealed.sort();
    let appealed: Vec<_> = appealed.into_iter().step_by(4).collect();
    assert!(!appealed.is_empty());
    let mut overturned = 0;
    for (i, (household, first_officer)) in appealed.iter().enumerate() {
        app.rsd_appeal(&ctx(), household, Some(&last_day))
            .await
            .expect("appeal");
        let other = if *first_officer == "O-1" {
            "O-2"
        } else {
            "O-1"
        };
        let (outcome, reasons) = if i % 2 == 0 {
            overturned += 1;
            (
                Outcome::Recognised,
                "On appeal: new evidence corroborates the account.",
            )
        } else {
            (Outcome::Rejected, "On appeal: the first decision stands.")
        };
        app.rsd_decide(&ctx(), household, outcome, reasons, other, Some(&last_day))
            .await
            .expect("appeal decision");
        outcomes.insert(household.to_string(), (outcome, other.to_string()));
    }
    books_are_sound(app, "appeals").await;

    // Once every appeal window has passed, the sweep makes every decision final.
    let sweep = app
        .rsd_sweep(&ctx(), Some("2027-03-31"))
        .await
        .expect("sweep");
    assert_eq!(sweep.closed_no_show, 0);
    books_are_sound(app, "sweep").await;
    let statuses = app.rsd_statuses().await.expect("statuses");
    assert_eq!(statuses.len(), 1859);
    let mut tally: BTreeMap<String, usize> = BTreeMap::new();
    for s in &statuses {
        assert!(s.is_final, "{s:?}");
        let expected = outcomes[&s.household_id].0;
        assert_eq!(s.outcome, Some(expected), "{s:?}");
        *tally.entry(format!("{expected:?}")).or_default() += 1;
    }
    let recognised_first = (0..1859)
        .filter(|i| scripted(*i).0 == Outcome::Recognised)
        .count();
    assert_eq!(tally["Recognised"], recognised_first + overturned);
    let queue = app.rsd_queue(5, Some("2027-03-31")).await.expect("queue");
    assert_eq!(queue.awaiting_decision, 0);
    assert!(queue.oldest.is_empty(), "{:?}", queue.oldest);

    // Resettlement: placement runs until no more places can be used; each run approved,
    // every referral decided (one in fifteen declined), every accepted household departs.
    let mut n = 0;
    for round in 1..=6 {
        let run = match app.placement_run(&ctx(), &placement_request()).await {
            Ok(run) => run,
            Err(AppError::Refused(_)) => break,
            Err(e) => panic!("run {round}: {e}"),
        };
        if run.result.placements.is_empty() {
            break;
        }
        let referrals = app
            .placement_approve(&ctx(), &run.run_id)
            .await
            .expect("approve");
        books_are_sound(app, &format!("approval of run {round}")).await;
        for id in &referrals {
            n += 1;
            let decision = if n % 15 == 7 {
                CountryDecision::Decline {
                    reason: "the delegation's interview raised unresolved questions".into(),
                }
            } else {
                CountryDecision::Accept {
                    departure_date: "2027-05-01".into(),
                }
            };
            let r = app
                .referral_decide(&ctx(), id, &decision)
                .await
                .expect("decide");
            if r.status == "accepted" {
                app.referral_depart(&ctx(), id).await.expect("depart");
            }
        }
        books_are_sound(app, &format!("decisions and departures of run {round}")).await;
    }

    // Voluntary return for every second household not recognised: each member present
    // is counselled, consents, is verified by another officer and returns home.
    let not_recognised: Vec<String> = app
        .rsd_statuses()
        .await
        .expect("statuses")
        .into_iter()
        .filter(|s| !s.recognised)
        .map(|s| s.household_id)
        .step_by(2)
        .collect();
    for household in &not_recognised {
        let members = app.household(household).await.expect("household").members;
        for m in members.iter().filter(|m| m.place.is_present()) {
            let id = &m.person.person_id;
            for step in [
                ReturnStep::Counsel {
                    officer: "O-P1".into(),
                    country: None,
                },
                ReturnStep::Consent {
                    document: format!("CONSENT-{id}"),
                },
                ReturnStep::Verify {
                    officer: "O-P2".into(),
                },
                ReturnStep::Schedule {
                    departure: "2027-06-01".into(),
                },
            ] {
                app.return_step(&ctx(), id, &step, Some("2027-05-15"))
                    .await
                    .expect("return step");
            }
            app.return_depart(&ctx(), id, Some("2027-06-01"))
                .await
                .expect("return");
        }
    }
    books_are_sound(app, "voluntary returns").await;

    // The end: everyone has departed, returned, or is in a named open status with an
    // accountable owner.
    let ledger = app.ledger().await.expect("ledger");
    let solved: i64 = ledger
        .balance
        .accounts
        .iter()
        .filter(|(k, _)| k.starts_with("departed:") || k.starts_with("returned:"))
        .map(|(_, n)| n)
        .sum();
    assert!(solved > 1500, "{:?}", ledger.by_place);
    let statuses = app.rsd_statuses().await.expect("statuses");
    let open_referral: HashSet<String> = app
        .referrals()
        .await
        .expect("referrals")
        .into_iter()
        .filter(|r| r.status == "submitted" || r.status == "accepted")
        .map(|r| r.household_id)
        .collect();
    let mut awaiting_place = 0;
    let mut no_solution = 0;
    for s in &statuses {
        let members = app
            .household(&s.household_id)
            .await
            .expect("household")
            .members;
        if !members.iter().any(|m| m.place.is_present()) {
            continue;
        }
        assert!(
            !open_referral.contains(&s.household_id),
            "every referral was decided and departed"
        );
        if s.recognised {
            awaiting_place += 1;
        } else {
            no_solution += 1;
        }
    }
    let progress = app.progress_report().await.expect("progress");
    let cases = |status: &str| {
        progress
            .open
            .iter()
            .find(|o| o.status == status)
            .map_or(0, |o| o.cases)
    };
    assert_eq!(cases("recognised, awaiting a place"), awaiting_place);
    assert_eq!(cases("not recognised, no return under way"), no_solution);
    for o in &progress.open {
        assert!(!o.owner.is_empty(), "{o:?}");
    }
    let present = progress.people_present;
    assert_eq!(present + solved, 3200);
    let step = |name: &str| {
        progress
            .funnel
            .iter()
            .find(|s| s.step == name)
            .map_or(-1, |s| s.people)
    };
    assert_eq!(step("departed") + step("returned"), solved);
    assert!(app.verify_audit().await.expect("verify").is_ok());
}

fn placement_request() -> RunRequest {
    RunRequest {
        weights: Weights::default(),
        time_limit_ms: 2_000,
        seed: 0,
    }
}
