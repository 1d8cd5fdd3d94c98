//! Explanations a resettlement officer can act on, and what-if re-solves.

use serde::{Deserialize, Serialize};

use crate::error::{OptimError, Result};
use crate::model::{Problem, Sense};
use crate::solve::{Solution, SolveOptions, solve_warm};

/// Why an alternative place was not taken.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alternative {
    /// Place index.
    pub place: usize,
    /// Place name.
    pub place_name: String,
    /// Value (profit or cost) of the item there.
    pub value: f64,
    /// `capacity` (not enough left), `too_big` (exceeds the place's whole capacity),
    /// `worse` (fits, but the chosen place is better), `better_unused` (fits and is better:
    /// the solution is not proven optimal, or taking it would block others).
    pub code: String,
    /// Human-readable reason.
    pub reason: String,
}

/// Where one item went and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemExplanation {
    /// Item index.
    pub item: usize,
    /// Item name.
    pub name: String,
    /// Place index, None when unplaced.
    pub place: Option<usize>,
    /// Place name.
    pub place_name: Option<String>,
    /// Value at that place.
    pub value: Option<f64>,
    /// Up to three best other eligible places, with the reason they were not taken.
    pub alternatives: Vec<Alternative>,
    /// Number of places where the item is not eligible.
    pub ineligible_places: usize,
    /// For unplaced items: `no_eligible_place`, `places_full` or `not_worth_it`.
    pub unplaced_reason: Option<String>,
}

/// One capacity of one place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlaceResource {
    /// Place index.
    pub place: usize,
    /// Place name.
    pub place_name: String,
    /// Resource name.
    pub resource: String,
    /// Capacity.
    pub capacity: f64,
    /// Used by the solution.
    pub load: f64,
    /// Capacity − load.
    pub slack: f64,
    /// Objective improvement per extra unit (LP dual / Lagrange multiplier).
    pub shadow_price: f64,
}

/// Explanation of a whole solution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    /// One entry per item, in input order.
    pub items: Vec<ItemExplanation>,
    /// One entry per place and resource, highest shadow price first.
    pub places: Vec<PlaceResource>,
    /// Number of unplaced items.
    pub unplaced: usize,
}

fn loads(p: &Problem, a: &[Option<usize>]) -> Vec<f64> {
    let k = p.num_resources();
    let mut load = vec![0.0; p.num_places() * k];
    for (j, pl) in a.iter().enumerate() {
        if let Some(i) = *pl
            && let Some(o) = p.find_option(j, i)
        {
            for (r, x) in p.option_need(j, o).iter().enumerate() {
                load[i * k + r] += x;
            }
        }
    }
    load
}

fn fmt(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x:.3}")
    }
}

