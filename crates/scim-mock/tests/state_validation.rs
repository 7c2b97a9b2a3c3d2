//! Issue 12, item 5, through the door where it was found: `scim-mock serve --state FILE`
//! with a hand-edited file that breaks the schema refuses to start, names the resource, the
//! attribute and the reason, and leaves the file byte-for-byte as it was.

use std::path::PathBuf;

use scim_core::{Profile, Request, Server};
use scim_mock::{App, Config};
use serde_json::{Value, json};

/// A state file as the engine writes it: two users.
fn good_state() -> Value {
    let mut s = Server::new(Profile::rfc()).expect("rfc");
    for name in ["bjensen", "jsmith"] {
        let body = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": name, "active": true});
        assert_eq!(s.handle(&Request::new("POST", "/Users").json(&body)).status, 201);
    }
    s.snapshot()
}

fn temp_file(name: &str, contents: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("scim-mock-state-validation-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, contents).expect("write state");
    path
}

/// Starts the mock on a state file edited by `edit`; returns the startup error.
fn refused(name: &str, edit: impl FnOnce(&mut Value)) -> String {
    let mut state = good_state();
    edit(&mut state["resources"]["User"][1]);
    let text = serde_json::to_string_pretty(&state).expect("json");
    let path = temp_file(name, &text);
    let config = Config { state: Some(path.clone()), ..Config::new(Profile::rfc()) };
    let err = match App::new(config) {
        Ok(_) => panic!("{name}: a state file that breaks the schema was served"),
        Err(e) => format!("{e:#}"),
    };
    assert_eq!(std::fs::read_to_string(&path).expect("read back"), text, "{name}: the file was changed");
    std::fs::remove_file(&path).ok();
    err
}

#[test]
fn a_good_state_file_loads() {
    let state = good_state();
    let path = temp_file("good.json", &state.to_string());
    let config = Config { state: Some(path.clone()), ..Config::new(Profile::rfc()) };
    let (_app, startup) = App::new(config).expect("a state file the engine wrote loads");
    assert!(startup.state_loaded);
    std::fs::remove_file(&path).ok();
}

#[test]
fn state_files_that_break_the_schema_are_refused_by_name() {
    type Edit = Box<dyn FnOnce(&mut Value)>;
    let cases: Vec<(&str, Edit, &[&str])> = vec![
        ("active-yes.json", Box::new(|u| u["active"] = json!("yes")), &["resources.User[1]", "'active'", "boolean"]),
        (
            "no-username.json",
            Box::new(|u| drop(u.as_object_mut().map(|o| o.remove("userName")))),
            &["resources.User[1]", "'userName' is required"],
        ),
        (
            "numeric-username.json",
            Box::new(|u| u["userName"] = json!(12345)),
            &["resources.User[1]", "'userName'", "string"],
        ),
        (
            "garbage-version.json",
            Box::new(|u| u["meta"]["version"] = json!("garbage")),
            &["resources.User[1]", "meta.version"],
        ),
        (
            "unknown-attribute.json",
            Box::new(|u| u["favouriteColour"] = json!("teal")),
            &["resources.User[1]", "favouriteColour"],
        ),
    ];
    for (name, edit, wants) in cases {
        let err = refused(name, edit);
        for want in wants {
            assert!(err.contains(want), "{name}: {want:?} missing from {err}");
        }
        assert!(err.contains("left untouched"), "{err}");
    }
}
