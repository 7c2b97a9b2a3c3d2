//! `scim-mock learn` and `scim-mock replay`: the native drivers of [`scim_learn`]'s state
//! machines. They send each request the machine yields to `BASE` + its path over HTTP
//! (`http://` or `https://`: TLS by rustls, certificates checked against the Mozilla roots
//! webpki-roots carries), add `Authorization: Bearer TOKEN` when given
//! (the machines never see it, so no transcript or report holds it), and feed the answers
//! back.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use scim_core::{Request, Response};
use scim_learn::{Learned, Learner, ReplayReport, Replayer, Scenario};

/// `scim-mock learn`.
#[derive(Debug, clap::Args)]
pub struct LearnArgs {
    /// The server's SCIM base URL (http://localhost:8000/scim/v2).
    #[arg(long)]
    pub url: Option<String>,
    /// Sent as `Authorization: Bearer TOKEN`.
    #[arg(long)]
    pub token: Option<String>,
    /// List every request the battery sends (run against the rfc reference in memory) and
    /// the probes, without sending anything.
    #[arg(long)]
    pub dry_run: bool,
    /// The learned profile's name.
    #[arg(long, default_value = "my-server")]
    pub name: String,
    /// Also write the whole run (decisions, undecided knobs, every exchange) as JSON here.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Also write every exchange as a HAR 1.2 log here (Authorization values redacted).
    #[arg(long, value_name = "FILE")]
    pub har: Option<PathBuf>,
}

/// `scim-mock replay`.
#[derive(Debug, clap::Args)]
pub struct ReplayArgs {
    /// A scenario JSON file (tests/scenarios/*.json).
    pub scenario: PathBuf,
    /// The server's SCIM base URL.
    #[arg(long)]
    pub url: String,
    /// Sent as `Authorization: Bearer TOKEN`.
    #[arg(long)]
    pub token: Option<String>,
    /// Also write the report (every step with what was sent and received) as JSON here.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Also write every exchange as a HAR 1.2 log here (Authorization values redacted).
    #[arg(long, value_name = "FILE")]
    pub har: Option<PathBuf>,
}

/// When a run started (milliseconds since the epoch) and how long each request took.
#[derive(Debug, Clone, Default)]
pub struct Timings {
    pub started_ms: u64,
    pub times_ms: Vec<u64>,
}

impl Timings {
    fn start() -> Timings {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        Timings { started_ms: u64::try_from(now.as_millis()).unwrap_or(0), times_ms: Vec::new() }
    }

    /// Sends `req` and records how long the answer took.
    fn send(&mut self, agent: &ureq::Agent, base: &str, token: Option<&str>, req: &Request) -> Response {
        let t = std::time::Instant::now();
        let resp = send(agent, base, token, req);
        self.times_ms.push(u64::try_from(t.elapsed().as_millis()).unwrap_or(u64::MAX));
        resp
    }
}

/// The exchanges of a run as a HAR 1.2 document, `creator` scim-mock.
pub fn har_text(exchanges: &[scim_learn::Exchange], base: &str, timings: &Timings) -> Result<String> {
    let started = scim_learn::rfc3339(timings.started_ms);
    let cx = scim_learn::HarContext {
        base_url: base,
        creator: ("scim-mock", env!("CARGO_PKG_VERSION")),
        started: &started,
        times_ms: &timings.times_ms,
    };
    Ok(serde_json::to_string_pretty(&scim_learn::har(exchanges, &cx))?)
}

fn write_har(path: &std::path::Path, exchanges: &[scim_learn::Exchange], base: &str, timings: &Timings) -> Result<()> {
    std::fs::write(path, har_text(exchanges, base, timings)?)
        .with_context(|| format!("writing --har {}", path.display()))
}

/// A blocking HTTP/1.1 client: no proxies, no redirects, statuses are data.
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .allow_non_standard_methods(true)
        .max_redirects(0)
        .proxy(None)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .new_agent()
}

