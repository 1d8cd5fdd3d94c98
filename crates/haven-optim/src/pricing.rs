//! Exact coordinate descent on the Lagrangian dual of the capacities ("pricing"), for
//! large optional problems, and the placement those prices suggest.
//!
//! On resettlement-scale problems (100,000 households × 500 places, 15 M eligible pairs)
//! the subgradient method is too slow to converge: each step is a pass over every option
//! and it takes thousands of steps. Minimising `L(λ)` along one multiplier `λ[i,k]` at a
//! time is exact and cheap instead: with the others fixed, `L` is convex and piecewise
//! linear in `λ[i,k]`, with one breakpoint per item eligible at `i` (the price at which `i`
//! stops being that item's best choice), and its minimum is the price at which the demand
//! for resource `k` at `i` falls to the capacity — a weighted quantile of the breakpoints.
//! Each item keeps its best and second-best reduced profit, so a step touches only the
//! options of place `i`. It works like a market (or the auction algorithm): over-demanded
//! places raise their price, under-demanded ones lower them.
//!
//! The descent runs on a *core* — each item's few most promising options at the current
//! prices, a twentieth of the whole on resettlement instances — and the core is chosen
//! again, with the exact `L(λ)` over every option, between rounds (sifting, as column
//! generation does). Every λ visited is a valid bound; only exact evaluations are
//! reported.

use rayon::prelude::*;
use std::time::Instant;

use crate::core::{Core, NONE};

/// Options per item kept in the core (at first; see [`MAX_CORE_K`]).
const CORE_K: usize = 2;
/// A round whose exact bound does not fall goes back to the best prices with twice the
/// options per item, up to this many: the core's descent can be misled by the options
/// it leaves out (an item whose two best places both rise would move to a third).
const MAX_CORE_K: usize = 8;

/// The core: each item's most promising options, as a compressed list.
struct CoreSet {
    start: Vec<usize>,
    opts: Vec<u32>,
}

/// Options per place and resource added to the core beyond the items' own best: the
/// ones that would come in first were the price to fall.
const CORE_R: usize = 256;

/// The core under λ, the exact `L(λ)`, and the floor of each price: the price below which
/// options outside the core would start to be chosen (the descent stays above it).
///
/// The core holds each item's `CORE_K` best options by reduced profit and, for each place
/// and resource, the `CORE_R` options outside those that the item would take first were
/// that price to fall (smallest loss per unit of the resource against the item's best).
fn select_core(c: &Core, lambda: &[f64], kk: usize) -> (CoreSet, f64, Vec<f64>) {
    let (m, k) = (c.m, c.k);
    type Top = (f64, usize, [u32; MAX_CORE_K]);
    // one pass, in chunks of items: each item's best options, then (its options still
    // in cache) the candidates it offers to each place's list
    let chunk = c.n.div_ceil(4).max(1);
    let parts: Vec<(Vec<Top>, Cands)> = (0..c.n.div_ceil(chunk))
        .into_par_iter()
        .map(|part| {
            let mut cand = Cands::new(m * k);
            let mut tops = Vec::with_capacity(chunk);
            // the item's reduced profits, computed once for both passes
            let mut red: Vec<f64> = Vec::new();
            for j in part * chunk..((part + 1) * chunk).min(c.n) {
                let mut top = [(f64::NEG_INFINITY, NONE); MAX_CORE_K];
                let mut len = 0;
                red.clear();
                for o in c.p.options(j) {
                    let r = if c.alive[o] {
                        c.reduced(lambda, j, o)
                    } else {
                        f64::NEG_INFINITY
                    };
                    red.push(r);
                    if !c.alive[o] {
                        continue;
                    }
                    if len < kk {
                        top[len] = (r, o as u32);
                        len += 1;
                        top[..len].sort_unstable_by(|a, b| b.0.total_cmp(&a.0));
                    } else if r > top[kk - 1].0 {
                        let mut x = kk - 1;
                        while x > 0 && top[x - 1].0 < r {
                            top[x] = top[x - 1];
                            x -= 1;
                        }
                        top[x] = (r, o as u32);
                    }
                }
                let mut ids = [NONE; MAX_CORE_K];
                for (d, s) in ids.iter_mut().zip(&top[..len]) {
                    *d = s.1;
                }
                tops.push((top[0].0, len, ids));
                if len < kk {
                    continue; // every option of the item is in the core
                }
                let (b1, kth) = (top[0].0.max(0.0), top[kk - 1].0);
                for (o, &r) in c.p.options(j).zip(&red) {
                    if !c.alive[o] {
                        continue;
                    }
                    if r >= kth {
                        continue;
                    }
                    let i = c.place(o);
                    for (q, a) in c.need(j, o).iter().enumerate() {
                        if *a > 0.0 {
                            cand.offer(i * k + q, (b1 - r) / a, o as u32);
                        }
                    }
                }
            }
            (tops, cand)
        })
        .collect();
    let mut lists: Vec<Vec<(f64, u32)>> = vec![Vec::new(); m * k];
    let mut per_item: Vec<Top> = Vec::with_capacity(c.n);
    for (tops, part) in parts {
        per_item.extend(tops);
        for (l, mut v) in lists.iter_mut().zip(part.lists) {
            l.append(&mut v);
        }
    }
    lists.par_iter_mut().for_each(|v| {
        if v.len() > CORE_R + 1 {
            v.select_nth_unstable_by(CORE_R, |a, b| a.0.total_cmp(&b.0));
            v.truncate(CORE_R + 1);
        }
    });
    let mut floor = vec![0.0; m * k];
    let mut extra: Vec<Vec<u32>> = vec![Vec::new(); c.n];
    for (x, mut v) in lists.into_iter().enumerate() {
        if v.len() > CORE_R {
            v.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
            // the first option left out comes in when the price falls by its loss per unit
            floor[x] = (lambda[x] - v[CORE_R].0).max(0.0);
            v.truncate(CORE_R);
        }
        for (_, o) in v {
            let j = c.p.item_of(o as usize);
            extra[j].push(o);
        }
    }
    let mut start = Vec::with_capacity(c.n + 1);
    let mut opts = Vec::new();
    start.push(0);
    let mut items = 0.0;
    for (j, (b, len, ids)) in per_item.iter().enumerate() {
        items += b.max(0.0);
        let mut ids = ids[..*len].to_vec();
        ids.append(&mut extra[j]);
        ids.sort_unstable();
        ids.dedup();
        opts.extend_from_slice(&ids);
        start.push(opts.len());
    }
    let l = items + c.priced_capacity(lambda);
    (CoreSet { start, opts }, l, floor)
}

