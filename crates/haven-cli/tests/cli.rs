//! The `haven` binary end to end: the README's demo, the trial balance, bad input, audit
//! tampering, a killed import, export round trips, the optimiser's command line.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn haven(db: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_haven"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env("HAVEN_ACTOR", "test:cli")
        .env_remove("HAVEN_DATABASE_URL")
        .output()
        .expect("run haven")
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "haven failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn sqlite_db(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("haven.db").display())
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_str(&ok(out)).expect("JSON output")
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

#[test]
fn demo_shows_a_balanced_operation_and_is_idempotent() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = sqlite_db(dir.path());
    let out = ok(&haven(&db, &["demo", "--no-serve"]));
    assert!(out.contains("3,200 people"), "{out}");
    assert!(out.contains("balanced"), "{out}");
    let ledger = json(&haven(&db, &["ledger", "--json"]));
    assert_eq!(ledger["balanced"], true);
    assert_eq!(ledger["registered"], 3200);
    assert_eq!(ledger["total"], 3200);
    // Relocation is under way: convoys have arrived, one is on the road, one person was
    // not checked in, and everyone is accounted for.
    let places = ledger["by_place"].as_object().expect("by_place");
    let at = |k: &str| places.get(k).and_then(|v| v.as_i64()).unwrap_or(0);
    let in_transit: i64 = places
        .iter()
        .filter(|(k, _)| k.starts_with("transit:"))
        .map(|(_, v)| v.as_i64().unwrap_or(0))
        .sum();
    assert!(at("site:S-TS") > 1000, "{places:?}");
    assert_eq!(in_transit, 90, "{places:?}");
    assert_eq!(at("unknown"), 1, "{places:?}");
    let departed: i64 = places
        .iter()
        .filter(|(k, _)| k.starts_with("departed:"))
        .map(|(_, v)| v.as_i64().unwrap_or(0))
        .sum();
    assert!(departed > 0, "{places:?}");
    assert_eq!(
        at("site:S-CAMP") + at("site:S-TS") + in_transit + departed + 1,
        3200
    );
    // Resettlement under way, and a return in progress.
    let progress = json(&haven(&db, &["report", "progress", "--json"]));
    let funnel = progress["funnel"].as_array().expect("funnel");
    let step = |name: &str| {
        funnel
            .iter()
            .find(|s| s["step"] == name)
            .and_then(|s| s["people"].as_i64())
            .unwrap_or(-1)
    };
    assert_eq!(step("registered"), 3200);
    assert_eq!(step("departed"), departed, "{progress}");
    assert!(step("referred") > 0 && step("accepted") > 0, "{progress}");
    let returns = ok(&haven(&db, &["return", "list"]));
    assert!(returns.contains("consent signed"), "{returns}");
    let convoys = ok(&haven(&db, &["relocate", "show"]));
    assert!(convoys.contains("CV-0001   "), "{convoys}");
    assert!(convoys.contains("arrived"), "{convoys}");
    assert!(convoys.contains("departed"), "{convoys}");
    assert!(convoys.contains("planned"), "{convoys}");
    assert!(convoys.contains("is on hold: in hospital"), "{convoys}");
    // A share of the claims has been decided.
    let queue = json(&haven(&db, &["rsd", "queue", "--json"]));
    assert_eq!(queue["households"], 1859, "{queue}");
    assert!(
        queue["decisions_last_28_days"].as_i64().unwrap_or(0) > 100,
        "{queue}"
    );
    assert!(
        queue["awaiting_decision"].as_i64().unwrap_or(0) > 100,
        "{queue}"
    );
    let manifest = ok(&haven(
        &db,
        &["relocate", "show", "CV-0001", "--manifest", "-"],
    ));
    assert!(manifest.starts_with("convoy_id,date,from_site,to_site,household_id,person_id,"));
    assert_eq!(manifest.lines().count(), 91, "{manifest}");
    let twice = haven(&db, &["relocate", "arrive", "CV-0001", "--everyone"]);
    assert_eq!(twice.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&twice.stderr).contains("convoy CV-0001 arrived at"),
        "{twice:?}"
    );
    let audit1 = ok(&haven(&db, &["audit", "verify"]));
    // Again: nothing changes, not even the audit log.
    ok(&haven(&db, &["demo", "--no-serve"]));
    let audit2 = ok(&haven(&db, &["audit", "verify"]));
    assert_eq!(audit1, audit2);
    assert!(audit1.contains("intact"), "{audit1}");

    // People and households are shown with their place and history.
    let person = ok(&haven(&db, &["person", "show", "P-000001"]));
    assert!(person.contains("place now        unit:"), "{person}");
    assert!(person.contains("(registered) -> unit:CA-"), "{person}");
    let household = json(&haven(&db, &["household", "show", "H-000001", "--json"]));
    assert!(
        household["members"]
            .as_array()
            .is_some_and(|m| !m.is_empty())
    );
    let missing = haven(&db, &["person", "show", "P-999999"]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no person with id P-999999"));

    // The standards report answers whether the temporary site can hold everyone.
    let report = json(&haven(&db, &["site", "standards", "--json"]));
    assert_eq!(
        report["residents_present"].as_i64(),
        Some(3199 - departed),
        "one is missing, some departed"
    );
    assert_eq!(report["shortfall"], 0);
    let text = ok(&haven(&db, &["site", "standards", "S-TS"]));
    assert!(text.contains("limited by showers"), "{text}");
    assert!(text.contains("room for all"), "{text}");
    ok(&haven(
        &db,
        &["standards", "set", "persons_per_shower", "15"],
    ));
    let text = ok(&haven(&db, &["site", "standards", "S-TS"]));
    assert!(text.contains("short"), "{text}");
    let bad = haven(&db, &["standards", "set", "beds", "2"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("'beds' is not a standard"));

    // Output cut short by a closed pipe is not an error.
    let mut child = Command::new(env!("CARGO_BIN_EXE_haven"))
        .args(["--db", &db, "ledger", "--accounts"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait");
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("panicked"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Search finds a name in any spelling and either script.
    let hits = json(&haven(
        &db,
        &["search", "Mohammad", "--json", "--limit", "5"],
    ));
    let hits = hits.as_array().cloned().unwrap_or_default();
    assert_eq!(hits.len(), 5);
    let persian = json(&haven(&db, &["search", "محمد", "--json", "--limit", "5"]));
    assert_eq!(persian.as_array().map(Vec::len), Some(5));

    // A household moved to the temporary site; a split is refused without a reason.
    let h = &household["members"][0]["household_id"];
    let hid = h.as_str().expect("household id");
    ok(&haven(
        &db,
        &[
            "household",
            "move",
            hid,
            "--to",
            "site:S-TS",
            "--reason",
            "relocation",
        ],
    ));
    let ledger = json(&haven(&db, &["ledger", "--json"]));
    assert_eq!(ledger["balanced"], true);
    assert!(
        ledger["by_place"]["site:S-TS"]
            .as_i64()
            .is_some_and(|n| n >= 1)
    );
    let bad_place = haven(
        &db,
        &[
            "person", "move", "P-000001", "--to", "mars", "--reason", "x",
        ],
    );
    assert!(!bad_place.status.success());
    assert!(String::from_utf8_lossy(&bad_place.stderr).contains("'mars' is not a place account"));
}

#[test]
fn bad_import_prints_every_problem_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = sqlite_db(dir.path());
    let scen = dir.path().join("scen");
    ok(&haven(
        &db,
        &[
            "scenario",
            "camp-closure",
            "--seed",
            "2",
            "--people",
            "40",
            "--out",
            scen.to_str().expect("path"),
        ],
    ));
    ok(&haven(
        &db,
        &["import", "dir", scen.to_str().expect("path")],
    ));
    let before = ok(&haven(&db, &["audit", "verify"]));
    let bad = dir.path().join("bad.csv");
    let mut body = b"household_id,person_id,relationship,given_name_latin,family_name_latin,given_name_original,family_name_original,sex,date_of_birth,dob_precision,nationality,languages,specific_needs,attributes,site_id,unit_id,registered_on\n".to_vec();
    body.extend_from_slice(
        b"H-X1,P-X1,head,Ali,Karimi,,,M,1970-05-01,exact,IRN,fas,,,S-CAMP,,2026-03-10\n",
    );
    body.extend_from_slice(
        b"H-X2,P-X2,spouse,Zahra,Karimi,,,F,1975,year,IRN,fas,,,S-CAMP,,2026-03-10\n",
    );
    body.extend_from_slice(
        b"H-X3,P-X3,head,Reza,Ahmadi,,,M,1975-13-01,month,IRN,fas,,,S-CAMP,,2026-03-10\n",
    );
    body.extend_from_slice(
        b"H-X4,P-X4,head,Hassan,Rezaei,,,M,1965,year,IRN,fas,XX,,S-CAMP,,2026-03-10\n",
    );
    body.extend_from_slice(
        b"H-X5,P-X1,head,Saeed,Moradi,,,M,1965,year,IRN,fas,,,S-CAMP,,2026-03-10\n",
    );
    body.extend_from_slice(b"H-X6,P-X6,head\n");
    body.extend_from_slice(
        b"H-X7,P-X7,head,Ma\xc3\x28ryam,Moradi,,,F,1965,year,IRN,fas,,,S-CAMP,,2026-03-10\n",
    );
    std::fs::write(&bad, body).expect("write");
    let out = haven(&db, &["import", "households", bad.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    let f = bad.display().to_string();
    for expected in [
        format!("{f}:3: household_id: unknown household"),
        format!("{f}:4: date_of_birth: month must be 01–12 (1975-13-01)"),
        format!("{f}:5: specific_needs: 'XX' is not a known specific-needs code (XX)"),
        format!("{f}:6: person_id: duplicate id (first on line 2) (P-X1)"),
        format!("{f}:7: row: has 3 fields, the header has 17"),
        format!("{f}:8: given_name_latin: is not valid UTF-8"),
    ] {
        assert!(err.contains(&expected), "missing `{expected}` in\n{err}");
    }
    assert!(err.contains("nothing was written"), "{err}");
    assert_eq!(ok(&haven(&db, &["audit", "verify"])), before);
}

#[test]
fn tampering_with_an_audit_row_is_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = sqlite_db(dir.path());
    let scen = dir.path().join("scen");
    ok(&haven(
        &db,
        &[
            "scenario",
            "camp-closure",
            "--people",
            "30",
            "--out",
            scen.to_str().expect("path"),
        ],
    ));
    ok(&haven(
        &db,
        &["import", "dir", scen.to_str().expect("path")],
    ));
    runtime().block_on(async {
        let store = haven_store::Store::connect(&db).await.expect("open");
        let n = store
            .execute_raw("UPDATE audit_log SET before_json = '{\"forged\":true}' WHERE seq = 7")
            .await
            .expect("tamper");
        assert_eq!(n, 1);
        store.close().await;
    });
    let out = haven(&db, &["audit", "verify"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("audit entry 7:"), "{text}");
}

fn file_size(p: &Path) -> u64 {
    std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)
}

#[test]
fn a_killed_import_leaves_the_database_as_it_was() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = sqlite_db(dir.path());
    let scen = dir.path().join("scen");
    ok(&haven(
        &db,
        &[
            "scenario",
            "camp-closure",
            "--people",
            "60000",
            "--out",
            scen.to_str().expect("path"),
        ],
    ));
    ok(&haven(
        &db,
        &[
            "import",
            "sites",
            scen.join("sites.csv").to_str().expect("path"),
        ],
    ));
    ok(&haven(
        &db,
        &[
            "import",
            "units",
            scen.join("shelter_units.csv").to_str().expect("path"),
        ],
    ));
    let before = json(&haven(&db, &["ledger", "--json"]));
    let audit_before = ok(&haven(&db, &["audit", "verify"]));
    let wal: PathBuf = dir.path().join("haven.db-wal");
    let wal_at_start = file_size(&wal);
    let mut child = Command::new(env!("CARGO_BIN_EXE_haven"))
        .args([
            "--db",
            &db,
            "import",
            "households",
            scen.join("households.csv").to_str().expect("path"),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn import");
    // Kill it while it is writing: once the write-ahead log has grown by several pages.
    let start = Instant::now();
    let mut killed_while_writing = false;
    while start.elapsed() < Duration::from_secs(120) {
        if let Ok(Some(_)) = child.try_wait() {
            break;
        }
        if file_size(&wal) > wal_at_start + 2 * 1024 * 1024 {
            child.kill().expect("SIGKILL"); // std's kill is SIGKILL on Unix
            killed_while_writing = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let _ = child.wait();
    assert!(
        killed_while_writing,
        "the import finished before it could be killed; make the scenario larger"
    );
    let after = json(&haven(&db, &["ledger", "--json"]));
    assert_eq!(after, before);
    assert_eq!(after["registered"], 0);
    assert_eq!(ok(&haven(&db, &["audit", "verify"])), audit_before);
    // And the import can simply be run again.
    ok(&haven(
        &db,
        &[
            "import",
            "households",
            scen.join("households.csv").to_str().expect("path"),
        ],
    ));
    let done = json(&haven(&db, &["ledger", "--json"]));
    assert_eq!(done["registered"], 60000);
    assert_eq!(done["balanced"], true);
}

#[test]
fn export_round_trips_through_import() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = sqlite_db(dir.path());
    let scen = dir.path().join("scen");
    ok(&haven(
        &db,
        &[
            "scenario",
            "camp-closure",
            "--seed",
            "4",
            "--people",
            "500",
            "--out",
            scen.to_str().expect("path"),
        ],
    ));
    ok(&haven(
        &db,
        &["import", "dir", scen.to_str().expect("path")],
    ));
    let export = dir.path().join("export.csv");
    ok(&haven(
        &db,
        &[
            "export",
            "households",
            "--format",
            "csv",
            "--out",
            export.to_str().expect("path"),
        ],
    ));
    let again = ok(&haven(
        &db,
        &["import", "households", export.to_str().expect("path")],
    ));
    assert!(again.contains("imported 0 households"), "{again}");
    let json_export = json(&haven(&db, &["export", "households", "--format", "json"]));
    assert_eq!(json_export.as_array().map(Vec::len), Some(500));
    let json_file = dir.path().join("export.json");
    let json_path = json_file.to_str().expect("path");
    ok(&haven(
        &db,
        &[
            "export",
            "households",
            "--format",
            "json",
            "--out",
            json_path,
        ],
    ));
    let again = ok(&haven(&db, &["import", "households", json_path]));
    assert!(again.contains("imported 0 households"), "{again}");
    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, "[{\"person_id\": 3}]").expect("write");
    let out = haven(
        &db,
        &["import", "households", broken.to_str().expect("path")],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("{}:1: json: invalid type", broken.display())),
        "{err}"
    );

    let db2 = format!("sqlite://{}", dir.path().join("other.db").display());
    ok(&haven(
        &db2,
        &[
            "import",
            "sites",
            scen.join("sites.csv").to_str().expect("path"),
        ],
    ));
    ok(&haven(
        &db2,
        &[
            "import",
            "units",
            scen.join("shelter_units.csv").to_str().expect("path"),
        ],
    ));
    ok(&haven(
        &db2,
        &["import", "households", export.to_str().expect("path")],
    ));
    let export2 = dir.path().join("export2.csv");
    ok(&haven(
        &db2,
        &[
            "export",
            "households",
            "--out",
            export2.to_str().expect("path"),
        ],
    ));
    assert_eq!(std::fs::read(&export).ok(), std::fs::read(&export2).ok());
    // The JSON export imports into a fresh database to the same records.
    let db3 = format!("sqlite://{}", dir.path().join("third.db").display());
    let sites = scen.join("sites.csv");
    let units = scen.join("shelter_units.csv");
    ok(&haven(
        &db3,
        &["import", "sites", sites.to_str().expect("path")],
    ));
    ok(&haven(
        &db3,
        &["import", "units", units.to_str().expect("path")],
    ));
    ok(&haven(&db3, &["import", "households", json_path]));
    let export3 = dir.path().join("export3.csv");
    ok(&haven(
        &db3,
        &[
            "export",
            "households",
            "--out",
            export3.to_str().expect("path"),
        ],
    ));
    assert_eq!(std::fs::read(&export).ok(), std::fs::read(&export3).ok());
}

#[test]
fn solve_prints_the_report_for_a_gap_file() {
    let data = std::env::var("HAVEN_GAP_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../haven-optim/tests/data/gap")
        });
    let dir = data.join("cattrysse1994");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("GAP data at {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    let file = files.first().expect("a GAP file");
    let report = json(&haven(
        "sqlite://unused.db",
        &[
            "solve",
            "gap",
            file.to_str().expect("path"),
            "--time-limit-ms",
            "2000",
            "--json",
        ],
    ));
    for key in [
        "objective",
        "bound",
        "gap",
        "optimal",
        "feasible",
        "time_ms",
        "assignment",
    ] {
        assert!(report.get(key).is_some(), "{key} missing in {report}");
    }
    assert_eq!(report["feasible"], true);
    assert_eq!(report["optimal"], true);
    let bad = std::env::temp_dir().join(format!("haven-bad-gap-{}.txt", std::process::id()));
    std::fs::write(&bad, "1\n2 3\nx y z\n").expect("write");
    let out = haven(
        "sqlite://unused.db",
        &["solve", "gap", bad.to_str().expect("path")],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains(&bad.display().to_string()));
    let _ = std::fs::remove_file(bad);
}

#[test]
fn postgres_import_and_ledger_through_the_cli() {
    let base = match std::env::var("HAVEN_TEST_POSTGRES_URL") {
        Ok(u) if !u.is_empty() => u,
        _ => panic!("HAVEN_TEST_POSTGRES_URL is not set: run the suite with scripts/test.sh"),
    };
    let name = format!("haven_cli_{}", std::process::id());
    let db = runtime()
        .block_on(haven_store::create_postgres_database(&base, &name))
        .expect("create database");
    let dir = tempfile::tempdir().expect("tempdir");
    let scen = dir.path().join("scen");
    ok(&haven(
        &db,
        &[
            "scenario",
            "camp-closure",
            "--people",
            "800",
            "--out",
            scen.to_str().expect("path"),
        ],
    ));
    ok(&haven(&db, &["init"]));
    ok(&haven(
        &db,
        &["import", "dir", scen.to_str().expect("path")],
    ));
    let ledger = json(&haven(&db, &["ledger", "--json"]));
    assert_eq!(ledger["balanced"], true);
    assert_eq!(ledger["registered"], 800);
    assert!(ok(&haven(&db, &["audit", "verify"])).contains("intact"));
    let again = ok(&haven(
        &db,
        &["import", "dir", scen.to_str().expect("path")],
    ));
    assert!(again.contains("imported 0 households"), "{again}");
}

#[test]
fn rsd_from_officers_to_a_final_decision_through_the_cli() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = sqlite_db(dir.path());
    let scen = dir.path().join("scen");
    let scen = scen.to_str().expect("path");
    ok(&haven(
        &db,
        &["scenario", "camp-closure", "--people", "200", "--out", scen],
    ));
    ok(&haven(&db, &["import", "dir", scen]));
    for (id, langs) in [("O-A", "fas,eng"), ("O-B", "fas")] {
        let out = ok(&haven(
            &db,
            &[
                "rsd",
                "officer",
                "add",
                id,
                "--name",
                "Officer",
                "--capacity",
                "4",
                "--languages",
                langs,
            ],
        ));
        assert_eq!(out.trim(), format!("officer {id}: added"));
    }
    let again = ok(&haven(
        &db,
        &[
            "rsd",
            "officer",
            "add",
            "O-B",
            "--name",
            "Officer",
            "--capacity",
            "4",
            "--languages",
            "fas",
        ],
    ));
    assert_eq!(again.trim(), "officer O-B: unchanged");
    ok(&haven(
        &db,
        &[
            "rsd",
            "interpreter",
            "add",
            "I-K",
            "--name",
            "Interpreter",
            "--capacity",
            "4",
            "--languages",
            "ckb,kmr,azb",
        ],
    ));
    let list = ok(&haven(&db, &["rsd", "officer", "list"]));
    assert!(list.contains("O-A") && list.contains("fas,eng"), "{list}");
    let bad = haven(
        &db,
        &[
            "rsd",
            "officer",
            "add",
            "O-C",
            "--name",
            "X",
            "--capacity",
            "2",
            "--languages",
            "zz",
        ],
    );
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("languages"));

    let plan = json(&haven(
        &db,
        &[
            "rsd",
            "schedule",
            "--from",
            "2026-12-01",
            "--days",
            "5",
            "--json",
        ],
    ));
    let booked = plan["scheduled"].as_array().expect("scheduled");
    // Two officers, four a day, five days.
    assert_eq!(booked.len(), 40, "{plan}");
    let h = booked[0]["household_id"]
        .as_str()
        .expect("household")
        .to_string();
    let officer = booked[0]["officer"].as_str().expect("officer").to_string();
    let other = if officer == "O-A" { "O-B" } else { "O-A" };
    let on = booked[0]["on"].as_str().expect("day").to_string();
    ok(&haven(
        &db,
        &[
            "rsd",
            "interview",
            &h,
            "--officer",
            &officer,
            "--on",
            &on,
            "--notes",
            "heard",
        ],
    ));
    let decided = ok(&haven(
        &db,
        &[
            "rsd",
            "decide",
            &h,
            "--outcome",
            "rejected",
            "--reasons",
            "no well-founded fear",
            "--officer",
            &officer,
            "--on",
            "2026-12-06",
        ],
    ));
    assert!(decided.contains("decided, rejected"), "{decided}");

    // Deciding again is refused with a clear message, and writes nothing.
    let audit = ok(&haven(&db, &["audit", "verify"]));
    let twice = haven(
        &db,
        &[
            "rsd",
            "decide",
            &h,
            "--outcome",
            "recognised",
            "--reasons",
            "again",
            "--officer",
            other,
            "--on",
            "2026-12-07",
        ],
    );
    assert!(!twice.status.success());
    assert!(
        String::from_utf8_lossy(&twice.stderr)
            .contains("this claim has already been decided (rejected)")
    );
    assert_eq!(ok(&haven(&db, &["audit", "verify"])), audit);

    ok(&haven(&db, &["rsd", "notify", &h, "--on", "2026-12-07"]));
    ok(&haven(&db, &["rsd", "appeal", &h, "--on", "2026-12-20"]));
    let same = haven(
        &db,
        &[
            "rsd",
            "decide",
            &h,
            "--outcome",
            "recognised",
            "--reasons",
            "on review",
            "--officer",
            &officer,
            "--on",
            "2026-12-28",
        ],
    );
    assert!(!same.status.success());
    assert!(String::from_utf8_lossy(&same.stderr).contains("another officer"));
    ok(&haven(
        &db,
        &[
            "rsd",
            "decide",
            &h,
            "--outcome",
            "recognised",
            "--reasons",
            "on review",
            "--officer",
            other,
            "--on",
            "2026-12-28",
        ],
    ));
    let claim = json(&haven(&db, &["rsd", "show", &h, "--json"]));
    assert_eq!(claim["stage"], "final");
    assert_eq!(claim["outcome"], "recognised");
    let shown = ok(&haven(&db, &["rsd", "show", &h]));
    assert!(shown.contains("principal: recognised (final)"), "{shown}");
    let queue = json(&haven(&db, &["rsd", "queue", "--json"]));
    assert_eq!(queue["by_stage"][6]["stage"], "final");
    assert_eq!(queue["by_stage"][6]["households"], 1);
    assert_eq!(queue["officer_capacity_per_day"], 8);
    let text = ok(&haven(&db, &["rsd", "queue"]));
    assert!(
        text.contains("projected completion at officer capacity"),
        "{text}"
    );
    assert!(ok(&haven(&db, &["audit", "verify"])).contains("intact"));
    assert_eq!(json(&haven(&db, &["ledger", "--json"]))["balanced"], true);
}
