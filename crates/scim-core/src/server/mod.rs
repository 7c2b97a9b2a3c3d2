//! The one entry point: [`Server::handle`] turns a [`Request`] into a [`Response`] (plus
//! an [`Explanation`] for writes). Every door goes through it.
//!
//! Split by what it serves: [`routing`] (base path, media types, which endpoint),
//! [`resources`] (create, read, replace, patch, delete), [`query`] (list and `.search`),
//! [`discovery`] (RFC 7644 §4) and [`seeding`] (the data a server starts with).
//!
//! Atomicity: a request is checked completely before the store is touched, so a failed
//! request leaves [`Server::snapshot`] byte-identical (a property test holds us to it).

use serde_json::{Map, Value};

use crate::clock::{Clock, IdState, Ids, Time};
use crate::error::ScimError;
use crate::explain::Explanation;
use crate::http::{Request, Response};
use crate::profile::registry::{Registry, ResourceKind};
use crate::profile::types::{Profile, ProfileError};
use crate::resource::meta_str;
use crate::store::Store;
use crate::time::parse_datetime;

mod discovery;
#[cfg(test)]
mod index_props;
mod journal;
mod loading;
mod query;
mod resources;
mod routing;
mod seeding;

pub use journal::Changes;
pub use seeding::{Seed, SeedReport};

/// An in-memory SCIM service provider running one profile.
///
/// A new server counts its ids (`00000000-0000-4000-8000-000000000001`, …) and runs a
/// stepped clock (2026-01-01T00:00:00Z, one second later after every request): the same
/// requests give the same bytes. [`Server::with_ids`] and [`Server::with_clock`] choose
/// otherwise. Both states travel in [`Server::snapshot`], so [`Server::restore`] continues
/// exactly.
#[derive(Debug, Clone)]
pub struct Server {
    profile: Profile,
    registry: Registry,
    store: Store,
    /// As configured, for [`Server::reset`].
    clock: Clock,
    ids_config: Ids,
    time: Time,
    ids: IdState,
    /// Whether writes carry an [`Explanation`] ([`Server::set_explain`]).
    explain: bool,
    /// What the last write changed, when a door asked ([`Server::record_changes`]).
    recorder: journal::Recorder,
}

/// A failed request: the error, and the explanation of a write that got far enough to have
/// one.
type Failure = (ScimError, Option<Explanation>);

impl Server {
    /// A server with an empty store, counting ids and the default stepped clock.
    pub fn new(profile: Profile) -> Result<Self, ProfileError> {
        let registry = profile.compile()?;
        let store = Store::new(&registry);
        let clock = Clock::default();
        Ok(Server {
            profile,
            registry,
            store,
            clock,
            ids_config: Ids::default(),
            time: Time::new(clock),
            ids: IdState::new(Ids::default()),
            explain: true,
            recorder: journal::Recorder::default(),
        })
    }

    /// A new server holding the profile's seed resources ([`Server::seed`]).
    pub fn with_seed(profile: Profile) -> Result<Self, ProfileError> {
        let mut s = Server::new(profile)?;
        s.seed()?;
        Ok(s)
    }

