//! The solver driver: Lagrangian bound, heuristics, branch and bound, final check.

use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::bnb::Bnb;
use crate::check::check_assignment;
use crate::core::{
    Core, LagResult, NONE, Scored, feasible_profit, fill_greedy, lag_eval, losses, subgradient,
    subgradient_opts,
};
use crate::cycles;
use crate::ejc::{self, Ejc};
use crate::heur::{Ls, greedy};
use crate::kpbnb::{self, KpBnb};
use crate::lns::{Lns, Pool};
use crate::model::{Problem, Sense};
use crate::pricing;
use crate::refill;
use crate::round;

/// Optional problems with more options start from the greedy fill and take their bound
/// and placement from prices (`pricing`, then exchange cycles and refill).
const PRICED_OPTIONS: usize = 100_000;

/// Share of the time limit for rounding the relaxation (GAP).
const ROUND_SHARE: f64 = 0.45;

/// Branch-and-bound nodes for each of the first sub-problems of rounding (a tenth for
/// the randomised ones that follow; never more than the caller's node limit).
const ROUND_NODES: u64 = 200_000;

/// Where the knapsack relaxation's roundings apply (`round::kp_applicable`), the regret
/// rounding stops at this share of the limit and they run until `KP_ROUND_UNTIL`. Its
/// first attempts are all it gives there: the knapsack roundings do far better (chu
/// d20100: 6,213 against 6,259 after 20 % of the limit), and the time is worth more to
/// them and to the LNS. The roundings' later attempts are worth less than the LNS's
/// time: on chu d20100 they end at 6,215 whether they stop at 15 % or 30 %, and the LNS
/// that follows finds the optimum more often with the time they leave.
const KP_ROUND_FROM: f64 = 0.05;
const KP_ROUND_UNTIL: f64 = 0.15;
/// The exact search with the knapsack bound (small instances) runs until this share of
/// the limit: from `KP_ROUND_UNTIL` on chu, enough to prove c10100 at 1 s.
const KP_EXACT_UNTIL: f64 = 0.4;
/// The exact search with the capacity bound runs until this share.
const EXACT_UNTIL: f64 = 0.5;

/// Branch-and-bound nodes for each knapsack rounding's sub-problem.
const KP_ROUND_NODES: u64 = 20_000;
/// Subgradient steps at the exact search's root when it starts from the knapsack
/// roundings' multipliers (150 from the LP duals).
const KP_WARM_ROOT_ITERS: usize = 40;

/// Share of its time an ejection-chain thread of the final search keeps before an LNS
/// takes over from its best (where the LNS applies).
const EJC_SHARE: f64 = 0.25;

/// Options of [`solve`] and [`solve_warm`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SolveOptions {
    /// Wall-clock limit in milliseconds (default 10,000). The solver stops earlier when it
    /// proves optimality.
    pub time_limit_ms: u64,
    /// Seed of the random choices (default 0).
    pub seed: u64,
    /// Local-search threads (default 2; 0 = one per core).
    pub threads: usize,
    /// Effort limit of the final local search, in rounds (default: none, time decides).
    /// With an effort limit that binds before the time limit the result depends only on
    /// the problem, the options and the seed.
    pub max_rounds: Option<u64>,
    /// Node limit of branch and bound (default 20,000,000).
    pub node_limit: u64,
}

impl Default for SolveOptions {
    fn default() -> Self {
        SolveOptions {
            time_limit_ms: 10_000,
            seed: 0,
            threads: 2,
            max_rounds: None,
            node_limit: 20_000_000,
        }
    }
}

/// Outcome class of a solve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// A feasible solution proven optimal (gap 0).
    Optimal,
    /// A feasible solution with a proven bound but a positive gap.
    Feasible,
    /// Proven that no feasible solution exists.
    Infeasible,
    /// No feasible solution found, infeasibility not proven.
    Unknown,
}

