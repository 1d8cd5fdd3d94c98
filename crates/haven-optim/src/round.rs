//! Rounding the relaxation, then solving exactly what it leaves undecided.
//!
//! On the generalised assignment problem's harder classes (Chu and Beasley's and
//! Yagiura's types D and E, capacities tight and costs anti-correlated with needs) the
//! Lagrangian bound is within a few hundredths of a percent of the optimum, while local
//! searches stall a percent away: a good solution fills every place almost exactly, and
//! reaching one by moves is hard. The relaxation itself knows most of the answer. At good
//! multipliers each item's best place is its place in the LP solution except for the few
//! items the LP splits, and an item whose best place beats its second by a wide margin
//! (its *regret*) is almost surely placed there in a good solution. So: fix the items of
//! largest regret at their best place while they fit, and solve the rest — the undecided
//! items, on every place, in the room left — exactly by branch and bound.

use std::time::Instant;

use crate::bnb::Bnb;
use crate::core::{Core, NONE, Scored, feasible_profit, subgradient};
use crate::heur::greedy;
use crate::kpbnb::{self, KpBnb};
use crate::model::ProblemBuilder;

/// Fix all but (about) `free` items at their best place under `lambda`, by decreasing
/// regret while they fit, and solve the others exactly (node-limited). With `noise`, the
/// regrets are scaled at random first (another rounding). Returns a feasible assignment,
/// or None when the sub-problem has no solution within the limits.
pub(crate) fn round_and_solve(
    c: &Core,
    lambda: &[f64],
    free: usize,
    node_limit: u64,
    deadline: Instant,
    mut noise: Option<&mut crate::rng::Rng>,
) -> Option<Vec<u32>> {
    let mut best: Vec<(f64, u32)> = Vec::with_capacity(c.n);
    for j in 0..c.n {
        let (b1, arg, b2) = c.best_two(lambda, j);
        if c.optional && b1 < 0.0 {
            // the relaxation leaves it out: undecided too, at no regret
            best.push((0.0, NONE));
        } else {
            let regret = b1 - b2.max(if c.optional { 0.0 } else { f64::NEG_INFINITY });
            // with noise, another rounding: regrets scaled by a random factor in [0.5, 1.5)
            let scale = noise.as_mut().map_or(1.0, |r| 0.5 + r.unit());
            best.push((regret * scale, arg));
        }
    }
    let mut order: Vec<usize> = (0..c.n).collect();
    order.sort_unstable_by(|&a, &b| best[b].0.total_cmp(&best[a].0).then(a.cmp(&b)));
    let mut asg = vec![NONE; c.n];
    let mut rem = c.cap.clone();
    let mut undecided = Vec::new();
    for (rank, &j) in order.iter().enumerate() {
        let o = best[j].1;
        if o != NONE && rank + free < c.n && c.fits(&rem, j, o as usize) {
            c.take(&mut rem, j, o as usize);
            asg[j] = o;
        } else {
            undecided.push(j);
        }
    }
    solve_rest(c, lambda, asg, &rem, undecided, node_limit, deadline)
}

