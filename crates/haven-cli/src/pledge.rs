//! `haven pledge ...`: resettlement pledges with their criteria and legal bars.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Subcommand;
use haven_app::{App, Ctx};
use haven_core::pledge::{Criteria, Pledge};

#[derive(Subcommand)]
pub enum PledgeCmd {
    /// Import pledges from a JSON file: an array of pledges (see docs/resettlement-domain.md).
    Import { file: PathBuf },
    /// Add one pledge.
    Add {
        #[arg(long)]
        id: String,
        /// ISO 3166-1 alpha-3 of the pledging country.
        #[arg(long)]
        country: String,
        /// Places, in persons.
        #[arg(long)]
        places: u32,
        /// First day of the period, YYYY-MM-DD.
        #[arg(long)]
        from: String,
        /// Last day of the period, YYYY-MM-DD.
        #[arg(long)]
        to: String,
        /// A criteria JSON file (default: no criteria, every household eligible).
        #[arg(long)]
        criteria: Option<PathBuf>,
    },
    /// Every pledge.
    List {
        #[arg(long)]
        json: bool,
    },
    /// One pledge with its criteria.
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(app: &App, ctx: &Ctx, cmd: &PledgeCmd) -> Result<ExitCode> {
    match cmd {
        PledgeCmd::Import { file } => {
            let s = app.import_pledges(ctx, file).await?;
            crate::output::import_summary(&s);
        }
        PledgeCmd::Add {
            id,
            country,
            places,
            from,
            to,
            criteria,
        } => {
            let criteria = match criteria {
                None => Criteria::default(),
                Some(path) => {
                    let text = std::fs::read_to_string(path)
                        .with_context(|| format!("reading {}", path.display()))?;
                    serde_json::from_str(&text)
                        .with_context(|| format!("{}: not a criteria document", path.display()))?
                }
            };
            let added = app
                .add_pledge(
                    ctx,
                    Pledge {
                        pledge_id: id.clone(),
                        country: country.clone(),
                        places: *places,
                        period_start: from.clone(),
                        period_end: to.clone(),
                        criteria,
                    },
                )
                .await?;
            if added {
                println!("pledge {id} added: {places} places from {country}, {from} to {to}");
            } else {
                println!("pledge {id} is already registered with the same content");
            }
        }
        PledgeCmd::List { json } => {
            let pledges = app.pledges().await?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&pledges)?);
            } else {
                crate::output::pledges(&pledges);
            }
        }
        PledgeCmd::Show { id, json } => {
            let p = app.pledge(id).await?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&p)?);
            } else {
                crate::output::pledges(std::slice::from_ref(&p));
                println!("criteria: {}", serde_json::to_string_pretty(&p.criteria)?);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
