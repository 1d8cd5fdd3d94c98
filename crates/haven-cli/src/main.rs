//! `haven`: the command line. A thin edge: it parses arguments, calls a use case in
//! `haven-app`, and prints the result for a person (or as JSON with `--json`).

mod bench;
mod output;
mod placement;
mod pledge;
mod relocate;
mod report;
mod rsd;
mod voluntary_return;
mod web;

/// Import allocates and frees many small strings; mimalloc is markedly faster at that
/// than the system allocator (see docs/benchmarks.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};
use haven_app::{App, AppError, Ctx, Progress};
use haven_core::ledger::Account;
use haven_store::Store;

/// Haven runs a camp closure, relocation and resettlement operation end to end.
#[derive(Parser)]
#[command(name = "haven", version, about, long_about = None)]
struct Cli {
    /// Database URL: sqlite://FILE (the embedded default) or postgres://…
    #[arg(
        long,
        global = true,
        env = "HAVEN_DATABASE_URL",
        default_value = "sqlite://haven.db"
    )]
    db: String,
    /// Who is acting, as recorded in the audit log.
    #[arg(long, global = true, env = "HAVEN_ACTOR")]
    actor: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create the database, or bring its schema up to date.
    Init,
    /// Create the embedded database, load the default camp-closure operation and show it.
    Demo(DemoArgs),
    /// Import an operation from CSV files (see docs/import-format.md).
    #[command(subcommand)]
    Import(ImportCmd),
    /// The trial balance of the population ledger; exits 1 unless it balances.
    Ledger {
        #[arg(long)]
        json: bool,
        /// List every account (each shelter unit) instead of folding units into sites.
        #[arg(long)]
        accounts: bool,
    },
    /// People: show a record with its history, move people between place accounts.
    #[command(subcommand)]
    Person(PersonCmd),
    /// Households: show one with its members and history, move it.
    #[command(subcommand)]
    Household(HouseholdCmd),
    /// Placement runs: recognised households placed where pledged places exist.
    #[command(subcommand)]
    Placement(placement::PlacementCmd),
    /// Referrals: countries' decisions and departures.
    #[command(subcommand)]
    Referral(placement::ReferralCmd),
    /// Voluntary return: counselling, consent, verification by another officer, departure.
    #[command(subcommand)]
    Return(voluntary_return::ReturnCmd),
    /// Reports: progress of the operation, resettlement shortfall.
    #[command(subcommand)]
    Report(report::ReportCmd),
    /// Resettlement pledges: countries' places, criteria and legal bars.
    #[command(subcommand)]
    Pledge(pledge::PledgeCmd),
    /// Relocation: convoy plans, manifests, departures and arrivals.
    #[command(subcommand)]
    Relocate(relocate::RelocateCmd),
    /// Sites with their shelter units and occupancy.
    Sites {
        #[arg(long)]
        json: bool,
    },
    /// Sites against humanitarian minimum standards: facilities and the standards report.
    #[command(subcommand)]
    Site(SiteCmd),
    /// The humanitarian minimum standards in force (Sphere defaults), which the operator may change.
    #[command(subcommand)]
    Standards(StandardsCmd),
    /// Find people by name, in Latin or Persian script, tolerant of spelling variants.
    Search {
        text: String,
        #[arg(long, default_value_t = 20)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
    /// The audit log.
    #[command(subcommand)]
    Audit(AuditCmd),
    /// Export records in the import format.
    #[command(subcommand)]
    Export(ExportCmd),
    /// Generate a synthetic operation as import-format CSV files.
    #[command(subcommand)]
    Scenario(ScenarioCmd),
    /// Benchmarks against a loaded database (see docs/benchmarks.md).
    #[command(subcommand, hide = true)]
    Bench(BenchCmd),
    /// Run the placement optimiser on a problem file (see docs/optimiser.md).
    #[command(subcommand)]
    Solve(SolveCmd),
    /// Refugee status determination: officers, interview scheduling, interviews,
    /// decisions, notification, appeals, the queue (see docs/rsd.md).
    #[command(subcommand)]
    Rsd(rsd::RsdCmd),
    /// Serve the web application and its JSON API (see docs/web.md).
    Serve(web::ServeArgs),
    /// Agencies whose users work in Haven.
    #[command(subcommand)]
    Agency(web::AgencyCmd),
    /// Users: each with one role, bound to one agency.
    #[command(subcommand)]
    User(web::UserCmd),
}

