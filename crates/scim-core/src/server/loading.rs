//! Loading is validation: a snapshot given to [`Server::restore`] (a `--state` file, the
//! wasm `MockServer.restore`, the playground's import) holds only what requests to this
//! profile could have produced. Each stored resource goes through the same replace engine a
//! POST runs ([`crate::replace::apply`], readOnly values kept as a seed keeps them), under
//! the profile's knobs made strict (an attribute no schema defines, a string boolean or a
//! second primary would have been refused or rewritten by a request); the result must be
//! the resource as stored. Then `id` and `meta` (RFC 7643 §3.1), group members (RFC 7643
//! §4.2), and uniqueness across the store ([`crate::store::Store::restore`]). The first
//! problem refuses the whole snapshot, naming the resource, the attribute and the reason;
//! the server keeps its state.

use serde_json::{Map, Value};

use crate::explain::Explanation;
use crate::groups;
use crate::profile::registry::ResourceKind;
use crate::profile::types::{Behaviour, MultiplePrimary, StringBooleans, Unknown};
use crate::replace::{self, Mode, Target};
use crate::resource::Resource;
use crate::store::Store;
use crate::time::parse_datetime;
use crate::value::same_value;

use super::Server;

impl Server {
    /// Checks every resource of a restored store (see the module docs).
    pub(super) fn check_loaded(&self, store: &Store) -> Result<(), String> {
        let strict = self.strict_behaviour();
        for kind in &self.registry.kinds {
            for (i, r) in store.iter(&kind.def.name).enumerate() {
                let id = r.get("id").and_then(Value::as_str).unwrap_or_default();
                let at = format!(
                    "snapshot: resources.{}[{i}] (id {})",
                    kind.def.name,
                    crate::error::excerpt(&format!("{id:?}"))
                );
                self.check_resource(kind, &strict, store, r).map_err(|why| format!("{at}: {why}"))?;
            }
        }
        Ok(())
    }

    /// Checks one resource a journal record puts back ([`Server::replay`]) as loading checks
    /// a stored one: a journal is a state file too.
    pub(super) fn check_replayed(&self, kind_name: &str, r: &Resource) -> Result<(), String> {
        let kind =
            self.registry.kind(kind_name).ok_or_else(|| format!("resource type {kind_name:?} is not defined"))?;
        let strict = self.strict_behaviour();
        self.check_resource(kind, &strict, &self.store, r)
    }

    /// The profile's knobs with what a request would have refused or rewritten made strict.
    fn strict_behaviour(&self) -> Behaviour {
        Behaviour {
            unknown_attributes: Unknown::Reject,
            string_booleans: StringBooleans::Reject,
            multiple_primary: MultiplePrimary::Reject,
            ..self.profile.behaviour.clone()
        }
    }

    fn check_resource(
        &self,
        kind: &ResourceKind,
        strict: &Behaviour,
        store: &Store,
        r: &Resource,
    ) -> Result<(), String> {
        check_id(r)?;
        check_meta(kind, r)?;
        let mut expl = Explanation::off();
        // Read in place: the resource is not copied into a body first.
        let body = crate::json::Node::Object(
            r.iter().map(|(k, v)| (std::borrow::Cow::Borrowed(k.as_str()), crate::json::Node::from_value(v))).collect(),
        );
        let written =
            replace::apply(kind, strict, Target::new_resource(Mode::Seed), &body, &mut expl).map_err(|e| e.detail)?;
        if let Some(why) = difference(r, &written.attributes, &written.schemas) {
            return Err(why);
        }
        if groups::is_group(kind) {
            let mut attrs = written.attributes;
            groups::check_members(store, &self.registry, r.get("id").and_then(Value::as_str), &mut attrs, &mut expl)
                .map_err(|e| e.detail)?;
        }
        Ok(())
    }
}

/// RFC 7643 §3.1: a string the server can serve at `/{endpoint}/{id}`
/// ([`crate::resource::unservable_id`]).
fn check_id(r: &Resource) -> Result<(), String> {
    let why = match r.get("id") {
        Some(Value::String(s)) => crate::resource::unservable_id(s),
        _ => Some("must be a string"),
    };
    match why {
        Some(why) => Err(format!("\"id\" {why} (RFC 7643 §3.1).")),
        None => Ok(()),
    }
}

/// RFC 7643 §3.1: `meta` is an object with the type's `resourceType`, `created` and
/// `lastModified` instants and, when present, a `W/"n"` version.
fn check_meta(kind: &ResourceKind, r: &Resource) -> Result<(), String> {
    let Some(Value::Object(meta)) = r.get("meta") else {
        return Err("\"meta\" must be an object (RFC 7643 §3.1).".into());
    };
    let want = kind.meta_resource_type();
    if meta.get("resourceType").and_then(Value::as_str) != Some(want) {
        return Err(format!("meta.resourceType must be {want:?} (RFC 7643 §3.1)."));
    }
    for name in ["created", "lastModified"] {
        if meta.get(name).and_then(Value::as_str).is_none_or(|s| parse_datetime(s).is_none()) {
            return Err(format!(
                "meta.{name} must be an xsd:dateTime such as 2026-01-01T00:00:00.000Z (RFC 7643 §3.1)."
            ));
        }
    }
    if let Some(v) = meta.get("version") {
        let ok = v
            .as_str()
            .and_then(|s| s.strip_prefix("W/\"")?.strip_suffix('"'))
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) && n.parse::<u64>().is_ok());
        if !ok {
            return Err("meta.version must be a weak entity tag such as W/\"3\" (RFC 7644 §3.14).".into());
        }
    }
    if let Some(extra) =
        meta.keys().find(|k| !matches!(k.as_str(), "resourceType" | "created" | "lastModified" | "version"))
    {
        return Err(format!("meta.{} is not stored by this server (RFC 7643 §3.1).", crate::error::excerpt(extra)));
    }
    Ok(())
}

/// Where a stored resource differs from what the replace engine makes of it: an attribute a
/// request would have spelled, typed or shaped otherwise.
fn difference(stored: &Resource, written: &Map<String, Value>, schemas: &[String]) -> Option<String> {
    let stored_schemas: Vec<&str> =
        stored.get("schemas").and_then(Value::as_array).map(|a| a.iter().filter_map(Value::as_str).collect())?;
    if stored_schemas != schemas {
        return Some(format!("\"schemas\" must be {schemas:?}, as a request would store it (RFC 7643 §3)."));
    }
    for (key, v) in stored {
        if matches!(key.as_str(), "schemas" | "id" | "meta") {
            continue;
        }
        let shown = crate::error::excerpt(key);
        match written.get(key) {
            None => {
                return Some(format!(
                    "attribute '{shown}' is not stored in this form: no schema of this profile defines it in this spelling, or it holds no value (RFC 7643 §2, §7)."
                ));
            }
            Some(w) if !same_value(v, w) || !same_spelling(v, w) => {
                return Some(format!(
                    "attribute '{shown}' is not stored in this form: a request would have stored {} (RFC 7643 §2.3).",
                    crate::error::excerpt(&w.to_string())
                ));
            }
            Some(_) => {}
        }
    }
    written.keys().find(|k| !stored.contains_key(k.as_str())).map(|k| format!("attribute '{k}' is missing."))
}

/// Whether two equal values ([`same_value`] compares keys case-insensitively) also spell
/// every key alike.
fn same_spelling(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same_spelling(v, w))),
        (Value::Array(x), Value::Array(y)) => x.iter().zip(y).all(|(v, w)| same_spelling(v, w)),
        _ => true,
    }
}
