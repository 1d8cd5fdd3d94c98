//! Ejection-chain local search for the classic GAP (one resource, every item placed), in
//! the spirit of Yagiura, Ibaraki and Glover (2004): a penalised objective (profit minus
//! per-place weights times the capacity excess, the weights adapted after every descent so
//! that the search oscillates around the feasible region), explored by shift moves and by
//! ejection chains of length 2 (item `a` moves to place `q`, pushing item `b` out of `q`
//! to a third place or to `a`'s old place — the latter is a swap). Every move is evaluated
//! in O(1) from dense profit / need tables and per-place loads; the places tried for an
//! item are its best few by Lagrangian reduced profit, and a chain is cut as soon as even
//! the best profit of the ejected item cannot make it improving.

use std::sync::Arc;
use std::time::Instant;

use crate::core::{Core, NONE};
use crate::lns::Pool;
use crate::rng::Rng;

const EPS: f64 = 1e-7;
/// Places tried for the first item of a chain, and for the ejected item.
const CHAIN_Q: usize = 5;
const CHAIN_R: usize = 10;
/// Length-3 chains on instances up to this many items; the middle item tries its best
/// CHAIN3_R places.
const CHAIN3_ITEMS: usize = 150;
const CHAIN3_R: usize = 3;
/// Node budget of one exact re-partition of two places.
const PAIR_NODES: u64 = 10_000;
/// Pairs of places re-partitioned after each feasible local optimum.
const PAIRS: usize = 10;

/// The search applies: one resource, assign-all mode, dense tables of moderate size, and
/// every item with at least one usable option.
pub(crate) fn applicable(c: &Core) -> bool {
    c.k == 1
        && !c.optional
        && c.n >= 2
        && c.m >= 2
        && c.n.saturating_mul(c.m) <= 4_000_000
        && (0..c.n).all(|j| c.p.options(j).any(|o| c.alive[o]))
}

pub(crate) struct Ejc {
    n: usize,
    m: usize,
    /// profit[j * m + i]; -inf when ineligible
    prof: Vec<f64>,
    need: Vec<f64>,
    opt: Vec<u32>,
    /// candidate places of each item (best reduced profit first), `nc` a row
    cand: Vec<u32>,
    ncand: Vec<u32>,
    nc: usize,
    maxp: Vec<f64>,
    cap: Vec<f64>,
    tol: Vec<f64>,
    asg: Vec<u32>,
    load: Vec<f64>,
    mem: Vec<Vec<u32>>,
    pos: Vec<u32>,
    w: Vec<f64>,
    w_min: Vec<f64>,
    profit: f64,
    rng: Rng,
    order: Vec<usize>,
    pub rounds: u64,
    /// Where its feasible local optima go, for the LNS to merge.
    pool: Option<Arc<Pool>>,
    best: Option<Vec<u32>>,
    best_p: f64,
    /// "don't look" stamps: last change of each place, last fruitless look at each item
    clock: u64,
    ptime: Vec<u64>,
    jtime: Vec<u64>,
}

