//! `cargo xtask setup`: install what builds and tests need. Idempotent and
//! non-interactive; each step prints one line saying what it did.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::thread::sleep;
use std::time::{Duration, SystemTime};

use anyhow::{Context, Result, bail};

use crate::util::{self, fmt_duration, probe, run, timed};

pub const WASM_TARGET: &str = "wasm32-unknown-unknown";
const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const TEST_RUNNER: &str = "wasm-bindgen-test-runner";
/// The npm project of the front-end kit's test tools (relative to the repo root).
pub const KIT_DIR: &str = "crates/scim-wasm/kit";

/// One installable piece. Test stages name the steps they need.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum Step {
    /// `rustup target add wasm32-unknown-unknown`
    WasmTarget,
    /// Debian's chromium and chromium-driver (browser tests)
    Browser,
    /// `wasm-bindgen-test-runner` at the workspace's wasm-bindgen version
    TestRunner,
    /// project-local npm tools (binaryen's wasm-opt, playwright-core)
    NodeModules,
    /// the front-end kit's pinned test tools (`crates/scim-wasm/kit`: msw, Vitest,
    /// Playwright's runner, newman, publint, har-validator, and Node 22 for msw 3)
    KitModules,
    /// the nightly toolchain and cargo-fuzz (pinned) for the fuzz targets in fuzz/
    Fuzz,
}

impl Step {
    pub const ALL: &'static [Step] =
        &[Step::WasmTarget, Step::Browser, Step::TestRunner, Step::NodeModules, Step::KitModules, Step::Fuzz];

    fn label(self) -> &'static str {
        match self {
            Step::WasmTarget => "wasm32 target",
            Step::Browser => "chromium",
            Step::TestRunner => "wasm-bindgen-test-runner",
            Step::NodeModules => "node_modules",
            Step::KitModules => "kit node_modules",
            Step::Fuzz => "nightly + cargo-fuzz",
        }
    }
}

/// What a step did, for its one line of output.
enum Outcome {
    AlreadyDone(String),
    Done(String),
}

/// Run the given steps (in their canonical order, each at most once).
pub fn run_steps(root: &Path, steps: &[Step]) -> Result<()> {
    let mut steps = steps.to_vec();
    steps.sort();
    steps.dedup();
    for step in steps {
        let (outcome, took) = timed(|| match step {
            Step::WasmTarget => wasm_target(),
            Step::Browser => browser(),
            Step::TestRunner => test_runner(root),
            Step::NodeModules => node_modules(root),
            Step::KitModules => node_modules(&root.join(KIT_DIR)),
            Step::Fuzz => fuzz_tools(root),
        });
        let outcome = outcome.with_context(|| format!("setup step `{}` failed", step.label()))?;
        match outcome {
            Outcome::AlreadyDone(what) => {
                println!("setup: {}: already done ({what})", step.label())
            }
            Outcome::Done(what) => {
                println!("setup: {}: {what} in {}", step.label(), fmt_duration(took));
            }
        }
    }
    Ok(())
}

fn wasm_target() -> Result<Outcome> {
    if let Some(installed) = probe("rustup", ["target", "list", "--installed"]) {
        if installed.lines().any(|l| l.trim() == WASM_TARGET) {
            return Ok(Outcome::AlreadyDone(format!("{WASM_TARGET} installed")));
        }
        run(Command::new("rustup").args(["target", "add", WASM_TARGET]))?;
        return Ok(Outcome::Done(format!("added {WASM_TARGET}")));
    }
    // No rustup: accept a toolchain that ships the target in its sysroot.
    let sysroot = probe("rustc", ["--print", "sysroot"])
        .context("neither rustup nor rustc could be run; install Rust with rustup")?;
    let lib = PathBuf::from(sysroot.trim()).join("lib/rustlib").join(WASM_TARGET);
    if lib.is_dir() {
        return Ok(Outcome::AlreadyDone(format!("{WASM_TARGET} in the sysroot")));
    }
    bail!("rustup is not available and the toolchain lacks {WASM_TARGET}; install Rust with rustup")
}

