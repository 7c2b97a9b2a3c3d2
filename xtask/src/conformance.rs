//! `cargo xtask conformance` and the `conformance` test stage: third-party SCIM testers
//! against scim-mock over real HTTP.
//!
//! Two tools from PyPI, pinned, installed into a project-local `.venv`:
//! - `scim2-cli` (`scim2 --url BASE test`, which runs scim2-tester);
//! - `scim-sanity` (`scim-sanity probe BASE --i-accept-side-effects --json-output`).
//!
//! Both run against every built-in profile (or the `--profile`s given): a fresh scim-mock per
//! profile and tool, at the profile's own base path (`{param}` segments filled from
//! `basePathDefaults`), with the credential its auth scheme needs; [`DEFAULT_JOBS`] runs at
//! once, each server on its own port. scim2-tester fills attributes with random values, so it
//! runs with Python's `random` seeded, which makes its outcome repeatable.
//!
//! What each tool reports per profile is recorded in `tests/conformance/expected-{tool}.txt`
//! (format at [`parse_expected`]): the number of checks passed, failed and skipped, and the
//! failing checks grouped under their cause (an RFC section, the profile knob behind them, or
//! `tool:` for a limit of the tool), not the tool's symptom. The failures only shrink: a new
//! failure, a listed check that passes now or is no longer reported, and a different count
//! (a run stopped half-way) fail the stage. `--record` rewrites the files from the current
//! outcome, keeping the causes of checks still failing (for after a merge that makes checks
//! pass; review the diff); a new failure has an empty `cause:` until someone writes one, and
//! fails the stage until then. `cargo xtask profiles-doc` turns the files into the matrix in
//! `docs/profiles.md`.
//!
//! A run the stage cannot trust fails it too: a tool that crashed (a Python traceback),
//! printed a status word this parser does not know, reported no checks or a summary that
//! does not match its results, or exited with a code its own report does not explain; unless
//! `no report` is recorded for that profile, with its cause.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::sleep;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::util::{cargo, describe, run};

/// The testers, pinned so that a new upstream release cannot change the outcome silently.
pub const SCIM2_CLI: &str = "scim2-cli==0.6.0";
pub const SCIM_SANITY: &str = "scim-sanity==0.7.4";
/// The Python reference server the HTTP benchmark compares against.
pub const SCIM2_SERVER: &str = "scim2-server==0.8.3";

/// How long one tool may run before it is killed and the stage fails.
const TOOL_TIMEOUT: Duration = Duration::from_secs(300);

/// The project-local virtualenv with `pins` installed (idempotent: a marker file in the venv
/// lists what was installed).
pub fn ensure_venv(root: &Path, pins: &[&str]) -> Result<PathBuf> {
    let venv = root.join(".venv");
    let bin = venv.join("bin");
    if !bin.join("python").exists() {
        let python = ["python3", "python"]
            .into_iter()
            .find(|p| crate::util::probe(p, ["--version"]).is_some())
            .context("no python3 on PATH; install python3 and python3-venv")?;
        run(Command::new(python).args(["-m", "venv"]).arg(&venv).current_dir(root))
            .context("creating .venv (on Debian: apt-get install python3-venv)")?;
    }
    let marker = venv.join("scim-playground-pins.txt");
    let have: BTreeSet<String> = fs::read_to_string(&marker).unwrap_or_default().lines().map(str::to_owned).collect();
    let missing: Vec<&str> = pins.iter().copied().filter(|p| !have.contains(*p)).collect();
    if !missing.is_empty() {
        run(Command::new(bin.join("pip"))
            .args(["install", "--disable-pip-version-check", "--quiet"])
            .args(&missing)
            .current_dir(root))?;
        let all: BTreeSet<String> = have.into_iter().chain(missing.iter().map(|s| (*s).to_owned())).collect();
        fs::write(&marker, all.into_iter().collect::<Vec<_>>().join("\n") + "\n")?;
    }
    Ok(bin)
}

/// The cargo target directory.
pub fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from)
}

/// A free loopback port (bound, read, released).
pub fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// A child process that is killed when dropped, so a failing stage never leaves a server
/// running.
#[derive(Debug)]
pub struct Guard {
    pub name: String,
    pub child: Child,
    pub log: PathBuf,
}

impl Guard {
    /// Starts `cmd` with output to `log`, then waits until `port` accepts connections.
    pub fn start(name: &str, cmd: &mut Command, port: u16, log: &Path) -> Result<Guard> {
        let file = fs::File::create(log).with_context(|| format!("creating {}", log.display()))?;
        eprintln!("$ {}  (log: {})", describe(cmd), log.display());
        let child = cmd
            .stdin(Stdio::null())
            .stdout(file.try_clone()?)
            .stderr(file)
            .spawn()
            .with_context(|| format!("starting {name}"))?;
        let mut guard = Guard { name: name.to_owned(), child, log: log.to_path_buf() };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Ok(guard);
            }
            if let Some(status) = guard.child.try_wait()? {
                bail!("{name} exited before listening ({status}):\n{}", tail(log, 20));
            }
            if Instant::now() > deadline {
                bail!("{name} did not listen on port {port} within 30 s:\n{}", tail(log, 20));
            }
            sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        eprintln!("stopped {} (log: {})", self.name, self.log.display());
    }
}

/// The last `n` lines of a file.
pub fn tail(path: &Path, n: usize) -> String {
    let text = fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// Runs `cmd` with stdout and stderr in files, killing it after `timeout`.
pub fn run_with_timeout(cmd: &mut Command, timeout: Duration, out: &Path, err: &Path) -> Result<ExitStatus> {
    eprintln!("$ {}", describe(cmd));
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(fs::File::create(out)?)
        .stderr(fs::File::create(err)?)
        .spawn()
        .with_context(|| format!("starting `{}`", describe(cmd)))?;
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(status);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            bail!("`{}` did not finish within {} s (killed)", describe(cmd), timeout.as_secs());
        }
        sleep(Duration::from_millis(200));
    }
}

