//! The learner and the replayer against servers that answer nonsense: they never panic,
//! always finish within a bounded number of requests, and decide nothing they did not see.

use proptest::prelude::*;
use scim_core::Response;
use scim_learn::{Learner, Replayer, Scenario};

fn answer(status: u16, body: &str, ct: bool) -> Response {
    let headers = if ct { vec![("Content-Type".to_string(), "application/scim+json".to_string())] } else { vec![] };
    Response { status, headers, body: body.to_string(), ..Response::default() }
}

const BODIES: [&str; 9] = [
    "",
    "{}",
    "null",
    "[]",
    "not json",
    r#"{"id": 7, "meta": {"resourceType": 3}, "Resources": {"x": 1}}"#,
    r#"{"id": "x", "Resources": [{"userName": 5}, null], "totalResults": -1}"#,
    r#"{"detail": null, "scimType": ["tooMany"], "status": "400"}"#,
    r#"{"resources": [{"userName": "scim-learn-n-create"}], "nextCursor": {}, "emails": "x"}"#,
];

proptest! {
    #[test]
    fn the_learner_finishes_on_any_answers(answers in proptest::collection::vec((0u16..600, 0usize..BODIES.len(), any::<bool>()), 1..80)) {
        let mut l = Learner::new("n", "hostile");
        let mut i = 0;
        while let Some(_req) = l.next_request() {
            let (status, b, ct) = answers[i % answers.len()];
            l.feed(answer(status, BODIES[b], ct));
            i += 1;
            prop_assert!(i < 200, "the battery did not stop");
        }
        let learned = l.result().expect("a result once next_request is None");
        let text = learned.profile.to_string();
        prop_assert!(scim_core::Profile::from_json(&text).is_ok(), "the profile must load: {}", text);
    }
}

#[test]
fn a_server_that_is_down_decides_nothing() {
    let mut l = Learner::new("n", "down");
    let mut sent = 0;
    while l.next_request().is_some() {
        l.feed(scim_learn::transport_error("connection refused"));
        sent += 1;
    }
    let learned = l.result().unwrap();
    assert!(learned.decided.is_empty(), "{:?}", learned.decided);
    // Discovery, then the first POST; nothing after a create that failed.
    assert_eq!(sent, 3);
    assert!(learned.undecided.iter().any(|u| u.knob == "behaviour.omitted" && u.reason.contains("connection refused")));
}

#[test]
fn a_replay_against_nonsense_reports_every_step() {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/scenarios/okta-full-put.json"))
            .unwrap();
    let s: Scenario = serde_json::from_str(&text).unwrap();
    let mut r = Replayer::new(s.clone(), "x");
    while r.next_request().is_some() {
        r.feed(answer(200, "not json", true));
    }
    let report = r.result().unwrap();
    assert!(!report.passed);
    assert_eq!(report.steps.len(), s.steps.len());
    // The create got 200 where 201 is expected: it saved no id, so later steps needing it
    // are skipped and say so.
    assert!(report.steps.iter().any(|st| st.outcome == "skipped" && st.problems[0].contains("userId")));
}