/// Complete `asg` (a feasible partial assignment leaving `rem` room): the `undecided`
/// items are placed exactly by branch and bound (node-limited), on every place, in the
/// room left. None when that sub-problem has no solution within the limits.
pub(crate) fn solve_rest(
    c: &Core,
    lambda: &[f64],
    mut asg: Vec<u32>,
    rem: &[f64],
    mut undecided: Vec<usize>,
    node_limit: u64,
    deadline: Instant,
) -> Option<Vec<u32>> {
    let k = c.k;
    if undecided.is_empty() {
        return feasible_profit(c, &asg).map(|_| asg);
    }
    undecided.sort_unstable();
    // the sub-problem: undecided items on every place, in the room left
    let mut b = ProblemBuilder::new(vec![String::new(); k], c.p.sense, c.p.mode);
    for i in 0..c.m {
        let room: Vec<f64> = rem[i * k..(i + 1) * k].iter().map(|x| x.max(0.0)).collect();
        b.place(String::new(), &room).ok()?;
    }
    let zero = vec![0.0; k];
    let mut sub_opts: Vec<Vec<u32>> = Vec::with_capacity(undecided.len());
    for &j in &undecided {
        b.item(String::new(), &zero).ok()?;
        let mut opts = Vec::new();
        for o in c.p.options(j) {
            if c.alive[o] && c.fits(rem, j, o) {
                b.option_with_need(c.place(o), c.p.opt_value[o], c.need(j, o))
                    .ok()?;
                opts.push(o as u32);
            }
        }
        if opts.is_empty() && !c.optional {
            return None;
        }
        sub_opts.push(opts);
    }
    let sub = b.build().ok()?;
    let sc = Core::new(&sub);
    let lam = subgradient(&sc, lambda, f64::NEG_INFINITY, 60, deadline).lambda;
    // the search on its own (the greedy's completion as incumbent cuts it short on these
    // instances: measured worse); that completion when the search finds nothing
    let found = if kpbnb::applicable(&sc) {
        let mut bb = KpBnb::new(&sc, &lam, None, node_limit, deadline);
        bb.run();
        bb.best_asg.take()
    } else {
        let mut bb = Bnb::new(&sc, &lam, None, node_limit, deadline);
        bb.run();
        bb.best_asg.take()
    }
    .or_else(|| {
        let first = greedy(&sc, &lam);
        feasible_profit(&sc, &first).map(|_| first)
    })?;
    for (x, &j) in undecided.iter().enumerate() {
        let so = found[x];
        asg[j] = if so == NONE {
            NONE
        } else {
            let i = sub.option_place(so as usize);
            *sub_opts[x].iter().find(|&&o| c.place(o as usize) == i)?
        };
    }
    feasible_profit(c, &asg).map(|_| asg)
}

/// Undecided items in the first rounding: 2m, within 30–120.
fn first_free(c: &Core) -> usize {
    (2 * c.m).clamp(30, 120).min(c.n)
}

/// Repeated rounding until `deadline`, on `threads` threads (one or two), each with its
/// own sequence of attempts. One thread: three attempts with 2m (30–120), 4m and 8m
/// undecided items, each with its share of the time left. Two: the first thread tries
/// 2m, the second 4m and then 8m, and each attempt may take all the time left (on the
/// large tight instances an attempt needs seconds to reach a good completion, and a
/// third of the time reaches none; one that ends sooner leaves the rest to the next).
/// Then randomised roundings (regrets scaled at random) with a tenth of the nodes, until
/// 8 in a row bring nothing, 32 have run, or one reaches `target` (the rounded bound:
/// proven optimal). Returns the best feasible assignment found and the number of
/// attempts.
pub(crate) fn rounding(
    c: &Core,
    lambda: &[f64],
    target: f64,
    seed: u64,
    node_limit: u64,
    deadline: Instant,
    threads: usize,
) -> (Option<Vec<u32>>, u32) {
    let base = first_free(c);
    let sizes = |from: usize, count: usize| -> Vec<usize> {
        (from..from + count).map(|x| (base << x).min(c.n)).collect()
    };
    let run = |seed: u64, sizes: &[usize], split: bool| {
        attempts(c, lambda, target, seed, node_limit, deadline, sizes, split)
    };
    let (best, n) = if threads < 2 {
        run(seed, &sizes(0, 3), true)
    } else {
        let ((a, na), (b, nb)) = std::thread::scope(|s| {
            let other = s.spawn(|| run(seed ^ 0x2, &sizes(1, 2), false));
            let mine = run(seed, &sizes(0, 1), false);
            // a panic on the other thread is a bug: let it through, not a silent None
            let theirs = other
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e));
            (mine, theirs)
        });
        let best = match (a, b) {
            (Some(a), Some(b)) => Some(if b.0 > a.0 { b } else { a }),
            (a, b) => a.or(b),
        };
        (best, na + nb)
    };
    (best.map(|(_, a)| a), n)
}

