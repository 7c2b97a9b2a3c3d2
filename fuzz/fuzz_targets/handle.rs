//! `Server::handle`, structure-aware: a few SCIM requests (methods, endpoints, ids of
//! stored resources, query parameters, bodies built from SCIM names) against a seeded
//! server of a built-in profile. Checks beside "no panic": a failed request leaves the
//! snapshot byte-identical, and every response body is JSON or empty.
#![no_main]

#[path = "common.rs"]
mod common;

use std::sync::OnceLock;

use arbitrary::Arbitrary;
use common::{Json, Name, URNS};
use libfuzzer_sys::fuzz_target;
use scim_core::{Profile, Request, Server};
use serde_json::{Value, json};

#[derive(Debug, Arbitrary)]
enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
    Raw(String),
}

#[derive(Debug, Arbitrary)]
enum Target {
    Users,
    User(u8),
    Groups,
    Group(u8),
    UsersSearch,
    RootSearch,
    ServiceProviderConfig,
    Schemas,
    ResourceTypes,
    Raw(String),
}

#[derive(Debug, Arbitrary)]
enum Body {
    None,
    Raw(Vec<u8>),
    Json(Json),
    User { user_name: Option<Name>, extra: Json, urn: u8 },
    Patch(Vec<(u8, Option<Name>, Json)>),
    Search { filter: Option<String>, sort_by: Option<Name>, start: Option<i64>, count: Option<i64> },
}

#[derive(Debug, Arbitrary)]
struct Step {
    method: Method,
    target: Target,
    query: Vec<(u8, String)>,
    headers: Vec<(u8, String)>,
    body: Body,
}

#[derive(Debug, Arbitrary)]
struct Input {
    profile: u8,
    steps: Vec<Step>,
}

const PARAMS: &[&str] = &["filter", "attributes", "excludedAttributes", "sortBy", "sortOrder", "startIndex", "count"];
const HEADERS: &[&str] = &["Accept", "Content-Type", "If-Match", "If-None-Match", "Authorization", "Host"];

fn servers() -> &'static [Server] {
    static S: OnceLock<Vec<Server>> = OnceLock::new();
    S.get_or_init(|| {
        Profile::builtins()
            .into_iter()
            .filter_map(|p| Profile::builtin(&p.name))
            .filter_map(|p| Server::with_seed(p).ok())
            .collect()
    })
}

fn ids(server: &Server, endpoint: &str) -> Vec<String> {
    server.resources(endpoint).iter().filter_map(|r| r.get("id")?.as_str().map(str::to_string)).collect()
}

fn pick(ids: &[String], i: u8) -> String {
    ids.get(usize::from(i) % ids.len().max(1)).cloned().unwrap_or_else(|| "missing".into())
}

fn request(server: &Server, step: &Step) -> Request {
    let method = match &step.method {
        Method::Get => "GET".to_string(),
        Method::Post => "POST".to_string(),
        Method::Put => "PUT".to_string(),
        Method::Patch => "PATCH".to_string(),
        Method::Delete => "DELETE".to_string(),
        Method::Raw(s) => s.clone(),
    };
    let mut path = match &step.target {
        Target::Users => "/Users".to_string(),
        Target::User(i) => format!("/Users/{}", pick(&ids(server, "/Users"), *i)),
        Target::Groups => "/Groups".to_string(),
        Target::Group(i) => format!("/Groups/{}", pick(&ids(server, "/Groups"), *i)),
        Target::UsersSearch => "/Users/.search".to_string(),
        Target::RootSearch => "/.search".to_string(),
        Target::ServiceProviderConfig => "/ServiceProviderConfig".to_string(),
        Target::Schemas => "/Schemas".to_string(),
        Target::ResourceTypes => "/ResourceTypes".to_string(),
        Target::Raw(s) => s.clone(),
    };
    for (n, (k, v)) in step.query.iter().take(4).enumerate() {
        path.push(if n == 0 { '?' } else { '&' });
        path.push_str(PARAMS[usize::from(*k) % PARAMS.len()]);
        path.push('=');
        path.push_str(v);
    }
    let mut req = Request::new(&method, &path);
    for (k, v) in step.headers.iter().take(4) {
        req = req.header(HEADERS[usize::from(*k) % HEADERS.len()], v);
    }
    match &step.body {
        Body::None => req,
        Body::Raw(b) => {
            req.body = b.clone();
            req
        }
        Body::Json(Json(v)) => req.json(v),
        Body::User { user_name, extra: Json(extra), urn } => {
            let mut body = match extra {
                Value::Object(m) => m.clone(),
                _ => serde_json::Map::new(),
            };
            body.insert("schemas".into(), json!([URNS[usize::from(*urn) % URNS.len()]]));
            if let Some(n) = user_name {
                body.insert("userName".into(), Value::String(n.text()));
            }
            req.json(&Value::Object(body))
        }
        Body::Patch(ops) => {
            let ops: Vec<Value> = ops
                .iter()
                .take(4)
                .map(|(op, path, Json(value))| {
                    let mut o = serde_json::Map::new();
                    o.insert("op".into(), json!(["add", "remove", "replace", "Replace", "move"][usize::from(*op) % 5]));
                    if let Some(p) = path {
                        o.insert("path".into(), Value::String(p.text()));
                    }
                    o.insert("value".into(), value.clone());
                    Value::Object(o)
                })
                .collect();
            req.json(&json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops}))
        }
        Body::Search { filter, sort_by, start, count } => {
            let mut o = serde_json::Map::new();
            o.insert("schemas".into(), json!(["urn:ietf:params:scim:api:messages:2.0:SearchRequest"]));
            if let Some(f) = filter {
                o.insert("filter".into(), json!(f));
            }
            if let Some(s) = sort_by {
                o.insert("sortBy".into(), json!(s.text()));
            }
            if let Some(s) = start {
                o.insert("startIndex".into(), json!(s));
            }
            if let Some(c) = count {
                o.insert("count".into(), json!(c));
            }
            req.json(&Value::Object(o))
        }
    }
}

fuzz_target!(|input: Input| {
    let all = servers();
    let Some(base) = all.get(usize::from(input.profile) % all.len().max(1)) else { return };
    let mut server = base.clone();
    for step in input.steps.iter().take(6) {
        let req = request(&server, step);
        let before = server.snapshot();
        let resp = server.handle(&req);
        assert!((200..600).contains(&resp.status), "status {}", resp.status);
        if !resp.body.is_empty() {
            assert!(serde_json::from_str::<Value>(&resp.body).is_ok(), "body is not JSON: {}", resp.body);
        }
        if resp.status >= 400 {
            assert!(!resp.changed, "a failed request says it changed the store");
            assert_eq!(server.snapshot(), before, "a failed request changed the store: {req:?} -> {}", resp.body);
        }
    }
});
