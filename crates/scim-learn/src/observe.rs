//! The *observed* explanation of a write to a server whose code we cannot see: given the
//! resource as a GET returned it before the write, the body that was sent, and the resource
//! as a GET returned it afterwards, [`observe`] classifies each attribute with the outcome
//! words the engine's own explanation uses ([`scim_core::Outcome`]: replaced, kept although
//! omitted, cleared, ignored...). It only sees what a client sees, so it says what happened,
//! not why: an attribute the server kept although the body changed it is "ignored", whether
//! the server treats it as readOnly or simply dropped it.
//!
//! Complex attributes (`name`) are classified by sub-attribute (`name.familyName`);
//! multi-valued ones (`emails`) as a whole. Server-owned bookkeeping (`meta`, `schemas`) is
//! not classified, and `password` (writeOnly, RFC 7643 §7) is reported as not observable.

use scim_core::Outcome;
use serde::Serialize;
use serde_json::{Map, Value};

/// One attribute as observed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Observed {
    /// `title`, `name.familyName`, `urn:…:enterprise:2.0:User:department`.
    pub path: String,
    /// The engine's word for what happened; `None` when a GET cannot show it (writeOnly).
    pub outcome: Option<Outcome>,
    pub before: Option<Value>,
    pub sent: Option<Value>,
    pub after: Option<Value>,
}

/// Attributes every server owns and a comparison of them says nothing about the write.
const BOOKKEEPING: [&str; 2] = ["meta", "schemas"];

/// Classifies every attribute a write touched or could have touched.
///
/// `method` is the HTTP method (`PUT`, `POST`, `PATCH`); `sent` the request body (for PATCH
/// the PatchOp, which is not compared attribute by attribute: every attribute whose value
/// changed is reported); `before` is `None` for a POST (nothing existed). Attributes that
/// neither the body nor the stored resource mention are not listed.
pub fn observe(method: &str, sent: &Value, before: Option<&Value>, after: &Value) -> Vec<Observed> {
    let empty = Map::new();
    let before = before.and_then(Value::as_object).unwrap_or(&empty);
    let after = after.as_object().unwrap_or(&empty);
    let mut out = Vec::new();
    if method.eq_ignore_ascii_case("PATCH") {
        changes("", before, after, &mut out);
        return out;
    }
    let sent = sent.as_object().unwrap_or(&empty);
    let is_put = method.eq_ignore_ascii_case("PUT");
    compare("", sent, before, after, is_put, &mut out);
    out
}

/// PUT and POST: every attribute of the body, then (PUT) every stored one the body left out.
fn compare(
    prefix: &str,
    sent: &Map<String, Value>,
    before: &Map<String, Value>,
    after: &Map<String, Value>,
    is_put: bool,
    out: &mut Vec<Observed>,
) {
    for (key, value) in sent {
        if prefix.is_empty() && BOOKKEEPING.contains(&key.as_str()) {
            continue;
        }
        let path = join(prefix, key);
        let (b, a) = (before.get(key), after.get(key));
        if let (Value::Object(s), Some(Value::Object(bo)), Some(Value::Object(ao))) = (value, b, a) {
            compare(&path, s, bo, ao, is_put, out);
            continue;
        }
        if let (Value::Object(s), None, Some(Value::Object(ao))) = (value, b, a) {
            compare(&path, s, &Map::new(), ao, is_put, out);
            continue;
        }
        let outcome = sent_outcome(key, value, b, a);
        out.push(Observed { path, outcome, before: b.cloned(), sent: Some(value.clone()), after: a.cloned() });
    }
    if !is_put {
        return;
    }
    for (key, b) in before {
        if sent.contains_key(key) || (prefix.is_empty() && (BOOKKEEPING.contains(&key.as_str()) || key == "id")) {
            continue;
        }
        let a = after.get(key);
        let outcome = match a {
            None => Some(Outcome::ClearedOmitted),
            Some(v) if v == b => Some(Outcome::KeptOmitted),
            Some(_) => Some(Outcome::Replaced),
        };
        out.push(Observed { path: join(prefix, key), outcome, before: Some(b.clone()), sent: None, after: a.cloned() });
    }
}

/// What happened to one attribute the body carried.
fn sent_outcome(key: &str, sent: &Value, before: Option<&Value>, after: Option<&Value>) -> Option<Outcome> {
    if key == "password" && after.is_none() {
        return None;
    }
    let empty_array = matches!(sent, Value::Array(v) if v.is_empty());
    Some(match (sent, after) {
        (Value::Null, None) => Outcome::ClearedByNull,
        (_, None) if empty_array => Outcome::ClearedByEmptyArray,
        (_, Some(Value::Array(a))) if empty_array && a.is_empty() => Outcome::ClearedByEmptyArray,
        (_, Some(a)) if a == sent => match before {
            None => Outcome::Added,
            Some(b) if b == sent => Outcome::Unchanged,
            Some(_) => Outcome::Replaced,
        },
        (_, None) if before.is_none() => Outcome::IgnoredUnknown,
        (_, a) if a == before => Outcome::IgnoredReadOnly,
        _ => Outcome::Coerced,
    })
}

