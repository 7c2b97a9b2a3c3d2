//! Attribute tables: each resource type's schemas compiled once, when the profile loads
//! ([`crate::profile::registry::Registry`]), into the lists a write walks by index.
//!
//! A write used to find every attribute by name: each body key against every attribute
//! (case-insensitively), each attribute against the body's keys, and each attribute against
//! the stored resource's keys. With a table, each body key and each stored key is looked up
//! once ([`Table::key`]) and lands in a slot; the replace engine then walks the slots in
//! schema order (see [`crate::replace`]).
//!
//! Slot order is the write order of [`crate::replace`]: the writable common attributes
//! (`externalId`, RFC 7643 §3.1), then the core schema's attributes, then one slot per
//! extension schema (its URN as key, its attributes as a table of their own).

use crate::schema::{Attribute, Mutability, Schema};

/// What a top-level key of a resource (or body) names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Key {
    Schemas,
    Id,
    Meta,
    /// An attribute slot ([`Table::attrs`]).
    Attr(usize),
    /// An extension slot ([`Table::exts`]).
    Ext(usize),
}

/// Names matched case-insensitively (RFC 7643 §2.1), each stored once in ASCII lowercase.
#[derive(Debug, Clone)]
pub(crate) struct Names<K> {
    /// (lowercase name, name as defined, key)
    entries: Vec<(Box<str>, Box<str>, K)>,
}

impl<K> Default for Names<K> {
    fn default() -> Self {
        Names { entries: Vec::new() }
    }
}

impl<K: Copy> Names<K> {
    /// Adds `name` unless an earlier entry has it (the first definition wins).
    fn add(&mut self, name: &str, key: K) {
        if self.find(name).is_none() {
            self.entries.push((name.to_ascii_lowercase().into_boxed_str(), name.into(), key));
        }
    }

    /// The entry for `name`, compared without case.
    pub fn find(&self, name: &str) -> Option<K> {
        let n = name.as_bytes();
        self.entries
            .iter()
            .find(|(lower, _, _)| {
                lower.len() == n.len() && lower.bytes().zip(n).all(|(l, c)| l == c.to_ascii_lowercase())
            })
            .map(|(_, _, k)| *k)
    }

    /// The entry spelt exactly `name` (keys of a stored resource, written in schema spelling).
    pub fn find_exact(&self, name: &str) -> Option<K> {
        self.entries.iter().find(|(_, n, _)| **n == *name).map(|(_, _, k)| *k)
    }
}

/// One attribute: its definition (type, multiValued, mutability, returned, uniqueness,
/// caseExact, canonical values, sub-attributes) and where a body's value for it is claimed.
#[derive(Debug, Clone)]
pub(crate) struct Slot {
    pub def: Attribute,
    /// The slot whose name this one has (itself, unless a core attribute repeats a common
    /// one): body and stored values are filed under that slot.
    pub claim: usize,
}

/// An extension schema of a resource type, compiled.
#[derive(Debug, Clone)]
pub(crate) struct ExtSlot {
    pub schema: Schema,
    pub required: bool,
    /// The extension's attributes by name → index into `schema.attributes`.
    pub names: Names<usize>,
}

/// A resource type's attributes, compiled.
#[derive(Debug, Clone, Default)]
pub(crate) struct Table {
    /// Writable common attributes, then core attributes, in write order.
    pub attrs: Vec<Slot>,
    pub exts: Vec<ExtSlot>,
    /// Every top-level key a resource or body may hold.
    names: Names<Key>,
    /// Attribute slots that are required or have required sub-attributes (RFC 7643 §7).
    pub required: Vec<usize>,
    /// The core schema has a multi-valued complex `members` ([`crate::groups::is_group`]).
    pub group: bool,
    /// Not a group, and a multi-valued complex `groups` ([`crate::groups::is_user`]).
    pub user: bool,
}

