//! The playground's state as plain Rust, with no DOM: the composer draft, two lanes that each
//! run their own [`scim_core::Server`], and the history of sent requests. Components only
//! read this and call its methods, so everything here is unit-tested natively.

use scim_core::env::Millis;
use scim_core::{Env, FixedEnv, Profile, Request, Response, ScimError, Server};
use serde::{Deserialize, Serialize};
use serde_json::Value;

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
        match scim_core::from_json_str::<Value>(body) {
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

/// Default profiles for lanes A and B: the RFC, and a vendor profile once one exists.
pub fn default_profiles() -> [String; 2] {
    let names: Vec<&str> = catalog().iter().map(|c| c.name.as_str()).collect();
    let b = ["ping", "veeva", RFC_KEEP_OMITTED]
        .iter()
        .find(|n| names.contains(n))
        .map(|n| (*n).to_string())
        .unwrap_or_else(|| "rfc".into());
    ["rfc".into(), b]
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
        match scim_core::from_json_str::<Value>(&self.response.body) {
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

/// The users every lane starts with (RFC 7643 §8.2's Barbara Jensen, and the users the vendor
/// examples update), so templates can address them by `{userName:…}`. Kept as text: far
/// smaller in wasm than `json!`.
const SEED_USERS: &str = r#"[
  {
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
    "userName": "bjensen",
    "externalId": "bjensen",
    "name": {"formatted": "Ms. Barbara J Jensen III", "familyName": "Jensen", "givenName": "Barbara"},
    "displayName": "Babs Jensen",
    "title": "Tour Guide",
    "emails": [{"value": "bjensen@example.com", "type": "work", "primary": true}],
    "phoneNumbers": [{"value": "555-555-5555", "type": "work"}],
    "active": true
  },
  {
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
    "userName": "pconley",
    "name": {"familyName": "Conley", "givenName": "Pat", "formatted": "Pat Conley"},
    "title": "Engineer",
    "emails": [{"value": "pat.conley@runciter.com", "type": "work", "primary": true}],
    "active": true
  },
  {
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
    "userName": "AbigailSmith@veepharm.com",
    "name": {"familyName": "Smith", "givenName": "Abigail"},
    "displayName": "Abigail Smith",
    "locale": "en_US",
    "timezone": "America/Los_Angeles",
    "emails": [{"value": "abigail.smith@veepharm.com", "type": "work"}],
    "active": true
  }
]"#;

pub fn seed_users() -> Vec<Value> {
    scim_core::from_json_str(SEED_USERS).unwrap_or_default()
}

impl Lane {
    /// A lane running `profile_name` (the RFC profile when the name is unknown), seeded.
    pub fn new(profile_name: &str) -> Lane {
        let (name, profile) = match find_profile(profile_name) {
            Some(p) => (profile_name.to_string(), p),
            None => ("rfc".to_string(), Profile::rfc()),
        };
        let server = match Server::new(profile, LaneEnv::fresh()) {
            Ok(s) => s,
            Err(_) => Server::new(Profile::rfc(), LaneEnv::fresh()).unwrap_or_else(|_| unreachable_rfc()),
        };
        let mut lane = Lane { profile_name: name, server, last: None };
        lane.seed();
        lane
    }

    /// A lane restored from a saved store; `None` when the profile or snapshot no longer fits.
    pub fn restore(profile_name: &str, store: &Value, issued: u64, elapsed: Millis) -> Option<Lane> {
        let profile = find_profile(profile_name)?;
        let mut server = Server::new(profile, LaneEnv::resume(issued, elapsed)).ok()?;
        server.restore(store).ok()?;
        Some(Lane { profile_name: profile_name.to_string(), server, last: None })
    }

    /// POSTs the seed users in the profile's own User schema. A profile may define fewer
    /// attributes (and reject unknown ones), so a refused user is retried with only
    /// `userName` and `name`, then skipped.
    fn seed(&mut self) {
        let urn = self.server.registry().kind_by_endpoint("Users").map(|k| k.def.schema.clone());
        for mut user in seed_users() {
            if let (Some(urn), Some(obj)) = (&urn, user.as_object_mut()) {
                obj.insert("schemas".into(), Value::Array(vec![Value::String(urn.clone())]));
            }
            if self.server.handle(&Request::new("POST", "/Users").json(&user)).status == 201 {
                continue;
            }
            if let Some(obj) = user.as_object_mut() {
                obj.retain(|k, _| matches!(k.as_str(), "schemas" | "userName" | "name"));
            }
            let _ = self.server.handle(&Request::new("POST", "/Users").json(&user));
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
    fn every_catalog_profile_gets_seed_users() {
        for choice in catalog() {
            let lane = Lane::new(&choice.name);
            assert_eq!(lane.profile_name, choice.name);
            let users = lane.users();
            assert!(users.iter().any(|u| u.user_name == "bjensen"), "{}: {users:?}", choice.name);
        }
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
        assert_eq!(title.a, None);
        assert_eq!(title.b, Some(json!("Tour Guide")));
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
        assert_eq!(d.path, "/Users/{userName:pconley}");
        assert!(!d.body.contains("\"meta\""));
    }
}