/// The `CORE_R + 1` smallest keys offered per list.
struct Cands {
    lists: Vec<Vec<(f64, u32)>>,
    thr: Vec<f64>,
}

impl Cands {
    fn new(n: usize) -> Self {
        Cands {
            lists: vec![Vec::new(); n],
            thr: vec![f64::INFINITY; n],
        }
    }
    #[inline]
    fn offer(&mut self, x: usize, key: f64, o: u32) {
        if key >= self.thr[x] {
            return;
        }
        let v = &mut self.lists[x];
        v.push((key, o));
        if v.len() >= 4 * (CORE_R + 1) {
            v.select_nth_unstable_by(CORE_R, |a, b| a.0.total_cmp(&b.0));
            v.truncate(CORE_R + 1);
            self.thr[x] = v.iter().map(|e| e.0).fold(f64::NEG_INFINITY, f64::max);
        }
    }
}

/// An item's three best reduced profits over its core, with their places: one cache line
/// per item, as every step reads it at random. The third spares most recomputations when
/// the best or second falls; when it is not known (`p3 == STALE`), `b3` is a lower bound.
#[derive(Clone, Copy)]
struct Best {
    b1: f64,
    b2: f64,
    b3: f64,
    p1: u32,
    p2: u32,
    p3: u32,
}

/// `Best::p3` when the third best is not known.
const STALE: u32 = NONE - 1;

impl Best {
    const EMPTY: Best = Best {
        b1: f64::NEG_INFINITY,
        b2: f64::NEG_INFINITY,
        b3: f64::NEG_INFINITY,
        p1: NONE,
        p2: NONE,
        p3: NONE,
    };

    /// Take reduced profit `r` at place `i` (not among the three) into the three best.
    /// An unknown third stays unknown unless a better one pushes a known one down.
    fn offer(&mut self, r: f64, i: u32) {
        if r > self.b1 {
            (self.b3, self.p3) = (self.b2, self.p2);
            (self.b2, self.p2) = (self.b1, self.p1);
            (self.b1, self.p1) = (r, i);
        } else if r > self.b2 {
            (self.b3, self.p3) = (self.b2, self.p2);
            (self.b2, self.p2) = (r, i);
        } else if r > self.b3 {
            self.b3 = r;
            if self.p3 != STALE {
                self.p3 = i;
            }
        }
    }
}

/// Coordinate descent on the dual restricted to a core.
struct Descent<'a, 'p> {
    c: &'a Core<'p>,
    core: CoreSet,
    /// The core's options of each place: entries `pstart[i]..pstart[i + 1]`, with their
    /// option, item and profit.
    pstart: Vec<usize>,
    e_item: Vec<u32>,
    e_profit: Vec<f64>,
    /// The core item by item (place, profit, need), for recomputing an item's best
    /// without touching the problem's large arrays.
    ic_place: Vec<u32>,
    ic_profit: Vec<f64>,
    ic_need: Vec<f64>,
    /// The need of each entry (k per entry): kept beside the entry, not looked up per item.
    e_need: Vec<f64>,
    /// For each place and resource other than the first, the entries that need it.
    sub: Vec<Vec<u32>>,
    lambda: Vec<f64>,
    /// Prices below which options outside the core would be chosen.
    floor: Vec<f64>,
    /// Best and second-best reduced profit of each item over its core, with their places.
    st: Vec<Best>,
    buf: Vec<(f64, f64)>,
    rbuf: Vec<f64>,
    obuf: Vec<f64>,
}

