//! `cargo xtask bench`: every benchmark of the project in one run, on one machine state.
//!
//! Parts, in order (each can be picked with `--only`):
//!
//! - `core`: criterion, `crates/scim-core/benches/core.rs` (PUT replace with and without the
//!   explanation, GET by id, POST at 1k/10k/100k users);
//! - `callgrind`: instructions per PUT of `crates/scim-core/examples/putloop.rs` under
//!   valgrind (installed with apt when missing), the figure that does not move with load;
//! - `filter`: criterion, `crates/scim-core/benches/query.rs` (filters at 100k users);
//! - `node`: the wasm package in Node against npm scimmy (`crates/scim-wasm/bench/bench.mjs`);
//! - `http`: wrk against scim-mock, the empty handler behind the same router stack and the
//!   Python scim2-server ([`crate::bench_http`]);
//! - `kit`: the npm package's size and each JS adapter's overhead (`crates/scim-wasm/kit/bench.mjs`);
//! - `browser`: the playground in headless Chromium (`tests/e2e/measure.mjs`): what the page
//!   loads (gzip, brotli) against a toy leptos app built the same way (`web/toy`), the npm
//!   package's wasm, time to interactive and Send → Differences with up to 10k users per lane.
//!
//! Every row is a median with its spread: criterion rows over criterion's samples (median and
//! interquartile range of the time per iteration), the others over at least five repeats
//! (median, min–max), peers interleaved with the engine in the same run. The results go to
//! `docs/benchmarks.md`: each part replaces only its own `## ` section, so sections written by
//! other commands (the playground timings) stay as they are.
//!
//! `--smoke` (the `bench-smoke` test stage) runs every part once in a short mode, in debug
//! builds, and writes nothing under `docs/`: it proves the benches still run, it asserts no
//! number.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::conformance::target_dir;
use crate::util::{cargo, probe, run};
use crate::{setup, wasm};

/// One benchmark of `cargo xtask bench`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Part {
    Core,
    Callgrind,
    Filter,
    Node,
    Http,
    Kit,
    Browser,
}

impl Part {
    pub const ALL: [Part; 7] =
        [Part::Core, Part::Callgrind, Part::Filter, Part::Node, Part::Http, Part::Kit, Part::Browser];
}

#[derive(Debug, Clone)]
pub struct Options {
    pub only: Vec<Part>,
    pub smoke: bool,
    /// Seconds per wrk repeat (the HTTP part).
    pub http_seconds: u64,
    /// Repeats per row of the repeated parts (HTTP, Node); at least five outside smoke mode.
    pub repeats: u32,
}

/// A median and the spread around it.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Spread {
    pub median: f64,
    pub low: f64,
    pub high: f64,
    pub n: usize,
}

impl Spread {
    /// Median and min–max of `xs` (NaN dropped); zeros when empty.
    pub fn min_max(xs: &[f64]) -> Spread {
        let v = sorted(xs);
        match (v.first(), v.last()) {
            (Some(&low), Some(&high)) => Spread { median: quantile(&v, 0.5), low, high, n: v.len() },
            _ => Spread::default(),
        }
    }

    /// Median and interquartile range of `xs` (NaN dropped); zeros when empty.
    pub fn iqr(xs: &[f64]) -> Spread {
        let v = sorted(xs);
        if v.is_empty() {
            return Spread::default();
        }
        Spread { median: quantile(&v, 0.5), low: quantile(&v, 0.25), high: quantile(&v, 0.75), n: v.len() }
    }
}

fn sorted(xs: &[f64]) -> Vec<f64> {
    let mut v: Vec<f64> = xs.iter().copied().filter(|x| !x.is_nan()).collect();
    v.sort_by(f64::total_cmp);
    v
}

/// Linear-interpolated quantile of sorted, non-empty `v`.
fn quantile(v: &[f64], q: f64) -> f64 {
    let pos = q * (v.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    let (a, b) = (v.get(lo).copied().unwrap_or(0.0), v.get(hi).copied().unwrap_or(0.0));
    a + (b - a) * (pos - lo as f64)
}

/// Machine and load, read at the start and the end of a run.
#[derive(Debug, Clone)]
pub struct Machine {
    pub cpu: String,
    pub cores: usize,
}

impl Machine {
    pub fn read() -> Machine {
        let cpu = fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|c| {
                c.lines()
                    .find(|l| l.starts_with("model name"))
                    .and_then(|l| l.split(':').nth(1))
                    .map(|s| s.trim().to_owned())
            })
            .unwrap_or_else(|| "unknown CPU".into());
        Machine { cpu, cores: std::thread::available_parallelism().map_or(0, std::num::NonZero::get) }
    }
}

