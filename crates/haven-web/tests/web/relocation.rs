//! The site manager's and registration officer's pages and API through the real
//! router: a convoy planned, departed and received with one person not checked in (of
//! unknown whereabouts, named on the convoy's page, then checked in late), with the
//! books balanced and the audit chain whole; a household registered through the form
//! (and the API), a bad form refused with its problem and nothing written; and the
//! roles that may only read, or not even that, refused.

use axum::http::StatusCode;
use haven_app::Ctx;
use haven_core::ledger::Account;
use haven_core::relocation::HeldReason;

use crate::support::{Client, TestApp};

fn form(pairs: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(pairs).expect("form")
}

/// The books balance and the audit chain verifies.
async fn books_are_sound(t: &TestApp) {
    let ledger = t.app.ledger().await.expect("ledger");
    assert!(ledger.ok(), "{ledger:?}");
    let entries = t.app.store.counts().await.expect("counts").audit_entries;
    assert_eq!(
        t.app.verify_audit().await.expect("verify"),
        Ok(entries as u64)
    );
}

/// The demo leaves one household at the camp, held back for a member in hospital: they
/// are discharged, and the site manager plans their move. Returns the new convoy.
async fn plan_the_last_household(t: &TestApp, sm: &mut Client) -> String {
    let r = sm.get("/convoys").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("in hospital"), "held back and why");
    let held = t
        .app
        .relocation_overview()
        .await
        .expect("overview")
        .latest_plan
        .expect("a plan")
        .held;
    let Some(HeldReason::MemberOnHold { person_id, .. }) = held.first().map(|h| &h.reason) else {
        panic!("the demo holds a household back for a member on hold: {held:?}");
    };
    t.app
        .release_person(&Ctx::new("test:clinic"), person_id)
        .await
        .expect("discharged");
    let r = sm
        .post_form(
            "/relocation/plan",
            &form(&[
                ("from_site", "S-CAMP"),
                ("to_site", "S-TS"),
                ("first_date", "2026-11-30"),
                ("last_date", ""),
                ("per_day", "1"),
                ("seats", "90"),
                ("early_needs", "DS,SM,ER"),
                ("near_facilities_needs", "DS,ER"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(
        r.location().starts_with("/convoys?planned="),
        "{}",
        r.location()
    );
    let r = sm.get(r.location()).await;
    assert!(r.body.contains("id=\"notice\""), "{}", r.body);
    t.app
        .relocation_overview()
        .await
        .expect("overview")
        .convoys
        .into_iter()
        .find(|c| c.status == "planned")
        .expect("a planned convoy")
        .convoy_id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_site_manager_plans_departs_and_receives_a_convoy_losing_no_one() {
    let t = TestApp::demo(600).await;
    let mut sm = t.login("sites").await;
    let convoy = plan_the_last_household(&t, &mut sm).await;
    let page = format!("/convoys/{convoy}");

    let r = sm.get(&page).await;
    assert!(r.body.contains("Depart convoy"), "{}", r.body);
    let r = sm
        .post_form(&format!("{page}/depart"), "left_behind=")
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), page);

    // The arrival check-in lists everyone on board, ticked; one is unticked.
    let r = sm.get(&page).await;
    assert!(r.body.contains("Record arrival"), "{}", r.body);
    let on_board: Vec<String> = t
        .app
        .convoy_detail(&convoy)
        .await
        .expect("detail")
        .manifest
        .into_iter()
        .filter(|l| l.status == "departed")
        .map(|l| l.person.person.person_id)
        .collect();
    assert!(on_board.len() > 1, "{on_board:?}");
    for p in &on_board {
        assert!(
            r.body.contains(&format!("name=\"present\" value=\"{p}\"")),
            "{p}"
        );
    }
    let absent = on_board.last().expect("someone").clone();
    let mut pairs: Vec<(&str, &str)> = Vec::new();
    for p in &on_board {
        pairs.push(("listed", p));
        if *p != absent {
            pairs.push(("present", p));
        }
    }
    let r = sm.post_form(&format!("{page}/arrive"), &form(&pairs)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    // The one not checked in is of unknown whereabouts and named on the convoy's page.
    let person = t.app.person(&absent).await.expect("person");
    assert_eq!(person.record.place, Account::WhereaboutsUnknown);
    let r = sm.get(&page).await;
    let missing = r
        .body
        .split("id=\"missing\"")
        .nth(1)
        .expect("a section of people not checked in");
    assert!(missing.contains(&absent), "{}", r.body);
    assert!(r.body.contains("<bdi dir=\"auto\" lang=\"fa\">"));
    books_are_sound(&t).await;

    // A late check-in resolves it.
    let r = sm
        .post_form(
            &format!("/people/{absent}/check-in"),
            &form(&[("convoy", &convoy)]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), page);
    let place = t.app.person(&absent).await.expect("person").record.place;
    assert!(
        matches!(&place, Account::Unit(_)) || place == Account::Site("S-TS".into()),
        "{place}"
    );
    let r = sm.get(&page).await;
    assert!(!r.body.contains("id=\"missing\""), "{}", r.body);
    assert!(r.body.contains("found"));
    books_are_sound(&t).await;

    // The manifest as CSV, and its reads in the audit log.
    let r = sm.get(&format!("{page}/manifest.csv")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.headers.get("content-type").and_then(|v| v.to_str().ok()),
        Some("text/csv; charset=utf-8")
    );
    assert!(
        r.body
            .starts_with("convoy_id,date,from_site,to_site,household_id,person_id")
    );
    assert!(r.body.contains(&absent));
    let views = t
        .app
        .audit_log(
            &haven_store::AuditFilter {
                action: "convoy.view".into(),
                entity_id: convoy.clone(),
                ..Default::default()
            },
            1,
            0,
        )
        .await
        .expect("audit")
        .1;
    assert!(views > 0);

    // A registration officer reads the convoys but may not act on them.
    let mut reg = t.login("registration").await;
    assert_eq!(reg.get(&page).await.status, StatusCode::OK);
    assert!(!reg.get(&page).await.body.contains("Check in now"));
    let r = reg.post_form(&format!("{page}/cancel"), "reason=x").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_departs_and_receives_a_convoy_and_a_monitor_may_do_neither() {
    let t = TestApp::demo(600).await;
    let mut sm = t.login("sites").await;
    let convoy = plan_the_last_household(&t, &mut sm).await;

    let mut monitor = t.login("monitor").await;
    for (path, body) in [
        (format!("/api/convoys/{convoy}/depart"), "{}"),
        (
            format!("/api/convoys/{convoy}/arrive"),
            "{\"checked_in\": \"all\"}",
        ),
        ("/api/households".to_string(), "{\"site_id\": \"S-TS\"}"),
    ] {
        let r = monitor.post_json(&path, body).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}: {}", r.body);
    }
    for (path, body) in [
        (
            "/relocation/plan".to_string(),
            "from_site=S-CAMP&to_site=S-TS",
        ),
        (format!("/convoys/{convoy}/depart"), ""),
        (format!("/convoys/{convoy}/cancel"), "reason=no"),
        ("/people/P-000001/check-in".to_string(), ""),
        ("/register".to_string(), "site_id=S-TS"),
    ] {
        let r = monitor.post_form(&path, body).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}: {}", r.body);
    }
    assert_eq!(
        monitor.get("/api/convoys").await.status,
        StatusCode::FORBIDDEN
    );
    let sites = monitor.get("/api/sites").await;
    assert_eq!(sites.status, StatusCode::OK);
    assert!(
        sites.json()["sites"]
            .as_array()
            .is_some_and(|s| s.iter().any(|x| x["site_id"] == "S-TS"))
    );

    let r = sm
        .post_json(&format!("/api/convoys/{convoy}/depart"), "{}")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let travelling = r.json()["travelling"].as_u64().expect("travelling");
    let detail = sm.get(&format!("/api/convoys/{convoy}")).await.json();
    let on_board: Vec<String> = detail["manifest"]
        .as_array()
        .expect("manifest")
        .iter()
        .filter(|l| l["status"] == "departed")
        .filter_map(|l| l["person"]["person_id"].as_str().map(str::to_string))
        .collect();
    assert_eq!(on_board.len() as u64, travelling);
    let checked = &on_board[1..];
    let r = sm
        .post_json(
            &format!("/api/convoys/{convoy}/arrive"),
            &serde_json::json!({ "checked_in": checked }).to_string(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["missing"], serde_json::json!([on_board[0]]));
    assert_eq!(r.json()["arrived"].as_u64(), Some(travelling - 1));
    // Arriving twice is refused and changes nothing.
    let again = sm
        .post_json(
            &format!("/api/convoys/{convoy}/arrive"),
            "{\"checked_in\": \"all\"}",
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    let list = sm.get("/api/convoys").await.json();
    assert!(list["convoys"].as_array().is_some_and(|c| {
        c.iter().any(|c| {
            c["convoy_id"] == convoy.as_str()
                && c["status"] == "arrived"
                && c["manifest"]["missing"] == 1
        })
    }));
    books_are_sound(&t).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registration_officer_registers_a_household_and_a_bad_form_writes_nothing() {
    let t = TestApp::demo(600).await;
    let mut reg = t.login("registration").await;
    let r = reg.get("/register").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("name=\"m1.given_name_original\""));
    assert!(r.body.contains("dir=\"auto\""));

    let household = [
        ("site_id", "S-TS"),
        ("unit_id", ""),
        ("m1.given_name_latin", "Reza"),
        ("m1.family_name_latin", "Rahimi"),
        ("m1.given_name_original", "رضا"),
        ("m1.family_name_original", "رحیمی"),
        ("m1.sex", "M"),
        ("m1.date_of_birth", "1980"),
        ("m1.dob_precision", ""),
        ("m1.nationality", "IRN"),
        ("m1.languages", "fas"),
        ("m1.specific_needs", ""),
        ("m2.relationship", "spouse"),
        ("m2.given_name_latin", "Maryam"),
        ("m2.family_name_latin", "Rahimi"),
        ("m2.given_name_original", "مریم"),
        ("m2.family_name_original", "رحیمی"),
        ("m2.sex", "F"),
        ("m2.date_of_birth", "1984-07"),
        ("m2.nationality", "IRN"),
        ("m2.languages", "fas, en"),
        // An empty row is no member.
        ("m3.relationship", ""),
        ("m3.given_name_latin", ""),
        ("m3.sex", ""),
    ];

    // A bad date of birth: the form comes back with the problem and the values kept.
    let before = t.app.store.counts().await.expect("counts");
    let mut bad = household.to_vec();
    bad.retain(|(k, _)| *k != "m2.date_of_birth");
    bad.push(("m2.date_of_birth", "1984-13-45"));
    let r = reg.post_form("/register", &form(&bad)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(
        r.body
            .contains("member in row 2: date_of_birth: month must be 01–12 (1984-13-45)"),
        "{}",
        r.body
    );
    assert!(r.body.contains("value=\"1984-13-45\""));
    assert!(r.body.contains("value=\"رضا\""));
    assert_eq!(t.app.store.counts().await.expect("counts"), before);

    // The good household is registered and its page shows the names in both scripts.
    let r = reg.post_form("/register", &form(&household)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = r.location().to_string();
    assert!(page.starts_with("/households/H-"), "{page}");
    let r = reg.get(&page).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body
            .contains("<bdi dir=\"auto\" lang=\"fa\">رضا رحیمی</bdi>"),
        "{}",
        r.body
    );
    assert!(
        r.body
            .contains("<bdi dir=\"auto\" lang=\"fa\">مریم رحیمی</bdi>")
    );
    assert!(r.body.contains("Maryam Rahimi"));
    let after = t.app.store.counts().await.expect("counts");
    assert_eq!(after.people, before.people + 2);
    assert_eq!(after.households, before.households + 1);

    // The API registers with the next ids, and names a bad member's field and value.
    let r = reg
        .post_json(
            "/api/households",
            &serde_json::json!({
                "site_id": "S-TS",
                "members": [{
                    "relationship": "head", "given_name_latin": "Ali", "given_name_original": "علی",
                    "sex": "M", "date_of_birth": "1991-02-03", "nationality": "IRN", "languages": ["fas"]
                }]
            })
            .to_string(),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["household_id"].as_str().expect("id").to_string();
    assert!(
        id.as_str() > page.trim_start_matches("/households/"),
        "{id}"
    );
    let r = reg
        .post_json(
            "/api/households",
            "{\"site_id\": \"S-TS\", \"members\": [{\"relationship\": \"head\", \"given_name_latin\": \"Ali\", \"sex\": \"M\", \"date_of_birth\": \"19x1\", \"nationality\": \"IRN\"}]}",
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(
        r.json()["problems"],
        serde_json::json!(["form:1: date_of_birth: must be YYYY, YYYY-MM or YYYY-MM-DD (19x1)"])
    );
    books_are_sound(&t).await;

    // The site manager may read sites but not register.
    let mut sm = t.login("sites").await;
    assert_eq!(sm.get("/sites/S-TS").await.status, StatusCode::OK);
    assert_eq!(
        sm.post_form("/register", &form(&household)).await.status,
        StatusCode::FORBIDDEN
    );
}