#[derive(Subcommand)]
enum BenchCmd {
    /// Search latency: median and 99th percentile over sampled names.
    Search {
        #[arg(long, default_value_t = 900)]
        queries: usize,
    },
    /// A placement run in memory: households of the database against generated pledges.
    Placement {
        #[arg(long, default_value_t = 20_000)]
        households: usize,
        #[arg(long, default_value_t = 40)]
        pledges: usize,
        #[arg(long, default_value_t = 5_000)]
        time_limit_ms: u64,
    },
    /// Relocation planning: each closing camp to its temporary site, and the planner alone.
    Relocate {
        #[arg(long, default_value_t = 90)]
        seats: u32,
        #[arg(long, default_value_t = 4)]
        per_day: u32,
    },
}

#[derive(Subcommand)]
enum SolveCmd {
    /// An OR-Library generalised-assignment file (minimise cost, every item assigned).
    Gap(SolveArgs),
    /// A problem in Haven's JSON problem format.
    Json(SolveArgs),
}

#[derive(Args)]
struct SolveArgs {
    file: PathBuf,
    #[arg(long, default_value_t = 10_000)]
    time_limit_ms: u64,
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Print the full report as JSON.
    #[arg(long)]
    json: bool,
    /// Add per-item and per-place explanations (JSON only).
    #[arg(long)]
    explain: bool,
}

#[derive(Args)]
struct DemoArgs {
    /// Residents to generate.
    #[arg(long, default_value_t = 3200)]
    people: usize,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Stop after staging instead of serving the operation in the browser.
    #[arg(long)]
    no_serve: bool,
    #[command(flatten)]
    serve: web::ServeArgs,
}

#[derive(Subcommand)]
enum SiteCmd {
    /// Sites with their shelter units and occupancy.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Can each site hold its people to the standards, and where exactly does it fall short?
    Standards {
        /// One site only.
        site: Option<String>,
        #[arg(long)]
        json: bool,
        /// How many of the worst units to list per site.
        #[arg(long, default_value_t = 5)]
        units: usize,
    },
    /// Record a site's measured facilities.
    Facilities {
        site: String,
        #[arg(long)]
        water_litres_per_day: f64,
        #[arg(long)]
        latrines: i64,
        #[arg(long)]
        showers: i64,
    },
}

#[derive(Subcommand)]
enum StandardsCmd {
    /// The standards in force.
    Show,
    /// Change one: covered_area_m2_per_person, water_litres_per_person_day,
    /// persons_per_latrine, persons_per_shower.
    Set { key: String, value: f64 },
}

#[derive(Subcommand)]
enum ImportCmd {
    /// facilities.csv: site_id, water_litres_per_day, latrines, showers.
    Facilities { file: PathBuf },
    /// households.csv: one row per person.
    Households { file: PathBuf },
    /// sites.csv.
    Sites { file: PathBuf },
    /// shelter_units.csv.
    Units { file: PathBuf },
    /// Specific-needs codes (code,category,description).
    Needs { file: PathBuf },
    /// Resettlement pledges: a JSON array (see docs/resettlement-domain.md).
    Pledges { file: PathBuf },
    /// A folder as `haven scenario` writes it: sites.csv, shelter_units.csv,
    /// households.csv, and facilities.csv and pledges.json when present.
    Dir { dir: PathBuf },
}

