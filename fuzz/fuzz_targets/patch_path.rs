//! PATCH paths (RFC 7644 §3.5.2): any text as an operation's `path`, with each op and a
//! structure-aware value, on a seeded user or group. A failed PATCH must change nothing.
#![no_main]

#[path = "common.rs"]
mod common;

use std::sync::OnceLock;

use common::Json;
use libfuzzer_sys::fuzz_target;
use scim_core::{Profile, Request, Seed, Server};
use serde_json::json;

fn server() -> &'static (Server, String, String) {
    static S: OnceLock<(Server, String, String)> = OnceLock::new();
    S.get_or_init(|| {
        let mut s = Server::new(Profile::rfc()).expect("rfc profile");
        s.load_seed(Seed::Demo).expect("demo seed");
        let id = |e: &str| s.resources(e).first().and_then(|r| r.get("id")?.as_str().map(str::to_string));
        let (user, group) = (id("/Users").expect("a user"), id("/Groups").expect("a group"));
        (s, user, group)
    })
}

fuzz_target!(|input: (u8, &str, Json, Option<(u8, String)>)| {
    let (pick, path, Json(value), second) = input;
    let (base, user, group) = server();
    let ops = ["add", "remove", "replace"];
    let target = if pick & 0x80 == 0 { format!("/Users/{user}") } else { format!("/Groups/{group}") };
    let mut operations = vec![json!({"op": ops[usize::from(pick) % 3], "path": path, "value": value})];
    if let Some((op, p)) = second {
        operations.push(json!({"op": ops[usize::from(op) % 3], "path": p, "value": "x"}));
    }
    let body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": operations});
    let mut s = base.clone();
    let before = s.snapshot();
    let resp = s.handle(&Request::new("PATCH", &target).json(&body));
    assert!((200..500).contains(&resp.status), "{} {}", resp.status, resp.body);
    if resp.status >= 400 {
        assert_eq!(s.snapshot(), before, "a failed PATCH changed the store");
    }
});
