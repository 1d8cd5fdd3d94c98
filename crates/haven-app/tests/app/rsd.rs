//! Refugee status determination against a real database, on SQLite and PostgreSQL.
//!
//! A small scripted operation: the scenario's sites, and households written here with
//! the languages and needs each test wants. The test clock says 2026-11-29.

use haven_app::rsd::{RsdRole, StaffChange};
use haven_app::{AppError, Ctx, NoProgress};
use haven_core::rsd::{NotScheduled, Outcome};
use haven_store::StaffKind;

use crate::support::TestDb;

macro_rules! rsd_on_both {
    ($($name:ident),* $(,)?) => {
        mod sqlite { $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $name() { super::$name(crate::support::TestDb::sqlite().await).await } )* }
        mod postgres { $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $name() { super::$name(crate::support::TestDb::postgres().await).await } )* }
    };
}

rsd_on_both!(
    officers_and_interpreters_are_data,
    a_claim_goes_from_schedule_to_final_with_derivative_status,
    caseworker_errors_change_nothing,
    scheduling_respects_capacity_and_interpreter_languages,
    no_show_closes_after_six_weeks_and_reopens,
    queue_report_on_a_scripted_case,
    scheduling_without_officers_is_refused,
    an_absent_principal_is_not_scheduled,
);

fn ctx() -> Ctx {
    Ctx::new("test:rsd-officer")
}

const HEADER: &str = "household_id,person_id,relationship,given_name_latin,family_name_latin,given_name_original,family_name_original,sex,date_of_birth,dob_precision,nationality,languages,specific_needs,attributes,site_id,unit_id,registered_on\n";

/// H-1 speaks Persian (three people), H-2 Sorani only (two), H-3 Pashto only, H-4
/// Persian with a member with specific needs, H-5 Persian.
const HOUSEHOLDS: &str = "\
H-1,P-11,head,Ali,Karimi,,,M,1970,year,IRN,fas;eng,,,S-CAMP,,2026-09-01
H-1,P-12,spouse,Zahra,Karimi,,,F,1975,year,IRN,fas,,,S-CAMP,,2026-09-01
H-1,P-13,child,Reza,Karimi,,,M,2010,year,IRN,fas,,,S-CAMP,,2026-09-01
H-2,P-21,head,Hiwa,Ahmadi,,,M,1980,year,IRQ,ckb,,,S-CAMP,,2026-09-05
H-2,P-22,child,Shilan,Ahmadi,,,F,2012,year,IRQ,ckb,,,S-CAMP,,2026-09-05
H-3,P-31,head,Gul,Khan,,,M,1965,year,AFG,pus,,,S-CAMP,,2026-09-10
H-4,P-41,head,Maryam,Rahimi,,,F,1960,year,IRN,fas,,,S-CAMP,,2026-10-01
H-4,P-42,child,Sara,Rahimi,,,F,2014,year,IRN,fas,SM-CI,,S-CAMP,,2026-10-01
H-5,P-51,head,Hassan,Rezaei,,,M,1985,year,IRN,fas,,,S-CAMP,,2026-10-15
";

/// The scenario's sites and the households above; officers O-A (fas, eng; 2 a day) and
/// O-B (fas; 2 a day), interpreter I-K (ckb; 1 a day).
async fn setup(db: &TestDb) -> tempfile::TempDir {
    let dir = households(db).await;
    for (id, cap, langs) in [("O-A", 2, "fas,eng"), ("O-B", 2, "fas")] {
        db.app
            .rsd_add_staff(&ctx(), StaffKind::Officer, id, "Officer", cap, langs)
            .await
            .expect("officer");
    }
    db.app
        .rsd_add_staff(
            &ctx(),
            StaffKind::Interpreter,
            "I-K",
            "Kurdish interpreter",
            1,
            "ckb",
        )
        .await
        .expect("interpreter");
    dir
}

