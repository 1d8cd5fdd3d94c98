//! Haven's use cases: one function per thing a user does.
//!
//! The command line and the web application are thin edges over these functions: they
//! parse and authorise, then call here. A use case validates its input completely, then
//! writes through one [`haven_store::Writer`] so that the change, its ledger movements
//! and its audit entries commit together or not at all.

pub mod access;
pub mod demo;
pub mod import;
pub mod placement;
pub mod pledges;
pub mod registry;
pub mod relocation;
pub mod report;
pub mod rsd;
pub mod sites;
pub mod voluntary_return;

use std::fmt;

use haven_store::{Store, StoreError, Writer};

pub use import::ImportSummary;
pub use registry::*;
pub use sites::StandardsReport;

/// Who is acting, for the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ctx {
    pub actor: String,
}

impl Ctx {
    pub fn new(actor: impl Into<String>) -> Self {
        Ctx {
            actor: actor.into(),
        }
    }
}

/// One problem with input: where it is and what is wrong, printed as
/// `FILE:LINE: field: message (value)`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    pub file: String,
    pub line: u64,
    pub field: String,
    pub message: String,
    pub value: String,
}

impl Problem {
    pub fn new(
        file: &str,
        line: u64,
        field: &str,
        message: impl Into<String>,
        value: impl Into<String>,
    ) -> Self {
        Problem {
            file: file.to_string(),
            line,
            field: field.to_string(),
            message: message.into(),
            value: value.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {}: {} ({})",
            self.file, self.line, self.field, self.message, self.value
        )
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Input was refused; nothing was written.
    #[error("{} problem(s) found; nothing was written", .0.len())]
    Invalid(Vec<Problem>),
    #[error("{0}")]
    NotFound(String),
    /// A rule of the operation refused the request; nothing was written.
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    Io(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Reports progress of long operations (a progress bar on a terminal, nothing in tests).
pub trait Progress {
    /// A new phase with its total (0 when unknown).
    fn phase(&mut self, name: &str, total: u64);
    fn set(&mut self, done: u64);
    fn finish(&mut self) {}
}

/// Progress that goes nowhere.
pub struct NoProgress;

impl Progress for NoProgress {
    fn phase(&mut self, _: &str, _: u64) {}
    fn set(&mut self, _: u64) {}
}

/// The application: a store and a clock.
#[derive(Clone, Debug)]
pub struct App {
    pub store: Store,
    /// Fixed time for reproducible runs (RFC 3339); the system clock when `None`.
    pub now: Option<String>,
}

impl App {
    pub fn new(store: Store) -> Self {
        App { store, now: None }
    }

    /// The time of a write, RFC 3339 UTC.
    pub fn now(&self) -> String {
        self.now.clone().unwrap_or_else(haven_store::now_rfc3339)
    }

    /// Today's date, `YYYY-MM-DD`.
    pub fn today(&self) -> String {
        self.now().chars().take(10).collect()
    }

    /// Today as `(year, month, day)`, the form ages and criteria are computed on.
    pub fn today_day(&self) -> Result<(i32, u8, u8), AppError> {
        let today = self.today();
        let d = haven_core::rsd::parse_iso_date(&today).ok_or_else(|| {
            AppError::Refused(format!("the clock's date {today} is not YYYY-MM-DD"))
        })?;
        Ok((d.year(), u8::from(d.month()), d.day()))
    }

    pub(crate) async fn begin(&self, ctx: &Ctx) -> Result<Writer, AppError> {
        Ok(self.store.begin(&ctx.actor, &self.now()).await?)
    }
}