/// One check's outcome as a tool reported it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub name: String,
    pub outcome: Outcome,
    /// The tool's own status word (`SUCCESS`, `DEVIATION`, `pass`, `warn`, ...).
    pub status: String,
    /// The tool's reason, first line.
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Pass,
    Fail,
    Skip,
}

/// What one finished run of a tool left behind.
#[derive(Debug, Clone, Default)]
pub struct ToolRun {
    /// The exit code; `None` when a signal ended the process.
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl ToolRun {
    fn from_files(status: ExitStatus, out: &Path, err: &Path) -> Result<ToolRun> {
        Ok(ToolRun {
            code: status.code(),
            stdout: fs::read_to_string(out).with_context(|| format!("reading {}", out.display()))?,
            stderr: fs::read_to_string(err).with_context(|| format!("reading {}", err.display()))?,
        })
    }

    /// Fails on a Python traceback: the tool crashed, whatever it printed before.
    fn not_crashed(&self, tool: &str) -> Result<()> {
        if let Some(at) = self.stderr.find("Traceback (most recent call last)") {
            let lines: Vec<&str> = self.stderr[at..].lines().collect();
            bail!("{tool} crashed:\n{}", lines[lines.len().saturating_sub(12)..].join("\n"));
        }
        Ok(())
    }

    /// Fails unless the tool exited with the code its own report implies.
    fn exited(&self, tool: &str, expected: i32, why: &str) -> Result<()> {
        match self.code {
            Some(code) if code == expected => Ok(()),
            Some(code) => bail!(
                "{tool} exited {code}, but its report implies {expected} ({why}); a crash or a changed tool?\n{}",
                last_lines(&self.stderr, 10)
            ),
            None => bail!("{tool} was killed by a signal\n{}", last_lines(&self.stderr, 10)),
        }
    }
}

fn last_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// The banner `scim2 test` prints before its results.
const SCIM2_BANNER: &str = "Performing a SCIM compliance check";

/// Parses `scim2 test` output: a banner, then `STATUS title` lines, each followed by
/// indented reason lines (a multi-line reason continues unindented). `SUCCESS`, `COMPLIANT`
/// and `ACCEPTABLE` pass; `SKIPPED` skips; `DEVIATION`, `ERROR` and `CRITICAL` fail. Any
/// other upper-case word where a status stands is an error, not a line to skip: a new
/// status in a new tool version must be classified by a person. No banner or no checks (the
/// tool could not read the discovery endpoints, or crashed first) is an error too.
pub fn parse_scim2(stdout: &str) -> Result<Vec<Check>> {
    let mut checks: Vec<Check> = Vec::new();
    let mut started = false;
    for line in stdout.lines().map(strip_ansi) {
        if !started {
            started = line.starts_with(SCIM2_BANNER);
            continue;
        }
        if let Some(reason) = line.strip_prefix("  ") {
            if let Some(last) = checks.last_mut().filter(|c| c.reason.is_empty()) {
                last.reason = reason.trim().to_owned();
            }
            continue;
        }
        let (word, title) = line.split_once(' ').unwrap_or((line.as_str(), ""));
        let status_like = word.len() >= 2 && word.bytes().all(|b| b.is_ascii_uppercase() || b == b'_');
        if !status_like {
            // A reason's further lines (`Patched value: ...`), or a blank line.
            if checks.is_empty() && !line.trim().is_empty() {
                bail!("scim2 printed {line:?} before any check");
            }
            continue;
        }
        let outcome = match word {
            "SUCCESS" | "COMPLIANT" | "ACCEPTABLE" => Outcome::Pass,
            "SKIPPED" => Outcome::Skip,
            "DEVIATION" | "ERROR" | "CRITICAL" => Outcome::Fail,
            _ => bail!("scim2 printed an unknown status word `{word}` (line {line:?}); classify it in parse_scim2"),
        };
        if title.trim().is_empty() {
            bail!("scim2 printed status `{word}` without a check name");
        }
        checks.push(Check { name: title.trim().to_owned(), outcome, status: word.to_owned(), reason: String::new() });
    }
    if !started {
        bail!("scim2 never printed its banner ({SCIM2_BANNER:?}): it did not get to run the checks");
    }
    if checks.is_empty() {
        bail!("scim2 reported no checks");
    }
    Ok(checks)
}

/// The checks of one `scim2 test` run, if the run can be trusted: no crash, a complete
/// report, and the exit code that report implies (`scim2 test` exits 0 only when every
/// check is `SUCCESS`, 1 otherwise).
pub fn scim2_checks(run: &ToolRun) -> Result<Vec<Check>> {
    run.not_crashed("scim2")?;
    let checks = parse_scim2(&run.stdout).with_context(|| last_lines(&run.stderr, 10))?;
    let not_success = checks.iter().filter(|c| c.status != "SUCCESS").count();
    let expected = i32::from(not_success > 0);
    run.exited("scim2", expected, &format!("{not_success} of {} checks not SUCCESS", checks.len()))?;
    Ok(checks)
}

/// Parses `scim-sanity probe --json-output`: `results[]` with `name`, `status`
/// (`pass`/`warn`/`skip`/`fail`/`error`) and `message`, and a `summary` of counts. Warnings
/// pass (the tool's own exit code does not count them). An unknown status, a result without
/// a name, or a summary that does not match the results (a report cut short) is an error.
pub fn parse_sanity(stdout: &str) -> Result<Vec<Check>> {
    let start = stdout.find('{').context("scim-sanity printed no JSON")?;
    let v: serde_json::Value = serde_json::from_str(&stdout[start..]).context("parsing scim-sanity JSON output")?;
    let results = v["results"].as_array().context("scim-sanity JSON has no results array")?;
    let mut checks = Vec::with_capacity(results.len());
    for r in results {
        let name =
            r["name"].as_str().filter(|n| !n.is_empty()).with_context(|| format!("a result without a name: {r}"))?;
        let status = r["status"].as_str().unwrap_or_default();
        let outcome = match status {
            "pass" | "warn" => Outcome::Pass,
            "skip" => Outcome::Skip,
            "fail" | "error" => Outcome::Fail,
            _ => bail!(
                "scim-sanity reported an unknown status word `{status}` for `{name}`; classify it in parse_sanity"
            ),
        };
        checks.push(Check {
            name: without_uuids(name),
            outcome,
            status: status.to_owned(),
            reason: r["message"].as_str().unwrap_or_default().lines().next().unwrap_or_default().to_owned(),
        });
    }
    if checks.is_empty() {
        bail!("scim-sanity reported no checks");
    }
    let summary = &v["summary"];
    let count = |status: &str| checks.iter().filter(|c| c.status == status).count() as u64;
    for (key, n) in [
        ("total", checks.len() as u64),
        ("passed", count("pass")),
        ("warnings", count("warn")),
        ("skipped", count("skip")),
        ("failed", count("fail")),
        ("errors", count("error")),
    ] {
        if summary[key].as_u64() != Some(n) {
            bail!("scim-sanity's summary says {key} = {}, its results hold {n} (a report cut short?)", summary[key]);
        }
    }
    Ok(checks)
}

/// The checks of one `scim-sanity probe` run, if the run can be trusted: no crash, a
/// complete report, and the exit code that report implies (1 when a check failed or
/// errored, else 0).
pub fn sanity_checks(run: &ToolRun) -> Result<Vec<Check>> {
    run.not_crashed("scim-sanity")?;
    let checks = parse_sanity(&run.stdout).with_context(|| last_lines(&run.stderr, 10))?;
    let failed = checks.iter().filter(|c| c.outcome == Outcome::Fail).count();
    run.exited("scim-sanity", i32::from(failed > 0), &format!("{failed} checks failed or errored"))?;
    Ok(checks)
}

/// A check name with each UUID replaced by `{uuid}` (scim-sanity names some checks after the
/// id of the resource they touch, which is new every run).
pub fn without_uuids(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    while !rest.is_empty() {
        let candidate = rest.get(..36).filter(|c| {
            c.char_indices()
                .all(|(i, ch)| if [8, 13, 18, 23].contains(&i) { ch == '-' } else { ch.is_ascii_hexdigit() })
        });
        match candidate {
            Some(_) => {
                out.push_str("{uuid}");
                rest = &rest[36..];
            }
            None => {
                let mut chars = rest.chars();
                if let Some(ch) = chars.next() {
                    out.push(ch);
                }
                rest = chars.as_str();
            }
        }
    }
    out
}

fn strip_ansi(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Per check name: failed if any instance failed, passed if every run instance passed.
pub fn fold(checks: &[Check]) -> (BTreeSet<String>, BTreeSet<String>) {
    let failed: BTreeSet<String> =
        checks.iter().filter(|c| c.outcome == Outcome::Fail).map(|c| c.name.clone()).collect();
    let passed: BTreeSet<String> = checks
        .iter()
        .filter(|c| c.outcome == Outcome::Pass && !failed.contains(&c.name))
        .map(|c| c.name.clone())
        .collect();
    (failed, passed)
}

/// Check instances passed, failed and skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
}

impl Counts {
    pub fn of(checks: &[Check]) -> Counts {
        let n = |o: Outcome| checks.iter().filter(|c| c.outcome == o).count();
        Counts { passed: n(Outcome::Pass), failed: n(Outcome::Fail), skipped: n(Outcome::Skip) }
    }

