//! The playground's state as plain Rust, with no DOM: the composer draft, two lanes that each
//! run their own [`scim_core::Server`], and the history of sent requests. Components only
//! read this and call its methods, so everything here is unit-tested natively.

use scim_core::env::Millis;
use scim_core::profile::ResourceKind;
use scim_core::schema::Attribute;
use scim_core::{Env, FixedEnv, Profile, Request, Response, ScimError, Server};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::diff::{self, DiffRow};
use crate::templates;

/// How many requests the history keeps (oldest dropped first).
pub const HISTORY_CAP: usize = 50;

/// Lane names, in order.
pub const LANE_NAMES: [&str; 2] = ["Lane A", "Lane B"];

/// Methods offered by the composer (RFC 7644 §3.2).
pub const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/// Each send moves both lanes' clocks by this much, so `meta.lastModified` visibly changes.
const TICK_MS: Millis = 1_000;

/// What the composer holds: one request as the person wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Draft {
    pub method: String,
    /// Path relative to the base path (`/Users/{id}`); may hold `{userName:NAME}`.
    pub path: String,
    /// `Name: value`, one header a line.
    pub headers: String,
    pub body: String,
}

impl Default for Draft {
    fn default() -> Self {
        templates::minimal()
    }
}

/// The body editor's live verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyCheck {
    Empty,
    Valid,
    /// serde_json's message with its 1-based line and column.
    Invalid {
        line: usize,
        column: usize,
        message: String,
    },
}

impl BodyCheck {
    pub fn of(body: &str) -> BodyCheck {
        if body.trim().is_empty() {
            return BodyCheck::Empty;
        }
        match serde_json::from_str::<Value>(body) {
            Ok(_) => BodyCheck::Valid,
            Err(e) => {
                let full = e.to_string();
                // serde_json appends " at line L column C"; we show those separately.
                let message = full.split(" at line ").next().unwrap_or(&full).to_string();
                BodyCheck::Invalid { line: e.line(), column: e.column(), message }
            }
        }
    }

    /// One sentence for the status line under the editor.
    pub fn describe(&self) -> String {
        match self {
            BodyCheck::Empty => "No body.".into(),
            BodyCheck::Valid => "Valid JSON.".into(),
            BodyCheck::Invalid { line, column, message } => format!("Line {line}, column {column}: {message}"),
        }
    }
}

impl Draft {
    /// Headers as pairs; a non-blank line without a colon is an error naming the line.
    pub fn parse_headers(&self) -> Result<Vec<(String, String)>, String> {
        let mut out = Vec::new();
        for (i, line) in self.headers.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            match line.split_once(':') {
                Some((name, value)) if !name.trim().is_empty() && !name.trim().contains(' ') => {
                    out.push((name.trim().to_string(), value.trim().to_string()));
                }
                _ => return Err(format!("Header line {} is not `Name: value`: {line:?}", i + 1)),
            }
        }
        Ok(out)
    }

    /// Whether this method carries a body.
    pub fn sends_body(&self) -> bool {
        matches!(self.method.to_ascii_uppercase().as_str(), "POST" | "PUT" | "PATCH")
    }
}

/// A profile a lane can run: the built-ins plus derived variants.
#[derive(Debug, Clone)]
pub struct ProfileChoice {
    /// The key stored in saved state and share links.
    pub name: String,
    pub title: String,
    pub profile: Profile,
}

/// Name of the derived RFC variant that keeps omitted attributes (RFC 7644 §3.5.1 allows it).
pub const RFC_KEEP_OMITTED: &str = "rfc (keep omitted)";

/// Every profile the lanes offer. Data-driven: each entry of
/// [`scim_core::profile::builtin_sources`] appears, so new built-ins show up unchanged here.
/// Parsed once per page.
pub fn catalog() -> &'static [ProfileChoice] {
    static CATALOG: std::sync::OnceLock<Vec<ProfileChoice>> = std::sync::OnceLock::new();
    CATALOG.get_or_init(build_catalog)
}

