//! The wasm door's request conversion after JS: a `RawRequest` (what `MockServer.handle`
//! reads from a JS object into Rust values) through the door's rules (`into_request`: body
//! cap, default Content-Type) and the engine. Reading from JS itself is covered by the
//! hostile-input tests in crates/scim-wasm/tests (it needs a JS engine).
#![no_main]

use std::sync::OnceLock;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use scim_core::{Profile, Server};
use scim_wasm::{RawBody, RawRequest};

#[derive(Debug, Arbitrary)]
struct Input {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Option<(bool, String)>,
    too_large: Option<usize>,
}

fn server() -> &'static Server {
    static S: OnceLock<Server> = OnceLock::new();
    S.get_or_init(|| Server::with_seed(Profile::rfc()).expect("rfc profile"))
}

fuzz_target!(|input: Input| {
    let body = match (input.too_large, input.body) {
        (Some(n), _) => Some(RawBody::TooLarge(n)),
        (None, Some((true, s))) => Some(RawBody::Json(s)),
        (None, Some((false, s))) => Some(RawBody::Text(s)),
        (None, None) => None,
    };
    let raw = RawRequest { method: input.method, path: input.path, headers: input.headers, body };
    let resp = match raw.into_request() {
        Ok(req) => server().clone().handle(&req),
        Err(e) => {
            assert_eq!(e.status, 413);
            e.to_response()
        }
    };
    assert!((200..600).contains(&resp.status));
});
