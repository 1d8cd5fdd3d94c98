//! All 60 OR-Library gap1..gap12 instances to their known optimum, both senses.

use haven_optim::{Sense, SolveOptions, bench_item_sets, check_assignment, read_orlib_gap, solve};
use std::collections::BTreeMap;

use super::data::gap_dir;

/// OR-Library optimum when maximising profit (literature standard), from the data README.
const MAX_OPT: [[i64; 5]; 12] = [
    [336, 327, 339, 341, 326],
    [434, 436, 420, 419, 428],
    [580, 564, 573, 570, 564],
    [656, 644, 673, 647, 664],
    [563, 558, 564, 568, 559],
    [761, 759, 758, 752, 747],
    [942, 949, 968, 945, 951],
    [1133, 1134, 1141, 1117, 1127],
    [709, 717, 712, 723, 706],
    [958, 963, 960, 947, 947],
    [1139, 1178, 1195, 1171, 1171],
    [1451, 1449, 1433, 1447, 1446],
];

/// An assignment file: one 0-based agent a line, in job order; `#` lines are comments.
fn read_assignment(path: &std::path::Path) -> Vec<Option<usize>> {
    let text = std::fs::read_to_string(path).expect("an assignment file");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| Some(l.trim().parse::<usize>().expect("an agent index")))
        .collect()
}

fn min_optima() -> BTreeMap<String, f64> {
    let text = std::fs::read_to_string(gap_dir().join("data.csv")).expect("data.csv");
    let mut out = BTreeMap::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        if f.len() >= 8 && f[0].starts_with("cattrysse1994/") {
            out.insert(f[0].to_string(), f[6].parse::<f64>().expect("optimum"));
        }
    }
    out
}

fn run(sense: Sense) {
    let mins = min_optima();
    assert_eq!(mins.len(), 60);
    let opts = SolveOptions {
        time_limit_ms: 60_000,
        threads: 1,
        ..Default::default()
    };
    let mut jobs = Vec::new();
    for k in 1..=12 {
        for r in 0..5 {
            jobs.push((k, r));
        }
    }
    let failures: Vec<String> = std::thread::scope(|s| {
        let hs: Vec<_> = jobs
            .chunks(30)
            .map(|chunk| {
                let mins = &mins;
                let opts = &opts;
                s.spawn(move || {
                    let mut bad = Vec::new();
                    for &(k, r) in chunk {
                        let rel = format!("cattrysse1994/gap{k}-{r}");
                        let mut probs = read_orlib_gap(gap_dir().join(&rel)).expect("read");
                        assert_eq!(probs.len(), 1);
                        let mut p = probs.remove(0);
                        p.sense = sense;
                        let want = match sense {
                            Sense::Minimize => mins[&rel],
                            Sense::Maximize => MAX_OPT[k - 1][r] as f64,
                        };
                        let s = solve(&p, opts);
                        let chk = check_assignment(&p, &s.assignment);
                        if !(s.optimal
                            && s.feasible
                            && chk.feasible
                            && s.objective == Some(want)
                            && s.bound == Some(want)
                            && s.gap == Some(0.0))
                        {
                            bad.push(format!(
                                "{rel} {sense:?}: want {want}, got {:?} bound {:?} optimal {}",
                                s.objective, s.bound, s.optimal
                            ));
                        }
                    }
                    bad
                })
            })
            .collect();
        hs.into_iter()
            .flat_map(|h| h.join().expect("thread"))
            .collect()
    });
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn gap1_to_gap12_min_cost_optimal() {
    run(Sense::Minimize);
}

#[test]
fn gap1_to_gap12_max_profit_optimal() {
    run(Sense::Maximize);
}

#[test]
fn chu_instance_gets_valid_bound_and_feasible_solution() {
    let p = read_orlib_gap(gap_dir().join("chu1997/c05100"))
        .expect("read")
        .remove(0);
    let s = solve(
        &p,
        &SolveOptions {
            time_limit_ms: 500,
            ..Default::default()
        },
    );
    assert!(s.feasible);
    let (obj, bound) = (s.objective.expect("objective"), s.bound.expect("bound"));
    // best known (= optimum) 1931 lies between bound and objective
    assert!(bound <= 1931.0 && 1931.0 <= obj, "{bound} {obj}");
    assert!(check_assignment(&p, &s.assignment).feasible);
}

/// The assignments Haven found that cost less than the best known solution value in
/// data.csv (`tests/data/gap/solutions/<set>-<instance>-<cost>.txt`): the checker, not
/// the solver, vouches for each, and for its cost.
#[test]
fn assignments_below_the_best_known_are_feasible() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/gap/solutions");
    let csv = std::fs::read_to_string(gap_dir().join("data.csv")).expect("data.csv");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).expect("solutions folder") {
        let path = entry.expect("entry").path();
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("a file name");
        // <set>-<instance>-<cost>
        let parts: Vec<&str> = name.splitn(3, '-').collect();
        assert_eq!(parts.len(), 3, "{name}: not <set>-<instance>-<cost>");
        let rel = format!("{}/{}", parts[0], parts[1]);
        let cost: f64 = parts[2].parse().expect("a cost in the name");
        let p = read_orlib_gap(gap_dir().join(&rel))
            .expect("read")
            .remove(0);
        let assignment = read_assignment(&path);
        assert_eq!(assignment.len(), p.num_items(), "{name}");
        let chk = check_assignment(&p, &assignment);
        assert!(chk.feasible, "{name}: {chk:?}");
        assert_eq!(chk.objective, cost, "{name}");
        let best_known: f64 = csv
            .lines()
            .find(|l| l.starts_with(&format!("{rel},")))
            .and_then(|l| l.split(',').nth(7))
            .and_then(|v| v.trim().parse().ok())
            .expect("a best known value");
        assert!(cost < best_known, "{name}: {cost} against {best_known}");
        checked += 1;
    }
    assert!(checked >= 1);
}

/// The sub-problem benchmark (`examples/solve.rs --bench-item-sets`) does the same work
/// run after run from its committed start, finds some of those sets improvable, and
/// refuses a start that is not feasible.
#[test]
fn the_item_set_benchmark_repeats_its_work() {
    let p = read_orlib_gap(gap_dir().join("chu1997/d20200"))
        .expect("read")
        .remove(0);
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/data/chu1997-d20200-12288.txt");
    let start = read_assignment(&path);
    let chk = check_assignment(&p, &start);
    assert!(chk.feasible && chk.objective == 12288.0, "{chk:?}");
    let a = bench_item_sets(&p, &start, 12, 60, 1).expect("a feasible start");
    let b = bench_item_sets(&p, &start, 12, 60, 1).expect("a feasible start");
    assert_eq!(
        (a.improved, a.finished, a.nodes),
        (b.improved, b.finished, b.nodes)
    );
    assert!(a.improved >= 1 && a.nodes > 12, "{a:?}");
    let mut bad = start.clone();
    bad.iter_mut().for_each(|x| *x = Some(0));
    let err = bench_item_sets(&p, &bad, 1, 60, 1).expect_err("an infeasible start");
    assert!(err.to_string().contains("not feasible"), "{err}");
}
