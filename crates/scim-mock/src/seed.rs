//! `--seed`: resources created at start-up, through the core's own `POST` (RFC 7644 §3.3), so
//! seeded data obeys the profile exactly like data a client sends.

use std::path::Path;

use anyhow::{Context, Result, bail};
use scim_core::{Env, Request, Server};
use serde_json::{Value, json};

/// What to create at start-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seed {
    None,
    /// A few users from RFC 7643's examples (bjensen & co.) and one group of two of them.
    Demo,
    /// A JSON object mapping endpoints to resources: `{"Users": [{...}], "Groups": [...]}`.
    File(std::path::PathBuf),
}

impl std::str::FromStr for Seed {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "none" => Seed::None,
            "demo" => Seed::Demo,
            file => Seed::File(file.into()),
        })
    }
}

const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";

/// The demo users: RFC 7643 §8.2's Babs Jensen and a few colleagues.
pub fn demo_users() -> Vec<Value> {
    let user = |user_name: &str, given: &str, family: &str, title: &str| {
        json!({
            "schemas": [USER],
            "userName": user_name,
            "name": { "givenName": given, "familyName": family, "formatted": format!("{given} {family}") },
            "displayName": format!("{given} {family}"),
            "title": title,
            "active": true,
            "emails": [{ "value": format!("{user_name}@example.com"), "type": "work", "primary": true }]
        })
    };
    vec![
        user("bjensen", "Barbara", "Jensen", "Tour Guide"),
        user("jsmith", "John", "Smith", "Engineer"),
        user("mchen", "Mei", "Chen", "Product Manager"),
        user("akumar", "Arjun", "Kumar", "Support Lead"),
    ]
}

/// Runs the seed; returns one line per resource that could not be created. Demo data that the
/// profile refuses is reported, not fatal (a custom profile may lack `title`); a seed file
/// that cannot be read is fatal.
pub fn apply<E: Env>(server: &mut Server<E>, seed: &Seed) -> Result<SeedReport> {
    let mut profile_seeded = 0;
    let batches: Vec<(String, Vec<Value>)> = match seed {
        Seed::None => vec![],
        Seed::Demo => {
            // The profile's own seed first (Veeva's user 93521, Ping's 76b4c133-…), so the
            // vendor pages' requests work as printed; then the demo users it lacks.
            profile_seeded = server.seed().map_err(|e| anyhow::anyhow!("the profile's seed: {e}"))?;
            // Demo users are written in the RFC core User schema; profiles with their own
            // (Ping's) get only their own seed.
            match server.profile().resource_types.iter().find(|t| t.schema == USER) {
                Some(t) => vec![(t.endpoint.clone(), demo_users())],
                None => vec![],
            }
        }
        Seed::File(path) => read_file(path)?,
    };
    let mut report = SeedReport::default();
    report.created += profile_seeded;
    let mut ids: Vec<String> = Vec::new();
    for (endpoint, resources) in batches {
        for r in resources {
            let user_name = r.get("userName").and_then(Value::as_str).unwrap_or_default();
            let kind = server.registry().kind_by_endpoint(endpoint.trim_start_matches('/')).map(|k| k.def.name.clone());
            if kind.is_some_and(|k| {
                !user_name.is_empty() && server.store().find_unique(&k, "userName", user_name).is_some()
            }) {
                continue;
            }
            if let Some(id) = post(server, &endpoint, &r, &mut report) {
                ids.push(id);
            }
        }
    }
    if *seed == Seed::Demo {
        // A group with the first two demo users, where the profile has groups (RFC 7643 §4.2).
        let group_endpoint =
            server.profile().resource_types.iter().find(|t| t.schema == GROUP).map(|t| t.endpoint.clone());
        if let (Some(endpoint), [first, second, ..]) = (group_endpoint, ids.as_slice()) {
            let group = json!({
                "schemas": [GROUP],
                "displayName": "Tour Guides",
                "members": [{ "value": first }, { "value": second }]
            });
            post(server, &endpoint, &group, &mut report);
        }
    }
    Ok(report)
}

/// POSTs one resource; returns its id, or records why it failed.
fn post<E: Env>(server: &mut Server<E>, endpoint: &str, resource: &Value, report: &mut SeedReport) -> Option<String> {
    let path = format!("/{}", endpoint.trim_start_matches('/'));
    let resp = server.handle(&Request::new("POST", &path).json(resource));
    let body = resp.json();
    if resp.status == 201 {
        report.created += 1;
        body.get("id").and_then(Value::as_str).map(str::to_string)
    } else {
        let detail = body.get("detail").and_then(Value::as_str).unwrap_or_default();
        report.failed.push(format!("POST {path}: {} {detail}", resp.status));
        None
    }
}

/// How a seed went.
#[derive(Debug, Default)]
pub struct SeedReport {
    pub created: usize,
    pub failed: Vec<String>,
}

fn read_file(path: &Path) -> Result<Vec<(String, Vec<Value>)>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading --seed {}", path.display()))?;
    let value: Value =
        serde_json::from_str(&text).with_context(|| format!("--seed {}: invalid JSON", path.display()))?;
    let Value::Object(map) = value else {
        bail!("--seed {}: expected an object such as {{\"Users\": [ ... ]}}", path.display());
    };
    map.into_iter()
        .map(|(endpoint, list)| match list {
            Value::Array(items) => Ok((endpoint, items)),
            _ => bail!("--seed {}: {endpoint:?} must be an array of resources", path.display()),
        })
        .collect()
}
