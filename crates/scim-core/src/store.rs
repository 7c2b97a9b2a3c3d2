//! The in-memory store: resources by type and id, with indexes for `id` and for every
//! top-level attribute whose `uniqueness` is `server` or `global` (RFC 7643 §7), such as
//! `userName`. The whole store serialises to one JSON value ([`Store::snapshot`]).
//!
//! Filter indexes ([`Lookup`]): for those attributes, `externalId` and `emails.value`, every
//! string value folded as the filter compares it (lowercased unless `caseExact`), in a
//! sorted map to the creation orders of the resources holding it, so `eq` is one lookup and
//! `sw` one range; and each 3-byte piece of those folded values → creation orders, so `co`
//! reads the resources holding every piece of its literal (a superset the filter checks). Every write goes through [`Store::put`], [`Store::put_at`] or
//! [`Store::remove`] (restore and journal replay included), and each keeps them exact.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::OnceLock;

use crate::filter::{CmpOp, Probe};

use serde_json::{Map, Value, json};

use crate::profile::registry::Registry;
use crate::resource::Resource;
use crate::schema::{AttrType, Uniqueness};
use crate::value::field;

mod undo;

/// Snapshot format marker and version.
pub(crate) const SNAPSHOT_FORMAT: &str = "scim-playground-store";
/// 2 added the id source and clock state (`ids`, `clock`); 1 is still read.
pub(crate) const SNAPSHOT_VERSION: u64 = 2;

#[derive(Debug, Clone, Default)]
struct Collection {
    /// Creation order → resource.
    by_seq: BTreeMap<u64, Resource>,
    /// id → creation order.
    by_id: HashMap<String, u64>,
    /// For each unique attribute (name, caseExact): normalised value → id.
    unique: Vec<(String, bool, HashMap<String, String>)>,
    /// Filter indexes.
    lookups: Vec<Lookup>,
}

impl Collection {
    /// Files `resource` under `seq` and `id`, in every index (unique values, filter lookups).
    fn insert_at(&mut self, seq: u64, id: &str, resource: Resource) {
        for (name, case_exact, index) in &mut self.unique {
            if let Some(v) = resource.get(name.as_str()).and_then(Value::as_str) {
                index.insert(norm(v, *case_exact), id.to_string());
            }
        }
        self.by_id.insert(id.to_string(), seq);
        self.index(seq, &resource);
        self.by_seq.insert(seq, resource);
    }
}

/// A filter index on the string values at `attr` (or at `attr.sub` in each of its values):
/// folded value → creation orders of the resources holding it, ascending.
#[derive(Debug, Clone)]
struct Lookup {
    attr: String,
    sub: Option<String>,
    case_exact: bool,
    keys: BTreeMap<String, Vec<u64>>,
    /// Each 3-byte window of the folded values → creation orders holding it. Built on the
    /// first `co` query (loading a store does not pay for it), kept by every write after.
    grams: OnceLock<Grams>,
}

type Grams = HashMap<[u8; 3], BTreeSet<u64>>;

/// The 3-byte windows of `s`.
fn grams(s: &str) -> impl Iterator<Item = [u8; 3]> + '_ {
    s.as_bytes().windows(3).filter_map(|w| <[u8; 3]>::try_from(w).ok())
}