fn build_catalog() -> Vec<ProfileChoice> {
    let mut out = Vec::new();
    for (name, _) in scim_core::profile::builtin_sources().iter() {
        if let Some(profile) = Profile::builtin(name) {
            let title = if profile.title.is_empty() { (*name).to_string() } else { profile.title.clone() };
            out.push(ProfileChoice { name: (*name).to_string(), title, profile });
        }
    }
    if let Some(rfc) = out.iter().find(|c| c.name == "rfc").map(|c| c.profile.clone()) {
        if !out.iter().any(|c| c.name == RFC_KEEP_OMITTED) {
            let mut p = rfc;
            p.behaviour.omitted = scim_core::profile::Omitted::Keep;
            p.name = RFC_KEEP_OMITTED.into();
            p.title = "RFC, keeping omitted attributes".into();
            p.description = "The RFC profile with behaviour.omitted = keep: a PUT leaves attributes the body omits as they were, as many services do (RFC 7644 §3.5.1 permits it).".into();
            out.push(ProfileChoice { name: RFC_KEEP_OMITTED.into(), title: p.title.clone(), profile: p });
        }
    }
    out
}

/// The profile for a name, if the catalog has it.
pub fn find_profile(name: &str) -> Option<Profile> {
    catalog().iter().find(|c| c.name == name).map(|c| c.profile.clone())
}

/// Default profiles for lanes A and B: the RFC, and the first other profile that keeps
/// omitted attributes on PUT (RFC 7644 §3.5.1 allows both) while using the RFC's core User
/// schema, so the default request (the minimal template) is valid in both lanes and the first
/// Send shows the omitted-attribute difference. With the built-ins that is Veeva; Ping keeps
/// omitted attributes too but wants its own User schema URN in `schemas`.
pub fn default_profiles() -> [String; 2] {
    let core = find_profile("rfc").and_then(|p| user_schema(&p));
    let b = catalog()
        .iter()
        .filter(|c| c.name != "rfc" && c.profile.behaviour.omitted == scim_core::profile::Omitted::Keep)
        .find(|c| core.is_some() && user_schema(&c.profile) == core)
        .map(|c| c.name.clone())
        .unwrap_or_else(|| RFC_KEEP_OMITTED.into());
    ["rfc".into(), b]
}

fn user_schema(p: &Profile) -> Option<String> {
    p.compile().ok()?.kind_by_endpoint("Users").map(|k| k.core.id.clone())
}

/// A [`FixedEnv`] that counts what it handed out, so a lane restored from storage continues
/// with the same ids and clock as before the reload.
#[derive(Debug, Clone)]
pub struct LaneEnv {
    inner: FixedEnv,
    issued: u64,
    elapsed: Millis,
}

impl LaneEnv {
    /// Same start in every lane: the same history gives the same ids in both.
    pub fn fresh() -> LaneEnv {
        LaneEnv { inner: FixedEnv::default(), issued: 0, elapsed: 0 }
    }

    /// Replays `issued` ids and `elapsed` ms on a fresh env.
    pub fn resume(issued: u64, elapsed: Millis) -> LaneEnv {
        let mut env = LaneEnv::fresh();
        for _ in 0..issued.min(1_000_000) {
            env.new_id();
        }
        env.tick(elapsed.max(0));
        env
    }

    fn tick(&mut self, ms: Millis) {
        self.inner.advance(ms);
        self.elapsed = self.elapsed.saturating_add(ms);
    }

    pub fn issued(&self) -> u64 {
        self.issued
    }

    pub fn elapsed(&self) -> Millis {
        self.elapsed
    }
}

impl Env for LaneEnv {
    fn now(&mut self) -> Millis {
        self.inner.now()
    }

    fn new_id(&mut self) -> String {
        self.issued += 1;
        self.inner.new_id()
    }
}

/// One request as a lane resolved and answered it.
#[derive(Debug, Clone, PartialEq)]
pub struct Exchange {
    /// `PUT /Users/00000000-…` after placeholder resolution.
    pub request_line: String,
    pub response: Response,
}

impl Exchange {
    /// `200 OK`.
    pub fn status_text(&self) -> String {
        status_text(self.response.status)
    }

