//! The replace engine: how a PUT body (RFC 7644 §3.5.1) — or a POST body, which is a
//! replace of nothing (§3.3) — becomes the new state of a resource.
//!
//! Each rule of a replace, with the RFC section or profile knob behind it, has one place
//! here (the `Replace` methods named are private):
//!
//! | rule | where |
//! | --- | --- |
//! | body must be an object with `schemas` naming the core schema (RFC 7643 §3) | `check_schemas` |
//! | body `id` vs path id (RFC 7643 §3.1, knob `idMismatch`) | `Replace::id_field` |
//! | `meta` and other readOnly values ignored (RFC 7643 §3.1, §7) | `Replace::attribute`, `ReadOnly` arm |
//! | readWrite/writeOnly values replace stored ones (RFC 7644 §3.5.1); complex replaced whole or merged (knob `complexReplace`) | `Replace::attribute`, body-value arm |
//! | `null` / `[]` clear (RFC 7644 §3.5.1) | `Replace::attribute`, `None` after normalising |
//! | immutable: set once, equal value fine, different value 400 `mutability` (RFC 7643 §7) | `Replace::attribute`, `Immutable` checks |
//! | omitted attributes cleared or kept (RFC 7644 §3.5.1, knob `omitted`); writeOnly and immutable ones kept (RFC 7643 §7) | `Replace::omitted` |
//! | unknown attributes rejected or ignored (RFC 7644 §3.12 `invalidSyntax`, knob `unknownAttributes`) | `Replace::unknown` |
//! | extension objects need their URN in `schemas` (RFC 7643 §3, knob `missingExtensionUrn`) | `Replace::extension` |
//! | wrong JSON types (RFC 7643 §2.3), string booleans (§2.3.2, knob `stringBooleans`), several primaries (§2.4, knob `multiplePrimary`) | [`crate::value::Normaliser`] |
//! | required attributes present after the replace (RFC 7643 §7) | `Replace::required` |
//! | uniqueness (409, RFC 7643 §7), ETags (412, RFC 7644 §3.14) and "a failed PUT changes nothing" (RFC 7644 §3.12) | [`crate::server`] |
use std::borrow::Cow;

use serde_json::{Map, Value};

use crate::compiled::{ExtSlot, Key};
use crate::error::ScimError;
use crate::explain::{Explanation, Outcome};
use crate::json::Node;
use crate::profile::registry::ResourceKind;
use crate::profile::types::{Behaviour, ComplexReplace, IdMismatch, MissingExtensionUrn, Omitted, Unknown};
use crate::resource::{Resource, Written};
use crate::schema::{Attribute, Mutability};
use crate::value::{Normaliser, field, same_value, value_field};

const RFC_PUT: &str = "RFC 7644 §3.5.1";
const RFC_POST: &str = "RFC 7644 §3.3";
const RFC_READ_ONLY: &str = "RFC 7643 §7 mutability: readOnly";
const RFC_IMMUTABLE: &str = "RFC 7643 §7 mutability: immutable";
const RFC_WRITE_ONLY: &str = "RFC 7643 §7 mutability: writeOnly";
const RFC_REQUIRED: &str = "RFC 7643 §7 required";
const RFC_TYPES: &str = "RFC 7643 §2.3";

/// Create (POST) or replace (PUT).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Create,
    Replace,
    /// A trusted write from a profile's seed: like Create, but readOnly values (Veeva's
    /// `lastLogin`, `securityProfile.$ref`) are taken as written, as a snapshot holds them.
    Seed,
}

/// What a write replaces: the mode, the id in the request path and the stored resource
/// (both `None` for a create).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Target<'a> {
    pub mode: Mode,
    pub path_id: Option<&'a str>,
    pub old: Option<&'a Resource>,
}

impl Target<'_> {
    /// A create (POST) or a seed resource: nothing stored yet.
    pub fn new_resource(mode: Mode) -> Self {
        Target { mode, path_id: None, old: None }
    }
}

