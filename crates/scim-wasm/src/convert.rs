//! JS values ↔ core values, at the edge.
//!
//! Out: typed values (explanations, profile lists, differences) are written as JSON text by
//! serde_json and read by `JSON.parse`, so JS receives plain objects and arrays, never
//! `Map`s, and the module carries one serializer instead of a second one that builds JS
//! values field by field (serde-wasm-bindgen's). A response's four fields are set directly
//! and its body is parsed by `JSON.parse` too.
//!
//! In: the few fields of an options or request object are read directly ([`Reflect::get`]).
//! A serde `Deserialize` per input type through serde-wasm-bindgen cost about 7 KB of gzipped
//! wasm, and could not reject unknown keys (it reads only the fields a struct names).
//!
//! Hostile input: a getter or Proxy trap that throws, a revoked Proxy, an endless iterator,
//! a Symbol, a BigInt, a cycle or a body of hundreds of megabytes must not leave a
//! `MockServer` unusable. A JS exception that unwinds through wasm frames skips every Rust
//! destructor (a held borrow stays held) and the shadow stack pointer, so every JS operation
//! here is one that catches (`catch` imports, [`Reflect`], never `instanceof` or
//! `Array.isArray` on user values without a catch), every string is measured before it is
//! copied into wasm memory, and a request is read completely into a [`RawRequest`] (plain
//! Rust values) before the server is borrowed. [`RawRequest::into_request`] then applies
//! the door's rules (body cap, default Content-Type) without touching JS, which keeps it
//! testable natively (the `wasm_request` fuzz target) and ready to sit behind a JSON-text
//! fast path.

use std::collections::BTreeMap;

use js_sys::{Array, Function, JSON, JsString, Object, Reflect};
use scim_core::{Profile, Request, Response, ScimError};
use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::prelude::*;

/// The largest request body `MockServer.handle` accepts, in bytes of UTF-8: the native HTTP
/// door's default (`scim-mock --max-body`). A larger body is a 413 response, not a throw.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The most header entries a request may carry (an endless iterator stops here).
pub const MAX_HEADERS: usize = 256;

#[wasm_bindgen]
extern "C" {
    /// `Object.keys`, catching what a Proxy's `ownKeys` trap (or a revoked Proxy) throws.
    #[wasm_bindgen(catch, js_namespace = Object, js_name = keys)]
    fn object_keys(value: &JsValue) -> Result<Array, JsValue>;
    /// `Object.entries`, catching throwing getters and traps.
    #[wasm_bindgen(catch, js_namespace = Object, js_name = entries)]
    fn object_entries(value: &JsValue) -> Result<Array, JsValue>;
    /// `Array.isArray`, which throws on a revoked Proxy.
    #[wasm_bindgen(catch, js_namespace = Array, js_name = isArray)]
    fn is_array(value: &JsValue) -> Result<bool, JsValue>;
}

/// A typed value as plain JS objects: JSON text, then `JSON.parse`. Integers beyond 2^53
/// come out rounded, as they do in a response body.
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsError> {
    let text = serde_json::to_string(value).map_err(|e| JsError::new(&format!("converting to JS: {e}")))?;
    JSON::parse(&text).map_err(|e| JsError::new(&format!("converting to JS: {}", thrown(&e))))
}

/// A core error as a thrown JS `Error` whose message is its detail.
pub fn js_error(e: impl std::fmt::Display) -> JsError {
    JsError::new(&e.to_string())
}

/// What a caught JS exception said: its `message` (read with a catch: the thrown value may
/// itself be hostile), or the thrown string, cut to 200 characters.
fn thrown(e: &JsValue) -> String {
    let text = e
        .as_string()
        .or_else(|| if e.is_object() { Reflect::get(e, &"message".into()).ok()?.as_string() } else { None })
        .unwrap_or_else(|| "a value that is not an Error".into());
    let mut short: String = text.chars().take(200).collect();
    if short.len() < text.len() {
        short.push('…');
    }
    short
}

/// Whether a value is a non-array object (false for a revoked Proxy's `isArray` throw: it is
/// then not usable as either).
pub fn is_plain_object(value: &JsValue) -> Result<bool, JsError> {
    if !value.is_object() {
        return Ok(false);
    }
    is_array(value).map(|a| !a).map_err(|e| JsError::new(&format!("the object cannot be read: {}", thrown(e.as_ref()))))
}

