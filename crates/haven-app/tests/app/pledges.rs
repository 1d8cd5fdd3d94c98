//! Pledges against a real database: validated completely, reported by file, line and
//! field, imported once, written in one transaction or not at all.

use haven_app::{AppError, NoProgress};
use haven_core::pledge::{Criteria, Pledge};

use super::support::{self, TestDb};
use super::{ctx, write};

on_both!(pledges_are_validated_and_imported_once);

async fn audit_count(db: &TestDb) -> i64 {
    db.app.store.counts().await.expect("counts").audit_entries
}

async fn pledges_are_validated_and_imported_once(db: TestDb) {
    let app = &db.app;
    let dir = db.scenario(1, 100);
    app.import_dir(&ctx(), dir.path(), &mut NoProgress)
        .await
        .expect("import");
    assert_eq!(app.pledges().await.expect("pledges").len(), 6);
    let before = audit_count(&db).await;

    // Every problem in the file, each on its own line; nothing written.
    let bad = write(
        dir.path(),
        "bad.json",
        br#"[
  {"pledge_id": "PL-X", "country": "XXX", "places": 10, "period_start": "2027-01-01", "period_end": "2027-12-31"},
  {"pledge_id": "PL-Y", "country": "NOR", "places": 10, "period_start": "2027-06-01", "period_end": "2027-01-31",
   "criteria": {"household_size_min": 5, "household_size_max": 2}},
  {"pledge_id": "PL-Z", "country": "NOR", "places": 10, "period_start": "2027-01-01", "period_end": "2027-12-31",
   "criteria": {"excluded_needs": ["ZZ-ZZ"], "legal_bars": [{"attribute": "affiliation", "op": "in", "values": [], "description": "bar"}]}},
  {"pledge_id": "PL-W", "country": "NOR", "places": 10, "period_start": "2027-01-01", "period_end": "2027-12-31",
   "criteria": {"max_household": 3}},
  {"pledge_id": "PL-CAN-2027", "country": "CAN", "places": 999, "period_start": "2027-01-01", "period_end": "2027-12-31"}
]"#,
    );
    let problems = match app.import_pledges(&ctx(), &bad).await {
        Err(AppError::Invalid(p)) => p,
        other => panic!("expected problems, got {other:?}"),
    };
    let lines: Vec<String> = problems
        .iter()
        .map(|p| format!("{}:{}:{}", p.line, p.field, p.value))
        .collect();
    for expected in [
        "2:country:PL-X",
        "3:period_end:PL-Y",
        "5:criteria.excluded_needs[0]:PL-Z",
        "7:pledge:PL-W",
        "9:pledge_id:PL-CAN-2027",
    ] {
        assert!(
            lines.iter().any(|l| l == expected),
            "{expected} not in {lines:?}"
        );
    }
    assert!(
        problems
            .iter()
            .any(|p| p.line == 3 && p.field.starts_with("criteria.household_size")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.line == 5 && p.field.starts_with("criteria.legal_bars[0]")),
        "{problems:?}"
    );
    assert!(
        problems[0]
            .to_string()
            .starts_with(&format!("{}:2: country: ", bad.display()))
    );
    assert_eq!(audit_count(&db).await, before);
    assert_eq!(app.pledges().await.expect("pledges").len(), 6);

    // A syntax error names its line.
    let broken = write(
        dir.path(),
        "broken.json",
        b"[\n  {\"pledge_id\": \"PL-1\",\n  }\n]",
    );
    match app.import_pledges(&ctx(), &broken).await {
        Err(AppError::Invalid(p)) => assert_eq!((p[0].line, p[0].field.as_str()), (3, "json")),
        other => panic!("expected a syntax problem, got {other:?}"),
    }

    // One pledge added, then the same again: written once.
    let p = Pledge {
        pledge_id: "PL-NOR-2027".into(),
        country: "NOR".into(),
        places: 50,
        period_start: "2027-03-01".into(),
        period_end: "2027-12-31".into(),
        criteria: Criteria::default(),
    };
    assert!(app.add_pledge(&ctx(), p.clone()).await.expect("add"));
    assert!(!app.add_pledge(&ctx(), p.clone()).await.expect("again"));
    assert_eq!(audit_count(&db).await, before + 1);
    assert_eq!(app.pledge("PL-NOR-2027").await.expect("pledge"), p);
    let usa = app.pledge("PL-USA-2027").await.expect("pledge");
    assert_eq!(usa.criteria.legal_bars.len(), 1);
    assert!(matches!(
        app.pledge("PL-NONE").await,
        Err(AppError::NotFound(_))
    ));
}
