//! Exchange cycles between places for problems whose needs do not depend on the place.
//!
//! When a household of four moves from place A to place B and one of four moves from B
//! back to A — or on to C, and one from C to A — every place holds exactly the load it
//! held before. Such cyclic exchanges of items with the *same need* never break a
//! capacity, so the best of them can be found as a longest-path problem: for each class
//! of items (one need vector), a graph on the places plus "unplaced", with an arc `a → b`
//! worth the most any item of the class gains by moving from `a` to `b` (entering from
//! "unplaced" earns its value; leaving to it loses it). A cycle of positive worth is an
//! improving exchange. Bellman–Ford finds such cycles, or proves there is none, in
//! `O(V·E)` (in practice a few passes: cycles show in the predecessor graph early), and
//! every positive cycle of the predecessor graph is made at once.
//!
//! This is what prices leave undone on resettlement problems: households placed away from
//! their best place because it was full, where moving them back needs someone of the
//! same size to move out — along a chain of places that ends where it began.

use rayon::prelude::*;
use std::collections::HashMap;
use std::time::Instant;

use crate::core::{Core, NONE};

/// Classes (need vectors) beyond which the search is not worth its passes.
const MAX_CLASSES: usize = 64;
/// Places beyond which the dense graphs take too much memory.
const MAX_PLACES: usize = 2000;

/// The cycles apply: needs do not depend on the place, and there are few distinct needs.
fn classes(c: &Core) -> Option<(Vec<u16>, usize)> {
    // "unplaced" is a node of the graph: every item must be placeable nowhere
    if !c.optional || c.p.opt_need.is_some() || c.m > MAX_PLACES {
        return None;
    }
    let k = c.k;
    let mut ids: HashMap<Vec<u64>, u16> = HashMap::new();
    let mut class = Vec::with_capacity(c.n);
    for j in 0..c.n {
        let key: Vec<u64> = c.p.item_need[j * k..(j + 1) * k]
            .iter()
            .map(|x| x.to_bits())
            .collect();
        let next = ids.len();
        let id = *ids.entry(key).or_insert(next as u16);
        if ids.len() > MAX_CLASSES {
            return None;
        }
        class.push(id);
    }
    Some((class, ids.len()))
}

/// Improve `asg` by exchange cycles until none is left or the deadline. Returns the gain.
pub(crate) fn exchange(c: &Core, asg: &mut [u32], deadline: Instant) -> f64 {
    let Some((class, nclass)) = classes(c) else {
        return 0.0;
    };
    let mut members: Vec<Vec<u32>> = vec![Vec::new(); nclass];
    for (j, &s) in class.iter().enumerate() {
        members[s as usize].push(j as u32);
    }
    // the classes are independent: a cycle keeps every place's load of its class
    let snapshot: &[u32] = asg;
    let done: Vec<(f64, Vec<(u32, u32)>)> = members
        .par_iter()
        .map(|items| class_cycles(c, snapshot, items, deadline))
        .collect();
    let mut total = 0.0;
    for (g, moves) in done {
        for (j, o) in moves {
            asg[j as usize] = o;
        }
        total += g;
    }
    total
}

/// The graph of one class: arc a → b holds its worth and the option (of the item that
/// moves) at b; the arc to "unplaced" holds the option the item leaves.
struct Graph {
    v: usize,
    worth: Vec<f64>,
    arc: Vec<u32>,
    /// For each place, the arcs of positive worth leaving it: a cycle of positive worth
    /// has one, so the first pass of Bellman–Ford (every distance 0) needs only these.
    pos: Vec<Vec<u32>>,
}

impl Graph {
    /// Recompute the arcs leaving node `a` from the items there.
    fn row(&mut self, c: &Core, asg: &[u32], at: &[u32], a: usize) {
        let (v, out) = (self.v, self.v - 1);
        self.worth[a * v..(a + 1) * v].fill(f64::NEG_INFINITY);
        self.arc[a * v..(a + 1) * v].fill(NONE);
        for &j in at {
            let j = j as usize;
            let cur = asg[j];
            let here = if cur == NONE {
                0.0
            } else {
                c.profit(cur as usize)
            };
            for o in c.p.options(j) {
                if !c.alive[o] || o as u32 == cur {
                    continue;
                }
                let b = c.place(o);
                let g = c.profit(o) - here;
                if g > self.worth[a * v + b] {
                    self.worth[a * v + b] = g;
                    self.arc[a * v + b] = o as u32;
                }
            }
            if cur != NONE && -here > self.worth[a * v + out] {
                self.worth[a * v + out] = -here;
                self.arc[a * v + out] = cur;
            }
        }
        if a != out {
            let row = &self.worth[a * v..(a + 1) * v];
            self.pos[a].clear();
            self.pos[a].extend((0..v).filter(|&b| row[b] > 0.0).map(|b| b as u32));
        }
    }
}

