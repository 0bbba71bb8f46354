//! The `meridian` binary. Read top to bottom, this is how Meridian starts:
//! load configuration (defaults < meridian.toml < MERIDIAN_* environment),
//! open the store (embedded SQLite in the data directory, or DATABASE_URL),
//! run migrations, make sure someone can sign in, optionally seed the demo
//! register, and serve the web application until Ctrl-C.

mod batch;
mod config;
mod demo;
mod lists;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use config::Config;
use meridian_store::{Role, Store};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "meridian",
    version,
    about = "Meridian: the international engagement register for universities"
)]
struct Cli {
    /// Configuration file (default: ./meridian.toml if present).
    #[arg(long, global = true, env = "MERIDIAN_CONFIG")]
    config: Option<PathBuf>,
    /// Where the embedded database lives (default ./meridian-data).
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web application.
    Serve {
        /// Address to listen on (default 127.0.0.1:8080).
        #[arg(long)]
        bind: Option<String>,
        /// On an empty database, add a realistic, fictional demo register
        /// (and, when no lists directory is set, screen against the fictional
        /// fixture lists in crates/screening/tests/fixtures/lists).
        #[arg(long)]
        demo: bool,
        /// Directory of restricted-party list files (MERIDIAN_LISTS_DIR).
        #[arg(long)]
        lists_dir: Option<PathBuf>,
    },
    /// Screen names against the lists: JSON lines (or CSV) in, one result per query out.
    Screen(ScreenArgs),
    /// Assess one engagement (the API's JSON shape) from stdin, or JSON lines with --jsonl.
    Assess(AssessArgs),
    /// Apply database migrations and exit.
    Migrate,
    /// Manage accounts.
    #[command(subcommand)]
    Users(UsersCommand),
    /// Check or export the tamper-evident audit trail.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Manage restricted-party lists: status, update, import, rollback.
    #[command(subcommand)]
    Lists(ListsCommand),
}

#[derive(Subcommand)]
enum ListsCommand {
    /// Each list: current version, fetched at, entity count, checksum, last error.
    Status,
    /// Download now (all enabled sources, or the ones named) and install what passes the checks.
    Update {
        ids: Vec<String>,
        /// Install even if the new version lost more than 20% of its entities.
        #[arg(long)]
        force: bool,
        /// Download from this base URL instead of the official address (mirrors, tests).
        #[arg(long, hide = true)]
        base_url: Option<String>,
    },
    /// Import list files (a file, or a directory of them) as a source's new version.
    Import {
        path: PathBuf,
        /// The publisher format (ofac_csv, un_xml, research_json, ca_nro_csv, …).
        #[arg(long)]
        format: String,
        /// The source id (us_bis_entity_list, ca_nro, or your own).
        #[arg(long)]
        source: String,
        #[arg(long)]
        force: bool,
    },
    /// Put a source's previous version back.
    Rollback { id: String },
}

#[derive(clap::Args)]
struct ScreenArgs {
    /// Directory of list files (every recognised file in it and its subfolders).
    #[arg(long)]
    lists_dir: PathBuf,
    /// Minimum score to report (default 0.80).
    #[arg(long)]
    threshold: Option<f32>,
    /// Matches per query (default 10).
    #[arg(long)]
    limit: Option<usize>,
    /// Read queries from FILE instead of stdin.
    #[arg(long)]
    input: Option<PathBuf>,
    /// Write results to FILE instead of stdout.
    #[arg(long)]
    output: Option<PathBuf>,
    /// jsonl (default) or csv, for input and output.
    #[arg(long, default_value = "jsonl")]
    format: String,
}