/// Work counters, for reports and benchmarks.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SolveStats {
    /// Subgradient iterations.
    pub lagrangian_iterations: usize,
    /// Local-search rounds (descents) over all threads.
    pub local_search_rounds: u64,
    /// Branch-and-bound nodes.
    pub nodes: u64,
    /// Branch and bound ran to completion.
    pub search_complete: bool,
    /// Started from a previous solution.
    pub warm_start: bool,
}

/// The answer of the solver. Serialises to the JSON report
/// `{"name","sense","mode","status","objective","bound","gap","optimal","feasible","time_ms","seed","assignment","shadow_prices","stats"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Solution {
    /// Problem name.
    pub name: String,
    /// Problem sense.
    pub sense: Sense,
    /// Outcome.
    pub status: Status,
    /// Total value (profit or cost) of the assignment, recomputed by the checker; None
    /// when no feasible solution is known.
    pub objective: Option<f64>,
    /// Proven bound on the optimum (upper for maximisation, lower for minimisation);
    /// None when the problem is proven infeasible.
    pub bound: Option<f64>,
    /// |bound − objective| / max(1, |objective|); 0 when optimal.
    pub gap: Option<f64>,
    /// Proven optimal.
    pub optimal: bool,
    /// The assignment passed the independent checker.
    pub feasible: bool,
    /// Wall-clock time of the solve.
    pub time_ms: u64,
    /// The seed used.
    pub seed: u64,
    /// Place index of each item in input order, None when unplaced.
    pub assignment: Vec<Option<usize>>,
    /// `shadow_prices[i][k]`: how much the objective would improve (LP estimate) per extra
    /// unit of resource k at place i. Zero for capacity that is not binding.
    pub shadow_prices: Vec<Vec<f64>>,
    /// Work counters.
    pub stats: SolveStats,
}

/// Solve from scratch. Never panics on valid [`Problem`]s; never fails: infeasible problems
/// give `status: infeasible`.
pub fn solve(p: &Problem, opts: &SolveOptions) -> Solution {
    solve_inner(p, opts, None)
}

/// Re-solve after a change (typically one capacity, see [`Problem::set_capacity`]) starting
/// from a previous solution of the same items and places: its assignment (repaired where it
/// no longer fits) and its shadow prices warm-start the search and the bound.
pub fn solve_warm(p: &Problem, previous: &Solution, opts: &SolveOptions) -> Solution {
    solve_inner(p, opts, Some(previous))
}

/// What [`bench_item_sets`] measured.
#[doc(hidden)]
#[derive(Debug, Clone, Serialize)]
pub struct KernelBench {
    /// Item sets solved.
    pub sets: usize,
    /// Items in each.
    pub size: usize,
    /// Sets whose best re-placement beat the start.
    pub improved: usize,
    /// Sets solved to the end within the LNS's node limit.
    pub finished: usize,
    /// Branch-and-bound nodes in all.
    pub nodes: u64,
    /// Wall-clock time of the sets alone (not the multipliers before them).
    pub time_ms: f64,
}

/// A benchmark of the LNS's sub-problem kernel, the part of a run that decides how fast
/// the tight GAP classes improve: `sets` item sets of `size` items, drawn with `seed`,
/// each re-placed exactly from the feasible assignment `start` (restored after each),
/// node-limited and with no clock, so that the work is the same from run to run, and
/// from build to build as long as the bounds' arithmetic does not change. The capacity
/// multipliers come from 400 subgradient steps aimed at `start`.
#[doc(hidden)]
pub fn bench_item_sets(
    p: &Problem,
    start: &[Option<usize>],
    sets: usize,
    size: usize,
    seed: u64,
) -> crate::Result<KernelBench> {
    let report = check_assignment(p, start);
    if !report.feasible {
        return Err(crate::OptimError::Invalid(format!(
            "the start assignment is not feasible: {}",
            report.violations.join("; ")
        )));
    }
    let c = Core::new(p);
    let a = to_options(p, &c, start);
    let v = c.profit_of(&a);
    // no clock: every step and every set runs to its own limit
    let far = Instant::now() + Duration::from_secs(365 * 24 * 3600);
    let lambda = subgradient(&c, &vec![0.0; c.m * c.k], v, 400, far).lambda;
    let mut lns = Lns::new(&c, &a, &lambda, seed);
    let t = Instant::now();
    let (improved, finished) = lns.item_set_kernel(sets, size, far);
    Ok(KernelBench {
        sets,
        size,
        improved,
        finished,
        nodes: lns.nodes,
        time_ms: t.elapsed().as_secs_f64() * 1000.0,
    })
}

