//! The problem model: items, places, resources, sparse eligible item–place options.

use serde::{Deserialize, Serialize};
use std::ops::Range;

use crate::error::{OptimError, Result};

/// Whether the objective is maximised (values are profits) or minimised (values are costs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sense {
    /// Maximise the total value of the placed items.
    Maximize,
    /// Minimise the total cost of the placed items.
    Minimize,
}

/// Whether every item must be placed (classic GAP) or placing is optional.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Every item must be placed exactly once (the generalised assignment problem).
    AssignAll,
    /// An item is placed at most once; unplaced items contribute nothing.
    Optional,
}

/// An assignment problem. Build one with [`ProblemBuilder`], [`crate::read_orlib_gap`] or
/// [`crate::read_json_problem`].
///
/// Storage is compact (one flat array per field) so that 100,000 items × 500 places with
/// 30 % eligibility fit in a few hundred MB. When an item needs the same amounts at every
/// place (the usual case in resettlement) its need is stored once.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// A name for reports (the file stem for files).
    pub name: String,
    /// Maximise value or minimise cost.
    pub sense: Sense,
    /// Every item placed, or optional placement.
    pub mode: Mode,
    pub(crate) resources: Vec<String>,
    pub(crate) places: Vec<String>,
    pub(crate) capacity: Vec<f64>,
    pub(crate) items: Vec<String>,
    pub(crate) item_need: Vec<f64>,
    pub(crate) start: Vec<usize>,
    pub(crate) opt_place: Vec<u32>,
    pub(crate) opt_value: Vec<f64>,
    pub(crate) opt_need: Option<Vec<f64>>,
    pub(crate) integral: bool,
}

impl Problem {
    /// Number of items (households, jobs).
    pub fn num_items(&self) -> usize {
        self.start.len() - 1
    }
    /// Number of places (pledges, agents).
    pub fn num_places(&self) -> usize {
        self.places.len()
    }
    /// Number of resources K.
    pub fn num_resources(&self) -> usize {
        self.resources.len()
    }
    /// Total number of eligible item–place pairs.
    pub fn num_options(&self) -> usize {
        self.opt_place.len()
    }
    /// Resource names.
    pub fn resources(&self) -> &[String] {
        &self.resources
    }
    /// Name of place `i`.
    pub fn place_name(&self, i: usize) -> &str {
        &self.places[i]
    }
    /// Name of item `j`.
    pub fn item_name(&self, j: usize) -> &str {
        &self.items[j]
    }
    /// Capacity of place `i`, one entry per resource.
    pub fn capacity(&self, i: usize) -> &[f64] {
        let k = self.num_resources();
        &self.capacity[i * k..(i + 1) * k]
    }
    /// Change one capacity (for what-if analysis and warm re-solves).
    pub fn set_capacity(&mut self, place: usize, resource: usize, value: f64) -> Result<()> {
        if place >= self.num_places() || resource >= self.num_resources() {
            return Err(OptimError::Invalid(format!(
                "set_capacity: place {place} / resource {resource} out of range"
            )));
        }
        if !value.is_finite() || value < 0.0 {
            return Err(OptimError::Invalid(format!(
                "set_capacity: capacity of place {place} resource {resource} must be finite and >= 0, got {value}"
            )));
        }
        let k = self.num_resources();
        self.capacity[place * k + resource] = value;
        Ok(())
    }
    /// Global option indices of item `j` (sorted by place).
    pub fn options(&self, j: usize) -> Range<usize> {
        self.start[j]..self.start[j + 1]
    }
    /// The item option `o` belongs to.
    pub(crate) fn item_of(&self, o: usize) -> usize {
        self.start.partition_point(|&s| s <= o).saturating_sub(1)
    }
    /// Place of option `o`.
    pub fn option_place(&self, o: usize) -> usize {
        self.opt_place[o] as usize
    }
    /// Value (profit or cost, as given) of option `o`.
    pub fn option_value(&self, o: usize) -> f64 {
        self.opt_value[o]
    }
    /// Need vector of option `o`, which belongs to item `j`.
    pub fn option_need(&self, j: usize, o: usize) -> &[f64] {
        let k = self.num_resources();
        match &self.opt_need {
            Some(v) => &v[o * k..(o + 1) * k],
            None => &self.item_need[j * k..(j + 1) * k],
        }
    }
    /// The option of item `j` at place `i`, if the pair is eligible.
    pub fn find_option(&self, j: usize, place: usize) -> Option<usize> {
        let r = self.options(j);
        let s = r.start;
        self.opt_place[r]
            .binary_search(&(place as u32))
            .ok()
            .map(|x| s + x)
    }
    /// True when every value, need and capacity is an integer (bounds are then rounded).
    pub fn is_integral(&self) -> bool {
        self.integral
    }
}

