//! Criterion benches for the engine's hot paths: PUT replace, GET by id and POST, at 1k,
//! 10k and 100k users, and loading a saved store (`Server::restore` of a snapshot, what the
//! playground does before it is interactive) at 1k and 10k users. Results go to
//! docs/benchmarks.md (never asserted in tests).

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use scim_core::{Profile, Request, Server};
use serde_json::json;
use std::hint::black_box;

const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";

fn user(i: usize) -> serde_json::Value {
    json!({
        "schemas": [USER], "userName": format!("user{i}"), "title": "Tour Guide", "active": true,
        "name": {"givenName": "Barbara", "familyName": format!("Jensen{i}")},
        "emails": [{"value": format!("user{i}@example.com"), "type": "work", "primary": true}]
    })
}

fn server_with(n: usize) -> (Server, Vec<String>) {
    let mut s = Server::new(Profile::rfc()).unwrap_or_else(|e| panic!("{e}"));
    let ids = (0..n)
        .map(|i| {
            let r = s.handle(&Request::new("POST", "/scim/v2/Users").json(&user(i)));
            r.json()["id"].as_str().unwrap_or_default().to_string()
        })
        .collect();
    (s, ids)
}

fn benches(c: &mut Criterion) {
    let mut g = c.benchmark_group("users");
    g.throughput(Throughput::Elements(1));
    // `cargo xtask bench --smoke` (debug build, each benchmark run once): the small store only.
    let sizes: &[usize] =
        if std::env::var_os("SCIM_BENCH_SMOKE").is_some() { &[1_000] } else { &[1_000, 10_000, 100_000] };
    for &n in sizes {
        let (mut s, ids) = server_with(n);
        let snapshot = (n <= 10_000).then(|| s.snapshot());
        let mid = ids[n / 2].clone();
        // Alternate two bodies so every PUT really changes the resource.
        let mut a = user(n / 2);
        a["title"] = json!("Chief Guide");
        let b = user(n / 2);
        let put_a = Request::new("PUT", &format!("/scim/v2/Users/{mid}")).json(&a);
        let put_b = Request::new("PUT", &format!("/scim/v2/Users/{mid}")).json(&b);
        let mut flip = false;
        g.bench_with_input(BenchmarkId::new("put_replace", n), &n, |bench, _| {
            bench.iter(|| {
                flip = !flip;
                black_box(s.handle(if flip { &put_a } else { &put_b }))
            })
        });
        // The same PUT as the HTTP door runs it: no explanation (`Server::set_explain`).
        s.set_explain(false);
        g.bench_with_input(BenchmarkId::new("put_replace_no_explain", n), &n, |bench, _| {
            bench.iter(|| {
                flip = !flip;
                black_box(s.handle(if flip { &put_a } else { &put_b }))
            })
        });
        s.set_explain(true);
        let get = Request::new("GET", &format!("/scim/v2/Users/{mid}"));
        g.bench_with_input(BenchmarkId::new("get_by_id", n), &n, |bench, _| bench.iter(|| black_box(s.handle(&get))));
        let mut i = n;
        g.bench_with_input(BenchmarkId::new("post", n), &n, |bench, _| {
            bench.iter(|| {
                i += 1;
                black_box(s.handle(&Request::new("POST", "/scim/v2/Users").json(&user(i))))
            })
        });
        if let Some(snapshot) = snapshot {
            // A load takes milliseconds: ten samples (the drop of the loaded store is not timed).
            g.sample_size(10);
            g.bench_with_input(BenchmarkId::new("restore", n), &n, |bench, _| {
                bench.iter_with_large_drop(|| {
                    let mut loaded = Server::new(Profile::rfc()).unwrap_or_else(|e| panic!("{e}"));
                    loaded.restore(&snapshot).unwrap_or_else(|e| panic!("{e}"));
                    loaded
                })
            });
            g.sample_size(100);
        }
    }
    g.finish();
}

criterion_group!(core, benches);
criterion_main!(core);