impl Ejc {
    /// `start` is an assignment by options (NONE items go to their best option).
    pub fn new(c: &Core, start: &[u32], lambda: &[f64], seed: u64) -> Self {
        let (n, m) = (c.n, c.m);
        let mut prof = vec![f64::NEG_INFINITY; n * m];
        let mut need = vec![0.0; n * m];
        let mut opt = vec![NONE; n * m];
        let mut maxp = vec![f64::NEG_INFINITY; n];
        for j in 0..n {
            for o in c.p.options(j) {
                if c.alive[o] {
                    let i = c.place(o);
                    prof[j * m + i] = c.profit(o);
                    need[j * m + i] = c.need(j, o)[0];
                    opt[j * m + i] = o as u32;
                    maxp[j] = maxp[j].max(c.profit(o));
                }
            }
        }
        let nc = if m <= 24 { m } else { 16.max(m / 5).min(m) };
        let mut cand = vec![0u32; n * nc];
        let mut ncand = vec![0u32; n];
        let mut tmp: Vec<(f64, usize)> = Vec::with_capacity(m);
        for j in 0..n {
            tmp.clear();
            for i in 0..m {
                let x = j * m + i;
                if prof[x] > f64::NEG_INFINITY {
                    let l = lambda.get(i).copied().unwrap_or(0.0);
                    tmp.push((prof[x] - l * need[x], i));
                }
            }
            tmp.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            let t = tmp.len().min(nc);
            for (s, &(_, i)) in tmp[..t].iter().enumerate() {
                cand[j * nc + s] = i as u32;
            }
            ncand[j] = t as u32;
        }
        // base penalty weight: mean profit per unit of need
        let (mut sum, mut cnt) = (0.0, 0usize);
        for x in 0..n * m {
            if prof[x] > f64::NEG_INFINITY && need[x] > 0.0 {
                sum += prof[x].abs() / need[x];
                cnt += 1;
            }
        }
        let base = if cnt > 0 {
            (sum / cnt as f64).max(1e-6)
        } else {
            1.0
        };
        // the multipliers are the marginal value of capacity: they set the scale
        let lpos: Vec<f64> = (0..m)
            .filter_map(|i| lambda.get(i).copied())
            .filter(|&l| l > 0.0)
            .collect();
        let base = if lpos.is_empty() {
            base
        } else {
            lpos.iter().sum::<f64>() / lpos.len() as f64
        };
        let w: Vec<f64> = (0..m)
            .map(|i| lambda.get(i).copied().unwrap_or(0.0).max(0.0) + base)
            .collect();
        let w_min = vec![base * 0.2; m];
        let tol = c.cap.iter().map(|b| 1e-9 * b.abs().max(1.0)).collect();
        let mut asg = vec![NONE; n];
        for j in 0..n {
            let o = start.get(j).copied().unwrap_or(NONE);
            asg[j] = if o != NONE && c.alive[o as usize] {
                c.place(o as usize) as u32
            } else {
                // best profit place
                let mut b = 0;
                for i in 0..m {
                    if prof[j * m + i] > prof[j * m + b] {
                        b = i;
                    }
                }
                b as u32
            };
        }
        let mut s = Ejc {
            n,
            m,
            prof,
            need,
            opt,
            cand,
            ncand,
            nc,
            maxp,
            cap: c.cap.clone(),
            tol,
            asg,
            load: vec![0.0; m],
            mem: vec![Vec::new(); m],
            pos: vec![0; n],
            w,
            w_min,
            profit: 0.0,
            rng: Rng::new(seed),
            order: (0..n).collect(),
            rounds: 0,
            pool: None,
            best: None,
            best_p: f64::NEG_INFINITY,
            clock: 1,
            ptime: vec![1; m],
            jtime: vec![0; n],
        };
        s.rebuild();
        s
    }

    fn rebuild(&mut self) {
        let m = self.m;
        self.load.iter_mut().for_each(|x| *x = 0.0);
        self.mem.iter_mut().for_each(|v| v.clear());
        self.profit = 0.0;
        for j in 0..self.n {
            let i = self.asg[j] as usize;
            self.load[i] += self.need[j * m + i];
            self.profit += self.prof[j * m + i];
            self.pos[j] = self.mem[i].len() as u32;
            self.mem[i].push(j as u32);
        }
    }

    #[inline]
    fn pen(&self, i: usize, l: f64) -> f64 {
        let e = l - self.cap[i];
        if e > self.tol[i] { self.w[i] * e } else { 0.0 }
    }

    fn feasible(&self) -> bool {
        (0..self.m).all(|i| self.load[i] - self.cap[i] <= self.tol[i])
    }

    fn mv(&mut self, j: usize, to: usize) {
        let m = self.m;
        let from = self.asg[j] as usize;
        if from == to {
            return;
        }
        self.load[from] -= self.need[j * m + from];
        self.profit -= self.prof[j * m + from];
        let p = self.pos[j] as usize;
        self.mem[from].swap_remove(p);
        if p < self.mem[from].len() {
            let moved = self.mem[from][p] as usize;
            self.pos[moved] = p as u32;
        }
        self.load[to] += self.need[j * m + to];
        self.profit += self.prof[j * m + to];
        self.pos[j] = self.mem[to].len() as u32;
        self.mem[to].push(j as u32);
        self.asg[j] = to as u32;
        self.clock += 1;
        self.ptime[from] = self.clock;
        self.ptime[to] = self.clock;
    }

    fn touch_all(&mut self) {
        self.clock += 1;
        let c = self.clock;
        self.ptime.iter_mut().for_each(|t| *t = c);
    }

