//! The browser's (or Node's) clock and randomness, handed to the sans-IO core as its
//! [`Env`]. scim-core never reads a clock itself: `SystemTime::now` panics on
//! `wasm32-unknown-unknown`.

use std::collections::HashSet;

use scim_core::env::{FIXED_EPOCH, uuid_v4_from_bits};
use scim_core::{Env, FixedEnv, Millis, SeededEnv};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `crypto.getRandomValues`: present in browsers and in Node 20+ as a global.
    #[wasm_bindgen(js_namespace = crypto, js_name = getRandomValues, catch)]
    fn get_random_values(buf: &mut [u8]) -> Result<(), JsValue>;
}

/// How a [`crate::MockServer`] gets time and ids.
#[derive(Debug, Clone)]
pub struct WasmEnv {
    clock: Clock,
    ids: Ids,
}

#[derive(Debug, Clone)]
enum Clock {
    /// `Date.now()`.
    Live,
    /// Starts at 2026-01-01T00:00:00Z and moves one second per request, so that
    /// `meta.lastModified` visibly changes yet two runs give the same bytes.
    Fixed(FixedEnv),
}

#[derive(Debug, Clone)]
enum Ids {
    /// Version-4 UUIDs from `crypto.getRandomValues` (RFC 9562 §5.4).
    Random,
    /// Reproducible UUIDs from a seed.
    Seeded(SeededEnv),
    /// `00000000-0000-4000-8000-000000000001`, `...2`, ...
    Counting(FixedEnv),
}

impl WasmEnv {
    /// `deterministic` fixes the clock (and counts ids unless a seed is given); `seed`
    /// makes ids reproducible while the clock stays live.
    pub fn new(seed: Option<u64>, deterministic: bool) -> Self {
        let clock = if deterministic { Clock::Fixed(FixedEnv::at(FIXED_EPOCH)) } else { Clock::Live };
        let ids = match (seed, deterministic) {
            (Some(s), _) => Ids::Seeded(SeededEnv::new(s, 0)),
            (None, true) => Ids::Counting(FixedEnv::default()),
            (None, false) => Ids::Random,
        };
        WasmEnv { clock, ids }
    }

    /// After a restore: moves a seeded or counting id sequence past the ids it already
    /// handed out, so that the restored server continues it instead of colliding with its
    /// own earlier ids. Looks at most `4 × existing + 64` ids ahead; ids from another
    /// sequence are never met and cost nothing.
    pub fn skip_ids(&mut self, existing: &HashSet<String>) {
        if matches!(self.ids, Ids::Random) || existing.is_empty() {
            return;
        }
        let budget = existing.len().saturating_mul(4).saturating_add(64);
        let mut probe = self.ids.clone();
        let (mut seen, mut last_hit) = (0, 0);
        for step in 1..=budget {
            if existing.contains(&probe.next()) {
                seen += 1;
                last_hit = step;
                if seen == existing.len() {
                    break;
                }
            }
        }
        for _ in 0..last_hit {
            self.ids.next();
        }
    }

    /// After a restore: a fixed clock moves to one second after `latest` (the newest
    /// `meta.lastModified` of the restored resources), so that it never runs backwards.
    pub fn resume_clock(&mut self, latest: Millis) {
        if let Clock::Fixed(f) = &mut self.clock {
            let now = f.now();
            if latest >= now {
                f.advance(latest - now + 1000);
            }
        }
    }

    /// Called after each request: the deterministic clock ticks one second.
    pub fn tick(&mut self) {
        if let Clock::Fixed(f) = &mut self.clock {
            f.advance(1000);
        }
    }
}

impl Ids {
    fn next(&mut self) -> String {
        match self {
            Ids::Random => uuid_v4_from_bits(u128::from_le_bytes(random_bytes())),
            Ids::Seeded(s) => s.new_id(),
            Ids::Counting(f) => f.new_id(),
        }
    }
}

impl Env for WasmEnv {
    fn now(&mut self) -> Millis {
        match &mut self.clock {
            // Date.now() is an integral number of milliseconds well inside i64.
            Clock::Live => js_sys::Date::now() as Millis,
            Clock::Fixed(f) => f.now(),
        }
    }

    fn new_id(&mut self) -> String {
        self.ids.next()
    }
}

/// 16 random bytes: `crypto.getRandomValues`, or `Math.random` where no `crypto` global
/// exists (ids need only be unique within one mock, not unguessable).
fn random_bytes() -> [u8; 16] {
    let mut buf = [0u8; 16];
    if get_random_values(&mut buf).is_err() {
        for b in &mut buf {
            *b = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    buf
}
