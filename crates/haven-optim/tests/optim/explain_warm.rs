//! Explanations, shadow prices, warm re-solve and determinism.

use haven_optim::{
    Mode, ProblemBuilder, ResettlementParams, Sense, SolveOptions, check_assignment, explain,
    generate_resettlement, read_orlib_gap, solve, solve_warm, what_if_capacity,
};

use super::data::gap_dir;

#[test]
fn explains_items_and_prices_capacity() {
    // two households compete for one small pledge; a third is eligible nowhere
    let mut b = ProblemBuilder::new(vec!["persons".into()], Sense::Maximize, Mode::Optional);
    b.place("Canada", &[5.0]).expect("p");
    b.place("Norway", &[3.0]).expect("p");
    b.item("A", &[5.0]).expect("i");
    b.option(0, 50.0).expect("o");
    b.item("B", &[4.0]).expect("i");
    b.option(0, 30.0).expect("o");
    b.option(1, 10.0).expect("o");
    b.item("C", &[2.0]).expect("i");
    let p = b.build().expect("build");
    let s = solve(&p, &SolveOptions::default());
    assert!(s.optimal);
    assert_eq!(s.assignment, vec![Some(0), None, None]);
    let e = explain(&p, &s);
    assert_eq!(e.unplaced, 2);
    let bexp = &e.items[1];
    assert_eq!(bexp.unplaced_reason.as_deref(), Some("places_full"));
    assert_eq!(bexp.alternatives[0].code, "capacity");
    assert!(bexp.alternatives[0].reason.contains("Canada"));
    assert_eq!(bexp.alternatives[1].code, "too_big");
    assert_eq!(
        e.items[2].unplaced_reason.as_deref(),
        Some("no_eligible_place")
    );
    assert_eq!(e.items[2].ineligible_places, 2);
    // Canada's persons capacity is binding and worth something; Norway's is not
    let canada = e.places.iter().find(|x| x.place == 0).expect("canada");
    assert!(canada.shadow_price > 0.0 && canada.slack == 0.0);
    // one more place at Norway lets B in: +10
    let w = what_if_capacity(&p, &s, 1, 0, 1.0, &SolveOptions::default()).expect("what-if");
    assert_eq!(w.objective_after, Some(60.0));
    assert_eq!(w.items_placed_after, 2);
    assert_eq!(w.need_placed_after, vec![9.0]);
}

#[test]
fn warm_resolve_after_capacity_change() {
    let par = ResettlementParams {
        households: 3000,
        places: 40,
        seed: 5,
        ..Default::default()
    };
    let p = generate_resettlement(&par);
    let opts = SolveOptions {
        time_limit_ms: 3000,
        ..Default::default()
    };
    let s = solve(&p, &opts);
    assert!(s.feasible && check_assignment(&p, &s.assignment).feasible);
    let gap = s.gap.expect("gap");
    assert!(gap < 0.05, "gap {gap}");
    let mut q = p.clone();
    let c = q.capacity(3)[0];
    q.set_capacity(3, 0, (c / 2.0).floor()).expect("cap");
    let w = solve_warm(
        &q,
        &s,
        &SolveOptions {
            time_limit_ms: 1000,
            ..Default::default()
        },
    );
    assert!(w.stats.warm_start);
    assert!(w.feasible && check_assignment(&q, &w.assignment).feasible);
    // debug builds are slow: the release figures are in docs/optimiser.md
    assert!(w.gap.expect("gap") < 0.05, "warm gap {:?}", w.gap);
    assert!(w.objective <= s.bound);
}

#[test]
fn same_seed_same_answer() {
    let p = read_orlib_gap(gap_dir().join("chu1997/d05100"))
        .expect("read")
        .remove(0);
    let opts = SolveOptions {
        time_limit_ms: 600_000,
        seed: 7,
        max_rounds: Some(30),
        node_limit: 50,
        ..Default::default()
    };
    let a = solve(&p, &opts);
    let b = solve(&p, &opts);
    assert_eq!(a.assignment, b.assignment);
    assert_eq!(a.objective, b.objective);
    assert_eq!(a.bound, b.bound);
    assert!(a.feasible);
}

#[test]
fn report_has_the_cli_fields() {
    let p = read_orlib_gap(gap_dir().join("cattrysse1994/gap1-0"))
        .expect("read")
        .remove(0);
    let s = solve(&p, &SolveOptions::default());
    let v = serde_json::to_value(&s).expect("json");
    for f in [
        "objective",
        "bound",
        "gap",
        "optimal",
        "feasible",
        "time_ms",
        "assignment",
    ] {
        assert!(v.get(f).is_some(), "missing {f}");
    }
    assert_eq!(v["objective"], 261.0);
    assert_eq!(v["assignment"].as_array().map(|a| a.len()), Some(15));
}

/// Above 100,000 options an optional problem takes the priced path (prices, then
/// exchange cycles and refill): its answer passes the checker and its gap is small even
/// in a debug build (release figures: docs/optimiser.md).
#[test]
fn priced_path_on_a_resettlement_problem() {
    let par = ResettlementParams {
        households: 8000,
        places: 50,
        seed: 9,
        ..Default::default()
    };
    let p = generate_resettlement(&par);
    assert!(p.num_options() > 100_000, "{}", p.num_options());
    let s = solve(
        &p,
        &SolveOptions {
            time_limit_ms: 4000,
            ..Default::default()
        },
    );
    assert!(s.feasible && check_assignment(&p, &s.assignment).feasible);
    let (v, b) = (s.objective.expect("objective"), s.bound.expect("bound"));
    assert!(v <= b, "objective {v} above the bound {b}");
    let gap = s.gap.expect("gap");
    assert!(gap < 0.01, "gap {gap}");
}
