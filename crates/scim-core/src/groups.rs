//! Groups and membership (RFC 7643 §4.2, §4.1.2).
//!
//! Membership is stored once: as `members` items `{value, type}` on the Group. Everything
//! else is derived when a resource is rendered, so it can never go stale:
//!
//! - a member's `display` and `$ref` come from the member resource as it is now (unless
//!   `behaviour.memberDisplay = echoed`: then `display` is what the client sent);
//! - a member `value` must name a resource the service holds (400 `invalidValue`), unless
//!   `behaviour.memberReferences = accepted`: then it is stored as sent;
//! - a User's `groups` (readOnly, RFC 7643 §4.1.2) lists the groups naming the user as a
//!   member, with `type: "direct"`. It is never stored on the user, which is why a PUT
//!   (Okta sends `groups: []`) cannot change membership.
//!
//! Deleting a resource removes it from every group that lists it; those groups get a new
//! `meta.lastModified` and version, as any other change to them would.

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::error::ScimError;
use crate::explain::{Explanation, Outcome};
use crate::profile::registry::{Registry, ResourceKind};
use crate::profile::types::{MemberDisplay, MemberReferences};
use crate::resource::Resource;
use crate::store::Store;

const RFC_GROUP: &str = "RFC 7643 §4.2";

/// The multi-valued complex attribute `name` of a type's core schema, if it has one.
fn complex_list<'k>(kind: &'k ResourceKind, name: &str) -> Option<&'k crate::schema::Attribute> {
    kind.core.attribute(name).filter(|a| a.is_complex() && a.multi_valued)
}

/// Whether a resource type holds members (RFC 7643 §4.2 Group, or any schema with a
/// multi-valued complex `members`): decided by the schema, not by a name (compiled once,
/// see [`crate::compiled::Table`]).
pub fn is_group(kind: &ResourceKind) -> bool {
    kind.table.group
}

/// Whether a resource type shows a derived `groups` attribute (RFC 7643 §4.1.2).
pub fn is_user(kind: &ResourceKind) -> bool {
    kind.table.user
}

/// The resource types a group member may be: those named by `members.$ref`'s
/// `referenceTypes` (`User`, `Group` in RFC 7643 §4.2), or every type if it names none.
fn member_kinds(registry: &Registry) -> impl Iterator<Item = &ResourceKind> {
    let allowed: Vec<&str> = registry
        .kinds
        .iter()
        .filter_map(|k| complex_list(k, "members"))
        .filter_map(|m| m.sub("$ref"))
        .flat_map(|r| r.reference_types.iter().map(String::as_str))
        .collect();
    registry
        .kinds
        .iter()
        .filter(move |k| allowed.is_empty() || allowed.iter().any(|t| t.eq_ignore_ascii_case(&k.def.name)))
}

/// A resource's human-readable name: `displayName`, else `userName`.
fn display_of(r: &Resource) -> Option<Value> {
    r.get("displayName").or_else(|| r.get("userName")).filter(|v| v.is_string()).cloned()
}

/// Checks `members` of a Group about to be written: every `value` must be the id of an
/// existing User or Group (400 `invalidValue` otherwise), `type` (if sent) must agree.
/// Stores `{value, type}` only; `display` and `$ref` are derived when rendered.
pub fn check_members(
    store: &Store,
    registry: &Registry,
    group_id: Option<&str>,
    attrs: &mut Map<String, Value>,
    expl: &mut Explanation,
) -> Result<(), ScimError> {
    let Some(Value::Array(items)) = attrs.get("members") else {
        return Ok(());
    };
    let mut out: Vec<Value> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let path = format!("members[{i}]");
        let Some(value) = item.get("value").and_then(Value::as_str) else {
            expl.push(format!("{path}.value"), Outcome::RejectedRequired, None, Some(item), RFC_GROUP);
            return Err(ScimError::invalid_value(format!(
                "'{path}' has no \"value\": each member names a User or Group by id (RFC 7643 §4.2)."
            )));
        };
        let wanted = item.get("type").and_then(Value::as_str);
        if let Some(t) = wanted {
            if !member_kinds(registry).any(|k| k.def.name.eq_ignore_ascii_case(t)) {
                expl.push(format!("{path}.type"), Outcome::RejectedType, None, item.get("type"), RFC_GROUP);
                return Err(ScimError::invalid_value(format!(
                    "'{path}.type' is {t:?}; a member is one of {} (RFC 7643 §4.2).",
                    member_kinds(registry).map(|k| format!("{:?}", k.def.name)).collect::<Vec<_>>().join(", ")
                )));
            }
        }
        if group_id == Some(value) {
            expl.push(format!("{path}.value"), Outcome::RejectedType, None, item.get("value"), RFC_GROUP);
            return Err(ScimError::invalid_value(format!(
                "'{path}.value' is the group's own id; a group cannot be a member of itself (RFC 7643 §4.2)."
            )));
        }
        let found = member_kinds(registry)
            .filter(|k| wanted.is_none_or(|t| k.def.name.eq_ignore_ascii_case(t)))
            .find(|k| store.contains(&k.def.name, value));
        let type_name = match found {
            Some(k) => Some(k.def.name.clone()),
            // behaviour.memberReferences = accepted: stored as sent, with the type it names.
            None if registry.members.0 == MemberReferences::Accepted => wanted
                .and_then(|t| member_kinds(registry).find(|k| k.def.name.eq_ignore_ascii_case(t)))
                .map(|k| k.def.name.clone()),
            None => {
                expl.push(format!("{path}.value"), Outcome::RejectedType, None, item.get("value"), RFC_GROUP).note =
                    "members must reference existing resources (behaviour.memberReferences = checked)".into();
                return Err(ScimError::invalid_value(format!(
                    "'{path}.value' {value:?} is not the id of any existing {} (RFC 7643 §4.2); create the member first.",
                    wanted.unwrap_or("User or Group")
                )));
            }
        };
        if out.iter().any(|m| m.get("value").and_then(Value::as_str) == Some(value)) {
            continue;
        }
        let mut m = Map::new();
        m.insert("value".into(), Value::String(value.into()));
        if let Some(t) = type_name {
            m.insert("type".into(), Value::String(t));
        }
        // behaviour.memberDisplay = echoed: the display the client sent is what is shown.
        if registry.members.1 == MemberDisplay::Echoed {
            if let Some(d) = item.get("display").filter(|d| d.is_string()) {
                m.insert("display".into(), d.clone());
            }
        }
        out.push(Value::Object(m));
    }
    attrs.insert("members".into(), Value::Array(out));
    Ok(())
}