#[derive(clap::Args)]
struct AssessArgs {
    /// Directory of list files used to screen partners, funders and people.
    #[arg(long)]
    lists_dir: PathBuf,
    /// A policy pack TOML (default: the built-in pack).
    #[arg(long)]
    policy: Option<PathBuf>,
    /// Read one engagement per line and print one assessment per line.
    #[arg(long)]
    jsonl: bool,
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Walk the hash chain; exit 1 and name the first broken link if any.
    Verify,
    /// Write the chain as JSON lines (each with its canonical text) to stdout or a file.
    Export {
        #[arg(long)]
        output: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum UsersCommand {
    /// Create an account (the password is read from MERIDIAN_NEW_PASSWORD or generated and printed).
    Create {
        username: String,
        #[arg(long, default_value = "researcher")]
        role: String,
        #[arg(long, default_value = "")]
        department: String,
        #[arg(long, default_value = "")]
        name: String,
    },
    /// Create an API token for an account and print it once.
    Token {
        username: String,
        #[arg(long)]
        name: String,
    },
}

#[tokio::main]
async fn main() -> Result<()> {
    let cli = Cli::parse();
    meridian_web::init_tls();
    let config = Config::load(cli.config.as_deref(), cli.data_dir.as_deref())?;
    init_logging(&config.log);

    match cli.command {
        Command::Serve {
            bind,
            demo,
            lists_dir,
        } => {
            let bind = bind.unwrap_or_else(|| config.bind.clone());
            let store = open_store(&config).await?;
            ensure_admin(&store).await?;
            let demo = demo || config.demo;
            if demo {
                demo::seed_if_empty(&store)
                    .await
                    .context("seeding the demo register")?;
            }
            let lists_dir = lists_dir
                .or(config.lists_dir.clone())
                .or_else(|| demo.then(demo::lists_dir).flatten());
            serve(store, &config, &bind, lists_dir).await
        }
        Command::Screen(args) => batch::screen(args),
        Command::Assess(args) => batch::assess(args),
        Command::Migrate => {
            open_store(&config).await?;
            println!("Database is up to date.");
            Ok(())
        }
        Command::Users(cmd) => users(cmd, &config).await,
        Command::Audit(cmd) => audit(cmd, &config).await,
        Command::Lists(cmd) => lists::run(cmd, open_store(&config).await?).await,
    }
}

fn init_logging(filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("MERIDIAN_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(filter));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_writer(std::io::stderr)
        .init();
}

async fn open_store(config: &Config) -> Result<Store> {
    match config.database_url.as_deref().filter(|u| !u.is_empty()) {
        Some(url) => {
            let shown = url.split('@').next_back().unwrap_or("");
            tracing::info!(database = %shown, "connecting to database");
            Store::connect(url, config.max_connections)
                .await
                .context("connecting to DATABASE_URL")
        }
        None => {
            tracing::info!(data_dir = %config.data_dir.display(), "using embedded SQLite");
            Store::open_sqlite_dir(&config.data_dir, config.max_connections)
                .await
                .with_context(|| format!("opening the database in {}", config.data_dir.display()))
        }
    }
}

/// On first start there is nobody to sign in as: create `admin` with the
/// password from MERIDIAN_ADMIN_PASSWORD, or a generated one printed once.
async fn ensure_admin(store: &Store) -> Result<()> {
    if store.count_users().await? > 0 {
        return Ok(());
    }
    let (password, generated) = match std::env::var("MERIDIAN_ADMIN_PASSWORD") {
        Ok(p) if !p.is_empty() => (p, false),
        _ => (generate_password(), true),
    };
    let hash = meridian_web::hash_password(password.clone())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    store
        .create_user(
            "admin",
            "Administrator",
            &hash,
            Role::Admin,
            "Research Office",
        )
        .await?;
    println!("\nCreated the first account: username 'admin'.");
    if generated {
        println!("Its generated password (shown only now): {password}");
        println!("Set MERIDIAN_ADMIN_PASSWORD before the first start to choose it yourself.\n");
    } else {
        println!("Its password is the one in MERIDIAN_ADMIN_PASSWORD.\n");
    }
    Ok(())
}

fn generate_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    (0..20)
        .map(|_| ALPHABET[rand::random_range(0..ALPHABET.len())] as char)
        .collect()
}

async fn serve(
    store: Store,
    config: &Config,
    bind: &str,
    lists_dir: Option<PathBuf>,
) -> Result<()> {
    let web = meridian_web::WebConfig {
        secure_cookies: config.secure_cookies,
        session_hours: config.session_hours,
        oidc: config.oidc()?,
        smtp: config.smtp(),
        ..Default::default()
    };
    let state = meridian_web::AppState::new(store.clone(), web);
    // The pack and country profiles an admin set (shared by all nodes); a
    // configured pack file applies only while no admin has loaded one.
    meridian_web::engines::load_settings(&state)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let admin_pack = store
        .setting(meridian_web::engines::POLICY_KEY)
        .await?
        .is_some();
    if let Some(path) = config.policy_file.as_ref().filter(|_| !admin_pack) {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading the policy pack {}", path.display()))?;
        let pack = meridian_risk::PolicyPack::from_toml(&text)
            .map_err(|e| anyhow::anyhow!("policy pack {}: {e}", path.display()))?;
        state.engines.install_policy(pack);
    }
    meridian_web::lists::ensure_registry(&state)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    state.engines.set_static_lists_dir(lists_dir.clone());
    meridian_web::lists::reload_index(&state)
        .await
        .map_err(|e| anyhow::anyhow!("loading lists: {e}"))?;
    match state.engines.lists() {
        Some(idx) => println!(
            "Screening against {} entities from {} list files ({}){}",
            idx.index.entity_count(),
            idx.versions.len(),
            idx.source,
            if idx.row_issues > 0 {
                format!("; {} malformed rows skipped", idx.row_issues)
            } else {
                String::new()
            }
        ),
        // Safe by default: the server runs, and says screening is unavailable.
        None => eprintln!(
            "WARNING: no restricted-party lists are loaded (import them with `meridian lists import`, or start with --lists-dir): screening is unavailable"
        ),
    }
    if config.list_updates {
        let st = state.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
            loop {
                tick.tick().await;
                match meridian_web::lists::run_due_updates(&st).await {
                    Ok(reports) => {
                        for r in reports {
                            tracing::info!(source = %r.source, result = %r.result, message = %r.message, "scheduled list update");
                        }
                    }
                    Err(e) => tracing::warn!(error = ?e, "scheduled list updates failed"),
                }
            }
        });
    }
    tokio::spawn(meridian_web::lists::follow_versions(
        state.clone(),
        std::time::Duration::from_secs(30),
    ));
    // Lists and policy may have changed since the last run: evaluate everything again.
    let bg = state.clone();
    tokio::spawn(async move {
        match meridian_web::engines::evaluate_all(&bg, "system").await {
            Ok(n) => tracing::info!(engagements = n, "evaluated the register at start-up"),
            Err(e) => tracing::warn!(error = %e, "start-up evaluation failed"),
        }
    });
    let app = meridian_web::router(state);
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .with_context(|| format!("listening on {bind}"))?;
    let addr = listener.local_addr()?;
    println!(
        "Meridian {} is running at http://{addr}/ (Ctrl-C to stop)",
        meridian_web::VERSION
    );
    tokio::spawn(purge_sessions(store.clone()));
    tokio::spawn(periodic_reviews(store.clone()));
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    store.close().await;
    Ok(())
}

