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
