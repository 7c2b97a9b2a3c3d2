//! The door under hostile or unlucky conditions (issue 12): clients that send half a request
//! or nothing, more connections than the cap, a `Host` header that is not a host, links out
//! of `--static`, a state file that cannot be written, a long search beside a short read.
//! Raw TCP where an HTTP client would refuse to misbehave.

mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::mpsc;
use std::time::Duration;

use common::{Reply, TestServer, agent, send};
use scim_core::Profile;
use scim_mock::{App, Config, Limits, Seed};
use serde_json::{Value, json};

const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";

fn scim_json() -> Vec<(String, String)> {
    vec![("Content-Type".into(), "application/scim+json".into())]
}

fn user(name: &str) -> Vec<u8> {
    json!({ "schemas": [USER], "userName": name, "title": "Tour Guide" }).to_string().into_bytes()
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("scim-mock-hard-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn limits(header_ms: u64, body_ms: u64, max_connections: usize) -> Limits {
    Limits {
        header_timeout: Duration::from_millis(header_ms),
        body_timeout: Duration::from_millis(body_ms),
        max_connections,
    }
}

/// A raw connection that gives up reading after 15 s (far beyond any timeout set here).
fn connect(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(15))).expect("timeout");
    s
}

/// Reads until the server closes the connection; `None` if it is still open after 15 s.
fn read_until_closed(s: &mut TcpStream) -> Option<String> {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return Some(String::from_utf8_lossy(&out).into_owned()),
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::ConnectionReset => {
                return Some(String::from_utf8_lossy(&out).into_owned());
            }
            Err(_) => return None,
        }
    }
}

/// One request over a fresh connection that asks to be closed after it; the raw response.
fn raw(addr: SocketAddr, head: &str, body: &[u8]) -> String {
    let mut s = connect(addr);
    s.write_all(head.as_bytes()).expect("write head");
    s.write_all(body).expect("write body");
    read_until_closed(&mut s).expect("response, then close")
}

fn raw_post_user(addr: SocketAddr, host: &str, name: &str) -> String {
    let body = user(name);
    let head = format!(
        "POST /scim/v2/Users HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/scim+json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    raw(addr, &head, &body)
}

/// The JSON body of a raw HTTP/1.1 response.
fn raw_body(resp: &str) -> Value {
    resp.split_once("\r\n\r\n").and_then(|(_, b)| serde_json::from_str(b).ok()).unwrap_or(Value::Null)
}

fn raw_header<'a>(resp: &'a str, name: &str) -> Option<&'a str> {
    let head = resp.split_once("\r\n\r\n")?.0;
    head.lines().find_map(|l| l.split_once(':').filter(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.trim()))
}

