//! The one entry point: [`Server::handle`] turns a [`Request`] into a [`Response`] (plus
//! an [`Explanation`] for writes). Every door goes through it.
//!
//! Atomicity: a request is checked completely before the store is touched, so a failed
//! request leaves [`Server::snapshot`] byte-identical (a property test holds us to it).

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value};

use crate::env::Env;
use crate::error::ScimError;
use crate::explain::{Explanation, Outcome};
use crate::groups;
use crate::http::{self, Request, Response};
use crate::profile::{IdStyle, Profile, ProfileError, Registry, ResourceKind};
use crate::project::Projection;
use crate::replace::{self, Mode};
use crate::store::{Resource, Store};
use crate::time::format_millis;
use crate::value::{field, same_value};

mod endpoints;

/// An in-memory SCIM service provider running one profile.
#[derive(Debug)]
pub struct Server<E: Env> {
    profile: Profile,
    registry: Registry,
    store: Store,
    env: E,
    /// Whether writes carry an [`Explanation`] ([`Server::set_explain`]).
    explain: bool,
}

/// Where a request landed once the base path is stripped.
struct Target<'p> {
    /// The base path as the client wrote it (or the profile's default), for `Location`.
    base: String,
    segments: Vec<&'p str>,
    query: Vec<(String, String)>,
}

impl<E: Env> Server<E> {
    /// A server with an empty store.
    pub fn new(profile: Profile, env: E) -> Result<Self, ProfileError> {
        let registry = profile.compile()?;
        let store = Store::new(&registry);
        Ok(Server { profile, registry, store, env, explain: true })
    }

    /// A server whose store holds the profile's seed resources ([`Profile::seed`]).
    pub fn with_seed(profile: Profile, env: E) -> Result<Self, ProfileError> {
        let mut s = Server::new(profile, env)?;
        s.seed()?;
        Ok(s)
    }

    /// Empties the store and loads the profile's seed resources; returns how many. On error
    /// the store is left as it was.
    pub fn seed(&mut self) -> Result<usize, ProfileError> {
        let mut store = Store::new(&self.registry);
        let n = crate::seed::apply(&self.profile, &self.registry, &mut store, &mut self.env)?;
        self.store = store;
        Ok(n)
    }

    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn env_mut(&mut self) -> &mut E {
        &mut self.env
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

    /// A fresh explanation for a write, or one that records nothing when explaining is off.
    fn explanation(&self, operation: impl FnOnce() -> String) -> Explanation {
        if self.explain { Explanation::new(operation(), self.profile.name.clone()) } else { Explanation::off() }
    }

    /// The whole store as one JSON value (see [`Store::snapshot`]).
    pub fn snapshot(&self) -> Value {
        self.store.snapshot()
    }

    /// Replaces the store with a snapshot; on error nothing changes.
    pub fn restore(&mut self, snapshot: &Value) -> Result<(), String> {
        self.store = Store::restore(&self.registry, snapshot)?;
        Ok(())
    }

    /// Empties the store.
    pub fn reset(&mut self) {
        self.store = Store::new(&self.registry);
    }

    /// Serves one request.
    pub fn handle(&mut self, req: &Request) -> Response {
        if let Err(challenge) = crate::auth::check(&self.profile, req) {
            return challenge;
        }
        let media = match self.negotiate(req) {
            Ok(m) => m,
            Err(e) => return error_response(&e, http::SCIM_JSON, None),
        };
        let result = self.route(req, media);
        let mut resp = match result {
            Ok(resp) => resp,
            Err((e, expl)) => error_response(&e, media, expl),
        };
        if !self.explain {
            resp.explanation = None;
        }
        resp
    }

    /// RFC 7644 §3.1/§8.1: JSON media types in, `application/scim+json` (or the profile's
    /// default) out.
    fn negotiate(&self, req: &Request) -> Result<&'static str, ScimError> {
        let strict = self.profile.behaviour.strict_media_types;
        let media = match http::negotiate(req.header_value("accept"), &self.profile.media.default_response) {
            Some(m) => m,
            None if strict => {
                return Err(ScimError::new(
                    406,
                    None,
                    format!(
                        "Accept {:?} allows no media type this server produces; use application/scim+json or application/json (RFC 7644 §8.1).",
                        req.header_value("accept").unwrap_or_default()
                    ),
                ));
            }
            None => http::SCIM_JSON,
        };
        if strict && !req.body.is_empty() {
            if let Some(ct) = req.header_value("content-type") {
                if !http::is_json_media_type(ct) {
                    return Err(ScimError::new(
                        415,
                        None,
                        format!(
                            "Content-Type {ct:?} is not accepted; send application/scim+json or application/json (RFC 7644 §3.1)."
                        ),
                    ));
                }
            }
        }
        Ok(media)
    }

