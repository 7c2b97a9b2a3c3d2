//! `cargo xtask bench-http`: wrk load against scim-mock (release build), an empty axum handler
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

use crate::conformance::{Guard, SCIM2_SERVER, ensure_venv, free_port, target_dir};
use crate::util::{cargo, probe};

#[derive(Debug, Clone)]
pub struct Options {
    pub duration: u64,
    pub connections: u32,
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

fn ensure_wrk() -> Result<()> {
    if probe("wrk", ["--version"]).is_some() || Command::new("wrk").arg("--version").output().is_ok() {
        return Ok(());
    }
    let sudo = probe("id", ["-u"]).is_some_and(|u| u.trim() != "0");
    let mut cmd = if sudo { Command::new("sudo") } else { Command::new("apt-get") };
    if sudo {
        cmd.arg("apt-get");
    }
    crate::util::run(
        cmd.args(["install", "-y", "--no-install-recommends", "wrk"]).env("DEBIAN_FRONTEND", "noninteractive"),
    )
    .context("installing wrk with apt-get")
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

fn machine() -> String {
    let cpu = fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines().find(|l| l.starts_with("model name")).map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let nproc = std::thread::available_parallelism().map_or(0, std::num::NonZero::get);
    let load = fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load: Vec<&str> = load.split_whitespace().take(3).collect();
    format!("{nproc} × {cpu}; load average at start {}", load.join(" "))
}

pub fn run(root: &Path, opts: &Options) -> Result<()> {
    ensure_wrk()?;
    crate::util::run(cargo(root).args(["build", "--release", "-p", "scim-mock"]))?;
    let mock = target_dir(root).join("release").join("scim-mock");
    let out_dir = target_dir(root).join("bench-http");
    fs::create_dir_all(&out_dir)?;
    let started = machine();
    let date = probe("date", ["-u", "+%Y-%m-%d %H:%M UTC"]).unwrap_or_default().trim().to_owned();

    let mut rows: Vec<(String, Result<Outcome>)> = Vec::new();

    // scim-mock: logging off (one log line per request would measure stderr, not SCIM).
    let port = free_port()?;
    let result = (|| {
        let _g = Guard::start(
            "scim-mock",
            Command::new(&mock).args(["serve", "--port", &port.to_string(), "--seed", "none"]).env("RUST_LOG", "warn"),
            port,
            &out_dir.join("scim-mock.log"),
        )?;
        let id = create_user(port, "/scim/v2/Users")?;
        let path = format!("/scim/v2/Users/{id}");
        let script = out_dir.join("put-scim-mock.lua");
        fs::write(&script, lua_script(&path))?;
        wrk(port, &path, opts, &script)
    })();
    rows.push(("scim-mock (release, profile rfc)".into(), result));

    let port = free_port()?;
    let result = (|| {
        let _g = Guard::start(
            "scim-mock ceiling",
            Command::new(&mock).args(["ceiling", "--port", &port.to_string()]),
            port,
            &out_dir.join("ceiling.log"),
        )?;
        let path = "/scim/v2/Users/00000000-0000-4000-8000-000000000001";
        let script = out_dir.join("put-ceiling.lua");
        fs::write(&script, lua_script(path))?;
        wrk(port, path, opts, &script)
    })();
    rows.push(("empty axum handler (`scim-mock ceiling`)".into(), result));

    let port = free_port()?;
    let result = (|| {
        let bin = ensure_venv(root, &[SCIM2_SERVER])?;
        let _g = Guard::start(
            "scim2-server",
            Command::new(bin.join("scim2-server")).args(["--port", &port.to_string()]),
            port,
            &out_dir.join("scim2-server.log"),
        )?;
        let id = create_user(port, "/Users")?;
        let path = format!("/Users/{id}");
        let script = out_dir.join("put-scim2-server.lua");
        fs::write(&script, lua_script(&path))?;
        wrk(port, &path, opts, &script)
    })();
    rows.push((format!("Python `{SCIM2_SERVER}` (PyPI)"), result));

    let mut section = String::from("## HTTP\n\n");
    let _ = writeln!(section, "Measured {date} by `cargo xtask bench-http` on {started}.");
    let _ = writeln!(
        section,
        "wrk 4.1, {} connections, {} s per target, client and server on the same machine (they share \
         the cores). Every request is `PUT /Users/{{id}}` of the same user with a new `displayName` \
         (a real replace: version bump, lastModified). scim-mock runs with `RUST_LOG=warn` (no per-request \
         log line).\n",
        opts.connections, opts.duration
    );
    section.push_str("| target | requests/s | latency avg | p50 | p99 | requests | non-2xx | socket errors |\n");
    section.push_str("|---|---:|---:|---:|---:|---:|---:|---|\n");
    for (name, r) in &rows {
        match r {
            Ok(o) => {
                let _ = writeln!(
                    section,
                    "| {name} | {:.0} | {} | {} | {} | {} | {} | {} |",
                    o.requests_per_sec,
                    o.latency_avg,
                    o.p50,
                    o.p99,
                    o.requests,
                    o.non_2xx,
                    if o.errors.is_empty() { "none" } else { &o.errors }
                );
            }
            Err(e) => {
                let _ =
                    writeln!(section, "| {name} | not measured: {} | | | | | | |", format!("{e:#}").replace('\n', " "));
            }
        }
    }
    if let [(_, Ok(mock)), (_, Ok(ceiling)), ..] = rows.as_slice() {
        if ceiling.requests_per_sec > 0.0 {
            let _ = writeln!(
                section,
                "\nscim-mock reaches {:.0}% of the empty handler's throughput.",
                100.0 * mock.requests_per_sec / ceiling.requests_per_sec
            );
        }
    }
    write_section(&root.join("docs/benchmarks.md"), &section)?;
    println!("{section}");
    println!("written to docs/benchmarks.md");
    for (name, r) in &rows {
        if let Err(e) = r {
            println!("note: {name} was not measured: {e:#}");
        }
    }
    Ok(())
}

/// Replaces the `## HTTP` section of the file (or appends it), keeping everything else.
fn write_section(path: &Path, section: &str) -> Result<()> {
    let old = fs::read_to_string(path).unwrap_or_else(|_| "# Benchmarks\n".into());
    let mut out = String::new();
    let mut skipping = false;
    let mut replaced = false;
    for line in old.lines() {
        if line.trim_end() == "## HTTP" {
            skipping = true;
            replaced = true;
            out.push_str(section);
            continue;
        }
        if skipping && line.starts_with("## ") {
            skipping = false;
            out.push('\n');
        }
        if !skipping {
            out.push_str(line);
            out.push('\n');
        }
    }
    if !replaced {
        if !out.ends_with("\n\n") {
            out.push('\n');
        }
        out.push_str(section);
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

    #[test]
    fn replaces_only_the_http_section() {
        let dir = std::env::temp_dir().join(format!("xtask-bench-{}", std::process::id()));
        fs::create_dir_all(&dir).expect("dir");
        let p = dir.join("b.md");
        fs::write(&p, "# Benchmarks\n\n## Core\n\ncore numbers\n\n## HTTP\n\nold\n\n## Wasm\n\nwasm numbers\n")
            .expect("w");
        write_section(&p, "## HTTP\n\nnew\n").expect("write");
        let text = fs::read_to_string(&p).expect("read");
        assert!(text.contains("core numbers") && text.contains("new") && text.contains("wasm numbers"));
        assert!(!text.contains("old"));
        let _ = fs::remove_dir_all(&dir);
    }
}
