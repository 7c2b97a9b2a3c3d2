//! `scim-mock serve`: the SCIM mock over HTTP. `scim-mock ceiling`: an empty handler on the
//! same stack, the benchmark's upper bound. `scim-mock compare --all`: one request to every
//! profile, a table of what each did.

mod compare_cmd;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use scim_core::Profile;
use scim_mock::{App, Config, DEFAULT_COMPACT_BYTES, DEFAULT_MAX_BODY, Limits, Seed, Startup};

#[derive(Debug, Parser)]
#[command(name = "scim-mock", version, about = "An in-memory SCIM 2.0 service provider (RFC 7643/7644) over HTTP")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Serve SCIM under the profile's base path, and the playground at /.
    Serve(ServeArgs),
    /// Learn a live server's profile with the probe battery: the profile JSON on stdout.
    Learn(scim_mock::remote::LearnArgs),
    /// Replay a client's habits (a scenario file) against a server, step by step.
    Replay(scim_mock::remote::ReplayArgs),
    /// Relay one SCIM server with CORS added, for the playground's remote lane.
    Relay(scim_mock::relay::RelayArgs),
    /// Answer every request with a canned PUT answer behind the same stack, without the core
    /// (benchmark baseline).
    Ceiling {
        #[arg(long, default_value = "127.0.0.1")]
        host: String,
        #[arg(long, default_value_t = 8081)]
        port: u16,
    },
    /// Send one request to every built-in profile, each in a fresh store; print what each did.
    Compare(compare_cmd::CompareArgs),
}

#[derive(Debug, clap::Args)]
struct ServeArgs {
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// 0 picks a free port.
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// A built-in profile name (rfc) or a profile JSON file.
    #[arg(long, default_value = "rfc")]
    profile: String,
    /// Require this credential on every SCIM request, in the profile's scheme
    /// (`Authorization: Bearer TOKEN`, or the profile's own header).
    #[arg(long)]
    token: Option<String>,
    /// `demo` (a few users), `none`, or a JSON file `{"Users": [...], "Groups": [...]}`.
    #[arg(long, default_value = "none")]
    seed: Seed,
    /// Keep the store in FILE (a snapshot) and FILE.journal (one line per write since): loaded
    /// at start; a write is answered only once its journal line is on disk (fsync), and fails
    /// with 503, changing nothing, when it cannot be saved.
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
    /// Compact the journal into FILE once it is larger than FILE and than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_COMPACT_BYTES)]
    journal_compact_bytes: u64,
    /// Serve static files from DIR outside the base path (default: dist/playground if it exists).
    #[arg(long = "static", value_name = "DIR")]
    static_dir: Option<PathBuf>,
    /// Largest accepted request body, in bytes.
    #[arg(long, default_value_t = DEFAULT_MAX_BODY)]
    max_body: usize,
    /// The origin clients reach the server at (https://scim.example.com): Location and
    /// meta.location use it. Without it they use the request's Host, which must then be a
    /// valid host[:port] (else 400).
    #[arg(long, value_name = "URL")]
    public_url: Option<String>,
    /// Seconds a connection may take to send a request's headers, counted from its opening
    /// or the end of its previous response (so also how long an idle connection stays open).
    #[arg(long, value_name = "SECS", default_value_t = Limits::default().header_timeout.as_secs_f64())]
    header_timeout: f64,
    /// Seconds a request may take to send its body once the headers are in (408 after).
    #[arg(long, value_name = "SECS", default_value_t = Limits::default().body_timeout.as_secs_f64())]
    body_timeout: f64,
    /// Open connections at most; further clients wait until one closes.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_connections)]
    max_connections: usize,
    /// Counting ids (00000000-0000-4000-8000-000000000001, ...) and a clock that starts at
    /// 2026-01-01T00:00:00Z and moves one second per write: reproducible transcripts.
    #[arg(long)]
    deterministic: bool,
}

/// mimalloc instead of the system allocator: a PUT allocates and frees a few hundred small
/// blocks, often on different tokio worker threads, where glibc malloc is slow. Measured by
/// `cargo xtask bench-http` (docs/benchmarks.md).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: starting the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Cmd::Serve(args) => serve(args).await,
            Cmd::Ceiling { host, port } => ceiling(&host, port).await,
            Cmd::Learn(args) => scim_mock::remote::learn_cmd(args).await,
            Cmd::Replay(args) => scim_mock::remote::replay_cmd(args).await,
            Cmd::Relay(args) => scim_mock::relay::relay_cmd(args).await,
            Cmd::Compare(args) => compare_cmd::run(args),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .init();
}

