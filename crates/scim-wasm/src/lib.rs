//! # scim-wasm
//!
//! The WebAssembly door of scim-core for JavaScript and TypeScript: one exported class,
//! [`MockServer`], whose methods convert JS values, call [`scim_core::Server`] and convert
//! the result back. No SCIM logic lives here; the fetch mock (`js/fetch-mock.js`) and the
//! other adapters are a thin JS layer (`js/core.js`) over [`MockServer::handle_text`], the
//! fast path (text in, text out, no explanation), beside the object-shaped
//! [`MockServer::handle`].
//!
//! ```js
//! import { MockServer } from "scim-playground-wasm";
//! const server = new MockServer({ profile: "rfc" });
//! const res = server.handle({ method: "POST", path: "/Users", body: { schemas: [...], userName: "bjensen" } });
//! res.status; // 201
//! ```

mod compare_all;
mod convert;
mod env;
mod types;

use std::cell::RefCell;

use scim_core::{Profile, Request, Response, Server};
use wasm_bindgen::prelude::*;

pub use crate::convert::{MAX_BODY_BYTES, MAX_HEADERS, RawBody, RawRequest};
use crate::convert::{js_error, request_from_js, response_to_js, to_js};

/// Constructor options (see `MockServerOptions` in the TypeScript section).
#[derive(Debug, Default)]
struct Options {
    profile: JsValue,
    seed: Option<u64>,
    deterministic: bool,
}

impl Options {
    fn from_js(value: Option<JsValue>) -> Result<Options, JsError> {
        const WHAT: &str = "MockServer options";
        let Some(o) = value.filter(|o| !o.is_undefined() && !o.is_null()) else {
            return Ok(Options::default());
        };
        if !convert::is_plain_object(&o)? {
            return Err(JsError::new(&format!("{WHAT}: expected an object {{ profile?, seed?, deterministic? }}")));
        }
        convert::check_keys(&o, &["profile", "seed", "deterministic"], WHAT)?;
        let seed = match convert::get(&o, "seed")? {
            v if v.is_undefined() || v.is_null() => None,
            // Integers up to 2^53 are exact in a JS number.
            v => match v.as_f64() {
                Some(f) if f >= 0.0 && f.fract() == 0.0 && f <= 9_007_199_254_740_991.0 => Some(f as u64),
                _ => return Err(JsError::new(&format!("{WHAT}: \"seed\" must be a non-negative integer"))),
            },
        };
        let deterministic = match convert::get(&o, "deterministic")? {
            v if v.is_undefined() || v.is_null() => false,
            v => v.as_bool().ok_or_else(|| JsError::new(&format!("{WHAT}: \"deterministic\" must be a boolean")))?,
        };
        Ok(Options { profile: convert::get(&o, "profile")?, seed, deterministic })
    }
}

/// An in-memory SCIM 2.0 service provider running one behaviour profile.
///
/// Every method takes `&self` and borrows the server only after its input is read into
/// Rust values (no JS runs while it is borrowed): a request whose getters or Proxy traps
/// throw is an error of that call, and the instance stays usable (see `convert`).
#[wasm_bindgen]
#[derive(Debug)]
pub struct MockServer {
    server: RefCell<Server>,
}

impl MockServer {
    /// Serves a request read from JS: its 413 (body too large), or the server's answer.
    fn serve(&self, raw: RawRequest) -> Result<Response, JsError> {
        let req: Request = match raw.into_request() {
            Ok(req) => req,
            Err(e) => return Ok(e.to_response()),
        };
        Ok(self.server.try_borrow_mut().map_err(|_| busy())?.handle(&req))
    }
}

impl MockServer {
    /// Serves `raw` without an explanation (the fast path's engine call); a request the door
    /// refuses (too large) is its SCIM error response.
    fn handle_quietly(&self, raw: RawRequest) -> Result<Response, JsError> {
        Ok(match raw.into_request() {
            Ok(req) => {
                let mut server = self.server.try_borrow_mut().map_err(|_| busy())?;
                let explain = server.explains();
                server.set_explain(false);
                let resp = server.handle(&req);
                server.set_explain(explain);
                resp
            }
            Err(e) => e.to_response(),
        })
    }
}

