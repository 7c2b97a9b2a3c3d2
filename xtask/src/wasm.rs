//! `cargo xtask dist`: release wasm builds run through wasm-bindgen (linked as a library,
//! so its version is exactly the one pinned in the workspace) and binaryen's wasm-opt.

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};
use flate2::Compression;
use flate2::write::GzEncoder;

use crate::setup::{self, Step, WASM_TARGET};
use crate::util::{self, cargo, describe, fmt_bytes, fmt_duration, run, timed};

/// What a build is tuned for. Browsers download the module, so its size decides how soon a
/// page works; Node reads it from disk, so there speed is all that counts (the mock serves
/// every request of a test suite).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tuning {
    /// Cargo profile `wasm-release` (`opt-level = "z"`), then `wasm-opt -Oz`.
    Size,
    /// Cargo profile `wasm-speed` (`opt-level = 3`), then `wasm-opt -O3`.
    Speed,
}

impl Tuning {
    /// The cargo profile (defined in the root Cargo.toml).
    pub fn profile(self) -> &'static str {
        match self {
            Tuning::Size => "wasm-release",
            Tuning::Speed => "wasm-speed",
        }
    }

    /// wasm-opt arguments. Binaryen 132's default feature set accepts what rustc and
    /// wasm-bindgen emit (reference types, bulk memory, ...). Never `-all`: it lets wasm-opt
    /// use features browsers or Node may not run. `--low-memory-unused` (nothing reads or
    /// writes the first 1 KiB: rustc puts data above the 1 MiB stack, whose bottom only a
    /// stack overflow would reach) and `--zero-filled-memory` (the module defines its memory,
    /// which starts zeroed) let it fold more addresses and drop zero data: 3.3 KiB gzip off the
    /// playground (docs/wasm-size.md).
    fn wasm_opt_args(self) -> &'static [&'static str] {
        match self {
            Tuning::Size => &["-Oz", "--low-memory-unused", "--zero-filled-memory"],
            Tuning::Speed => &["-O3", "--low-memory-unused", "--zero-filled-memory"],
        }
    }
}

/// How wasm-bindgen shapes the JS glue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JsTarget {
    /// ES module with an `init()` that fetches the `.wasm` (browsers).
    Web,
    /// CommonJS module that reads the `.wasm` synchronously (Node).
    Nodejs,
}

/// One wasm-bindgen output: a JS target written to a directory (relative to the repo root).
#[derive(Clone, Copy, Debug)]
pub struct Output {
    pub target: JsTarget,
    pub dir: &'static str,
    pub tuning: Tuning,
}

/// A wasm crate that `cargo xtask dist` builds once its manifest exists.
#[derive(Clone, Copy, Debug)]
pub struct Package {
    /// Cargo package name.
    pub crate_name: &'static str,
    /// Manifest path relative to the repo root; the package is skipped while it is absent.
    pub manifest: &'static str,
    pub outputs: &'static [Output],
    /// Files copied after the build: (source, destination), relative to the repo root.
    pub assets: &'static [(&'static str, &'static str)],
    /// Further wasm crates built into the same package after this one. Each build empties
    /// its own output directories first, so a companion's may lie inside this package's
    /// (it is built after), but no other output may lie inside another's.
    pub companions: &'static [Package],
}

/// scim-learn's battery and replayer as a second module of the npm package, which its JS
/// entries load on the first learnProfile, learnDryRun or replayScenario call. The
/// playground gets the same crate in its own `learn/` directory.
const LEARNER: Package = Package {
    crate_name: "scim-learn-wasm",
    manifest: "crates/scim-learn-wasm/Cargo.toml",
    outputs: &[
        Output { target: JsTarget::Web, dir: "dist/scim-wasm/learn/web", tuning: Tuning::Size },
        Output { target: JsTarget::Nodejs, dir: "dist/scim-wasm/learn/node", tuning: Tuning::Size },
    ],
    assets: &[],
    companions: &[],
};