    /// Matches the profile's base path (with `{param}` wildcards). A path without the base
    /// path is taken as relative to it, which keeps the playground's paths short.
    fn target<'p>(&self, path: &'p str) -> Target<'p> {
        let segs: Vec<&'p str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let base: Vec<&str> = self.profile.base_path.split('/').filter(|s| !s.is_empty()).collect();
        let matches = segs.len() >= base.len()
            && base.iter().zip(&segs).all(|(b, s)| (b.starts_with('{') && b.ends_with('}')) || b == s);
        if matches && !base.is_empty() {
            Target {
                base: segs.iter().take(base.len()).fold(String::with_capacity(path.len()), |mut b, s| {
                    b.push('/');
                    b.push_str(s);
                    b
                }),
                segments: segs.iter().skip(base.len()).copied().collect(),
                query: vec![],
            }
        } else {
            let filled: Vec<String> = base
                .iter()
                .map(|b| match b.strip_prefix('{').and_then(|x| x.strip_suffix('}')) {
                    Some(name) => {
                        self.profile.base_path_defaults.get(name).cloned().unwrap_or_else(|| name.to_string())
                    }
                    None => (*b).to_string(),
                })
                .collect();
            Target {
                base: if filled.is_empty() { String::new() } else { format!("/{}", filled.join("/")) },
                segments: segs,
                query: vec![],
            }
        }
    }

    fn route(&mut self, req: &Request, media: &'static str) -> Result<Response, (ScimError, Option<Explanation>)> {
        let (path, query) = req.split_path();
        let mut t = self.target(path);
        t.query = query;
        let method = req.method.to_ascii_uppercase();
        let segments = t.segments.clone();
        let plain = |e: ScimError| (e, None);
        match segments.as_slice() {
            [] => Err(plain(ScimError::not_found(format!(
                "No resource at the base path; try {}/Users, {0}/Groups or {0}/ServiceProviderConfig (RFC 7644 §3.2).",
                t.base
            )))),
            [endpoint] if self.registry.kind_by_endpoint(endpoint).is_some() => {
                let kind_name = self.kind_name(endpoint);
                match method.as_str() {
                    "POST" => self.create(&kind_name, req, &t, media),
                    "GET" => self.list(Some(&kind_name), req, &t, media).map_err(plain),
                    _ => Err(plain(method_not_allowed(&method, "GET, POST"))),
                }
            }
            [endpoint, id] if self.registry.kind_by_endpoint(endpoint).is_some() => {
                let kind_name = self.kind_name(endpoint);
                if *id == ".search" {
                    return match method.as_str() {
                        "POST" => self.search(Some(&kind_name), req, &t, media).map_err(plain),
                        _ => Err(plain(method_not_allowed(&method, "POST"))),
                    };
                }
                match method.as_str() {
                    "GET" => self.get(&kind_name, id, req, &t, media).map_err(plain),
                    "PUT" => self.replace(&kind_name, id, req, &t, media),
                    "DELETE" => self.delete(&kind_name, id, req).map_err(plain),
                    "PATCH" => self.patch(&kind_name, id, req, &t, media),
                    _ => Err(plain(method_not_allowed(&method, "GET, PUT, PATCH, DELETE"))),
                }
            }
            ["ServiceProviderConfig" | "Schemas" | "ResourceTypes", ..] if segments.len() <= 2 => {
                self.discovery(&method, &segments, req, &t, media).map_err(plain)
            }
            ["Bulk"] => Err(plain(not_implemented("Bulk operations (RFC 7644 §3.7)"))),
            ["Me"] => Err(plain(not_implemented("/Me (RFC 7644 §3.11)"))),
            [".search"] => match method.as_str() {
                "POST" => self.search(None, req, &t, media).map_err(plain),
                _ => Err(plain(method_not_allowed(&method, "POST"))),
            },
            _ => {
                let endpoints: Vec<String> =
                    self.registry.kinds.iter().map(|k| format!("{}{}", t.base, k.def.endpoint)).collect();
                Err(plain(ScimError::not_found(format!(
                    "No endpoint at {path}; this server serves {} (RFC 7644 §3.2).",
                    endpoints.join(", ")
                ))))
            }
        }
    }

    fn kind_name(&self, endpoint: &str) -> String {
        self.registry.kind_by_endpoint(endpoint).map(|k| k.def.name.clone()).unwrap_or_default()
    }

    fn kind(&self, name: &str) -> Result<&ResourceKind, ScimError> {
        lookup_kind(&self.registry, name)
    }

    fn parse_body(req: &Request) -> Result<Value, ScimError> {
        if req.body.iter().all(u8::is_ascii_whitespace) {
            return Err(ScimError::invalid_syntax(
                "The request body is empty; send a JSON object (RFC 7644 §3.3, §3.5.1).",
            ));
        }
        let text = std::str::from_utf8(&req.body).map_err(|e| {
            ScimError::invalid_syntax(format!(
                "The request body is not valid UTF-8 (byte {}); SCIM bodies are UTF-8 JSON (RFC 7644 §3.1, RFC 8259 §8.1).",
                e.valid_up_to()
            ))
        })?;
        serde_json::from_str(text).map_err(|e| ScimError::from_json_error(&e))
    }

    fn projection(kind: &ResourceKind, t: &Target) -> Result<Projection, ScimError> {
        let q = |name: &str| t.query.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str());
        Projection::parse(kind, q("attributes"), q("excludedAttributes"))
    }

    /// `meta.location` and `Location`: absolute when the request names a host.
    fn location(&self, req: &Request, t: &Target, kind: &ResourceKind, id: &str) -> String {
        let mut out = self.link_base(req, t);
        out.reserve(kind.def.endpoint.len() + 1 + id.len());
        out.push_str(&kind.def.endpoint);
        out.push('/');
        out.push_str(id);
        out
    }

    /// Origin (when the request names a host) and base path: what locations and `$ref`s
    /// start with.
    fn link_base(&self, req: &Request, t: &Target) -> String {
        let origin = match req.header_value("host") {
            Some(h) if !h.is_empty() && !h.contains(['/', ' ']) => {
                let scheme =
                    req.header_value("x-forwarded-proto").filter(|p| *p == "https" || *p == "http").unwrap_or("http");
                let mut o = String::with_capacity(scheme.len() + 3 + h.len() + t.base.len() + 48);
                o.push_str(scheme);
                o.push_str("://");
                o.push_str(h);
                o
            }
            _ => String::with_capacity(t.base.len() + 48),
        };
        let mut out = origin;
        out.push_str(&t.base);
        out
    }

    fn etag(&self, r: &Resource) -> Option<String> {
        if !self.profile.behaviour.versioning {
            return None;
        }
        field(r, "meta")
            .and_then(|m| m.as_object())
            .and_then(|m| field(m, "version"))
            .and_then(Value::as_str)
            .map(str::to_string)
    }

    /// The resource as a client sees it, with headers.
    fn resource_response(
        &self,
        status: u16,
        kind: &ResourceKind,
        r: &Resource,
        req: &Request,
        t: &Target,
        media: &'static str,
        proj: &Projection,
    ) -> Response {
        let id = field(r, "id").and_then(Value::as_str).unwrap_or_default();
        let location = self.location(req, t, kind, id);
        let needs_decoration = groups::is_group(kind)
            || (groups::is_user(kind)
                && self.registry.kinds.iter().any(|k| groups::is_group(k) && self.store.len(&k.def.name) > 0));
        let body = if proj.is_default() && kind.plain_render && !needs_decoration {
            render_plain(kind, r, &location)
        } else {
            let mut shown = r.clone();
            if needs_decoration {
                let memberships = groups::Memberships::build(&self.store, &self.registry);
                memberships.decorate(&self.store, &self.registry, kind, &mut shown, &self.link_base(req, t));
            }
            if let Some(Value::Object(meta)) = shown.get_mut("meta") {
                meta.insert("location".into(), Value::String(location.clone()));
            }
            serde_json::to_string(&proj.render(kind, &shown)).unwrap_or_default()
        };
        let mut headers = vec![("Content-Type".to_string(), media.to_string())];
        if status == 201 || status == 200 {
            headers.push(("Location".into(), location));
        }
        if let Some(tag) = self.etag(r) {
            headers.push(("ETag".into(), tag));
        }
        Response { status, headers, body, explanation: None }
    }

    fn get(
        &mut self,
        kind_name: &str,
        id: &str,
        req: &Request,
        t: &Target,
        media: &'static str,
    ) -> Result<Response, ScimError> {
        let kind = self.kind(kind_name)?;
        let proj = Self::projection(kind, t)?;
        let r = self.store.get(kind_name, id).ok_or_else(|| not_found(kind, id))?;
        if let (Some(tag), Some(inm)) = (self.etag(r), req.header_value("if-none-match")) {
            if etag_matches(inm, &tag) {
                return Ok(Response {
                    status: 304,
                    headers: vec![("ETag".into(), tag)],
                    body: String::new(),
                    explanation: None,
                });
            }
        }
        Ok(self.resource_response(200, kind, r, req, t, media, &proj))
    }

    /// RFC 7644 §3.14: `If-Match` must name the current version (`*` matches any).
    fn check_if_match(&self, req: &Request, current: &Resource) -> Result<(), ScimError> {
        let (Some(tag), Some(im)) = (self.etag(current), req.header_value("if-match")) else {
            return Ok(());
        };
        if etag_matches(im, &tag) {
            Ok(())
        } else {
            Err(ScimError::new(
                412,
                None,
                format!(
                    "If-Match {im} does not match the current version {tag}; GET the resource again and retry with its ETag (RFC 7644 §3.14)."
                ),
            ))
        }
    }

    fn create(
        &mut self,
        kind_name: &str,
        req: &Request,
        t: &Target,
        media: &'static str,
    ) -> Result<Response, (ScimError, Option<Explanation>)> {
        let kind = lookup_kind(&self.registry, kind_name).map_err(|e| (e, None))?;
        let mut expl = self.explanation(|| format!("POST {}", kind.def.endpoint));
        let proj = Self::projection(kind, t).map_err(|e| (e, None))?;
        let body = Self::parse_body(req).map_err(|e| (e, None))?;
        let mut written =
            match replace::apply(kind, &self.profile.behaviour, Mode::Create, None, None, &body, &mut expl) {
                Ok(w) => w,
                Err(e) => return Err((e, Some(expl))),
            };
        if groups::is_group(kind) {
            if let Err(e) = groups::check_members(&self.store, &self.registry, None, &mut written.attributes, &mut expl)
            {
                return Err((e, Some(expl)));
            }
        }
        if let Some((attr, other)) = self.store.unique_conflict(kind_name, &written.attributes, None) {
            expl.push(
                attr.clone(),
                Outcome::RejectedUniqueness,
                None,
                written.attributes.get(&attr),
                "RFC 7643 §7 uniqueness",
            );
            return Err((uniqueness_error(&attr, &written.attributes, &other), Some(expl)));
        }
        let id = match self.profile.id_style {
            IdStyle::Uuid => {
                let mut id = self.env.new_id();
                let mut tries = 0;
                while self.store.contains(kind_name, &id) && tries < 8 {
                    id = self.env.new_id();
                    tries += 1;
                }
                id
            }
            IdStyle::Numeric { start } => self.store.next_numeric_id(start),
        };
        if id.is_empty() || self.store.contains(kind_name, &id) {
            return Err((ScimError::new(500, None, "The environment gave an id that is already in use."), Some(expl)));
        }
        let now = format_millis(self.env.now());
        let resource =
            assemble(kind, written, &id, &now, &now, self.profile.behaviour.versioning.then(|| version_tag(1)));
        let mut resp = self.resource_response(201, kind, &resource, req, t, media, &proj);
        self.store.put(kind_name, &id, resource);
        resp.explanation = Some(expl);
        Ok(resp)
    }

    /// What PUT and PATCH check before their engines run: the resource exists, `If-Match`
    /// names its version (RFC 7644 §3.14), the projection and the body parse.
    #[allow(clippy::type_complexity)]
    fn update_prologue(
        &self,
        method: &str,
        kind_name: &str,
        id: &str,
        req: &Request,
        t: &Target,
    ) -> Result<(&ResourceKind, Explanation, Projection, &Resource, Value), (ScimError, Option<Explanation>)> {
        let kind = lookup_kind(&self.registry, kind_name).map_err(|e| (e, None))?;
        let expl = self.explanation(|| format!("{method} {}/{{id}}", kind.def.endpoint));
        let proj = Self::projection(kind, t).map_err(|e| (e, None))?;
        let old = self.store.get(kind_name, id).ok_or_else(|| (not_found(kind, id), None))?;
        self.check_if_match(req, old).map_err(|e| (e, None))?;
        let body = Self::parse_body(req).map_err(|e| (e, None))?;
        Ok((kind, expl, proj, old, body))
    }

    fn replace(
        &mut self,
        kind_name: &str,
        id: &str,
        req: &Request,
        t: &Target,
        media: &'static str,
    ) -> Result<Response, (ScimError, Option<Explanation>)> {
        let (kind, mut expl, proj, old, body) = self.update_prologue("PUT", kind_name, id, req, t)?;
        let written =
            match replace::apply(kind, &self.profile.behaviour, Mode::Replace, Some(id), Some(old), &body, &mut expl) {
                Ok(w) => w,
                Err(e) => return Err((e, Some(expl))),
            };
        self.commit_update(kind_name, id, written, expl, req, t, media, &proj)
    }

    /// The end of every update (PUT, PATCH): group members checked, uniqueness (409),
    /// then stored with a new version and `meta.lastModified` unless nothing changed.
    fn commit_update(
        &mut self,
        kind_name: &str,
        id: &str,
        mut written: replace::Written,
        mut expl: Explanation,
        req: &Request,
        t: &Target,
        media: &'static str,
        proj: &Projection,
    ) -> Result<Response, (ScimError, Option<Explanation>)> {
        let kind = lookup_kind(&self.registry, kind_name).map_err(|e| (e, None))?;
        let old = self.store.get(kind_name, id).ok_or_else(|| (not_found(kind, id), None))?;
        if groups::is_group(kind) {
            if let Err(e) =
                groups::check_members(&self.store, &self.registry, Some(id), &mut written.attributes, &mut expl)
            {
                return Err((e, Some(expl)));
            }
        }
        if let Some((attr, other)) = self.store.unique_conflict(kind_name, &written.attributes, Some(id)) {
            expl.push(
                attr.clone(),
                Outcome::RejectedUniqueness,
                old.get(&attr),
                written.attributes.get(&attr),
                "RFC 7643 §7 uniqueness",
            );
            return Err((uniqueness_error(&attr, &written.attributes, &other), Some(expl)));
        }
        let meta = field(old, "meta").and_then(Value::as_object);
        let created = meta.and_then(|m| field(m, "created")).and_then(Value::as_str).unwrap_or_default().to_string();
        if same_content(old, &written) {
            expl.notes.push("Nothing changed, so meta.lastModified and the version stay as they were.".into());
            let mut resp = self.resource_response(200, kind, old, req, t, media, proj);
            resp.explanation = Some(expl);
            return Ok(resp);
        }
        let now = format_millis(self.env.now());
        let rev = meta.and_then(|m| field(m, "version")).and_then(Value::as_str).and_then(parse_version).unwrap_or(0);
        let version = self.profile.behaviour.versioning.then(|| version_tag(rev + 1));
        let resource = assemble(kind, written, id, &created, &now, version);
        let mut resp = self.resource_response(200, kind, &resource, req, t, media, proj);
        self.store.put(kind_name, id, resource);
        resp.explanation = Some(expl);
        Ok(resp)
    }

    fn delete(&mut self, kind_name: &str, id: &str, req: &Request) -> Result<Response, ScimError> {
        let kind = self.kind(kind_name)?;
        let r = self.store.get(kind_name, id).ok_or_else(|| not_found(kind, id))?;
        self.check_if_match(req, r)?;
        // RFC 7643 §4.2: a deleted resource is no longer a member of any group.
        let touched = groups::without_member(&self.store, &self.registry, id);
        self.store.remove(kind_name, id);
        if !touched.is_empty() {
            let now = format_millis(self.env.now());
            for (gk, gid, mut g) in touched {
                self.stamp(&mut g, &now);
                self.store.put(&gk, &gid, g);
            }
        }
        Ok(Response { status: 204, headers: vec![], body: String::new(), explanation: None })
    }
}

