//! The Explanation region as a person reads it, built from [`scim_core::Explanation`]:
//! a failed request says "not applied" first, its rejections apart from what the engine had
//! decided before it stopped ("would have"); attribute names are short, with each extension
//! schema named once; old → new is a compact value diff; a rule links to its RFC section or
//! to the lane's profile; a note repeated on many rows is said once.

use scim_core::{Explanation, Outcome, Response};
use serde_json::Value;

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The attribute without its schema URN (`department`, `name`).
    pub name: String,
    /// Index into [`View::schemas`] when the attribute belongs to an extension.
    pub schema: Option<usize>,
    /// `cleared omitted`; in a failed request `would have: cleared omitted`.
    pub outcome: String,
    pub rejected: bool,
    /// The value diff, one short line per changed part (`"Tour Guide" → (absent)`).
    pub change: Vec<String>,
    pub rule: String,
    /// Where the rule is written: an RFC section, or `#profile` for a profile knob.
    pub rule_href: Option<String>,
    /// Only on the first row that carries this note.
    pub note: Option<String>,
}

/// The whole region.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct View {
    /// `Not applied: 400 Bad Request. <detail>` for a failed request.
    pub not_applied: Option<String>,
    /// Whether the request failed (then [`View::rows`] are what would have happened).
    pub not_applied_flag: bool,
    /// For a failed request: the rows that stopped it. Otherwise empty.
    pub stopped: Vec<Row>,
    /// Every other row: what was done, or for a failed request what would have been done.
    pub rows: Vec<Row>,
    /// Extension schema URNs the rows refer to, each named once.
    pub schemas: Vec<String>,
    pub notes: Vec<String>,
}

/// Builds the region for one answer; `None` when there is no explanation (reads).
pub fn build(response: &Response) -> Option<View> {
    let expl: &Explanation = response.explanation.as_ref()?;
    let failed = response.status >= 400;
    let mut view = View { notes: expl.notes.clone(), not_applied_flag: failed, ..View::default() };
    if failed {
        let detail = response.json().get("detail").and_then(Value::as_str).unwrap_or_default().to_string();
        let status = crate::exchange::status_text(response.status);
        view.not_applied =
            Some(format!("Not applied: {status}. Nothing in this lane changed. {detail}").trim().to_string());
    }
    let mut seen_notes: Vec<&str> = Vec::new();
    for e in &expl.entries {
        let (schema, name) = split_urn(&e.path);
        let schema = schema.map(|urn| match view.schemas.iter().position(|s| s == urn) {
            Some(i) => i,
            None => {
                view.schemas.push(urn.to_string());
                view.schemas.len() - 1
            }
        });
        let rejected = e.outcome.is_rejection();
        let label = outcome_label(e.outcome);
        let note = (!e.note.is_empty() && !seen_notes.contains(&e.note.as_str())).then(|| {
            seen_notes.push(&e.note);
            e.note.clone()
        });
        let row = Row {
            name: name.to_string(),
            schema,
            outcome: if failed && !rejected { format!("would have: {label}") } else { label },
            rejected,
            change: value_diff(e.old.as_ref(), e.new.as_ref()),
            rule: e.rule.clone(),
            rule_href: rule_href(&e.rule),
            note,
        };
        if failed && rejected { view.stopped.push(row) } else { view.rows.push(row) }
    }
    Some(view)
}

/// `urn:…:enterprise:2.0:User:manager.value` → (`Some(urn…:User)`, `manager.value`).
/// Attribute names hold no colon (RFC 7643 §2.1), so the URN ends at the last one.
fn split_urn(path: &str) -> (Option<&str>, &str) {
    if path.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("urn:")) {
        if let Some((urn, name)) = path.rsplit_once(':') {
            return (Some(urn), name);
        }
    }
    (None, path)
}

