//! Fitting a resource written for one profile to another profile's resource type: its core
//! schema URN, only the attributes (and sub-attributes) the type defines, only extensions it
//! knows, no `id` or `meta` (the receiving server assigns them, RFC 7643 §3.1). This is what
//! lets one documented user (Veeva's, Ping's, RFC 7643 §8.2's) live in every profile.

use serde_json::{Map, Value};

use crate::profile::registry::ResourceKind;
use crate::schema::Attribute;

/// `resource` rewritten for `kind`. Attribute names and URNs match case-insensitively, as
/// everywhere in SCIM (RFC 7643 §2.1); extension objects are recognised by the URNs the kind
/// declares, not by a `urn:` prefix alone.
pub(crate) fn fit(kind: &ResourceKind, resource: &Map<String, Value>) -> Map<String, Value> {
    let mut out = Map::new();
    let mut schemas = vec![Value::String(kind.core.id.clone())];
    for (key, value) in resource {
        if ["id", "meta", "schemas"].iter().any(|k| key.eq_ignore_ascii_case(k)) {
            continue;
        }
        if let Some(attr) = kind.core.attribute(key) {
            out.insert(attr.name.clone(), fit_value(attr, value));
        } else if let (Some((schema, _)), Value::Object(inner)) = (kind.extension(key), value) {
            let inner: Map<String, Value> = inner
                .iter()
                .filter_map(|(k, v)| schema.attribute(k).map(|a| (a.name.clone(), fit_value(a, v))))
                .collect();
            if !inner.is_empty() {
                schemas.push(Value::String(schema.id.clone()));
                out.insert(schema.id.clone(), Value::Object(inner));
            }
        }
    }
    out.insert("schemas".into(), Value::Array(schemas));
    out
}

/// The smallest form of a fitted resource worth trying when the whole one is refused: its
/// schemas, the required core attributes and `name` (RFC 7643 §4.1.1).
pub(crate) fn minimal(kind: &ResourceKind, fitted: &Map<String, Value>) -> Map<String, Value> {
    fitted
        .iter()
        .filter(|(k, _)| {
            k.as_str() == "schemas" || k.as_str() == "name" || kind.core.attribute(k).is_some_and(|a| a.required)
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// Drops sub-attributes the definition does not have (RFC 7643 §2.3.8) and renames the
/// ones it has to the schema's spelling.
fn fit_value(attr: &Attribute, value: &Value) -> Value {
    let fit_object = |v: &Value| match v {
        Value::Object(m) if attr.is_complex() => {
            Value::Object(m.iter().filter_map(|(k, v)| attr.sub(k).map(|s| (s.name.clone(), v.clone()))).collect())
        }
        other => other.clone(),
    };
    match value {
        Value::Array(items) => Value::Array(items.iter().map(fit_object).collect()),
        other => fit_object(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Profile;
    use serde_json::json;

    fn kind(profile: &str) -> ResourceKind {
        let registry = Profile::builtin(profile).and_then(|p| p.compile().ok()).unwrap_or_else(|| panic!("{profile}"));
        registry.kind_by_endpoint("Users").cloned().unwrap_or_else(|| panic!("{profile} Users"))
    }

    #[test]
    fn a_veeva_user_fits_the_rfc_and_ping_schemas() {
        let veeva = json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:veevavault:2.0:User"],
            "id": "93521", "meta": {"created": "2020-01-01T00:00:00Z"},
            "userName": "a.smithn@veepharm.com", "locale": "en_US",
            "NAME": {"givenName": "Ann", "familyName": "Smith", "nickname": "not a sub-attribute"},
            "emails": [{"value": "a@veepharm.com", "type": "work", "bogus": 1}],
            "urn:ietf:params:scim:schemas:extension:veevavault:2.0:User": {"securityProfile": {"value": "x"}}
        });
        let Value::Object(veeva) = veeva else { panic!("object") };
        let rfc = fit(&kind("rfc"), &veeva);
        assert_eq!(rfc["schemas"], json!(["urn:ietf:params:scim:schemas:core:2.0:User"]));
        assert_eq!(rfc["name"], json!({"givenName": "Ann", "familyName": "Smith"}), "schema spelling, known subs");
        assert_eq!(rfc["emails"], json!([{"value": "a@veepharm.com", "type": "work"}]));
        assert!(rfc.get("id").is_none() && rfc.get("meta").is_none());
        assert!(!rfc.keys().any(|k| k.contains("veevavault")), "unknown extension dropped");
        let ping = fit(&kind("ping"), &veeva);
        assert_eq!(ping["schemas"], json!(["urn:pingidentity:schemas:User:1.0"]));
        assert_eq!(ping["userName"], "a.smithn@veepharm.com");
        let min = minimal(&kind("rfc"), &rfc);
        assert_eq!(min.keys().collect::<Vec<_>>(), ["userName", "name", "schemas"]);
    }
}
