//! Internal solver view (always maximising profit) and the Lagrangian bound.
//!
//! Relaxing the capacity constraints with multipliers `λ[i,k] >= 0` gives
//! `L(λ) = Σ_j max(0 | best over options o of p_o − Σ_k λ[i(o),k]·r_ok) + Σ λ[i,k]·b[i,k]`,
//! an upper bound on the best profit for every λ >= 0. Because the subproblem is integral,
//! `min_λ L(λ)` equals the LP relaxation bound; subgradient optimisation approaches it from
//! above, and every value it visits is a valid bound. The final λ are the shadow prices of
//! the capacities.

use rayon::prelude::*;
use std::time::Instant;

use crate::model::{Mode, Problem, Sense};

pub(crate) const NONE: u32 = u32::MAX;

/// An assignment (an option per item) with its profit.
pub(crate) type Scored = (f64, Vec<u32>);

pub(crate) struct Core<'a> {
    pub p: &'a Problem,
    pub sign: f64,
    pub n: usize,
    pub m: usize,
    pub k: usize,
    pub optional: bool,
    /// Option fits an empty place (presolve).
    pub alive: Vec<bool>,
    pub cap: Vec<f64>,
}

impl<'a> Core<'a> {
    pub fn new(p: &'a Problem) -> Self {
        let k = p.num_resources();
        let alive: Vec<bool> = (0..p.num_items())
            .into_par_iter()
            .flat_map_iter(|j| {
                p.options(j).map(move |o| {
                    let cap = p.capacity(p.option_place(o));
                    p.option_need(j, o)
                        .iter()
                        .zip(cap)
                        .all(|(r, c)| *r <= *c + 1e-9)
                })
            })
            .collect();
        Core {
            p,
            sign: if p.sense == Sense::Maximize {
                1.0
            } else {
                -1.0
            },
            n: p.num_items(),
            m: p.num_places(),
            k,
            optional: p.mode == Mode::Optional,
            alive,
            cap: p.capacity.clone(),
        }
    }
    #[inline]
    pub fn profit(&self, o: usize) -> f64 {
        self.sign * self.p.opt_value[o]
    }
    #[inline]
    pub fn need(&self, j: usize, o: usize) -> &[f64] {
        self.p.option_need(j, o)
    }
    #[inline]
    pub fn place(&self, o: usize) -> usize {
        self.p.opt_place[o] as usize
    }
    /// Reduced profit of option o of item j under λ.
    #[inline]
    pub fn reduced(&self, lambda: &[f64], j: usize, o: usize) -> f64 {
        let i = self.place(o);
        let l = &lambda[i * self.k..(i + 1) * self.k];
        self.profit(o)
            - self
                .need(j, o)
                .iter()
                .zip(l)
                .map(|(r, x)| r * x)
                .sum::<f64>()
    }
    /// The best and second-best reduced profit of item `j` under λ over its usable
    /// options, with the best option (NONE and −∞ where there is none).
    pub fn best_two(&self, lambda: &[f64], j: usize) -> (f64, u32, f64) {
        let (mut b1, mut arg, mut b2) = (f64::NEG_INFINITY, NONE, f64::NEG_INFINITY);
        for o in self.p.options(j) {
            if !self.alive[o] {
                continue;
            }
            let r = self.reduced(lambda, j, o);
            if r > b1 {
                (b2, b1, arg) = (b1, r, o as u32);
            } else if r > b2 {
                b2 = r;
            }
        }
        (b1, arg, b2)
    }
    /// Option o of item j fits in `room` (remaining capacity, place by place).
    #[inline]
    pub fn fits(&self, room: &[f64], j: usize, o: usize) -> bool {
        let i = self.place(o);
        self.need(j, o)
            .iter()
            .zip(&room[i * self.k..(i + 1) * self.k])
            .all(|(a, r)| *a <= *r + 1e-9)
    }
    /// Take option o of item j out of `room`.
    #[inline]
    pub fn take(&self, room: &mut [f64], j: usize, o: usize) {
        let i = self.place(o);
        for (r, a) in room[i * self.k..(i + 1) * self.k]
            .iter_mut()
            .zip(self.need(j, o))
        {
            *r -= a;
        }
    }
    /// Σ λ·b: what the capacities are worth at prices λ (the constant part of L(λ)).
    pub fn priced_capacity(&self, lambda: &[f64]) -> f64 {
        lambda.iter().zip(&self.cap).map(|(l, b)| l * b).sum()
    }
    /// Round a profit bound down when all data are integers.
    pub fn round_bound(&self, ub: f64) -> f64 {
        if self.p.integral && ub.is_finite() {
            let scale = ub.abs().max(1.0);
            (ub + 1e-9 * scale).floor()
        } else {
            ub
        }
    }
    /// Profit of an assignment given as options.
    pub fn profit_of(&self, asg: &[u32]) -> f64 {
        asg.iter()
            .filter(|&&o| o != NONE)
            .map(|&o| self.profit(o as usize))
            .sum()
    }
}

