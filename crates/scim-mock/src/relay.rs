//! `scim-mock relay --to URL`: a CORS relay for one SCIM server, so a browser page (the
//! playground's remote lane) can reach a server that sends no CORS headers.
//!
//! - It forwards to the one configured upstream only: a request is sent to the upstream's
//!   origin with its own path and query, and only when that path lies under the upstream
//!   URL's path (else 404); a request in absolute form naming another host (`GET
//!   http://other/...`, what a client asking a proxy sends) is refused with 403. There is no
//!   parameter or header that picks a target.
//! - It passes every end-to-end header both ways, `Authorization` included. It drops only
//!   hop-by-hop headers (RFC 9110 §7.6.1), `Host` and `Content-Length` (set anew for the
//!   upstream), and the page's `Origin`: CORS is the relay's business, so the upstream sees
//!   a plain client, as it would from `curl`.
//! - It answers CORS preflights itself and adds `Access-Control-Allow-Origin: *` (exposing
//!   `ETag`, `Location`, `WWW-Authenticate`) to every answer, in place of any
//!   `Access-Control-*` headers the upstream sent.
//! - It logs one line per relayed request (method, path, status), never header values.

use std::time::Duration;

use anyhow::{Context, Result, bail};
use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tower_http::cors::{AllowHeaders, AllowMethods, Any, CorsLayer};

/// `scim-mock relay`.
#[derive(Debug, clap::Args)]
pub struct RelayArgs {
    /// The one SCIM server to relay to (http://localhost:8000/scim/v2).
    #[arg(long)]
    pub to: String,
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// 0 picks a free port.
    #[arg(long, default_value_t = 8090)]
    pub port: u16,
}

/// The upstream, split once.
#[derive(Debug, Clone)]
pub struct Upstream {
    /// `http://host:port` or `https://host:port`.
    pub origin: String,
    /// `host:port`: the only target a request in absolute form may name.
    pub authority: String,
    /// The path prefix requests must lie under (`/scim/v2`, or empty).
    pub prefix: String,
}

impl Upstream {
    /// Parses `--to`: an `http://` or `https://` URL (TLS by rustls, certificates checked
    /// against the Mozilla roots).
    pub fn parse(to: &str) -> Result<Upstream> {
        let Some((scheme, rest)) = to
            .strip_prefix("http://")
            .map(|r| ("http", r))
            .or_else(|| to.strip_prefix("https://").map(|r| ("https", r)))
        else {
            bail!("--to {to}: give an http:// or https:// URL, such as http://localhost:8000/scim/v2");
        };
        let (authority, path) = match rest.find('/') {
            Some(i) => rest.split_at(i),
            None => (rest, ""),
        };
        if authority.is_empty() {
            bail!("--to {to}: no host");
        }
        Ok(Upstream {
            origin: format!("{scheme}://{authority}"),
            authority: authority.to_string(),
            prefix: path.trim_end_matches('/').to_string(),
        })
    }
}

const HOP_BY_HOP: [&str; 9] = [
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "host",
];

fn refuse(status: StatusCode, detail: String) -> Response {
    let body = serde_json::json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
        "status": status.as_u16().to_string(), "detail": detail});
    (status, [(header::CONTENT_TYPE, "application/scim+json")], body.to_string()).into_response()
}

