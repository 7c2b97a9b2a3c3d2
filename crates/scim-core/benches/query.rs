//! Filter evaluation (RFC 7644 §3.4.2.2), whole requests through `Server::handle`:
//! `userName eq` at 1k, 10k and 100k users; at 100k users `id eq`, `emails.value eq`,
//! `externalId eq`, `sw` and `co` on `userName` and `emails.value` (all answered from the
//! store's filter indexes), a `title co` scan and a value path; and the cost budget: the most expensive
//! filter still served (50 comparisons × 100k users = the 5,000,000 budget) and a 5,000-term
//! `.search` refused before it scans. Ids are `NAME/USERS` in the criterion group `filter`.
//!
//! Run with `cargo xtask bench --only filter` (or `cargo bench -p scim-core --bench query`).

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, SamplingMode, criterion_group, criterion_main};
use scim_core::{Profile, Request, Server};
use serde_json::{Value, json};

const USERS: usize = 100_000;

/// A server holding `n` users, loaded from a snapshot (faster than 100k POSTs).
fn server(n: usize) -> Server {
    let users: Vec<Value> = (0..n)
        .map(|i| {
            json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                "id": format!("00000000-0000-4000-8000-{i:012}"),
                "meta": {
                    "resourceType": "User",
                    "created": "2026-01-01T00:00:00.000Z",
                    "lastModified": "2026-01-01T00:00:00.000Z",
                    "version": "W/\"1\""
                },
                "userName": format!("user{i}"),
                "externalId": format!("ext-{i}"),
                "title": if i % 1000 == 0 { "Tour Guide" } else { "Engineer" },
                "emails": [{"value": format!("user{i}@example.com"), "type": "work", "primary": true}]
            })
        })
        .collect();
    let snapshot = json!({
        "format": "scim-playground-store",
        "version": 1,
        "nextNumericId": null,
        "resources": {"User": users, "Group": []}
    });
    let mut s = Server::new(Profile::rfc()).expect("rfc profile");
    s.restore(&snapshot).expect("snapshot");
    s
}

fn get(s: &mut Server, filter: &str) -> usize {
    let path = format!("/scim/v2/Users?filter={}&count=10", filter.replace(' ', "%20").replace('"', "%22"));
    let r = s.handle(&Request::new("GET", &path));
    assert_eq!(r.status, 200, "{}", r.body);
    r.body.len()
}

/// How many users `filter` matches (`totalResults`), for the set-up checks.
fn found(s: &mut Server, filter: &str) -> u64 {
    let path = format!("/scim/v2/Users?filter={}&count=1", filter.replace(' ', "%20").replace('"', "%22"));
    let r = s.handle(&Request::new("GET", &path));
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["totalResults"].as_u64().unwrap_or(0)
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("filter");
    for n in [1_000, 10_000] {
        let mut s = server(n);
        let f = format!("userName eq \"user{}\"", n / 2 + 7);
        assert_eq!(found(&mut s, &f), 1, "indexed lookup finds the user");
        g.bench_function(BenchmarkId::new("userName_eq", n), |b| b.iter(|| get(&mut s, black_box(&f))));
    }
    let mut s = server(USERS);
    // Scans of 100k users take milliseconds: ten flat samples (criterion's minimum) each.
    g.sample_size(10).sampling_mode(SamplingMode::Flat);
    assert_eq!(found(&mut s, r#"userName eq "USER77777""#), 1, "indexed lookup finds the user");
    let at = |name: &str| BenchmarkId::new(name, USERS);
    for (name, filter) in [
        ("userName_eq", r#"userName eq "user77777""#),
        ("id_eq", r#"id eq "00000000-0000-4000-8000-000000077777""#),
        ("emails_value_eq", r#"emails.value eq "user77777@example.com""#),
        ("externalId_eq", r#"externalId eq "ext-77777""#),
        ("userName_sw", r#"userName sw "user7777""#),
        ("emails_value_sw", r#"emails.value sw "user7777""#),
        ("userName_co", r#"userName co "r77777""#),
        ("emails_value_co", r#"emails.value co "77777@""#),
        ("title_co_scan", r#"title co "guide""#),
        ("emails_value_path", r#"emails[type eq "work" and value sw "user9999"]"#),
    ] {
        assert!(found(&mut s, filter) > 0, "{filter} finds users");
        g.bench_function(at(name), |b| b.iter(|| get(&mut s, black_box(filter))));
    }
    let or_terms = |n: usize| (0..n).map(|i| format!("title eq \"t{i}\"")).collect::<Vec<_>>().join(" or ");
    let search = |s: &mut Server, filter: &str| {
        let body =
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], "filter": filter, "count": 10});
        s.handle(&Request::new("POST", "/scim/v2/Users/.search").json(&body)).status
    };
    let at_budget = or_terms(50);
    assert_eq!(search(&mut s, &at_budget), 200);
    g.bench_function(at("search_50_or_terms_at_budget"), |b| b.iter(|| search(&mut s, black_box(&at_budget))));
    let over = (0..5000).map(|i| format!("userName eq \"u{i}\"")).collect::<Vec<_>>().join(" or ");
    assert_eq!(search(&mut s, &over), 400);
    g.bench_function(at("search_5000_or_terms_refused"), |b| b.iter(|| search(&mut s, black_box(&over))));
    let over_budget = or_terms(51);
    assert_eq!(search(&mut s, &over_budget), 400);
    g.bench_function(at("search_51_or_terms_over_budget_refused"), |b| {
        b.iter(|| search(&mut s, black_box(&over_budget)))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