    /// The body pretty-printed (as sent when it is not JSON).
    pub fn pretty_body(&self) -> String {
        if self.response.body.is_empty() {
            return String::new();
        }
        match serde_json::from_str::<Value>(&self.response.body) {
            Ok(v) => serde_json::to_string_pretty(&v).unwrap_or_else(|_| self.response.body.clone()),
            Err(_) => self.response.body.clone(),
        }
    }
}

pub fn status_text(status: u16) -> String {
    let reason = scim_core::http::reason(status);
    if reason.is_empty() { status.to_string() } else { format!("{status} {reason}") }
}

/// A user as the store browser lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct UserSummary {
    pub id: String,
    pub user_name: String,
    pub resource: Value,
}

/// One side of the comparison: a profile, its server, its last answer.
#[derive(Debug)]
pub struct Lane {
    pub profile_name: String,
    server: Server<LaneEnv>,
    pub last: Option<Exchange>,
}

/// The users every lane holds so that one request addresses the same user in both lanes:
/// each built-in profile's documented seed users (RFC 7643 §8.2's Barbara Jensen, the user
/// Ping's PUT example updates, Veeva's user 93521), one per userName, in catalog order.
/// Data-driven: a new built-in's seed users appear in every lane unchanged.
pub fn shared_users() -> &'static [Map<String, Value>] {
    static USERS: std::sync::OnceLock<Vec<Map<String, Value>>> = std::sync::OnceLock::new();
    USERS.get_or_init(|| {
        let mut out: Vec<Map<String, Value>> = Vec::new();
        for user in catalog().iter().filter_map(|c| c.profile.seed.get("User")).flatten() {
            let name = user.get("userName");
            if name.is_some() && !out.iter().any(|u| u.get("userName") == name) {
                out.push(user.clone());
            }
        }
        out
    })
}

/// A seed user rewritten for another profile's User type: its core schema, only the
/// attributes (and sub-attributes) that type defines, extensions it knows; no `id` or `meta`
/// (the lane's server assigns them, RFC 7643 §3.1).
fn fit_user(user: &Map<String, Value>, kind: &ResourceKind) -> Value {
    let mut out = Map::new();
    let mut schemas = vec![Value::String(kind.core.id.clone())];
    for (key, value) in user {
        if matches!(key.as_str(), "id" | "meta" | "schemas") {
            continue;
        }
        if key.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("urn:")) {
            let (Some((schema, _)), Value::Object(inner)) = (kind.extension(key), value) else { continue };
            let inner: Map<String, Value> =
                inner.iter().filter_map(|(k, v)| schema.attribute(k).map(|a| (k.clone(), fit_value(a, v)))).collect();
            if !inner.is_empty() {
                schemas.push(Value::String(schema.id.clone()));
                out.insert(schema.id.clone(), Value::Object(inner));
            }
        } else if let Some(attr) = kind.core.attribute(key) {
            out.insert(key.clone(), fit_value(attr, value));
        }
    }
    out.insert("schemas".into(), Value::Array(schemas));
    Value::Object(out)
}

/// Drops sub-attributes the definition does not have (RFC 7643 §2.3.8).
fn fit_value(attr: &Attribute, value: &Value) -> Value {
    let fit_object = |v: &Value| match v {
        Value::Object(m) if attr.is_complex() => Value::Object(
            m.iter().filter(|(k, _)| attr.sub(k).is_some()).map(|(k, v)| (k.clone(), v.clone())).collect(),
        ),
        other => other.clone(),
    };
    match value {
        Value::Array(items) => Value::Array(items.iter().map(fit_object).collect()),
        other => fit_object(other),
    }
}

impl Lane {
    /// A lane running `profile_name` (the RFC profile when the name is unknown): the
    /// profile's own seed ([`Server::with_seed`], so vendor profiles show their documented
    /// users and ids), then the other [`shared_users`] it lacks.
    pub fn new(profile_name: &str) -> Lane {
        let (name, profile) = match find_profile(profile_name) {
            Some(p) => (profile_name.to_string(), p),
            None => ("rfc".to_string(), Profile::rfc()),
        };
        let server = Server::with_seed(profile.clone(), LaneEnv::fresh())
            .or_else(|_| Server::new(profile, LaneEnv::fresh()))
            .or_else(|_| Server::with_seed(Profile::rfc(), LaneEnv::fresh()))
            .unwrap_or_else(|_| unreachable_rfc());
        let mut lane = Lane { profile_name: name, server, last: None };
        lane.add_shared_users();
        lane
    }

