//! Errors of the optimiser library.

use std::path::PathBuf;

/// Result alias for this crate.
pub type Result<T, E = OptimError> = std::result::Result<T, E>;

/// What can go wrong reading or building a problem. Solving never fails: an infeasible
/// problem gives a report with `feasible: false`.
#[derive(Debug, thiserror::Error)]
pub enum OptimError {
    /// The file could not be read.
    #[error("{path}: cannot read: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A problem file is malformed.
    #[error("{path}:{line}: {message} (value: {value:?})")]
    Parse {
        /// The file.
        path: PathBuf,
        /// 1-based line number (0 when the end of the file was reached).
        line: usize,
        /// The offending token or field value.
        value: String,
        /// What is wrong.
        message: String,
    },
    /// The problem data is inconsistent (negative capacity, unknown place, ...).
    #[error("invalid problem: {0}")]
    Invalid(String),
    /// A problem file parsed but its content is invalid.
    #[error("{path}: {message}")]
    InvalidFile {
        /// The file.
        path: PathBuf,
        /// What is wrong, naming the item / place / field.
        message: String,
    },
}
