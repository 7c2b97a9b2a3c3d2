//! Loading: profile definitions (`Profile::from_json`) and store snapshots
//! (`Server::restore`, what `--state` files, `MockServer.restore` and the playground's
//! import go through). Snapshots are structure-aware: a real snapshot with one resource's
//! attributes replaced or added. A refused snapshot changes nothing; an accepted one serves
//! its resources and survives a snapshot/restore round trip unchanged.
#![no_main]

#[path = "common.rs"]
mod common;

use std::sync::OnceLock;

use arbitrary::Arbitrary;
use common::{Json, Name};
use libfuzzer_sys::fuzz_target;
use scim_core::{Profile, Request, Seed, Server};
use serde_json::Value;

#[derive(Debug, Arbitrary)]
enum Input<'a> {
    ProfileText(&'a str),
    Profile { base: u8, changes: Vec<(Name, Json)> },
    SnapshotText(&'a str),
    Snapshot { kind: bool, index: u8, changes: Vec<(Name, Json)>, top: Option<(Name, Json)> },
}

fn seeded() -> &'static Server {
    static S: OnceLock<Server> = OnceLock::new();
    S.get_or_init(|| {
        let mut s = Server::new(Profile::rfc()).expect("rfc profile");
        s.load_seed(Seed::Demo).expect("demo seed");
        s
    })
}

fn restore(snapshot: &Value) {
    let mut s = Server::new(Profile::rfc()).expect("rfc profile");
    let empty = s.snapshot();
    match s.restore(snapshot) {
        Err(_) => assert_eq!(s.snapshot(), empty, "a refused snapshot changed the server"),
        Ok(()) => {
            for endpoint in ["/Users", "/Groups"] {
                let ids: Vec<String> = s
                    .resources(endpoint)
                    .iter()
                    .filter_map(|r| r.get("id")?.as_str().map(str::to_string))
                    .collect();
                for id in ids {
                    let resp = s.handle(&Request::new("GET", &format!("{endpoint}/{id}")));
                    assert_eq!(resp.status, 200, "a loaded resource is not served: {}", resp.body);
                }
                let list = s.handle(&Request::new("GET", endpoint));
                assert_eq!(list.status, 200, "{}", list.body);
            }
            let again = s.snapshot();
            let mut t = Server::new(Profile::rfc()).expect("rfc profile");
            t.restore(&again).expect("a loaded store's own snapshot loads");
            assert_eq!(t.snapshot(), again);
        }
    }
}

fuzz_target!(|input: Input<'_>| match input {
    Input::ProfileText(text) => {
        if let Ok(p) = Profile::from_json(text) {
            let _ = Server::with_seed(p);
        }
    }
    Input::Profile { base, changes } => {
        let builtins = Profile::builtins();
        let Some(info) = builtins.get(usize::from(base) % builtins.len().max(1)) else { return };
        let Some(profile) = Profile::builtin(&info.name) else { return };
        let mut v = profile.to_json();
        for (name, Json(value)) in changes.into_iter().take(4) {
            let key = name.text();
            match v.pointer_mut(&format!("/{}", key.replace('.', "/"))) {
                Some(slot) => *slot = value,
                None => {
                    if let Value::Object(o) = &mut v {
                        o.insert(key, value);
                    }
                }
            }
        }
        if let Ok(p) = Profile::from_json(&v.to_string()) {
            let _ = Server::with_seed(p);
        }
    }
    Input::SnapshotText(text) => {
        if let Ok(v) = serde_json::from_str::<Value>(text) {
            restore(&v);
        }
    }
    Input::Snapshot { kind, index, changes, top } => {
        let mut snap = seeded().snapshot();
        let kind = if kind { "User" } else { "Group" };
        if let Some(Value::Array(list)) = snap.pointer_mut(&format!("/resources/{kind}")) {
            let n = list.len().max(1);
            if let Some(Value::Object(r)) = list.get_mut(usize::from(index) % n) {
                for (name, Json(value)) in changes.into_iter().take(4) {
                    r.insert(name.text(), value);
                }
            }
        }
        if let (Some((name, Json(value))), Value::Object(o)) = (top, &mut snap) {
            o.insert(name.text(), value);
        }
        restore(&snap);
    }
});
