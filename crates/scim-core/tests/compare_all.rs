//! `compare_all` against the shared expected-outcomes file `tests/compare-all/cases.json`,
//! which the other doors (`scim-mock compare --all`, the JS `compareAll`, the playground's
//! "All profiles" view) are checked against too, so all of them give the same table.
//!
//! The file holds, per case, the request and the expected table: columns, and per profile
//! its status and one word per attribute. After a deliberate change of behaviour, rewrite it
//! with `SCIM_BLESS=1 cargo test -p scim-core --test compare_all` and review the diff.

use scim_core::{AllProfiles, Request, compare_all};
use serde_json::{Value, json};

const CASES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/compare-all/cases.json");

/// The table as the cases file writes it: columns, and per row profile, status, outcomes.
fn table(all: &AllProfiles) -> Value {
    json!({
        "attributes": all.attributes,
        "rows": all.rows.iter().map(|r| json!({"profile": r.profile, "status": r.status, "outcomes": r.outcomes})).collect::<Vec<_>>(),
    })
}

fn request(v: &Value) -> Request {
    let mut req = Request::new(v["method"].as_str().unwrap(), v["path"].as_str().unwrap());
    if let Some(body) = v.get("body") {
        req = req.json(body);
    }
    req
}

#[test]
fn every_case_gives_the_recorded_table() {
    let text = std::fs::read_to_string(CASES).unwrap();
    let mut doc: Value = serde_json::from_str(&text).unwrap();
    let bless = std::env::var_os("SCIM_BLESS").is_some();
    let cases = doc["cases"].as_array_mut().unwrap();
    assert!(cases.len() >= 3, "the file holds the cases every door runs");
    let mut failures = Vec::new();
    for case in cases.iter_mut() {
        let got = table(&compare_all(&request(&case["request"]), &[]));
        if bless {
            case["expect"] = got;
        } else if case["expect"] != got {
            failures.push(format!("{}:\n  expected {}\n  got      {}", case["name"], case["expect"], got));
        }
    }
    if bless {
        std::fs::write(CASES, serde_json::to_string_pretty(&doc).unwrap() + "\n").unwrap();
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
