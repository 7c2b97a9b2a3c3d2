//! The browser's (or Node's) clock and entropy, handed to the sans-IO core: scim-core never
//! reads a clock itself (`SystemTime::now` panics on `wasm32-unknown-unknown`).

use scim_core::{Clock, Ids, Millis};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `crypto.getRandomValues`: present in browsers and in Node 20+ as a global.
    #[wasm_bindgen(js_namespace = crypto, js_name = getRandomValues, catch)]
    fn get_random_values(buf: &mut [u8]) -> Result<(), JsValue>;
}

/// `Date.now()`: an integral number of milliseconds, well inside i64.
fn date_now() -> Millis {
    js_sys::Date::now() as Millis
}

/// The clock and id source for a `MockServer`'s options: `deterministic` fixes the clock
/// (2026-01-01T00:00:00Z, one second later per write) and counts ids unless a `seed` is
/// given; `seed` makes ids reproducible; otherwise ids are seeded from
/// `crypto.getRandomValues` (or `Math.random` where there is no `crypto`: ids need only be
/// unique within one mock, not unguessable).
pub fn time_and_ids(seed: Option<u64>, deterministic: bool) -> (Clock, Ids) {
    let clock = if deterministic { Clock::default() } else { Clock::Wall(date_now) };
    let ids = match (seed, deterministic) {
        (Some(s), _) => Ids::Seeded(s),
        (None, true) => Ids::Counting,
        (None, false) => Ids::Seeded(random_u64()),
    };
    (clock, ids)
}

fn random_u64() -> u64 {
    let mut buf = [0u8; 8];
    if get_random_values(&mut buf).is_err() {
        for b in &mut buf {
            *b = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    u64::from_le_bytes(buf)
}
