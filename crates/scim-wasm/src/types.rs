//! The TypeScript declarations of the package's plain-object types (`ScimRequest`,
//! `ScimResponse`, `ProfileDefinition`, `Outcome`, ...), kept in `types.d.ts` and appended
//! to the generated bindings' `.d.ts`. `tests/ts_types.rs` checks them against scim-core's
//! Rust types, so drift between the two fails the tests.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = include_str!("types.d.ts");
