//! A body that is not UTF-8 is a 400 `invalidSyntax` naming the first bad byte, and changes
//! nothing (RFC 7644 §3.1: SCIM bodies are JSON, which RFC 8259 §8.1 requires to be UTF-8).

use scim_core::{Profile, Request, Server};

#[test]
fn a_body_that_is_not_utf8_is_invalid_syntax() {
    let mut server = Server::with_seed(Profile::rfc()).unwrap();
    let before = server.snapshot();
    let mut req = Request::new("POST", "/Users").header("Content-Type", "application/scim+json");
    req.body = b"{\"userName\": \"b\xffj\"}".to_vec();
    let resp = server.handle(&req);
    assert_eq!(resp.status, 400);
    let body = resp.json();
    assert_eq!(body["scimType"], "invalidSyntax");
    let detail = body["detail"].as_str().unwrap();
    assert!(detail.contains("not valid UTF-8 (byte 15)"), "{detail}");
    assert_eq!(server.snapshot(), before);
}
