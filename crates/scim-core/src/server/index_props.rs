//! Property: a filter answers the same through the store's indexes as by evaluating it on
//! every resource ([`list::select_with`] with the indexes off): same matches, order,
//! `totalResults` and page, or the same error. Stores are built by random writes through
//! every write path (POST, PUT, PATCH, DELETE, undo of a write, snapshot and restore) and,
//! on a replica, by replaying the journal records of those writes.

use std::cell::Cell;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Value, json};

use super::Server;
use crate::list::{self, Query};
use crate::profile::registry::ResourceKind;
use crate::{Profile, Request};

const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";

/// Values that collide under case folding, share prefixes, or fold outside ASCII (the
/// Kelvin sign lowercases to an ASCII `k`).
const WORDS: &[&str] =
    &["al", "Al", "ALICE", "alice", "alicia", "bo", "Bob", "ÉMILE", "émile", "\u{212A}ai", "kai", ""];

#[derive(Debug, Clone)]
enum Write {
    Create(Value),
    Put(usize, Value),
    Patch(usize, Value),
    Delete(usize),
}

#[derive(Debug, Clone)]
enum Step {
    Write(Write),
    /// The write, then its undo.
    Undone(Write),
    /// Snapshot, then restore.
    Reload,
    /// A query between writes: an index built on first use (the `co` pieces) must be kept
    /// by the writes that follow.
    Query(String),
}

fn word() -> impl Strategy<Value = String> {
    prop::sample::select(WORDS).prop_map(str::to_string)
}

fn user() -> impl Strategy<Value = Value> {
    let suffix = prop::sample::select(&["", "1", "4"][..]);
    (word(), suffix, prop::option::of(word()), prop::collection::vec(word(), 0..3), prop::option::of(word())).prop_map(
        |(name, suffix, ext, emails, title)| {
            let mut u = json!({"schemas": [USER], "userName": format!("{name}{suffix}")});
            if let Some(e) = ext {
                u["externalId"] = json!(e);
            }
            if !emails.is_empty() {
                u["emails"] = json!(emails.iter().map(|e| json!({"value": format!("{e}@x.org")})).collect::<Vec<_>>());
            }
            if let Some(t) = title {
                u["title"] = json!(t);
            }
            u
        },
    )
}

fn write() -> impl Strategy<Value = Write> {
    let patch = (word(), word()).prop_map(|(ext, mail)| {
        json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [
            {"op": "replace", "path": "externalId", "value": ext},
            {"op": "add", "path": "emails", "value": [{"value": format!("{mail}@y.org")}]}
        ]})
    });
    prop_oneof![
        3 => user().prop_map(Write::Create),
        2 => (any::<usize>(), user()).prop_map(|(i, u)| Write::Put(i, u)),
        1 => (any::<usize>(), patch).prop_map(|(i, p)| Write::Patch(i, p)),
        1 => any::<usize>().prop_map(Write::Delete),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        6 => write().prop_map(Step::Write),
        2 => write().prop_map(Step::Undone),
        1 => Just(Step::Reload),
        2 => filter().prop_map(Step::Query),
    ]
}

fn term() -> impl Strategy<Value = String> {
    let attr =
        prop::sample::select(&["userName", "USERNAME", "externalId", "emails.value", "emails", "title", "id"][..]);
    let op = prop::sample::select(&["eq", "sw", "co", "ew", "ne", "EQ", "SW"][..]);
    (attr, op, word(), prop::sample::select(&["", "1", "4", "@x.org", "@y.org", "@"][..]))
        .prop_map(|(a, o, w, tail)| format!("{a} {o} {:?}", format!("{w}{tail}")))
}

fn filter() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => term(),
        2 => (term(), term()).prop_map(|(a, b)| format!("{a} and {b}")),
        1 => (term(), term()).prop_map(|(a, b)| format!("{a} or {b}")),
        1 => (term(), term(), term()).prop_map(|(a, b, c)| format!("{a} and ({b} or {c})")),
        1 => term().prop_map(|a| format!("not ({a})")),
    ]
}

fn ids(s: &Server) -> Vec<String> {
    s.resources("/Users").iter().filter_map(|r| r.get("id")?.as_str().map(str::to_string)).collect()
}

fn request(s: &Server, w: &Write) -> Option<Request> {
    let ids = ids(s);
    let at = |i: usize| ids.get(i % ids.len().max(1)).map(|id| format!("/Users/{id}"));
    Some(match w {
        Write::Create(u) => Request::new("POST", "/Users").json(u),
        Write::Put(i, u) => Request::new("PUT", &at(*i)?).json(u),
        Write::Patch(i, p) => Request::new("PATCH", &at(*i)?).json(p),
        Write::Delete(i) => Request::new("DELETE", &at(*i)?),
    })
}