/// Runs a create or replace; every decision lands in `expl`, also when it fails.
pub(crate) fn apply(
    kind: &ResourceKind,
    behaviour: &Behaviour,
    target: Target<'_>,
    body: &Node<'_>,
    expl: &mut Explanation,
) -> Result<Written, ScimError> {
    let Target { mode, path_id, old } = target;
    let Node::Object(body) = body else {
        let e = ScimError::invalid_syntax(format!(
            "The request body must be a JSON object holding a {} resource (RFC 7644 §3.3, §3.5.1); got {}.",
            kind.def.name,
            body.kind()
        ));
        return Err(e);
    };
    let mut norm = Normaliser::new(behaviour);
    norm.drop_read_only = mode != Mode::Seed;
    let out = Map::with_capacity(body.len() + 2);
    let mut r = Replace { kind, behaviour, mode, expl, norm, out };
    let listed = check_schemas(kind, behaviour, body, r.expl)?;
    let claimed = claim_keys(kind, body)?;

    r.id_field(claimed.id, path_id)?;
    if let Some(v) = claimed.meta {
        let shown = shown(r.expl, v);
        r.expl.push("meta", Outcome::IgnoredReadOnly, None, shown.as_ref(), RFC_READ_ONLY).note =
            "meta is maintained by the service provider (RFC 7643 §3.1)".into();
    }

    // The stored values by slot: each stored key looked up once.
    let t = &kind.table;
    let mut slots = claimed.slots;
    for (k, v) in old.into_iter().flatten() {
        let at = match t.stored_key(k) {
            Some(Key::Attr(i)) => i,
            Some(Key::Ext(e)) => t.attrs.len() + e,
            _ => continue,
        };
        if let Some((_, slot @ None)) = slots.get_mut(at) {
            *slot = Some(v);
        }
    }
    // Writable common attributes (externalId), then the core schema, in slot order.
    for slot in &t.attrs {
        let (bv, ov) = slots.get(slot.claim).copied().unwrap_or_default();
        if let Some(v) = r.attribute(&slot.def, &slot.def.name, bv, ov)? {
            r.out.insert(slot.def.name.clone(), v);
        }
    }
    let mut ext_present = Vec::new();
    for (ext, (bv, ov)) in t.exts.iter().zip(slots.get(t.attrs.len()..).unwrap_or_default()) {
        let listed_here = listed.iter().any(|u| u.eq_ignore_ascii_case(&ext.schema.id));
        if let Some(obj) = r.extension(ext, *bv, listed_here, *ov)? {
            r.out.insert(ext.schema.id.clone(), Value::Object(obj));
            ext_present.push(ext.schema.id.clone());
        }
    }
    r.unknown(&claimed.unknown, "")?;
    r.required()?;
    for (path, note) in std::mem::take(&mut r.norm.coerced) {
        r.expl.push(path, Outcome::Coerced, None, None, "profile behaviour").note = note;
    }
    for path in std::mem::take(&mut r.norm.ignored) {
        r.expl.push(path, Outcome::IgnoredUnknown, None, None, "behaviour.unknownAttributes = ignore");
    }
    // `schemas` lists the core schema and the extensions the resource now holds, in the
    // order the client wrote them (RFC 7643 §3).
    let mut schemas: Vec<String> = Vec::new();
    for urn in &listed {
        let canonical = if urn.eq_ignore_ascii_case(&kind.core.id) {
            Some(kind.core.id.clone())
        } else {
            ext_present.iter().find(|e| e.eq_ignore_ascii_case(urn)).cloned()
        };
        if let Some(c) = canonical {
            if !schemas.contains(&c) {
                schemas.push(c);
            }
        }
    }
    for e in ext_present {
        if !schemas.contains(&e) {
            schemas.push(e);
        }
    }
    Ok(Written { schemas, attributes: r.out })
}

