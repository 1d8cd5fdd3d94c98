//! Large-neighbourhood search by exact re-optimisation of a few places.
//!
//! Pick s places, free every item placed there (and, in optional mode, a few unplaced
//! items eligible there), and solve the small sub-problem "those items on those places,
//! with the full capacities" exactly by branch and bound (the knapsack-Lagrangian bound
//! when it applies), starting from the current assignment as incumbent. Items elsewhere
//! stay put, so any improvement is feasible for the whole problem. The neighbourhood size
//! adapts: larger while sub-problems finish quickly, smaller when they hit the node limit.
//! After many fruitless sub-problems the search restarts from a perturbed best solution
//! (a few random feasible shifts and swaps) so that it does not stall in one local optimum.
//!
//! Every other sub-problem is a set of items instead, re-placed in the room the others
//! leave, each on its 5 best options by reduced profit (or those the knapsack relaxation
//! chose for it, or where it is): items the relaxation leaves undecided (small regret), or
//! items placed away from the relaxation's choice — where the incumbent and the relaxation
//! disagree, as in relaxation-induced neighbourhood search (RINS) for integer programs. An item is
//! away when its reduced profit falls short of its best by more than 0.1 %: on the tight
//! classes many places tie for an item's best, and any of them is the relaxation's
//! choice. Where the knapsack relaxation has run (`round::kp_rounding`), its choices at
//! those of its tightest steps nearest an assignment are the relaxation's choice, and
//! three sub-problems in four are such items: on the tight classes they point at the
//! optimum far better than the capacity relaxation.
//!
//! One item set in two is drawn instead from the items that another good solution (of the
//! pool below) places differently: re-placed on their promising options, not only on the
//! places the two solutions gave them as in a merge.
//!
//! One sub-problem in `MERGE_EVERY` merges solutions instead (as in path relinking, and
//! construct-merge-solve-adapt): a shared pool keeps the best distinct local optima met
//! by every search thread (the knapsack roundings, the ejection chains, each LNS before a
//! restart and whenever it merges). The items that the current assignment and a few pool
//! members place differently are re-placed, each on one of the places those solutions
//! gave it.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::bnb::Bnb;
use crate::core::{Core, NONE, Scored, feasible_profit, subgradient};
use crate::kpbnb::{self, KpBnb};
use crate::model::ProblemBuilder;
use crate::rng::Rng;

/// Node limit of a sub-problem.
const LNS_NODES: u64 = 300;
/// One item set in this many is drawn from the items a good solution of the pool places
/// differently (where there is a pool).
const DIFFERING_EVERY: usize = 2;
/// How many local optima the merging keeps.
const POOL: usize = 6;
/// One sub-problem in this many merges the pool.
const MERGE_EVERY: u64 = 10;
/// Node limit of a merge (ten times a usual sub-problem's: its items have few options).
const MERGE_NODES: u64 = 5_000;
/// An item of an item set is re-placed on this many of its best options under the
/// multipliers (and those the knapsack relaxation chose).
const PROMISING: usize = 5;

/// Distinct good solutions, shared by the searches that merge them.
#[derive(Default)]
pub(crate) struct Pool {
    inner: Mutex<Vec<Scored>>,
}

