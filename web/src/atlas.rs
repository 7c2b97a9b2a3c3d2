//! The "All profiles" view's content, in plain Rust: the composer's request sent to every
//! profile of the catalog at once ([`scim_core::compare_all`]: each built-in, then the derived
//! variants, then the custom profiles, each in its own fresh store holding the seed users), one row per profile with
//! its status and one word per attribute (replaced, kept, cleared, ignored, rejected).
//!
//! The request is always the intent, rendered per profile as the lanes render it; raw mode
//! does not apply here (a raw request is written for one dialect).

use scim_core::{AllProfiles, Profile, Request, compare_all};

use crate::catalog::catalog;
use crate::draft::Draft;
use crate::exchange::status_text;

/// One column: an attribute path, and the name the header shows (an extension attribute
/// without its schema URN, which the cell's title carries).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub path: String,
    pub label: String,
}

/// One profile's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The catalog key (what a lane's profile select takes).
    pub profile: String,
    pub title: String,
    pub status: u16,
    /// `200 OK`.
    pub status_text: String,
    /// One word per column (`replaced`, …), `None` where the answer says nothing about it.
    pub cells: Vec<Option<&'static str>>,
    /// The error's detail of a failed request.
    pub detail: String,
}

/// The whole table.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Table {
    /// `PUT /Users/{userName:bjensen}`: the request as written.
    pub request_line: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
}

/// The request the draft describes, as an intent.
pub fn intent(draft: &Draft) -> Result<Request, String> {
    let headers = draft.parse_headers()?;
    if draft.path.trim().is_empty() {
        return Err("The path is empty; try /Users/{userName:bjensen}.".into());
    }
    let mut req = Request::new(draft.method.trim().to_ascii_uppercase().as_str(), draft.path.trim());
    req.headers = headers;
    if draft.sends_body() {
        req.body = draft.body.clone().into_bytes();
    }
    Ok(req)
}

/// Sends the draft to every profile of the catalog: built-ins, then derived variants, then
/// the person's custom profiles (learned or loaded from a file).
pub fn build(draft: &Draft) -> Result<Table, String> {
    let req = intent(draft)?;
    let custom: Vec<Profile> = catalog()
        .iter()
        .filter(|c| Profile::builtin(&c.name).is_none())
        .map(|c| c.profile.clone())
        .chain(crate::catalog::custom().into_iter().map(|c| c.choice.profile))
        .collect();
    Ok(table(&req, &compare_all(&req, &custom)))
}

fn table(req: &Request, all: &AllProfiles) -> Table {
    let columns = all
        .attributes
        .iter()
        .map(|path| {
            let label = match path.get(..4) {
                Some(p) if p.eq_ignore_ascii_case("urn:") => path.rsplit(':').next().unwrap_or(path).to_string(),
                _ => path.clone(),
            };
            Column { path: path.clone(), label }
        })
        .collect();
    let rows = all
        .rows
        .iter()
        .map(|r| Row {
            profile: r.profile.clone(),
            title: r.title.clone(),
            status: r.status,
            status_text: status_text(r.status),
            cells: all.attributes.iter().map(|a| r.outcomes.get(a).map(|v| v.as_str())).collect(),
            detail: r.detail.clone(),
        })
        .collect();
    Table { request_line: format!("{} {}", req.method, req.path), columns, rows }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::RFC_KEEP_OMITTED;
    use serde_json::{Value, json};

    const CASES: &str = include_str!("../../tests/compare-all/cases.json");

    fn draft(request: &Value) -> Draft {
        Draft {
            method: request["method"].as_str().unwrap().into(),
            path: request["path"].as_str().unwrap().into(),
            headers: String::new(),
            body: request.get("body").map(|b| serde_json::to_string_pretty(b).unwrap()).unwrap_or_default(),
            raw: false,
        }
    }

    /// The view's rows of built-in profiles give the shared table every door is checked
    /// against; the derived variant follows them.
    #[test]
    fn the_view_gives_the_shared_table() {
        let doc: Value = serde_json::from_str(CASES).unwrap();
        for case in doc["cases"].as_array().unwrap() {
            let t = build(&draft(&case["request"])).unwrap();
            let builtins = Profile::builtins().len();
            let rows: Vec<Value> = t.rows[..builtins]
                .iter()
                .map(|r| {
                    let outcomes: serde_json::Map<String, Value> = t
                        .columns
                        .iter()
                        .zip(&r.cells)
                        .filter_map(|(c, w)| w.map(|w| (c.path.clone(), json!(w))))
                        .collect();
                    json!({"profile": r.profile, "status": r.status, "outcomes": outcomes})
                })
                .collect();
            let paths: Vec<&str> = t.columns.iter().map(|c| c.path.as_str()).collect();
            let expect = &case["expect"];
            assert_eq!(json!(rows), expect["rows"], "{}", case["name"]);
            // The derived variant may add a column the built-ins never name; theirs come first.
            assert_eq!(json!(paths[..expect["attributes"].as_array().unwrap().len()]), expect["attributes"]);
            assert_eq!(t.rows.last().map(|r| r.profile.as_str()), Some(RFC_KEEP_OMITTED));
        }
    }

    #[test]
    fn failed_rows_carry_their_detail_and_bad_drafts_say_why() {
        let d = Draft {
            method: "put".into(),
            path: "/Users/{userName:bjensen}".into(),
            headers: String::new(),
            body: json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "bjensen",
                         "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Tours"}})
            .to_string(),
            raw: false,
        };
        let t = build(&d).unwrap();
        assert_eq!(t.request_line, "PUT /Users/{userName:bjensen}");
        let dept = t.columns.iter().find(|c| c.label == "department").unwrap();
        assert!(dept.path.starts_with("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:"));
        let entra = t.rows.iter().find(|r| r.profile == "entra").unwrap();
        assert_eq!(
            (entra.status_text.as_str(), entra.detail.contains("PUT is not supported")),
            ("405 Method Not Allowed", true)
        );
        let path_missing = Draft { path: " ".into(), ..d.clone() };
        assert!(build(&path_missing).unwrap_err().contains("path is empty"));
        let bad_header = Draft { headers: "no colon".into(), ..d };
        assert!(build(&bad_header).is_err());
    }

    #[test]
    fn custom_profiles_get_a_row_after_the_catalog() {
        let text = r#"{"extends": "rfc", "name": "my server", "behaviour": {"omitted": "keep"}}"#;
        crate::catalog::set_custom(vec![crate::catalog::load_custom(text, crate::catalog::Origin::File).unwrap()]);
        let t = build(&Draft::default()).unwrap();
        crate::catalog::set_custom(Vec::new());
        let last = t.rows.last().unwrap();
        assert_eq!((last.profile.as_str(), last.status), ("my server", 200));
        let title = t.columns.iter().position(|c| c.path == "title").unwrap();
        assert_eq!(last.cells[title], Some("kept"), "omitted title kept under the custom profile");
        let rfc = t.rows.iter().find(|r| r.profile == "rfc").unwrap();
        assert_eq!(rfc.cells[title], Some("cleared"));
    }
}