impl Table {
    /// Compiles a resource type's core schema, common attributes and extensions.
    pub fn new(core: &Schema, common: &[Attribute], extensions: &[(Schema, bool)]) -> Table {
        let mut t = Table::default();
        t.names.add("schemas", Key::Schemas);
        t.names.add("id", Key::Id);
        t.names.add("meta", Key::Meta);
        // Names resolve to core attributes before common ones, as RFC 7643 §3.1 common
        // attributes never shadow a schema's own.
        let writable_common = common.iter().filter(|a| a.mutability != Mutability::ReadOnly);
        let order: Vec<&Attribute> = writable_common.clone().chain(&core.attributes).collect();
        let common_n = writable_common.count();
        for (i, a) in core.attributes.iter().enumerate() {
            t.names.add(&a.name, Key::Attr(common_n + i));
        }
        for (i, a) in order.iter().enumerate().take(common_n) {
            t.names.add(&a.name, Key::Attr(i));
        }
        for (i, a) in order.iter().enumerate() {
            let claim = match t.names.find(&a.name) {
                Some(Key::Attr(j)) => j,
                _ => i,
            };
            t.attrs.push(Slot { def: (*a).clone(), claim });
        }
        for (e, (schema, required)) in extensions.iter().enumerate() {
            t.names.add(&schema.id, Key::Ext(e));
            let mut names = Names::default();
            for (i, a) in schema.attributes.iter().enumerate() {
                names.add(&a.name, i);
            }
            t.exts.push(ExtSlot { schema: schema.clone(), required: *required, names });
        }
        let complex_list = |name: &str| core.attribute(name).is_some_and(|a| a.is_complex() && a.multi_valued);
        t.group = complex_list("members");
        t.user = !t.group && complex_list("groups");
        t.required = (common_n..t.attrs.len())
            .filter(|&i| {
                t.attrs.get(i).is_some_and(|s| s.def.required || s.def.sub_attributes.iter().any(|x| x.required))
            })
            .collect();
        t
    }

    /// What a top-level key names, compared without case.
    pub fn key(&self, name: &str) -> Option<Key> {
        self.names.find(name)
    }

    /// What a stored top-level key names (exact spelling, as [`crate::value::field`] finds).
    pub fn stored_key(&self, name: &str) -> Option<Key> {
        self.names.find_exact(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{GROUP_SCHEMA, USER_SCHEMA, builtin_schema_sources, common_attributes};

    fn builtin(urn: &str) -> Schema {
        let sources = builtin_schema_sources();
        let mut all = sources.iter().filter_map(|s| serde_json::from_str::<Schema>(s).ok());
        all.find(|s| s.id == urn).unwrap_or_else(|| panic!("{urn}"))
    }

    #[test]
    fn keys_resolve_without_case_to_slots_in_write_order() {
        let enterprise = builtin(crate::schema::ENTERPRISE_USER_SCHEMA);
        let t = Table::new(&builtin(USER_SCHEMA), &common_attributes(), &[(enterprise, false)]);
        let first = t.attrs.first().map(|s| s.def.name.as_str());
        assert_eq!(first, Some("externalId"), "writable common attributes come first");
        let Some(Key::Attr(i)) = t.key("USERNAME") else { panic!("userName has a slot") };
        assert_eq!(t.attrs.get(i).map(|s| s.def.name.as_str()), Some("userName"));
        assert_eq!(t.key("Schemas"), Some(Key::Schemas));
        assert_eq!(t.key("meta"), Some(Key::Meta));
        assert_eq!(t.key("urn:ietf:params:scim:schemas:extension:enterprise:2.0:user"), Some(Key::Ext(0)));
        assert_eq!(t.stored_key("username"), None, "stored keys match exactly");
        assert_eq!(t.key("userNam"), None);
        assert!(t.required.iter().any(|&i| t.attrs.get(i).is_some_and(|s| s.def.name == "userName")));
        assert!(t.user && !t.group);
        let group = Table::new(&builtin(GROUP_SCHEMA), &common_attributes(), &[]);
        assert!(group.group && !group.user);
        let ext = t.exts.first().unwrap_or_else(|| panic!("enterprise extension"));
        assert!(ext.names.find("EMPLOYEENUMBER").is_some());
    }
}
