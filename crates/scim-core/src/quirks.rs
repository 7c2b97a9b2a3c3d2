//! The vendor knobs beyond PUT's rules, as small checks and rewrites the server calls at one
//! place each: supported methods, limits (values per attribute, operations and member
//! changes per PATCH), filter restrictions, `$ref`s rebuilt from `value`, attributes a PUT
//! does not change, deactivated resources that answer 404 and extensions left out of
//! lists. Every function reads knobs, never a profile's name.

use std::borrow::Cow;
use std::collections::BTreeSet;

use serde_json::{Map, Value};

use crate::error::{ScimError, ScimType};
use crate::filter::Filter;
use crate::json::Node;
use crate::profile::knobs::METHODS;
use crate::profile::registry::ResourceKind;
use crate::profile::types::{Behaviour, Deactivated};

/// Whether the resource type supports `method` (`resourceTypes[].methods`).
pub fn allows(kind: &ResourceKind, method: &str) -> bool {
    kind.def.methods.as_ref().is_none_or(|m| m.iter().any(|x| x.eq_ignore_ascii_case(method)))
}

/// The answer to a method the resource type does not support, with the status the profile
/// names; a 405 carries `Allow` (RFC 9110 §15.5.6).
pub fn unsupported_method(behaviour: &Behaviour, kind: &ResourceKind, method: &str, item: bool) -> ScimError {
    let offered: Vec<&str> = METHODS
        .iter()
        .copied()
        .filter(|m| allows(kind, m))
        .filter(|m| if item { *m != "POST" } else { matches!(*m, "GET" | "POST") })
        .collect();
    let allow = offered.join(", ");
    let status = behaviour.unsupported_method_status;
    let detail = format!(
        "{method} is not supported for {} resources by this service; it supports {} here (resourceTypes.{}.methods).",
        kind.def.name,
        if allow.is_empty() { "no method".to_string() } else { allow.clone() },
        kind.def.name
    );
    let scim_type = (status == 400).then_some(ScimType::InvalidSyntax);
    ScimError { allow: (status == 405).then_some(allow), ..ScimError::new(status, scim_type, detail) }
}

/// Whether a stored resource answers 404 because it is deactivated
/// (`behaviour.deactivated: notFound`).
pub fn hidden(behaviour: &Behaviour, r: &Map<String, Value>) -> bool {
    behaviour.deactivated == Deactivated::NotFound && r.get("active") == Some(&Value::Bool(false))
}

/// `resourceTypes[].maxValues`: no multi-valued attribute (core or extension; `members`
/// aside, see [`member_changes`]) holds more values than the service stores.
pub fn check_max_values(kind: &ResourceKind, attrs: &Map<String, Value>) -> Result<(), ScimError> {
    let Some(max) = kind.def.max_values else { return Ok(()) };
    let core = attrs.iter().map(|(k, v)| (k.clone(), v));
    let ext = kind
        .extensions
        .iter()
        .filter_map(|(s, _)| attrs.get(&s.id)?.as_object().map(|o| (s, o)))
        .flat_map(|(s, o)| o.iter().map(move |(k, v)| (format!("{}:{k}", s.id), v)));
    for (name, v) in core.chain(ext) {
        if let Value::Array(items) = v {
            if items.len() > max && !name.eq_ignore_ascii_case("members") {
                return Err(ScimError::invalid_value(format!(
                    "{name} has {} values; this service stores at most {max} per multi-valued attribute (resourceTypes.{}.maxValues).",
                    items.len(),
                    kind.def.name
                )));
            }
        }
    }
    Ok(())
}