/// Candidates per place kept for the arcs from "unplaced".
const KEPT: usize = 16;

/// For each place, the unplaced items of the class worth most there (at most [`KEPT`],
/// best first; entries of items placed since are dropped when met). The arc from
/// "unplaced" to a place is the first valid entry, so it is kept up to date without a
/// pass over every unplaced item at every move.
struct Unplaced {
    lists: Vec<Vec<(f64, u32)>>,
}

impl Unplaced {
    fn insert(&mut self, b: usize, value: f64, o: u32) {
        let l = &mut self.lists[b];
        if l.len() == KEPT && l.last().is_some_and(|x| x.0 >= value) {
            return;
        }
        let at = l.partition_point(|x| x.0 >= value);
        l.insert(at, (value, o));
        l.truncate(KEPT);
    }
    /// Make the arc from "unplaced" to `b` the best unplaced item there.
    fn arc(&mut self, c: &Core, g: &mut Graph, dense: &[u32], unplaced: &[u32], b: usize) {
        let valid = |o: u32| dense[c.p.item_of(o as usize)] == NONE;
        let l = &mut self.lists[b];
        while l.first().is_some_and(|x| !valid(x.1)) {
            l.remove(0);
        }
        if l.is_empty() {
            // the kept ones are all placed: look again over every unplaced item
            for &j in unplaced {
                if let Some(o) = c.p.find_option(j as usize, b)
                    && c.alive[o]
                {
                    self.insert(b, c.profit(o), o as u32);
                }
            }
        }
        let at = (g.v - 1) * g.v + b;
        match self.lists[b].first() {
            Some(&(value, o)) => {
                g.worth[at] = value;
                g.arc[at] = o;
            }
            None => {
                g.worth[at] = f64::NEG_INFINITY;
                g.arc[at] = NONE;
            }
        }
    }
}

/// Cancel positive cycles of one class until none is left (or the deadline); returns the
/// gain and the new option (or NONE) of every item of the class that moved.
fn class_cycles(
    c: &Core,
    asg0: &[u32],
    items: &[u32],
    deadline: Instant,
) -> (f64, Vec<(u32, u32)>) {
    let v = c.m + 1;
    let out = c.m;
    let node = |o: u32| if o == NONE { out } else { c.place(o as usize) };
    // the class's items at each node
    let mut at: Vec<Vec<u32>> = vec![Vec::new(); v];
    for &j in items {
        at[node(asg0[j as usize])].push(j);
    }
    let mut g = Graph {
        v,
        worth: vec![f64::NEG_INFINITY; v * v],
        arc: vec![NONE; v * v],
        pos: vec![Vec::new(); v],
    };
    // a dense view of the class's assignment for the row builder
    let mut dense = asg0.to_vec();
    for a in 0..out {
        g.row(c, &dense, &at[a], a);
    }
    let mut unplaced = Unplaced {
        lists: vec![Vec::new(); c.m],
    };
    for &j in &at[out] {
        for o in c.p.options(j as usize) {
            if c.alive[o] {
                unplaced.insert(c.place(o), c.profit(o), o as u32);
            }
        }
    }
    for b in 0..c.m {
        unplaced.arc(c, &mut g, &dense, &at[out], b);
    }
    let mut total = 0.0;
    loop {
        if Instant::now() >= deadline {
            break;
        }
        let Some((gain, moves)) = find_cycle(c, &g, deadline) else {
            break;
        };
        let mut touched = Vec::with_capacity(2 * moves.len());
        let (mut left_out, mut entered_out) = (None, None);
        for &(j, o) in &moves {
            let from = node(dense[j as usize]);
            let to = node(o);
            if let Some(x) = at[from].iter().position(|&y| y == j) {
                at[from].swap_remove(x);
            }
            at[to].push(j);
            dense[j as usize] = o;
            if from == out {
                left_out = Some(j as usize);
            } else {
                touched.push(from);
            }
            if to == out {
                entered_out = Some(j as usize);
            } else {
                touched.push(to);
            }
        }
        touched.sort_unstable();
        touched.dedup();
        for a in touched {
            g.row(c, &dense, &at[a], a);
        }
        // the arcs from "unplaced" change only where the item that left held them, or
        // where the item that came is worth more; the rest of that row stands
        if let Some(j) = entered_out {
            for o in c.p.options(j) {
                if c.alive[o] {
                    unplaced.insert(c.place(o), c.profit(o), o as u32);
                }
            }
        }
        // (a cycle through "unplaced" has both: each item's places need a fresh arc)
        for j in left_out.into_iter().chain(entered_out) {
            for o in c.p.options(j) {
                unplaced.arc(c, &mut g, &dense, &at[out], c.place(o));
            }
        }
        total += gain;
    }
    let moved = items
        .iter()
        .filter(|&&j| dense[j as usize] != asg0[j as usize])
        .map(|&j| (j, dense[j as usize]))
        .collect();
    (total, moved)
}