/// One thread's roundings: one attempt for each number of undecided items in `sizes`,
/// each with its share of the time left (`split`) or all of it, then randomised ones
/// (see [`rounding`]). Returns the best assignment with its profit, and the attempts.
fn attempts(
    c: &Core,
    lambda: &[f64],
    target: f64,
    seed: u64,
    node_limit: u64,
    deadline: Instant,
    sizes: &[usize],
    split: bool,
) -> (Option<Scored>, u32) {
    let mut rng = crate::rng::Rng::new(seed ^ 0x5EED_0F0D);
    let mut best: Option<Scored> = None;
    let (mut attempt, mut fruitless) = (0usize, 0u32);
    loop {
        let now = Instant::now();
        let reached = best
            .as_ref()
            .is_some_and(|b| b.0 >= target - 1e-9 * target.abs().max(1.0));
        if now >= deadline || reached || fruitless >= 8 || attempt >= 32 {
            return (best, attempt as u32);
        }
        let (free, share, noise, nodes) = if attempt < sizes.len() {
            let left = if split {
                (sizes.len() - attempt) as u32
            } else {
                1
            };
            (
                sizes[attempt],
                deadline.duration_since(now) / left,
                None,
                node_limit,
            )
        } else {
            (
                first_free(c),
                deadline.duration_since(now) / 4,
                Some(&mut rng),
                node_limit / 10,
            )
        };
        let found = round_and_solve(c, lambda, free, nodes, now + share, noise)
            .and_then(|a| feasible_profit(c, &a).map(|v| (v, a)));
        attempt += 1;
        match found {
            Some(f)
                if best
                    .as_ref()
                    .is_none_or(|b| f.0 > b.0 + 1e-9 * b.0.abs().max(1.0)) =>
            {
                best = Some(f);
            }
            _ if attempt > sizes.len() => fruitless += 1,
            _ => {}
        }
    }
}

/// The knapsack relaxation's roundings apply: one resource, every item placed, integral
/// data and knapsacks small enough to solve many times (`kpbnb::applicable`).
pub(crate) fn kp_applicable(c: &Core) -> bool {
    !c.optional && kpbnb::applicable(c)
}

