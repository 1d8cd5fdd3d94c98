//! `haven report ...`: the progress of the operation and the resettlement shortfall.

use std::process::ExitCode;

use anyhow::Result;
use clap::Subcommand;
use haven_app::App;

#[derive(Subcommand)]
pub enum ReportCmd {
    /// The funnel, open statuses and waits, the pledge gap, the projected end.
    Progress {
        #[arg(long)]
        json: bool,
    },
    /// Who cannot be placed under current pledges and why; what one more place would bring.
    Shortfall {
        #[arg(long, default_value_t = 2_000)]
        time_limit_ms: u64,
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(app: &App, cmd: &ReportCmd) -> Result<ExitCode> {
    match cmd {
        ReportCmd::Progress { json } => {
            let r = app.progress_report().await?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&r)?);
                return Ok(ExitCode::SUCCESS);
            }
            println!("Progress on {}", r.today);
            let registered = r.funnel.first().map_or(1, |s| s.people.max(1));
            for s in &r.funnel {
                println!(
                    "  {:<12} {:>8}  {:>5.1} %",
                    s.step,
                    s.people,
                    100.0 * s.people as f64 / registered as f64
                );
            }
            println!("Open (cases, days waiting: longest / median):");
            for o in &r.open {
                let d = |x: Option<i64>| x.map_or("-".into(), |v| v.to_string());
                println!(
                    "  {:<32} {:>6}  {:>5} / {:<6} {}",
                    o.status,
                    o.cases,
                    d(o.longest_wait_days),
                    o.median_wait_days.map_or("-".into(), |m| format!("{m:.1}")),
                    o.owner
                );
            }
            let g = &r.pledge_gap;
            println!(
                "Pledge gap: {} people need a place; {} places pledged, {} left; gap {}",
                g.people_needing_a_place, g.places_pledged, g.places_left, g.gap
            );
            println!(
                "{} people still with the operation; {} departures and returns in 28 days ({:.1} a day); projected end: {}",
                r.people_present,
                r.exits_last_28_days,
                r.exits_per_day,
                r.projected_end
                    .as_deref()
                    .unwrap_or("cannot be projected (nobody left in 28 days)")
            );
        }
        ReportCmd::Shortfall {
            time_limit_ms,
            json,
        } => {
            let r = app.shortfall(*time_limit_ms).await?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&r)?);
                return Ok(ExitCode::SUCCESS);
            }
            println!(
                "{} households ({} people) wait for a place; {} places left; {} people can be placed now",
                r.households_waiting, r.people_waiting, r.places_left, r.people_placeable
            );
            for (reason, (households, people)) in &r.by_reason {
                println!("  cannot be placed: {households} households ({people} people): {reason}");
            }
            println!(
                "  {:<14} {:<7} {:>6} {:>6} {:>12} {:>22}",
                "pledge", "country", "left", "used", "shadow price", "people per extra place"
            );
            for p in &r.pledges {
                println!(
                    "  {:<14} {:<7} {:>6} {:>6} {:>12.1} {:>22}",
                    p.pledge_id,
                    p.country,
                    p.places_left,
                    p.places_used,
                    p.shadow_price,
                    p.more_people_for_one_more_place
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
