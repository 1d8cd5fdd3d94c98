//! Placement runs and referrals against a real database: no household goes to a pledge
//! whose criteria or legal bars it fails, none is split, no pledge is over-used; an
//! approval refers, a country decides, a declined household returns to the pool, and
//! only an accepted referral departs.

use std::collections::{HashMap, HashSet};

use haven_app::placement::{CountryDecision, RunRequest};
use haven_app::{App, AppError, NoProgress};
use haven_core::ledger::Account;
use haven_core::placement::Weights;
use haven_core::pledge::evaluate;
use haven_core::rsd::Outcome;
use haven_store::StaffKind;

use super::ctx;
use super::support::{self, TestDb};

on_both!(placement_respects_criteria_and_referrals_flow);

fn request() -> RunRequest {
    RunRequest {
        weights: Weights::default(),
        time_limit_ms: 2_000,
        seed: 0,
    }
}

async fn audit_count(app: &App) -> i64 {
    app.store.counts().await.expect("counts").audit_entries
}

/// Recognises every household's claim (an officer who speaks everyone's language).
async fn recognise_everyone(app: &App) {
    app.rsd_add_staff(
        &ctx(),
        StaffKind::Officer,
        "O-1",
        "Officer",
        500,
        "fas,eng,ara,azb,ckb",
    )
    .await
    .expect("officer");
    let s = app
        .rsd_schedule(&ctx(), Some("2026-11-01"), 1)
        .await
        .expect("schedule");
    for b in &s.scheduled {
        let on = b.on.to_string();
        app.rsd_interview(&ctx(), &b.household_id, "O-1", Some(&on), "held")
            .await
            .expect("interview");
        app.rsd_decide(
            &ctx(),
            &b.household_id,
            Outcome::Recognised,
            "well-founded fear",
            "O-1",
            Some(&on),
        )
        .await
        .expect("decide");
    }
}

