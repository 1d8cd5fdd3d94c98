//! Readers: real files, both GAP layouts, clear errors on bad files.

use haven_optim::{OptimError, Sense, read_json_problem, read_orlib_gap};
use std::io::Write;

use super::data::gap_dir;

#[test]
fn reads_every_benchmark_file() {
    let mut count = 0;
    // yagiura2004 (33 files) is read when the shared data folder is there.
    let has_yagiura = gap_dir().join("yagiura2004").is_dir();
    for sub in ["cattrysse1994", "chu1997", "yagiura2004"] {
        if sub == "yagiura2004" && !has_yagiura {
            continue;
        }
        let mut names: Vec<_> = std::fs::read_dir(gap_dir().join(sub))
            .expect("dir")
            .map(|e| e.expect("entry").path())
            .collect();
        names.sort();
        for f in names {
            let v = read_orlib_gap(&f).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(v.len(), 1, "{}", f.display());
            assert_eq!(v[0].sense, Sense::Minimize);
            count += 1;
        }
    }
    assert_eq!(count, if has_yagiura { 117 } else { 84 });
}

#[test]
fn multi_instance_orlibrary_file() {
    let one = std::fs::read_to_string(gap_dir().join("cattrysse1994/gap1-0")).expect("read");
    let two = std::fs::read_to_string(gap_dir().join("cattrysse1994/gap1-1")).expect("read");
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("gap1");
    std::fs::write(&path, format!(" 2\n{one}\n{two}")).expect("write");
    let v = read_orlib_gap(&path).expect("parse");
    assert_eq!(v.len(), 2);
    assert_eq!(v[0].name, "gap1-0");
    assert_eq!(v[1].name, "gap1-1");
    assert_eq!(v[1], {
        let mut p = read_orlib_gap(gap_dir().join("cattrysse1994/gap1-1"))
            .expect("r")
            .remove(0);
        p.name = "gap1-1".into();
        p
    });
}

#[test]
fn bad_files_give_clear_errors() {
    let dir = tempfile::tempdir().expect("tmp");
    let missing = read_orlib_gap(dir.path().join("nope")).unwrap_err();
    assert!(matches!(missing, OptimError::Io { .. }));
    assert!(missing.to_string().contains("nope"));
    let bad = dir.path().join("bad.txt");
    let mut f = std::fs::File::create(&bad).expect("create");
    writeln!(f, "2 2\n1 2\n3 oops\n1 1\n1 1\n3 3").expect("write");
    let e = read_orlib_gap(&bad).unwrap_err().to_string();
    assert!(e.contains("bad.txt:3:") && e.contains("oops"), "{e}");
    let bj = dir.path().join("bad.json");
    std::fs::write(&bj, "{\"places\":[{\"name\":\"A\",\"capacity\":[1]}],\n\"items\":[{\"need\":[1],\"options\":[{\"place\":\"B\",\"value\":1}]}]}").expect("w");
    let e = read_json_problem(&bj).unwrap_err().to_string();
    assert!(
        e.contains("bad.json") && e.contains("unknown place \"B\""),
        "{e}"
    );
    std::fs::write(
        &bj,
        "{\"places\":[{\"name\":\"A\",\"capacity\":[-1]}],\"items\":[]}",
    )
    .expect("w");
    let e = read_json_problem(&bj).unwrap_err().to_string();
    assert!(e.contains("places[0]") && e.contains("-1"), "{e}");
    std::fs::write(&bj, "{\"places\":[],\n\"items\":[}").expect("w");
    let e = read_json_problem(&bj).unwrap_err().to_string();
    assert!(e.contains("bad.json:2:"), "{e}");
}
