//! Client habits as scenarios: what a real provisioning client sends, step by step, each
//! step with its source and what the client concludes from the answer; and the replayer,
//! a state machine like the learner's, that reports per step what was sent, what came back
//! and where the client's expectations break.
//!
//! Strings in a step's path and body may name variables: `{{run}}` (a nonce unique to the
//! run, for throw-away names) and any value an earlier step saved (`"save": {"userId":
//! "/id"}` keeps the response's `id`). A step whose variables an earlier failed step did not
//! save is skipped, and says so.

use std::collections::BTreeMap;

use scim_core::{Request, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::{Drive as Next, Exchange, Io, Need, Received, Sent, body, drive, summary};

/// A scenario file (`tests/scenarios/*.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    pub title: String,
    /// The client whose habits these are (`Okta`, `Microsoft Entra ID`).
    pub client: String,
    /// The built-in profile of the client's own vendor, when there is one: the scenario must
    /// pass against it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor_profile: Option<String>,
    pub description: String,
    pub steps: Vec<Step>,
}

/// One request of a scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Step {
    pub name: String,
    /// Where this habit is documented (a vendor page).
    pub source: String,
    pub method: String,
    /// Relative to the server's base URL: `/Users/{{userId}}`.
    pub path: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    pub expect: Expect,
    /// Variables to keep from the response body, by JSON pointer (`{"userId": "/id"}`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub save: BTreeMap<String, String>,
    /// What the client concludes when the expectation holds.
    pub concludes: String,
    /// What breaks for the client when it does not.
    pub breaks: String,
    /// Housekeeping the client does not do itself (deleting the test user afterwards): its
    /// failure is reported but does not fail the run.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cleanup: bool,
}

/// What the client expects of the response.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct Expect {
    /// Accepted statuses.
    pub status: Vec<u16>,
    /// JSON pointers that must be present in the response body.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub present: Vec<String>,
    /// JSON pointers that must be absent.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub absent: Vec<String>,
    /// JSON pointers and the value each must have (variables substituted).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub equals: BTreeMap<String, Value>,
}

/// The outcome of one step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StepReport {
    pub name: String,
    pub source: String,
    /// `passed`, `broken`, or `skipped`.
    pub outcome: String,
    /// The request as sent (`None` when skipped).
    pub sent: Option<Sent>,
    pub received: Option<Received>,
    /// The client's conclusion (`concludes` when passed, `breaks` when broken).
    pub conclusion: String,
    /// Each expectation that failed, or why the step was skipped.
    pub problems: Vec<String>,
    pub cleanup: bool,
}

/// The report of one replay.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplayReport {
    pub scenario: String,
    pub client: String,
    pub steps: Vec<StepReport>,
    /// Whether every non-cleanup step passed.
    pub passed: bool,
    pub exchanges: Vec<Exchange>,
}

/// The replayer's state machine, driven like [`crate::Learner`].
#[derive(Debug, Clone)]
pub struct Replayer {
    scenario: Scenario,
    run: String,
    answers: Vec<Response>,
    pending: bool,
    result: Option<ReplayReport>,
}

impl Replayer {
    /// `run` replaces `{{run}}` (a few [a-z0-9] characters unique to this run).
    pub fn new(scenario: Scenario, run: &str) -> Replayer {
        let run: String = run.chars().filter(char::is_ascii_alphanumeric).take(24).collect();
        Replayer { scenario, run, answers: vec![], pending: false, result: None }
    }

    pub fn next_request(&mut self) -> Option<Request> {
        if self.result.is_some() || self.pending {
            return None;
        }
        let scenario = &self.scenario;
        let run_id = self.run.clone();
        match drive(&self.answers, |io| script(io, scenario, &run_id)) {
            Next::Send(req) => {
                self.pending = true;
                Some(req)
            }
            Next::Done(report) => {
                self.result = Some(report);
                None
            }
        }
    }

    pub fn feed(&mut self, response: Response) {
        if self.pending {
            self.answers.push(response);
            self.pending = false;
        }
    }

    pub fn result(&self) -> Option<&ReplayReport> {
        self.result.as_ref()
    }
}

/// Replaces `{{name}}` in every string of `v`; the names left unresolved.
fn substitute(v: &Value, vars: &BTreeMap<String, String>, missing: &mut Vec<String>) -> Value {
    match v {
        Value::String(s) => Value::String(subst_str(s, vars, missing)),
        Value::Array(a) => Value::Array(a.iter().map(|x| substitute(x, vars, missing)).collect()),
        Value::Object(o) => {
            Value::Object(o.iter().map(|(k, x)| (subst_str(k, vars, missing), substitute(x, vars, missing))).collect())
        }
        other => other.clone(),
    }
}

