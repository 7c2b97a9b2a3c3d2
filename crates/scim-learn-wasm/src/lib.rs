//! # scim-learn-wasm
//!
//! The learner and the scenario replayer of `scim-learn` for JS: the same state machines
//! `scim-mock learn` and `scim-mock replay` drive, here driven by `learnProfile` and
//! `replayScenario` (`crates/scim-wasm/js/remote.js`) with a `fetch` function.
//!
//! A wasm module of its own in the npm package (`learn/web`, `learn/node`), separate from
//! scim-wasm's `MockServer`: the JS entries load it on the first call that needs it, so a
//! page that only mocks a server never downloads the battery.
//!
//! Everything crosses the boundary as JSON text (one `JSON.parse` on each side, no JS
//! object is read from Rust): a request is `{method, path, headers: [[name, value]], body}`
//! with `path` relative to the server's base URL, a response `{status, headers: [[name,
//! value]], body}` with the body as text.
//!
//! The built-in client scenarios (`tests/scenarios/*.json`) are embedded here rather than in
//! the playground's own wasm, so a page that never replays one does not carry them:
//! `scenarios()` lists them, `ScenarioReplayer.builtin(name, run)` replays one;
//! `checkScenario(text)` checks a person's own scenario file against the scenario JSON Schema
//! the tests use. `har(input)` writes exchanges as a HAR 1.2 log for the playground.

use scim_core::{Request, Response};
use scim_learn::{Learner, Replayer, Scenario};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

#[derive(Serialize)]
struct WireRequest<'a> {
    method: &'a str,
    path: &'a str,
    headers: &'a [(String, String)],
    body: String,
}

#[derive(Deserialize)]
struct WireResponse {
    status: u16,
    #[serde(default)]
    headers: Vec<(String, String)>,
    #[serde(default)]
    body: String,
}

fn request_json(req: &Request) -> String {
    let wire = WireRequest {
        method: &req.method,
        path: &req.path,
        headers: &req.headers,
        body: String::from_utf8_lossy(&req.body).into_owned(),
    };
    serde_json::to_string(&wire).unwrap_or_default()
}

fn response_from_json(text: &str) -> Result<Response, JsError> {
    let w: WireResponse = scim_core::from_json_str(text)
        .map_err(|e| JsError::new(&format!("feed: a response is {{status, headers, body}}: {e}")))?;
    Ok(Response { status: w.status, headers: w.headers, body: w.body, ..Response::default() })
}

/// The probe battery as a state machine: `next()` gives the next request as JSON text
/// (`undefined` when done), `feed(responseJson)` its answer, `result()` what was learned.
#[wasm_bindgen]
#[derive(Debug)]
pub struct ProfileLearner {
    inner: Learner,
}

// `next` is the JS method name the drivers in remote.js call, not an iterator.
#[allow(clippy::should_implement_trait)]
#[wasm_bindgen]
impl ProfileLearner {
    /// `nonce`: a few [a-z0-9] characters that make the throw-away users' names unique;
    /// `name`: the learned profile's name.
    #[wasm_bindgen(constructor)]
    pub fn new(nonce: &str, name: &str) -> ProfileLearner {
        ProfileLearner { inner: Learner::new(nonce, name) }
    }

    /// The next request as JSON text, or `undefined` when the battery is done.
    pub fn next(&mut self) -> Option<String> {
        self.inner.next_request().map(|r| request_json(&r))
    }

    /// The answer to the last request, as JSON text `{status, headers, body}` (status 0 and
    /// the error as body when it could not be sent).
    pub fn feed(&mut self, response_json: &str) -> Result<(), JsError> {
        self.inner.feed(response_from_json(response_json)?);
        Ok(())
    }

    /// What was learned, as JSON text (`{profile, decided, undecided, exchanges,
    /// leftovers}`), or `undefined` before the battery is done.
    pub fn result(&self) -> Option<String> {
        self.inner.result().and_then(|l| serde_json::to_string(l).ok())
    }

