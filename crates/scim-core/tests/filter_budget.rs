//! Issue 12, item 3: one search request must not stop the world. A filter holds at most 200
//! comparisons, and a query evaluates at most 5,000,000 (comparisons × resources scanned),
//! refused before the scan with 400 invalidFilter naming the limit; an indexed `eq` scans one
//! resource, so it stays within budget at any size.

use scim_core::{Profile, Request, Server};
use serde_json::{Value, json};

/// A server holding `n` users (`user0`…), loaded from a snapshot.
fn server(n: usize) -> Server {
    let users: Vec<Value> = (0..n)
        .map(|i| {
            json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                "id": format!("00000000-0000-4000-8000-{i:012}"),
                "meta": {"resourceType": "User", "created": "2026-01-01T00:00:00.000Z",
                         "lastModified": "2026-01-01T00:00:00.000Z", "version": "W/\"1\""},
                "userName": format!("user{i}"),
                "title": if i % 1000 == 0 { "Tour Guide" } else { "Engineer" }
            })
        })
        .collect();
    let snapshot = json!({"format": "scim-playground-store", "version": 1, "resources": {"User": users, "Group": []}});
    let mut s = Server::new(Profile::rfc()).unwrap();
    s.restore(&snapshot).unwrap();
    s
}

fn search(s: &mut Server, path: &str, filter: &str) -> (u16, Value) {
    let body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], "filter": filter});
    let r = s.handle(&Request::new("POST", path).json(&body));
    (r.status, r.json())
}

fn or_terms(n: usize, attr: &str) -> String {
    (0..n).map(|i| format!("{attr} eq \"user{i}\"")).collect::<Vec<_>>().join(" or ")
}

#[test]
fn the_issues_5000_term_search_is_refused_by_its_term_count() {
    let mut s = server(10);
    for path in ["/Users/.search", "/.search"] {
        let (status, body) = search(&mut s, path, &or_terms(5000, "userName"));
        assert_eq!(status, 400, "{body}");
        assert_eq!(body["scimType"], "invalidFilter");
        let detail = body["detail"].as_str().unwrap();
        assert!(detail.contains("5000 comparisons") && detail.contains("at most 200"), "{detail}");
    }
}

#[test]
fn comparisons_times_resources_over_the_budget_are_refused_before_the_scan() {
    // 26,000 users: 192 comparisons fit (4,992,000), 193 do not (5,018,000).
    let mut s = server(26_000);
    let (status, body) = search(&mut s, "/Users/.search", &or_terms(192, "title"));
    assert_eq!(status, 200, "{body}");
    let (status, body) = search(&mut s, "/Users/.search", &or_terms(193, "title"));
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["scimType"], "invalidFilter");
    let detail = body["detail"].as_str().unwrap();
    assert!(detail.contains("5018000 comparisons (193 comparisons × 26000 resources)"), "{detail}");
    assert!(detail.contains("at most 5000000"), "{detail}");
    // Root search counts every resource type it scans.
    assert_eq!(search(&mut s, "/.search", &or_terms(193, "title")).0, 400);
    // The same over GET.
    let filter = or_terms(193, "title").replace(' ', "%20").replace('"', "%22");
    assert_eq!(s.handle(&Request::new("GET", &format!("/Users?filter={filter}"))).status, 400);
}

#[test]
fn an_indexed_eq_scans_one_resource_so_many_terms_stay_within_budget() {
    let mut s = server(26_000);
    // `userName eq` at the top answers from the index: 1 resource × 200 comparisons.
    let filter = format!("userName eq \"user77\" and ({})", or_terms(199, "title"));
    let (status, body) = search(&mut s, "/Users/.search", &filter);
    assert_eq!(status, 200, "{body}");
}
