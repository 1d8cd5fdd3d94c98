//! Branch and bound with the knapsack Lagrangian bound (one resource, integer data).
//!
//! Relaxing "each item at most / exactly once" with multipliers `u_j` splits the problem
//! into one 0/1 knapsack per place: `L(u) = Σ_j u_j + Σ_i KP_i(p_ij − u_j)`. This bound is
//! never weaker than the LP relaxation (Fisher, Jaikumar and Van Wassenhove 1986) and is
//! much stronger on the classic GAP instances. Knapsacks are solved exactly by dynamic
//! programming over the integer capacity. Multipliers start from the LP duals implied by
//! the capacity multipliers λ, and are improved by subgradient steps at every node.
//! Each child of a branching is first bounded from its parent's knapsacks (the item
//! forced in at its place, left out elsewhere), so a child that bound prunes costs no
//! evaluation of its own. At the root the same reading is made for every option at once
//! (each knapsack's programme run forwards and backwards), and the options whose forced
//! bound cannot beat the incumbent are closed for the whole search (reduced-cost fixing).

use std::time::Instant;

use crate::core::{Core, NONE};

/// Rounds of fixing at the root, each after the bound has been tightened without the
/// options the one before closed.
const ROOT_FIXING_ROUNDS: usize = 3;

/// The knapsack bound applies: one resource, integral data, small capacities.
pub(crate) fn applicable(c: &Core) -> bool {
    c.k == 1
        && c.p.is_integral()
        && c.cap.iter().all(|b| *b <= 50_000.0)
        && c.cap.iter().map(|b| (*b + 1.0) * c.n as f64).sum::<f64>() <= 3.0e6
}

/// What `relax` reports after each step: the bound, each item's place (an option) and
/// how many knapsacks took it.
pub(crate) type Seen<'a> = dyn FnMut(f64, &[u32], &[u32]) + 'a;

/// An option in its place's list.
#[derive(Clone, Copy)]
struct Entry {
    j: usize,
    o: usize,
    w: i64,
    profit: f64,
}

pub(crate) struct KpBnb<'c, 'p> {
    c: &'c Core<'p>,
    w: Vec<i64>,
    rem: Vec<i64>,
    decided: Vec<bool>,
    asg: Vec<u32>,
    fixed: f64,
    u: Vec<Vec<f64>>,
    pub best: f64,
    pub best_asg: Option<Vec<u32>>,
    pub nodes: u64,
    node_limit: u64,
    deadline: Instant,
    pub aborted: bool,
    // scratch
    cnt: Vec<u32>,
    inplace: Vec<u32>,
    val: Vec<f64>,
    val2: Vec<f64>,
    /// The dynamic programme's rows, one per candidate (stride: the room + 1).
    table: Vec<f64>,
    /// The same in `f32`, where that is exact (see [`GRID`]).
    table32: Vec<f32>,
    /// Never `f32` (for tests and benchmarks of the arithmetic).
    pub f64_only: bool,
    /// Knapsack programmes run in `f64` and in `f32`.
    pub programmes: [u64; 2],
    cand: Vec<(usize, usize, f64, i64)>,
    /// Each place's knapsack value at the last evaluation.
    kp_val: Vec<f64>,
    /// Each place's last row of the dynamic programme (stride `maxcap + 1`), where
    /// `row_ok`: the best value at every capacity up to the place's room.
    rows: Vec<f64>,
    row_ok: Vec<bool>,
    pub root_bound: f64,
    /// Each place's options (those the fixing closed taken out), with what listing its
    /// candidates reads, side by side.
    by_place: Vec<Vec<Entry>>,
    /// Subgradient iterations at the root and at other nodes.
    pub iters: (usize, usize),
    /// The dynamic programme's rows from the last candidate back (fixing at the root).
    back: Vec<f64>,
    /// Options the root's fixing proved cannot be in a better solution.
    gone: Vec<bool>,
    /// Give up (aborted) when the root's fixing closes no option: see `hopeless_unfixed`.
    give_up_unfixed: bool,
}

