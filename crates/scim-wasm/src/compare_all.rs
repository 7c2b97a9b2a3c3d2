//! `compareAll(request, options?)`: one request sent to every built-in profile (and each of
//! `options.profiles`), each in a fresh server holding the documented users
//! ([`scim_core::compare_all`]). Returns `AllProfiles`: the columns, and one row per profile
//! with its status and one word per attribute (replaced, kept, cleared, ignored, rejected).
//!
//! ```js
//! import { compareAll } from "scim-playground-wasm";
//! const table = compareAll({ method: "PUT", path: "/Users/{userName:bjensen}", body: { ... } });
//! table.rows.find((r) => r.profile === "zoom").outcomes.title; // "cleared"
//! ```

use wasm_bindgen::prelude::*;

use crate::convert::{self, js_error, request_from_js, to_js};

/// Sends `request` to every built-in profile and to each of `options.profiles` (built-in
/// names or profile definitions). Throws when the request is not a `ScimRequest`, its body
/// is over the door's limit, or a custom profile is invalid (the message names the field).
#[wasm_bindgen(js_name = compareAll, unchecked_return_type = "AllProfiles")]
pub fn compare_all(
    #[wasm_bindgen(unchecked_param_type = "ScimRequest")] request: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "CompareAllOptions")] options: Option<JsValue>,
) -> Result<JsValue, JsError> {
    let req = request_from_js(&request)?.into_request().map_err(|e| js_error(e.detail))?;
    let mut custom = Vec::new();
    if let Some(o) = options.filter(|o| !o.is_undefined() && !o.is_null()) {
        const WHAT: &str = "compareAll options";
        if !convert::is_plain_object(&o)? {
            return Err(JsError::new(&format!("{WHAT}: expected an object {{ profiles? }}")));
        }
        convert::check_keys(&o, &["profiles"], WHAT)?;
        let profiles = convert::get(&o, "profiles")?;
        if !profiles.is_undefined() && !profiles.is_null() {
            if !js_sys::Array::is_array(&profiles) {
                return Err(JsError::new(&format!("{WHAT}: \"profiles\" must be an array")));
            }
            for p in js_sys::Array::from(&profiles).iter() {
                custom.push(convert::profile_from_js(&p)?);
            }
        }
    }
    to_js(&scim_core::compare_all(&req, &custom))
}