/// The 1, 5 and 15 minute load averages, as `/proc/loadavg` prints them.
pub fn load_average() -> String {
    let load = fs::read_to_string("/proc/loadavg").unwrap_or_default();
    load.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
}

pub fn utc_now() -> String {
    probe("date", ["-u", "+%Y-%m-%d %H:%M UTC"]).unwrap_or_default().trim().to_owned()
}

/// Installs a Debian package when `tool` is not on PATH (root, or through sudo).
pub fn ensure_apt_tool(tool: &str, package: &str) -> Result<()> {
    if Command::new(tool).arg("--version").output().is_ok() {
        return Ok(());
    }
    let sudo = probe("id", ["-u"]).is_some_and(|u| u.trim() != "0");
    let mut cmd = if sudo { Command::new("sudo") } else { Command::new("apt-get") };
    if sudo {
        cmd.arg("apt-get");
    }
    run(cmd.args(["install", "-y", "--no-install-recommends", package]).env("DEBIAN_FRONTEND", "noninteractive"))
        .with_context(|| format!("installing {package} with apt-get"))
}

/// Where a run keeps its scratch files (and, in smoke mode, the document it would write).
fn out_dir(root: &Path, smoke: bool) -> Result<PathBuf> {
    let dir = target_dir(root).join(if smoke { "bench-smoke" } else { "bench" });
    fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}

/// The document the sections go to: `docs/benchmarks.md`, or a copy in the target directory
/// in smoke mode (so the test stage never rewrites the docs).
pub fn doc_path(root: &Path, smoke: bool) -> Result<PathBuf> {
    if smoke {
        let copy = out_dir(root, true)?.join("benchmarks.md");
        if !copy.exists() {
            let _ = fs::copy(root.join("docs/benchmarks.md"), &copy);
        }
        Ok(copy)
    } else {
        Ok(root.join("docs/benchmarks.md"))
    }
}

pub fn run_bench(root: &Path, opts: &Options) -> Result<()> {
    let parts: Vec<Part> = if opts.only.is_empty() { Part::ALL.to_vec() } else { opts.only.clone() };
    if !opts.smoke && opts.repeats < 5 {
        bail!("--repeats {} is fewer than five; a median needs at least five repeats", opts.repeats);
    }
    let machine = Machine::read();
    let load_before = load_average();
    let date = utc_now();
    let doc = doc_path(root, opts.smoke)?;
    let mut summary = Summary::default();
    let mut failures: Vec<String> = Vec::new();
    for part in &parts {
        println!("\n==> bench {part:?}{}", if opts.smoke { " (smoke)" } else { "" });
        let result = match part {
            Part::Core => core(root, opts, &doc, &mut summary),
            Part::Callgrind => callgrind(root, opts, &doc, &mut summary),
            Part::Filter => filter(root, opts, &doc, &mut summary),
            Part::Node => node(root, opts, &doc, &mut summary),
            Part::Http => crate::bench_http::run(
                root,
                &crate::bench_http::Options {
                    duration: opts.http_seconds,
                    connections: 64,
                    repeats: opts.repeats,
                    smoke: opts.smoke,
                },
                &doc,
            )
            .map(|h| summary.http = Some(h)),
            Part::Kit => kit(root, opts),
            Part::Browser => browser(root, opts, &doc).map(|b| summary.browser = Some(b)),
        };
        if let Err(e) = result {
            println!("bench {part:?} FAILED: {e:#}");
            failures.push(format!("{part:?}: {e:#}"));
        }
    }
    let load_after = load_average();
    if parts.len() == Part::ALL.len() {
        let section = summary.render(&machine, &date, &load_before, &load_after, opts.smoke);
        write_section(&doc, SUMMARY_HEADING, &section, true)?;
    }
    println!("\nload average before {load_before}, after {load_after}; sections written to {}", doc.display());
    if !failures.is_empty() {
        bail!("{} bench part(s) failed:\n{}", failures.len(), failures.join("\n"));
    }
    Ok(())
}

// --- criterion ----------------------------------------------------------------------------

/// One criterion benchmark's samples, read back from `target/criterion`.
#[derive(Debug, Clone)]
struct CritRow {
    id: String,
    /// Nanoseconds per iteration.
    ns: Spread,
}

