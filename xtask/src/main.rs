//! Project automation for SCIM Playground: `cargo xtask <command>`.

mod bench;
mod bench_http;
mod conformance;
mod fuzz;
mod layers;
mod own_server;
mod profiles_doc;
mod setup;
mod test;
mod twiggy;
mod util;
mod wasm;

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};

use crate::util::{cargo, run};

#[derive(Debug, Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask", about = "Build, test and serve SCIM Playground")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Install what builds and tests need (idempotent, non-interactive).
    Setup {
        /// Run only these steps (default: all).
        #[arg(long = "only", value_enum)]
        only: Vec<setup::Step>,
    },
    /// Install what the tests need, then run every test stage in order.
    Test {
        /// Skip lint stages (fmt, clippy).
        #[arg(long)]
        fast: bool,
        /// Run only this stage (repeatable); see --list.
        #[arg(long = "stage", value_name = "NAME")]
        stages: Vec<String>,
        /// List the stages and exit.
        #[arg(long)]
        list: bool,
    },
    /// Release-build the wasm packages into dist/ (wasm-bindgen + wasm-opt).
    Dist {
        /// Packages to build (default: every registered one that exists).
        crates: Vec<String>,
    },
    /// Where a wasm package's bytes go: `twiggy top`, `dominators` and `garbage` on its
    /// release build (installs twiggy on first use).
    Twiggy {
        /// Packages to look at (default: every registered one and its companions).
        crates: Vec<String>,
    },
    /// Build the playground and serve it with the mock SCIM server.
    Serve {
        /// Arguments passed on to the server.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// `cargo xtask bench --only node`: the wasm package in Node against npm scimmy.
    BenchNode,
    /// `cargo xtask bench --only kit`: the packed npm package's size and each adapter's time
    /// per request (fetch mock, msw, Node listener, Playwright) against `MockServer.handle`.
    BenchKit,
    /// Run scim2-cli and scim-sanity against scim-mock with every built-in profile; fail on
    /// outcomes other than those in tests/conformance/expected-*.txt.
    Conformance {
        /// Run only this profile (repeatable); default: every built-in profile.
        #[arg(long)]
        profile: Vec<String>,
        /// Rewrite the expectations from this run instead of checking them.
        #[arg(long)]
        record: bool,
        /// How many (profile, tool) runs go at once, each with its own server.
        #[arg(long, default_value_t = crate::conformance::DEFAULT_JOBS)]
        jobs: usize,
    },
    /// `cargo xtask bench --only http`: wrk against scim-mock, the empty handler behind the same
    /// router stack and the Python scim2-server.
    BenchHttp {
        /// Seconds per wrk run.
        #[arg(long, default_value_t = 6)]
        duration: u64,
    },
    /// Write docs/profiles.md (every built-in profile × every knob, with sources) from the
    /// profile files.
    ProfilesDoc {
        /// Fail when docs/profiles.md differs instead of writing it.
        #[arg(long)]
        check: bool,
    },
    /// Every benchmark in one run (criterion, callgrind, filters, Node vs scimmy, HTTP with wrk,
    /// the front-end kit), each row a median with its spread; writes docs/benchmarks.md.
    Bench {
        /// Run only these parts (repeatable; default: all).
        #[arg(long = "only", value_enum)]
        only: Vec<bench::Part>,
        /// Every part once in a short mode (debug builds), writing nothing under docs/.
        #[arg(long)]
        smoke: bool,
        /// Seconds per wrk run (HTTP part).
        #[arg(long, default_value_t = 6)]
        http_seconds: u64,
        /// Repeats per row of the HTTP and Node parts (at least 5).
        #[arg(long, default_value_t = 5)]
        repeats: u32,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Print the error chain ourselves: anyhow's `Debug` output adds a backtrace whenever
    // RUST_BACKTRACE is set, which buries the one line that says what failed.
    match dispatch(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn dispatch(cli: Cli) -> Result<()> {
    let root = util::repo_root()?;
    match cli.command {
        Cmd::Setup { only } => {
            let steps = if only.is_empty() { setup::Step::ALL.to_vec() } else { only };
            setup::run_steps(&root, &steps)
        }
        Cmd::Test { fast, stages, list } => {
            if list {
                test::list();
                return Ok(());
            }
            test::run_all(&root, &test::Options { fast, only: stages })
        }
        Cmd::Dist { crates } => wasm::dist(&root, &crates),
        Cmd::Twiggy { crates } => twiggy::run_twiggy(&root, &crates),
        Cmd::Serve { args } => serve(&root, &args),
        Cmd::BenchNode => bench_only(&root, bench::Part::Node, 6),
        Cmd::BenchKit => bench_only(&root, bench::Part::Kit, 6),
        Cmd::Conformance { profile, record, jobs } => {
            conformance::run_conformance(&root, &conformance::Options { profiles: profile, record, jobs })
        }
        Cmd::BenchHttp { duration } => bench_only(&root, bench::Part::Http, duration),
        Cmd::ProfilesDoc { check } => profiles_doc::run(&root, check),
        Cmd::Bench { only, smoke, http_seconds, repeats } => {
            bench::run_bench(&root, &bench::Options { only, smoke, http_seconds, repeats })
        }
    }
}

fn bench_only(root: &Path, part: bench::Part, http_seconds: u64) -> Result<()> {
    bench::run_bench(root, &bench::Options { only: vec![part], smoke: false, http_seconds, repeats: 5 })
}

const MOCK_SERVER: &str = "scim-mock";
const PLAYGROUND: &str = "scim-playground";

fn serve(root: &Path, args: &[String]) -> Result<()> {
    if !workspace_has_package(root, MOCK_SERVER)? {
        println!("serve: the mock SCIM server ({MOCK_SERVER}) is not built yet; nothing to serve");
        return Ok(());
    }
    if let Some(playground) = wasm::find(PLAYGROUND).filter(|p| p.exists(root)) {
        wasm::dist_package(root, playground)?;
    }
    // Demo users unless the caller chose a seed; the server prints the URLs it serves
    // (http://127.0.0.1:8080/ by default) and serves dist/playground at / when it exists.
    let mut cmd = cargo(root);
    cmd.args(["run", "--release", "-p", MOCK_SERVER, "--", "serve"]);
    if !args.iter().any(|a| a == "--seed" || a.starts_with("--seed=")) {
        cmd.args(["--seed", "demo"]);
    }
    run(cmd.args(args))
}

fn workspace_has_package(root: &Path, name: &str) -> Result<bool> {
    let output = cargo(root)
        .args(["metadata", "--no-deps", "--format-version", "1"])
        .stderr(std::process::Stdio::inherit())
        .output()
        .context("could not run `cargo metadata`")?;
    if !output.status.success() {
        anyhow::bail!("`cargo metadata --no-deps` failed ({})", output.status);
    }
    let meta: serde_json::Value = serde_json::from_slice(&output.stdout).context("parsing `cargo metadata` output")?;
    Ok(meta["packages"].as_array().is_some_and(|pkgs| pkgs.iter().any(|p| p["name"] == name)))
}