/// The own enumerable string keys of an object.
fn keys(value: &JsValue, what: &str) -> Result<Vec<String>, JsError> {
    let keys =
        object_keys(value).map_err(|e| JsError::new(&format!("{what}: its keys cannot be read: {}", thrown(&e))))?;
    Ok(keys.iter().filter_map(|k| k.as_string()).collect())
}

/// Rejects keys that `known` does not list, so a typo such as `determinstic` or `header`
/// fails loudly instead of being ignored.
pub fn check_keys(value: &JsValue, known: &[&str], what: &str) -> Result<(), JsError> {
    if !is_plain_object(value)? {
        return Ok(()); // callers check the type first
    }
    for key in keys(value, what)? {
        if !known.contains(&key.as_str()) {
            let mut shown: String = key.chars().take(100).collect();
            if shown.len() < key.len() {
                shown.push('…');
            }
            return Err(JsError::new(&format!("{what}: unknown field {shown:?}; expected {}", known.join(", "))));
        }
    }
    Ok(())
}

/// `obj[key] = value` on a plain object (cannot fail there; the error is for completeness).
pub fn set(obj: &Object, key: &str, value: &JsValue) -> Result<(), JsError> {
    Reflect::set(obj, &JsValue::from_str(key), value).map(drop).map_err(|_| JsError::new("could not set a property"))
}

/// A JS string copied into Rust, when it has at most `max` UTF-16 units (checked before
/// the copy, so a 500 MB string is refused without allocating). `Ok(None)`: not a string.
fn bounded_string(value: &JsValue, max: usize) -> Result<Option<String>, usize> {
    if !value.is_string() {
        return Ok(None);
    }
    let len = value.unchecked_ref::<JsString>().length() as usize;
    if len > max {
        return Err(len);
    }
    Ok(value.as_string())
}

/// JSON text from a string (kept as written) or any other value (`JSON.stringify`), at most
/// `max` UTF-16 units. `Err(Ok(len))`: too long; `Err(Err(e))`: not writable as JSON.
fn json_text(value: &JsValue, max: usize) -> Result<String, Result<usize, JsError>> {
    let text: JsValue = if value.is_string() {
        value.clone()
    } else {
        JSON::stringify(value)
            .map_err(|e| {
                Err(JsError::new(&format!(
                    "the value cannot be written as JSON (a cycle, a BigInt, a throwing getter?): {}",
                    thrown(&e)
                )))
            })?
            .into()
    };
    match bounded_string(&text, max) {
        Ok(Some(s)) => Ok(s),
        Ok(None) => Err(Err(JsError::new("the value cannot be written as JSON (a function, a Symbol or undefined?)"))),
        Err(len) => Err(Ok(len)),
    }
}

/// A JSON value from JSON text or a JS value; errors start with `what`.
pub fn json_from_js(value: &JsValue, what: &str) -> Result<Value, JsError> {
    let text = json_text(value, usize::MAX).map_err(|e| match e {
        Ok(_) => JsError::new(&format!("{what} is too large")),
        Err(e) => e,
    })?;
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
    let text = json_text(value, usize::MAX).map_err(|e| match e {
        Ok(_) => JsError::new("the profile is too large"),
        Err(e) => e,
    })?;
    Profile::from_json(&text).map_err(js_error)
}

/// A property of a JS object (`undefined` when absent or not an object); a throwing getter
/// or trap is an error naming the property.
pub fn get(obj: &JsValue, key: &str) -> Result<JsValue, JsError> {
    if !obj.is_object() {
        return Ok(JsValue::UNDEFINED);
    }
    Reflect::get(obj, &JsValue::from_str(key))
        .map_err(|e| JsError::new(&format!("reading {key:?} threw: {}", thrown(&e))))
}

/// A request body as read from JS, before any check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RawBody {
    /// A string body, sent as written.
    Text(String),
    /// Any other value, as `JSON.stringify` wrote it (sent with a JSON Content-Type unless
    /// the headers name one).
    Json(String),
    /// A body longer than the door accepts: its length in UTF-16 units (never copied).
    TooLarge(usize),
}

/// A `ScimRequest` read from JS into plain Rust values: nothing in it can call back into JS.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawRequest {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<RawBody>,
}