/// Runs a criterion bench of scim-core: `cargo bench` (release) or, in smoke mode,
/// `cargo test --benches` (debug, every benchmark once, no samples).
fn criterion(root: &Path, bench: &str, opts: &Options, extra: &[&str]) -> Result<()> {
    let mut cmd = cargo(root);
    if opts.smoke {
        cmd.args(["test", "-p", "scim-core", "--bench", bench]).env("SCIM_BENCH_SMOKE", "1");
    } else {
        cmd.args(["bench", "-p", "scim-core", "--bench", bench, "--"]).args(extra);
    }
    run(&mut cmd)
}

/// Reads `target/criterion/<group>/<function>/<parameter>/new/sample.json` for every id under
/// `group` (the directory walk is two levels deep at most).
fn criterion_rows(root: &Path, group: &str) -> Result<Vec<CritRow>> {
    let base = target_dir(root).join("criterion").join(group);
    let mut rows = Vec::new();
    let mut stack = vec![base.clone()];
    while let Some(dir) = stack.pop() {
        let sample = dir.join("new").join("sample.json");
        if sample.exists() {
            let v: serde_json::Value = serde_json::from_str(&fs::read_to_string(&sample)?)
                .with_context(|| format!("reading {}", sample.display()))?;
            let iters = v["iters"].as_array().cloned().unwrap_or_default();
            let times = v["times"].as_array().cloned().unwrap_or_default();
            let per: Vec<f64> = iters
                .iter()
                .zip(&times)
                .filter_map(|(i, t)| Some(t.as_f64()? / i.as_f64().filter(|i| *i > 0.0)?))
                .collect();
            let id = dir.strip_prefix(&base).unwrap_or(&dir).to_string_lossy().into_owned();
            rows.push(CritRow { id, ns: Spread::iqr(&per) });
            continue;
        }
        if let Ok(entries) = fs::read_dir(&dir) {
            for e in entries.flatten() {
                let p = e.path();
                if p.is_dir() && e.file_name() != "report" && e.file_name() != "new" && e.file_name() != "base" {
                    stack.push(p);
                }
            }
        }
    }
    rows.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(rows)
}

fn fmt_ns(ns: f64) -> String {
    if ns >= 1_000_000.0 {
        format!("{:.2} ms", ns / 1_000_000.0)
    } else if ns >= 1_000.0 {
        format!("{:.2} µs", ns / 1_000.0)
    } else {
        format!("{ns:.0} ns")
    }
}

