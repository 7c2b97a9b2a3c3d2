//! `cargo xtask test`: set up what the selected stages need, then run them in order,
//! stopping at the first failure. Add a stage by pushing onto [`stages`].

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, Result, bail};

use crate::setup::{self, CHROMEDRIVER, Step, WASM_TARGET};
use crate::util::{cargo, fmt_duration, run, timed};
use crate::wasm;

type StageFn = Box<dyn Fn(&Path) -> Result<()>>;

/// A named step of the test pipeline.
pub struct Stage {
    pub name: &'static str,
    /// One line for `--list`.
    pub about: &'static str,
    /// Lint-only stages are skipped by `--fast`.
    pub lint: bool,
    /// Setup steps this stage relies on; `test` installs the union of these first.
    pub needs: &'static [Step],
    pub run: StageFn,
}

impl Stage {
    fn new(name: &'static str, about: &'static str, run: impl Fn(&Path) -> Result<()> + 'static) -> Self {
        Stage { name, about, lint: false, needs: &[], run: Box::new(run) }
    }

    fn lint(mut self) -> Self {
        self.lint = true;
        self
    }

    fn needs(mut self, steps: &'static [Step]) -> Self {
        self.needs = steps;
        self
    }
}

/// Every stage, in the order `cargo xtask test` runs them.
pub fn stages() -> Vec<Stage> {
    vec![
        Stage::new(
            "fmt",
            "cargo fmt --all -- --check",
            |root| run(cargo(root).args(["fmt", "--all", "--", "--check"])),
        )
        .lint(),
        Stage::new("clippy", "cargo clippy --workspace --all-targets -- -D warnings", |root| {
            run(cargo(root).args(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]))
        })
        .lint(),
        Stage::new(
            "doc",
            "RUSTDOCFLAGS='-D warnings' cargo doc --no-deps --workspace (broken and private intra-doc links fail)",
            |root| run(cargo(root).env("RUSTDOCFLAGS", "-D warnings").args(["doc", "--no-deps", "--workspace"])),
        )
        .lint(),
        Stage::new(
            "layers",
            "no import cycles in scim-core or web, doors use scim-core's root exports, at most 6 parameters (shrink-only allow-lists)",
            crate::layers::run,
        ),
        Stage::new("test", "cargo test --workspace", |root| run(cargo(root).args(["test", "--workspace"]))),
        Stage::new(
            "clippy-wasm",
            "cargo clippy for wasm32-unknown-unknown: scim-core and scim-playground (lib), scim-wasm (all targets), scim-learn-wasm; -D warnings",
            |root| {
                let mut cmd = cargo(root);
                cmd.args(["clippy", "-p", "scim-core", "-p", "scim-learn-wasm"]);
                if wasm::find("scim-playground").is_some_and(|p| p.exists(root)) {
                    cmd.args(["-p", "scim-playground"]);
                }
                run(cmd.args(["--target", WASM_TARGET, "--", "-D", "warnings"]))?;
                run(cargo(root).args([
                    "clippy",
                    "-p",
                    "scim-wasm",
                    "--all-targets",
                    "--target",
                    WASM_TARGET,
                    "--",
                    "-D",
                    "warnings",
                ]))
            },
        )
        .lint()
        .needs(&[Step::WasmTarget]),
        Stage::new("build-wasm", "cargo build -p scim-core --target wasm32-unknown-unknown", |root| {
            run(cargo(root).args(["build", "-p", "scim-core", "--target", WASM_TARGET]))
        })
        .needs(&[Step::WasmTarget]),
        Stage::new(
            "wasm-vectors",
            "cargo test -p scim-wasm --target wasm32-unknown-unknown (headless Chromium: shared vectors and facade tests)",
            |root| {
                run(cargo(root).env("CHROMEDRIVER", CHROMEDRIVER).args(["test", "-p", "scim-wasm", "--target", WASM_TARGET]))
            },
        )
        .needs(&[Step::WasmTarget, Step::Browser, Step::TestRunner]),
        Stage::new("node", "cargo xtask dist scim-wasm, then node --test crates/scim-wasm/tests/node/*.test.mjs (MockServer, fetch mock, example page in Chromium)", |root| {
            wasm::dist(root, &["scim-wasm".to_string()])?;
            run(Command::new("node").current_dir(root).arg("--test").args(node_tests(root)?))
        })
        .needs(&[Step::WasmTarget, Step::NodeModules, Step::Browser]),
        Stage::new(
            "kit",
            "front-end kit: npm pack dist/scim-wasm into a new consumer project; publint, types, Node listener, HAR schema, newman against scim-mock, Vitest + msw (example and README snippet), Playwright example spec in Chromium",
            kit,
        )
        .needs(&[Step::WasmTarget, Step::NodeModules, Step::KitModules, Step::Browser]),
        Stage::new(
            "conformance",
            "scim2-cli and scim-sanity (pinned, in .venv) against scim-mock with every built-in profile; expected results per profile, failures only shrink",
            |root| {
                crate::conformance::run_conformance(
                    root,
                    &crate::conformance::Options {
                        profiles: Vec::new(),
                        record: false,
                        jobs: crate::conformance::DEFAULT_JOBS,
                    },
                )
            },
        ),
        Stage::new(
            "own-server",
            "scim-mock learn and replay (every scenario) against the Python scim2-server (pinned, in .venv); fails when a tool does not get through",
            crate::own_server::run_stage,
        ),
        Stage::new(
            "bench-smoke",
            "cargo xtask bench --smoke: every benchmark once in a short mode (criterion, callgrind, filters, Node vs scimmy, wrk, kit, the playground in Chromium) so none can rot; asserts no number",
            |root| {
                crate::bench::run_bench(
                    root,
                    &crate::bench::Options { only: Vec::new(), smoke: true, http_seconds: 1, repeats: 1 },
                )
            },
        )
        .needs(&[Step::WasmTarget, Step::NodeModules, Step::KitModules, Step::Browser]),
        Stage::new(
            "fuzz",
            "each cargo-fuzz target of fuzz/ for 20 s over its committed corpus (nightly); fails on a crash or a target that did not run",
            crate::fuzz::run,
        )
        .needs(&[Step::Fuzz]),
        Stage::new(
            "e2e",
            "cargo xtask dist scim-playground, then node tests/e2e/playground.spec.mjs (headless Chromium)",
            e2e,
        )
        .needs(&[Step::WasmTarget, Step::Browser, Step::NodeModules]),
    ]
}