    /// Something changed at the item's place or at one of its candidate places since it
    /// was last looked at in vain.
    #[inline]
    fn stale(&self, j: usize) -> bool {
        let t = self.jtime[j];
        if self.ptime[self.asg[j] as usize] > t {
            return true;
        }
        let nc = self.nc;
        self.cand[j * nc..j * nc + self.ncand[j] as usize]
            .iter()
            .any(|&q| self.ptime[q as usize] > t)
    }

    /// Best improving shift or length-2 chain starting with item `a`; applies it.
    fn try_item(&mut self, a: usize) -> bool {
        let m = self.m;
        let nc = self.nc;
        let i1 = self.asg[a] as usize;
        let l1 = self.load[i1];
        let l1r = l1 - self.need[a * m + i1];
        let base = -self.prof[a * m + i1] + self.pen(i1, l1) - self.pen(i1, l1r);
        let ca = &self.cand[a * nc..a * nc + self.ncand[a] as usize];
        // shifts
        let mut best = EPS;
        let mut arg = usize::MAX;
        for &q in ca {
            let q = q as usize;
            if q == i1 {
                continue;
            }
            let x = a * m + q;
            let lq = self.load[q];
            let g = base + self.prof[x] - (self.pen(q, lq + self.need[x]) - self.pen(q, lq));
            if g > best {
                best = g;
                arg = q;
            }
        }
        if arg != usize::MAX {
            self.mv(a, arg);
            return true;
        }
        // chains: a -> q, b (at q) -> r
        let nq = CHAIN_Q;
        let nr = CHAIN_R;
        let ca = &ca[..ca.len().min(nq)];
        for &q in ca {
            let q = q as usize;
            if q == i1 {
                continue;
            }
            let x = a * m + q;
            let g1 = base + self.prof[x];
            let lq = self.load[q] + self.need[x];
            let pq = self.pen(q, self.load[q]);
            let mut best = EPS;
            let mut mvb = (usize::MAX, usize::MAX);
            for &b in &self.mem[q] {
                let b = b as usize;
                let y = b * m + q;
                let g2 = g1 - self.prof[y] - (self.pen(q, lq - self.need[y]) - pq);
                if g2 + self.maxp[b] <= best {
                    continue;
                }
                let cb = &self.cand[b * nc..b * nc + (self.ncand[b] as usize).min(nr)];
                for &r in cb {
                    let r = r as usize;
                    if r == q {
                        continue;
                    }
                    let z = b * m + r;
                    let pr = self.prof[z];
                    if g2 + pr <= best {
                        continue;
                    }
                    let d = if r == i1 {
                        self.pen(i1, l1r + self.need[z]) - self.pen(i1, l1r)
                    } else {
                        let lr = self.load[r];
                        self.pen(r, lr + self.need[z]) - self.pen(r, lr)
                    };
                    let g = g2 + pr - d;
                    if g > best {
                        best = g;
                        mvb = (b, r);
                    }
                }
            }
            if mvb.0 != usize::MAX {
                self.mv(a, q);
                self.mv(mvb.0, mvb.1);
                return true;
            }
        }
        if self.n <= CHAIN3_ITEMS {
            return self.try_chain3(a);
        }
        false
    }