/// Sends `req` to `base` + its path; a transport failure becomes
/// [`scim_learn::transport_error`].
pub fn send(agent: &ureq::Agent, base: &str, token: Option<&str>, req: &Request) -> Response {
    let url = format!("{}{}", base.trim_end_matches('/'), req.path);
    let mut b = ureq::http::Request::builder().method(req.method.as_str()).uri(url.as_str());
    for (n, v) in &req.headers {
        b = b.header(n.as_str(), v.as_str());
    }
    if let Some(t) = token {
        b = b.header("Authorization", format!("Bearer {t}"));
    }
    let built = match b.body(req.body.clone()) {
        Ok(r) => r,
        Err(e) => return scim_learn::transport_error(&format!("{} {url}: {e}", req.method)),
    };
    let mut resp = match agent.run(built) {
        Ok(r) => r,
        Err(e) => return scim_learn::transport_error(&format!("{} {url}: {}", req.method, describe(&e, &url))),
    };
    let status = resp.status().as_u16();
    let headers = resp
        .headers()
        .iter()
        .map(|(n, v)| (n.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
        .collect();
    let body = resp.body_mut().read_to_string().unwrap_or_default();
    Response { status, headers, body, ..Response::default() }
}

/// A transport error as a sentence; a TLS failure says what usually causes it.
pub fn describe(e: &ureq::Error, url: &str) -> String {
    let tls = matches!(e, ureq::Error::Tls(_) | ureq::Error::Rustls(_))
        || (url.starts_with("https://")
            && matches!(e, ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::InvalidData));
    if tls {
        format!(
            "the TLS handshake failed ({e}): the server may speak plain http (use http://), or its certificate is not one a public authority signed (self-signed and private CAs are not trusted)"
        )
    } else {
        e.to_string()
    }
}

fn check_base(url: &str) -> Result<()> {
    if !url.starts_with("http://") && !url.starts_with("https://") {
        bail!(
            "--url {url}: give the SCIM base URL, such as http://localhost:8000/scim/v2 or https://example.com/scim/v2"
        );
    }
    Ok(())
}

/// A short nonce for throw-away names: the clock's nanoseconds in base 36.
pub fn nonce() -> String {
    let mut n = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let mut s = String::new();
    while n > 0 && s.len() < 8 {
        let d = u32::try_from(n % 36).unwrap_or(0);
        s.push(char::from_digit(d, 36).unwrap_or('0'));
        n /= 36;
    }
    s
}

/// Runs the battery against `base`.
pub fn learn(base: &str, token: Option<&str>, name: &str, nonce: &str) -> Learned {
    learn_timed(base, token, name, nonce).0
}

/// Runs the battery against `base`, timing each request.
pub fn learn_timed(base: &str, token: Option<&str>, name: &str, nonce: &str) -> (Learned, Timings) {
    let agent = agent();
    let mut timings = Timings::start();
    let mut learner = Learner::new(nonce, name);
    while let Some(req) = learner.next_request() {
        let resp = timings.send(&agent, base, token, &req);
        tracing::debug!("learn {} {} → {}", req.method, req.path, resp.status);
        learner.feed(resp);
    }
    let mut learned = learner.result().cloned().unwrap_or_else(|| Learned {
        profile: serde_json::Value::Null,
        decided: vec![],
        undecided: vec![],
        exchanges: vec![],
        leftovers: vec![],
    });
    // The base path is the one the server was reached at, so `serve --profile` of the
    // learned file answers at the same path.
    let path = base.split_once("://").and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..])).unwrap_or("");
    let path = path.trim_end_matches('/');
    if let serde_json::Value::Object(o) = &mut learned.profile {
        o.insert("basePath".into(), serde_json::json!(path));
        if let Some(serde_json::Value::Object(src)) = o.get_mut("knobSources") {
            src.insert(
                "basePath".into(),
                serde_json::json!({"basis": "inferred", "url": base, "quote": "the base URL the server was learned at"}),
            );
        }
    }
    learned.undecided.retain(|u| u.knob != "basePath");
    (learned, timings)
}

/// Replays `scenario` against `base`.
pub fn replay(scenario: Scenario, base: &str, token: Option<&str>, run: &str) -> Option<ReplayReport> {
    replay_timed(scenario, base, token, run).0
}

/// Replays `scenario` against `base`, timing each request.
pub fn replay_timed(scenario: Scenario, base: &str, token: Option<&str>, run: &str) -> (Option<ReplayReport>, Timings) {
    let agent = agent();
    let mut timings = Timings::start();
    let mut r = Replayer::new(scenario, run);
    while let Some(req) = r.next_request() {
        let resp = timings.send(&agent, base, token, &req);
        r.feed(resp);
    }
    (r.result().cloned(), timings)
}