/// The playground end to end: build `dist/playground`, then drive it in Chromium.
fn e2e(root: &Path) -> Result<()> {
    let Some(playground) = wasm::find("scim-playground").filter(|p| p.exists(root)) else {
        println!("e2e: the playground crate is absent; nothing to test");
        return Ok(());
    };
    wasm::dist_package(root, playground)?;
    run(Command::new("node").arg("tests/e2e/playground.spec.mjs").current_dir(root))
}

/// The front-end kit (crates/scim-wasm/kit/run.mjs): builds what it needs first (the npm
/// package, scim-mock for newman, and the playground's history export when the playground
/// crate exists), so `--stage kit` works on a fresh clone.
fn kit(root: &Path) -> Result<()> {
    wasm::dist(root, &["scim-wasm".to_string()])?;
    run(cargo(root).args(["build", "-p", "scim-mock"]))?;
    let target = crate::conformance::target_dir(root);
    let target = if target.is_absolute() { target } else { root.join(target) };
    let mut cmd = Command::new("node");
    cmd.current_dir(root)
        .arg(format!("{}/run.mjs", setup::KIT_DIR))
        .env("SCIM_MOCK_BIN", target.join("debug/scim-mock"));
    if wasm::find("scim-playground").is_some_and(|p| p.exists(root)) {
        let out = target.join("kit");
        std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
        let export = out.join("playground-export.json");
        run(cargo(root)
            .args(["run", "-q", "-p", "scim-playground", "--example", "history_export", "--"])
            .arg(&export))?;
        cmd.env("PLAYGROUND_EXPORT", &export);
    }
    run(&mut cmd)
}

