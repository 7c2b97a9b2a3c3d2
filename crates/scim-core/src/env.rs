//! The world outside the engine: time and identifiers.
//!
//! scim-core is sans-IO: it never reads a clock or a random source (on
//! `wasm32-unknown-unknown`, `SystemTime::now` panics). Every door passes an [`Env`]; tests
//! use [`FixedEnv`], whose clock moves only when told.

/// Milliseconds since the Unix epoch, UTC.
pub type Millis = i64;

/// Time and fresh identifiers, provided by the caller.
pub trait Env {
    /// The current time.
    fn now(&mut self) -> Millis;
    /// A fresh UUID-style identifier (used when the profile's id style is `uuid`).
    fn new_id(&mut self) -> String;
}

/// Formats 128 random bits as an RFC 9562 version-4 UUID string.
pub fn uuid_v4_from_bits(bits: u128) -> String {
    let b = (bits & !(0xF000u128 << 64) & !(0xC000u128 << 48)) | (0x4000u128 << 64) | (0x8000u128 << 48);
    let h = format!("{b:032x}");
    format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}

/// A deterministic environment: the clock stands still until [`FixedEnv::advance`], ids
/// count up (`00000000-0000-4000-8000-000000000001`, ...). Two `FixedEnv`s given the same
/// history produce the same ids, which is what lets two playground lanes address the same
/// user.
#[derive(Debug, Clone)]
pub struct FixedEnv {
    now: Millis,
    next: u64,
}

/// 2026-01-01T00:00:00Z
pub const FIXED_EPOCH: Millis = 1_767_225_600_000;

impl Default for FixedEnv {
    fn default() -> Self {
        FixedEnv { now: FIXED_EPOCH, next: 1 }
    }
}

impl FixedEnv {
    pub fn at(now: Millis) -> Self {
        FixedEnv { now, next: 1 }
    }

    /// Moves the clock forward.
    pub fn advance(&mut self, ms: Millis) {
        self.now = self.now.saturating_add(ms);
    }
}

impl Env for FixedEnv {
    fn now(&mut self) -> Millis {
        self.now
    }

    fn new_id(&mut self) -> String {
        let n = self.next;
        self.next = self.next.wrapping_add(1);
        format!("00000000-0000-4000-8000-{n:012x}")
    }
}

/// A seeded environment for doors that want realistic-looking but reproducible UUIDs
/// (splitmix64); the clock is whatever the caller last set.
#[derive(Debug, Clone)]
pub struct SeededEnv {
    pub now: Millis,
    state: u64,
}

impl SeededEnv {
    pub fn new(seed: u64, now: Millis) -> Self {
        SeededEnv { now, state: seed }
    }

    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

impl Env for SeededEnv {
    fn now(&mut self) -> Millis {
        self.now
    }

    fn new_id(&mut self) -> String {
        let hi = u128::from(self.next_u64());
        let lo = u128::from(self.next_u64());
        uuid_v4_from_bits((hi << 64) | lo)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_has_version_and_variant() {
        let u = uuid_v4_from_bits(u128::MAX);
        assert_eq!(u, "ffffffff-ffff-4fff-bfff-ffffffffffff");
        let z = uuid_v4_from_bits(0);
        assert_eq!(z, "00000000-0000-4000-8000-000000000000");
    }

    #[test]
    fn seeded_env_is_reproducible() {
        let mut a = SeededEnv::new(7, 0);
        let mut b = SeededEnv::new(7, 0);
        assert_eq!(a.new_id(), b.new_id());
        assert_ne!(a.new_id(), SeededEnv::new(8, 0).new_id());
    }
}