impl Lookup {
    /// The string values a filter on this path compares, as `crate::filter` reaches them:
    /// the attribute's value, or each item of an array; `sub` of each when set.
    fn values<'r>(&self, res: &'r Resource) -> impl Iterator<Item = &'r str> + use<'r, '_> {
        let items: &[Value] = match field(res, &self.attr) {
            Some(Value::Array(a)) => a,
            Some(other) => std::slice::from_ref(other),
            None => &[],
        };
        let sub = self.sub.as_deref();
        items
            .iter()
            .filter_map(move |x| match sub {
                // `value_field`: compared in turn, not hashed (an item has a few keys).
                Some(s) => crate::value::value_field(x, s),
                None => Some(x),
            })
            .filter_map(Value::as_str)
    }

    fn insert(&mut self, seq: u64, res: &Resource) {
        let values: Vec<String> = self.values(res).map(|v| norm(v, self.case_exact)).collect();
        for key in values {
            if let Some(index) = self.grams.get_mut() {
                for g in grams(&key) {
                    index.entry(g).or_default().insert(seq);
                }
            }
            let seqs = self.keys.entry(key).or_default();
            if let Err(at) = seqs.binary_search(&seq) {
                seqs.insert(at, seq);
            }
        }
    }

    fn remove(&mut self, seq: u64, res: &Resource) {
        let values: Vec<String> = self.values(res).map(|v| norm(v, self.case_exact)).collect();
        for key in values {
            if let Some(index) = self.grams.get_mut() {
                for g in grams(&key) {
                    if let Some(set) = index.get_mut(&g) {
                        set.remove(&seq);
                        if set.is_empty() {
                            index.remove(&g);
                        }
                    }
                }
            }
            if let Some(seqs) = self.keys.get_mut(&key) {
                seqs.retain(|s| *s != seq);
                if seqs.is_empty() {
                    self.keys.remove(&key);
                }
            }
        }
    }

    /// Creation orders whose folded value equals `key` (`eq`), starts with it (`sw`), or
    /// (`co`) holds every 3-byte piece of it (a superset of those containing it), ascending.
    fn find(&self, key: &str, op: CmpOp) -> Vec<u64> {
        // Every folded value is a key of `keys`, with the creation orders holding it.
        let index = || {
            self.grams.get_or_init(|| {
                let mut out = Grams::new();
                for (value, seqs) in &self.keys {
                    for g in grams(value) {
                        out.entry(g).or_default().extend(seqs.iter().copied());
                    }
                }
                out
            })
        };
        match op {
            CmpOp::Eq => self.keys.get(key).cloned().unwrap_or_default(),
            CmpOp::Sw => {
                let mut out: Vec<u64> = self
                    .keys
                    .range::<str, _>((std::ops::Bound::Included(key), std::ops::Bound::Unbounded))
                    .take_while(|(k, _)| k.starts_with(key))
                    .flat_map(|(_, seqs)| seqs.iter().copied())
                    .collect();
                out.sort_unstable();
                out.dedup();
                out
            }
            _ => {
                let mut sets: Vec<&BTreeSet<u64>> = Vec::new();
                for g in grams(key) {
                    match index().get(&g) {
                        Some(set) => sets.push(set),
                        None => return Vec::new(),
                    }
                }
                sets.sort_by_key(|s| s.len());
                let Some((first, rest)) = sets.split_first() else { return Vec::new() };
                first.iter().copied().filter(|seq| rest.iter().all(|s| s.contains(seq))).collect()
            }
        }
    }
}

impl Collection {
    fn index(&mut self, seq: u64, res: &Resource) {
        for l in &mut self.lookups {
            l.insert(seq, res);
        }
    }
}

/// The filter indexes of a resource type (core and common attributes): unique top-level
/// strings, `externalId`, and `emails.value`.
fn lookups<'a>(attributes: impl Iterator<Item = &'a crate::schema::Attribute>) -> Vec<Lookup> {
    let mut out = Vec::new();
    for a in attributes {
        let top_string = a.kind == AttrType::String && !a.multi_valued;
        if top_string && (a.uniqueness != Uniqueness::None || a.name == "externalId") {
            out.push(Lookup {
                attr: a.name.clone(),
                sub: None,
                case_exact: a.case_exact,
                keys: BTreeMap::new(),
                grams: OnceLock::new(),
            });
        } else if a.name == "emails" && a.kind == AttrType::Complex {
            if let Some(v) = a.sub("value").filter(|v| v.kind == AttrType::String) {
                out.push(Lookup {
                    attr: a.name.clone(),
                    sub: Some(v.name.clone()),
                    case_exact: v.case_exact,
                    keys: BTreeMap::new(),
                    grams: OnceLock::new(),
                });
            }
        }
    }
    out
}

/// All resources of one server.
#[derive(Debug, Clone, Default)]
pub(crate) struct Store {
    collections: BTreeMap<String, Collection>,
    next_seq: u64,
    next_numeric: Option<u64>,
}

fn norm(v: &str, case_exact: bool) -> String {
    if case_exact { v.to_string() } else { v.to_lowercase() }
}

/// [`norm`] without a copy when the value already is in normal form (lookups only).
fn norm_ref(v: &str, case_exact: bool) -> std::borrow::Cow<'_, str> {
    if case_exact || (v.is_ascii() && !v.bytes().any(|b| b.is_ascii_uppercase())) {
        std::borrow::Cow::Borrowed(v)
    } else {
        std::borrow::Cow::Owned(v.to_lowercase())
    }
}