/// The default response body written straight from the stored resource (no copies): what
/// [`Projection::render`] gives for a default projection when the kind's `plain_render`
/// holds, plus `meta.location`. A unit test holds the two to the same output.
fn render_plain(kind: &ResourceKind, r: &Resource, location: &str) -> String {
    // One serde pass over a borrowed view: no copy of the resource, and `to_string` knows
    // its own output is UTF-8 (writing pieces into a Vec meant validating it again).
    serde_json::to_string(&PlainView { kind, r, location }).unwrap_or_default()
}

/// The stored resource minus attributes hidden by default, with `meta.location` added.
struct PlainView<'a> {
    kind: &'a ResourceKind,
    r: &'a Resource,
    location: &'a str,
}

impl Serialize for PlainView<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        for (k, v) in self.r {
            if self.kind.hidden_by_default.iter().any(|h| h == k) {
                continue;
            }
            match (k.as_str(), v) {
                ("meta", Value::Object(meta)) => map.serialize_entry(k, &MetaView { meta, location: self.location })?,
                _ => map.serialize_entry(k, v)?,
            }
        }
        map.end()
    }
}

/// `meta` as stored, then `location` (RFC 7643 §3.1).
struct MetaView<'a> {
    meta: &'a Map<String, Value>,
    location: &'a str,
}

