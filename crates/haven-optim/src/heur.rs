//! Primal heuristics: a Lagrangian greedy construction and an iterated local search with
//! shift / swap / replace moves on a penalised objective (capacity excess weighted by
//! adaptive per-place weights, in the spirit of Yagiura, Ibaraki and Glover).

use std::time::Instant;

use crate::core::{Core, NONE};
use crate::rng::Rng;

/// Lagrangian greedy: items in decreasing regret of reduced profit, each to its best
/// fitting option. Items that fit nowhere go to their best option anyway when they must be
/// placed (the local search then repairs), or stay unplaced in optional mode.
pub(crate) fn greedy(c: &Core, lambda: &[f64]) -> Vec<u32> {
    let mut key: Vec<(f64, usize)> = Vec::with_capacity(c.n);
    for j in 0..c.n {
        let (b1, _, mut b2) = c.best_two(lambda, j);
        if c.optional {
            b2 = b2.max(0.0).min(b1);
        }
        let regret = if b2 == f64::NEG_INFINITY {
            f64::INFINITY
        } else {
            b1 - b2
        };
        key.push((regret, j));
    }
    key.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut rem = c.cap.clone();
    let mut asg = vec![NONE; c.n];
    for &(_, j) in &key {
        let mut best = if c.optional { 0.0 } else { f64::NEG_INFINITY };
        let mut arg = NONE;
        let mut any = NONE;
        let mut any_v = f64::NEG_INFINITY;
        for o in c.p.options(j) {
            if !c.alive[o] {
                continue;
            }
            let r = c.reduced(lambda, j, o);
            if r > any_v {
                any_v = r;
                any = o as u32;
            }
            if c.fits(&rem, j, o) && r > best {
                best = r;
                arg = o as u32;
            }
        }
        if arg == NONE && !c.optional {
            arg = any;
        }
        if arg != NONE {
            c.take(&mut rem, j, arg as usize);
            asg[j] = arg;
        }
    }
    if c.optional {
        // fill what is left with any item of positive profit that still fits
        for j in 0..c.n {
            if asg[j] != NONE {
                continue;
            }
            let mut best = 0.0;
            let mut arg = NONE;
            for o in c.p.options(j) {
                if c.alive[o] && c.fits(&rem, j, o) && c.profit(o) > best {
                    best = c.profit(o);
                    arg = o as u32;
                }
            }
            if arg != NONE {
                c.take(&mut rem, j, arg as usize);
                asg[j] = arg;
            }
        }
    }
    asg
}

/// Penalised local search state.
pub(crate) struct Ls<'c, 'p> {
    c: &'c Core<'p>,
    table: Option<Vec<u32>>,
    pub asg: Vec<u32>,
    pub load: Vec<f64>,
    w: Vec<f64>,
    w_min: Vec<f64>,
    pub profit: f64,
    rng: Rng,
    order: Vec<usize>,
    tol: Vec<f64>,
    pub moves: u64,
    pub rounds: u64,
}

#[inline]
fn ex(load: f64, cap: f64, tol: f64) -> f64 {
    let e = load - cap;
    if e > tol { e } else { 0.0 }
}

impl<'c, 'p> Ls<'c, 'p> {
    pub fn new(c: &'c Core<'p>, start: &[u32], lambda: &[f64], seed: u64) -> Self {
        let (n, m, k) = (c.n, c.m, c.k);
        let table = if n.saturating_mul(m) <= 4_000_000 {
            let mut t = vec![NONE; n * m];
            for j in 0..n {
                for o in c.p.options(j) {
                    if c.alive[o] {
                        t[j * m + c.place(o)] = o as u32;
                    }
                }
            }
            Some(t)
        } else {
            None
        };
        // base weight per resource: mean |profit| per unit of need
        let mut base = vec![0.0; k];
        let mut cnt = vec![0usize; k];
        for j in 0..n {
            for o in c.p.options(j) {
                if !c.alive[o] {
                    continue;
                }
                for (r, x) in c.need(j, o).iter().enumerate() {
                    if *x > 0.0 {
                        base[r] += c.profit(o).abs() / x;
                        cnt[r] += 1;
                    }
                }
            }
        }
        for r in 0..k {
            base[r] = if cnt[r] > 0 {
                (base[r] / cnt[r] as f64).max(1e-6)
            } else {
                1.0
            };
        }
        let mut w = vec![0.0; m * k];
        let mut w_min = vec![0.0; m * k];
        for i in 0..m {
            for r in 0..k {
                w_min[i * k + r] = base[r] * 0.5;
                w[i * k + r] = lambda.get(i * k + r).copied().unwrap_or(0.0) + base[r];
            }
        }
        let tol = c.cap.iter().map(|b| 1e-9 * b.abs().max(1.0)).collect();
        let mut s = Ls {
            c,
            table,
            asg: start.to_vec(),
            load: vec![0.0; m * k],
            w,
            w_min,
            profit: 0.0,
            rng: Rng::new(seed),
            order: (0..n).collect(),
            tol,
            moves: 0,
            rounds: 0,
        };
        s.recompute();
        s
    }