impl Store {
    /// An empty store with collections and unique indexes for the registry's types.
    pub fn new(registry: &Registry) -> Store {
        let mut collections = BTreeMap::new();
        for kind in &registry.kinds {
            let unique = kind
                .core
                .attributes
                .iter()
                .filter(|a| a.uniqueness != Uniqueness::None && !a.multi_valued && a.kind == AttrType::String)
                .map(|a| (a.name.clone(), a.case_exact, HashMap::new()))
                .collect();
            let lookups = lookups(kind.core.attributes.iter().chain(&kind.common));
            collections.insert(kind.def.name.clone(), Collection { unique, lookups, ..Collection::default() });
        }
        Store { collections, next_seq: 1, next_numeric: None }
    }

    pub fn get(&self, kind: &str, id: &str) -> Option<&Resource> {
        let c = self.collections.get(kind)?;
        c.by_seq.get(c.by_id.get(id)?)
    }

    pub fn contains(&self, kind: &str, id: &str) -> bool {
        self.collections.get(kind).is_some_and(|c| c.by_id.contains_key(id))
    }

    pub fn len(&self, kind: &str) -> usize {
        self.collections.get(kind).map_or(0, |c| c.by_id.len())
    }

    /// Resources of a type in creation order.
    pub fn iter(&self, kind: &str) -> impl Iterator<Item = &Resource> {
        self.collections.get(kind).into_iter().flat_map(|c| c.by_seq.values())
    }

    /// The id of another resource holding a unique value, if any: (attribute name, id).
    pub fn unique_conflict(&self, kind: &str, candidate: &Resource, self_id: Option<&str>) -> Option<(String, String)> {
        let c = self.collections.get(kind)?;
        for (name, case_exact, index) in &c.unique {
            let Some(v) = field(candidate, name).and_then(Value::as_str) else {
                continue;
            };
            if let Some(owner) = index.get(norm_ref(v, *case_exact).as_ref()) {
                if Some(owner.as_str()) != self_id {
                    return Some((name.clone(), owner.clone()));
                }
            }
        }
        None
    }

    /// The id of the resource whose unique attribute equals `value`.
    pub fn find_unique(&self, kind: &str, attr: &str, value: &str) -> Option<&str> {
        let c = self.collections.get(kind)?;
        let (_, case_exact, index) = c.unique.iter().find(|(n, _, _)| n.eq_ignore_ascii_case(attr))?;
        index.get(norm_ref(value, *case_exact).as_ref()).map(String::as_str)
    }

    /// Whether a top-level attribute has a uniqueness index ([`Store::find_unique`] answers it).
    pub fn is_indexed(&self, kind: &str, attr: &str) -> bool {
        self.collections.get(kind).is_some_and(|c| c.unique.iter().any(|(n, _, _)| n.eq_ignore_ascii_case(attr)))
    }

    /// The resources a filter index holds for `probe` (a value equal to its key, starting
    /// with it, or for `co` holding its 3-byte pieces), in creation order; `None` when no
    /// index covers the probe's path.
    pub fn candidates(&self, kind: &str, probe: &Probe<'_>) -> Option<Vec<&Resource>> {
        let c = self.collections.get(kind)?;
        let l = c
            .lookups
            .iter()
            .find(|l| l.attr == probe.attr && l.sub.as_deref() == probe.sub && l.case_exact == probe.case_exact)?;
        Some(l.find(probe.key, probe.op).iter().filter_map(|seq| c.by_seq.get(seq)).collect())
    }

    /// Inserts or replaces a resource (its `id` must be set).
    pub fn put(&mut self, kind: &str, id: &str, resource: Resource) {
        // A replace of an existing resource (every PUT and PATCH) keeps its id entry and
        // touches a unique index only when the value changed: no new keys to allocate.
        if let Some(c) = self.collections.get_mut(kind) {
            if let Some(&seq) = c.by_id.get(id) {
                if let Some(old) = c.by_seq.get_mut(&seq) {
                    for l in &mut c.lookups {
                        if !l.values(old).eq(l.values(&resource)) {
                            l.remove(seq, old);
                            l.insert(seq, &resource);
                        }
                    }
                    for (name, case_exact, index) in &mut c.unique {
                        let was = field(old, name).and_then(Value::as_str);
                        let now = field(&resource, name).and_then(Value::as_str);
                        if was == now {
                            continue;
                        }
                        if let Some(v) = was {
                            index.remove(norm_ref(v, *case_exact).as_ref());
                        }
                        if let Some(v) = now {
                            index.insert(norm(v, *case_exact), id.to_string());
                        }
                    }
                    *old = resource;
                    return;
                }
            }
        }
        let seq = match self.collections.get(kind).and_then(|c| c.by_id.get(id)) {
            Some(&s) => s,
            None => {
                let s = self.next_seq;
                self.next_seq += 1;
                s
            }
        };
        self.unindex(kind, id);
        let c = self.collections.entry(kind.to_string()).or_default();
        c.insert_at(seq, id, resource);
    }

