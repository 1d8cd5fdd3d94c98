//! `haven serve`, and the accounts it needs: `haven agency add|list`, `haven user
//! add|list|password`. The command line is the operator's tool on
//! the server itself, so it can create the first administrator.

use std::net::SocketAddr;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand, ValueEnum};
use haven_app::access::{Agency, NewUser};
use haven_app::{App, Ctx};
use haven_core::access::Role;

#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Mark the session cookie Secure (HTTPS only). `auto`: unless listening on loopback.
    /// Use `always` behind a TLS-terminating proxy.
    #[arg(long, value_enum, default_value_t = CookieSecure::Auto)]
    pub secure_cookies: CookieSecure,
    /// The reverse proxy in front of Haven: its X-Forwarded-For header names the client
    /// (for login throttling and the audit of logins). Ignored from any other address.
    #[arg(long)]
    pub trusted_proxy: Option<std::net::IpAddr>,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum CookieSecure {
    Auto,
    Always,
    Never,
}

pub fn config(args: &ServeArgs) -> haven_web::WebConfig {
    let secure = match args.secure_cookies {
        CookieSecure::Always => true,
        CookieSecure::Never => false,
        CookieSecure::Auto => !args.listen.ip().is_loopback(),
    };
    haven_web::WebConfig {
        secure_cookies: secure,
        trusted_proxy: args.trusted_proxy,
        ..Default::default()
    }
}

pub async fn serve(app: App, args: &ServeArgs) -> Result<ExitCode> {
    let cfg = config(args);
    if app.users().await?.is_empty() {
        eprintln!(
            "No users yet: create an administrator with `haven agency add` and `haven user add --role administrator`."
        );
    }
    println!(
        "Serving Haven at http://{} (Ctrl-C to stop){}",
        args.listen,
        if cfg.secure_cookies {
            "; session cookies are Secure: reach it over HTTPS"
        } else {
            ""
        }
    );
    haven_web::serve(app, args.listen, &cfg)
        .await
        .with_context(|| format!("serving on {}", args.listen))?;
    Ok(ExitCode::SUCCESS)
}

#[derive(Subcommand)]
pub enum AgencyCmd {
    /// Add an agency (a delegation names the resettlement country it speaks for).
    Add {
        agency_id: String,
        #[arg(long)]
        name: String,
        /// ISO 3166-1 alpha-3: makes this agency a resettlement country's delegation.
        #[arg(long)]
        country: Option<String>,
    },
    List,
}

#[derive(Subcommand)]
pub enum UserCmd {
    /// Add a user; the password is read from HAVEN_PASSWORD or the first line of stdin.
    Add {
        username: String,
        #[arg(long)]
        name: String,
        /// registration_officer, site_manager, rsd_officer, resettlement_officer,
        /// country_delegation, monitor or administrator.
        #[arg(long)]
        role: String,
        #[arg(long)]
        agency: String,
    },
    List,
    /// Set a user's password and unlock the account (HAVEN_PASSWORD or stdin).
    Password {
        username: String,
    },
}

fn role(s: &str) -> Result<Role> {
    Role::parse(s).with_context(|| {
        let all: Vec<&str> = Role::ALL.iter().map(|r| r.key()).collect();
        format!("no role '{s}'; roles are {}", all.join(", "))
    })
}

fn password() -> Result<String> {
    if let Ok(p) = std::env::var("HAVEN_PASSWORD") {
        return Ok(p);
    }
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .context("reading the password from stdin")?;
    let p = line.trim_end_matches(['\r', '\n']).to_string();
    if p.is_empty() {
        bail!("no password: set HAVEN_PASSWORD or give it on stdin");
    }
    Ok(p)
}

pub async fn agency(app: &App, ctx: &Ctx, cmd: &AgencyCmd) -> Result<ExitCode> {
    match cmd {
        AgencyCmd::Add {
            agency_id,
            name,
            country,
        } => {
            let added = app
                .add_agency(
                    ctx,
                    Agency {
                        agency_id: agency_id.clone(),
                        name: name.clone(),
                        country: country.clone(),
                    },
                )
                .await?;
            println!(
                "{}",
                if added {
                    format!("agency {agency_id} added")
                } else {
                    format!("agency {agency_id} exists; nothing changed")
                }
            );
        }
        AgencyCmd::List => {
            for a in app.agencies().await? {
                println!(
                    "{}\t{}\t{}",
                    a.agency_id,
                    a.name,
                    a.country.as_deref().unwrap_or("")
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn user(app: &App, ctx: &Ctx, cmd: &UserCmd) -> Result<ExitCode> {
    match cmd {
        UserCmd::Add {
            username,
            name,
            role: r,
            agency,
        } => {
            let u = app
                .add_user(
                    ctx,
                    NewUser {
                        username: username.clone(),
                        full_name: name.clone(),
                        role: role(r)?,
                        agency_id: agency.clone(),
                        password: password()?,
                    },
                )
                .await?;
            println!(
                "user {} added: {} of {}",
                u.username,
                u.role.label(),
                u.agency_id
            );
        }
        UserCmd::Password { username } => {
            app.set_password(ctx, username, &password()?).await?;
            println!("password of {username} set; the account is unlocked");
        }
        UserCmd::List => {
            for u in app.users().await? {
                let state = if !u.active {
                    "disabled".to_string()
                } else if let Some(l) = &u.locked_until {
                    format!("locked until {l}")
                } else {
                    "active".into()
                };
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    u.username,
                    u.full_name,
                    u.role.key(),
                    u.agency_id,
                    state
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
