//! Shaping responses: the `returned` characteristic (RFC 7643 §7) and the `attributes` /
//! `excludedAttributes` parameters (RFC 7644 §3.9), on every read and write response.

use serde_json::{Map, Value};

use crate::error::ScimError;
use crate::profile::registry::ResourceKind;
use crate::schema::{Attribute, Returned};

/// One requested attribute: (extension URN or None, top-level name, sub-attribute name).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Sel {
    schema: Option<String>,
    top: Option<String>,
    sub: Option<String>,
}

/// A parsed `attributes` or `excludedAttributes` list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Projection {
    attributes: Option<Vec<Sel>>,
    excluded: Vec<Sel>,
}

impl Projection {
    /// Parses the two query parameters (comma-separated attribute paths, RFC 7644 §3.10).
    /// Names no schema defines are ignored, as the RFC's "MAY" allows; a malformed path is
    /// a 400 `invalidPath`.
    pub fn parse(
        kind: &ResourceKind,
        attributes: Option<&str>,
        excluded: Option<&str>,
    ) -> Result<Projection, ScimError> {
        let list = |s: &str| -> Result<Vec<Sel>, ScimError> {
            let mut out = Vec::new();
            for raw in s.split(',').map(str::trim).filter(|x| !x.is_empty()) {
                if raw.contains(['[', ']', ' ', '"']) {
                    return Err(ScimError::bad_request(
                        crate::error::ScimType::InvalidPath,
                        format!(
                            "'{raw}' is not an attribute path; attributes and excludedAttributes take names such as userName, name.givenName or emails.value (RFC 7644 §3.9)."
                        ),
                    ));
                }
                if let Some((s, _)) = kind.extension(raw) {
                    out.push(Sel { schema: Some(s.id.clone()), top: None, sub: None });
                    continue;
                }
                if let Some(r) = kind.resolve_path(raw) {
                    out.push(Sel {
                        schema: r.schema.map(str::to_string),
                        top: Some(r.attr.name.clone()),
                        sub: r.sub.map(|s| s.name.clone()),
                    });
                }
            }
            Ok(out)
        };
        Ok(Projection {
            attributes: attributes.map(list).transpose()?,
            excluded: excluded.map(list).transpose()?.unwrap_or_default(),
        })
    }

    pub fn is_default(&self) -> bool {
        self.attributes.is_none() && self.excluded.is_empty()
    }

    /// The resource as returned to a client.
    pub fn render(&self, kind: &ResourceKind, resource: &Map<String, Value>) -> Map<String, Value> {
        let mut out = Map::new();
        for (key, v) in resource {
            if key == "schemas" || key == "id" {
                out.insert(key.clone(), v.clone());
                continue;
            }
            if let Some((schema, _)) = kind.extension(key) {
                let Value::Object(obj) = v else { continue };
                let mut ext = Map::new();
                for (k, ev) in obj {
                    if let Some(a) = schema.attribute(k) {
                        if let Some(x) = self.shape(a, Some(&schema.id), ev) {
                            ext.insert(k.clone(), x);
                        }
                    }
                }
                if !ext.is_empty() {
                    out.insert(key.clone(), Value::Object(ext));
                }
                continue;
            }
            let attr = kind.core.attribute(key).or_else(|| crate::schema::find(&kind.common, key));
            if let Some(a) = attr {
                if let Some(x) = self.shape(a, None, v) {
                    out.insert(key.clone(), x);
                }
            }
        }
        out
    }

    fn shape(&self, attr: &Attribute, schema: Option<&str>, v: &Value) -> Option<Value> {
        if attr.returned == Returned::Never {
            return None;
        }
        let matches_top = |s: &Sel| {
            let same_schema = match (&s.schema, schema) {
                (None, None) => true,
                (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
                _ => false,
            };
            same_schema && (s.top.is_none() || s.top.as_deref() == Some(attr.name.as_str()))
        };
        if attr.returned != Returned::Always && self.excluded.iter().any(|s| matches_top(s) && s.sub.is_none()) {
            return None;
        }
        let excluded_subs: Vec<&str> = self
            .excluded
            .iter()
            .filter(|s| matches_top(s) && s.top.is_some())
            .filter_map(|s| s.sub.as_deref())
            .collect();
        let wanted_subs: Option<Vec<&str>> = match &self.attributes {
            None => None,
            Some(list) => {
                let hits: Vec<&Sel> = list.iter().filter(|s| matches_top(s)).collect();
                if hits.is_empty() {
                    if attr.returned != Returned::Always {
                        return None;
                    }
                    None
                } else if hits.iter().any(|s| s.sub.is_none()) {
                    None
                } else {
                    Some(hits.iter().filter_map(|s| s.sub.as_deref()).collect())
                }
            }
        };
        if attr.returned == Returned::Request
            && self.attributes.as_ref().is_none_or(|l| !l.iter().any(|s| matches_top(s) && s.top.is_some()))
        {
            return None;
        }
        if attr.sub_attributes.is_empty() {
            return Some(v.clone());
        }
        let keep_sub = |name: &str| -> bool {
            let Some(def) = attr.sub(name) else { return false };
            if def.returned == Returned::Never {
                return false;
            }
            if def.returned == Returned::Always {
                return true;
            }
            if excluded_subs.iter().any(|e| e.eq_ignore_ascii_case(name)) {
                return false;
            }
            match &wanted_subs {
                Some(w) => w.iter().any(|e| e.eq_ignore_ascii_case(name)),
                None => def.returned != Returned::Request,
            }
        };
        let filter_obj = |o: &Map<String, Value>| -> Option<Value> {
            let m: Map<String, Value> =
                o.iter().filter(|(k, _)| keep_sub(k)).map(|(k, v)| (k.clone(), v.clone())).collect();
            if m.is_empty() { None } else { Some(Value::Object(m)) }
        };
        match v {
            Value::Object(o) => filter_obj(o),
            Value::Array(items) => {
                let kept: Vec<Value> = items
                    .iter()
                    .filter_map(|it| match it {
                        Value::Object(o) => filter_obj(o),
                        other => Some(other.clone()),
                    })
                    .collect();
                if kept.is_empty() { None } else { Some(Value::Array(kept)) }
            }
            other => Some(other.clone()),
        }
    }
}
