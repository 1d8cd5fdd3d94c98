//! `haven rsd …`: refugee status determination at the command line (see docs/rsd.md).

use std::process::ExitCode;

use anyhow::{Result, bail};
use clap::{Subcommand, ValueEnum};
use haven_app::rsd::{ClaimView, DEFAULT_SCHEDULE_DAYS, QueueReport, ScheduleReport, StaffChange};
use haven_app::{App, Ctx};
use haven_core::rsd::Outcome;
use haven_store::StaffKind;

/// Claims left unscheduled that the human output names one by one.
const NOT_SCHEDULED_LISTED: usize = 10;

#[derive(Subcommand, Clone)]
pub enum RsdCmd {
    /// RSD officers: their daily interview capacity and languages.
    #[command(subcommand)]
    Officer(StaffCmd),
    /// Interpreters: their daily capacity and languages.
    #[command(subcommand)]
    Interpreter(StaffCmd),
    /// Schedule interviews: all pending claims from a day (oldest wait first, specific
    /// needs before), or one household with --on and --officer.
    Schedule {
        /// One household; without it every pending claim is scheduled.
        household: Option<String>,
        /// First day to fill (YYYY-MM-DD; today by default).
        #[arg(long)]
        from: Option<String>,
        /// How many days to fill.
        #[arg(long, default_value_t = DEFAULT_SCHEDULE_DAYS)]
        days: u32,
        /// The interview day for one household (YYYY-MM-DD; today by default).
        #[arg(long)]
        on: Option<String>,
        /// The officer for one household.
        #[arg(long)]
        officer: Option<String>,
        /// The interpreter for one household.
        #[arg(long)]
        interpreter: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Record the interview of a scheduled claim.
    Interview {
        household: String,
        #[arg(long)]
        officer: String,
        #[arg(long)]
        on: Option<String>,
        #[arg(long, default_value = "")]
        notes: String,
    },
    /// Decide a claim, with written reasons; on an appealed claim this decides the appeal
    /// (by another officer than the first decision's).
    Decide {
        household: String,
        #[arg(long, value_enum)]
        outcome: OutcomeArg,
        #[arg(long)]
        reasons: String,
        #[arg(long)]
        officer: String,
        #[arg(long)]
        on: Option<String>,
    },
    /// Record that the principal was notified of the decision; fixes the appeal window.
    Notify {
        household: String,
        #[arg(long)]
        on: Option<String>,
        /// Days to appeal after notification (30 by default).
        #[arg(long)]
        window_days: Option<i64>,
    },
    /// Lodge an appeal against a notified rejection or exclusion, within the window.
    Appeal {
        household: String,
        #[arg(long)]
        on: Option<String>,
    },
    /// Close a scheduled claim after six weeks without contact.
    NoShow {
        household: String,
        #[arg(long)]
        on: Option<String>,
    },
    /// Reopen a claim closed for no-show: it is pending again.
    Reopen {
        household: String,
        #[arg(long)]
        on: Option<String>,
    },
    /// Make notified claims final once their window passed (recognitions at once) and close
    /// scheduled claims without contact for six weeks.
    Sweep {
        /// As of this day (today by default).
        #[arg(long)]
        on: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// A household's claim: stage, decisions, interviews, each member's status.
    Show {
        household: String,
        #[arg(long)]
        json: bool,
    },
    /// One person's RSD status: principal, or derivative of the household head.
    Status {
        person: String,
        #[arg(long)]
        json: bool,
    },
    /// The queue: claims per stage, who waits and how long, pace and projected completion.
    Queue {
        /// How many of the longest-waiting households to list.
        #[arg(long, default_value_t = 10)]
        oldest: usize,
        /// As of this day (today by default).
        #[arg(long)]
        on: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Clone)]
pub enum StaffCmd {
    /// Add one, or update it (the same data again changes nothing).
    Add {
        id: String,
        #[arg(long)]
        name: String,
        /// Interviews a day.
        #[arg(long)]
        capacity: i64,
        /// ISO 639 codes, comma-separated (e.g. fas,eng).
        #[arg(long)]
        languages: String,
    },
    /// Everyone registered.
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum OutcomeArg {
    Recognised,
    Rejected,
    /// Excluded under Article 1F.
    Excluded,
}

impl From<OutcomeArg> for Outcome {
    fn from(o: OutcomeArg) -> Outcome {
        match o {
            OutcomeArg::Recognised => Outcome::Recognised,
            OutcomeArg::Rejected => Outcome::Rejected,
            OutcomeArg::Excluded => Outcome::Excluded,
        }
    }
}

pub async fn run(app: &App, ctx: &Ctx, cmd: RsdCmd) -> Result<ExitCode> {
    match cmd {
        RsdCmd::Officer(c) => staff(app, ctx, StaffKind::Officer, c).await?,
        RsdCmd::Interpreter(c) => staff(app, ctx, StaffKind::Interpreter, c).await?,
        RsdCmd::Schedule {
            household: Some(h),
            from,
            on,
            officer,
            interpreter,
            json,
            ..
        } => {
            if from.is_some() {
                bail!("--from fills days for every pending claim; for one household give --on");
            }
            let Some(officer) = officer else {
                bail!("scheduling one household needs --officer");
            };
            let v = app
                .rsd_schedule_one(ctx, &h, on.as_deref(), &officer, interpreter.as_deref())
                .await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                println!("{}", one_line(&v));
            }
        }
        RsdCmd::Schedule {
            household: None,
            from,
            days,
            on,
            officer,
            interpreter,
            json,
        } => {
            if on.is_some() || officer.is_some() || interpreter.is_some() {
                bail!(
                    "--on, --officer and --interpreter schedule one household: name it (haven rsd schedule HOUSEHOLD …)"
                );
            }
            let r = app.rsd_schedule(ctx, from.as_deref(), days).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&r)?);
            } else {
                schedule_report(&r);
            }
        }
        RsdCmd::Interview {
            household,
            officer,
            on,
            notes,
        } => {
            let v = app
                .rsd_interview(ctx, &household, &officer, on.as_deref(), &notes)
                .await?;
            println!("{}", one_line(&v));
        }
        RsdCmd::Decide {
            household,
            outcome,
            reasons,
            officer,
            on,
        } => {
            let v = app
                .rsd_decide(
                    ctx,
                    &household,
                    outcome.into(),
                    &reasons,
                    &officer,
                    on.as_deref(),
                )
                .await?;
            println!("{}", one_line(&v));
        }
        RsdCmd::Notify {
            household,
            on,
            window_days,
        } => {
            let v = app
                .rsd_notify(ctx, &household, on.as_deref(), window_days)
                .await?;
            println!("{}", one_line(&v));
        }
        RsdCmd::Appeal { household, on } => {
            let v = app.rsd_appeal(ctx, &household, on.as_deref()).await?;
            println!("{}", one_line(&v));
        }
        RsdCmd::NoShow { household, on } => {
            let v = app.rsd_no_show(ctx, &household, on.as_deref()).await?;
            println!("{}", one_line(&v));
        }
        RsdCmd::Reopen { household, on } => {
            let v = app.rsd_reopen(ctx, &household, on.as_deref()).await?;
            println!("{}", one_line(&v));
        }
        RsdCmd::Sweep { on, json } => {
            let s = app.rsd_sweep(ctx, on.as_deref()).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&s)?);
            } else {
                println!(
                    "sweep: {} claim(s) made final, {} closed for no-show",
                    s.finalised, s.closed_no_show
                );
            }
        }
        RsdCmd::Show { household, json } => {
            let v = app.rsd_claim(&household).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                show(&v);
            }
        }
        RsdCmd::Status { person, json } => {
            let s = app.rsd_person_status(&person).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&s)?);
            } else {
                println!("{} ({}): {}", s.person_id, s.household_id, s.summary);
            }
        }
        RsdCmd::Queue { oldest, on, json } => {
            let r = app.rsd_queue(oldest, on.as_deref()).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&r)?);
            } else {
                queue(&r);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn staff(app: &App, ctx: &Ctx, kind: StaffKind, cmd: StaffCmd) -> Result<()> {
    match cmd {
        StaffCmd::Add {
            id,
            name,
            capacity,
            languages,
        } => {
            let change = app
                .rsd_add_staff(ctx, kind, &id, &name, capacity, &languages)
                .await?;
            let what = match change {
                StaffChange::Added => "added",
                StaffChange::Updated => "updated",
                StaffChange::Unchanged => "unchanged",
            };
            println!("{} {id}: {what}", kind.as_str());
        }
        StaffCmd::List { json } => {
            let all = app.rsd_staff(kind).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&all)?);
            } else {
                println!(
                    "{:<12} {:<30} {:>9}  languages",
                    kind.as_str(),
                    "name",
                    "per day"
                );
                for s in &all {
                    println!(
                        "{:<12} {:<30} {:>9}  {}",
                        s.id,
                        s.name,
                        s.capacity_per_day,
                        s.languages.join(",")
                    );
                }
                println!("{} registered", all.len());
            }
        }
    }
    Ok(())
}