#[derive(Subcommand)]
enum PersonCmd {
    /// A person's record, place and ledger history.
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Move people to a place account (site:ID, unit:ID, deceased, unknown, ...).
    Move {
        #[arg(required = true)]
        ids: Vec<String>,
        #[arg(long)]
        to: String,
        #[arg(long)]
        reason: String,
        /// Why household members are separated, when not all of them move.
        #[arg(long)]
        split_reason: Option<String>,
    },
    /// Put a person on hold (in hospital, in custody, ...): their household stays out of
    /// relocation until released.
    Hold {
        id: String,
        #[arg(long)]
        reason: String,
    },
    /// Lift a person's hold.
    Release { id: String },
}

#[derive(Subcommand)]
enum HouseholdCmd {
    /// A household's members, their places and their ledger history.
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Move every member of households to a place account.
    Move {
        #[arg(required = true)]
        ids: Vec<String>,
        #[arg(long)]
        to: String,
        #[arg(long)]
        reason: String,
    },
}

#[derive(Subcommand)]
enum AuditCmd {
    /// Walk the hash chain; exits 1 and names the first broken entry if anything was altered.
    Verify,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Csv,
    Json,
}

#[derive(Subcommand)]
enum ExportCmd {
    /// Every person as households.csv rows (CSV) or records (JSON).
    Households {
        #[arg(long, value_enum, default_value_t = Format::Csv)]
        format: Format,
        /// Write here instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum ScenarioCmd {
    /// The camp-closure operation: a closing camp of ~3,200 exiles and a temporary site
    /// for 5,500 (scaled with --people).
    CampClosure {
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long, default_value_t = 3200)]
        people: usize,
        #[arg(long)]
        out: PathBuf,
    },
}

/// `haven ... | head` closes the pipe early; printing then fails, and Rust's `println!`
/// panics. That is not a fault of Haven's: leave quietly, as Unix tools do.
fn quiet_on_broken_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if message.contains("Broken pipe") {
            std::process::exit(0);
        }
        default(info);
    }));
}

fn main() -> ExitCode {
    quiet_on_broken_pipe();
    let cli = Cli::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("haven: cannot start: {e}");
            return ExitCode::from(2);
        }
    };
    match rt.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            // Input problems are printed one per line, as FILE:LINE: field: message (value).
            if let Some(AppError::Invalid(problems)) = e.downcast_ref::<AppError>() {
                for p in problems {
                    eprintln!("{p}");
                }
            }
            eprintln!("haven: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn actor(cli: &Cli) -> Ctx {
    let who = cli.actor.clone().unwrap_or_else(|| {
        let user = std::env::var("USER").unwrap_or_else(|_| "unknown".into());
        format!("cli:{user}")
    });
    Ctx::new(who)
}

async fn open(url: &str) -> Result<App> {
    let store = Store::open(url)
        .await
        .with_context(|| format!("opening {url}"))?;
    Ok(App::new(store))
}

