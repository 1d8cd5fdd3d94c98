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
/// regret while they fit, and solve the others exactly (node-limited). Returns a feasible
/// assignment, or None when the sub-problem has no solution within the limits.
pub(crate) fn round_and_solve(
    c: &Core,
    lambda: &[f64],
    free: usize,
    node_limit: u64,
    deadline: Instant,
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
            best.push((
                b1 - b2.max(if c.optional { 0.0 } else { f64::NEG_INFINITY }),
                arg,
            ));
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
    let found = if kpbnb::applicable(&sc) {
        let mut bb = KpBnb::new(&sc, &lam, None, node_limit, deadline);
        bb.run();
        bb.best_asg.take()
    } else {
        let mut bb = Bnb::new(&sc, &lam, None, node_limit, deadline);
        bb.run();
        bb.best_asg.take()
    }?;
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