impl RawRequest {
    /// The door's rules, without JS: a body over [`MAX_BODY_BYTES`] is a 413 SCIM error; a
    /// body that was not a string gets `Content-Type: application/scim+json` unless the
    /// headers name a type (RFC 7644 §3.1).
    pub fn into_request(self) -> Result<Request, ScimError> {
        let RawRequest { method, path, headers, body } = self;
        let mut req = Request::new(&method, &path);
        req.headers = headers;
        let (bytes, json) = match body {
            None => return Ok(req),
            Some(RawBody::Text(s)) => (s.into_bytes(), false),
            Some(RawBody::Json(s)) => (s.into_bytes(), true),
            Some(RawBody::TooLarge(units)) => return Err(too_large(units)),
        };
        if bytes.len() > MAX_BODY_BYTES {
            return Err(too_large(bytes.len()));
        }
        req.body = bytes;
        if json && req.header_value("content-type").is_none() {
            req.headers.push(("Content-Type".into(), "application/scim+json".into()));
        }
        Ok(req)
    }
}

fn too_large(size: usize) -> ScimError {
    ScimError::new(
        413,
        None,
        format!(
            "The request body ({size} bytes or more) is larger than this mock's limit of {MAX_BODY_BYTES} bytes; send a smaller body (RFC 7644 §3.12, RFC 9110 §15.5.14)."
        ),
    )
}

/// Calls `value[Symbol.iterator]()` and collects up to [`MAX_HEADERS`] items, every step
/// caught. `Ok(None)`: the value is not iterable.
fn iterate(value: &JsValue) -> Result<Option<Vec<JsValue>>, String> {
    let iter_fn = Reflect::get(value, &js_sys::Symbol::iterator()).map_err(|e| thrown(&e))?;
    if !iter_fn.is_function() {
        return Ok(None);
    }
    let iter = iter_fn.unchecked_ref::<Function>().call0(value).map_err(|e| thrown(&e))?;
    let next = Reflect::get(&iter, &"next".into()).map_err(|e| thrown(&e))?;
    if !next.is_function() {
        return Err("its iterator has no next()".into());
    }
    let next = next.unchecked_into::<Function>();
    let mut out = Vec::new();
    loop {
        let step = next.call0(&iter).map_err(|e| thrown(&e))?;
        if !step.is_object() {
            return Err("its iterator returned a non-object".into());
        }
        if Reflect::get(&step, &"done".into()).map_err(|e| thrown(&e))?.is_truthy() {
            return Ok(Some(out));
        }
        if out.len() == MAX_HEADERS {
            return Err(format!("more than {MAX_HEADERS} entries"));
        }
        out.push(Reflect::get(&step, &"value".into()).map_err(|e| thrown(&e))?);
    }
}

/// A `ScimRequest` object → plain Rust values (see the module docs). Throws (as a JS
/// `Error` naming the field) when it is not a `ScimRequest`; a body too large is not an
/// error here but [`RawBody::TooLarge`], answered with 413.
pub fn request_from_js(value: &JsValue) -> Result<RawRequest, JsError> {
    const WHAT: &str = "not a ScimRequest";
    if !is_plain_object(value).map_err(|e| prefix(WHAT, e))? {
        return Err(JsError::new(&format!("{WHAT}: expected an object {{ method, path, headers?, body? }}")));
    }
    check_keys(value, &["method", "path", "headers", "body"], WHAT)?;
    let string = |key: &str| -> Result<String, JsError> {
        let v = get(value, key).map_err(|e| prefix(WHAT, e))?;
        match bounded_string(&v, MAX_BODY_BYTES) {
            Ok(Some(s)) => Ok(s),
            Ok(None) => Err(JsError::new(&format!("{WHAT}: \"{key}\" must be a string"))),
            Err(len) => Err(JsError::new(&format!("{WHAT}: \"{key}\" is {len} characters long"))),
        }
    };
    let mut req = RawRequest { method: string("method")?, path: string("path")?, ..RawRequest::default() };
    let headers = get(value, "headers").map_err(|e| prefix(WHAT, e))?;
    let bad_headers = |why: &str| {
        JsError::new(&format!("{WHAT}: \"headers\" must be an object of strings or [name, value] pairs ({why})"))
    };
    if headers.is_object() {
        // `Headers`, `Map` and arrays of pairs iterate as [name, value]; plain objects do not.
        let pairs: Vec<JsValue> = match iterate(&headers).map_err(|e| bad_headers(&e))? {
            Some(items) => items,
            None => object_entries(&headers)
                .map_err(|e| JsError::new(&format!("{WHAT}: reading \"headers\" threw: {}", thrown(&e))))?
                .iter()
                .take(MAX_HEADERS + 1)
                .collect(),
        };
        if pairs.len() > MAX_HEADERS {
            return Err(bad_headers(&format!("more than {MAX_HEADERS} entries")));
        }
        for entry in pairs {
            if !is_array(&entry).unwrap_or(false) {
                return Err(bad_headers("an entry is not a pair"));
            }
            let part = |i: u32| Reflect::get_u32(&entry, i).map_err(|e| bad_headers(&thrown(&e)));
            let length = Reflect::get(&entry, &"length".into()).map_err(|e| bad_headers(&thrown(&e)))?;
            if length.as_f64() != Some(2.0) {
                return Err(bad_headers("an entry is not a pair"));
            }
            let (name, value) = (part(0)?, part(1)?);
            let name = match bounded_string(&name, MAX_BODY_BYTES) {
                Ok(Some(n)) => n,
                _ => return Err(bad_headers("a name is not a string")),
            };
            let value = match bounded_string(&value, MAX_BODY_BYTES) {
                Ok(Some(v)) => v,
                _ => {
                    let shown: String = name.chars().take(100).collect();
                    return Err(JsError::new(&format!("{WHAT}: header {shown:?} must be a string")));
                }
            };
            req.headers.push((name, value));
        }
    } else if !headers.is_undefined() && !headers.is_null() {
        return Err(bad_headers("got a primitive"));
    }
    let body = get(value, "body").map_err(|e| prefix(WHAT, e))?;
    if body.is_undefined() || body.is_null() {
        return Ok(req);
    }
    req.body = Some(match json_text(&body, MAX_BODY_BYTES) {
        Ok(text) if body.is_string() => RawBody::Text(text),
        Ok(text) => RawBody::Json(text),
        Err(Ok(len)) => RawBody::TooLarge(len),
        Err(Err(e)) => return Err(prefix(&format!("{WHAT}: \"body\""), e)),
    });
    Ok(req)
}

