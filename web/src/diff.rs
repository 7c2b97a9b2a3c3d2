//! The "Differences" region: a view over [`scim_core::diff_responses`], which compares two
//! responses by SCIM attribute path (`name.givenName`, `emails[0].value`,
//! `urn:…:enterprise:2.0:User:department`, RFC 7644 §3.10), made to mean something:
//!
//! - like with like: two errors are compared by status, `scimType` and `detail`; an error next
//!   to a resource is one row saying which lane applied the request, not a resource diffed
//!   against an error body;
//! - list responses are compared by each resource's `userName` (or `displayName`, else `id`),
//!   not by position;
//! - every row says why it differs: [`Cause::Behaviour`] (what the default view shows),
//!   [`Cause::ServerGenerated`] (ids, timestamps, versions; but a version or ETag that only one
//!   side has is the versioning knob, behaviour), [`Cause::Before`] (neither lane
//!   changed it, and they already differed there before the request: their seed users, or an
//!   earlier request) or [`Cause::Dialect`]
//!   (`schemas`, `meta.resourceType`, media type: how a vendor spells things).

use scim_core::Response;
use scim_core::{DiffKind, Section, diff_responses};
use serde_json::{Map, Value};

use crate::exchange::{Exchange, status_text};

/// Why a row differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    /// The profiles did something different with this request.
    Behaviour,
    /// Ids, timestamps, versions (RFC 7643 §3.1): differ whenever the histories differ.
    ServerGenerated,
    /// The two lanes already differed here before the request (their seed data).
    Before,
    /// Spelling a vendor's documentation fixes: schema URNs, `meta.resourceType`, media type.
    Dialect,
}

impl Cause {
    /// Shown next to a row the default view hides.
    pub fn label(self) -> &'static str {
        match self {
            Cause::Behaviour => "",
            Cause::ServerGenerated => "server-generated",
            Cause::Before => "differed before the request",
            Cause::Dialect => "dialect",
        }
    }
}

/// One differing attribute: `None` means absent on that side.
#[derive(Debug, Clone, PartialEq)]
pub struct DiffRow {
    pub path: String,
    pub left: Option<Value>,
    pub right: Option<Value>,
    /// Server-generated (ids, timestamps, versions, RFC 7643 §3.1).
    pub volatile: bool,
    pub cause: Cause,
}

impl DiffRow {
    /// Whether the default view ("what differs in behaviour") shows it.
    pub fn is_behaviour(&self) -> bool {
        self.cause == Cause::Behaviour
    }
}

/// Lane A's and lane B's exchanges compared (see the module docs).
pub fn exchanges(a: &Exchange, b: &Exchange) -> Vec<DiffRow> {
    let (ea, eb) = (a.response.status >= 400, b.response.status >= 400);
    match (ea, eb) {
        // A resource next to no body (PATCH answered 204 or `{}`): two rows, not one per
        // attribute of the resource.
        (false, false) if bodyless(a) != bodyless(b) => {
            let mut rows = Vec::new();
            if a.response.status != b.response.status {
                rows.push(status_row(a.response.status, b.response.status));
            }
            rows.push(DiffRow {
                path: "body".into(),
                left: Some(body_kind(a)),
                right: Some(body_kind(b)),
                volatile: false,
                cause: Cause::Behaviour,
            });
            rows
        }
        (false, false) => {
            let before: Vec<DiffRow> = match (&a.before, &b.before) {
                (Some(x), Some(y)) => responses(&ok(x), &ok(y)),
                _ => Vec::new(),
            };
            let mut rows = responses(&a.response, &b.response);
            // The ETag header repeats meta.version (RFC 7644 §3.14): one row says it.
            let version_row = rows.iter().any(|r| r.path == "meta.version" && r.is_behaviour());
            rows.retain(|r| !(version_row && r.path == "header ETag" && r.is_behaviour()));
            for row in &mut rows {
                // An ETag on one side only is as old as the meta.version on that side.
                let already = |r: &DiffRow| match row.path.as_str() {
                    "header ETag" => {
                        r.path == "meta.version"
                            && r.left.is_some() == row.left.is_some()
                            && r.right.is_some() == row.right.is_some()
                    }
                    _ => r.path == row.path && r.left == row.left && r.right == row.right,
                };
                if row.cause == Cause::Behaviour && before.iter().any(already) {
                    row.cause = Cause::Before;
                }
            }
            // What the request did to attributes first; the versioning knob's row last.
            rows.sort_by_key(|r| r.path.ends_with("meta.version") || r.path == "header ETag");
            rows
        }
        (true, true) => {
            let mut rows = Vec::new();
            if a.response.status != b.response.status {
                rows.push(status_row(a.response.status, b.response.status));
            }
            let (ja, jb) = (a.response.json(), b.response.json());
            for field in ["scimType", "detail"] {
                let (l, r) = (ja.get(field).cloned(), jb.get(field).cloned());
                if l != r {
                    rows.push(DiffRow {
                        path: field.into(),
                        left: l,
                        right: r,
                        volatile: false,
                        cause: Cause::Behaviour,
                    });
                }
            }
            rows
        }
        _ => {
            let verdict = |x: &Exchange| {
                if x.response.status >= 400 {
                    let j = x.response.json();
                    let why = j
                        .get("scimType")
                        .or_else(|| j.get("detail"))
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string();
                    Some(Value::String(format!("not applied ({why})")))
                } else {
                    Some(Value::String("applied".into()))
                }
            };
            vec![
                status_row(a.response.status, b.response.status),
                DiffRow {
                    path: "request".into(),
                    left: verdict(a),
                    right: verdict(b),
                    volatile: false,
                    cause: Cause::Behaviour,
                },
            ]
        }
    }
}

