//! Instances and brute force shared by the unit tests.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;

use crate::core::{Core, Scored, feasible_profit};
use crate::model::{Mode, Problem, ProblemBuilder, Sense};

/// The best profit of any feasible assignment, by enumeration (None: no feasible one).
pub(crate) fn brute(c: &Core) -> Option<f64> {
    brute_among(c, &|_, _| true)
}

/// As `brute`, each item `j` on the options `o` with `allow(j, o)` only.
pub(crate) fn brute_among(c: &Core, allow: &dyn Fn(usize, usize) -> bool) -> Option<f64> {
    feasible_among(c, allow)
        .into_iter()
        .map(|x| x.0)
        .reduce(f64::max)
}

/// Every feasible assignment with its profit, by enumeration.
pub(crate) fn feasible_all(c: &Core) -> Vec<Scored> {
    feasible_among(c, &|_, _| true)
}

/// As `feasible_all`, each item `j` on the options `o` with `allow(j, o)` only.
fn feasible_among(c: &Core, allow: &dyn Fn(usize, usize) -> bool) -> Vec<Scored> {
    fn go(
        c: &Core,
        allow: &dyn Fn(usize, usize) -> bool,
        asg: &mut Vec<u32>,
        out: &mut Vec<Scored>,
    ) {
        let j = asg.len();
        if j == c.n {
            if let Some(v) = feasible_profit(c, asg) {
                out.push((v, asg.clone()));
            }
            return;
        }
        for o in c.p.options(j).filter(|&o| allow(j, o)) {
            asg.push(o as u32);
            go(c, allow, asg, out);
            asg.pop();
        }
    }
    let mut out = Vec::new();
    go(c, allow, &mut Vec::new(), &mut out);
    out
}

/// A one-resource minimisation GAP: `items[j][i]` is (cost, need) at place i, or None.
pub(crate) fn build(caps: &[u8], items: &[Vec<Option<(u8, u8)>>]) -> Problem {
    let mut b = ProblemBuilder::new(vec!["r".into()], Sense::Minimize, Mode::AssignAll);
    for (i, cap) in caps.iter().enumerate() {
        b.place(format!("p{i}"), &[*cap as f64]).unwrap();
    }
    for (j, it) in items.iter().enumerate() {
        b.item(format!("i{j}"), &[1.0]).unwrap();
        for (i, o) in it.iter().enumerate() {
            if let Some((cost, need)) = o {
                b.option_with_need(i, *cost as f64, &[*need as f64])
                    .unwrap();
            }
        }
    }
    b.build().unwrap()
}

/// `n` items, each eligible everywhere at cost 1–29 and need 1..=`max_need`.
pub(crate) fn dense(seed: u64, caps: &[u8], n: usize, max_need: usize) -> Problem {
    let mut rng = crate::rng::Rng::new(seed);
    let items: Vec<Vec<Option<(u8, u8)>>> = (0..n)
        .map(|_| {
            (0..caps.len())
                .map(|_| Some((1 + rng.below(29) as u8, 1 + rng.below(max_need) as u8)))
                .collect()
        })
        .collect();
    build(caps, &items)
}

/// Small instances for brute force: up to 3 places and 7 items, a fifth of the
/// pairs ineligible.
pub(crate) fn small() -> impl Strategy<Value = Problem> {
    (
        proptest::collection::vec(1u8..15, 1..=3),
        proptest::collection::vec(
            proptest::collection::vec(proptest::option::weighted(0.8, (1u8..30, 1u8..7)), 3),
            1..=7,
        ),
    )
        .prop_map(|(caps, items)| {
            let items: Vec<Vec<Option<(u8, u8)>>> = items
                .into_iter()
                .map(|v| v[..caps.len()].to_vec())
                .collect();
            build(&caps, &items)
        })
}