    /// The same server with another clock, started afresh (call before writing anything).
    #[must_use]
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self.time = Time::new(clock);
        self
    }

    /// The same server with another id source, started afresh (call before writing
    /// anything).
    #[must_use]
    pub fn with_ids(mut self, ids: Ids) -> Self {
        self.ids_config = ids;
        self.ids = IdState::new(ids);
        self
    }

    /// From now on every request must carry `credential` in the profile's scheme
    /// ([`Profile::with_credential`]); the store stays. What the native server's `--token`
    /// does after seeding.
    pub fn require_credential(&mut self, credential: &str) -> Result<(), ProfileError> {
        self.profile = self.profile.with_credential(credential)?;
        Ok(())
    }

    /// The running profile.
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// Turns the per-write [`Explanation`] on (the default) or off. A door that never shows
    /// it (the HTTP server) turns it off: building it copies every old and new value, a
    /// good part of a PUT's cost. Responses are otherwise identical; with it off,
    /// [`Response::explanation`] is always `None`.
    pub fn set_explain(&mut self, on: bool) {
        self.explain = on;
    }

    /// Whether writes carry an [`Explanation`] ([`Server::set_explain`]).
    pub fn explains(&self) -> bool {
        self.explain
    }

    /// Serves one request. Checks the profile's credential first (RFC 7644 §2), then routes.
    /// [`Response::changed`] says whether the store changed (then a stepped clock moves on).
    pub fn handle(&mut self, req: &Request) -> Response {
        let recording = self.begin_changes();
        let resp = match crate::auth::check(&self.profile, req) {
            Ok(()) => self.serve(req),
            Err(challenge) => challenge,
        };
        self.time.end_request(resp.changed);
        self.end_changes(recording, resp.changed);
        resp
    }

    /// Serves `req` without changing anything, when it is a read: `None` when it is a write
    /// (POST to an endpoint, PUT, PATCH, DELETE) that [`Server::handle`] must serve. GET,
    /// `.search` and every request that fails before reaching a write (credential, media
    /// type, unknown path, method not allowed) are answered here exactly as
    /// [`Server::handle`] would answer them, so a door can serve reads under a shared lock
    /// while writes wait for an exclusive one.
    pub fn handle_read(&self, req: &Request) -> Option<Response> {
        if let Err(challenge) = crate::auth::check(&self.profile, req) {
            return Some(challenge);
        }
        let media = match self.negotiate(req) {
            Ok(m) => m,
            Err(e) => return Some(e.to_response()),
        };
        let mut resp = match self.route_read(req, media)? {
            Ok(resp) => resp,
            Err((e, expl)) => Response { explanation: expl, ..e.to_response_as(media) },
        };
        if !self.explain {
            resp.explanation = None;
        }
        Some(resp)
    }

    /// [`Server::handle`] without the credential check or the clock step: seeding.
    fn serve(&mut self, req: &Request) -> Response {
        let media = match self.negotiate(req) {
            Ok(m) => m,
            Err(e) => return e.to_response(),
        };
        let mut resp = match self.route(req, media) {
            Ok(resp) => resp,
            Err((e, expl)) => Response { explanation: expl, ..e.to_response_as(media) },
        };
        if !self.explain {
            resp.explanation = None;
        }
        resp
    }

    /// The whole state as one JSON document: every resource, the id source and the clock
    /// (`{"format": "scim-playground-store", "version": 2, "ids": ..., "clock": ...,
    /// "resources": {"User": [...]}}`). The playground persists it, the wasm API exports
    /// it, the native server's `--state` base file holds it (as its `store`).
    pub fn snapshot(&self) -> Value {
        let mut snap = self.store.snapshot();
        if let Value::Object(obj) = &mut snap {
            obj.insert("ids".into(), self.ids.to_json());
            obj.insert("clock".into(), self.time.to_json());
        }
        snap
    }

    /// Replaces the state with a snapshot's; on error nothing changes. New ids and
    /// timestamps continue exactly where the snapshot's server stood. A version 1 snapshot
    /// (no id or clock state) continues after its highest counting id and newest
    /// `meta.lastModified`.
    ///
    /// Loading is validation: every resource must be one that requests to this profile
    /// could have produced (types, required and unique attributes, no attribute the
    /// schemas do not define, `id` and `meta`, group members); the error names the
    /// resource, the attribute and the reason.
    pub fn restore(&mut self, snapshot: &Value) -> Result<(), String> {
        let store = Store::restore(&self.registry, snapshot)?;
        self.check_loaded(&store)?;
        let mut ids = self.ids.clone();
        let mut time = self.time.clone();
        match snapshot.get("ids") {
            Some(v) => ids = IdState::from_json(v)?,
            None => ids.resume_after(
                self.registry.kinds.iter().flat_map(|k| store.iter(&k.def.name)).filter_map(|r| r.get("id")?.as_str()),
            ),
        }
        match snapshot.get("clock") {
            Some(Value::Object(state)) => time.resume(state),
            Some(other) => return Err(format!("snapshot: \"clock\" must be an object, got {other}")),
            None => {
                let latest = self
                    .registry
                    .kinds
                    .iter()
                    .flat_map(|k| store.iter(&k.def.name))
                    .filter_map(|r| meta_str(r, "lastModified").and_then(parse_datetime))
                    .max();
                if let Some(latest) = latest {
                    time.resume_after(latest);
                }
            }
        }
        self.store = store;
        self.ids = ids;
        self.time = time;
        Ok(())
    }

    /// Empties the store; ids and clock start again as configured, so a reset server
    /// repeats its first run.
    pub fn reset(&mut self) {
        self.store = Store::new(&self.registry);
        self.ids = IdState::new(self.ids_config);
        self.time = Time::new(self.clock);
    }

    /// The stored resources served at `endpoint` (`"/Users"` or `"Users"`), in creation
    /// order, as stored (no `meta.location`, no derived `groups`).
    pub fn resources(&self, endpoint: &str) -> Vec<&Map<String, Value>> {
        self.kind_at(endpoint).map(|k| self.store.iter(&k.def.name).collect()).unwrap_or_default()
    }

    /// Replaces each `{attribute:value}` placeholder in a request path with the id of the
    /// resource whose unique attribute has that value (`/Users/{userName:bjensen}` →
    /// `/Users/2819c223-…`), matched as the attribute's uniqueness index matches
    /// (`userName` case-insensitively, RFC 7643 §4.1.1). A playground convenience: the same
    /// path names the same user in servers that gave it different ids. An unknown value is
    /// a 404 naming it.
    pub fn resolve_placeholders(&self, path: &str) -> Result<String, ScimError> {
        let mut out = String::with_capacity(path.len());
        let mut rest = path;
        while let Some(start) = rest.find('{') {
            let (before, from) = rest.split_at(start);
            let Some(end) = from.find('}') else {
                return Err(ScimError::invalid_syntax(format!(
                    "The placeholder in {path:?} has no closing brace; write {{userName:NAME}}."
                )));
            };
            let inner = from.get(1..end).unwrap_or_default();
            let Some((attr, value)) = inner.split_once(':') else {
                return Err(ScimError::invalid_syntax(format!(
                    "The placeholder {{{inner}}} in {path:?} is not {{attribute:value}}; write {{userName:NAME}}."
                )));
            };
            let id = self
                .registry
                .kinds
                .iter()
                .filter(|k| self.store.is_indexed(&k.def.name, attr))
                .find_map(|k| self.store.find_unique(&k.def.name, attr, value))
                .ok_or_else(|| {
                    ScimError::not_found(format!(
                        "No resource with {attr} {value:?} on this server ({}); GET the endpoint to see what it holds, or reset it to its seed.",
                        self.profile.name
                    ))
                })?;
            out.push_str(before);
            out.push_str(id);
            rest = from.get(end + 1..).unwrap_or_default();
        }
        out.push_str(rest);
        Ok(out)
    }

    /// A resource written for any profile, rewritten for this server's type at `endpoint`:
    /// its core schema URN, only attributes and sub-attributes the type defines, only
    /// extensions it declares (in the schema's spelling), no `id` or `meta`.
    pub fn fit(&self, endpoint: &str, resource: &Value) -> Result<Value, ScimError> {
        let kind = self.kind_at(endpoint).ok_or_else(|| self.no_endpoint(endpoint))?;
        let obj = resource
            .as_object()
            .ok_or_else(|| ScimError::invalid_syntax("A resource is a JSON object (RFC 7643 §2)."))?;
        Ok(Value::Object(crate::fit::fit(kind, obj)))
    }

    pub(crate) fn kind_at(&self, endpoint: &str) -> Option<&ResourceKind> {
        // Exact spelling first, then any case (Entra's `/users`).
        let segment = endpoint.trim_start_matches('/');
        self.registry.kind_by_endpoint(segment).or_else(|| self.registry.kind_at_segment(segment, false))
    }

    fn no_endpoint(&self, endpoint: &str) -> ScimError {
        let endpoints: Vec<&str> = self.registry.kinds.iter().map(|k| k.def.endpoint.as_str()).collect();
        ScimError::not_found(format!(
            "No endpoint {endpoint}; this server serves {} (RFC 7644 §3.2).",
            endpoints.join(", ")
        ))
    }

    fn kind(&self, name: &str) -> Result<&ResourceKind, ScimError> {
        lookup_kind(&self.registry, name)
    }
}

