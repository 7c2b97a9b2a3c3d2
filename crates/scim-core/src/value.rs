//! Checking and normalising attribute values against their definitions (RFC 7643 §2.3,
//! §2.4): JSON types, case-insensitive sub-attribute names rendered in schema spelling,
//! `primary` uniqueness, string booleans.

use std::fmt;

use serde_json::{Map, Value};

use crate::error::ScimError;
use crate::json::Node;
use crate::profile::types::{Behaviour, MultiplePrimary, StringBooleans, Unknown};
use crate::schema::{AttrType, Attribute, Mutability, Uniqueness};

/// Knobs and side notes while normalising one request body.
#[derive(Debug)]
pub struct Normaliser<'a> {
    pub behaviour: &'a Behaviour,
    /// Drop readOnly sub-attributes (writes); keep them (restoring snapshots).
    pub drop_read_only: bool,
    /// Conversions done under a lenient knob: (path, note).
    pub coerced: Vec<(String, String)>,
    /// Unknown sub-attributes ignored under `unknownAttributes = ignore`.
    pub ignored: Vec<String>,
}

impl<'a> Normaliser<'a> {
    pub fn new(behaviour: &'a Behaviour) -> Self {
        Normaliser { behaviour, drop_read_only: true, coerced: Vec::new(), ignored: Vec::new() }
    }

    /// Checks a value for `attr` and returns it in canonical form; `Ok(None)` means the
    /// value clears the attribute (`null`, `[]`, an empty complex value).
    pub fn value(&mut self, attr: &Attribute, v: &Node<'_>, path: &str) -> Result<Option<Value>, ScimError> {
        self.value_at(attr, v, &Path::Root(path))
    }