/// Indexed and scanned answers of `filter` (with paging and sorting) on `s` agree; returns
/// how many users matched.
fn agree(s: &Server, filter: &str, start: usize, count: usize, sort: bool) -> Result<usize, String> {
    let kinds: Vec<&ResourceKind> = s.registry.kinds.iter().collect();
    let users: Vec<&ResourceKind> = kinds.iter().copied().filter(|k| k.def.name == "User").collect();
    let q = Query {
        filter: Some(filter.to_string()),
        sort_by: sort.then(|| "userName".to_string()),
        start_index: start,
        count: Some(count),
        ..Query::default()
    };
    let none = |_: &ResourceKind, _: &mut crate::resource::Resource| {};
    let mut matched = 0;
    for ks in [&users, &kinds] {
        let show = |indexed: bool| {
            list::select_with(&s.store, ks, &q, &none, indexed).map(|p| {
                let hits: Vec<String> =
                    p.hits.iter().map(|h| format!("{}:{:?}", h.kind, h.resource.get("id"))).collect();
                (p.total, hits)
            })
        };
        let (a, b) = (show(true), show(false));
        if a != b {
            return Err(format!("{filter:?}: indexed {a:?}, scanned {b:?}"));
        }
        matched = a.map_or(0, |(total, _)| total);
    }
    Ok(matched)
}

#[test]
fn indexed_filters_answer_as_the_scan_does() {
    let case = (
        prop::collection::vec(step(), 1..40),
        prop::collection::vec((filter(), 1..4usize, 0..6usize, any::<bool>()), 1..12),
    );
    let mut runner = TestRunner::new(Config { cases: 512, ..Config::default() });
    let (answered, matched) = (Cell::new(0usize), Cell::new(0usize));
    runner
        .run(&case, |(steps, filters)| {
            let mut s = Server::new(Profile::rfc()).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
            let mut replica = Server::new(Profile::rfc()).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
            s.record_changes(true);
            for step in &steps {
                match step {
                    Step::Write(w) => {
                        let Some(req) = request(&s, w) else { continue };
                        s.handle(&req);
                        if let Some(changes) = s.take_changes() {
                            replica.replay(&changes.to_json()).map_err(TestCaseError::fail)?;
                        }
                    }
                    Step::Undone(w) => {
                        let Some(req) = request(&s, w) else { continue };
                        let before = s.snapshot();
                        s.handle(&req);
                        if let Some(changes) = s.take_changes() {
                            s.undo(changes);
                        }
                        prop_assert_eq!(s.snapshot(), before);
                    }
                    Step::Reload => {
                        let snap = s.snapshot();
                        s.restore(&snap).map_err(TestCaseError::fail)?;
                        s.record_changes(true);
                    }
                    Step::Query(f) => {
                        agree(&s, f, 1, 5, false).map_err(TestCaseError::fail)?;
                    }
                }
            }
            prop_assert_eq!(ids(&s), ids(&replica));
            for (f, start, count, sort) in &filters {
                for server in [&s, &replica] {
                    let n = agree(server, f, *start, *count, *sort).map_err(TestCaseError::fail)?;
                    answered.set(answered.get() + 1);
                    matched.set(matched.get() + usize::from(n > 0));
                }
            }
            Ok(())
        })
        .unwrap();
    // Most filters must match someone, or agreeing would prove little.
    assert!(matched.get() * 5 > answered.get(), "{} of {} filters matched users", matched.get(), answered.get());
}

/// The generator reaches the indexed paths with matches (a property over empty answers
/// would prove nothing).
#[test]
fn indexed_paths_find_users() {
    let mut s = Server::new(Profile::rfc()).unwrap();
    for (name, mail) in [("ALICE5", "Al@x.org"), ("alicia6", "bo@x.org"), ("\u{212A}ai", "kai@x.org")] {
        let r = s.handle(&Request::new("POST", "/Users").json(&json!({
            "schemas": [USER], "userName": name, "externalId": name, "emails": [{"value": mail}]
        })));
        assert_eq!(r.status, 201, "{}", r.body);
    }
    // A delete taken back puts the user back into the indexes.
    s.record_changes(true);
    let first = ids(&s).into_iter().next().unwrap();
    assert_eq!(s.handle(&Request::new("DELETE", &format!("/Users/{first}"))).status, 204);
    let changes = s.take_changes().unwrap();
    s.undo(changes);
    let kinds: Vec<&ResourceKind> = s.registry.kinds.iter().filter(|k| k.def.name == "User").collect();
    let none = |_: &ResourceKind, _: &mut crate::resource::Resource| {};
    for (f, n) in [
        (r#"userName eq "alice5""#, 1),
        (r#"userName sw "ALI""#, 2),
        (r#"userName eq "KAI""#, 1),
        (r#"emails.value sw "AL@""#, 1),
        (r#"emails eq "kai@x.org" and userName sw "k""#, 1),
        (r#"externalId eq "alice5""#, 0),
        (r#"externalId sw "ALI""#, 1),
        (r#"userName co "LIC""#, 2),
        (r#"emails.value co "@X.O" and userName co "ai""#, 1),
        (r#"externalId co "lic""#, 1),
    ] {
        let q = Query { filter: Some(f.to_string()), start_index: 1, ..Query::default() };
        let page = list::select_with(&s.store, &kinds, &q, &none, true).unwrap();
        assert_eq!(page.total, n, "{f}");
        agree(&s, f, 1, 10, false).unwrap();
    }
}