/// Rounding the knapsack relaxation. Relaxing "each item exactly once" instead of the
/// capacities leaves one knapsack per place; its bound is much the stronger on the tight
/// classes, and its solutions pack each place tightly, which is what those classes
/// need. Each step of the subgradient on that relaxation gives a rounding: the items
/// exactly one knapsack took stay there, and those taken twice or never are solved
/// exactly in the room left. Steps are tried best bound first, each pattern once, until
/// `deadline` or `target`.
pub(crate) fn kp_rounding(
    c: &Core,
    lambda: &[f64],
    incumbent: Option<(&[u32], f64)>,
    target: f64,
    node_limit: u64,
    deadline: Instant,
) -> KpRounding {
    if !kp_applicable(c) {
        return KpRounding {
            best: None,
            attempts: 0,
            bound: f64::INFINITY,
            found: Vec::new(),
            choices: Vec::new(),
            multipliers: Vec::new(),
        };
    }
    // the tightest steps' choices, with their bounds
    let mut choices: Vec<&(f64, Vec<u32>)> = Vec::new();
    // Two runs of the subgradient: long steps from the LP duals (varied roundings), then
    // steps aimed at the incumbent (a tighter bound, roundings near it); their roundings
    // are tried in turn, each run's best bound first.
    let mut runs: Vec<Vec<(f64, Vec<u32>)>> = Vec::new();
    let mut bound = f64::INFINITY;
    let mut multipliers = Vec::new();
    for (inc, iters) in [(None, KP_ROUND_ITERS), (incumbent, KP_ROUND_ITERS / 2)] {
        let mut kb = KpBnb::new(c, lambda, inc, 0, deadline);
        // each step's bound, and the place of each item that exactly one knapsack took
        let mut steps: Vec<(f64, Vec<u32>)> = Vec::new();
        let l = kb.relax(iters, &mut |l, inplace, cnt| {
            if l.is_finite() {
                let once = (0..c.n)
                    .map(|j| if cnt[j] == 1 { inplace[j] } else { NONE })
                    .collect();
                steps.push((l, once));
            }
        });
        if l < bound {
            bound = l;
            multipliers = kb.multipliers().to_vec();
        }
        steps.sort_by(|a, b| a.0.total_cmp(&b.0));
        runs.push(steps);
    }
    // Among the tightest steps, those that leave the fewest items undecided (taken by
    // two knapsacks or by none): the relaxed solutions nearest an assignment. On chu
    // d20100 they agree with the optimum on 64–76 items, against 42–61 for the aimed
    // run's tightest steps, which the bound alone would pick.
    for r in &runs {
        choices.extend(r.iter().take(CHOICE_STEPS));
    }
    choices.sort_by(|a, b| a.0.total_cmp(&b.0));
    choices.truncate(CHOICE_STEPS);
    let undecided = |x: &(f64, Vec<u32>)| x.1.iter().filter(|&&o| o == NONE).count();
    choices.sort_by(|a, b| undecided(a).cmp(&undecided(b)).then(a.0.total_cmp(&b.0)));
    let choices: Vec<Vec<u32>> = choices.iter().take(CHOICES).map(|x| x.1.clone()).collect();
    let longest = runs.iter().map(Vec::len).max().unwrap_or(0);
    let steps: Vec<&(f64, Vec<u32>)> = (0..longest)
        .flat_map(|x| runs.iter().filter_map(move |r| r.get(x)))
        .collect();
    let mut tried: Vec<&[u32]> = Vec::new();
    let (mut best, mut best_v) = (None, f64::NEG_INFINITY);
    let mut attempts = 0;
    let mut all: Vec<Scored> = Vec::new();
    for (_, once) in steps {
        let reached = best.is_some() && best_v >= target - 1e-9 * target.abs().max(1.0);
        if Instant::now() >= deadline || reached {
            break;
        }
        if tried.contains(&once.as_slice()) {
            continue;
        }
        tried.push(once);
        attempts += 1;
        let mut rem = c.cap.clone();
        for (j, &o) in once.iter().enumerate() {
            if o != NONE {
                c.take(&mut rem, j, o as usize);
            }
        }
        let undecided: Vec<usize> = (0..c.n).filter(|&j| once[j] == NONE).collect();
        let left = deadline.saturating_duration_since(Instant::now());
        let found = solve_rest(
            c,
            lambda,
            once.clone(),
            &rem,
            undecided,
            node_limit,
            Instant::now() + left / 4,
        )
        .and_then(|a| feasible_profit(c, &a).map(|v| (a, v)));
        if let Some((a, v)) = &found
            && !all.iter().any(|x| x.1 == *a)
        {
            all.push((*v, a.clone()));
        }
        if let Some((a, v)) = found
            && (best.is_none() || v > best_v + 1e-9 * best_v.abs().max(1.0))
        {
            (best, best_v) = (Some(a), v);
        }
    }
    all.sort_by(|a, b| b.0.total_cmp(&a.0));
    KpRounding {
        best,
        attempts,
        bound,
        found: all,
        choices,
        multipliers,
    }
}

/// What `kp_rounding` found.
pub(crate) struct KpRounding {
    /// The best feasible assignment.
    pub best: Option<Vec<u32>>,
    pub attempts: u32,
    /// The relaxation's bound: an upper bound on the profit (+inf if none was reached).
    pub bound: f64,
    /// Every distinct feasible result, best first.
    pub found: Vec<Scored>,
    /// At `CHOICES` of the relaxation's `CHOICE_STEPS` tightest steps, those leaving the
    /// fewest items undecided (fewest first), the option of each item exactly one
    /// knapsack took (NONE for the others): where the relaxation would place it.
    pub choices: Vec<Vec<u32>>,
    /// The multipliers of the assignment rows (one per item) at the relaxation's bound:
    /// a warm start for the exact search.
    pub multipliers: Vec<f64>,
}

/// How many of the relaxation's steps `kp_rounding` reports.
const CHOICES: usize = 8;
/// Among how many of its tightest steps they are taken.
const CHOICE_STEPS: usize = 32;

