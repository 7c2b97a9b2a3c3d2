//! The "Differences" region: two responses compared attribute by attribute.
//!
//! A small local diff until `scim_core::compare` lands; it walks both JSON bodies and
//! reports every leaf whose value differs, by SCIM attribute path (`name.givenName`,
//! `emails[0].value`, `urn:…:enterprise:2.0:User:department`, RFC 7644 §3.10).

use scim_core::Response;
use serde_json::Value;

use crate::state::status_text;

/// One differing attribute: `None` means absent on that side.
#[derive(Debug, Clone, PartialEq)]
pub struct DiffRow {
    pub path: String,
    pub a: Option<Value>,
    pub b: Option<Value>,
}

impl DiffRow {
    /// Server-generated values (ids, timestamps, versions, RFC 7643 §3.1): they differ
    /// whenever the lanes' histories differ, not because the profiles disagree.
    pub fn is_volatile(&self) -> bool {
        let p = self.path.as_str();
        p == "id"
            || p.starts_with("meta.")
            || p.eq_ignore_ascii_case("header ETag")
            || p.eq_ignore_ascii_case("header Location")
    }
}

/// Status, then headers that differ (`header Name`), then body attributes.
pub fn responses(a: &Response, b: &Response) -> Vec<DiffRow> {
    let mut rows = Vec::new();
    if a.status != b.status {
        rows.push(DiffRow {
            path: "status".into(),
            a: Some(Value::String(status_text(a.status))),
            b: Some(Value::String(status_text(b.status))),
        });
    }
    let mut names: Vec<String> = a.headers.iter().chain(&b.headers).map(|(n, _)| n.to_ascii_lowercase()).collect();
    names.sort();
    names.dedup();
    for name in names {
        let (va, vb) = (a.header_value(&name), b.header_value(&name));
        if va != vb {
            let shown = a
                .headers
                .iter()
                .chain(&b.headers)
                .find(|(n, _)| n.eq_ignore_ascii_case(&name))
                .map(|(n, _)| n.clone())
                .unwrap_or(name);
            rows.push(DiffRow {
                path: format!("header {shown}"),
                a: va.map(|v| Value::String(v.into())),
                b: vb.map(|v| Value::String(v.into())),
            });
        }
    }
    rows.extend(values(&body_json(a), &body_json(b)));
    rows
}

fn body_json(r: &Response) -> Value {
    if r.body.is_empty() {
        return Value::Null;
    }
    scim_core::from_json_str(&r.body).unwrap_or_else(|_| Value::String(r.body.clone()))
}

/// Every leaf path where `a` and `b` differ.
pub fn values(a: &Value, b: &Value) -> Vec<DiffRow> {
    let mut rows = Vec::new();
    walk("", Some(a), Some(b), &mut rows);
    rows
}

/// `ext`: `parent` is a top-level extension URN, whose attributes are written `URN:attr`
/// (RFC 7644 §3.10).
fn child(parent: &str, key: &str, ext: bool) -> String {
    if parent.is_empty() {
        key.to_string()
    } else if ext {
        format!("{parent}:{key}")
    } else {
        format!("{parent}.{key}")
    }
}

fn walk(path: &str, a: Option<&Value>, b: Option<&Value>, rows: &mut Vec<DiffRow>) {
    walk_in(path, false, a, b, rows);
}

fn walk_in(path: &str, ext: bool, a: Option<&Value>, b: Option<&Value>, rows: &mut Vec<DiffRow>) {
    match (a, b) {
        (Some(Value::Object(x)), Some(Value::Object(y))) => {
            let mut keys: Vec<&String> = x.keys().collect();
            keys.extend(y.keys().filter(|k| !x.contains_key(*k)));
            for k in keys {
                let is_ext = path.is_empty() && k.to_ascii_lowercase().starts_with("urn:");
                walk_in(&child(path, k, ext), is_ext, x.get(k), y.get(k), rows);
            }
        }
        (Some(Value::Array(x)), Some(Value::Array(y))) => {
            for i in 0..x.len().max(y.len()) {
                walk_in(&format!("{path}[{i}]"), false, x.get(i), y.get(i), rows);
            }
        }
        (Some(Value::Null), Some(Value::Null)) => {}
        // A whole body absent on one side (204 vs 200) is reported per attribute.
        (Some(Value::Null), Some(Value::Object(y))) if path.is_empty() => {
            for (k, v) in y {
                rows.push(DiffRow { path: k.clone(), a: None, b: Some(v.clone()) });
            }
        }
        (Some(Value::Object(x)), Some(Value::Null)) if path.is_empty() => {
            for (k, v) in x {
                rows.push(DiffRow { path: k.clone(), a: Some(v.clone()), b: None });
            }
        }
        (x, y) => {
            if x != y {
                let path = if path.is_empty() { "body".to_string() } else { path.to_string() };
                rows.push(DiffRow { path, a: x.cloned(), b: y.cloned() });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn equal_values_have_no_rows() {
        let v = json!({"a": [1, {"b": 2}], "c": null});
        assert!(values(&v, &v).is_empty());
    }

    #[test]
    fn nested_arrays_and_extensions_use_scim_paths() {
        let urn = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
        let a = json!({"name": {"givenName": "A"}, "emails": [{"value": "x"}], urn: {"department": "D"}});
        let b = json!({"name": {"givenName": "B"}, "emails": [{"value": "x"}, {"value": "y"}], urn: {}});
        let rows = values(&a, &b);
        let paths: Vec<&str> = rows.iter().map(|r| r.path.as_str()).collect();
        assert_eq!(paths, vec!["name.givenName", "emails[1]", &format!("{urn}:department")]);
        assert_eq!(rows[1].a, None);
        assert_eq!(rows[1].b, Some(json!({"value": "y"})));
    }

    #[test]
    fn status_headers_and_body_differences() {
        let a = Response {
            status: 200,
            headers: vec![("ETag".into(), "W/\"2\"".into())],
            body: json!({"title": "x"}).to_string(),
            explanation: None,
        };
        let b = Response { status: 204, headers: vec![], body: String::new(), explanation: None };
        let rows = responses(&a, &b);
        assert_eq!(rows[0].path, "status");
        assert_eq!(rows[0].a, Some(json!("200 OK")));
        assert_eq!(rows[1].path, "header ETag");
        assert_eq!(rows[1].b, None);
        assert_eq!(rows[2], DiffRow { path: "title".into(), a: Some(json!("x")), b: None });
    }

    #[test]
    fn server_generated_rows_are_volatile() {
        let row = |p: &str| DiffRow { path: p.into(), a: None, b: None };
        assert!(row("meta.lastModified").is_volatile());
        assert!(row("header ETag").is_volatile());
        assert!(row("id").is_volatile());
        assert!(!row("title").is_volatile());
        assert!(!row("metadata").is_volatile());
    }

    #[test]
    fn type_change_is_one_row() {
        let rows = values(&json!({"x": [1]}), &json!({"x": "1"}));
        assert_eq!(rows, vec![DiffRow { path: "x".into(), a: Some(json!([1])), b: Some(json!("1")) }]);
    }
}