fn to_options(p: &Problem, c: &Core, a: &[Option<usize>]) -> Vec<u32> {
    (0..p.num_items())
        .map(|j| match a.get(j).copied().flatten() {
            Some(i) => match p.find_option(j, i) {
                Some(o) if c.alive[o] => o as u32,
                _ => NONE,
            },
            None => NONE,
        })
        .collect()
}

fn run_ls(
    c: &Core,
    start: &[u32],
    lambda: &[f64],
    seed: u64,
    threads: usize,
    deadline: Instant,
    rounds: u64,
    target: f64,
    use_lns: bool,
    pool: &[Scored],
    kp_choice: &[Vec<u32>],
) -> (Option<Vec<u32>>, f64, u64) {
    let threads = threads.max(1);
    // the LNS caps each sub-problem by wall clock: only when time (not rounds) is the limit
    let lns_ok = use_lns
        && rounds == u64::MAX
        && c.n >= 8
        && c.n <= 5000
        && c.p.num_options() <= 500_000
        && feasible_profit(c, start).is_some();
    let ejc_ok = ejc::applicable(c);
    // every LNS merges from and into one pool, and takes the knapsack relaxation's choices
    let shared = Arc::new(Pool::new(pool));
    let new_lns = |from: &[u32], seed: u64| {
        Lns::new(c, from, lambda, seed)
            .with_pool(shared.clone())
            .with_choice(kp_choice)
    };
    let results: Vec<(Option<Vec<u32>>, f64, u64)> = if threads == 1 || c.n < 8 {
        if lns_ok {
            let mut l = new_lns(start, seed);
            let (a, v) = l.run(deadline, rounds, target);
            vec![(a, v, l.rounds)]
        } else if ejc_ok && (use_lns || c.n > 1000) {
            // the first (round-limited) search: the ejection chains only where the
            // iterated local search is slow (its swap scan is quadratic)
            let mut e = Ejc::new(c, start, lambda, seed);
            let (a, v) = e.run(deadline, rounds, target);
            vec![(a, v, e.rounds)]
        } else {
            let mut ls = Ls::new(c, start, lambda, seed);
            let (a, v) = ls.run(deadline, rounds, target);
            vec![(a, v, ls.rounds)]
        }
    } else {
        std::thread::scope(|s| {
            let hs: Vec<_> = (0..threads)
                .map(|t| {
                    let (shared, new_lns) = (&shared, &new_lns);
                    s.spawn(move || {
                        let tseed = seed.wrapping_mul(1_000_003).wrapping_add(t as u64);
                        // the LNS thread pays on small and medium instances only; on
                        // large GAP instances both threads run the ejection chains
                        if lns_ok && t % 2 == 1 && !(ejc_ok && c.n > 1000) {
                            let mut l = new_lns(start, tseed);
                            let (a, v) = l.run(deadline, rounds, target);
                            return (a, v, l.rounds);
                        }
                        if ejc_ok && (t % 2 == 0 || c.n > 1000) {
                            // the chains stall on the tight classes after a second or
                            // so: where the LNS applies, it takes over from their best
                            let now = Instant::now();
                            let mid = if lns_ok {
                                now + deadline.saturating_duration_since(now).mul_f64(EJC_SHARE)
                            } else {
                                deadline
                            };
                            let mut e = Ejc::new(c, start, lambda, tseed).with_pool(shared.clone());
                            let (mut a, mut v) = e.run(mid, rounds, target);
                            let mut done = e.rounds;
                            if mid < deadline && Instant::now() < deadline {
                                let from = a.clone().unwrap_or_else(|| start.to_vec());
                                let mut l = new_lns(&from, tseed ^ 0xE1C);
                                let (a2, v2) = l.run(deadline, rounds, target);
                                done += l.rounds;
                                if a2.is_some() && (a.is_none() || v2 > v) {
                                    (a, v) = (a2, v2);
                                }
                            }
                            return (a, v, done);
                        }
                        let mut ls = Ls::new(c, start, lambda, tseed);
                        let tabu = t % 2 == 0 && c.n <= 5000 && c.p.num_options() <= 500_000;
                        let (a, v) = if tabu {
                            ls.run_tabu(deadline, rounds, target)
                        } else {
                            ls.run(deadline, rounds, target)
                        };
                        (a, v, ls.rounds)
                    })
                })
                .collect();
            hs.into_iter()
                .map(|h| h.join().unwrap_or((None, f64::NEG_INFINITY, 0)))
                .collect()
        })
    };
    let mut best = (None, f64::NEG_INFINITY, 0);
    let mut rounds_total = 0;
    for (a, v, r) in results {
        if std::env::var_os("HAVEN_DEBUG").is_some() {
            eprintln!("thread result {v} rounds {r}");
        }
        rounds_total += r;
        if a.is_some() && (best.0.is_none() || v > best.1) {
            best = (a, v, 0);
        }
    }
    (best.0, best.1, rounds_total)
}

