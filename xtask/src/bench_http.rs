//! The HTTP part of `cargo xtask bench` ([`crate::bench`]): wrk load against scim-mock (release build), an empty axum handler
//! on the same stack (`scim-mock ceiling`), and the Python `scim2-server` when it installs.
//! A measurement, not a test: it writes the numbers to `docs/benchmarks.md` under `## HTTP`.
//!
//! Every target is hit with the same PUT (RFC 7644 §3.5.1) of one user whose `displayName`
//! changes on every request, so each request is a real replace with a version bump.

use std::fmt::Write as _;
use std::fs;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, Result, bail};

use crate::bench::{Machine, Spread, ensure_apt_tool, load_average, utc_now, write_section};
use crate::conformance::{Guard, SCIM2_SERVER, ensure_venv, free_port, target_dir};
use crate::util::cargo;

#[derive(Debug, Clone)]
pub struct Options {
    /// Seconds per wrk run.
    pub duration: u64,
    pub connections: u32,
    /// Runs per target (interleaved).
    pub repeats: u32,
    /// A debug build of scim-mock (no release build in the test pipeline).
    pub smoke: bool,
}

/// What wrk reported for one target.
#[derive(Debug, Clone, Default)]
struct Outcome {
    requests_per_sec: f64,
    latency_avg: String,
    p50: String,
    p99: String,
    requests: u64,
    non_2xx: u64,
    errors: String,
}

const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";

fn lua_script(path: &str) -> String {
    format!(
        r#"-- PUT one user over and over; displayName changes each time so every PUT is a real replace.
local n = 0
local path = "{path}"
local headers = {{ ["Content-Type"] = "application/scim+json" }}
request = function()
  n = n + 1
  local body = '{{"schemas":["{USER}"],"userName":"bench","displayName":"Bench ' .. n .. '","emails":[{{"value":"bench@example.com","type":"work","primary":true}}]}}'
  return wrk.format("PUT", path, headers, body)
end
"#
    )
}

/// POSTs the user to be PUT and returns its id (a minimal HTTP/1.1 exchange; `Connection:
/// close` so the body ends at EOF).
fn create_user(port: u16, users_path: &str) -> Result<String> {
    let body = format!(r#"{{"schemas":["{USER}"],"userName":"bench","displayName":"Bench 0"}}"#);
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        s,
        "POST {users_path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/scim+json\r\n\
         Accept: application/scim+json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut answer = String::new();
    s.read_to_string(&mut answer)?;
    // HTTP/1.0 or 1.1: Python's wsgiref server answers 1.0.
    let status_line = answer.lines().next().unwrap_or_default();
    if !(status_line.starts_with("HTTP/1.") && status_line.split_whitespace().nth(1) == Some("201")) {
        bail!("POST {users_path} did not create the benchmark user:\n{answer}");
    }
    let json = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
    let v: serde_json::Value = serde_json::from_str(json).context("POST answer is not JSON")?;
    v["id"].as_str().map(str::to_owned).context("POST answer has no id")
}

fn wrk(port: u16, path: &str, opts: &Options, script: &Path) -> Result<Outcome> {
    let threads = std::thread::available_parallelism().map_or(2, std::num::NonZero::get).min(4).to_string();
    let out = Command::new("wrk")
        .args(["-t", &threads, "-c", &opts.connections.to_string(), "-d", &format!("{}s", opts.duration)])
        .args(["--latency", "--timeout", "5s", "-s"])
        .arg(script)
        .arg(format!("http://127.0.0.1:{port}{path}"))
        .output()
        .context("running wrk")?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.status.success() {
        bail!("wrk failed ({}):\n{text}{}", out.status, String::from_utf8_lossy(&out.stderr));
    }
    println!("{text}");
    Ok(parse_wrk(&text))
}

fn parse_wrk(text: &str) -> Outcome {
    let mut o = Outcome::default();
    for line in text.lines().map(str::trim) {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["Requests/sec:", v, ..] => o.requests_per_sec = v.parse().unwrap_or(0.0),
            ["Latency", avg, ..] if *avg != "Distribution" => o.latency_avg = (*avg).to_owned(),
            ["50%", v] => o.p50 = (*v).to_owned(),
            ["99%", v] => o.p99 = (*v).to_owned(),
            ["Non-2xx", "or", "3xx", "responses:", v] => o.non_2xx = v.parse().unwrap_or(0),
            [n, "requests", "in", ..] => o.requests = n.parse().unwrap_or(0),
            ["Socket", "errors:", rest @ ..] => o.errors = rest.join(" "),
            _ => {}
        }
    }
    o
}