/// Registered wasm packages. Each starts building as soon as its manifest appears.
pub const PACKAGES: &[Package] = &[
    Package {
        crate_name: "scim-wasm",
        manifest: "crates/scim-wasm/Cargo.toml",
        outputs: &[
            Output { target: JsTarget::Web, dir: "dist/scim-wasm/web", tuning: Tuning::Size },
            Output { target: JsTarget::Nodejs, dir: "dist/scim-wasm/node", tuning: Tuning::Speed },
        ],
        // The npm package around the two bindings: manifest with browser/node exports,
        // the hand-written adapters (fetch mock, msw, Playwright, Node listener; one shared
        // conversion in core.js), sessions and archives (HAR, Postman) with their types,
        // one entry per target, README, changelog and the examples the kit tests run.
        assets: &[
            ("crates/scim-wasm/js/package.json", "dist/scim-wasm/package.json"),
            ("crates/scim-wasm/README.md", "dist/scim-wasm/README.md"),
            ("crates/scim-wasm/CHANGELOG.md", "dist/scim-wasm/CHANGELOG.md"),
            ("crates/scim-wasm/js/index.d.ts", "dist/scim-wasm/index.d.ts"),
            ("crates/scim-wasm/js/core.js", "dist/scim-wasm/core.js"),
            ("crates/scim-wasm/js/fast.js", "dist/scim-wasm/fast.js"),
            ("crates/scim-wasm/js/fetch-mock.js", "dist/scim-wasm/fetch-mock.js"),
            ("crates/scim-wasm/js/fetch-mock.d.ts", "dist/scim-wasm/fetch-mock.d.ts"),
            ("crates/scim-wasm/js/msw.js", "dist/scim-wasm/msw.js"),
            ("crates/scim-wasm/js/msw.d.ts", "dist/scim-wasm/msw.d.ts"),
            ("crates/scim-wasm/js/playwright.js", "dist/scim-wasm/playwright.js"),
            ("crates/scim-wasm/js/playwright.d.ts", "dist/scim-wasm/playwright.d.ts"),
            ("crates/scim-wasm/js/listener.js", "dist/scim-wasm/listener.js"),
            ("crates/scim-wasm/js/listener.d.ts", "dist/scim-wasm/listener.d.ts"),
            ("crates/scim-wasm/js/archive.js", "dist/scim-wasm/archive.js"),
            ("crates/scim-wasm/js/archive.d.ts", "dist/scim-wasm/archive.d.ts"),
            ("crates/scim-wasm/js/scenario.js", "dist/scim-wasm/scenario.js"),
            ("crates/scim-wasm/js/scenario.d.ts", "dist/scim-wasm/scenario.d.ts"),
            ("crates/scim-wasm/js/remote.js", "dist/scim-wasm/remote.js"),
            ("crates/scim-wasm/js/remote.d.ts", "dist/scim-wasm/remote.d.ts"),
            ("crates/scim-wasm/examples/vitest/scim.test.js", "dist/scim-wasm/examples/vitest/scim.test.js"),
            ("crates/scim-wasm/examples/playwright/scim.spec.js", "dist/scim-wasm/examples/playwright/scim.spec.js"),
            ("crates/scim-wasm/examples/node/server.mjs", "dist/scim-wasm/examples/node/server.mjs"),
            ("crates/scim-wasm/js/web-index.js", "dist/scim-wasm/web/index.js"),
            ("crates/scim-wasm/js/node-index.mjs", "dist/scim-wasm/node/index.mjs"),
        ],
        companions: &[LEARNER],
    },
    Package {
        crate_name: "scim-playground",
        manifest: "web/Cargo.toml",
        outputs: &[Output { target: JsTarget::Web, dir: "dist/playground", tuning: Tuning::Size }],
        assets: &[
            ("index.html", "dist/playground/index.html"),
            ("web/style.css", "dist/playground/style.css"),
            ("web/embed-example.html", "dist/playground/embed-example.html"),
        ],
        // The Learn button's module (web/src/learner.rs loads it from learn/).
        companions: &[Package {
            crate_name: "scim-learn-wasm",
            manifest: "crates/scim-learn-wasm/Cargo.toml",
            outputs: &[Output { target: JsTarget::Web, dir: "dist/playground/learn", tuning: Tuning::Size }],
            assets: &[],
            companions: &[],
        }],
    },
];

impl Package {
    pub fn exists(&self, root: &Path) -> bool {
        root.join(self.manifest).is_file()
    }
}

pub fn find(name: &str) -> Option<&'static Package> {
    PACKAGES.iter().find(|p| p.crate_name == name)
}

/// A registered package or a companion of one.
pub fn find_any(name: &str) -> Option<&'static Package> {
    PACKAGES.iter().chain(PACKAGES.iter().flat_map(|p| p.companions.iter())).find(|p| p.crate_name == name)
}

/// The release `.wasm` of one package as cargo wrote it (before wasm-bindgen and wasm-opt).
pub fn release_wasm(root: &Path, crate_name: &str) -> Result<PathBuf> {
    setup::run_steps(root, &[Step::WasmTarget])?;
    cargo_build_wasm(root, crate_name, Tuning::Size)
}

