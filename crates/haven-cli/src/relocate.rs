//! `haven relocate ...`: convoy plans, manifests, departures and arrivals.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow};
use clap::Subcommand;
use haven_app::relocation::{CheckIn, PlanRequest, write_manifest_csv};
use haven_app::{App, Ctx};
use haven_core::relocation::{NeedRule, Rules, convoy_slots};

#[derive(Subcommand)]
pub enum RelocateCmd {
    /// Plan convoys and destination shelter units for everyone at a site not yet on a convoy.
    Plan {
        /// The site people leave.
        #[arg(long)]
        from: String,
        /// The site they go to.
        #[arg(long)]
        to: String,
        /// Convoy days: YYYY-MM-DD and FIRST..LAST ranges, comma-separated.
        #[arg(long)]
        dates: String,
        /// Convoys per day.
        #[arg(long, default_value_t = 1)]
        per_day: u32,
        /// Seats per convoy.
        #[arg(long)]
        seats: u32,
        /// Specific needs (codes like SM-CI or categories like SM) that travel first.
        #[arg(long, value_delimiter = ',', default_values_t = ["DS".to_string(), "SM".into(), "ER".into()])]
        early_needs: Vec<String>,
        /// Specific needs that get units near facilities first.
        #[arg(long, value_delimiter = ',', default_values_t = ["DS".to_string(), "ER".into()])]
        near_facilities_needs: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// Every convoy (and what the latest plan held back), or one convoy's manifest.
    Show {
        convoy: Option<String>,
        /// Write the convoy's manifest as CSV to this file (`-` for standard output).
        #[arg(long, requires = "convoy")]
        manifest: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Depart a planned convoy: its passengers move into the convoy's in-transit account.
    Depart {
        convoy: String,
        /// People or households who did not come: their whole household stays.
        #[arg(long, value_delimiter = ',')]
        left_behind: Vec<String>,
    },
    /// Receive a convoy: reconcile its manifest against the people checked in.
    Arrive {
        convoy: String,
        /// Everyone on the manifest was checked in.
        #[arg(long, conflicts_with_all = ["checked_in", "missing"])]
        everyone: bool,
        /// A file of the person ids checked in (one per line, or CSV with a person_id column).
        #[arg(long, conflicts_with = "missing")]
        checked_in: Option<PathBuf>,
        /// People on the manifest who were not checked in (comma-separated).
        #[arg(long, value_delimiter = ',')]
        missing: Vec<String>,
    },
    /// Check in a person who was missing when their convoy arrived.
    CheckIn { person: String },
    /// Cancel a planned convoy: its passengers are taken off and planned again later.
    Cancel {
        convoy: String,
        #[arg(long)]
        reason: String,
    },
}

/// Person ids from a check-in file: one per line, or a CSV whose header names `person_id`.
fn read_check_in(path: &PathBuf) -> Result<Vec<String>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let Some(first) = lines.next() else {
        return Ok(Vec::new());
    };
    let column = first.split(',').position(|c| c.trim() == "person_id");
    let mut ids = Vec::new();
    let mut take = |line: &str, n: usize| -> Result<()> {
        let field = match column {
            Some(i) => line
                .split(',')
                .nth(i)
                .ok_or_else(|| anyhow!("{}:{n}: person_id: missing ({line})", path.display()))?,
            None => line,
        };
        ids.push(field.trim().to_string());
        Ok(())
    };
    if column.is_none() {
        take(first, 1)?;
    }
    for (i, line) in lines.enumerate() {
        take(line, i + 2)?;
    }
    Ok(ids)
}

pub async fn run(app: &App, ctx: &Ctx, cmd: &RelocateCmd) -> Result<ExitCode> {
    match cmd {
        RelocateCmd::Plan {
            from,
            to,
            dates,
            per_day,
            seats,
            early_needs,
            near_facilities_needs,
            json,
        } => {
            let convoys =
                convoy_slots(dates, *per_day, *seats).map_err(|e| anyhow!("--dates: {e}"))?;
            let req = PlanRequest {
                from_site: from.clone(),
                to_site: to.clone(),
                convoys,
                rules: Rules {
                    early_convoy: NeedRule::new(early_needs.iter().cloned()),
                    near_facilities: NeedRule::new(near_facilities_needs.iter().cloned()),
                },
            };
            let s = app.plan_relocation(ctx, &req).await?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&s)?);
            } else {
                crate::output::relocation_plan(&s);
            }
        }
        RelocateCmd::Show {
            convoy: None, json, ..
        } => {
            let o = app.relocation_overview().await?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&o)?);
            } else {
                crate::output::relocation_overview(&o);
            }
        }
        RelocateCmd::Show {
            convoy: Some(id),
            manifest,
            json,
        } => {
            let d = app.convoy_detail(id).await?;
            match manifest {
                Some(p) if p.as_os_str() == "-" => {
                    write_manifest_csv(&d, std::io::stdout().lock())?;
                }
                Some(p) => {
                    let f = std::fs::File::create(p)
                        .with_context(|| format!("creating {}", p.display()))?;
                    write_manifest_csv(&d, std::io::BufWriter::new(f))?;
                    println!(
                        "wrote the manifest of {id} ({} people) to {}",
                        d.manifest.len(),
                        p.display()
                    );
                }
                None if *json => println!("{}", serde_json::to_string_pretty(&d)?),
                None => crate::output::convoy(&d),
            }
        }
        RelocateCmd::Depart {
            convoy,
            left_behind,
        } => {
            let s = app.depart_convoy(ctx, convoy, left_behind).await?;
            println!(
                "convoy {} departed with {} people in {} households",
                s.convoy_id, s.travelling, s.households
            );
            for (h, people, why) in &s.stayed {
                println!("  stayed: {h} ({} people): {why}", people.len());
            }
        }
        RelocateCmd::Arrive {
            convoy,
            everyone,
            checked_in,
            missing,
        } => {
            let check = match (everyone, checked_in, missing.is_empty()) {
                (true, _, _) => CheckIn::Everyone,
                (false, Some(file), _) => CheckIn::Present(read_check_in(file)?),
                (false, None, false) => CheckIn::Missing(missing.clone()),
                (false, None, true) => {
                    return Err(anyhow!(
                        "say who was checked in: --everyone, --checked-in FILE or --missing IDS"
                    ));
                }
            };
            let s = app.arrive_convoy(ctx, convoy, &check).await?;
            println!(
                "convoy {} arrived: {} people checked in",
                s.convoy_id, s.arrived
            );
            if !s.missing.is_empty() {
                println!(
                    "  {} not checked in, now of unknown whereabouts (check them in with `haven relocate check-in`): {}",
                    s.missing.len(),
                    s.missing.join(", ")
                );
            }
            for (p, place) in &s.left_convoy {
                println!("  {p} left the convoy on the way: now in {place} (not moved)");
            }
            if !s.awaiting_unit.is_empty() {
                println!(
                    "  {} at the site awaiting a unit (theirs filled since the plan): {}",
                    s.awaiting_unit.len(),
                    s.awaiting_unit.join(", ")
                );
            }
        }
        RelocateCmd::Cancel { convoy, reason } => {
            let n = app.cancel_convoy(ctx, convoy, reason).await?;
            println!("convoy {convoy} cancelled; {n} people taken off, to be planned again");
        }
        RelocateCmd::CheckIn { person } => {
            let to = app.check_in_late(ctx, person).await?;
            println!("{person} checked in, now in {to}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