/// `resourceTypes[].maxPatchOperations`: the number of operations in a PatchOp body;
/// `behaviour.patchPathRequired`: every operation names a `path`.
pub fn check_patch_operations(kind: &ResourceKind, behaviour: &Behaviour, body: &Value) -> Result<(), ScimError> {
    let ops = body
        .as_object()
        .and_then(|o| o.iter().find(|(k, _)| k.eq_ignore_ascii_case("Operations")))
        .and_then(|(_, v)| v.as_array());
    if behaviour.patch_path_required {
        let pathless = ops.into_iter().flatten().position(|op| {
            op.as_object().is_some_and(|o| !o.iter().any(|(k, v)| k.eq_ignore_ascii_case("path") && v.is_string()))
        });
        if let Some(i) = pathless {
            return Err(ScimError::invalid_syntax(format!(
                "Operations[{i}] has no \"path\"; this service requires every PATCH operation to name one (behaviour.patchPathRequired)."
            )));
        }
    }
    if !kind.def.members_replaceable {
        for (i, op) in ops.into_iter().flatten().enumerate() {
            let Some(o) = op.as_object() else { continue };
            let get = |name: &str| o.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v);
            let verb = get("op").and_then(Value::as_str).unwrap_or_default().to_ascii_lowercase();
            let path = get("path").and_then(Value::as_str).map(str::trim);
            let whole = path.is_some_and(|p| p.eq_ignore_ascii_case("members"));
            let pathless_members = path.is_none()
                && get("value")
                    .and_then(Value::as_object)
                    .is_some_and(|v| v.keys().any(|k| k.eq_ignore_ascii_case("members")));
            if (verb == "replace" && (whole || pathless_members)) || (verb == "remove" && whole) {
                return Err(ScimError::invalid_value(format!(
                    "Operations[{i}] would {verb} every member at once; this service changes members one by one: add them, or remove them with members[value eq \"...\"] (resourceTypes.{}.membersReplaceable).",
                    kind.def.name
                )));
            }
        }
    }
    let Some(max) = kind.def.max_patch_operations else { return Ok(()) };
    let n = ops.map_or(0, Vec::len);
    if n > max {
        return Err(ScimError::invalid_value(format!(
            "The PATCH carries {n} operations; this service takes at most {max} per request (resourceTypes.{}.maxPatchOperations). Split it.",
            kind.def.name
        )));
    }
    Ok(())
}

fn member_values(attrs: Option<&Map<String, Value>>) -> BTreeSet<String> {
    attrs
        .and_then(|a| a.get("members"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|m| m.get("value").and_then(Value::as_str).map(str::to_string))
        .collect()
}

/// `resourceTypes[].maxMemberChanges`: members added plus members removed by one write
/// (for a create, the members it sends); `maxMemberRemovals`: members removed.
pub fn member_changes(
    kind: &ResourceKind,
    old: Option<&Map<String, Value>>,
    new: &Map<String, Value>,
) -> Result<(), ScimError> {
    if kind.def.max_member_changes.is_none() && kind.def.max_member_removals.is_none() {
        return Ok(());
    }
    let (before, after) = (member_values(old), member_values(Some(new)));
    if let Some(max) = kind.def.max_member_removals {
        let removed = before.difference(&after).count();
        if removed > max {
            return Err(ScimError::invalid_value(format!(
                "This request removes {removed} members; this service removes at most {max} per request (resourceTypes.{}.maxMemberRemovals).",
                kind.def.name
            )));
        }
    }
    let Some(max) = kind.def.max_member_changes else { return Ok(()) };
    let n = before.symmetric_difference(&after).count();
    if n > max {
        return Err(ScimError::invalid_value(format!(
            "This request changes {n} memberships; this service takes at most {max} member changes per request (resourceTypes.{}.maxMemberChanges).",
            kind.def.name
        )));
    }
    Ok(())
}

/// `resourceTypes[].refTemplates`: each named complex attribute's `$ref` rebuilt from its
/// `value`, so a write that changes `value` never leaves the old `$ref` behind. Without a
/// `value` the `$ref` goes too. Returns the paths whose `$ref` this changed.
pub fn rebuild_refs(kind: &ResourceKind, attrs: &mut Map<String, Value>) -> Vec<String> {
    let mut changed = Vec::new();
    for (path, template) in &kind.def.ref_templates {
        let Some(r) = kind.resolve_path(path) else { continue };
        let container = match r.schema {
            Some(urn) => match attrs.get_mut(urn) {
                Some(Value::Object(o)) => o,
                _ => continue,
            },
            None => &mut *attrs,
        };
        let Some(Value::Object(obj)) = container.get_mut(&r.attr.name) else { continue };
        let reference = obj.get("value").and_then(Value::as_str).map(|v| template.replace("{value}", v));
        let before = obj.get("$ref").cloned();
        match reference {
            Some(link) => {
                obj.insert("$ref".into(), Value::String(link));
            }
            None => {
                obj.remove("$ref");
            }
        }
        if obj.get("$ref") != before.as_ref() {
            changed.push(format!("{path}.$ref"));
        }
    }
    changed
}

/// `resourceTypes[].putIgnores`: the PUT body with each listed attribute set back to the
/// stored value (or left out when none is stored), so the PUT cannot change it. Returns
/// the attributes that were in the body.
pub fn put_ignores<'a>(kind: &ResourceKind, old: &'a Map<String, Value>, body: &mut Node<'a>) -> Vec<String> {
    let mut ignored = Vec::new();
    let Node::Object(b) = body else { return ignored };
    for name in &kind.def.put_ignores {
        b.retain(|(k, _)| {
            let drop = k.eq_ignore_ascii_case(name);
            if drop {
                ignored.push(k.to_string());
            }
            !drop
        });
        let stored = old.iter().find(|(k, _)| k.eq_ignore_ascii_case(name));
        if let Some((k, v)) = stored {
            b.push((Cow::Borrowed(k.as_str()), Node::from_value(v)));
        }
    }
    ignored
}