/// `cargo xtask dist [CRATE...]`: build the named packages, or every one that exists.
pub fn dist(root: &Path, names: &[String]) -> Result<()> {
    let mut packages = Vec::new();
    for name in names {
        let Some(package) = find(name) else {
            let known: Vec<&str> = PACKAGES.iter().map(|p| p.crate_name).collect();
            bail!("unknown wasm package `{name}`; registered: {}", known.join(", "));
        };
        if !package.exists(root) {
            bail!("{name} is registered but {} does not exist yet", package.manifest);
        }
        packages.push(package);
    }
    if names.is_empty() {
        packages.extend(PACKAGES.iter().filter(|p| p.exists(root)));
    }
    if packages.is_empty() {
        let known: Vec<String> = PACKAGES.iter().map(|p| format!("{} ({})", p.crate_name, p.manifest)).collect();
        println!("dist: no wasm crates exist yet; nothing to build (registered: {})", known.join(", "));
        return Ok(());
    }
    let mut reports = Vec::new();
    for package in packages {
        reports.extend(dist_package(root, package)?);
    }
    println!("\ndist sizes (after wasm-opt):");
    for r in &reports {
        let shown = r.file.strip_prefix(root).unwrap_or(&r.file);
        println!(
            "  {:<48} {:>11} raw (bindgen {:>11}) {:>11} gzip",
            shown.display(),
            fmt_bytes(r.raw),
            fmt_bytes(r.bindgen_raw),
            fmt_bytes(r.gzip)
        );
    }
    Ok(())
}

/// Build one registered package and copy its assets.
pub fn dist_package(root: &Path, package: &Package) -> Result<Vec<SizeReport>> {
    let outputs: Vec<(JsTarget, PathBuf, Tuning)> =
        package.outputs.iter().map(|o| (o.target, root.join(o.dir), o.tuning)).collect();
    let mut reports = build_wasm_package(root, package.crate_name, &outputs)?;
    for companion in package.companions {
        reports.extend(dist_package(root, companion)?);
    }
    for (from, to) in package.assets {
        let (from, to) = (root.join(from), root.join(to));
        if let Some(parent) = to.parent() {
            fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
        }
        fs::copy(&from, &to).with_context(|| format!("copying {} to {}", from.display(), to.display()))?;
        println!("dist: copied {}", to.display());
    }
    Ok(reports)
}

/// Sizes of one optimised `_bg.wasm`.
#[derive(Debug, Clone)]
pub struct SizeReport {
    pub file: PathBuf,
    pub bindgen_raw: u64,
    pub raw: u64,
    pub gzip: u64,
}

/// Release-build `crate_name` for wasm32 (once per [`Tuning`] the outputs ask for), run
/// wasm-bindgen for each `(target, out_dir, tuning)` (each out_dir is emptied first), optimise
/// each `_bg.wasm` with wasm-opt as its tuning says, and report raw and gzip sizes. JS and wasm
/// files are named after the crate with `_`.
pub fn build_wasm_package(
    root: &Path,
    crate_name: &str,
    outputs: &[(JsTarget, PathBuf, Tuning)],
) -> Result<Vec<SizeReport>> {
    setup::run_steps(root, &[Step::WasmTarget, Step::NodeModules])?;
    check_bindgen_version(root)?;
    let wasm_opt = wasm_opt_path(root)?;

    let mut built: Vec<(Tuning, PathBuf)> = Vec::new();
    let out_name = crate_name.replace('-', "_");
    let mut reports = Vec::new();
    for (target, out_dir, tuning) in outputs {
        let wasm = match built.iter().find(|(t, _)| t == tuning) {
            Some((_, wasm)) => wasm.clone(),
            None => {
                let (wasm, took) = timed(|| cargo_build_wasm(root, crate_name, *tuning));
                let wasm = wasm?;
                println!("dist: built {} in {}", wasm.display(), fmt_duration(took));
                // The build may have written Cargo.lock for the first time: check again.
                check_bindgen_version(root)?;
                built.push((*tuning, wasm.clone()));
                wasm
            }
        };
        if out_dir.exists() {
            fs::remove_dir_all(out_dir).with_context(|| format!("emptying {}", out_dir.display()))?;
        }
        fs::create_dir_all(out_dir).with_context(|| format!("creating {}", out_dir.display()))?;

        let (result, took) = timed(|| bindgen(&wasm, &out_name, *target, out_dir));
        result.with_context(|| format!("wasm-bindgen ({target:?}) on {} failed", wasm.display()))?;
        let bg = out_dir.join(format!("{out_name}_bg.wasm"));
        let bindgen_raw = file_size(&bg)?;
        println!("dist: wasm-bindgen {target:?} -> {} in {}", out_dir.display(), fmt_duration(took));

        let (result, took) = timed(|| optimize(&wasm_opt, &bg, *tuning));
        result?;
        let raw = file_size(&bg)?;
        let gzip = gzip_size(&bg)?;
        println!(
            "dist: {} ({tuning:?}): {} after wasm-bindgen, {} after wasm-opt ({}), {} gzip",
            bg.display(),
            fmt_bytes(bindgen_raw),
            fmt_bytes(raw),
            fmt_duration(took),
            fmt_bytes(gzip)
        );
        reports.push(SizeReport { file: bg, bindgen_raw, raw, gzip });
    }
    Ok(reports)
}

