//! The learner's wasm module (`scim-learn-wasm`, built into `learn/` beside the playground's
//! own by `cargo xtask dist`), loaded on the first "List the requests" or "Show the
//! scenarios" click: the probe battery and the built-in client scenarios are a sizeable part
//! of the wasm and most visits never learn a server nor replay a client (docs/wasm-size.md). The same module as the npm package's; everything crosses as JSON
//! text (a request `{method, path, headers: [[name, value]], body}`, an answer `{status,
//! headers, body}`), so nothing here knows the battery.

use js_sys::{Array, Function, Reflect};
use scim_core::{Request, Response};
use serde_json::Value;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

// The snippet lies in `snippets/<crate>/inline0.js` of the output directory, the learner in
// `learn/` of it. A failed load is forgotten, so the next click tries again.
#[wasm_bindgen(inline_js = "let m;
export function load_learner() {
  m ??= import(new URL('../../learn/scim_learn_wasm.js', import.meta.url).href)
    .then(async (x) => { await x.default(); return x; })
    .catch((e) => { m = undefined; throw e; });
  return m;
}")]
extern "C" {
    #[wasm_bindgen(catch)]
    async fn load_learner() -> Result<JsValue, JsValue>;
}

/// A JS error as a sentence.
fn message(e: &JsValue) -> String {
    e.as_string()
        .or_else(|| Reflect::get(e, &JsValue::from_str("message")).ok().and_then(|m| m.as_string()))
        .unwrap_or_else(|| "unknown error".into())
}

fn function(on: &JsValue, name: &str) -> Result<Function, String> {
    Reflect::get(on, &JsValue::from_str(name))
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
        .ok_or_else(|| format!("the learner module has no {name}"))
}

fn parse(text: &str) -> Result<Value, String> {
    serde_json::from_str(text).map_err(|e| format!("the learner answered with bad JSON: {e}"))
}

/// The loaded module.
#[derive(Debug, Clone)]
pub struct Module(JsValue);

impl Module {
    /// Loads the module (once per page; later calls get the same one).
    pub async fn load() -> Result<Module, String> {
        load_learner().await.map(Module).map_err(|e| format!("The learner could not be loaded: {}", message(&e)))
    }

    fn class(&self) -> Result<Function, String> {
        function(&self.0, "ProfileLearner")
    }

    /// Every request the battery sends, as `probe: METHOD path` lines, without sending any.
    pub fn dry_run(&self, nonce: &str) -> Result<Vec<String>, String> {
        let class = self.class()?;
        let text = function(&class, "dryRun")?.call1(&class, &JsValue::from_str(nonce)).map_err(|e| message(&e))?;
        let v = parse(&text.as_string().unwrap_or_default())?;
        let s = |r: &Value, k: &str| r.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
        Ok(v.get("requests")
            .and_then(Value::as_array)
            .map(|rs| rs.iter().map(|r| format!("{}: {} {}", s(r, "probe"), s(r, "method"), s(r, "path"))).collect())
            .unwrap_or_default())
    }

    /// A new run of the battery; `name` is the learned profile's name.
    pub fn learner(&self, nonce: &str, name: &str) -> Result<Run, String> {
        let args = Array::of2(&JsValue::from_str(nonce), &JsValue::from_str(name));
        Reflect::construct(&self.class()?, &args).map(Run).map_err(|e| message(&e))
    }

    /// The built-in client scenarios, as `(name, title)`.
    pub fn scenarios(&self) -> Result<Vec<(String, String)>, String> {
        let text = function(&self.0, "scenarios")?.call0(&JsValue::NULL).map_err(|e| message(&e))?;
        let v = parse(&text.as_string().unwrap_or_default())?;
        let s = |r: &Value, k: &str| r.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
        Ok(v.as_array().map(|l| l.iter().map(|r| (s(r, "name"), s(r, "title"))).collect()).unwrap_or_default())
    }

