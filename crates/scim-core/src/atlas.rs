//! One request sent to every profile at once: each built-in profile (and any custom profile
//! given) runs in its own fresh server holding the documented users ([`Seed::Documented`],
//! what a playground lane starts from), receives the request rendered in its dialect
//! ([`Server::render`]), and answers. The result is one row per profile: the status, and for
//! each attribute the explanation names, the outcome in one of five words ([`Verdict`]).
//!
//! A failed request changes nothing, so in a failed row every attribute of the request is
//! `rejected` (the row's `detail` says why) and attributes the body left out have no outcome.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::explain::{Explanation, Outcome};
use crate::http::{Request, Response};
use crate::profile::types::Profile;
use crate::server::{Seed, Server};

/// What happened to one attribute, in the words a person compares services by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Verdict {
    /// The request's value was stored (added, replaced, or converted as the profile allows).
    Replaced,
    /// The stored value stays (the same value sent, or left out under `keep`, writeOnly,
    /// immutable).
    Kept,
    /// The value is gone (`null`, `[]`, a PATCH `remove`, or left out under `clear`).
    Cleared,
    /// The request's value was ignored (readOnly, or unknown under `ignore`).
    Ignored,
    /// The request failed; nothing was applied.
    Rejected,
}

impl Verdict {
    /// The word as the table prints it.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Replaced => "replaced",
            Verdict::Kept => "kept",
            Verdict::Cleared => "cleared",
            Verdict::Ignored => "ignored",
            Verdict::Rejected => "rejected",
        }
    }
}

impl Outcome {
    /// The word for this outcome in [`compare_all`]'s table.
    pub fn verdict(self) -> Verdict {
        match self {
            Outcome::Added | Outcome::Replaced | Outcome::Coerced => Verdict::Replaced,
            Outcome::Unchanged | Outcome::KeptOmitted | Outcome::KeptWriteOnly | Outcome::KeptImmutable => {
                Verdict::Kept
            }
            Outcome::ClearedByNull | Outcome::ClearedByEmptyArray | Outcome::Removed | Outcome::ClearedOmitted => {
                Verdict::Cleared
            }
            Outcome::IgnoredReadOnly | Outcome::IgnoredUnknown => Verdict::Ignored,
            Outcome::RejectedImmutable
            | Outcome::RejectedType
            | Outcome::RejectedRequired
            | Outcome::RejectedUnknown
            | Outcome::RejectedUniqueness
            | Outcome::RejectedPrimary
            | Outcome::RejectedIdMismatch
            | Outcome::RejectedSchemas => Verdict::Rejected,
        }
    }
}

/// One profile's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileRow {
    /// The profile's name (`rfc`, `zoom`, a custom profile's own name).
    pub profile: String,
    pub title: String,
    pub status: u16,
    /// `scimType` of a failed request, if the answer names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scim_type: Option<String>,
    /// The error's `detail` of a failed request; empty on success.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub detail: String,
    /// Outcome per attribute path (the paths of [`AllProfiles::attributes`] this row has).
    pub outcomes: BTreeMap<String, Verdict>,
}

/// Every profile's answer to one request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AllProfiles {
    /// The table's columns: the request body's attributes first (in the body's order, in
    /// schema spelling where a profile's explanation names them), then attributes the body
    /// left out that some profile cleared or kept.
    pub attributes: Vec<String>,
    /// One row per profile: built-ins in [`Profile::builtins`] order, then the custom ones.
    pub rows: Vec<ProfileRow>,
}

impl AllProfiles {
    /// The row of a profile.
    pub fn row(&self, profile: &str) -> Option<&ProfileRow> {
        self.rows.iter().find(|r| r.profile == profile)
    }
}

/// Sends `intent` (a request as [`Server::render`] takes it: a path relative to the base path,
/// `{userName:NAME}` placeholders, a body in any profile's dialect) to every built-in profile
/// and to each of `custom`, each in a fresh server holding the documented users.
pub fn compare_all(intent: &Request, custom: &[Profile]) -> AllProfiles {
    let mut profiles: Vec<Profile> =
        Profile::builtins().into_iter().filter_map(|info| Profile::builtin(&info.name)).collect();
    profiles.extend(custom.iter().cloned());
    let requested = request_attributes(intent);
    let mut attributes: Vec<String> = Vec::new();
    let mut omitted: Vec<String> = Vec::new();
    let mut rows = Vec::with_capacity(profiles.len());
    for profile in profiles {
        let (name, title) = (profile.name.clone(), profile.title.clone());
        let response = answer(profile, intent);
        let failed = response.status >= 400;
        let body = if failed { response.json() } else { Value::Null };
        let mut outcomes = BTreeMap::new();
        let entries = response.explanation.as_ref().map_or(&[][..], |e: &Explanation| e.entries.as_slice());
        for entry in entries {
            let asked = requested.iter().any(|a| a.eq_ignore_ascii_case(&entry.path));
            let column = if asked { &mut attributes } else { &mut omitted };
            if !column.contains(&entry.path) {
                column.push(entry.path.clone());
            }
            if failed && !asked {
                continue;
            }
            let verdict = if failed { Verdict::Rejected } else { entry.outcome.verdict() };
            outcomes.insert(entry.path.clone(), verdict);
        }
        if failed {
            for a in &requested {
                if !outcomes.keys().any(|k| k.eq_ignore_ascii_case(a)) {
                    outcomes.insert(a.clone(), Verdict::Rejected);
                }
            }
        }
        rows.push(ProfileRow {
            profile: name,
            title,
            status: response.status,
            scim_type: body.get("scimType").and_then(Value::as_str).map(str::to_string),
            detail: body.get("detail").and_then(Value::as_str).unwrap_or_default().to_string(),
            outcomes,
        });
    }
    // Request attributes no explanation named keep the request's spelling, in its order.
    let mut columns: Vec<String> = Vec::new();
    for a in &requested {
        let spelled = attributes.iter().find(|c| c.eq_ignore_ascii_case(a)).cloned().unwrap_or_else(|| a.clone());
        if !columns.contains(&spelled) {
            columns.push(spelled);
        }
    }
    for c in attributes.into_iter().chain(omitted) {
        if !columns.iter().any(|x| x.eq_ignore_ascii_case(&c)) {
            columns.push(c);
        }
    }
    for row in &mut rows {
        let spelled: BTreeMap<String, Verdict> = std::mem::take(&mut row.outcomes)
            .into_iter()
            .map(|(k, v)| (columns.iter().find(|c| c.eq_ignore_ascii_case(&k)).cloned().unwrap_or(k), v))
            .collect();
        row.outcomes = spelled;
    }
    AllProfiles { attributes: columns, rows }
}

