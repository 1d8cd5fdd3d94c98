//! Voluntary return against a real database: nobody reaches a `returned` account
//! without counselling, a signed consent verified by another officer, and a scheduled
//! departure — and not after withdrawing.

use haven_app::voluntary_return::ReturnStep;
use haven_app::{App, AppError, NoProgress};
use haven_core::ledger::Account;

use super::ctx;
use super::support::{self, TestDb};

on_both!(a_return_is_verifiably_voluntary);

async fn audit_count(app: &App) -> i64 {
    app.store.counts().await.expect("counts").audit_entries
}

fn counsel(officer: &str) -> ReturnStep {
    ReturnStep::Counsel {
        officer: officer.into(),
        country: None,
    }
}

async fn a_return_is_verifiably_voluntary(db: TestDb) {
    let app = &db.app;
    let dir = db.scenario(2, 60);
    app.import_dir(&ctx(), dir.path(), &mut NoProgress)
        .await
        .expect("import");
    let people = app.export_people().await.expect("people");
    let p = people
        .iter()
        .find(|p| {
            people
                .iter()
                .filter(|q| q.household_id == p.household_id)
                .count()
                > 1
        })
        .expect("someone in a household of several");
    let id = p.person_id.clone();
    let before = audit_count(app).await;

    // No way round the procedure.
    let by_hand = app
        .move_people(
            &ctx(),
            std::slice::from_ref(&id),
            &Account::Returned(p.nationality.clone()),
            "wants to go home",
            Some("return"),
        )
        .await;
    assert!(
        matches!(&by_hand, Err(AppError::Refused(m)) if m.contains("haven return depart")),
        "{by_hand:?}"
    );
    let early = app.return_depart(&ctx(), &id, None).await;
    assert!(matches!(early, Err(AppError::Refused(_))), "{early:?}");
    let consent_first = app
        .return_step(
            &ctx(),
            &id,
            &ReturnStep::Consent {
                document: "F-1".into(),
            },
            None,
        )
        .await;
    assert!(
        matches!(consent_first, Err(AppError::Refused(_))),
        "{consent_first:?}"
    );
    assert_eq!(audit_count(app).await, before);

    app.return_step(&ctx(), &id, &counsel("O-1"), Some("2026-11-20"))
        .await
        .expect("counsel");
    app.return_step(
        &ctx(),
        &id,
        &ReturnStep::Consent {
            document: "F-1".into(),
        },
        Some("2026-11-21"),
    )
    .await
    .expect("consent");
    let before = audit_count(app).await;
    let same = app
        .return_step(
            &ctx(),
            &id,
            &ReturnStep::Verify {
                officer: "O-1".into(),
            },
            Some("2026-11-22"),
        )
        .await;
    assert!(
        matches!(&same, Err(AppError::Refused(m)) if m.contains("another officer than O-1")),
        "{same:?}"
    );
    let unverified = app
        .return_step(
            &ctx(),
            &id,
            &ReturnStep::Schedule {
                departure: "2026-12-10".into(),
            },
            None,
        )
        .await;
    assert!(
        matches!(unverified, Err(AppError::Refused(_))),
        "{unverified:?}"
    );
    assert_eq!(audit_count(app).await, before);
    app.return_step(
        &ctx(),
        &id,
        &ReturnStep::Verify {
            officer: "O-2".into(),
        },
        Some("2026-11-22"),
    )
    .await
    .expect("verify");
    app.return_step(
        &ctx(),
        &id,
        &ReturnStep::Schedule {
            departure: "2026-12-10".into(),
        },
        None,
    )
    .await
    .expect("schedule");
    // Withdrawn before departure: no departure without starting again.
    app.return_step(
        &ctx(),
        &id,
        &ReturnStep::Withdraw {
            reason: Some("changed their mind".into()),
        },
        Some("2026-11-25"),
    )
    .await
    .expect("withdraw");
    let before = audit_count(app).await;
    let withdrawn = app.return_depart(&ctx(), &id, Some("2026-12-10")).await;
    assert!(
        matches!(withdrawn, Err(AppError::Refused(_))),
        "{withdrawn:?}"
    );
    assert_eq!(audit_count(app).await, before);
    assert!(
        app.person(&id)
            .await
            .expect("person")
            .record
            .place
            .is_present()
    );

    // Counselled again, consent again, verified again: the return goes ahead.
    app.return_step(&ctx(), &id, &counsel("O-3"), Some("2026-11-28"))
        .await
        .expect("counsel again");
    app.return_step(
        &ctx(),
        &id,
        &ReturnStep::Consent {
            document: "F-2".into(),
        },
        Some("2026-11-28"),
    )
    .await
    .expect("consent again");
    app.return_step(
        &ctx(),
        &id,
        &ReturnStep::Verify {
            officer: "O-2".into(),
        },
        Some("2026-11-29"),
    )
    .await
    .expect("verify again");
    app.return_step(
        &ctx(),
        &id,
        &ReturnStep::Schedule {
            departure: "2026-12-12".into(),
        },
        None,
    )
    .await
    .expect("schedule again");
    let early = app.return_depart(&ctx(), &id, Some("2026-12-11")).await;
    assert!(
        matches!(&early, Err(AppError::Refused(m)) if m.contains("scheduled for 2026-12-12")),
        "{early:?}"
    );
    let to = app
        .return_depart(&ctx(), &id, Some("2026-12-12"))
        .await
        .expect("depart");
    assert_eq!(to, Account::Returned(p.nationality.clone()));
    let ledger = app.ledger().await.expect("ledger");
    assert!(ledger.ok(), "{ledger:?}");
    assert_eq!(ledger.by_place.get(&to.key()), Some(&1));
    let history = app.person(&id).await.expect("person").history;
    let last = history.last().expect("movement");
    assert_eq!(
        last.split_reason.as_deref(),
        Some(format!("voluntary return of {id}").as_str())
    );
    let twice = app.return_depart(&ctx(), &id, None).await;
    assert!(matches!(twice, Err(AppError::Refused(_))), "{twice:?}");
    assert!(app.verify_audit().await.expect("verify").is_ok());
}