/// An error with `what` in front of its message.
fn prefix(what: &str, e: JsError) -> JsError {
    let message = JsValue::from(e);
    let text = if message.is_object() {
        Reflect::get(&message, &"message".into()).ok().and_then(|m| m.as_string()).unwrap_or_default()
    } else {
        String::new()
    };
    JsError::new(&format!("{what}: {text}"))
}

/// A core response → a `ScimResponse` object (lower-case header names, as `fetch` and Node
/// give them; repeated headers joined with ", " as RFC 9110 §5.3 allows).
pub fn response_to_js(resp: &Response) -> Result<JsValue, JsError> {
    let out = text_response_object(resp)?;
    if !resp.body.is_empty() {
        if let Ok(json) = JSON::parse(&resp.body) {
            set(&out, "json", &json)?;
        }
    }
    if let Some(explanation) = &resp.explanation {
        set(&out, "explanation", &to_js(explanation)?)?;
    }
    Ok(out.into())
}

/// A core response → a `ScimResponse` of `status`, `headers`, `body` and `changed` only (the
/// fast path, `MockServer.handleText`).
pub fn text_response_to_js(resp: &Response) -> Result<JsValue, JsError> {
    Ok(text_response_object(resp)?.into())
}

/// The response's headers with lower-case names, repeated ones joined with ", ", in name order.
fn merged_headers(resp: &Response) -> BTreeMap<String, String> {
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
    headers
}

/// A core response as one string for `MockServer.handleParts`: the status, `1` when the store
/// changed (else `0`), the headers as a JSON object (as [`text_response_to_js`] gives them;
/// JSON text holds no raw line break), each on its own line, then the body. One string
/// crosses the boundary instead of an object built field by field; `js/fast.js` splits it.
pub fn text_response_encoded(resp: &Response) -> String {
    let headers = serde_json::to_string(&merged_headers(resp)).unwrap_or_else(|_| "{}".to_owned());
    let mut out = String::with_capacity(resp.body.len() + headers.len() + 8);
    out.push_str(&resp.status.to_string());
    out.push('\n');
    out.push(if resp.changed { '1' } else { '0' });
    out.push('\n');
    out.push_str(&headers);
    out.push('\n');
    out.push_str(&resp.body);
    out
}

fn text_response_object(resp: &Response) -> Result<Object, JsError> {
    let headers = merged_headers(resp);
    let out = Object::new();
    set(&out, "status", &JsValue::from(resp.status))?;
    let js_headers = Object::new();
    for (name, value) in &headers {
        set(&js_headers, name, &JsValue::from_str(value))?;
    }
    set(&out, "headers", &js_headers)?;
    set(&out, "body", &JsValue::from_str(&resp.body))?;
    if resp.changed {
        set(&out, "changed", &JsValue::TRUE)?;
    }
    Ok(out)
}