    fn recompute(&mut self) {
        let k = self.c.k;
        self.load.iter_mut().for_each(|x| *x = 0.0);
        for j in 0..self.c.n {
            let o = self.asg[j];
            if o != NONE {
                let i = self.c.place(o as usize);
                for (x, r) in self.load[i * k..(i + 1) * k]
                    .iter_mut()
                    .zip(self.c.need(j, o as usize))
                {
                    *x += r;
                }
            }
        }
        self.profit = self.c.profit_of(&self.asg);
    }

    pub fn set(&mut self, asg: &[u32]) {
        self.asg.copy_from_slice(asg);
        self.recompute();
    }

    pub fn feasible(&self) -> bool {
        if !self.c.optional && self.asg.contains(&NONE) {
            return false;
        }
        self.load
            .iter()
            .zip(&self.c.cap)
            .zip(&self.tol)
            .all(|((l, b), t)| ex(*l, *b, *t) == 0.0)
    }

    #[inline]
    fn opt_at(&self, j: usize, place: usize) -> u32 {
        match &self.table {
            Some(t) => t[j * self.c.m + place],
            None => match self.c.p.find_option(j, place) {
                Some(o) if self.c.alive[o] => o as u32,
                _ => NONE,
            },
        }
    }

    /// Penalty change at place i when its load changes by `d_out` removed and `d_in` added.
    #[inline]
    fn pen(&self, i: usize, d_out: Option<&[f64]>, d_in: Option<&[f64]>) -> f64 {
        let k = self.c.k;
        let mut s = 0.0;
        for r in 0..k {
            let x = i * k + r;
            let l = self.load[x];
            let mut nl = l;
            if let Some(d) = d_out {
                nl -= d[r];
            }
            if let Some(d) = d_in {
                nl += d[r];
            }
            if nl != l {
                let (b, t) = (self.c.cap[x], self.tol[x]);
                s += self.w[x] * (ex(nl, b, t) - ex(l, b, t));
            }
        }
        s
    }

    fn apply(&mut self, j: usize, new: u32) {
        let k = self.c.k;
        let old = self.asg[j];
        if old != NONE {
            let i = self.c.place(old as usize);
            for (x, r) in self.load[i * k..(i + 1) * k]
                .iter_mut()
                .zip(self.c.need(j, old as usize))
            {
                *x -= r;
            }
            self.profit -= self.c.profit(old as usize);
        }
        if new != NONE {
            let i = self.c.place(new as usize);
            for (x, r) in self.load[i * k..(i + 1) * k]
                .iter_mut()
                .zip(self.c.need(j, new as usize))
            {
                *x += r;
            }
            self.profit += self.c.profit(new as usize);
        }
        self.asg[j] = new;
        self.moves += 1;
    }

    /// Gain (penalised) of moving item j to option `new` (NONE = unplace).
    #[inline]
    fn shift_gain(&self, j: usize, new: u32) -> f64 {
        let old = self.asg[j];
        let c = self.c;
        let mut g = 0.0;
        if old != NONE {
            g -= c.profit(old as usize);
            g -= self.pen(c.place(old as usize), Some(c.need(j, old as usize)), None);
        }
        if new != NONE {
            g += c.profit(new as usize);
            g -= self.pen(c.place(new as usize), None, Some(c.need(j, new as usize)));
        }
        g
    }

    fn best_shift(&self, j: usize) -> (f64, u32) {
        let old = self.asg[j];
        let mut best = (1e-9, NONE);
        let mut found = false;
        for o in self.c.p.options(j) {
            if !self.c.alive[o] || o as u32 == old {
                continue;
            }
            let g = self.shift_gain(j, o as u32);
            if g > best.0 {
                best = (g, o as u32);
                found = true;
            }
        }
        if self.c.optional && old != NONE {
            let g = self.shift_gain(j, NONE);
            if g > best.0 {
                best = (g, NONE);
                found = true;
            }
        }
        if found { best } else { (0.0, old) }
    }

