//! Depth-first branch and bound with a Lagrangian bound at every node (capacities relaxed,
//! multipliers inherited from the parent and improved by a few subgradient steps).
//! Branching fixes one item to each of its fitting places (and to "unplaced" in optional
//! mode), best reduced profit first. When the search finishes, the incumbent is optimal.

use std::time::Instant;

use crate::core::{Core, NONE};

pub(crate) struct Bnb<'c, 'p> {
    c: &'c Core<'p>,
    lam: Vec<Vec<f64>>,
    rem: Vec<f64>,
    asg: Vec<u32>,
    decided: Vec<bool>,
    fixed: f64,
    pub best: f64,
    pub best_asg: Option<Vec<u32>>,
    pub nodes: u64,
    node_limit: u64,
    deadline: Instant,
    pub aborted: bool,
    iters: usize,
    // scratch
    choice: Vec<u32>,
    load: Vec<f64>,
}

struct Eval {
    ub: f64,
    /// Relaxed solution respects the remaining capacities.
    relax_feasible: bool,
    relax_profit: f64,
    branch: usize,
    forced: bool,
}

impl<'c, 'p> Bnb<'c, 'p> {
    pub fn new(
        c: &'c Core<'p>,
        lambda: &[f64],
        incumbent: Option<(&[u32], f64)>,
        node_limit: u64,
        deadline: Instant,
    ) -> Self {
        let depth = c.n + 2;
        Bnb {
            c,
            lam: vec![lambda.to_vec(); depth],
            rem: c.cap.clone(),
            asg: vec![NONE; c.n],
            decided: vec![false; c.n],
            fixed: 0.0,
            best: incumbent.map(|x| x.1).unwrap_or(f64::NEG_INFINITY),
            best_asg: incumbent.map(|x| x.0.to_vec()),
            nodes: 0,
            node_limit,
            deadline,
            aborted: false,
            iters: 8,
            choice: vec![NONE; c.n],
            load: vec![0.0; c.m * c.k],
        }
    }

    fn prunable(&self, ub: f64) -> bool {
        if self.best == f64::NEG_INFINITY {
            return ub == f64::NEG_INFINITY;
        }
        self.c.round_bound(ub) <= self.best + 1e-9 * self.best.abs().max(1.0)
    }

    #[inline]
    fn fits(&self, j: usize, o: usize) -> bool {
        let i = self.c.place(o);
        let k = self.c.k;
        self.c
            .need(j, o)
            .iter()
            .zip(&self.rem[i * k..(i + 1) * k])
            .all(|(a, b)| *a <= *b + 1e-9)
    }

    fn eval(&mut self, d: usize) -> Eval {
        let c = self.c;
        let k = c.k;
        let lam = &self.lam[d];
        self.load.iter_mut().for_each(|x| *x = 0.0);
        let mut sum = 0.0;
        let mut relax_profit = self.fixed;
        let mut branch = usize::MAX;
        let mut branch_key = f64::NEG_INFINITY;
        let mut forced = false;
        for j in 0..c.n {
            if self.decided[j] {
                continue;
            }
            let (mut b1, mut b2) = if c.optional {
                (0.0, f64::NEG_INFINITY)
            } else {
                (f64::NEG_INFINITY, f64::NEG_INFINITY)
            };
            let mut arg = NONE;
            let mut count = 0;
            for o in c.p.options(j) {
                if !c.alive[o] || !self.fits(j, o) {
                    continue;
                }
                count += 1;
                let r = c.reduced(lam, j, o);
                if r > b1 {
                    b2 = b1;
                    b1 = r;
                    arg = o as u32;
                } else if r > b2 {
                    b2 = r;
                }
            }
            if c.optional {
                count += 1;
            }
            if count == 0 {
                self.choice[j] = NONE;
                return Eval {
                    ub: f64::NEG_INFINITY,
                    relax_feasible: false,
                    relax_profit: 0.0,
                    branch: j,
                    forced: false,
                };
            }
            self.choice[j] = arg;
            sum += b1;
            if arg != NONE {
                relax_profit += c.profit(arg as usize);
                let i = c.place(arg as usize);
                for (x, r) in self.load[i * k..(i + 1) * k]
                    .iter_mut()
                    .zip(c.need(j, arg as usize))
                {
                    *x += r;
                }
            }
            if !forced {
                if count == 1 {
                    forced = true;
                    branch = j;
                } else {
                    let key = b1 - b2;
                    if key > branch_key {
                        branch_key = key;
                        branch = j;
                    }
                }
            }
        }
        let ub = self.fixed + sum + lam.iter().zip(&self.rem).map(|(l, b)| l * b).sum::<f64>();
        let relax_feasible = self
            .load
            .iter()
            .zip(&self.rem)
            .all(|(l, b)| *l <= *b + 1e-9 * b.abs().max(1.0));
        // prefer branching on an item sitting at an overloaded place
        if !forced && !relax_feasible {
            let mut bk = f64::NEG_INFINITY;
            for j in 0..c.n {
                if self.decided[j] || self.choice[j] == NONE {
                    continue;
                }
                let o = self.choice[j] as usize;
                let i = c.place(o);
                let over = (0..k).any(|r| self.load[i * k + r] > self.rem[i * k + r] + 1e-9);
                if over {
                    let key = c.need(j, o).iter().sum::<f64>();
                    if key > bk {
                        bk = key;
                        branch = j;
                    }
                }
            }
        }
        Eval {
            ub,
            relax_feasible,
            relax_profit,
            branch,
            forced,
        }
    }