    pub fn total(&self) -> usize {
        self.passed + self.failed + self.skipped
    }
}

impl std::fmt::Display for Counts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} checks, {} passed, {} failed, {} skipped", self.total(), self.passed, self.failed, self.skipped)
    }
}

/// Failing checks: check name to its cause.
pub type Known = BTreeMap<String, String>;

/// What one tool is expected to give against one profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expect {
    /// A complete report with these counts; `known` are the checks that fail, with causes.
    Report { counts: Counts, known: Known },
    /// No trustworthy report (the tool cannot get through this profile), for this cause.
    NoReport { cause: String },
}

/// One tool's expectations, by profile name.
pub type Expectations = BTreeMap<String, Expect>;

/// The tools the stage runs, by the names their files carry.
pub const TOOLS: [&str; 2] = ["scim2", "scim-sanity"];

/// `tests/conformance/expected-{tool}.txt`, relative to the repository root.
pub fn expected_path(root: &Path, tool: &str) -> PathBuf {
    root.join("tests/conformance").join(format!("expected-{tool}.txt"))
}

/// Whether a cause names what it must: an RFC section, a profile knob (as
/// [`scim_core::Profile::knobs`] names them), or, with `tool:`, a defect or limit of the tool.
fn cause_is_named(cause: &str) -> bool {
    ["RFC ", "behaviour.", "resourceTypes.", "idStyle", "media.", "auth", "basePath", "tool:"]
        .iter()
        .any(|k| cause.contains(k))
}

