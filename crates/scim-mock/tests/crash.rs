//! Crash safety of `--state`: the real binary is killed with SIGKILL in the middle of a stream
//! of writes, again and again, and every restart must hold every write that was acknowledged
//! (2xx) before the kill, and none that was refused. The journal is compacted every few
//! kilobytes, so kills also land inside compactions.
//!
//! `SCIM_CRASH_CYCLES` sets the number of kills (20 by default; docs/reliability.md gives the
//! long run's figures).
//!
//! SIGKILL ends the process, not the machine: what was written but not yet fsynced survives in
//! the page cache, so this proves the protocol (append before answer, torn tails dropped,
//! compaction steps in an order that is safe at every point), not the disk's behaviour on power
//! loss, which rests on fsync.

#![cfg(unix)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";

fn start(state: &Path, log: &Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_scim-mock"))
        .args(["serve", "--port", "0", "--journal-compact-bytes", "4096", "--state"])
        .arg(state)
        .env("RUST_LOG", "warn,scim_mock::persist=info")
        .stdout(Stdio::piped())
        .stderr(std::fs::OpenOptions::new().create(true).append(true).open(log).expect("log"))
        .spawn()
        .expect("start scim-mock");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let base = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| l.split_once("SCIM base").map(|(_, url)| url.trim().to_string()));
    let Some(base) = base else {
        let _ = child.kill();
        let _ = child.wait();
        panic!("scim-mock did not start; its log:\n{}", std::fs::read_to_string(log).unwrap_or_default());
    };
    // Keep reading so the banner's pipe never fills.
    std::thread::spawn(move || lines.for_each(drop));
    (child, base)
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .new_agent()
}

/// What a user should look like after a restart: its title, or `None` once deleted.
type Model = BTreeMap<String, Option<String>>;

/// Acknowledged writes, all cycles.
static ACKNOWLEDGED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn acked() {
    ACKNOWLEDGED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
}

/// Writes until the server goes away; returns the acknowledged effects and the user whose
/// write was in flight (it may or may not have happened).
fn write_until_killed(base: &str, cycle: usize, model: &mut Model) -> Option<String> {
    let agent = agent();
    let mut ids: BTreeMap<String, String> = BTreeMap::new();
    for i in 0.. {
        let name = format!("c{cycle}-u{i}");
        let body = json!({"schemas": [USER], "userName": name, "title": "t0"}).to_string();
        match agent.post(&format!("{base}/Users")).header("Content-Type", "application/scim+json").send(&body) {
            Ok(mut r) if r.status() == 201 => {
                let created: Value = serde_json::from_str(&r.body_mut().read_to_string().expect("body")).expect("json");
                ids.insert(name.clone(), created["id"].as_str().expect("id").to_string());
                model.insert(name, Some("t0".into()));
                acked();
            }
            Ok(r) => panic!("POST {name}: {}", r.status()),
            Err(_) => return Some(name),
        }
        // The user before is renamed every third time; the one before that deleted unless it
        // is a tenth, so the store stays small and the journal outgrows the base (and is
        // compacted) every few dozen writes.
        if i % 3 == 2 {
            let target = format!("c{cycle}-u{}", i - 1);
            let (Some(id), Some(Some(_))) = (ids.get(&target), model.get(&target)) else { continue };
            let title = format!("t{i}");
            let body = json!({"schemas": [USER], "userName": target, "title": title}).to_string();
            match agent.put(&format!("{base}/Users/{id}")).header("Content-Type", "application/scim+json").send(&body) {
                Ok(r) if r.status() == 200 => {
                    model.insert(target, Some(title));
                    acked();
                }
                Ok(r) => panic!("PUT {target}: {}", r.status()),
                Err(_) => return Some(target),
            }
        }
        if i >= 2 && (i - 2) % 10 != 0 {
            let target = format!("c{cycle}-u{}", i - 2);
            let (Some(id), Some(Some(_))) = (ids.get(&target), model.get(&target)) else { continue };
            match agent.delete(&format!("{base}/Users/{id}")).call() {
                Ok(r) if r.status() == 204 => {
                    model.insert(target, None);
                    acked();
                }
                Ok(r) => panic!("DELETE {target}: {}", r.status()),
                Err(_) => return Some(target),
            }
        }
    }
    None
}