    fn record(&mut self) {
        // the relaxed choice is feasible: complete assignment = decided + choice
        let mut a = self.asg.clone();
        for j in 0..self.c.n {
            if !self.decided[j] {
                a[j] = self.choice[j];
            }
        }
        let pr = self.c.profit_of(&a);
        if pr > self.best + 1e-9 * self.best.abs().max(1.0) || self.best_asg.is_none() {
            self.best = pr;
            self.best_asg = Some(a);
        }
    }

    pub fn run(&mut self) {
        self.node(0);
    }

    fn node(&mut self, d: usize) {
        self.nodes += 1;
        if self.nodes > self.node_limit
            // a node of a large sub-problem costs milliseconds (its Lagrangian steps):
            // checking the clock every few nodes keeps the deadline within a few of them
            || (self.nodes.is_multiple_of(8) && Instant::now() >= self.deadline)
        {
            self.aborted = true;
            return;
        }
        if self.aborted {
            return;
        }
        if d > 0 {
            let (a, b) = self.lam.split_at_mut(d);
            b[0].copy_from_slice(&a[d - 1]);
        }
        let mk = self.c.m * self.c.k;
        let mut ev = self.eval(d);
        let mut theta = 1.0;
        let mut it = 0;
        let mut best_ev_ub = ev.ub;
        loop {
            if ev.ub == f64::NEG_INFINITY || self.prunable(ev.ub) {
                return;
            }
            if ev.relax_feasible {
                self.record();
                // complementary slackness: relaxed solution optimal for this node
                if self.c.round_bound(ev.ub) <= self.c.round_bound(ev.relax_profit) + 1e-9
                    || self.prunable(ev.ub)
                {
                    return;
                }
            }
            if it >= self.iters || ev.forced {
                break;
            }
            it += 1;
            // subgradient step on this node's multipliers
            let mut norm = 0.0;
            let mut g = vec![0.0; mk];
            for x in 0..mk {
                let s = self.rem[x] - self.load[x];
                g[x] = if self.lam[d][x] <= 0.0 && s > 0.0 {
                    0.0
                } else {
                    s
                };
                norm += g[x] * g[x];
            }
            if norm <= 1e-18 {
                break;
            }
            let target = if self.best.is_finite() {
                self.best
            } else {
                ev.ub - 0.01 * ev.ub.abs().max(1.0)
            };
            let t = theta * (ev.ub - target).max(1e-6) / norm;
            let saved = self.lam[d].clone();
            for x in 0..mk {
                self.lam[d][x] = (self.lam[d][x] - t * g[x]).max(0.0);
            }
            let ev2 = self.eval(d);
            if ev2.ub < best_ev_ub {
                best_ev_ub = ev2.ub;
                ev = ev2;
            } else {
                theta *= 0.5;
                self.lam[d] = saved;
                ev = self.eval(d);
            }
        }
        let j = ev.branch;
        if j == usize::MAX {
            return;
        }
        // children: fitting options by reduced profit, plus "unplaced" in optional mode
        let lam = self.lam[d].clone();
        let mut kids: Vec<(f64, u32)> = self
            .c
            .p
            .options(j)
            .filter(|&o| self.c.alive[o] && self.fits(j, o))
            .map(|o| (self.c.reduced(&lam, j, o), o as u32))
            .collect();
        if self.c.optional {
            kids.push((0.0, NONE));
        }
        kids.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let best_red = kids.first().map(|x| x.0).unwrap_or(0.0);
        let k = self.c.k;
        for (red, o) in kids {
            if self.prunable(ev.ub - (best_red - red)) {
                continue;
            }
            self.decided[j] = true;
            self.asg[j] = o;
            if o != NONE {
                let i = self.c.place(o as usize);
                self.fixed += self.c.profit(o as usize);
                for r in 0..k {
                    self.rem[i * k + r] -= self.c.need(j, o as usize)[r];
                }
            }
            self.node(d + 1);
            if o != NONE {
                let i = self.c.place(o as usize);
                self.fixed -= self.c.profit(o as usize);
                for r in 0..k {
                    self.rem[i * k + r] += self.c.need(j, o as usize)[r];
                }
            }
            self.decided[j] = false;
            self.asg[j] = NONE;
            if self.aborted {
                return;
            }
        }
    }
}
