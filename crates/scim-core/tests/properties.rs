//! Property tests for the invariants every door relies on:
//! - no input panics (arbitrary bytes, paths, headers);
//! - a failed request leaves the store snapshot byte-identical;
//! - PUT of a GET body changes nothing; what it leaves out is kept under `omitted = keep` and
//!   cleared under `omitted = clear`;
//! - the same PUT twice gives the same resource, on bodies generated from the User schema so
//!   that most of them reach the success path (the test asserts how many do).

use std::cell::Cell;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use scim_core::{Omitted, Profile, Request, Server};
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
}

/// A GET body sent back as a PUT (what Okta and the Ping page do) changes nothing under
/// either `omitted` setting, not even meta: it names every readable attribute, and the
/// writeOnly password it cannot name is kept under both. The settings part on a body that
/// leaves attributes out: `keep` keeps them (so that PUT changes nothing either), `clear`
/// removes them and moves `meta.lastModified`.
#[test]
fn put_of_get_body_changes_nothing_and_omissions_tell_keep_from_clear() {
    for keep in [true, false] {
        let (mut s, id) = seeded(profile(keep));
        let path = format!("/Users/{id}");
        let got = s.handle(&Request::new("GET", &path)).json();
        let before = s.snapshot().to_string();
        let put = s.handle(&Request::new("PUT", &path).json(&got));
        assert_eq!(put.status, 200, "keep={keep}: {}", put.body);
        assert_eq!(put.json(), got, "keep={keep}: PUT of the GET body answers the GET body");
        assert_eq!(s.snapshot().to_string(), before, "keep={keep}: PUT of the GET body must change nothing");

        let mut partial = got.clone();
        let obj = partial.as_object_mut().expect("object");
        obj.remove("title");
        obj.remove("emails");
        let put = s.handle(&Request::new("PUT", &path).json(&partial));
        assert_eq!(put.status, 200, "keep={keep}: {}", put.body);
        let after = put.json();
        if keep {
            assert_eq!(after, got, "keep: omitted title and emails are kept");
            assert_eq!(s.snapshot().to_string(), before, "keep: a PUT that omits attributes changes nothing");
        } else {
            assert!(after.get("title").is_none() && after.get("emails").is_none(), "clear: {after}");
            assert_ne!(after["meta"]["lastModified"], got["meta"]["lastModified"], "clear: the PUT changed the user");
            assert_ne!(s.snapshot().to_string(), before);
            let stored = s.handle(&Request::new("GET", &path)).json();
            assert_eq!(stored, after, "clear: the PUT's answer is what is stored");
            let (mut a, mut p) = (after.clone(), partial.clone());
            for v in [&mut a, &mut p] {
                v.as_object_mut().expect("object").remove("meta");
            }
            assert_eq!(a, p, "clear: nothing but title, emails and meta changed");
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

// ---------------------------------------------------------------------------------------
// Valid bodies, generated from the schema the server publishes
// ---------------------------------------------------------------------------------------

/// The `attributes` of a schema, as the server publishes it (RFC 7644 §4).
fn published_attributes(s: &mut Server, urn: &str) -> Vec<Value> {
    let r = s.handle(&Request::new("GET", &format!("/Schemas/{urn}")));
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["attributes"].as_array().cloned().expect("attributes")
}

/// Base64 (RFC 4648 §4), for binary attributes.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// One value of an attribute's type (RFC 7643 §2.3), ignoring `multiValued`.
fn one_value(attr: &Value) -> BoxedStrategy<Value> {
    if let Some(canonical) = attr["canonicalValues"].as_array().filter(|c| !c.is_empty()) {
        return prop::sample::select(canonical.clone()).boxed();
    }
    match attr["type"].as_str().unwrap_or_default() {
        "boolean" => any::<bool>().prop_map(Value::Bool).boxed(),
        "integer" => any::<i32>().prop_map(|n| json!(n)).boxed(),
        "decimal" => (-1.0e6..1.0e6f64).prop_map(|f| json!(f)).boxed(),
        "dateTime" => (2000..2030u32, 1..=12u32, 1..=28u32, 0..24u32, 0..60u32, 0..60u32)
            .prop_map(|(y, mo, d, h, mi, s)| json!(format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")))
            .boxed(),
        "reference" => "[a-z0-9]{1,8}".prop_map(|p| json!(format!("https://example.com/{p}"))).boxed(),
        "binary" => prop::collection::vec(any::<u8>(), 1..24).prop_map(|b| json!(base64(&b))).boxed(),
        "complex" => object_of(attr["subAttributes"].as_array().map_or(&[][..], Vec::as_slice)),
        _ => "[A-Za-z0-9][A-Za-z0-9 ._@-]{0,15}".prop_map(Value::String).boxed(),
    }
}

/// A value for an attribute: an array of one to three values when multi-valued, with at
/// most one `primary: true` (RFC 7643 §2.4).
fn attr_value(attr: &Value) -> BoxedStrategy<Value> {
    let one = one_value(attr);
    if attr["multiValued"] != json!(true) {
        return one;
    }
    prop::collection::vec(one, 1..4)
        .prop_map(|mut items| {
            let mut seen = false;
            for item in &mut items {
                if let Some(p) = item.get_mut("primary").filter(|p| **p == json!(true)) {
                    if seen {
                        *p = json!(false);
                    }
                    seen = true;
                }
            }
            Value::Array(items)
        })
        .boxed()
}

/// An object of the client-writable attributes: required ones always, the others mostly.
/// readOnly attributes are the server's, immutable ones may not change, so both stay out.
fn object_of(attrs: &[Value]) -> BoxedStrategy<Value> {
    let parts: Vec<BoxedStrategy<Option<(String, Value)>>> = attrs
        .iter()
        .filter(|a| !matches!(a["mutability"].as_str(), Some("readOnly" | "immutable")))
        .map(|a| {
            let name = a["name"].as_str().expect("attribute name").to_string();
            let value = attr_value(a);
            if a["required"] == json!(true) {
                value.prop_map(move |v| Some((name.clone(), v))).boxed()
            } else {
                prop::option::weighted(0.7, value).prop_map(move |v| v.map(|v| (name.clone(), v))).boxed()
            }
        })
        .collect();
    parts.prop_map(|kv| Value::Object(kv.into_iter().flatten().collect())).boxed()
}

/// A User that the schemas the server publishes allow, with the enterprise extension half
/// of the time.
fn valid_user_body(core: &[Value], enterprise: &[Value]) -> impl Strategy<Value = Value> {
    (object_of(core), prop::option::of(object_of(enterprise))).prop_map(|(mut user, ext)| {
        let m = user.as_object_mut().expect("object");
        m.insert("schemas".into(), json!([USER]));
        if let Some(ext) = ext {
            m.insert("schemas".into(), json!([USER, ENTERPRISE]));
            m.insert(ENTERPRISE.into(), ext);
        }
        user
    })
}

/// The same PUT twice gives the same resource (and the second changes nothing). Bodies are
/// mostly valid Users generated from the published schemas, with some of the noisy ones
/// above; the test fails unless most cases reach the success path, where the property says
/// something about the resource and not only about the status.
#[test]
fn put_is_idempotent() {
    let (mut probe, _) = seeded(profile(false));
    let (core, enterprise) = (published_attributes(&mut probe, USER), published_attributes(&mut probe, ENTERPRISE));
    let body = prop_oneof![4 => valid_user_body(&core, &enterprise), 1 => user_body()];
    let (ran, succeeded) = (Cell::new(0usize), Cell::new(0usize));
    let mut runner = TestRunner::new(Config { cases: 400, failure_persistence: None, ..Config::default() });
    let result = runner.run(&(any::<bool>(), body), |(keep, body)| {
        let (mut s, id) = seeded(profile(keep));
        let req = Request::new("PUT", &format!("/Users/{id}")).json(&body);
        let first = s.handle(&req);
        let after_first = s.snapshot().to_string();
        let second = s.handle(&req);
        ran.set(ran.get() + 1);
        prop_assert_eq!(first.status, second.status, "{}", first.body);
        if first.status == 200 {
            succeeded.set(succeeded.get() + 1);
            prop_assert_eq!(first.json(), second.json());
            prop_assert_eq!(after_first, s.snapshot().to_string());
        } else {
            prop_assert_eq!(first.body, second.body);
        }
        Ok::<(), TestCaseError>(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    let (ran, succeeded) = (ran.get(), succeeded.get());
    println!("put_is_idempotent: {succeeded} of {ran} cases reached the success path (200)");
    assert!(ran > 0, "no case ran");
    assert!(
        succeeded * 100 >= ran * 60,
        "only {succeeded} of {ran} generated PUTs succeeded; the property hardly checks resources"
    );
}