/// The wasm-bindgen this binary links must be the one the wasm crates compile against:
/// otherwise the generated glue does not match the module (a runtime failure).
pub fn check_bindgen_version(root: &Path) -> Result<()> {
    let linked = util::locked_version(root, "wasm-bindgen-cli-support")?
        .context("Cargo.lock has no wasm-bindgen-cli-support entry; run `cargo build -p xtask` to write it")?;
    let used = util::wasm_bindgen_version(root)?;
    same_bindgen_version(&linked, &used)
}

fn same_bindgen_version(linked: &str, used: &str) -> Result<()> {
    if linked != used {
        bail!(
            "wasm-bindgen version skew: the wasm crates use wasm-bindgen {used} but xtask links \
             wasm-bindgen-cli-support {linked}. Pin both to the same exact version in the root \
             Cargo.toml ([workspace.dependencies] wasm-bindgen = \"={used}\" and \
             wasm-bindgen-cli-support = \"={used}\"), then rerun."
        );
    }
    Ok(())
}

fn wasm_opt_path(root: &Path) -> Result<PathBuf> {
    let name = if cfg!(windows) { "wasm-opt.cmd" } else { "wasm-opt" };
    let path = root.join("node_modules/.bin").join(name);
    if !path.exists() {
        bail!(
            "{} is missing: binaryen must be in package.json devDependencies \
             (then `cargo xtask setup`)",
            path.display()
        );
    }
    Ok(path)
}

/// `cargo build --target wasm32-unknown-unknown --profile <tuning's profile>` for one package;
/// returns the `.wasm` it produced (a cdylib's or, failing that, a bin's).
fn cargo_build_wasm(root: &Path, crate_name: &str, tuning: Tuning) -> Result<PathBuf> {
    let mut cmd = cargo(root);
    cmd.args([
        "build",
        "-p",
        crate_name,
        "--target",
        WASM_TARGET,
        "--profile",
        tuning.profile(),
        "--message-format=json-render-diagnostics",
    ]);
    let shown = describe(&cmd);
    eprintln!("$ {shown}");
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .with_context(|| format!("could not start `{shown}`"))?;
    let stdout = child.stdout.take().context("cargo's stdout was not captured")?;

    let mut cdylibs = Vec::new();
    let mut bins = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.context("reading cargo's output")?;
        let Ok(msg) = serde_json::from_str::<serde_json::Value>(&line) else {
            continue;
        };
        if msg["reason"] != "compiler-artifact" {
            continue;
        }
        // Only the requested package's own targets: dependencies may be cdylibs too
        // (wasm-streams is), and their .wasm must not be mistaken for ours.
        let target_name = msg["target"]["name"].as_str().unwrap_or_default().replace('-', "_");
        if target_name != crate_name.replace('-', "_") {
            continue;
        }
        let kinds: Vec<&str> =
            msg["target"]["kind"].as_array().map(|k| k.iter().filter_map(|v| v.as_str()).collect()).unwrap_or_default();
        let wasm_files = msg["filenames"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|f| f.as_str())
            .filter(|f| f.ends_with(".wasm"))
            .map(PathBuf::from);
        if kinds.contains(&"cdylib") {
            cdylibs.extend(wasm_files);
        } else if kinds.contains(&"bin") {
            bins.extend(wasm_files);
        }
    }
    let status = child.wait().with_context(|| format!("waiting for `{shown}`"))?;
    if !status.success() {
        bail!("`{shown}` failed ({status})");
    }
    let mut found = if cdylibs.is_empty() { bins } else { cdylibs };
    match found.len() {
        1 => found.pop().context("no wasm artifact"),
        0 => bail!(
            "`{shown}` produced no .wasm: {crate_name} needs `crate-type = [\"cdylib\"]` \
             (or a bin target)"
        ),
        _ => bail!(
            "`{shown}` produced several .wasm files ({}); give {crate_name} one cdylib or one bin",
            found.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
        ),
    }
}

