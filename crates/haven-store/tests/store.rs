//! The two backends' schemas agree: same tables, same columns, same nullability.

use std::collections::BTreeMap;

use haven_store::Store;

type Schema = BTreeMap<String, Vec<(String, bool)>>;

async fn sqlite_schema() -> Schema {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}", dir.path().join("s.db").display());
    let store = Store::open(&url).await.expect("open sqlite");
    let mut schema = Schema::new();
    for table in store.table_names().await.expect("tables") {
        schema.insert(
            table.clone(),
            store.table_columns(&table).await.expect("columns"),
        );
    }
    schema
}

async fn postgres_schema() -> Schema {
    let base = match std::env::var("HAVEN_TEST_POSTGRES_URL") {
        Ok(u) if !u.is_empty() => u,
        _ => panic!("HAVEN_TEST_POSTGRES_URL is not set: run the suite with scripts/test.sh"),
    };
    let name = format!("haven_schema_{}", std::process::id());
    let url = haven_store::create_postgres_database(&base, &name)
        .await
        .expect("create database");
    let store = Store::open(&url).await.expect("open postgres");
    let mut schema = Schema::new();
    for table in store.table_names().await.expect("tables") {
        schema.insert(
            table.clone(),
            store.table_columns(&table).await.expect("columns"),
        );
    }
    schema
}

#[tokio::test]
async fn sqlite_and_postgres_schemas_agree() {
    let (a, b) = (sqlite_schema().await, postgres_schema().await);
    assert!(
        a.contains_key("people") && a.contains_key("audit_log"),
        "{a:?}"
    );
    assert_eq!(a, b);
}

#[tokio::test]
async fn migrating_twice_is_harmless_and_seeds_needs_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}", dir.path().join("s.db").display());
    let store = Store::open(&url).await.expect("open");
    let n = store.needs_catalogue().await.expect("needs").len();
    assert!(n > 50, "{n}");
    let audit = store.counts().await.expect("counts").audit_entries;
    store.migrate().await.expect("migrate again");
    assert_eq!(store.needs_catalogue().await.expect("needs").len(), n);
    assert_eq!(store.counts().await.expect("counts").audit_entries, audit);
    assert!(store.verify_audit().await.expect("verify").is_ok());
}

#[tokio::test]
async fn a_bad_url_is_refused_clearly() {
    let err = Store::connect("mysql://x")
        .await
        .err()
        .map(|e| e.to_string());
    assert_eq!(
        err.as_deref(),
        Some("database URL 'mysql://x' is neither sqlite://… nor postgres://…")
    );
}