fn one_line(v: &ClaimView) -> String {
    let mut s = format!(
        "{} (principal {}): {}",
        v.household_id, v.principal, v.stage
    );
    if let Some(haven_core::rsd::Stage::Scheduled {
        on,
        officer,
        interpreter_language,
    }) = v.claim.as_ref().map(|c| &c.stage)
    {
        s.push_str(&format!(" on {on} with {officer}"));
        if let (Some(i), Some(l)) = (&v.interpreter, interpreter_language) {
            s.push_str(&format!(", interpreter {i} ({l})"));
        }
    }
    if let Some(o) = v.outcome {
        s.push_str(&format!(", {}", o.as_str()));
    }
    if let Some(d) = &v.appeal_deadline {
        s.push_str(&format!(", appeal until {d}"));
    }
    s
}

fn schedule_report(r: &ScheduleReport) {
    println!(
        "{} of {} pending claim(s) scheduled from {} over {} day(s)",
        r.scheduled.len(),
        r.pending,
        r.from,
        r.days
    );
    for b in &r.scheduled {
        match (&b.interpreter, &b.interpreter_language) {
            (Some(i), Some(l)) => println!(
                "  {}  {}  {}  interpreter {i} ({l})",
                b.on, b.household_id, b.officer
            ),
            _ => println!("  {}  {}  {}", b.on, b.household_id, b.officer),
        }
    }
    if !r.not_scheduled.is_empty() {
        println!("{} not scheduled:", r.not_scheduled.len());
        let mut reasons: Vec<(&str, usize)> = Vec::new();
        for n in &r.not_scheduled {
            match reasons.iter_mut().find(|(m, _)| *m == n.message) {
                Some((_, k)) => *k += 1,
                None => reasons.push((&n.message, 1)),
            }
        }
        for (message, k) in reasons {
            println!("  {k:>6}  {message}");
        }
        for n in r.not_scheduled.iter().take(NOT_SCHEDULED_LISTED) {
            println!("  {}: {}", n.household_id, n.message);
        }
        if r.not_scheduled.len() > NOT_SCHEDULED_LISTED {
            println!(
                "  … and {} more (--json lists every one)",
                r.not_scheduled.len() - NOT_SCHEDULED_LISTED
            );
        }
    }
}

