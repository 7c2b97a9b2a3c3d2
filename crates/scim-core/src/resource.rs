//! The stored form of a resource: its JSON (schemas, id, externalId, meta without
//! `location`, then the attributes), how a write's output becomes one, version tags and
//! ETag matching (RFC 7644 §3.14). Used by the server, the seed loader and PATCH alike.

use serde_json::{Map, Value};

use crate::profile::registry::ResourceKind;
use crate::value::{field, same_value};

/// A resource as stored: its full JSON (schemas, id, meta without location, attributes).
pub(crate) type Resource = Map<String, Value>;

/// The attributes a write produced: the stored resource minus `id` and `meta`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Written {
    pub schemas: Vec<String>,
    /// `externalId`, core attributes in schema order, then extension objects.
    pub attributes: Map<String, Value>,
}

/// What `meta` says beside `resourceType` (RFC 7643 §3.1).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Stamp<'a> {
    pub created: &'a str,
    pub modified: &'a str,
    /// The revision number, when the profile versions resources.
    pub version: Option<u64>,
}

/// The stored form: schemas, id, externalId, meta, then the other attributes.
///
/// Built in place in the write's own map (`externalId` already comes first there, see
/// [`Written::attributes`]): the attributes are not inserted (and hashed) a second time.
pub(crate) fn assemble(kind: &ResourceKind, w: Written, id: &str, stamp: Stamp<'_>) -> Resource {
    let mut r = w.attributes;
    let has_external = match r.keys().position(|k| k == "externalId") {
        None => false,
        Some(0) => true,
        Some(_) => {
            // Not first (a PATCH that added it): move it to the front.
            if let Some(x) = r.shift_remove("externalId") {
                r.shift_insert(0, "externalId".into(), x);
            }
            true
        }
    };
    r.shift_insert(0, "schemas".into(), Value::Array(w.schemas.into_iter().map(Value::String).collect()));
    r.shift_insert(1, "id".into(), Value::String(id.into()));
    let mut meta = Map::with_capacity(4);
    meta.insert("resourceType".into(), Value::String(kind.meta_resource_type().into()));
    meta.insert("created".into(), Value::String(stamp.created.into()));
    meta.insert("lastModified".into(), Value::String(stamp.modified.into()));
    if let Some(v) = stamp.version {
        meta.insert("version".into(), Value::String(version_tag(v)));
    }
    r.shift_insert(if has_external { 3 } else { 2 }, "meta".into(), Value::Object(meta));
    r
}

/// Whether a write leaves a resource as it was (then neither `lastModified` nor the version
/// moves).
pub(crate) fn same_content(old: &Resource, w: &Written) -> bool {
    let old_attrs = old.iter().filter(|(k, _)| !matches!(k.as_str(), "schemas" | "id" | "meta")).count();
    old_attrs == w.attributes.len()
        && w.attributes.iter().all(|(k, v)| field(old, k).is_some_and(|o| same_value(o, v)))
        && field(old, "schemas")
            .and_then(Value::as_array)
            .is_some_and(|s| s.len() == w.schemas.len() && s.iter().zip(&w.schemas).all(|(a, b)| a.as_str() == Some(b)))
}

/// Whether a stored `id` (from a seed or a snapshot: the server makes all others) can be
/// served: one path segment as written (no `/`, `?`, `#`, spaces or control characters),
/// not `.search` (that segment is the search endpoint) and not `bulkId` (reserved, RFC 7643
/// §3.1). The reason when not.
pub(crate) fn unservable_id(id: &str) -> Option<&'static str> {
    if id.trim().is_empty() {
        Some("must be a non-empty string")
    } else if id.chars().any(|c| c.is_control() || c.is_whitespace() || matches!(c, '/' | '?' | '#')) {
        Some("must be one URL path segment: no '/', '?', '#', spaces or control characters")
    } else if id == ".search" || id == "." || id == ".." || id == "bulkId" {
        Some("must not be \".search\", \".\", \"..\" or the reserved \"bulkId\" (RFC 7643 §3.1)")
    } else {
        None
    }
}

/// A `meta` value of a stored resource.
pub(crate) fn meta_str<'r>(r: &'r Resource, name: &str) -> Option<&'r str> {
    field(r, "meta").and_then(Value::as_object).and_then(|m| field(m, name)).and_then(Value::as_str)
}

/// The revision number in `meta.version` (0 when there is none).
pub(crate) fn revision(r: &Resource) -> u64 {
    meta_str(r, "version").and_then(parse_version).unwrap_or(0)
}

/// A new `meta.lastModified` (and version, when versioning) for a resource changed as a side
/// effect (a group losing a deleted member).
pub(crate) fn touch(r: &mut Resource, now: &str, versioning: bool) {
    let next = revision(r) + 1;
    if let Some(Value::Object(meta)) = r.get_mut("meta") {
        meta.insert("lastModified".into(), Value::String(now.to_string()));
        if versioning {
            meta.insert("version".into(), Value::String(version_tag(next)));
        }
    }
}

/// `W/"n"`: a weak entity tag (RFC 9110 §8.8.3).
pub(crate) fn version_tag(n: u64) -> String {
    let digits = n.to_string();
    let mut tag = String::with_capacity(digits.len() + 4);
    tag.push_str("W/\"");
    tag.push_str(&digits);
    tag.push('"');
    tag
}

fn parse_version(tag: &str) -> Option<u64> {
    tag.trim_start_matches("W/").trim_matches('"').parse().ok()
}

/// Compares entity tags as opaque strings; a weak and a strong form of the same tag match
/// (RFC 7644 §3.14 leaves weak comparison to the server). `*` matches any.
pub(crate) fn etag_matches(header: &str, current: &str) -> bool {
    let bare = |s: &str| s.trim().trim_start_matches("W/").to_string();
    header.split(',').any(|t| t.trim() == "*" || bare(t) == bare(current))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etags_compare_weak_and_strong_alike() {
        assert!(etag_matches("W/\"3\"", "W/\"3\""));
        assert!(etag_matches("\"3\"", "W/\"3\""));
        assert!(etag_matches("W/\"1\", W/\"3\"", "W/\"3\""));
        assert!(etag_matches("*", "W/\"9\""));
        assert!(!etag_matches("W/\"2\"", "W/\"3\""));
    }

    #[test]
    fn touch_bumps_the_version_only_when_versioning() {
        let mut r: Resource = serde_json::from_str(r#"{"meta":{"version":"W/\"4\"","lastModified":"x"}}"#).unwrap();
        touch(&mut r, "y", false);
        assert_eq!((meta_str(&r, "lastModified"), revision(&r)), (Some("y"), 4));
        touch(&mut r, "z", true);
        assert_eq!((meta_str(&r, "lastModified"), revision(&r)), (Some("z"), 5));
    }
}