fn solve_inner(p: &Problem, opts: &SolveOptions, warm: Option<&Solution>) -> Solution {
    let start = Instant::now();
    let dbg = std::env::var_os("HAVEN_DEBUG").is_some();
    let tick = |what: &str| {
        if dbg {
            eprintln!("[{:?}] {what}", start.elapsed());
        }
    };
    // At most a year: a larger limit would overflow the clock (and means "no limit").
    let mut limit = Duration::from_millis(opts.time_limit_ms.clamp(1, 365 * 24 * 3600 * 1000));
    if p.num_options() > 2_000_000 {
        // keep a margin for the final check and the report on very large instances
        limit = limit.mul_f64(0.96);
    }
    let deadline = start + limit;
    let at = |f: f64| start + limit.mul_f64(f);
    let c = Core::new(p);
    let mk = c.m * c.k;
    let threads = if opts.threads == 0 {
        std::thread::available_parallelism()
            .map(|x| x.get())
            .unwrap_or(1)
    } else {
        opts.threads
    };
    let mut stats = SolveStats {
        warm_start: warm.is_some(),
        ..Default::default()
    };
    let eps = |v: f64| 1e-9 * v.abs().max(1.0);
    // the incumbent's value `v` meets the bound `ub`
    let proven = |v: f64, ub: f64| v.is_finite() && c.round_bound(ub) <= v + eps(v);

    // incumbent in profit space
    let mut inc: Option<Vec<u32>> = None;
    let mut inc_v = f64::NEG_INFINITY;
    let consider = |a: Vec<u32>, inc: &mut Option<Vec<u32>>, inc_v: &mut f64| {
        if let Some(v) = feasible_profit(&c, &a)
            && (inc.is_none() || v > *inc_v + eps(*inc_v))
        {
            *inc_v = v;
            *inc = Some(a);
        }
    };
    let mut lambda0 = vec![0.0; mk];
    let mut warm_start = None;
    if let Some(w) = warm {
        let mut a = to_options(p, &c, &w.assignment);
        repair(&c, &mut a);
        consider(a.clone(), &mut inc, &mut inc_v);
        warm_start = Some(a);
        for i in 0..c.m.min(w.shadow_prices.len()) {
            for r in 0..c.k.min(w.shadow_prices[i].len()) {
                lambda0[i * c.k + r] = w.shadow_prices[i][r].max(0.0);
            }
        }
    }

    // 1. bound
    let huge = p.num_options() > 2_000_000;
    let iters = if warm.is_some() { 60 } else { 400 };
    if c.optional && p.num_options() > PRICED_OPTIONS && (warm.is_none() || !huge) {
        // a first incumbent from a greedy fill (profit per unit of need): on large
        // optional problems (resettlement) it is a far better start than the
        // multiplier-guided greedy before the multipliers have converged
        let (a, l0) = fill_greedy(&c);
        consider(a, &mut inc, &mut inc_v);
        // its dual (each full place priced at its marginal density) starts the bound,
        // unless a previous solution's multipliers give a lower one (a what-if)
        let mut choice = vec![NONE; c.n];
        let mut load = vec![0.0; mk];
        if warm.is_none()
            || lag_eval(&c, &l0, &mut choice, &mut load)
                < lag_eval(&c, &lambda0, &mut choice, &mut load)
        {
            lambda0 = l0;
        }
        tick(&format!("fill greedy, incumbent {inc_v}"));
    }
    // on resettlement-scale problems the prices come from coordinate descent (the
    // subgradient does not converge in the time), and the placement from those prices
    let priced = if p.num_options() > PRICED_OPTIONS && c.optional && warm.is_none() {
        // on the largest, first from a sample of a tenth of the items (a sweep over it
        // costs a tenth), where the sample can be trusted
        if let Some(l) = pricing::sample_prices(&c, &lambda0, opts.seed, at(0.2)) {
            lambda0 = l;
            tick("sample prices");
        }
        let pr = pricing::price(&c, &lambda0, inc_v, at(0.7));
        tick(&format!(
            "pricing: bound {} after {} sweeps, {} rounds",
            pr.bound, pr.sweeps, pr.rounds
        ));
        // the prices' placement, then what rounding them lost: households away from
        // their best place (exchange cycles), room left at the margins (refill)
        let mut a = pricing::placement(&c, &pr.lambda);
        if dbg {
            let lost = losses(&c, &pr.lambda, &a);
            tick(&format!(
                "price placement {:?}, lost {lost:?}",
                feasible_profit(&c, &a)
            ));
        }
        // (each step only while the bound is not met: a proven run ends at once)
        consider(a.clone(), &mut inc, &mut inc_v);
        if !proven(inc_v, pr.bound) {
            // each can open moves for the other: repeat while they gain
            for _ in 0..4 {
                let g = cycles::exchange(&c, &mut a, at(0.9));
                let h = refill::refill(&c, &pr.lambda, &mut a, at(0.92));
                tick(&format!("exchanged (+{g}), refilled (+{h})"));
                if g + h <= 1e-9 * inc_v.abs().max(1.0) || Instant::now() >= at(0.9) {
                    break;
                }
            }
            if dbg {
                let lost = losses(&c, &pr.lambda, &a);
                eprintln!("after exchange and refill, lost {lost:?}");
            }
            consider(a, &mut inc, &mut inc_v);
            tick(&format!("incumbent {inc_v}"));
        }
        if !proven(inc_v, pr.bound)
            && let Some(a) = inc
                .as_deref()
                .and_then(|a| pricing::refine(&c, &pr.lambda, a, opts.seed, threads, at(0.98)))
        {
            consider(a, &mut inc, &mut inc_v);
            tick(&format!("refined at the margin, incumbent {inc_v}"));
        }
        Some(pr)
    } else {
        None
    };
    let was_priced = priced.is_some();
    let lag = match priced {
        Some(pr) => LagResult {
            bound: pr.bound,
            lambda: pr.lambda,
            iterations: 0,
        },
        None => subgradient_opts(
            &c,
            &lambda0,
            inc_v,
            if huge { 100_000 } else { iters },
            at(if huge {
                if warm.is_some() { 0.25 } else { 0.6 }
            } else {
                0.3
            }),
            huge,
        ),
    };
    stats.lagrangian_iterations += lag.iterations;
    tick(&format!(
        "bound {} after {} iterations",
        lag.bound, lag.iterations
    ));
    let mut lambda = lag.lambda;
    let mut ub = lag.bound;
    if ub == f64::NEG_INFINITY {
        return finish(p, &c, opts, start, None, None, &lambda, true, stats);
    }

    // 2. heuristic
    // on a very large warm re-solve the repaired previous assignment is the start: a
    // greedy from scratch would cost most of the time budget
    let skip_greedy = huge && (warm_start.is_some() || was_priced);
    let g = match (&warm_start, &inc, skip_greedy) {
        (Some(a), _, true) => a.clone(),
        (None, Some(a), true) => a.clone(),
        _ => greedy(&c, &lambda),
    };
    let mut ls_start = match &warm_start {
        Some(a) => a.clone(),
        None => g.clone(),
    };
    if !skip_greedy {
        consider(g.clone(), &mut inc, &mut inc_v);
    }
    // distinct good solutions met by the roundings: the LNS merges them
    let mut pool: Vec<Scored> = Vec::new();
    // where the knapsack relaxation places each item at its tightest steps nearest an
    // assignment (NONE: undecided): RINS for the LNS
    let mut kp_choice: Vec<Vec<u32>> = Vec::new();
    // the knapsack relaxation's multipliers at its bound: the exact search starts there
    let mut kp_multipliers: Vec<f64> = Vec::new();
    // round the relaxation and solve what it leaves undecided (tight GAP classes)
    if !c.optional && c.n > 60 && !proven(inc_v, ub) {
        let target = c.round_bound(ub);
        let kp_round = round::kp_applicable(&c);
        let (best, attempts) = round::rounding(
            &c,
            &lambda,
            target,
            opts.seed,
            ROUND_NODES.min(opts.node_limit),
            at(if kp_round { KP_ROUND_FROM } else { ROUND_SHARE }),
            threads,
        );
        if let Some(a) = best {
            consider(a, &mut inc, &mut inc_v);
            if let Some(a) = &inc {
                ls_start = a.clone();
            }
        }
        tick(&format!("{attempts} roundings, incumbent {inc_v}"));
        // then the knapsack relaxation's roundings, where its knapsacks are small
        if kp_round {
            let round::KpRounding {
                best,
                attempts,
                bound,
                found,
                choices,
                multipliers,
            } = round::kp_rounding(
                &c,
                &lambda,
                inc.as_deref().map(|a| (a, inc_v)),
                target,
                KP_ROUND_NODES.min(opts.node_limit),
                at(KP_ROUND_UNTIL),
            );
            pool = found;
            kp_choice = choices;
            kp_multipliers = multipliers;
            if let Some(a) = best {
                consider(a, &mut inc, &mut inc_v);
                if let Some(a) = &inc {
                    ls_start = a.clone();
                }
            }
            // the knapsack bound is never weaker than the LP's
            if bound < ub {
                ub = bound;
            }
            tick(&format!(
                "{attempts} knapsack roundings, incumbent {inc_v}, bound {bound}"
            ));
        }
    }
    tick(&format!("greedy {inc_v}"));

    // Where the knapsack roundings ran (small tight instances), a first local search
    // from their result finds nothing the LNS after it would not: its time goes to the LNS.
    if !proven(inc_v, ub) && !was_priced && kp_choice.is_empty() {
        let small_rounds = if c.n <= 400 { 30 } else { 200 };
        let (a, v, r) = run_ls(
            &c,
            &ls_start,
            &lambda,
            opts.seed,
            // large GAP instances: both threads already (ejection chains, seeded apart)
            if c.n > 1000 && crate::ejc::applicable(&c) {
                threads
            } else {
                1
            },
            at(0.5),
            small_rounds,
            c.round_bound(ub),
            false,
            &[],
            &[],
        );
        stats.local_search_rounds += r;
        if let Some(a) = a
            && (inc.is_none() || v > inc_v + eps(inc_v))
        {
            inc = Some(a);
            inc_v = v;
        }
    }
    tick(&format!("first local search {inc_v}"));
    // 3. sharpen the bound against the incumbent
    if !proven(inc_v, ub) && !skip_greedy {
        let lag2 = subgradient(
            &c,
            &lambda,
            inc_v,
            if warm.is_some() { 60 } else { 300 },
            at(0.6),
        );
        stats.lagrangian_iterations += lag2.iterations;
        if lag2.bound < ub {
            ub = lag2.bound;
            lambda = lag2.lambda;
        }
    }
    tick(&format!("second bound {ub}"));
    // 4. exact search on small instances
    let small = c.n <= 1000 && p.num_options() <= 100_000;
    if small && !proven(inc_v, ub) {
        let incumbent = inc.as_deref().map(|a| (a, inc_v));
        let (best, best_asg, aborted, nodes, root) = if kpbnb::applicable(&c) {
            let mut b = KpBnb::new(&c, &lambda, incumbent, opts.node_limit, at(KP_EXACT_UNTIL))
                .with_multipliers(&kp_multipliers, KP_WARM_ROOT_ITERS);
            if !kp_multipliers.is_empty() {
                b = b.hopeless_unfixed();
            }
            b.run();
            (b.best, b.best_asg.take(), b.aborted, b.nodes, b.root_bound)
        } else {
            let mut b = Bnb::new(&c, &lambda, incumbent, opts.node_limit, at(EXACT_UNTIL));
            b.run();
            (b.best, b.best_asg.take(), b.aborted, b.nodes, f64::INFINITY)
        };
        stats.nodes = nodes;
        tick(&format!(
            "exact search: {nodes} nodes, root bound {root}, aborted {aborted}"
        ));
        if root < ub {
            ub = root;
        }
        if let Some(a) = best_asg
            && (inc.is_none() || best > inc_v + eps(inc_v))
        {
            inc = Some(a);
            inc_v = best;
        }
        if !aborted {
            stats.search_complete = true;
            return finish(p, &c, opts, start, inc, Some(inc_v), &lambda, true, stats);
        }
    }
    // 5. anytime local search with the remaining time
    if !proven(inc_v, ub) && Instant::now() < deadline {
        let st = inc.clone().unwrap_or(g);
        let (a, v, r) = run_ls(
            &c,
            &st,
            &lambda,
            opts.seed.wrapping_add(1),
            threads,
            deadline,
            opts.max_rounds.unwrap_or(u64::MAX),
            c.round_bound(ub),
            true,
            &pool,
            &kp_choice,
        );
        stats.local_search_rounds += r;
        if let Some(a) = a
            && (inc.is_none() || v > inc_v + eps(inc_v))
        {
            inc = Some(a);
        }
    }
    tick("final local search");
    finish(p, &c, opts, start, inc, Some(ub), &lambda, false, stats)
}

