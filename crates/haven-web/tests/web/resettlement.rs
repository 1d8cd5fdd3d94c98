//! The resettlement officer's pages and API through the router: pledges, a placement
//! run started, explained and approved once, a country's acceptance and the departure
//! (in the books, with the audit chain intact), and a voluntary return verified by
//! another officer than the counsellor.

use axum::http::StatusCode;
use haven_app::Ctx;
use haven_app::access::NewUser;
use haven_core::access::Role;

use crate::support::TestApp;

const TODAY: &str = "2026-11-29";

/// The message of an error page.
fn message(body: &str) -> &str {
    let start = body.find("id=\"error-message\">").map_or(0, |i| i + 19);
    let end = body[start..].find('<').map_or(body.len(), |e| start + e);
    &body[start..end]
}

/// The default weights as the run form sends them.
const RUN_FORM: &str = "base=10&emergency=100&urgent=30&normal=0\
    &legal_physical_protection=15&survivors_of_violence_torture=15&medical_needs=15\
    &women_and_girls_at_risk=15&family_reunification=10&children_at_risk=15\
    &lack_of_alternative_solutions=5&family_link=20&outcome=10&per_person=true\
    &time_limit_ms=1000&seed=0";

async fn add_user(t: &TestApp, username: &str, role: Role, agency: &str) {
    t.app
        .add_user(
            &Ctx::new("test"),
            NewUser {
                username: username.into(),
                full_name: format!("{username} (test)"),
                role,
                agency_id: agency.into(),
                password: format!("demo-{username}-password"),
            },
        )
        .await
        .expect("user");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_is_explained_approved_once_and_an_accepted_household_departs() {
    let t = TestApp::demo(600).await;
    let mut c = t.login("resettlement").await;

    let r = c.get("/pledges").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("PL-CAN-2027"), "{}", r.body);
    assert!(
        r.body.contains("Designated organisation"),
        "legal bars in words"
    );

    let r = c.get("/placement").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("id=\"new-run\""));
    assert!(r.body.contains("RUN-0001"));
    let r = c.post_form("/placement/run", RUN_FORM).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", message(&r.body));
    let run_page = r.location().to_string();
    let run_id = run_page
        .strip_prefix("/placement/")
        .expect("the run's page")
        .to_string();
    assert_ne!(run_id, "RUN-0001");

    let r = c.get(&run_page).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("id=\"shadow-prices\""), "{}", r.body);
    assert!(r.body.contains("one more place in"));
    assert!(r.body.contains("<svg class=\"chart\""));
    assert!(r.body.contains("id=\"approve\""));
    let v = t.app.placement_show(&run_id).await.expect("run");
    assert!(
        !v.result.placements.is_empty(),
        "the new run places someone"
    );

    // What one more place would do, without changing the run.
    let pledge = &v.result.pledges[0].pledge_id;
    let r = c
        .post_form(
            &format!("{run_page}/whatif"),
            &format!("pledge_id={pledge}&places=1"),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", message(&r.body));
    assert!(r.body.contains("id=\"whatif\""), "{}", r.body);

    // Approve: referrals appear; twice is refused and changes nothing.
    let r = c.post_form(&format!("{run_page}/approve"), "").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", message(&r.body));
    let submitted: Vec<_> = t
        .app
        .referrals()
        .await
        .expect("referrals")
        .into_iter()
        .filter(|r| r.run_id == run_id)
        .collect();
    assert_eq!(submitted.len(), v.result.placements.len());
    let r = c.get(&run_page).await;
    assert!(r.body.contains("id=\"run-referrals\""));
    assert!(!r.body.contains("id=\"approve\""));
    let r = c.post_form(&format!("{run_page}/approve"), "").await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(
        message(&r.body).contains("approved already, by resettlement"),
        "{}",
        message(&r.body)
    );
    let all = t.app.referrals().await.expect("referrals");
    assert_eq!(
        all.iter().filter(|r| r.run_id == run_id).count(),
        submitted.len()
    );

    // The delegation of Canada accepts one of its referrals.
    let referral = all
        .iter()
        .filter(|r| r.country == "CAN" && r.status == "submitted")
        .min_by_key(|r| r.run_id != run_id)
        .expect("a submitted referral to CAN")
        .clone();
    let id = &referral.referral_id;
    let mut d = t.login("delegation").await;
    let r = d.get(&format!("/referrals/{id}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        !r.body.contains("id=\"depart\""),
        "a delegation does not depart"
    );
    let r = d
        .post_form(
            &format!("/referrals/{id}/decide"),
            "decision=accept&departure_date=2026-12-20",
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", message(&r.body));
    let r = d.post_form(&format!("/referrals/{id}/depart"), "").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // The resettlement officer records the departure: the household is in the books
    // as departed to Canada, and the audit chain holds.
    let departed_before = t
        .app
        .ledger()
        .await
        .expect("ledger")
        .balance
        .accounts
        .get("departed:CAN")
        .copied()
        .unwrap_or(0);
    let r = c.get(&format!("/referrals/{id}")).await;
    assert!(r.body.contains("id=\"depart\""), "{}", r.body);
    let r = c.post_form(&format!("/referrals/{id}/depart"), "").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", message(&r.body));
    assert_eq!(r.location(), format!("/referrals/{id}"));
    let ledger = t.app.ledger().await.expect("ledger");
    assert!(ledger.ok(), "the books balance: {ledger:?}");
    assert_eq!(
        ledger.balance.accounts.get("departed:CAN").copied(),
        Some(departed_before + referral.people)
    );
    let members = t
        .app
        .household(&referral.household_id)
        .await
        .expect("household")
        .members;
    assert_eq!(members.len() as i64, referral.people);
    for m in &members {
        assert_eq!(
            m.place.to_string(),
            "departed:CAN",
            "{}",
            m.person.person_id
        );
    }
    assert!(
        matches!(t.app.verify_audit().await.expect("audit"), Ok(n) if n > 0),
        "the audit chain verifies"
    );
    let r = c.post_form(&format!("/referrals/{id}/depart"), "").await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(message(&r.body).contains("only an accepted referral departs"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_resettlement_api_reads_pledges_and_runs_and_approves_once() {
    let t = TestApp::demo(600).await;
    let mut m = t.login("monitor").await;
    let r = m.get("/api/pledges").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let pledges = r.json();
    let can = pledges
        .as_array()
        .and_then(|a| a.iter().find(|p| p["country"] == "CAN"))
        .expect("CAN's pledge")
        .clone();
    assert_eq!(
        can["places_left"].as_i64().unwrap_or(-1) + can["places_referred"].as_i64().unwrap_or(-1),
        can["places"].as_i64().unwrap_or(0)
    );
    assert_eq!(
        m.get("/api/placement/runs").await.status,
        StatusCode::FORBIDDEN
    );

    let mut c = t.login("resettlement").await;
    let runs = c.get("/api/placement/runs").await.json();
    assert_eq!(runs[0]["run_id"], "RUN-0001");
    let run = c.get("/api/placement/runs/RUN-0001").await.json();
    assert!(run["pledges"][0]["shadow_price"].is_number(), "{run}");
    assert!(run["placements"][0]["value_breakdown"].is_string());
    let r = c
        .post_json("/api/placement/runs", r#"{"time_limit_ms": 1000}"#)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let id = r.json()["run_id"].as_str().unwrap_or_default().to_string();
    assert_eq!(r.json()["status"], "proposed");
    let r = c
        .post_json(&format!("/api/placement/runs/{id}/approve"), "{}")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(!r.json()["referrals"].as_array().is_none_or(Vec::is_empty));
    let r = c
        .post_json(&format!("/api/placement/runs/{id}/approve"), "{}")
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.json()["code"], "refused");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_voluntary_return_is_verified_by_another_officer_than_the_counsellor() {
    let t = TestApp::demo(600).await;
    let open: Vec<String> = t
        .app
        .voluntary_returns()
        .await
        .expect("returns")
        .into_iter()
        .map(|v| v.person_id)
        .collect();
    let person = t
        .app
        .store
        .all_people()
        .await
        .expect("people")
        .into_iter()
        .find(|p| p.place.is_present() && !open.contains(&p.person.person_id))
        .expect("someone present without a return case");
    let p = person.person.person_id.clone();

    let mut c = t.login("resettlement").await;
    let r = c.get("/returns").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("id=\"start\""));
    let r = c
        .post_form("/returns", &format!("person_id={p}&country=&on={TODAY}"))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", message(&r.body));
    let r = c.get("/returns").await;
    assert!(r.body.contains(&format!("id=\"case-{p}\"")), "{}", r.body);
    assert!(r.body.contains(&format!(
        "<bdi dir=\"auto\" lang=\"fa\">{}</bdi>",
        person.person.name.original()
    )));
    let r = c
        .post_form(
            &format!("/returns/{p}/step"),
            "step=consent&document=CONSENT-TEST-1",
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", message(&r.body));

    // The counsellor may not verify: the use case's message is shown.
    let r = c
        .post_form(&format!("/returns/{p}/step"), "step=verify")
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(
        message(&r.body).contains("another officer than resettlement"),
        "{}",
        message(&r.body)
    );
    let r = c
        .post_json(&format!("/api/returns/{p}/steps"), r#"{"step": "verify"}"#)
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);

    // Another resettlement officer verifies; the departure is scheduled and made.
    add_user(&t, "resettlement2", Role::ResettlementOfficer, "UNHCR").await;
    let mut c2 = t.login("resettlement2").await;
    c2.get("/returns").await;
    let r = c2
        .post_form(&format!("/returns/{p}/step"), "step=verify")
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", message(&r.body));
    let r = c2
        .post_form(
            &format!("/returns/{p}/step"),
            &format!("step=schedule&departure={TODAY}"),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", message(&r.body));
    let cases = c2.get("/api/returns").await.json();
    let case = cases
        .as_array()
        .and_then(|a| a.iter().find(|v| v["person_id"] == p.as_str()))
        .expect("the case")
        .clone();
    assert_eq!(case["stage"], "scheduled");
    assert_eq!(case["counsellor"], "resettlement");
    assert_eq!(case["verified_by"], "resettlement2");
    let r = c2.post_form(&format!("/returns/{p}/depart"), "").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", message(&r.body));
    let now = t.app.person(&p).await.expect("person").record.place;
    assert!(now.to_string().starts_with("returned:"), "{now}");
    assert!(t.app.ledger().await.expect("ledger").ok());
}