impl<'c, 'p> KpBnb<'c, 'p> {
    pub fn new(
        c: &'c Core<'p>,
        lambda: &[f64],
        incumbent: Option<(&[u32], f64)>,
        node_limit: u64,
        deadline: Instant,
    ) -> Self {
        let w = (0..c.p.num_options()).map(|_| 0).collect::<Vec<i64>>();
        let mut w = w;
        for j in 0..c.n {
            for o in c.p.options(j) {
                w[o] = c.need(j, o)[0].round() as i64;
            }
        }
        // u_j = best reduced profit (LP dual of the assignment row)
        let mut u0 = vec![0.0; c.n];
        for (j, u) in u0.iter_mut().enumerate() {
            let mut b = if c.optional { 0.0 } else { f64::NEG_INFINITY };
            for o in c.p.options(j) {
                if c.alive[o] {
                    b = f64::max(b, c.reduced(lambda, j, o));
                }
            }
            *u = if b.is_finite() { on_grid(b) } else { 0.0 };
        }
        let mut by_place = vec![Vec::new(); c.m];
        for j in 0..c.n {
            for o in c.p.options(j) {
                if c.alive[o] {
                    by_place[c.place(o)].push(Entry {
                        j,
                        o,
                        w: w[o],
                        profit: c.profit(o),
                    });
                }
            }
        }
        let maxcap = c.cap.iter().fold(0.0f64, |a, b| a.max(*b)) as usize;
        // the most candidates a knapsack can have
        let most = by_place.iter().map(Vec::len).max().unwrap_or(0);
        KpBnb {
            c,
            w,
            rem: c.cap.iter().map(|b| b.round() as i64).collect(),
            decided: vec![false; c.n],
            asg: vec![NONE; c.n],
            fixed: 0.0,
            u: vec![u0; c.n + 2],
            best: incumbent.map(|x| x.1).unwrap_or(f64::NEG_INFINITY),
            best_asg: incumbent.map(|x| x.0.to_vec()),
            nodes: 0,
            node_limit,
            deadline,
            aborted: false,
            cnt: vec![0; c.n],
            inplace: vec![NONE; c.n],
            val: vec![0.0; maxcap + 1],
            val2: vec![0.0; maxcap + 1],
            table: vec![0.0; (maxcap + 1) * (most + 1)],
            table32: Vec::new(),
            f64_only: false,
            programmes: [0; 2],
            cand: Vec::new(),
            kp_val: vec![0.0; c.m],
            rows: vec![0.0; (maxcap + 1) * c.m],
            row_ok: vec![false; c.m],
            root_bound: f64::INFINITY,
            by_place,
            iters: (150, 12),
            back: Vec::new(),
            gone: vec![false; c.p.num_options()],
            give_up_unfixed: false,
        }
    }

    /// Start from these multipliers of the assignment rows (one per item; from an earlier
    /// run of the same relaxation) instead of the LP duals, with `root_iters` subgradient
    /// steps at the root instead of 150: the bound is reached for a fraction of the steps.
    pub fn with_multipliers(mut self, u: &[f64], root_iters: usize) -> Self {
        if u.len() == self.c.n {
            for row in &mut self.u {
                for (x, &v) in row.iter_mut().zip(u) {
                    *x = on_grid(v);
                }
            }
            self.iters.0 = root_iters;
        }
        self
    }

    /// Give up at once (`aborted`) when the reduced-cost fixing at the root closes no
    /// option at all. Then the incumbent is so far from the bound that no option can be
    /// ruled out, and the tree is the whole problem: on the tight classes (chu type D at
    /// 1 s, gap 30–60 with no option closed) the search never gets past its first nodes,
    /// while on the instances it proves the fixing closes 60–85 % of the options. The
    /// exact search uses it to hand its time to the local searches.
    pub fn hopeless_unfixed(mut self) -> Self {
        self.give_up_unfixed = true;
        self
    }

    /// The multipliers of the assignment rows at the root (after `relax`: at its best
    /// bound).
    pub fn multipliers(&self) -> &[f64] {
        &self.u[0]
    }

    fn prunable(&self, ub: f64) -> bool {
        if self.best == f64::NEG_INFINITY {
            return ub == f64::NEG_INFINITY;
        }
        (ub + 1e-6).floor() <= self.best + 1e-9
    }

