//! `cargo xtask conformance` and the `conformance` test stage: third-party SCIM testers
//! against scim-mock over real HTTP.
//!
//! Two tools from PyPI, pinned, installed into a project-local `.venv`:
//! - `scim2-cli` (`scim2 --url BASE test`, which runs scim2-tester);
//! - `scim-sanity` (`scim-sanity probe BASE --i-accept-side-effects --json-output`).
//!
//! Each tool's failing checks must be listed in `tests/conformance/known-failures-{tool}.txt`.
//! The lists only shrink: a listed check that passes now, or one the tool no longer reports,
//! fails the stage just like a new failure does. `--record` rewrites the lists from the
//! current outcome (for after a merge that makes checks pass; review the diff).

use std::collections::BTreeSet;
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
    /// The tool's reason, first line.
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Pass,
    Fail,
    Skip,
}

/// Parses `scim2 test` output: `STATUS title` lines, each followed by indented reason lines.
/// `SUCCESS`, `COMPLIANT` and `ACCEPTABLE` pass; `SKIPPED` skips; anything else
/// (`DEVIATION`, `ERROR`, `CRITICAL`) fails, as the tool's own exit code counts it. When the
/// tool cannot even read the discovery endpoints it reports no checks: that is one failing
/// pseudo-check, `(discovery)`.
pub fn parse_scim2(stdout: &str, stderr: &str) -> Vec<Check> {
    let mut checks: Vec<Check> = Vec::new();
    for line in stdout.lines().map(strip_ansi) {
        if let Some(reason) = line.strip_prefix("  ") {
            if let Some(last) = checks.last_mut() {
                if last.reason.is_empty() {
                    last.reason = reason.trim().to_owned();
                }
            }
            continue;
        }
        let Some((status, title)) = line.split_once(' ') else { continue };
        let outcome = match status {
            "SUCCESS" | "COMPLIANT" | "ACCEPTABLE" => Outcome::Pass,
            "SKIPPED" => Outcome::Skip,
            "DEVIATION" | "ERROR" | "CRITICAL" => Outcome::Fail,
            _ => continue,
        };
        checks.push(Check { name: title.trim().to_owned(), outcome, reason: String::new() });
    }
    if checks.is_empty() {
        let why =
            format!("{stdout}\n{stderr}").lines().map(strip_ansi).find(|l| l.contains("rror")).unwrap_or_default();
        checks.push(Check { name: "(discovery)".into(), outcome: Outcome::Fail, reason: why.trim().to_owned() });
    }
    checks
}

