//! # scim-mock
//!
//! The native HTTP door to [`scim_core`]: an axum server that turns each HTTP request under the
//! profile's base path into a [`scim_core::Request`], hands it to [`scim_core::Server::handle`]
//! and writes the [`scim_core::Response`] back. It holds no SCIM logic of its own; what it adds
//! is what only a network server needs:
//!
//! - a request body limit (413, RFC 7644 §3.12 error body);
//! - `--token`, which makes the core require that credential in the profile's scheme
//!   ([`scim_core::Server::require_credential`]);
//! - `--state FILE` persistence after every request that changed the store ([`persist`]);
//! - start-up seeding through the core ([`seed`]);
//! - permissive CORS so a front-end dev server on another port can call it;
//! - the playground's static files (or a built-in page) outside the base path;
//! - one log line per request.

pub mod env;
pub mod home;
pub mod persist;
pub mod seed;

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use scim_core::{Profile, ScimError, Server};
use serde_json::Value;
use tower::ServiceExt;
use tower_http::cors::{AllowHeaders, AllowMethods, Any, CorsLayer};
use tower_http::services::ServeDir;

pub use crate::env::time_and_ids;
pub use crate::seed::Seed;

/// Request bodies above this many bytes are refused with 413 unless `--max-body` says
/// otherwise. SCIM resources are small; a megabyte is far beyond any real User or Group.
pub const DEFAULT_MAX_BODY: usize = 1024 * 1024;

/// Everything `scim-mock serve` is configured with, apart from the listening address.
#[derive(Debug, Clone)]
pub struct Config {
    pub profile: Profile,
    /// When set, every SCIM request must carry `Authorization: Bearer <token>`.
    pub token: Option<String>,
    pub seed: Seed,
    pub state: Option<PathBuf>,
    /// Static files served outside the base path (the built playground).
    pub static_dir: Option<PathBuf>,
    pub max_body: usize,
    /// Counting ids and a stepped clock that moves one second per write ([`time_and_ids`]).
    pub deterministic: bool,
}

impl Config {
    /// The RFC profile, no auth, no seed, no state, the built-in page.
    pub fn new(profile: Profile) -> Self {
        Config {
            profile,
            token: None,
            seed: Seed::None,
            state: None,
            static_dir: None,
            max_body: DEFAULT_MAX_BODY,
            deterministic: false,
        }
    }
}

/// The engine and a counter of successful writes, behind one lock.
#[derive(Debug)]
struct Core {
    server: Server,
    /// Bumped on every successful write, so that concurrent saves never put an older
    /// snapshot over a newer one.
    generation: u64,
}

#[derive(Debug)]
struct Shared {
    core: Mutex<Core>,
    /// The running profile, kept outside the core's lock so that telling SCIM requests from
    /// the site's does not take that lock a second time (it changes only on [`App::restart`]).
    profile: RwLock<Profile>,
    state: Option<PathBuf>,
    static_dir: Option<PathBuf>,
    max_body: usize,
    /// The generation last written to the state file.
    saved: tokio::sync::Mutex<u64>,
}

/// What start-up did, for the banner.
#[derive(Debug, Default)]
pub struct Startup {
    /// Whether `--state` named an existing file that was loaded.
    pub state_loaded: bool,
    /// Seed outcome (`None` when the seed was skipped because state was loaded).
    pub seed: Option<scim_core::SeedReport>,
}

/// A running mock's shared state; cheap to clone.
#[derive(Debug, Clone)]
pub struct App {
    shared: Arc<Shared>,
}

