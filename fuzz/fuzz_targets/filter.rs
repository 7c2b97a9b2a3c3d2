//! The filter parser, compiler and evaluator: any text as the `filter` of a `.search` (a
//! JSON string, so every character reaches the parser) against a seeded server with users
//! and a group, at `/Users/.search`, `/Groups/.search` or the root `/.search`.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use scim_core::{Profile, Request, Seed, Server};
use serde_json::json;

fn server() -> &'static Server {
    static S: OnceLock<Server> = OnceLock::new();
    S.get_or_init(|| {
        let mut s = Server::new(Profile::rfc()).expect("rfc profile");
        s.load_seed(Seed::Demo).expect("demo seed");
        s
    })
}

fuzz_target!(|input: (u8, &str)| {
    let (at, filter) = input;
    let path = ["/Users/.search", "/Groups/.search", "/.search"][usize::from(at) % 3];
    let mut s = server().clone();
    let body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], "filter": filter});
    let resp = s.handle(&Request::new("POST", path).json(&body));
    assert!(resp.status == 200 || resp.status == 400, "{} {}", resp.status, resp.body);
    if resp.status == 400 {
        assert!(resp.body.len() < 4096, "an error detail echoes unbounded input: {} bytes", resp.body.len());
    }
});
