//! The facade's own behaviour, in headless Chromium: options, conversions, errors at the
//! boundary, snapshot/restore, reset and compare.
#![cfg(target_arch = "wasm32")]

use js_sys::{JSON, Reflect};
use scim_wasm::MockServer;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";

/// A JS value from JSON text, as a JS caller would write it literally.
fn js(text: &str) -> JsValue {
    JSON::parse(text).expect("test JSON parses")
}

fn get(v: &JsValue, path: &str) -> JsValue {
    path.split('.').fold(v.clone(), |cur, key| Reflect::get(&cur, &key.into()).unwrap_or(JsValue::UNDEFINED))
}

fn text(v: &JsValue, path: &str) -> String {
    get(v, path).as_string().unwrap_or_else(|| panic!("{path} is not a string"))
}

fn status(v: &JsValue) -> u16 {
    get(v, "status").as_f64().expect("status is a number") as u16
}

fn message(e: JsError) -> String {
    js_sys::Error::from(JsValue::from(e)).message().into()
}

fn server(options: &str) -> MockServer {
    MockServer::new(Some(js(options))).map_err(message).expect("server starts")
}

fn create(s: &MockServer, user_name: &str) -> JsValue {
    let body = format!(r#"{{"schemas":["{USER}"],"userName":"{user_name}","title":"Guide"}}"#);
    let req = format!(r#"{{"method":"POST","path":"/Users","body":{body}}}"#);
    let res = s.handle(js(&req)).map_err(message).expect("handle");
    assert_eq!(status(&res), 201, "{}", text(&res, "body"));
    res
}

#[wasm_bindgen_test]
fn no_options_means_the_rfc_profile_with_random_uuids() {
    let s = MockServer::new(None).map_err(message).expect("server starts");
    let res = create(&s, "bjensen");
    let id = text(&res, "json.id");
    assert_eq!(id.len(), 36);
    assert_eq!(id.as_bytes()[14], b'4', "version-4 UUID: {id}");
    assert_eq!(text(&res, "headers.content-type"), "application/scim+json");
    assert_eq!(text(&res, "headers.etag"), "W/\"1\"");
    assert_eq!(text(&res, "explanation.profile"), "rfc");
    assert!(!get(&res, "explanation").is_instance_of::<js_sys::Map>(), "plain objects, not Maps");
}

#[wasm_bindgen_test]
fn a_string_body_and_an_object_body_are_the_same_request() {
    let a = server(r#"{"deterministic":true}"#);
    let b = server(r#"{"deterministic":true}"#);
    let body = format!(r#"{{"schemas":["{USER}"],"userName":"bjensen"}}"#);
    let req_text = js(r#"{"method":"POST","path":"/scim/v2/Users"}"#);
    Reflect::set(&req_text, &"body".into(), &body.as_str().into()).expect("set body");
    let req_obj = js(&format!(r#"{{"method":"POST","path":"/scim/v2/Users","body":{body}}}"#));
    let ra = a.handle(req_text).map_err(message).expect("text body");
    let rb = b.handle(req_obj).map_err(message).expect("object body");
    assert_eq!(status(&ra), 201);
    assert_eq!(text(&ra, "body"), text(&rb, "body"));
    assert_eq!(a.snapshot().map_err(message).expect("snapshot"), b.snapshot().map_err(message).expect("snapshot"));
}

#[wasm_bindgen_test]
fn scim_errors_are_responses_with_the_rfc_error_body() {
    let s = server(r#"{"deterministic":true}"#);
    let res = s
        .handle(js(r#"{"method":"POST","path":"/Users","body":"{\"userName\": "}"#))
        .map_err(message)
        .expect("handled");
    assert_eq!(status(&res), 400);
    assert_eq!(text(&res, "json.status"), "400");
    assert_eq!(text(&res, "json.scimType"), "invalidSyntax");
    assert!(text(&res, "json.detail").contains("not valid JSON"));
}

#[wasm_bindgen_test]
fn boundary_errors_throw_with_the_detail() {
    let err =
        MockServer::new(Some(js(r#"{"profile":"nope"}"#))).map(drop).map_err(message).expect_err("unknown profile");
    assert!(err.contains("no built-in profile \"nope\"") && err.contains("rfc"), "{err}");

    let err = MockServer::new(Some(js(r#"{"profile":{"name":"x","schemas":[],"resourceTypes":[{"id":"U","name":"U","endpoint":"/U","schema":"urn:x"}]}}"#)))
        .map(drop)
        .map_err(message)
        .expect_err("broken profile");
    assert!(err.contains("resourceTypes[0].schema"), "{err}");

    let err = MockServer::new(Some(js(r#"{"determinstic":true}"#))).map(drop).map_err(message).expect_err("typo");
    assert!(err.contains("determinstic"), "{err}");

    let err = MockServer::new(Some(js(r#"{"seed":1.5}"#))).map(drop).map_err(message).expect_err("seed");
    assert!(err.contains("\"seed\" must be a non-negative integer"), "{err}");

    let s = server("{}");
    let err = s.handle(js(r#"{"path":"/Users"}"#)).map(drop).map_err(message).expect_err("no method");
    assert!(err.contains("\"method\" must be a string"), "{err}");
    let err = s
        .handle(js(r#"{"method":"GET","path":"/Users","headers":{"Accept":1}}"#))
        .map(drop)
        .map_err(message)
        .expect_err("header");
    assert!(err.contains("header \"Accept\" must be a string"), "{err}");
    let err =
        s.handle(js(r#"{"method":"GET","path":"/Users","header":{}}"#)).map(drop).map_err(message).expect_err("typo");
    assert!(err.contains("unknown field \"header\""), "{err}");
}

#[wasm_bindgen_test]
fn snapshot_restore_round_trips_and_bad_snapshots_throw() {
    let s = server(r#"{"deterministic":true}"#);
    let created = create(&s, "bjensen");
    let id = text(&created, "json.id");
    let snap = s.snapshot().map_err(message).expect("snapshot");

    let restored = MockServer::restore(snap.as_str().into(), Some(js(r#"{"deterministic":true}"#)))
        .map_err(message)
        .expect("restores");
    assert_eq!(restored.snapshot().map_err(message).expect("snapshot"), snap);
    let got =
        restored.handle(js(&format!(r#"{{"method":"GET","path":"/Users/{id}"}}"#))).map_err(message).expect("get");
    assert_eq!(status(&got), 200);
    assert_eq!(text(&got, "json.userName"), "bjensen");

    // An object works as well as its text. (A server with a live clock keeps the resources
    // and the id sequence, and moves its own clock past the snapshot's.)
    let again = MockServer::restore(js(&snap), Some(js(r#"{"deterministic":true}"#)))
        .map_err(message)
        .expect("restores from an object");
    assert_eq!(again.snapshot().map_err(message).expect("snapshot"), snap);

    let err =
        MockServer::restore(JsValue::from_str("{}"), None).map(drop).map_err(message).expect_err("not a snapshot");
    assert!(err.contains("format"), "{err}");
    let err = MockServer::restore(JsValue::from_str("{"), None).map(drop).map_err(message).expect_err("not JSON");
    assert!(err.contains("the snapshot is not JSON"), "{err}");
}

#[wasm_bindgen_test]
fn reset_empties_the_store_and_restarts_deterministic_ids() {
    let s = server(r#"{"deterministic":true}"#);
    let first = text(&create(&s, "bjensen"), "json.id");
    s.reset().map_err(message).expect("reset");
    assert_eq!(
        s.snapshot().map_err(message).expect("snapshot"),
        server(r#"{"deterministic":true}"#).snapshot().map_err(message).expect("snapshot")
    );
    assert_eq!(text(&create(&s, "bjensen"), "json.id"), first);
}

#[wasm_bindgen_test]
fn seeds_make_ids_reproducible() {
    let a = text(&create(&server(r#"{"seed":7}"#), "x"), "json.id");
    let b = text(&create(&server(r#"{"seed":7}"#), "x"), "json.id");
    let c = text(&create(&server(r#"{"seed":8}"#), "x"), "json.id");
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[wasm_bindgen_test]
fn profiles_lists_the_built_ins_as_plain_objects() {
    let list = MockServer::profiles().map_err(message).expect("profiles");
    assert!(js_sys::Array::is_array(&list));
    let first = js_sys::Array::from(&list).get(0);
    assert!(!first.is_instance_of::<js_sys::Map>(), "plain objects, not Maps");
    assert_eq!(text(&first, "name"), "rfc");
    assert!(!text(&first, "title").is_empty());
}

#[wasm_bindgen_test]
fn compare_lists_where_two_profiles_answer_differently() {
    let clear = server(r#"{"deterministic":true}"#);
    let keep = MockServer::new(Some({
        let p = js(&serde_json::to_string(&scim_core::Profile::rfc()).expect("profile serialises"));
        Reflect::set(&get(&p, "behaviour"), &"omitted".into(), &"keep".into()).expect("set knob");
        let o = js(r#"{"deterministic":true}"#);
        Reflect::set(&o, &"profile".into(), &p).expect("set profile");
        o
    }))
    .map_err(message)
    .expect("keep profile");
    let body = format!(r#"{{"schemas":["{USER}"],"userName":"bjensen","title":"Guide"}}"#);
    let same = clear
        .compare(js(&format!(r#"{{"method":"POST","path":"/Users","body":{body}}}"#)), &keep)
        .map_err(message)
        .expect("compare");
    let number = |v: &JsValue, path: &str| get(v, path).as_f64().expect("a number");
    assert_eq!(number(&same, "diff.differences"), 0.0, "{:?}", JSON::stringify(&get(&same, "diff")));

    let id = text(&same, "left.json.id");
    let put =
        format!(r#"{{"method":"PUT","path":"/Users/{id}","body":{{"schemas":["{USER}"],"userName":"bjensen"}}}}"#);
    let diff = clear.compare(js(&put), &keep).map_err(message).expect("compare");
    assert!(number(&diff, "diff.significantDifferences") >= 1.0);
    let title = js_sys::Array::from(&get(&diff, "diff.entries"))
        .iter()
        .find(|e| text(e, "section") == "body" && text(e, "path") == "title")
        .expect("a title entry");
    assert_eq!(text(&title, "kind"), "added", "only the keep profile still has the title");
    assert_eq!(text(&diff, "right.json.title"), "Guide");
}

/// Issue 12, item 1, in the browser: a request whose getter throws (the issue's
/// reproduction), a revoked Proxy and a Proxy whose `ownKeys` throws are errors of that
/// call; the same instance then serves a normal request and exports its store.
#[wasm_bindgen_test]
fn hostile_requests_leave_the_instance_usable() {
    let s = server(r#"{"deterministic":true}"#);
    let hostile = [
        r#"({method: "GET", path: "/Users", headers: { get Accept() { throw new Error("x") } }})"#,
        r#"(() => { const r = Proxy.revocable({}, {}); r.revoke(); return r.proxy; })()"#,
        r#"new Proxy({method: "GET", path: "/Users"}, { ownKeys() { throw new Error("ownKeys") } })"#,
        r#"({method: "POST", path: "/Users", body: { n: 1n }})"#,
    ];
    for (i, source) in hostile.iter().enumerate() {
        let request = js_sys::eval(source).expect("the hostile value builds");
        let err = s.handle(request).map(drop).map_err(message).expect_err(source);
        assert!(!err.contains("recursive use"), "{err}");
        let created = create(&s, &format!("after{i}"));
        assert_eq!(text(&created, "json.userName"), format!("after{i}"));
        let snapshot = s.snapshot().map_err(message).expect("snapshot after a hostile request");
        assert!(snapshot.contains(&format!("after{i}")));
    }
}

/// A body over 1 MiB is a 413 response, not a throw.
#[wasm_bindgen_test]
fn a_large_body_is_413() {
    let s = server("{}");
    let body = JsValue::from_str(&" ".repeat(2 * 1024 * 1024));
    let req = js_sys::Object::new();
    Reflect::set(&req, &"method".into(), &"POST".into()).expect("set");
    Reflect::set(&req, &"path".into(), &"/Users".into()).expect("set");
    Reflect::set(&req, &"body".into(), &body).expect("set");
    let res = s.handle(req.into()).map_err(message).expect("a response");
    assert_eq!(status(&res), 413, "{}", text(&res, "body"));
    create(&s, "bjensen");
}