    /// Evaluate L(u) at depth d; fills cnt / inplace. Returns -inf if infeasible.
    fn eval(&mut self, d: usize) -> f64 {
        let c = self.c;
        let mut total = self.fixed;
        for j in 0..c.n {
            self.cnt[j] = 0;
            self.inplace[j] = NONE;
            if !self.decided[j] {
                total += self.u[d][j];
            }
        }
        for i in 0..c.m {
            let cap = self.rem[i];
            self.kp_val[i] = 0.0;
            self.row_ok[i] = false;
            if cap < 0 {
                return f64::NEG_INFINITY;
            }
            self.candidates(d, i);
            if self.cand.is_empty() {
                continue;
            }
            let cap = cap as usize;
            // greedy shortcut: everything fits
            let wsum: i64 = self.cand.iter().map(|x| x.3).sum();
            if wsum as usize <= cap {
                for &(j, o, q, _) in &self.cand {
                    total += q;
                    self.kp_val[i] += q;
                    self.cnt[j] += 1;
                    self.inplace[j] = o as u32;
                }
                continue;
            }
            let at = i * self.val.len();
            let row = &mut self.rows[at..=at + cap];
            let (cand, cnt, inplace) = (&self.cand, &mut self.cnt, &mut self.inplace);
            // every value of the programme is a sum of candidates' values
            let qsum: f64 = cand.iter().map(|x| x.2).sum();
            let v = if qsum < F32_EXACT && !self.f64_only {
                self.programmes[1] += 1;
                knapsack(
                    &mut self.table32,
                    cand,
                    cap,
                    |q| q as f32,
                    row,
                    cnt,
                    inplace,
                )
            } else {
                self.programmes[0] += 1;
                knapsack(&mut self.table, cand, cap, |q| q, row, cnt, inplace)
            };
            total += v;
            self.kp_val[i] = v;
            self.row_ok[i] = true;
        }
        total
    }

    /// Place `i`'s knapsack candidates at the multipliers `u[d]`, into `self.cand`: the
    /// undecided items that fit its room and gain there (item, option, profit − u_j,
    /// weight).
    fn candidates(&mut self, d: usize, i: usize) {
        let cap = self.rem[i];
        self.cand.clear();
        let u = &self.u[d];
        for e in &self.by_place[i] {
            if self.decided[e.j] || e.w > cap {
                continue;
            }
            let q = e.profit - u[e.j];
            if q > 1e-12 {
                self.cand.push((e.j, e.o, q, e.w));
            }
        }
    }

    /// Place `i`'s knapsack at the multipliers `u[d]` without item `skip`, at every
    /// capacity up to the place's room: `self.val[..=rem]` (the row of the dynamic
    /// programme).
    fn row_without(&mut self, d: usize, i: usize, skip: usize) {
        let cap = self.rem[i].max(0) as usize;
        let (mut cur, mut next) = (&mut self.val[..=cap], &mut self.val2[..=cap]);
        cur.iter_mut().for_each(|x| *x = 0.0);
        let mut swapped = false;
        for e in &self.by_place[i] {
            let wt = e.w;
            if e.j == skip || self.decided[e.j] || wt as usize > cap {
                continue;
            }
            let q = e.profit - self.u[d][e.j];
            if q <= 1e-12 {
                continue;
            }
            let wt = wt as usize;
            next[..wt].copy_from_slice(&cur[..wt]);
            for ((nx, &stay), &take) in next[wt..].iter_mut().zip(&cur[wt..]).zip(&cur[..=cap - wt])
            {
                let v = take + q;
                *nx = if v > stay { v } else { stay };
            }
            std::mem::swap(&mut cur, &mut next);
            swapped = !swapped;
        }
        if swapped {
            // the row is in val2
            next.copy_from_slice(cur);
        }
    }

