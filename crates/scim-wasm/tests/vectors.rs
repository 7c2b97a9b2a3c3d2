//! The shared vectors of `tests/vectors`, run in headless Chromium through the exported
//! `MockServer`: requests and responses cross the JS boundary as a JS caller's would
//! (plain objects in, plain objects out), so the facade's conversions are under test too.
#![cfg(target_arch = "wasm32")]

use js_sys::{JSON, Object, Reflect};
use scim_core::{Explanation, Profile, Request, Response};
use scim_vectors::Door;
use scim_wasm::MockServer;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The wasm door: every call goes through `MockServer`'s exported methods.
#[derive(Debug, Default)]
struct WasmDoor {
    server: Option<MockServer>,
}

fn set(obj: &Object, key: &str, value: &JsValue) {
    Reflect::set(obj, &key.into(), value).expect("setting a property on a plain object");
}

fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

/// The message of a thrown `JsError`.
fn message(e: JsError) -> String {
    js_sys::Error::from(JsValue::from(e)).message().into()
}

impl Door for WasmDoor {
    fn name(&self) -> &str {
        "wasm"
    }

    fn start(&mut self, profile: &Profile) -> Result<(), String> {
        // The profile goes in as a JS object, the way an app passes a custom profile.
        let text = serde_json::to_string(profile).map_err(|e| e.to_string())?;
        let options = Object::new();
        set(&options, "profile", &JSON::parse(&text).map_err(|_| "profile JSON did not parse in JS")?);
        set(&options, "deterministic", &JsValue::TRUE);
        self.server = Some(MockServer::new(Some(options.into())).map_err(message)?);
        Ok(())
    }

    fn send(&mut self, req: &Request) -> Result<Response, String> {
        let server = self.server.as_mut().ok_or("not started")?;
        let js_req = Object::new();
        set(&js_req, "method", &req.method.as_str().into());
        set(&js_req, "path", &req.path.as_str().into());
        let headers = Object::new();
        for (name, value) in &req.headers {
            set(&headers, name, &value.as_str().into());
        }
        set(&js_req, "headers", &headers);
        if !req.body.is_empty() {
            set(&js_req, "body", &String::from_utf8_lossy(&req.body).as_ref().into());
        }
        let out = server.handle(js_req.into()).map_err(message)?;

        let status = get(&out, "status").as_f64().ok_or("response.status is not a number")? as u16;
        let body = get(&out, "body").as_string().ok_or("response.body is not a string")?;
        let mut headers = Vec::new();
        for entry in Object::entries(&Object::from(get(&out, "headers"))).iter() {
            let pair = js_sys::Array::from(&entry);
            let name = pair.get(0).as_string().ok_or("header name is not a string")?;
            let value = pair.get(1).as_string().ok_or("header value is not a string")?;
            headers.push((name, value));
        }
        let explanation = match get(&out, "explanation") {
            v if v.is_undefined() => None,
            v => Some(serde_wasm_bindgen::from_value::<Explanation>(v).map_err(|e| format!("explanation: {e}"))?),
        };
        // `json` must be the parsed body whenever there is one.
        let json = get(&out, "json");
        if !body.is_empty() && JSON::stringify(&json).ok().and_then(|s| s.as_string()).is_none() {
            return Err("response.json is missing for a JSON body".into());
        }
        let changed = get(&out, "changed").as_bool().unwrap_or(false);
        Ok(Response { status, headers, body, explanation, changed })
    }

    fn snapshot(&mut self) -> Option<String> {
        self.server.as_ref().and_then(|s| s.snapshot().ok())
    }

    fn explains(&self) -> bool {
        true
    }
}

#[wasm_bindgen_test]
fn vectors_via_wasm() {
    let mut door = WasmDoor::default();
    let report = scim_vectors::run_all(&mut door);
    let summary = report.summary("wasm");
    console_log!("{summary}");
    assert!(report.ok(), "{}\n{summary}", report.problems.join("\n"));
    assert!(report.passed >= 1, "no vectors ran");
}