    fn value_at(&mut self, attr: &Attribute, v: &Node<'_>, path: &Path) -> Result<Option<Value>, ScimError> {
        if v.is_null() {
            return Ok(None);
        }
        if attr.multi_valued {
            let Node::Array(items) = v else {
                return Err(type_error(path, attr, v));
            };
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let p = Path::Index(path, i);
                if matches!(item, Node::Null | Node::Array(_)) {
                    return Err(type_error(&p, &single(attr), item));
                }
                if let Some(n) = self.single(attr, item, &p)? {
                    out.push(n);
                }
            }
            if out.is_empty() {
                return Ok(None);
            }
            if attr.sub("primary").is_some() {
                self.primaries(&mut out, path)?;
            }
            Ok(Some(Value::Array(out)))
        } else {
            self.single(attr, v, path)
        }
    }

    fn single(&mut self, attr: &Attribute, v: &Node<'_>, path: &Path) -> Result<Option<Value>, ScimError> {
        match attr.kind {
            AttrType::Complex => {
                let Node::Object(obj) = v else {
                    return Err(type_error(path, &single(attr), v));
                };
                let mut out = Map::with_capacity(obj.len());
                // Build in schema order for stable, readable output.
                let mut seen = vec![false; obj.len()];
                for sub in &attr.sub_attributes {
                    for (i, (k, sv)) in obj.iter().enumerate() {
                        if !k.eq_ignore_ascii_case(&sub.name) {
                            continue;
                        }
                        if let Some(s) = seen.get_mut(i) {
                            *s = true;
                        }
                        if self.drop_read_only && sub.mutability == Mutability::ReadOnly {
                            continue;
                        }
                        let p = Path::Field(path, &sub.name);
                        if let Some(n) = self.single_scalar(sub, sv, &p)? {
                            out.insert(sub.name.clone(), n);
                        }
                    }
                }
                for (i, (k, _)) in obj.iter().enumerate() {
                    if seen.get(i).copied().unwrap_or(true) {
                        continue;
                    }
                    let p = Path::Field(path, k.as_ref());
                    match self.behaviour.unknown_attributes {
                        Unknown::Reject => {
                            return Err(ScimError::invalid_syntax(format!(
                                "Attribute '{p}' is not defined: '{}' has the sub-attributes {} (RFC 7643 §2.3.8; this profile rejects unknown attributes: behaviour.unknownAttributes = reject).",
                                attr.name,
                                names(&attr.sub_attributes)
                            )));
                        }
                        Unknown::Ignore => self.ignored.push(p.to_string()),
                    }
                }
                Ok(if out.is_empty() { None } else { Some(Value::Object(out)) })
            }
            _ => self.single_scalar(attr, v, path),
        }
    }

    fn single_scalar(&mut self, attr: &Attribute, v: &Node<'_>, path: &Path) -> Result<Option<Value>, ScimError> {
        let ok = match (attr.kind, v) {
            (_, Node::Null) => return Ok(None),
            (AttrType::String | AttrType::Reference, Node::String(s)) => {
                string_rules(attr, s, path)?;
                return Ok(Some(Value::String(s.to_string())));
            }
            (AttrType::Boolean, Node::String(s)) if self.behaviour.string_booleans == StringBooleans::Coerce => {
                let b = if s.eq_ignore_ascii_case("true") {
                    Some(true)
                } else if s.eq_ignore_ascii_case("false") {
                    Some(false)
                } else {
                    None
                };
                if let Some(b) = b {
                    self.coerced.push((
                        path.to_string(),
                        format!("string {s:?} read as boolean {b} (behaviour.stringBooleans = coerce)"),
                    ));
                    return Ok(Some(Value::Bool(b)));
                }
                false
            }
            (AttrType::Boolean, Node::Bool(_)) => true,
            (AttrType::Integer, Node::Number(n)) => n.is_i64() || n.is_u64(),
            (AttrType::Decimal, Node::Number(_)) => true,
            (AttrType::DateTime, Node::String(s)) => crate::time::parse_datetime(s).is_some(),
            (AttrType::Binary, Node::String(s)) => is_base64(s),
            _ => false,
        };
        if !ok {
            return Err(type_error(path, attr, v));
        }
        if let Node::String(s) = v {
            string_rules(attr, s, path)?;
        }
        Ok(Some(v.to_value()))
    }

    /// RFC 7643 §2.4: at most one value may be primary.
    fn primaries(&mut self, items: &mut [Value], path: &Path) -> Result<(), ScimError> {
        let flagged: Vec<usize> = items
            .iter()
            .enumerate()
            .filter(|(_, it)| value_field(it, "primary") == Some(&Value::Bool(true)))
            .map(|(i, _)| i)
            .collect();
        if flagged.len() < 2 {
            return Ok(());
        }
        match self.behaviour.multiple_primary {
            MultiplePrimary::Reject => Err(ScimError::invalid_value(format!(
                "Attribute '{path}' has {} values with \"primary\": true; at most one may be primary (RFC 7643 §2.4; behaviour.multiplePrimary = reject).",
                flagged.len()
            ))),
            MultiplePrimary::KeepLast => {
                let last = flagged.len() - 1;
                for &i in flagged.iter().take(last) {
                    if let Some(Value::Object(o)) = items.get_mut(i) {
                        o.insert("primary".into(), Value::Bool(false));
                    }
                }
                self.coerced.push((
                    path.to_string(),
                    format!("{} values were primary; only the last one stays primary (behaviour.multiplePrimary = keepLast)", flagged.len()),
                ));
                Ok(())
            }
        }
    }
}

/// An attribute path built without allocating; formatted only for errors and notes.
#[derive(Debug, Clone, Copy)]
enum Path<'a> {
    Root(&'a str),
    Index(&'a Path<'a>, usize),
    Field(&'a Path<'a>, &'a str),
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Path::Root(s) => f.write_str(s),
            Path::Index(p, i) => write!(f, "{p}[{i}]"),
            Path::Field(p, k) => write!(f, "{p}.{k}"),
        }
    }
}