/// The cycles of positive worth in `g`'s predecessor graph (Bellman–Ford from a virtual
/// source joined to every node), as the moves they make and their total worth; `None`
/// when there is none (or at the deadline).
fn find_cycle(c: &Core, g: &Graph, deadline: Instant) -> Option<(f64, Vec<(u32, u32)>)> {
    let v = g.v;
    let out = v - 1;
    let mut dist = vec![0.0f64; v];
    let mut pred = vec![usize::MAX; v];
    let eps = 1e-9;
    // the nodes whose distance rose in the last pass: only their arcs can raise others
    let mut active: Vec<usize> = Vec::new();
    let mut next: Vec<usize> = Vec::new();
    let mut queued = vec![false; v];
    for pass in 0..v {
        if pass % 8 == 7 && Instant::now() >= deadline {
            return None;
        }
        next.clear();
        let mut relax = |a: usize, b: usize, dist: &mut [f64], pred: &mut [usize]| {
            let w = g.worth[a * v + b];
            if dist[a] + w > dist[b] + eps {
                dist[b] = dist[a] + w;
                pred[b] = a;
                if !queued[b] {
                    queued[b] = true;
                    next.push(b);
                }
            }
        };
        if pass == 0 {
            for a in 0..v {
                if a == out {
                    for b in 0..v {
                        relax(a, b, &mut dist, &mut pred);
                    }
                } else {
                    for &b in &g.pos[a] {
                        relax(a, b as usize, &mut dist, &mut pred);
                    }
                }
            }
        } else {
            for &a in &active {
                for b in 0..v {
                    relax(a, b, &mut dist, &mut pred);
                }
            }
        }
        if next.is_empty() {
            return None;
        }
        for &b in &next {
            queued[b] = false;
        }
        std::mem::swap(&mut active, &mut next);
        let cycles = pred_cycles(&pred);
        if cycles.is_empty() {
            continue;
        }
        // node-disjoint, so item-disjoint: every positive one can be made at once
        let mut found = (0.0, Vec::new());
        for cycle in cycles {
            // arc pred[b] → b moves its item to b
            let mut worth = 0.0;
            let first = found.1.len();
            for &b in &cycle {
                let a = pred[b];
                let o = g.arc[a * v + b];
                worth += g.worth[a * v + b];
                let j = c.p.item_of(o as usize) as u32;
                found.1.push((j, if b == out { NONE } else { o }));
            }
            if worth > eps {
                found.0 += worth;
            } else {
                found.1.truncate(first);
            }
        }
        // a cycle of no worth (ties within the tolerance) may sit in the predecessor
        // graph while a positive one is still forming: go on relaxing
        if found.0 > eps {
            return Some(found);
        }
    }
    None
}

