//! What the HTTP door adds around the core: body limit, bearer auth, state file, CORS,
//! static files and the built-in page, seeding.

mod common;

use std::io::{Read, Write};

use common::{Reply, TestServer, agent, send};
use scim_core::Profile;
use scim_mock::{App, Config, Seed};
use serde_json::{Value, json};

const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";

fn scim_json() -> Vec<(String, String)> {
    vec![("Content-Type".into(), "application/scim+json".into())]
}

fn user(name: &str) -> Vec<u8> {
    json!({ "schemas": [USER], "userName": name, "title": "Tour Guide" }).to_string().into_bytes()
}

fn post_user(s: &TestServer, headers: &[(String, String)], name: &str) -> Reply {
    send(&agent(), "POST", &format!("{}/scim/v2/Users", s.origin()), headers, user(name)).expect("POST")
}

fn assert_scim_error(r: &Reply, status: u16, detail: &str) {
    assert_eq!(r.status, status, "{}", r.body);
    assert_eq!(r.header("content-type"), Some("application/scim+json"));
    let body = r.json();
    assert_eq!(body["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:Error");
    assert_eq!(body["status"], status.to_string());
    assert!(body["detail"].as_str().unwrap_or_default().contains(detail), "detail: {}", body["detail"]);
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("scim-mock-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[test]
fn body_over_the_limit_is_413_and_changes_nothing() {
    let mut config = Config::new(Profile::rfc());
    config.max_body = 200;
    let s = TestServer::start(config);
    let before = s.app.snapshot();
    let big = json!({ "schemas": [USER], "userName": "big", "title": "x".repeat(500) }).to_string();
    let r = send(&agent(), "POST", &format!("{}/scim/v2/Users", s.origin()), &scim_json(), big.clone().into_bytes())
        .expect("POST");
    assert_scim_error(&r, 413, "limit of 200 bytes");
    assert_eq!(s.app.snapshot(), before);

    // A chunked body carries no Content-Length: the limit applies while reading.
    let mut tcp = std::net::TcpStream::connect(s.addr).expect("connect");
    let mut raw = format!(
        "POST /scim/v2/Users HTTP/1.1\r\nHost: {}\r\nContent-Type: application/scim+json\r\n\
         Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n{:x}\r\n",
        s.addr,
        big.len()
    )
    .into_bytes();
    raw.extend_from_slice(big.as_bytes());
    raw.extend_from_slice(b"\r\n0\r\n\r\n");
    tcp.write_all(&raw).expect("write");
    let mut answer = String::new();
    let _ = tcp.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("\"status\":\"413\""), "{answer}");
    assert_eq!(s.app.snapshot(), before);

    // Just under the limit still works.
    let r = post_user(&s, &scim_json(), "small");
    assert_eq!(r.status, 201, "{}", r.body);
}

#[test]
fn token_is_required_when_set() {
    let mut config = Config::new(Profile::rfc());
    config.token = Some("s3cret".into());
    let s = TestServer::start(config);
    let before = s.app.snapshot();

    let r = post_user(&s, &scim_json(), "nobody");
    assert_scim_error(&r, 401, "Authorization: Bearer");
    // The core's challenge (RFC 6750 §3), the same in every door.
    assert_eq!(r.header("www-authenticate"), Some("Bearer realm=\"SCIM\""));
    assert_eq!(r.headers.iter().filter(|(n, _)| n == "www-authenticate").count(), 1);

    let mut wrong = scim_json();
    wrong.push(("Authorization".into(), "Bearer guess".into()));
    assert_scim_error(&post_user(&s, &wrong, "nobody"), 401, "--token");
    let get = send(&agent(), "GET", &format!("{}/scim/v2/Users/x", s.origin()), &[], vec![]).expect("GET");
    assert_eq!(get.status, 401);
    assert_eq!(s.app.snapshot(), before);

    let mut right = scim_json();
    right.push(("Authorization".into(), "Bearer s3cret".into()));
    assert_eq!(post_user(&s, &right, "somebody").status, 201);

    // The page outside the base path is public.
    let home = send(&agent(), "GET", &format!("{}/", s.origin()), &[], vec![]).expect("GET /");
    assert_eq!(home.status, 200);
}

#[test]
fn wrong_media_type_is_415_from_the_core() {
    let s = TestServer::start(Config::new(Profile::rfc()));
    let r = post_user(&s, &[("Content-Type".into(), "text/plain".into())], "t");
    assert_scim_error(&r, 415, "application/scim+json");
}

#[test]
fn corrupt_state_file_stops_start_up_and_is_left_untouched() {
    let dir = temp_dir("corrupt");
    let path = dir.join("state.json");
    let junk = "{ this is not a snapshot";
    std::fs::write(&path, junk).expect("write");
    let mut config = Config::new(Profile::rfc());
    config.state = Some(path.clone());
    config.seed = Seed::Demo;
    let err = App::new(config).expect_err("must refuse").to_string();
    assert!(err.contains("refusing to start") && err.contains("left untouched"), "{err}");
    assert_eq!(std::fs::read_to_string(&path).expect("read"), junk);

    // Valid JSON that is not a store snapshot is refused too.
    std::fs::write(&path, "{\"users\": []}").expect("write");
    let mut config = Config::new(Profile::rfc());
    config.state = Some(path.clone());
    assert!(App::new(config).is_err());
    assert_eq!(std::fs::read_to_string(&path).expect("read"), "{\"users\": []}");

    // The binary exits non-zero with the message.
    std::fs::write(&path, junk).expect("write");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_scim-mock"))
        .args(["serve", "--port", "0", "--state"])
        .arg(&path)
        .output()
        .expect("run scim-mock");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("refusing to start"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&path).expect("read"), junk);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn state_survives_a_restart() {
    let dir = temp_dir("state");
    let path = dir.join("store.json");
    let config = || {
        let mut c = Config::new(Profile::rfc());
        c.state = Some(path.clone());
        c.seed = Seed::Demo;
        c
    };
    let (id, etag) = {
        let s = TestServer::start(config());
        // Seeded and saved at start-up.
        assert!(std::fs::read_to_string(&path).expect("state written").contains("bjensen"));
        let created = post_user(&s, &scim_json(), "persisted");
        assert_eq!(created.status, 201);
        let id = created.json()["id"].as_str().expect("id").to_string();
        let put = send(
            &agent(),
            "PUT",
            &format!("{}/scim/v2/Users/{id}", s.origin()),
            &scim_json(),
            json!({ "schemas": [USER], "userName": "persisted", "displayName": "Kept" }).to_string().into_bytes(),
        )
        .expect("PUT");
        assert_eq!(put.status, 200, "{}", put.body);
        // A failed write does not touch the files.
        let journal = dir.join("store.json.journal");
        let saved = (std::fs::read(&path).expect("read"), std::fs::read(&journal).expect("read journal"));
        assert_eq!(saved.1.iter().filter(|b| **b == b'\n').count(), 2, "one journal line per write");
        assert_eq!(post_user(&s, &scim_json(), "persisted").status, 409);
        assert_eq!((std::fs::read(&path).expect("read"), std::fs::read(&journal).expect("read")), saved);
        let on_disk: Value = serde_json::from_slice(&saved.0).expect("state is JSON");
        assert_eq!(on_disk["format"], "scim-mock-state");
        assert!(on_disk["store"]["resources"]["User"].as_array().is_some_and(|u| !u.is_empty()));
        (id, put.header("etag").expect("etag").to_string())
    };
    // No temp files left beside it.
    let mut names: Vec<String> =
        std::fs::read_dir(&dir).expect("dir").map(|e| e.expect("entry").file_name().to_string_lossy().into()).collect();
    names.sort();
    assert_eq!(names, ["store.json", "store.json.journal"]);

    let s = TestServer::start(config());
    let got = send(&agent(), "GET", &format!("{}/scim/v2/Users/{id}", s.origin()), &[], vec![]).expect("GET");
    assert_eq!(got.status, 200, "{}", got.body);
    assert_eq!(got.json()["displayName"], "Kept");
    assert!(got.json().get("title").is_none());
    assert_eq!(got.header("etag"), Some(etag.as_str()));
    // The seed did not run twice (it would have failed on userName uniqueness anyway).
    assert_eq!(s.app.snapshot().to_string().matches("\"bjensen\"").count(), 1);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn cors_preflight_and_exposed_headers() {
    let mut config = Config::new(Profile::rfc());
    config.token = Some("t".into());
    let s = TestServer::start(config);
    let pre = send(
        &agent(),
        "OPTIONS",
        &format!("{}/scim/v2/Users/abc", s.origin()),
        &[
            ("Origin".into(), "http://localhost:5173".into()),
            ("Access-Control-Request-Method".into(), "PUT".into()),
            ("Access-Control-Request-Headers".into(), "authorization, content-type, if-match".into()),
        ],
        vec![],
    )
    .expect("OPTIONS");
    assert_eq!(pre.status, 200, "{pre:?}");
    assert_eq!(pre.header("access-control-allow-origin"), Some("*"));
    assert!(pre.header("access-control-allow-methods").unwrap_or_default().contains("PUT"));
    let allowed = pre.header("access-control-allow-headers").unwrap_or_default().to_ascii_lowercase();
    assert!(allowed.contains("authorization") && allowed.contains("if-match"), "{allowed}");

    let mut h = scim_json();
    h.push(("Origin".into(), "http://localhost:5173".into()));
    h.push(("Authorization".into(), "Bearer t".into()));
    let r = post_user(&s, &h, "cors");
    assert_eq!(r.status, 201);
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    let exposed = r.header("access-control-expose-headers").unwrap_or_default().to_ascii_lowercase();
    assert!(exposed.contains("etag") && exposed.contains("location"), "{exposed}");
}

#[test]
fn home_page_lists_endpoints_and_never_echoes_requests() {
    let s = TestServer::start(Config::new(Profile::rfc()));
    let home = send(&agent(), "GET", &format!("{}/", s.origin()), &[], vec![]).expect("GET /");
    assert_eq!(home.status, 200);
    assert!(home.header("content-type").unwrap_or_default().starts_with("text/html"));
    assert!(home.body.contains("/scim/v2/Users") && home.body.contains("not built yet"));

    let probe = "%3Cscript%3Ealert(1)%3C/script%3E";
    let r = send(&agent(), "GET", &format!("{}/{probe}?q=%3Cb%3E", s.origin()), &[], vec![]).expect("GET");
    assert_eq!(r.status, 404);
    assert!(r.header("content-type").unwrap_or_default().starts_with("text/plain"));
    assert!(!r.body.contains("script") && !r.body.contains("<b>"));
}

#[test]
fn static_dir_is_served_outside_the_base_path() {
    let dir = temp_dir("static");
    std::fs::write(dir.join("index.html"), "<!doctype html><p>playground</p>").expect("write");
    std::fs::write(dir.join("app.wasm"), b"\0asm").expect("write");
    let mut config = Config::new(Profile::rfc());
    config.static_dir = Some(dir.clone());
    let s = TestServer::start(config);
    let home = send(&agent(), "GET", &format!("{}/", s.origin()), &[], vec![]).expect("GET /");
    assert_eq!(home.status, 200);
    assert!(home.body.contains("playground"));
    let wasm = send(&agent(), "GET", &format!("{}/app.wasm", s.origin()), &[], vec![]).expect("GET wasm");
    assert_eq!(wasm.header("content-type"), Some("application/wasm"));
    // SCIM still goes to the core.
    assert_eq!(post_user(&s, &scim_json(), "s").status, 201);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn demo_seed_goes_through_the_core() {
    let mut config = Config::new(Profile::rfc());
    config.seed = Seed::Demo;
    let (app, startup) = App::new(config).expect("start");
    let report = startup.seed.expect("seeded");
    // bjensen, Veeva's and Ping's documented users, three colleagues and a group.
    assert_eq!(report.created, 7, "{:?}", report.refused);
    let snap = app.snapshot().to_string();
    for name in ["bjensen", "a.smithn@veepharm.com", "pconley", "jsmith", "mchen", "akumar", "Tour Guides"] {
        assert!(snap.contains(&format!("\"{name}\"")), "{name} missing");
    }
}

#[test]
fn base_path_with_a_parameter_segment_routes_to_the_core() {
    let mut profile = Profile::rfc();
    profile.base_path = "/api/{version}/scim/v2".into();
    let s = TestServer::start(Config::new(profile));
    let r = send(&agent(), "POST", &format!("{}/api/v24.1/scim/v2/Users", s.origin()), &scim_json(), user("v"))
        .expect("POST");
    assert_eq!(r.status, 201, "{}", r.body);
    let location = r.header("location").expect("Location");
    assert!(location.starts_with(&format!("{}/api/v24.1/scim/v2/Users/", s.origin())), "{location}");
    // Outside the base path is the site, not SCIM.
    let outside = post_user(&s, &scim_json(), "w");
    assert_eq!(outside.status, 404, "{outside:?}");
    assert!(outside.header("content-type").unwrap_or_default().starts_with("text/plain"));
    assert!(outside.body.contains("/api/{version}/scim/v2"));
}

/// `--seed demo` starts from the profile's own seed, so a vendor page's request works as
/// printed (Ping's documented user), and fits the other demo users to the vendor's schema.
#[test]
fn demo_seed_includes_the_profiles_own_seed() {
    let mut config = Config::new(Profile::builtin("ping").expect("ping"));
    config.seed = Seed::Demo;
    let (app, startup) = App::new(config).expect("start");
    let report = startup.seed.expect("seeded");
    assert!(report.refused.is_empty(), "{:?}", report.refused);
    let snap = app.snapshot().to_string();
    assert!(snap.contains("76b4c133-87a7-4b2f-8058-4716e78b0fd4"));
    assert!(snap.contains("\"jsmith\"") && snap.contains("urn:pingidentity:schemas:User:1.0"));
}