fn fmt_int(n: f64) -> String {
    let s = format!("{:.0}", n.max(0.0));
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn crit_table(rows: &[CritRow]) -> String {
    let mut t =
        String::from("| benchmark | median | IQR | per second (median) | samples |\n|---|---:|---:|---:|---:|\n");
    for r in rows {
        let _ = writeln!(
            t,
            "| `{}` | {} | {} – {} | {} | {} |",
            r.id,
            fmt_ns(r.ns.median),
            fmt_ns(r.ns.low),
            fmt_ns(r.ns.high),
            fmt_int(if r.ns.median > 0.0 { 1e9 / r.ns.median } else { 0.0 }),
            r.ns.n
        );
    }
    t
}

const CORE_HEADING: &str = "## Core (scim-core, criterion)";
const CALLGRIND_HEADING: &str = "## Core (instructions per PUT, callgrind)";
const FILTER_HEADING: &str = "## Filters (scim-core, criterion)";
const SUMMARY_HEADING: &str = "## Summary (cargo xtask bench)";

fn core(root: &Path, opts: &Options, doc: &Path, summary: &mut Summary) -> Result<()> {
    criterion(root, "core", opts, &["--warm-up-time", "1", "--measurement-time", "4"])?;
    if opts.smoke {
        return Ok(());
    }
    let rows = criterion_rows(root, "users")?;
    summary.core = rows.clone();
    let mut s = format!("{CORE_HEADING}\n\n");
    let _ = writeln!(
        s,
        "Written by `cargo xtask bench` ({}; load average {}): `cargo bench -p scim-core --bench core`, \
         1 s warm-up and 4 s of samples per benchmark; median and interquartile range of criterion's \
         samples (time per iteration). `put_replace` alternates two bodies of one user (every PUT is a \
         real replace); `_no_explain` is the same PUT with `Server::set_explain(false)`, as the HTTP door \
         runs it. The parameter is the number of users in the store.\n",
        utc_now(),
        load_average()
    );
    s.push_str(&crit_table(&rows));
    write_section(doc, CORE_HEADING, &s, false)
}

fn filter(root: &Path, opts: &Options, doc: &Path, summary: &mut Summary) -> Result<()> {
    criterion(root, "query", opts, &["--warm-up-time", "1", "--measurement-time", "3"])?;
    if opts.smoke {
        return Ok(());
    }
    let rows = criterion_rows(root, "filter")?;
    summary.filter = rows.clone();
    let mut s = format!("{FILTER_HEADING}\n\n");
    let _ = writeln!(
        s,
        "Written by `cargo xtask bench` ({}; load average {}): `cargo bench -p scim-core --bench query`, \
         whole `GET /Users?filter=...&count=10` requests through `Server::handle` (parse, evaluate, \
         sort, page, render); the parameter is the number of users. Median and interquartile \
         range of criterion's samples.\n",
        utc_now(),
        load_average()
    );
    s.push_str(&crit_table(&rows));
    write_section(doc, FILTER_HEADING, &s, false)
}

// --- callgrind ----------------------------------------------------------------------------

/// Total instructions (`Ir`) of one callgrind run of putloop with `puts` PUTs.
fn callgrind_ir(bin: &Path, dir: &Path, puts: u32, explain: bool) -> Result<u64> {
    let out = dir.join(format!("callgrind.{puts}.{explain}.out"));
    let _ = fs::remove_file(&out);
    let mut cmd = Command::new("valgrind");
    cmd.args(["--tool=callgrind", "--quiet"])
        .arg(format!("--callgrind-out-file={}", out.display()))
        .arg(bin)
        .arg(puts.to_string())
        .arg(if explain { "on" } else { "off" });
    run(&mut cmd)?;
    let text = fs::read_to_string(&out).with_context(|| format!("reading {}", out.display()))?;
    let _ = fs::remove_file(&out);
    text.lines()
        .find_map(|l| l.strip_prefix("summary:").or_else(|| l.strip_prefix("totals:")))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .context("no summary line in the callgrind output")
}

fn callgrind(root: &Path, opts: &Options, doc: &Path, summary: &mut Summary) -> Result<()> {
    ensure_apt_tool("valgrind", "valgrind")?;
    let profile = if opts.smoke { "debug" } else { "release" };
    let mut build = cargo(root);
    build.args(["build", "-p", "scim-core", "--example", "putloop"]);
    if !opts.smoke {
        build.arg("--release");
    }
    run(&mut build)?;
    let bin = target_dir(root).join(profile).join("examples").join("putloop");
    let dir = out_dir(root, opts.smoke)?;
    let puts: u32 = if opts.smoke { 20 } else { 5_000 };
    let mut rows = Vec::new();
    for explain in [true, false] {
        let base = callgrind_ir(&bin, &dir, 0, explain)?;
        let total = callgrind_ir(&bin, &dir, puts, explain)?;
        rows.push((explain, total.saturating_sub(base) as f64 / f64::from(puts)));
    }
    if opts.smoke {
        return Ok(());
    }
    summary.callgrind = rows.clone();
    let mut s = format!("{CALLGRIND_HEADING}\n\n");
    let _ = writeln!(
        s,
        "Written by `cargo xtask bench` ({}): callgrind counts the instructions of \
         `crates/scim-core/examples/putloop.rs` (release): 1,000 users, then {puts} alternating PUTs of \
         one of them; the count of the same run with 0 PUTs is subtracted. Unlike times, these \
         counts do not move with the machine's load.\n",
        utc_now()
    );
    s.push_str("| engine | instructions per PUT |\n|---|---:|\n");
    for (explain, ir) in &rows {
        let name = if *explain {
            "explanation on (`Server` default; the core door and the playground)"
        } else {
            "explanation off (`Server::set_explain(false)`; the HTTP door)"
        };
        let _ = writeln!(s, "| {name} | {} |", fmt_int(*ir));
    }
    write_section(doc, CALLGRIND_HEADING, &s, false)
}

// --- node, kit ----------------------------------------------------------------------------

/// One row of the Node bench's JSON (`bench.mjs --json FILE`).
#[derive(Debug, Clone)]
struct NodeRow {
    label: String,
    size: u64,
    wasm: f64,
    scimmy: f64,
}

fn node(root: &Path, opts: &Options, doc: &Path, summary: &mut Summary) -> Result<()> {
    setup::run_steps(root, &[setup::Step::NodeModules])?;
    wasm::dist(root, &["scim-wasm".to_string()])?;
    let json = out_dir(root, opts.smoke)?.join("node.json");
    let mut cmd = Command::new("node");
    cmd.current_dir(root).arg("crates/scim-wasm/bench/bench.mjs").arg("--json").arg(&json).arg("--doc").arg(doc);
    if opts.smoke {
        cmd.arg("--smoke");
    } else {
        cmd.args(["--write", "--rounds", &opts.repeats.to_string()]);
    }
    run(&mut cmd)?;
    let v: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&json)?).context("reading the Node bench's JSON")?;
    summary.node = v["rows"]
        .as_array()
        .map(|rows| {
            rows.iter()
                .map(|r| NodeRow {
                    label: r["label"].as_str().unwrap_or_default().to_owned(),
                    size: r["size"].as_u64().unwrap_or(0),
                    wasm: r["wasm"]["median"].as_f64().unwrap_or(0.0),
                    scimmy: r["scimmy"]["median"].as_f64().unwrap_or(0.0),
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(())
}

fn kit(root: &Path, opts: &Options) -> Result<()> {
    setup::run_steps(root, &[setup::Step::NodeModules, setup::Step::KitModules, setup::Step::Browser])?;
    wasm::dist(root, &["scim-wasm".to_string()])?;
    let mut cmd = Command::new("node");
    cmd.current_dir(root).arg(format!("{}/run.mjs", setup::KIT_DIR)).arg("--bench");
    cmd.arg(if opts.smoke { "--smoke" } else { "--write" });
    run(&mut cmd)
}

// --- browser ------------------------------------------------------------------------------

const BROWSER_HEADING: &str = "## Playground (browser, cargo xtask bench)";

/// Raw, gzip and brotli bytes of what one build ships (`measure.mjs` weighs them).
#[derive(Debug, Clone, Copy, Default)]
struct Weight {
    raw: f64,
    gzip: f64,
    brotli: f64,
}

impl Weight {
    fn read(v: &serde_json::Value) -> Option<Weight> {
        Some(Weight { raw: v["raw"].as_f64()?, gzip: v["gzip"].as_f64()?, brotli: v["brotli"].as_f64()? })
    }
}

/// One scale row: N extra users per lane.
#[derive(Debug, Clone, Copy)]
struct ScaleRow {
    users: u64,
    tti: Spread,
    send_to_differences: Spread,
    send_to_idle: Spread,
    save_task: f64,
    written: f64,
    dom_nodes: f64,
}

/// What the `browser` part measured.
#[derive(Debug, Clone, Default)]
struct Browser {
    playground: Weight,
    learner: Option<Weight>,
    package_wasm: Option<Weight>,
    toy: Option<Weight>,
    tti: Spread,
    scale: Vec<ScaleRow>,
    chromium: String,
}

fn spread_of(v: &serde_json::Value) -> Spread {
    let f = |k: &str| v[k].as_f64().unwrap_or(f64::NAN);
    Spread { median: f("median"), low: f("min"), high: f("max"), n: v["n"].as_u64().unwrap_or(0) as usize }
}

impl Browser {
    fn read(v: &serde_json::Value) -> Result<Browser> {
        let sizes = &v["sizes"];
        let scale = v["scale"]
            .as_array()
            .map(|rows| {
                rows.iter()
                    .map(|r| ScaleRow {
                        users: r["users"].as_u64().unwrap_or(0),
                        tti: spread_of(&r["timeToInteractive"]),
                        send_to_differences: spread_of(&r["sendToDifferences"]),
                        send_to_idle: spread_of(&r["sendToIdle"]),
                        save_task: r["saveTask"].as_f64().unwrap_or(f64::NAN),
                        written: r["written"].as_f64().unwrap_or(f64::NAN),
                        dom_nodes: r["domNodes"].as_f64().unwrap_or(f64::NAN),
                    })
                    .collect()
            })
            .unwrap_or_default();
        Ok(Browser {
            playground: Weight::read(&sizes["playground"]).context("measure.mjs gave no playground size")?,
            learner: Weight::read(&sizes["learner"]),
            package_wasm: Weight::read(&sizes["packageWasm"]),
            toy: Weight::read(&sizes["toy"]),
            tti: spread_of(&v["timeToInteractive"]),
            scale,
            chromium: v["chromium"].as_str().unwrap_or("unknown").to_owned(),
        })
    }

    fn at(&self, users: u64) -> Option<&ScaleRow> {
        self.scale.iter().find(|r| r.users == users)
    }

    fn summary_rows(&self, s: &mut String) {
        let toy = self.toy.map_or_else(
            || "toy leptos app not measured".to_owned(),
            |t| format!("toy leptos app {} ({:.1}×)", kib(t.gzip), self.playground.gzip / t.gzip.max(1.0)),
        );
        let _ = writeln!(
            s,
            "| playground JS + wasm, gzip | {} | {toy} | ≤ 200 KiB | {} |",
            kib(self.playground.gzip),
            yes(self.playground.gzip <= 200.0 * 1024.0)
        );
        if let Some(p) = self.package_wasm {
            let _ = writeln!(
                s,
                "| JS package wasm, gzip | {} | — | ≤ 150 KiB | {} |",
                kib(p.gzip),
                yes(p.gzip <= 150.0 * 1024.0)
            );
        }
        let _ = writeln!(
            s,
            "| playground interactive, no saved users ({} cold loads) | {} | — | ≤ 300 ms | {} |",
            self.tti.n,
            ms(self.tti),
            yes(self.tti.median <= 300.0)
        );
        if let Some(r) = self.at(10_000) {
            let _ = writeln!(
                s,
                "| playground interactive, 10k users per lane ({} cold loads) | {} | — | ≤ 300 ms | {} |",
                r.tti.n,
                ms(r.tti),
                yes(r.tti.median <= 300.0)
            );
            let _ = writeln!(
                s,
                "| Send → Differences rendered, 10k users per lane | {} | — | ≤ 16 ms | {} |",
                ms(r.send_to_differences),
                yes(r.send_to_differences.median <= 16.0)
            );
        }
    }

    fn section(&self, date: &str, load_before: &str, load_after: &str) -> String {
        let mut s = format!("{BROWSER_HEADING}\n\n");
        let _ = writeln!(
            s,
            "Written by `cargo xtask bench` ({date}; load average before {load_before}, after {load_after}) from \
             `tests/e2e/measure.mjs`: headless Chromium {} on loopback, the release builds of `cargo xtask dist`. \
             Sizes are what the page loads (the JS glue and the wasm module), compressed as a server would \
             (gzip level 9, brotli quality 11, Node's zlib). The toy leptos app (`web/toy`, a counter) is built \
             with the same profile, wasm-bindgen and wasm-opt settings: what leptos itself costs.\n",
            self.chromium
        );
        s.push_str("| build | raw | gzip | brotli |\n|---|---:|---:|---:|\n");
        let mut size_row = |name: &str, w: Option<Weight>| {
            if let Some(w) = w {
                let _ = writeln!(s, "| {name} | {} | {} | {} |", kib(w.raw), kib(w.gzip), kib(w.brotli));
            }
        };
        size_row("playground (JS + wasm)", Some(self.playground));
        size_row("the learner's module (loaded by Learn or Replay only)", self.learner);
        size_row("npm package, browser wasm", self.package_wasm);
        size_row("toy leptos app (JS + wasm)", self.toy);
        let _ = writeln!(
            s,
            "\nTime to interactive is navigation start to the app mounted (`data-ready-ms` on `<html>`), \
             each load in a new browser context (cold). Without saved state: {} (median of {}, min–max).\n\n\
             At scale, each lane (`rfc`, `rfc (keep omitted)`) is restored from saved state holding N \
             generated users besides the documented ones; after the cold loads, Send (the minimal PUT of \
             bjensen) is clicked five times and timed to the Differences region's first change and to the \
             main thread's next free turn. The longest task after one more Send includes the deferred \
             save; \"written\" counts the characters that save wrote to `localStorage`.\n",
            ms(self.tti),
            self.tti.n
        );
        s.push_str(
            "| extra users per lane | time to interactive | Send → Differences | Send → idle | longest task after a Send | characters written | DOM nodes |\n\
             |---:|---:|---:|---:|---:|---:|---:|\n",
        );
        for r in &self.scale {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {:.0} ms | {} | {} |",
                fmt_int(r.users as f64),
                ms(r.tti),
                ms(r.send_to_differences),
                ms(r.send_to_idle),
                r.save_task,
                fmt_int(r.written),
                fmt_int(r.dom_nodes)
            );
        }
        s
    }
}

fn kib(bytes: f64) -> String {
    format!("{:.1} KiB", bytes / 1024.0)
}

fn ms(x: Spread) -> String {
    let one = |v: f64| if v < 100.0 { format!("{v:.1}") } else { format!("{v:.0}") };
    format!("{} ms [{}–{}]", one(x.median), one(x.low), one(x.high))
}

fn browser(root: &Path, opts: &Options, doc: &Path) -> Result<Browser> {
    setup::run_steps(root, &[setup::Step::NodeModules, setup::Step::Browser])?;
    let load_before = load_average();
    wasm::dist(root, &["scim-wasm".to_string(), "scim-playground".to_string()])?;
    let dir = out_dir(root, opts.smoke)?;
    let toy = dir.join("leptos-toy");
    wasm::build_wasm_package(root, "leptos-toy", &[(wasm::JsTarget::Web, toy.clone(), wasm::Tuning::Size)])?;
    let json = dir.join("browser.json");
    let mut cmd = Command::new("node");
    cmd.current_dir(root)
        .arg("tests/e2e/measure.mjs")
        .arg("--out")
        .arg(&json)
        .arg("--package")
        .arg(root.join("dist/scim-wasm"))
        .arg("--toy")
        .arg(&toy);
    if opts.smoke {
        cmd.arg("--smoke");
    }
    run(&mut cmd)?;
    let v: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&json)?).context("reading measure.mjs's JSON")?;
    let b = Browser::read(&v)?;
    if b.scale.is_empty() || b.tti.n == 0 || b.toy.is_none() || b.package_wasm.is_none() {
        bail!("measure.mjs left rows out: {}", json.display());
    }
    if !opts.smoke {
        write_section(doc, BROWSER_HEADING, &b.section(&utc_now(), &load_before, &load_average()), false)?;
    }
    Ok(b)
}

