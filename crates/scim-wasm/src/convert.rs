//! JS values ↔ core values, at the edge. One serializer setting
//! ([`serde_wasm_bindgen::Serializer::json_compatible`]) so JS receives plain objects and
//! arrays, never `Map`s.

use std::collections::BTreeMap;

use js_sys::{JSON, Object, Reflect};
use scim_core::{Profile, Request, Response};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use wasm_bindgen::prelude::*;

/// A request as JS hands it over (see `ScimRequest` in the TypeScript section).
#[derive(Debug, Deserialize)]
struct JsRequest {
    method: String,
    path: String,
    #[serde(default)]
    headers: Option<BTreeMap<String, String>>,
    /// Kept as a JS value: a string goes through as is, anything else through
    /// `JSON.stringify`, which is much faster than walking the object from Rust.
    #[serde(default, with = "serde_wasm_bindgen::preserve")]
    body: JsValue,
}

/// A response as JS receives it (see `ScimResponse`).
#[derive(Serialize)]
struct JsResponse<'a> {
    status: u16,
    headers: BTreeMap<String, String>,
    body: &'a str,
    #[serde(with = "serde_wasm_bindgen::preserve", skip_serializing_if = "JsValue::is_undefined")]
    json: JsValue,
    #[serde(skip_serializing_if = "Option::is_none")]
    explanation: Option<&'a scim_core::Explanation>,
}

/// Serialises with the crate's one setting: JSON-compatible plain objects.
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&format!("converting to JS: {e}")))
}

/// A core error as a thrown JS `Error` whose message is its detail.
pub fn js_error(e: impl std::fmt::Display) -> JsError {
    JsError::new(&e.to_string())
}

/// Rejects keys that `known` does not list. serde-wasm-bindgen reads only the fields a struct
/// names, so `deny_unknown_fields` never sees a typo such as `determinstic` or `header`.
pub fn check_keys(value: &JsValue, known: &[&str], what: &str) -> Result<(), JsError> {
    if !value.is_object() || value.is_array() {
        return Ok(()); // the deserializer reports the wrong type
    }
    for key in Object::keys(value.unchecked_ref::<Object>()).iter() {
        let key = key.as_string().unwrap_or_default();
        if !known.contains(&key.as_str()) {
            return Err(JsError::new(&format!("{what}: unknown field {key:?}; expected {}", known.join(", "))));
        }
    }
    Ok(())
}

pub fn set(obj: &Object, key: &str, value: &JsValue) -> Result<(), JsError> {
    Reflect::set(obj, &JsValue::from_str(key), value).map(drop).map_err(|_| JsError::new("could not set a property"))
}

/// JSON text from a string (kept as written) or any other value (`JSON.stringify`).
fn json_text(value: &JsValue) -> Result<String, JsError> {
    if let Some(s) = value.as_string() {
        return Ok(s);
    }
    JSON::stringify(value)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| JsError::new("the value cannot be written as JSON (a cycle, a BigInt or a function?)"))
}

/// A JSON value from JSON text or a JS value; errors start with `what`.
pub fn json_from_js(value: &JsValue, what: &str) -> Result<Value, JsError> {
    let text = json_text(value)?;
    serde_json::from_str(&text).map_err(|e| JsError::new(&format!("{what} is not JSON: {e}")))
}

/// `undefined`/`null` → the RFC profile; a string → a built-in profile by name; an object →
/// a profile definition, validated by the core (its errors name the field).
pub fn profile_from_js(value: &JsValue) -> Result<Profile, JsError> {
    if value.is_undefined() || value.is_null() {
        return Ok(Profile::rfc());
    }
    if let Some(name) = value.as_string() {
        return Profile::builtin(&name).ok_or_else(|| {
            let known: Vec<&str> = scim_core::profile::builtin_sources().iter().map(|(n, _)| *n).collect();
            JsError::new(&format!("no built-in profile {name:?}; built-in profiles: {}", known.join(", ")))
        });
    }
    Profile::from_json(&json_text(value)?).map_err(js_error)
}

/// A `ScimRequest` object → a core request. A body that is not a string is sent as JSON with
/// `Content-Type: application/scim+json` unless the headers name a type (RFC 7644 §3.1).
pub fn request_from_js(value: JsValue) -> Result<Request, JsError> {
    check_keys(&value, &["method", "path", "headers", "body"], "not a ScimRequest")?;
    let r: JsRequest =
        serde_wasm_bindgen::from_value(value).map_err(|e| JsError::new(&format!("not a ScimRequest: {e}")))?;
    let mut req = Request::new(&r.method, &r.path);
    req.headers = r.headers.unwrap_or_default().into_iter().collect();
    if r.body.is_undefined() || r.body.is_null() {
        return Ok(req);
    }
    let is_text = r.body.is_string();
    req.body = json_text(&r.body)?.into_bytes();
    if !is_text && req.header_value("content-type").is_none() {
        req.headers.push(("Content-Type".into(), scim_core::http::SCIM_JSON.into()));
    }
    Ok(req)
}

/// A core response → a `ScimResponse` object (lower-case header names, as `fetch` and Node
/// give them; repeated headers joined with ", " as RFC 9110 §5.3 allows).
pub fn response_to_js(resp: &Response) -> Result<JsValue, JsError> {
    let mut headers: BTreeMap<String, String> = BTreeMap::new();
    for (name, value) in &resp.headers {
        headers
            .entry(name.to_ascii_lowercase())
            .and_modify(|v| {
                v.push_str(", ");
                v.push_str(value);
            })
            .or_insert_with(|| value.clone());
    }
    let json = if resp.body.is_empty() { JsValue::UNDEFINED } else { JSON::parse(&resp.body).unwrap_or_default() };
    to_js(&JsResponse { status: resp.status, headers, body: &resp.body, json, explanation: resp.explanation.as_ref() })
}
