//! # scim-wasm
//!
//! The WebAssembly door of scim-core for JavaScript and TypeScript: one exported class,
//! [`MockServer`], whose methods convert JS values, call [`scim_core::Server`] and convert
//! the result back. No SCIM logic lives here; the fetch mock (`js/fetch-mock.js`) is a thin
//! JS layer over [`MockServer::handle`].
//!
//! ```js
//! import { MockServer } from "scim-playground-wasm";
//! const server = new MockServer({ profile: "rfc" });
//! const res = server.handle({ method: "POST", path: "/Users", body: { schemas: [...], userName: "bjensen" } });
//! res.status; // 201
//! ```

mod convert;
mod env;
mod types;

use scim_core::{Profile, Server};
use wasm_bindgen::prelude::*;

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
        if !o.is_object() || o.is_array() {
            return Err(JsError::new(&format!("{WHAT}: expected an object {{ profile?, seed?, deterministic? }}")));
        }
        convert::check_keys(&o, &["profile", "seed", "deterministic"], WHAT)?;
        let seed = match convert::get(&o, "seed") {
            v if v.is_undefined() || v.is_null() => None,
            // Integers up to 2^53 are exact in a JS number.
            v => match v.as_f64() {
                Some(f) if f >= 0.0 && f.fract() == 0.0 && f <= 9_007_199_254_740_991.0 => Some(f as u64),
                _ => return Err(JsError::new(&format!("{WHAT}: \"seed\" must be a non-negative integer"))),
            },
        };
        let deterministic = match convert::get(&o, "deterministic") {
            v if v.is_undefined() || v.is_null() => false,
            v => v.as_bool().ok_or_else(|| JsError::new(&format!("{WHAT}: \"deterministic\" must be a boolean")))?,
        };
        Ok(Options { profile: convert::get(&o, "profile"), seed, deterministic })
    }
}

/// An in-memory SCIM 2.0 service provider running one behaviour profile.
#[wasm_bindgen]
#[derive(Debug)]
pub struct MockServer {
    server: Server,
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
        Ok(MockServer { server })
    }

    /// Serves one request. SCIM errors are responses (`status` ≥ 400 with an RFC 7644 §3.12
    /// body); only a request that is not a `ScimRequest` throws.
    #[wasm_bindgen(unchecked_return_type = "ScimResponse")]
    pub fn handle(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "ScimRequest")] request: JsValue,
    ) -> Result<JsValue, JsError> {
        let req = request_from_js(&request)?;
        response_to_js(&self.server.handle(&req))
    }

    /// The store as JSON text; feed it to `MockServer.restore`.
    pub fn snapshot(&self) -> String {
        self.server.snapshot().to_string()
    }

    /// A server (built from `options`, as the constructor does) holding a snapshot's
    /// resources. Throws when the snapshot is not one, or does not fit the profile. New ids
    /// and timestamps continue exactly where the snapshot's server stood (the snapshot
    /// carries its id sequence and clock).
    pub fn restore(
        #[wasm_bindgen(unchecked_param_type = "string | object")] snapshot: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "MockServerOptions")] options: Option<JsValue>,
    ) -> Result<MockServer, JsError> {
        let mut server = MockServer::new(options)?;
        let value = convert::json_from_js(&snapshot, "the snapshot")?;
        server.server.restore(&value).map_err(|e| JsError::new(&e))?;
        Ok(server)
    }

    /// Empties the store (the profile stays); seeded and deterministic servers also start
    /// their id sequence (and clock) again, so a reset server repeats its first run.
    pub fn reset(&mut self) {
        self.server.reset();
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
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "ScimRequest")] request: JsValue,
        other: &mut MockServer,
    ) -> Result<JsValue, JsError> {
        let req = request_from_js(&request)?;
        let c = scim_core::compare(&mut self.server, &mut other.server, &req);
        let out = js_sys::Object::new();
        convert::set(&out, "left", &response_to_js(&c.left)?)?;
        convert::set(&out, "right", &response_to_js(&c.right)?)?;
        convert::set(&out, "diff", &to_js(&c.diff)?)?;
        Ok(out.into())
    }
}

#[cfg(test)]
mod tests {
    /// The npm manifest is a static file: keep its version in step with the crate's.
    #[test]
    fn npm_manifest_version_is_the_crate_version() {
        let manifest: serde_json::Value =
            serde_json::from_str(include_str!("../js/package.json")).expect("js/package.json is JSON");
        assert_eq!(manifest["version"], env!("CARGO_PKG_VERSION"));
        assert_eq!(manifest["exports"]["."]["node"], "./node/index.mjs");
    }
}
