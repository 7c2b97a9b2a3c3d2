//! The "Differences" region: a thin view over [`scim_core::diff_responses`], which
//! compares two responses by SCIM attribute path (`name.givenName`, `emails[0].value`,
//! `urn:…:enterprise:2.0:User:department`, RFC 7644 §3.10). Only what the table needs is done
//! here: keep the entries that differ, label headers, and show statuses as `200 OK`.

use scim_core::Response;
use scim_core::{DiffKind, Section, diff_responses};
use serde_json::Value;

use crate::exchange::status_text;

/// One differing attribute: `None` means absent on that side.
#[derive(Debug, Clone, PartialEq)]
pub struct DiffRow {
    pub path: String,
    pub left: Option<Value>,
    pub right: Option<Value>,
    /// Server-generated (ids, timestamps, versions, RFC 7643 §3.1): differs whenever the
    /// lanes' histories differ, not because the profiles disagree.
    pub volatile: bool,
}

/// Status, then headers that differ (`header Name`), then body attributes.
pub fn responses(a: &Response, b: &Response) -> Vec<DiffRow> {
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
            DiffRow { path, left, right, volatile: e.volatile }
        })
        .collect()
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
        assert_eq!(rows[2], DiffRow { path: "title".into(), left: Some(json!("x")), right: None, volatile: false });
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
            vec![DiffRow { path: "x".into(), left: Some(json!("1")), right: Some(json!(1)), volatile: false }]
        );
    }
}
