//! `cargo xtask conformance` and the `conformance` test stage: third-party SCIM testers
//! against scim-mock over real HTTP.
//!
//! Two tools from PyPI, pinned, installed into a project-local `.venv`:
//! - `scim2-cli` (`scim2 --url BASE test`, which runs scim2-tester);
//! - `scim-sanity` (`scim-sanity probe BASE --i-accept-side-effects --json-output`).
//!
//! Each tool's failing checks must be listed in `tests/conformance/known-failures-{tool}.txt`,
//! one `name  # cause` a line, the cause being why scim-mock fails it (an RFC section or a
//! behaviour knob), not the tool's symptom. The lists only shrink: a listed check that passes
//! now, or one the tool no longer reports, fails the stage just like a new failure does.
//! `--record` rewrites the lists from the current outcome, keeping the causes of checks still
//! listed (for after a merge that makes checks pass; review the diff); a new entry has no
//! cause until someone writes one, and fails the stage until then.
//!
//! A run the stage cannot trust fails it too: a tool that crashed (a Python traceback),
//! printed a status word this parser does not know, reported no checks or a summary that
//! does not match its results, or exited with a code its own report does not explain.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
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
            name: name.to_owned(),
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

/// A known-failure list: check name to its cause.
pub type Known = BTreeMap<String, String>;

/// Problems against a shrink-only known-failure list.
pub fn compare(tool: &str, checks: &[Check], known: &Known) -> Vec<String> {
    let (failed, passed) = fold(checks);
    let mut problems = Vec::new();
    for name in failed.iter().filter(|n| !known.contains_key(*n)) {
        let reason = checks.iter().find(|c| &c.name == name && c.outcome == Outcome::Fail).map(|c| c.reason.as_str());
        problems.push(format!("{tool}: new failure `{name}`: {}", reason.unwrap_or_default()));
    }
    for name in known.keys().filter(|n| !failed.contains(*n)) {
        if passed.contains(name) {
            problems.push(format!(
                "{tool}: `{name}` passes now; remove it from known-failures-{tool}.txt (the list only shrinks)"
            ));
        } else {
            problems.push(format!("{tool}: `{name}` is listed in known-failures-{tool}.txt but was not reported"));
        }
    }
    problems
}

fn known_path(root: &Path, tool: &str) -> PathBuf {
    root.join("tests/conformance").join(format!("known-failures-{tool}.txt"))
}

/// Parses a known-failure list: `name  # cause` a line; blank lines and lines starting with
/// `#` are comments. Every entry needs a cause that names an RFC section (`RFC 7643 §4.2`)
/// or a behaviour knob (`behaviour.omitted`): why scim-mock fails the check, where the
/// comment above an entry may keep the tool's symptom.
pub fn parse_known(text: &str) -> Result<Known> {
    let mut known = Known::new();
    for (i, line) in text.lines().enumerate().map(|(i, l)| (i + 1, l.trim())) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (name, cause) = line.split_once(" #").map_or((line, ""), |(n, c)| (n.trim(), c.trim()));
        if cause.is_empty() {
            bail!("line {i}: `{name}` has no cause; write `{name}  # cause` (an RFC section or a behaviour knob)");
        }
        if !cause.contains("RFC ") && !cause.contains("behaviour.") {
            bail!("line {i}: the cause of `{name}` names no RFC section and no behaviour knob: {cause:?}");
        }
        if known.insert(name.to_owned(), cause.to_owned()).is_some() {
            bail!("line {i}: `{name}` is listed twice");
        }
    }
    Ok(known)
}

fn read_known(root: &Path, tool: &str) -> Result<Known> {
    let path = known_path(root, tool);
    let text = match fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    parse_known(&text).with_context(|| path.display().to_string())
}

