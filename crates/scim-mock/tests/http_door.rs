//! Every vector of `tests/vectors` over real HTTP: an in-process scim-mock on a loopback port,
//! a real HTTP client, known failures in `tests/vectors/expected-failures/http.txt`.

mod common;

use common::{TestServer, agent, send};
use scim_core::{Profile, Request, Response};
use scim_mock::Config;
use scim_vectors::Door;

struct HttpDoor {
    server: TestServer,
    agent: ureq::Agent,
    base: String,
}

impl Door for HttpDoor {
    fn name(&self) -> &str {
        "http"
    }

    fn start(&mut self, profile: &Profile) -> Result<(), String> {
        self.server.app.restart(profile.clone(), true).map_err(|e| e.to_string())?;
        self.base = profile
            .base_path
            .split('/')
            .map(|seg| match seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) => profile.base_path_defaults.get(name).cloned().unwrap_or_else(|| name.to_string()),
                None => seg.to_string(),
            })
            .collect::<Vec<_>>()
            .join("/");
        Ok(())
    }

    fn send(&mut self, req: &Request) -> Result<Response, String> {
        // The server routes only the base path to the core; vectors may leave it out.
        let full = if self.server.app.profile().serves(&req.path) {
            req.path.clone()
        } else {
            format!("{}/{}", self.base, req.path.trim_start_matches('/'))
        };
        let origin = self.server.origin();
        let url = format!("{origin}{}", encode_uri(&full));
        let reply = send(&self.agent, &req.method, &url, &req.headers, req.body.clone())?;
        // HTTP always carries a Host, so the server's URLs are absolute with its own origin;
        // vectors written for hostless doors expect them relative. A vector that sends its own
        // Host keeps its absolute URLs.
        let own = req.header_value("host").is_none();
        let strip = |s: &str| if own { s.replace(&origin, "") } else { s.to_string() };
        Ok(Response {
            status: reply.status,
            headers: reply.headers.iter().map(|(n, v)| (n.clone(), strip(v))).collect(),
            body: strip(&reply.body),
            ..Response::default()
        })
    }

    fn snapshot(&mut self) -> Option<String> {
        Some(self.server.app.snapshot().to_string())
    }
}

/// Percent-encodes what may not appear raw in a URI (RFC 3986 §2): vectors write filters
/// readably (`?filter=userName eq "bjensen"`), an HTTP client sends them encoded, and the core
/// decodes the query (RFC 7644 §3.4.2).
fn encode_uri(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~:/?#@!$&'()*+,;=%".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[test]
fn vectors_via_http() {
    let mut door =
        HttpDoor { server: TestServer::start(Config::new(Profile::rfc())), agent: agent(), base: String::new() };
    let report = scim_vectors::run_all(&mut door);
    println!("{}", report.summary("http"));
    assert!(report.ok(), "{}\n{}", report.problems.join("\n"), report.summary("http"));
    assert!(report.passed >= 1, "no vectors ran");
}
