//! The web application end to end through its real router and a real database: access
//! (the role × route table of docs/access.md), sessions, CSRF, lock-out and scope.
//!
//! PostgreSQL tests need `HAVEN_TEST_POSTGRES_URL` (scripts/test.sh starts a server).

mod support;

#[path = "web/access.rs"]
mod access;
#[path = "web/browser.rs"]
mod browser;
#[path = "web/matrix.rs"]
mod matrix;
#[path = "web/relocation.rs"]
mod relocation;
#[path = "web/resettlement.rs"]
mod resettlement;
#[path = "web/rsd.rs"]
mod rsd;
