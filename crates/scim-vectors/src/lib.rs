//! The conformance vectors of `tests/vectors/*.json` and the one runner every door uses.
//!
//! A vector file holds cases; a case picks a profile (with optional behaviour overrides) and
//! sends steps: requests with optional expectations. A step without `expect` is set-up and
//! must succeed. Ids, ETags and RFC 9865 `nextCursor`s from earlier steps are captured by
//! name and substituted as `{name}`, `{name.etag}` and `{name.nextCursor}` in later paths,
//! headers and bodies.
//!
//! Beside the explicit expectations, every failed step (status ≥ 400) must leave the store
//! snapshot byte-identical, on doors that can take snapshots.
//!
//! Every case runs through every door. Known failures live in
//! `tests/vectors/expected-failures/{door}.txt`, one case name a line, and are the only way a
//! case may fail; the list can only shrink: a listed case that passes, or a name that is no
//! case, fails the run.

use std::collections::BTreeMap;

use scim_core::{Profile, Request, Response};
use serde::Deserialize;
use serde_json::{Map, Value};

include!(concat!(env!("OUT_DIR"), "/vectors.rs"));

/// One file of cases.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VectorFile {
    #[serde(default)]
    pub description: String,
    pub cases: Vec<Case>,
}

/// One case.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// Stable, unique across files.
    pub name: String,
    /// The RFC section (or vendor document) the case checks.
    pub rfc: String,
    #[serde(default)]
    pub description: String,
    /// A built-in profile name.
    #[serde(default = "default_profile")]
    pub profile: String,
    /// Behaviour knobs merged over the profile's.
    #[serde(default)]
    pub behaviour: Option<Value>,
    /// Any other profile fields merged over the built-in profile ([`Profile::derive`]),
    /// e.g. `{"auth": {"token": "t0k"}}`.
    #[serde(default)]
    pub overrides: Option<Value>,
    pub steps: Vec<Step>,
}

fn default_profile() -> String {
    "rfc".into()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub request: VRequest,
    #[serde(default)]
    pub capture: Option<String>,
    #[serde(default)]
    pub expect: Option<Expect>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VRequest {
    pub method: String,
    pub path: String,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// A JSON body (sent with `Content-Type: application/scim+json` unless headers say).
    #[serde(default)]
    pub body: Option<Value>,
    /// A raw body, for malformed JSON.
    #[serde(default, rename = "bodyText")]
    pub body_text: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    pub status: u16,
    /// Header values; `"$any"` for present, `"$absent"` for missing.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Subset match: listed keys must match; arrays match element by element; `"$any"`
    /// matches any present value.
    #[serde(default)]
    pub body: Option<Value>,
    /// Dotted paths that must not exist in the body (`title`, `name.familyName`,
    /// `Resources.0.title`). The body must be a JSON object: a step with `absent` fails on an
    /// empty or non-JSON body, where nothing would be present to begin with.
    #[serde(default)]
    pub absent: Vec<String>,
    #[serde(default, rename = "scimType")]
    pub scim_type: Option<String>,
    /// Substrings the error detail must contain.
    #[serde(default, rename = "detailContains")]
    pub detail_contains: Vec<String>,
    /// The most bytes the error detail may have (details quote input only briefly).
    #[serde(default, rename = "detailMaxBytes")]
    pub detail_max_bytes: Option<usize>,
    /// Explanation entries that must be present (subset match on each entry).
    #[serde(default)]
    pub explanation: Vec<Value>,
}

/// A way into the engine: native core, wasm in a browser, HTTP.
pub trait Door {
    /// The door's name, matching its expected-failures file.
    fn name(&self) -> &str;
    /// A fresh server running this profile.
    fn start(&mut self, profile: &Profile) -> Result<(), String>;
    fn send(&mut self, req: &Request) -> Result<Response, String>;
    /// The store snapshot as text, where the door can take one.
    fn snapshot(&mut self) -> Option<String> {
        None
    }
    /// Whether responses carry the engine's explanation.
    fn explains(&self) -> bool {
        false
    }
}

/// Every case of every file.
pub fn all_cases() -> Result<Vec<(String, Case)>, String> {
    let mut out = Vec::new();
    for (file, src) in FILES {
        let f: VectorFile = serde_json::from_str(src).map_err(|e| format!("{file}: {e}"))?;
        for c in f.cases {
            out.push(((*file).to_string(), c));
        }
    }
    let mut names: Vec<&str> = out.iter().map(|(_, c)| c.name.as_str()).collect();
    names.sort_unstable();
    if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
        return Err(format!("case name {:?} is used twice", w[0]));
    }
    Ok(out)
}

