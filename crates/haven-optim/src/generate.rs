//! Seeded generator of resettlement-scale instances (optional mode, maximise value).
//!
//! Households of 1–10 persons (most of 1–5), urgency 1–5, about 8 % with a medical need,
//! households of 6+ persons needing a large-family slot. Places pledge persons in total
//! about `pledge_ratio` of all persons (so most households cannot be placed), some with
//! large-family slots, about 10 % with medical-care slots. Each household is eligible at
//! about `eligibility` of the places (criteria and legal bars). Value of a placement =
//! persons × urgency weight × a place-specific suitability, an integer.

use serde::{Deserialize, Serialize};

use crate::model::{Mode, Problem, ProblemBuilder, Sense};
use crate::rng::Rng;

/// Parameters of [`generate_resettlement`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResettlementParams {
    /// Number of households (items).
    pub households: usize,
    /// Number of places (pledges or localities).
    pub places: usize,
    /// Share of eligible household–place pairs.
    pub eligibility: f64,
    /// Pledged persons / persons registered.
    pub pledge_ratio: f64,
    /// Seed.
    pub seed: u64,
}

impl Default for ResettlementParams {
    fn default() -> Self {
        ResettlementParams {
            households: 100_000,
            places: 500,
            eligibility: 0.3,
            pledge_ratio: 0.25,
            seed: 1,
        }
    }
}

const SIZE_WEIGHTS: [u32; 10] = [16, 15, 15, 14, 12, 9, 7, 5, 4, 3];

/// Generate an instance with resources `persons`, `large_family`, `medical`.
pub fn generate_resettlement(par: &ResettlementParams) -> Problem {
    let mut rng = Rng::new(par.seed ^ 0x005E_ED0F_4A7E);
    let n = par.households;
    let m = par.places.max(1);
    let total_w: u32 = SIZE_WEIGHTS.iter().sum();
    let mut hh = Vec::with_capacity(n);
    let mut persons = 0.0;
    for _ in 0..n {
        let mut x = rng.below(total_w as usize) as u32;
        let mut size = 1;
        for (s, w) in SIZE_WEIGHTS.iter().enumerate() {
            if x < *w {
                size = s + 1;
                break;
            }
            x -= w;
        }
        let urgency = 1 + rng.below(5) as u32;
        let medical = rng.unit() < 0.08;
        persons += size as f64;
        hh.push((size as f64, urgency, medical));
    }
    let mut b = ProblemBuilder::new(
        vec!["persons".into(), "large_family".into(), "medical".into()],
        Sense::Maximize,
        Mode::Optional,
    );
    b.name(format!("resettlement-{n}x{m}-s{}", par.seed));
    let weights: Vec<f64> = (0..m).map(|_| 0.2 + 2.8 * rng.unit()).collect();
    let wsum: f64 = weights.iter().sum();
    let mut appeal = Vec::with_capacity(m);
    for (i, w) in weights.iter().enumerate() {
        let cap = (persons * par.pledge_ratio * w / wsum).round().max(1.0);
        let large = (cap * (0.02 + 0.06 * rng.unit())).round();
        let medical = if rng.unit() < 0.1 {
            (cap * 0.1).round().max(1.0)
        } else {
            0.0
        };
        // places differ in integration prospects (language, diaspora, services)
        appeal.push(0.7 + 0.6 * rng.unit());
        let _ = b.place(format!("P{i:03}"), &[cap, large, medical]);
    }
    let urgency_weight = [0.0, 1.0, 1.5, 2.2, 3.2, 4.5];
    for (j, &(size, urg, med)) in hh.iter().enumerate() {
        let need = [
            size,
            if size >= 6.0 { 1.0 } else { 0.0 },
            if med { 1.0 } else { 0.0 },
        ];
        let _ = b.item(format!("H{j:06}"), &need);
        for (i, ap) in appeal.iter().enumerate() {
            if rng.unit() >= par.eligibility {
                continue;
            }
            let suit = ap * (0.8 + 0.4 * rng.unit());
            let v = (10.0 * size * urgency_weight[urg as usize] * suit)
                .round()
                .max(1.0);
            let _ = b.option(i, v);
        }
    }
    // every call above is valid by construction; build cannot fail either
    match b.build() {
        Ok(p) => p,
        Err(e) => unreachable!("generator built an invalid problem: {e}"),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn small_instance_is_deterministic() {
        let par = ResettlementParams {
            households: 200,
            places: 10,
            seed: 3,
            ..Default::default()
        };
        let a = generate_resettlement(&par);
        let b = generate_resettlement(&par);
        assert_eq!(a, b);
        assert_eq!(a.num_items(), 200);
        let share = a.num_options() as f64 / 2000.0;
        assert!((0.2..0.4).contains(&share), "{share}");
    }
}
