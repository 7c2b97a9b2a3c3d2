//! # scim-mock
//!
//! The native HTTP door to [`scim_core`]: an axum server that turns each HTTP request under the
//! profile's base path into a [`scim_core::Request`], hands it to [`scim_core::Server`] and
//! writes the [`scim_core::Response`] back. It holds no SCIM logic of its own; what it adds
//! is what only a network server needs:
//!
//! - its own accept loop ([`App::serve`]): a cap on open connections, hyper's header-read
//!   timeout (which also closes connections that sit idle between requests) and a deadline
//!   for the request body (408, RFC 7644 §3.12 error body);
//! - a request body limit (413);
//! - `--token`, which makes the core require that credential in the profile's scheme
//!   ([`scim_core::Server::require_credential`]);
//! - reads (GET, `.search`) under a shared lock ([`scim_core::Server::handle_read`]), so a
//!   long search never holds up other reads; writes under an exclusive one;
//! - `--state FILE` persistence ([`persist`]): a write is answered only once its journal
//!   record is on disk; if that fails the write is undone and the answer is a 503;
//! - `--public-url` for `Location` and `meta.location`, and without it a `Host` header that
//!   must be a valid `host[:port]`;
//! - start-up seeding through the core ([`seed`]);
//! - permissive CORS so a front-end dev server on another port can call it;
//! - the playground's static files (never following a link out of `--static`) or a built-in
//!   page outside the base path;
//! - one log line per request.

pub mod env;
pub mod home;
pub mod persist;
pub mod relay;
pub mod remote;
pub mod seed;

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
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
pub use crate::persist::DEFAULT_COMPACT_BYTES;
pub use crate::seed::Seed;

/// Request bodies above this many bytes are refused with 413 unless `--max-body` says
/// otherwise. SCIM resources are small; a megabyte is far beyond any real User or Group.
pub const DEFAULT_MAX_BODY: usize = 1024 * 1024;

/// How long a client may take and how many may be connected at once ([`App::serve`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// From a connection's opening, or the end of its previous response, to the end of the
    /// request head; a connection that sends nothing (or half its headers) for this long is
    /// closed. hyper's `header_read_timeout`.
    pub header_timeout: Duration,
    /// From the request head to the end of the body: 408 after it.
    pub body_timeout: Duration,
    /// Open connections; further ones wait in the listen backlog until one closes.
    pub max_connections: usize,
}

impl Default for Limits {
    /// 10 s for the head (or idle), 30 s for the body, 512 connections (well under the usual
    /// limit of 1024 open files, which also covers the listener and the state files).
    fn default() -> Self {
        Limits { header_timeout: Duration::from_secs(10), body_timeout: Duration::from_secs(30), max_connections: 512 }
    }
}

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
    /// The origin clients reach this server at (`https://scim.example.com`): `Location` and
    /// `meta.location` start with it whatever `Host` a request names.
    pub public_url: Option<String>,
    pub limits: Limits,
    /// The journal is compacted once it is larger than the base and than this many bytes.
    pub compact_bytes: u64,
}

impl Config {
    /// The RFC profile, no auth, no seed, no state, the built-in page, default limits.
    pub fn new(profile: Profile) -> Self {
        Config {
            profile,
            token: None,
            seed: Seed::None,
            state: None,
            static_dir: None,
            max_body: DEFAULT_MAX_BODY,
            deterministic: false,
            public_url: None,
            limits: Limits::default(),
            compact_bytes: DEFAULT_COMPACT_BYTES,
        }
    }
}

/// The engine and, with `--state`, its journal, behind one lock: a write appends its record
/// while it still holds the lock, so records are in the order the writes happened.
#[derive(Debug)]
struct Core {
    server: Server,
    journal: Option<persist::Journal>,
}

/// `--public-url`, split.
#[derive(Debug, Clone)]
struct PublicUrl {
    scheme: String,
    authority: String,
}

#[derive(Debug)]
struct Shared {
    core: RwLock<Core>,
    /// The running profile, kept outside the core's lock so that telling SCIM requests from
    /// the site's does not take that lock a second time (it changes only on [`App::restart`]).
    profile: RwLock<Profile>,
    /// Canonical (symlinks resolved), so that confinement compares real paths.
    static_dir: Option<PathBuf>,
    max_body: usize,
    public_url: Option<PublicUrl>,
    limits: Limits,
    /// Held for a whole compaction, and by [`App::restart`]: a base written from the store
    /// before a restart must not land after the restart's own.
    compaction: std::sync::Mutex<()>,
}