    /// The bound of each child of the branching on item `j` (its options, and NONE in
    /// optional mode), at the node's multipliers, where the node's bound is `l`: placing
    /// `j` at `i` costs place `i`'s knapsack the loss of having `j` forced in, and every
    /// other place the loss of doing without it. This is what each child's first
    /// evaluation would find, for the price of one evaluation in all.
    fn child_bounds(&mut self, d: usize, j: usize, l: f64, options: &[u32]) -> Vec<f64> {
        let c = self.c;
        // for each place: the knapsack without j at full room, and with j forced in
        let mut out_loss = vec![0.0; c.m];
        let mut in_value = vec![f64::NEG_INFINITY; c.m];
        for i in 0..c.m {
            if self.rem[i] < 0 {
                continue;
            }
            let cap = self.rem[i] as usize;
            let opt = options
                .iter()
                .find(|&&o| o != NONE && c.place(o as usize) == i)
                .map(|&o| o as usize);
            // the evaluation's row is the knapsack without j where j was no candidate
            let candidate = opt
                .is_some_and(|o| self.w[o] as usize <= cap && c.profit(o) - self.u[d][j] > 1e-12);
            let row: &[f64] = if self.row_ok[i] && !candidate {
                let at = i * self.val.len();
                &self.rows[at..at + cap + 1]
            } else {
                self.row_without(d, i, j);
                &self.val[..cap + 1]
            };
            out_loss[i] = self.kp_val[i] - row[cap];
            if let Some(o) = opt {
                let wt = self.w[o] as usize;
                if wt <= cap {
                    let q = c.profit(o) - self.u[d][j];
                    in_value[i] = q + row[cap - wt];
                }
            }
        }
        let all_out: f64 = out_loss.iter().sum();
        options
            .iter()
            .map(|&o| {
                if o == NONE {
                    return l - all_out - self.u[d][j];
                }
                let i = c.place(o as usize);
                let forced_in_loss = self.kp_val[i] - in_value[i];
                l - forced_in_loss - (all_out - out_loss[i])
            })
            .collect()
    }

    /// Reduced-cost fixing at node `d` (the root): for every option still open, the bound
    /// of the node with the option forced (its item in that knapsack and out of every
    /// other), from each knapsack's programme run forwards and backwards. An option whose
    /// bound cannot beat the incumbent is closed for the rest of the search. Returns how
    /// many were closed, or `None` when an item is left with no option (nothing better
    /// below this node).
    fn fix(&mut self, d: usize) -> Option<usize> {
        let c = self.c;
        if !self.best.is_finite() {
            return Some(0);
        }
        let no = c.p.num_options();
        let mut in_loss = vec![0.0; no];
        let mut out_loss = vec![0.0; no];
        let mut l = self.fixed;
        for j in 0..c.n {
            if !self.decided[j] {
                l += self.u[d][j];
            }
        }
        let mut kill: Vec<usize> = Vec::new();
        for i in 0..c.m {
            if self.rem[i] < 0 {
                return None;
            }
            let cap = self.rem[i] as usize;
            let stride = cap + 1;
            self.candidates(d, i);
            let len = self.cand.len();
            let table = &mut self.table[..(len + 1) * stride];
            programme(table, stride, self.cand.iter().map(|x| (x.2, x.3 as usize)));
            // the same from the last candidate back: row r holds the last r candidates
            if self.back.len() < (len + 1) * stride {
                self.back.resize((len + 1) * stride, 0.0);
            }
            let back = &mut self.back[..(len + 1) * stride];
            programme(
                back,
                stride,
                self.cand.iter().rev().map(|x| (x.2, x.3 as usize)),
            );
            let full = &table[len * stride..];
            let kp = full[cap];
            l += kp;
            // one optimal filling: a candidate in it loses nothing forced in, one out of it
            // nothing left out
            let mut taken = vec![false; len];
            let mut cc = cap;
            for idx in (0..len).rev() {
                if table[(idx + 1) * stride + cc] != table[idx * stride + cc] {
                    taken[idx] = true;
                    cc -= self.cand[idx].3 as usize;
                }
            }
            // the knapsack without candidate idx, at room r
            let without = |idx: usize, r: usize| {
                let f = &table[idx * stride..(idx + 1) * stride];
                let after = len - 1 - idx;
                let b = &back[after * stride..(after + 1) * stride];
                let mut best = f64::NEG_INFINITY;
                for c1 in 0..=r {
                    let v = f[c1] + b[r - c1];
                    if v > best {
                        best = v;
                    }
                }
                best
            };
            for (idx, &(_, o, q, wt)) in self.cand.iter().enumerate() {
                if taken[idx] {
                    out_loss[o] = kp - without(idx, cap);
                } else {
                    in_loss[o] = kp - (q + without(idx, cap - wt as usize));
                }
            }
            // options that are no candidate (nothing to gain): forced in, from the full row
            for e in &self.by_place[i] {
                if self.decided[e.j] || e.w > cap as i64 {
                    continue;
                }
                let q = e.profit - self.u[d][e.j];
                if q <= 1e-12 {
                    in_loss[e.o] = kp - (q + full[cap - e.w as usize]);
                }
            }
        }
        for j in 0..c.n {
            if self.decided[j] {
                continue;
            }
            let total_out: f64 = c.p.options(j).map(|o| out_loss[o]).sum();
            let mut open = 0;
            for o in c.p.options(j) {
                if self.gone[o] || !c.alive[o] {
                    continue;
                }
                let i = c.place(o);
                if self.w[o] > self.rem[i] {
                    continue;
                }
                let b = l - in_loss[o] - (total_out - out_loss[o]);
                if self.prunable(b + 1e-7) {
                    kill.push(o);
                } else {
                    open += 1;
                }
            }
            let none_open = c.optional && !self.prunable(l - total_out - self.u[d][j] + 1e-7);
            if open == 0 && !none_open {
                return None;
            }
        }
        let mut closed = 0;
        for o in kill {
            if !self.gone[o] {
                self.gone[o] = true;
                closed += 1;
            }
        }
        if closed > 0 {
            let gone = &self.gone;
            for v in &mut self.by_place {
                v.retain(|e| !gone[e.o]);
            }
        }
        Some(closed)
    }

