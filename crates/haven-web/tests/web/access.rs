//! Logging in, sessions, CSRF, lock-out, throttling and scope escapes.

use axum::http::{Method, StatusCode};
use haven_store::AuditFilter;

use crate::support::TestApp;

async fn audit_count(t: &TestApp, action: &str, entity_id: &str) -> i64 {
    let f = AuditFilter {
        action: action.into(),
        entity_id: entity_id.into(),
        ..Default::default()
    };
    t.app.audit_log(&f, 1, 0).await.expect("audit").1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_clients_are_sent_to_log_in() {
    let t = TestApp::demo(300).await;
    let mut c = t.client();
    let r = c.get("/people/P-000001").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/login?next=/people/P-000001");
    let r = c.get("/api/people/P-000001").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json()["code"], "unauthenticated");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_renews_the_session_id_so_a_planted_one_is_useless() {
    let t = TestApp::demo(300).await;
    let mut victim = t.client();
    // The attacker's session id, planted in the victim's browser before login.
    victim.get("/login").await;
    let planted = victim.cookie.clone().expect("a session before login");
    let r = victim
        .page_login("registration", "demo-registration-password")
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/dashboard");
    let renewed = victim.cookie.clone().expect("a session after login");
    assert_ne!(planted, renewed, "the session id must change at login");
    assert_eq!(victim.get("/people/P-000001").await.status, StatusCode::OK);
    let mut attacker = t.client();
    attacker.cookie = Some(planted);
    let r = attacker.get("/people/P-000001").await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "the planted id is not logged in"
    );
    // Logging out ends the session on the server too.
    let mut again = t.client();
    again.cookie = Some(renewed.clone());
    again.csrf = victim.csrf.clone();
    assert_eq!(
        again.post_form("/logout", "").await.status,
        StatusCode::SEE_OTHER
    );
    let mut replay = t.client();
    replay.cookie = Some(renewed);
    assert_eq!(replay.get("/api/me").await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_passwords_lock_the_account_and_are_audited() {
    let t = TestApp::demo(300).await;
    let mut c = t.client();
    for i in 1..=5 {
        let r = c.api_login("rsd", "not the password at all").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "attempt {i}");
        assert_eq!(r.json()["code"], "login_failed");
    }
    let r = c.api_login("rsd", "demo-rsd-password").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(
        r.json()["message"]
            .as_str()
            .unwrap_or("")
            .contains("locked"),
        "{}",
        r.body
    );
    assert_eq!(audit_count(&t, "login.failed", "rsd").await, 6);
    // An unknown user is refused with the same words, and audited too.
    let r = c.api_login("nobody", "whatever password").await;
    assert_eq!(r.json()["message"], "wrong username or password");
    assert_eq!(audit_count(&t, "login.failed", "nobody").await, 1);
    // Other accounts are not affected.
    assert_eq!(
        c.api_login("sites", "demo-sites-password").await.status,
        StatusCode::OK
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_failures_from_one_address_are_throttled() {
    use axum::extract::ConnectInfo;
    use std::net::SocketAddr;
    let t = TestApp::demo(300).await;
    let router = t
        .router
        .clone()
        .layer(axum::Extension(ConnectInfo(SocketAddr::from((
            [10, 1, 2, 3],
            5555,
        )))));
    let mut statuses = vec![];
    for i in 0..21 {
        let req = axum::http::Request::builder()
            .method(Method::POST)
            .uri("/api/login")
            .header("host", "localhost")
            .header("content-type", "application/json")
            .body(axum::body::Body::from(format!(
                r#"{{"username":"user{i}","password":"wrong password"}}"#
            )))
            .expect("request");
        let resp = tower::ServiceExt::oneshot(router.clone(), req)
            .await
            .expect("infallible");
        statuses.push(resp.status());
    }
    assert!(
        statuses[..20]
            .iter()
            .all(|s| *s == StatusCode::UNAUTHORIZED)
    );
    assert_eq!(statuses[20], StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_changes_need_the_csrf_token_and_our_origin() {
    let t = TestApp::demo(300).await;
    let mut c = t.login("admin").await;
    let form = "agency_id=NRC&name=Refugee%20council";
    let token = c.csrf.clone().expect("token");
    // No token.
    let r = c
        .send(
            Method::POST,
            "/admin/agencies",
            Some("application/x-www-form-urlencoded"),
            form.into(),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    // A wrong token.
    let r = c
        .send(
            Method::POST,
            "/admin/agencies",
            Some("application/x-www-form-urlencoded"),
            format!("{form}&csrf=00{}", &token[2..]),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // The right token from another site.
    c.origin = Some("https://evil.example".into());
    assert_eq!(
        c.post_form("/admin/agencies", form).await.status,
        StatusCode::FORBIDDEN
    );
    // The API without its header.
    c.origin = None;
    let r = c
        .send(
            Method::POST,
            "/api/logout",
            Some("application/json"),
            "{}".into(),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.json()["code"], "csrf");
    assert!(
        !t.app
            .agencies()
            .await
            .expect("agencies")
            .iter()
            .any(|a| a.agency_id == "NRC"),
        "nothing was written"
    );
    // And with everything right, it works.
    c.origin = Some("http://localhost".into());
    assert_eq!(
        c.post_form("/admin/agencies", form).await.status,
        StatusCode::SEE_OTHER
    );
    assert!(
        t.app
            .agencies()
            .await
            .expect("agencies")
            .iter()
            .any(|a| a.agency_id == "NRC")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delegation_cannot_reach_another_countrys_referral() {
    let t = TestApp::demo(600).await;
    let referrals = t.app.referrals().await.expect("referrals");
    let other = referrals
        .iter()
        .find(|r| r.country != "CAN" && r.status == "submitted")
        .expect("a submitted referral to another country");
    let mut d = t.login("delegation").await;
    for path in [
        format!("/referrals/{}", other.referral_id),
        format!("/api/referrals/{}", other.referral_id),
    ] {
        let r = d.get(&path).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert!(
            !r.body.contains(&other.household_id),
            "{path} leaks the household"
        );
    }
    let r = d
        .post_json(
            &format!("/api/referrals/{}/decision", other.referral_id),
            r#"{"decision":"accept","departure_date":"2027-02-01"}"#,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = d
        .post_form(
            &format!("/referrals/{}/decide", other.referral_id),
            "decision=accept&departure_date=2027-02-01",
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let after = t.app.referrals().await.expect("referrals");
    let same = after
        .iter()
        .find(|r| r.referral_id == other.referral_id)
        .expect("still there");
    assert_eq!(same.status, "submitted", "nothing was decided");
    // Its list holds its own country's referrals only, and its household pages are closed.
    let list = d.get("/api/referrals").await.json();
    let list = list.as_array().expect("array");
    assert!(!list.is_empty());
    assert!(list.iter().all(|r| r["country"] == "CAN"));
    assert_eq!(
        d.get(&format!("/api/households/{}", other.household_id))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nobody_changes_their_own_role() {
    let t = TestApp::demo(300).await;
    // An administrator cannot change their own role or agency...
    let mut a = t.login("admin").await;
    let r = a
        .post_form("/admin/users/admin/role", "role=monitor&agency_id=DONORS")
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(r.body.contains("their own account"), "{}", r.body);
    // ...nor disable themselves.
    let r = a
        .post_form("/admin/users/admin/active", "active=false")
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    // Another user cannot raise their own role at all.
    let mut m = t.login("monitor").await;
    let r = m
        .post_form(
            "/admin/users/monitor/role",
            "role=administrator&agency_id=UNMIS",
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        t.app.user_named("monitor").await.expect("user").role.key(),
        "monitor"
    );
    assert_eq!(
        t.app.user_named("admin").await.expect("user").role.key(),
        "administrator"
    );
    // An administrator can change someone else's, and it takes effect at once.
    let r = a
        .post_form(
            "/admin/users/monitor/role",
            "role=registration_officer&agency_id=UNHCR",
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(m.get("/api/people/P-000001").await.status, StatusCode::OK);
    assert_eq!(audit_count(&t, "user.role", "monitor").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_of_a_person_are_audited() {
    let t = TestApp::demo(300).await;
    let mut c = t.login("rsd").await;
    assert_eq!(c.get("/people/P-000002").await.status, StatusCode::OK);
    assert_eq!(c.get("/api/people/P-000002").await.status, StatusCode::OK);
    let f = AuditFilter {
        action: "person.view".into(),
        entity_id: "P-000002".into(),
        ..Default::default()
    };
    let (entries, n) = t.app.audit_log(&f, 10, 0).await.expect("audit");
    assert_eq!(n, 2);
    assert!(entries.iter().all(|e| e.actor == "rsd"));
    // A list of people shown is audited too, naming each of them.
    let found = c.get("/api/search?q=Mohammad").await.json();
    let first = found[0]["person"]["person_id"]
        .as_str()
        .expect("a hit")
        .to_string();
    let f = AuditFilter {
        action: "person.search".into(),
        ..Default::default()
    };
    let (entries, n) = t.app.audit_log(&f, 10, 0).await.expect("audit");
    assert_eq!(n, 1);
    assert!(entries[0].after.contains(&first), "{}", entries[0].after);
    assert!(t.app.verify_audit().await.expect("verify").is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_describes_every_api_route() {
    let t = TestApp::demo(300).await;
    let mut c = t.client();
    let doc = c.get("/api/openapi.json").await.json();
    let paths = doc["paths"].as_object().expect("paths");
    for p in [
        "/api/login",
        "/api/me",
        "/api/people/{person_id}",
        "/api/referrals/{referral_id}/decision",
    ] {
        assert!(paths.contains_key(p), "{p} missing");
    }
    let table =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/access.md"))
            .expect("docs/access.md");
    // Every path documented in OpenAPI is in the access table (by its shape).
    for p in paths.keys() {
        let prefix = p.split('{').next().unwrap_or(p);
        assert!(
            table.contains(&format!("`{prefix}")),
            "{p} is not in docs/access.md"
        );
    }
}