    /// Chains of length 3: a -> q, b (at q) -> r, c (at r) -> s (s may be a's old place
    /// or q). Cut like the 2-chains; r among b's best CHAIN3_R places.
    fn try_chain3(&mut self, a: usize) -> bool {
        let m = self.m;
        let nc = self.nc;
        let i1 = self.asg[a] as usize;
        let l1 = self.load[i1];
        let l1r = l1 - self.need[a * m + i1];
        let base = -self.prof[a * m + i1] + self.pen(i1, l1) - self.pen(i1, l1r);
        let ca = &self.cand[a * nc..a * nc + self.ncand[a] as usize];
        let ca = &ca[..ca.len().min(CHAIN_Q)];
        let mut best = EPS;
        let mut mvb = (usize::MAX, usize::MAX, usize::MAX, usize::MAX, usize::MAX);
        for &q in ca {
            let q = q as usize;
            if q == i1 {
                continue;
            }
            let x = a * m + q;
            let g1 = base + self.prof[x];
            let lq = self.load[q] + self.need[x];
            let pq = self.pen(q, self.load[q]);
            for &b in &self.mem[q] {
                let b = b as usize;
                let y = b * m + q;
                let lqb = lq - self.need[y];
                let g2 = g1 - self.prof[y] - (self.pen(q, lqb) - pq);
                if g2 + self.maxp[b] <= best {
                    continue;
                }
                let cb = &self.cand[b * nc..b * nc + (self.ncand[b] as usize).min(CHAIN3_R)];
                for &r in cb {
                    let r = r as usize;
                    if r == q || r == i1 {
                        continue;
                    }
                    let z = b * m + r;
                    let lr = self.load[r] + self.need[z];
                    let pr0 = self.pen(r, self.load[r]);
                    let g3b = g2 + self.prof[z];
                    for &cc in &self.mem[r] {
                        let cc = cc as usize;
                        let u = cc * m + r;
                        let lrc = lr - self.need[u];
                        let g3 = g3b - self.prof[u] - (self.pen(r, lrc) - pr0);
                        if g3 + self.maxp[cc] <= best {
                            continue;
                        }
                        let cl =
                            &self.cand[cc * nc..cc * nc + (self.ncand[cc] as usize).min(CHAIN_R)];
                        for &s in cl {
                            let s = s as usize;
                            if s == r {
                                continue;
                            }
                            let v = cc * m + s;
                            let ps = self.prof[v];
                            if g3 + ps <= best {
                                continue;
                            }
                            let d = if s == i1 {
                                self.pen(i1, l1r + self.need[v]) - self.pen(i1, l1r)
                            } else if s == q {
                                self.pen(q, lqb + self.need[v]) - self.pen(q, lqb)
                            } else {
                                let ls = self.load[s];
                                self.pen(s, ls + self.need[v]) - self.pen(s, ls)
                            };
                            let g = g3 + ps - d;
                            if g > best {
                                best = g;
                                mvb = (q, b, r, cc, s);
                            }
                        }
                    }
                }
            }
        }
        if mvb.0 == usize::MAX {
            return false;
        }
        let (q, b, r, cc, s) = mvb;
        self.mv(a, q);
        self.mv(b, r);
        self.mv(cc, s);
        true
    }

    /// Descent to a local optimum of the penalised objective; true when the deadline hit.
    fn descend(&mut self, deadline: Instant) -> bool {
        // moves that improve by rounding error alone can cycle on tiny instances: every
        // pass checks the clock, and a descent ends after a bounded number of passes
        let mut passes = 0usize;
        loop {
            passes += 1;
            if passes > 1000 + 100 * self.n {
                return false;
            }
            let mut improved = false;
            for idx in 0..self.n {
                let j = self.order[idx];
                if !self.stale(j) {
                    continue;
                }
                if self.try_item(j) {
                    improved = true;
                    if self.profit > self.best_p + 1e-9 && self.feasible() {
                        self.record();
                    }
                } else {
                    self.jtime[j] = self.clock;
                }
                if idx % 64 == 63 && Instant::now() >= deadline {
                    return true;
                }
            }
            if !improved {
                return false;
            }
            if Instant::now() >= deadline {
                return true;
            }
        }
    }

    /// Re-partition the items of places a and b exactly (both within capacity before and
    /// after); true when the profit improved.
    fn pair_opt(&mut self, a: usize, b: usize, budget: u64) -> bool {
        let m = self.m;
        if self.load[a] > self.cap[a] + self.tol[a] || self.load[b] > self.cap[b] + self.tol[b] {
            return false;
        }
        let mut items: Vec<u32> = self.mem[a].iter().chain(&self.mem[b]).copied().collect();
        // large needs first: tighter pruning by capacity
        items.sort_by(|&x, &y| {
            let kx = self.need[x as usize * m + a].max(self.need[x as usize * m + b]);
            let ky = self.need[y as usize * m + a].max(self.need[y as usize * m + b]);
            ky.total_cmp(&kx).then(x.cmp(&y))
        });
        let t = items.len();
        let pa: Vec<f64> = items
            .iter()
            .map(|&j| self.prof[j as usize * m + a])
            .collect();
        let pb: Vec<f64> = items
            .iter()
            .map(|&j| self.prof[j as usize * m + b])
            .collect();
        let ra: Vec<f64> = items
            .iter()
            .map(|&j| self.need[j as usize * m + a])
            .collect();
        let rb: Vec<f64> = items
            .iter()
            .map(|&j| self.need[j as usize * m + b])
            .collect();
        let mut smax = vec![0.0; t + 1];
        for x in (0..t).rev() {
            smax[x] = smax[x + 1] + pa[x].max(pb[x]);
        }
        let old: f64 = items
            .iter()
            .map(|&j| self.prof[j as usize * m + self.asg[j as usize] as usize])
            .sum();
        let cur: Vec<bool> = items
            .iter()
            .map(|&j| self.asg[j as usize] as usize == a)
            .collect();
        let mut ctx = Pair {
            pa: &pa,
            pb: &pb,
            ra: &ra,
            rb: &rb,
            smax: &smax,
            cap_a: self.cap[a] + self.tol[a],
            cap_b: self.cap[b] + self.tol[b],
            best: cur.clone(),
            cur,
            best_v: old,
            nodes: 0,
            budget,
        };
        ctx.dfs(0, 0.0, 0.0, 0.0);
        if ctx.best_v <= old + EPS {
            return false;
        }
        let best = ctx.best;
        for (x, &j) in items.iter().enumerate() {
            self.mv(j as usize, if best[x] { a } else { b });
        }
        true
    }

