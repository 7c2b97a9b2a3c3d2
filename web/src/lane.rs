//! One side of the comparison: a [`Lane`] runs its own [`scim_core::Server`] under a profile
//! from the catalog, with a counting [`LaneEnv`] and the [`shared_users`] every lane holds, and
//! resolves `{userName:NAME}` placeholders against its own store.

use scim_core::env::Millis;
use scim_core::profile::ResourceKind;
use scim_core::schema::Attribute;
use scim_core::{Env, FixedEnv, Profile, Request, Response, ScimError, Server};
use serde_json::{Map, Value};

use crate::catalog::{catalog, find_profile};
use crate::draft::Draft;
use crate::exchange::{Exchange, status_text};

/// Each send moves both lanes' clocks by this much, so `meta.lastModified` visibly changes.
const TICK_MS: Millis = 1_000;

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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
    fn placeholder_resolves_per_lane() {
        let lane = Lane::new("rfc");
        let id = lane.users()[0].id.clone();
        assert_eq!(lane.resolve_path("/Users/{userName:BJENSEN}?x=1").unwrap(), format!("/Users/{id}?x=1"));
        assert!(lane.resolve_path("/Users/{userName:nobody}").unwrap_err().contains("nobody"));
        assert!(lane.resolve_path("/Users/{userName:x").is_err());
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
        let mut lane = Lane::new("rfc");
        let body = lane.current_as_body("/Users/{userName:bjensen}").unwrap();
        let v: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["userName"], "bjensen");
        assert!(v.get("meta").is_none());
        assert!(lane.current_as_body("/Users/missing").unwrap_err().contains("404"));
    }
}