/// One profile's answer from a fresh server holding the documented users (a profile whose
/// seed does not load starts empty; one that does not compile answers with its error).
fn answer(profile: Profile, intent: &Request) -> Response {
    let mut server = match Server::new(profile) {
        Ok(s) => s,
        Err(e) => {
            return crate::error::ScimError::invalid_value(format!("the profile does not run: {e}")).to_response();
        }
    };
    if server.load_seed(Seed::Documented).is_err() {
        server.reset();
    }
    match server.render(intent) {
        Ok(rendered) => server.handle(&rendered.request),
        Err(e) => e.to_response(),
    }
}

/// The attributes a write's body names: top-level keys but `schemas`, `id` and `meta`, with an
/// extension object's attributes as `urn:…:attribute` (RFC 7644 §3.10); for a PATCH, each
/// operation's `path` (up to a filter or sub-attribute), or the keys of a path-less value.
fn request_attributes(intent: &Request) -> Vec<String> {
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(&intent.body) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut push = |a: String| {
        if !a.is_empty() && !out.iter().any(|o: &String| o.eq_ignore_ascii_case(&a)) {
            out.push(a);
        }
    };
    let ops = body.iter().find(|(k, _)| k.eq_ignore_ascii_case("Operations")).map(|(_, v)| v);
    if let Some(Value::Array(ops)) = ops {
        for op in ops {
            match op.get("path").and_then(Value::as_str) {
                Some(path) => push(path.to_string()),
                None => {
                    if let Some(Value::Object(value)) = op.get("value") {
                        object_attributes(value, &mut push);
                    }
                }
            }
        }
        return out;
    }
    object_attributes(&body, &mut push);
    out
}

fn object_attributes(obj: &serde_json::Map<String, Value>, push: &mut impl FnMut(String)) {
    for (k, v) in obj {
        if ["schemas", "id", "meta"].iter().any(|s| k.eq_ignore_ascii_case(s)) {
            continue;
        }
        let is_urn = k.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("urn:"));
        match v {
            Value::Object(inner) if is_urn => {
                for ik in inner.keys() {
                    push(format!("{k}:{ik}"));
                }
            }
            _ => push(k.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn put(body: Value) -> Request {
        Request::new("PUT", "/Users/{userName:bjensen}").json(&body)
    }

    #[test]
    fn every_builtin_answers_once_and_custom_profiles_follow() {
        let mut custom = Profile::rfc();
        custom.name = "mine".into();
        custom.behaviour.omitted = crate::profile::types::Omitted::Keep;
        let all = compare_all(
            &put(
                json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "bjensen", "title": null}),
            ),
            &[custom],
        );
        assert_eq!(all.rows.len(), Profile::builtins().len() + 1);
        assert_eq!(all.rows.last().map(|r| r.profile.as_str()), Some("mine"));
        assert_eq!(all.attributes[..2], ["userName".to_string(), "title".to_string()]);
        let rfc = all.row("rfc").unwrap();
        assert_eq!(
            (rfc.status, rfc.outcomes["title"], rfc.outcomes["userName"]),
            (200, Verdict::Cleared, Verdict::Kept)
        );
        assert_eq!(rfc.outcomes["name"], Verdict::Cleared, "omitted under clear");
        assert_eq!(all.row("mine").unwrap().outcomes["name"], Verdict::Kept, "omitted under keep");
        let entra = all.row("entra").unwrap();
        assert_eq!(entra.status, 405);
        assert_eq!(entra.outcomes.get("title"), Some(&Verdict::Rejected));
        assert!(!entra.outcomes.contains_key("name"), "a failed row has no outcome for what was left out");
    }

    #[test]
    fn patch_operations_name_their_paths() {
        let req = Request::new("PATCH", "/Users/1").json(&json!({"Operations": [
            {"op": "replace", "path": "title", "value": "x"},
            {"op": "add", "value": {"nickName": "B", "urn:x:ext": {"a": 1}}}
        ]}));
        assert_eq!(request_attributes(&req), ["title", "nickName", "urn:x:ext:a"]);
        assert!(request_attributes(&Request::new("GET", "/Users")).is_empty());
    }
}