fn bindgen(wasm: &Path, out_name: &str, target: JsTarget, out_dir: &Path) -> Result<()> {
    let mut b = wasm_bindgen_cli_support::Bindgen::new();
    // Same settings as the `wasm-bindgen` CLI's defaults. The library's own default omits
    // the module path, leaving `init()` with nothing to fetch.
    b.input_path(wasm).out_name(out_name).typescript(true).omit_default_module_path(false);
    match target {
        JsTarget::Web => b.web(true)?,
        JsTarget::Nodejs => b.nodejs(true)?,
    };
    b.generate(out_dir)?;
    // Tell Node which module system the glue uses (web: ES module; nodejs: CommonJS), so
    // that importing it needs no guessing and a parent package.json cannot mislead it.
    let module_type = match target {
        JsTarget::Web => "module",
        JsTarget::Nodejs => "commonjs",
    };
    let manifest = serde_json::json!({
        "name": out_name.replace('_', "-"),
        "private": true,
        "type": module_type,
        "main": format!("{out_name}.js"),
        "types": format!("{out_name}.d.ts"),
    });
    let path = out_dir.join("package.json");
    let text = serde_json::to_string_pretty(&manifest).context("rendering package.json")?;
    fs::write(&path, text + "\n").with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// wasm-opt in place, as `tuning` says (through a temporary file beside it).
fn optimize(wasm_opt: &Path, wasm: &Path, tuning: Tuning) -> Result<()> {
    let tmp = wasm.with_extension("opt.wasm");
    run(Command::new(wasm_opt).args(tuning.wasm_opt_args()).arg(wasm).arg("-o").arg(&tmp))?;
    fs::rename(&tmp, wasm).with_context(|| format!("moving {} to {}", tmp.display(), wasm.display()))?;
    Ok(())
}

fn file_size(path: &Path) -> Result<u64> {
    Ok(fs::metadata(path).with_context(|| format!("reading size of {}", path.display()))?.len())
}

/// Size of the file after `gzip -9`, as a server would send it.
pub fn gzip_size(path: &Path) -> Result<u64> {
    let bytes = fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(&bytes).context("gzip")?;
    let compressed = encoder.finish().context("gzip")?;
    Ok(compressed.len() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registered_packages_have_distinct_names_and_outputs() {
        let mut names: Vec<&str> = PACKAGES.iter().map(|p| p.crate_name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), PACKAGES.len());
        let all = || PACKAGES.iter().chain(PACKAGES.iter().flat_map(|p| p.companions.iter()));
        let mut dirs: Vec<&str> = all().flat_map(|p| p.outputs.iter().map(|o| o.dir)).collect();
        dirs.sort_unstable();
        dirs.dedup();
        assert_eq!(dirs.len(), all().map(|p| p.outputs.len()).sum::<usize>());
        // Each build empties its own directories: only a companion's may lie inside its
        // package's (built after it), no other output inside another's.
        let owned: Vec<(&str, &str, &str)> = PACKAGES
            .iter()
            .flat_map(|p| {
                let own = p.outputs.iter().map(move |o| (o.dir, p.crate_name, p.crate_name));
                let companions = p
                    .companions
                    .iter()
                    .flat_map(move |c| c.outputs.iter().map(move |o| (o.dir, c.crate_name, p.crate_name)));
                own.chain(companions)
            })
            .collect();
        for (a, a_crate, a_package) in &owned {
            for (b, b_crate, b_package) in &owned {
                let inside = a.starts_with(&format!("{b}/"));
                let companion_in_own_package = a_package == b_package && b_crate == b_package && a_crate != a_package;
                assert!(!inside || companion_in_own_package, "{a} lies inside {b}");
            }
        }
    }

    #[test]
    fn version_skew_is_explained() {
        same_bindgen_version("0.2.130", "0.2.130").expect("equal versions pass");
        let err = same_bindgen_version("0.2.130", "0.2.131").expect_err("skew fails");
        let msg = err.to_string();
        assert!(msg.contains("wasm-bindgen 0.2.131"), "{msg}");
        assert!(msg.contains("wasm-bindgen-cli-support 0.2.130"), "{msg}");
    }

    #[test]
    fn the_linked_bindgen_matches_the_workspace_pin() {
        let root = util::repo_root().expect("repo root");
        check_bindgen_version(&root).expect("versions agree");
    }
}
