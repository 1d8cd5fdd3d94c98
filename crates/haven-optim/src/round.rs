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
use crate::core::{Core, NONE, feasible_profit, subgradient};
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
    let k = c.k;
    let mut best: Vec<(f64, u32)> = Vec::with_capacity(c.n);
    for j in 0..c.n {
        let (mut b1, mut b2, mut arg) = (f64::NEG_INFINITY, f64::NEG_INFINITY, NONE);
        for o in c.p.options(j) {
            if !c.alive[o] {
                continue;
            }
            let r = c.reduced(lambda, j, o);
            if r > b1 {
                (b2, b1, arg) = (b1, r, o as u32);
            } else if r > b2 {
                b2 = r;
            }
        }
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
        let fits = o != NONE && rank + free < c.n && {
            let i = c.place(o as usize);
            c.need(j, o as usize)
                .iter()
                .zip(&rem[i * k..(i + 1) * k])
                .all(|(a, r)| *a <= *r + 1e-9)
        };
        if fits {
            let i = c.place(o as usize);
            for (r, a) in rem[i * k..(i + 1) * k]
                .iter_mut()
                .zip(c.need(j, o as usize))
            {
                *r -= a;
            }
            asg[j] = o;
        } else {
            undecided.push(j);
        }
    }
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
            let i = c.place(o);
            let fits = c
                .need(j, o)
                .iter()
                .zip(&rem[i * k..(i + 1) * k])
                .all(|(a, r)| *a <= *r + 1e-9);
            if c.alive[o] && fits {
                b.option_with_need(i, c.p.opt_value[o], c.need(j, o)).ok()?;
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
    // a first completion: the undecided items by decreasing regret, each to its best
    // option that still fits
    let mut first = vec![NONE; sc.n];
    let mut room = sc.cap.clone();
    let mut by_regret: Vec<usize> = (0..sc.n).collect();
    by_regret.sort_unstable_by(|&a, &b| {
        best[undecided[b]]
            .0
            .total_cmp(&best[undecided[a]].0)
            .then(a.cmp(&b))
    });
    for &x in &by_regret {
        let mut pick = (f64::NEG_INFINITY, NONE);
        for o in sub.options(x) {
            let i = sub.option_place(o);
            let fits = sc
                .need(x, o)
                .iter()
                .zip(&room[i * k..(i + 1) * k])
                .all(|(a, r)| *a <= *r + 1e-9);
            if sc.alive[o] && fits {
                let r = sc.reduced(&lam, x, o);
                if r > pick.0 {
                    pick = (r, o as u32);
                }
            }
        }
        if pick.1 != NONE {
            let o = pick.1 as usize;
            let i = sub.option_place(o);
            for (r, a) in room[i * k..(i + 1) * k].iter_mut().zip(sc.need(x, o)) {
                *r -= a;
            }
            first[x] = pick.1;
        }
    }
    // the search on its own (a first completion as incumbent cuts it short on these
    // instances: measured worse), the completion when the search finds nothing
    let found = if kpbnb::applicable(&sc) {
        let mut bb = KpBnb::new(&sc, &lam, None, node_limit, deadline);
        bb.run();
        bb.best_asg.take()
    } else {
        let mut bb = Bnb::new(&sc, &lam, None, node_limit, deadline);
        bb.run();
        bb.best_asg.take()
    }
    .or_else(|| feasible_profit(&sc, &first).map(|_| first))?;
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

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::model::{Mode, Problem, Sense};
    use proptest::prelude::*;
    use std::time::Duration;

    fn brute(c: &Core) -> Option<f64> {
        fn go(c: &Core, j: usize, asg: &mut Vec<u32>, best: &mut Option<f64>) {
            if j == c.n {
                if let Some(v) = feasible_profit(c, asg) {
                    *best = Some(best.map_or(v, |b: f64| b.max(v)));
                }
                return;
            }
            for o in c.p.options(j) {
                asg.push(o as u32);
                go(c, j + 1, asg, best);
                asg.pop();
            }
        }
        let mut best = None;
        go(c, 0, &mut Vec::new(), &mut best);
        best
    }

    fn build(caps: &[u8], items: &[Vec<Option<(u8, u8)>>]) -> Problem {
        let mut b = ProblemBuilder::new(vec!["r".into()], Sense::Minimize, Mode::AssignAll);
        for (i, cap) in caps.iter().enumerate() {
            b.place(format!("p{i}"), &[*cap as f64]).unwrap();
        }
        for (j, it) in items.iter().enumerate() {
            b.item(format!("i{j}"), &[1.0]).unwrap();
            for (i, o) in it.iter().enumerate() {
                if let Some((cost, need)) = o {
                    b.option_with_need(i, *cost as f64, &[*need as f64])
                        .unwrap();
                }
            }
        }
        b.build().unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        /// Rounding returns only feasible assignments; with every item undecided it is
        /// branch and bound on the whole problem and finds the optimum.
        #[test]
        fn rounding_is_feasible_and_exact_when_all_undecided(
            caps in proptest::collection::vec(1u8..15, 1..=3),
            items in proptest::collection::vec(
                proptest::collection::vec(proptest::option::weighted(0.8, (1u8..30, 1u8..7)), 3),
                1..=7,
            ),
        ) {
            let items: Vec<Vec<Option<(u8, u8)>>> =
                items.into_iter().map(|v| v[..caps.len()].to_vec()).collect();
            let p = build(&caps, &items);
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