    /// A lane restored from a saved store; `None` when the profile or snapshot no longer fits.
    pub fn restore(profile_name: &str, store: &Value, issued: u64, elapsed: Millis) -> Option<Lane> {
        let profile = find_profile(profile_name)?;
        let mut server = Server::new(profile, LaneEnv::resume(issued, elapsed)).ok()?;
        server.restore(store).ok()?;
        Some(Lane { profile_name: profile_name.to_string(), server, last: None })
    }

    /// POSTs each shared user this lane lacks (by userName), fitted to its User type; a
    /// refused user is retried with only `userName` and `name`, then skipped.
    fn add_shared_users(&mut self) {
        let Some(kind) = self.server.registry().kind_by_endpoint("Users").cloned() else { return };
        for user in shared_users() {
            let Some(name) = user.get("userName").and_then(Value::as_str) else { continue };
            if self.server.store().find_unique(&kind.def.name, "userName", name).is_some() {
                continue;
            }
            let mut body = fit_user(user, &kind);
            if self.server.handle(&Request::new("POST", "/Users").json(&body)).status == 201 {
                continue;
            }
            if let Some(obj) = body.as_object_mut() {
                obj.retain(|k, _| matches!(k.as_str(), "schemas" | "userName" | "name"));
            }
            let _ = self.server.handle(&Request::new("POST", "/Users").json(&body));
        }
    }

    /// Back to the seed users with a fresh clock and id counter.
    pub fn reset(&mut self) {
        *self = Lane::new(&self.profile_name);
    }

    pub fn profile(&self) -> &Profile {
        self.server.profile()
    }

    pub fn snapshot(&self) -> Value {
        self.server.snapshot()
    }

    pub fn env_counters(&mut self) -> (u64, Millis) {
        let env = self.server.env_mut();
        (env.issued(), env.elapsed())
    }

    /// Users in creation order.
    pub fn users(&self) -> Vec<UserSummary> {
        let kind = self.user_kind();
        self.server
            .store()
            .iter(&kind)
            .map(|r| UserSummary {
                id: r.get("id").and_then(Value::as_str).unwrap_or_default().to_string(),
                user_name: r.get("userName").and_then(Value::as_str).unwrap_or_default().to_string(),
                resource: Value::Object(r.clone()),
            })
            .collect()
    }

    fn user_kind(&self) -> String {
        self.server.registry().kind_by_endpoint("Users").map(|k| k.def.name.clone()).unwrap_or_else(|| "User".into())
    }