/// Parses an expectations file. Per profile, a header line
/// `== NAME: N checks, P passed, F failed, S skipped` (or `== NAME: no report`), then the
/// failing checks grouped by cause: a line `cause: TEXT` (an RFC section, a knob such as
/// `resourceTypes.Group.methods`, or `tool: ...`), then one indented check name a line. A
/// `no report` profile has one `cause:` line and no checks. Lines starting with `#` are
/// comments. With `strict` false, a malformed file still yields what it can (for `--record`,
/// which must not lose causes).
pub fn parse_expected(text: &str, strict: bool) -> Result<Expectations> {
    let mut all = Expectations::new();
    let mut profile: Option<String> = None;
    let mut cause: Option<String> = None;
    for (i, raw) in text.lines().enumerate().map(|(i, l)| (i + 1, l)) {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fail = |msg: String| -> Result<()> { if strict { bail!("line {i}: {msg}") } else { Ok(()) } };
        if let Some(head) = line.strip_prefix("== ") {
            let (name, rest) = head.split_once(':').unwrap_or((head, ""));
            let name = name.trim().to_owned();
            let expect = if rest.trim() == "no report" {
                Expect::NoReport { cause: String::new() }
            } else {
                let nums: Vec<usize> =
                    rest.split(',').filter_map(|part| part.split_whitespace().next()?.parse().ok()).collect();
                match nums[..] {
                    [total, passed, failed, skipped] if total == passed + failed + skipped => {
                        Expect::Report { counts: Counts { passed, failed, skipped }, known: Known::new() }
                    }
                    _ => {
                        fail(format!(
                            "`{line}`: want `== NAME: N checks, P passed, F failed, S skipped` (N = P + F + S) or `== NAME: no report`"
                        ))?;
                        Expect::Report { counts: Counts::default(), known: Known::new() }
                    }
                }
            };
            if all.insert(name.clone(), expect).is_some() {
                fail(format!("profile `{name}` is listed twice"))?;
            }
            profile = Some(name);
            cause = None;
            continue;
        }
        let Some(p) = profile.as_ref() else {
            fail(format!("`{line}` comes before any `== PROFILE: ...` line"))?;
            continue;
        };
        if let Some(c) = line.strip_prefix("cause:") {
            let c = c.trim().to_owned();
            if c.is_empty() {
                fail("a `cause:` without its cause; write why scim-mock fails these checks".into())?;
            } else if !cause_is_named(&c) {
                fail(format!("the cause names no RFC section, no knob and no `tool:` limit: {c:?}"))?;
            }
            if let Some(Expect::NoReport { cause: nc }) = all.get_mut(p) {
                *nc = c.clone();
            }
            cause = Some(c);
            continue;
        }
        let Some(c) = cause.clone() else {
            fail(format!("`{line}` has no cause; put it under a `cause: ...` line"))?;
            continue;
        };
        match all.get_mut(p) {
            Some(Expect::Report { known, .. }) => {
                if known.insert(line.to_owned(), c).is_some() {
                    fail(format!("`{line}` is listed twice for {p}"))?;
                }
            }
            _ => fail(format!("`{line}`: profile {p} has no report, so no checks"))?,
        }
    }
    if strict {
        for (p, e) in &all {
            match e {
                Expect::NoReport { cause } if cause.is_empty() => bail!("{p}: `no report` without a `cause:` line"),
                Expect::Report { counts, known } if counts.failed < known.len() => {
                    bail!("{p}: {} failing checks listed, but the header counts {} failed", known.len(), counts.failed)
                }
                _ => {}
            }
        }
    }
    Ok(all)
}

/// Reads one tool's expectations (strictly); a missing file is empty.
pub fn read_expected(root: &Path, tool: &str) -> Result<Expectations> {
    let path = expected_path(root, tool);
    let text = match fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    parse_expected(&text, true).with_context(|| path.display().to_string())
}

/// What one run of a tool against a profile gave.
#[derive(Debug, Clone)]
pub enum Got {
    Report(Vec<Check>),
    NoReport(String),
}

/// Problems of one profile's run against what is expected: a new failure, a listed check that
/// passes now or is no longer reported, a different number of checks (a run cut short), a
/// report where none was expected or none where one was.
pub fn compare(tool: &str, profile: &str, got: &Got, expect: Option<&Expect>) -> Vec<String> {
    let at = format!("{tool} on {profile}");
    let record = "rerun with `cargo xtask conformance --record` and review the diff";
    let Some(expect) = expect else {
        return vec![format!("{at}: nothing recorded in expected-{tool}.txt; {record}")];
    };
    let (checks, counts, known) = match (got, expect) {
        (Got::NoReport(_), Expect::NoReport { .. }) => return Vec::new(),
        (Got::NoReport(e), Expect::Report { .. }) => return vec![format!("{at}: no trustworthy report: {e}")],
        (Got::Report(_), Expect::NoReport { .. }) => {
            return vec![format!("{at}: reports now, where `no report` is recorded; {record}")];
        }
        (Got::Report(checks), Expect::Report { counts, known }) => (checks, counts, known),
    };
    let mut problems = Vec::new();
    let now = Counts::of(checks);
    if now.total() != counts.total() {
        problems.push(format!(
            "{at}: {} checks reported, {} expected (a run stopped half-way, or a changed tool): {now}",
            now.total(),
            counts.total()
        ));
    } else if now != *counts {
        problems.push(format!("{at}: {now}, where {counts} is recorded; {record}"));
    }
    let (failed, passed) = fold(checks);
    for name in failed.iter().filter(|n| !known.contains_key(*n)) {
        let reason = checks.iter().find(|c| &c.name == name && c.outcome == Outcome::Fail).map(|c| c.reason.as_str());
        problems.push(format!("{at}: new failure `{name}`: {}", reason.unwrap_or_default()));
    }
    for name in known.keys().filter(|n| !failed.contains(*n)) {
        if passed.contains(name) {
            problems
                .push(format!("{at}: `{name}` passes now; remove it from expected-{tool}.txt (failures only shrink)"));
        } else {
            problems.push(format!("{at}: `{name}` is listed in expected-{tool}.txt but was not reported"));
        }
    }
    problems
}

/// One profile's section as `--record` writes it: failing checks grouped by the causes already
/// written for them (per profile); a new failure goes under an empty `cause:`, which the next
/// read rejects until someone writes it. Returns the text and how many causes are missing.
pub fn render_profile(profile: &str, got: &Got, old: Option<&Expect>) -> (String, usize) {
    let mut text = String::new();
    let checks = match got {
        Got::NoReport(e) => {
            let cause = match old {
                Some(Expect::NoReport { cause }) => cause.clone(),
                _ => String::new(),
            };
            let _ = writeln!(text, "== {profile}: no report");
            let _ = writeln!(
                text,
                "# symptom: {}",
                e.lines().next().unwrap_or_default().chars().take(300).collect::<String>()
            );
            let _ = writeln!(text, "cause: {cause}");
            return (text, usize::from(cause.is_empty()));
        }
        Got::Report(checks) => checks,
    };
    let _ = writeln!(text, "== {profile}: {}", Counts::of(checks));
    let (failed, _) = fold(checks);
    let old_known = match old {
        Some(Expect::Report { known, .. }) => known.clone(),
        _ => Known::new(),
    };
    let mut by_cause: BTreeMap<String, Vec<&String>> = BTreeMap::new();
    for name in &failed {
        by_cause.entry(old_known.get(name).cloned().unwrap_or_default()).or_default().push(name);
    }
    let mut uncaused = 0;
    for (cause, names) in &by_cause {
        uncaused += usize::from(cause.is_empty());
        let _ = writeln!(text, "cause: {cause}");
        for name in names {
            let reason =
                checks.iter().find(|c| &c.name == *name && c.outcome == Outcome::Fail).map(|c| c.reason.as_str());
            if let Some(r) = reason.filter(|r| !r.is_empty()) {
                let _ = writeln!(text, "  # symptom: {}", r.chars().take(200).collect::<String>());
            }
            let _ = writeln!(text, "  {name}");
        }
    }
    (text, uncaused)
}