/// Who is a member of which group: member id → (group id, group display), built once per
/// request so that rendering a list of users costs one pass over the groups.
#[derive(Debug, Default)]
pub struct Memberships {
    by_member: HashMap<String, Vec<(String, Option<Value>)>>,
    group_endpoint: String,
}

impl Memberships {
    pub fn build(store: &Store, registry: &Registry) -> Memberships {
        let mut m = Memberships::default();
        for kind in registry.kinds.iter().filter(|k| is_group(k)) {
            m.group_endpoint = kind.def.endpoint.clone();
            for g in store.iter(&kind.def.name) {
                let Some(gid) = g.get("id").and_then(Value::as_str) else { continue };
                let Some(Value::Array(members)) = g.get("members") else { continue };
                for mem in members {
                    if let Some(v) = mem.get("value").and_then(Value::as_str) {
                        m.by_member.entry(v.to_string()).or_default().push((gid.to_string(), display_of(g)));
                    }
                }
            }
        }
        m
    }

    /// Adds the derived values to a resource about to be shown (or filtered):
    /// a User's `groups`, a Group's members' `display` and `$ref`. `link_base` is the
    /// origin and base path that `$ref` URIs start with.
    pub fn decorate(&self, store: &Store, registry: &Registry, kind: &ResourceKind, r: &mut Resource, link_base: &str) {
        if is_user(kind) {
            r.remove("groups");
            let id = r.get("id").and_then(Value::as_str).unwrap_or_default();
            if let Some(list) = self.by_member.get(id) {
                let groups: Vec<Value> = list
                    .iter()
                    .map(|(gid, display)| {
                        let mut g = Map::new();
                        g.insert("value".into(), Value::String(gid.clone()));
                        g.insert("$ref".into(), Value::String(format!("{link_base}{}/{gid}", self.group_endpoint)));
                        if let Some(d) = display {
                            g.insert("display".into(), d.clone());
                        }
                        g.insert("type".into(), Value::String("direct".into()));
                        Value::Object(g)
                    })
                    .collect();
                r.insert("groups".into(), Value::Array(groups));
            }
        }
        if is_group(kind) {
            let Some(Value::Array(members)) = r.get_mut("members") else { return };
            for m in members.iter_mut() {
                let Value::Object(o) = m else { continue };
                let Some(value) = o.get("value").and_then(Value::as_str).map(str::to_string) else { continue };
                let t = o.get("type").and_then(Value::as_str).unwrap_or_default().to_string();
                let Some(mk) = member_kinds(registry).find(|k| k.def.name.eq_ignore_ascii_case(&t)) else { continue };
                let held = store.get(&mk.def.name, &value);
                let mut out = Map::new();
                out.insert("value".into(), Value::String(value.clone()));
                // A member the service does not hold (memberReferences = accepted) has no URI.
                if held.is_some() {
                    out.insert("$ref".into(), Value::String(format!("{link_base}{}/{value}", mk.def.endpoint)));
                }
                let display = match registry.members.1 {
                    MemberDisplay::Derived => held.and_then(display_of),
                    MemberDisplay::Echoed => o.get("display").cloned(),
                };
                if let Some(d) = display {
                    out.insert("display".into(), d);
                }
                out.insert("type".into(), Value::String(mk.def.name.clone()));
                *o = out;
            }
        }
    }
}

/// Removes a deleted resource from every group listing it: (group kind, group id, group
/// resource with the member removed). The caller stamps and stores them.
pub fn without_member(store: &Store, registry: &Registry, member_id: &str) -> Vec<(String, String, Resource)> {
    let mut out = Vec::new();
    for kind in registry.kinds.iter().filter(|k| is_group(k)) {
        for g in store.iter(&kind.def.name) {
            let Some(Value::Array(members)) = g.get("members") else { continue };
            if !members.iter().any(|m| m.get("value").and_then(Value::as_str) == Some(member_id)) {
                continue;
            }
            let Some(gid) = g.get("id").and_then(Value::as_str) else { continue };
            let mut ng = g.clone();
            let kept: Vec<Value> =
                members.iter().filter(|m| m.get("value").and_then(Value::as_str) != Some(member_id)).cloned().collect();
            if kept.is_empty() {
                ng.remove("members");
            } else {
                ng.insert("members".into(), Value::Array(kept));
            }
            out.push((kind.def.name.clone(), gid.to_string(), ng));
        }
    }
    out
}