impl Serialize for MetaView<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.meta.len() + 1))?;
        for (k, v) in self.meta {
            map.serialize_entry(k, v)?;
        }
        map.serialize_entry("location", self.location)?;
        map.end()
    }
}

/// The stored form: schemas, id, externalId, meta, then the other attributes.
pub(crate) fn assemble(
    kind: &ResourceKind,
    w: replace::Written,
    id: &str,
    created: &str,
    modified: &str,
    version: Option<String>,
) -> Resource {
    // Sized up front: growing an IndexMap rehashes every key (SipHash) it holds.
    let mut r = Map::with_capacity(4 + w.attributes.len());
    r.insert("schemas".into(), Value::Array(w.schemas.into_iter().map(Value::String).collect()));
    r.insert("id".into(), Value::String(id.into()));
    let mut attributes = w.attributes;
    if let Some(x) = attributes.shift_remove("externalId") {
        r.insert("externalId".into(), x);
    }
    let mut meta = Map::with_capacity(4);
    meta.insert("resourceType".into(), Value::String(kind.meta_resource_type().into()));
    meta.insert("created".into(), Value::String(created.into()));
    meta.insert("lastModified".into(), Value::String(modified.into()));
    if let Some(v) = version {
        meta.insert("version".into(), Value::String(v));
    }
    r.insert("meta".into(), Value::Object(meta));
    r.extend(attributes);
    r
}

