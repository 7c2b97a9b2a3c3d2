//! `scim-mock relay` (issue 16, Deliver 1): forwards to its one upstream only, passes
//! `Authorization` through, adds CORS (preflight included) and refuses other targets.

mod common;

use std::io::{Read, Write};

use common::{TestServer, agent, send};
use scim_core::Profile;
use scim_mock::Config;

struct Relay {
    addr: std::net::SocketAddr,
    _rt: tokio::runtime::Runtime,
}

fn relay(to: &str) -> Relay {
    let up = scim_mock::relay::Upstream::parse(to).unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let addr = listener.local_addr().unwrap();
    rt.spawn(scim_mock::serve_router(
        listener,
        scim_mock::relay::router(up),
        scim_mock::Limits::default(),
        std::future::pending(),
    ));
    Relay { addr, _rt: rt }
}

fn upstream() -> TestServer {
    let mut c = Config::new(Profile::rfc());
    c.token = Some("s3cret".into());
    TestServer::start(c)
}

#[test]
fn authorization_passes_through_and_cors_is_added() {
    let up = upstream();
    let r = relay(&format!("{}/scim/v2", up.origin()));
    let a = agent();
    let url = format!("http://{}/scim/v2/Users", r.addr);
    let origin = ("Origin".to_string(), "http://playground.test".to_string());
    let with =
        send(&a, "GET", &url, &[origin.clone(), ("Authorization".into(), "Bearer s3cret".into())], vec![]).unwrap();
    assert_eq!(with.status, 200, "{}", with.body);
    assert_eq!(with.header("access-control-allow-origin"), Some("*"));
    assert!(with.json()["totalResults"].is_number());
    // Without the token the upstream's own 401 comes back, challenge and all.
    let without = send(&a, "GET", &url, &[origin], vec![]).unwrap();
    assert_eq!(without.status, 401);
    assert!(without.header("www-authenticate").is_some());
    // A write with a body and its Content-Type.
    let body = br#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"relayed"}"#.to_vec();
    let created = send(
        &a,
        "POST",
        &url,
        &[("Authorization".into(), "Bearer s3cret".into()), ("Content-Type".into(), "application/scim+json".into())],
        body,
    )
    .unwrap();
    assert_eq!(created.status, 201, "{}", created.body);
    assert!(created.header("etag").is_some() && created.header("location").is_some());
}

#[test]
fn preflight_is_answered_with_cors() {
    let up = upstream();
    let r = relay(&format!("{}/scim/v2", up.origin()));
    let pre = send(
        &agent(),
        "OPTIONS",
        &format!("http://{}/scim/v2/Users/1", r.addr),
        &[
            ("Origin".into(), "http://playground.test".into()),
            ("Access-Control-Request-Method".into(), "PUT".into()),
            ("Access-Control-Request-Headers".into(), "authorization, content-type".into()),
        ],
        vec![],
    )
    .unwrap();
    assert!(pre.status == 200 || pre.status == 204, "{}", pre.status);
    assert_eq!(pre.header("access-control-allow-origin"), Some("*"));
    assert!(pre.header("access-control-allow-methods").is_some_and(|m| m.contains("PUT")));
    assert!(pre.header("access-control-allow-headers").is_some_and(|h| h.to_lowercase().contains("authorization")));
}

