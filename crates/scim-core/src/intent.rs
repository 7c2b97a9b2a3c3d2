//! Intents: one request as a person means it ("replace bjensen with these attributes"),
//! rendered in the dialect of the server that receives it, so that servers can be compared
//! on what they *do*, not on how they spell things.
//!
//! A dialect is what a service's documentation fixes and behaviour does not decide: the base
//! path (Veeva's `/api/v23.1/scim/v2`), the core schema URN of a resource type (Ping's
//! `urn:pingidentity:schemas:User:1.0`), the extensions it declares, its id style (a user's id
//! differs per server, so a target is named by a unique attribute, `{userName:bjensen}`), and
//! its authentication header. [`Server::render`] rewrites exactly these and says what it
//! rewrote; everything the behaviour knobs decide (omitted, unknown, `null`, `[]`, readOnly
//! values) is passed on untouched, so a PUT body that leaves `title` out still leaves it out.
//!
//! Rules, in order:
//! - the path: `{attribute:value}` placeholders become this server's id
//!   ([`Server::resolve_placeholders`]); a path without the base path gets it, with the
//!   profile's defaults for `{param}` segments;
//! - the body of a POST or PUT to a resource endpoint: `schemas` lists this type's core URN and
//!   the extensions the body uses; an extension object this type declares keeps its place (in
//!   the schema's spelling), one it does not declare moves to an extension that defines all its
//!   attributes, else it is left out (and said so: no schema here could hold it); a body `id`
//!   becomes the id the path names (ids are the server's, RFC 7643 §3.1);
//! - any JSON body: a string value that is exactly a placeholder becomes that resource's id
//!   (a Group's `members[].value`);
//! - headers: the profile's `Authorization` scheme is added when the request has none, with
//!   [`AUTH_PLACEHOLDER`] standing for the credential.

use serde_json::{Map, Value};

use crate::error::ScimError;
use crate::http::Request;
use crate::profile::registry::ResourceKind;
use crate::profile::types::{Auth, Profile, base_path_prefix};
use crate::server::Server;

impl Server {
    /// The request this server receives for `intent` (a path relative to the base path or
    /// under it, `{attribute:value}` placeholders, a body in any profile's dialect): see the
    /// module docs for what is rewritten. Only a placeholder that names nothing fails (404,
    /// as [`Server::resolve_placeholders`]); a body that is not JSON is passed on as written,
    /// for the server to answer.
    pub fn render(&self, intent: &Request) -> Result<Rendered, ScimError> {
        let profile = self.profile();
        let mut notes = Vec::new();
        let resolved = self.resolve_placeholders(intent.path.trim())?;
        let path = if profile.serves(&resolved) {
            resolved
        } else {
            let base = base_path(profile);
            let sep = if resolved.starts_with('/') || resolved.starts_with('?') { "" } else { "/" };
            format!("{}{sep}{resolved}", base.trim_end_matches('/'))
        };
        let bare = path.split_once('?').map_or(path.as_str(), |(p, _)| p);
        let skip = base_path_prefix(&profile.base_path, bare).unwrap_or_default();
        let segments: Vec<&str> = bare.split('/').filter(|s| !s.is_empty()).skip(skip).collect();
        let kind = segments.first().and_then(|e| self.kind_at(e));
        let target_id = match segments.as_slice() {
            [_, id] => Some(*id),
            _ => None,
        };
        let mut request =
            Request { method: intent.method.trim().to_ascii_uppercase(), path: path.clone(), ..Request::default() };
        request.headers = intent.headers.clone();
        if let Some((name, value)) = auth_header(profile) {
            if request.header_value(&name).is_none() {
                notes.push(format!("{name}: the profile's scheme, {value} standing for the credential."));
                request.headers.push((name, value));
            }
        }
        request.body = intent.body.clone();
        if let Ok(original) = serde_json::from_slice::<Value>(&intent.body) {
            let mut body = original.clone();
            resolve_values(&mut body, &|p| self.resolve_placeholders(p))?;
            let is_write = matches!(request.method.as_str(), "POST" | "PUT");
            if let (Value::Object(obj), Some(kind), true) = (&body, kind, is_write) {
                if !is_message(obj) {
                    body = Value::Object(render_resource(kind, obj, target_id, &mut notes));
                }
            }
            if body != original {
                request.body = serde_json::to_string_pretty(&body).unwrap_or_default().into_bytes();
            }
        }
        Ok(Rendered { request, notes })
    }