    /// Replaces `{userName:NAME}` with that user's id in this lane (through the store's
    /// userName uniqueness index, RFC 7643 §4.1.1).
    pub fn resolve_path(&self, path: &str) -> Result<String, String> {
        let mut out = String::new();
        let mut rest = path;
        while let Some(start) = rest.find("{userName:") {
            let Some(len) = rest[start..].find('}') else {
                return Err(format!("The placeholder in {path:?} has no closing brace."));
            };
            let name = &rest[start + "{userName:".len()..start + len];
            let id = self
                .server
                .store()
                .find_unique(&self.user_kind(), "userName", name)
                .ok_or_else(|| format!("No user with userName {name:?} in this lane ({}).", self.profile_name))?;
            out.push_str(&rest[..start]);
            out.push_str(id);
            rest = &rest[start + len + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }

    /// Sends the draft to this lane's server and remembers the answer.
    pub fn send(&mut self, draft: &Draft, headers: &[(String, String)]) -> &Exchange {
        self.server.env_mut().tick(TICK_MS);
        let method = draft.method.trim().to_ascii_uppercase();
        let exchange = match self.resolve_path(draft.path.trim()) {
            Ok(path) => {
                let mut req = Request::new(&method, &path);
                req.headers = headers.to_vec();
                if draft.sends_body() {
                    req.body = draft.body.clone().into_bytes();
                }
                Exchange { request_line: format!("{method} {path}"), response: self.server.handle(&req) }
            }
            Err(detail) => {
                // Answered here, as the server would answer an unknown id (RFC 7644 §3.12).
                let e = ScimError::not_found(detail);
                Exchange {
                    request_line: format!("{method} {}", draft.path.trim()),
                    response: Response {
                        status: e.status,
                        headers: vec![("Content-Type".into(), scim_core::http::SCIM_JSON.into())],
                        body: e.to_json().to_string(),
                        explanation: None,
                    },
                }
            }
        };
        self.last.insert(exchange)
    }

    /// The resource at `path` as a PUT body: GET it, drop the server-owned `meta`
    /// (the "GET, edit, PUT" pattern Ping's docs recommend).
    pub fn current_as_body(&mut self, path: &str) -> Result<String, String> {
        let resolved = self.resolve_path(path.trim())?;
        let resp = self.server.handle(&Request::new("GET", &resolved));
        if resp.status != 200 {
            let detail = resp.json().get("detail").and_then(Value::as_str).unwrap_or_default().to_string();
            return Err(format!("GET {resolved} answered {}: {detail}", status_text(resp.status)));
        }
        let mut v = resp.json();
        if let Some(obj) = v.as_object_mut() {
            obj.remove("meta");
        }
        serde_json::to_string_pretty(&v).map_err(|e| e.to_string())
    }
}

#[cold]
fn unreachable_rfc() -> Server<LaneEnv> {
    // The embedded RFC profile compiles (scim-core tests it); nothing else can be done here.
    #[allow(clippy::panic)]
    {
        panic!("the built-in RFC profile does not compile")
    }
}

/// One sent request, for the history list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryEntry {
    pub draft: Draft,
    /// `200 OK` per lane at the time.
    #[serde(default)]
    pub statuses: Vec<String>,
}

/// Everything but the draft: the two lanes and the history.
#[derive(Debug)]
pub struct Playground {
    pub lanes: Vec<Lane>,
    /// Newest first.
    pub history: Vec<HistoryEntry>,
}

impl Default for Playground {
    fn default() -> Self {
        let [a, b] = default_profiles();
        Playground::with_profiles(&a, &b)
    }
}

impl Playground {
    pub fn with_profiles(a: &str, b: &str) -> Playground {
        Playground { lanes: vec![Lane::new(a), Lane::new(b)], history: Vec::new() }
    }

    /// Sends the draft to every lane and records it in the history.
    pub fn send(&mut self, draft: &Draft) -> Result<(), String> {
        let headers = draft.parse_headers()?;
        if draft.path.trim().is_empty() {
            return Err("The path is empty; try /Users/{userName:bjensen}.".into());
        }
        let statuses = self.lanes.iter_mut().map(|l| l.send(draft, &headers).status_text()).collect();
        self.history.insert(0, HistoryEntry { draft: draft.clone(), statuses });
        self.history.truncate(HISTORY_CAP);
        Ok(())
    }

    /// Switches a lane's profile; the lane restarts from the seed users.
    pub fn set_profile(&mut self, lane: usize, name: &str) {
        if let Some(l) = self.lanes.get_mut(lane) {
            *l = Lane::new(name);
        }
    }

    pub fn reset_lane(&mut self, lane: usize) {
        if let Some(l) = self.lanes.get_mut(lane) {
            l.reset();
        }
    }

    /// Lane A's and lane B's last answers compared attribute by attribute.
    pub fn differences(&self) -> Option<Vec<DiffRow>> {
        let a = self.lanes.first()?.last.as_ref()?;
        let b = self.lanes.get(1)?.last.as_ref()?;
        Some(diff::responses(&a.response, &b.response))
    }