/// Expired sessions are useless rows: drop them hourly.
async fn purge_sessions(store: Store) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        tick.tick().await;
        if let Err(e) = store.purge_expired_sessions().await {
            tracing::warn!(error = %e, "could not purge expired sessions");
        }
    }
}

/// Active engagements whose review date has passed become `review_due`:
/// checked at start-up and then hourly.
async fn periodic_reviews(store: Store) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        tick.tick().await;
        let today = meridian_store::now_text()[..10].to_owned();
        match store.mark_reviews_due(&today).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(count = n, "engagements marked review due"),
            Err(e) => tracing::warn!(error = %e, "could not mark periodic reviews"),
        }
    }
}

async fn audit(cmd: AuditCommand, config: &Config) -> Result<()> {
    use std::io::Write;
    let store = open_store(config).await?;
    match cmd {
        AuditCommand::Verify => match store.verify_audit().await? {
            Ok(n) => {
                println!("Audit chain intact: {n} records verified.");
                Ok(())
            }
            Err(broken) => {
                eprintln!("Audit chain BROKEN: {broken}");
                std::process::exit(1);
            }
        },
        AuditCommand::Export { output } => {
            let mut out: Box<dyn Write> = match &output {
                Some(p) => Box::new(std::io::BufWriter::new(
                    std::fs::File::create(p)
                        .with_context(|| format!("creating {}", p.display()))?,
                )),
                None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
            };
            let mut after = 0;
            let mut n = 0u64;
            loop {
                let page = store.audit_page(after, 1000).await?;
                let Some(last) = page.last() else { break };
                after = last.seq;
                for r in &page {
                    writeln!(out, "{}", meridian_audit::export_line(r))?;
                    n += 1;
                }
            }
            out.flush()?;
            store
                .audit(
                    meridian_store::AuditEvent::new("cli", "audit.exported", "audit", "")
                        .reason(format!("{n} records")),
                )
                .await?;
            if output.is_some() {
                eprintln!("Exported {n} audit records.");
            }
            Ok(())
        }
    }
}

async fn users(cmd: UsersCommand, config: &Config) -> Result<()> {
    let store = open_store(config).await?;
    match cmd {
        UsersCommand::Create {
            username,
            role,
            department,
            name,
        } => {
            let role = Role::parse(&role).map_err(anyhow::Error::msg)?;
            let (password, generated) = match std::env::var("MERIDIAN_NEW_PASSWORD") {
                Ok(p) if !p.is_empty() => (p, false),
                _ => (generate_password(), true),
            };
            if password.chars().count() < 12 {
                bail!("MERIDIAN_NEW_PASSWORD must be at least 12 characters");
            }
            let hash = meridian_web::hash_password(password.clone())
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let display = if name.is_empty() {
                username.clone()
            } else {
                name
            };
            let u = store
                .create_user(&username, &display, &hash, role, &department)
                .await?;
            println!("Created {} ({}).", u.username, u.role.label());
            if generated {
                println!("Generated password (shown only now): {password}");
            }
        }
        UsersCommand::Token { username, name } => {
            let user = store
                .user_by_username(&username)
                .await?
                .with_context(|| format!("no user '{username}'"))?;
            let state = meridian_web::AppState::new(store.clone(), Default::default());
            let t = meridian_web::issue_api_token(&state, &user.id, &name)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("{}", t.token);
        }
    }
    Ok(())
}
