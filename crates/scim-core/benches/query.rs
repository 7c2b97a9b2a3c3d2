//! Filter evaluation at 100k users (RFC 7644 §3.4.2.2): `userName eq` answered from the
//! uniqueness index versus a `title co` scan, both through `Server::handle`; and the cost
//! budget: the most expensive filter still served (50 comparisons × 100k users = the
//! 5,000,000 budget) and a 5,000-term `.search` refused before it scans.
//!
//! Run with `cargo bench -p scim-core --bench query -- --quick`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use scim_core::{Profile, Request, Server};
use serde_json::{Value, json};

const USERS: usize = 100_000;

/// A server holding `USERS` users, loaded from a snapshot (faster than 100k POSTs).
fn server() -> Server {
    let users: Vec<Value> = (0..USERS)
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

fn bench(c: &mut Criterion) {
    let mut s = server();
    assert!(get(&mut s, r#"userName eq "USER77777""#) > 100, "indexed lookup finds the user");
    let mut g = c.benchmark_group("filter_100k_users");
    g.bench_function("userName_eq_indexed", |b| b.iter(|| get(&mut s, black_box(r#"userName eq "user77777""#))));
    g.bench_function("id_eq_indexed", |b| {
        b.iter(|| get(&mut s, black_box(r#"id eq "00000000-0000-4000-8000-000000077777""#)))
    });
    g.bench_function("title_co_scan", |b| b.iter(|| get(&mut s, black_box(r#"title co "guide""#))));
    g.bench_function("emails_value_path_scan", |b| {
        b.iter(|| get(&mut s, black_box(r#"emails[type eq "work" and value sw "user9999"]"#)))
    });
    let or_terms = |n: usize| (0..n).map(|i| format!("title eq \"t{i}\"")).collect::<Vec<_>>().join(" or ");
    let search = |s: &mut Server, filter: &str| {
        let body =
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], "filter": filter, "count": 10});
        s.handle(&Request::new("POST", "/scim/v2/Users/.search").json(&body)).status
    };
    let at_budget = or_terms(50);
    assert_eq!(search(&mut s, &at_budget), 200);
    g.bench_function("search_50_or_terms_at_budget", |b| b.iter(|| search(&mut s, black_box(&at_budget))));
    let over = (0..5000).map(|i| format!("userName eq \"u{i}\"")).collect::<Vec<_>>().join(" or ");
    assert_eq!(search(&mut s, &over), 400);
    g.bench_function("search_5000_or_terms_refused", |b| b.iter(|| search(&mut s, black_box(&over))));
    let over_budget = or_terms(51);
    assert_eq!(search(&mut s, &over_budget), 400);
    g.bench_function("search_51_or_terms_over_budget_refused", |b| b.iter(|| search(&mut s, black_box(&over_budget))));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
