//! Every built-in profile, with its vendor knobs (methods, limits, filter restrictions,
//! paging and cursors, deactivation, `$ref` templates), under fuzzy requests: never a panic,
//! never a 5xx, and a failed request never changes the store (RFC 7644 §3.12).

use proptest::prelude::*;
use scim_core::{Profile, Request, Server};
use serde_json::{Value, json};

/// The built-in profiles, in catalog order.
fn names() -> Vec<String> {
    Profile::builtins().into_iter().map(|p| p.name).collect()
}

/// A server for a built-in with its seed and a group holding its first user, plus that
/// user's and group's ids and the profile's endpoints.
fn server(name: &str) -> (Server, Vec<String>) {
    let profile = Profile::builtin(name).unwrap();
    let mut s = Server::with_seed(profile.clone()).unwrap();
    let mut targets = Vec::new();
    for rt in &profile.resource_types {
        let endpoint = rt.endpoint.clone();
        let list = s.handle(&Request::new("GET", &endpoint));
        let body = list.json();
        let listed = body.get("Resources").or_else(|| body.get("resources"));
        let first = listed.and_then(|r| r.get(0)).and_then(|r| r.get("id")).cloned();
        targets.push(endpoint.clone());
        if let Some(Value::String(id)) = first {
            targets.push(format!("{endpoint}/{id}"));
        }
        if rt.name == "Group" {
            let user = s.resources("/Users").first().and_then(|u| u.get("id")).cloned().unwrap_or(Value::Null);
            let g = s.handle(&Request::new("POST", &endpoint).json(&json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                "displayName": "Admins", "members": [{"value": user}]
            })));
            if let Some(id) = g.json().get("id").and_then(Value::as_str) {
                targets.push(format!("{endpoint}/{id}"));
            }
        }
    }
    (s, targets)
}

const QUERY: &[&str] = &[
    "filter=userName%20eq%20%22bjensen%22",
    "filter=userName%20co%20%22b%22",
    "filter=title%20pr%20or%20active%20eq%20false",
    "filter=emails%5Bvalue%20eq%20%22x%22%5D",
    "filter=members.value%20eq%20%22x%22",
    "cursor=",
    "cursor=p1",
    "cursor=p999999",
    "cursor=%00",
    "count=0",
    "count=-5",
    "count=99999999999999999999",
    "startIndex=0",
    "startIndex=18446744073709551616",
    "sortBy=userName&sortOrder=descending",
    "sortBy=nope",
    "attributes=userName",
    "excludedAttributes=members",
];

fn query() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(QUERY), 0..4).prop_map(|v| v.join("&"))
}

fn body() -> impl Strategy<Value = Value> {
    let patch = (
        prop::sample::select(&["add", "remove", "replace"][..]),
        prop::sample::select(
            &[
                "",
                "members",
                "members[value eq \"x\"]",
                "active",
                "title",
                "emails",
                "name.givenName",
                "urn:ietf:params:scim:schemas:extension:veevavault:2.0:User:securityProfile",
            ][..],
        ),
        prop::sample::select(vec![
            json!(null),
            json!(false),
            json!("x"),
            json!([]),
            json!([{"value": "x"}]),
            json!({"value": "y"}),
            json!({"active": false, "members": []}),
        ]),
        1..25usize,
    )
        .prop_map(|(op, path, value, n)| {
            let one = if path.is_empty() {
                json!({"op": op, "value": value})
            } else {
                json!({"op": op, "path": path, "value": value})
            };
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": vec![one; n]})
        });
    let resource = (
        prop::sample::select(&["bjensen", "other", "x@contoso.com"][..]),
        prop::sample::select(vec![json!(null), json!(false), json!(true), json!("False")]),
        0..4usize,
    )
        .prop_map(|(user, active, emails)| {
            json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:core:2.0:Group"],
                "userName": user, "displayName": user, "active": active, "password": "Passw0rd!",
                "name": {"givenName": "A", "familyName": "B"},
                "emails": (0..emails).map(|i| json!({"value": format!("{i}@example.com")})).collect::<Vec<_>>(),
                "members": (0..emails * 10).map(|i| json!({"value": format!("m{i}")})).collect::<Vec<_>>(),
            })
        });
    prop_oneof![patch, resource]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn vendor_knobs_never_panic_and_failures_change_nothing(
        which in 0..64usize,
        target in 0..8usize,
        method in prop::sample::select(&["GET", "POST", "PUT", "PATCH", "DELETE"][..]),
        q in query(),
        b in body(),
        if_match in prop::sample::select(&["", "*", "W/\"1\""][..]),
    ) {
        let names = names();
        let name = &names[which % names.len()];
        let (mut s, targets) = server(name);
        let path = format!("{}?{q}", targets[target % targets.len()]);
        let mut req = Request::new(method, &path);
        if matches!(method, "POST" | "PUT" | "PATCH") {
            req = req.json(&b);
        }
        if !if_match.is_empty() {
            req = req.header("If-Match", if_match);
        }
        let before = s.snapshot();
        let r = s.handle(&req);
        prop_assert!(r.status < 500, "{name}: {method} {path} -> {}: {}", r.status, r.body);
        if r.status >= 400 {
            prop_assert_eq!(&before, &s.snapshot(), "{}: a failed {} {} changed the store", name, method, path);
            let body = r.json();
            prop_assert_eq!(body["status"].as_str().unwrap_or_default(), r.status.to_string());
        }
    }
}