/// RFC 7643 §3: `schemas` is required and names the resource's core schema; URNs compare
/// case-insensitively. Returns the URNs as listed (unknown ones dropped under `ignore`).
fn check_schemas(
    kind: &ResourceKind,
    behaviour: &Behaviour,
    body: &[(Cow<'_, str>, Node<'_>)],
    expl: &mut Explanation,
) -> Result<Vec<String>, ScimError> {
    let found = body.iter().find(|(k, _)| k.eq_ignore_ascii_case("schemas"));
    let Some((_, v)) = found else {
        expl.push("schemas", Outcome::RejectedSchemas, None, None, "RFC 7643 §3");
        return Err(ScimError::invalid_value(format!(
            "The body has no \"schemas\" attribute; a {} must list \"{}\" (RFC 7643 §3).",
            kind.def.name, kind.core.id
        )));
    };
    let list = match v {
        Node::Array(l) if l.iter().all(|x| matches!(x, Node::String(_))) => Some(l),
        _ => None,
    };
    let Some(list) = list else {
        let v = shown(expl, v);
        expl.push("schemas", Outcome::RejectedSchemas, None, v.as_ref(), "RFC 7643 §3");
        return Err(ScimError::invalid_value("\"schemas\" must be an array of schema URN strings (RFC 7643 §3)."));
    };
    let urns: Vec<String> = list.iter().filter_map(Node::as_str).map(str::to_string).collect();
    if !urns.iter().any(|u| u.eq_ignore_ascii_case(&kind.core.id)) {
        let shown = shown(expl, v);
        expl.push("schemas", Outcome::RejectedSchemas, None, shown.as_ref(), "RFC 7643 §3");
        return Err(ScimError::invalid_value(format!(
            "\"schemas\" must include \"{}\" for a {} (RFC 7643 §3); got {}.",
            kind.core.id, kind.def.name, v
        )));
    }
    let mut kept = Vec::new();
    for u in urns {
        if u.eq_ignore_ascii_case(&kind.core.id) || kind.extension(&u).is_some() {
            kept.push(u);
            continue;
        }
        match behaviour.unknown_attributes {
            Unknown::Reject => {
                let shown = shown(expl, v);
                expl.push(
                    "schemas",
                    Outcome::RejectedUnknown,
                    None,
                    shown.as_ref(),
                    "behaviour.unknownAttributes = reject",
                );
                let known: Vec<&str> = std::iter::once(kind.core.id.as_str())
                    .chain(kind.extensions.iter().map(|(s, _)| s.id.as_str()))
                    .collect();
                return Err(ScimError::invalid_value(format!(
                    "\"schemas\" lists \"{u}\", which this server does not define for {}; known schemas: {} (RFC 7643 §3).",
                    kind.def.name,
                    known.join(", ")
                )));
            }
            Unknown::Ignore => {
                expl.push(
                    format!("schemas: {u}"),
                    Outcome::IgnoredUnknown,
                    None,
                    None,
                    "behaviour.unknownAttributes = ignore",
                );
            }
        }
    }
    Ok(kept)
}

/// Body entries filed by what they name, matched case-insensitively (RFC 7643 §2.1) through
/// the resource type's attribute table. Borrowed from the body: nothing is copied.
#[derive(Debug, Default)]
struct Claimed<'a> {
    id: Option<&'a Node<'a>>,
    meta: Option<&'a Node<'a>>,
    /// (body value, stored value) by attribute slot ([`crate::compiled::Table::attrs`]),
    /// then by extension slot; the stored values are filled in by [`apply`].
    slots: Vec<(Option<&'a Node<'a>>, Option<&'a Value>)>,
    /// Keys no schema defines, with their values.
    unknown: Vec<(&'a str, &'a Node<'a>)>,
}

fn claim_keys<'a>(kind: &'a ResourceKind, body: &'a [(Cow<'a, str>, Node<'a>)]) -> Result<Claimed<'a>, ScimError> {
    let t = &kind.table;
    let n = t.attrs.len() + t.exts.len();
    // One allocation for every slot (and not a zeroed one: `vec![None; n]` is a calloc).
    let mut slots = Vec::with_capacity(n);
    slots.resize(n, (None, None));
    let mut c = Claimed { slots, ..Claimed::default() };
    let mut schemas = false;
    for (key, value) in body {
        let (slot, name): (Option<&mut Option<&'a Node<'a>>>, &str) = match t.key(key) {
            Some(Key::Schemas) => {
                if std::mem::replace(&mut schemas, true) {
                    return Err(twice("schemas"));
                }
                continue;
            }
            Some(Key::Id) => (Some(&mut c.id), "id"),
            Some(Key::Meta) => (Some(&mut c.meta), "meta"),
            Some(Key::Attr(i)) => {
                (c.slots.get_mut(i).map(|(b, _)| b), t.attrs.get(i).map(|s| s.def.name.as_str()).unwrap_or_default())
            }
            Some(Key::Ext(e)) => (
                c.slots.get_mut(t.attrs.len() + e).map(|(b, _)| b),
                t.exts.get(e).map(|x| x.schema.id.as_str()).unwrap_or_default(),
            ),
            None => {
                c.unknown.push((key, value));
                continue;
            }
        };
        if let Some(slot) = slot {
            if slot.is_some() {
                return Err(twice(name));
            }
            *slot = Some(value);
        }
    }
    Ok(c)
}

fn twice(name: &str) -> ScimError {
    ScimError::invalid_syntax(format!(
        "Attribute '{name}' appears twice in the body (attribute names are case-insensitive, RFC 7643 §2.1)."
    ))
}

struct Replace<'a> {
    kind: &'a ResourceKind,
    behaviour: &'a Behaviour,
    mode: Mode,
    expl: &'a mut Explanation,
    norm: Normaliser<'a>,
    out: Map<String, Value>,
}