/// The scenario's sites and the households above, no officers.
async fn households(db: &TestDb) -> tempfile::TempDir {
    let dir = db.scenario(5, 20);
    db.app
        .import_sites(&ctx(), &dir.path().join("sites.csv"))
        .await
        .expect("sites");
    let path = dir.path().join("rsd-households.csv");
    std::fs::write(&path, format!("{HEADER}{HOUSEHOLDS}")).expect("write");
    db.app
        .import_households(&ctx(), &path, &mut NoProgress)
        .await
        .expect("households");
    dir
}

async fn audit_count(db: &TestDb) -> i64 {
    db.app.store.counts().await.expect("counts").audit_entries
}

async fn officers_and_interpreters_are_data(db: TestDb) {
    let _dir = setup(&db).await;
    let a = audit_count(&db).await;
    let again = db
        .app
        .rsd_add_staff(&ctx(), StaffKind::Officer, "O-A", "Officer", 2, "fas;eng")
        .await
        .expect("again");
    assert_eq!(again, StaffChange::Unchanged);
    assert_eq!(audit_count(&db).await, a);
    let up = db
        .app
        .rsd_add_staff(
            &ctx(),
            StaffKind::Officer,
            "O-A",
            "Officer A",
            3,
            "fas,eng,ara",
        )
        .await
        .expect("update");
    assert_eq!(up, StaffChange::Updated);
    assert_eq!(audit_count(&db).await, a + 1);
    let Err(AppError::Invalid(problems)) = db
        .app
        .rsd_add_staff(&ctx(), StaffKind::Officer, "O-C", "", -1, "fas,xx1")
        .await
    else {
        panic!("bad officer accepted");
    };
    let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
    assert_eq!(fields, ["name", "capacity", "languages"]);
    assert_eq!(audit_count(&db).await, a + 1);
    let officers = db.app.rsd_staff(StaffKind::Officer).await.expect("list");
    assert_eq!(officers.len(), 2);
    assert_eq!(officers[0].languages, ["fas", "eng", "ara"]);
    assert_eq!(officers[0].capacity_per_day, 3);
    let interpreters = db
        .app
        .rsd_staff(StaffKind::Interpreter)
        .await
        .expect("list");
    assert_eq!(interpreters[0].id, "I-K");
    assert!(db.app.verify_audit().await.expect("verify").is_ok());
}

