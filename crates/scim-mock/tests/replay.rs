//! Client habits replayed over HTTP (issue 16, Deliver 3): every scenario passes against the
//! built-in profile of its client's vendor (or `rfc` where there is none); a server that
//! breaks a habit is reported at the step that breaks, and `scim-mock replay` exits non-zero.

mod common;

use std::path::PathBuf;

use common::TestServer;
use scim_core::Profile;
use scim_learn::Scenario;
use scim_mock::Config;

fn scenarios() -> Vec<(PathBuf, Scenario)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/scenarios");
    let mut out: Vec<(PathBuf, Scenario)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| {
            let s = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
            (p, s)
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn base(server: &TestServer, p: &Profile) -> String {
    let mut b = p.base_path.clone();
    for (k, v) in &p.base_path_defaults {
        b = b.replace(&format!("{{{k}}}"), v);
    }
    format!("{}{b}", server.origin())
}

#[test]
fn each_scenario_passes_against_its_vendors_profile() {
    let all = scenarios();
    assert_eq!(all.len(), 6);
    for (_, s) in all {
        let name = s.vendor_profile.clone().unwrap_or_else(|| "rfc".into());
        let p = Profile::builtin(&name).unwrap();
        let server = TestServer::start(Config::new(p.clone()));
        let report = scim_mock::remote::replay(s.clone(), &base(&server, &p), None, "t1").unwrap();
        let broken: Vec<String> = report
            .steps
            .iter()
            .filter(|st| st.outcome != "passed")
            .map(|st| format!("{}: {} {:?}", st.name, st.outcome, st.problems))
            .collect();
        assert!(report.passed && broken.is_empty(), "{} on {name}:\n{}", s.name, broken.join("\n"));
        assert_eq!(report.steps.len(), s.steps.len());
        // Every step was sent and answered.
        assert_eq!(report.exchanges.len(), s.steps.len(), "{}", s.name);
    }
}

#[test]
fn a_server_that_breaks_a_habit_is_reported_at_that_step() {
    let (_, okta) = scenarios().into_iter().find(|(_, s)| s.name == "okta-full-put").unwrap();
    // AWS refuses PUT on groups (400) and returns groups without members.
    let p = Profile::builtin("aws").unwrap();
    let server = TestServer::start(Config::new(p.clone()));
    let report = scim_mock::remote::replay(okta, &base(&server, &p), None, "t2").unwrap();
    assert!(!report.passed);
    let put = report.steps.iter().find(|s| s.name == "PUT the group with its members").unwrap();
    assert_eq!(put.outcome, "broken");
    assert!(put.problems.iter().any(|p| p.contains("status 400")), "{:?}", put.problems);
    assert!(put.conclusion.contains("group update fails"));
}

#[test]
fn the_replay_command_exits_non_zero_when_a_step_breaks() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/scenarios");
    let run = |profile: &str, scenario: &str| {
        let p = Profile::builtin(profile).unwrap();
        let server = TestServer::start(Config::new(p.clone()));
        std::process::Command::new(env!("CARGO_BIN_EXE_scim-mock"))
            .args(["replay", dir.join(scenario).to_str().unwrap(), "--url", &base(&server, &p)])
            .output()
            .unwrap()
    };
    // A file that breaks the scenario schema is refused before anything is sent, naming where.
    let bad = std::env::temp_dir().join(format!("scim-bad-scenario-{}.json", std::process::id()));
    std::fs::write(&bad, r#"{"name": "x", "title": "t", "client": "c", "description": "d", "steps": [{"name": "s"}]}"#)
        .unwrap();
    let refused = run("rfc", bad.to_str().unwrap());
    std::fs::remove_file(&bad).unwrap();
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success() && err.contains("at /steps/0: missing properties 'source'"), "{err}");
    let ok = run("okta", "okta-full-put.json");
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stdout));
    assert!(String::from_utf8_lossy(&ok.stdout).contains("PASSED"));
    let bad = run("aws", "okta-full-put.json");
    assert!(!bad.status.success());
    let out = String::from_utf8_lossy(&bad.stdout);
    assert!(out.contains("BROKEN") && out.contains("problem  status 400"), "{out}");
}

/// `--har FILE` on both commands: a HAR 1.2 log with one entry per exchange (request,
/// response, timings), the server's URLs, and no token.
#[test]
fn learn_and_replay_write_a_har_log_without_the_token() {
    const TOKEN: &str = "har-test-token-3b9f";
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/scenarios");
    let p = Profile::builtin("okta").unwrap();
    let server = TestServer::start(Config::new(p.clone()));
    let url = base(&server, &p);
    let tmp = std::env::temp_dir().join(format!("scim-har-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let (replay_har, learn_har, report) = (tmp.join("replay.har"), tmp.join("learn.har"), tmp.join("report.json"));
    let bin = env!("CARGO_BIN_EXE_scim-mock");
    let replay = std::process::Command::new(bin)
        .args(["replay", dir.join("okta-full-put.json").to_str().unwrap(), "--url", &url, "--token", TOKEN])
        .args(["--har", replay_har.to_str().unwrap(), "--report", report.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(replay.status.success(), "{}", String::from_utf8_lossy(&replay.stderr));
    let learn = std::process::Command::new(bin)
        .args(["learn", "--url", &url, "--token", TOKEN, "--har", learn_har.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(learn.status.success(), "{}", String::from_utf8_lossy(&learn.stderr));
    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    for (file, min) in [(&replay_har, 10), (&learn_har, 30)] {
        let text = std::fs::read_to_string(file).unwrap();
        assert!(!text.contains(TOKEN), "{} holds the token", file.display());
        let har: serde_json::Value = serde_json::from_str(&text).unwrap();
        let log = &har["log"];
        assert_eq!((log["version"].as_str(), log["creator"]["name"].as_str()), (Some("1.2"), Some("scim-mock")));
        let entries = log["entries"].as_array().unwrap();
        assert!(entries.len() >= min, "{}: {} entries", file.display(), entries.len());
        for e in entries {
            assert!(e["startedDateTime"].as_str().unwrap().ends_with('Z'));
            assert!(e["request"]["url"].as_str().unwrap().starts_with(&url), "{}", e["request"]["url"]);
            assert!(e["response"]["status"].as_u64().unwrap() >= 200);
            assert!(e["timings"]["wait"].is_u64() && e["time"] == e["timings"]["wait"]);
        }
    }
    let replay_entries = serde_json::from_str::<serde_json::Value>(&std::fs::read_to_string(&replay_har).unwrap())
        .unwrap()["log"]["entries"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(replay_entries, report["exchanges"].as_array().unwrap().len(), "one entry per exchange");
    std::fs::remove_dir_all(&tmp).unwrap();
}
