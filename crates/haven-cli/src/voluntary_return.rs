//! `haven return ...`: voluntary return, verifiably voluntary.

use std::process::ExitCode;

use anyhow::Result;
use clap::Subcommand;
use haven_app::voluntary_return::ReturnStep;
use haven_app::{App, Ctx};

#[derive(Subcommand)]
pub enum ReturnCmd {
    /// A counselling session: opens the case (or restarts it after a withdrawal).
    Counsel {
        person: String,
        /// The counselling officer.
        #[arg(long)]
        officer: String,
        /// Country of return, ISO 3166-1 alpha-3 (default: the person's nationality).
        #[arg(long)]
        country: Option<String>,
        #[arg(long)]
        on: Option<String>,
    },
    /// The person signs the consent form.
    Consent {
        person: String,
        /// Reference of the signed form.
        #[arg(long)]
        document: String,
        #[arg(long)]
        on: Option<String>,
    },
    /// Another officer verifies that the decision is free and informed.
    Verify {
        person: String,
        #[arg(long)]
        officer: String,
        #[arg(long)]
        on: Option<String>,
    },
    /// Schedule the departure (needs a verified consent).
    Schedule {
        person: String,
        /// Departure day, YYYY-MM-DD.
        #[arg(long)]
        date: String,
    },
    /// The person withdraws their consent (any time until departure).
    Withdraw {
        person: String,
        #[arg(long)]
        reason: Option<String>,
        #[arg(long)]
        on: Option<String>,
    },
    /// The person departs: moves to returned:ISO3.
    Depart {
        person: String,
        #[arg(long)]
        on: Option<String>,
    },
    /// Every return case.
    List {
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(app: &App, ctx: &Ctx, cmd: &ReturnCmd) -> Result<ExitCode> {
    let (person, step, on) = match cmd {
        ReturnCmd::Counsel {
            person,
            officer,
            country,
            on,
        } => (
            person,
            ReturnStep::Counsel {
                officer: officer.clone(),
                country: country.clone(),
            },
            on,
        ),
        ReturnCmd::Consent {
            person,
            document,
            on,
        } => (
            person,
            ReturnStep::Consent {
                document: document.clone(),
            },
            on,
        ),
        ReturnCmd::Verify {
            person,
            officer,
            on,
        } => (
            person,
            ReturnStep::Verify {
                officer: officer.clone(),
            },
            on,
        ),
        ReturnCmd::Schedule { person, date } => (
            person,
            ReturnStep::Schedule {
                departure: date.clone(),
            },
            &None,
        ),
        ReturnCmd::Withdraw { person, reason, on } => (
            person,
            ReturnStep::Withdraw {
                reason: reason.clone(),
            },
            on,
        ),
        ReturnCmd::Depart { person, on } => {
            let to = app.return_depart(ctx, person, on.as_deref()).await?;
            println!("{person} returned: now in {to}");
            return Ok(ExitCode::SUCCESS);
        }
        ReturnCmd::List { json } => {
            let all = app.voluntary_returns().await?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&all)?);
            } else {
                for v in &all {
                    println!(
                        "{:<10} {:<4} {}{}",
                        v.person_id,
                        v.country,
                        v.stage.label(),
                        if v.withdrawals.is_empty() {
                            String::new()
                        } else {
                            format!(" ({} withdrawal(s))", v.withdrawals.len())
                        }
                    );
                }
            }
            return Ok(ExitCode::SUCCESS);
        }
    };
    let v = app.return_step(ctx, person, &step, on.as_deref()).await?;
    println!("{person}: return to {} {}", v.country, v.stage.label());
    Ok(ExitCode::SUCCESS)
}