/// What start-up did, for the banner.
#[derive(Debug, Default)]
pub struct Startup {
    /// Whether `--state` named an existing file that was loaded.
    pub state_loaded: bool,
    /// What loading `--state` found (records replayed, a torn record dropped, temp files
    /// removed).
    pub state: persist::Loaded,
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
    /// applies `--seed` when the store is still empty, and writes a fresh base and an empty
    /// journal ([`persist`]).
    pub fn new(config: Config) -> Result<(App, Startup)> {
        let public_url = config.public_url.as_deref().map(parse_public_url).transpose()?;
        let static_dir = match &config.static_dir {
            Some(dir) => Some(
                std::fs::canonicalize(dir).with_context(|| format!("--static {}: not a directory", dir.display()))?,
            ),
            None => None,
        };
        let mut server = new_server(config.profile, config.deterministic)?;
        let mut startup = Startup::default();
        let mut journal = None;
        if let Some(path) = &config.state {
            let (j, loaded) = persist::Journal::open(&mut server, path, config.compact_bytes)?;
            startup.state_loaded = loaded.existed;
            startup.state = loaded;
            journal = Some(j);
        }
        let empty = server.profile().resource_types.iter().all(|t| server.resources(&t.endpoint).is_empty());
        if !startup.state_loaded || empty {
            startup.seed = Some(seed::apply(&mut server, &config.seed)?);
        }
        if let Some(token) = &config.token {
            server.require_credential(token).map_err(|e| anyhow::anyhow!("--token: {e}"))?;
        }
        if let Some(j) = &mut journal {
            j.checkpoint(&server.snapshot()).context("writing --state at start-up")?;
            server.record_changes(true);
        }
        let app = App {
            shared: Arc::new(Shared {
                profile: RwLock::new(server.profile().clone()),
                core: RwLock::new(Core { server, journal }),
                static_dir,
                max_body: config.max_body,
                public_url,
                limits: config.limits,
                compaction: std::sync::Mutex::new(()),
            }),
        };
        Ok((app, startup))
    }

