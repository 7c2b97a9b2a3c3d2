//! Exports run: for every template in every profile the lanes offer, the exported cURL
//! command, run by `sh` and the real `curl`, against an in-process `scim-mock` that holds
//! the lane's store (its `--state` file) and enforces the profile's `Authorization` scheme
//! with [`scim_core::AUTH_PLACEHOLDER`] as the credential, answers what the lane answered.
//! A filter query (quotes, spaces) proves the URL is encoded.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Command;

use scim_core::{AUTH_PLACEHOLDER, Auth};
use scim_mock::{App, Config};
use scim_playground::catalog::{catalog, find_profile};
use scim_playground::draft::Draft;
use scim_playground::export;
use scim_playground::lane::Lane;
use scim_playground::templates::TEMPLATES;

/// A scim-mock serving `lane`'s store under its profile, on a free loopback port.
struct Mock {
    addr: SocketAddr,
    _rt: tokio::runtime::Runtime,
    state: PathBuf,
}

impl Drop for Mock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.state);
    }
}

fn mock(lane: &Lane, tag: &str) -> Mock {
    let profile = find_profile(&lane.profile_name).expect("catalog profile");
    let state = std::env::temp_dir().join(format!("scim-export-{}-{tag}.json", std::process::id()));
    std::fs::write(&state, lane.snapshot().to_string()).expect("state file");
    let mut config = Config::new(profile.clone());
    config.state = Some(state.clone());
    config.deterministic = true;
    if profile.auth != Auth::None {
        config.token = Some(AUTH_PLACEHOLDER.to_string());
    }
    let (app, _startup) = App::new(config).expect("scim-mock starts");
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("runtime");
    let listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).expect("bind");
    let addr = listener.local_addr().expect("addr");
    let router = app.router();
    rt.spawn(async move { axum::serve(listener, router).await });
    Mock { addr, _rt: rt, state }
}

/// Runs an exported cURL command; the status and the body it printed.
fn run_curl(command: &str) -> (u16, String) {
    let full = format!("{command} \\\n  -sS -w '\\n%{{http_code}}'");
    let out = Command::new("sh")
        .arg("-c")
        .arg(&full)
        .output()
        .unwrap_or_else(|e| panic!("sh could not run (curl is needed for this test): {e}"));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "curl failed: {}\n{full}", String::from_utf8_lossy(&out.stderr));
    let (body, status) = text.rsplit_once('\n').unwrap_or(("", &text));
    (status.trim().parse().unwrap_or(0), body.to_string())
}

fn check(lane: &mut Lane, draft: &Draft, tag: &str) -> (u16, String) {
    let server = mock(lane, tag);
    let req = lane.export_request(draft).unwrap_or_else(|e| panic!("{tag}: {e}"));
    let command = export::render("curl", &req, &format!("http://{}", server.addr));
    let (status, body) = run_curl(&command);
    let expected = lane.send(draft, &draft.parse_headers().unwrap()).response.clone();
    assert_eq!(status, expected.status, "{tag}: the export answered differently from the lane\n{command}\n{body}");
    let (got, want): (serde_json::Value, serde_json::Value) =
        (serde_json::from_str(&body).unwrap_or_default(), expected.json());
    assert_eq!((&got["id"], &got["userName"]), (&want["id"], &want["userName"]), "{tag}\n{command}");
    (status, body)
}

#[test]
fn every_template_exported_as_curl_runs_against_scim_mock_in_every_profile() {
    for t in TEMPLATES {
        for choice in catalog() {
            let mut lane = Lane::new(&choice.name);
            let tag = format!("{}-{}", t.id, choice.name.replace(|c: char| !c.is_ascii_alphanumeric(), "_"));
            let (status, _) = check(&mut lane, &(t.make)(), &tag);
            // Elsewhere a vendor may refuse the template for what it does (a required attribute,
            // a method it lacks); `check` still proves the export gets the lane's answer.
            let own = t.lanes.contains(&choice.name.as_str());
            assert!(!own || (200..300).contains(&status), "{tag}: {status} in one of the template's own lanes");
        }
    }
}

#[test]
fn an_exported_filter_is_encoded_and_finds_the_user() {
    for choice in catalog() {
        let mut lane = Lane::new(&choice.name);
        let draft = Draft {
            method: "GET".into(),
            path: "/Users?filter=userName eq \"bjensen\"".into(),
            headers: "Accept: application/scim+json".into(),
            body: String::new(),
            raw: false,
        };
        let tag = format!("filter-{}", choice.name.replace(|c: char| !c.is_ascii_alphanumeric(), "_"));
        let (status, body) = check(&mut lane, &draft, &tag);
        assert_eq!(status, 200, "{tag}: {body}");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["totalResults"], 1, "{tag}: {body}");
    }
}

#[test]
fn without_the_authorization_header_an_enforcing_service_says_401() {
    // The export's Authorization header is what makes it pass: the same command without it
    // is refused by a service that enforces the profile's scheme.
    let lane = Lane::new("ping");
    let server = mock(&lane, "noauth");
    let draft = TEMPLATES[0].make;
    let mut req = lane.export_request(&draft()).unwrap();
    req.headers.retain(|(n, _)| !n.eq_ignore_ascii_case("authorization"));
    let (status, _) = run_curl(&export::render("curl", &req, &format!("http://{}", server.addr)));
    assert_eq!(status, 401);
}
