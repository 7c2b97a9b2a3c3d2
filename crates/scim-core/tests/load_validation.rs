//! Loading is validation (issue 12, item 5): a snapshot holding what no request could have
//! produced is refused with the resource, the attribute and the reason, and the server
//! keeps its state. Each case edits one field of a snapshot the engine wrote.

use scim_core::{Profile, Request, Server};
use serde_json::{Value, json};

fn user(name: &str) -> Value {
    json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": name, "active": true})
}

const ENTRA: &str = "urn:ietf:params:scim:schemas:extension:Microsoft:Entra:2.0:User";

/// A user with what the vendor profiles require beyond the RFC (`name`, `displayName`, one
/// primary email, a password), fitted to the profile by the engine.
fn full_user(name: &str) -> Value {
    json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTRA], "userName": name, "active": true,
        "name": {"givenName": name, "familyName": "Example"}, "displayName": name, "password": "Sup3r-secret!",
        "emails": [{"value": format!("{name}@example.com"), "type": "work", "primary": true}],
        ENTRA: {"mailNickname": name}})
}

/// A snapshot of two users (`bjensen`, `jsmith`) and a group holding both (where the
/// profile serves and accepts it), on `profile`.
fn snapshot(profile: &str) -> Value {
    let mut s = Server::new(Profile::builtin(profile).unwrap()).unwrap();
    let mut ids = vec![];
    for name in ["bjensen", "jsmith"] {
        let body = s.fit("/Users", &full_user(name)).unwrap();
        let r = s.handle(&Request::new("POST", "/Users").json(&body));
        assert_eq!(r.status, 201, "{}", r.body);
        ids.push(r.json()["id"].as_str().unwrap().to_string());
    }
    let g = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Guides",
        "members": [{"value": ids[0]}, {"value": ids[1]}]});
    let r = s.handle(&Request::new("POST", "/Groups").json(&g));
    // A profile without groups (404), or whose service refuses this group (a vendor limit,
    // 4xx), stores none: the snapshot then has users only.
    assert!(r.status == 201 || ((400..500).contains(&r.status) && s.resources("/Groups").is_empty()), "{}", r.body);
    s.snapshot()
}

/// Restores `snap` into a server holding one user and returns the error; the server must
/// be unchanged.
fn refused(profile: &str, snap: &Value) -> String {
    let mut s = Server::new(Profile::builtin(profile).unwrap()).unwrap();
    s.handle(&Request::new("POST", "/Users").json(&user("keeper")));
    let before = s.snapshot();
    let e = s.restore(snap).expect_err("the snapshot must be refused");
    assert_eq!(s.snapshot(), before, "a refused snapshot changed the server");
    e
}

fn edit(profile: &str, f: impl FnOnce(&mut Value)) -> Value {
    let mut snap = snapshot(profile);
    f(&mut snap["resources"]["User"][1]);
    snap
}

#[test]
fn the_engines_own_snapshots_load_on_every_builtin_profile() {
    for info in Profile::builtins() {
        let snap = snapshot(&info.name);
        let mut s = Server::new(Profile::builtin(&info.name).unwrap()).unwrap();
        s.restore(&snap).unwrap_or_else(|e| panic!("{}: {e}", info.name));
        assert_eq!(s.snapshot(), snap);
        let mut seeded = Server::with_seed(Profile::builtin(&info.name).unwrap()).unwrap();
        let seeded_snap = seeded.snapshot();
        seeded.restore(&seeded_snap).unwrap_or_else(|e| panic!("{} seed: {e}", info.name));
    }
}

#[test]
fn a_string_for_a_boolean_is_refused() {
    let e = refused("rfc", &edit("rfc", |u| u["active"] = json!("yes")));
    assert!(e.contains("resources.User[1]") && e.contains("'active'") && e.contains("boolean"), "{e}");
    // Also where requests may send string booleans: they are stored as booleans.
    let e = refused("idp-compat", &edit("idp-compat", |u| u["active"] = json!("True")));
    assert!(e.contains("'active'"), "{e}");
}

