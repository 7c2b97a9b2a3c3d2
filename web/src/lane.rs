//! One side of the comparison: a [`Lane`] runs its own [`scim_core::Server`] under a profile
//! from the catalog, starting from the users every built-in documents
//! ([`scim_core::Seed::Documented`]), and resolves `{userName:NAME}` placeholders against its
//! own store ([`Server::resolve_placeholders`]).
//!
//! Each lane records what every write changes ([`Server::record_changes`]) into its
//! [`Lane::journal`], so saving appends those records instead of serialising the store
//! (see [`crate::storage`]).

use scim_core::{Profile, Request, Seed, Server};
use serde_json::Value;

use crate::catalog::find_profile;
use crate::draft::Draft;
use crate::exchange::Exchange;

/// A user as the store browser lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct UserSummary {
    pub id: String,
    pub user_name: String,
    pub resource: Value,
}

/// Where a lane's saved keys stand: the generation of its saved store and how many
/// [`Lane::journal`] records are already written after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SavedAt {
    pub generation: u64,
    pub logged: usize,
}

/// One side of the comparison: a profile, its server, its last answer.
#[derive(Debug)]
pub struct Lane {
    pub profile_name: String,
    server: Server,
    pub last: Option<Exchange>,
    /// Change records ([`scim_core::Changes::to_json`]) since the saved store, oldest first.
    pub journal: Vec<Value>,
    /// `None` until this lane's store is saved (a new, reset or switched lane).
    pub saved: Option<SavedAt>,
}

impl Lane {
    /// A lane running `profile_name` (the RFC profile when the name is unknown): the
    /// profile's own seed (so vendor profiles show their documented users and ids), then
    /// every other built-in's documented users it can hold, fitted to its schema. Every lane
    /// counts ids from the same start and steps its clock one second per write, so the same
    /// history gives the same ids in both lanes.
    pub fn new(profile_name: &str) -> Lane {
        let (name, profile) = match find_profile(profile_name) {
            Some(p) => (profile_name.to_string(), p),
            None => ("rfc".to_string(), Profile::rfc()),
        };
        let mut server = seeded(profile).or_else(|| seeded(Profile::rfc())).unwrap_or_else(unreachable_rfc);
        server.record_changes(true);
        Lane { profile_name: name, server, last: None, journal: Vec::new(), saved: None }
    }

    /// A lane restored from a saved store (which carries its id sequence and clock);
    /// `None` when the profile or snapshot no longer fits.
    pub fn restore(profile_name: &str, store: &Value) -> Option<Lane> {
        let profile = find_profile(profile_name)?;
        let mut server = Server::new(profile).ok()?;
        server.restore(store).ok()?;
        server.record_changes(true);
        Some(Lane { profile_name: profile_name.to_string(), server, last: None, journal: Vec::new(), saved: None })
    }