    fn iterate(&mut self, d: usize, iters: usize) -> f64 {
        self.iterate_seen(d, iters, &mut |_, _, _| {})
    }

    /// The relaxation at the root: `iters` subgradient steps from the LP duals. `seen`
    /// gets every step's knapsack solution: the bound, each item's place (an option, NONE
    /// if no knapsack took it; the last one if several did) and how many knapsacks took
    /// it.
    pub fn relax(&mut self, iters: usize, seen: &mut Seen) -> f64 {
        let l = self.iterate_seen(0, iters, seen);
        self.root_bound = self.root_bound.min(l);
        l
    }

    fn iterate_seen(&mut self, d: usize, iters: usize, seen: &mut Seen) -> f64 {
        let mut l = self.eval(d);
        seen(l, &self.inplace, &self.cnt);
        let mut best_l = l;
        let mut best_u = self.u[d].clone();
        let mut theta = 1.0;
        for _ in 0..iters {
            if l == f64::NEG_INFINITY || self.prunable(best_l) || Instant::now() >= self.deadline {
                break;
            }
            let mut norm = 0.0;
            let n = self.c.n;
            let mut g = vec![0.0; n];
            for (j, gj) in g.iter_mut().enumerate() {
                if self.decided[j] {
                    continue;
                }
                let s = 1.0 - self.cnt[j] as f64;
                *gj = if self.c.optional && self.u[d][j] <= 0.0 && s > 0.0 {
                    0.0
                } else {
                    s
                };
                norm += *gj * *gj;
            }
            if norm == 0.0 {
                break;
            }
            let target = if self.best.is_finite() {
                self.best
            } else {
                l - 0.01 * l.abs().max(1.0)
            };
            let t = theta * (l - target).max(0.5) / norm;
            for (j, gj) in g.iter().enumerate() {
                if self.decided[j] {
                    continue;
                }
                let mut v = on_grid(self.u[d][j] - t * gj);
                if self.c.optional {
                    v = v.max(0.0);
                }
                self.u[d][j] = v;
            }
            l = self.eval(d);
            seen(l, &self.inplace, &self.cnt);
            if l < best_l - 1e-9 {
                best_l = l;
                best_u.copy_from_slice(&self.u[d]);
            } else {
                theta *= 0.6;
            }
        }
        if l != best_l {
            self.u[d].copy_from_slice(&best_u);
            l = self.eval(d);
        }
        l
    }

    pub fn run(&mut self) {
        self.node(0);
    }