fn browser() -> Result<Outcome> {
    let missing: Vec<&str> = [CHROMIUM, CHROMEDRIVER].into_iter().filter(|p| !Path::new(p).exists()).collect();
    if missing.is_empty() {
        return Ok(Outcome::AlreadyDone(format!("{CHROMIUM}, {CHROMEDRIVER}")));
    }
    if probe("apt-get", ["--version"]).is_none() {
        bail!(
            "{} missing and apt-get is not available: install Chromium and its \
             chromedriver so that both paths exist",
            missing.join(" and ")
        );
    }
    let sudo = !is_root();
    let apt = |args: &[&str]| {
        let mut cmd = if sudo {
            let mut c = Command::new("sudo");
            c.args(["-n", "apt-get"]);
            c
        } else {
            Command::new("apt-get")
        };
        // Wait for another apt/dpkg run (for example one started in the background) to
        // release its lock instead of failing at once.
        cmd.env("DEBIAN_FRONTEND", "noninteractive").args(["-o", "DPkg::Lock::Timeout=600"]).args(args);
        cmd
    };
    run_retrying(|| apt(&["update"]), 3)?;
    run_retrying(|| apt(&["install", "-y", "--no-install-recommends", "chromium", "chromium-driver"]), 3)?;
    for path in [CHROMIUM, CHROMEDRIVER] {
        if !Path::new(path).exists() {
            bail!("apt-get installed chromium and chromium-driver but {path} is still missing");
        }
    }
    Ok(Outcome::Done("installed chromium chromium-driver".to_owned()))
}

fn is_root() -> bool {
    probe("id", ["-u"]).is_some_and(|uid| uid.trim() == "0")
}

/// apt can lose a race for its lock with another apt run; try a few times.
fn run_retrying(make: impl Fn() -> Command, attempts: u32) -> Result<()> {
    let mut attempt = 1;
    loop {
        match run(&mut make()) {
            Ok(()) => return Ok(()),
            Err(err) if attempt < attempts => {
                eprintln!("{err:#}; retrying in 20s ({attempt}/{attempts})");
                sleep(Duration::from_secs(20));
                attempt += 1;
            }
            Err(err) => return Err(err),
        }
    }
}

/// `wasm-bindgen-test-runner --version` prints `wasm-bindgen-test-runner 0.2.130`.
fn runner_version_matches(output: &str, version: &str) -> bool {
    output.split_whitespace().any(|word| word == version)
}

fn cargo_home_bin(name: &str) -> Option<PathBuf> {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))?;
    Some(home.join("bin").join(name))
}

fn test_runner(root: &Path) -> Result<Outcome> {
    let version = util::wasm_bindgen_version(root)?;
    let on_path = probe(TEST_RUNNER, ["--version"]);
    if on_path.as_deref().is_some_and(|out| runner_version_matches(out, &version)) {
        return Ok(Outcome::AlreadyDone(format!("{TEST_RUNNER} {version}")));
    }
    // Installed in cargo's bin directory but that is not on PATH: install would not help.
    if on_path.is_none()
        && let Some(bin) = cargo_home_bin(TEST_RUNNER)
        && let Some(out) = probe(&bin.to_string_lossy(), ["--version"])
        && runner_version_matches(&out, &version)
    {
        bail!(
            "{TEST_RUNNER} {version} is installed at {} but that directory is not on PATH; \
             cargo uses it as the wasm32 test runner, so add it to PATH",
            bin.display()
        );
    }
    run(util::cargo(root).args(["install", "wasm-bindgen-cli", "--version", &format!("={version}")]))?;
    match probe(TEST_RUNNER, ["--version"]) {
        Some(out) if runner_version_matches(&out, &version) => {
            Ok(Outcome::Done(format!("installed wasm-bindgen-cli {version}")))
        }
        Some(out) => bail!(
            "after installing wasm-bindgen-cli {version}, `{TEST_RUNNER} --version` prints `{}`: \
             another copy earlier on PATH shadows it",
            out.trim()
        ),
        None => bail!(
            "installed wasm-bindgen-cli {version} but {TEST_RUNNER} is not on PATH; \
             add cargo's bin directory to PATH"
        ),
    }
}

