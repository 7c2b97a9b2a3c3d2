//! The `fuzz` stage: each cargo-fuzz target of `fuzz/` (its own workspace, nightly) runs for
//! a short, bounded time over its committed corpus (`fuzz/corpus/TARGET`, read-only: new
//! inputs go to a scratch directory). The stage fails when a target crashes, or when it did
//! not run (no libFuzzer final statistics). Long campaigns and their figures:
//! docs/reliability.md.

use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

use crate::util::{describe, fmt_duration, timed};

/// The toolchain cargo-fuzz builds with (sanitizer flags need nightly).
pub const TOOLCHAIN: &str = "nightly";
/// cargo-fuzz, pinned.
pub const CARGO_FUZZ_VERSION: &str = "0.13.1";
/// Seconds per target in `cargo xtask test` (`SCIM_FUZZ_SECONDS` overrides).
const SECONDS: u64 = 20;

/// `cargo +nightly ...` through rustup's proxy, with the outer cargo's choices removed.
pub fn nightly_cargo(root: &Path) -> Command {
    let mut cmd = Command::new("cargo");
    cmd.current_dir(root)
        .arg(format!("+{TOOLCHAIN}"))
        .env_remove("CARGO")
        .env_remove("RUSTC")
        .env_remove("RUSTUP_TOOLCHAIN")
        // fuzz/ builds into fuzz/target: other flags, other toolchain.
        .env_remove("CARGO_TARGET_DIR");
    cmd
}

/// The targets `fuzz/Cargo.toml` declares (`[[bin]] name = ...`).
fn targets(root: &Path) -> Result<Vec<String>> {
    let manifest = std::fs::read_to_string(root.join("fuzz/Cargo.toml")).context("reading fuzz/Cargo.toml")?;
    let mut out = Vec::new();
    let mut in_bin = false;
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_bin = line == "[[bin]]";
        } else if let (true, Some(rest)) = (in_bin, line.strip_prefix("name")) {
            out.push(rest.trim_start_matches([' ', '=']).trim().trim_matches('"').to_string());
        }
    }
    if out.is_empty() {
        bail!("fuzz/Cargo.toml declares no [[bin]] targets");
    }
    Ok(out)
}

/// The executions libFuzzer reports in its final statistics.
fn executions(stderr: &str) -> Option<u64> {
    stderr.lines().find_map(|l| l.strip_prefix("stat::number_of_executed_units:")).and_then(|n| n.trim().parse().ok())
}

pub fn run(root: &Path) -> Result<()> {
    let seconds: u64 = std::env::var("SCIM_FUZZ_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(SECONDS);
    // No sanitizer: the code under test has no `unsafe`, and ASan would halve the executions.
    crate::util::run(nightly_cargo(root).args(["fuzz", "build", "-O", "-s", "none"]))?;
    let scratch = std::env::temp_dir().join(format!("scim-fuzz-{}", std::process::id()));
    for target in targets(root)? {
        let corpus = root.join("fuzz/corpus").join(&target);
        let fresh = scratch.join(&target);
        std::fs::create_dir_all(&fresh).with_context(|| format!("creating {}", fresh.display()))?;
        let mut cmd = nightly_cargo(root);
        cmd.args(["fuzz", "run", "-O", "-s", "none", &target]).arg(&fresh).arg(&corpus).args([
            "--",
            &format!("-max_total_time={seconds}"),
            "-print_final_stats=1",
            "-rss_limit_mb=2048",
        ]);
        eprintln!("$ {}", describe(&cmd));
        let (output, took) = timed(|| cmd.stdin(Stdio::null()).output());
        let output = output.with_context(|| format!("could not start cargo fuzz for {target}"))?;
        let stderr = String::from_utf8_lossy(&output.stderr);
        if !output.status.success() {
            let tail: Vec<&str> = stderr.lines().rev().take(60).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            bail!(
                "fuzz target {target} failed ({}); the crashing input is under fuzz/artifacts/{target}/ \
                 (add it as a vector or a test, then to the corpus):\n{}",
                output.status,
                tail.join("\n")
            );
        }
        let Some(runs) = executions(&stderr) else {
            bail!("fuzz target {target} did not report its executions; it may not have run:\n{stderr}");
        };
        if runs == 0 {
            bail!("fuzz target {target} ran 0 inputs");
        }
        println!("fuzz: {target}: {runs} executions, no crash, in {}", fmt_duration(took));
    }
    std::fs::remove_dir_all(&scratch).ok();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn final_stats_are_read() {
        let out = "#123 DONE\nstat::number_of_executed_units: 48213\nstat::average_exec_per_sec:     2410\n";
        assert_eq!(executions(out), Some(48213));
        assert_eq!(executions("no stats"), None);
    }
}
