//! Independent feasibility checker: recomputes everything from the problem alone.

use serde::Serialize;

use crate::model::{Mode, Problem};

/// The verdict of [`check_assignment`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckReport {
    /// True when the assignment satisfies every constraint.
    pub feasible: bool,
    /// Total value of the placed items, in the problem's own sense (cost or profit).
    pub objective: f64,
    /// One line per violated constraint (empty when feasible).
    pub violations: Vec<String>,
}

/// Check an assignment (place index of each item, `None` = unplaced) against the problem:
/// length, eligibility, every item placed in [`Mode::AssignAll`], and every capacity
/// (with a relative tolerance of 1e-9). Shares no code with the solver.
pub fn check_assignment(p: &Problem, assignment: &[Option<usize>]) -> CheckReport {
    let mut violations = Vec::new();
    let n = p.num_items();
    let k = p.num_resources();
    let m = p.num_places();
    if assignment.len() != n {
        violations.push(format!(
            "assignment has {} entries for {n} items",
            assignment.len()
        ));
        return CheckReport {
            feasible: false,
            objective: 0.0,
            violations,
        };
    }
    let mut load = vec![0.0f64; m * k];
    let mut objective = 0.0;
    for (j, a) in assignment.iter().enumerate() {
        match *a {
            None => {
                if p.mode == Mode::AssignAll {
                    violations.push(format!("item {j} ({}) is not placed", p.item_name(j)));
                }
            }
            Some(i) if i >= m => {
                violations.push(format!(
                    "item {j} ({}): place {i} does not exist",
                    p.item_name(j)
                ));
            }
            Some(i) => {
                let hit = p.options(j).find(|&o| p.option_place(o) == i);
                match hit {
                    None => violations.push(format!(
                        "item {j} ({}) is not eligible at place {i} ({})",
                        p.item_name(j),
                        p.place_name(i)
                    )),
                    Some(o) => {
                        objective += p.option_value(o);
                        for (r, x) in p.option_need(j, o).iter().enumerate() {
                            load[i * k + r] += x;
                        }
                    }
                }
            }
        }
    }
    for i in 0..m {
        for r in 0..k {
            let cap = p.capacity(i)[r];
            let l = load[i * k + r];
            if l > cap + 1e-9 * cap.abs().max(1.0) {
                violations.push(format!(
                    "place {i} ({}): {} load {l} exceeds capacity {cap}",
                    p.place_name(i),
                    p.resources()[r]
                ));
            }
        }
    }
    CheckReport {
        feasible: violations.is_empty(),
        objective,
        violations,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::model::{ProblemBuilder, Sense};

    #[test]
    fn detects_each_violation() {
        let mut b = ProblemBuilder::new(vec!["r".into()], Sense::Minimize, Mode::AssignAll);
        b.place("a", &[3.0]).unwrap();
        b.place("b", &[3.0]).unwrap();
        b.item("x", &[2.0]).unwrap();
        b.option(0, 1.0).unwrap();
        b.option(1, 2.0).unwrap();
        b.item("y", &[2.0]).unwrap();
        b.option(0, 1.0).unwrap();
        let p = b.build().unwrap();
        let ok = check_assignment(&p, &[Some(1), Some(0)]);
        assert!(ok.feasible);
        assert_eq!(ok.objective, 3.0);
        assert!(!check_assignment(&p, &[Some(0), Some(0)]).feasible);
        assert!(!check_assignment(&p, &[Some(0), None]).feasible);
        assert!(!check_assignment(&p, &[Some(0), Some(1)]).feasible);
        assert!(!check_assignment(&p, &[Some(0), Some(7)]).feasible);
        assert!(!check_assignment(&p, &[Some(0)]).feasible);
    }
}