const CHUNKS: usize = 64;

/// Evaluate L(λ): fills `choice` (best option of each item or NONE) and `load`.
/// Returns -inf when an item that must be placed has no usable option.
pub(crate) fn lag_eval(core: &Core, lambda: &[f64], choice: &mut [u32], load: &mut [f64]) -> f64 {
    let (m, k) = (core.m, core.k);
    let work = core.p.num_options() * k;
    let eval_chunk = |j0: usize, ch: &mut [u32]| -> (f64, Vec<f64>, bool) {
        let mut ld = vec![0.0; m * k];
        let mut sum = 0.0;
        let mut bad = false;
        for (jj, c) in ch.iter_mut().enumerate() {
            let j = j0 + jj;
            let mut best = if core.optional {
                0.0
            } else {
                f64::NEG_INFINITY
            };
            let mut arg = NONE;
            let p = core.p;
            let range = p.options(j);
            match &p.opt_need {
                None => {
                    let nj = &p.item_need[j * k..(j + 1) * k];
                    for o in range {
                        if !core.alive[o] {
                            continue;
                        }
                        let i = p.opt_place[o] as usize;
                        let l = &lambda[i * k..(i + 1) * k];
                        let mut r = core.sign * p.opt_value[o];
                        for q in 0..k {
                            r -= nj[q] * l[q];
                        }
                        if r > best {
                            best = r;
                            arg = o as u32;
                        }
                    }
                }
                Some(_) => {
                    for o in range {
                        if !core.alive[o] {
                            continue;
                        }
                        let r = core.reduced(lambda, j, o);
                        if r > best {
                            best = r;
                            arg = o as u32;
                        }
                    }
                }
            }
            *c = arg;
            if arg == NONE {
                if !core.optional {
                    bad = true;
                }
                continue;
            }
            sum += best;
            let i = core.place(arg as usize);
            for (x, r) in ld[i * k..(i + 1) * k]
                .iter_mut()
                .zip(core.need(j, arg as usize))
            {
                *x += r;
            }
        }
        (sum, ld, bad)
    };
    let parts: Vec<(f64, Vec<f64>, bool)> = if work > 200_000 {
        let size = core.n.div_ceil(CHUNKS).max(1);
        choice
            .par_chunks_mut(size)
            .enumerate()
            .map(|(c, ch)| eval_chunk(c * size, ch))
            .collect()
    } else {
        vec![eval_chunk(0, choice)]
    };
    load.iter_mut().for_each(|x| *x = 0.0);
    let mut total = 0.0;
    let mut bad = false;
    for (s, ld, b) in parts {
        total += s;
        bad |= b;
        for (x, y) in load.iter_mut().zip(ld) {
            *x += y;
        }
    }
    if bad {
        return f64::NEG_INFINITY;
    }
    total + core.priced_capacity(lambda)
}