    /// Where this server's endpoints live, with `{param}` segments filled from the profile's
    /// defaults (`/api/v23.1/scim/v2`).
    pub fn base_path(&self) -> String {
        base_path(self.profile())
    }

    /// The header a client of this profile authenticates with (`Authorization: Bearer …`,
    /// Veeva's bare session id), the credential being the configured one or
    /// [`AUTH_PLACEHOLDER`]; `None` when the profile names no scheme.
    pub fn auth_header(&self) -> Option<(String, String)> {
        auth_header(self.profile())
    }
}

/// What stands for the credential in a rendered `Authorization` header when the profile
/// documents a scheme but configures no credential.
pub const AUTH_PLACEHOLDER: &str = "YOUR_TOKEN";

/// A request rendered for one server: what it is sent, and what was rewritten to get there.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Rendered {
    /// The exact request (full path with the base path, headers, body bytes).
    pub request: Request,
    /// One sentence per rewrite (`schemas: the core User schema is urn:pingidentity:…`).
    pub notes: Vec<String>,
}

/// The profile's base path with its `{param}` segments filled from `basePathDefaults`
/// (`/api/v23.1/scim/v2` for Veeva; a missing default keeps the `{param}` text).
pub(crate) fn base_path(profile: &Profile) -> String {
    profile
        .base_path
        .split('/')
        .map(|seg| match seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(param) => profile.base_path_defaults.get(param).cloned().unwrap_or_else(|| seg.to_string()),
            None => seg.to_string(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The header a client of this profile authenticates with, with the configured credential
/// or [`AUTH_PLACEHOLDER`]; `None` when the profile names no scheme.
pub(crate) fn auth_header(profile: &Profile) -> Option<(String, String)> {
    match &profile.auth {
        Auth::None => None,
        Auth::Bearer { token } => {
            Some(("Authorization".into(), format!("Bearer {}", token.as_deref().unwrap_or(AUTH_PLACEHOLDER))))
        }
        Auth::RawHeader { header, secret, .. } => {
            Some((header.clone(), secret.clone().unwrap_or_else(|| AUTH_PLACEHOLDER.into())))
        }
    }
}

/// Whether the body is a SCIM message (PatchOp, SearchRequest, …) rather than a resource.
fn is_message(body: &Map<String, Value>) -> bool {
    body.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("schemas")
            && v.as_array().is_some_and(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .any(|s| s.to_ascii_lowercase().starts_with("urn:ietf:params:scim:api:"))
            })
    })
}