/// The list `--record` writes: the checks failing now, with the causes already written for
/// them; a new failure gets its symptom as a comment and an empty cause, which the next check
/// of the list rejects until someone writes the cause.
pub fn render_known(tool: &str, profile: &str, checks: &[Check], old: &Known) -> (String, usize) {
    let (failed, _) = fold(checks);
    let mut text = format!(
        "# Checks of `{tool}` that scim-mock (profile {profile}) fails today, one `name  # cause` a line:\n\
         # the cause is why scim-mock fails the check (an RFC section or a behaviour knob), the\n\
         # comment above it the tool's symptom. This list only shrinks: `cargo xtask test --stage\n\
         # conformance` fails on a new failure and on a listed check that passes. Rewrite with\n\
         # `cargo xtask conformance --record` (causes of checks still failing are kept).\n"
    );
    let mut uncaused = 0;
    for name in &failed {
        // The tool's first reason, as a comment, so a reader sees the symptom without rerunning.
        let reason = checks.iter().find(|c| &c.name == name && c.outcome == Outcome::Fail).map(|c| c.reason.as_str());
        let _ = writeln!(text);
        if let Some(r) = reason.filter(|r| !r.is_empty()) {
            let _ = writeln!(text, "# symptom: {}", r.chars().take(300).collect::<String>());
        }
        let cause = old.get(name).map_or("", String::as_str);
        uncaused += usize::from(cause.is_empty());
        let _ = writeln!(text, "{name}  # {cause}");
    }
    (text, uncaused)
}

fn write_known(root: &Path, tool: &str, profile: &str, checks: &[Check]) -> Result<()> {
    let path = known_path(root, tool);
    // Causes of a list that no longer parses are not lost: every line still has them.
    let old: Known = fs::read_to_string(&path)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter_map(|l| l.split_once(" #"))
        .map(|(n, c)| (n.trim().to_owned(), c.trim().to_owned()))
        .filter(|(_, c)| !c.is_empty())
        .collect();
    let (text, uncaused) = render_known(tool, profile, checks, &old);
    fs::create_dir_all(path.parent().context("known-failures path has no parent")?)?;
    fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    println!("recorded the known failures of {tool} in {}", path.display());
    if uncaused > 0 {
        println!("  {uncaused} new entries have no cause yet: write one after each `#` before committing");
    }
    Ok(())
}

/// Options for [`run_conformance`].
#[derive(Debug, Clone)]
pub struct Options {
    pub profile: String,
    /// Rewrite the known-failure lists instead of checking against them.
    pub record: bool,
}

