//! What a server starts with: the profile's own seed (the users its vendor documents), the
//! documented users of every built-in profile (so one request names the same user in every
//! profile), and the demo set (RFC 7643 §8.2's Babs Jensen, colleagues and a group).
//!
//! Users written for another profile are fitted to this one ([`Server::fit`]) and created
//! through the server's own POST (RFC 7644 §3.3), so they obey the profile exactly like data
//! a client sends. Seeding reads no credential and moves no clock.

use std::sync::OnceLock;

use serde_json::{Map, Value, json};

use crate::http::Request;
use crate::profile::types::{Profile, ProfileError};
use crate::schema::{GROUP_SCHEMA, USER_SCHEMA};
use crate::store::Store;

use super::Server;

/// Which data [`Server::load_seed`] starts from. Each includes the one before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seed {
    /// The profile's own seed ([`Profile::seed`]): Veeva's user 93521, Ping's 76b4c133-….
    Profile,
    /// Plus every built-in profile's documented users, fitted to this profile: the users
    /// playground lanes share.
    Documented,
    /// Plus RFC 7643 §8.2's colleagues (jsmith, mchen, akumar) and a group "Tour Guides" of
    /// two of them where the profile has groups: the native server's `--seed demo`.
    Demo,
}

/// How a seed went: resources created, and one line for each that the profile refused
/// (a custom profile may lack `title`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeedReport {
    pub created: usize,
    pub refused: Vec<String>,
}

impl Server {
    /// Empties the store and loads the profile's seed resources; returns how many. On error
    /// the store is left as it was.
    pub fn seed(&mut self) -> Result<usize, ProfileError> {
        let n = self.seed_store()?;
        self.time.end_request(n > 0);
        Ok(n)
    }

    fn seed_store(&mut self) -> Result<usize, ProfileError> {
        let mut store = Store::new(&self.registry);
        let now = self.time.now();
        let mut ids = self.ids.clone();
        let n = crate::seed::apply(&self.profile, &self.registry, &mut store, &mut ids, now)?;
        self.store = store;
        self.ids = ids;
        Ok(n)
    }

    /// Empties the store and loads `seed`. Fails only when the profile's own seed does (then
    /// the store is left as it was); users the profile refuses are reported, not fatal. A
    /// user whose unique values (`userName`) are already taken is skipped.
    pub fn load_seed(&mut self, seed: Seed) -> Result<SeedReport, ProfileError> {
        let mut report = SeedReport { created: self.seed_store()?, refused: vec![] };
        self.seed_extras(seed, &mut report);
        // Seeded resources all carry one instant; the first request after them the next.
        self.time.end_request(report.created > 0);
        Ok(report)
    }

    fn seed_extras(&mut self, seed: Seed, report: &mut SeedReport) {
        if seed == Seed::Profile {
            return;
        }
        let Some(users) = self.kind_at("Users").map(|k| k.def.endpoint.clone()) else {
            return;
        };
        for user in documented_users() {
            self.import(&users, user, report);
        }
        if seed == Seed::Demo {
            let mut ids = Vec::new();
            for user in demo_users() {
                ids.extend(self.import(&users, &user, report));
            }
            let groups = self.registry.kinds.iter().find(|k| k.core.id == GROUP_SCHEMA).map(|k| k.def.endpoint.clone());
            if let (Some(groups), [first, second, ..]) = (groups, ids.as_slice()) {
                let group = json!({
                    "schemas": [GROUP_SCHEMA],
                    "displayName": "Tour Guides",
                    "members": [{ "value": first }, { "value": second }]
                });
                if let Value::Object(group) = group {
                    self.import(&groups, &group, report);
                }
            }
        }
    }

    /// Fits `resource` to the type at `endpoint` and POSTs it; when refused, tries again
    /// with only its required attributes and `name`, then with what the type requires beyond
    /// the RFC filled in (`quirks::fill_required`). Returns the new id, or `None` when
    /// skipped (unique value taken) or refused (reported).
    fn import(&mut self, endpoint: &str, resource: &Map<String, Value>, report: &mut SeedReport) -> Option<String> {
        let kind = self.kind_at(endpoint)?;
        let fitted = crate::fit::fit(kind, resource);
        if self.store.unique_conflict(&kind.def.name, &fitted, None).is_some() {
            return None;
        }
        let minimal = crate::fit::minimal(kind, &fitted);
        // A type that requires more than the RFC (`requiredAttributes`) gets it filled in.
        let mut filled = minimal.clone();
        crate::quirks::fill_required(kind, &mut filled);
        let mut last = None;
        for body in [fitted, minimal, filled] {
            let resp = self.serve(&Request::new("POST", endpoint).json(&Value::Object(body)));
            if resp.status == 201 {
                report.created += 1;
                return resp.json().get("id").and_then(Value::as_str).map(str::to_string);
            }
            last = Some(resp);
        }
        if let Some(resp) = last {
            let detail = resp.json().get("detail").and_then(Value::as_str).unwrap_or_default().to_string();
            report.refused.push(format!("POST {endpoint}: {} {detail}", resp.status));
        }
        None
    }
}

