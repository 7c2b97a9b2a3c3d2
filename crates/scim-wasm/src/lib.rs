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

use std::collections::HashSet;

use scim_core::{Profile, Server};
use serde::Serialize;
use wasm_bindgen::prelude::*;

pub use crate::env::WasmEnv;

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

/// A built-in profile's name, title and description.
#[derive(Debug, Serialize)]
struct ProfileInfo {
    name: String,
    title: String,
    description: String,
}

/// An in-memory SCIM 2.0 service provider running one behaviour profile.
#[wasm_bindgen]
#[derive(Debug)]
pub struct MockServer {
    server: Server<WasmEnv>,
    seed: Option<u64>,
    deterministic: bool,
}

impl MockServer {
    /// A seeded or deterministic server restored from its own snapshot would hand out the
    /// ids it already used, and its fixed clock would run backwards: move both past what the
    /// snapshot holds.
    fn resume_env(&mut self) {
        let resources: Vec<_> =
            self.server.registry().kinds.iter().flat_map(|kind| self.server.store().iter(&kind.def.name)).collect();
        let existing: HashSet<String> =
            resources.iter().filter_map(|r| r.get("id").and_then(|id| id.as_str()).map(str::to_string)).collect();
        let latest = resources
            .iter()
            .filter_map(|r| r.get("meta")?.get("lastModified")?.as_str().and_then(scim_core::time::parse_datetime))
            .max();
        let env = self.server.env_mut();
        env.skip_ids(&existing);
        if let Some(latest) = latest {
            env.resume_clock(latest);
        }
    }
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
        let server = Server::new(profile, WasmEnv::new(options.seed, options.deterministic)).map_err(js_error)?;
        Ok(MockServer { server, seed: options.seed, deterministic: options.deterministic })
    }

    /// Serves one request. SCIM errors are responses (`status` ≥ 400 with an RFC 7644 §3.12
    /// body); only a request that is not a `ScimRequest` throws.
    #[wasm_bindgen(unchecked_return_type = "ScimResponse")]
    pub fn handle(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "ScimRequest")] request: JsValue,
    ) -> Result<JsValue, JsError> {
        let req = request_from_js(&request)?;
        let resp = self.server.handle(&req);
        self.server.env_mut().tick();
        response_to_js(&resp)
    }

    /// The store as JSON text; feed it to `MockServer.restore`.
    pub fn snapshot(&self) -> String {
        self.server.snapshot().to_string()
    }

    /// A server (built from `options`, as the constructor does) holding a snapshot's
    /// resources. Throws when the snapshot is not one, or does not fit the profile. With the
    /// `seed` or `deterministic` options of the server that took the snapshot, new ids
    /// continue that server's sequence.
    pub fn restore(
        #[wasm_bindgen(unchecked_param_type = "string | object")] snapshot: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "MockServerOptions")] options: Option<JsValue>,
    ) -> Result<MockServer, JsError> {
        let mut server = MockServer::new(options)?;
        let value = convert::json_from_js(&snapshot, "the snapshot")?;
        server.server.restore(&value).map_err(|e| JsError::new(&e))?;
        server.resume_env();
        Ok(server)
    }

    /// Empties the store (the profile stays); seeded and deterministic servers also start
    /// their id sequence (and clock) again, so a reset server repeats its first run.
    pub fn reset(&mut self) {
        self.server.reset();
        *self.server.env_mut() = WasmEnv::new(self.seed, self.deterministic);
    }

    /// The built-in profiles.
    #[wasm_bindgen(unchecked_return_type = "ProfileInfo[]")]
    pub fn profiles() -> Result<JsValue, JsError> {
        let list: Vec<ProfileInfo> = scim_core::profile::builtin_sources()
            .iter()
            .filter_map(|(name, _)| Profile::builtin(name))
            .map(|p| ProfileInfo { name: p.name, title: p.title, description: p.description })
            .collect();
        to_js(&list)
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
        let c = scim_core::compare::compare(&mut self.server, &mut other.server, &req);
        self.server.env_mut().tick();
        other.server.env_mut().tick();
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