/// Builds scim-mock, starts it on a free port, runs both tools, checks the lists.
pub fn run_conformance(root: &Path, opts: &Options) -> Result<()> {
    let bin = ensure_venv(root, &[SCIM2_CLI, SCIM_SANITY])?;
    run(cargo(root).args(["build", "-p", "scim-mock"]))?;
    let out_dir = target_dir(root).join("conformance");
    fs::create_dir_all(&out_dir)?;
    let mock = target_dir(root).join("debug").join("scim-mock");

    let mut problems = Vec::new();
    let mut summary = Vec::new();
    type Tool<'a> = (&'a str, Box<dyn Fn(&str, &Path) -> Result<Vec<Check>> + 'a>);
    let tools: Vec<Tool> = vec![
        (
            "scim2",
            Box::new(|base: &str, dir: &Path| {
                let (out, err) = (dir.join("scim2.out"), dir.join("scim2.err"));
                let status = run_with_timeout(
                    Command::new(bin.join("scim2")).args(["--url", base, "test"]),
                    TOOL_TIMEOUT,
                    &out,
                    &err,
                )?;
                scim2_checks(&ToolRun::from_files(status, &out, &err)?)
            }),
        ),
        (
            "scim-sanity",
            Box::new(|base: &str, dir: &Path| {
                let (out, err) = (dir.join("scim-sanity.json"), dir.join("scim-sanity.err"));
                let status = run_with_timeout(
                    Command::new(bin.join("scim-sanity")).args([
                        "probe",
                        base,
                        "--i-accept-side-effects",
                        "--json-output",
                        "--timeout",
                        "10",
                    ]),
                    TOOL_TIMEOUT,
                    &out,
                    &err,
                )?;
                sanity_checks(&ToolRun::from_files(status, &out, &err)?)
            }),
        ),
    ];
    let mut causes = Vec::new();
    for (tool, run_tool) in &tools {
        // A fresh server per tool: one tool's leftovers must not change the other's outcome.
        let port = free_port()?;
        let _server = Guard::start(
            "scim-mock",
            Command::new(&mock)
                .args(["serve", "--port", &port.to_string(), "--profile", &opts.profile, "--seed", "none"])
                .env("RUST_LOG", "info"),
            port,
            &out_dir.join(format!("scim-mock-{tool}.log")),
        )?;
        let base = format!("http://127.0.0.1:{port}/scim/v2");
        let checks = match run_tool(&base, &out_dir) {
            Ok(checks) => checks,
            // A run that cannot be trusted is never recorded and never compared.
            Err(e) if opts.record => return Err(e.context(format!("{tool}: the run cannot be recorded"))),
            Err(e) => {
                summary.push(format!("{tool:<12} profile {}: no trustworthy report", opts.profile));
                problems.push(format!("{tool}: {e:#}"));
                continue;
            }
        };
        let pass = checks.iter().filter(|c| c.outcome == Outcome::Pass).count();
        let fail = checks.iter().filter(|c| c.outcome == Outcome::Fail).count();
        let skip = checks.iter().filter(|c| c.outcome == Outcome::Skip).count();
        summary.push(format!(
            "{tool:<12} profile {}: {} checks, {pass} passed, {fail} failed, {skip} skipped",
            opts.profile,
            checks.len()
        ));
        if opts.record {
            write_known(root, tool, &opts.profile, &checks)?;
            continue;
        }
        match read_known(root, tool) {
            Ok(known) => {
                problems.extend(compare(tool, &checks, &known));
                let (failed, _) = fold(&checks);
                causes.extend(
                    known.iter().filter(|(n, _)| failed.contains(*n)).map(|(n, c)| format!("{tool}: `{n}`: {c}")),
                );
            }
            Err(e) => problems.push(format!("{tool}: {e:#}")),
        }
    }
    println!("\nconformance (outputs in {}):", out_dir.display());
    for line in &summary {
        println!("  {line}");
    }
    for line in &causes {
        println!("  known failure, {line}");
    }
    if !problems.is_empty() {
        for p in &problems {
            println!("  FAIL {p}");
        }
        bail!("{} conformance problem(s); see above", problems.len());
    }
    if !opts.record {
        println!("  every failure is a known one (tests/conformance/known-failures-*.txt)");
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

    #[test]
    fn known_failures_only_shrink() {
        let check =
            |name: &str, outcome| Check { name: name.into(), outcome, status: String::new(), reason: "r".into() };
        let checks = vec![check("a", Outcome::Fail), check("b", Outcome::Pass)];
        let known =
            |names: &[&str]| names.iter().map(|s| ((*s).to_owned(), "RFC 7644 §3".to_owned())).collect::<Known>();
        assert!(compare("t", &checks, &known(&["a"])).is_empty());
        assert_eq!(compare("t", &checks, &known(&[])).len(), 1, "new failure");
        assert_eq!(compare("t", &checks, &known(&["a", "b"])).len(), 1, "passes now");
        assert_eq!(compare("t", &checks, &known(&["a", "gone"])).len(), 1, "stale");
    }

    #[test]
    fn every_known_failure_names_its_cause() {
        let good = "# header\n\n# symptom: Expected 200, got 400\nPATCH /Groups/{id} add member  # RFC 7643 §4.2: x\n\
                    check_x  # behaviour.omitted = clear\n";
        let known = parse_known(good).expect("parses");
        assert_eq!(known["PATCH /Groups/{id} add member"], "RFC 7643 §4.2: x");
        assert_eq!(known.len(), 2);
        let err = |text: &str| format!("{:#}", parse_known(text).expect_err("rejected"));
        assert!(err("check_a\n").contains("no cause"));
        assert!(err("check_a  # \n").contains("no cause"));
        assert!(err("check_a  # returned unexpected value\n").contains("no RFC section"));
        assert!(err("a  # RFC 7644 §3\na  # RFC 7644 §3\n").contains("twice"));
    }

    #[test]
    fn recording_keeps_causes_and_leaves_new_ones_empty() {
        let checks = vec![
            Check { name: "a".into(), outcome: Outcome::Fail, status: "ERROR".into(), reason: "bad a".into() },
            Check { name: "b".into(), outcome: Outcome::Fail, status: "ERROR".into(), reason: "bad b".into() },
        ];
        let old: Known = [("a".to_owned(), "RFC 7643 §4.2".to_owned())].into();
        let (text, uncaused) = render_known("t", "rfc", &checks, &old);
        assert_eq!(uncaused, 1);
        assert!(text.contains("# symptom: bad a\na  # RFC 7643 §4.2\n"), "{text}");
        assert!(parse_known(&text).expect_err("b has no cause").to_string().contains("`b` has no cause"));
    }
}
