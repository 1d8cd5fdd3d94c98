//! Where the GAP benchmark data lives.

use std::path::PathBuf;

/// `$HAVEN_GAP_DATA`, else the shared data folder beside the repository
/// (`<repo>/../shared/data/gap`, which also holds yagiura2004), else the copy of
/// cattrysse1994 and chu1997 vendored in `tests/data/gap`.
pub fn gap_dir() -> PathBuf {
    if let Ok(d) = std::env::var("HAVEN_GAP_DATA") {
        return PathBuf::from(d);
    }
    let shared = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/gap");
    if shared.join("data.csv").exists() {
        return shared;
    }
    let vendored = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/gap");
    assert!(
        vendored.join("data.csv").exists(),
        "GAP data not found at {} (set HAVEN_GAP_DATA)",
        vendored.display()
    );
    vendored
}