/// The profile a case runs under.
pub fn case_profile(case: &Case) -> Result<Profile, String> {
    let mut p = Profile::builtin(&case.profile).ok_or_else(|| format!("no built-in profile {:?}", case.profile))?;
    if let Some(over) = &case.overrides {
        p = Profile::derive(&p, over).map_err(|e| format!("overrides: {e}"))?;
    }
    if let Some(over) = &case.behaviour {
        let mut b = serde_json::to_value(&p.behaviour).map_err(|e| e.to_string())?;
        merge(&mut b, over);
        p.behaviour = serde_json::from_value(b).map_err(|e| format!("behaviour override: {e}"))?;
    }
    Ok(p)
}

fn merge(base: &mut Value, over: &Value) {
    match (base, over) {
        (Value::Object(b), Value::Object(o)) => {
            for (k, v) in o {
                merge(b.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
        (b, o) => *b = o.clone(),
    }
}

fn substitute(s: &str, vars: &BTreeMap<String, String>) -> String {
    let mut out = s.to_string();
    for (k, v) in vars {
        out = out.replace(&format!("{{{k}}}"), v);
    }
    out
}

fn substitute_value(v: &Value, vars: &BTreeMap<String, String>) -> Value {
    match v {
        Value::String(s) => Value::String(substitute(s, vars)),
        Value::Array(a) => Value::Array(a.iter().map(|x| substitute_value(x, vars)).collect()),
        Value::Object(o) => Value::Object(
            o.iter().map(|(k, x)| (substitute(k, vars), substitute_value(x, vars))).collect::<Map<_, _>>(),
        ),
        other => other.clone(),
    }
}

/// Builds the core request for a step.
pub fn build_request(r: &VRequest, vars: &BTreeMap<String, String>) -> Request {
    let mut req = Request::new(&r.method, &substitute(&r.path, vars));
    for (k, v) in &r.headers {
        req.headers.push((k.clone(), substitute(v, vars)));
    }
    if let Some(b) = &r.body {
        req = req.json(&substitute_value(b, vars));
    } else if let Some(t) = &r.body_text {
        req.body = substitute(t, vars).into_bytes();
        if req.header_value("content-type").is_none() {
            req.headers.push(("Content-Type".into(), "application/scim+json".into()));
        }
    }
    req
}

/// Subset match; returns the first difference as a path and message.
pub fn subset(expected: &Value, actual: &Value, path: &str) -> Result<(), String> {
    match (expected, actual) {
        (Value::String(s), a) if s == "$any" => {
            if a.is_null() {
                Err(format!("{path}: expected a value, found none"))
            } else {
                Ok(())
            }
        }
        (Value::Object(e), Value::Object(a)) => {
            for (k, ev) in e {
                match a.get(k) {
                    Some(av) => subset(ev, av, &format!("{path}.{k}"))?,
                    None => return Err(format!("{path}.{k}: missing (expected {ev})")),
                }
            }
            Ok(())
        }
        (Value::Array(e), Value::Array(a)) => {
            if e.len() != a.len() {
                return Err(format!(
                    "{path}: expected {} elements, found {}: {}",
                    e.len(),
                    a.len(),
                    Value::Array(a.clone())
                ));
            }
            for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                subset(ev, av, &format!("{path}[{i}]"))?;
            }
            Ok(())
        }
        (e, a) if e == a => Ok(()),
        (e, a) => Err(format!("{path}: expected {e}, found {a}")),
    }
}

fn lookup<'v>(v: &'v Value, dotted: &str) -> Option<&'v Value> {
    // Extension URNs contain dots only in version numbers ("2.0"), so split on the last
    // segment separators that are not inside a URN: we treat "urn:...:User" keys specially.
    let mut cur = v;
    let mut rest = dotted;
    while !rest.is_empty() {
        // Array elements by index: `Resources.0.title`.
        if let Value::Array(items) = cur {
            let (seg, tail) = rest.split_once('.').unwrap_or((rest, ""));
            cur = items.get(seg.parse::<usize>().ok()?)?;
            rest = tail;
            continue;
        }
        let obj = cur.as_object()?;
        if let Some((k, _)) = obj
            .iter()
            .filter(|(k, _)| rest == k.as_str() || rest.starts_with(&format!("{k}.")))
            .max_by_key(|(k, _)| k.len())
        {
            cur = obj.get(k)?;
            rest = rest.get(k.len()..).unwrap_or("").trim_start_matches('.');
        } else {
            return None;
        }
    }
    Some(cur)
}

