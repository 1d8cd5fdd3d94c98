//! Place-by-place knapsack re-optimisation ("refill") of optional problems.
//!
//! Prices settle which households a place should take, except at its margin: rounding
//! them leaves each place a little room it cannot use, or filled with a household that
//! fits rather than one that is worth most. Filling a place exactly is a 0/1 knapsack, and
//! a knapsack over a few hundred candidates and a few hundred persons is solved exactly by
//! dynamic programming in well under a millisecond. So, place after place, the items at
//! the place, the best unplaced candidates at its prices and the items elsewhere that are
//! worth more here are pooled, and the place takes the best subset of the pool that fits.
//! Items it lets go are unplaced and become candidates of the places that come next; a
//! pass over all places repeats while it gains.
//!
//! The dynamic programme is over one resource (the one with the largest capacity, with
//! integral needs); the others are priced into the values and checked, the price raised
//! when the chosen subset breaks them. A place only changes when its new subset fits and
//! is worth more, so the objective never falls.

use std::time::Instant;

use crate::core::{Core, NONE};

/// Unplaced candidates pooled per place, best reduced profit first.
const CANDIDATES: usize = 160;
/// Items placed elsewhere pooled per place, largest gain first.
const MOVERS: usize = 24;
/// The knapsack table may hold at most this many cells (pool × capacity).
const MAX_CELLS: usize = 4_000_000;

/// One pooled candidate of a place.
#[derive(Clone, Copy)]
struct Cand {
    j: u32,
    o: u32,
    /// The change in profit of taking it here (its profit, less what it earns where it
    /// is; for the items at the place, their profit).
    gain: f64,
    w: usize,
}

/// Improve `asg` (options, NONE = unplaced) place by place until a pass gains nothing or
/// the deadline. Returns the total gain.
pub(crate) fn refill(c: &Core, lambda: &[f64], asg: &mut [u32], deadline: Instant) -> f64 {
    if !c.optional || c.n == 0 {
        return 0.0;
    }
    let k = c.k;
    // options of each place
    let mut by_place: Vec<Vec<u32>> = vec![Vec::new(); c.m];
    for j in 0..c.n {
        for o in c.p.options(j) {
            if c.alive[o] && c.profit(o) > 0.0 {
                by_place[c.place(o)].push(o as u32);
            }
        }
    }
    let mut total = 0.0;
    let mut pool: Vec<Cand> = Vec::new();
    let mut keyed: Vec<(f64, Cand)> = Vec::new();
    let mut movers: Vec<(f64, Cand)> = Vec::new();
    loop {
        let mut gained = 0.0;
        for i in 0..c.m {
            if Instant::now() >= deadline {
                return total + gained;
            }
            let cap = &c.cap[i * k..(i + 1) * k];
            // the resource of the table: the largest capacity
            let prim = (0..k)
                .max_by(|&a, &b| cap[a].total_cmp(&cap[b]))
                .unwrap_or(0);
            let wmax = cap[prim].floor();
            if !(0.0..=1e6).contains(&wmax) {
                continue;
            }
            let wmax = wmax as usize;
            let int_w = |j: usize, o: usize| {
                let w = c.need(j, o)[prim];
                (w >= 0.0 && w.fract() == 0.0).then_some(w as usize)
            };
            pool.clear();
            keyed.clear();
            movers.clear();
            let mut ok = true;
            let l = &lambda[i * k..(i + 1) * k];
            for &o in &by_place[i] {
                let o = o as usize;
                let j = c.p.item_of(o);
                let cur = asg[j];
                let Some(w) = int_w(j, o) else {
                    if cur == o as u32 {
                        ok = false;
                        break;
                    }
                    continue;
                };
                if w > wmax {
                    continue;
                }
                if cur == o as u32 {
                    pool.push(Cand {
                        j: j as u32,
                        o: o as u32,
                        gain: c.profit(o),
                        w,
                    });
                } else if cur == NONE {
                    let reduced = c.reduced(lambda, j, o);
                    keyed.push((
                        reduced,
                        Cand {
                            j: j as u32,
                            o: o as u32,
                            gain: c.profit(o),
                            w,
                        },
                    ));
                } else {
                    // what it earns here, less what it earns there (the room it leaves
                    // there is refilled on that place's turn)
                    let gain = c.profit(o) - c.profit(cur as usize);
                    if gain > 0.0 {
                        movers.push((
                            gain,
                            Cand {
                                j: j as u32,
                                o: o as u32,
                                gain,
                                w,
                            },
                        ));
                    }
                }
            }
            if !ok {
                continue;
            }
            for (list, n) in [(&mut keyed, CANDIDATES), (&mut movers, MOVERS)] {
                if list.len() > n {
                    list.select_nth_unstable_by(n - 1, |a, b| b.0.total_cmp(&a.0));
                    list.truncate(n);
                }
                pool.extend(list.iter().map(|x| x.1));
            }
            let here: usize = pool.iter().filter(|x| asg[x.j as usize] == x.o).count();
            if pool.len() == here || pool.len() * (wmax + 1) > MAX_CELLS {
                continue;
            }
            let current: f64 = pool[..here].iter().map(|x| x.gain).sum();
            if let Some((take, value)) = best_subset(c, &pool, wmax, prim, cap, l, current) {
                // apply: let go of the items not taken, move in the others
                for (x, &t) in pool.iter().zip(&take) {
                    let j = x.j as usize;
                    let was_here = asg[j] == x.o;
                    if t == was_here {
                        continue;
                    }
                    asg[j] = if t { x.o } else { NONE };
                }
                gained += value - current;
            }
        }
        total += gained;
        if gained <= 1e-9 * total.abs().max(1.0) {
            return total;
        }
    }
}