/// Requests per second of each target: median and min–max over the repeats.
#[derive(Debug, Clone, Default)]
pub struct Results {
    pub mock: Option<Spread>,
    pub ceiling: Option<Spread>,
    pub python: Option<Spread>,
}

/// A running target: its server (stopped when dropped) and the path wrk hits.
struct Target {
    name: &'static str,
    _guard: Guard,
    port: u16,
    path: String,
    script: std::path::PathBuf,
}

fn start_targets(root: &Path, mock: &Path, out_dir: &Path) -> Vec<(String, Result<Target>)> {
    let mut targets = Vec::new();
    // scim-mock: logging off (one log line per request would measure stderr, not SCIM).
    let t = (|| {
        let port = free_port()?;
        let guard = Guard::start(
            "scim-mock",
            Command::new(mock).args(["serve", "--port", &port.to_string(), "--seed", "none"]).env("RUST_LOG", "warn"),
            port,
            &out_dir.join("scim-mock.log"),
        )?;
        let id = create_user(port, "/scim/v2/Users")?;
        let path = format!("/scim/v2/Users/{id}");
        let script = out_dir.join("put-scim-mock.lua");
        fs::write(&script, lua_script(&path))?;
        Ok(Target { name: "mock", _guard: guard, port, path, script })
    })();
    targets.push(("scim-mock (profile rfc)".to_owned(), t));
    let t = (|| {
        let port = free_port()?;
        let guard = Guard::start(
            "scim-mock ceiling",
            Command::new(mock).args(["ceiling", "--port", &port.to_string()]).env("RUST_LOG", "warn"),
            port,
            &out_dir.join("ceiling.log"),
        )?;
        let path = "/scim/v2/Users/00000000-0000-4000-8000-000000000001".to_owned();
        let script = out_dir.join("put-ceiling.lua");
        fs::write(&script, lua_script(&path))?;
        Ok(Target { name: "ceiling", _guard: guard, port, path, script })
    })();
    targets.push(("empty handler behind the same router stack (`scim-mock ceiling`)".to_owned(), t));
    let t = (|| {
        let bin = ensure_venv(root, &[SCIM2_SERVER])?;
        let port = free_port()?;
        let guard = Guard::start(
            "scim2-server",
            Command::new(bin.join("scim2-server")).args(["--port", &port.to_string()]),
            port,
            &out_dir.join("scim2-server.log"),
        )?;
        let id = create_user(port, "/Users")?;
        let path = format!("/Users/{id}");
        let script = out_dir.join("put-scim2-server.lua");
        fs::write(&script, lua_script(&path))?;
        Ok(Target { name: "python", _guard: guard, port, path, script })
    })();
    targets.push((format!("Python `{SCIM2_SERVER}` (PyPI)"), t));
    targets
}