async fn run(cli: Cli) -> Result<ExitCode> {
    let ctx = actor(&cli);
    match &cli.command {
        Command::Init => {
            let app = open(&cli.db).await?;
            let counts = app.store.counts().await?;
            println!(
                "database ready at {} ({}): {} people, {} households, {} sites",
                cli.db,
                app.store.backend(),
                counts.people,
                counts.households,
                counts.sites
            );
        }
        Command::Demo(args) => return demo(&cli.db, &ctx, args).await,
        Command::Serve(args) => return web::serve(open(&cli.db).await?, args).await,
        Command::Agency(cmd) => return web::agency(&open(&cli.db).await?, &ctx, cmd).await,
        Command::User(cmd) => return web::user(&open(&cli.db).await?, &ctx, cmd).await,
        Command::Import(cmd) => {
            let app = open(&cli.db).await?;
            let mut bar = Bar::new();
            let summaries = match cmd {
                ImportCmd::Households { file } => {
                    vec![app.import_households(&ctx, file, &mut bar).await?]
                }
                ImportCmd::Sites { file } => vec![app.import_sites(&ctx, file).await?],
                ImportCmd::Units { file } => vec![app.import_units(&ctx, file).await?],
                ImportCmd::Needs { file } => vec![app.import_needs(&ctx, file).await?],
                ImportCmd::Facilities { file } => vec![app.import_facilities(&ctx, file).await?],
                ImportCmd::Pledges { file } => vec![app.import_pledges(&ctx, file).await?],
                ImportCmd::Dir { dir } => app.import_dir(&ctx, dir, &mut bar).await?,
            };
            for s in summaries {
                output::import_summary(&s);
            }
        }
        Command::Ledger { json, accounts } => {
            let app = open(&cli.db).await?;
            let report = app.ledger().await?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                output::ledger(&report, *accounts);
            }
            if !report.ok() {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Person(PersonCmd::Show { id, json }) => {
            let app = open(&cli.db).await?;
            let view = app.person(id).await?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&view)?);
            } else {
                output::person(&view);
            }
        }
        Command::Person(PersonCmd::Move {
            ids,
            to,
            reason,
            split_reason,
        }) => {
            let app = open(&cli.db).await?;
            let to = Account::parse(to)?;
            let s = app
                .move_people(&ctx, ids, &to, reason, split_reason.as_deref())
                .await?;
            println!(
                "moved {} to {}: {}",
                s.moved.len(),
                s.to,
                s.moved.join(", ")
            );
        }
        Command::Person(PersonCmd::Hold { id, reason }) => {
            let app = open(&cli.db).await?;
            app.hold_person(&ctx, id, reason).await?;
            println!("{id} is on hold: {}", reason.trim());
        }
        Command::Person(PersonCmd::Release { id }) => {
            let app = open(&cli.db).await?;
            let was = app.release_person(&ctx, id).await?;
            println!("{id} is no longer on hold (was: {was})");
        }
        Command::Placement(cmd) => {
            let app = open(&cli.db).await?;
            return placement::run_placement(&app, &ctx, cmd).await;
        }
        Command::Referral(cmd) => {
            let app = open(&cli.db).await?;
            return placement::run_referral(&app, &ctx, cmd).await;
        }
        Command::Return(cmd) => {
            let app = open(&cli.db).await?;
            return voluntary_return::run(&app, &ctx, cmd).await;
        }
        Command::Report(cmd) => {
            let app = open(&cli.db).await?;
            return report::run(&app, cmd).await;
        }
        Command::Pledge(cmd) => {
            let app = open(&cli.db).await?;
            return pledge::run(&app, &ctx, cmd).await;
        }
        Command::Relocate(cmd) => {
            let app = open(&cli.db).await?;
            return relocate::run(&app, &ctx, cmd).await;
        }
        Command::Household(HouseholdCmd::Show { id, json }) => {
            let app = open(&cli.db).await?;
            let view = app.household(id).await?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&view)?);
            } else {
                output::household(&view);
            }
        }
        Command::Household(HouseholdCmd::Move { ids, to, reason }) => {
            let app = open(&cli.db).await?;
            let to = Account::parse(to)?;
            let s = app.move_households(&ctx, ids, &to, reason).await?;
            println!(
                "moved {} to {}: {}",
                s.moved.len(),
                s.to,
                s.moved.join(", ")
            );
        }
        // `haven sites` is the short form of `haven site list`.
        Command::Sites { json } | Command::Site(SiteCmd::List { json }) => {
            let app = open(&cli.db).await?;
            let sites = app.store.sites().await?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&sites)?);
            } else {
                output::sites(&sites);
            }
        }
        Command::Site(SiteCmd::Standards { site, json, units }) => {
            let app = open(&cli.db).await?;
            let report = app.standards_report(site.as_deref()).await?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                output::standards(&report, *units);
            }
        }
        Command::Site(SiteCmd::Facilities {
            site,
            water_litres_per_day,
            latrines,
            showers,
        }) => {
            let app = open(&cli.db).await?;
            let f = haven_core::standards::Facilities {
                water_litres_per_day: *water_litres_per_day,
                latrines: *latrines,
                showers: *showers,
            };
            app.set_facilities(&ctx, site, f).await?;
            println!("facilities of {site} recorded");
        }
        Command::Standards(StandardsCmd::Show) => {
            let app = open(&cli.db).await?;
            output::standards_in_force(&app.store.standards().await?);
        }
        Command::Standards(StandardsCmd::Set { key, value }) => {
            let app = open(&cli.db).await?;
            app.set_standard(&ctx, key, *value).await?;
            println!("{key} set to {value}");
        }
        Command::Search { text, limit, json } => {
            let app = open(&cli.db).await?;
            let hits = app.search(text, *limit).await?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&hits)?);
            } else {
                output::search(text, &hits);
            }
        }
        Command::Audit(AuditCmd::Verify) => {
            let app = open(&cli.db).await?;
            match app.verify_audit().await? {
                Ok(n) => println!("audit log intact: {n} entries verified"),
                Err(b) => {
                    println!("audit log BROKEN: {b}");
                    return Ok(ExitCode::FAILURE);
                }
            }
        }
        Command::Export(ExportCmd::Households { format, out }) => {
            let app = open(&cli.db).await?;
            let people = app.export_people().await?;
            let sink: Box<dyn std::io::Write> = match out {
                Some(p) => Box::new(std::io::BufWriter::new(
                    std::fs::File::create(p)
                        .with_context(|| format!("creating {}", p.display()))?,
                )),
                None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
            };
            match format {
                Format::Csv => haven_app::write_households_csv(&people, sink)?,
                Format::Json => {
                    let mut sink = sink;
                    serde_json::to_writer_pretty(&mut sink, &people)?;
                    writeln!(sink)?;
                }
            }
        }
        Command::Solve(cmd) => return solve(cmd),
        Command::Rsd(cmd) => return rsd::run(&open(&cli.db).await?, &ctx, cmd.clone()).await,
        Command::Bench(BenchCmd::Search { queries }) => {
            let app = open(&cli.db).await?;
            bench::search(&app, *queries).await?;
        }
        Command::Bench(BenchCmd::Placement {
            households,
            pledges,
            time_limit_ms,
        }) => {
            let app = open(&cli.db).await?;
            bench::placement(&app, *households, *pledges, *time_limit_ms).await?;
        }
        Command::Bench(BenchCmd::Relocate { seats, per_day }) => {
            let app = open(&cli.db).await?;
            bench::relocate(&app, &ctx, *seats, *per_day).await?;
        }
        Command::Scenario(ScenarioCmd::CampClosure { seed, people, out }) => {
            let cfg = haven_scenario::ScenarioConfig::new(*seed, *people);
            let s = haven_scenario::generate_camp_closure(&cfg, out)?;
            println!(
                "wrote {} people in {} households, {} sites, {} shelter units to {}",
                s.people,
                s.households,
                s.sites,
                s.shelter_units,
                out.display()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

use std::io::Write as _;

/// `haven solve`: read, solve, and print one report per instance in the file.
fn solve(cmd: &SolveCmd) -> Result<ExitCode> {
    let (args, problems) = match cmd {
        SolveCmd::Gap(a) => (a, haven_optim::read_orlib_gap(&a.file)?),
        SolveCmd::Json(a) => (a, vec![haven_optim::read_json_problem(&a.file)?]),
    };
    let opts = haven_optim::SolveOptions {
        time_limit_ms: args.time_limit_ms,
        seed: args.seed,
        ..Default::default()
    };
    let mut reports = Vec::new();
    let mut all_feasible = true;
    for p in &problems {
        let sol = haven_optim::solve(p, &opts);
        all_feasible &= sol.feasible;
        let mut report = serde_json::to_value(&sol)?;
        if args.explain
            && let Some(obj) = report.as_object_mut()
        {
            obj.insert(
                "explanation".into(),
                serde_json::to_value(haven_optim::explain(p, &sol))?,
            );
        }
        if !args.json {
            let num =
                |v: &serde_json::Value| v.as_f64().map_or("-".to_string(), |x| format!("{x}"));
            println!(
                "{}: objective {} bound {} gap {} optimal {} feasible {} in {} ms",
                report["name"].as_str().unwrap_or("?"),
                num(&report["objective"]),
                num(&report["bound"]),
                report["gap"]
                    .as_f64()
                    .map_or("-".to_string(), |g| format!("{:.4}%", g * 100.0)),
                sol.optimal,
                sol.feasible,
                sol.time_ms
            );
        }
        reports.push(report);
    }
    if args.json {
        let out = if reports.len() == 1 {
            reports.pop().unwrap_or_default()
        } else {
            serde_json::Value::Array(reports)
        };
        println!("{}", serde_json::to_string_pretty(&out)?);
    }
    Ok(if all_feasible {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// `haven demo`: generate the default operation, import it (idempotent: running the demo
/// twice changes nothing), and show the first screen.
async fn demo(db: &str, ctx: &Ctx, args: &DemoArgs) -> Result<ExitCode> {
    let dir = std::env::temp_dir().join(format!("haven-demo-{}", std::process::id()));
    let cfg = haven_scenario::ScenarioConfig::new(args.seed, args.people);
    let summary = haven_scenario::generate_camp_closure(&cfg, &dir)?;
    println!(
        "Generated the camp-closure operation (seed {}): {} residents in {} households.",
        args.seed, summary.people, summary.households
    );
    let app = open(db).await?;
    let mut bar = Bar::new();
    let result = app.import_dir(ctx, &dir, &mut bar).await;
    let _ = std::fs::remove_dir_all(&dir);
    for mut s in result? {
        // The generated folder is temporary: name the file only.
        if let Some(name) = std::path::Path::new(&s.file).file_name() {
            s.file = name.to_string_lossy().into_owned();
        }
        output::import_summary(&s);
    }
    let sites = app.store.sites().await?;
    let of_kind = |kind: haven_core::registry::SiteKind| {
        sites
            .iter()
            .find(|s| s.site.kind == kind)
            .map(|s| s.site.site_id.clone())
    };
    if let (Some(camp), Some(temporary)) = (
        of_kind(haven_core::registry::SiteKind::ClosingCamp),
        of_kind(haven_core::registry::SiteKind::TemporarySite),
    ) {
        let story = app.stage_demo(ctx, &camp, &temporary).await?;
        output::demo_story(&story, &camp, &temporary);
    }
    let overview = app.overview().await?;
    output::overview(db, &overview);
    if !overview.ledger.ok() {
        bail!("the ledger does not balance");
    }
    let logins = app.stage_demo_users(ctx).await?;
    println!();
    println!(
        "Next: haven ledger | haven relocate show | haven site standards | haven search Mohammad | haven person show P-000001"
    );
    if args.no_serve {
        return Ok(ExitCode::SUCCESS);
    }
    println!();
    println!(
        "Demo logins (one per role) for http://{}:",
        args.serve.listen
    );
    for l in &logins {
        println!(
            "  {:<22} {:<14} {:<28} ({})",
            l.role.label(),
            l.username,
            l.password,
            l.agency
        );
    }
    web::serve(app, &args.serve).await
}

/// A progress bar on a terminal; silent otherwise.
struct Bar {
    bar: Option<indicatif::ProgressBar>,
}

impl Bar {
    fn new() -> Self {
        Bar { bar: None }
    }
}

impl Progress for Bar {
    fn phase(&mut self, name: &str, total: u64) {
        if !std::io::stderr().is_terminal() {
            return;
        }
        if let Some(b) = self.bar.take() {
            b.finish_and_clear();
        }
        let bar = if total > 10_000 {
            let b = indicatif::ProgressBar::new(total);
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{msg:>10} [{bar:40}] {human_pos}/{human_len} ({per_sec}, {eta})",
            ) {
                b.set_style(style.progress_chars("=> "));
            }
            b
        } else {
            indicatif::ProgressBar::new_spinner()
        };
        bar.set_message(name.to_string());
        self.bar = Some(bar);
    }
    fn set(&mut self, done: u64) {
        if let Some(b) = &self.bar {
            b.set_position(done);
        }
    }
    fn finish(&mut self) {
        if let Some(b) = self.bar.take() {
            b.finish_and_clear();
        }
    }
}