/// `scim-mock learn`: the profile on stdout, the summary on stderr.
pub async fn learn_cmd(args: LearnArgs) -> Result<()> {
    if args.dry_run {
        println!("The probe battery (no request is sent in a dry run):");
        for p in scim_learn::battery() {
            println!(
                "  {:<14} decides {}",
                p.name,
                if p.decides.is_empty() { "-".into() } else { p.decides.join(", ") }
            );
            println!("  {:<14} {}", "", p.sequence);
        }
        println!("\nEvery request, as sent to a server that takes them all (the rfc reference in memory):");
        for (i, e) in scim_learn::dry_run("NONCE").iter().enumerate() {
            println!("{:>3}. [{}] {} {} {}", i + 1, e.probe, e.request.method, e.request.path, e.request.body);
        }
        return Ok(());
    }
    let Some(url) = args.url.clone() else { bail!("--url BASE is required (or --dry-run)") };
    check_base(&url)?;
    let n = nonce();
    let (name, token) = (args.name.clone(), args.token.clone());
    let base = url.clone();
    let (learned, timings) =
        tokio::task::spawn_blocking(move || learn_timed(&url, token.as_deref(), &name, &n)).await?;
    if let Some(path) = &args.report {
        let text = serde_json::to_string_pretty(&learned)?;
        std::fs::write(path, text).with_context(|| format!("writing --report {}", path.display()))?;
    }
    if let Some(path) = &args.har {
        write_har(path, &learned.exchanges, &base, &timings)?;
    }
    let text = serde_json::to_string_pretty(&learned.profile)?;
    scim_core::Profile::from_json(&text).map_err(|e| anyhow::anyhow!("the learned profile does not load: {e}"))?;
    println!("{text}");
    eprintln!("learned {} knobs from {} requests:", learned.decided.len(), learned.exchanges.len());
    for d in &learned.decided {
        eprintln!("  {:<40} {:<24} {}", d.knob, d.value.to_string(), d.reason);
    }
    eprintln!("not decided (left at the rfc profile's values):");
    for u in learned.undecided.iter().filter(|u| scim_learn::DECIDABLE.contains(&u.knob.as_str())) {
        eprintln!("  {:<40} {}", u.knob, u.reason);
    }
    let other = learned.undecided.iter().filter(|u| !scim_learn::DECIDABLE.contains(&u.knob.as_str())).count();
    eprintln!("  and {other} knobs the battery does not probe (limits, filter attributes, ...)");
    for l in &learned.leftovers {
        eprintln!("left behind: {l}");
    }
    Ok(())
}

/// Prints a replay report, one block per step.
pub fn print_report(report: &ReplayReport) {
    println!("scenario {} ({})", report.scenario, report.client);
    for (i, s) in report.steps.iter().enumerate() {
        let sent = s.sent.as_ref().map(|r| format!("{} {}", r.method, r.path)).unwrap_or_default();
        let got = s.received.as_ref().map(|r| r.status.to_string()).unwrap_or_else(|| "-".into());
        let tag = if s.cleanup { " (cleanup)" } else { "" };
        println!("{:>2}. {:<8} {}{tag}", i + 1, s.outcome.to_uppercase(), s.name);
        if !sent.is_empty() {
            println!("    sent     {sent}");
            println!("    received {got}");
        }
        for p in &s.problems {
            println!("    problem  {p}");
        }
        if !s.conclusion.is_empty() {
            println!("    client   {}", s.conclusion);
        }
    }
    println!("{}", if report.passed { "PASSED" } else { "BROKEN" });
}

/// `scim-mock replay`: the report on stdout; fails when a step breaks.
pub async fn replay_cmd(args: ReplayArgs) -> Result<()> {
    check_base(&args.url)?;
    let text = std::fs::read_to_string(&args.scenario)
        .with_context(|| format!("reading scenario {}", args.scenario.display()))?;
    // Checked against the scenario JSON Schema, as the playground checks a loaded file.
    let scenario = scim_learn::check_scenario(&text)
        .map_err(|problems| anyhow::anyhow!("scenario {}: {}", args.scenario.display(), problems.join("; ")))?;
    let (url, token, n) = (args.url.clone(), args.token.clone(), nonce());
    let (report, timings) =
        tokio::task::spawn_blocking(move || replay_timed(scenario, &url, token.as_deref(), &n)).await?;
    let report = report.context("the replay did not finish")?;
    print_report(&report);
    if let Some(path) = &args.report {
        std::fs::write(path, serde_json::to_string_pretty(&report)?)
            .with_context(|| format!("writing --report {}", path.display()))?;
    }
    if let Some(path) = &args.har {
        write_har(path, &report.exchanges, &args.url, &timings)?;
    }
    if !report.passed {
        bail!("scenario {}: a step broke", report.scenario);
    }
    Ok(())
}
