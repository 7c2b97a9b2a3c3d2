//! A profiling harness (callgrind): 1k users, then N (default 20k) alternating PUTs.
//! `putloop N off` turns the explanation off, as the HTTP door does.
use scim_core::{Profile, Request, Server};
use serde_json::json;

fn main() {
    let Ok(mut s) = Server::new(Profile::rfc()) else { return };
    let user = |i: usize, t: &str| {
        json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": format!("user{i}"), "title": t, "active": true,
        "name": {"givenName": "Barbara", "familyName": format!("Jensen{i}")},
        "emails": [{"value": format!("user{i}@example.com"), "type": "work", "primary": true}]})
    };
    s.set_explain(std::env::args().nth(2).as_deref() != Some("off"));
    let mut id = String::new();
    for i in 0..1000 {
        let r = s.handle(&Request::new("POST", "/scim/v2/Users").json(&user(i, "x")));
        if i == 500 {
            id = r.json()["id"].as_str().unwrap_or_default().to_string();
        }
    }
    let a = Request::new("PUT", &format!("/scim/v2/Users/{id}")).json(&user(500, "a"));
    let b = Request::new("PUT", &format!("/scim/v2/Users/{id}")).json(&user(500, "b"));
    let n: usize = std::env::args().nth(1).and_then(|x| x.parse().ok()).unwrap_or(20_000);
    let mut ok = 0;
    for i in 0..n {
        ok += usize::from(s.handle(if i % 2 == 0 { &a } else { &b }).status == 200);
    }
    println!("{ok}");
}
