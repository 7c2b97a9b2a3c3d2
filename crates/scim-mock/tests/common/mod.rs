//! An in-process scim-mock on a free loopback port, and a real HTTP client to talk to it.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::Duration;

use scim_mock::{App, Config};

/// A server running on its own tokio runtime; dropped with the runtime.
pub struct TestServer {
    pub app: App,
    pub addr: SocketAddr,
    _rt: tokio::runtime::Runtime,
}

impl TestServer {
    pub fn start(config: Config) -> TestServer {
        let (app, _startup) = App::new(config).expect("server starts");
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
        let listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).expect("bind");
        let addr = listener.local_addr().expect("addr");
        let serving = app.clone();
        rt.spawn(async move { serving.serve(listener, std::future::pending()).await });
        TestServer { app, addr, _rt: rt }
    }

    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }
}

/// A blocking HTTP/1.1 client: no proxies, no redirects, statuses are data, not errors.
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .allow_non_standard_methods(true)
        .max_redirects(0)
        .proxy(None)
        .timeout_global(Some(Duration::from_secs(20)))
        .build()
        .new_agent()
}

/// A plain response: status, headers (lower-case names), body text.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

/// Sends one request.
pub fn send(
    agent: &ureq::Agent,
    method: &str,
    url: &str,
    headers: &[(String, String)],
    body: Vec<u8>,
) -> Result<Reply, String> {
    let mut b = ureq::http::Request::builder().method(method).uri(url);
    for (n, v) in headers {
        b = b.header(n.as_str(), v.as_str());
    }
    let req = b.body(body).map_err(|e| format!("building {method} {url}: {e}"))?;
    let mut resp = agent.run(req).map_err(|e| format!("{method} {url}: {e}"))?;
    let status = resp.status().as_u16();
    let headers = resp
        .headers()
        .iter()
        .map(|(n, v)| (n.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
        .collect();
    let body = resp.body_mut().read_to_string().map_err(|e| format!("reading body of {method} {url}: {e}"))?;
    Ok(Reply { status, headers, body })
}