async fn a_claim_goes_from_schedule_to_final_with_derivative_status(db: TestDb) {
    let _dir = setup(&db).await;
    let app = &db.app;
    let c = ctx();
    // Nothing recorded yet: pending since registration, derivatives of the head.
    let v = app.rsd_claim("H-1").await.expect("show");
    assert_eq!(
        (v.stage.as_str(), v.waiting_since.as_str()),
        ("pending", "2026-09-01")
    );
    let s = app.rsd_person_status("P-12").await.expect("status");
    assert_eq!(s.role, RsdRole::Derivative);
    assert_eq!(s.summary, "derivative of P-11: claim pending");

    let plan = app
        .rsd_schedule(&c, Some("2026-12-01"), 3)
        .await
        .expect("schedule");
    assert_eq!(plan.pending, 5);
    assert_eq!(plan.scheduled.len(), 4);
    let v = app.rsd_claim("H-1").await.expect("show");
    assert_eq!(v.stage, "scheduled");

    // H-1: rejected, appealed, recognised on appeal by another officer.
    app.rsd_interview(
        &c,
        "H-1",
        "O-A",
        Some("2026-12-01"),
        "credible account, some gaps",
    )
    .await
    .expect("interview");
    app.rsd_decide(
        &c,
        "H-1",
        Outcome::Rejected,
        "no well-founded fear established",
        "O-A",
        Some("2026-12-02"),
    )
    .await
    .expect("decide");
    let v = app
        .rsd_notify(&c, "H-1", Some("2026-12-03"), None)
        .await
        .expect("notify");
    assert_eq!(v.appeal_deadline.as_deref(), Some("2027-01-02"));
    assert!(
        app.rsd_person_status("P-12")
            .await
            .expect("status")
            .summary
            .starts_with("derivative of P-11: none")
    );
    app.rsd_appeal(&c, "H-1", Some("2026-12-10"))
        .await
        .expect("appeal");
    let v = app
        .rsd_decide(
            &c,
            "H-1",
            Outcome::Recognised,
            "credible on review",
            "O-B",
            Some("2026-12-20"),
        )
        .await
        .expect("appeal decided");
    assert_eq!(v.stage, "final");
    assert_eq!(v.outcome, Some(Outcome::Recognised));
    assert!(v.is_final);
    assert_eq!(v.interviews.len(), 1);
    assert_eq!(v.interviews[0].notes, "credible account, some gaps");
    let d: Vec<(&str, &str, &str)> = v
        .decisions
        .iter()
        .map(|d| (d.instance.as_str(), d.outcome.as_str(), d.officer.as_str()))
        .collect();
    assert_eq!(
        d,
        [
            ("first", "rejected", "O-A"),
            ("appeal", "recognised", "O-B")
        ]
    );
    let members: Vec<(&str, bool, &str)> = v
        .members
        .iter()
        .map(|m| (m.person_id.as_str(), m.refugee_status, m.summary.as_str()))
        .collect();
    assert_eq!(
        members,
        [
            ("P-11", true, "principal: recognised (final)"),
            ("P-12", true, "derivative of P-11: refugee status"),
            ("P-13", true, "derivative of P-11: refugee status"),
        ]
    );

    // H-4: excluded under Article 1F; the child gets nothing from it.
    app.rsd_interview(&c, "H-4", "O-A", Some("2026-12-01"), "")
        .await
        .expect("interview");
    app.rsd_decide(
        &c,
        "H-4",
        Outcome::Excluded,
        "Article 1F(b): serious non-political crime",
        "O-A",
        Some("2026-12-01"),
    )
    .await
    .expect("decide");
    app.rsd_notify(&c, "H-4", Some("2026-12-02"), Some(14))
        .await
        .expect("notify");
    let s = app.rsd_person_status("P-42").await.expect("status");
    assert!(!s.refugee_status);
    assert_eq!(s.outcome, Some(Outcome::Excluded));
    assert_eq!(
        s.summary,
        "derivative of P-41: none (principal excluded (notified))"
    );

    // H-2 (with its interpreter): recognised, final at the sweep.
    app.rsd_interview(
        &c,
        "H-2",
        "O-B",
        Some("2026-12-01"),
        "interpreted from Sorani",
    )
    .await
    .expect("interview");
    let v = app.rsd_claim("H-2").await.expect("show");
    assert_eq!(v.interviews[0].interpreter.as_deref(), Some("I-K"));
    app.rsd_decide(
        &c,
        "H-2",
        Outcome::Recognised,
        "persecution on political grounds",
        "O-B",
        Some("2026-12-03"),
    )
    .await
    .expect("decide");
    app.rsd_notify(&c, "H-2", Some("2026-12-04"), None)
        .await
        .expect("notify");
    // As of 2026-12-10: H-2's recognition becomes final; H-4's window runs to 12-16.
    let sweep = app.rsd_sweep(&c, Some("2026-12-10")).await.expect("sweep");
    assert_eq!((sweep.finalised, sweep.closed_no_show), (1, 0));
    let sweep = app.rsd_sweep(&c, Some("2026-12-17")).await.expect("sweep");
    assert_eq!((sweep.finalised, sweep.closed_no_show), (1, 0));
    let statuses = app.rsd_statuses().await.expect("statuses");
    let brief: Vec<(&str, &str, bool, bool)> = statuses
        .iter()
        .map(|s| {
            (
                s.household_id.as_str(),
                s.stage.as_str(),
                s.is_final,
                s.recognised,
            )
        })
        .collect();
    assert_eq!(
        brief,
        [
            ("H-1", "final", true, true),
            ("H-2", "final", true, true),
            ("H-3", "pending", false, false),
            ("H-4", "final", true, false),
            ("H-5", "scheduled", false, false),
        ]
    );
    // Every step was audited and the chain holds.
    let audit = app
        .store
        .audit_for("rsd_claim", "H-1")
        .await
        .expect("audit");
    let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "rsd.schedule",
            "rsd.interview",
            "rsd.decide",
            "rsd.notify",
            "rsd.appeal",
            "rsd.decide_appeal"
        ]
    );
    assert!(app.verify_audit().await.expect("verify").is_ok());
    assert!(app.ledger().await.expect("ledger").ok());
}