    /// Gain of exchanging the places of items j and l (one may be unplaced in optional mode).
    fn swap_gain(&self, j: usize, l: usize) -> Option<(f64, u32, u32)> {
        let c = self.c;
        let (oj, ol) = (self.asg[j], self.asg[l]);
        if oj == NONE && ol == NONE {
            return None;
        }
        let pa = (oj != NONE).then(|| c.place(oj as usize));
        let pb = (ol != NONE).then(|| c.place(ol as usize));
        if pa == pb {
            return None;
        }
        let nj = match pb {
            Some(b) => self.opt_at(j, b),
            None => NONE,
        };
        let nl = match pa {
            Some(a) => self.opt_at(l, a),
            None => NONE,
        };
        if (pb.is_some() && nj == NONE) || (pa.is_some() && nl == NONE) {
            return None;
        }
        let pr = |o: u32| if o == NONE { 0.0 } else { c.profit(o as usize) };
        let dprofit = pr(nj) + pr(nl) - pr(oj) - pr(ol);
        let need = |it: usize, o: u32| (o != NONE).then(|| c.need(it, o as usize));
        let mut g = dprofit;
        if let Some(a) = pa {
            g -= self.pen(a, need(j, oj), need(l, nl));
        }
        if let Some(b) = pb {
            g -= self.pen(b, need(l, ol), need(j, nj));
        }
        Some((g, nj, nl))
    }

    /// Local descent: passes of shift moves and swap moves until no improving move remains.
    pub fn descent(&mut self, deadline: Instant) {
        let n = self.c.n;
        let sample = n > 1500;
        loop {
            let mut improved = false;
            for idx in 0..n {
                let j = self.order[idx];
                let (g, o) = self.best_shift(j);
                if g > 1e-9 {
                    self.apply(j, o);
                    improved = true;
                }
                if idx % 1024 == 1023 && Instant::now() >= deadline {
                    return;
                }
            }
            if n >= 2 {
                for idx in 0..n {
                    let j = self.order[idx];
                    if sample {
                        for _ in 0..32 {
                            let l = self.rng.below(n);
                            if l != j && self.try_swap(j, l) {
                                improved = true;
                                break;
                            }
                        }
                    } else {
                        for l in 0..n {
                            if l != j && self.try_swap(j, l) {
                                improved = true;
                                break;
                            }
                        }
                    }
                    if idx % 256 == 255 && Instant::now() >= deadline {
                        return;
                    }
                }
            }
            if !improved || Instant::now() >= deadline {
                break;
            }
        }
    }

    #[inline]
    fn try_swap(&mut self, j: usize, l: usize) -> bool {
        if let Some((g, nj, nl)) = self.swap_gain(j, l)
            && g > 1e-9
        {
            self.apply(j, nj);
            self.apply(l, nl);
            return true;
        }
        false
    }

    fn update_weights(&mut self) {
        let feasible = self.feasible();
        for x in 0..self.w.len() {
            if ex(self.load[x], self.c.cap[x], self.tol[x]) > 0.0 {
                self.w[x] *= 1.3;
            } else if feasible {
                self.w[x] = (self.w[x] * 0.9).max(self.w_min[x]);
            }
        }
    }

    fn kick(&mut self, strength: usize) {
        let n = self.c.n;
        for _ in 0..strength {
            let j = self.rng.below(n);
            let r = self.c.p.options(j);
            if r.is_empty() {
                continue;
            }
            let o = r.start + self.rng.below(r.len());
            if self.c.alive[o] && o as u32 != self.asg[j] {
                self.apply(j, o as u32);
            } else if self.c.optional && self.asg[j] != NONE && self.rng.below(4) == 0 {
                self.apply(j, NONE);
            }
        }
    }

    /// Iterated local search until the deadline, `max_rounds` rounds, or profit >= target.
    /// Returns the best feasible assignment found (None if none) and its profit.
    pub fn run(
        &mut self,
        deadline: Instant,
        max_rounds: u64,
        target: f64,
    ) -> (Option<Vec<u32>>, f64) {
        let n = self.c.n;
        let mut best: Option<Vec<u32>> = None;
        let mut best_p = f64::NEG_INFINITY;
        let mut since = 0u64;
        let mut round = 0u64;
        while round < max_rounds {
            round += 1;
            self.rounds += 1;
            self.rng.shuffle(&mut self.order);
            self.descent(deadline);
            if self.feasible() && self.profit > best_p + 1e-9 {
                best_p = self.profit;
                best = Some(self.asg.clone());
                since = 0;
                if best_p >= target - 1e-9 * target.abs().max(1.0) {
                    break;
                }
            } else {
                since += 1;
            }
            if Instant::now() >= deadline {
                break;
            }
            self.update_weights();
            if since > 0
                && since.is_multiple_of(50)
                && let Some(b) = &best
            {
                let b = b.clone();
                self.set(&b);
            }
            let strength = 2 + self.rng.below((n / 20).clamp(2, 30));
            self.kick(strength);
        }
        // a last descent may have left an unrecorded feasible state
        (best, best_p)
    }

