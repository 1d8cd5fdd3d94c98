//! A household registered by hand (the registration form, the API): the operation's
//! next ids, the importer's rules, its ledger registrations and audit entry; bad input
//! names the member, field and value and writes nothing.

use haven_app::{AppError, NewHousehold, NewMember, NoProgress};
use haven_core::ledger::Account;

use super::ctx;
use super::support::{self, TestDb};

on_both!(
    registers_a_household_by_hand,
    a_bad_household_names_member_field_and_value_and_writes_nothing,
);

fn member(relationship: &str, given: &str, given_fa: &str, sex: &str, born: &str) -> NewMember {
    NewMember {
        relationship: relationship.into(),
        given_name_latin: given.into(),
        family_name_latin: "Rahimi".into(),
        given_name_original: given_fa.into(),
        family_name_original: "رحیمی".into(),
        sex: sex.into(),
        date_of_birth: born.into(),
        dob_precision: String::new(),
        nationality: "IRN".into(),
        languages: vec!["fas".into()],
        specific_needs: vec![],
    }
}

async fn imported(db: &TestDb) {
    let dir = db.scenario(5, 60);
    db.app
        .import_dir(&ctx(), dir.path(), &mut NoProgress)
        .await
        .expect("import");
}

async fn registers_a_household_by_hand(db: TestDb) {
    imported(&db).await;
    let before = db.app.store.counts().await.expect("counts");
    let last_person = db
        .app
        .export_people()
        .await
        .expect("people")
        .into_iter()
        .map(|p| p.person_id)
        .max()
        .expect("people");
    let mut child = member("child", "Sara", "سارا", "F", "2015-03");
    child.specific_needs = vec!["SM-CI".into()];
    let h = db
        .app
        .register_household(
            &ctx(),
            &NewHousehold {
                site_id: "S-TS".into(),
                unit_id: None,
                members: vec![
                    member("head", "Reza", "رضا", "M", "1980"),
                    member("spouse", "Maryam", "مریم", "F", "1984-07-02"),
                    child,
                ],
            },
        )
        .await
        .expect("register");
    // The operation's format, numbered on from the last ids.
    assert_eq!(h.members.len(), 3);
    assert!(h.household_id.starts_with("H-"), "{}", h.household_id);
    let head = &h.members[0].person;
    assert_eq!(head.relationship.as_str(), "head");
    assert_eq!(head.name.given_original, "رضا");
    assert_eq!(head.date_of_birth.to_string(), "1980");
    assert_eq!(head.date_of_birth.precision.as_str(), "year");
    assert_eq!(head.registered_on, "2026-11-29");
    assert_eq!(head.person_id.len(), last_person.len());
    assert!(
        head.person_id > last_person,
        "{} after {last_person}",
        head.person_id
    );
    assert_eq!(
        h.members[2].person.date_of_birth.precision.as_str(),
        "month"
    );
    assert!(
        h.members
            .iter()
            .all(|m| m.place == Account::Site("S-TS".into()))
    );
    // One household, three people, one audit entry; the books balance.
    let after = db.app.store.counts().await.expect("counts");
    assert_eq!(after.households, before.households + 1);
    assert_eq!(after.people, before.people + 3);
    assert_eq!(after.audit_entries, before.audit_entries + 1);
    assert_eq!(h.audit.len(), 1);
    assert_eq!(h.audit[0].action, "household.register");
    assert_eq!(h.history.len(), 3);
    let ledger = db.app.ledger().await.expect("ledger");
    assert!(ledger.ok(), "{ledger:?}");
    assert_eq!(ledger.balance.registered, after.people);
    assert_eq!(
        db.app.verify_audit().await.expect("verify"),
        Ok(after.audit_entries as u64)
    );
    // The next registration takes the next ids.
    let next = db
        .app
        .register_household(
            &ctx(),
            &NewHousehold {
                site_id: "S-TS".into(),
                unit_id: None,
                members: vec![member("head", "Ali", "علی", "M", "1990")],
            },
        )
        .await
        .expect("register");
    assert!(next.household_id > h.household_id);
    assert!(next.members[0].person.person_id > h.members[2].person.person_id);
}

async fn a_bad_household_names_member_field_and_value_and_writes_nothing(db: TestDb) {
    imported(&db).await;
    let before = db.app.store.counts().await.expect("counts");
    let mut spouse = member("spouse", "Maryam", "مریم", "F", "1984-13");
    spouse.nationality = "Iran".into();
    let mut second_head = member("head", "Omid", "امید", "M", "2001");
    second_head.specific_needs = vec!["NOPE".into()];
    let err = db
        .app
        .register_household(
            &ctx(),
            &NewHousehold {
                site_id: "S-TS".into(),
                unit_id: Some("NO-SUCH-UNIT".into()),
                members: vec![
                    member("head", "Reza", "رضا", "M", "1980"),
                    spouse,
                    second_head,
                ],
            },
        )
        .await
        .expect_err("refused");
    let AppError::Invalid(problems) = err else {
        panic!("not invalid: {err:?}");
    };
    let shown: Vec<String> = problems.iter().map(ToString::to_string).collect();
    for expected in [
        "form:1: unit_id: is not a registered shelter unit (NO-SUCH-UNIT)",
        "form:2: date_of_birth: month must be 01–12 (1984-13)",
        "form:2: nationality: is not an ISO 3166-1 alpha-3 country code (Iran)",
        "form:3: specific_needs: 'NOPE' is not a known specific-needs code (NOPE)",
    ] {
        assert!(
            shown.iter().any(|s| s == expected),
            "{expected} in {shown:#?}"
        );
    }
    // No head at all, and no one at all, are refused too.
    let err = db
        .app
        .register_household(
            &ctx(),
            &NewHousehold {
                site_id: "S-TS".into(),
                unit_id: None,
                members: vec![member("spouse", "Maryam", "مریم", "F", "1984")],
            },
        )
        .await
        .expect_err("no head");
    assert!(
        matches!(&err, AppError::Invalid(p) if p[0].field == "household_id"),
        "{err:?}"
    );
    let err = db
        .app
        .register_household(&ctx(), &NewHousehold::default())
        .await
        .expect_err("empty");
    assert!(matches!(err, AppError::Invalid(_)));
    assert_eq!(db.app.store.counts().await.expect("counts"), before);
}