/// `ClearedOmitted` → `cleared omitted`.
pub fn outcome_label(o: Outcome) -> String {
    let raw = serde_json::to_value(o).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
    let mut out = String::new();
    for c in raw.chars() {
        if c.is_ascii_uppercase() {
            out.push(' ');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// `RFC 7644 §3.5.1` → its section on the RFC Editor's site; a knob (`behaviour.omitted =
/// keep`) → the lane's profile card (`#profile`).
fn rule_href(rule: &str) -> Option<String> {
    if let Some(at) = rule.find("RFC ") {
        let rest = rule.get(at + 4..).unwrap_or_default();
        let num: String = rest.chars().take_while(char::is_ascii_digit).collect();
        if !num.is_empty() {
            let section = rest
                .split_once('§')
                .map(|(_, s)| s.chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect::<String>())
                .map(|s| s.trim_end_matches('.').to_string())
                .filter(|s| !s.is_empty());
            return Some(match section {
                Some(s) => format!("https://www.rfc-editor.org/rfc/rfc{num}#section-{s}"),
                None => format!("https://www.rfc-editor.org/rfc/rfc{num}"),
            });
        }
    }
    rule.contains("behaviour.").then(|| "#profile".to_string())
}

/// Old → new, compactly: scalars as `old → new`; objects by the keys that changed
/// (`familyName: "Smith" → (absent)`); lists by count unless short.
pub fn value_diff(old: Option<&Value>, new: Option<&Value>) -> Vec<String> {
    match (old, new) {
        (Some(Value::Object(a)), Some(Value::Object(b))) => {
            let mut out = Vec::new();
            for (k, va) in a {
                match b.get(k) {
                    Some(vb) if vb == va => {}
                    vb => out.push(format!("{k}: {} → {}", short(Some(va)), short(vb))),
                }
            }
            for (k, vb) in b {
                if !a.contains_key(k) {
                    out.push(format!("{k}: (absent) → {}", short(Some(vb))));
                }
            }
            if out.is_empty() {
                out.push(short(old));
            }
            out
        }
        (a, b) if a == b => vec![short(a)],
        (a, b) => vec![format!("{} → {}", short(a), short(b))],
    }
}

/// A value in at most about 60 characters.
fn short(v: Option<&Value>) -> String {
    match v {
        None => "(absent)".into(),
        Some(Value::Array(items)) if items.is_empty() => "[]".into(),
        Some(v @ Value::Array(items)) => {
            let s = v.to_string();
            if s.chars().count() <= 60 {
                s
            } else {
                format!("[{} value{}]", items.len(), if items.len() == 1 { "" } else { "s" })
            }
        }
        Some(v) => {
            let s = v.to_string();
            if s.chars().count() <= 60 { s } else { format!("{}…", s.chars().take(57).collect::<String>()) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::draft::Draft;
    use crate::lane::Lane;
    use serde_json::json;

    fn put(lane: &mut Lane, body: Value) -> Response {
        let d = Draft {
            method: "PUT".into(),
            path: "/Users/{userName:bjensen}".into(),
            headers: "Content-Type: application/scim+json".into(),
            body: body.to_string(),
            raw: false,
        };
        lane.send(&d, &d.parse_headers().unwrap()).response.clone()
    }

    #[test]
    fn a_rejected_request_says_not_applied_and_keeps_would_have_apart() {
        let mut lane = Lane::new("rfc");
        let r = put(
            &mut lane,
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "bjensen", "nickName": "B", "shoeSize": 9}),
        );
        assert_eq!(r.status, 400);
        let v = build(&r).unwrap();
        assert!(v.not_applied.as_deref().unwrap().starts_with("Not applied: 400 Bad Request."), "{v:?}");
        assert!(v.stopped.iter().any(|row| row.name == "shoeSize" && row.rejected), "{:?}", v.stopped);
        assert!(!v.rows.is_empty());
        assert!(v.rows.iter().all(|row| row.outcome.starts_with("would have: ")), "{:?}", v.rows);
        assert!(v.rows.iter().any(|row| row.name == "title" && row.outcome == "would have: cleared omitted"));
    }

    #[test]
    fn a_successful_request_has_plain_outcomes_short_names_and_notes_once() {
        let mut lane = Lane::new("rfc");
        let ent = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
        let r = put(
            &mut lane,
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ent], "userName": "bjensen", ent: {"department": "Tours"}}),
        );
        assert_eq!(r.status, 200, "{}", r.body);
        let v = build(&r).unwrap();
        assert!(v.not_applied.is_none() && v.stopped.is_empty());
        let dept = v.rows.iter().find(|row| row.name == "department").unwrap();
        assert_eq!(dept.schema.map(|i| v.schemas[i].as_str()), Some(ent));
        assert_eq!(dept.change, vec![r#"(absent) → "Tours""#]);
        let notes: Vec<&String> = v.rows.iter().filter_map(|row| row.note.as_ref()).collect();
        let mut unique = notes.clone();
        unique.dedup();
        assert_eq!(notes.len(), unique.len(), "each note once: {notes:?}");
    }

    #[test]
    fn value_diffs_are_compact_and_rules_link() {
        let old = json!({"familyName": "Smith", "givenName": "Abigail"});
        let new = json!({"givenName": "Abby"});
        assert_eq!(
            value_diff(Some(&old), Some(&new)),
            vec![r#"familyName: "Smith" → (absent)"#, r#"givenName: "Abigail" → "Abby""#]
        );
        assert_eq!(value_diff(Some(&json!("x")), None), vec![r#""x" → (absent)"#]);
        let many =
            json!([{"value": "aaaaaaaaaaaaaaaaaaaaaa"}, {"value": "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"}, {"value": "c"}]);
        assert_eq!(value_diff(Some(&many), Some(&json!([]))), vec!["[3 values] → []"]);
        assert_eq!(
            rule_href("RFC 7644 §3.5.1").as_deref(),
            Some("https://www.rfc-editor.org/rfc/rfc7644#section-3.5.1")
        );
        assert_eq!(rule_href("RFC 7643 §7.").as_deref(), Some("https://www.rfc-editor.org/rfc/rfc7643#section-7"));
        assert_eq!(rule_href("behaviour.omitted = keep").as_deref(), Some("#profile"));
        assert_eq!(rule_href("something else"), None);
        assert_eq!(split_urn("urn:a:b:User:manager.value"), (Some("urn:a:b:User"), "manager.value"));
    }
}
