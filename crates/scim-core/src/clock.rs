//! Time and identifiers, owned by the core.
//!
//! scim-core is sans-IO: it never reads a clock or a random source itself (on
//! `wasm32-unknown-unknown`, `SystemTime::now` panics). A server's [`Clock`] is either
//! *stepped* (deterministic: a fixed start that moves a fixed step after every request) or a
//! function the door hands in that reads its platform clock. Its [`Ids`] either count or come
//! from a seeded generator. Both states travel in the store snapshot, so a restored server
//! continues exactly where the original stood: the same next id, the same next instant.

use serde_json::{Map, Value, json};

/// Milliseconds since the Unix epoch, UTC.
pub type Millis = i64;

/// 2026-01-01T00:00:00Z: where the default stepped clock starts.
pub(crate) const EPOCH: Millis = 1_767_225_600_000;

/// Where a server's time comes from. Read once per request: every timestamp one request
/// writes (`meta.created`, `meta.lastModified`) is the same instant.
#[derive(Debug, Clone, Copy)]
pub enum Clock {
    /// Starts at `start` and moves `step` milliseconds after every request that changes the
    /// store, so each write's `meta.lastModified` visibly differs, yet two runs write the
    /// same bytes, and a failed request or a read leaves the clock (and so the snapshot)
    /// as it was. The default starts at 2026-01-01T00:00:00Z and steps one second.
    Stepped { start: Millis, step: Millis },
    /// The door's platform clock (`Date.now()`, `SystemTime::now()`). The server makes it
    /// strictly increasing across requests, so two writes in the same millisecond still get
    /// distinct, ordered `meta.lastModified` values (RFC 7643 §3.1), and a restored server
    /// never goes back in time.
    Wall(fn() -> Millis),
}

impl Default for Clock {
    fn default() -> Self {
        Clock::Stepped { start: EPOCH, step: 1_000 }
    }
}

/// How a server makes `id`s for profiles whose id style is `uuid` (numeric profiles count
/// in the store).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Ids {
    /// `00000000-0000-4000-8000-000000000001`, `…002`, …: the same history gives the same ids,
    /// which lets two playground lanes address the same user.
    #[default]
    Counting,
    /// Version-4 UUIDs (RFC 9562 §5.4) from a 64-bit seed: reproducible for a fixed seed,
    /// random-looking for a seed taken from the platform's entropy. Never repeats within
    /// 2^63 ids.
    Seeded(u64),
}

/// The running state of a [`Clock`].
#[derive(Debug, Clone)]
pub(crate) struct Time {
    clock: Clock,
    /// Stepped: the instant the current (or next) request sees. Wall: the last instant
    /// handed out.
    mark: Millis,
    /// Wall: the instant of the request in progress, once read.
    current: Option<Millis>,
}

impl Time {
    pub(crate) fn new(clock: Clock) -> Time {
        let mark = match clock {
            Clock::Stepped { start, .. } => start,
            Clock::Wall(_) => Millis::MIN,
        };
        Time { clock, mark, current: None }
    }

    /// The current request's instant.
    pub(crate) fn now(&mut self) -> Millis {
        match self.clock {
            Clock::Stepped { .. } => self.mark,
            Clock::Wall(read) => *self.current.get_or_insert_with(|| {
                self.mark = read().max(self.mark.saturating_add(1));
                self.mark
            }),
        }
    }

    /// Called once after every request: a stepped clock moves on when the request wrote.
    pub(crate) fn end_request(&mut self, wrote: bool) {
        match self.clock {
            Clock::Stepped { step, .. } if wrote => self.mark = self.mark.saturating_add(step),
            Clock::Stepped { .. } => {}
            Clock::Wall(_) => self.current = None,
        }
    }

    /// Snapshot form: `{"next": ms}` (stepped) or `{"last": ms}` (wall, once it was read).
    pub(crate) fn to_json(&self) -> Value {
        match self.clock {
            Clock::Stepped { .. } => json!({ "next": self.mark }),
            Clock::Wall(_) if self.mark == Millis::MIN => json!({}),
            Clock::Wall(_) => json!({ "last": self.mark }),
        }
    }

    /// Continues from a snapshot's clock state. A stepped clock takes `next` as it is (or
    /// one step after `last`); a wall clock will not hand out anything at or before what the
    /// snapshot saw.
    pub(crate) fn resume(&mut self, state: &Map<String, Value>) {
        let next = state.get("next").and_then(Value::as_i64);
        let last = state.get("last").and_then(Value::as_i64);
        match self.clock {
            Clock::Stepped { step, .. } => {
                if let Some(m) = next.or_else(|| last.map(|l| l.saturating_add(step.max(1)))) {
                    self.mark = m;
                }
            }
            Clock::Wall(_) => {
                if let Some(m) = last.or_else(|| next.map(|n| n.saturating_sub(1))) {
                    self.mark = self.mark.max(m);
                }
            }
        }
        self.current = None;
    }

    /// After a snapshot without clock state (format version 1): never before `latest`.
    pub(crate) fn resume_after(&mut self, latest: Millis) {
        match self.clock {
            Clock::Stepped { step, .. } => self.mark = self.mark.max(latest.saturating_add(step.max(1))),
            Clock::Wall(_) => self.mark = self.mark.max(latest),
        }
    }
}

/// The running state of an [`Ids`] source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum IdState {
    Counting { next: u64 },
    Seeded { state: u64 },
}