fn lookup_kind<'r>(registry: &'r Registry, name: &str) -> Result<&'r ResourceKind, ScimError> {
    registry
        .kind(name)
        .ok_or_else(|| ScimError::new(500, None, format!("resource type {name} vanished from the registry")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn user(name: &str) -> Value {
        json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": name})
    }

    #[test]
    fn placeholders_resolve_by_unique_attribute() {
        let mut s = Server::new(Profile::rfc()).unwrap();
        let id = s.handle(&Request::new("POST", "/Users").json(&user("bjensen"))).json()["id"].clone();
        let id = id.as_str().unwrap();
        assert_eq!(s.resolve_placeholders("/Users/{userName:BJENSEN}?x=1").unwrap(), format!("/Users/{id}?x=1"));
        assert_eq!(s.resolve_placeholders("/Users").unwrap(), "/Users");
        let missing = s.resolve_placeholders("/Users/{userName:nobody}").unwrap_err();
        assert_eq!(missing.status, 404);
        assert!(missing.detail.contains("nobody"), "{missing}");
        assert_eq!(s.resolve_placeholders("/Users/{userName:x").unwrap_err().status, 400);
        assert_eq!(s.resolve_placeholders("/Users/{bjensen}").unwrap_err().status, 400);
        // title is not unique: nothing to resolve through.
        assert_eq!(s.resolve_placeholders("/Users/{title:x}").unwrap_err().status, 404);
    }

    #[test]
    fn restore_continues_ids_and_the_stepped_clock_exactly() {
        let mut a = Server::new(Profile::rfc()).unwrap();
        a.handle(&Request::new("POST", "/Users").json(&user("one")));
        a.handle(&Request::new("GET", "/Users"));
        a.handle(&Request::new("POST", "/Users").json(&user("one")));
        let mut b = Server::new(Profile::rfc()).unwrap();
        b.restore(&a.snapshot()).unwrap();
        let ra = a.handle(&Request::new("POST", "/Users").json(&user("two")));
        let rb = b.handle(&Request::new("POST", "/Users").json(&user("two")));
        assert_eq!(ra.body, rb.body);
        assert_eq!(ra.json()["meta"]["created"], "2026-01-01T00:00:01.000Z", "a GET and a 409 move no clock");
        assert_eq!(a.snapshot(), b.snapshot());
    }

    #[test]
    fn seeded_ids_continue_after_restore() {
        let mut a = Server::new(Profile::rfc()).unwrap().with_ids(Ids::Seeded(42));
        a.handle(&Request::new("POST", "/Users").json(&user("one")));
        let mut b = Server::new(Profile::rfc()).unwrap();
        b.restore(&a.snapshot()).unwrap();
        let ra = a.handle(&Request::new("POST", "/Users").json(&user("two"))).json();
        let rb = b.handle(&Request::new("POST", "/Users").json(&user("two"))).json();
        assert_eq!(ra["id"], rb["id"]);
        assert_ne!(ra["id"], json!("00000000-0000-4000-8000-000000000002"));
    }

    #[test]
    fn a_version_1_snapshot_continues_after_its_ids_and_times() {
        let mut a = Server::new(Profile::rfc()).unwrap();
        for n in ["one", "two", "three"] {
            a.handle(&Request::new("POST", "/Users").json(&user(n)));
        }
        let mut old = a.snapshot();
        if let Value::Object(o) = &mut old {
            o.remove("ids");
            o.remove("clock");
            o.insert("version".into(), json!(1));
        }
        let mut b = Server::new(Profile::rfc()).unwrap();
        b.restore(&old).unwrap();
        let r = b.handle(&Request::new("POST", "/Users").json(&user("four"))).json();
        assert_eq!(r["id"], "00000000-0000-4000-8000-000000000004");
        assert_eq!(r["meta"]["created"], "2026-01-01T00:00:03.000Z");
    }

    #[test]
    fn a_bad_snapshot_changes_nothing() {
        let mut s = Server::with_seed(Profile::rfc()).unwrap();
        let before = s.snapshot();
        let mut bad = before.clone();
        bad["ids"] = json!({"seeded": "not hex"});
        assert!(s.restore(&bad).unwrap_err().contains("ids"));
        bad["ids"] = json!({"counting": 9});
        bad["clock"] = json!(5);
        assert!(s.restore(&bad).unwrap_err().contains("clock"));
        assert_eq!(s.snapshot(), before);
    }

    #[test]
    fn reset_repeats_the_first_run() {
        let mut s = Server::new(Profile::rfc()).unwrap().with_ids(Ids::Seeded(1));
        let first = s.handle(&Request::new("POST", "/Users").json(&user("one"))).body;
        s.reset();
        assert_eq!(s.resources("/Users").len(), 0);
        assert_eq!(s.handle(&Request::new("POST", "/Users").json(&user("one"))).body, first);
    }

    #[test]
    fn fit_rewrites_for_this_profile() {
        let s = Server::new(Profile::builtin("ping").unwrap()).unwrap();
        let fitted = s.fit("/Users", &user("x")).unwrap();
        assert_eq!(fitted["schemas"], json!(["urn:pingidentity:schemas:User:1.0"]));
        assert_eq!(s.fit("/Nope", &user("x")).unwrap_err().status, 404);
        assert_eq!(s.fit("Users", &json!([])).unwrap_err().status, 400);
    }
}
