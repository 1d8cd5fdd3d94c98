//! Brute force agrees with the solver on random small instances, both modes and senses.

use haven_optim::{
    Mode, Problem, ProblemBuilder, Sense, SolveOptions, Status, check_assignment, solve,
};
use proptest::prelude::*;

#[derive(Debug, Clone)]
struct Spec {
    m: usize,
    k: usize,
    mode: Mode,
    sense: Sense,
    caps: Vec<Vec<u8>>,
    // per item: per place: Option<(value, need per resource)>
    items: Vec<Vec<Option<(i16, Vec<u8>)>>>,
    fractional: bool,
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        1usize..=3,
        1usize..=2,
        1usize..=6,
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_flat_map(|(m, k, n, optional, maximize, fractional)| {
            let caps = proptest::collection::vec(proptest::collection::vec(0u8..12, k), m);
            let opt =
                proptest::option::weighted(0.75, (-5i16..25, proptest::collection::vec(0u8..7, k)));
            let items = proptest::collection::vec(proptest::collection::vec(opt, m), n);
            (caps, items).prop_map(move |(caps, items)| Spec {
                m,
                k,
                mode: if optional {
                    Mode::Optional
                } else {
                    Mode::AssignAll
                },
                sense: if maximize {
                    Sense::Maximize
                } else {
                    Sense::Minimize
                },
                caps,
                items,
                fractional,
            })
        })
}

fn build(s: &Spec) -> Problem {
    let res = (0..s.k).map(|r| format!("r{r}")).collect();
    let mut b = ProblemBuilder::new(res, s.sense, s.mode);
    for (i, c) in s.caps.iter().enumerate() {
        let c: Vec<f64> = c.iter().map(|x| *x as f64).collect();
        b.place(format!("p{i}"), &c).expect("place");
    }
    for (j, it) in s.items.iter().enumerate() {
        b.item(format!("i{j}"), &vec![1.0; s.k]).expect("item");
        for (i, o) in it.iter().enumerate() {
            if let Some((v, need)) = o {
                let v = if s.fractional {
                    *v as f64 * 0.37
                } else {
                    *v as f64
                };
                let need: Vec<f64> = need.iter().map(|x| *x as f64).collect();
                b.option_with_need(i, v, &need).expect("option");
            }
        }
    }
    b.build().expect("build")
}

/// Best objective by enumeration, None if infeasible.
fn brute(p: &Problem, m: usize) -> Option<f64> {
    let n = p.num_items();
    let mut a: Vec<Option<usize>> = vec![None; n];
    let mut best: Option<f64> = None;
    let total = (m + 1).pow(n as u32);
    for code in 0..total {
        let mut c = code;
        for slot in a.iter_mut() {
            let d = c % (m + 1);
            c /= m + 1;
            *slot = if d == m { None } else { Some(d) };
        }
        let r = check_assignment(p, &a);
        if r.feasible {
            let better = match (best, p.sense) {
                (None, _) => true,
                (Some(b), Sense::Maximize) => r.objective > b + 1e-9,
                (Some(b), Sense::Minimize) => r.objective < b - 1e-9,
            };
            if better {
                best = Some(r.objective);
            }
        }
    }
    best
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]
    #[test]
    fn solver_agrees_with_brute_force(s in spec()) {
        let p = build(&s);
        let want = brute(&p, s.m);
        let sol = solve(&p, &SolveOptions { time_limit_ms: 20_000, threads: 1, ..Default::default() });
        match want {
            None => {
                prop_assert_eq!(sol.status, Status::Infeasible, "{:?}", sol);
                prop_assert!(!sol.feasible);
                prop_assert!(sol.objective.is_none());
            }
            Some(v) => {
                prop_assert!(sol.optimal, "not proven optimal: {:?}", sol);
                prop_assert!(sol.feasible);
                let got = sol.objective.expect("objective");
                prop_assert!((got - v).abs() < 1e-6, "brute {} solver {}", v, got);
                prop_assert_eq!(sol.gap, Some(0.0));
                let chk = check_assignment(&p, &sol.assignment);
                prop_assert!(chk.feasible, "{:?}", chk.violations);
                // the bound is valid
                let b = sol.bound.expect("bound");
                prop_assert!((b - v).abs() < 1e-6);
            }
        }
    }

    #[test]
    fn lagrangian_bound_is_valid_under_tiny_time_limits(s in spec()) {
        let p = build(&s);
        let want = brute(&p, s.m);
        let sol = solve(&p, &SolveOptions { time_limit_ms: 1, threads: 1, node_limit: 1, ..Default::default() });
        if let (Some(v), Some(b)) = (want, sol.bound) {
            match p.sense {
                Sense::Maximize => prop_assert!(b >= v - 1e-6, "bound {} < optimum {}", b, v),
                Sense::Minimize => prop_assert!(b <= v + 1e-6, "bound {} > optimum {}", b, v),
            }
        }
        if sol.feasible {
            prop_assert!(check_assignment(&p, &sol.assignment).feasible);
        }
    }
}