    // The core never panics on input, so a poisoned lock still holds a consistent store.
    fn read(&self) -> RwLockReadGuard<'_, Core> {
        self.shared.core.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, Core> {
        self.shared.core.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// The running profile.
    pub fn profile(&self) -> Profile {
        self.read().server.profile().clone()
    }

    /// The store snapshot (what the `store` member of the `--state` file holds).
    pub fn snapshot(&self) -> Value {
        self.read().server.snapshot()
    }

    /// Replaces the engine with an empty one running `profile` (saved at once with
    /// `--state`). For in-process test doors and tools; not reachable over HTTP.
    pub fn restart(&self, profile: Profile, deterministic: bool) -> Result<()> {
        let mut server = new_server(profile, deterministic)?;
        let _compaction = self.shared.compaction.lock().unwrap_or_else(PoisonError::into_inner);
        let mut core = self.write();
        if let Some(journal) = &mut core.journal {
            journal.checkpoint(&server.snapshot())?;
            server.record_changes(true);
        }
        *self.shared.profile.write().unwrap_or_else(PoisonError::into_inner) = server.profile().clone();
        core.server = server;
        Ok(())
    }

    /// The axum router: SCIM under the base path, static files elsewhere, CORS and a log line
    /// around everything.
    pub fn router(&self) -> Router {
        let router = Router::new().fallback(dispatch).with_state(self.clone()).layer(cors());
        // The log layer costs a boxed future and a clone of the stack per request; leave it out
        // when its lines would be filtered away anyway (RUST_LOG=warn, or no subscriber).
        if tracing::enabled!(tracing::Level::INFO) { router.layer(middleware::from_fn(log_request)) } else { router }
    }

    /// Serves [`App::router`] on `listener` until `shutdown` resolves, with the configured
    /// [`Limits`]: at most `max_connections` accepted sockets (the rest wait in the listen
    /// backlog), hyper's header-read timeout on each. Then stops accepting and lets open
    /// requests finish (for up to 10 s).
    pub async fn serve(&self, listener: tokio::net::TcpListener, shutdown: impl Future<Output = ()>) -> Result<()> {
        serve_router(listener, self.router(), self.shared.limits, shutdown).await
    }

    /// A write that needs no disk (no `--state`), served on the runtime's thread when the
    /// exclusive lock is free at once: it takes microseconds, less than handing it to a
    /// blocking thread costs. `None` when it must go to [`App::handle_blocking`] (a read,
    /// which may be a long filter; a journal to write; the lock held by someone else).
    fn handle_inline(&self, request: &scim_core::Request) -> Option<scim_core::Response> {
        if !matches!(request.method.as_str(), "PUT" | "PATCH" | "DELETE") {
            return None;
        }
        let mut guard = match self.shared.core.try_write() {
            Ok(guard) => guard,
            Err(std::sync::TryLockError::Poisoned(p)) => p.into_inner(),
            Err(std::sync::TryLockError::WouldBlock) => return None,
        };
        if guard.journal.is_some() {
            return None;
        }
        Some(guard.server.handle(request))
    }

    /// One SCIM request, on a blocking thread: a read under the shared lock, else a write
    /// under the exclusive one, made durable before it is answered.
    fn handle_blocking(&self, request: &scim_core::Request) -> scim_core::Response {
        // PUT, PATCH and DELETE are writes wherever they land (or refused the same way by
        // either path): straight to the exclusive lock, without routing them twice.
        let may_read = !matches!(request.method.as_str(), "PUT" | "PATCH" | "DELETE");
        if may_read {
            if let Some(resp) = self.read().server.handle_read(request) {
                return resp;
            }
        }
        let mut guard = self.write();
        let Core { server, journal } = &mut *guard;
        let resp = server.handle(request);
        let (Some(journal), true) = (journal.as_mut(), resp.changed) else { return resp };
        let Some(changes) = server.take_changes() else { return resp };
        match journal.append(&changes) {
            Ok(()) => {
                if journal.wants_compaction() {
                    let app = self.clone();
                    drop(guard);
                    std::thread::spawn(move || app.compact());
                }
                resp
            }
            Err(e) => {
                server.undo(changes);
                tracing::error!("{} {}: not saved, so undone: {e:#}", request.method, request.path);
                ScimError::new(
                    503,
                    None,
                    "The change could not be saved to this server's state file, so it was not made: \
                     nothing changed. Try again later; the server's log says why (RFC 7644 §3.12).",
                )
                .to_response()
            }
        }
    }

    /// Writes a fresh base off the write path ([`persist`]): the journal rotates under the
    /// exclusive lock (a rename), the snapshot is taken under the shared one, and the base is
    /// serialised and written holding neither.
    fn compact(&self) {
        let _compaction = self.shared.compaction.lock().unwrap_or_else(PoisonError::into_inner);
        let started = Instant::now();
        let rotated = match &mut self.write().journal {
            Some(j) => j.rotate(),
            None => return,
        };
        if let Err(e) = rotated {
            tracing::error!("compacting --state: {e:#}");
            return;
        }
        let (snapshot, seq, path) = {
            let core = self.read();
            let Some(j) = &core.journal else { return };
            (core.server.snapshot(), j.seq(), j.base_path())
        };
        let written = persist::write_base(&path, &snapshot, seq);
        let ended = match &mut self.write().journal {
            Some(j) => j.end_compaction(written),
            None => Ok(()),
        };
        match ended {
            Ok(()) => tracing::info!(
                target: "scim_mock::persist",
                "compacted --state {} at record {seq} in {:.0}ms",
                path.display(),
                started.elapsed().as_secs_f64() * 1000.0
            ),
            Err(e) => tracing::error!("compacting --state: {e:#}"),
        }
    }
}

/// `--public-url`: an origin, `http` or `https`, nothing after the authority.
fn parse_public_url(url: &str) -> Result<PublicUrl> {
    let uri: axum::http::Uri = url.parse().with_context(|| format!("--public-url {url:?} is not a URL"))?;
    let scheme = uri.scheme_str().unwrap_or_default();
    if scheme != "http" && scheme != "https" {
        bail!("--public-url {url:?}: the scheme must be http or https");
    }
    let Some(authority) = uri.authority().filter(|a| !a.as_str().contains('@')) else {
        bail!("--public-url {url:?}: expected http(s)://host[:port], without user information");
    };
    if !matches!(uri.path(), "" | "/") || uri.query().is_some() {
        bail!(
            "--public-url {url:?}: give the origin only (http(s)://host[:port]); the base path comes from the profile"
        );
    }
    Ok(PublicUrl { scheme: scheme.to_string(), authority: authority.as_str().to_ascii_lowercase() })
}

/// A `Host` header's value that is a valid `host[:port]` (RFC 9110 §7.2): what may go into
/// `Location` and `meta.location`.
fn valid_host(value: &HeaderValue) -> bool {
    let Some(host) = value.to_str().ok().filter(|h| !h.is_empty() && !h.contains('@')) else { return false };
    let Ok(authority) = host.parse::<axum::http::uri::Authority>() else { return false };
    // `Authority` takes any text after the colon; a port is digits that fit 16 bits.
    authority.as_str().len() == authority.host().len() || authority.port_u16().is_some()
}

/// The accept loop behind [`App::serve`] (and `scim-mock ceiling`).
pub async fn serve_router(
    listener: tokio::net::TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) -> Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    let permits = Arc::new(tokio::sync::Semaphore::new(limits.max_connections.max(1)));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(limits.header_timeout);
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            p = Arc::clone(&permits).acquire_owned() => p.context("connection permits")?,
            () = &mut shutdown => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of descriptors and the like: wait a little instead of spinning.
                    tracing::warn!("accepting a connection: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let service = hyper_util::service::TowerToHyperService::new(router.clone());
        let conn = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            // Errors here are the client's (reset, timeout, malformed request): hyper has
            // answered what it could.
            if let Err(e) = conn.await {
                tracing::debug!("connection: {e}");
            }
            drop(permit);
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(Duration::from_secs(10)) => {}
    }
    Ok(())
}