fn same_content(old: &Resource, w: &replace::Written) -> bool {
    let old_attrs = old.iter().filter(|(k, _)| !matches!(k.as_str(), "schemas" | "id" | "meta")).count();
    old_attrs == w.attributes.len()
        && w.attributes.iter().all(|(k, v)| field(old, k).is_some_and(|o| same_value(o, v)))
        && field(old, "schemas")
            .and_then(Value::as_array)
            .is_some_and(|s| s.len() == w.schemas.len() && s.iter().zip(&w.schemas).all(|(a, b)| a.as_str() == Some(b)))
}

fn lookup_kind<'r>(registry: &'r Registry, name: &str) -> Result<&'r ResourceKind, ScimError> {
    registry
        .kind(name)
        .ok_or_else(|| ScimError::new(500, None, format!("resource type {name} vanished from the registry")))
}

pub(crate) fn version_tag(n: u64) -> String {
    let digits = n.to_string();
    let mut tag = String::with_capacity(digits.len() + 4);
    tag.push_str("W/\"");
    tag.push_str(&digits);
    tag.push('"');
    tag
}

fn parse_version(tag: &str) -> Option<u64> {
    tag.trim_start_matches("W/").trim_matches('"').parse().ok()
}

/// Compares entity tags as opaque strings; a weak and a strong form of the same tag match
/// (RFC 7644 §3.14 leaves weak comparison to the server).
fn etag_matches(header: &str, current: &str) -> bool {
    let bare = |s: &str| s.trim().trim_start_matches("W/").to_string();
    header.split(',').any(|t| t.trim() == "*" || bare(t) == bare(current))
}