    fn node(&mut self, d: usize) {
        self.nodes += 1;
        if self.aborted || self.nodes > self.node_limit || Instant::now() >= self.deadline {
            self.aborted = true;
            return;
        }
        if d > 0 {
            let (a, b) = self.u.split_at_mut(d);
            b[0].copy_from_slice(&a[d - 1]);
        }
        let iters = if d == 0 { self.iters.0 } else { self.iters.1 };
        let l = self.iterate(d, iters);
        if d == 0 {
            self.root_bound = l;
        }
        if l == f64::NEG_INFINITY || self.prunable(l) {
            return;
        }
        // at the root, close the options that cannot be in a better solution (for the
        // whole search), and tighten the bound without them
        let mut l = l;
        if d == 0 {
            for round in 0..ROOT_FIXING_ROUNDS {
                match self.fix(d) {
                    None => return,
                    Some(0) if round == 0 && self.give_up_unfixed => {
                        self.aborted = true;
                        return;
                    }
                    Some(0) => break,
                    Some(_) => {
                        l = self.iterate(d, self.iters.1);
                        if l == f64::NEG_INFINITY || self.prunable(l) {
                            return;
                        }
                    }
                }
            }
        }
        let c = self.c;
        // relaxed solution feasible?
        let mut branch = usize::MAX;
        let mut key = f64::NEG_INFINITY;
        let mut feasible = true;
        let mut slack_free = true;
        for j in 0..c.n {
            if self.decided[j] {
                continue;
            }
            let cj = self.cnt[j];
            if cj >= 2 || (cj == 0 && !c.optional) {
                feasible = false;
                let k = 1e6 * cj as f64 + self.c.p.options(j).len() as f64;
                if k > key {
                    key = k;
                    branch = j;
                }
            } else if cj == 0 && self.u[d][j] > 1e-9 {
                slack_free = false;
            }
        }
        if feasible {
            let mut a = self.asg.clone();
            for j in 0..c.n {
                if !self.decided[j] {
                    a[j] = self.inplace[j];
                }
            }
            let pr = c.profit_of(&a);
            if pr > self.best + 1e-9 || self.best_asg.is_none() {
                self.best = pr;
                self.best_asg = Some(a);
            }
            if slack_free || self.prunable(l) {
                return;
            }
            for j in 0..c.n {
                if !self.decided[j] && self.cnt[j] == 0 && self.u[d][j] > 1e-9 {
                    branch = j;
                    break;
                }
            }
        }
        if branch == usize::MAX {
            return;
        }
        let j = branch;
        let mut kids: Vec<(f64, u32)> =
            c.p.options(j)
                .filter(|&o| c.alive[o] && !self.gone[o] && self.w[o] <= self.rem[c.place(o)])
                .map(|o| {
                    let first = if self.inplace[j] == o as u32 {
                        1e18
                    } else {
                        0.0
                    };
                    (first + c.profit(o), o as u32)
                })
                .collect();
        if c.optional {
            kids.push((if self.cnt[j] == 0 { 1e18 } else { 0.0 }, NONE));
        }
        kids.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let options: Vec<u32> = kids.iter().map(|x| x.1).collect();
        let bounds = self.child_bounds(d, j, l, &options);
        for (o, b) in options.into_iter().zip(bounds) {
            // a child its first evaluation would prune (a margin for rounding)
            if self.prunable(b + 1e-7) {
                continue;
            }
            self.decided[j] = true;
            self.asg[j] = o;
            if o != NONE {
                let i = c.place(o as usize);
                self.fixed += c.profit(o as usize);
                self.rem[i] -= self.w[o as usize];
            }
            self.node(d + 1);
            if o != NONE {
                let i = c.place(o as usize);
                self.fixed -= c.profit(o as usize);
                self.rem[i] += self.w[o as usize];
            }
            self.decided[j] = false;
            self.asg[j] = NONE;
            if self.aborted {
                return;
            }
        }
    }
}