/// Asserts that a request was refused with `message` and left the database as it was.
async fn refused(
    db: &TestDb,
    r: Result<haven_app::rsd::ClaimView, AppError>,
    message: &str,
    before: (i64, haven_app::rsd::ClaimView),
) {
    match r {
        Err(AppError::Refused(m)) => assert_eq!(m, message),
        Err(e) => panic!("expected refusal '{message}', got {e:?}"),
        Ok(_) => panic!("expected refusal '{message}', it was accepted"),
    }
    assert_eq!(audit_count(db).await, before.0, "{message}: audit written");
    let now = db
        .app
        .rsd_claim(&before.1.household_id)
        .await
        .expect("show");
    assert_eq!(now, before.1, "{message}: claim changed");
}

async fn snap(db: &TestDb, h: &str) -> (i64, haven_app::rsd::ClaimView) {
    (
        audit_count(db).await,
        db.app.rsd_claim(h).await.expect("show"),
    )
}

async fn caseworker_errors_change_nothing(db: TestDb) {
    let _dir = setup(&db).await;
    let app = &db.app;
    let c = ctx();

    // An interview for a claim nobody scheduled.
    refused(
        &db,
        app.rsd_interview(&c, "H-1", "O-A", None, "").await,
        "the claim is pending; an interview is recorded for a scheduled claim",
        snap(&db, "H-1").await,
    )
    .await;
    // One slot: the officer speaks no Sorani, and without an interpreter that fails.
    refused(
        &db,
        app.rsd_schedule_one(&c, "H-2", Some("2026-12-01"), "O-B", None)
            .await,
        "officer O-B speaks none of the principal's languages (ckb); name an interpreter who does",
        snap(&db, "H-2").await,
    )
    .await;
    app.rsd_schedule_one(&c, "H-1", Some("2026-12-01"), "O-A", None)
        .await
        .expect("schedule");
    app.rsd_interview(&c, "H-1", "O-A", Some("2026-12-01"), "")
        .await
        .expect("interview");
    // No reasons, an unknown officer, a decision dated before the interview.
    refused(
        &db,
        app.rsd_decide(
            &c,
            "H-1",
            Outcome::Rejected,
            "  ",
            "O-A",
            Some("2026-12-02"),
        )
        .await,
        "a decision needs written reasons",
        snap(&db, "H-1").await,
    )
    .await;
    let before = snap(&db, "H-1").await;
    let r = app
        .rsd_decide(&c, "H-1", Outcome::Rejected, "r", "O-Z", Some("2026-12-02"))
        .await;
    assert!(
        matches!(&r, Err(AppError::NotFound(m)) if m == "no RSD officer with id O-Z"),
        "{r:?}"
    );
    assert_eq!(audit_count(&db).await, before.0);
    refused(
        &db,
        app.rsd_decide(&c, "H-1", Outcome::Rejected, "r", "O-A", Some("2026-11-30"))
            .await,
        "2026-11-30 is before 2026-12-01",
        snap(&db, "H-1").await,
    )
    .await;
    app.rsd_decide(
        &c,
        "H-1",
        Outcome::Rejected,
        "no well-founded fear",
        "O-A",
        Some("2026-12-02"),
    )
    .await
    .expect("decide");
    // Deciding an already decided claim.
    refused(
        &db,
        app.rsd_decide(
            &c,
            "H-1",
            Outcome::Recognised,
            "second thoughts",
            "O-B",
            Some("2026-12-03"),
        )
        .await,
        "this claim has already been decided (rejected)",
        snap(&db, "H-1").await,
    )
    .await;
    // Appealing before notification, then after the window.
    refused(
        &db,
        app.rsd_appeal(&c, "H-1", Some("2026-12-03")).await,
        "the claim is decided; an appeal follows notification of a decision",
        snap(&db, "H-1").await,
    )
    .await;
    app.rsd_notify(&c, "H-1", Some("2026-12-03"), None)
        .await
        .expect("notify");
    refused(
        &db,
        app.rsd_appeal(&c, "H-1", Some("2027-01-03")).await,
        "the appeal window closed on 2027-01-02",
        snap(&db, "H-1").await,
    )
    .await;
    app.rsd_appeal(&c, "H-1", Some("2027-01-02"))
        .await
        .expect("appeal on the last day");
    // The same officer deciding the appeal.
    refused(
        &db,
        app.rsd_decide(
            &c,
            "H-1",
            Outcome::Recognised,
            "on review",
            "O-A",
            Some("2027-01-10"),
        )
        .await,
        "the appeal must be decided by another officer than O-A, who decided the claim",
        snap(&db, "H-1").await,
    )
    .await;
    // A household that does not exist, a date that is not one.
    let a = audit_count(&db).await;
    assert!(matches!(
        app.rsd_notify(&c, "H-404", None, None).await,
        Err(AppError::NotFound(_))
    ));
    assert!(matches!(
        app.rsd_appeal(&c, "H-1", Some("2027-02-30")).await,
        Err(AppError::Invalid(_))
    ));
    assert!(matches!(
        app.rsd_notify(&c, "H-4", None, Some(0)).await,
        Err(AppError::Invalid(_))
    ));
    assert_eq!(audit_count(&db).await, a);
    // Scheduling without officers is refused too (fresh check on a new household set).
    assert!(app.verify_audit().await.expect("verify").is_ok());
}

