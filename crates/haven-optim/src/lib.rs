//! # haven-optim — the placement optimiser
//!
//! A pure library (no Haven types, no I/O beyond reading problem files) for assignment
//! problems: items (households) to places (pledges), each eligible item–place pair with a
//! value and a need vector over K resources, each place with a capacity per resource,
//! every item placed at most once and whole. Two modes: [`Mode::AssignAll`] (the
//! generalised assignment problem) and [`Mode::Optional`]. Maximise value or minimise cost.
//!
//! ## Public API
//!
//! - Read: [`read_orlib_gap`]`(path) -> Result<Vec<Problem>>` (OR-Library GAP, one or
//!   several instances a file), [`read_json_problem`]`(path) -> Result<Problem>` (the JSON
//!   format of `docs/optimiser.md`), their `parse_*` twins on text, [`ProblemBuilder`] in
//!   code, [`problem_to_json`] to write the JSON format.
//! - Solve: [`solve`]`(&Problem, &SolveOptions) -> Solution` and
//!   [`solve_warm`]`(&Problem, &previous_solution, &SolveOptions) -> Solution`. A
//!   [`Solution`] serialises (serde) to the JSON report with at least
//!   `objective, bound, gap, optimal, feasible, time_ms, assignment`.
//! - Check: [`check_assignment`]`(&Problem, &[Option<usize>]) -> CheckReport`, an
//!   independent feasibility checker that every returned solution has passed.
//! - Explain: [`explain`]`(&Problem, &Solution) -> Explanation` (per item: where it went,
//!   alternatives and why not; per place and resource: load, slack, shadow price) and
//!   [`what_if_capacity`] (re-solve warm with one capacity changed and report the change in
//!   value and people placed).
//! - Generate: [`generate_resettlement`] builds seeded resettlement-scale instances.
//!
//! ## Guarantees
//!
//! The bound is a Lagrangian bound (capacities relaxed; equal to the LP relaxation at the
//! optimal multipliers) and is valid whatever the time limit. Small instances are solved by
//! branch and bound and reported `optimal` with gap 0 when the search completes. Results
//! depend only on the problem, the options and the seed, except where the time limit cuts
//! a search short (then a slower machine may stop at a different point).
#![forbid(unsafe_code)]
// Numeric kernels index several parallel arrays with one loop variable; iterator chains
// would obscure them.
#![allow(clippy::needless_range_loop, clippy::too_many_arguments)]

mod bnb;
mod check;
mod core;
mod cycles;
mod ejc;
mod error;
mod explain;
mod generate;
mod heur;
mod io;
mod kpbnb;
mod lns;
mod model;
mod pricing;
mod refill;
mod rng;
mod round;
mod solve;
#[cfg(test)]
mod testutil;

pub use check::{CheckReport, check_assignment};
pub use error::{OptimError, Result};
pub use explain::{
    Alternative, Explanation, ItemExplanation, PlaceResource, WhatIf, explain, what_if_capacity,
};
pub use generate::{ResettlementParams, generate_resettlement};
pub use io::{
    Amounts, JsonItem, JsonOption, JsonPlace, JsonProblem, PlaceRef, parse_json_problem,
    parse_orlib_gap, problem_to_json, read_json_problem, read_orlib_gap,
};
pub use model::{Mode, Problem, ProblemBuilder, Sense};
#[doc(hidden)]
pub use solve::{KernelBench, bench_item_sets};
pub use solve::{Solution, SolveOptions, SolveStats, Status, solve, solve_warm};