    /// Tabu search on the penalised objective: best non-tabu shift or swap each iteration
    /// (swaps sampled on large instances), weights oscillating around feasibility.
    pub fn run_tabu(
        &mut self,
        deadline: Instant,
        max_iters: u64,
        target: f64,
    ) -> (Option<Vec<u32>>, f64) {
        let (n, m) = (self.c.n, self.c.m);
        let mut tabu = vec![0u64; n * m];
        let mut best: Option<Vec<u32>> = None;
        let mut best_p = f64::NEG_INFINITY;
        if self.feasible() {
            best_p = self.profit;
            best = Some(self.asg.clone());
        }
        let full_swaps = n <= 400;
        let samples = 4 * n;
        let mut it = 0u64;
        let mut since = 0u64;
        let base_tenure = 5 + (n as f64).sqrt() as u64 / 2;
        while it < max_iters {
            it += 1;
            self.rounds += 1;
            if it.is_multiple_of(64) && Instant::now() >= deadline {
                break;
            }
            let mut bg = f64::NEG_INFINITY;
            let mut mv: (usize, u32, usize, u32) = (usize::MAX, NONE, usize::MAX, NONE);
            for j in 0..n {
                let cur = self.asg[j];
                for o in self.c.p.options(j) {
                    if !self.c.alive[o] || o as u32 == cur {
                        continue;
                    }
                    if tabu[j * m + self.c.place(o)] > it {
                        continue;
                    }
                    let g = self.shift_gain(j, o as u32) + 1e-7 * self.rng.unit();
                    if g > bg {
                        bg = g;
                        mv = (j, o as u32, usize::MAX, NONE);
                    }
                }
            }
            let eval_swap =
                |s: &Self, j: usize, l: usize, bg: &mut f64, mv: &mut (usize, u32, usize, u32)| {
                    if let Some((g, nj, nl)) = s.swap_gain(j, l)
                        && g > *bg
                    {
                        let tj = nj != NONE && tabu[j * m + s.c.place(nj as usize)] > it;
                        let tl = nl != NONE && tabu[l * m + s.c.place(nl as usize)] > it;
                        if !(tj && tl) {
                            *bg = g;
                            *mv = (j, nj, l, nl);
                        }
                    }
                };
            if full_swaps {
                for j in 0..n {
                    for l in j + 1..n {
                        eval_swap(self, j, l, &mut bg, &mut mv);
                    }
                }
            } else {
                for _ in 0..samples {
                    let j = self.rng.below(n);
                    let l = self.rng.below(n);
                    if j != l {
                        eval_swap(self, j, l, &mut bg, &mut mv);
                    }
                }
            }
            if mv.0 == usize::MAX {
                break;
            }
            let tenure = base_tenure + self.rng.below(base_tenure as usize + 1) as u64;
            let (j, nj, l, nl) = mv;
            if self.asg[j] != NONE {
                tabu[j * m + self.c.place(self.asg[j] as usize)] = it + tenure;
            }
            self.apply(j, nj);
            if l != usize::MAX {
                if self.asg[l] != NONE {
                    tabu[l * m + self.c.place(self.asg[l] as usize)] = it + tenure;
                }
                self.apply(l, nl);
            }
            let feasible = self.feasible();
            if feasible && self.profit > best_p + 1e-9 {
                best_p = self.profit;
                best = Some(self.asg.clone());
                since = 0;
                if best_p >= target - 1e-9 * target.abs().max(1.0) {
                    break;
                }
            } else {
                since += 1;
            }
            // strategic oscillation of the penalty weights
            for x in 0..self.w.len() {
                if ex(self.load[x], self.c.cap[x], self.tol[x]) > 0.0 {
                    self.w[x] *= 1.1;
                } else if feasible {
                    self.w[x] = (self.w[x] * 0.95).max(self.w_min[x]);
                }
            }
            if since > 20 * n as u64 {
                since = 0;
                if let Some(b) = &best {
                    let b = b.clone();
                    self.set(&b);
                }
                let strength = 2 + self.rng.below((n / 10).clamp(2, 30));
                self.kick(strength);
            }
        }
        (best, best_p)
    }
}