/// PATCH: every attribute whose stored value changed.
fn changes(prefix: &str, before: &Map<String, Value>, after: &Map<String, Value>, out: &mut Vec<Observed>) {
    let keys = before.keys().chain(after.keys().filter(|k| !before.contains_key(*k)));
    for key in keys {
        if prefix.is_empty() && BOOKKEEPING.contains(&key.as_str()) {
            continue;
        }
        let (b, a) = (before.get(key), after.get(key));
        if b == a {
            continue;
        }
        let path = join(prefix, key);
        if let (Some(Value::Object(bo)), Some(Value::Object(ao))) = (b, a) {
            changes(&path, bo, ao, out);
            continue;
        }
        let outcome = match (b, a) {
            (None, _) => Outcome::Added,
            (_, None) => Outcome::Removed,
            _ => Outcome::Replaced,
        };
        out.push(Observed { path, outcome: Some(outcome), before: b.cloned(), sent: None, after: a.cloned() });
    }
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() || key.starts_with("urn:") {
        key.to_string()
    } else if prefix.starts_with("urn:") {
        format!("{prefix}:{key}")
    } else {
        format!("{prefix}.{key}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn outcome_of(rows: &[Observed], path: &str) -> Option<Outcome> {
        rows.iter().find(|r| r.path == path).and_then(|r| r.outcome)
    }

    fn stored() -> Value {
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "id": "u1",
            "userName": "bjensen",
            "title": "Tour Guide",
            "nickName": "Babs",
            "active": true,
            "emails": [{"value": "b@example.com", "primary": true}],
            "name": {"givenName": "Barbara", "familyName": "Jensen"},
            "meta": {"version": "W/\"1\""}
        })
    }

    #[test]
    fn put_classifies_every_attribute_the_way_the_engine_words_it() {
        let sent = json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "id": "other",
            "userName": "bjensen",
            "displayName": "Babs Jensen",
            "nickName": null,
            "emails": [],
            "active": "false",
            "name": {"givenName": "Barb"},
            "frobnicate": 1
        });
        let after = json!({
            "id": "u1",
            "userName": "bjensen",
            "displayName": "Babs Jensen",
            "active": false,
            "name": {"givenName": "Barb", "familyName": "Jensen"},
            "meta": {"version": "W/\"2\""}
        });
        let rows = observe("PUT", &sent, Some(&stored()), &after);
        assert_eq!(outcome_of(&rows, "userName"), Some(Outcome::Unchanged));
        assert_eq!(outcome_of(&rows, "displayName"), Some(Outcome::Added));
        assert_eq!(outcome_of(&rows, "nickName"), Some(Outcome::ClearedByNull));
        assert_eq!(outcome_of(&rows, "emails"), Some(Outcome::ClearedByEmptyArray));
        assert_eq!(outcome_of(&rows, "active"), Some(Outcome::Coerced));
        assert_eq!(outcome_of(&rows, "id"), Some(Outcome::IgnoredReadOnly));
        assert_eq!(outcome_of(&rows, "frobnicate"), Some(Outcome::IgnoredUnknown));
        assert_eq!(outcome_of(&rows, "name.givenName"), Some(Outcome::Replaced));
        assert_eq!(outcome_of(&rows, "name.familyName"), Some(Outcome::KeptOmitted));
        assert_eq!(outcome_of(&rows, "title"), Some(Outcome::ClearedOmitted));
        assert!(rows.iter().all(|r| r.path != "meta" && r.path != "schemas"), "bookkeeping is not classified");
    }

    #[test]
    fn put_on_a_server_that_keeps_omitted_attributes() {
        let sent = json!({"userName": "bjensen"});
        let rows = observe("PUT", &sent, Some(&stored()), &stored());
        assert_eq!(outcome_of(&rows, "title"), Some(Outcome::KeptOmitted));
        assert_eq!(outcome_of(&rows, "name"), Some(Outcome::KeptOmitted));
        assert!(rows.iter().all(|r| r.path != "id"), "the id is not an omitted attribute");
    }

    #[test]
    fn password_is_not_observable_and_extensions_keep_their_urn() {
        let urn = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
        let sent = json!({"userName": "x", "password": "s3cret", urn: {"department": "Ops"}});
        let after = json!({"userName": "x", urn: {"department": "Ops"}});
        let rows = observe("POST", &sent, None, &after);
        assert_eq!(rows.iter().find(|r| r.path == "password").map(|r| r.outcome), Some(None));
        assert_eq!(outcome_of(&rows, &format!("{urn}:department")), Some(Outcome::Added));
        assert_eq!(outcome_of(&rows, "userName"), Some(Outcome::Added));
    }

    #[test]
    fn patch_reports_what_changed() {
        let op = json!({"Operations": [{"op": "remove", "path": "title"}]});
        let mut after = stored();
        if let Some(o) = after.as_object_mut() {
            o.remove("title");
            o.insert("displayName".into(), json!("B"));
            o.insert("name".into(), json!({"givenName": "Barbara", "familyName": "J"}));
        }
        let rows = observe("PATCH", &op, Some(&stored()), &after);
        assert_eq!(outcome_of(&rows, "title"), Some(Outcome::Removed));
        assert_eq!(outcome_of(&rows, "displayName"), Some(Outcome::Added));
        assert_eq!(outcome_of(&rows, "name.familyName"), Some(Outcome::Replaced));
        assert_eq!(rows.len(), 3, "unchanged attributes are not listed: {rows:?}");
    }

    #[test]
    fn garbage_in_gives_rows_not_panics() {
        assert!(observe("PUT", &json!("nope"), Some(&json!(3)), &json!(null)).is_empty());
        assert!(observe("PATCH", &json!(null), None, &json!([])).is_empty());
    }
}