/// A success without a resource in its body: none at all (204) or `{}`.
fn bodyless(x: &Exchange) -> bool {
    let body = x.response.body.trim();
    body.is_empty() || x.response.json().as_object().is_some_and(serde_json::Map::is_empty)
}

fn body_kind(x: &Exchange) -> Value {
    Value::String(match x.response.body.trim() {
        "" => "no body".into(),
        _ if bodyless(x) => "{} (an empty object)".into(),
        _ => "the resource".into(),
    })
}

fn status_row(a: u16, b: u16) -> DiffRow {
    DiffRow {
        path: "status".into(),
        left: Some(status_value(a)),
        right: Some(status_value(b)),
        volatile: false,
        cause: Cause::Behaviour,
    }
}

/// A stored resource as a 200 answer, for the before-the-request comparison.
fn ok(resource: &Value) -> Response {
    Response { status: 200, body: resource.to_string(), ..Response::default() }
}

/// Status, then headers that differ (`header Name`), then body attributes; lists keyed by
/// userName.
pub fn responses(a: &Response, b: &Response) -> Vec<DiffRow> {
    let (ka, kb) = (keyed(a), keyed(b));
    let (a, b) = (ka.as_ref().unwrap_or(a), kb.as_ref().unwrap_or(b));
    // Extension URNs each side declares: an attribute of an extension only one side has is
    // dialect (that service has no such schema), not behaviour.
    let declared = |r: &Response| -> Vec<String> {
        if !r.body.contains("urn:") {
            return Vec::new();
        }
        let j = r.json();
        j.get("schemas")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_ascii_lowercase)
            .collect()
    };
    let (da, db) = (declared(a), declared(b));
    let foreign = |path: &str| {
        let p = path.to_ascii_lowercase();
        let (ina, inb) = (da.iter().any(|u| p.starts_with(u.as_str())), db.iter().any(|u| p.starts_with(u.as_str())));
        p.starts_with("urn:") && ina != inb
    };
    diff_responses(a, b)
        .entries
        .into_iter()
        .filter(|e| e.kind != DiffKind::Equal)
        .map(|e| {
            let (path, left, right) = match e.section {
                Section::Status => (e.path, Some(status_value(a.status)), Some(status_value(b.status))),
                Section::Header => ("header ".to_string() + &e.path, e.left, e.right),
                Section::Body => (e.path, e.left, e.right),
            };
            let generated = path.starts_with("Resources.")
                && (path.ends_with(".id")
                    || path.contains(".meta.created")
                    || path.contains(".meta.lastModified")
                    || path.contains(".meta.version")
                    || path.contains(".meta.location"));
            // ETags on one side only: the versioning knob (RFC 7644 §3.14), not a value.
            let versioning =
                (path.ends_with("meta.version") || path == "header ETag") && left.is_some() != right.is_some();
            let cause = if versioning {
                Cause::Behaviour
            } else if e.volatile || generated || path == "header Location" {
                Cause::ServerGenerated
            } else if is_dialect(&path) || foreign(&path) {
                Cause::Dialect
            } else {
                Cause::Behaviour
            };
            DiffRow { path, left, right, volatile: e.volatile, cause }
        })
        .collect()
}

fn is_dialect(path: &str) -> bool {
    path == "schemas"
        || path.starts_with("schemas[")
        || path.ends_with(".schemas")
        || path.contains(".schemas[")
        || path.ends_with("meta.resourceType")
        || path == "header Content-Type"
}