impl Replace<'_> {
    fn rule(&self) -> &'static str {
        match self.mode {
            Mode::Create => RFC_POST,
            Mode::Replace => RFC_PUT,
            Mode::Seed => "profile seed",
        }
    }

    /// `id` is readOnly (RFC 7643 §3.1); a PUT body's id that differs from the path is
    /// ignored or rejected per `behaviour.idMismatch`.
    fn id_field(&mut self, body_id: Option<&Node<'_>>, path_id: Option<&str>) -> Result<(), ScimError> {
        let Some(v) = body_id else {
            return Ok(());
        };
        let same = path_id.is_some() && v.as_str() == path_id;
        if self.mode == Mode::Replace && !same && self.behaviour.id_mismatch == IdMismatch::Reject {
            self.expl.push(
                "id",
                Outcome::RejectedIdMismatch,
                path_id.map(|p| Value::String(p.into())).as_ref(),
                Some(&v.to_value()),
                "behaviour.idMismatch = reject",
            );
            return Err(ScimError::invalid_value(format!(
                "The body's \"id\" {v} does not match the id in the path \"{}\" (behaviour.idMismatch = reject).",
                path_id.unwrap_or_default()
            )));
        }
        let shown = shown(self.expl, v);
        let e = self.expl.push("id", Outcome::IgnoredReadOnly, None, shown.as_ref(), RFC_READ_ONLY);
        e.note = if same || self.mode != Mode::Replace {
            "id is assigned by the service provider".into()
        } else {
            "the body's id differs from the path; the path wins (behaviour.idMismatch = ignore)".into()
        };
        Ok(())
    }

    /// One attribute (top-level or inside an extension): body value `bv`, stored `ov`.
    /// Returns the value the resource holds afterwards.
    fn attribute(
        &mut self,
        attr: &Attribute,
        path: &str,
        bv: Option<&Node<'_>>,
        ov: Option<&Value>,
    ) -> Result<Option<Value>, ScimError> {
        let secret = attr.mutability == Mutability::WriteOnly;
        let hidden = || Value::String("(hidden: writeOnly)".into());
        let shown = |v: Option<&Value>| if secret { v.map(|_| hidden()) } else { v.cloned() };
        let shown_body = |v: &Node<'_>| if secret { hidden() } else { v.to_value() };
        let Some(bv) = bv else {
            return Ok(self.omitted(attr, path, ov));
        };
        if attr.mutability == Mutability::ReadOnly && self.mode != Mode::Seed {
            let b = self.expl.is_on().then(|| bv.to_value());
            let e = self.expl.push(path, Outcome::IgnoredReadOnly, ov, b.as_ref(), RFC_READ_ONLY);
            e.note = "readOnly values in a request body are ignored; the stored value stays".into();
            return Ok(ov.cloned());
        }
        let nv = match self.norm.value(attr, bv, path) {
            Ok(v) => v,
            Err(err) => {
                let (old, new) = (shown(ov), Some(shown_body(bv)));
                self.expl.push(path, Outcome::RejectedType, old.as_ref(), new.as_ref(), RFC_TYPES).note =
                    err.detail.clone();
                return Err(err);
            }
        };
        let nv = match (nv, ov) {
            (Some(Value::Object(mut n)), Some(Value::Object(o)))
                if self.behaviour.complex_replace == ComplexReplace::Merge =>
            {
                for (k, v) in o {
                    if !n.contains_key(k) {
                        n.insert(k.clone(), v.clone());
                    }
                }
                Some(Value::Object(n))
            }
            (nv, _) => nv,
        };
        if attr.mutability == Mutability::Immutable {
            if let Some(o) = ov {
                if !nv.as_ref().is_some_and(|n| same_value(n, o)) {
                    let e = self.expl.push(path, Outcome::RejectedImmutable, Some(o), nv.as_ref(), RFC_IMMUTABLE);
                    e.note = "an immutable attribute may be set once; later values must equal it".into();
                    return Err(ScimError::mutability(format!(
                        "Attribute '{path}' is immutable: it is {o} and cannot become {} (RFC 7643 §7).",
                        nv.map_or_else(|| "empty".to_string(), |v| v.to_string())
                    )));
                }
            }
        }
        let rule = self.rule();
        let outcome = match (&nv, ov) {
            (None, Some(_)) if bv.is_null() => Outcome::ClearedByNull,
            (None, Some(_)) => Outcome::ClearedByEmptyArray,
            (None, None) => Outcome::Unchanged,
            (Some(_), None) => Outcome::Added,
            (Some(n), Some(o)) if same_value(n, o) => Outcome::Unchanged,
            (Some(_), Some(_)) => Outcome::Replaced,
        };
        let rule =
            if outcome == Outcome::Added && attr.mutability == Mutability::Immutable { RFC_IMMUTABLE } else { rule };
        let (shown_old, shown_new) = if self.expl.is_on() { (shown(ov), shown(nv.as_ref())) } else { (None, None) };
        let e = self.expl.push_owned(path, outcome, shown_old, shown_new, rule);
        if nv.is_none() && ov.is_none() {
            e.note = "cleared, but there was no value".into();
        }
        Ok(nv)
    }

    /// An attribute the body leaves out.
    fn omitted(&mut self, attr: &Attribute, path: &str, ov: Option<&Value>) -> Option<Value> {
        let ov = ov?;
        match (attr.mutability, self.mode) {
            (Mutability::ReadOnly, _) => Some(ov.clone()),
            (Mutability::WriteOnly, _) => {
                let e = self.expl.push(path, Outcome::KeptWriteOnly, None, None, RFC_WRITE_ONLY);
                e.note = "an omitted writeOnly attribute (password) is kept: clients cannot read it back to resend it"
                    .into();
                Some(ov.clone())
            }
            (Mutability::Immutable, _) => {
                self.expl.push(path, Outcome::KeptImmutable, Some(ov), Some(ov), RFC_IMMUTABLE);
                Some(ov.clone())
            }
            (Mutability::ReadWrite, _) => match self.behaviour.omitted {
                Omitted::Clear => {
                    let e = self.expl.push(path, Outcome::ClearedOmitted, Some(ov), None, "behaviour.omitted = clear");
                    e.note =
                        "PUT replaces the whole resource: what the body leaves out is cleared (RFC 7644 §3.5.1)".into();
                    None
                }
                Omitted::Keep => {
                    let e = self.expl.push(path, Outcome::KeptOmitted, Some(ov), Some(ov), "behaviour.omitted = keep");
                    e.note = "this service keeps attributes a PUT leaves out; send null to clear".into();
                    Some(ov.clone())
                }
            },
        }
    }

    /// An extension schema's object (RFC 7643 §3.3).
    fn extension(
        &mut self,
        ext: &ExtSlot,
        bv: Option<&Node<'_>>,
        listed: bool,
        ov: Option<&Value>,
    ) -> Result<Option<Map<String, Value>>, ScimError> {
        let (schema, required) = (&ext.schema, ext.required);
        let urn = schema.id.as_str();
        let body_obj = match bv {
            None | Some(Node::Null) => None,
            Some(Node::Object(o)) => Some(o),
            Some(other) => {
                self.expl.push(urn, Outcome::RejectedType, ov, Some(&other.to_value()), "RFC 7643 §3.3");
                return Err(ScimError::invalid_value(format!(
                    "\"{urn}\" must be an object holding that extension's attributes (RFC 7643 §3.3); got {}.",
                    other.kind()
                )));
            }
        };
        if let Some(obj) = body_obj {
            if !listed && !obj.is_empty() {
                match self.behaviour.missing_extension_urn {
                    MissingExtensionUrn::Reject => {
                        let b = bv.map(Node::to_value);
                        self.expl.push(
                            urn,
                            Outcome::RejectedSchemas,
                            ov,
                            b.as_ref(),
                            "behaviour.missingExtensionUrn = reject",
                        );
                        return Err(ScimError::invalid_value(format!(
                            "The body carries extension \"{urn}\" but \"schemas\" does not list it; add it to \"schemas\" (RFC 7643 §3)."
                        )));
                    }
                    MissingExtensionUrn::Accept => {
                        self.expl.notes.push(format!("\"{urn}\" was not listed in \"schemas\"; accepted anyway (behaviour.missingExtensionUrn = accept)."));
                    }
                }
            }
        }
        let empty = Map::new();
        let old_obj = ov.and_then(Value::as_object).unwrap_or(&empty);
        let mut out = Map::with_capacity(body_obj.map_or(0, Vec::len));
        // The body's keys by attribute (the first spelling of each; a second is unknown).
        let mut body_attrs: Vec<Option<&Node<'_>>> = Vec::new();
        if body_obj.is_some() {
            body_attrs.resize(schema.attributes.len(), None);
        }
        let mut unknown: Vec<(&str, &Node<'_>)> = Vec::new();
        let mut schemas_key = None;
        for (k, v) in body_obj.into_iter().flatten() {
            match ext.names.find(k).and_then(|i| body_attrs.get_mut(i)) {
                Some(slot @ None) => *slot = Some(v),
                _ if k.eq_ignore_ascii_case("schemas") => schemas_key = schemas_key.or(Some(v)),
                _ => unknown.push((k, v)),
            }
        }
        // `{urn}:{name}`, built in one buffer (this runs for every extension attribute of
        // every write).
        let mut path = String::with_capacity(urn.len() + 32);
        for (i, attr) in schema.attributes.iter().enumerate() {
            let v = body_attrs.get(i).copied().flatten();
            path.clear();
            path.push_str(urn);
            path.push(':');
            path.push_str(&attr.name);
            // A body that sends the extension as null clears every attribute in it.
            let v = if bv.is_some_and(Node::is_null) { Some(&Node::Null) } else { v };
            if let Some(nv) = self.attribute(attr, &path, v, field(old_obj, &attr.name))? {
                out.insert(attr.name.clone(), nv);
            }
        }
        if body_obj.is_some() {
            // Some clients (scim2-models based ones) serialise an extension object with its
            // own `schemas` key. `schemas` is a resource-level attribute (RFC 7643 §3), never
            // an extension attribute, so it is ignored here whatever `unknownAttributes` says.
            if let Some(v) = schemas_key {
                let v = shown(self.expl, v);
                self.expl
                    .push(format!("{urn}:schemas"), Outcome::IgnoredUnknown, None, v.as_ref(), "RFC 7643 §3")
                    .note = "\"schemas\" belongs to the resource, not to an extension object; ignored".into();
            }
            self.unknown(&unknown, urn)?;
        }
        if required && out.is_empty() {
            self.expl.push(urn, Outcome::RejectedRequired, ov, None, RFC_REQUIRED);
            return Err(ScimError::invalid_value(format!(
                "Extension \"{urn}\" is required for {} resources (RFC 7643 §6).",
                self.kind.def.name
            )));
        }
        Ok(if out.is_empty() { None } else { Some(out) })
    }

    /// Keys no schema defines (`prefix` is the extension URN, or "" at the top level).
    fn unknown(&mut self, keys: &[(&str, &Node<'_>)], prefix: &str) -> Result<(), ScimError> {
        for &(key, value) in keys {
            let path = if prefix.is_empty() { key.to_string() } else { format!("{prefix}:{key}") };
            let value = shown(self.expl, value);
            match self.behaviour.unknown_attributes {
                Unknown::Reject => {
                    self.expl.push(
                        path.clone(),
                        Outcome::RejectedUnknown,
                        None,
                        value.as_ref(),
                        "behaviour.unknownAttributes = reject",
                    );
                    let hint = suggestion(self.kind, key).map(|s| format!(" Did you mean '{s}'?")).unwrap_or_default();
                    return Err(ScimError::invalid_syntax(format!(
                        "Attribute '{path}' is not defined for {} by any schema of this server (behaviour.unknownAttributes = reject).{hint}",
                        self.kind.def.name
                    )));
                }
                Unknown::Ignore => {
                    self.expl
                        .push(
                            path,
                            Outcome::IgnoredUnknown,
                            None,
                            value.as_ref(),
                            "behaviour.unknownAttributes = ignore",
                        )
                        .note = "no schema defines this attribute; it was dropped".into();
                }
            }
        }
        Ok(())
    }

    /// RFC 7643 §7 `required`: present after the write, also as sub-attributes of present
    /// complex values.
    fn required(&mut self) -> Result<(), ScimError> {
        let t = &self.kind.table;
        for attr in t.required.iter().filter_map(|&i| t.attrs.get(i)).map(|s| &s.def) {
            let v = field(&self.out, &attr.name);
            if attr.required && attr.mutability != Mutability::ReadOnly && v.is_none() {
                self.expl.push(attr.name.clone(), Outcome::RejectedRequired, None, None, RFC_REQUIRED);
                let extra = if self.mode == Mode::Replace && self.behaviour.omitted == Omitted::Clear {
                    " A PUT replaces the whole resource, so the body must include it."
                } else {
                    ""
                };
                return Err(ScimError::invalid_value(format!(
                    "Attribute '{}' is required for a {} (RFC 7643 §7).{extra}",
                    attr.name, self.kind.def.name
                )));
            }
            if let Some(v) = v {
                let items: Vec<&Value> = match v {
                    Value::Array(a) => a.iter().collect(),
                    other => vec![other],
                };
                for (i, item) in items.into_iter().enumerate() {
                    for sub in attr.sub_attributes.iter().filter(|s| s.required && s.mutability != Mutability::ReadOnly)
                    {
                        if value_field(item, &sub.name).is_none() {
                            let path = if attr.multi_valued {
                                format!("{}[{i}].{}", attr.name, sub.name)
                            } else {
                                format!("{}.{}", attr.name, sub.name)
                            };
                            self.expl.push(path.clone(), Outcome::RejectedRequired, None, None, RFC_REQUIRED);
                            return Err(ScimError::invalid_value(format!(
                                "Sub-attribute '{path}' is required (RFC 7643 §7)."
                            )));
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

/// A body value as the explanation shows it: copied only when the explanation records.
fn shown(expl: &Explanation, v: &Node<'_>) -> Option<Value> {
    expl.is_on().then(|| v.to_value())
}

/// A known attribute name close to an unknown one (typos such as `username` are caught by
/// case-insensitivity already; this catches `emailAddress` → `emails`, `givenName` → `name`).
fn suggestion(kind: &ResourceKind, key: &str) -> Option<String> {
    let k = key.to_ascii_lowercase();
    for a in &kind.core.attributes {
        let n = a.name.to_ascii_lowercase();
        if k.starts_with(&n) || n.starts_with(&k) || (k.len() > 3 && n.contains(&k)) {
            return Some(a.name.clone());
        }
        for s in &a.sub_attributes {
            if s.name.eq_ignore_ascii_case(key) {
                return Some(format!("{}.{}", a.name, s.name));
            }
        }
    }
    None
}
