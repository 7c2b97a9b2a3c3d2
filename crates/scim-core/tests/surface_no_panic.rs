//! Fuzzy inputs to the query, PATCH and search surface never panic, never answer 5xx, and
//! a failed request never changes the store (RFC 7644 §3.12: errors are values).

use proptest::prelude::*;
use scim_core::{Profile, Request, Server};
use serde_json::{Value, json};

const PIECES: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    "\"",
    "\\",
    " ",
    "not",
    "and",
    "or",
    "eq",
    "ne",
    "co",
    "sw",
    "gt",
    "pr",
    "le",
    "userName",
    "emails",
    "emails.value",
    "type",
    "\"work\"",
    "\"x\"",
    "1e999",
    "-",
    "true",
    "null",
    ".",
    "members",
    "é",
    "urn:",
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
    "meta.created",
    "\"2026-01-01T00:00:00Z\"",
];

fn server() -> (Server, String) {
    let mut s = Server::new(Profile::rfc()).unwrap();
    let r = s.handle(&Request::new("POST", "/Users").json(&json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "bjensen", "title": "Guide",
        "emails": [{"value": "b@example.com", "type": "work", "primary": true}]
    })));
    let id = r.json()["id"].as_str().unwrap().to_string();
    let g = s.handle(&Request::new("POST", "/Groups").json(&json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "displayName": "Admins", "members": [{"value": id}]
    })));
    assert_eq!(g.status, 201);
    (s, id)
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..12).prop_map(|v| v.concat())
}

fn check(s: &mut Server, req: &Request) {
    let before = s.snapshot();
    let r = s.handle(req);
    assert!(r.status < 500, "{} {} -> {}: {}", req.method, req.path, r.status, r.body);
    if r.status >= 400 {
        assert_eq!(before, s.snapshot(), "a failed request changed the store");
        let body: Value = r.json();
        assert_eq!(body["status"], Value::String(r.status.to_string()));
    }
}

fn values() -> Vec<Value> {
    vec![json!("x"), json!(null), json!([]), json!({"value": "y"}), json!(true), json!([{"value": "z"}])]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn filters(f in text()) {
        let (mut s, _) = server();
        let q = f.replace('%', "%25").replace('&', "%26").replace('+', "%2B").replace('#', "%23");
        check(&mut s, &Request::new("GET", &format!("/Users?filter={q}&sortBy=emails.value")));
        check(&mut s, &Request::new("POST", "/.search").json(&json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], "filter": f
        })));
    }

    #[test]
    fn patch_paths(p in text(), op in prop::sample::select(&["add", "remove", "replace", "Replace"][..]),
                   v in prop::sample::select(values())) {
        let (mut s, id) = server();
        let body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                          "Operations": [{"op": op, "path": p, "value": v}]});
        check(&mut s, &Request::new("PATCH", &format!("/Users/{id}")).json(&body));
        let gid = s.handle(&Request::new("GET", "/Groups")).json()["Resources"][0]["id"].as_str().unwrap().to_string();
        check(&mut s, &Request::new("PATCH", &format!("/Groups/{gid}")).json(&body));
    }
}
