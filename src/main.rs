//! The `loyalty-server` binary: parse the command line, then start up.

use anyhow::Context;
use clap::{Parser, Subcommand};
use loyalty_server::config::Settings;
use loyalty_server::domain::clock::Clock;
use loyalty_server::service::{ledger::verify, platform::jobs, AppState};
use loyalty_server::startup::{self, Application};
use loyalty_server::{crypto, demo};

/// Coalition loyalty network server.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(flatten)]
    settings: Settings,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (the default).
    Serve {
        /// Seed a demo network on an empty database, issue fresh demo keys and an operator
        /// token, write them to <data dir>/demo.env, and let the operator move the clock.
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending migrations and exit.
    Migrate,
    /// Check every ledger invariant and the hash chains; exit 1 on any break.
    Verify,
    /// Release timed-out holds, make pending points available and expire points, once.
    Expire,
    /// Close the settlement period ending at a cut-off (RFC 3339, at least 60 s ago): sign
    /// every partner's statement and post the nets. Closing the same cut-off again prints the
    /// same run.
    Settle {
        /// The cut-off, such as 2026-11-01T00:00:00Z (exclusive, by posting time).
        #[arg(long)]
        until: chrono::DateTime<chrono::Utc>,
    },
    /// Create an operator bearer token; it is printed alone on the last line.
    OperatorToken {
        /// A name for the token, for the audit trail.
        #[arg(long, default_value = "operator")]
        name: String,
    },
    /// Load a newer Google product taxonomy (taxonomy-with-ids.en-US.txt): categories are
    /// added, renamed or moved, never deleted; one the file no longer has is retired and old
    /// references stay valid.
    ImportTaxonomy {
        /// The English file with ids, as Google publishes it.
        file: std::path::PathBuf,
        /// The French file with ids, for the French names.
        #[arg(long)]
        french: Option<std::path::PathBuf>,
    },
    /// Print the OpenAPI document.
    Openapi,
}

/// The default lifetime of sign-in tokens (see `config`).
const DEFAULT_SESSION_TTL_S: i64 = 86_400;

/// Lifetime of the demo's sign-in tokens: a year of the (adjustable) network clock.
const DEMO_SESSION_TTL_S: i64 = 365 * 86_400;

fn state_for_cli(settings: &Settings) -> anyhow::Result<AppState> {
    // The commands read the network clock as the servers do: on a demo database (with
    // LOYALTY_ADJUSTABLE_CLOCK=true, as demo.env sets it) system time plus the stored offset.
    let clock = if settings.adjustable_clock {
        Clock::adjustable()
    } else {
        Clock::system()
    };
    AppState::new(
        startup::open_database(settings)?,
        clock,
        startup::load_master_key(settings)?,
        settings.session_ttl_s,
        settings.writers,
    )
    .map_err(|e| anyhow::anyhow!("{e}"))
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let mut settings = cli.settings;
    match cli.command.unwrap_or(Command::Serve { demo: false }) {
        Command::Serve { demo } => {
            if demo {
                settings.adjustable_clock = true;
                // The walk-through moves the network clock by weeks; the demo's sign-ins
                // last a year of it unless a lifetime was set.
                if settings.session_ttl_s == DEFAULT_SESSION_TTL_S {
                    settings.session_ttl_s = DEMO_SESSION_TTL_S;
                }
            }
            actix_web::rt::System::new().block_on(serve(settings, demo))
        }
        Command::Migrate => {
            startup::open_database(&settings)?;
            println!("migrations applied");
            Ok(())
        }
        Command::ImportTaxonomy { file, french } => {
            let read = |path: &std::path::Path| {
                std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
            };
            let en = read(&file)?;
            let fr = french.as_deref().map(read).transpose()?;
            let state = state_for_cli(&settings)?;
            let mut conn = state.pool.get()?;
            let s = loyalty_server::service::catalog::taxonomy::import(
                &mut conn,
                state.clock.now_naive(),
                &en,
                fr.as_deref(),
            )
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "taxonomy {}: {} added, {} renamed, {} moved, {} retired, {} restored",
                s.version, s.added, s.renamed, s.moved, s.retired, s.restored
            );
            Ok(())
        }
        Command::Verify => {
            let state = state_for_cli(&settings)?;
            let mut conn = state.pool.get()?;
            let report = verify::run(&mut conn).map_err(|e| anyhow::anyhow!("{e}"))?;
            for problem in &report.problems {
                println!("BROKEN: {problem}");
            }
            println!(
                "checked {} entries, {} members, {} lots: {}",
                report.entries_checked,
                report.members_checked,
                report.lots_checked,
                if report.is_clean() {
                    "ledger clean".to_owned()
                } else {
                    format!("{} problems", report.problems.len())
                }
            );
            if !report.is_clean() {
                std::process::exit(1);
            }
            Ok(())
        }
        Command::Expire => {
            let state = state_for_cli(&settings)?;
            let mut conn = state.pool.get()?;
            let report =
                jobs::run_once(&mut conn, &state.clock).map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "{} members brought up to date, {} nonces purged",
                report.members_synced, report.nonces_purged
            );
            Ok(())
        }
        Command::Settle { until } => {
            let state = state_for_cli(&settings)?;
            let mut conn = state.pool.get()?;
            let (run, created) = loyalty_server::service::settlement::close(
                &mut conn,
                &state.master_key,
                state.clock.now_naive(),
                until.naive_utc(),
            )
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            eprintln!(
                "{} run {}: {} to {}, {} statements, operator margin {} minor units",
                if created { "closed" } else { "already closed:" },
                run.run_id,
                run.period_start.to_rfc3339(),
                run.period_end.to_rfc3339(),
                run.summary.partners.len(),
                run.summary.operator_margin_minor
            );
            println!("{}", serde_json::to_string_pretty(&run)?);
            Ok(())
        }
        Command::OperatorToken { name } => {
            let state = state_for_cli(&settings)?;
            let mut conn = state.pool.get()?;
            let token =
                loyalty_server::service::platform::auth::create_operator_token(&mut conn, &name)
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("operator token created for {name:?}; it is shown once:");
            println!("{token}");
            Ok(())
        }
        Command::Openapi => {
            print!("{}", startup::openapi_json()?);
            Ok(())
        }
    }
}

async fn serve(settings: Settings, demo: bool) -> anyhow::Result<()> {
    let clock = if settings.adjustable_clock {
        Clock::adjustable()
    } else {
        Clock::system()
    };
    let app = Application::build(&settings, clock).await?;
    if demo {
        let state = app.state.clone();
        let listen = settings.listen.clone();
        let env = state
            .run(move |conn, s| demo::seed(conn, s, &listen))
            .await
            .map_err(|e| anyhow::anyhow!("seeding the demo: {e}"))?;
        let path = settings.data_dir.join("demo.env");
        std::fs::create_dir_all(&settings.data_dir)?;
        std::fs::write(&path, &env).with_context(|| format!("writing {}", path.display()))?;
        println!(
            "Demo network ready. Its keys and members (also in {}):\n{env}",
            path.display()
        );
        let _ = crypto::sha256_hex("");
    }
    tracing::info!(
        port = app.port(),
        "listening; API docs at /docs/, OpenAPI at /openapi.json"
    );
    app.run_until_stopped().await?;
    Ok(())
}