async fn placement_respects_criteria_and_referrals_flow(db: TestDb) {
    let app = &db.app;
    let dir = db.scenario(1, 400);
    app.import_dir(&ctx(), dir.path(), &mut NoProgress)
        .await
        .expect("import");
    let nobody = app.placement_run(&ctx(), &request()).await;
    assert!(matches!(nobody, Err(AppError::Refused(_))), "{nobody:?}");
    recognise_everyone(app).await;

    let run = app.placement_run(&ctx(), &request()).await.expect("run");
    let r = &run.result;
    assert_eq!(run.status, "proposed");
    assert!(
        r.people_considered > r.places_left,
        "places are scarce: {r:?}"
    );
    assert!(r.bound.is_some() && r.objective.is_some());
    // Every placement passes its pledge's criteria, whole household, within places.
    let pledges: HashMap<String, _> = app
        .pledges()
        .await
        .expect("pledges")
        .into_iter()
        .map(|p| (p.pledge_id.clone(), p))
        .collect();
    let mut used: HashMap<&str, u32> = HashMap::new();
    for p in &r.placements {
        let members: Vec<_> = app
            .household(&p.household_id)
            .await
            .expect("household")
            .members
            .into_iter()
            .filter(|m| m.place.is_present())
            .map(|m| m.person)
            .collect();
        assert_eq!(members.len() as u32, p.people, "{} split", p.household_id);
        let refs: Vec<_> = members.iter().collect();
        let e = evaluate(&pledges[&p.pledge_id].criteria, &refs, (2026, 11, 29));
        assert!(
            e.is_eligible(),
            "{} placed with {}: {e:?}",
            p.household_id,
            p.pledge_id
        );
        *used.entry(p.pledge_id.as_str()).or_default() += p.people;
    }
    for u in &r.pledges {
        assert!(u.places_used <= u.places_left, "{u:?}");
        assert_eq!(
            used.get(u.pledge_id.as_str()).copied().unwrap_or(0),
            u.places_used
        );
    }
    // Someone with a recorded affiliation is never referred to a country that bars it.
    let barred: HashSet<&str> = ["PL-USA-2027", "PL-AUS-2027"].into();
    let affiliated: HashSet<String> = app
        .export_people()
        .await
        .expect("people")
        .into_iter()
        .filter(|p| p.attributes.contains_key("affiliation"))
        .map(|p| p.household_id)
        .collect();
    assert!(!affiliated.is_empty());
    assert!(
        r.placements
            .iter()
            .all(|p| !(affiliated.contains(&p.household_id)
                && barred.contains(p.pledge_id.as_str())))
    );
    assert!(
        r.unplaced
            .iter()
            .any(|u| u.reason == "places_exhausted" || u.reason == "not_worth_it")
    );

    // What if the most valuable pledge had ten more places: more people placed, from a
    // warm re-solve, and the run itself unchanged.
    let busiest = r
        .pledges
        .iter()
        .max_by(|a, b| a.shadow_price.total_cmp(&b.shadow_price))
        .expect("pledges");
    assert!(busiest.shadow_price > 0.0, "{:?}", r.pledges);
    let more = app
        .placement_whatif(&run.run_id, &busiest.pledge_id, 10, 1_000)
        .await
        .expect("what-if");
    assert_eq!(more.places_after, busiest.places_left + 10);
    assert!(
        more.people_placed_after > more.people_placed_before,
        "{more:?}"
    );
    assert!(more.value_after > more.value_before, "{more:?}");
    let fewer = app
        .placement_whatif(&run.run_id, &busiest.pledge_id, -5, 1_000)
        .await
        .expect("what-if");
    assert!(
        fewer.people_placed_after < fewer.people_placed_before,
        "{fewer:?}"
    );
    let too_few = app
        .placement_whatif(&run.run_id, &busiest.pledge_id, -100_000, 1_000)
        .await;
    assert!(matches!(too_few, Err(AppError::Refused(_))), "{too_few:?}");
    assert_eq!(
        app.placement_show(&run.run_id).await.expect("show").result,
        run.result
    );

    // The shortfall: the same households left out, and one more place helps somewhere.
    let shortfall = app.shortfall(1_000).await.expect("shortfall");
    assert_eq!(shortfall.households_waiting, r.households_considered);
    assert_eq!(shortfall.people_placeable, r.people_placed);
    let left_out: u64 = shortfall.by_reason.values().map(|(_, people)| people).sum();
    assert_eq!(
        left_out,
        shortfall.people_waiting - shortfall.people_placeable
    );
    assert!(
        shortfall
            .pledges
            .iter()
            .any(|p| p.more_people_for_one_more_place > 0),
        "{:?}",
        shortfall.pledges
    );

    // Approval refers; approving twice is refused and writes nothing.
    let referrals = app
        .placement_approve(&ctx(), &run.run_id)
        .await
        .expect("approve");
    assert_eq!(referrals.len(), r.placements.len());
    let before = audit_count(app).await;
    let twice = app.placement_approve(&ctx(), &run.run_id).await;
    assert!(
        matches!(&twice, Err(AppError::Refused(m)) if m.contains("approved already")),
        "{twice:?}"
    );
    // Departing before the country decided, or after it declined, is refused.
    let (first, second) = (&referrals[0], &referrals[1]);
    let early = app.referral_depart(&ctx(), first).await;
    assert!(matches!(early, Err(AppError::Refused(_))), "{early:?}");
    assert_eq!(audit_count(app).await, before);

    app.referral_decide(
        &ctx(),
        first,
        &CountryDecision::Accept {
            departure_date: "2027-02-01".into(),
        },
    )
    .await
    .expect("accept");
    let declined = app
        .referral_decide(
            &ctx(),
            second,
            &CountryDecision::Decline {
                reason: "security screening not completed".into(),
            },
        )
        .await
        .expect("decline");
    let again = app
        .referral_decide(
            &ctx(),
            second,
            &CountryDecision::Decline {
                reason: "again".into(),
            },
        )
        .await;
    assert!(matches!(again, Err(AppError::Refused(_))), "{again:?}");
    let before = audit_count(app).await;
    let gone = app.referral_depart(&ctx(), second).await;
    assert!(
        matches!(&gone, Err(AppError::Refused(m)) if m.contains("is declined")),
        "{gone:?}"
    );
    assert_eq!(audit_count(app).await, before);

    let moved = app.referral_depart(&ctx(), first).await.expect("depart");
    let ledger = app.ledger().await.expect("ledger");
    assert!(ledger.ok(), "{ledger:?}");
    let accepted = app
        .referrals()
        .await
        .expect("referrals")
        .into_iter()
        .find(|x| &x.referral_id == first)
        .expect("referral");
    assert_eq!(accepted.status, "departed");
    let country_key = Account::Departed(accepted.country.clone()).key();
    assert_eq!(
        ledger.by_place.get(&country_key).copied(),
        Some(moved.len() as i64)
    );
    assert!(app.verify_audit().await.expect("verify").is_ok());

    // The progress report counts what the books and the referrals say.
    let progress = app.progress_report().await.expect("progress");
    let step = |name: &str| {
        progress
            .funnel
            .iter()
            .find(|s| s.step == name)
            .map(|s| s.people)
            .expect("step")
    };
    assert_eq!(step("registered"), 400);
    assert_eq!(step("recognised"), 400);
    assert_eq!(step("departed"), moved.len() as i64);
    assert_eq!(step("accepted"), accepted.people);
    assert_eq!(step("returned"), 0);
    assert_eq!(progress.people_present, 400 - moved.len() as i64);
    assert_eq!(progress.exits_last_28_days, moved.len() as i64);
    assert!(progress.projected_end.is_some());
    assert!(
        progress
            .open
            .iter()
            .any(|o| o.status == "referral submitted" && o.owner == "country delegation")
    );
    assert_eq!(
        progress.pledge_gap.places_pledged,
        pledges.values().map(|p| i64::from(p.places)).sum::<i64>()
    );

    // The declined household is back in the pool for the next run.
    let next = app
        .placement_run(&ctx(), &request())
        .await
        .expect("next run");
    let considered: Vec<&str> = next
        .result
        .placements
        .iter()
        .map(|p| p.household_id.as_str())
        .chain(next.result.unplaced.iter().map(|u| u.household_id.as_str()))
        .collect();
    assert!(considered.contains(&declined.household_id.as_str()));
    assert!(!considered.contains(&accepted.household_id.as_str()));
    // ... but not to the country that declined it.
    assert!(
        next.result
            .placements
            .iter()
            .filter(|p| p.household_id == declined.household_id)
            .all(|p| p.country != declined.country),
        "{:?}",
        next.result.placements
    );
}