#[allow(clippy::too_many_arguments)]
fn finish(
    p: &Problem,
    c: &Core,
    opts: &SolveOptions,
    start: Instant,
    inc: Option<Vec<u32>>,
    ub: Option<f64>,
    lambda: &[f64],
    complete: bool,
    stats: SolveStats,
) -> Solution {
    let sign = c.sign;
    let assignment: Vec<Option<usize>> = match &inc {
        Some(a) => a
            .iter()
            .map(|&o| (o != NONE).then(|| c.place(o as usize)))
            .collect(),
        None => vec![None; c.n],
    };
    let chk = check_assignment(p, &assignment);
    let feasible = inc.is_some() && chk.feasible;
    let objective = feasible.then_some(chk.objective);
    // bound in profit space: complete search ⇒ the incumbent is optimal
    let ub_profit = match (complete, feasible, ub) {
        (true, true, _) => Some(chk.objective * sign),
        (true, false, _) => None,
        (false, _, Some(u)) if u.is_finite() => Some(c.round_bound(u)),
        _ => None,
    };
    let bound = ub_profit.map(|u| u * sign);
    let optimal = match (objective, ub_profit) {
        (Some(v), Some(u)) => v * sign >= u - 1e-9 * u.abs().max(1.0),
        _ => false,
    };
    let gap = match (objective, bound) {
        (Some(v), Some(b)) if optimal => {
            let _ = (v, b);
            Some(0.0)
        }
        (Some(v), Some(b)) => Some((b - v).abs() / v.abs().max(1.0)),
        _ => None,
    };
    let status = if optimal {
        Status::Optimal
    } else if feasible {
        Status::Feasible
    } else if bound.is_none() && (complete || ub.is_none_or(|u| u == f64::NEG_INFINITY)) {
        Status::Infeasible
    } else {
        Status::Unknown
    };
    let k = c.k;
    let shadow_prices = (0..c.m)
        .map(|i| lambda[i * k..(i + 1) * k].to_vec())
        .collect();
    Solution {
        name: p.name.clone(),
        sense: p.sense,
        status,
        objective,
        bound,
        gap,
        optimal,
        feasible,
        time_ms: start.elapsed().as_millis() as u64,
        seed: opts.seed,
        assignment: if feasible {
            assignment
        } else {
            vec![None; c.n]
        },
        shadow_prices,
        stats,
    }
}