impl Pool {
    /// A pool holding the best `POOL` of these solutions.
    pub fn new(start: &[Scored]) -> Self {
        let p = Pool::default();
        for (v, a) in start {
            p.remember(*v, a);
        }
        p
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Scored>> {
        // a thread that panicked holding the lock left a valid pool behind
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn len(&self) -> usize {
        self.lock().len()
    }

    /// A solution of profit `v` would be kept (if new): spares building it otherwise.
    pub fn wants(&self, v: f64) -> bool {
        let pool = self.lock();
        pool.len() < POOL || pool.iter().any(|x| x.0 < v)
    }

    /// Keep `a` (profit `v`) if it is new and among the best `POOL`.
    pub fn remember(&self, v: f64, a: &[u32]) {
        let mut pool = self.lock();
        if pool.iter().any(|(_, b)| b == a) {
            return;
        }
        if pool.len() >= POOL {
            match pool
                .iter()
                .enumerate()
                .min_by(|x, y| x.1.0.total_cmp(&y.1.0))
            {
                Some((w, (wv, _))) if *wv < v => {
                    pool.swap_remove(w);
                }
                _ => return,
            }
        }
        pool.push((v, a.to_vec()));
    }

    /// `k` members at random.
    fn pick(&self, rng: &mut Rng, k: usize) -> Vec<Vec<u32>> {
        let pool = self.lock();
        let mut idx: Vec<usize> = (0..pool.len()).collect();
        rng.shuffle(&mut idx);
        idx.truncate(k.clamp(1, pool.len().max(1)));
        idx.into_iter().map(|x| pool[x].1.clone()).collect()
    }
}

pub(crate) struct Lns<'c, 'p> {
    c: &'c Core<'p>,
    lambda: Vec<f64>,
    rng: Rng,
    asg: Vec<u32>,
    load: Vec<f64>,
    /// Items placed at each place (unordered).
    at: Vec<Vec<usize>>,
    pub rounds: u64,
    /// Branch-and-bound nodes over all sub-problems.
    pub nodes: u64,
    kp_iters: (usize, usize),
    /// Items by increasing regret under the multipliers (best minus second-best reduced
    /// profit): the ones the relaxation leaves undecided, where rounding goes wrong.
    ties: Vec<usize>,
    /// Each item's best reduced profit under the multipliers: the relaxation chooses the
    /// places that give it.
    relaxed_best: Vec<f64>,
    /// Each item's `PROMISING` best options under the multipliers, and the knapsack
    /// relaxation's choices for it: the options an item set may move it to.
    promising: Vec<Vec<u32>>,
    /// The knapsack relaxation's choices of option (at those of its tightest steps that
    /// leave the fewest items undecided), when known.
    choices: Vec<Vec<u32>>,
    /// The best distinct local optima met (shared between threads), for merging.
    pool: Arc<Pool>,
    /// Merges tried, improving and finished within the node limit.
    merges: (u64, u64, u64),
    merge_size: usize,
}

impl<'c, 'p> Lns<'c, 'p> {
    pub fn new(c: &'c Core<'p>, start: &[u32], lambda: &[f64], seed: u64) -> Self {
        let mut s = Lns {
            c,
            lambda: lambda.to_vec(),
            rng: Rng::new(seed ^ 0x1A5_0000),
            asg: start.to_vec(),
            load: vec![0.0; c.m * c.k],
            at: vec![Vec::new(); c.m],
            rounds: 0,
            nodes: 0,
            kp_iters: (40, 4),
            ties: Vec::new(),
            relaxed_best: vec![f64::NEG_INFINITY; c.n],
            promising: vec![Vec::new(); c.n],
            choices: Vec::new(),
            pool: Arc::new(Pool::default()),
            merges: (0, 0, 0),
            merge_size: 2,
        };
        let mut reg: Vec<(f64, usize)> = (0..c.n)
            .map(|j| {
                let (b1, _, b2) = c.best_two(lambda, j);
                s.relaxed_best[j] = b1;
                // in optional mode, leaving the item out is one more choice (worth 0)
                let (b1, b2) = if c.optional {
                    (b1.max(0.0), if b1 >= 0.0 { b2.max(0.0) } else { b1 })
                } else {
                    (b1, b2)
                };
                (b1 - b2, j)
            })
            .collect();
        reg.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        s.ties = reg.into_iter().map(|x| x.1).collect();
        for (j, best) in s.promising.iter_mut().enumerate() {
            let mut by_reduced: Vec<(f64, u32)> =
                c.p.options(j)
                    .filter(|&o| c.alive[o])
                    .map(|o| (c.reduced(lambda, j, o), o as u32))
                    .collect();
            by_reduced.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            best.extend(by_reduced.iter().take(PROMISING).map(|x| x.1));
        }
        s.rebuild();
        s
    }

    /// Take the relaxation's choice (an option per item, NONE where it is undecided)
    /// from the knapsack relaxation, when it is given: far closer to the optimum than the
    /// capacity relaxation's on the tight classes.
    pub fn with_choice(mut self, choices: &[Vec<u32>]) -> Self {
        self.choices = choices
            .iter()
            .filter(|a| a.len() == self.c.n)
            .cloned()
            .collect();
        for ch in &self.choices {
            for (opts, &o) in self.promising.iter_mut().zip(ch) {
                if o != NONE && !opts.contains(&o) {
                    opts.push(o);
                }
            }
        }
        self
    }

    /// Merge from (and into) this pool.
    pub fn with_pool(mut self, pool: Arc<Pool>) -> Self {
        self.pool = pool;
        self
    }

    fn rebuild(&mut self) {
        let (c, k) = (self.c, self.c.k);
        self.load.iter_mut().for_each(|x| *x = 0.0);
        self.at.iter_mut().for_each(|v| v.clear());
        for (j, &o) in self.asg.iter().enumerate() {
            if o != NONE {
                let i = c.place(o as usize);
                self.at[i].push(j);
                for (x, r) in self.load[i * k..(i + 1) * k]
                    .iter_mut()
                    .zip(c.need(j, o as usize))
                {
                    *x += r;
                }
            }
        }
    }

    /// Solve the sub-problem on `places`; returns (improved, completed).
    fn reoptimise(&mut self, places: &[usize], deadline: Instant, node_limit: u64) -> (bool, bool) {
        let c = self.c;
        let k = c.k;
        let mut items: Vec<usize> = places.iter().flat_map(|&i| self.at[i].clone()).collect();
        if c.optional {
            // a few unplaced items eligible at one of these places
            let mut extra = 0;
            let start = self.rng.below(c.n.max(1));
            for step in 0..c.n {
                if extra >= 2 * items.len().max(8) {
                    break;
                }
                let j = (start + step) % c.n;
                if self.asg[j] == NONE
                    && places
                        .iter()
                        .any(|&i| c.p.find_option(j, i).is_some_and(|o| c.alive[o]))
                {
                    items.push(j);
                    extra += 1;
                }
            }
        }
        if items.is_empty() {
            return (false, true);
        }
        items.sort_unstable();
        let caps: Vec<f64> = places
            .iter()
            .flat_map(|&i| c.cap[i * k..(i + 1) * k].iter().copied())
            .collect();
        self.solve_sub(&items, places, &caps, None, deadline, node_limit)
    }

    /// Re-place the items at the margin of the Lagrangian choice: `items` (in any places),
    /// each on its promising options or where it is, in the room the other items leave.
    /// An item's place in a good solution is nearly always among its 5 best by reduced
    /// profit (197 and 198 of the 200 items in two near-optimal solutions of chu d20200,
    /// ranked by the LP duals), so the branch and bound spends its nodes on those.
    fn reoptimise_items(
        &mut self,
        items: &mut [usize],
        deadline: Instant,
        node_limit: u64,
    ) -> (bool, bool) {
        let promising = std::mem::take(&mut self.promising);
        let r = self.reoptimise_items_among(items, Some(&promising), deadline, node_limit);
        self.promising = promising;
        r
    }

    /// Re-place `items` on every place in the room the others leave, each on the options
    /// `allowed[j]` only (when given) or where it is now.
    fn reoptimise_items_among(
        &mut self,
        items: &mut [usize],
        allowed: Option<&[Vec<u32>]>,
        deadline: Instant,
        node_limit: u64,
    ) -> (bool, bool) {
        let c = self.c;
        let k = c.k;
        if items.is_empty() {
            return (false, true);
        }
        items.sort_unstable();
        let places: Vec<usize> = (0..c.m).collect();
        let mut caps: Vec<f64> = c.cap.iter().zip(&self.load).map(|(b, l)| b - l).collect();
        for &j in items.iter() {
            let o = self.asg[j];
            if o != NONE {
                let i = c.place(o as usize);
                for (x, r) in caps[i * k..(i + 1) * k]
                    .iter_mut()
                    .zip(c.need(j, o as usize))
                {
                    *x += r;
                }
            }
        }
        caps.iter_mut().for_each(|x| *x = x.max(0.0));
        self.solve_sub(items, &places, &caps, allowed, deadline, node_limit)
    }

    /// Solve "these items on these places with these capacities" exactly (node-limited),
    /// the current assignment as incumbent; apply an improvement.
    fn solve_sub(
        &mut self,
        items: &[usize],
        places: &[usize],
        caps: &[f64],
        allowed: Option<&[Vec<u32>]>,
        deadline: Instant,
        node_limit: u64,
    ) -> (bool, bool) {
        let c = self.c;
        let k = c.k;
        let mut b = ProblemBuilder::new(vec![String::new(); k], c.p.sense, c.p.mode);
        for ii in 0..places.len() {
            if b.place(String::new(), &caps[ii * k..(ii + 1) * k]).is_err() {
                return (false, true);
            }
        }
        let zero = vec![0.0; k];
        let mut cur = Vec::with_capacity(items.len());
        for &j in items {
            if b.item(String::new(), &zero).is_err() {
                return (false, true);
            }
            let mut here = None;
            for (ii, &i) in places.iter().enumerate() {
                if let Some(o) = c.p.find_option(j, i)
                    && c.alive[o]
                    && (self.asg[j] == o as u32
                        || allowed.is_none_or(|a| a[j].contains(&(o as u32))))
                {
                    if b.option_with_need(ii, c.p.opt_value[o], c.need(j, o))
                        .is_err()
                    {
                        return (false, true);
                    }
                    if self.asg[j] == o as u32 {
                        here = Some(ii);
                    }
                }
            }
            cur.push(here);
        }
        let Ok(sub) = b.build() else {
            return (false, true);
        };
        let sc = Core::new(&sub);
        // incumbent in sub options
        let inc: Vec<u32> = cur
            .iter()
            .enumerate()
            .map(|(jj, h)| match h {
                Some(ii) => sub.find_option(jj, *ii).map_or(NONE, |o| o as u32),
                None => NONE,
            })
            .collect();
        let inc_v = match feasible_profit(&sc, &inc) {
            Some(v) => v,
            None => return (false, true),
        };
        let mut lam = Vec::with_capacity(places.len() * k);
        for &i in places {
            lam.extend_from_slice(&self.lambda[i * k..(i + 1) * k]);
        }
        let lam = subgradient(&sc, &lam, inc_v, 30, deadline).lambda;
        let (best, best_asg, aborted) = if kpbnb::applicable(&sc) {
            let mut bb = KpBnb::new(&sc, &lam, Some((&inc, inc_v)), node_limit, deadline);
            bb.iters = (self.kp_iters.0, self.kp_iters.1);
            bb.run();
            self.nodes += bb.nodes;
            (bb.best, bb.best_asg.take(), bb.aborted)
        } else {
            let mut bb = Bnb::new(&sc, &lam, Some((&inc, inc_v)), node_limit, deadline);
            bb.run();
            self.nodes += bb.nodes;
            (bb.best, bb.best_asg.take(), bb.aborted)
        };
        let Some(a) = best_asg else {
            return (false, !aborted);
        };
        if best <= inc_v + 1e-9 * inc_v.abs().max(1.0) {
            return (false, !aborted);
        }
        for (jj, &j) in items.iter().enumerate() {
            let so = a[jj];
            self.asg[j] = if so == NONE {
                NONE
            } else {
                let ii = sub.option_place(so as usize);
                c.p.find_option(j, places[ii]).map_or(NONE, |o| o as u32)
            };
        }
        self.rebuild();
        (true, !aborted)
    }

    /// Solution merging: the current assignment and `merge_size` members of the pool.
    /// Every item they place differently is re-placed, on one of the places they gave
    /// it, in the room the others leave: the best combination of their differences.
    /// The number of members grows while merges finish within the node limit.
    fn merge(&mut self, deadline: Instant, node_limit: u64) -> (bool, bool) {
        let c = self.c;
        let mut allowed: Vec<Vec<u32>> = self.asg.iter().map(|&o| vec![o]).collect();
        for a in self.pool.pick(&mut self.rng, self.merge_size) {
            for (j, &o) in a.iter().enumerate() {
                if o != NONE && !allowed[j].contains(&o) {
                    allowed[j].push(o);
                }
            }
        }
        let mut items: Vec<usize> = (0..c.n).filter(|&j| allowed[j].len() > 1).collect();
        self.merges.0 += 1;
        let r = self.reoptimise_items_among(&mut items, Some(&allowed), deadline, node_limit);
        if r.0 {
            self.merges.1 += 1;
        }
        if r.1 {
            self.merges.2 += 1;
            if self.merge_size < POOL {
                self.merge_size += 1;
            }
        } else if self.merge_size > 1 {
            self.merge_size -= 1;
        }
        r
    }

    /// The items placed away from the relaxation's choice: the knapsack relaxation's
    /// (one of its chosen steps at random) where known; else those whose reduced profit
    /// falls more than 0.1 % short of their best (any place tied with the best is as much
    /// the capacity relaxation's choice).
    fn away(&mut self) -> Vec<usize> {
        let c = self.c;
        if self.choices.is_empty() {
            return (0..c.n)
                .filter(|&j| {
                    let (o, b) = (self.asg[j], self.relaxed_best[j]);
                    o != NONE
                        && c.reduced(&self.lambda, j, o as usize) < b - 1e-3 * b.abs().max(1.0)
                })
                .collect();
        }
        let pick = self.rng.below(self.choices.len());
        self.placed_differently(&self.choices[pick])
    }

    /// The items that `other` (an option per item, NONE where undecided) places
    /// differently from the current assignment.
    fn placed_differently(&self, other: &[u32]) -> Vec<usize> {
        (0..self.c.n)
            .filter(|&j| other.get(j).is_some_and(|&o| o != self.asg[j]))
            .collect()
    }

    /// The items that a good solution of the pool (one at random) places differently.
    fn differing(&mut self) -> Vec<usize> {
        let other = self.pool.pick(&mut self.rng, 1).pop().unwrap_or_default();
        self.placed_differently(&other)
    }

    /// Random feasible shifts and swaps (for restarts).
    fn perturb(&mut self, moves: usize) {
        let (c, k) = (self.c, self.c.k);
        let fits = |load: &[f64], i: usize, need: &[f64], minus: Option<&[f64]>| {
            (0..k).all(|r| {
                load[i * k + r] + need[r] - minus.map_or(0.0, |m| m[r]) <= c.cap[i * k + r] + 1e-9
            })
        };
        let mut done = 0;
        for _ in 0..moves * 20 {
            if done >= moves {
                break;
            }
            let j = self.rng.below(c.n);
            let oj = self.asg[j];
            if oj == NONE {
                continue;
            }
            let ij = c.place(oj as usize);
            let l = self.rng.below(c.n);
            let ol = self.asg[l];
            if ol == NONE || l == j {
                continue;
            }
            let il = c.place(ol as usize);
            if il == ij {
                continue;
            }
            let (Some(nj), Some(nl)) = (c.p.find_option(j, il), c.p.find_option(l, ij)) else {
                continue;
            };
            if !c.alive[nj] || !c.alive[nl] {
                continue;
            }
            let (dj_old, dl_old) = (c.need(j, oj as usize), c.need(l, ol as usize));
            let (dj_new, dl_new) = (c.need(j, nj), c.need(l, nl));
            if fits(&self.load, il, dj_new, Some(dl_old))
                && fits(&self.load, ij, dl_new, Some(dj_old))
            {
                self.asg[j] = nj as u32;
                self.asg[l] = nl as u32;
                for r in 0..k {
                    self.load[il * k + r] += dj_new[r] - dl_old[r];
                    self.load[ij * k + r] += dl_new[r] - dj_old[r];
                }
                done += 1;
            }
        }
        self.rebuild();
    }

    /// The sub-problem kernel alone, for benchmarks: `sets` item sets of `size` items drawn
    /// at random, each re-placed on its promising options from the start assignment
    /// (which is restored after each) with the LNS's node limit. Given a `deadline` no set
    /// reaches, the work is the same run after run. Returns how many improved and how
    /// many finished within the node limit.
    pub fn item_set_kernel(
        &mut self,
        sets: usize,
        size: usize,
        deadline: Instant,
    ) -> (usize, usize) {
        let c = self.c;
        if c.n == 0 {
            return (0, 0);
        }
        let start = self.asg.clone();
        let size = size.clamp(1, c.n);
        let (mut improved, mut finished) = (0, 0);
        let mut chosen: Vec<usize> = Vec::with_capacity(size);
        for _ in 0..sets {
            chosen.clear();
            while chosen.len() < size {
                let j = self.rng.below(c.n);
                if !chosen.contains(&j) {
                    chosen.push(j);
                }
            }
            let (i, f) = self.reoptimise_items(&mut chosen, deadline, LNS_NODES);
            improved += usize::from(i);
            finished += usize::from(f);
            if i {
                self.asg.copy_from_slice(&start);
                self.rebuild();
            }
        }
        (improved, finished)
    }

    /// Run until the deadline, `max_rounds` sub-problems, or profit >= target. `start` must
    /// be feasible. Returns the best assignment and its profit.
    pub fn run(
        &mut self,
        deadline: Instant,
        max_rounds: u64,
        target: f64,
    ) -> (Option<Vec<u32>>, f64) {
        let c = self.c;
        let Some(mut best_p) = feasible_profit(c, &self.asg) else {
            return (None, f64::NEG_INFINITY);
        };
        let mut best = self.asg.clone();
        let mut cur_p = best_p;
        let m = c.m;
        if m < 2 {
            return (Some(best), best_p);
        }
        let mut s = 2.min(m);
        let mut f = 12usize;
        let mut fails = 0u64;
        let mut restarts_since = 0u64;
        let node_limit = LNS_NODES;
        let done = |p: f64| p >= target - 1e-9 * target.abs().max(1.0);
        let mut places: Vec<usize> = Vec::with_capacity(m);
        let mut pick: Vec<usize> = (0..m).collect();
        while self.rounds < max_rounds && !done(best_p) {
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            self.rounds += 1;
            let sub_deadline = deadline.min(now + Duration::from_millis(10));
            let by_items = (self.rounds.is_multiple_of(2)
                || (!self.choices.is_empty() && self.rounds % 4 == 3))
                && self.ties.len() > f;
            let merging = self.rounds % MERGE_EVERY == 1 && self.pool.len() >= 2;
            let (improved, complete) = if merging {
                self.pool.remember(cur_p, &self.asg);
                self.merge(deadline.min(now + Duration::from_millis(30)), MERGE_NODES)
            } else if by_items {
                let mut chosen: Vec<usize> = Vec::with_capacity(f);
                // the items placed away from the relaxation's choice (one set in
                // DIFFERING_EVERY: placed differently by another good solution), f of
                // them at random if there are more; the rest among the 3f the capacity
                // relaxation leaves most undecided
                let differing = if self.pool.len() >= 2 && self.rng.below(DIFFERING_EVERY) == 0 {
                    self.differing()
                } else {
                    Vec::new()
                };
                let away = if !differing.is_empty() {
                    differing
                } else if self.rounds.is_multiple_of(4) || !self.choices.is_empty() {
                    self.away()
                } else {
                    Vec::new()
                };
                if away.len() > f {
                    while chosen.len() < f {
                        let j = away[self.rng.below(away.len())];
                        if !chosen.contains(&j) {
                            chosen.push(j);
                        }
                    }
                } else {
                    // all of them, and the rest among the most undecided
                    chosen.extend_from_slice(&away);
                    let pool = (3 * f).min(self.ties.len());
                    while chosen.len() < f {
                        let j = self.ties[self.rng.below(pool)];
                        if !chosen.contains(&j) {
                            chosen.push(j);
                        }
                    }
                }
                let r = self.reoptimise_items(&mut chosen, sub_deadline, node_limit);
                if r.1 && f < c.n / 2 {
                    f += 1;
                } else if !r.1 && f > 4 {
                    f -= 1;
                }
                r
            } else {
                // s distinct places at random
                self.rng.shuffle(&mut pick);
                places.clear();
                places.extend_from_slice(&pick[..s]);
                places.sort_unstable();
                self.reoptimise(&places, sub_deadline, node_limit)
            };
            if improved {
                cur_p = c.profit_of(&self.asg);
                fails = 0;
                if cur_p > best_p + 1e-9 * best_p.abs().max(1.0) {
                    best_p = cur_p;
                    best.copy_from_slice(&self.asg);
                    restarts_since = 0;
                }
            } else {
                fails += 1;
            }
            if by_items || merging {
                // f adapts above
            } else if complete && s < m && self.rng.below(4) == 0 {
                s += 1;
            } else if !complete && s > 2 {
                s -= 1;
            }
            // stalled: restart from the best with a perturbation
            let stall = 3 * m as u64 + 20;
            if fails > stall {
                fails = 0;
                // a local optimum of these neighbourhoods: keep it for merging
                self.pool.remember(cur_p, &self.asg);
                restarts_since += 1;
                if restarts_since > 3 || cur_p < best_p - 1e-9 * best_p.abs().max(1.0) {
                    self.asg.copy_from_slice(&best);
                    self.rebuild();
                }
                let strength = 2 + self.rng.below((c.n / 25).clamp(2, 20));
                self.perturb(strength);
                cur_p = c.profit_of(&self.asg);
            }
        }
        if std::env::var_os("HAVEN_DEBUG").is_some() {
            eprintln!("lns merges {:?} pool {}", self.merges, self.pool.len());
        }
        (Some(best), best_p)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::testutil::{brute_among, feasible_all, small};
    use proptest::prelude::*;

    #[test]
    fn the_pool_keeps_the_best_distinct_solutions() {
        let pool = Pool::default();
        for v in 0..2 * POOL as u32 {
            pool.remember(v as f64, &[v, v]);
        }
        pool.remember(2.0 * POOL as f64 - 1.0, &[2 * POOL as u32 - 1; 2]);
        let kept = pool.lock().clone();
        assert_eq!(kept.len(), POOL);
        let mut values: Vec<f64> = kept.iter().map(|x| x.0).collect();
        values.sort_by(f64::total_cmp);
        let want: Vec<f64> = (POOL..2 * POOL).map(|v| v as f64).collect();
        assert_eq!(values, want);
    }

    #[test]
    fn differing_items_are_those_another_good_solution_places_elsewhere() {
        let p = crate::testutil::dense(3, &[20, 20, 20], 6, 3);
        let c = Core::new(&p);
        let start: Vec<u32> = (0..c.n)
            .map(|j| c.p.options(j).next().unwrap() as u32)
            .collect();
        let mut other = start.clone();
        other[1] = c.p.options(1).nth(2).unwrap() as u32;
        other[4] = c.p.options(4).nth(1).unwrap() as u32;
        let mut l = Lns::new(&c, &start, &vec![0.0; c.m * c.k], 7)
            .with_pool(Arc::new(Pool::new(&[(0.0, other)])));
        assert_eq!(l.differing(), vec![1, 4]);
    }

    #[test]
    fn the_kernel_benchmark_improves_from_its_start_and_restores_it() {
        let p = crate::testutil::dense(5, &[9, 9, 9], 7, 4);
        let c = Core::new(&p);
        let all = feasible_all(&c);
        let (worst_v, worst) = all
            .iter()
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .cloned()
            .expect("a feasible assignment");
        let best_v = all.iter().map(|x| x.0).fold(f64::NEG_INFINITY, f64::max);
        assert!(best_v > worst_v, "the instance leaves room to improve");
        let mut l = Lns::new(&c, &worst, &vec![0.0; c.m * c.k], 3);
        // every item in every set: each set finds the optimum, better than the start
        let far = Instant::now() + Duration::from_secs(60);
        let (improved, finished) = l.item_set_kernel(4, c.n, far);
        assert_eq!((improved, finished), (4, 4));
        assert_eq!(l.asg, worst, "the start is restored after each set");
        assert!(l.nodes >= 4);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        /// A merge finds the best combination of the solutions' differences: the brute
        /// force optimum with each item on one of the places they gave it.
        #[test]
        fn a_merge_finds_the_best_combination(p in small(), picks in proptest::collection::vec(any::<u32>(), 3)) {
            let c = Core::new(&p);
            let all = feasible_all(&c);
            prop_assume!(all.len() >= 2);
            let chosen: Vec<&Scored> = picks.iter().map(|x| &all[*x as usize % all.len()]).collect();
            let (start_v, start) = chosen[0].clone();
            let others: Vec<Scored> = chosen[1..].iter().map(|x| (*x).clone()).collect();
            let mut l = Lns::new(&c, &start, &vec![0.0; c.m * c.k], 7)
                .with_pool(Arc::new(Pool::new(&others)));
            l.merge_size = POOL;
            let far = Instant::now() + Duration::from_secs(60);
            let (_, complete) = l.merge(far, 10_000_000);
            prop_assert!(complete);
            let v = feasible_profit(&c, &l.asg).expect("a merge keeps the assignment feasible");
            prop_assert!(v >= start_v - 1e-9);
            let allow = |j: usize, o: usize| chosen.iter().any(|s| s.1[j] == o as u32);
            let best = brute_among(&c, &allow).expect("the start is among them");
            prop_assert!((v - best).abs() <= 1e-9, "merge {v}, best combination {best}");
        }

        /// An item set re-places its items on their promising options (or where they
        /// are) and nowhere else, and finds the best such re-placement.
        #[test]
        fn an_item_set_keeps_to_promising_options(
            p in small(),
            pick in any::<u32>(),
            keep in 1usize..3,
        ) {
            let c = Core::new(&p);
            let all = feasible_all(&c);
            prop_assume!(!all.is_empty());
            let (start_v, start) = all[pick as usize % all.len()].clone();
            let mut l = Lns::new(&c, &start, &vec![0.0; c.m * c.k], 7);
            // fewer promising options than places, so the restriction bites
            l.promising.iter_mut().for_each(|opts| opts.truncate(keep));
            let promising = l.promising.clone();
            let mut items: Vec<usize> = (0..c.n).collect();
            let far = Instant::now() + Duration::from_secs(60);
            let (_, complete) = l.reoptimise_items(&mut items, far, 10_000_000);
            prop_assert!(complete);
            let v = feasible_profit(&c, &l.asg).expect("an item set keeps the assignment feasible");
            let allow =
                |j: usize, o: usize| start[j] == o as u32 || promising[j].contains(&(o as u32));
            for (j, &o) in l.asg.iter().enumerate() {
                prop_assert!(allow(j, o as usize), "item {j} moved to option {o}, not promising");
            }
            let best = brute_among(&c, &allow).expect("the start is among them");
            prop_assert!(v >= start_v - 1e-9);
            prop_assert!((v - best).abs() <= 1e-9, "item set {v}, best re-placement {best}");
        }
    }
}
