//! The RSD officer's pages and API through the router: registering as an officer,
//! scheduling, interviewing and deciding a claim with written reasons, a second decision
//! refused and changing nothing, and an appeal refused to the officer who decided.

use axum::http::StatusCode;
use haven_app::Ctx;
use haven_app::access::NewUser;
use haven_core::access::Role;
use haven_store::AuditFilter;

use crate::support::{Client, TestApp};

const TODAY: &str = "2026-11-29";

async fn audit_count(t: &TestApp, action: &str, entity_id: &str) -> i64 {
    let f = AuditFilter {
        action: action.into(),
        entity_id: entity_id.into(),
        ..Default::default()
    };
    t.app.audit_log(&f, 1, 0).await.expect("audit").1
}

/// The message of an error page.
fn message(body: &str) -> &str {
    let start = body.find("id=\"error-message\">").map_or(0, |i| i + 19);
    let end = body[start..].find('<').map_or(body.len(), |e| start + e);
    &body[start..end]
}

/// Registers the logged-in user as an RSD officer through the queue page.
async fn register(c: &mut Client, languages: &str) {
    let r = c.get("/rsd").await;
    assert_eq!(r.status, StatusCode::OK);
    let r = c
        .post_form("/rsd/staff", &format!("capacity=10&languages={languages}"))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", message(&r.body));
    assert_eq!(r.location(), "/rsd");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_officer_decides_a_claim_with_reasons_once_and_the_appeal_goes_to_another() {
    let t = TestApp::demo(600).await;
    let h = t
        .app
        .rsd_statuses()
        .await
        .expect("statuses")
        .into_iter()
        .find(|s| s.stage == "pending")
        .expect("a pending claim in the demo")
        .household_id;
    let principal = t.app.rsd_claim(&h).await.expect("claim").principal;
    let head = t
        .app
        .household(&h)
        .await
        .expect("household")
        .members
        .into_iter()
        .find(|m| m.person.person_id == principal)
        .expect("the principal");
    let languages = head.person.languages.join(",");

    let mut c = t.login("rsd").await;
    // Not yet an officer: the queue page says so, and a step says what is missing.
    let r = c.get("/rsd").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("id=\"not-registered\""), "{}", r.body);
    assert!(r.body.contains("id=\"by-stage\""));
    let r = c
        .post_form(&format!("/rsd/{h}/interview"), &format!("on={TODAY}"))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(
        message(&r.body).contains("not registered as an RSD officer"),
        "{}",
        message(&r.body)
    );
    register(&mut c, &languages).await;
    assert!(!c.get("/rsd").await.body.contains("id=\"not-registered\""));

    // Schedule, interview, decide.
    let r = c.get(&format!("/rsd/{h}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("id=\"schedule\""), "{}", r.body);
    assert!(r.body.contains("<bdi dir=\"auto\" lang=\"fa\">"));
    let r = c
        .post_form(
            &format!("/rsd/{h}/schedule"),
            &format!("on={TODAY}&officer=rsd&interpreter="),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", message(&r.body));
    assert_eq!(r.location(), format!("/rsd/{h}"));
    let r = c
        .post_form(
            &format!("/rsd/{h}/interview"),
            &format!("on={TODAY}&notes=heard+in+full"),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", message(&r.body));
    let r = c.get(&format!("/rsd/{h}")).await;
    assert!(r.body.contains("id=\"decide\""), "{}", r.body);

    // Reasons are required.
    let r = c
        .post_form(
            &format!("/rsd/{h}/decide"),
            &format!("outcome=rejected&reasons=&on={TODAY}"),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(message(&r.body).contains("written reasons"), "{}", r.body);
    let r = c
        .post_form(
            &format!("/rsd/{h}/decide"),
            &format!("outcome=rejected&reasons=Not+credible+on+the+material+facts.&on={TODAY}"),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", message(&r.body));
    let r = c.get(&format!("/rsd/{h}")).await;
    assert!(r.body.contains("id=\"outcome\">rejected<"), "{}", r.body);
    assert!(r.body.contains("Not credible on the material facts."));
    assert!(r.body.contains("id=\"notify\""));

    // Deciding it again is refused with the use case's message, and changes nothing.
    let before = t.app.rsd_claim(&h).await.expect("claim");
    let r = c
        .post_form(
            &format!("/rsd/{h}/decide"),
            &format!("outcome=recognised&reasons=On+second+thoughts.&on={TODAY}"),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(
        message(&r.body).contains("already been decided (rejected)"),
        "{}",
        message(&r.body)
    );
    assert_eq!(t.app.rsd_claim(&h).await.expect("claim"), before);
    assert_eq!(audit_count(&t, "rsd.decide", &h).await, 1);

    // Notified, appealed: the officer who decided may not decide the appeal.
    let r = c
        .post_form(
            &format!("/rsd/{h}/notify"),
            &format!("on={TODAY}&window_days=30"),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", message(&r.body));
    let r = c
        .post_form(&format!("/rsd/{h}/appeal"), &format!("on={TODAY}"))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", message(&r.body));
    let r = c.get(&format!("/rsd/{h}")).await;
    assert!(r.body.contains("Decide the appeal"), "{}", r.body);
    let r = c
        .post_form(
            &format!("/rsd/{h}/decide"),
            &format!("outcome=recognised&reasons=Credible+on+appeal.&on={TODAY}"),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(
        message(&r.body).contains("another officer than rsd"),
        "{}",
        message(&r.body)
    );
    assert_eq!(t.app.rsd_claim(&h).await.expect("claim").stage, "appealed");

    // Another officer decides it.
    t.app
        .add_user(
            &Ctx::new("test"),
            NewUser {
                username: "rsd2".into(),
                full_name: "Second RSD Officer".into(),
                role: Role::RsdOfficer,
                agency_id: "UNHCR".into(),
                password: "demo-rsd2-password".into(),
            },
        )
        .await
        .expect("second officer");
    let mut c2 = t.login("rsd2").await;
    register(&mut c2, &languages).await;
    let r = c2
        .post_form(
            &format!("/rsd/{h}/decide"),
            &format!("outcome=recognised&reasons=Credible+on+appeal.&on={TODAY}"),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", message(&r.body));
    let v = c2.get(&format!("/api/rsd/claims/{h}")).await.json();
    assert_eq!(v["stage"], "final");
    assert_eq!(v["outcome"], "recognised");
    assert_eq!(v["decisions"].as_array().map(Vec::len), Some(2));
    assert_eq!(v["decisions"][1]["officer"], "rsd2");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rsd_api_gives_the_queue_and_decides_an_appeal_once() {
    let t = TestApp::demo(600).await;
    let mut c = t.login("rsd").await;
    let q = c.get("/api/rsd/queue").await;
    assert_eq!(q.status, StatusCode::OK, "{}", q.body);
    let q = q.json();
    assert_eq!(q["by_stage"].as_array().map(Vec::len), Some(8));
    let appealed = q["by_stage"]
        .as_array()
        .and_then(|a| a.iter().find(|s| s["stage"] == "appealed"))
        .and_then(|s| s["households"].as_i64())
        .unwrap_or(0);
    assert!(appealed > 0, "the demo has appeals: {q}");
    let h = t
        .app
        .rsd_statuses()
        .await
        .expect("statuses")
        .into_iter()
        .find(|s| s.stage == "appealed")
        .expect("an appealed claim")
        .household_id;
    let body = r#"{"outcome": "recognised", "reasons": "Credible on appeal."}"#;
    // Not registered: a clear refusal, not an unknown officer.
    let r = c
        .post_json(&format!("/api/rsd/claims/{h}/decision"), body)
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(
        r.json()["message"]
            .as_str()
            .unwrap_or("")
            .contains("not registered as an RSD officer")
    );
    register(&mut c, "fas,eng").await;
    let r = c
        .post_json(&format!("/api/rsd/claims/{h}/decision"), body)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["stage"], "final");
    let r = c
        .post_json(&format!("/api/rsd/claims/{h}/decision"), body)
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(r.json()["code"], "refused");
    let r = c
        .post_json(
            &format!("/api/rsd/claims/{h}/decision"),
            r#"{"outcome": "granted", "reasons": "x"}"#,
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}