impl App {
    /// Builds the engine, loads `--state` (a corrupt file is an error and stays untouched),
    /// then applies `--seed` when the store is still empty.
    pub fn new(config: Config) -> Result<(App, Startup)> {
        let mut server = new_server(config.profile, config.deterministic)?;
        let mut startup = Startup::default();
        if let Some(path) = &config.state {
            startup.state_loaded = persist::load(&mut server, path)?;
        }
        let empty = server.profile().resource_types.iter().all(|t| server.resources(&t.endpoint).is_empty());
        if !startup.state_loaded || empty {
            startup.seed = Some(seed::apply(&mut server, &config.seed)?);
        }
        if let Some(token) = &config.token {
            server.require_credential(token).map_err(|e| anyhow::anyhow!("--token: {e}"))?;
        }
        let app = App {
            shared: Arc::new(Shared {
                profile: RwLock::new(server.profile().clone()),
                core: Mutex::new(Core { server, generation: 0 }),
                state: config.state,
                static_dir: config.static_dir,
                max_body: config.max_body,
                saved: tokio::sync::Mutex::new(0),
            }),
        };
        if let (Some(path), Some(report)) = (&app.shared.state, &startup.seed) {
            if report.created > 0 {
                persist::save(path, &app.snapshot()).context("saving the seeded store")?;
            }
        }
        Ok((app, startup))
    }

    fn core(&self) -> MutexGuard<'_, Core> {
        // The core never panics on input, so a poisoned lock still holds a consistent store.
        self.shared.core.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The running profile.
    pub fn profile(&self) -> Profile {
        self.core().server.profile().clone()
    }

    /// The store snapshot (the same document `--state` holds).
    pub fn snapshot(&self) -> Value {
        self.core().server.snapshot()
    }

    /// Replaces the engine with an empty one running `profile`. For in-process test doors and
    /// tools; not reachable over HTTP.
    pub fn restart(&self, profile: Profile, deterministic: bool) -> Result<()> {
        let server = new_server(profile, deterministic)?;
        let mut core = self.core();
        *self.shared.profile.write().unwrap_or_else(PoisonError::into_inner) = server.profile().clone();
        core.server = server;
        core.generation += 1;
        Ok(())
    }

    /// The axum router: SCIM under the base path, static files elsewhere, CORS and a log line
    /// around everything.
    pub fn router(&self) -> Router {
        // Browsers need the exposed headers listed to let scripts read them (ETag for
        // If-Match, RFC 7644 §3.14; Location for created resources, §3.3). `Authorization`
        // is never covered by a `*` allow-list, so requested headers are mirrored instead.
        let cors = CorsLayer::new()
            .allow_origin(Any)
            .allow_methods(AllowMethods::mirror_request())
            .allow_headers(AllowHeaders::mirror_request())
            .expose_headers([header::ETAG, header::LOCATION, header::WWW_AUTHENTICATE])
            .max_age(Duration::from_secs(3600));
        let router = Router::new().fallback(dispatch).with_state(self.clone()).layer(cors);
        // The log layer costs a boxed future and a clone of the stack per request; leave it out
        // when its lines would be filtered away anyway (RUST_LOG=warn, or no subscriber).
        if tracing::enabled!(tracing::Level::INFO) { router.layer(middleware::from_fn(log_request)) } else { router }
    }
}

/// An engine for this door: the clock and ids `--deterministic` asks for, no explanations
/// (HTTP responses never carry them, so the core need not build them).
fn new_server(profile: Profile, deterministic: bool) -> Result<Server> {
    let (clock, ids) = time_and_ids(deterministic);
    let mut server = Server::new(profile).map_err(|e| anyhow::anyhow!("profile: {e}"))?.with_clock(clock).with_ids(ids);
    server.set_explain(false);
    Ok(server)
}

async fn dispatch(State(app): State<App>, req: axum::extract::Request) -> Response {
    let (serves, base) = {
        let profile = app.shared.profile.read().unwrap_or_else(PoisonError::into_inner);
        (profile.serves(req.uri().path()), profile.base_path.clone())
    };
    if serves { scim(&app, req).await } else { site(&app, req, &base).await }
}

