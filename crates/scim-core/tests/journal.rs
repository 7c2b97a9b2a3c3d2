//! Property tests for what a journaling door relies on ([`Server::record_changes`]): on random
//! sequences of writes (users and groups, creates, replaces, patches, deletes that take members
//! out of groups, on a uuid and a numeric-id profile),
//! - every write that changes the store leaves its changes, and nothing else does;
//! - `undo` puts the store back byte for byte (snapshot and listing order), after which the same
//!   write gives the same answer;
//! - replaying the records on the starting snapshot rebuilds the final state exactly.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use scim_core::{Profile, Request, Server};
use serde_json::{Value, json};

const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
const PATCH: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

#[derive(Debug, Clone)]
enum Op {
    PostUser(usize, u8),
    PutUser(usize, usize, u8),
    PatchTitle(usize, u8),
    DeleteUser(usize),
    PostGroup(Vec<usize>),
    DeleteGroup(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..6usize, any::<u8>()).prop_map(|(n, t)| Op::PostUser(n, t)),
        2 => (0..8usize, 0..6usize, any::<u8>()).prop_map(|(i, n, t)| Op::PutUser(i, n, t)),
        2 => (0..8usize, any::<u8>()).prop_map(|(i, t)| Op::PatchTitle(i, t)),
        2 => (0..8usize).prop_map(Op::DeleteUser),
        1 => proptest::collection::vec(0..8usize, 0..3).prop_map(Op::PostGroup),
        1 => (0..4usize).prop_map(Op::DeleteGroup),
    ]
}

/// The ids stored at an endpoint, in creation order.
fn ids(s: &Server, endpoint: &str) -> Vec<String> {
    s.resources(endpoint).iter().filter_map(|r| r.get("id")?.as_str().map(str::to_string)).collect()
}

fn pick(ids: &[String], i: usize) -> String {
    if ids.is_empty() { "missing".to_string() } else { ids[i % ids.len()].clone() }
}

fn request(s: &Server, op: &Op) -> Request {
    let users = ids(s, "/Users");
    let user = |n: usize, t: u8| json!({"schemas": [USER], "userName": format!("user{n}"), "title": format!("t{t}")});
    match op {
        Op::PostUser(n, t) => Request::new("POST", "/Users").json(&user(*n, *t)),
        Op::PutUser(i, n, t) => Request::new("PUT", &format!("/Users/{}", pick(&users, *i))).json(&user(*n, *t)),
        Op::PatchTitle(i, t) => Request::new("PATCH", &format!("/Users/{}", pick(&users, *i))).json(
            &json!({"schemas": [PATCH], "Operations": [{"op": "replace", "path": "title", "value": format!("p{t}")}]}),
        ),
        Op::DeleteUser(i) => Request::new("DELETE", &format!("/Users/{}", pick(&users, *i))),
        Op::PostGroup(members) => {
            let members: Vec<Value> = members.iter().map(|i| json!({"value": pick(&users, *i)})).collect();
            Request::new("POST", "/Groups").json(&json!({"schemas": [GROUP], "displayName": "g", "members": members}))
        }
        Op::DeleteGroup(i) => Request::new("DELETE", &format!("/Groups/{}", pick(&ids(s, "/Groups"), *i))),
    }
}

fn check(profile: &Profile, ops: &[Op]) -> Result<usize, TestCaseError> {
    let mut s = Server::new(profile.clone()).unwrap();
    s.record_changes(true);
    let start = s.snapshot();
    let mut records = vec![];
    for op in ops {
        let req = request(&s, op);
        let before = s.snapshot();
        let listed = s.handle_read(&Request::new("GET", "/Users")).map(|r| r.body);
        let resp = s.handle(&req);
        let changes = s.take_changes();
        prop_assert_eq!(changes.is_some(), resp.changed, "{} {}: {}", req.method, req.path, resp.body);
        let Some(changes) = changes else {
            prop_assert_eq!(&s.snapshot(), &before, "a write that changed nothing");
            continue;
        };
        s.undo(changes);
        prop_assert_eq!(&s.snapshot(), &before, "undo of {} {}", req.method, req.path);
        prop_assert_eq!(s.handle_read(&Request::new("GET", "/Users")).map(|r| r.body), listed);
        let again = s.handle(&req);
        prop_assert_eq!(&again.body, &resp.body, "the same write after undo");
        records.push(s.take_changes().unwrap().to_json());
    }
    let mut replayed = Server::new(profile.clone()).unwrap();
    replayed.restore(&start).unwrap();
    for r in &records {
        replayed.replay(r).map_err(TestCaseError::fail)?;
    }
    prop_assert_eq!(replayed.snapshot(), s.snapshot());
    Ok(records.len())
}

#[test]
fn undo_and_replay_follow_every_write() {
    for profile in [Profile::rfc(), Profile::builtin("veeva").unwrap()] {
        let mut runner = TestRunner::new(Config { cases: 96, ..Config::default() });
        let writes = std::cell::Cell::new(0);
        runner
            .run(&proptest::collection::vec(op(), 1..14), |ops| {
                writes.set(writes.get() + check(&profile, &ops)?);
                Ok(())
            })
            .unwrap();
        // Most generated writes must reach the store, or the property says little.
        let writes = writes.get();
        assert!(writes > 96 * 2, "{}: only {writes} writes changed the store", profile.name);
    }
}

/// Every built-in profile records what its writes change, whatever its knobs make a write do
/// (a DELETE that deactivates, a PUT that keeps what it ignores, `$ref`s rebuilt...): a write
/// the journal did not see would be lost at the next restart.
#[test]
fn every_builtin_profile_records_its_writes() {
    let mut recorded = 0;
    for info in Profile::builtins() {
        let profile = Profile::builtin(&info.name).unwrap();
        let mut runner = TestRunner::new(Config { cases: 16, ..Config::default() });
        let writes = std::cell::Cell::new(0);
        runner
            .run(&proptest::collection::vec(op(), 1..10), |ops| {
                writes.set(writes.get() + check(&profile, &ops)?);
                Ok(())
            })
            .unwrap();
        recorded += writes.get();
    }
    assert!(recorded > 16 * 10, "only {recorded} writes changed a store over every built-in profile");
}
