//! `haven placement ...` and `haven referral ...`: placement runs, their approval, and
//! countries' decisions and departures.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use haven_app::placement::{CountryDecision, RunRequest, RunView};
use haven_app::{App, Ctx};
use haven_core::placement::Weights;

#[derive(Subcommand)]
pub enum PlacementCmd {
    /// Place recognised households where pledged places exist (a recommendation).
    Run {
        #[arg(long, default_value_t = 5_000)]
        time_limit_ms: u64,
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Value weights as JSON (default: `haven placement weights`).
        #[arg(long)]
        weights: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// The default value weights, as JSON to copy and change.
    Weights,
    /// Placement runs, newest first.
    List,
    /// One run: placements, unplaced households and why, places per pledge.
    Show {
        run: String,
        #[arg(long)]
        json: bool,
    },
    /// Approve a run: its placements become referrals to the countries.
    Approve { run: String },
    /// What if a pledge had more (or fewer) places: a warm re-solve from a run.
    Whatif {
        run: String,
        #[arg(long)]
        pledge: String,
        /// Change of places, e.g. 20 or -10.
        #[arg(long, allow_hyphen_values = true)]
        places: i64,
        #[arg(long, default_value_t = 1_000)]
        time_limit_ms: u64,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub enum ReferralCmd {
    /// Every referral.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Record the country's decision.
    Decide {
        referral: String,
        /// The country accepts; departure on this day (YYYY-MM-DD).
        #[arg(long, conflicts_with = "decline")]
        accept: Option<String>,
        /// The country declines, for this reason.
        #[arg(long)]
        decline: Option<String>,
    },
    /// The household departs for the country.
    Depart { referral: String },
}

fn print_run(v: &RunView) {
    let r = &v.result;
    println!(
        "Placement run {} ({}), {} by {}",
        v.run_id, v.status, v.created_at, v.actor
    );
    println!(
        "  {} recognised households ({} people) waiting; {} places left in {} pledges",
        r.households_considered,
        r.people_considered,
        r.places_left,
        r.pledges.len()
    );
    let f = |x: Option<f64>| x.map_or("-".to_string(), |v| format!("{v:.0}"));
    println!(
        "  placed {} people in {} households; value {} (bound {}, gap {}{}) in {} ms",
        r.people_placed,
        r.placements.len(),
        f(r.objective),
        f(r.bound),
        r.gap.map_or("-".into(), |g| format!("{:.2} %", g * 100.0)),
        if r.optimal { ", optimal" } else { "" },
        r.time_ms
    );
    println!(
        "  {:<14} {:<7} {:>6} {:>6} {:>12}",
        "pledge", "country", "left", "used", "shadow price"
    );
    for p in &r.pledges {
        println!(
            "  {:<14} {:<7} {:>6} {:>6} {:>12.1}",
            p.pledge_id, p.country, p.places_left, p.places_used, p.shadow_price
        );
    }
    let mut reasons: std::collections::BTreeMap<&str, (usize, u32)> = Default::default();
    for u in &r.unplaced {
        let e = reasons.entry(u.reason.as_str()).or_default();
        e.0 += 1;
        e.1 += u.people;
    }
    for (reason, (households, people)) in reasons {
        println!("  not placed: {households} households ({people} people): {reason}");
    }
}

pub async fn run_placement(app: &App, ctx: &Ctx, cmd: &PlacementCmd) -> Result<ExitCode> {
    match cmd {
        PlacementCmd::Run {
            time_limit_ms,
            seed,
            weights,
            json,
        } => {
            let weights = match weights {
                None => Weights::default(),
                Some(p) => {
                    let text = std::fs::read_to_string(p)
                        .with_context(|| format!("reading {}", p.display()))?;
                    serde_json::from_str(&text)
                        .with_context(|| format!("{}: not a weights document", p.display()))?
                }
            };
            let v = app
                .placement_run(
                    ctx,
                    &RunRequest {
                        weights,
                        time_limit_ms: *time_limit_ms,
                        seed: *seed,
                    },
                )
                .await?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                print_run(&v);
                println!("Approve it with `haven placement approve {}`.", v.run_id);
            }
        }
        PlacementCmd::Weights => {
            println!("{}", serde_json::to_string_pretty(&Weights::default())?);
        }
        PlacementCmd::List => {
            for v in app.placement_runs().await? {
                print_run(&v);
            }
        }
        PlacementCmd::Show { run, json } => {
            let v = app.placement_show(run).await?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                print_run(&v);
                for p in &v.result.placements {
                    println!(
                        "    {} ({} people) → {} {}: {}",
                        p.household_id, p.people, p.pledge_id, p.country, p.value_breakdown
                    );
                }
            }
        }
        PlacementCmd::Whatif {
            run,
            pledge,
            places,
            time_limit_ms,
            json,
        } => {
            let w = app
                .placement_whatif(run, pledge, *places, *time_limit_ms)
                .await?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&w)?);
            } else {
                let f = |x: Option<f64>| x.map_or("-".to_string(), |v| format!("{v:.0}"));
                println!(
                    "{} with {} places instead of {}: {} people placed instead of {} ({} households instead of {}); value {} instead of {} (shadow-price estimate {:+.0}); re-solved in {} ms",
                    w.pledge_id,
                    w.places_after,
                    w.places_before,
                    w.people_placed_after,
                    w.people_placed_before,
                    w.households_placed_after,
                    w.households_placed_before,
                    f(w.value_after),
                    f(w.value_before),
                    w.estimate,
                    w.time_ms
                );
            }
        }
        PlacementCmd::Approve { run } => {
            let ids = app.placement_approve(ctx, run).await?;
            println!(
                "placement run {run} approved: {} referrals submitted",
                ids.len()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn run_referral(app: &App, ctx: &Ctx, cmd: &ReferralCmd) -> Result<ExitCode> {
    match cmd {
        ReferralCmd::List { json } => {
            let all = app.referrals().await?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&all)?);
            } else {
                println!(
                    "{:<10} {:<10} {:<12} {:<7} {:>6} {:<10} note",
                    "referral", "household", "pledge", "country", "people", "status"
                );
                for r in &all {
                    println!(
                        "{:<10} {:<10} {:<12} {:<7} {:>6} {:<10} {}",
                        r.referral_id,
                        r.household_id,
                        r.pledge_id,
                        r.country,
                        r.people,
                        r.status,
                        r.reason
                            .as_deref()
                            .or(r.departure_date.as_deref())
                            .unwrap_or("")
                    );
                }
            }
        }
        ReferralCmd::Decide {
            referral,
            accept,
            decline,
        } => {
            let decision = match (accept, decline) {
                (Some(date), None) => CountryDecision::Accept {
                    departure_date: date.clone(),
                },
                (None, Some(reason)) => CountryDecision::Decline {
                    reason: reason.clone(),
                },
                _ => {
                    bail!("say the country's decision: --accept DEPARTURE_DATE or --decline REASON")
                }
            };
            let r = app.referral_decide(ctx, referral, &decision).await?;
            println!("referral {} {}", r.referral_id, r.status);
        }
        ReferralCmd::Depart { referral } => {
            let moved = app.referral_depart(ctx, referral).await?;
            println!("referral {referral}: {} people departed", moved.len());
        }
    }
    Ok(ExitCode::SUCCESS)
}