/// `map.get(key)` without hashing for small maps. `serde_json::Map` (IndexMap with SipHash
/// under `preserve_order`) hashes the key on every lookup; a SCIM resource or sub-object has
/// a dozen keys, where comparing them in turn costs a fraction of one hash. Same answer as
/// `map.get(key)` (exact key match).
pub(crate) fn field<'m>(map: &'m Map<String, Value>, key: &str) -> Option<&'m Value> {
    if map.len() <= 16 { map.iter().find(|(k, _)| k.as_str() == key).map(|(_, v)| v) } else { map.get(key) }
}

/// `a == b` for JSON values, with object keys looked up by [`field`] instead of hashing
/// (`Map`'s own `==` hashes every key). Objects compare as maps (key order ignored), as
/// `Value`'s `==` does.
pub(crate) fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| field(y, k).is_some_and(|w| same_value(v, w)))
        }
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(v, w)| same_value(v, w)),
        _ => a == b,
    }
}

/// [`field`] on a value: `None` unless it is an object holding `key` (as [`Value::get`]).
pub(crate) fn value_field<'v>(v: &'v Value, key: &str) -> Option<&'v Value> {
    v.as_object().and_then(|m| field(m, key))
}

fn single(attr: &Attribute) -> Attribute {
    Attribute { multi_valued: false, ..attr.clone() }
}

fn names(attrs: &[Attribute]) -> String {
    attrs.iter().map(|a| a.name.as_str()).collect::<Vec<_>>().join(", ")
}

/// Input rules for string values beyond their JSON type: a `required` string is not empty
/// (RFC 7643 §7: an empty string gives the attribute no value), and a unique identifier
/// (`uniqueness` server or global, such as `userName`, RFC 7643 §4.1.1) holds no control
/// characters (NUL, line breaks, escape sequences), which no client can type or show.
fn string_rules(attr: &Attribute, s: &str, path: &Path) -> Result<(), ScimError> {
    if attr.required && matches!(attr.kind, AttrType::String | AttrType::Reference) && s.trim().is_empty() {
        return Err(ScimError::invalid_value(format!(
            "Attribute '{path}' is required and must not be empty or only spaces (RFC 7643 §7)."
        )));
    }
    if attr.uniqueness != Uniqueness::None {
        if let Some((i, c)) = s.chars().enumerate().find(|(_, c)| c.is_control()) {
            return Err(ScimError::invalid_value(format!(
                "Attribute '{path}' must not contain control characters; character {} is U+{:04X} (RFC 7643 §2.3.1, §7).",
                i + 1,
                u32::from(c)
            )));
        }
    }
    Ok(())
}

fn type_error(path: &Path, attr: &Attribute, v: &Node<'_>) -> ScimError {
    let hint = match (attr.kind, v) {
        (AttrType::Boolean, Node::String(_)) => " (string booleans are rejected: behaviour.stringBooleans = reject)",
        (AttrType::DateTime, Node::String(_)) => " (expected xsd:dateTime such as 2008-01-23T04:56:22Z)",
        (AttrType::Binary, Node::String(_)) => " (expected base64)",
        _ => "",
    };
    let shown = match v {
        Node::String(s) if s.chars().count() <= 40 => format!(" {s:?}"),
        Node::Bool(b) => format!(" {b}"),
        Node::Number(n) => format!(" {n}"),
        _ => String::new(),
    };
    ScimError::invalid_value(format!(
        "Attribute '{path}' must be {}, got {}{shown}{hint} (RFC 7643 §2.3).",
        article(&attr.shape()),
        v.kind()
    ))
}

fn article(shape: &str) -> String {
    if shape.starts_with("an ") || shape.starts_with("a ") {
        shape.to_string()
    } else if shape.starts_with(['a', 'e', 'i', 'o', 'u']) {
        format!("an {shape}")
    } else {
        format!("a {shape}")
    }
}

fn is_base64(s: &str) -> bool {
    let t = s.trim_end_matches('=');
    s.len() - t.len() <= 2 && t.bytes().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'-' | b'_'))
}