/// Make a (previous) assignment fit the capacities again: at each overloaded place, unplace
/// (optional mode) or move to a place with room (assign-all mode) the items of least value
/// per unit of need until the place fits. Items that cannot move stay (the local search
/// repairs the rest).
fn repair(c: &Core, a: &mut [u32]) {
    let k = c.k;
    let mut load = vec![0.0; c.m * k];
    let mut at: Vec<Vec<usize>> = vec![Vec::new(); c.m];
    for (j, &o) in a.iter().enumerate() {
        if o != NONE {
            let i = c.place(o as usize);
            at[i].push(j);
            for (x, r) in load[i * k..(i + 1) * k]
                .iter_mut()
                .zip(c.need(j, o as usize))
            {
                *x += r;
            }
        }
    }
    let over = |load: &[f64], i: usize| (0..k).any(|r| load[i * k + r] > c.cap[i * k + r] + 1e-9);
    for i in 0..c.m {
        if !over(&load, i) {
            continue;
        }
        let mut js = std::mem::take(&mut at[i]);
        js.sort_by(|&x, &y| {
            let key = |j: usize| {
                let o = a[j] as usize;
                c.profit(o) / c.need(j, o).iter().sum::<f64>().max(1e-9)
            };
            key(x).total_cmp(&key(y)).then(x.cmp(&y))
        });
        for j in js {
            if !over(&load, i) {
                break;
            }
            let o = a[j] as usize;
            // only remove items that help with an exceeded resource
            let helps =
                (0..k).any(|r| load[i * k + r] > c.cap[i * k + r] + 1e-9 && c.need(j, o)[r] > 0.0);
            if !helps {
                continue;
            }
            let mut target = NONE;
            if !c.optional {
                let mut best = f64::NEG_INFINITY;
                for o2 in c.p.options(j) {
                    let i2 = c.place(o2);
                    if i2 == i || !c.alive[o2] {
                        continue;
                    }
                    let fits = (0..k)
                        .all(|r| load[i2 * k + r] + c.need(j, o2)[r] <= c.cap[i2 * k + r] + 1e-9);
                    if fits && c.profit(o2) > best {
                        best = c.profit(o2);
                        target = o2 as u32;
                    }
                }
                if target == NONE {
                    continue;
                }
            }
            for r in 0..k {
                load[i * k + r] -= c.need(j, o)[r];
            }
            if target != NONE {
                let i2 = c.place(target as usize);
                for r in 0..k {
                    load[i2 * k + r] += c.need(j, target as usize)[r];
                }
            }
            a[j] = target;
        }
    }
}