/// A call made while this instance is serving another (only a re-entrant call can see it).
fn busy() -> JsError {
    JsError::new("this MockServer is busy with another call (a re-entrant call from inside a request?)")
}

#[wasm_bindgen]
impl MockServer {
    /// A server with an empty store. Throws when the profile is unknown or invalid (the
    /// message names the field).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_optional_param_type = "MockServerOptions")] options: Option<JsValue>,
    ) -> Result<MockServer, JsError> {
        let options = Options::from_js(options)?;
        let profile = convert::profile_from_js(&options.profile)?;
        let (clock, ids) = env::time_and_ids(options.seed, options.deterministic);
        let server = Server::new(profile).map_err(js_error)?.with_clock(clock).with_ids(ids);
        Ok(MockServer { server: RefCell::new(server) })
    }

    /// Serves one request. SCIM errors are responses (`status` ≥ 400 with an RFC 7644 §3.12
    /// body; a body over 1 MiB is a 413); only a request that is not a `ScimRequest` (or
    /// whose getters throw) throws, and the instance stays usable.
    #[wasm_bindgen(unchecked_return_type = "ScimResponse")]
    pub fn handle(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ScimRequest")] request: JsValue,
    ) -> Result<JsValue, JsError> {
        let raw = request_from_js(&request)?;
        let resp = self.serve(raw)?;
        response_to_js(&resp)
    }

    /// The fast path: the same request as [`MockServer::handle`] takes (give the body as
    /// JSON text), answered with `status`, `headers`, `body` (JSON text) and `changed` only:
    /// no parsed `json` and no `explanation`, which the engine then does not build. Parse
    /// `body` with `JSON.parse` when you need it. The fetch mock and the other adapters use
    /// this; `handle` answers the same way with the extra members.
    #[wasm_bindgen(js_name = handleText, unchecked_return_type = "ScimResponse")]
    pub fn handle_text(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ScimRequest")] request: JsValue,
    ) -> Result<JsValue, JsError> {
        let resp = self.handle_quietly(request_from_js(&request)?)?;
        convert::text_response_to_js(&resp)
    }

    /// The fast path's lowest level, which `handleText` uses for plain requests (`js/fast.js`:
    /// a plain object whose method, path, header values and body are strings): the request's
    /// parts as strings, `headers` flat (`[name, value, name, value, ...]`), and the response
    /// as one string (see `text_response_encoded`). Requests of any other shape go through
    /// `handleText`'s own checks, so their errors stay as documented.
    #[wasm_bindgen(js_name = handleParts)]
    pub fn handle_parts(
        &self,
        method: String,
        path: String,
        headers: Vec<String>,
        body: Option<String>,
    ) -> Result<String, JsError> {
        if headers.len() > 2 * MAX_HEADERS || headers.len() % 2 == 1 {
            return Err(JsError::new("handleParts: headers must be at most 256 [name, value] pairs, flattened"));
        }
        let mut pairs = Vec::with_capacity(headers.len() / 2);
        let mut it = headers.into_iter();
        while let (Some(name), Some(value)) = (it.next(), it.next()) {
            pairs.push((name, value));
        }
        let raw = RawRequest { method, path, headers: pairs, body: body.map(RawBody::Text) };
        Ok(convert::text_response_encoded(&self.handle_quietly(raw)?))
    }

    /// The store as JSON text; feed it to `MockServer.restore`.
    pub fn snapshot(&self) -> Result<String, JsError> {
        Ok(self.server.try_borrow().map_err(|_| busy())?.snapshot().to_string())
    }

    /// A server (built from `options`, as the constructor does) holding a snapshot's
    /// resources. Throws when the snapshot is not one, or does not fit the profile. New ids
    /// and timestamps continue exactly where the snapshot's server stood (the snapshot
    /// carries its id sequence and clock).
    pub fn restore(
        #[wasm_bindgen(unchecked_param_type = "string | object")] snapshot: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "MockServerOptions")] options: Option<JsValue>,
    ) -> Result<MockServer, JsError> {
        let server = MockServer::new(options)?;
        let value = convert::json_from_js(&snapshot, "the snapshot")?;
        server.server.try_borrow_mut().map_err(|_| busy())?.restore(&value).map_err(|e| JsError::new(&e))?;
        Ok(server)
    }

    /// Empties the store (the profile stays); seeded and deterministic servers also start
    /// their id sequence (and clock) again, so a reset server repeats its first run.
    pub fn reset(&self) -> Result<(), JsError> {
        self.server.try_borrow_mut().map_err(|_| busy())?.reset();
        Ok(())
    }

    /// The built-in profiles.
    #[wasm_bindgen(unchecked_return_type = "ProfileInfo[]")]
    pub fn profiles() -> Result<JsValue, JsError> {
        to_js(&Profile::builtins())
    }

    /// Sends the same request to this server and to `other` (another `MockServer`; the same
    /// one throws) and diffs the two responses (`scim_core::compare`). Both stores change as
    /// the request says.
    #[wasm_bindgen(unchecked_return_type = "Comparison")]
    pub fn compare(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ScimRequest")] request: JsValue,
        other: &MockServer,
    ) -> Result<JsValue, JsError> {
        let raw = request_from_js(&request)?;
        let req = match raw.into_request() {
            Ok(req) => req,
            Err(e) => {
                let resp = e.to_response();
                let c = scim_core::Comparison {
                    diff: scim_core::diff_responses(&resp, &resp),
                    left: resp.clone(),
                    right: resp,
                };
                return comparison_to_js(&c);
            }
        };
        let mut left = self.server.try_borrow_mut().map_err(|_| busy())?;
        let mut right = other
            .server
            .try_borrow_mut()
            .map_err(|_| JsError::new("compare needs two different MockServers; this one was passed as both"))?;
        let c = scim_core::compare(&mut left, &mut right, &req);
        drop((left, right));
        comparison_to_js(&c)
    }
}