impl<'a, 'p> Descent<'a, 'p> {
    fn new(c: &'a Core<'p>, core: CoreSet, lambda: Vec<f64>, floor: Vec<f64>) -> Self {
        let (m, k) = (c.m, c.k);
        let mut count = vec![0usize; m + 1];
        for &o in &core.opts {
            count[c.place(o as usize) + 1] += 1;
        }
        for i in 0..m {
            count[i + 1] += count[i];
        }
        let pstart = count.clone();
        let total = pstart[m];
        let mut e_item = vec![0u32; total];
        let mut e_profit = vec![0f64; total];
        let mut e_need = vec![0f64; total * k];
        let mut sub: Vec<Vec<u32>> = vec![Vec::new(); m * k];
        let mut ic_place = Vec::with_capacity(core.opts.len());
        let mut ic_profit = Vec::with_capacity(core.opts.len());
        let mut ic_need = Vec::with_capacity(core.opts.len() * k);
        let mut fill = count;
        for j in 0..c.n {
            for &o in &core.opts[core.start[j]..core.start[j + 1]] {
                let (i, profit, need) = (
                    c.place(o as usize),
                    c.profit(o as usize),
                    c.need(j, o as usize),
                );
                ic_place.push(i as u32);
                ic_profit.push(profit);
                ic_need.extend_from_slice(need);
                let e = fill[i];
                e_item[e] = j as u32;
                e_profit[e] = profit;
                e_need[e * k..(e + 1) * k].copy_from_slice(need);
                for (q, a) in need.iter().enumerate().skip(1) {
                    if *a > 0.0 {
                        sub[i * k + q].push(e as u32);
                    }
                }
                fill[i] += 1;
            }
        }
        let mut s = Descent {
            c,
            core,
            pstart,
            e_item,
            e_profit,
            ic_place,
            ic_profit,
            ic_need,
            e_need,
            sub,
            lambda,
            floor,
            st: vec![Best::EMPTY; c.n],
            buf: Vec::new(),
            rbuf: Vec::new(),
            obuf: Vec::new(),
        };
        for j in 0..c.n {
            s.recompute(j);
        }
        s
    }

    /// Reduced profit of core option x (item by item numbering) under `lambda`.
    #[inline]
    fn core_reduced(&self, lambda: &[f64], x: usize) -> f64 {
        let (k, i) = (self.c.k, self.ic_place[x] as usize);
        let mut r = self.ic_profit[x];
        for (a, y) in self.ic_need[x * k..(x + 1) * k]
            .iter()
            .zip(&lambda[i * k..(i + 1) * k])
        {
            r -= a * y;
        }
        r
    }

    fn recompute(&mut self, j: usize) {
        let mut best = Best::EMPTY;
        for x in self.core.start[j]..self.core.start[j + 1] {
            best.offer(self.core_reduced(&self.lambda, x), self.ic_place[x]);
        }
        self.st[j] = best;
    }

    /// The item's reduced profit at place `i` changed from `old` to `new`.
    fn update(&mut self, j: usize, i: u32, old: f64, new: f64) {
        let s = &mut self.st[j];
        let known = s.p3 != STALE;
        if s.p1 == i {
            if new >= s.b2 {
                s.b1 = new;
            } else if known {
                // the second becomes the best; the third or `i` the second
                (s.b1, s.p1) = (s.b2, s.p2);
                if new >= s.b3 {
                    (s.b2, s.p2) = (new, i);
                } else {
                    (s.b2, s.p2) = (s.b3, s.p3);
                    (s.b3, s.p3) = (new, STALE);
                }
            } else {
                self.recompute(j);
            }
        } else if s.p2 == i {
            if new > s.b1 {
                (s.b2, s.p2) = (s.b1, s.p1);
                (s.b1, s.p1) = (new, i);
            } else if new >= old || (known && new >= s.b3) {
                s.b2 = new;
            } else if known {
                (s.b2, s.p2) = (s.b3, s.p3);
                (s.b3, s.p3) = (new, STALE);
            } else {
                self.recompute(j);
            }
        } else if s.p3 == i {
            if new >= old {
                // out of third place, then in wherever it now ranks
                (s.b3, s.p3) = (f64::NEG_INFINITY, NONE);
                s.offer(new, i);
            } else {
                // a fourth may now come before it
                (s.b3, s.p3) = (new, STALE);
            }
        } else {
            s.offer(new, i);
        }
    }

    /// L over the core, from the maintained best reduced profits.
    fn value(&self) -> f64 {
        let items: f64 = self.st.iter().map(|b| b.b1.max(0.0)).sum();
        items + self.c.priced_capacity(&self.lambda)
    }

    /// Minimise L exactly along λ[i,q].
    fn step(&mut self, i: usize, q: usize) {
        let c = self.c;
        let k = c.k;
        let x = i * k + q;
        let lq = self.lambda[x];
        let iu = i as u32;
        let entries: Vec<u32> = if q == 0 {
            Vec::new()
        } else {
            std::mem::take(&mut self.sub[x])
        };
        let base = self.pstart[i];
        let count = if q == 0 {
            self.pstart[i + 1] - base
        } else {
            entries.len()
        };
        let entry = |n: usize| {
            if q == 0 {
                base + n
            } else {
                entries[n] as usize
            }
        };
        let mut buf = std::mem::take(&mut self.buf);
        let mut rbuf = std::mem::take(&mut self.rbuf);
        buf.clear();
        rbuf.clear();
        // each entry's item's best elsewhere, gathered first: a tight loop of independent
        // reads at random, which the processor overlaps far better than the loop below
        let mut obuf = std::mem::take(&mut self.obuf);
        obuf.clear();
        obuf.extend((0..count).map(|n| {
            let s = &self.st[self.e_item[entry(n)] as usize];
            if s.p1 == iu { s.b2 } else { s.b1 }
        }));
        // demand for the resource at the current price, and below it
        let (mut above, mut total) = (0.0, 0.0);
        for (n, &other) in obuf.iter().enumerate() {
            let e = entry(n);
            let need = &self.e_need[e * k..(e + 1) * k];
            let mut r = self.e_profit[e];
            for (a, l) in need.iter().zip(&self.lambda[i * k..(i + 1) * k]) {
                r -= a * l;
            }
            rbuf.push(r);
            let a = need[q];
            if a <= 0.0 {
                continue;
            }
            let t = (r + lq * a - other.max(0.0)) / a;
            if t > 0.0 {
                buf.push((t, a));
                total += a;
                if t > lq {
                    above += a;
                }
            }
        }
        let cap = c.cap[x];
        let new = if total <= cap + 1e-9 {
            0.0
        } else if above > cap + 1e-9 {
            // the price rises: only the breakpoints above it matter
            buf.retain(|b| b.0 > lq);
            crossing(&mut buf, cap)
        } else {
            // the price falls: the highest breakpoints at or below it fill the room left
            buf.retain(|b| b.0 <= lq);
            crossing(&mut buf, cap - above)
        };
        let new = new.max(self.floor[x]);
        if (new - lq).abs() > 1e-12 * lq.abs().max(1.0) {
            self.lambda[x] = new;
            for n in 0..count {
                let e = entry(n);
                let a = self.e_need[e * k + q];
                if a <= 0.0 {
                    continue;
                }
                let old = rbuf[n];
                self.update(self.e_item[e] as usize, iu, old, old - (new - lq) * a);
            }
        }
        self.buf = buf;
        self.rbuf = rbuf;
        self.obuf = obuf;
        if q > 0 {
            self.sub[x] = entries;
        }
    }