/// Subgradient steps on the knapsack relaxation whose solutions kp_rounding tries.
const KP_ROUND_ITERS: usize = 60;

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::testutil::{brute, dense, small};
    use proptest::prelude::*;
    use std::time::Duration;

    /// Repeated rounding keeps its best: on an instance with room to spare it returns a
    /// feasible assignment no worse than its first attempt's.
    #[test]
    fn repeated_rounding_returns_its_best() {
        let p = dense(11, &[60, 60, 60, 60, 60], 80, 6);
        let c = Core::new(&p);
        let lambda = crate::core::subgradient(
            &c,
            &vec![0.0; c.m],
            f64::NEG_INFINITY,
            200,
            Instant::now() + Duration::from_secs(5),
        )
        .lambda;
        let deadline = Instant::now() + Duration::from_secs(5);
        let first = round_and_solve(&c, &lambda, 30, 20_000, deadline, None)
            .and_then(|a| feasible_profit(&c, &a))
            .expect("the first rounding succeeds with room to spare");
        let (best, attempts) = rounding(&c, &lambda, f64::INFINITY, 3, 20_000, deadline, 1);
        let best = best.expect("a rounding");
        let v = feasible_profit(&c, &best).expect("feasible");
        assert!(attempts >= 1);
        assert!(
            v >= first - 1e-9,
            "best {v} below the first rounding {first}"
        );
    }

    /// On an instance with room to spare the knapsack roundings find a feasible
    /// assignment.
    #[test]
    fn knapsack_rounding_finds_a_solution() {
        let p = dense(5, &[40, 40, 40, 40], 50, 4);
        let c = Core::new(&p);
        assert!(kp_applicable(&c));
        let lambda = vec![0.0; c.m];
        let deadline = Instant::now() + Duration::from_secs(5);
        let KpRounding {
            best,
            attempts,
            bound,
            ..
        } = kp_rounding(&c, &lambda, None, f64::INFINITY, 20_000, deadline);
        assert!(attempts >= 1);
        let a = best.expect("a rounding with room to spare");
        let v = feasible_profit(&c, &a).expect("feasible");
        assert!(v <= bound + 1e-9, "{v} above the bound {bound}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// The knapsack roundings return only feasible assignments, never better than
        /// the optimum.
        #[test]
        fn knapsack_rounding_is_feasible(p in small()) {
            let c = Core::new(&p);
            let opt = brute(&c);
            let deadline = Instant::now() + Duration::from_secs(10);
            let KpRounding { best, bound, .. } = kp_rounding(&c, &vec![0.0; c.m], None, f64::INFINITY, 10_000, deadline);
            if let Some(o) = opt {
                prop_assert!(o <= bound + 1e-6, "optimum {} above the bound {}", o, bound);
            }
            if let Some(a) = best {
                let v = feasible_profit(&c, &a);
                prop_assert!(v.is_some());
                prop_assert!(opt.is_some_and(|o| v.unwrap_or(f64::INFINITY) <= o + 1e-9));
            }
        }

        /// Rounding returns only feasible assignments; with every item undecided it is
        /// branch and bound on the whole problem and finds the optimum.
        #[test]
        fn rounding_is_feasible_and_exact_when_all_undecided(p in small()) {
            let c = Core::new(&p);
            let lambda = vec![0.0; c.m];
            let opt = brute(&c);
            let deadline = Instant::now() + Duration::from_secs(10);
            if let Some(a) = round_and_solve(&c, &lambda, 2, 10_000, deadline, None) {
                prop_assert!(feasible_profit(&c, &a).is_some());
            }
            let all = round_and_solve(&c, &lambda, c.n, 1_000_000, deadline, None);
            match (opt, all) {
                (Some(v), Some(a)) => {
                    let got = feasible_profit(&c, &a);
                    prop_assert_eq!(got, Some(v));
                }
                (None, Some(_)) => prop_assert!(false, "a solution to an infeasible problem"),
                (Some(v), None) => prop_assert!(false, "missed the optimum {}", v),
                (None, None) => {}
            }
        }
    }
}
