//! The role × route table of docs/access.md, tried cell by cell: every route of the
//! pages and the API, by every role and by an anonymous client.

use axum::http::StatusCode;

use crate::support::{Client, TestApp};

const ROLES: [&str; 8] = [
    "anonymous",
    "registration_officer",
    "site_manager",
    "rsd_officer",
    "resettlement_officer",
    "country_delegation",
    "monitor",
    "administrator",
];

/// The demo user of each role.
fn username(role: &str) -> Option<&'static str> {
    Some(match role {
        "registration_officer" => "registration",
        "site_manager" => "sites",
        "rsd_officer" => "rsd",
        "resettlement_officer" => "resettlement",
        "country_delegation" => "delegation",
        "monitor" => "monitor",
        "administrator" => "admin",
        _ => return None,
    })
}

pub struct Row {
    pub method: String,
    pub route: String,
    pub body: String,
    pub expect: Vec<String>,
}

/// The table's rows, read from the documentation itself.
pub fn table() -> Vec<Row> {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/access.md"))
        .expect("docs/access.md");
    let mut rows = vec![];
    let mut in_table = false;
    for line in doc.lines() {
        if line.starts_with("| method | route | body |") {
            let header: Vec<&str> = line.split('|').map(str::trim).collect();
            assert_eq!(&header[4..12], &ROLES, "the table's role columns");
            in_table = true;
            continue;
        }
        if !in_table || line.starts_with("| ---") {
            continue;
        }
        if !line.starts_with('|') {
            break;
        }
        let cells: Vec<String> = line.split('|').map(|c| c.trim().to_string()).collect();
        assert_eq!(cells.len(), 13, "row: {line}");
        rows.push(Row {
            method: cells[1].clone(),
            route: cells[2].trim_matches('`').to_string(),
            body: cells[3].trim_matches('`').to_string(),
            expect: cells[4..12].to_vec(),
        });
    }
    assert!(rows.len() > 20, "the table was not found in docs/access.md");
    rows
}

fn matches(expect: &str, api: bool, method: &str, status: StatusCode, location: &str) -> bool {
    match expect {
        "ok" if method == "GET" => {
            status == StatusCode::OK
                || (status == StatusCode::SEE_OTHER && !location.starts_with("/login"))
        }
        "ok" => ![401, 403, 404].contains(&status.as_u16()) && !location.starts_with("/login"),
        "login" if api => status == StatusCode::UNAUTHORIZED,
        "login" => status == StatusCode::SEE_OTHER && location.starts_with("/login"),
        code => code.parse::<u16>().is_ok_and(|c| c == status.as_u16()),
    }
}

async fn as_role(t: &TestApp, role: &str) -> Client {
    match username(role) {
        Some(u) => t.login(u).await,
        None => t.client(),
    }
}

pub async fn role_route_matrix(t: TestApp) {
    let referrals = t.app.referrals().await.expect("referrals");
    let own = referrals
        .iter()
        .find(|r| r.country == "CAN")
        .expect("a referral to CAN")
        .referral_id
        .clone();
    let other = referrals
        .iter()
        .find(|r| r.country != "CAN")
        .expect("a referral elsewhere")
        .referral_id
        .clone();
    let departed = referrals
        .iter()
        .find(|r| r.status == "departed")
        .expect("a departed referral")
        .referral_id
        .clone();
    let mut failures = vec![];
    let rows = table();
    for row in &rows {
        let path = row
            .route
            .replace("{own_referral}", &own)
            .replace("{other_referral}", &other)
            .replace("{departed_referral}", &departed);
        let api = path.starts_with("/api/");
        for (role, expect) in ROLES.iter().zip(&row.expect) {
            // A fresh session per cell, so that no cell depends on another's (logout).
            let mut c = as_role(&t, role).await;
            let r = match row.method.as_str() {
                "GET" => c.get(&path).await,
                "POST" if api => {
                    let body = if row.body.is_empty() {
                        "{}"
                    } else {
                        row.body.as_str()
                    };
                    c.post_json(&path, body).await
                }
                "POST" => c.post_form(&path, &row.body).await,
                m => panic!("method {m} in docs/access.md"),
            };
            if !matches(expect, api, &row.method, r.status, r.location()) {
                failures.push(format!(
                    "{} {path} as {role}: expected {expect}, got {} {}{}",
                    row.method,
                    r.status.as_u16(),
                    r.location(),
                    r.body.chars().take(120).collect::<String>()
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cells disagree with docs/access.md:\n{}",
        failures.len(),
        rows.len() * ROLES.len(),
        failures.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn role_route_matrix_sqlite() {
    role_route_matrix(TestApp::demo(600).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn role_route_matrix_postgres() {
    role_route_matrix(TestApp::staged(TestApp::postgres().await, 600).await).await;
}