pub(crate) struct LagResult {
    /// Best (smallest) L found: an upper bound on profit (not rounded).
    pub bound: f64,
    pub lambda: Vec<f64>,
    pub iterations: usize,
}

/// Subgradient optimisation of the Lagrangian dual from `lambda0`.
/// `lb` is the best known feasible profit (or -inf).
pub(crate) fn subgradient(
    core: &Core,
    lambda0: &[f64],
    lb: f64,
    max_iter: usize,
    deadline: Instant,
) -> LagResult {
    subgradient_opts(core, lambda0, lb, max_iter, deadline, false)
}

/// [`subgradient`] that, with `clip_target`, never aims more than 2 % below the current
/// value (on very large instances a weak incumbent would make the steps overshoot).
pub(crate) fn subgradient_opts(
    core: &Core,
    lambda0: &[f64],
    lb: f64,
    max_iter: usize,
    deadline: Instant,
    clip_target: bool,
) -> LagResult {
    let mk = core.m * core.k;
    let mut lambda = lambda0.to_vec();
    let mut best_lambda = lambda.clone();
    let mut best = f64::INFINITY;
    let mut choice = vec![NONE; core.n];
    let mut load = vec![0.0; mk];
    let mut g = vec![0.0; mk];
    let mut theta = 1.0;
    let mut since = 0;
    let mut it = 0;
    while it < max_iter {
        it += 1;
        let l = lag_eval(core, &lambda, &mut choice, &mut load);
        if l == f64::NEG_INFINITY {
            return LagResult {
                bound: f64::NEG_INFINITY,
                lambda,
                iterations: it,
            };
        }
        if l < best - 1e-12 * l.abs().max(1.0) {
            best = l;
            best_lambda.copy_from_slice(&lambda);
            since = 0;
        } else {
            since += 1;
            if since >= 10 {
                theta *= 0.5;
                since = 0;
            }
        }
        if lb.is_finite() && core.round_bound(best) <= lb + 1e-9 * lb.abs().max(1.0) {
            break;
        }
        let mut norm = 0.0;
        for x in 0..mk {
            let s = core.cap[x] - load[x];
            g[x] = if lambda[x] <= 0.0 && s > 0.0 { 0.0 } else { s };
            norm += g[x] * g[x];
        }
        if norm <= 1e-18 {
            break; // λ is optimal: relaxed solution feasible with complementary slackness
        }
        if theta < 1e-4 || Instant::now() >= deadline {
            break;
        }
        let guess = l - 0.02 * l.abs().max(1.0);
        let target = if lb.is_finite() && lb < l {
            if clip_target { lb.max(guess) } else { lb }
        } else {
            guess
        };
        let gap = (l - target).max(1e-3 * l.abs().max(1.0) / (1 + it) as f64);
        let t = theta * gap / norm;
        for x in 0..mk {
            lambda[x] = (lambda[x] - t * g[x]).max(0.0);
        }
    }
    LagResult {
        bound: best,
        lambda: best_lambda,
        iterations: it,
    }
}

/// Where an assignment loses against the bound `L(λ)` (printed by `HAVEN_DEBUG`): the
/// gap between them is exactly the sum of these parts.
#[derive(Debug)]
pub(crate) struct Losses {
    /// Σ λ·(room left), per resource.
    pub room: Vec<f64>,
    /// Places with priced room left, per resource.
    pub places_with_room: Vec<usize>,
    /// What placed items lose against their best reduced profit, and how many lose.
    pub displaced: f64,
    pub displaced_items: usize,
    /// What unplaced items would earn at their best.
    pub unplaced: f64,
}

