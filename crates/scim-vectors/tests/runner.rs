//! The runner's own checks, against a door that answers every request with one canned
//! response: an expectation that cannot fail is no expectation.

use scim_core::{Profile, Request, Response};
use scim_vectors::{Case, Door, VectorFile, run_case};
use serde_json::json;

struct Canned(Response);

impl Door for Canned {
    fn name(&self) -> &str {
        "canned"
    }

    fn start(&mut self, _: &Profile) -> Result<(), String> {
        Ok(())
    }

    fn send(&mut self, _: &Request) -> Result<Response, String> {
        Ok(self.0.clone())
    }
}

fn reply(body: &str) -> Canned {
    Canned(Response { status: 200, headers: Vec::new(), body: body.to_string(), ..Response::default() })
}

/// One GET step that expects 200 and `title` absent.
fn absent_title() -> Case {
    serde_json::from_value(json!({
        "name": "absent-title", "rfc": "RFC 7644 §3.4.1",
        "steps": [{"request": {"method": "GET", "path": "/Users/x"},
                   "expect": {"status": 200, "absent": ["title"]}}]
    }))
    .expect("case")
}

#[test]
fn absent_needs_a_json_object_body() {
    let case = absent_title();
    assert_eq!(run_case(&mut reply(r#"{"userName": "bjensen"}"#), &case), Ok(()));
    let err = run_case(&mut reply(r#"{"title": "Tour Guide"}"#), &case).expect_err("title is present");
    assert!(err.contains("title should be absent"), "{err}");
    for body in ["", "not json", "[]", "null", r#""title""#] {
        let err = run_case(&mut reply(body), &case).expect_err(body);
        assert!(err.contains("needs a JSON object body"), "{body:?}: {err}");
    }
}

/// Every case runs through every door: a per-case door list is no longer a field, so a file
/// that still has one does not load.
#[test]
fn a_case_cannot_choose_its_doors() {
    let file = json!({"cases": [{
        "name": "x", "rfc": "RFC 7644 §3.4.1", "doors": ["core"],
        "steps": [{"request": {"method": "GET", "path": "/Users"}}]
    }]});
    let err = serde_json::from_value::<VectorFile>(file).expect_err("doors is unknown");
    assert!(err.to_string().contains("doors"), "{err}");
}
