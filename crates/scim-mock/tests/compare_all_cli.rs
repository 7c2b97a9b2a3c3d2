//! `scim-mock compare --all` against the shared expected-outcomes file
//! `tests/compare-all/cases.json` (the table scim-core, the JS `compareAll` and the
//! playground's "All profiles" view are checked against too), and its text table.

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::{Value, json};

const CASES: &str = include_str!("../../../tests/compare-all/cases.json");

fn run(args: &[&str], stdin: &str) -> (bool, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_scim-mock"))
        .arg("compare")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    (out.status.success(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

#[test]
fn json_output_matches_the_shared_table() {
    let doc: Value = serde_json::from_str(CASES).unwrap();
    for case in doc["cases"].as_array().unwrap() {
        let (ok, stdout, stderr) = run(&["--all", "--json", "-"], &case["request"].to_string());
        assert!(ok, "{}: {stderr}", case["name"]);
        let got: Value = serde_json::from_str(&stdout).unwrap();
        let table = json!({
            "attributes": got["attributes"],
            "rows": got["rows"].as_array().unwrap().iter()
                .map(|r| json!({"profile": r["profile"], "status": r["status"], "outcomes": r["outcomes"]}))
                .collect::<Vec<_>>(),
        });
        assert_eq!(table, case["expect"], "{}", case["name"]);
    }
}

#[test]
fn table_has_one_line_per_profile_with_the_same_words() {
    let doc: Value = serde_json::from_str(CASES).unwrap();
    let case = &doc["cases"][0];
    let (ok, stdout, stderr) = run(&["--all", "-"], &case["request"].to_string());
    assert!(ok, "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    let rows = case["expect"]["rows"].as_array().unwrap();
    assert_eq!(lines.len(), rows.len() + 1, "{stdout}");
    let header: Vec<&str> = lines[0].split_whitespace().collect();
    for (line, row) in lines[1..].iter().zip(rows) {
        let cells: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(cells[0], row["profile"], "{line}");
        assert_eq!(cells[1], row["status"].to_string(), "{line}");
        for (i, attr) in header.iter().enumerate().skip(2) {
            let want = row["outcomes"].get(*attr).and_then(Value::as_str).unwrap_or("-");
            assert_eq!(cells[i], want, "{} {attr}: {line}", row["profile"]);
        }
    }
}

#[test]
fn bad_input_is_an_error_that_says_what_to_do() {
    let (ok, _, stderr) = run(&["-"], "{}");
    assert!(!ok && stderr.contains("--all"), "{stderr}");
    let (ok, _, stderr) = run(&["--all", "-"], r#"{"path": "/Users"}"#);
    assert!(!ok && stderr.contains("\"method\""), "{stderr}");
}