/// The subset of `pool` of largest gain that fits `cap`, with its gain, if it is worth
/// more than `current` (the gain of the items now at the place, which come first in the
/// pool).
/// Exact in the table's resource; the others are priced at `l` (raised while the chosen
/// subset breaks them) and checked.
fn best_subset(
    c: &Core,
    pool: &[Cand],
    wmax: usize,
    prim: usize,
    cap: &[f64],
    l: &[f64],
    current: f64,
) -> Option<(Vec<bool>, f64)> {
    let k = c.k;
    let others = (0..k).any(|r| {
        r != prim
            && pool
                .iter()
                .any(|x| c.need(x.j as usize, x.o as usize)[r] > 0.0)
    });
    let mut mu: Vec<f64> = vec![0.0; k];
    let scale = pool
        .iter()
        .map(|x| x.gain.abs())
        .fold(0.0, f64::max)
        .max(1.0);
    let width = wmax + 1;
    let mut value = vec![0.0f64; width];
    let mut chose = vec![false; pool.len() * width];
    for attempt in 0..8 {
        value.iter_mut().for_each(|v| *v = 0.0);
        for (t, x) in pool.iter().enumerate() {
            let need = c.need(x.j as usize, x.o as usize);
            let u = x.gain
                - (0..k)
                    .filter(|&r| r != prim)
                    .map(|r| mu[r] * need[r])
                    .sum::<f64>();
            let row = &mut chose[t * width..(t + 1) * width];
            row.iter_mut().for_each(|b| *b = false);
            if u <= 0.0 {
                continue;
            }
            for w in (x.w..width).rev() {
                let v = value[w - x.w] + u;
                if v > value[w] {
                    value[w] = v;
                    row[w] = true;
                }
            }
        }
        // walk back from the best cell
        let mut w = (0..width)
            .max_by(|&a, &b| value[a].total_cmp(&value[b]))
            .unwrap_or(0);
        let mut take = vec![false; pool.len()];
        for t in (0..pool.len()).rev() {
            if chose[t * width + w] {
                take[t] = true;
                w -= pool[t].w;
            }
        }
        let mut used = vec![0.0; k];
        let mut gain = 0.0;
        for (x, _) in pool.iter().zip(&take).filter(|(_, t)| **t) {
            gain += x.gain;
            for (r, a) in c.need(x.j as usize, x.o as usize).iter().enumerate() {
                used[r] += a;
            }
        }
        let mut fits = true;
        for r in 0..k {
            if used[r] > cap[r] + 1e-9 {
                fits = false;
                // price the broken resource higher
                mu[r] = (mu[r] * 2.0)
                    .max(l[r])
                    .max(scale * 1e-3 * (attempt + 1) as f64);
            }
        }
        if fits {
            return (gain > current + 1e-9 * current.abs().max(1.0)).then_some((take, gain));
        }
        if !others {
            return None;
        }
    }
    None
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::core::feasible_profit;
    use crate::cycles::tests::{build, instance, start};
    use proptest::prelude::*;
    use std::time::Duration;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        /// Refilling keeps every capacity, never loses value and gains what it reports.
        #[test]
        fn refill_keeps_capacities_and_never_loses((caps, items, seed) in instance()) {
            let p = build(&caps, &items);
            let c = Core::new(&p);
            let mut asg = start(&c, seed);
            let before = feasible_profit(&c, &asg).expect("the start fits");
            let lambda = vec![(seed % 7) as f64; c.m * c.k];
            let g = refill(&c, &lambda, &mut asg, Instant::now() + Duration::from_secs(5));
            let after = feasible_profit(&c, &asg);
            prop_assert!(after.is_some(), "capacity broken");
            prop_assert!(g >= 0.0);
            prop_assert!((after.unwrap() - before - g).abs() < 1e-6, "{before} + {g} != {after:?}");
        }
    }

    /// A place with room for three persons holding a household of two worth 5 takes
    /// the unplaced household of three worth 9 instead.
    #[test]
    fn refill_fills_a_place_exactly() {
        let p = build(
            &[(3, 0)],
            &[((2, false), vec![Some(5)]), ((3, false), vec![Some(9)])],
        );
        let c = Core::new(&p);
        let mut asg = vec![p.find_option(0, 0).unwrap() as u32, NONE];
        let g = refill(
            &c,
            &[0.0, 0.0],
            &mut asg,
            Instant::now() + Duration::from_secs(5),
        );
        assert_eq!(g, 4.0);
        assert_eq!(asg, vec![NONE, p.find_option(1, 0).unwrap() as u32]);
    }
}