/// Runs one case through a door.
pub fn run_case(door: &mut dyn Door, case: &Case) -> Result<(), String> {
    let profile = case_profile(case)?;
    door.start(&profile)?;
    let mut vars: BTreeMap<String, String> = BTreeMap::new();
    for (i, step) in case.steps.iter().enumerate() {
        let req = build_request(&step.request, &vars);
        let at = format!("step {} ({} {})", i + 1, req.method, req.path);
        let before = door.snapshot();
        let resp = door.send(&req).map_err(|e| format!("{at}: {e}"))?;
        let body = resp.json();
        if resp.status >= 400 {
            if let (Some(b), Some(a)) = (before, door.snapshot()) {
                if a != b {
                    return Err(format!("{at}: failed with {} but changed the store", resp.status));
                }
            }
        }
        if let Some(name) = &step.capture {
            if let Some(id) = body.get("id").and_then(Value::as_str) {
                vars.insert(name.clone(), id.to_string());
            }
            if let Some(tag) = resp.header_value("etag") {
                vars.insert(format!("{name}.etag"), tag.to_string());
            }
            if let Some(cursor) = body.get("nextCursor").and_then(Value::as_str) {
                vars.insert(format!("{name}.nextCursor"), cursor.to_string());
            }
        }
        let Some(exp) = &step.expect else {
            if resp.status >= 300 {
                return Err(format!("{at}: set-up step failed with {}: {}", resp.status, resp.body));
            }
            continue;
        };
        if resp.status != exp.status {
            return Err(format!("{at}: expected status {}, got {}: {}", exp.status, resp.status, resp.body));
        }
        for (h, v) in &exp.headers {
            let got = resp.header_value(h);
            let v = substitute(v, &vars);
            match (v.as_str(), got) {
                ("$absent", None) | ("$any", Some(_)) => {}
                ("$absent", Some(g)) => return Err(format!("{at}: header {h} should be absent, is {g:?}")),
                (want, Some(g)) if want == g => {}
                (want, g) => return Err(format!("{at}: header {h}: expected {want:?}, got {g:?}")),
            }
        }
        if let Some(eb) = &exp.body {
            subset(&substitute_value(eb, &vars), &body, "body").map_err(|e| format!("{at}: {e}"))?;
        }
        if !exp.absent.is_empty() && !body.is_object() {
            // An empty or non-JSON body has no attributes at all, so `absent` alone would pass
            // on it: a step that names absent attributes must first get a JSON object.
            return Err(format!("{at}: `absent` needs a JSON object body, got {:?}", resp.body));
        }
        for p in &exp.absent {
            if let Some(v) = lookup(&body, p) {
                return Err(format!("{at}: {p} should be absent, is {v}"));
            }
        }
        if let Some(t) = &exp.scim_type {
            if body.get("scimType").and_then(Value::as_str) != Some(t.as_str()) {
                return Err(format!("{at}: expected scimType {t}, body {}", resp.body));
            }
        }
        if exp.status >= 400 {
            let st = body.get("status").and_then(Value::as_str);
            if st != Some(exp.status.to_string().as_str()) {
                return Err(format!(
                    "{at}: error body must carry status as a string \"{}\": {}",
                    exp.status, resp.body
                ));
            }
        }
        let detail = body.get("detail").and_then(Value::as_str).unwrap_or_default();
        for d in &exp.detail_contains {
            if !detail.contains(d.as_str()) {
                return Err(format!("{at}: detail should contain {d:?}: {detail:?}"));
            }
        }
        if let Some(max) = exp.detail_max_bytes {
            if detail.len() > max {
                return Err(format!("{at}: detail has {} bytes, at most {max} expected", detail.len()));
            }
        }
        if door.explains() && !exp.explanation.is_empty() {
            let expl = resp.explanation.as_ref().ok_or_else(|| format!("{at}: no explanation"))?;
            let entries = serde_json::to_value(&expl.entries).map_err(|e| e.to_string())?;
            let entries = entries.as_array().cloned().unwrap_or_default();
            for want in &exp.explanation {
                let want = substitute_value(want, &vars);
                if !entries.iter().any(|e| subset(&want, e, "").is_ok()) {
                    return Err(format!("{at}: explanation lacks {want}; has {}", Value::Array(entries.clone())));
                }
            }
        }
    }
    Ok(())
}