/// Rewrites a resource body for `kind`; see the module docs. `id` is the id the path names.
pub(crate) fn render_resource(
    kind: &ResourceKind,
    body: &Map<String, Value>,
    id: Option<&str>,
    notes: &mut Vec<String>,
) -> Map<String, Value> {
    let mut out = Map::new();
    let mut used: Vec<String> = Vec::new();
    let mut sent_schemas: Vec<String> = Vec::new();
    for (key, value) in body {
        if key.eq_ignore_ascii_case("schemas") {
            sent_schemas =
                value.as_array().into_iter().flatten().filter_map(Value::as_str).map(str::to_string).collect();
            continue;
        }
        if key.eq_ignore_ascii_case("id") {
            if let Some(id) = id {
                if value.as_str() != Some(id) {
                    notes.push(format!("id: {value} → \"{id}\", the id this server gave the target."));
                }
                out.insert(key.clone(), Value::String(id.to_string()));
                continue;
            }
        }
        let is_urn = key.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("urn:"));
        match (is_urn, value) {
            (true, Value::Object(inner)) if kind.core.attribute(key).is_none() => {
                if let Some((schema, _)) = kind.extension(key) {
                    used.push(schema.id.clone());
                    merge_into(&mut out, &schema.id, inner);
                } else if let Some((schema, _)) = kind
                    .extensions
                    .iter()
                    .find(|(s, _)| !inner.is_empty() && inner.keys().all(|k| s.attribute(k).is_some()))
                {
                    notes.push(format!("{key} → {}: this server's extension for the same attributes.", schema.id));
                    used.push(schema.id.clone());
                    merge_into(&mut out, &schema.id, inner);
                } else {
                    let attrs: Vec<&str> = inner.keys().map(String::as_str).collect();
                    notes.push(format!(
                        "Left out {key} ({}): no schema of this server holds it.",
                        if attrs.is_empty() { "empty".to_string() } else { attrs.join(", ") }
                    ));
                }
            }
            _ => {
                out.insert(key.clone(), value.clone());
            }
        }
    }
    let mut schemas = vec![kind.core.id.clone()];
    for urn in used {
        if !schemas.iter().any(|s| s.eq_ignore_ascii_case(&urn)) {
            schemas.push(urn);
        }
    }
    let same = sent_schemas.len() == schemas.len()
        && sent_schemas.iter().all(|s| schemas.iter().any(|t| t.eq_ignore_ascii_case(s)));
    if !same {
        notes.push(format!("schemas: {}.", schemas.join(", ")));
    }
    let mut first = Map::new();
    first.insert("schemas".into(), Value::Array(schemas.into_iter().map(Value::String).collect()));
    first.extend(out);
    first
}

fn merge_into(out: &mut Map<String, Value>, urn: &str, inner: &Map<String, Value>) {
    match out.get_mut(urn) {
        Some(Value::Object(existing)) => existing.extend(inner.iter().map(|(k, v)| (k.clone(), v.clone()))),
        _ => {
            out.insert(urn.to_string(), Value::Object(inner.clone()));
        }
    }
}

/// Replaces every string value that is exactly one placeholder (`"{userName:bjensen}"`)
/// with what `resolve` makes of it.
pub(crate) fn resolve_values(
    value: &mut Value,
    resolve: &dyn Fn(&str) -> Result<String, ScimError>,
) -> Result<(), ScimError> {
    match value {
        Value::String(s) if is_placeholder(s) => {
            *s = resolve(s)?;
        }
        Value::Array(items) => {
            for v in items {
                resolve_values(v, resolve)?;
            }
        }
        Value::Object(m) => {
            for v in m.values_mut() {
                resolve_values(v, resolve)?;
            }
        }
        _ => {}
    }
    Ok(())
}

fn is_placeholder(s: &str) -> bool {
    s.len() > 2
        && s.starts_with('{')
        && s.ends_with('}')
        && s.matches('{').count() == 1
        && s.matches('}').count() == 1
        && s.contains(':')
}

#[cfg(test)]
mod tests {
    use crate::{Profile, Request, Server, Unknown};
    use serde_json::{Value, json};

    fn seeded(name: &str) -> Server {
        let mut s = Server::new(Profile::builtin(name).unwrap()).unwrap();
        s.load_seed(crate::Seed::Documented).unwrap();
        s
    }

    fn put(path: &str, body: Value) -> Request {
        Request::new("PUT", path).json(&body)
    }