/// The multipliers move on a grid of 1/`GRID`. Any multipliers give a valid bound, and on
/// the grid, with integral profits, every candidate's value is a multiple of 1/`GRID`: a
/// knapsack whose candidates' values sum to less than `F32_EXACT` is solved exactly in
/// `f32`, twice the cells an instruction of `f64`.
const GRID: f64 = 4096.0;
/// See [`GRID`]: `f32` holds every multiple of 1/`GRID` below this exactly (24 bits).
const F32_EXACT: f64 = 4096.0;

/// `v` on the multipliers' grid (see [`GRID`]).
fn on_grid(v: f64) -> f64 {
    (v * GRID).round() / GRID
}

/// A number the knapsack programme computes in.
trait Cell: Copy + Default + PartialOrd + std::ops::Add<Output = Self> + Into<f64> {}
impl Cell for f64 {}
impl Cell for f32 {}

/// One knapsack: the programme over `cand` (item, option, value, weight) at room `cap` in
/// `table` (grown as needed), each value converted by `to`. Its last row goes to `row`;
/// each candidate of one best filling is counted in `cnt` and recorded in `inplace`.
/// Returns the knapsack's value.
fn knapsack<T: Cell>(
    table: &mut Vec<T>,
    cand: &[(usize, usize, f64, i64)],
    cap: usize,
    to: impl Fn(f64) -> T,
    row: &mut [f64],
    cnt: &mut [u32],
    inplace: &mut [u32],
) -> f64 {
    let (stride, len) = (cap + 1, cand.len());
    if table.len() < (len + 1) * stride {
        table.resize((len + 1) * stride, T::default());
    }
    let table = &mut table[..(len + 1) * stride];
    programme(table, stride, cand.iter().map(|x| (to(x.2), x.3 as usize)));
    let last = &table[len * stride..];
    for (r, &v) in row.iter_mut().zip(last) {
        *r = v.into();
    }
    let mut cc = cap;
    for idx in (0..len).rev() {
        if table[(idx + 1) * stride + cc] != table[idx * stride + cc] {
            let (j, o, _, wt) = cand[idx];
            cnt[j] += 1;
            inplace[j] = o as u32;
            cc -= wt as usize;
        }
    }
    last[cap].into()
}