#[test]
fn other_targets_are_refused() {
    let up = upstream();
    let r = relay(&format!("{}/scim/v2", up.origin()));
    // A path outside the upstream's base path.
    let out = send(&agent(), "GET", &format!("http://{}/admin", r.addr), &[], vec![]).unwrap();
    assert_eq!(out.status, 404);
    assert!(out.body.contains("forwards that server only"), "{}", out.body);
    // A proxy-style request naming another host.
    let mut s = std::net::TcpStream::connect(r.addr).unwrap();
    s.write_all(b"GET http://example.com/scim/v2/Users HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    assert!(text.starts_with("HTTP/1.1 403"), "{text}");
    assert!(text.contains("forwards to http://127.0.0.1"), "{text}");
}

/// An upstream that answers with the request headers it got, one `name: value` a line.
fn echo_upstream() -> Relay {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let addr = listener.local_addr().unwrap();
    let router = axum::Router::new().fallback(|req: axum::extract::Request| async move {
        let lines: Vec<String> =
            req.headers().iter().map(|(n, v)| format!("{n}: {}", v.to_str().unwrap_or("?"))).collect();
        (
            [("x-upstream-said", "hi"), ("access-control-allow-origin", "https://elsewhere.test")],
            format!("{} {}\n{}", req.method(), req.uri(), lines.join("\n")),
        )
    });
    rt.spawn(scim_mock::serve_router(listener, router, scim_mock::Limits::default(), std::future::pending()));
    Relay { addr, _rt: rt }
}

#[test]
fn end_to_end_headers_pass_both_ways_and_cors_is_the_relays() {
    let up = echo_upstream();
    let r = relay(&format!("http://{}/scim/v2", up.addr));
    let got = send(
        &agent(),
        "PATCH",
        &format!("http://{}/scim/v2/Users/7?attributes=userName", r.addr),
        &[
            ("Authorization".into(), "Bearer abc".into()),
            ("If-Match".into(), "W/\"3\"".into()),
            ("X-Request-Id".into(), "r-1".into()),
            ("Content-Type".into(), "application/scim+json".into()),
            ("Origin".into(), "http://playground.test".into()),
        ],
        b"{}".to_vec(),
    )
    .unwrap();
    assert_eq!(got.status, 200);
    let seen = got.body.to_lowercase();
    assert!(seen.starts_with("patch /scim/v2/users/7?attributes=username"), "{seen}");
    for h in
        ["authorization: bearer abc", "if-match: w/\"3\"", "x-request-id: r-1", "content-type: application/scim+json"]
    {
        assert!(seen.contains(h), "upstream did not get {h}:\n{seen}");
    }
    assert!(!seen.contains("origin:"), "{seen}");
    // Response headers come back; the upstream's CORS answer is replaced by the relay's.
    assert_eq!(got.header("x-upstream-said"), Some("hi"));
    assert_eq!(got.header("access-control-allow-origin"), Some("*"));
}

/// https is accepted everywhere a server URL is given (TLS by rustls); pointed at a port
/// that speaks plain http, the handshake fails with a sentence saying so, not a panic.
#[test]
fn https_is_accepted_and_a_failed_handshake_is_a_readable_error() {
    let up = upstream();
    let https = format!("https://{}/scim/v2", up.addr);
    let parsed = scim_mock::relay::Upstream::parse(&https).unwrap();
    assert_eq!((parsed.origin, parsed.prefix.as_str()), (format!("https://{}", up.addr), "/scim/v2"));
    assert!(scim_mock::relay::Upstream::parse("ftp://example.com/scim").is_err());
    // The native drivers: status 0 and the reason as the body.
    let r = scim_mock::remote::send(
        &scim_mock::remote::agent(),
        &https,
        Some("s3cret"),
        &scim_core::Request::new("GET", "/Users"),
    );
    assert_eq!(r.status, 0);
    assert!(r.body.contains("TLS handshake failed") && r.body.contains("plain http"), "{}", r.body);
    // The relay: 502 with the same reason.
    let relayed = relay(&https);
    let out = send(&agent(), "GET", &format!("http://{}/scim/v2/Users", relayed.addr), &[], vec![]).unwrap();
    assert_eq!(out.status, 502, "{}", out.body);
    assert!(out.body.contains("TLS handshake failed"), "{}", out.body);
    // The replay command: it runs, reports the step that got no answer, exits non-zero.
    let scenario =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/scenarios/jumpcloud-test-connection.json");
    let replay = std::process::Command::new(env!("CARGO_BIN_EXE_scim-mock"))
        .args(["replay", scenario.to_str().unwrap(), "--url", &https])
        .output()
        .unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&replay.stdout), String::from_utf8_lossy(&replay.stderr));
    assert!(!replay.status.success() && text.contains("BROKEN") && !text.contains("panicked"), "{text}");
    assert!(text.contains("no response: POST https://") && text.contains("TLS handshake failed"), "{text}");
}