/// A list response whose `Resources` are an object keyed by userName (else displayName,
/// else id), so that the same user is compared with the same user. A list under a
/// lowercase `resources` key (Entra, Google) is read as `Resources`: the key's spelling is
/// dialect, the users in it are what is compared.
fn keyed(r: &Response) -> Option<Response> {
    let lowercase = !r.body.contains("\"Resources\"") && r.body.contains("\"resources\"");
    if !r.body.contains("\"Resources\"") && !lowercase {
        return None;
    }
    let mut body = r.json();
    if lowercase {
        let obj = body.as_object_mut()?;
        let list = obj.remove("resources")?;
        obj.insert("Resources".into(), list);
    }
    let list = body.get_mut("Resources")?.as_array_mut()?;
    let mut by_key = Map::new();
    for item in list.drain(..) {
        let key = ["userName", "displayName", "id"]
            .iter()
            .find_map(|k| item.get(*k).and_then(Value::as_str))
            .map(str::to_string)
            .unwrap_or_else(|| format!("#{}", by_key.len()));
        by_key.insert(key, item);
    }
    body["Resources"] = Value::Object(by_key);
    Some(Response { body: body.to_string(), ..r.clone() })
}

fn status_value(status: u16) -> Value {
    Value::String(status_text(status))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn resp(status: u16, headers: &[(&str, &str)], body: Value) -> Response {
        Response {
            status,
            headers: headers.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect(),
            body: if body.is_null() { String::new() } else { body.to_string() },
            ..Response::default()
        }
    }

    #[test]
    fn equal_responses_have_no_rows() {
        let r = resp(200, &[("ETag", "W/\"1\"")], json!({"a": [1, {"b": 2}]}));
        assert!(responses(&r, &r).is_empty());
    }

    #[test]
    fn nested_arrays_and_extensions_use_scim_paths() {
        let urn = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
        let a =
            resp(200, &[], json!({"name": {"givenName": "A"}, "emails": [{"value": "x"}], urn: {"department": "D"}}));
        let b =
            resp(200, &[], json!({"name": {"givenName": "B"}, "emails": [{"value": "x"}, {"value": "y"}], urn: {}}));
        let rows = responses(&a, &b);
        let paths: Vec<&str> = rows.iter().map(|r| r.path.as_str()).collect();
        assert_eq!(paths, vec!["name.givenName", &format!("{urn}:department") as &str, "emails[1].value", urn]);
        assert_eq!(rows[2].left, None);
        assert_eq!(rows[2].right, Some(json!("y")));
        // An emptied extension is a leaf of its own, so `{}` and a missing one differ.
        assert_eq!(rows[3].right, Some(json!({})));
    }

    #[test]
    fn status_headers_and_body_differences() {
        let a = resp(200, &[("ETag", "W/\"2\"")], json!({"title": "x"}));
        let b = resp(204, &[], Value::Null);
        let rows = responses(&a, &b);
        assert_eq!(rows[0].path, "status");
        assert_eq!(rows[0].left, Some(json!("200 OK")));
        assert_eq!(rows[0].right, Some(json!("204 No Content")));
        assert_eq!(rows[1].path, "header ETag");
        assert_eq!(rows[1].right, None);
        assert!(rows[1].volatile);
        assert_eq!(
            rows[2],
            DiffRow {
                path: "title".into(),
                left: Some(json!("x")),
                right: None,
                volatile: false,
                cause: Cause::Behaviour
            }
        );
    }

    #[test]
    fn server_generated_rows_are_volatile() {
        let a = resp(200, &[], json!({"id": "1", "meta": {"lastModified": "t1"}, "metadata": "m"}));
        let b = resp(200, &[], json!({"id": "2", "meta": {"lastModified": "t2"}, "metadata": "n"}));
        let volatile: Vec<(String, bool)> = responses(&a, &b).into_iter().map(|r| (r.path, r.volatile)).collect();
        assert_eq!(volatile, vec![("id".into(), true), ("meta.lastModified".into(), true), ("metadata".into(), false)]);
    }

    #[test]
    fn type_change_is_one_row() {
        let rows = responses(&resp(200, &[], json!({"x": "1"})), &resp(200, &[], json!({"x": 1})));
        assert_eq!(
            rows,
            vec![DiffRow {
                path: "x".into(),
                left: Some(json!("1")),
                right: Some(json!(1)),
                volatile: false,
                cause: Cause::Behaviour
            }]
        );
    }
}