    /// A draft that PUTs this user back (addressed by userName so both lanes find it).
    pub fn user_as_put(user: &UserSummary, headers: &str) -> Draft {
        let mut body = user.resource.clone();
        if let Some(obj) = body.as_object_mut() {
            obj.remove("meta");
        }
        let path = if user.user_name.is_empty() || user.user_name.contains('}') {
            format!("/Users/{}", user.id)
        } else {
            format!("/Users/{{userName:{}}}", user.user_name)
        };
        Draft {
            method: "PUT".into(),
            path,
            headers: headers.to_string(),
            body: serde_json::to_string_pretty(&body).unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn put(path: &str, body: Value) -> Draft {
        Draft {
            method: "PUT".into(),
            path: path.into(),
            headers: "Content-Type: application/scim+json".into(),
            body: body.to_string(),
        }
    }

    #[test]
    fn body_check_reports_line_and_column() {
        assert_eq!(BodyCheck::of("  "), BodyCheck::Empty);
        assert_eq!(BodyCheck::of("{\"a\": 1}"), BodyCheck::Valid);
        match BodyCheck::of("{\n  \"a\": 1,\n  \"b\" 2\n}") {
            BodyCheck::Invalid { line, column, message } => {
                assert_eq!((line, column), (3, 7));
                assert!(message.contains("expected `:`"), "{message}");
            }
            other => panic!("expected invalid, got {other:?}"),
        }
        assert!(BodyCheck::of("{").describe().starts_with("Line 1, column 1:"));
    }

    #[test]
    fn headers_parse_and_errors_name_the_line() {
        let mut d = Draft { headers: "Accept: application/json\n\nIf-Match: W/\"1\"".into(), ..Draft::default() };
        assert_eq!(
            d.parse_headers().unwrap(),
            vec![("Accept".into(), "application/json".into()), ("If-Match".into(), "W/\"1\"".into())]
        );
        d.headers = "Accept: x\nnot a header".into();
        assert!(d.parse_headers().unwrap_err().contains("line 2"));
    }

    #[test]
    fn catalog_lists_every_builtin_and_the_keep_omitted_variant() {
        let names: Vec<&str> = catalog().iter().map(|c| c.name.as_str()).collect();
        for (builtin, _) in scim_core::profile::builtin_sources().iter() {
            assert!(names.iter().any(|n| n == builtin), "{builtin} missing from {names:?}");
        }
        let keep = find_profile(RFC_KEEP_OMITTED).unwrap();
        assert_eq!(keep.behaviour.omitted, scim_core::profile::Omitted::Keep);
        assert_eq!(find_profile("rfc").unwrap().behaviour.omitted, scim_core::profile::Omitted::Clear);
    }

    #[test]
    fn both_lanes_start_with_the_same_users_and_ids() {
        let pg = Playground::with_profiles("rfc", RFC_KEEP_OMITTED);
        let a = pg.lanes[0].users();
        let b = pg.lanes[1].users();
        assert_eq!(a.len(), 3);
        assert_eq!(a.iter().map(|u| &u.id).collect::<Vec<_>>(), b.iter().map(|u| &u.id).collect::<Vec<_>>());
        assert_eq!(a[0].user_name, "bjensen");
    }

    #[test]
    fn every_catalog_profile_gets_every_shared_user() {
        let names: Vec<&str> = shared_users().iter().filter_map(|u| u.get("userName")?.as_str()).collect();
        assert_eq!(names, vec!["bjensen", "a.smithn@veepharm.com", "pconley"]);
        for choice in catalog() {
            let lane = Lane::new(&choice.name);
            assert_eq!(lane.profile_name, choice.name);
            let users: Vec<String> = lane.users().into_iter().map(|u| u.user_name).collect();
            for name in &names {
                assert!(users.iter().any(|u| u == name), "{}: {name} missing from {users:?}", choice.name);
            }
        }
    }

    #[test]
    fn vendor_lanes_show_their_documented_seed_users() {
        let veeva = Lane::new("veeva").users();
        assert_eq!((veeva[0].id.as_str(), veeva[0].user_name.as_str()), ("93521", "a.smithn@veepharm.com"));
        let ext = &veeva[0].resource["urn:ietf:params:scim:schemas:extension:veevavault:2.0:User"];
        assert_eq!(ext["securityProfile"]["value"], "system_admin__v");
        let ping = Lane::new("ping").users();
        assert_eq!(
            (ping[0].id.as_str(), ping[0].user_name.as_str()),
            ("76b4c133-87a7-4b2f-8058-4716e78b0fd4", "pconley")
        );
        // Other lanes get the same users, fitted to their own schema, with their own ids.
        let rfc = Lane::new("rfc");
        let smith = rfc.users().into_iter().find(|u| u.user_name == "a.smithn@veepharm.com").unwrap();
        assert_eq!(smith.resource["locale"], "en_US");
        assert!(smith.resource.get("urn:ietf:params:scim:schemas:extension:veevavault:2.0:User").is_none());
    }

    #[test]
    fn vendor_templates_reach_the_documented_user_in_the_vendor_lane() {
        let mut pg = Playground::with_profiles("veeva", "ping");
        pg.send(&crate::templates::veeva()).unwrap();
        let v = pg.lanes[0].last.as_ref().unwrap();
        assert_eq!((v.request_line.as_str(), v.response.status), ("PUT /Users/93521", 200));
        pg.send(&crate::templates::ping()).unwrap();
        let p = pg.lanes[1].last.as_ref().unwrap();
        assert_eq!(
            (p.request_line.as_str(), p.response.status),
            ("PUT /Users/76b4c133-87a7-4b2f-8058-4716e78b0fd4", 200)
        );
        // The same placeholder names the same user in the other lane, under its own id.
        assert_eq!(pg.lanes[1].resolve_path("/Users/{userName:a.smithn@veepharm.com}").unwrap(), {
            let id = pg.lanes[1].users().into_iter().find(|u| u.user_name == "a.smithn@veepharm.com").unwrap().id;
            format!("/Users/{id}")
        });
    }

    #[test]
    fn default_lanes_show_the_omitted_attribute_difference_on_the_first_send() {
        let mut pg = Playground::default();
        assert_eq!(pg.lanes[0].profile_name, "rfc");
        assert_eq!(pg.lanes[1].profile_name, "veeva");
        pg.send(&Draft::default()).unwrap();
        assert_eq!(pg.history[0].statuses, vec!["200 OK", "200 OK"]);
        let rows = pg.differences().unwrap();
        let title = rows.iter().find(|r| r.path == "title").expect("title row");
        assert_eq!((&title.left, &title.right, title.volatile), (&None, &Some(json!("Tour Guide")), false));
    }

    #[test]
    fn placeholder_resolves_per_lane() {
        let pg = Playground::with_profiles("rfc", "rfc");
        let id = pg.lanes[0].users()[0].id.clone();
        assert_eq!(pg.lanes[0].resolve_path("/Users/{userName:BJENSEN}?x=1").unwrap(), format!("/Users/{id}?x=1"));
        assert!(pg.lanes[0].resolve_path("/Users/{userName:nobody}").unwrap_err().contains("nobody"));
        assert!(pg.lanes[0].resolve_path("/Users/{userName:x").is_err());
    }

    #[test]
    fn omitted_attribute_differs_between_rfc_and_keep_omitted() {
        let mut pg = Playground::with_profiles("rfc", RFC_KEEP_OMITTED);
        let body = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "bjensen"});
        pg.send(&put("/Users/{userName:bjensen}", body)).unwrap();
        let a = pg.lanes[0].last.as_ref().unwrap();
        let b = pg.lanes[1].last.as_ref().unwrap();
        assert_eq!(a.status_text(), "200 OK");
        assert_eq!(b.status_text(), "200 OK");
        assert!(a.response.json().get("title").is_none());
        assert_eq!(b.response.json()["title"], "Tour Guide");
        let rows = pg.differences().unwrap();
        let title = rows.iter().find(|r| r.path == "title").expect("title row");
        assert_eq!(title.left, None);
        assert_eq!(title.right, Some(json!("Tour Guide")));
        let expl = a.response.explanation.as_ref().unwrap();
        assert_eq!(expl.get("title").unwrap().outcome, scim_core::Outcome::ClearedOmitted);
        assert_eq!(pg.history.len(), 1);
        assert_eq!(pg.history[0].statuses, vec!["200 OK", "200 OK"]);
    }