fn load_profile(spec: &str) -> Result<Profile> {
    if let Some(p) = Profile::builtin(spec) {
        return Ok(p);
    }
    let path = Path::new(spec);
    if !path.exists() {
        let names: Vec<String> = Profile::builtins().into_iter().map(|p| p.name).collect();
        bail!("--profile {spec:?} is neither a built-in profile ({}) nor a file", names.join(", "));
    }
    let text = std::fs::read_to_string(path).with_context(|| format!("reading --profile {}", path.display()))?;
    Profile::from_json(&text).map_err(|e| anyhow::anyhow!("--profile {}: {e}", path.display()))
}

async fn bind(host: &str, port: u16) -> Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind((host, port)).await.with_context(|| format!("cannot listen on {host}:{port}"))
}

async fn serve(args: ServeArgs) -> Result<()> {
    let profile = load_profile(&args.profile)?;
    let static_dir = match args.static_dir {
        Some(dir) if !dir.is_dir() => bail!("--static {}: not a directory", dir.display()),
        Some(dir) => Some(dir),
        None => Some(PathBuf::from("dist/playground")).filter(|d| d.join("index.html").is_file()),
    };
    let secs = |flag: &str, s: f64| {
        Duration::try_from_secs_f64(s)
            .ok()
            .filter(|d| !d.is_zero())
            .with_context(|| format!("--{flag} {s}: give a positive number of seconds"))
    };
    let limits = Limits {
        header_timeout: secs("header-timeout", args.header_timeout)?,
        body_timeout: secs("body-timeout", args.body_timeout)?,
        max_connections: args.max_connections,
    };
    if limits.max_connections == 0 {
        bail!("--max-connections must be at least 1");
    }
    let config = Config {
        profile,
        token: args.token,
        seed: args.seed,
        state: args.state,
        static_dir,
        max_body: args.max_body,
        deterministic: args.deterministic,
        public_url: args.public_url,
        limits,
        compact_bytes: args.journal_compact_bytes,
    };
    let (app, startup) = App::new(config.clone())?;
    let listener = bind(&args.host, args.port).await?;
    let addr = listener.local_addr()?;
    banner(&config, &startup, addr);
    app.serve(listener, scim_mock::shutdown_signal()).await?;
    println!("scim-mock: stopped");
    Ok(())
}

fn banner(config: &Config, startup: &Startup, addr: SocketAddr) {
    let origin = format!("http://{addr}");
    let p = &config.profile;
    let base = format!("{origin}{}", p.base_path);
    println!("scim-mock: profile {} ({})", p.name, if p.title.is_empty() { "custom" } else { &p.title });
    println!("  SCIM base      {base}");
    for t in &p.resource_types {
        println!("  {:<14} {base}{}", t.name, t.endpoint);
    }
    match &config.static_dir {
        Some(dir) => println!("  playground     {origin}/  (files from {})", dir.display()),
        None => println!("  home page      {origin}/  (playground not built; see `cargo xtask serve`)"),
    }
    if config.token.is_some() {
        let scheme = match &p.auth {
            scim_core::Auth::RawHeader { header, .. } => format!("{header}: <--token>"),
            _ => "Authorization: Bearer <--token>".to_string(),
        };
        println!("  auth           {scheme} required");
    } else if !addr.ip().is_loopback() {
        println!(
            "  warning        listening on {} without --token: anyone who can reach it can read and write",
            addr.ip()
        );
    }
    if let Some(path) = &config.state {
        let how = if startup.state_loaded {
            format!("loaded, {} journal records replayed", startup.state.replayed)
        } else {
            "new".to_string()
        };
        println!("  state          {} ({how})", path.display());
        if startup.state.dropped_tail {
            println!("  state          dropped an incomplete last journal record (never acknowledged)");
        }
        if startup.state.cleaned > 0 {
            println!("  state          removed {} temp files of interrupted saves", startup.state.cleaned);
        }
    }
    if let Some(url) = &config.public_url {
        println!("  public URL     {url}");
    }
    if let Some(seed) = &startup.seed {
        if seed.created > 0 {
            println!("  seeded         {} resources", seed.created);
        }
        for f in &seed.refused {
            println!("  seed skipped   {f}");
        }
    }
    println!("Press Ctrl+C to stop.");
}

async fn ceiling(host: &str, port: u16) -> Result<()> {
    let listener = bind(host, port).await?;
    println!("scim-mock ceiling: empty 200 handler on http://{}/", listener.local_addr()?);
    scim_mock::serve_router(listener, scim_mock::ceiling_router(), Limits::default(), scim_mock::shutdown_signal())
        .await?;
    Ok(())
}