    /// Minimise L exactly along the direction that moves the price of resource `q` at every
    /// place with capacity for it by the same amount: the slow, collective mode that single
    /// steps take many sweeps to travel. With needs given per item, every usable option of
    /// an item shifts by the same amount, so only the items' best values move.
    fn global_step(&mut self, q: usize) {
        let c = self.c;
        let k = c.k;
        if c.p.opt_need.is_some() {
            return;
        }
        let mut tmin = f64::INFINITY;
        let mut total = 0.0;
        for i in 0..c.m {
            if c.cap[i * k + q] > 0.0 {
                tmin = tmin.min(-self.lambda[i * k + q]);
                total += c.cap[i * k + q];
            }
        }
        if !tmin.is_finite() {
            return;
        }
        for i in 0..c.m {
            if c.cap[i * k + q] > 0.0 {
                tmin = tmin.max(self.floor[i * k + q] - self.lambda[i * k + q]);
            }
        }
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        let mut demand = 0.0;
        for j in 0..c.n {
            let a = c.p.item_need[j * k + q];
            if a > 0.0 && self.st[j].p1 != NONE {
                let s = self.st[j].b1 / a;
                if s > tmin {
                    buf.push((s, a));
                    demand += a;
                }
            }
        }
        let t = if demand > total + 1e-9 {
            crossing(&mut buf, total).max(tmin)
        } else {
            tmin
        };
        self.buf = buf;
        if t.abs() <= 1e-12 {
            return;
        }
        for i in 0..c.m {
            if c.cap[i * k + q] > 0.0 {
                self.lambda[i * k + q] = (self.lambda[i * k + q] + t).max(0.0);
            }
        }
        for j in 0..c.n {
            let a = c.p.item_need[j * k + q];
            if a > 0.0 {
                self.st[j].b1 -= t * a;
                self.st[j].b2 -= t * a;
                self.st[j].b3 -= t * a;
            }
        }
    }

    /// L over the core at other prices (a pass over the core, item by item).
    fn value_at(&self, lambda: &[f64]) -> f64 {
        let items: f64 = (0..self.c.n)
            .into_par_iter()
            .with_min_len(4096)
            .map(|j| {
                (self.core.start[j]..self.core.start[j + 1])
                    .map(|x| self.core_reduced(lambda, x))
                    .fold(0.0f64, f64::max)
            })
            .sum();
        items + self.c.priced_capacity(lambda)
    }

    /// Follow the last sweep's move further while that lowers L: the prices drift
    /// together for many sweeps, and a few trial points along the drift cost far less.
    fn extrapolate(&mut self, before: &[f64]) {
        let current = self.value();
        let delta: Vec<f64> = self.lambda.iter().zip(before).map(|(a, b)| a - b).collect();
        let (mut best_v, mut best) = (current, None);
        let mut t = 1.0;
        while t <= 64.0 {
            let trial: Vec<f64> = (0..delta.len())
                .map(|x| (self.lambda[x] + t * delta[x]).max(self.floor[x]).max(0.0))
                .collect();
            let v = self.value_at(&trial);
            if v >= best_v {
                break;
            }
            (best_v, best) = (v, Some(trial));
            t *= 2.0;
        }
        if let Some(l) = best {
            self.lambda = l;
            for j in 0..self.c.n {
                self.recompute(j);
            }
        }
    }

    /// One sweep: the collective moves, then every multiplier in turn.
    fn sweep(&mut self) {
        for q in 0..self.c.k {
            self.global_step(q);
        }
        for i in 0..self.c.m {
            for q in 0..self.c.k {
                self.step(i, q);
            }
        }
    }
}

/// The largest breakpoint `t` such that the weights of the breakpoints at or above it
/// exceed `room`; 0 when they never do. Partially sorts `buf` (largest first).
fn crossing(buf: &mut [(f64, f64)], room: f64) -> f64 {
    let desc = |a: &(f64, f64), b: &(f64, f64)| b.0.total_cmp(&a.0);
    let mut r = 64.min(buf.len());
    loop {
        if r < buf.len() {
            buf.select_nth_unstable_by(r - 1, desc);
        }
        buf[..r].sort_unstable_by(desc);
        let mut cum = 0.0;
        for &(t, a) in &buf[..r] {
            cum += a;
            if cum > room + 1e-9 {
                return t.max(0.0);
            }
        }
        if r == buf.len() {
            return 0.0;
        }
        r = (r * 4).min(buf.len());
    }
}