fn write_expected(root: &Path, tool: &str, runs: &BTreeMap<String, Got>) -> Result<()> {
    let path = expected_path(root, tool);
    // A file that no longer parses still gives its causes.
    let old = parse_expected(&fs::read_to_string(&path).unwrap_or_default(), false)?;
    let mut text = format!(
        "# What `{tool}` reports against scim-mock, per built-in profile (each at its own base path,\n\
         # with the credential its auth scheme needs). `cargo xtask test --stage conformance` fails\n\
         # on a different number of checks, a new failure, a listed failure that passes now (the\n\
         # lists only shrink), and a run without a trustworthy report unless `no report` is recorded.\n\
         # Failing checks are grouped by cause: an RFC section, the profile knob that makes scim-mock\n\
         # fail them (as docs/profiles.md names knobs), or `tool:` for a defect or limit of the tool.\n\
         # Rewrite with `cargo xtask conformance --record` (causes of checks still failing are kept).\n"
    );
    let mut uncaused = 0;
    let names: BTreeSet<&String> = runs.keys().chain(old.keys()).collect();
    for name in profile_order(names.into_iter().cloned().collect()) {
        text.push('\n');
        match runs.get(&name) {
            Some(got) => {
                let (section, n) = render_profile(&name, got, old.get(&name));
                uncaused += n;
                text.push_str(&section);
            }
            // A profile not run this time keeps its recorded section.
            None => {
                if let Some(e) = old.get(&name) {
                    text.push_str(&render_expect(&name, e));
                }
            }
        }
    }
    fs::create_dir_all(path.parent().context("expected path has no parent")?)?;
    fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    println!("recorded what {tool} reports in {}", path.display());
    if uncaused > 0 {
        println!("  {uncaused} `cause:` lines are empty: write each cause before committing");
    }
    Ok(())
}

/// An expectation as written, for a profile `--record` did not run.
fn render_expect(profile: &str, e: &Expect) -> String {
    match e {
        Expect::NoReport { cause } => format!("== {profile}: no report\ncause: {cause}\n"),
        Expect::Report { counts, known } => {
            let mut text = format!("== {profile}: {counts}\n");
            let mut by_cause: BTreeMap<&String, Vec<&String>> = BTreeMap::new();
            for (name, cause) in known {
                by_cause.entry(cause).or_default().push(name);
            }
            for (cause, names) in by_cause {
                let _ = writeln!(text, "cause: {cause}");
                for name in names {
                    let _ = writeln!(text, "  {name}");
                }
            }
            text
        }
    }
}

/// Profile names in catalog order, any others after them.
pub fn profile_order(mut names: Vec<String>) -> Vec<String> {
    let catalog: Vec<String> = scim_core::Profile::builtins().into_iter().map(|p| p.name).collect();
    names.sort_by_key(|n| (catalog.iter().position(|c| c == n).unwrap_or(usize::MAX), n.clone()));
    names
}