/// Explain every item of a solution and price every capacity.
pub fn explain(p: &Problem, s: &Solution) -> Explanation {
    let k = p.num_resources();
    let m = p.num_places();
    let load = loads(p, &s.assignment);
    let better = |a: f64, b: f64| match p.sense {
        Sense::Maximize => a > b,
        Sense::Minimize => a < b,
    };
    let mut items = Vec::with_capacity(p.num_items());
    for j in 0..p.num_items() {
        let cur = s.assignment.get(j).copied().flatten();
        let cur_o = cur.and_then(|i| p.find_option(j, i));
        let cur_v = cur_o.map(|o| p.option_value(o));
        let mut alts = Vec::new();
        let mut fits_somewhere = false;
        for o in p.options(j) {
            let i = p.option_place(o);
            if Some(i) == cur {
                continue;
            }
            let v = p.option_value(o);
            let need = p.option_need(j, o);
            let cap = p.capacity(i);
            let too_big = (0..k).find(|&r| need[r] > cap[r] + 1e-9);
            let short = (0..k).find(|&r| need[r] > cap[r] - load[i * k + r] + 1e-9);
            let (code, reason) = if let Some(r) = too_big {
                (
                    "too_big",
                    format!(
                        "needs {} {} but {} has only {} in all",
                        fmt(need[r]),
                        p.resources()[r],
                        p.place_name(i),
                        fmt(cap[r])
                    ),
                )
            } else if let Some(r) = short {
                (
                    "capacity",
                    format!(
                        "capacity used up: needs {} {}, {} has {} of {} left",
                        fmt(need[r]),
                        p.resources()[r],
                        p.place_name(i),
                        fmt(cap[r] - load[i * k + r]),
                        fmt(cap[r])
                    ),
                )
            } else {
                fits_somewhere = true;
                match cur_v {
                    Some(cv) if !better(v, cv) => (
                        "worse",
                        format!(
                            "fits, but value {} here against {} where placed",
                            fmt(v),
                            fmt(cv)
                        ),
                    ),
                    _ => (
                        "better_unused",
                        format!(
                            "fits with value {}; not taken by the search (see the solution gap){}",
                            fmt(v),
                            if cur.is_none() && !better(v, 0.0) {
                                " and placing would not add value"
                            } else {
                                ""
                            }
                        ),
                    ),
                }
            };
            alts.push(Alternative {
                place: i,
                place_name: p.place_name(i).to_string(),
                value: v,
                code: code.to_string(),
                reason,
            });
        }
        alts.sort_by(|a, b| {
            let o = a.value.total_cmp(&b.value);
            let o = if p.sense == Sense::Maximize {
                o.reverse()
            } else {
                o
            };
            o.then(a.place.cmp(&b.place))
        });
        alts.truncate(3);
        let nopt = p.options(j).len();
        let unplaced_reason = if cur.is_some() {
            None
        } else if nopt == 0 {
            Some("no_eligible_place".to_string())
        } else if !fits_somewhere {
            Some("places_full".to_string())
        } else {
            Some("not_worth_it".to_string())
        };
        items.push(ItemExplanation {
            item: j,
            name: p.item_name(j).to_string(),
            place: cur,
            place_name: cur.map(|i| p.place_name(i).to_string()),
            value: cur_v,
            alternatives: alts,
            ineligible_places: m - nopt,
            unplaced_reason,
        });
    }
    let mut places = Vec::with_capacity(m * k);
    for i in 0..m {
        for r in 0..k {
            let cap = p.capacity(i)[r];
            places.push(PlaceResource {
                place: i,
                place_name: p.place_name(i).to_string(),
                resource: p.resources()[r].clone(),
                capacity: cap,
                load: load[i * k + r],
                slack: cap - load[i * k + r],
                shadow_price: s
                    .shadow_prices
                    .get(i)
                    .and_then(|v| v.get(r))
                    .copied()
                    .unwrap_or(0.0),
            });
        }
    }
    places.sort_by(|a, b| {
        b.shadow_price
            .total_cmp(&a.shadow_price)
            .then(a.place.cmp(&b.place))
    });
    let unplaced = s.assignment.iter().filter(|x| x.is_none()).count();
    Explanation {
        items,
        places,
        unplaced,
    }
}

/// Result of [`what_if_capacity`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WhatIf {
    /// Place changed.
    pub place: usize,
    /// Resource changed.
    pub resource: usize,
    /// Change of capacity.
    pub delta: f64,
    /// Objective before (None if the previous solution was infeasible).
    pub objective_before: Option<f64>,
    /// Objective after the warm re-solve.
    pub objective_after: Option<f64>,
    /// Items placed before / after.
    pub items_placed_before: usize,
    /// Items placed after.
    pub items_placed_after: usize,
    /// Need placed per resource before (resource 0 is usually persons).
    pub need_placed_before: Vec<f64>,
    /// Need placed per resource after.
    pub need_placed_after: Vec<f64>,
    /// The shadow-price estimate of the change (shadow price × delta).
    pub estimate: f64,
    /// The new solution.
    pub solution: Solution,
}

fn placed_need(p: &Problem, a: &[Option<usize>]) -> Vec<f64> {
    let k = p.num_resources();
    let mut v = vec![0.0; k];
    for (j, pl) in a.iter().enumerate() {
        if let Some(o) = pl.and_then(|i| p.find_option(j, i)) {
            for (x, y) in v.iter_mut().zip(p.option_need(j, o)) {
                *x += y;
            }
        }
    }
    v
}

/// Change one capacity by `delta` and re-solve warm from `previous`: how much value and
/// how many more people (need placed) the change brings. The problem is not modified.
pub fn what_if_capacity(
    p: &Problem,
    previous: &Solution,
    place: usize,
    resource: usize,
    delta: f64,
    opts: &SolveOptions,
) -> Result<WhatIf> {
    if place >= p.num_places() || resource >= p.num_resources() {
        return Err(OptimError::Invalid(format!(
            "what-if: place {place} / resource {resource} out of range"
        )));
    }
    let mut q = p.clone();
    let newcap = (p.capacity(place)[resource] + delta).max(0.0);
    q.set_capacity(place, resource, newcap)?;
    let s = solve_warm(&q, previous, opts);
    let sp = previous
        .shadow_prices
        .get(place)
        .and_then(|v| v.get(resource))
        .copied()
        .unwrap_or(0.0);
    Ok(WhatIf {
        place,
        resource,
        delta,
        objective_before: previous.objective,
        objective_after: s.objective,
        items_placed_before: previous.assignment.iter().filter(|x| x.is_some()).count(),
        items_placed_after: s.assignment.iter().filter(|x| x.is_some()).count(),
        need_placed_before: placed_need(p, &previous.assignment),
        need_placed_after: placed_need(&q, &s.assignment),
        estimate: sp * delta,
        solution: s,
    })
}