/// The outcome of [`price`].
pub(crate) struct Prices {
    /// The multipliers of the best exact evaluation.
    pub lambda: Vec<f64>,
    /// Their exact `L`: an upper bound on the best profit.
    pub bound: f64,
    /// Sweeps of coordinate descent, over all rounds.
    pub sweeps: usize,
    /// Exact evaluations (core selections).
    pub rounds: usize,
}

/// Minimise the Lagrangian dual by coordinate descent on a core chosen again each round,
/// from `lambda0`, until the deadline, until the bound meets `lb` (the best known profit),
/// or until a round no longer improves the exact bound.
pub(crate) fn price(c: &Core, lambda0: &[f64], lb: f64, deadline: Instant) -> Prices {
    const TOL: f64 = 1e-6;
    let dbg = std::env::var_os("HAVEN_DEBUG").is_some();
    let mut lambda = lambda0.to_vec();
    let mut best = Prices {
        lambda: lambda.clone(),
        bound: f64::INFINITY,
        sweeps: 0,
        rounds: 0,
    };
    let mut sweeps_per_round = 4;
    let mut kk = CORE_K;
    let mut reset = false;
    loop {
        let t0 = Instant::now();
        let (core, exact, floor) = select_core(c, &lambda, kk);
        let select_time = t0.elapsed();
        best.rounds += 1;
        let improved = best.bound - exact;
        if exact < best.bound {
            best.bound = exact;
            best.lambda.copy_from_slice(&lambda);
        }
        if dbg {
            eprintln!(
                "pricing round {}: exact L = {exact} ({:?}), best {}, {} sweeps",
                best.rounds, select_time, best.bound, best.sweeps
            );
        }
        let proven = lb.is_finite() && c.round_bound(best.bound) <= lb + 1e-9 * lb.abs().max(1.0);
        // the sweeps of a round only count once the next exact evaluation has seen them
        let stop = deadline.checked_sub(select_time).unwrap_or(deadline);
        if proven || Instant::now() >= stop {
            return best;
        }
        if !reset && best.rounds > 1 && improved < TOL * exact.abs().max(1.0) {
            if kk >= MAX_CORE_K {
                return best;
            }
            kk = (kk * 2).min(MAX_CORE_K);
            lambda.copy_from_slice(&best.lambda);
            reset = true;
            continue;
        }
        reset = false;
        let mut d = Descent::new(c, core, lambda, floor);
        let mut last = d.value();
        for _ in 0..sweeps_per_round {
            let before = d.lambda.clone();
            d.sweep();
            d.extrapolate(&before);
            best.sweeps += 1;
            let v = d.value();
            let done = last - v <= 0.1 * TOL * v.abs().max(1.0);
            last = v;
            if done || Instant::now() >= stop {
                break;
            }
        }
        sweeps_per_round = (sweeps_per_round * 2).min(32);
        lambda = d.lambda;
    }
}

/// Items below which [`sample_prices`] is not worth it: a tenth of them would not be a
/// market of its own.
pub(crate) const SAMPLE_MIN_ITEMS: usize = 40_000;
/// The share of the items in the sample.
const SAMPLE_SHARE: f64 = 0.1;
/// A sampled price is kept where the sample's capacity holds at least this many average
/// needs of the resource: below that, the sample rations a unit or two and its price says
/// more about the few items it happened to draw than about the market.
const SAMPLE_MIN_UNITS: f64 = 4.0;

/// Prices from a random tenth of the items, each capacity scaled by a tenth: a sweep over
/// the sample costs a tenth of one over the whole, and where a place's capacity is large
/// the sample's market clears at about the whole's price. Returns `lambda0` with the
/// prices of those capacities replaced by the sample's; the descent on the whole starts
/// there, near its end (on a 100,000-household instance it reaches in 3 rounds a bound
/// it did not reach in 5 without). `None` when there are too few items.
pub(crate) fn sample_prices(
    c: &Core,
    lambda0: &[f64],
    seed: u64,
    deadline: Instant,
) -> Option<Vec<f64>> {
    use crate::model::{Mode, ProblemBuilder, Sense};
    if c.n < SAMPLE_MIN_ITEMS {
        return None;
    }
    let k = c.k;
    let mut b = ProblemBuilder::new(c.p.resources.clone(), Sense::Maximize, Mode::Optional);
    for i in 0..c.m {
        let cap: Vec<f64> = c.cap[i * k..(i + 1) * k]
            .iter()
            .map(|x| x * SAMPLE_SHARE)
            .collect();
        b.place(String::new(), &cap).ok()?;
    }
    let mut rng = crate::rng::Rng::new(seed ^ 0x5a3c_91e7);
    let per_option = c.p.opt_need.is_some();
    // the average positive need of each resource over the sample's options
    let mut need_sum = vec![0.0; k];
    let mut need_count = vec![0usize; k];
    for j in 0..c.n {
        if rng.unit() >= SAMPLE_SHARE {
            continue;
        }
        let opts = c.p.options(j);
        if opts.is_empty() {
            continue;
        }
        b.item(String::new(), c.need(j, opts.start)).ok()?;
        for o in opts {
            if !c.alive[o] {
                continue;
            }
            for (q, a) in c.need(j, o).iter().enumerate() {
                if *a > 0.0 {
                    need_sum[q] += a;
                    need_count[q] += 1;
                }
            }
            if per_option {
                b.option_with_need(c.place(o), c.profit(o), c.need(j, o))
                    .ok()?;
            } else {
                b.option(c.place(o), c.profit(o)).ok()?;
            }
        }
    }
    let sub = b.build().ok()?;
    let sc = Core::new(&sub);
    let sampled = price(&sc, lambda0, f64::NEG_INFINITY, deadline).lambda;
    let mut lambda = lambda0.to_vec();
    for (x, l) in lambda.iter_mut().enumerate() {
        let q = x % k;
        let mean = need_sum[q] / need_count[q].max(1) as f64;
        if need_count[q] > 0 && sc.cap[x] >= SAMPLE_MIN_UNITS * mean {
            *l = sampled[x];
        }
    }
    Some(lambda)
}

