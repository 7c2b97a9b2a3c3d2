//! The real world for the engine: the system clock and random version-4 UUIDs.
//!
//! scim-core never reads a clock or a random source itself (it also runs on
//! `wasm32-unknown-unknown`); this door supplies both through [`scim_core::Env`].

use std::time::{SystemTime, UNIX_EPOCH};

use scim_core::env::uuid_v4_from_bits;
use scim_core::{Env, FixedEnv, Millis};

/// System clock plus OS randomness.
///
/// The clock is made strictly increasing (a later call never returns the same millisecond as
/// an earlier one) so that two writes in the same millisecond still get distinct,
/// ordered `meta.lastModified` values (RFC 7643 §3.1), which clients compare to detect change.
#[derive(Debug, Default)]
pub struct SystemEnv {
    last: Millis,
    /// Fallback state, used only if the OS random source fails.
    fallback: u64,
}

impl Env for SystemEnv {
    fn now(&mut self) -> Millis {
        let wall = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| Millis::try_from(d.as_millis()).unwrap_or(Millis::MAX))
            .unwrap_or(0);
        self.last = wall.max(self.last.saturating_add(1));
        self.last
    }

    fn new_id(&mut self) -> String {
        let mut bytes = [0u8; 16];
        if getrandom::fill(&mut bytes).is_err() {
            // Never expected on the platforms this binary targets; ids must still be unique.
            let hi = u128::from(self.splitmix());
            let lo = u128::from(self.splitmix());
            return uuid_v4_from_bits((hi << 64) | lo);
        }
        uuid_v4_from_bits(u128::from_le_bytes(bytes))
    }
}

impl SystemEnv {
    fn splitmix(&mut self) -> u64 {
        if self.fallback == 0 {
            self.fallback = u64::try_from(self.now()).unwrap_or(1) ^ u64::from(std::process::id());
        }
        self.fallback = self.fallback.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.fallback;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_is_strictly_increasing_and_real() {
        let mut env = SystemEnv::default();
        let a = env.now();
        let b = env.now();
        assert!(b > a);
        // After 2020-01-01: the real clock, not a counter from zero.
        assert!(a > 1_577_836_800_000);
    }

    #[test]
    fn ids_are_distinct_v4_uuids() {
        let mut env = SystemEnv::default();
        let a = env.new_id();
        let b = env.new_id();
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(a.as_bytes()[14], b'4');
    }
}

/// The environment a running mock uses: the real one, or (for tests and reproducible demos,
/// `--deterministic`) the core's [`FixedEnv`], whose ids count up from
/// `00000000-0000-4000-8000-000000000001` and whose clock starts at 2026-01-01T00:00:00Z and
/// moves one second after each request, exactly like the vector runner's core door.
#[derive(Debug)]
pub enum DoorEnv {
    System(SystemEnv),
    Fixed(FixedEnv),
}

impl DoorEnv {
    pub fn new(deterministic: bool) -> Self {
        if deterministic { DoorEnv::Fixed(FixedEnv::default()) } else { DoorEnv::System(SystemEnv::default()) }
    }

    /// Called after every request.
    pub fn tick(&mut self) {
        if let DoorEnv::Fixed(f) = self {
            f.advance(1000);
        }
    }
}

impl Env for DoorEnv {
    fn now(&mut self) -> Millis {
        match self {
            DoorEnv::System(e) => e.now(),
            DoorEnv::Fixed(e) => e.now(),
        }
    }

    fn new_id(&mut self) -> String {
        match self {
            DoorEnv::System(e) => e.new_id(),
            DoorEnv::Fixed(e) => e.new_id(),
        }
    }
}