/// A comparison as a `Comparison` object.
fn comparison_to_js(c: &scim_core::Comparison) -> Result<JsValue, JsError> {
    let out = js_sys::Object::new();
    convert::set(&out, "left", &response_to_js(&c.left)?)?;
    convert::set(&out, "right", &response_to_js(&c.right)?)?;
    convert::set(&out, "diff", &to_js(&c.diff)?)?;
    Ok(out.into())
}

#[cfg(test)]
mod tests {
    use super::{MAX_BODY_BYTES, RawBody, RawRequest};

    fn raw(body: Option<RawBody>) -> RawRequest {
        RawRequest { method: "POST".into(), path: "/Users".into(), headers: vec![], body }
    }

    /// The door's rules after JS: 413 over the cap (in UTF-8 bytes, and for a JS string
    /// measured too long before it was copied), a JSON Content-Type only for non-string
    /// bodies, never over one the caller named.
    #[test]
    fn raw_requests_follow_the_door_rules() {
        let e = raw(Some(RawBody::TooLarge(400_000_000))).into_request().unwrap_err();
        assert_eq!((e.status, e.detail.contains("400000000 bytes or more")), (413, true), "{e}");
        let big = "€".repeat(MAX_BODY_BYTES / 3 + 1);
        assert_eq!(raw(Some(RawBody::Text(big))).into_request().unwrap_err().status, 413);
        let at_cap = " ".repeat(MAX_BODY_BYTES);
        assert_eq!(raw(Some(RawBody::Text(at_cap))).into_request().unwrap().body.len(), MAX_BODY_BYTES);
        let json = raw(Some(RawBody::Json("{}".into()))).into_request().unwrap();
        assert_eq!(json.header_value("content-type"), Some("application/scim+json"));
        let text = raw(Some(RawBody::Text("{}".into()))).into_request().unwrap();
        assert_eq!(text.header_value("content-type"), None);
        let mut named = raw(Some(RawBody::Json("{}".into())));
        named.headers.push(("content-type".into(), "text/plain".into()));
        let named = named.into_request().unwrap();
        assert_eq!((named.headers.len(), named.header_value("Content-Type")), (1, Some("text/plain")));
    }

    /// The npm manifest is a static file: keep its version in step with the crate's.
    #[test]
    fn npm_manifest_version_is_the_crate_version() {
        let manifest: serde_json::Value =
            serde_json::from_str(include_str!("../js/package.json")).expect("js/package.json is JSON");
        assert_eq!(manifest["version"], env!("CARGO_PKG_VERSION"));
        assert_eq!(manifest["exports"]["."]["node"], "./node/index.mjs");
    }
}