fn subst_str(s: &str, vars: &BTreeMap<String, String>, missing: &mut Vec<String>) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find("{{") {
        let (before, after) = rest.split_at(start);
        out.push_str(before);
        let inner = after.get(2..).unwrap_or_default();
        match inner.find("}}") {
            Some(end) => {
                let name = inner.get(..end).unwrap_or_default();
                match vars.get(name) {
                    Some(v) => out.push_str(v),
                    None => {
                        missing.push(name.to_string());
                        out.push_str(after.get(..end + 4).unwrap_or_default());
                    }
                }
                rest = inner.get(end + 2..).unwrap_or_default();
            }
            None => {
                out.push_str(after);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

fn check(expect: &Expect, resp: &Response, vars: &BTreeMap<String, String>) -> Vec<String> {
    let mut problems = vec![];
    if resp.status == 0 {
        problems.push(format!("no response: {}", resp.body));
        return problems;
    }
    if !expect.status.is_empty() && !expect.status.contains(&resp.status) {
        let want: Vec<String> = expect.status.iter().map(u16::to_string).collect();
        problems.push(format!("status {} where the client expects {}", summary(resp), want.join(" or ")));
    }
    let v = body(resp);
    for p in &expect.present {
        if v.pointer(p).is_none_or(Value::is_null) {
            problems.push(format!("{p} is missing from the response"));
        }
    }
    for p in &expect.absent {
        if v.pointer(p).is_some_and(|x| !x.is_null()) {
            problems.push(format!("{p} is in the response, where the client expects none"));
        }
    }
    for (p, want) in &expect.equals {
        let want = substitute(want, vars, &mut vec![]);
        match v.pointer(p) {
            Some(got) if loosely_equal(got, &want) => {}
            Some(got) => problems.push(format!("{p} is {got}, where the client expects {want}")),
            None => problems.push(format!("{p} is missing, where the client expects {want}")),
        }
    }
    problems
}

/// Equal, with strings compared case-insensitively (SCIM attribute values such as
/// userName are case-insensitive, RFC 7643 §4.1.1).
fn loosely_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) => x.eq_ignore_ascii_case(y),
        _ => a == b,
    }
}

fn script(io: &mut Io, scenario: &Scenario, run: &str) -> Result<ReplayReport, Need> {
    let mut vars: BTreeMap<String, String> = BTreeMap::new();
    vars.insert("run".into(), run.to_string());
    let mut steps = vec![];
    for step in &scenario.steps {
        io.probe = step.name.clone();
        let mut missing = vec![];
        let path = subst_str(&step.path, &vars, &mut missing);
        let body_v = step.body.as_ref().map(|b| substitute(b, &vars, &mut missing));
        let headers: Vec<(String, String)> =
            step.headers.iter().map(|(k, v)| (k.clone(), subst_str(v, &vars, &mut missing))).collect();
        if !missing.is_empty() {
            missing.dedup();
            steps.push(StepReport {
                name: step.name.clone(),
                source: step.source.clone(),
                outcome: "skipped".into(),
                sent: None,
                received: None,
                conclusion: String::new(),
                problems: vec![format!("needs {} from an earlier step that failed", missing.join(", "))],
                cleanup: step.cleanup,
            });
            continue;
        }
        let mut req = Request::new(&step.method, &path);
        req.headers = headers;
        if req.header_value("accept").is_none() {
            req.headers.push(("Accept".into(), "application/scim+json".into()));
        }
        if let Some(b) = &body_v {
            req = req.json(b);
        }
        let resp = io.send(req.clone())?;
        let problems = check(&step.expect, &resp, &vars);
        if problems.is_empty() {
            let v = body(&resp);
            for (name, pointer) in &step.save {
                let got = match v.pointer(pointer) {
                    Some(Value::String(s)) => Some(s.clone()),
                    Some(Value::Null) | None => None,
                    Some(other) => Some(other.to_string()),
                };
                if let Some(g) = got {
                    vars.insert(name.clone(), g);
                }
            }
        }
        let passed = problems.is_empty();
        steps.push(StepReport {
            name: step.name.clone(),
            source: step.source.clone(),
            outcome: if passed { "passed" } else { "broken" }.into(),
            sent: Some((&req).into()),
            received: Some((&resp).into()),
            conclusion: if passed { step.concludes.clone() } else { step.breaks.clone() },
            problems,
            cleanup: step.cleanup,
        });
    }
    let passed = steps.iter().all(|s| s.cleanup || s.outcome == "passed");
    Ok(ReplayReport {
        scenario: scenario.name.clone(),
        client: scenario.client.clone(),
        steps,
        passed,
        exchanges: std::mem::take(&mut io.log),
    })
}

/// The JSON Schema (draft 2020-12) scenario files are checked against.
pub fn scenario_schema() -> Value {
    let str_ = json!({"type": "string", "minLength": 1});
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://scim-playground.example/scenario.schema.json",
        "title": "A provisioning client's habits as a scenario",
        "type": "object",
        "additionalProperties": false,
        "required": ["name", "title", "client", "description", "steps"],
        "properties": {
            "name": {"type": "string", "pattern": "^[a-z0-9-]+$"},
            "title": str_,
            "client": str_,
            "vendorProfile": str_,
            "description": str_,
            "steps": {"type": "array", "minItems": 1, "items": {
                "type": "object",
                "additionalProperties": false,
                "required": ["name", "source", "method", "path", "expect", "concludes", "breaks"],
                "properties": {
                    "name": str_,
                    "source": {"type": "string", "pattern": "^https://"},
                    "method": {"enum": ["GET", "POST", "PUT", "PATCH", "DELETE"]},
                    "path": {"type": "string", "pattern": "^/"},
                    "headers": {"type": "object", "additionalProperties": {"type": "string"}},
                    "body": {"type": "object"},
                    "expect": {
                        "type": "object",
                        "additionalProperties": false,
                        "required": ["status"],
                        "properties": {
                            "status": {"type": "array", "minItems": 1, "items": {"type": "integer", "minimum": 100, "maximum": 599}},
                            "present": {"type": "array", "items": {"type": "string", "pattern": "^/"}},
                            "absent": {"type": "array", "items": {"type": "string", "pattern": "^/"}},
                            "equals": {"type": "object", "propertyNames": {"pattern": "^/"}}
                        }
                    },
                    "save": {"type": "object", "additionalProperties": {"type": "string", "pattern": "^/"}},
                    "concludes": str_,
                    "breaks": str_,
                    "cleanup": {"type": "boolean"}
                }
            }}
        }
    })
}