    #[test]
    fn unknown_placeholder_is_a_scim_404_in_that_lane() {
        let mut pg = Playground::with_profiles("rfc", "rfc");
        pg.send(&put("/Users/{userName:ghost}", json!({}))).unwrap();
        let a = pg.lanes[0].last.as_ref().unwrap();
        assert_eq!(a.status_text(), "404 Not Found");
        assert!(a.response.json()["detail"].as_str().unwrap().contains("ghost"));
    }

    #[test]
    fn bad_headers_send_nothing() {
        let mut pg = Playground::default();
        let d = Draft { headers: "nonsense".into(), ..Draft::default() };
        assert!(pg.send(&d).is_err());
        assert!(pg.history.is_empty());
        assert!(pg.lanes[0].last.is_none());
    }

    #[test]
    fn history_is_capped_newest_first() {
        let mut pg = Playground::with_profiles("rfc", "rfc");
        for i in 0..(HISTORY_CAP + 5) {
            let d = Draft { method: "GET".into(), path: format!("/Users/{i}"), ..Draft::default() };
            pg.send(&d).unwrap();
        }
        assert_eq!(pg.history.len(), HISTORY_CAP);
        assert_eq!(pg.history[0].draft.path, format!("/Users/{}", HISTORY_CAP + 4));
    }