async fn scheduling_respects_capacity_and_interpreter_languages(db: TestDb) {
    let _dir = setup(&db).await;
    let app = &db.app;
    let c = ctx();
    // One day: O-A and O-B have two slots each, I-K one.
    let r = app
        .rsd_schedule(&c, Some("2026-12-01"), 1)
        .await
        .expect("schedule");
    let booked: Vec<(&str, &str, &str, Option<&str>)> = r
        .scheduled
        .iter()
        .map(|b| {
            (
                b.household_id.as_str(),
                b.officer.as_str(),
                b.interpreter.as_deref().unwrap_or("-"),
                b.interpreter_language.as_deref(),
            )
        })
        .collect();
    // Specific needs first (H-4), then the longest waiting; H-2 has the interpreter.
    assert_eq!(
        booked,
        [
            ("H-4", "O-A", "-", None),
            ("H-1", "O-A", "-", None),
            ("H-2", "O-B", "I-K", Some("ckb")),
            ("H-5", "O-B", "-", None),
        ]
    );
    assert_eq!(r.not_scheduled.len(), 1);
    assert_eq!(r.not_scheduled[0].household_id, "H-3");
    assert_eq!(
        r.not_scheduled[0].reason,
        NotScheduled::NoInterpreter {
            languages: vec!["pus".into()]
        }
    );
    assert_eq!(
        r.not_scheduled[0].message,
        "no officer or interpreter speaks pus"
    );
    let v = app.rsd_claim("H-2").await.expect("show");
    assert_eq!(v.interpreter.as_deref(), Some("I-K"));

    // The day is full: one more slot for O-A on that day is refused.
    let a = audit_count(&db).await;
    app.rsd_add_staff(
        &c,
        StaffKind::Interpreter,
        "I-P",
        "Pashto interpreter",
        1,
        "pus",
    )
    .await
    .expect("interpreter");
    let full = app
        .rsd_schedule_one(&c, "H-3", Some("2026-12-01"), "O-A", Some("I-P"))
        .await;
    assert!(
        matches!(&full, Err(AppError::Refused(m)) if m == "officer O-A has no interview slot left on 2026-12-01 (2 booked of 2 a day)"),
        "{full:?}"
    );
    assert_eq!(audit_count(&db).await, a + 1);
    // Again over the horizon: H-3 now finds the Pashto interpreter on the next day.
    let r = app
        .rsd_schedule(&c, Some("2026-12-01"), 2)
        .await
        .expect("schedule");
    assert_eq!(r.pending, 1);
    assert_eq!(r.scheduled.len(), 1);
    assert_eq!(r.scheduled[0].on.to_string(), "2026-12-02");
    assert_eq!(r.scheduled[0].interpreter.as_deref(), Some("I-P"));
    // Interviews held count against the day too: reschedule H-5 onto O-A on 12-01 fails.
    app.rsd_interview(&c, "H-1", "O-A", Some("2026-12-01"), "")
        .await
        .expect("interview");
    let r = app
        .rsd_schedule_one(&c, "H-5", Some("2026-12-01"), "O-A", None)
        .await;
    assert!(matches!(r, Err(AppError::Refused(_))), "{r:?}");
    // Moving a scheduled claim to another free day is fine.
    let v = app
        .rsd_schedule_one(&c, "H-5", Some("2026-12-03"), "O-A", None)
        .await
        .expect("reschedule");
    assert_eq!(v.officer.as_deref(), Some("O-A"));
}