/// `resourceTypes[].neverReturned`: a resource as shown, without the attributes the service
/// never returns.
pub fn strip_never_returned(kind: &ResourceKind, r: &mut Map<String, Value>) {
    for name in &kind.def.never_returned {
        let keys: Vec<String> = r.keys().filter(|k| k.eq_ignore_ascii_case(name)).cloned().collect();
        for k in keys {
            r.remove(&k);
        }
    }
}

/// `resourceTypes[].listOmitsExtensions`: a listed resource without its extension objects
/// (and their URNs in `schemas`).
pub fn strip_extensions(kind: &ResourceKind, r: &mut Map<String, Value>) {
    if !kind.def.list_omits_extensions {
        return;
    }
    for (s, _) in &kind.extensions {
        let keys: Vec<String> = r.keys().filter(|k| k.eq_ignore_ascii_case(&s.id)).cloned().collect();
        for k in keys {
            r.remove(&k);
        }
        if let Some(Value::Array(list)) = r.get_mut("schemas") {
            list.retain(|u| !u.as_str().is_some_and(|u| u.eq_ignore_ascii_case(&s.id)));
        }
    }
}

/// What the service does not support in a filter: the first operator outside
/// `behaviour.filterOperators`, or attribute outside `resourceTypes[].filterAttributes`,
/// as an `invalidFilter` error; `None` when the filter is supported.
pub fn unsupported_filter(behaviour: &Behaviour, kind: &ResourceKind, f: &Filter) -> Option<ScimError> {
    let ops = behaviour.filter_operators.as_deref();
    let attrs = kind.def.filter_attributes.as_deref();
    if ops.is_none() && attrs.is_none() {
        return None;
    }
    let op_ok = |op: &str| ops.is_none_or(|l| l.iter().any(|o| o.eq_ignore_ascii_case(op)));
    let attr_ok = |path: &str| {
        attrs.is_none_or(|l| {
            l.iter().any(|a| match (kind.resolve_path(a), kind.resolve_path(path)) {
                (Some(x), Some(y)) => {
                    x.schema == y.schema
                        && x.attr.name == y.attr.name
                        && x.sub.map(|s| &s.name) == y.sub.map(|s| &s.name)
                }
                _ => a.eq_ignore_ascii_case(path),
            })
        })
    };
    let reject = |what: String| {
        let ops = ops.map_or_else(|| "any operator".to_string(), |l| l.join(", "));
        let attrs = attrs.map_or_else(|| "any attribute".to_string(), |l| l.join(", "));
        Some(ScimError::bad_request(
            ScimType::InvalidFilter,
            format!(
                "This service does not support {what} in a filter on {}; it supports {ops} on {attrs} (behaviour.filterOperators, resourceTypes.{}.filterAttributes).",
                kind.def.name, kind.def.name
            ),
        ))
    };
    let mut stack = vec![(f, String::new())];
    while let Some((f, prefix)) = stack.pop() {
        match f {
            Filter::And(v) | Filter::Or(v) => {
                let op = if matches!(f, Filter::And(_)) { "and" } else { "or" };
                if !op_ok(op) {
                    return reject(format!("\"{op}\""));
                }
                stack.extend(v.iter().map(|x| (x, prefix.clone())));
            }
            Filter::Not(x) => {
                if !op_ok("not") {
                    return reject("\"not\"".into());
                }
                stack.push((x, prefix));
            }
            Filter::Present(p) => {
                let path = format!("{prefix}{}", p.text);
                if !op_ok("pr") {
                    return reject("\"pr\"".into());
                }
                if !attr_ok(&path) {
                    return reject(format!("the attribute {path:?}"));
                }
            }
            Filter::Compare(p, op, _) => {
                let path = format!("{prefix}{}", p.text);
                if !op_ok(op.as_str()) {
                    return reject(format!("\"{}\"", op.as_str()));
                }
                if !attr_ok(&path) {
                    return reject(format!("the attribute {path:?}"));
                }
            }
            Filter::ValuePath(p, inner) => {
                if !op_ok("[]") {
                    return reject("value filters (\"[...]\")".into());
                }
                stack.push((inner, format!("{}.", p.text)));
            }
        }
    }
    None
}