/// What a run of every case through one door found.
#[derive(Debug, Default)]
pub struct Report {
    pub passed: usize,
    pub expected_failures: usize,
    /// Problems that fail the run: unexpected failures, unexpected passes, stale entries.
    pub problems: Vec<String>,
}

impl Report {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }

    pub fn summary(&self, door: &str) -> String {
        format!(
            "vectors via {door}: {} passed, {} failed ({} known failures)",
            self.passed,
            self.problems.len(),
            self.expected_failures
        )
    }
}

/// The known-failure list of a door.
pub fn expected_failures(door: &str) -> Vec<String> {
    EXPECTED_FAILURES
        .iter()
        .find(|(d, _)| *d == door)
        .map(|(_, src)| {
            src.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).map(str::to_string).collect()
        })
        .unwrap_or_default()
}

/// Runs every case through a door and checks the shrink-only list.
pub fn run_all(door: &mut dyn Door) -> Report {
    let mut report = Report::default();
    let cases = match all_cases() {
        Ok(c) => c,
        Err(e) => {
            report.problems.push(e);
            return report;
        }
    };
    let known = expected_failures(door.name());
    for stale in known.iter().filter(|k| !cases.iter().any(|(_, c)| &c.name == *k)) {
        report
            .problems
            .push(format!("{stale}: listed in expected-failures/{}.txt but no such case exists", door.name()));
    }
    for (file, case) in &cases {
        let listed = known.contains(&case.name);
        match (run_case(door, case), listed) {
            (Ok(()), false) => report.passed += 1,
            (Ok(()), true) => report.problems.push(format!(
                "{}: passes now; remove it from expected-failures/{}.txt (the list only shrinks)",
                case.name,
                door.name()
            )),
            (Err(_), true) => report.expected_failures += 1,
            (Err(e), false) => report.problems.push(format!("{file} / {} [{}]: {e}", case.name, case.rfc)),
        }
    }
    report
}

/// The native door: scim-core called directly.
#[derive(Debug, Default)]
pub struct CoreDoor {
    server: Option<scim_core::Server>,
}

impl Door for CoreDoor {
    fn name(&self) -> &str {
        "core"
    }

    fn start(&mut self, profile: &Profile) -> Result<(), String> {
        self.server = Some(scim_core::Server::new(profile.clone()).map_err(|e| e.to_string())?);
        Ok(())
    }

    fn send(&mut self, req: &Request) -> Result<Response, String> {
        let s = self.server.as_mut().ok_or("not started")?;
        Ok(s.handle(req))
    }

    fn snapshot(&mut self) -> Option<String> {
        self.server.as_ref().map(|s| s.snapshot().to_string())
    }

    fn explains(&self) -> bool {
        true
    }
}