    fn unindex(&mut self, kind: &str, id: &str) {
        let Some(c) = self.collections.get_mut(kind) else {
            return;
        };
        let Some(seq) = c.by_id.get(id) else {
            return;
        };
        if let Some(old) = c.by_seq.get(seq) {
            for (name, case_exact, index) in &mut c.unique {
                if let Some(v) = old.get(name.as_str()).and_then(Value::as_str) {
                    index.remove(&norm(v, *case_exact));
                }
            }
            for l in &mut c.lookups {
                l.remove(*seq, old);
            }
        }
    }

    /// Removes a resource; returns it.
    pub fn remove(&mut self, kind: &str, id: &str) -> Option<Resource> {
        self.unindex(kind, id);
        let c = self.collections.get_mut(kind)?;
        let seq = c.by_id.remove(id)?;
        c.by_seq.remove(&seq)
    }

    /// The next numeric id (profiles with `idStyle: numeric`).
    pub fn next_numeric_id(&mut self, start: u64) -> String {
        let n = self.next_numeric.unwrap_or(start).max(start);
        self.next_numeric = Some(n.saturating_add(1));
        n.to_string()
    }

    /// Makes sure numeric ids handed out later are above `taken` (a seeded `"93521"`).
    pub fn reserve_numeric_id(&mut self, taken: u64) {
        let next = taken.saturating_add(1);
        if self.next_numeric.is_none_or(|n| n < next) {
            self.next_numeric = Some(next);
        }
    }

    /// The whole store as one JSON document.
    pub fn snapshot(&self) -> Value {
        let mut resources = Map::new();
        for (kind, c) in &self.collections {
            resources.insert(kind.clone(), Value::Array(c.by_seq.values().cloned().map(Value::Object).collect()));
        }
        json!({
            "format": SNAPSHOT_FORMAT,
            "version": SNAPSHOT_VERSION,
            "nextNumericId": self.next_numeric,
            "resources": resources,
        })
    }

    /// Rebuilds a store from [`Store::snapshot`] output; indexes are recomputed.
    pub fn restore(registry: &Registry, snapshot: &Value) -> Result<Store, String> {
        let obj = snapshot.as_object().ok_or("a store snapshot must be a JSON object")?;
        if obj.get("format").and_then(Value::as_str) != Some(SNAPSHOT_FORMAT) {
            return Err(format!("not a store snapshot: \"format\" must be {SNAPSHOT_FORMAT:?}"));
        }
        match obj.get("version").and_then(Value::as_u64) {
            Some(1 | SNAPSHOT_VERSION) => {}
            other => {
                return Err(format!(
                    "store snapshot version {} is not supported (this build reads 1 and {SNAPSHOT_VERSION})",
                    other.map_or_else(|| "(missing)".to_string(), |v| v.to_string())
                ));
            }
        }
        let mut store = Store::new(registry);
        store.next_numeric = obj.get("nextNumericId").and_then(Value::as_u64);
        let resources =
            obj.get("resources").and_then(Value::as_object).ok_or("snapshot: \"resources\" must be an object")?;
        for (kind, list) in resources {
            if registry.kind(kind).is_none() {
                return Err(format!("snapshot: resource type {kind:?} is not defined by this profile"));
            }
            let list = list.as_array().ok_or_else(|| format!("snapshot: resources.{kind} must be an array"))?;
            for (i, r) in list.iter().enumerate() {
                let r = r.as_object().ok_or_else(|| format!("snapshot: resources.{kind}[{i}] must be an object"))?;
                let id = r
                    .get("id")
                    .and_then(Value::as_str)
                    .filter(|s| !s.is_empty())
                    .ok_or_else(|| format!("snapshot: resources.{kind}[{i}] has no string \"id\""))?;
                if store.contains(kind, id) {
                    return Err(format!("snapshot: resources.{kind}[{i}]: id {id:?} appears twice"));
                }
                if let Some((attr, other)) = store.unique_conflict(kind, r, None) {
                    return Err(format!("snapshot: resources.{kind}[{i}]: {attr} is also used by {other:?}"));
                }
                store.put(kind, id, r.clone());
            }
        }
        Ok(store)
    }
}