/// Runs wrk against every target `repeats` times, the targets interleaved in each round so
/// that the machine's load falls on all of them alike; writes the `## HTTP` section of `doc`.
pub fn run(root: &Path, opts: &Options, doc: &Path) -> Result<Results> {
    ensure_apt_tool("wrk", "wrk")?;
    let mut build = cargo(root);
    build.args(["build", "-p", "scim-mock"]);
    if !opts.smoke {
        build.arg("--release");
    }
    crate::util::run(&mut build)?;
    let mock = target_dir(root).join(if opts.smoke { "debug" } else { "release" }).join("scim-mock");
    let out_dir = target_dir(root).join(if opts.smoke { "bench-smoke" } else { "bench" });
    fs::create_dir_all(&out_dir)?;
    let load_before = load_average();
    let date = utc_now();
    let machine = Machine::read();

    let targets = start_targets(root, &mock, &out_dir);
    let mut outcomes: Vec<Vec<Outcome>> = vec![Vec::new(); targets.len()];
    let mut errors: Vec<Option<String>> =
        targets.iter().map(|(_, t)| t.as_ref().err().map(|e| format!("{e:#}"))).collect();
    for round in 0..opts.repeats.max(1) {
        for (i, (label, t)) in targets.iter().enumerate() {
            let Ok(t) = t else { continue };
            if errors.get(i).is_some_and(Option::is_some) {
                continue;
            }
            println!("round {}/{}: {label}", round + 1, opts.repeats);
            match wrk(t.port, &t.path, opts, &t.script) {
                Ok(o) => outcomes[i].push(o),
                Err(e) => errors[i] = Some(format!("{e:#}")),
            }
        }
    }
    let load_after = load_average();
    let mut results = Results::default();
    let mut section = String::from("## HTTP\n\n");
    let _ = writeln!(
        section,
        "Measured {date} by `cargo xtask bench` on {} × {}; load average before {load_before}, after {load_after}.",
        machine.cores, machine.cpu
    );
    let _ = writeln!(
        section,
        "wrk, {} connections, {} rounds of {} s per target, the targets taking turns within each round; \
         client and server on the same machine (they share the cores). Every request is \
         `PUT /Users/{{id}}` of the same user with a new `displayName` (a real replace: version bump, \
         lastModified). scim-mock runs with `RUST_LOG=warn` (no per-request log line). The empty \
         handler runs behind the same accept loop, CORS layer and body read as scim-mock and answers \
         with the same headers and a body of the same size, without the core. Requests/s is the \
         median of the rounds with min–max; the latencies are those of the round closest to the median.\n",
        opts.connections,
        opts.repeats.max(1),
        opts.duration
    );
    section
        .push_str("| target | requests/s (median) | min – max | latency avg | p50 | p99 | non-2xx | socket errors |\n");
    section.push_str("|---|---:|---:|---:|---:|---:|---:|---|\n");
    for (i, (label, t)) in targets.iter().enumerate() {
        if let Some(e) = &errors[i] {
            let _ = writeln!(section, "| {label} | not measured: {} | | | | | | |", e.replace('\n', " "));
            continue;
        }
        let rps: Vec<f64> = outcomes[i].iter().map(|o| o.requests_per_sec).collect();
        let spread = Spread::min_max(&rps);
        let mid = outcomes[i]
            .iter()
            .min_by(|a, b| {
                (a.requests_per_sec - spread.median).abs().total_cmp(&(b.requests_per_sec - spread.median).abs())
            })
            .cloned()
            .unwrap_or_default();
        let non_2xx: u64 = outcomes[i].iter().map(|o| o.non_2xx).sum();
        let errs: Vec<&str> = outcomes[i].iter().map(|o| o.errors.as_str()).filter(|e| !e.is_empty()).collect();
        let _ = writeln!(
            section,
            "| {label} | {:.0} | {:.0} – {:.0} | {} | {} | {} | {non_2xx} | {} |",
            spread.median,
            spread.low,
            spread.high,
            mid.latency_avg,
            mid.p50,
            mid.p99,
            if errs.is_empty() { "none".to_owned() } else { errs.join("; ") }
        );
        let name = t.as_ref().map(|t| t.name).unwrap_or_default();
        if non_2xx > 0 && name != "python" {
            errors[i] = Some(format!("{non_2xx} answers were not 2xx"));
        }
        match name {
            "mock" => results.mock = Some(spread),
            "ceiling" => results.ceiling = Some(spread),
            "python" => results.python = Some(spread),
            _ => {}
        }
    }
    if let (Some(mock), Some(ceiling)) = (&results.mock, &results.ceiling) {
        if ceiling.median > 0.0 {
            let _ = writeln!(
                section,
                "\nscim-mock reaches {:.0}% of the empty handler's throughput (medians).",
                100.0 * mock.median / ceiling.median
            );
        }
    }
    drop(targets);
    write_section(doc, "## HTTP", &section, false)?;
    println!("{section}");
    // The engine and its ceiling must answer; the Python peer may be unavailable (noted).
    for (i, name) in [(0, "scim-mock"), (1, "the empty handler")] {
        if let Some(e) = errors.get(i).and_then(Option::as_ref) {
            bail!("{name}: {e}");
        }
    }
    for e in errors.iter().flatten() {
        println!("note: a target was not measured: {e}");
    }
    Ok(results)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_wrk_output() {
        let text = "Running 10s test @ http://127.0.0.1:1/x\n  2 threads and 64 connections\n\
            Thread Stats   Avg      Stdev     Max   +/- Stdev\n    Latency     1.20ms  300.00us   9.00ms   80.00%\n\
            Latency Distribution\n     50%    1.10ms\n     75%    1.30ms\n     90%    1.60ms\n     99%    3.00ms\n\
            500000 requests in 10.00s, 60.00MB read\n  Non-2xx or 3xx responses: 3\nRequests/sec:  50000.12\n";
        let o = parse_wrk(text);
        assert!((o.requests_per_sec - 50000.12).abs() < 0.01);
        assert_eq!(o.latency_avg, "1.20ms");
        assert_eq!((o.p50.as_str(), o.p99.as_str()), ("1.10ms", "3.00ms"));
        assert_eq!((o.requests, o.non_2xx), (500_000, 3));
    }
}