    #[test]
    fn reset_and_profile_switch_restore_seed_users() {
        let mut pg = Playground::with_profiles("rfc", "rfc");
        let d = Draft { method: "DELETE".into(), path: "/Users/{userName:bjensen}".into(), ..Draft::default() };
        pg.send(&d).unwrap();
        assert_eq!(pg.lanes[0].last.as_ref().unwrap().status_text(), "204 No Content");
        assert_eq!(pg.lanes[0].users().len(), 2);
        pg.reset_lane(0);
        assert_eq!(pg.lanes[0].users().len(), 3);
        assert_eq!(pg.lanes[1].users().len(), 2);
        pg.set_profile(1, RFC_KEEP_OMITTED);
        assert_eq!(pg.lanes[1].profile_name, RFC_KEEP_OMITTED);
        assert_eq!(pg.lanes[1].users().len(), 3);
        pg.set_profile(1, "no-such-profile");
        assert_eq!(pg.lanes[1].profile_name, "rfc");
    }

    #[test]
    fn restored_lane_continues_ids_and_clock() {
        let mut lane = Lane::new("rfc");
        let (issued, elapsed) = lane.env_counters();
        assert_eq!(issued, 3);
        let snap = lane.snapshot();
        let mut again = Lane::restore("rfc", &snap, issued, elapsed).unwrap();
        let body = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "new"});
        let d = Draft { method: "POST".into(), path: "/Users".into(), headers: String::new(), body: body.to_string() };
        let first = lane.send(&d, &[]).response.json()["id"].clone();
        let second = again.send(&d, &[]).response.json()["id"].clone();
        assert_eq!(first, second);
        assert!(Lane::restore("no-such-profile", &snap, 0, 0).is_none());
    }

    #[test]
    fn current_user_becomes_a_put_body_without_meta() {
        let mut pg = Playground::with_profiles("rfc", "rfc");
        let body = pg.lanes[0].current_as_body("/Users/{userName:bjensen}").unwrap();
        let v: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["userName"], "bjensen");
        assert!(v.get("meta").is_none());
        assert!(pg.lanes[0].current_as_body("/Users/missing").unwrap_err().contains("404"));
    }

    #[test]
    fn user_as_put_addresses_by_user_name() {
        let pg = Playground::with_profiles("rfc", "rfc");
        let u = &pg.lanes[0].users()[1];
        let d = Playground::user_as_put(u, "Accept: application/scim+json");
        assert_eq!(d.method, "PUT");
        assert_eq!(d.path, "/Users/{userName:a.smithn@veepharm.com}");
        assert!(!d.body.contains("\"meta\""));
    }
}
