//! Discovery (RFC 7644 §4, RFC 7643 §5–§7): `/ServiceProviderConfig`, `/ResourceTypes` and
//! `/Schemas`, generated from the compiled profile so they always describe what this server
//! actually does. Conformance tools read them first.

use serde_json::{Map, Value, json};

use crate::list::MAX_RESULTS;
use crate::profile::registry::ResourceKind;
use crate::profile::types::{Behaviour, Paging};
use crate::schema::{LIST_RESPONSE, Schema};

/// URN of the RFC 7643 §5 ServiceProviderConfig schema.
pub const SERVICE_PROVIDER_CONFIG: &str = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
/// URN of the RFC 7643 §6 ResourceType schema.
pub const RESOURCE_TYPE: &str = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
/// URN of the RFC 7643 §7 Schema schema.
pub const SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Schema";

/// RFC 7643 §5. Every flag states what the engine does: PATCH, filtering (with
/// [`MAX_RESULTS`]), sorting and, when `behaviour.versioning` is on, ETags. Bulk and password
/// change are not offered; the mock has no authentication.
///
/// The knobs show: `sort.supported` is `behaviour.sorting`, `filter.maxResults` is
/// `behaviour.maxPageSize`, and a profile that pages other than by index says how in an RFC
/// 9865 `pagination` object.
pub fn service_provider_config(behaviour: &Behaviour, location: &str) -> Value {
    let mut spc = json!({
        "schemas": [SERVICE_PROVIDER_CONFIG],
        "documentationUri": "https://www.rfc-editor.org/rfc/rfc7644",
        "patch": { "supported": true },
        "bulk": { "supported": false, "maxOperations": 0, "maxPayloadSize": 0 },
        "filter": { "supported": true, "maxResults": behaviour.max_page_size.min(MAX_RESULTS) },
        "changePassword": { "supported": false },
        "sort": { "supported": behaviour.sorting },
        "etag": { "supported": behaviour.versioning },
        "authenticationSchemes": [],
        "meta": { "resourceType": "ServiceProviderConfig", "location": location },
    });
    if behaviour.paging != Paging::Index {
        let cursor = behaviour.paging == Paging::Cursor;
        let mut p = json!({ "cursor": cursor, "index": false, "maxPageSize": behaviour.max_page_size });
        if let (Value::Object(o), Some(d)) = (&mut p, behaviour.default_page_size) {
            o.insert("defaultPageSize".into(), json!(d));
        }
        if let Value::Object(o) = &mut spc {
            o.insert("pagination".into(), p);
        }
    }
    spc
}

/// RFC 7643 §6: one resource type.
pub fn resource_type(kind: &ResourceKind, location: &str) -> Value {
    let mut v = Map::new();
    v.insert("schemas".into(), json!([RESOURCE_TYPE]));
    v.insert("id".into(), Value::String(kind.def.id.clone()));
    v.insert("name".into(), Value::String(kind.def.name.clone()));
    v.insert("endpoint".into(), Value::String(kind.def.endpoint.clone()));
    if !kind.def.description.is_empty() {
        v.insert("description".into(), Value::String(kind.def.description.clone()));
    }
    v.insert("schema".into(), Value::String(kind.core.id.clone()));
    if !kind.extensions.is_empty() {
        let exts: Vec<Value> =
            kind.extensions.iter().map(|(s, required)| json!({"schema": s.id, "required": required})).collect();
        v.insert("schemaExtensions".into(), Value::Array(exts));
    }
    v.insert("meta".into(), json!({"resourceType": "ResourceType", "location": location}));
    Value::Object(v)
}

/// RFC 7643 §7: one schema, with every attribute characteristic.
pub fn schema(s: &Schema, location: &str) -> Value {
    let mut v = Map::new();
    v.insert("schemas".into(), json!([SCHEMA]));
    if let Ok(Value::Object(body)) = serde_json::to_value(s) {
        v.extend(body);
    }
    v.insert("meta".into(), json!({"resourceType": "Schema", "location": location}));
    Value::Object(v)
}

/// RFC 7644 §4: discovery collections are ListResponses holding everything.
pub fn list_response(resources: Vec<Value>) -> Value {
    json!({
        "schemas": [LIST_RESPONSE],
        "totalResults": resources.len(),
        "itemsPerPage": resources.len(),
        "startIndex": 1,
        "Resources": resources,
    })
}