/// The Node test files of the wasm package, sorted (Node 20's `--test` does not expand globs).
fn node_tests(root: &Path) -> Result<Vec<String>> {
    let dir = "crates/scim-wasm/tests/node";
    let mut files: Vec<String> = std::fs::read_dir(root.join(dir))
        .with_context(|| format!("listing {dir}"))?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".test.mjs"))
        .map(|n| format!("{dir}/{n}"))
        .collect();
    files.sort();
    if files.is_empty() {
        bail!("no *.test.mjs files in {dir}");
    }
    Ok(files)
}

#[derive(Debug, Default)]
pub struct Options {
    /// Skip lint-only stages (fmt, clippy, doc, clippy-wasm).
    pub fast: bool,
    /// Run only these stages (by name), in pipeline order.
    pub only: Vec<String>,
}

pub fn list() {
    for stage in stages() {
        let tag = if stage.lint { " (lint)" } else { "" };
        println!("{:<14} {}{tag}", stage.name, stage.about);
    }
}

pub fn run_all(root: &Path, opts: &Options) -> Result<()> {
    let all = stages();
    for name in &opts.only {
        if !all.iter().any(|s| s.name == name) {
            let known: Vec<&str> = all.iter().map(|s| s.name).collect();
            bail!("unknown stage `{name}`; stages: {}", known.join(", "));
        }
    }
    let selected: Vec<Stage> = all
        .into_iter()
        .filter(|s| if opts.only.is_empty() { !(opts.fast && s.lint) } else { opts.only.iter().any(|n| n == s.name) })
        .collect();
    if selected.is_empty() {
        bail!("no stage selected");
    }

    let needs: Vec<Step> = selected.iter().flat_map(|s| s.needs.iter().copied()).collect();
    let (result, took) = timed(|| setup::run_steps(root, &needs));
    result?;
    println!("setup finished in {}", fmt_duration(took));

    let total = selected.len();
    let mut done: Vec<(&str, Duration)> = Vec::new();
    for (i, stage) in selected.iter().enumerate() {
        println!("\n==> [{}/{total}] {}: {}", i + 1, stage.name, stage.about);
        let (result, took) = timed(|| (stage.run)(root));
        if let Err(err) = result {
            println!("<== {} FAILED after {}", stage.name, fmt_duration(took));
            summary(&done);
            println!("{} passed, 1 failed", done.len());
            bail!("stage `{}` failed: {err:#}", stage.name);
        }
        println!("<== {} passed in {}", stage.name, fmt_duration(took));
        done.push((stage.name, took));
    }
    summary(&done);
    println!("{} passed, 0 failed", done.len());
    Ok(())
}

fn summary(done: &[(&str, Duration)]) {
    println!("\nstage timings:");
    for (name, took) in done {
        println!("  {name:<14} {:>8}  ok", fmt_duration(*took));
    }
    let total: Duration = done.iter().map(|(_, d)| *d).sum();
    println!("  {:<14} {:>8}", "total", fmt_duration(total));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_names_are_unique() {
        let stages = stages();
        let mut names: Vec<&str> = stages.iter().map(|s| s.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), stages.len());
    }

    #[test]
    fn doc_is_a_lint_stage_beside_clippy() {
        let stages = stages();
        let at = |name: &str| stages.iter().position(|s| s.name == name).unwrap_or_else(|| panic!("no stage {name}"));
        assert!(stages[at("doc")].lint, "--fast must skip doc like the other lints");
        assert_eq!(at("doc"), at("clippy") + 1);
    }
}
