//! Where the GAP benchmark data lives.

use std::path::PathBuf;

/// `$HAVEN_GAP_DATA` or `<repo>/../shared/data/gap`.
pub fn gap_dir() -> PathBuf {
    if let Ok(d) = std::env::var("HAVEN_GAP_DATA") {
        return PathBuf::from(d);
    }
    let d = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/gap");
    assert!(
        d.join("data.csv").exists(),
        "GAP data not found at {} (set HAVEN_GAP_DATA)",
        d.display()
    );
    d
}
