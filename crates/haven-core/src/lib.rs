//! Haven's domain: the people and households of an operation, the sites and shelter
//! units they live in, and the population ledger that accounts for every one of them;
//! the rules of their journey: relocation, refugee status determination, pledges and
//! placement for resettlement, and voluntary return.
//!
//! Pure by design: no I/O, no async, no database types. The store maps rows onto these
//! types; use cases combine them; everything here is tested with unit and property tests.

pub mod access;
pub mod audit;
pub mod format;
pub mod ledger;
pub mod names;
pub mod needs;
pub mod placement;
pub mod pledge;
pub mod registry;
pub mod relocation;
pub mod rsd;
pub mod standards;
pub mod validate;
pub mod voluntary_return;