    #[test]
    fn a_ping_body_is_rendered_for_the_rfc_and_a_core_body_for_ping() {
        let ping_body = json!({
            "schemas": ["urn:pingidentity:schemas:User:1.0", "urn:pingidentity:schemas:sample:profile:1.0"],
            "userName": "pconley", "name": {"givenName": "Pat"},
            "urn:pingidentity:schemas:sample:profile:1.0": {"birthDate": "1948-07-13"}
        });
        let rfc = seeded("rfc");
        let r = rfc.render(&put("/Users/{userName:pconley}", ping_body.clone())).unwrap();
        let id = rfc.resolve_placeholders("/Users/{userName:pconley}").unwrap();
        assert_eq!(r.request.path, format!("/scim/v2{id}"));
        let body: Value = serde_json::from_slice(&r.request.body).unwrap();
        assert_eq!(
            body,
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "pconley", "name": {"givenName": "Pat"}})
        );
        assert!(
            r.notes.iter().any(|n| n.contains("Left out urn:pingidentity:schemas:sample:profile:1.0 (birthDate)")),
            "{:?}",
            r.notes
        );
        assert!(r.request.header_value("authorization").is_none(), "the RFC names no scheme");

        let mut ping = seeded("ping");
        let core =
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "bjensen", "title": null});
        let r = ping.render(&put("/Users/{userName:bjensen}", core)).unwrap();
        let body: Value = serde_json::from_slice(&r.request.body).unwrap();
        assert_eq!(body["schemas"], json!(["urn:pingidentity:schemas:User:1.0"]));
        assert_eq!(body["title"], Value::Null, "null is behaviour, passed on");
        assert_eq!(r.request.header_value("Authorization"), Some("Bearer YOUR_TOKEN"));
        assert_eq!(ping.handle(&r.request).status, 200);
    }

    #[test]
    fn veeva_gets_its_base_path_extension_and_session_header() {
        let mut veeva = seeded("veeva");
        let body = json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "id": "somebody-else", "userName": "bjensen", "nickName": "Babs", "favouriteColour": "teal",
            "urn:ietf:params:scim:schemas:extension:veevavault:2.0:User": {"securityProfile": {"value": "x"}}
        });
        let r = veeva.render(&put("/Users/{userName:bjensen}?attributes=userName", body)).unwrap();
        let id = veeva.resolve_placeholders("{userName:bjensen}").unwrap();
        assert_eq!(r.request.path, format!("/api/v23.1/scim/v2/Users/{id}?attributes=userName"));
        let sent: Value = serde_json::from_slice(&r.request.body).unwrap();
        assert_eq!(sent["id"], json!(id), "ids are the server's");
        assert_eq!(sent["favouriteColour"], "teal", "unknown attributes are behaviour, passed on");
        assert_eq!(
            sent["schemas"],
            json!([
                "urn:ietf:params:scim:schemas:core:2.0:User",
                "urn:ietf:params:scim:schemas:extension:veevavault:2.0:User"
            ])
        );
        assert_eq!(r.request.header_value("Authorization"), Some("YOUR_TOKEN"));
        assert_eq!(veeva.profile().behaviour.unknown_attributes, Unknown::Ignore);
        assert_eq!(veeva.handle(&r.request).status, 200);
    }

    #[test]
    fn messages_paths_and_placeholders_in_values() {
        let rfc = seeded("rfc");
        let patch = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "add", "path": "members", "value": [{"value": "{userName:bjensen}"}]}]});
        let mut req = Request::new("PATCH", "/scim/v2/Groups/g1").json(&patch);
        req.headers.push(("Authorization".into(), "Bearer mine".into()));
        let r = rfc.render(&req).unwrap();
        assert_eq!(r.request.path, "/scim/v2/Groups/g1", "the base path is not doubled");
        let sent: Value = serde_json::from_slice(&r.request.body).unwrap();
        let id = rfc.resolve_placeholders("{userName:bjensen}").unwrap();
        assert_eq!(sent["Operations"][0]["value"][0]["value"], json!(id));
        assert_eq!(sent["schemas"], patch["schemas"], "a message keeps its schemas");
        assert_eq!(r.request.header_value("authorization"), Some("Bearer mine"));
        let missing = rfc.render(&Request::new("GET", "/Users/{userName:nobody}")).unwrap_err();
        assert_eq!(missing.status, 404);
        // Not JSON: sent as written.
        let mut raw = Request::new("POST", "/Users");
        raw.body = b"{not json".to_vec();
        assert_eq!(rfc.render(&raw).unwrap().request.body, b"{not json");
    }
}