    /// Every request the battery sends, as JSON text (the battery run against the rfc
    /// profile in memory), and the battery's documentation: `{probes, requests}`.
    #[wasm_bindgen(js_name = dryRun)]
    pub fn dry_run(nonce: &str) -> String {
        let requests: Vec<serde_json::Value> = scim_learn::dry_run(nonce)
            .iter()
            .map(|e| {
                serde_json::json!({"probe": e.probe, "method": e.request.method, "path": e.request.path,
                    "body": e.request.body})
            })
            .collect();
        serde_json::json!({"probes": scim_learn::battery(), "requests": requests}).to_string()
    }
}

/// What [`har`] takes: exchanges as `scim_learn::Exchange` JSON (`{probe, request: {method,
/// path, headers, body}, response: {status, headers, body}}`), the base URL their paths are
/// relative to, when the run started and each exchange's duration.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct HarInput {
    exchanges: Vec<scim_learn::Exchange>,
    #[serde(default)]
    base_url: String,
    #[serde(default)]
    started_ms: u64,
    #[serde(default)]
    times_ms: Vec<u64>,
    #[serde(default)]
    creator: Option<(String, String)>,
}

/// Exchanges as a HAR 1.2 log (`scim_learn::har`: credential headers redacted), as JSON
/// text. `input_json`: `{exchanges, baseUrl, startedMs, timesMs, creator: [name, version]}`
/// (a learn result's or a replay report's `exchanges` fit as they are). Here rather than in
/// the playground's own wasm, which loads this module before it offers a HAR.
#[wasm_bindgen]
pub fn har(input_json: &str) -> Result<String, JsError> {
    let input: HarInput = scim_core::from_json_str(input_json).map_err(|e| JsError::new(&format!("har: {e}")))?;
    let started = scim_learn::rfc3339(input.started_ms);
    let creator = input.creator.unwrap_or_else(|| ("scim-playground-wasm".into(), env!("CARGO_PKG_VERSION").into()));
    let cx = scim_learn::HarContext {
        base_url: &input.base_url,
        creator: (&creator.0, &creator.1),
        started: &started,
        times_ms: &input.times_ms,
    };
    serde_json::to_string_pretty(&scim_learn::har(&input.exchanges, &cx)).map_err(|e| JsError::new(&e.to_string()))
}

/// The built-in scenarios: name and file text.
const BUILTIN: &[(&str, &str)] = &[
    ("okta-full-put", include_str!("../../../tests/scenarios/okta-full-put.json")),
    ("okta-oin-patch", include_str!("../../../tests/scenarios/okta-oin-patch.json")),
    ("entra-default", include_str!("../../../tests/scenarios/entra-default.json")),
    ("entra-flag", include_str!("../../../tests/scenarios/entra-flag.json")),
    ("entra-validator", include_str!("../../../tests/scenarios/entra-validator.json")),
    ("jumpcloud-test-connection", include_str!("../../../tests/scenarios/jumpcloud-test-connection.json")),
];

/// The built-in scenarios as JSON text: `[{name, title, client, description, steps}]`
/// (`steps`: how many requests at most).
#[wasm_bindgen]
pub fn scenarios() -> String {
    let list: Vec<serde_json::Value> = BUILTIN
        .iter()
        .filter_map(|(_, text)| scim_core::from_json_str::<Scenario>(text).ok())
        .map(|s| {
            serde_json::json!({"name": s.name, "title": s.title, "client": s.client,
                "description": s.description, "steps": s.steps.len()})
        })
        .collect();
    serde_json::Value::Array(list).to_string()
}

/// Checks a scenario file's text against the scenario JSON Schema the tests check
/// `tests/scenarios` with (`scim_learn::check_scenario`; then it must load): JSON text `{errors: [...]}` when it fails, else
/// `{errors: [], name, title, client, description, steps}` (`steps`: how many). Replay it
/// with `new ScenarioReplayer(text, run)`.
#[wasm_bindgen(js_name = checkScenario)]
pub fn check_scenario(text: &str) -> String {
    match scim_learn::check_scenario(text) {
        Ok(s) => serde_json::json!({"errors": [], "name": s.name, "title": s.title, "client": s.client,
            "description": s.description, "steps": s.steps.len()}),
        Err(errors) => serde_json::json!({"errors": errors}),
    }
    .to_string()
}

