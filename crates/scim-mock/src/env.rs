//! The platform's clock and entropy, handed to the core: scim-core never reads either itself
//! (it also runs on `wasm32-unknown-unknown`, where `SystemTime::now` panics).

use std::time::{SystemTime, UNIX_EPOCH};

use scim_core::{Clock, Ids, Millis};

/// The system clock in milliseconds since the epoch (the core keeps it strictly
/// increasing).
fn system_now() -> Millis {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| Millis::try_from(d.as_millis()).unwrap_or(Millis::MAX))
        .unwrap_or(0)
}

/// The clock and id source of a running mock: the real clock and ids seeded from the OS's
/// entropy, or (`--deterministic`) the core's stepped clock (2026-01-01T00:00:00Z, one
/// second per write) and counting ids, exactly like the vector runner's core door.
pub fn time_and_ids(deterministic: bool) -> (Clock, Ids) {
    if deterministic {
        return (Clock::default(), Ids::Counting);
    }
    let mut bytes = [0u8; 8];
    // Never expected to fail on the platforms this binary targets; the clock and process
    // id still make distinct runs differ if it does.
    let seed = match getrandom::fill(&mut bytes) {
        Ok(()) => u64::from_le_bytes(bytes),
        Err(_) => u64::try_from(system_now()).unwrap_or(1) ^ (u64::from(std::process::id()) << 32),
    };
    (Clock::Wall(system_now), Ids::Seeded(seed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use scim_core::{Profile, Request, Server};
    use serde_json::json;

    #[test]
    fn live_servers_use_the_real_clock_and_differ_in_ids() {
        let user = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "u"});
        let post = || {
            let (clock, ids) = time_and_ids(false);
            let mut s = Server::new(Profile::rfc()).unwrap().with_clock(clock).with_ids(ids);
            s.handle(&Request::new("POST", "/Users").json(&user)).json()
        };
        let (a, b) = (post(), post());
        assert_ne!(a["id"], b["id"]);
        assert_eq!(a["id"].as_str().map(str::len), Some(36));
        // After 2026-01-01: the real clock, not the stepped one's start.
        assert!(a["meta"]["created"].as_str().unwrap() > "2026-01-01T00:00:00.000Z");
    }
}