/// The base path with its `{param}` segments filled the way the server fills them when a
/// request leaves them out (the profile's `basePathDefaults`, else the parameter's name).
pub fn base_path(p: &scim_core::Profile) -> String {
    p.base_path
        .split('/')
        .map(|seg| match seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(param) => p.base_path_defaults.get(param).cloned().unwrap_or_else(|| param.to_owned()),
            None => seg.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The bearer token the stage configures (loopback only; not a secret).
const TOKEN: &str = "conformance-token";
/// Basic credentials for a profile whose raw `Authorization` header is HTTP Basic
/// (PingFederate): `scim:conformance`, and the header value it makes (RFC 7617 §2).
const BASIC_USER: (&str, &str) = ("scim", "conformance");
const BASIC_HEADER: &str = "Basic c2NpbTpjb25mb3JtYW5jZQ==";

/// How one tool authenticates against one profile: the `--token` scim-mock gets, and the
/// tool's own arguments.
pub fn credentials(p: &scim_core::Profile, tool: &str) -> (Option<String>, Vec<String>) {
    let strs = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let bearer = format!("Bearer {TOKEN}");
    match &p.auth {
        scim_core::Auth::None => (None, Vec::new()),
        scim_core::Auth::Bearer { .. } => match tool {
            "scim2" => (Some(TOKEN.into()), strs(&["-h", &format!("Authorization: {bearer}")])),
            _ => (Some(TOKEN.into()), strs(&["--token", TOKEN])),
        },
        scim_core::Auth::RawHeader { header, challenge, .. } => {
            let basic = challenge.as_deref().is_some_and(|c| c.starts_with("Basic"));
            match (tool, basic) {
                ("scim2", true) => (Some(BASIC_HEADER.into()), strs(&["-h", &format!("{header}: {BASIC_HEADER}")])),
                ("scim2", false) => (Some(TOKEN.into()), strs(&["-h", &format!("{header}: {TOKEN}")])),
                (_, true) => {
                    (Some(BASIC_HEADER.into()), strs(&["--username", BASIC_USER.0, "--password", BASIC_USER.1]))
                }
                // scim-sanity sends only `Bearer` or Basic: the raw header's whole value is then
                // `Bearer TOKEN`, which the mock compares as an opaque session id.
                (_, false) => (Some(bearer), strs(&["--token", TOKEN])),
            }
        }
    }
}

/// Runs at once by default: each is a server and a Python tool that mostly waits on HTTP.
pub const DEFAULT_JOBS: usize = 4;

/// Options for [`run_conformance`].
#[derive(Debug, Clone)]
pub struct Options {
    /// The profiles to run; empty runs every built-in profile.
    pub profiles: Vec<String>,
    /// Rewrite the expectations instead of checking against them.
    pub record: bool,
    /// How many (profile, tool) runs go at once, each with its own server.
    pub jobs: usize,
}

/// Runs one tool against one profile on a fresh server.
fn run_one(ctx: &Ctx, profile: &scim_core::Profile, tool: &str, start: &Mutex<()>) -> Result<Vec<Check>> {
    let dir = ctx.out_dir.join(&profile.name);
    fs::create_dir_all(&dir)?;
    let (token, args) = credentials(profile, tool);
    let (port, _server) = {
        // One server starts at a time, so two runs never pick the same free port.
        let _one = start.lock().map_err(|_| anyhow::anyhow!("a server start panicked"))?;
        let port = free_port()?;
        let mut cmd = Command::new(&ctx.mock);
        cmd.args(["serve", "--port", &port.to_string(), "--profile", &profile.name, "--seed", "none"])
            .env("RUST_LOG", "info");
        if let Some(t) = &token {
            cmd.args(["--token", t]);
        }
        (port, Guard::start("scim-mock", &mut cmd, port, &dir.join(format!("scim-mock-{tool}.log")))?)
    };
    let base = format!("http://127.0.0.1:{port}{}", base_path(profile));
    match tool {
        "scim2" => {
            let (out, err) = (dir.join("scim2.out"), dir.join("scim2.err"));
            let status = run_with_timeout(
                Command::new(ctx.bin.join("python"))
                    .args(["-c", SCIM2_SEEDED, "--url", &base])
                    .args(&args)
                    .arg("test")
                    .env("PYTHONHASHSEED", "0"),
                TOOL_TIMEOUT,
                &out,
                &err,
            )?;
            scim2_checks(&ToolRun::from_files(status, &out, &err)?)
        }
        _ => {
            let (out, err) = (dir.join("scim-sanity.json"), dir.join("scim-sanity.err"));
            let status = run_with_timeout(
                Command::new(ctx.bin.join("scim-sanity"))
                    .args(["probe", &base, "--i-accept-side-effects", "--json-output", "--timeout", "10"])
                    .args(&args),
                TOOL_TIMEOUT,
                &out,
                &err,
            )?;
            sanity_checks(&ToolRun::from_files(status, &out, &err)?)
        }
    }
}

/// `scim2` with Python's `random` seeded: scim2-tester fills attributes with random values
/// (`active` true or false, which decides whether a profile that hides deactivated users
/// fails the checks after it), so an unseeded run changes its outcome from run to run.
const SCIM2_SEEDED: &str =
    "import random, sys; random.seed(7643); sys.argv[0] = 'scim2'; from scim2_cli import cli; sys.exit(cli())";

struct Ctx {
    bin: PathBuf,
    mock: PathBuf,
    out_dir: PathBuf,
}

/// Builds scim-mock, runs both tools against every selected profile (a fresh server per
/// profile and tool, `jobs` at once), and checks or records the expectations.
pub fn run_conformance(root: &Path, opts: &Options) -> Result<()> {
    let started = Instant::now();
    let bin = ensure_venv(root, &[SCIM2_CLI, SCIM_SANITY])?;
    run(cargo(root).args(["build", "-p", "scim-mock"]))?;
    let out_dir = target_dir(root).join("conformance");
    fs::create_dir_all(&out_dir)?;
    let ctx = Ctx { bin, mock: target_dir(root).join("debug").join("scim-mock"), out_dir };
    let names: Vec<String> = if opts.profiles.is_empty() {
        scim_core::Profile::builtins().into_iter().map(|p| p.name).collect()
    } else {
        opts.profiles.clone()
    };
    let mut profiles = Vec::new();
    for name in &names {
        profiles.push(scim_core::Profile::builtin(name).with_context(|| format!("`{name}` is no built-in profile"))?);
    }
    let jobs: Vec<(&scim_core::Profile, &str)> =
        profiles.iter().flat_map(|p| TOOLS.iter().map(move |t| (p, *t))).collect();
    let next = AtomicUsize::new(0);
    let start = Mutex::new(());
    let results: Mutex<BTreeMap<(String, String), Got>> = Mutex::new(BTreeMap::new());
    std::thread::scope(|s| {
        for _ in 0..opts.jobs.max(1) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some((p, tool)) = jobs.get(i) else { break };
                    let got = match run_one(&ctx, p, tool, &start) {
                        Ok(checks) => Got::Report(checks),
                        Err(e) => Got::NoReport(format!("{e:#}")),
                    };
                    if let Ok(mut r) = results.lock() {
                        r.insert((tool.to_string(), p.name.clone()), got);
                    }
                }
            });
        }
    });
    let results = results.into_inner().map_err(|_| anyhow::anyhow!("a conformance run panicked"))?;
    if results.len() != jobs.len() {
        bail!("{} of {} conformance runs finished (a run panicked)", results.len(), jobs.len());
    }
    let mut problems = Vec::new();
    println!("\nconformance (outputs in {}):", ctx.out_dir.display());
    for tool in TOOLS {
        let runs: BTreeMap<String, Got> =
            results.iter().filter(|((t, _), _)| t == tool).map(|((_, p), g)| (p.clone(), g.clone())).collect();
        for name in profile_order(runs.keys().cloned().collect()) {
            match &runs[&name] {
                Got::Report(checks) => println!("  {tool:<12} {name:<13} {}", Counts::of(checks)),
                Got::NoReport(e) => {
                    println!("  {tool:<12} {name:<13} no trustworthy report: {}", e.lines().next().unwrap_or_default())
                }
            }
        }
        if opts.record {
            write_expected(root, tool, &runs)?;
            continue;
        }
        match read_expected(root, tool) {
            Ok(expected) => {
                for (name, got) in &runs {
                    problems.extend(compare(tool, name, got, expected.get(name)));
                }
                if opts.profiles.is_empty() {
                    for name in expected.keys().filter(|n| !runs.contains_key(*n)) {
                        problems
                            .push(format!("{tool}: expected-{tool}.txt lists `{name}`, which is no built-in profile"));
                    }
                }
            }
            Err(e) => problems.push(format!("{tool}: {e:#}")),
        }
    }
    println!("  {} runs in {:.0} s ({} at once)", jobs.len(), started.elapsed().as_secs_f64(), opts.jobs.max(1));
    if !problems.is_empty() {
        for p in &problems {
            println!("  FAIL {p}");
        }
        bail!("{} conformance problem(s); see above", problems.len());
    }
    if !opts.record {
        println!("  every outcome is the recorded one (tests/conformance/expected-*.txt)");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCIM2_OUT: &str = "Performing a SCIM compliance check on http://x ...\n\
                             SUCCESS random_url\n  /abc correctly returned a 404 error\n\
                             \u{1b}[31mERROR\u{1b}[0m object_creation\n  Could not create User\n\
                             Patched value: [Members(value='1', display=None)]\n\
                             SUCCESS object_creation\n\
                             SKIPPED bulk\n";

    fn run(code: Option<i32>, stdout: &str, stderr: &str) -> ToolRun {
        ToolRun { code, stdout: stdout.to_owned(), stderr: stderr.to_owned() }
    }

    #[test]
    fn parses_scim2_output() {
        let checks = scim2_checks(&run(Some(1), SCIM2_OUT, "")).expect("parses");
        assert_eq!(checks.len(), 4);
        assert_eq!(checks[1].outcome, Outcome::Fail);
        assert_eq!(checks[1].reason, "Could not create User");
        let (failed, passed) = fold(&checks);
        assert_eq!(failed.into_iter().collect::<Vec<_>>(), ["object_creation"]);
        assert_eq!(passed.into_iter().collect::<Vec<_>>(), ["random_url"]);
    }

    #[test]
    fn an_untrustworthy_scim2_run_is_an_error() {
        let err = |r: ToolRun| format!("{:#}", scim2_checks(&r).expect_err("must not be trusted"));
        let unknown = SCIM2_OUT.replace("SKIPPED bulk", "WARNING bulk");
        assert!(err(run(Some(1), &unknown, "")).contains("unknown status word `WARNING`"));
        assert!(err(run(Some(0), SCIM2_OUT, "")).contains("exited 0"), "a failing report must exit 1");
        let all_success = "Performing a SCIM compliance check on http://x ...\nSUCCESS a\nSUCCESS b\n";
        assert_eq!(scim2_checks(&run(Some(0), all_success, "")).expect("ok").len(), 2);
        assert!(err(run(Some(1), all_success, "")).contains("exited 1"), "exit 1 with every check SUCCESS");
        assert!(err(run(Some(2), SCIM2_OUT, "")).contains("exited 2"));
        assert!(err(run(None, SCIM2_OUT, "")).contains("signal"));
        let crash = "Traceback (most recent call last):\n  File \"x.py\"\nKeyError: 'members'\n";
        assert!(err(run(Some(1), SCIM2_OUT, crash)).contains("crashed"));
        assert!(err(run(Some(1), "Performing a SCIM compliance check on http://x ...\n", "")).contains("no checks"));
        let discovery = "Error: Could not discover the server at http://x";
        let e = err(run(Some(1), "", discovery));
        assert!(e.contains("banner") && e.contains("Could not discover"), "{e}");
    }

    const SANITY_OUT: &str = r#"{"summary": {"total": 5, "passed": 1, "failed": 1, "warnings": 1, "skipped": 1, "errors": 1},
        "results": [{"name": "POST /Users", "status": "pass"},
            {"name": "PATCH /Users/{id}", "status": "fail", "message": "Expected 200, got 501"},
            {"name": "Agent", "status": "skip"}, {"name": "ct", "status": "warn"},
            {"name": "cleanup", "status": "error", "message": "timeout"}]}"#;

    #[test]
    fn parses_sanity_json() {
        let checks = sanity_checks(&run(Some(1), SANITY_OUT, "")).expect("parses");
        assert_eq!(checks.len(), 5);
        assert_eq!(checks[1].outcome, Outcome::Fail);
        assert_eq!(checks[3].outcome, Outcome::Pass);
        assert_eq!(checks[4].outcome, Outcome::Fail);
    }

    #[test]
    fn an_untrustworthy_sanity_run_is_an_error() {
        let err = |r: ToolRun| format!("{:#}", sanity_checks(&r).expect_err("must not be trusted"));
        let unknown = SANITY_OUT.replace(r#""status": "warn""#, r#""status": "notice""#);
        assert!(err(run(Some(1), &unknown, "")).contains("unknown status word `notice`"));
        assert!(err(run(Some(0), SANITY_OUT, "")).contains("exited 0"));
        let short = SANITY_OUT.replace(r#""total": 5"#, r#""total": 9"#);
        assert!(err(run(Some(1), &short, "")).contains("total = 9"));
        assert!(err(run(Some(1), &SANITY_OUT[..200], "")).contains("parsing"));
        assert!(err(run(Some(1), SANITY_OUT, "Traceback (most recent call last):\nboom")).contains("crashed"));
        assert!(err(run(Some(1), "", "")).contains("no JSON"));
    }

    fn check(name: &str, outcome: Outcome) -> Check {
        Check { name: name.into(), outcome, status: String::new(), reason: "r".into() }
    }

    const EXPECTED: &str = "# header\n\n== rfc: 3 checks, 1 passed, 1 failed, 1 skipped\n\
                            cause: behaviour.memberDisplay = derived\n  # symptom: x\n  a\n\n\
                            == ping: no report\ncause: tool: cannot read the schema\n";

    #[test]
    fn parses_expectations_grouped_by_cause() {
        let all = parse_expected(EXPECTED, true).expect("parses");
        let Some(Expect::Report { counts, known }) = all.get("rfc") else { panic!("rfc: {all:?}") };
        assert_eq!((counts.passed, counts.failed, counts.skipped), (1, 1, 1));
        assert_eq!(known["a"], "behaviour.memberDisplay = derived");
        assert_eq!(all["ping"], Expect::NoReport { cause: "tool: cannot read the schema".into() });
        let err = |text: &str| format!("{:#}", parse_expected(text, true).expect_err("rejected"));
        assert!(err("== rfc: 1 checks, 0 passed, 1 failed, 0 skipped\n  a\n").contains("no cause"));
        assert!(err("== rfc: 1 checks, 0 passed, 1 failed, 0 skipped\ncause: \n  a\n").contains("without its cause"));
        assert!(err("== rfc: 1 checks, 0 passed, 1 failed, 0 skipped\ncause: it fails\n  a\n").contains("no RFC"));
        assert!(err("== rfc: 2 checks, 0 passed, 1 failed, 0 skipped\n").contains("N = P + F + S"));
        assert!(err("== ping: no report\n").contains("without a `cause:`"));
        assert!(
            err("== rfc: 1 checks, 1 passed, 0 failed, 0 skipped\ncause: RFC 7644 §3\n  a\n").contains("header counts")
        );
        assert!(err("a\n").contains("before any"));
        // Loosely, a malformed file still gives its causes.
        let loose = parse_expected("== rfc: 9\ncause: RFC 7644 §3\n  a\n", false).expect("loose");
        assert!(matches!(&loose["rfc"], Expect::Report { known, .. } if known["a"] == "RFC 7644 §3"));
    }

    #[test]
    fn outcomes_only_shrink_and_runs_must_be_complete() {
        let known =
            |names: &[&str]| names.iter().map(|s| ((*s).to_owned(), "RFC 7644 §3".to_owned())).collect::<Known>();
        let report = |counts: (usize, usize, usize), names: &[&str]| Expect::Report {
            counts: Counts { passed: counts.0, failed: counts.1, skipped: counts.2 },
            known: known(names),
        };
        let got = Got::Report(vec![check("a", Outcome::Fail), check("b", Outcome::Pass), check("c", Outcome::Skip)]);
        assert!(compare("t", "rfc", &got, Some(&report((1, 1, 1), &["a"]))).is_empty());
        let problems = |e: &Expect| compare("t", "rfc", &got, Some(e)).join("\n");
        assert!(problems(&report((2, 0, 1), &[])).contains("new failure `a`"));
        assert!(problems(&report((0, 2, 1), &["a", "b"])).contains("`b` passes now"));
        assert!(problems(&report((1, 1, 1), &["a", "gone"])).contains("not reported"));
        assert!(problems(&report((5, 1, 1), &["a"])).contains("3 checks reported, 7 expected"), "a run cut short");
        assert!(problems(&report((0, 1, 2), &["a"])).contains("is recorded"), "a pass became a skip");
        let none = Got::NoReport("scim2 crashed".into());
        assert!(compare("t", "rfc", &none, Some(&report((1, 1, 1), &["a"])))[0].contains("no trustworthy report"));
        let expected_none = Expect::NoReport { cause: "tool: x".into() };
        assert!(compare("t", "rfc", &none, Some(&expected_none)).is_empty());
        assert!(compare("t", "rfc", &got, Some(&expected_none))[0].contains("reports now"));
        assert!(compare("t", "rfc", &got, None)[0].contains("nothing recorded"));
    }

    #[test]
    fn recording_groups_by_cause_keeps_causes_and_leaves_new_ones_empty() {
        let got = Got::Report(vec![check("a", Outcome::Fail), check("b", Outcome::Fail), check("c", Outcome::Pass)]);
        let old = Expect::Report {
            counts: Counts { passed: 2, failed: 1, skipped: 0 },
            known: [("a".to_owned(), "RFC 7643 §4.2".to_owned())].into(),
        };
        let (text, uncaused) = render_profile("rfc", &got, Some(&old));
        assert_eq!(uncaused, 1);
        assert!(text.starts_with("== rfc: 3 checks, 1 passed, 2 failed, 0 skipped\n"), "{text}");
        assert!(text.contains("cause: RFC 7643 §4.2\n  # symptom: r\n  a\n"), "{text}");
        assert!(
            format!("{:#}", parse_expected(&text, true).expect_err("b has no cause")).contains("without its cause")
        );
        let (text, uncaused) = render_profile("rfc", &Got::NoReport("boom".into()), None);
        assert_eq!((text.as_str(), uncaused), ("== rfc: no report\n# symptom: boom\ncause: \n", 1));
    }

    #[test]
    fn uuids_in_check_names_are_replaced() {
        assert_eq!(without_uuids("DELETE /Users/074574b6-0856-4bea-827e-4f15b4471944"), "DELETE /Users/{uuid}");
        assert_eq!(without_uuids("GET /Users?startIndex=1&count=1"), "GET /Users?startIndex=1&count=1");
    }

    #[test]
    fn base_paths_are_filled_and_credentials_fit_the_scheme() {
        let p = |name: &str| scim_core::Profile::builtin(name).expect("builtin");
        assert_eq!(base_path(&p("rfc")), "/scim/v2");
        assert_eq!(base_path(&p("veeva")), "/api/v23.1/scim/v2");
        assert_eq!(credentials(&p("rfc"), "scim2"), (None, Vec::new()));
        let (token, args) = credentials(&p("aws"), "scim2");
        assert_eq!((token.as_deref(), args[1].as_str()), (Some(TOKEN), "Authorization: Bearer conformance-token"));
        let (token, args) = credentials(&p("pingfederate"), "scim-sanity");
        assert_eq!(token.as_deref(), Some(BASIC_HEADER));
        assert_eq!(args, ["--username", "scim", "--password", "conformance"]);
        assert_eq!(credentials(&p("veeva"), "scim-sanity").0.as_deref(), Some("Bearer conformance-token"));
    }
}
