//! The cost of one durable write at a given store size: starts a `scim-mock` binary with
//! `--state` and `--seed` (USERS users of about 550 bytes each), then POSTs WRITES more users
//! one at a time over HTTP and prints the median, 90th percentile and largest latency, and
//! the size of the state files. The figures in docs/reliability.md come from it:
//!
//! ```sh
//! cargo build --release -p scim-mock
//! cargo run --release -p scim-mock --example write_cost -- target/release/scim-mock 100000 300
//! ```

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn user(name: &str) -> serde_json::Value {
    serde_json::json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User",
                    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
        "userName": name, "displayName": format!("User {name}"), "title": "Tour Guide",
        "name": {"givenName": "Barbara", "familyName": format!("Jensen-{name}"), "formatted": format!("Ms. Barbara J Jensen {name}")},
        "emails": [{"value": format!("{name}@example.com"), "type": "work", "primary": true},
                   {"value": format!("{name}@home.example.org"), "type": "home"}],
        "phoneNumbers": [{"value": "555-555-8377", "type": "work"}],
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "701984", "department": "Tour Operations"}
    })
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, binary, users, writes] = args.as_slice() else {
        return Err("usage: write_cost BINARY USERS WRITES".into());
    };
    let (users, writes): (usize, usize) = (users.parse()?, writes.parse()?);
    let dir = std::env::temp_dir().join(format!("scim-write-cost-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let seed: Vec<_> = (0..users).map(|i| user(&format!("seed{i}"))).collect();
    std::fs::write(dir.join("seed.json"), serde_json::json!({ "Users": seed }).to_string())?;
    let state = dir.join("store.json");
    let started = Instant::now();
    let mut child = Command::new(binary)
        .args(["serve", "--port", "0", "--seed"])
        .arg(dir.join("seed.json"))
        .arg("--state")
        .arg(&state)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let base = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| l.split_once("SCIM base").map(|(_, url)| url.trim().to_string()))
        .ok_or("no SCIM base line in the banner")?;
    // Keep reading: the banner goes on, and a closed pipe would stop the server.
    std::thread::spawn(move || lines.for_each(drop));
    let start_secs = started.elapsed().as_secs_f64();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(600)))
        .build()
        .into();
    let mut times = Vec::with_capacity(writes);
    for i in 0..writes {
        let body = user(&format!("new{i}")).to_string();
        let t = Instant::now();
        let resp = agent.post(&format!("{base}/Users")).header("Content-Type", "application/scim+json").send(&body)?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        if resp.status() != 201 {
            return Err(format!("POST answered {}", resp.status()).into());
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    times.sort_by(f64::total_cmp);
    let pick = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    let size = |p: &std::path::Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0) as f64 / 1e6;
    let mut journal = state.as_os_str().to_owned();
    journal.push(".journal");
    println!(
        "users {users}: {writes} POSTs, median {:.2} ms, p90 {:.2} ms, max {:.2} ms; start-up {start_secs:.1} s; \
         state {:.1} MB, journal {:.2} MB",
        pick(0.5),
        pick(0.9),
        pick(1.0),
        size(&state),
        size(std::path::Path::new(&journal))
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