/// A scenario replay as a state machine, driven like [`ProfileLearner`].
#[wasm_bindgen]
#[derive(Debug)]
pub struct ScenarioReplayer {
    inner: Replayer,
}

// `next` is the JS method name the drivers in remote.js call, not an iterator.
#[allow(clippy::should_implement_trait)]
#[wasm_bindgen]
impl ScenarioReplayer {
    /// `scenario_json`: a scenario file's text; `run` replaces `{{run}}` in it.
    #[wasm_bindgen(constructor)]
    pub fn new(scenario_json: &str, run: &str) -> Result<ScenarioReplayer, JsError> {
        let s: Scenario =
            scim_core::from_json_str(scenario_json).map_err(|e| JsError::new(&format!("scenario: {e}")))?;
        Ok(ScenarioReplayer { inner: Replayer::new(s, run) })
    }

    /// A built-in scenario by name (one of [`scenarios`]).
    pub fn builtin(name: &str, run: &str) -> Result<ScenarioReplayer, JsError> {
        let text = BUILTIN
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, t)| *t)
            .ok_or_else(|| JsError::new(&format!("no built-in scenario named {name}")))?;
        ScenarioReplayer::new(text, run)
    }

    pub fn next(&mut self) -> Option<String> {
        self.inner.next_request().map(|r| request_json(&r))
    }

    pub fn feed(&mut self, response_json: &str) -> Result<(), JsError> {
        self.inner.feed(response_from_json(response_json)?);
        Ok(())
    }

    /// The report as JSON text (`{scenario, client, steps, passed, exchanges}`).
    pub fn result(&self) -> Option<String> {
        self.inner.result().and_then(|r| serde_json::to_string(r).ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scenario_file_is_checked_as_the_tests_check_it() {
        let ok: serde_json::Value = serde_json::from_str(&check_scenario(BUILTIN[0].1)).unwrap();
        assert_eq!((ok["errors"].as_array().map(Vec::len), ok["name"].as_str()), (Some(0), Some(BUILTIN[0].0)));
        let bad: serde_json::Value = serde_json::from_str(&check_scenario(r#"{"name": "x", "steps": []}"#)).unwrap();
        let errors = bad["errors"].as_array().unwrap();
        assert!(errors.len() >= 2 && bad.get("name").is_none(), "{bad}");
    }

    #[test]
    fn har_takes_a_reports_exchanges_as_they_are() {
        let input = serde_json::json!({
            "exchanges": [{"probe": "create", "request": {"method": "POST", "path": "/Users",
                "headers": [["Authorization", "Bearer x1"]], "body": "{}"},
                "response": {"status": 201, "headers": [], "body": "{}"}}],
            "baseUrl": "http://localhost:8000/scim/v2", "startedMs": 0, "timesMs": [5],
            "creator": ["scim-playground", "0.1.0"]});
        let text = har(&input.to_string()).unwrap_or_default();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["log"]["creator"]["name"], "scim-playground");
        let e = &v["log"]["entries"][0];
        assert_eq!(
            (e["request"]["url"].as_str(), e["time"].as_u64()),
            (Some("http://localhost:8000/scim/v2/Users"), Some(5))
        );
        assert_eq!(e["startedDateTime"], "1970-01-01T00:00:00.000Z");
        assert!(!text.contains("x1"));
    }

    #[test]
    fn every_scenario_file_is_built_in_and_parses() {
        let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/scenarios")).unwrap();
        let mut names: Vec<String> =
            files.map(|f| f.unwrap().file_name().to_string_lossy().trim_end_matches(".json").to_string()).collect();
        names.sort();
        let listed: Vec<serde_json::Value> = serde_json::from_str(&scenarios()).unwrap();
        let mut built: Vec<String> = listed.iter().map(|s| s["name"].as_str().unwrap().to_string()).collect();
        built.sort();
        assert_eq!(built, names);
        let mut bare: Vec<String> = BUILTIN.iter().map(|(n, _)| n.to_string()).collect();
        bare.sort();
        assert_eq!(bare, names, "each embedded file is listed under its own name");
    }
}