#[test]
fn a_user_without_user_name_is_refused() {
    let e = refused("rfc", &edit("rfc", |u| drop(u.as_object_mut().unwrap().remove("userName"))));
    assert!(e.contains("resources.User[1]") && e.contains("'userName' is required"), "{e}");
    let e = refused("rfc", &edit("rfc", |u| u["userName"] = json!("")));
    assert!(e.contains("'userName'") && e.contains("empty"), "{e}");
}

#[test]
fn a_number_for_user_name_is_refused_so_no_one_else_can_take_it() {
    let e = refused("rfc", &edit("rfc", |u| u["userName"] = json!(12345)));
    assert!(e.contains("resources.User[1]") && e.contains("'userName'") && e.contains("string"), "{e}");
}

#[test]
fn a_garbage_version_is_refused() {
    let e = refused("rfc", &edit("rfc", |u| u["meta"]["version"] = json!("garbage")));
    assert!(e.contains("resources.User[1]") && e.contains("meta.version"), "{e}");
    for (field, value) in [("created", json!("yesterday")), ("resourceType", json!("Group")), ("location", json!("x"))]
    {
        let e = refused("rfc", &edit("rfc", |u| u["meta"][field] = value));
        assert!(e.contains(&format!("meta.{field}")), "{e}");
    }
}

#[test]
fn an_unknown_attribute_is_refused_also_where_requests_ignore_it() {
    let e = refused("rfc", &edit("rfc", |u| u["favouriteColour"] = json!("teal")));
    assert!(e.contains("resources.User[1]") && e.contains("favouriteColour"), "{e}");
    // veeva ignores unknown attributes in requests, so a request never stores one.
    let e = refused("veeva", &edit("veeva", |u| u["favouriteColour"] = json!("teal")));
    assert!(e.contains("favouriteColour"), "{e}");
}

#[test]
fn other_shapes_no_request_produces_are_refused() {
    type Edit = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(&str, Edit)> = vec![
        (
            "'username'",
            Box::new(|u| {
                let v = u.as_object_mut().unwrap().remove("userName").unwrap();
                u["username"] = v;
            }),
        ),
        ("'userName'", Box::new(|u| u["userName"] = json!("bad\u{0}name"))),
        ("\"id\"", Box::new(|u| u["id"] = json!(""))),
        (
            "'emails'",
            Box::new(|u| u["emails"] = json!([{"value": "a@x", "primary": true}, {"value": "b@x", "primary": true}])),
        ),
        ("\"schemas\"", Box::new(|u| u["schemas"] = json!(["urn:ietf:params:scim:schemas:core:2.0:Group"]))),
    ];
    for (want, f) in cases {
        let e = refused("rfc", &edit("rfc", |u| f(u)));
        assert!(e.contains(want), "{want}: {e}");
    }
    // Case-variant duplicates of a unique name, and a group naming a member that is gone.
    let e = refused("rfc", &edit("rfc", |u| u["userName"] = json!("BJENSEN")));
    assert!(e.contains("userName"), "{e}");
    let mut snap = snapshot("rfc");
    snap["resources"]["Group"][0]["members"][0]["value"] = json!("no-such-user");
    let e = refused("rfc", &snap);
    assert!(e.contains("resources.Group[0]") && e.contains("no-such-user"), "{e}");
}

/// Found by the `load` fuzz target: a snapshot whose id holds a `/` loaded, and then its
/// resource could not be read (`GET /Users/a/b` is no resource path).
#[test]
fn ids_the_server_cannot_serve_are_refused() {
    for id in ["h800000000/0000-4000-8000-000000000006", "a?b", "a#b", "a b", ".search", "bulkId", "tab\t"] {
        let e = refused("rfc", &edit("rfc", |u| u["id"] = json!(id)));
        assert!(e.contains("\"id\""), "{id:?}: {e}");
    }
}

#[test]
fn refusals_quote_long_input_briefly() {
    let long = "x".repeat(200_000);
    let e = refused("rfc", &edit("rfc", |u| u[long.as_str()] = json!(1)));
    assert!(e.len() < 2000, "{} bytes", e.len());
}