/// One SCIM request through the core.
async fn scim(app: &App, req: axum::extract::Request) -> Response {
    let shared = &app.shared;
    let (parts, body) = req.into_parts();
    let too_large = || {
        scim_error(&ScimError::new(
            413,
            None,
            format!(
                "The request body is larger than this server's limit of {} bytes; send a smaller body \
                 (or start the server with a larger --max-body) (RFC 7644 §3.12).",
                shared.max_body
            ),
        ))
    };
    let declared = parts.headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|n| n > shared.max_body as u64) {
        return too_large();
    }
    let body = match http_body_util::BodyExt::collect(http_body_util::Limited::new(body, shared.max_body)).await {
        Ok(collected) => collected.to_bytes(),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => return too_large(),
        Err(e) => {
            return scim_error(&ScimError::new(
                400,
                None,
                format!("The request body could not be read ({e}); send it again (RFC 7644 §3.12)."),
            ));
        }
    };
    let request = scim_core::Request {
        method: parts.method.as_str().to_string(),
        path: parts.uri.path_and_query().map_or_else(|| parts.uri.path().to_string(), |pq| pq.as_str().to_string()),
        headers: parts
            .headers
            .iter()
            .map(|(n, v)| (n.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect(),
        // `Bytes` → `Vec` reuses the buffer when it is the only owner (no copy).
        body: body.into(),
    };
    let (response, save) = {
        let mut core = app.core();
        let response = core.server.handle(&request);
        let save = if response.changed && shared.state.is_some() {
            core.generation += 1;
            Some((core.generation, core.server.snapshot()))
        } else {
            None
        };
        (response, save)
    };
    if let (Some((generation, snapshot)), Some(path)) = (save, &shared.state) {
        let mut saved = shared.saved.lock().await;
        if generation > *saved {
            let path = path.clone();
            let result = tokio::task::spawn_blocking(move || persist::save(&path, &snapshot)).await;
            match result {
                Ok(Ok(())) => *saved = generation,
                Ok(Err(e)) => tracing::error!("{e:#}"),
                Err(e) => tracing::error!("saving --state: {e}"),
            }
        }
    }
    to_http(response)
}

/// A door-level error (413, 400) in the core's RFC 7644 §3.12 format.
fn scim_error(e: &ScimError) -> Response {
    to_http(e.to_response())
}

fn to_http(r: scim_core::Response) -> Response {
    let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut resp = Response::new(Body::from(r.body));
    *resp.status_mut() = status;
    let headers = resp.headers_mut();
    // Room for the core's headers and the CORS layer's (allow-origin, expose, vary) up front:
    // growing a HeaderMap rehashes it, a visible cost per request.
    *headers = HeaderMap::with_capacity(r.headers.len() + 6);
    for (name, value) in r.headers {
        match (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(&value)) {
            (Ok(n), Ok(v)) => {
                headers.append(n, v);
            }
            _ => tracing::warn!("dropping a response header the core produced but HTTP cannot carry: {name}"),
        }
    }
    resp
}

/// Everything outside the base path: the playground's files, or the built-in page.
async fn site(app: &App, req: axum::extract::Request, base: &str) -> Response {
    if let Some(dir) = &app.shared.static_dir {
        return match ServeDir::new(dir).oneshot(req).await {
            Ok(r) => r.map(Body::new),
            Err(never) => match never {},
        };
    }
    let is_read = matches!(*req.method(), Method::GET | Method::HEAD);
    if is_read && matches!(req.uri().path(), "/" | "/index.html") {
        let page = home::page(&app.core().server.profile().clone(), "");
        return axum::response::Html(page).into_response();
    }
    // Plain text and no echo of the request: nothing here is ever rendered from request data.
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("Not found. The SCIM endpoints are under {base}; the page at / lists them.\n"),
    )
        .into_response()
}

/// One log line per request: method, path and query, status, time taken.
async fn log_request(req: axum::extract::Request, next: Next) -> Response {
    let method = req.method().clone();
    let uri = req.uri().clone();
    let start = Instant::now();
    let resp = next.run(req).await;
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    tracing::info!("{method} {uri} {} {ms:.2}ms", resp.status().as_u16());
    resp
}

/// Resolves when the process is asked to stop (Ctrl+C, or SIGTERM on Unix).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

/// The empty handler `scim-mock ceiling` serves: the same runtime and router stack with no
/// work, the upper bound `cargo xtask bench-http` compares the mock against.
pub fn ceiling_router() -> Router {
    Router::new().fallback(|| async { StatusCode::OK })
}
