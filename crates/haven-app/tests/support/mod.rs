//! Test support: a fresh application and database per test, on either backend.

use std::sync::atomic::{AtomicU32, Ordering};

use haven_app::App;
use haven_store::Store;

pub struct TestDb {
    pub app: App,
    /// Keeps the SQLite file (and scenario folders) alive for the test.
    _dir: Option<tempfile::TempDir>,
}

static NEXT: AtomicU32 = AtomicU32::new(0);

/// The PostgreSQL server the test command started, or a clear failure.
pub fn postgres_url() -> String {
    match std::env::var("HAVEN_TEST_POSTGRES_URL") {
        Ok(u) if !u.is_empty() => u,
        _ => panic!(
            "HAVEN_TEST_POSTGRES_URL is not set: run the suite with scripts/test.sh, which starts PostgreSQL on loopback"
        ),
    }
}

impl TestDb {
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = format!("sqlite://{}", dir.path().join("haven.db").display());
        let store = Store::open(&url).await.expect("open sqlite");
        TestDb {
            app: fixed_clock(App::new(store)),
            _dir: Some(dir),
        }
    }

    pub async fn postgres() -> TestDb {
        let base = postgres_url();
        let name = format!(
            "haven_t{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        );
        let url = haven_store::create_postgres_database(&base, &name)
            .await
            .expect("create database");
        let store = Store::open(&url).await.expect("open postgres");
        TestDb {
            app: fixed_clock(App::new(store)),
            _dir: None,
        }
    }

    /// Writes a scenario of `people` residents to a fresh folder.
    pub fn scenario(&self, seed: u64, people: usize) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("tempdir");
        haven_scenario::generate_camp_closure(
            &haven_scenario::ScenarioConfig::new(seed, people),
            dir.path(),
        )
        .expect("scenario");
        dir
    }

    /// The first registered site of a kind.
    pub async fn first_site(&self, kind: &str) -> String {
        self.app
            .store
            .sites()
            .await
            .expect("sites")
            .into_iter()
            .find(|s| s.site.kind.as_str() == kind)
            .map(|s| s.site.site_id)
            .expect("a site of that kind")
    }
}

fn fixed_clock(mut app: App) -> App {
    app.now = Some("2026-11-29T12:00:00Z".into());
    app
}