fn not_found(kind: &ResourceKind, id: &str) -> ScimError {
    ScimError::not_found(format!("{} {id:?} not found (RFC 7644 §3.4.1).", kind.def.name))
}

fn not_implemented(what: &str) -> ScimError {
    ScimError::new(501, None, format!("{what} is not implemented by this server yet."))
}

fn method_not_allowed(method: &str, allow: &str) -> ScimError {
    ScimError {
        allow: Some(allow.to_string()),
        ..ScimError::new(
            405,
            None,
            format!("{method} is not supported here; this endpoint allows {allow} (RFC 7644 §3.2)."),
        )
    }
}

fn uniqueness_error(attr: &str, attrs: &Map<String, Value>, other: &str) -> ScimError {
    let v = attrs.get(attr).map(Value::to_string).unwrap_or_default();
    ScimError::uniqueness(format!(
        "{attr} {v} is already taken by resource {other:?}; {attr} must be unique (RFC 7643 §7 uniqueness, RFC 7644 §3.3)."
    ))
}

fn error_response(e: &ScimError, media: &'static str, explanation: Option<Explanation>) -> Response {
    let mut headers = vec![("Content-Type".to_string(), media.to_string())];
    if let Some(allow) = &e.allow {
        headers.push(("Allow".into(), allow.clone()));
    }
    Response { status: e.status, headers, body: e.to_json().to_string(), explanation }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::FixedEnv;
    use serde_json::json;

    /// The fast path writes exactly what the general one (copy, add location, project)
    /// writes, for a resource with core, multi-valued, extension and writeOnly attributes.
    #[test]
    fn plain_render_matches_projection() {
        let mut s = Server::new(Profile::rfc(), FixedEnv::default()).unwrap_or_else(|e| panic!("{e}"));
        let body = json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User",
                        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
            "userName": "bjensen", "externalId": "x1", "password": "t1meMa$heen", "active": true,
            "name": {"givenName": "Barbara", "familyName": "Jensen \"BJ\" \u{e9}"},
            "emails": [{"value": "b@example.com", "type": "work", "primary": true}],
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Tour"}
        });
        let created = s.handle(&Request::new("POST", "/scim/v2/Users").json(&body));
        assert_eq!(created.status, 201, "{}", created.body);
        let id = created.json()["id"].as_str().unwrap_or_default().to_string();
        let kind = s.registry.kind("User").unwrap_or_else(|| panic!("User kind"));
        let r = s.store.get("User", &id).unwrap_or_else(|| panic!("stored"));
        let location = format!("https://h/scim/v2/Users/{id}");
        let mut shown = r.clone();
        if let Some(Value::Object(meta)) = shown.get_mut("meta") {
            meta.insert("location".into(), Value::String(location.clone()));
        }
        let proj = Projection::parse(kind, None, None).unwrap_or_else(|e| panic!("{e}"));
        let general = serde_json::to_string(&proj.render(kind, &shown)).unwrap_or_default();
        assert!(kind.plain_render);
        assert_eq!(render_plain(kind, r, &location), general);
        assert!(!general.contains("t1meMa"), "writeOnly password must not be returned");
    }
}