async fn no_show_closes_after_six_weeks_and_reopens(db: TestDb) {
    let _dir = setup(&db).await;
    let app = &db.app;
    let c = ctx();
    app.rsd_schedule_one(&c, "H-1", Some("2026-11-01"), "O-A", None)
        .await
        .expect("schedule");
    app.rsd_schedule_one(&c, "H-5", Some("2026-10-20"), "O-B", None)
        .await
        .expect("schedule");
    let before = (
        audit_count(&db).await,
        app.rsd_claim("H-1").await.expect("show"),
    );
    refused(
        &db,
        app.rsd_no_show(&c, "H-1", Some("2026-12-12")).await,
        "only 41 days without contact; a claim closes for no-show after 42",
        before,
    )
    .await;
    let v = app
        .rsd_no_show(&c, "H-1", Some("2026-12-13"))
        .await
        .expect("no-show");
    assert_eq!(v.stage, "closed_no_show");
    // The sweep closes H-5 (42 days after 10-20 is 12-01) and nothing else.
    let s = app.rsd_sweep(&c, Some("2026-11-30")).await.expect("sweep");
    assert_eq!(s.closed_no_show, 0);
    let s = app.rsd_sweep(&c, Some("2026-12-01")).await.expect("sweep");
    assert_eq!(s.closed_no_show, 1);
    assert_eq!(
        app.rsd_claim("H-5").await.expect("show").stage,
        "closed_no_show"
    );
    // The claimant comes back: pending again, waiting from that day, and schedulable.
    let v = app
        .rsd_reopen(&c, "H-1", Some("2026-12-20"))
        .await
        .expect("reopen");
    assert_eq!(
        (v.stage.as_str(), v.waiting_since.as_str()),
        ("pending", "2026-12-20")
    );
    assert_eq!(v.officer, None);
    let before = (
        audit_count(&db).await,
        app.rsd_claim("H-1").await.expect("show"),
    );
    refused(
        &db,
        app.rsd_reopen(&c, "H-1", None).await,
        "the claim is pending; only a closed claim is reopened",
        before,
    )
    .await;
    let r = app
        .rsd_schedule(&c, Some("2026-12-21"), 1)
        .await
        .expect("schedule");
    assert!(r.scheduled.iter().any(|b| b.household_id == "H-1"));
    let audit = app
        .store
        .audit_for("rsd_claim", "H-1")
        .await
        .expect("audit");
    let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        ["rsd.schedule", "rsd.no_show", "rsd.reopen", "rsd.schedule"]
    );
}