/// The 0/1 knapsack's dynamic programme over `items` (value, weight), one row per item
/// after the empty row 0, each of `stride` capacities: row r holds the best value of the
/// first r items within each capacity. Each row is computed from the one before, so the
/// inner loop has no dependency and vectorises; an item was taken where its row differs
/// from the one before.
fn programme<T: Cell>(table: &mut [T], stride: usize, items: impl Iterator<Item = (T, usize)>) {
    table[..stride].iter_mut().for_each(|x| *x = T::default());
    for (idx, (q, wt)) in items.enumerate() {
        let (done, rest) = table.split_at_mut((idx + 1) * stride);
        let cur = &done[idx * stride..];
        let next = &mut rest[..stride];
        next[..wt].copy_from_slice(&cur[..wt]);
        for ((nx, &stay), &take) in next[wt..]
            .iter_mut()
            .zip(&cur[wt..])
            .zip(&cur[..stride - wt])
        {
            let v = take + q;
            *nx = if v > stay { v } else { stay };
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::core::Scored;
    use crate::model::{Mode, Sense};
    use crate::testutil::small;
    use proptest::prelude::*;
    use std::time::Duration;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        /// Fixing at the root closes no option of a solution better than the incumbent,
        /// and reports nothing better below the root only when there is none.
        #[test]
        fn fixing_keeps_every_better_solution(mut p in small(), optional in any::<bool>(), pick in any::<u32>()) {
            if optional {
                p.mode = Mode::Optional;
                p.sense = Sense::Maximize;
            }
            let c = Core::new(&p);
            prop_assume!(applicable(&c));
            let all = crate::testutil::feasible_all(&c);
            prop_assume!(!all.is_empty());
            let mut values: Vec<f64> = all.iter().map(|x| x.0).collect();
            values.sort_by(f64::total_cmp);
            // an incumbent from anywhere in the range, often not the best
            let (inc_v, inc) = all
                .iter()
                .find(|x| x.0 == values[pick as usize % values.len()])
                .cloned()
                .unwrap();
            let far = Instant::now() + Duration::from_secs(60);
            let mut b = KpBnb::new(&c, &vec![0.0; c.m], Some((&inc, inc_v)), 1000, far);
            let l = b.iterate(0, 5);
            prop_assume!(l.is_finite() && !b.prunable(l));
            let better: Vec<&Scored> = all.iter().filter(|x| x.0 > inc_v + 0.5).collect();
            match b.fix(0) {
                None => prop_assert!(better.is_empty(), "nothing better reported, but {} is", better[0].0),
                Some(_) => {
                    for (v, a) in better {
                        for &o in a {
                            prop_assert!(!b.gone[o as usize], "option {o} closed, but it is in a solution worth {v} > {inc_v}");
                        }
                    }
                }
            }
        }

        /// The knapsacks solved in `f32` (multipliers on the grid, values summing below
        /// `F32_EXACT`) give exactly the bounds, fillings and search they give in `f64`, in
        /// both modes, from multipliers off the grid too.
        #[test]
        fn knapsacks_in_f32_are_exact(mut p in small(), optional in any::<bool>(), scale in 0.0f64..3.0) {
            if optional {
                p.mode = Mode::Optional;
                p.sense = Sense::Maximize;
            }
            let c = Core::new(&p);
            prop_assume!(applicable(&c));
            let lambda: Vec<f64> = (0..c.m).map(|i| scale * (i as f64 + 0.37)).collect();
            let far = Instant::now() + Duration::from_secs(60);
            let search = |f64_only: bool| {
                let mut b = KpBnb::new(&c, &lambda, None, 1000, far);
                b.f64_only = f64_only;
                let mut steps = Vec::new();
                b.relax(20, &mut |l, inplace, cnt| steps.push((l, inplace.to_vec(), cnt.to_vec())));
                b.run();
                (steps, b.best, b.best_asg.clone(), b.nodes, b.programmes)
            };
            let (steps64, best64, asg64, nodes64, runs64) = search(true);
            let (steps32, best32, asg32, nodes32, runs32) = search(false);
            prop_assert_eq!(runs64[1], 0);
            // small values: every programme runs in f32
            prop_assert_eq!(runs32, [0, runs64[0]]);
            prop_assert_eq!(steps32, steps64);
            prop_assert_eq!((best32, asg32, nodes32), (best64, asg64, nodes64));
        }

        /// The bound `child_bounds` gives each child of a branching is the one its own
        /// first evaluation finds (the same multipliers), in both modes: pruning a child
        /// on it prunes exactly what the search pruned before.
        #[test]
        fn a_childs_bound_is_its_first_evaluation(mut p in small(), optional in any::<bool>()) {
            if optional {
                p.mode = Mode::Optional;
                p.sense = Sense::Maximize;
            }
            let c = Core::new(&p);
            prop_assume!(applicable(&c));
            let far = Instant::now() + Duration::from_secs(60);
            let mut b = KpBnb::new(&c, &vec![0.0; c.m], None, 1000, far);
            b.iterate(0, 5);
            for j in 0..c.n {
                // the parent's evaluation, which child_bounds reads
                let l = b.eval(0);
                prop_assume!(l.is_finite());
                let mut options: Vec<u32> = c
                    .p
                    .options(j)
                    .filter(|&o| c.alive[o] && b.w[o] <= b.rem[c.place(o)])
                    .map(|o| o as u32)
                    .collect();
                if c.optional {
                    options.push(NONE);
                }
                let bounds = b.child_bounds(0, j, l, &options);
                for (&o, &want) in options.iter().zip(&bounds) {
                    b.decided[j] = true;
                    if o != NONE {
                        let i = c.place(o as usize);
                        b.fixed += c.profit(o as usize);
                        b.rem[i] -= b.w[o as usize];
                    }
                    let (parent, child) = b.u.split_at_mut(1);
                    child[0].copy_from_slice(&parent[0]);
                    let got = b.eval(1);
                    b.decided[j] = false;
                    if o != NONE {
                        let i = c.place(o as usize);
                        b.fixed -= c.profit(o as usize);
                        b.rem[i] += b.w[o as usize];
                    }
                    prop_assert!((got - want).abs() < 1e-6, "item {j} option {o}: evaluation {got}, bound {want}");
                }
            }
        }
    }
}