/// A placement guided by prices: each item, in turn, to the option of highest reduced
/// profit that still fits.
///
/// The items the prices take come first, and among them those that use the most priced
/// resources at their best place: a priced capacity is one the relaxation fills, and the
/// rare resources (large-family or medical slots) can only be filled by the few items
/// that need them, which find no room left once smaller households have taken the
/// persons. Then those with most to lose by their second choice, per unit of need. The
/// items priced out everywhere come last and fill what room is left.
pub(crate) fn placement(c: &Core, lambda: &[f64]) -> Vec<u32> {
    let k = c.k;
    let mut order: Vec<(usize, f64, u32)> = (0..c.n)
        .into_par_iter()
        .filter_map(|j| {
            let (best, arg, second) = c.best_two(lambda, j);
            if arg == NONE {
                return None;
            }
            let second = second.max(0.0);
            let need = c.need(j, arg as usize);
            let size = need.iter().sum::<f64>().max(1e-9);
            if best <= 0.0 {
                return Some((0, best / size, j as u32));
            }
            let i = c.place(arg as usize);
            let priced = need
                .iter()
                .zip(&lambda[i * k..(i + 1) * k])
                .filter(|(a, l)| **a > 0.0 && **l > 0.0)
                .count();
            Some((1 + priced, (best - second) / size, j as u32))
        })
        .collect();
    order.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(b.1.total_cmp(&a.1)).then(a.2.cmp(&b.2)));
    let mut rem = c.cap.clone();
    let mut asg = vec![NONE; c.n];
    for &(_, _, j) in &order {
        let j = j as usize;
        let mut best = f64::NEG_INFINITY;
        let mut arg = NONE;
        for o in c.p.options(j) {
            if !c.alive[o] || c.profit(o) <= 0.0 || !c.fits(&rem, j, o) {
                continue;
            }
            let r = c.reduced(lambda, j, o);
            if r > best {
                best = r;
                arg = o as u32;
            }
        }
        if arg != NONE {
            c.take(&mut rem, j, arg as usize);
            asg[j] = arg;
        }
    }
    asg
}

/// Items left free in [`refine`]: within the reach of the exact machinery for
/// medium problems (the large-neighbourhood search runs up to 5,000 items).
const FREE_ITEMS: usize = 4500;
/// Options per free item in [`refine`].
const FREE_OPTIONS: usize = 6;