/// The cycles of the predecessor graph, each as its nodes (each node's predecessor is the
/// one before it, cyclically). Every node has one predecessor, so they share no node.
fn pred_cycles(pred: &[usize]) -> Vec<Vec<usize>> {
    let n = pred.len();
    let mut mark = vec![usize::MAX; n];
    let mut cycles = Vec::new();
    for s in 0..n {
        let mut x = s;
        while x != usize::MAX && mark[x] == usize::MAX {
            mark[x] = s;
            x = pred[x];
        }
        if x != usize::MAX && mark[x] == s {
            let mut cycle = vec![x];
            let mut y = pred[x];
            while y != x {
                cycle.push(y);
                y = pred[y];
            }
            cycles.push(cycle);
        }
    }
    cycles
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
pub(crate) mod tests {
    use super::*;
    use crate::core::feasible_profit;
    use crate::model::{Mode, Problem, ProblemBuilder, Sense};
    use proptest::prelude::*;
    use std::time::Duration;

    /// A household: (persons, medical need) and its value at each place (None: ineligible).
    pub(crate) type Household = ((u8, bool), Vec<Option<u8>>);

    /// An optional problem with needs per item: (persons, medical) and values per place.
    pub(crate) fn build(caps: &[(u8, u8)], items: &[Household]) -> Problem {
        let res = vec!["persons".into(), "medical".into()];
        let mut b = ProblemBuilder::new(res, Sense::Maximize, Mode::Optional);
        for (i, (p, m)) in caps.iter().enumerate() {
            b.place(format!("p{i}"), &[*p as f64, *m as f64]).unwrap();
        }
        for (j, ((size, med), vals)) in items.iter().enumerate() {
            b.item(
                format!("h{j}"),
                &[*size as f64, if *med { 1.0 } else { 0.0 }],
            )
            .unwrap();
            for (i, v) in vals.iter().enumerate() {
                if let Some(v) = v {
                    b.option(i, *v as f64).unwrap();
                }
            }
        }
        b.build().unwrap()
    }

    pub(crate) fn instance() -> impl Strategy<Value = (Vec<(u8, u8)>, Vec<Household>, u64)> {
        (1usize..=6, 2usize..=40).prop_flat_map(|(m, n)| {
            let caps = proptest::collection::vec((0u8..16, 0u8..3), m);
            let item = (
                (1u8..6, proptest::bool::weighted(0.2)),
                proptest::collection::vec(proptest::option::weighted(0.6, 1u8..50), m),
            );
            (caps, proptest::collection::vec(item, n), any::<u64>())
        })
    }

    /// A random feasible start: items in a random order to a random place with room.
    pub(crate) fn start(c: &Core, seed: u64) -> Vec<u32> {
        let mut rng = crate::rng::Rng::new(seed);
        let mut room = c.cap.clone();
        let mut asg = vec![NONE; c.n];
        for j in 0..c.n {
            let opts: Vec<usize> = c.p.options(j).filter(|&o| c.fits(&room, j, o)).collect();
            if opts.is_empty() || rng.below(4) == 0 {
                continue;
            }
            let o = opts[rng.below(opts.len())];
            c.take(&mut room, j, o);
            asg[j] = o as u32;
        }
        asg
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        /// Exchange cycles keep every capacity, and gain exactly what they report.
        #[test]
        fn exchange_keeps_capacities_and_reports_its_gain((caps, items, seed) in instance()) {
            let p = build(&caps, &items);
            let c = Core::new(&p);
            let mut asg = start(&c, seed);
            let before = feasible_profit(&c, &asg).expect("the start fits");
            let g = exchange(&c, &mut asg, Instant::now() + Duration::from_secs(5));
            let after = feasible_profit(&c, &asg);
            prop_assert!(after.is_some(), "capacity broken");
            prop_assert!(g >= 0.0);
            prop_assert!((after.unwrap() - before - g).abs() < 1e-6, "{before} + {g} != {after:?}");
        }
    }

    /// Two households of the same size, each at the place the other is worth most at:
    /// the cycle swaps them (refill alone, one place at a time, cannot take either).
    #[test]
    fn exchange_swaps_two_households_of_a_size() {
        let p = build(
            &[(2, 0), (2, 0)],
            &[
                ((2, false), vec![Some(1), Some(10)]),
                ((2, false), vec![Some(10), Some(1)]),
            ],
        );
        let c = Core::new(&p);
        let mut asg = vec![
            p.find_option(0, 0).unwrap() as u32,
            p.find_option(1, 1).unwrap() as u32,
        ];
        let g = exchange(&c, &mut asg, Instant::now() + Duration::from_secs(5));
        assert_eq!(g, 18.0);
        assert_eq!(
            asg,
            vec![
                p.find_option(0, 1).unwrap() as u32,
                p.find_option(1, 0).unwrap() as u32
            ]
        );
    }
}