/// Builds a [`Problem`] item by item. Options attach to the most recently added item.
///
/// ```
/// use haven_optim::{Mode, ProblemBuilder, Sense};
/// let mut b = ProblemBuilder::new(vec!["persons".into()], Sense::Maximize, Mode::Optional);
/// let canada = b.place("Canada", &[10.0]).unwrap();
/// b.item("HH-1", &[4.0]).unwrap();
/// b.option(canada, 7.0).unwrap();
/// let p = b.build().unwrap();
/// assert_eq!(p.num_options(), 1);
/// ```
#[derive(Debug, Clone)]
pub struct ProblemBuilder {
    name: String,
    sense: Sense,
    mode: Mode,
    resources: Vec<String>,
    places: Vec<String>,
    capacity: Vec<f64>,
    items: Vec<String>,
    item_need: Vec<f64>,
    start: Vec<usize>,
    opt_place: Vec<u32>,
    opt_value: Vec<f64>,
    opt_need: Option<Vec<f64>>,
}

fn check_vec(what: &str, v: &[f64], k: usize) -> Result<()> {
    if v.len() != k {
        return Err(OptimError::Invalid(format!(
            "{what}: expected {k} resource amounts, got {}",
            v.len()
        )));
    }
    for (r, x) in v.iter().enumerate() {
        if !x.is_finite() || *x < 0.0 {
            return Err(OptimError::Invalid(format!(
                "{what}: amount for resource {r} must be finite and >= 0, got {x}"
            )));
        }
    }
    Ok(())
}