/// Fix and optimise: keep the placement of the items the prices settle clearly (placed at
/// their best place with a wide margin, or priced out by a wide margin) and solve again,
/// warm, the sub-problem of the rest — the items at the margin and those placed away
/// from their best place — with each one's best few options, in the capacity the settled
/// items leave. Rounding the prices loses value only at the margins; this is where the
/// medium-size machinery (local search, large neighbourhoods) can win it back. Returns an
/// assignment at least as good as `asg`.
pub(crate) fn refine(
    c: &Core,
    lambda: &[f64],
    asg: &[u32],
    seed: u64,
    threads: usize,
    deadline: Instant,
) -> Option<Vec<u32>> {
    use crate::model::{Mode, ProblemBuilder, Sense};
    let k = c.k;
    let budget = deadline.checked_duration_since(Instant::now())?;
    if budget.as_millis() < 50 {
        return None;
    }
    // each item's best reduced profit, and how far its placement is from it
    let info: Vec<(f64, f64)> = (0..c.n)
        .into_par_iter()
        .map(|j| {
            let mut b = f64::NEG_INFINITY;
            for o in c.p.options(j) {
                if c.alive[o] {
                    b = b.max(c.reduced(lambda, j, o));
                }
            }
            let here = if asg[j] == NONE {
                0.0
            } else {
                c.reduced(lambda, j, asg[j] as usize)
            };
            (b, b.max(0.0) - here)
        })
        .collect();
    let mut order: Vec<(f64, usize)> = (0..c.n)
        .filter(|&j| info[j].0.is_finite())
        .map(|j| {
            // displaced items first, then the closest to the margin
            let (b, lost) = info[j];
            let key = if lost > 1e-9 {
                -1.0 / (1.0 + lost)
            } else {
                b.abs()
            };
            (key, j)
        })
        .collect();
    let nfree = FREE_ITEMS.min(order.len());
    if nfree == 0 {
        return None;
    }
    if nfree < order.len() {
        order.select_nth_unstable_by(nfree - 1, |a, b| a.0.total_cmp(&b.0));
    }
    let mut free: Vec<usize> = order[..nfree].iter().map(|x| x.1).collect();
    free.sort_unstable();
    let mut is_free = vec![false; c.n];
    for &j in &free {
        is_free[j] = true;
    }
    // the capacity the settled items leave
    let mut room = c.cap.clone();
    for j in 0..c.n {
        if !is_free[j] && asg[j] != NONE {
            c.take(&mut room, j, asg[j] as usize);
        }
    }
    let mut b = ProblemBuilder::new(c.p.resources.clone(), Sense::Maximize, Mode::Optional);
    for i in 0..c.m {
        let r: Vec<f64> = room[i * k..(i + 1) * k]
            .iter()
            .map(|x| x.max(0.0))
            .collect();
        b.place(c.p.place_name(i).to_string(), &r).ok()?;
    }
    let mut sub_opts: Vec<Vec<u32>> = Vec::with_capacity(nfree);
    let mut warm_asg = Vec::with_capacity(nfree);
    for &j in &free {
        let mut cands: Vec<(f64, u32)> =
            c.p.options(j)
                .filter(|&o| c.alive[o] && c.fits(&room, j, o))
                .map(|o| (c.reduced(lambda, j, o), o as u32))
                .collect();
        cands.sort_unstable_by(|a, b| b.0.total_cmp(&a.0));
        cands.truncate(FREE_OPTIONS);
        let mut opts: Vec<u32> = cands.into_iter().map(|x| x.1).collect();
        if asg[j] != NONE && !opts.contains(&asg[j]) {
            opts.push(asg[j]);
        }
        opts.sort_unstable();
        b.item(
            c.p.item_name(j).to_string(),
            c.need(j, c.p.options(j).start),
        )
        .ok()?;
        for &o in &opts {
            b.option_with_need(
                c.place(o as usize),
                c.profit(o as usize),
                c.need(j, o as usize),
            )
            .ok()?;
        }
        warm_asg.push((asg[j] != NONE).then(|| c.place(asg[j] as usize)));
        sub_opts.push(opts);
    }
    let sub = b.build().ok()?;
    let warm = crate::solve::Solution {
        name: sub.name.clone(),
        sense: Sense::Maximize,
        status: crate::solve::Status::Feasible,
        objective: None,
        bound: None,
        gap: None,
        optimal: false,
        feasible: true,
        time_ms: 0,
        seed,
        assignment: warm_asg,
        shadow_prices: (0..c.m)
            .map(|i| lambda[i * k..(i + 1) * k].to_vec())
            .collect(),
        stats: Default::default(),
    };
    let opts = crate::solve::SolveOptions {
        time_limit_ms: budget.as_millis() as u64,
        seed,
        threads,
        ..Default::default()
    };
    let s = crate::solve::solve_warm(&sub, &warm, &opts);
    if !s.feasible {
        return None;
    }
    let mut out = asg.to_vec();
    for (x, &j) in free.iter().enumerate() {
        out[j] = match s.assignment[x] {
            Some(i) => *sub_opts[x].iter().find(|&&o| c.place(o as usize) == i)?,
            None => NONE,
        };
    }
    Some(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::core::feasible_profit;
    use crate::generate::{ResettlementParams, generate_resettlement};
    use crate::model::{Mode, Problem, ProblemBuilder, Sense};
    use proptest::prelude::*;
    use std::time::Duration;

    /// Best profit by enumeration (optional mode: every item placed or not).
    fn brute(c: &Core) -> f64 {
        fn go(c: &Core, j: usize, asg: &mut Vec<u32>, best: &mut f64) {
            if j == c.n {
                if let Some(v) = feasible_profit(c, asg) {
                    *best = best.max(v);
                }
                return;
            }
            asg.push(NONE);
            go(c, j + 1, asg, best);
            asg.pop();
            for o in c.p.options(j) {
                asg.push(o as u32);
                go(c, j + 1, asg, best);
                asg.pop();
            }
        }
        let mut best = f64::NEG_INFINITY;
        go(c, 0, &mut Vec::new(), &mut best);
        best
    }

    type Opt = Option<(u8, Vec<u8>)>;

    fn build(caps: &[Vec<u8>], items: &[Vec<Opt>], per_place_need: bool) -> Problem {
        let k = caps[0].len();
        let res = (0..k).map(|r| format!("r{r}")).collect();
        let mut b = ProblemBuilder::new(res, Sense::Maximize, Mode::Optional);
        for (i, c) in caps.iter().enumerate() {
            let c: Vec<f64> = c.iter().map(|x| *x as f64).collect();
            b.place(format!("p{i}"), &c).unwrap();
        }
        for (j, it) in items.iter().enumerate() {
            // with needs per item, the item's need is that of its first option
            let first: Vec<f64> = it
                .iter()
                .flatten()
                .next()
                .map(|(_, n)| n.iter().map(|x| *x as f64).collect())
                .unwrap_or_else(|| vec![1.0; k]);
            b.item(format!("i{j}"), &first).unwrap();
            for (i, o) in it.iter().enumerate() {
                if let Some((v, need)) = o {
                    if per_place_need {
                        let need: Vec<f64> = need.iter().map(|x| *x as f64).collect();
                        b.option_with_need(i, *v as f64, &need).unwrap();
                    } else {
                        b.option(i, *v as f64).unwrap();
                    }
                }
            }
        }
        b.build().unwrap()
    }

    fn instance() -> impl Strategy<Value = (Vec<Vec<u8>>, Vec<Vec<Opt>>, bool)> {
        (1usize..=3, 1usize..=3, 1usize..=7, any::<bool>()).prop_flat_map(|(m, k, n, per)| {
            let caps = proptest::collection::vec(proptest::collection::vec(0u8..10, k), m);
            let opt =
                proptest::option::weighted(0.7, (1u8..30, proptest::collection::vec(0u8..6, k)));
            let items = proptest::collection::vec(proptest::collection::vec(opt, m), n);
            (caps, items, Just(per))
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        /// Every bound the pricing reports is at least the optimum, and the placement it
        /// suggests fits every capacity.
        #[test]
        fn pricing_bound_is_valid_and_placement_fits((caps, items, per) in instance()) {
            let p = build(&caps, &items, per);
            let c = Core::new(&p);
            let opt = brute(&c);
            let deadline = Instant::now() + Duration::from_secs(5);
            let pr = price(&c, &vec![0.0; c.m * c.k], f64::NEG_INFINITY, deadline);
            prop_assert!(pr.bound >= opt - 1e-6, "bound {} below the optimum {}", pr.bound, opt);
            let asg = placement(&c, &pr.lambda);
            let v = feasible_profit(&c, &asg);
            prop_assert!(v.is_some(), "placement does not fit");
            prop_assert!(v.unwrap_or(0.0) <= opt + 1e-6);
        }
    }

    /// On a resettlement instance the prices converge: the bound comes within 2.5 % of
    /// the placement they suggest (a small instance: about twelve households a place, so
    /// rounding at each place's margin weighs more than at 100,000 households), and stays
    /// above the best solution the solver finds.
    #[test]
    fn pricing_converges_on_a_resettlement_instance() {
        let p = generate_resettlement(&ResettlementParams {
            households: 4000,
            places: 80,
            seed: 7,
            ..Default::default()
        });
        let c = Core::new(&p);
        let deadline = Instant::now() + Duration::from_secs(20);
        let pr = price(&c, &vec![0.0; c.m * c.k], f64::NEG_INFINITY, deadline);
        let asg = placement(&c, &pr.lambda);
        let v = feasible_profit(&c, &asg).expect("placement fits");
        let gap = (pr.bound - v) / v;
        assert!(
            (0.0..0.025).contains(&gap),
            "bound {} placement {v} gap {gap}",
            pr.bound
        );
        let s = crate::solve(
            &p,
            &crate::SolveOptions {
                time_limit_ms: 2000,
                ..Default::default()
            },
        );
        let best = s.objective.expect("solved");
        assert!(
            pr.bound >= best - 1e-6,
            "bound {} below a solution {best}",
            pr.bound
        );
    }

    /// A place's rare resource (a large-family slot) is filled first: the five small
    /// households would lose more per person by their second place than the large
    /// family, and taking them first would fill the persons and leave the slot empty.
    #[test]
    fn placement_fills_the_priced_rare_resource_first() {
        let mut b = ProblemBuilder::new(
            vec!["persons".into(), "large_family".into()],
            Sense::Maximize,
            Mode::Optional,
        );
        b.place("P", &[10.0, 1.0]).unwrap();
        b.place("Q", &[10.0, 0.0]).unwrap();
        b.item("large", &[6.0, 1.0]).unwrap();
        b.option(0, 200.0).unwrap();
        for x in 0..5 {
            b.item(format!("small{x}"), &[2.0, 0.0]).unwrap();
            b.option(0, 80.0).unwrap();
            b.option(1, 25.0).unwrap();
        }
        let p = b.build().unwrap();
        let c = Core::new(&p);
        let asg = placement(&c, &[10.0, 5.0, 10.0, 0.0]);
        assert_ne!(asg[0], NONE, "the large family is left out: {asg:?}");
        assert_eq!(
            feasible_profit(&c, &asg),
            Some(200.0 + 2.0 * 80.0 + 3.0 * 25.0)
        );
    }

    /// The sample's prices start the descent where they can be trusted (large capacities)
    /// and leave the others as they were; none is negative, and the pricing that starts
    /// from them still gives a valid bound. Too few items: no sample.
    #[test]
    fn sample_prices_replace_only_large_capacities() {
        let p = generate_resettlement(&ResettlementParams {
            households: SAMPLE_MIN_ITEMS,
            places: 20,
            seed: 3,
            ..Default::default()
        });
        let c = Core::new(&p);
        let l0 = vec![1e-3; c.m * c.k];
        let deadline = Instant::now() + Duration::from_secs(3);
        let l = sample_prices(&c, &l0, 1, deadline).expect("enough items");
        assert!(l.iter().all(|x| x.is_finite() && *x >= 0.0), "{l:?}");
        // persons (thousands a place) are sampled; the rare slots (one in ten places
        // has medical ones, and those are a tenth of its persons) keep l0 where small
        let moved = (0..c.m).filter(|i| l[i * c.k] != l0[i * c.k]).count();
        assert!(
            moved >= c.m / 2,
            "only {moved} persons prices from the sample"
        );
        for (x, (a, b)) in l.iter().zip(&l0).enumerate() {
            if c.cap[x] * SAMPLE_SHARE < 1.0 {
                assert_eq!(a, b, "price {x} of a capacity {} changed", c.cap[x]);
            }
        }
        let pr = price(
            &c,
            &l,
            f64::NEG_INFINITY,
            Instant::now() + Duration::from_secs(5),
        );
        let v = feasible_profit(&c, &placement(&c, &pr.lambda)).expect("placement fits");
        assert!(pr.bound >= v, "bound {} below a placement {v}", pr.bound);

        let few = generate_resettlement(&ResettlementParams {
            households: 200,
            places: 5,
            seed: 3,
            ..Default::default()
        });
        assert!(sample_prices(&Core::new(&few), &[0.0; 15], 1, deadline).is_none());
    }
}