    /// Applies one saved change record on top of the store and keeps it in the journal; on
    /// error nothing changes ([`Server::replay`]).
    pub fn replay(&mut self, record: &Value) -> Result<(), String> {
        self.server.replay(record)?;
        self.journal.push(record.clone());
        Ok(())
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

    /// Users in creation order.
    pub fn users(&self) -> Vec<UserSummary> {
        self.server.resources("/Users").into_iter().map(summary).collect()
    }

    /// At most `limit` users whose userName contains `filter` (case-insensitive), in creation
    /// order, and how many match in all. Only the page is copied, so a lane with thousands of
    /// users lists them in time independent of how many there are (apart from the scan).
    pub fn users_page(&self, filter: &str, limit: usize) -> (Vec<UserSummary>, usize) {
        let needle = filter.trim().to_lowercase();
        let all = self.server.resources("/Users");
        if needle.is_empty() {
            // Nothing to match: the first page and the count, without reading every user.
            let page = all.iter().take(limit).copied().map(summary).collect();
            return (page, all.len());
        }
        let mut page = Vec::new();
        let mut total = 0;
        for r in all {
            let name = r.get("userName").and_then(Value::as_str).unwrap_or_default();
            if needle.is_empty() || name.to_lowercase().contains(&needle) {
                total += 1;
                if page.len() < limit {
                    page.push(summary(r));
                }
            }
        }
        (page, total)
    }

    /// Replaces `{userName:NAME}` with that user's id in this lane.
    pub fn resolve_path(&self, path: &str) -> Result<String, String> {
        self.server.resolve_placeholders(path).map_err(|e| e.detail)
    }

    /// The request this lane sends for the draft: the intent rendered in this profile's
    /// dialect ([`Server::render`]), or in raw mode the draft as written with only its path
    /// placeholders resolved.
    pub fn render(
        &self,
        draft: &Draft,
        headers: &[(String, String)],
    ) -> Result<scim_core::Rendered, scim_core::ScimError> {
        let method = draft.method.trim().to_ascii_uppercase();
        let mut req = Request::new(&method, draft.path.trim());
        req.headers = headers.to_vec();
        if draft.sends_body() {
            req.body = draft.body.clone().into_bytes();
        }
        if draft.raw {
            req.path = self.server.resolve_placeholders(&req.path)?;
            return Ok(scim_core::Rendered { request: req, notes: Vec::new() });
        }
        self.server.render(&req)
    }

    /// Sends the draft to this lane's server and remembers the answer. A placeholder that
    /// names no user is answered as the server answers an unknown id (RFC 7644 §3.12), with
    /// a hint that an earlier request may have renamed or deleted the user.
    pub fn send(&mut self, draft: &Draft, headers: &[(String, String)]) -> &Exchange {
        let method = draft.method.trim().to_ascii_uppercase();
        let exchange = match self.render(draft, headers) {
            Ok(rendered) => {
                let before = self.before(&rendered.request);
                let response = self.server.handle(&rendered.request);
                if let Some(changes) = self.server.take_changes() {
                    self.journal.push(changes.to_json());
                }
                Exchange {
                    request_line: format!("{method} {}", rendered.request.path),
                    sent: Some(rendered.request),
                    notes: rendered.notes,
                    hint: None,
                    before,
                    response,
                }
            }
            Err(e) => {
                let hint = (e.status == 404).then(|| {
                    "This lane has no such user now: an earlier request may have renamed or deleted it. \
                     Reset the lane (or load a template) to get the seed users back."
                        .to_string()
                });
                Exchange {
                    request_line: format!("{method} {}", draft.path.trim()),
                    sent: None,
                    notes: Vec::new(),
                    hint,
                    before: None,
                    response: e.to_response(),
                }
            }
        };
        self.last.insert(exchange)
    }

    /// The resource a PUT, PATCH or DELETE is about to change, as a GET returns it (a GET
    /// changes nothing, not even the clock).
    fn before(&mut self, req: &Request) -> Option<Value> {
        if !matches!(req.method.as_str(), "PUT" | "PATCH" | "DELETE") {
            return None;
        }
        let path = req.path.split_once('?').map_or(req.path.as_str(), |(p, _)| p);
        let mut get = Request::new("GET", path);
        get.headers = req.headers.iter().filter(|(n, _)| !n.eq_ignore_ascii_case("content-type")).cloned().collect();
        let resp = self.server.handle(&get);
        (resp.status == 200).then(|| resp.json())
    }

    /// The request to export for this lane: what [`Lane::render`] sends, plus the profile's
    /// `Authorization` header when the draft (in raw mode) has none, so the export runs
    /// against a service that enforces it.
    pub fn export_request(&self, draft: &Draft) -> Result<Request, String> {
        let headers = draft.parse_headers()?;
        let mut req = self.render(draft, &headers).map_err(|e| e.detail)?.request;
        if let Some((name, value)) = self.server.auth_header() {
            if req.header_value(&name).is_none() {
                req.headers.push((name, value));
            }
        }
        if draft.raw && !self.profile().serves(&req.path) {
            req.path = format!("{}{}", self.server.base_path().trim_end_matches('/'), req.path);
        }
        Ok(req)
    }

    /// The User attribute names this lane's schemas define (core and extensions, with
    /// sub-attributes as `name.givenName`), from its own `/Schemas` (RFC 7643 §7), for the
    /// editor's completion.
    pub fn attribute_names(&self) -> Vec<String> {
        let path = format!("{}/Schemas", self.server.base_path().trim_end_matches('/'));
        let Some(resp) = self.server.handle_read(&Request::new("GET", &path)) else { return Vec::new() };
        let doc = resp.json();
        let list = doc.get("Resources").or_else(|| doc.get("resources")).and_then(Value::as_array);
        let mut names: Vec<String> = Vec::new();
        for schema in list.into_iter().flatten() {
            for attr in schema.get("attributes").and_then(Value::as_array).into_iter().flatten() {
                let Some(name) = attr.get("name").and_then(Value::as_str) else { continue };
                if !names.iter().any(|n| n == name) {
                    names.push(name.to_string());
                }
            }
        }
        names.push("schemas".into());
        names
    }

    /// The id of the user with this userName in this lane.
    pub fn id_of(&self, user_name: &str) -> Option<String> {
        self.server.resolve_placeholders(&format!("{{userName:{user_name}}}")).ok()
    }

    /// The resource at `path` as a PUT body: GET it, drop the server-owned `meta`
    /// (the "GET, edit, PUT" pattern Ping's docs recommend).
    pub fn current_as_body(&mut self, path: &str) -> Result<String, String> {
        let resolved = self.resolve_path(path.trim())?;
        let resp = self.server.handle(&Request::new("GET", &resolved));
        if resp.status != 200 {
            let detail = resp.json().get("detail").and_then(Value::as_str).unwrap_or_default().to_string();
            return Err(format!("GET {resolved} answered {}: {detail}", resp.status_text()));
        }
        let mut v = resp.json();
        if let Some(obj) = v.as_object_mut() {
            obj.remove("meta");
        }
        serde_json::to_string_pretty(&v).map_err(|e| e.to_string())
    }
}

fn summary(r: &serde_json::Map<String, Value>) -> UserSummary {
    UserSummary {
        id: r.get("id").and_then(Value::as_str).unwrap_or_default().to_string(),
        user_name: r.get("userName").and_then(Value::as_str).unwrap_or_default().to_string(),
        resource: Value::Object(r.clone()),
    }
}

/// A server holding the documented users, or `None` when the profile cannot run.
fn seeded(profile: Profile) -> Option<Server> {
    let mut server = Server::new(profile).ok()?;
    if server.load_seed(Seed::Documented).is_err() {
        // The profile's own seed does not load: start empty rather than not at all.
        server.reset();
    }
    Some(server)
}

#[cold]
fn unreachable_rfc() -> Server {
    // The embedded RFC profile compiles (scim-core tests it); nothing else can be done here.
    #[allow(clippy::panic)]
    {
        panic!("the built-in RFC profile does not compile")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::catalog;
    use serde_json::json;

    #[test]
    fn every_catalog_profile_gets_every_documented_user() {
        let names = ["bjensen", "a.smithn@veepharm.com", "pconley"];
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
        let snap = lane.snapshot();
        let mut again = Lane::restore("rfc", &snap).unwrap();
        let body = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "new"});
        let d = Draft {
            method: "POST".into(),
            path: "/Users".into(),
            headers: String::new(),
            body: body.to_string(),
            raw: false,
        };
        let first = lane.send(&d, &[]).response.clone();
        let second = again.send(&d, &[]).response.clone();
        assert_eq!(first.json()["id"], "00000000-0000-4000-8000-000000000004", "after the three documented users");
        assert_eq!(first.body, second.body, "same id, same timestamps");
        assert_eq!(lane.snapshot(), again.snapshot());
        assert!(Lane::restore("no-such-profile", &snap).is_none());
    }

    #[test]
    fn attribute_names_come_from_the_lanes_own_schemas() {
        let rfc = Lane::new("rfc").attribute_names();
        assert!(
            ["userName", "title", "emails", "employeeNumber", "schemas"].iter().all(|n| rfc.iter().any(|r| r == n)),
            "{rfc:?}"
        );
        let ping = Lane::new("ping").attribute_names();
        assert!(ping.iter().any(|n| n == "birthDate") && !ping.iter().any(|n| n == "employeeNumber"), "{ping:?}");
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