/// An engine for this door: the clock and ids `--deterministic` asks for, no explanations
/// (HTTP responses never carry them, so the core need not build them).
fn new_server(profile: Profile, deterministic: bool) -> Result<Server> {
    let (clock, ids) = time_and_ids(deterministic);
    let mut server = Server::new(profile).map_err(|e| anyhow::anyhow!("profile: {e}"))?.with_clock(clock).with_ids(ids);
    server.set_explain(false);
    Ok(server)
}

/// Permissive CORS for every answer. Browsers need the exposed headers listed to let scripts
/// read them (ETag for If-Match, RFC 7644 §3.14; Location for created resources, §3.3).
/// `Authorization` is never covered by a `*` allow-list, so requested headers are mirrored.
fn cors() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(Any)
        .allow_methods(AllowMethods::mirror_request())
        .allow_headers(AllowHeaders::mirror_request())
        .expose_headers([header::ETAG, header::LOCATION, header::WWW_AUTHENTICATE])
        .max_age(Duration::from_secs(3600))
}

async fn dispatch(State(app): State<App>, req: axum::extract::Request) -> Response {
    // The base path is copied only for the site's answers, not on every SCIM request.
    let site_base = {
        let profile = app.shared.profile.read().unwrap_or_else(PoisonError::into_inner);
        (!profile.serves(req.uri().path())).then(|| profile.base_path.clone())
    };
    match site_base {
        None => scim(&app, req).await,
        Some(base) => site(&app, req, &base).await,
    }
}