/// Every user on the server: userName → title.
fn list(base: &str) -> BTreeMap<String, Option<String>> {
    let agent = agent();
    let mut out = BTreeMap::new();
    let mut start = 1;
    loop {
        let url = format!("{base}/Users?count=1000&startIndex={start}");
        let text = agent.get(&url).call().expect("GET").body_mut().read_to_string().expect("body");
        let page: Value = serde_json::from_str(&text).expect("json");
        let resources = page["Resources"].as_array().cloned().unwrap_or_default();
        for r in &resources {
            out.insert(r["userName"].as_str().unwrap_or_default().to_string(), r["title"].as_str().map(str::to_string));
        }
        start += resources.len();
        if resources.is_empty() || start > page["totalResults"].as_u64().unwrap_or(0) as usize {
            return out;
        }
    }
}

#[test]
fn no_acknowledged_write_is_lost_when_the_server_is_killed() {
    let cycles: usize = std::env::var("SCIM_CRASH_CYCLES").ok().and_then(|n| n.parse().ok()).unwrap_or(20);
    let dir = std::env::temp_dir().join(format!("scim-mock-crash-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let (state, log) = (dir.join("store.json"), dir.join("server.log"));
    let mut model = Model::new();
    let mut uncertain: Vec<String> = vec![];
    // A small generator, so each run kills at the same moments.
    let mut rng: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut acknowledged = 0;
    for cycle in 0..=cycles {
        let (mut child, base) = start(&state, &log);
        let found = list(&base);
        for (name, want) in &model {
            if uncertain.contains(name) {
                continue;
            }
            let got = found.get(name).cloned();
            match want {
                Some(title) => assert_eq!(
                    got,
                    Some(Some(title.clone())),
                    "cycle {cycle}: acknowledged {name} (title {title}) is missing or stale"
                ),
                None => assert_eq!(got, None, "cycle {cycle}: {name} was deleted (acknowledged) but is back"),
            }
        }
        assert!(found.keys().all(|n| model.contains_key(n) || uncertain.contains(n)), "a user nobody wrote");
        // What the in-flight writes did is known now: durable or not, it is the state.
        for name in uncertain.drain(..) {
            match found.get(&name) {
                Some(title) => model.insert(name, Some(title.clone().unwrap_or_default())),
                None => model.insert(name, None),
            };
        }
        acknowledged = model.len();
        if cycle == cycles {
            let _ = child.kill();
            let _ = child.wait();
            break;
        }
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let delay = Duration::from_millis(20 + rng % 250);
        let writer = {
            let base = base.clone();
            let mut m = model.clone();
            std::thread::spawn(move || {
                let in_flight = write_until_killed(&base, cycle, &mut m);
                (m, in_flight)
            })
        };
        std::thread::sleep(delay);
        child.kill().expect("SIGKILL");
        child.wait().expect("reaped");
        let (m, in_flight) = writer.join().expect("writer");
        model = m;
        uncertain.extend(in_flight);
    }
    assert!(acknowledged > cycles, "the writes must have got somewhere: {acknowledged} users");
    let log = std::fs::read_to_string(&log).unwrap_or_default();
    let writes = ACKNOWLEDGED.load(std::sync::atomic::Ordering::Relaxed);
    eprintln!(
        "crash test: {cycles} kills, {writes} acknowledged writes ({acknowledged} users), each restart held exactly the acknowledged state; \
         {} torn last records dropped, {} compactions finished",
        log.matches("dropped an incomplete last record").count(),
        log.matches("compacted --state").count()
    );
    let _ = std::fs::remove_dir_all(&dir);
}
