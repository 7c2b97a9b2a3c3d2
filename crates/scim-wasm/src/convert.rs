//! JS values ↔ core values, at the edge.
//!
//! Out: typed values (explanations, profile lists, differences) go through one serializer
//! setting ([`serde_wasm_bindgen::Serializer::json_compatible`]) so JS receives plain objects
//! and arrays, never `Map`s. A response's four fields are set directly and its body is
//! parsed by `JSON.parse` (faster than walking it from Rust).
//!
//! In: the few fields of an options or request object are read directly ([`Reflect::get`]).
//! A serde `Deserialize` per input type through serde-wasm-bindgen cost about 7 KB of gzipped
//! wasm, and could not reject unknown keys (it reads only the fields a struct names).

use std::collections::BTreeMap;

use js_sys::{JSON, Object, Reflect};
use scim_core::{Profile, Request, Response};
use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::prelude::*;

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

/// Rejects keys that `known` does not list, so a typo such as `determinstic` or `header`
/// fails loudly instead of being ignored.
pub fn check_keys(value: &JsValue, known: &[&str], what: &str) -> Result<(), JsError> {
    if !value.is_object() || value.is_array() {
        return Ok(()); // callers check the type first
    }
    for key in Object::keys(value.unchecked_ref::<Object>()).iter() {
        let key = key.as_string().unwrap_or_default();
        if !known.contains(&key.as_str()) {
            return Err(JsError::new(&format!("{what}: unknown field {key:?}; expected {}", known.join(", "))));
        }
    }
    Ok(())
}

/// `obj[key] = value` on a plain object (cannot fail there; the error is for completeness).
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
    scim_core::from_json_str(&text).map_err(|e| JsError::new(&format!("{what} is not JSON: {e}")))
}

/// `undefined`/`null` → the RFC profile; a string → a built-in profile by name; an object →
/// a profile definition, validated by the core (its errors name the field).
pub fn profile_from_js(value: &JsValue) -> Result<Profile, JsError> {
    if value.is_undefined() || value.is_null() {
        return Ok(Profile::rfc());
    }
    if let Some(name) = value.as_string() {
        return Profile::builtin(&name).ok_or_else(|| {
            let known: Vec<String> = Profile::builtins().into_iter().map(|p| p.name).collect();
            JsError::new(&format!("no built-in profile {name:?}; built-in profiles: {}", known.join(", ")))
        });
    }
    Profile::from_json(&json_text(value)?).map_err(js_error)
}

/// A property of a JS object (`undefined` when absent or not an object).
pub fn get(obj: &JsValue, key: &str) -> JsValue {
    if obj.is_object() {
        Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
    } else {
        JsValue::UNDEFINED
    }
}

/// A `ScimRequest` object → a core request. A body that is not a string is sent as JSON with
/// `Content-Type: application/scim+json` unless the headers name a type (RFC 7644 §3.1).
pub fn request_from_js(value: &JsValue) -> Result<Request, JsError> {
    const WHAT: &str = "not a ScimRequest";
    if !value.is_object() || value.is_array() {
        return Err(JsError::new(&format!("{WHAT}: expected an object {{ method, path, headers?, body? }}")));
    }
    check_keys(value, &["method", "path", "headers", "body"], WHAT)?;
    let string = |key: &str| {
        get(value, key).as_string().ok_or_else(|| JsError::new(&format!("{WHAT}: \"{key}\" must be a string")))
    };
    let mut req = Request::new(&string("method")?, &string("path")?);
    let headers = get(value, "headers");
    let bad_headers =
        || JsError::new(&format!("{WHAT}: \"headers\" must be an object of strings or [name, value] pairs"));
    if headers.is_object() {
        // `Headers`, `Map` and arrays of pairs iterate as [name, value]; plain objects do not.
        let pairs: Vec<JsValue> = match js_sys::try_iter(&headers) {
            Ok(Some(iter)) => iter.collect::<Result<_, _>>().map_err(|_| bad_headers())?,
            _ => Object::entries(headers.unchecked_ref::<Object>()).to_vec(),
        };
        for entry in pairs {
            let (name, value) = match entry.dyn_into::<js_sys::Array>() {
                Ok(pair) if pair.length() == 2 => (pair.get(0), pair.get(1)),
                _ => return Err(bad_headers()),
            };
            let name = name.as_string().ok_or_else(bad_headers)?;
            let value =
                value.as_string().ok_or_else(|| JsError::new(&format!("{WHAT}: header {name:?} must be a string")))?;
            req.headers.push((name, value));
        }
    } else if !headers.is_undefined() && !headers.is_null() {
        return Err(bad_headers());
    }
    let body = get(value, "body");
    if body.is_undefined() || body.is_null() {
        return Ok(req);
    }
    req.body = json_text(&body)?.into_bytes();
    if !body.is_string() && req.header_value("content-type").is_none() {
        req.headers.push(("Content-Type".into(), "application/scim+json".into()));
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
    let out = Object::new();
    set(&out, "status", &JsValue::from(resp.status))?;
    let js_headers = Object::new();
    for (name, value) in &headers {
        set(&js_headers, name, &JsValue::from_str(value))?;
    }
    set(&out, "headers", &js_headers)?;
    set(&out, "body", &JsValue::from_str(&resp.body))?;
    if !resp.body.is_empty() {
        if let Ok(json) = JSON::parse(&resp.body) {
            set(&out, "json", &json)?;
        }
    }
    if resp.changed {
        set(&out, "changed", &JsValue::TRUE)?;
    }
    if let Some(explanation) = &resp.explanation {
        set(&out, "explanation", &to_js(explanation)?)?;
    }
    Ok(out.into())
}