/// Parses `scim-sanity probe --json-output`: `results[]` with `name`, `status`
/// (`pass`/`fail`/`warn`/`skip`/`error`), `message`. Warnings pass (the tool's own summary
/// does not count them as failures).
pub fn parse_sanity(stdout: &str) -> Result<Vec<Check>> {
    let start = stdout.find('{').context("scim-sanity printed no JSON")?;
    let v: serde_json::Value = serde_json::from_str(&stdout[start..]).context("parsing scim-sanity JSON output")?;
    let results = v["results"].as_array().context("scim-sanity JSON has no results array")?;
    Ok(results
        .iter()
        .map(|r| Check {
            name: r["name"].as_str().unwrap_or_default().to_owned(),
            outcome: match r["status"].as_str().unwrap_or_default() {
                "pass" | "warn" => Outcome::Pass,
                "skip" => Outcome::Skip,
                _ => Outcome::Fail,
            },
            reason: r["message"].as_str().unwrap_or_default().lines().next().unwrap_or_default().to_owned(),
        })
        .collect())
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

/// Problems against a shrink-only known-failure list.
pub fn compare(tool: &str, checks: &[Check], known: &BTreeSet<String>) -> Vec<String> {
    let (failed, passed) = fold(checks);
    let mut problems = Vec::new();
    for name in failed.difference(known) {
        let reason = checks.iter().find(|c| &c.name == name && c.outcome == Outcome::Fail).map(|c| c.reason.as_str());
        problems.push(format!("{tool}: new failure `{name}`: {}", reason.unwrap_or_default()));
    }
    for name in known.difference(&failed) {
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

fn read_known(root: &Path, tool: &str) -> Result<BTreeSet<String>> {
    let path = known_path(root, tool);
    let text = match fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    Ok(text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).map(str::to_owned).collect())
}

fn write_known(root: &Path, tool: &str, profile: &str, checks: &[Check]) -> Result<()> {
    let (failed, _) = fold(checks);
    let path = known_path(root, tool);
    fs::create_dir_all(path.parent().context("known-failures path has no parent")?)?;
    let mut text = format!(
        "# Checks of `{tool}` that scim-mock (profile {profile}) fails today, one name a line.\n\
         # This list only shrinks: `cargo xtask test --stage conformance` fails on a new failure\n\
         # and on a listed check that passes. Rewrite with `cargo xtask conformance --record`.\n"
    );
    for name in &failed {
        // The tool's first reason, as a comment, so a reader sees why without rerunning.
        let reason = checks.iter().find(|c| &c.name == name && c.outcome == Outcome::Fail).map(|c| c.reason.as_str());
        if let Some(r) = reason.filter(|r| !r.is_empty()) {
            let _ = writeln!(text, "\n# {}", r.chars().take(300).collect::<String>());
        }
        let _ = writeln!(text, "{name}");
    }
    fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    println!("recorded {} known failures in {}", failed.len(), path.display());
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
                run_with_timeout(
                    Command::new(bin.join("scim2")).args(["--url", base, "test"]),
                    TOOL_TIMEOUT,
                    &out,
                    &err,
                )?;
                Ok(parse_scim2(&fs::read_to_string(&out)?, &fs::read_to_string(&err)?))
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
                parse_sanity(&fs::read_to_string(&out)?)
                    .with_context(|| format!("scim-sanity ({status}): {}", tail(&err, 10)))
            }),
        ),
    ];
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
        let checks = run_tool(&base, &out_dir)?;
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
        } else {
            problems.extend(compare(tool, &checks, &read_known(root, tool)?));
        }
    }
    println!("\nconformance (outputs in {}):", out_dir.display());
    for line in &summary {
        println!("  {line}");
    }
    if !problems.is_empty() {
        for p in &problems {
            println!("  FAIL {p}");
        }
        bail!("{} conformance problem(s); see above", problems.len());
    }
    println!("  every failure is a known one (tests/conformance/known-failures-*.txt)");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_scim2_output() {
        let out = "Performing a SCIM compliance check on http://x ...\n\
                   SUCCESS random_url\n  /abc correctly returned a 404 error\n\
                   \u{1b}[31mERROR\u{1b}[0m object_creation\n  Could not create User\n\
                   SUCCESS object_creation\n\
                   SKIPPED bulk\n";
        let checks = parse_scim2(out, "");
        assert_eq!(checks.len(), 4);
        assert_eq!(checks[1].outcome, Outcome::Fail);
        assert_eq!(checks[1].reason, "Could not create User");
        let (failed, passed) = fold(&checks);
        assert_eq!(failed.into_iter().collect::<Vec<_>>(), ["object_creation"]);
        assert_eq!(passed.into_iter().collect::<Vec<_>>(), ["random_url"]);
        let none = parse_scim2("", "Error: Could not discover the server at http://x");
        assert_eq!(none[0].name, "(discovery)");
        assert!(none[0].reason.contains("Could not discover"));
    }

    #[test]
    fn parses_sanity_json() {
        let out = r#"{"results": [{"name": "POST /Users", "status": "pass"},
            {"name": "PATCH /Users/{id}", "status": "fail", "message": "Expected 200, got 501"},
            {"name": "Agent", "status": "skip"}, {"name": "ct", "status": "warn"}]}"#;
        let checks = parse_sanity(out).expect("parses");
        assert_eq!(checks.len(), 4);
        assert_eq!(checks[1].outcome, Outcome::Fail);
        assert_eq!(checks[3].outcome, Outcome::Pass);
    }

    #[test]
    fn known_failures_only_shrink() {
        let checks = vec![
            Check { name: "a".into(), outcome: Outcome::Fail, reason: "r".into() },
            Check { name: "b".into(), outcome: Outcome::Pass, reason: String::new() },
        ];
        let known = |names: &[&str]| names.iter().map(|s| (*s).to_owned()).collect::<BTreeSet<_>>();
        assert!(compare("t", &checks, &known(&["a"])).is_empty());
        assert_eq!(compare("t", &checks, &known(&[])).len(), 1, "new failure");
        assert_eq!(compare("t", &checks, &known(&["a", "b"])).len(), 1, "passes now");
        assert_eq!(compare("t", &checks, &known(&["a", "gone"])).len(), 1, "stale");
    }
}