async fn forward(State(up): State<std::sync::Arc<Upstream>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    if let Some(auth) = parts.uri.authority() {
        // A request in absolute form names its target: only the upstream may be named.
        if !auth.as_str().eq_ignore_ascii_case(&up.authority) {
            tracing::warn!("relay refused a request for another target: {}", auth.as_str());
            return refuse(StatusCode::FORBIDDEN, format!("this relay forwards to {} only", up.origin));
        }
    }
    let path_q = parts.uri.path_and_query().map(|p| p.as_str().to_string()).unwrap_or_else(|| "/".into());
    let path = parts.uri.path();
    let under = up.prefix.is_empty()
        || path == up.prefix
        || path.strip_prefix(up.prefix.as_str()).is_some_and(|r| r.starts_with('/'));
    if !under {
        return refuse(
            StatusCode::NOT_FOUND,
            format!("{path} is not under {}{}; this relay forwards that server only", up.origin, up.prefix),
        );
    }
    let Ok(bytes) = to_bytes(body, 4 * 1024 * 1024).await else {
        return refuse(StatusCode::PAYLOAD_TOO_LARGE, "request body over 4 MiB".into());
    };
    let url = format!("{}{path_q}", up.origin);
    let method = parts.method.clone();
    let mut b = ureq::http::Request::builder().method(method.as_str()).uri(url.as_str());
    for (n, v) in &parts.headers {
        if !HOP_BY_HOP.contains(&n.as_str()) && n != header::CONTENT_LENGTH && n != header::ORIGIN {
            b = b.header(n.as_str(), v.as_bytes());
        }
    }
    let Ok(outgoing) = b.body(bytes.to_vec()) else {
        return refuse(StatusCode::BAD_REQUEST, "the request cannot be relayed".into());
    };
    let sent = tokio::task::spawn_blocking(move || {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .allow_non_standard_methods(true)
            .max_redirects(0)
            .proxy(None)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .new_agent();
        let mut resp = agent.run(outgoing)?;
        let status = resp.status().as_u16();
        let headers: Vec<(String, Vec<u8>)> =
            resp.headers().iter().map(|(n, v)| (n.as_str().to_string(), v.as_bytes().to_vec())).collect();
        let body = resp.body_mut().with_config().limit(16 * 1024 * 1024).read_to_vec()?;
        Ok::<_, ureq::Error>((status, headers, body))
    })
    .await;
    let (status, headers, body) = match sent {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => {
            let e = crate::remote::describe(&e, &up.origin);
            tracing::warn!("relay {method} {path} → upstream failed: {e}");
            return refuse(StatusCode::BAD_GATEWAY, format!("the upstream did not answer: {e}"));
        }
        Err(e) => return refuse(StatusCode::BAD_GATEWAY, format!("relay task failed: {e}")),
    };
    tracing::info!("relay {method} {path} → {status}");
    let mut out = Response::new(Body::from(body));
    *out.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
    for (n, v) in headers {
        let lower = n.to_ascii_lowercase();
        if HOP_BY_HOP.contains(&lower.as_str()) || lower == "content-length" || lower.starts_with("access-control-") {
            continue;
        }
        if let (Ok(name), Ok(value)) = (HeaderName::from_bytes(n.as_bytes()), HeaderValue::from_bytes(&v)) {
            out.headers_mut().append(name, value);
        }
    }
    out
}

/// The relay's router: CORS around one forwarding handler.
pub fn router(up: Upstream) -> Router {
    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods(AllowMethods::mirror_request())
        .allow_headers(AllowHeaders::mirror_request())
        .expose_headers([header::ETAG, header::LOCATION, header::WWW_AUTHENTICATE])
        .max_age(Duration::from_secs(3600));
    Router::new().fallback(forward).with_state(std::sync::Arc::new(up)).layer(cors)
}

/// `scim-mock relay`.
pub async fn relay_cmd(args: RelayArgs) -> Result<()> {
    let up = Upstream::parse(&args.to)?;
    let listener = tokio::net::TcpListener::bind((args.host.as_str(), args.port))
        .await
        .with_context(|| format!("cannot listen on {}:{}", args.host, args.port))?;
    let addr = listener.local_addr()?;
    println!("scim-mock relay: http://{addr}{} → {}{} (CORS added; no other target)", up.prefix, up.origin, up.prefix);
    println!("Press Ctrl+C to stop.");
    crate::serve_router(listener, router(up), crate::Limits::default(), crate::shutdown_signal()).await?;
    Ok(())
}