impl IdState {
    pub(crate) fn new(ids: Ids) -> IdState {
        match ids {
            Ids::Counting => IdState::Counting { next: 1 },
            Ids::Seeded(seed) => IdState::Seeded { state: seed },
        }
    }

    pub(crate) fn next_id(&mut self) -> String {
        match self {
            IdState::Counting { next } => {
                let n = *next;
                *next = next.wrapping_add(1);
                counting_id(n)
            }
            IdState::Seeded { state } => {
                let hi = u128::from(splitmix64(state));
                let lo = u128::from(splitmix64(state));
                uuid_v4_from_bits((hi << 64) | lo)
            }
        }
    }

    /// Snapshot form: `{"counting": next}` or `{"seeded": "<16 hex digits>"}` (a string: JSON
    /// numbers above 2^53 do not survive a round trip through JavaScript).
    pub(crate) fn to_json(&self) -> Value {
        match self {
            IdState::Counting { next } => json!({ "counting": next }),
            IdState::Seeded { state } => json!({ "seeded": format!("{state:016x}") }),
        }
    }

    pub(crate) fn from_json(v: &Value) -> Result<IdState, String> {
        let bad = || format!("snapshot: \"ids\" must be {{\"counting\": n}} or {{\"seeded\": \"hex\"}}, got {v}");
        if let Some(n) = v.get("counting") {
            return n.as_u64().map(|next| IdState::Counting { next }).ok_or_else(bad);
        }
        let hex = v.get("seeded").and_then(Value::as_str).ok_or_else(bad)?;
        u64::from_str_radix(hex, 16).map(|state| IdState::Seeded { state }).map_err(|_| bad())
    }

    /// After a snapshot without id state (format version 1): a counting source moves past the
    /// highest counting id the store holds.
    pub(crate) fn resume_after<'a>(&mut self, ids: impl Iterator<Item = &'a str>) {
        if let IdState::Counting { next } = self {
            let taken = ids.filter_map(parse_counting_id).max();
            if let Some(t) = taken {
                *next = (*next).max(t.saturating_add(1));
            }
        }
    }
}

fn counting_id(n: u64) -> String {
    format!("00000000-0000-4000-8000-{n:012x}")
}

fn parse_counting_id(id: &str) -> Option<u64> {
    let hex = id.strip_prefix("00000000-0000-4000-8000-")?;
    (hex.len() == 12).then(|| u64::from_str_radix(hex, 16).ok()).flatten()
}

fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Formats 128 bits as an RFC 9562 version-4 UUID string.
fn uuid_v4_from_bits(bits: u128) -> String {
    let b = (bits & !(0xF000u128 << 64) & !(0xC000u128 << 48)) | (0x4000u128 << 64) | (0x8000u128 << 48);
    let h = format!("{b:032x}");
    let part = |r: std::ops::Range<usize>| h.get(r).unwrap_or_default();
    format!("{}-{}-{}-{}-{}", part(0..8), part(8..12), part(12..16), part(16..20), part(20..32))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_has_version_and_variant() {
        assert_eq!(uuid_v4_from_bits(u128::MAX), "ffffffff-ffff-4fff-bfff-ffffffffffff");
        assert_eq!(uuid_v4_from_bits(0), "00000000-0000-4000-8000-000000000000");
    }

    #[test]
    fn seeded_ids_are_reproducible_and_resume_from_json() {
        let mut a = IdState::new(Ids::Seeded(7));
        let mut b = IdState::new(Ids::Seeded(7));
        assert_eq!(a.next_id(), b.next_id());
        assert_ne!(a.next_id(), IdState::new(Ids::Seeded(8)).next_id());
        let mut c = IdState::from_json(&a.to_json()).unwrap();
        assert_eq!(a.next_id(), c.next_id());
        assert!(IdState::from_json(&json!({"seeded": "xyz"})).is_err());
        assert!(IdState::from_json(&json!([])).is_err());
    }

    #[test]
    fn counting_ids_resume_past_the_highest_taken() {
        let mut ids = IdState::new(Ids::Counting);
        ids.resume_after(["00000000-0000-4000-8000-000000000007", "93521", "x"].into_iter());
        assert_eq!(ids.next_id(), "00000000-0000-4000-8000-000000000008");
    }

    #[test]
    fn stepped_clock_moves_after_each_write_and_resumes_exactly() {
        let mut t = Time::new(Clock::Stepped { start: 10, step: 5 });
        assert_eq!((t.now(), t.now()), (10, 10));
        t.end_request(false);
        assert_eq!(t.now(), 10, "a request that wrote nothing leaves the clock");
        t.end_request(true);
        assert_eq!(t.now(), 15);
        let Value::Object(state) = t.to_json() else { panic!("object") };
        let mut again = Time::new(Clock::default());
        again.resume(&state);
        assert_eq!(again.now(), 15);
    }

    #[test]
    fn wall_clock_is_strictly_increasing_and_never_goes_back() {
        fn stuck() -> Millis {
            1_000
        }
        let mut t = Time::new(Clock::Wall(stuck));
        assert_eq!(t.now(), 1_000);
        assert_eq!(t.now(), 1_000, "one instant per request");
        t.end_request(false);
        assert_eq!(t.now(), 1_001);
        let mut restored = Time::new(Clock::Wall(stuck));
        restored.resume(&json!({"last": 5_000}).as_object().cloned().unwrap_or_default());
        assert_eq!(restored.now(), 5_001);
    }
}
