//! Property tests for the invariants every door relies on:
//! - no input panics (arbitrary bytes, paths, headers);
//! - a failed request leaves the store snapshot byte-identical;
//! - under `omitted = keep`, PUT of a GET body changes nothing but meta;
//! - the same PUT twice gives the same resource.

use proptest::prelude::*;
use scim_core::Omitted;
use scim_core::{Profile, Request, Server};
use serde_json::{Map, Value, json};

const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

fn seeded(profile: Profile) -> (Server, String) {
    let mut s = Server::new(profile).unwrap();
    let r = s.handle(&Request::new("POST", "/Users").json(&json!({
        "schemas": [USER, ENTERPRISE], "userName": "bjensen", "title": "Tour Guide",
        "name": {"givenName": "Barbara", "familyName": "Jensen"}, "password": "secret",
        "emails": [{"value": "b@example.com", "type": "work", "primary": true}],
        ENTERPRISE: {"employeeNumber": "42", "manager": {"value": "m"}}
    })));
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.json()["id"].as_str().unwrap().to_string();
    s.handle(&Request::new("POST", "/Users").json(&json!({"schemas": [USER], "userName": "other"})));
    (s, id)
}

/// Keys that hit the engine's interesting paths, in odd cases too.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("schemas".to_string()),
        Just("id".to_string()),
        Just("meta".to_string()),
        Just("userName".to_string()),
        Just("USERNAME".to_string()),
        Just("name".to_string()),
        Just("givenName".to_string()),
        Just("title".to_string()),
        Just("active".to_string()),
        Just("emails".to_string()),
        Just("value".to_string()),
        Just("primary".to_string()),
        Just("password".to_string()),
        Just("groups".to_string()),
        Just("x509Certificates".to_string()),
        Just(ENTERPRISE.to_string()),
        Just("manager".to_string()),
        Just("employeeNumber".to_string()),
        "[a-zA-Z:.$]{0,8}",
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(|f| json!(f)),
        Just(json!(USER)),
        Just(json!("bjensen")),
        Just(json!("other")),
        Just(json!("False")),
        Just(json!("2008-01-23T04:56:22Z")),
        ".{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// A body that mostly looks like a user, with random parts.
fn user_body() -> impl Strategy<Value = Value> {
    (json_value(), prop::collection::vec((key(), json_value()), 0..5), any::<bool>()).prop_map(
        |(noise, extra, schemas)| {
            let mut m = Map::new();
            if schemas {
                m.insert("schemas".into(), json!([USER]));
            }
            m.insert("userName".into(), json!("bjensen"));
            for (k, v) in extra {
                m.insert(k, v);
            }
            if let Value::Object(o) = noise {
                for (k, v) in o {
                    m.entry(k).or_insert(v);
                }
            }
            Value::Object(m)
        },
    )
}

fn method() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("GET".to_string()),
        Just("PUT".to_string()),
        Just("POST".to_string()),
        Just("DELETE".to_string()),
        Just("PATCH".to_string()),
        "[A-Za-z]{0,7}",
    ]
}

fn profile(keep: bool) -> Profile {
    let mut p = Profile::rfc();
    if keep {
        p.behaviour.omitted = Omitted::Keep;
    }
    p
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    /// RFC 7644 §3.12 and the "failed request changes nothing" rule, on structured bodies.
    #[test]
    fn failed_requests_change_nothing(keep in any::<bool>(), m in method(), body in user_body(), target in 0..4usize, headers in prop::collection::vec(("[A-Za-z-]{1,12}", ".{0,20}"), 0..3)) {
        let (mut s, id) = seeded(profile(keep));
        let path = match target { 0 => format!("/Users/{id}"), 1 => "/Users".to_string(), 2 => format!("/scim/v2/Users/{id}?attributes=userName"), _ => "/Users/nope".to_string() };
        let mut req = Request::new(&m, &path).json(&body);
        for (k, v) in headers { req.headers.push((k, v)); }
        let before = s.snapshot().to_string();
        let resp = s.handle(&req);
        if resp.status >= 400 {
            prop_assert_eq!(before, s.snapshot().to_string(), "status {} changed the store: {}", resp.status, resp.body);
            let b = resp.json();
            let status = resp.status.to_string();
            prop_assert_eq!(b["status"].as_str(), Some(status.as_str()));
            prop_assert!(b["detail"].as_str().is_some_and(|d| !d.is_empty()));
        }
    }

    /// No input panics: arbitrary bytes as body, arbitrary paths and headers.
    #[test]
    fn arbitrary_input_never_panics(m in method(), path in "(/scim/v2)?(/[A-Za-z0-9%?=&.:_-]{0,12}){0,4}", body in prop::collection::vec(any::<u8>(), 0..200), headers in prop::collection::vec((".{0,10}", ".{0,30}"), 0..4)) {
        let (mut s, _) = seeded(profile(false));
        let before = s.snapshot().to_string();
        let req = Request { method: m, path, headers, body };
        let resp = s.handle(&req);
        prop_assert!((200..600).contains(&resp.status));
        if resp.status >= 400 { prop_assert_eq!(before, s.snapshot().to_string()); }
    }

    /// The same PUT twice gives the same resource (and the second changes nothing).
    #[test]
    fn put_is_idempotent(keep in any::<bool>(), body in user_body()) {
        let (mut s, id) = seeded(profile(keep));
        let req = Request::new("PUT", &format!("/Users/{id}")).json(&body);
        let first = s.handle(&req);
        let after_first = s.snapshot().to_string();
        let second = s.handle(&req);
        prop_assert_eq!(first.status, second.status);
        if first.status == 200 {
            prop_assert_eq!(first.json(), second.json());
            prop_assert_eq!(after_first, s.snapshot().to_string());
        }
    }
}

/// Under `omitted = keep`, a GET body sent back as a PUT (what Okta and the Ping page do)
/// changes nothing, not even meta.
#[test]
fn put_of_get_body_under_keep_changes_nothing() {
    for keep in [true, false] {
        let (mut s, id) = seeded(profile(keep));
        let got = s.handle(&Request::new("GET", &format!("/Users/{id}")));
        let before = s.snapshot();
        let put = s.handle(&Request::new("PUT", &format!("/Users/{id}")).json(&got.json()));
        assert_eq!(put.status, 200, "{}", put.body);
        if keep {
            assert_eq!(before, s.snapshot(), "keep: PUT of the GET body must change nothing");
            assert_eq!(put.json(), got.json());
        } else {
            // Under clear, the writeOnly password is still kept and nothing else is omitted, so
            // this also changes nothing: the GET body is the whole readable resource.
            assert_eq!(before, s.snapshot());
        }
    }
}

/// The fast default renderer and the general projection agree (excluding `password`, which
/// is never returned anyway, forces the general path).
#[test]
fn fast_and_general_rendering_agree() {
    let (mut s, id) = seeded(profile(false));
    let fast = s.handle(&Request::new("GET", &format!("/Users/{id}")));
    let general = s.handle(&Request::new("GET", &format!("/Users/{id}?excludedAttributes=password")));
    assert_eq!(fast.status, 200);
    assert_eq!(fast.body, general.body);
    assert!(!fast.body.contains("secret"));
}
