//! Scenario files (tests/scenarios/*.json) are checked against the scenario JSON Schema
//! and load as [`scim_learn::Scenario`]s; the schema refuses what a scenario must not be.

use std::path::PathBuf;

use serde_json::{Value, json};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/scenarios")
}

fn validator() -> (boon::Schemas, boon::SchemaIndex) {
    let schema = scim_learn::scenario_schema();
    let url = schema["$id"].as_str().unwrap().to_string();
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler.add_resource(&url, schema).unwrap();
    let idx = compiler.compile(&url, &mut schemas).unwrap();
    (schemas, idx)
}

#[test]
fn every_scenario_file_is_valid() {
    let (schemas, idx) = validator();
    let mut names = vec![];
    for entry in std::fs::read_dir(dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        if let Err(e) = schemas.validate(&v, idx) {
            panic!("{}: {e}", path.display());
        }
        let s: scim_learn::Scenario = serde_json::from_value(v).unwrap();
        assert_eq!(format!("{}.json", s.name), path.file_name().unwrap().to_str().unwrap());
        names.push(s.name);
    }
    names.sort();
    assert_eq!(
        names,
        [
            "entra-default",
            "entra-flag",
            "entra-validator",
            "jumpcloud-test-connection",
            "okta-full-put",
            "okta-oin-patch"
        ]
    );
}

#[test]
fn the_schema_refuses_a_step_without_a_source_or_with_an_unknown_field() {
    let (schemas, idx) = validator();
    let step = json!({"name": "s", "source": "https://example.com/doc", "method": "GET", "path": "/Users",
        "expect": {"status": [200]}, "concludes": "c", "breaks": "b"});
    let doc = |step: Value| json!({"name": "x", "title": "t", "client": "c", "description": "d", "steps": [step]});
    assert!(schemas.validate(&doc(step.clone()), idx).is_ok());
    let mut no_source = step.clone();
    no_source.as_object_mut().unwrap().remove("source");
    assert!(schemas.validate(&doc(no_source), idx).is_err());
    let mut extra = step.clone();
    extra["expect"]["statuses"] = json!([200]);
    assert!(schemas.validate(&doc(extra), idx).is_err());
    let mut bad_method = step;
    bad_method["method"] = json!("FETCH");
    assert!(schemas.validate(&doc(bad_method), idx).is_err());
}

/// The page's checker (`scim_learn::check_scenario`, no regex engine) and `boon` accept and
/// refuse the same documents: every scenario file, and one mutation per rule of the schema.
#[test]
fn the_page_checker_agrees_with_boon() {
    let (schemas, idx) = validator();
    let base: Value =
        serde_json::from_str(&std::fs::read_to_string(dir().join("okta-full-put.json")).unwrap()).unwrap();
    let mut docs: Vec<(String, Value)> = vec![];
    for entry in std::fs::read_dir(dir()).unwrap() {
        let path = entry.unwrap().path();
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        docs.push((path.display().to_string(), v));
    }
    type Mutation = (&'static str, fn(&mut Value));
    let mutations: &[Mutation] = &[
        ("no name", |v| drop(v.as_object_mut().unwrap().remove("name"))),
        ("no steps", |v| drop(v.as_object_mut().unwrap().remove("steps"))),
        ("empty steps", |v| v["steps"] = json!([])),
        ("name with capitals", |v| v["name"] = json!("Okta")),
        ("name empty", |v| v["name"] = json!("")),
        ("title empty", |v| v["title"] = json!("")),
        ("title a number", |v| v["title"] = json!(7)),
        ("unknown top key", |v| v["extra"] = json!(true)),
        ("vendorProfile empty", |v| v["vendorProfile"] = json!("")),
        ("step not an object", |v| v["steps"][0] = json!("GET /Users")),
        ("step without source", |v| drop(v["steps"][0].as_object_mut().unwrap().remove("source"))),
        ("step without breaks", |v| drop(v["steps"][0].as_object_mut().unwrap().remove("breaks"))),
        ("source over http", |v| v["steps"][0]["source"] = json!("http://example.com")),
        ("method unknown", |v| v["steps"][0]["method"] = json!("FETCH")),
        ("method lower case", |v| v["steps"][0]["method"] = json!("get")),
        ("path relative", |v| v["steps"][0]["path"] = json!("Users")),
        ("header not a string", |v| v["steps"][0]["headers"] = json!({"X-A": 1})),
        ("headers a string", |v| v["steps"][0]["headers"] = json!("X-A: 1")),
        ("body an array", |v| v["steps"][0]["body"] = json!([])),
        ("expect without status", |v| v["steps"][0]["expect"] = json!({})),
        ("status empty", |v| v["steps"][0]["expect"]["status"] = json!([])),
        ("status 99", |v| v["steps"][0]["expect"]["status"] = json!([99])),
        ("status 600", |v| v["steps"][0]["expect"]["status"] = json!([600])),
        ("status text", |v| v["steps"][0]["expect"]["status"] = json!(["200"])),
        ("status fraction", |v| v["steps"][0]["expect"]["status"] = json!([200.5])),
        ("unknown expect key", |v| v["steps"][0]["expect"]["statuses"] = json!([200])),
        ("present not a pointer", |v| v["steps"][0]["expect"]["present"] = json!(["id"])),
        ("absent a string", |v| v["steps"][0]["expect"]["absent"] = json!("/id")),
        ("equals key not a pointer", |v| v["steps"][0]["expect"]["equals"] = json!({"id": 1})),
        ("equals fine", |v| v["steps"][0]["expect"]["equals"] = json!({"/id": 1})),
        ("save not a pointer", |v| v["steps"][0]["save"] = json!({"id": "id"})),
        ("save a number", |v| v["steps"][0]["save"] = json!({"id": 1})),
        ("cleanup a string", |v| v["steps"][0]["cleanup"] = json!("yes")),
        ("cleanup fine", |v| v["steps"][0]["cleanup"] = json!(true)),
        ("unknown step key", |v| v["steps"][0]["note"] = json!("n")),
        ("not an object", |v| *v = json!([1])),
    ];
    for (what, m) in mutations {
        let mut v = base.clone();
        m(&mut v);
        docs.push(((*what).to_string(), v));
    }
    let mut refused = 0;
    for (what, v) in &docs {
        let by_boon = schemas.validate(v, idx).is_ok();
        let by_page = scim_learn::check_scenario(&v.to_string());
        assert_eq!(by_page.is_ok(), by_boon, "{what}: boon {by_boon}, the page's checker {by_page:?}");
        refused += usize::from(!by_boon);
    }
    assert_eq!(refused, mutations.len() - 2, "every mutation but the two fine ones is refused");
}