pub(crate) fn losses(c: &Core, lambda: &[f64], asg: &[u32]) -> Losses {
    let mut room = c.cap.clone();
    let mut l = Losses {
        room: vec![0.0; c.k],
        places_with_room: vec![0; c.k],
        displaced: 0.0,
        displaced_items: 0,
        unplaced: 0.0,
    };
    for (j, &o) in asg.iter().enumerate() {
        let (best, _, _) = c.best_two(lambda, j);
        if o == NONE {
            l.unplaced += best.max(0.0);
        } else {
            c.take(&mut room, j, o as usize);
            let lost = best.max(0.0) - c.reduced(lambda, j, o as usize);
            if lost > 1e-9 {
                l.displaced += lost;
                l.displaced_items += 1;
            }
        }
    }
    for (x, (r, y)) in room.iter().zip(lambda).enumerate() {
        l.room[x % c.k] += r * y;
        if r * y > 1e-9 {
            l.places_with_room[x % c.k] += 1;
        }
    }
    l
}

/// Profit of a complete assignment when it respects every capacity (and places every item
/// in assign-all mode); None otherwise.
pub(crate) fn feasible_profit(core: &Core, asg: &[u32]) -> Option<f64> {
    let k = core.k;
    let mut load = vec![0.0; core.m * k];
    for (j, &o) in asg.iter().enumerate() {
        if o == NONE {
            if !core.optional {
                return None;
            }
            continue;
        }
        let i = core.place(o as usize);
        for (x, r) in load[i * k..(i + 1) * k]
            .iter_mut()
            .zip(core.need(j, o as usize))
        {
            *x += r;
        }
    }
    let ok = load
        .iter()
        .zip(&core.cap)
        .all(|(l, b)| *l <= *b + 1e-9 * b.abs().max(1.0));
    ok.then(|| core.profit_of(asg))
}

/// A first incumbent and first multipliers for very large instances (a greedy fill):
/// items by decreasing profit per unit of need of their best option, each to its most
/// profitable option that still fits (items that fit nowhere stay unplaced: optional mode
/// only). A place left (nearly) full on a resource is priced at the lowest profit per unit
/// of that resource among the items it took, the others at 0: a cheap estimate of the LP
/// duals, far closer than 0.
pub(crate) fn fill_greedy(core: &Core) -> (Vec<u32>, Vec<f64>) {
    let (n, m, k) = (core.n, core.m, core.k);
    let mut low = vec![f64::INFINITY; m * k];
    let density = |j: usize, o: usize| {
        let s: f64 = core.need(j, o).iter().sum();
        core.profit(o) / s.max(1e-9)
    };
    let mut key: Vec<(f64, u32)> = (0..n)
        .into_par_iter()
        .map(|j| {
            let mut b = f64::NEG_INFINITY;
            for o in core.p.options(j) {
                if core.alive[o] {
                    b = b.max(density(j, o));
                }
            }
            (b, j as u32)
        })
        .collect();
    key.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut rem = core.cap.clone();
    let mut asg = vec![NONE; n];
    for &(_, j) in &key {
        let j = j as usize;
        let mut best = if core.optional {
            0.0
        } else {
            f64::NEG_INFINITY
        };
        let mut arg = NONE;
        for o in core.p.options(j) {
            if !core.alive[o] || !core.fits(&rem, j, o) {
                continue;
            }
            if core.profit(o) > best {
                best = core.profit(o);
                arg = o as u32;
            }
        }
        if arg != NONE {
            let i = core.place(arg as usize);
            core.take(&mut rem, j, arg as usize);
            for (q, r) in core.need(j, arg as usize).iter().enumerate() {
                if *r > 0.0 {
                    let d = core.profit(arg as usize) / r;
                    low[i * k + q] = low[i * k + q].min(d);
                }
            }
            asg[j] = arg;
        }
    }
    let lambda = (0..m * k)
        .map(|x| {
            if rem[x] <= 0.05 * core.cap[x] && low[x].is_finite() {
                low[x].max(0.0)
            } else {
                0.0
            }
        })
        .collect();
    (asg, lambda)
}