/// One SCIM request through the core.
async fn scim(app: &App, req: axum::extract::Request) -> Response {
    let shared = &app.shared;
    let (mut parts, body) = req.into_parts();
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
    match &shared.public_url {
        Some(public) => {
            // Links name the public origin, whatever the client or a proxy put in these.
            let set = |v: &str| HeaderValue::from_str(v).unwrap_or_else(|_| HeaderValue::from_static("invalid"));
            parts.headers.insert(header::HOST, set(&public.authority));
            parts.headers.insert("x-forwarded-proto", set(&public.scheme));
        }
        None => {
            if let Some(host) = parts.headers.get(header::HOST).filter(|h| !valid_host(h)) {
                let shown = String::from_utf8_lossy(host.as_bytes()).chars().take(100).collect::<String>();
                return scim_error(&ScimError::new(
                    400,
                    None,
                    format!(
                        "The Host header {shown:?} is not a valid host[:port] (RFC 9110 §7.2); this server \
                         builds Location and meta.location from it. Send the host you reached it at, or start \
                         the server with --public-url."
                    ),
                ));
            }
        }
    }
    let declared = parts.headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|n| n > shared.max_body as u64) {
        return too_large();
    }
    let collect = http_body_util::BodyExt::collect(http_body_util::Limited::new(body, shared.max_body));
    let body = match tokio::time::timeout(shared.limits.body_timeout, collect).await {
        Ok(Ok(collected)) => collected.to_bytes(),
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => return too_large(),
        Ok(Err(e)) => {
            return scim_error(&ScimError::new(
                400,
                None,
                format!("The request body could not be read ({e}); send it again (RFC 7644 §3.12)."),
            ));
        }
        Err(_) => {
            let mut resp = scim_error(&ScimError::new(
                408,
                None,
                format!(
                    "The request body did not arrive within {} s (RFC 9110 §15.5.9); send the whole body \
                     promptly (RFC 7644 §3.12).",
                    shared.limits.body_timeout.as_secs_f64()
                ),
            ));
            // What is left of the body would be read as the next request.
            resp.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
            return resp;
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
    if let Some(response) = app.handle_inline(&request) {
        return to_http(response);
    }
    // Filters can be slow and a durable write waits for the disk: neither may stall the
    // runtime's worker threads.
    let worker = app.clone();
    match tokio::task::spawn_blocking(move || worker.handle_blocking(&request)).await {
        Ok(response) => to_http(response),
        Err(e) => {
            tracing::error!("a request's worker failed: {e}");
            scim_error(&ScimError::new(500, None, "The request failed inside the server; nothing was changed."))
        }
    }
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
        if !confined(dir, req.uri().path()) {
            return not_found(base);
        }
        return match ServeDir::new(dir).oneshot(req).await {
            Ok(r) => r.map(Body::new),
            Err(never) => match never {},
        };
    }
    let is_read = matches!(*req.method(), Method::GET | Method::HEAD);
    if is_read && matches!(req.uri().path(), "/" | "/index.html") {
        let page = home::page(&app.profile(), "");
        return axum::response::Html(page).into_response();
    }
    not_found(base)
}

/// Plain text and no echo of the request: nothing here is ever rendered from request data.
fn not_found(base: &str) -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("Not found. The SCIM endpoints are under {base}; the page at / lists them.\n"),
    )
        .into_response()
}

/// Whether the file a static request names (and, for a directory, its `index.html`) lies
/// inside `root` once every symbolic link is resolved. `root` is canonical. A path that does
/// not exist is left to [`ServeDir`], which answers 404.
fn confined(root: &Path, uri_path: &str) -> bool {
    let Ok(decoded) = percent_encoding::percent_decode_str(uri_path).decode_utf8() else { return false };
    let mut path = root.to_path_buf();
    for part in decoded.split('/').filter(|p| !p.is_empty() && *p != ".") {
        if part == ".." || part.contains('\\') {
            return false;
        }
        path.push(part);
    }
    let inside = |p: &Path| match std::fs::canonicalize(p) {
        Ok(real) => real.starts_with(root),
        // A link to nowhere is refused; anything else missing is ServeDir's 404.
        Err(_) => std::fs::symlink_metadata(p).is_err(),
    };
    inside(&path) && (!path.is_dir() || inside(&path.join("index.html")))
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

/// The empty handler `scim-mock ceiling` serves: the upper bound `cargo xtask bench` compares
/// the mock against. It runs behind the same stack as [`App::router`] (accept loop, CORS
/// layer, the body read to its end under the same limit) and answers every request with what
/// a `PUT /Users/{id}` of the benchmark's user answers (the same headers, a body of the same
/// shape and size, through the same conversion), only without the core.
pub fn ceiling_router() -> Router {
    Router::new().fallback(ceiling).layer(cors())
}

async fn ceiling(req: axum::extract::Request) -> Response {
    let collect = http_body_util::BodyExt::collect(http_body_util::Limited::new(req.into_body(), DEFAULT_MAX_BODY));
    if collect.await.is_err() {
        return StatusCode::BAD_REQUEST.into_response();
    }
    const ID: &str = "00000000-0000-4000-8000-000000000001";
    let location = format!("http://127.0.0.1/scim/v2/Users/{ID}");
    let version = "W/\"2\"";
    let body = format!(
        r#"{{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"{ID}","userName":"bench","displayName":"Bench 1","emails":[{{"value":"bench@example.com","type":"work","primary":true}}],"meta":{{"resourceType":"User","created":"2026-01-01T00:00:00.000Z","lastModified":"2026-01-01T00:00:01.000Z","location":"{location}","version":"W/\"2\""}}}}"#
    );
    to_http(scim_core::Response {
        status: 200,
        headers: vec![
            ("Content-Type".into(), "application/scim+json".into()),
            ("ETag".into(), version.into()),
            ("Location".into(), location),
        ],
        body,
        explanation: None,
        changed: false,
    })
}