fn assert_scim_error(r: &Reply, status: u16, detail: &str) {
    assert_eq!(r.status, status, "{}", r.body);
    let body = r.json();
    assert_eq!(body["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:Error", "{}", r.body);
    assert!(body["detail"].as_str().unwrap_or_default().contains(detail), "detail: {}", body["detail"]);
}

#[test]
fn connections_that_send_nothing_or_half_their_headers_are_closed() {
    let mut config = Config::new(Profile::rfc());
    config.limits = limits(400, 30_000, 64);
    let s = TestServer::start(config);
    let mut silent = connect(s.addr);
    let mut half = connect(s.addr);
    half.write_all(b"GET /scim/v2/Users HTTP/1.1\r\nHost: localhost\r\nAccept: appl").expect("write");
    let mut idle = connect(s.addr);
    idle.write_all(b"GET /scim/v2/Users HTTP/1.1\r\nHost: localhost\r\n\r\n").expect("write");
    assert_eq!(read_until_closed(&mut silent), Some(String::new()), "a connection that never sends is closed");
    let half_answer = read_until_closed(&mut half).expect("a connection with half its headers is closed");
    assert!(!half_answer.starts_with("HTTP/1.1 2"), "{half_answer}");
    let kept_alive = read_until_closed(&mut idle).expect("an idle kept-alive connection is closed after its response");
    assert!(kept_alive.starts_with("HTTP/1.1 200"), "{kept_alive}");
}

#[test]
fn a_body_shorter_than_its_content_length_is_408_and_changes_nothing() {
    let mut config = Config::new(Profile::rfc());
    config.limits = limits(30_000, 400, 64);
    let s = TestServer::start(config);
    let before = s.app.snapshot();
    let resp = raw(
        s.addr,
        "POST /scim/v2/Users HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/scim+json\r\nContent-Length: 100\r\n\r\n",
        b"{\"userName\"",
    );
    assert!(resp.starts_with("HTTP/1.1 408"), "{resp}");
    let body = raw_body(&resp);
    assert_eq!(body["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:Error", "{resp}");
    assert_eq!(body["status"], "408");
    assert_eq!(s.app.snapshot(), before);
}

#[test]
fn connections_beyond_the_cap_wait_until_one_closes() {
    let mut config = Config::new(Profile::rfc());
    config.limits = limits(30_000, 30_000, 2);
    let s = TestServer::start(config);
    let first = connect(s.addr);
    let second = connect(s.addr);
    // Both are accepted (and hold the two places) before the third arrives.
    std::thread::sleep(Duration::from_millis(200));
    let mut third = connect(s.addr);
    third
        .write_all(b"GET /scim/v2/ServiceProviderConfig HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .expect("write");
    third.set_read_timeout(Some(Duration::from_millis(500))).expect("timeout");
    let mut buf = [0u8; 64];
    let waiting = third.read(&mut buf);
    assert!(
        matches!(&waiting, Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)),
        "the third connection must wait while two are open: {waiting:?}"
    );
    drop(first);
    third.set_read_timeout(Some(Duration::from_secs(15))).expect("timeout");
    let answer = read_until_closed(&mut third).expect("served once a place is free");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    drop(second);
}

#[test]
fn slow_clients_at_the_cap_are_timed_out_and_others_get_served() {
    let mut config = Config::new(Profile::rfc());
    config.limits = limits(500, 500, 3);
    let s = TestServer::start(config);
    // Slowloris: more silent or half-sent connections than the cap.
    let hogs: Vec<TcpStream> = (0..6)
        .map(|i| {
            let mut c = connect(s.addr);
            if i % 2 == 1 {
                let _ = c.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n");
            }
            c
        })
        .collect();
    let r = send(&agent(), "GET", &format!("{}/scim/v2/ServiceProviderConfig", s.origin()), &[], vec![]).expect("GET");
    assert_eq!(r.status, 200);
    drop(hogs);
}

#[test]
fn a_host_that_is_not_a_host_is_refused_and_a_valid_one_names_locations() {
    let s = TestServer::start(Config::new(Profile::rfc()));
    for host in ["evil.example/x", "user@evil.example", "a b", "[::1", "evil.example:port"] {
        let resp = raw_post_user(s.addr, host, "h");
        assert!(resp.starts_with("HTTP/1.1 400"), "Host {host:?}: {resp}");
        assert_eq!(raw_body(&resp)["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:Error", "{resp}");
        assert!(raw_body(&resp)["detail"].as_str().unwrap_or_default().contains("Host"), "{resp}");
    }
    assert_eq!(s.app.snapshot()["resources"]["User"], json!([]), "refused requests change nothing");
    let resp = raw_post_user(s.addr, "scim.test:8443", "h");
    assert!(resp.starts_with("HTTP/1.1 201"), "{resp}");
    let location = raw_header(&resp, "location").unwrap_or_default();
    assert!(location.starts_with("http://scim.test:8443/scim/v2/Users/"), "{location}");
    assert_eq!(raw_body(&resp)["meta"]["location"], location);
}

#[test]
fn public_url_names_locations_whatever_the_host() {
    let mut config = Config::new(Profile::rfc());
    config.public_url = Some("https://SCIM.example.com".into());
    let s = TestServer::start(config);
    let resp = raw_post_user(s.addr, "attacker.example", "p");
    assert!(resp.starts_with("HTTP/1.1 201"), "{resp}");
    let location = raw_header(&resp, "location").unwrap_or_default().to_string();
    assert!(location.starts_with("https://scim.example.com/scim/v2/Users/"), "{location}");
    assert_eq!(raw_body(&resp)["meta"]["location"], location.as_str());
    let head = "GET /scim/v2/Users HTTP/1.1\r\nHost: a b\r\nX-Forwarded-Proto: http\r\nConnection: close\r\n\r\n";
    let listed = raw(s.addr, head, b"");
    assert!(listed.starts_with("HTTP/1.1 200"), "{listed}");
    assert_eq!(raw_body(&listed)["Resources"][0]["meta"]["location"], location.as_str());

    for bad in
        ["ftp://scim.example.com", "https://scim.example.com/scim", "https://u:p@scim.example.com", "scim.example.com"]
    {
        let mut config = Config::new(Profile::rfc());
        config.public_url = Some(bad.into());
        let err = App::new(config).expect_err(bad).to_string();
        assert!(err.contains("--public-url"), "{bad}: {err}");
    }
}

#[cfg(unix)]
#[test]
fn static_files_never_follow_a_link_out_of_the_static_dir() {
    use std::os::unix::fs::symlink;
    let dir = temp_dir("static");
    let site = dir.join("site");
    let outside = dir.join("outside");
    std::fs::create_dir_all(site.join("assets")).expect("mkdir");
    std::fs::create_dir_all(&outside).expect("mkdir");
    std::fs::write(site.join("index.html"), "<p>playground</p>").expect("write");
    std::fs::write(site.join("assets/app.js"), "app").expect("write");
    std::fs::write(outside.join("secret.txt"), "SECRET").expect("write");
    std::fs::write(outside.join("index.html"), "SECRET PAGE").expect("write");
    symlink(outside.join("secret.txt"), site.join("leak.txt")).expect("symlink");
    symlink(&outside, site.join("out")).expect("symlink");
    symlink(site.join("assets/app.js"), site.join("inside.js")).expect("symlink");
    symlink(dir.join("nowhere"), site.join("dangling")).expect("symlink");
    let mut config = Config::new(Profile::rfc());
    config.static_dir = Some(site.clone());
    let s = TestServer::start(config);
    let get = |path: &str| send(&agent(), "GET", &format!("{}{path}", s.origin()), &[], vec![]).expect("GET");
    for path in ["/leak.txt", "/out/secret.txt", "/out/", "/out", "/out/index.html", "/%6Ceak.txt", "/dangling"] {
        let r = get(path);
        assert_eq!(r.status, 404, "{path}: {}", r.body);
        assert!(!r.body.contains("SECRET"), "{path}");
    }
    assert_eq!(get("/inside.js").body, "app", "a link that stays inside is served");
    assert_eq!(get("/assets/app.js").body, "app");
    assert!(get("/").body.contains("playground"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_write_that_cannot_be_saved_fails_with_503_and_changes_nothing() {
    let dir = temp_dir("unwritable");
    let path = dir.join("store.json");
    let journal = dir.join("store.json.journal");
    let config = || {
        let mut c = Config::new(Profile::rfc());
        c.state = Some(path.clone());
        c
    };
    let base = |s: &TestServer| format!("{}/scim/v2/Users", s.origin());
    let (kept, saved) = {
        let s = TestServer::start(config());
        let created = send(&agent(), "POST", &base(&s), &scim_json(), user("kept")).expect("POST");
        assert_eq!(created.status, 201, "{}", created.body);
        let id = created.json()["id"].as_str().expect("id").to_string();
        let one = format!("{}/{id}", base(&s));
        let listed = send(&agent(), "GET", &base(&s), &[], vec![]).expect("GET").body;
        let before = s.app.snapshot();
        // The journal becomes something no write can append to.
        let saved = std::fs::read(&journal).expect("journal");
        std::fs::remove_file(&journal).expect("rm");
        std::fs::create_dir(&journal).expect("mkdir");
        let patch = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "path": "title", "value": "changed"}]});
        let attempts = [
            ("POST", base(&s), user("lost")),
            (
                "PUT",
                one.clone(),
                json!({"schemas": [USER], "userName": "kept", "title": "changed"}).to_string().into_bytes(),
            ),
            ("PATCH", one.clone(), patch.to_string().into_bytes()),
            ("DELETE", one.clone(), vec![]),
        ];
        for (method, url, body) in attempts {
            let r = send(&agent(), method, &url, &scim_json(), body).expect(method);
            assert_scim_error(&r, 503, "could not be saved");
            assert_eq!(s.app.snapshot(), before, "{method} changed the store");
        }
        assert_eq!(send(&agent(), "GET", &base(&s), &[], vec![]).expect("GET").body, listed);
        // Reads go on.
        assert_eq!(send(&agent(), "GET", &one, &[], vec![]).expect("GET").status, 200);
        // Once the journal is back, writes are saved again.
        std::fs::remove_dir(&journal).expect("rmdir");
        std::fs::write(&journal, &saved).expect("restore journal");
        let r = send(&agent(), "POST", &base(&s), &scim_json(), user("after")).expect("POST");
        assert_eq!(r.status, 201, "{}", r.body);
        (id, s.app.snapshot())
    };
    let s = TestServer::start(config());
    assert_eq!(s.app.snapshot(), saved, "a restart sees exactly the acknowledged writes");
    let r = send(&agent(), "GET", &format!("{}/{kept}", base(&s)), &[], vec![]).expect("GET");
    assert_eq!(r.json()["title"], "Tour Guide");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_state_path_that_is_a_directory_stops_start_up() {
    let dir = temp_dir("state-dir");
    let mut config = Config::new(Profile::rfc());
    config.state = Some(dir.clone());
    let err = App::new(config).expect_err("a directory is no state file").to_string();
    assert!(err.contains("directory"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_old_state_file_migrates_and_stale_temp_files_go() {
    let dir = temp_dir("migrate");
    let path = dir.join("store.json");
    let mut old = scim_core::Server::new(Profile::rfc()).expect("server");
    let created = old
        .handle(&scim_core::Request::new("POST", "/Users").json(&serde_json::from_slice(&user("old")).expect("json")));
    assert_eq!(created.status, 201);
    std::fs::write(&path, serde_json::to_string_pretty(&old.snapshot()).expect("json")).expect("write");
    std::fs::write(dir.join(".store.json.tmp-12345"), "half a save").expect("write");
    let mut config = Config::new(Profile::rfc());
    config.state = Some(path.clone());
    config.deterministic = true;
    let s = TestServer::start(config);
    assert_eq!(s.app.snapshot(), old.snapshot());
    let migrated: Value = serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("json");
    assert_eq!((migrated["format"].as_str(), migrated["seq"].as_u64()), (Some("scim-mock-state"), Some(0)));
    assert_eq!(migrated["store"], old.snapshot());
    assert!(!dir.join(".store.json.tmp-12345").exists(), "the temp file of an interrupted save is removed");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_long_search_does_not_hold_up_a_read() {
    let dir = temp_dir("slow-search");
    let users: Vec<Value> = (0..4000)
        .map(|i| json!({"schemas": [USER], "userName": format!("user{i}"), "title": "Tour Guide",
            "emails": [{"value": format!("user{i}@example.com"), "type": "work"}, {"value": format!("u{i}@home.example"), "type": "home"}]}))
        .collect();
    std::fs::write(dir.join("seed.json"), json!({ "Users": users }).to_string()).expect("seed");
    let mut config = Config::new(Profile::rfc());
    config.seed = Seed::File(dir.join("seed.json"));
    let s = TestServer::start(config);
    let origin = s.origin();
    // Many terms over a multi-valued attribute, none matching: every user, every term.
    let terms: Vec<String> =
        (0..60).map(|i| format!("emails[value ew \"@nowhere{i}.example\" and type eq \"work\"]")).collect();
    let search = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
        "filter": terms.join(" or "), "sortBy": "userName"});
    let (done, order) = mpsc::channel();
    let searching = {
        let done = done.clone();
        let url = format!("{origin}/scim/v2/Users/.search");
        std::thread::spawn(move || {
            let r = send(&agent(), "POST", &url, &scim_json(), search.to_string().into_bytes()).expect("search");
            done.send(("search", r.status)).expect("send");
        })
    };
    std::thread::sleep(Duration::from_millis(300));
    let r = send(&agent(), "GET", &format!("{origin}/scim/v2/Users?count=1"), &[], vec![]).expect("GET");
    done.send(("read", r.status)).expect("send");
    searching.join().expect("search thread");
    let finished: Vec<(&str, u16)> = order.try_iter().collect();
    assert_eq!(finished, [("read", 200), ("search", 200)], "the read finished while the search was still running");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Requests hyper refuses before any of this server's code runs (a Content-Length that is not
/// a number, a header line without a colon) get hyper's own bare 400 and a closed
/// connection: hyper 1 has no hook to give them a body. They change nothing, and the
/// connection does not hang.
#[test]
fn requests_hyper_cannot_parse_get_a_400_and_a_closed_connection() {
    let s = TestServer::start(Config::new(Profile::rfc()));
    for head in [
        "POST /scim/v2/Users HTTP/1.1\r\nHost: localhost\r\nContent-Length: ten\r\n\r\n",
        "GET /scim/v2/Users HTTP/1.1\r\nHost: localhost\r\nno colon here\r\n\r\n",
    ] {
        let resp = raw(s.addr, head, b"");
        assert!(resp.starts_with("HTTP/1.1 400"), "{head:?}: {resp}");
    }
    assert_eq!(s.app.snapshot()["resources"]["User"], json!([]));
}

/// A compaction that cannot write the new base loses nothing: the old journal is kept, writes
/// go on (each still durable in the journal) and a restart replays both journals.
#[test]
fn a_failed_compaction_keeps_every_write() {
    let dir = temp_dir("compaction");
    let path = dir.join("store.json");
    let old_journal = dir.join("store.json.journal.old");
    let config = || {
        let mut c = Config::new(Profile::rfc());
        c.state = Some(path.clone());
        c.deterministic = true;
        // Compact as soon as the journal is larger than the base.
        c.compact_bytes = 1;
        c
    };
    let before_restart = {
        let s = TestServer::start(config());
        let base = std::fs::read(&path).expect("base");
        // The base becomes a directory: no new base can be renamed over it.
        std::fs::remove_file(&path).expect("rm");
        std::fs::create_dir(&path).expect("mkdir");
        std::fs::write(path.join("keep"), "x").expect("write");
        let post =
            |name: &str| send(&agent(), "POST", &format!("{}/scim/v2/Users", s.origin()), &scim_json(), user(name));
        for i in 0..5 {
            assert_eq!(post(&format!("before{i}")).expect("POST").status, 201);
        }
        for _ in 0..100 {
            if old_journal.exists() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        assert!(old_journal.exists(), "a compaction started and rotated the journal");
        for i in 0..20 {
            assert_eq!(post(&format!("after{i}")).expect("POST").status, 201, "writes go on");
        }
        std::thread::sleep(Duration::from_millis(300));
        assert!(old_journal.exists(), "the failed compaction kept the old journal");
        let snapshot = s.app.snapshot();
        drop(s);
        std::fs::remove_dir_all(&path).expect("rm dir");
        std::fs::write(&path, base).expect("put the base back");
        snapshot
    };
    let s = TestServer::start(config());
    assert_eq!(s.app.snapshot(), before_restart, "base + old journal + journal hold every write");
    assert!(!old_journal.exists(), "start-up folded the old journal into a new base");
    let _ = std::fs::remove_dir_all(&dir);
}