impl ProblemBuilder {
    /// Start a problem over the named resources.
    pub fn new(resources: Vec<String>, sense: Sense, mode: Mode) -> Self {
        ProblemBuilder {
            name: String::new(),
            sense,
            mode,
            resources,
            places: Vec::new(),
            capacity: Vec::new(),
            items: Vec::new(),
            item_need: Vec::new(),
            start: vec![0],
            opt_place: Vec::new(),
            opt_value: Vec::new(),
            opt_need: None,
        }
    }
    /// Set the problem name.
    pub fn name(&mut self, name: impl Into<String>) -> &mut Self {
        self.name = name.into();
        self
    }
    /// Add a place with its capacity per resource; returns its index.
    pub fn place(&mut self, name: impl Into<String>, capacity: &[f64]) -> Result<usize> {
        let name = name.into();
        check_vec(
            &format!("place {} ({name}) capacity", self.places.len()),
            capacity,
            self.resources.len(),
        )?;
        self.places.push(name);
        self.capacity.extend_from_slice(capacity);
        Ok(self.places.len() - 1)
    }
    /// Add an item with its default need (used by [`Self::option`]); returns its index.
    pub fn item(&mut self, name: impl Into<String>, need: &[f64]) -> Result<usize> {
        let name = name.into();
        check_vec(
            &format!("item {} ({name}) need", self.items.len()),
            need,
            self.resources.len(),
        )?;
        if !self.items.is_empty() {
            self.start.push(self.opt_place.len());
        }
        self.items.push(name);
        self.item_need.extend_from_slice(need);
        Ok(self.items.len() - 1)
    }
    fn check_option(&self, place: usize, value: f64) -> Result<()> {
        let j = self.items.len();
        if j == 0 {
            return Err(OptimError::Invalid("option added before any item".into()));
        }
        if place >= self.places.len() {
            return Err(OptimError::Invalid(format!(
                "item {} ({}): option refers to place {place}, but there are {} places",
                j - 1,
                self.items[j - 1],
                self.places.len()
            )));
        }
        if !value.is_finite() {
            return Err(OptimError::Invalid(format!(
                "item {} ({}): value at place {place} is not finite ({value})",
                j - 1,
                self.items[j - 1]
            )));
        }
        Ok(())
    }
    /// Make the most recent item eligible at `place` with this value; it needs its default need.
    pub fn option(&mut self, place: usize, value: f64) -> Result<()> {
        self.check_option(place, value)?;
        self.opt_place.push(place as u32);
        self.opt_value.push(value);
        if let Some(on) = &mut self.opt_need {
            let k = self.resources.len();
            let j = self.items.len() - 1;
            on.extend_from_slice(&self.item_need[j * k..(j + 1) * k]);
        }
        Ok(())
    }
    /// Like [`Self::option`] with a place-specific need (generalised assignment).
    pub fn option_with_need(&mut self, place: usize, value: f64, need: &[f64]) -> Result<()> {
        self.check_option(place, value)?;
        let k = self.resources.len();
        let j = self.items.len() - 1;
        check_vec(
            &format!("item {j} ({}) need at place {place}", self.items[j]),
            need,
            k,
        )?;
        if self.opt_need.is_none() && need != &self.item_need[j * k..(j + 1) * k] {
            // materialise per-option needs for all earlier options
            let mut on = Vec::with_capacity((self.opt_place.len() + 1) * k);
            let mut jj = 0;
            for o in 0..self.opt_place.len() {
                while jj + 1 < self.start.len() && self.start[jj + 1] <= o {
                    jj += 1;
                }
                on.extend_from_slice(&self.item_need[jj * k..(jj + 1) * k]);
            }
            self.opt_need = Some(on);
        }
        self.opt_place.push(place as u32);
        self.opt_value.push(value);
        if let Some(on) = &mut self.opt_need {
            on.extend_from_slice(need);
        }
        Ok(())
    }
    /// Finish: sorts each item's options by place and rejects duplicate pairs.
    pub fn build(mut self) -> Result<Problem> {
        if self.resources.is_empty() {
            return Err(OptimError::Invalid(
                "a problem needs at least one resource".into(),
            ));
        }
        if !self.items.is_empty() {
            self.start.push(self.opt_place.len());
        }
        let k = self.resources.len();
        let n = self.items.len();
        for j in 0..n {
            let (s, e) = (self.start[j], self.start[j + 1]);
            let sorted = self.opt_place[s..e].windows(2).all(|w| w[0] < w[1]);
            if !sorted {
                let mut idx: Vec<usize> = (s..e).collect();
                idx.sort_by_key(|&o| self.opt_place[o]);
                for w in idx.windows(2) {
                    if self.opt_place[w[0]] == self.opt_place[w[1]] {
                        return Err(OptimError::Invalid(format!(
                            "item {j} ({}): place {} listed twice",
                            self.items[j], self.opt_place[w[0]]
                        )));
                    }
                }
                let pl: Vec<u32> = idx.iter().map(|&o| self.opt_place[o]).collect();
                let va: Vec<f64> = idx.iter().map(|&o| self.opt_value[o]).collect();
                self.opt_place[s..e].copy_from_slice(&pl);
                self.opt_value[s..e].copy_from_slice(&va);
                if let Some(on) = &mut self.opt_need {
                    let ne: Vec<f64> = idx
                        .iter()
                        .flat_map(|&o| on[o * k..(o + 1) * k].to_vec())
                        .collect();
                    on[s * k..e * k].copy_from_slice(&ne);
                }
            }
        }
        let int = |x: &f64| x.fract() == 0.0;
        let integral = self.opt_value.iter().all(int)
            && self.capacity.iter().all(int)
            && self.item_need.iter().all(int)
            && self.opt_need.as_ref().is_none_or(|v| v.iter().all(int));
        Ok(Problem {
            name: self.name,
            sense: self.sense,
            mode: self.mode,
            resources: self.resources,
            places: self.places,
            capacity: self.capacity,
            items: self.items,
            item_need: self.item_need,
            start: if n == 0 { vec![0] } else { self.start },
            opt_place: self.opt_place,
            opt_value: self.opt_value,
            opt_need: self.opt_need,
            integral,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn builder_sorts_and_materialises_needs() {
        let mut b = ProblemBuilder::new(
            vec!["a".into(), "b".into()],
            Sense::Minimize,
            Mode::AssignAll,
        );
        b.place("p0", &[5.0, 1.0]).unwrap();
        b.place("p1", &[5.0, 1.0]).unwrap();
        b.item("i0", &[1.0, 0.0]).unwrap();
        b.option(1, 3.0).unwrap();
        b.option(0, 2.0).unwrap();
        b.item("i1", &[2.0, 1.0]).unwrap();
        b.option_with_need(0, 1.5, &[3.0, 1.0]).unwrap();
        let p = b.build().unwrap();
        assert_eq!(p.num_items(), 2);
        assert_eq!(p.options(0), 0..2);
        assert_eq!(p.option_place(0), 0);
        assert_eq!(p.option_value(0), 2.0);
        assert_eq!(p.option_need(0, 1), &[1.0, 0.0]);
        assert_eq!(p.option_need(1, 2), &[3.0, 1.0]);
        assert_eq!(p.find_option(0, 1), Some(1));
        assert_eq!(p.find_option(1, 1), None);
        assert!(!p.is_integral());
    }

    #[test]
    fn builder_rejects_bad_input() {
        let mut b = ProblemBuilder::new(vec!["a".into()], Sense::Minimize, Mode::AssignAll);
        assert!(b.place("p", &[-1.0]).is_err());
        assert!(b.place("p", &[1.0, 2.0]).is_err());
        b.place("p", &[1.0]).unwrap();
        assert!(b.option(0, 1.0).is_err());
        b.item("i", &[1.0]).unwrap();
        assert!(b.option(3, 1.0).is_err());
        assert!(b.option(0, f64::NAN).is_err());
        b.option(0, 1.0).unwrap();
        b.option(0, 2.0).unwrap();
        assert!(b.build().is_err());
    }
}