    fn record(&mut self) {
        self.best_p = self.profit;
        match &mut self.best {
            Some(b) => b.copy_from_slice(&self.asg),
            None => self.best = Some(self.asg.clone()),
        }
    }

    fn kick(&mut self, strength: usize) {
        let nc = self.nc;
        for _ in 0..strength {
            let j = self.rng.below(self.n);
            let t = self.ncand[j] as usize;
            if t < 2 {
                continue;
            }
            let q = self.cand[j * nc + self.rng.below(t)] as usize;
            self.mv(j, q);
        }
    }

    /// Give feasible local optima to this pool.
    pub fn with_pool(mut self, pool: Arc<Pool>) -> Self {
        self.pool = Some(pool);
        self
    }

    fn options_of(&self, asg: &[u32]) -> Vec<u32> {
        asg.iter()
            .enumerate()
            .map(|(j, &i)| self.opt[j * self.m + i as usize])
            .collect()
    }

    /// Search until the deadline, `max_rounds` descents, or profit >= target. Returns the
    /// best feasible assignment (by options) and its profit.
    pub fn run(
        &mut self,
        deadline: Instant,
        max_rounds: u64,
        target: f64,
    ) -> (Option<Vec<u32>>, f64) {
        let n = self.n;
        if self.feasible() && self.profit > self.best_p + 1e-9 {
            self.record();
        }
        let mut since = 0u64;
        let mut round = 0u64;
        while round < max_rounds {
            round += 1;
            self.rounds += 1;
            self.rng.shuffle(&mut self.order);
            let before = self.best_p;
            let out = self.descend(deadline);
            let feasible = self.feasible();
            if feasible && self.profit > self.best_p + 1e-9 {
                self.record();
            }
            if self.best_p > before + 1e-9 {
                since = 0;
                if self.best_p >= target - 1e-9 * target.abs().max(1.0) {
                    break;
                }
            } else {
                since += 1;
            }
            if out || Instant::now() >= deadline {
                break;
            }
            if feasible && self.m >= 2 {
                // intensify: exact re-partition of random pairs of places
                for _ in 0..self.m.min(PAIRS) {
                    let a = self.rng.below(self.m);
                    let b = self.rng.below(self.m - 1);
                    let b = if b >= a { b + 1 } else { b };
                    self.pair_opt(a, b, PAIR_NODES);
                }
                if self.profit > self.best_p + 1e-9 {
                    self.record();
                    since = 0;
                }
                if let Some(pool) = &self.pool
                    && pool.wants(self.profit)
                {
                    pool.remember(self.profit, &self.options_of(&self.asg));
                }
            }
            // adapt the weights: up where capacity is exceeded, down when feasible
            if feasible {
                for i in 0..self.m {
                    self.w[i] = (self.w[i] * 0.9).max(self.w_min[i]);
                }
                self.touch_all();
            } else {
                let mut emax = 0.0f64;
                for i in 0..self.m {
                    emax = emax.max(self.load[i] - self.cap[i]);
                }
                for i in 0..self.m {
                    let e = self.load[i] - self.cap[i];
                    if e > self.tol[i] {
                        self.w[i] *= 1.0 + 0.3 * e / emax.max(1e-12);
                        self.clock += 1;
                        self.ptime[i] = self.clock;
                    }
                }
            }
            if since > 0
                && since.is_multiple_of(100)
                && let Some(b) = &self.best
            {
                let b = b.clone();
                self.asg.copy_from_slice(&b);
                self.rebuild();
                self.touch_all();
            }
            if feasible || since.is_multiple_of(5) {
                let strength = 1 + self.rng.below((n / 25).clamp(2, 20));
                self.kick(strength);
            }
        }
        let best = self.best.as_ref().map(|b| self.options_of(b));
        (best, self.best_p)
    }
}