// --- summary ------------------------------------------------------------------------------

#[derive(Debug, Default)]
struct Summary {
    core: Vec<CritRow>,
    callgrind: Vec<(bool, f64)>,
    filter: Vec<CritRow>,
    node: Vec<NodeRow>,
    http: Option<crate::bench_http::Results>,
    browser: Option<Browser>,
}

impl Summary {
    fn crit(rows: &[CritRow], id: &str) -> Option<Spread> {
        rows.iter().find(|r| r.id == id).map(|r| r.ns)
    }

    fn render(&self, m: &Machine, date: &str, before: &str, after: &str, smoke: bool) -> String {
        let mut s = format!("{SUMMARY_HEADING}\n\n");
        let _ = writeln!(
            s,
            "Measured {date}{} on {} × {}; load average before {before}, after {after} (1, 5, 15 min). \
             Every row below comes from this one run of `cargo xtask bench`; the sections that follow \
             hold the full tables and how each was measured. Times are medians; the figure in brackets \
             is the spread (criterion: interquartile range of its samples; repeats: min–max).\n",
            if smoke { " (smoke run: numbers meaningless)" } else { "" },
            m.cores,
            m.cpu
        );
        let loaded = |load: &str| {
            load.split_whitespace().next().and_then(|l| l.parse::<f64>().ok()).is_some_and(|l| l > m.cores as f64)
        };
        if loaded(before) || loaded(after) {
            s.push_str(
                "The machine was busy with other work (a load average above its core count): times are \
                 inflated, and a ratio between two servers that share the cores with that work (HTTP) \
                 says less than the callgrind counts, which do not move with load.\n\n",
            );
        }
        s.push_str("| work | now | peer in the same run | aim | met |\n|---|---|---|---|---|\n");
        let us = |x: Spread| format!("{} [{}–{}]", fmt_ns(x.median), fmt_ns(x.low), fmt_ns(x.high));
        for (id, label, aim_us) in [
            ("put_replace_no_explain/10000", "native PUT replace, explanation off, 10k users", 2.0),
            ("put_replace/10000", "native PUT replace, explanation on, 10k users", 3.0),
        ] {
            if let Some(x) = Self::crit(&self.core, id) {
                let met = x.median / 1000.0 <= aim_us;
                let _ = writeln!(
                    s,
                    "| {label} | {} ({}/s) | — | ≤ {aim_us} µs | {} |",
                    us(x),
                    fmt_int(1e9 / x.median),
                    yes(met)
                );
            }
        }
        for (explain, ir) in &self.callgrind {
            let _ = writeln!(
                s,
                "| instructions per PUT, explanation {} (callgrind) | {} | — | — | — |",
                if *explain { "on" } else { "off" },
                fmt_int(*ir)
            );
        }
        for r in
            self.node.iter().filter(|r| r.size == 10_000 && (r.label.starts_with("PUT") || r.label.starts_with("GET")))
        {
            let ratio = if r.scimmy > 0.0 { r.wasm / r.scimmy } else { 0.0 };
            let _ = writeln!(
                s,
                "| wasm in Node, {}, 10k users | {}/s | scimmy {}/s ({ratio:.1}×) | ≥ 50× scimmy | {} |",
                r.label,
                fmt_int(r.wasm),
                fmt_int(r.scimmy),
                yes(ratio >= 50.0)
            );
        }
        if let Some(h) = &self.http {
            if let (Some(mock), Some(ceiling)) = (&h.mock, &h.ceiling) {
                let share = if ceiling.median > 0.0 { 100.0 * mock.median / ceiling.median } else { 0.0 };
                let peer = h.python.as_ref().map_or_else(
                    || "Python scim2-server not measured".to_owned(),
                    |p| format!("Python scim2-server {}/s", fmt_int(p.median)),
                );
                let _ = writeln!(
                    s,
                    "| HTTP PUT (wrk, 64 connections) | {}/s [{}–{}] | empty handler behind the same stack {}/s ({share:.0}%); {peer} | ≥ 70% of the empty handler | {} |",
                    fmt_int(mock.median),
                    fmt_int(mock.low),
                    fmt_int(mock.high),
                    fmt_int(ceiling.median),
                    yes(share >= 70.0)
                );
            }
        }
        for (id, label, aim_per_s) in [
            ("userName_eq/1000", "filter `userName eq`, 1k users", 100_000.0),
            ("userName_eq/100000", "filter `userName eq`, 100k users", 100_000.0),
            ("userName_sw/100000", "filter `userName sw`, 100k users", 10_000.0),
            ("emails_value_sw/100000", "filter `emails.value sw`, 100k users", 10_000.0),
            ("userName_co/100000", "filter `userName co`, 100k users", 10_000.0),
            ("emails_value_co/100000", "filter `emails.value co`, 100k users", 10_000.0),
        ] {
            if let Some(x) = Self::crit(&self.filter, id) {
                let per_s = 1e9 / x.median;
                let _ = writeln!(
                    s,
                    "| {label} | {} ({}/s) | — | ≥ {}/s | {} |",
                    us(x),
                    fmt_int(per_s),
                    fmt_int(aim_per_s),
                    yes(per_s >= aim_per_s)
                );
            }
        }
        if let Some(b) = &self.browser {
            b.summary_rows(&mut s);
        }
        s
    }
}