fn show(v: &ClaimView) {
    println!("household        {}", v.household_id);
    println!("principal        {}", v.principal);
    println!("stage            {} since {}", v.stage, v.waiting_since);
    if let Some(o) = v.outcome {
        let f = if v.is_final { " (final)" } else { "" };
        println!("outcome          {}{f}", o.as_str());
    }
    if let Some(o) = &v.officer {
        println!("officer          {o}");
    }
    if let Some(i) = &v.interpreter {
        println!("interpreter      {i}");
    }
    if let Some(d) = &v.appeal_deadline {
        println!(
            "appeal until     {d} ({} days after notification)",
            v.appeal_window_days
        );
    }
    println!("members:");
    for m in &v.members {
        println!("  {}  {}", m.person_id, m.summary);
    }
    if !v.interviews.is_empty() {
        println!("interviews:");
        for i in &v.interviews {
            let with = i
                .interpreter
                .as_ref()
                .map(|i| format!(" with interpreter {i}"))
                .unwrap_or_default();
            println!("  {}  {}{with}: {}", i.held_on, i.officer, i.notes);
        }
    }
    if !v.decisions.is_empty() {
        println!("decisions:");
        for d in &v.decisions {
            println!(
                "  {}  {} instance  {}  by {}: {}",
                d.decided_on, d.instance, d.outcome, d.officer, d.reasons
            );
        }
    }
}

fn queue(r: &QueueReport) {
    println!("RSD queue on {}: {} households", r.today, r.households);
    for s in &r.by_stage {
        println!("  {:<16} {:>7}", s.stage, s.households);
    }
    println!("waiting in open stages (days in the stage):");
    println!(
        "  {:<16} {:>7} {:>8} {:>8}",
        "stage", "waiting", "longest", "median"
    );
    for w in r.waiting.iter().filter(|w| w.households > 0) {
        println!(
            "  {:<16} {:>7} {:>8} {:>8}",
            w.stage,
            w.households,
            w.longest_wait_days.unwrap_or(0),
            w.median_wait_days.map_or("-".into(), |m| format!("{m:.1}"))
        );
    }
    if !r.oldest.is_empty() {
        println!("longest waiting:");
        for h in &r.oldest {
            let needs = if h.specific_needs {
                "  specific needs"
            } else {
                ""
            };
            println!(
                "  {}  {:<12} {} days since {}{needs}",
                h.household_id, h.stage, h.wait_days, h.waiting_since
            );
        }
    }
    println!(
        "decisions in the last 28 days: {} ({:.2} a day); {} claim(s) await a decision",
        r.decisions_last_28_days, r.decisions_per_day, r.awaiting_decision
    );
    match (&r.projected_completion, &r.projection_note) {
        (Some(d), _) => println!("projected completion at the current pace: {d}"),
        (None, Some(n)) => println!("{n}"),
        (None, None) => {}
    }
    match &r.projected_completion_at_capacity {
        Some(d) => println!(
            "projected completion at officer capacity ({} interviews a day): {d}",
            r.officer_capacity_per_day
        ),
        None => {
            println!("no officer capacity registered: add officers with `haven rsd officer add`")
        }
    }
}