/// Every built-in profile's documented users, one per `userName`, in the built-ins' order:
/// RFC 7643 §8.2's Barbara Jensen, Veeva's user 93521, the user Ping's PUT example updates.
/// A new built-in's users appear here unchanged.
pub(crate) fn documented_users() -> &'static [Map<String, Value>] {
    static USERS: OnceLock<Vec<Map<String, Value>>> = OnceLock::new();
    USERS.get_or_init(|| {
        let mut out: Vec<Map<String, Value>> = Vec::new();
        let profiles = crate::profile::load::builtin_sources().into_iter().filter_map(|(n, _)| Profile::builtin(n));
        for user in profiles.filter_map(|p| p.seed.get("User").cloned()).flatten() {
            let name = user.get("userName");
            if name.is_some() && !out.iter().any(|u| u.get("userName") == name) {
                out.push(user);
            }
        }
        out
    })
}

/// RFC 7643 §8.2's Babs Jensen's colleagues, in the core User schema (fitted on import).
fn demo_users() -> Vec<Map<String, Value>> {
    let user = |user_name: &str, given: &str, family: &str, title: &str| {
        let mut m = Map::new();
        m.insert("schemas".into(), json!([USER_SCHEMA]));
        m.insert("userName".into(), json!(user_name));
        m.insert(
            "name".into(),
            json!({ "givenName": given, "familyName": family, "formatted": format!("{given} {family}") }),
        );
        m.insert("displayName".into(), json!(format!("{given} {family}")));
        m.insert("title".into(), json!(title));
        m.insert("active".into(), json!(true));
        m.insert(
            "emails".into(),
            json!([{ "value": format!("{user_name}@example.com"), "type": "work", "primary": true }]),
        );
        m
    };
    vec![
        user("bjensen", "Barbara", "Jensen", "Tour Guide"),
        user("jsmith", "John", "Smith", "Engineer"),
        user("mchen", "Mei", "Chen", "Product Manager"),
        user("akumar", "Arjun", "Kumar", "Support Lead"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(s: &Server) -> Vec<String> {
        s.resources("/Users").iter().filter_map(|u| u.get("userName")?.as_str().map(str::to_string)).collect()
    }

    #[test]
    fn every_builtin_takes_every_documented_user() {
        let documented: Vec<&str> = documented_users().iter().filter_map(|u| u.get("userName")?.as_str()).collect();
        assert_eq!(documented, ["bjensen", "a.smithn@veepharm.com", "pconley"]);
        for (name, _) in crate::profile::load::builtin_sources() {
            let mut s = Server::new(Profile::builtin(name).unwrap()).unwrap();
            let report = s.load_seed(Seed::Documented).unwrap();
            assert!(report.refused.is_empty(), "{name}: {report:?}");
            for user in &documented {
                assert!(names(&s).iter().any(|n| n == user), "{name}: {user} missing from {:?}", names(&s));
            }
        }
    }

    #[test]
    fn vendor_profiles_keep_their_documented_ids_first() {
        let mut veeva = Server::new(Profile::builtin("veeva").unwrap()).unwrap();
        veeva.load_seed(Seed::Documented).unwrap();
        let first = veeva.resources("/Users")[0];
        assert_eq!((first["id"].as_str(), first["userName"].as_str()), (Some("93521"), Some("a.smithn@veepharm.com")));
        let mut rfc = Server::new(Profile::rfc()).unwrap();
        rfc.load_seed(Seed::Documented).unwrap();
        let smith = rfc.resources("/Users").into_iter().find(|u| u["userName"] == "a.smithn@veepharm.com").unwrap();
        assert_eq!(smith["locale"], "en_US");
        assert!(!smith.keys().any(|k| k.contains("veevavault")));
    }

    #[test]
    fn demo_adds_colleagues_and_a_group() {
        let mut s = Server::new(Profile::rfc()).unwrap();
        let report = s.load_seed(Seed::Demo).unwrap();
        assert!(report.refused.is_empty(), "{report:?}");
        assert_eq!(names(&s), ["bjensen", "a.smithn@veepharm.com", "pconley", "jsmith", "mchen", "akumar"]);
        let groups = s.resources("/Groups");
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0]["members"].as_array().map(Vec::len), Some(2));
        assert_eq!(report.created, 7);
        // Ping has no Group type and its own User schema: the colleagues are fitted to it.
        let mut ping = Server::new(Profile::builtin("ping").unwrap()).unwrap();
        assert!(ping.load_seed(Seed::Demo).unwrap().refused.is_empty());
        assert!(names(&ping).iter().any(|n| n == "jsmith"));
    }

    #[test]
    fn seeding_needs_no_credential_and_moves_no_clock() {
        let p = Profile::derive(&Profile::rfc(), &json!({"auth": {"kind": "bearer", "token": "s3cret"}})).unwrap();
        let mut s = Server::new(p).unwrap();
        assert!(s.load_seed(Seed::Demo).unwrap().created > 0);
        let times: Vec<&str> = s.resources("/Users").iter().filter_map(|u| u["meta"]["created"].as_str()).collect();
        assert!(times.iter().all(|t| *t == "2026-01-01T00:00:00.000Z"), "{times:?}");
        assert_eq!(s.handle(&Request::new("GET", "/Users")).status, 401);
    }
}