/// Exact re-partition of the items of two places (depth-first, bound = profit so far plus
/// each remaining item's better profit of the two), within a node budget.
struct Pair<'a> {
    pa: &'a [f64],
    pb: &'a [f64],
    ra: &'a [f64],
    rb: &'a [f64],
    smax: &'a [f64],
    cap_a: f64,
    cap_b: f64,
    cur: Vec<bool>,
    best: Vec<bool>,
    best_v: f64,
    nodes: u64,
    budget: u64,
}

impl Pair<'_> {
    fn dfs(&mut self, t: usize, la: f64, lb: f64, v: f64) {
        self.nodes += 1;
        if t == self.pa.len() {
            if v > self.best_v {
                self.best_v = v;
                self.best.copy_from_slice(&self.cur);
            }
            return;
        }
        if v + self.smax[t] <= self.best_v + EPS || self.nodes > self.budget {
            return;
        }
        // the better place first
        let first_a = self.pa[t] >= self.pb[t];
        for side in 0..2 {
            let to_a = (side == 0) == first_a;
            if to_a {
                if self.pa[t] > f64::NEG_INFINITY && la + self.ra[t] <= self.cap_a {
                    self.cur[t] = true;
                    self.dfs(t + 1, la + self.ra[t], lb, v + self.pa[t]);
                }
            } else if self.pb[t] > f64::NEG_INFINITY && lb + self.rb[t] <= self.cap_b {
                self.cur[t] = false;
                self.dfs(t + 1, la, lb + self.rb[t], v + self.pb[t]);
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::check::check_assignment;
    use crate::heur::greedy;
    use crate::model::{Mode, ProblemBuilder, Sense};

    /// A type-D-like instance: costs fall as weights rise, capacities tight.
    fn instance(m: usize, n: usize, seed: u64) -> crate::model::Problem {
        let mut rng = Rng::new(seed);
        let mut b = ProblemBuilder::new(vec!["capacity".into()], Sense::Minimize, Mode::AssignAll);
        let r: Vec<Vec<f64>> = (0..n)
            .map(|_| (0..m).map(|_| 1.0 + rng.below(100) as f64).collect())
            .collect();
        for i in 0..m {
            let tot: f64 = r.iter().map(|row| row[i]).sum();
            b.place(format!("p{i}"), &[(0.8 * tot / m as f64).floor()])
                .unwrap();
        }
        for (j, row) in r.iter().enumerate() {
            b.item(format!("j{j}"), &[1.0]).unwrap();
            for (i, &w) in row.iter().enumerate() {
                let cost = 111.0 - w + rng.below(21) as f64 - 10.0;
                b.option_with_need(i, cost, &[w]).unwrap();
            }
        }
        b.build().unwrap()
    }

    #[test]
    fn feasible_deterministic_and_no_worse_than_its_start() {
        let p = instance(6, 60, 3);
        let c = Core::new(&p);
        assert!(applicable(&c));
        let lambda = vec![0.5; c.m];
        let start = greedy(&c, &lambda);
        let far = Instant::now() + std::time::Duration::from_secs(60);
        let run = || {
            let mut e = Ejc::new(&c, &start, &lambda, 11);
            e.run(far, 60, f64::INFINITY)
        };
        let (a, v) = run();
        let (b, w) = run();
        assert_eq!(a, b);
        assert_eq!(v, w);
        let a = a.unwrap();
        let places: Vec<Option<usize>> = a.iter().map(|&o| Some(c.place(o as usize))).collect();
        let chk = check_assignment(&p, &places);
        assert!(chk.feasible);
        assert!((chk.objective + v).abs() < 1e-6);
        if let Some(g) = crate::core::feasible_profit(&c, &start) {
            assert!(v >= g - 1e-9);
        }
    }
}