fn yes(met: bool) -> &'static str {
    if met { "yes" } else { "no" }
}

// --- the document -------------------------------------------------------------------------

/// Replaces the section that starts with the line `heading` (up to the next `## ` line) with
/// `section`, keeping everything else; a missing section is appended, or inserted before the
/// first `## ` section when `first`.
pub fn write_section(path: &Path, heading: &str, section: &str, first: bool) -> Result<()> {
    let old = fs::read_to_string(path).unwrap_or_else(|_| "# Benchmarks\n".into());
    let section = format!("{}\n", section.trim_end());
    let mut out = String::new();
    let mut skipping = false;
    let mut replaced = false;
    for line in old.lines() {
        if line.trim_end() == heading {
            skipping = true;
            replaced = true;
            out.push_str(&section);
            continue;
        }
        if skipping && line.starts_with("## ") {
            skipping = false;
            out.push('\n');
        }
        if !skipping {
            if first && !replaced && line.starts_with("## ") {
                out.push_str(&section);
                out.push('\n');
                replaced = true;
            }
            out.push_str(line);
            out.push('\n');
        }
    }
    if !replaced {
        if !out.ends_with("\n\n") {
            out.push('\n');
        }
        out.push_str(&section);
    }
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    fs::write(path, out).with_context(|| format!("writing {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spreads() {
        let s = Spread::min_max(&[5.0, 1.0, 3.0, f64::NAN, 4.0, 2.0]);
        assert_eq!((s.median, s.low, s.high, s.n), (3.0, 1.0, 5.0, 5));
        let q = Spread::iqr(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!((q.median, q.low, q.high), (3.0, 2.0, 4.0));
        assert_eq!(Spread::iqr(&[]), Spread::default());
    }

    #[test]
    fn thousands() {
        assert_eq!(fmt_int(1234567.4), "1,234,567");
        assert_eq!(fmt_int(999.0), "999");
    }

    #[test]
    fn replaces_only_its_section() {
        let dir = std::env::temp_dir().join(format!("xtask-bench-sections-{}", std::process::id()));
        fs::create_dir_all(&dir).expect("dir");
        let p = dir.join("b.md");
        fs::write(&p, "# Benchmarks\n\n## Core\n\ncore numbers\n\n## HTTP\n\nold\n\n## Playground\n\nkept\n")
            .expect("w");
        write_section(&p, "## HTTP", "## HTTP\n\nnew\n", false).expect("write");
        write_section(&p, "## Summary", "## Summary\n\ntop\n", true).expect("write");
        let text = fs::read_to_string(&p).expect("read");
        assert!(text.contains("core numbers") && text.contains("new") && text.contains("kept"));
        assert!(!text.contains("old"));
        assert!(text.find("## Summary") < text.find("## Core"), "{text}");
        write_section(&p, "## Summary", "## Summary\n\nagain\n", true).expect("write");
        let text = fs::read_to_string(&p).expect("read");
        assert!(text.contains("again") && !text.contains("top"), "{text}");
        let _ = fs::remove_dir_all(&dir);
    }
}