fn mtime(path: &Path) -> Option<SystemTime> {
    path.metadata().and_then(|m| m.modified()).ok()
}

/// `npm ci` in `dir` (an npm project with a lockfile) unless its node_modules is newer than
/// both package.json and package-lock.json. Never downloads a browser: Playwright uses
/// Debian's Chromium.
fn node_modules(dir: &Path) -> Result<Outcome> {
    let lock = dir.join("package-lock.json");
    let manifest = dir.join("package.json");
    let marker = dir.join("node_modules/.package-lock.json");
    if !manifest.is_file() {
        return Ok(Outcome::AlreadyDone("no package.json".to_owned()));
    }
    let stale = match mtime(&marker) {
        None => true,
        Some(installed) => [&lock, &manifest].into_iter().filter_map(|p| mtime(p)).any(|changed| changed > installed),
    };
    if !stale {
        return Ok(Outcome::AlreadyDone("up to date with package-lock.json".to_owned()));
    }
    let verb = if lock.is_file() { "ci" } else { "install" };
    let npm = if cfg!(windows) { "npm.cmd" } else { "npm" };
    run(Command::new(npm).current_dir(dir).env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1").args([
        verb,
        "--no-audit",
        "--no-fund",
    ]))
    .with_context(|| format!("`npm {verb}` failed; Node.js 20+ and npm must be installed and on PATH"))?;
    Ok(Outcome::Done(format!("ran npm {verb}")))
}

/// `rustup toolchain install nightly` (minimal profile) and `cargo install cargo-fuzz` at
/// [`crate::fuzz::CARGO_FUZZ_VERSION`], each only when missing.
fn fuzz_tools(root: &Path) -> Result<Outcome> {
    use crate::fuzz::{CARGO_FUZZ_VERSION, TOOLCHAIN, nightly_cargo};
    let mut did = Vec::new();
    let has_nightly = probe("rustup", ["toolchain", "list"])
        .context("rustup is needed to install the nightly toolchain for cargo-fuzz")?
        .lines()
        .any(|l| l.starts_with(&format!("{TOOLCHAIN}-")));
    if !has_nightly {
        run(Command::new("rustup").args(["toolchain", "install", TOOLCHAIN, "--profile", "minimal"]))?;
        did.push(format!("installed the {TOOLCHAIN} toolchain"));
    }
    let version = nightly_cargo(root).args(["fuzz", "--version"]).stderr(std::process::Stdio::null()).output();
    let current = version.ok().filter(|o| o.status.success()).map(|o| String::from_utf8_lossy(&o.stdout).into_owned());
    if !current.as_deref().is_some_and(|v| v.split_whitespace().any(|w| w == CARGO_FUZZ_VERSION)) {
        run(Command::new("cargo").args([
            "install",
            "cargo-fuzz",
            "--locked",
            "--version",
            &format!("={CARGO_FUZZ_VERSION}"),
        ]))?;
        did.push(format!("installed cargo-fuzz {CARGO_FUZZ_VERSION}"));
    }
    Ok(if did.is_empty() {
        Outcome::AlreadyDone(format!("{TOOLCHAIN}, cargo-fuzz {CARGO_FUZZ_VERSION}"))
    } else {
        Outcome::Done(did.join(", "))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runner_version_must_match_exactly() {
        assert!(runner_version_matches("wasm-bindgen-test-runner 0.2.130\n", "0.2.130"));
        assert!(!runner_version_matches("wasm-bindgen-test-runner 0.2.1300\n", "0.2.130"));
        assert!(!runner_version_matches("wasm-bindgen-test-runner 0.2.129\n", "0.2.130"));
    }
}