/// A body written for another profile with what this type requires beyond it filled in
/// (`resourceTypes[].requiredAttributes`): `displayName` from `name`, names from
/// `userName`, `active: true`, a placeholder password, a work email. Only for seeding
/// another profile's documented users, so one user exists in every profile.
pub fn fill_required(kind: &ResourceKind, body: &mut Map<String, Value>) {
    let user_name = body.get("userName").and_then(Value::as_str).unwrap_or("user").to_string();
    let local = user_name.split('@').next().unwrap_or_default().to_string();
    let name = body.get("name").and_then(Value::as_object);
    let part = |sub: &str| name.and_then(|n| n.get(sub)).and_then(Value::as_str).map(str::to_string);
    let display = match (part("formatted"), part("givenName"), part("familyName")) {
        (Some(f), _, _) => f,
        (None, Some(g), Some(f)) => format!("{g} {f}"),
        _ => local.clone(),
    };
    for attr in kind.core.attributes.iter().filter(|a| a.required) {
        let text = |sub: &str| match sub {
            "displayName" | "formatted" => display.clone(),
            "value" if attr.name == "emails" => {
                if user_name.contains('@') {
                    user_name.clone()
                } else {
                    format!("{local}@example.com")
                }
            }
            "password" => "Seeded-Passw0rd".to_string(),
            _ => local.clone(),
        };
        let fill = |a: &crate::schema::Attribute| -> Value {
            match a.kind {
                crate::schema::AttrType::Boolean => Value::Bool(a.name != "primary" || attr.multi_valued),
                _ => Value::String(text(&a.name)),
            }
        };
        match body.get_mut(&attr.name) {
            None if attr.is_complex() => {
                let mut o = Map::new();
                for s in attr.sub_attributes.iter().filter(|s| s.required || (attr.multi_valued && s.name == "value")) {
                    o.insert(s.name.clone(), fill(s));
                }
                let v = Value::Object(o);
                body.insert(attr.name.clone(), if attr.multi_valued { Value::Array(vec![v]) } else { v });
            }
            None => {
                body.insert(attr.name.clone(), fill(attr));
            }
            Some(Value::Object(o)) => {
                for s in attr.sub_attributes.iter().filter(|s| s.required) {
                    if !o.contains_key(&s.name) {
                        o.insert(s.name.clone(), fill(s));
                    }
                }
            }
            Some(_) => {}
        }
    }
    for (schema, required) in &kind.extensions {
        if !required || body.keys().any(|k| k.eq_ignore_ascii_case(&schema.id)) {
            continue;
        }
        let mut o = Map::new();
        for a in schema.attributes.iter().filter(|a| a.required && !a.is_complex()) {
            o.insert(a.name.clone(), Value::String(local.clone()));
        }
        body.insert(schema.id.clone(), Value::Object(o));
        if let Some(Value::Array(list)) = body.get_mut("schemas") {
            list.push(Value::String(schema.id.clone()));
        }
    }
}
