//! A minimal response diff for [`crate::MockServer::compare`].
//!
//! Stop-gap: scim-core is getting a `compare` module of its own; once it lands, this file
//! goes and `compare` calls the core. Until then it lists where two responses to the same
//! request differ: status, the headers a client acts on, and the JSON body, path by path.

use scim_core::Response;
use serde::Serialize;
use serde_json::Value;

/// Headers a client reads (RFC 7644 §3.1, §3.14); others (if any) are noise here.
const COMPARED_HEADERS: &[&str] = &["content-type", "etag", "location"];

/// One place where the two responses differ. `left`/`right` are absent where that side
/// has no value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Difference {
    /// `status`, `headers.etag`, `body.name.givenName`, `body.emails[0].value`.
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub left: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub right: Option<Value>,
}

/// Where `a` and `b` differ, in document order.
pub fn differences(a: &Response, b: &Response) -> Vec<Difference> {
    let mut out = Vec::new();
    if a.status != b.status {
        out.push(Difference {
            path: "status".into(),
            left: Some(Value::from(a.status)),
            right: Some(Value::from(b.status)),
        });
    }
    for name in COMPARED_HEADERS {
        let (l, r) = (a.header_value(name), b.header_value(name));
        if l != r {
            out.push(Difference {
                path: format!("headers.{name}"),
                left: l.map(|v| Value::String(v.into())),
                right: r.map(|v| Value::String(v.into())),
            });
        }
    }
    diff_values("body", Some(&a.json()), Some(&b.json()), &mut out);
    out
}

fn diff_values(path: &str, l: Option<&Value>, r: Option<&Value>, out: &mut Vec<Difference>) {
    match (l, r) {
        (Some(Value::Object(lo)), Some(Value::Object(ro))) => {
            for (k, lv) in lo {
                diff_values(&format!("{path}.{k}"), Some(lv), ro.get(k), out);
            }
            for (k, rv) in ro.iter().filter(|(k, _)| !lo.contains_key(*k)) {
                diff_values(&format!("{path}.{k}"), None, Some(rv), out);
            }
        }
        (Some(Value::Array(la)), Some(Value::Array(ra))) => {
            for i in 0..la.len().max(ra.len()) {
                diff_values(&format!("{path}[{i}]"), la.get(i), ra.get(i), out);
            }
        }
        (l, r) if l == r => {}
        (l, r) => out.push(Difference { path: path.into(), left: l.cloned(), right: r.cloned() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn resp(status: u16, etag: Option<&str>, body: Value) -> Response {
        let mut headers = vec![("Content-Type".to_string(), "application/scim+json".to_string())];
        if let Some(t) = etag {
            headers.push(("ETag".into(), t.into()));
        }
        Response { status, headers, body: body.to_string(), explanation: None }
    }

    #[test]
    fn equal_responses_have_no_differences() {
        let a = resp(200, Some("W/\"2\""), json!({"userName": "bjensen", "emails": [{"value": "a@x"}]}));
        assert!(differences(&a, &a.clone()).is_empty());
    }

    #[test]
    fn differences_name_status_headers_and_body_paths() {
        let a = resp(200, Some("W/\"2\""), json!({"userName": "bjensen", "title": "Guide", "emails": [{"v": 1}]}));
        let b = resp(400, None, json!({"userName": "bjensen", "emails": [{"v": 2}, {"v": 3}], "detail": "no"}));
        let d = differences(&a, &b);
        let paths: Vec<&str> = d.iter().map(|x| x.path.as_str()).collect();
        assert_eq!(
            paths,
            ["status", "headers.etag", "body.title", "body.emails[0].v", "body.emails[1]", "body.detail"]
        );
        assert_eq!(d[2].left, Some(json!("Guide")));
        assert_eq!(d[2].right, None);
        assert_eq!(d[4].left, None);
        assert_eq!(d[4].right, Some(json!({"v": 3})));
    }
}