async fn queue_report_on_a_scripted_case(db: TestDb) {
    let _dir = setup(&db).await;
    let app = &db.app;
    let c = ctx();
    // Nothing decided yet: no pace, but a projection at officer capacity (4 a day).
    let q = app.rsd_queue(3, None).await.expect("queue");
    assert_eq!(q.awaiting_decision, 5);
    assert_eq!(q.projected_completion, None);
    assert!(q.projection_note.is_some());
    assert_eq!(q.officer_capacity_per_day, 4);
    assert_eq!(
        q.projected_completion_at_capacity.as_deref(),
        Some("2026-12-01")
    );

    // Script: H-1 and H-4 decided in November, H-1 notified; H-2 interviewed; H-5
    // scheduled; H-3 pending since registration.
    for (h, o) in [
        ("H-1", "O-A"),
        ("H-4", "O-B"),
        ("H-2", "O-B"),
        ("H-5", "O-A"),
    ] {
        app.rsd_schedule_one(&c, h, Some("2026-11-10"), o, (h == "H-2").then_some("I-K"))
            .await
            .expect("schedule");
    }
    for h in ["H-1", "H-4", "H-2"] {
        app.rsd_interview(&c, h, "O-A", Some("2026-11-10"), "")
            .await
            .expect("interview");
    }
    app.rsd_decide(
        &c,
        "H-1",
        Outcome::Rejected,
        "reasons",
        "O-A",
        Some("2026-11-12"),
    )
    .await
    .expect("decide");
    app.rsd_decide(
        &c,
        "H-4",
        Outcome::Recognised,
        "reasons",
        "O-A",
        Some("2026-11-20"),
    )
    .await
    .expect("decide");
    app.rsd_notify(&c, "H-1", Some("2026-11-15"), None)
        .await
        .expect("notify");
    let q = app.rsd_queue(3, None).await.expect("queue");
    // 2 decisions in 28 days; 3 claims await one (H-2, H-3, H-5): ⌈3 / (2/28)⌉ = 42 days.
    assert_eq!(q.decisions_last_28_days, 2);
    assert_eq!(q.awaiting_decision, 3);
    assert_eq!(q.projected_completion.as_deref(), Some("2027-01-10"));
    assert_eq!(
        q.projected_completion_at_capacity.as_deref(),
        Some("2026-11-30")
    );
    insta::assert_json_snapshot!("rsd_queue_scripted", q);
    // Outside the 28 days the pace falls to nothing.
    let later = app.rsd_queue(3, Some("2026-12-30")).await.expect("queue");
    assert_eq!(later.decisions_last_28_days, 0);
    assert_eq!(later.projected_completion, None);
}

async fn scheduling_without_officers_is_refused(db: TestDb) {
    let _dir = households(&db).await;
    let a = audit_count(&db).await;
    let r = db.app.rsd_schedule(&ctx(), None, 5).await;
    assert!(
        matches!(&r, Err(AppError::Refused(m)) if m.starts_with("no RSD officers are registered")),
        "{r:?}"
    );
    let r = db
        .app
        .rsd_schedule_one(&ctx(), "H-1", None, "O-A", None)
        .await;
    assert!(
        matches!(&r, Err(AppError::NotFound(m)) if m == "no RSD officer with id O-A"),
        "{r:?}"
    );
    assert_eq!(audit_count(&db).await, a);
    let q = db.app.rsd_queue(10, None).await.expect("queue");
    assert_eq!(q.officer_capacity_per_day, 0);
    assert_eq!(q.projected_completion_at_capacity, None);
    assert_eq!(q.oldest.len(), 5);
    assert_eq!(q.oldest[0].household_id, "H-1");
    assert!(q.oldest[3].specific_needs);
}

async fn an_absent_principal_is_not_scheduled(db: TestDb) {
    let _dir = setup(&db).await;
    let app = &db.app;
    let c = ctx();
    // H-1's head went missing; the rest of the household is still here.
    app.move_people(
        &c,
        &["P-11".to_string()],
        &haven_core::ledger::Account::WhereaboutsUnknown,
        "not seen since the distribution",
        Some("the head is missing"),
    )
    .await
    .expect("move");
    let r = app
        .rsd_schedule(&c, Some("2026-12-01"), 5)
        .await
        .expect("schedule");
    assert_eq!(r.pending, 5);
    assert!(r.scheduled.iter().all(|b| b.household_id != "H-1"));
    let h1 = r
        .not_scheduled
        .iter()
        .find(|n| n.household_id == "H-1")
        .expect("H-1 reported");
    assert_eq!(
        h1.message,
        "the principal applicant is not with the operation (unknown)"
    );
}
