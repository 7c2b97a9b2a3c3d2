//! The TypeScript declarations of the package's plain-object types (`ScimRequest`,
//! `ScimResponse`, `ProfileDefinition`, `Outcome`, ...), kept in `types.d.ts` and appended
//! to the generated bindings' `.d.ts`.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = include_str!("types.d.ts");