    /// Checks a scenario file's text as the tests check `tests/scenarios` (the scenario JSON
    /// Schema): its `(name, title)`, or every problem found.
    pub fn check_scenario(&self, text: &str) -> Result<(String, String), Vec<String>> {
        let out = function(&self.0, "checkScenario")
            .and_then(|f| f.call1(&JsValue::NULL, &JsValue::from_str(text)).map_err(|e| message(&e)))
            .and_then(|v| parse(&v.as_string().unwrap_or_default()))
            .map_err(|e| vec![e])?;
        let s = |k: &str| out.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
        match out.get("errors").and_then(Value::as_array) {
            Some(es) if !es.is_empty() => Err(es.iter().map(|e| e.as_str().unwrap_or_default().to_string()).collect()),
            _ => Ok((s("name"), s("title"))),
        }
    }

    /// A new replay of a scenario file's text (checked first with [`Module::check_scenario`]).
    pub fn replayer_of(&self, text: &str, run: &str) -> Result<Run, String> {
        let class = function(&self.0, "ScenarioReplayer")?;
        let args = Array::of2(&JsValue::from_str(text), &JsValue::from_str(run));
        Reflect::construct(&class, &args).map(Run).map_err(|e| message(&e))
    }

    /// A new replay of the built-in scenario `name`; `run` makes its throw-away names unique.
    pub fn replayer(&self, name: &str, run: &str) -> Result<Run, String> {
        let class = function(&self.0, "ScenarioReplayer")?;
        let args = Array::of2(&JsValue::from_str(name), &JsValue::from_str(run));
        function(&class, "builtin")?.apply(&class, &args).map(Run).map_err(|e| message(&e))
    }
}

impl Module {
    /// Exchanges as a HAR 1.2 log (`{exchanges, baseUrl, startedMs, timesMs, creator}` in,
    /// JSON text out; credential headers redacted), built by the module so the playground's
    /// own wasm does not carry the HAR writer.
    pub fn har(&self, input: &Value) -> Result<String, String> {
        let out = function(&self.0, "har")?
            .call1(&JsValue::NULL, &JsValue::from_str(&input.to_string()))
            .map_err(|e| message(&e))?;
        out.as_string().ok_or_else(|| "the learner gave no HAR".to_string())
    }
}

/// One run of the battery (`ProfileLearner`) or of a scenario (`ScenarioReplayer`): both
/// are driven alike. Freed when dropped.
#[derive(Debug)]
pub struct Run(JsValue);

impl Run {
    fn call(&self, name: &str, args: &Array) -> Result<JsValue, String> {
        function(&self.0, name)?.apply(&self.0, args).map_err(|e| message(&e))
    }

    /// The next request, or `None` when the battery is done.
    pub fn next_request(&self) -> Result<Option<Request>, String> {
        let Some(text) = self.call("next", &Array::new())?.as_string() else {
            return Ok(None);
        };
        let v = parse(&text)?;
        let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
        let headers = v
            .get("headers")
            .and_then(Value::as_array)
            .map(|hs| {
                hs.iter()
                    .filter_map(|h| Some((h.get(0)?.as_str()?.to_string(), h.get(1)?.as_str()?.to_string())))
                    .collect()
            })
            .unwrap_or_default();
        Ok(Some(Request { method: s("method"), path: s("path"), headers, body: s("body").into_bytes() }))
    }

    /// The answer to the last request (status 0 and the error as body when it was not sent).
    pub fn feed(&self, answer: &Response) -> Result<(), String> {
        let text = serde_json::json!({"status": answer.status, "headers": answer.headers, "body": answer.body});
        self.call("feed", &Array::of1(&JsValue::from_str(&text.to_string()))).map(|_| ())
    }

    /// What was learned (`{profile, decided, undecided, exchanges, leftovers}`) or the
    /// replay's report (`{scenario, client, steps, passed, exchanges}`), or `None` before
    /// the run is done.
    pub fn result(&self) -> Result<Option<Value>, String> {
        match self.call("result", &Array::new())?.as_string() {
            Some(text) => parse(&text).map(Some),
            None => Ok(None),
        }
    }
}

impl Drop for Run {
    fn drop(&mut self) {
        let _ = self.call("free", &Array::new());
    }
}
