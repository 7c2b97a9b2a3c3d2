//! The "Your server" lane (kept out of `app`): a base URL, an optional `Authorization`
//! value, a dialect profile, and a Send button. Nothing is sent without that click. The
//! composer's request is rendered in the dialect ([`crate::remote::prepare`]), a
//! `{userName:NAME}` placeholder is looked up on the server by filter, and a write is read
//! before and after so the lane can show an *observed* explanation in the engine's words.
//! The answer is compared with Lane A's last answer by the same Differences code two mock
//! lanes use ([`crate::diff::exchanges`]).
//!
//! The token lives in this component's memory; only when the person ticks "Remember in
//! this tab" is it written, with the base URL, to `sessionStorage` (never `localStorage`).
//! Requests kept for history and Differences carry no `Authorization` header. When `fetch`
//! fails (the browser reports a CORS refusal and an unreachable host alike), the lane says so
//! and gives the relay command and the URL to use instead. Every value is rendered as text.
//!
//! "Learn this server's profile" loads the learner's own wasm module ([`crate::learner`]),
//! lists the battery's requests first (its dry run), then on a second click drives the
//! battery with the same `fetch`; the learned profile opens in Lane B ("Open in Lane B": a
//! custom profile, [`crate::catalog::load_custom`], kept in saved state) and downloads as JSON.
//!
//! "Replay a client's habits" loads the same module, which embeds the built-in client
//! scenarios (`tests/scenarios`), lists them (and any scenario file the person loads, checked
//! by the module against the scenario JSON Schema as the tests check `tests/scenarios`, its
//! problems shown as text), and on Run sends one scenario's steps with the same `fetch`: a per-step report (the request with the host, the status, what the client
//! concludes, where it breaks) rendered as text, and a JSON download of it that carries no
//! `Authorization` value.
//!
//! Each run also downloads as HAR 1.2 ("Download (HAR)", written by the learner's module
//! with `scim_learn::har`): the learn run's and the replay's exchanges, and every request the
//! Sends made (lookups and the reads before and after included), each with its duration;
//! credential headers are redacted.

use leptos::prelude::*;
use leptos::task::spawn_local;
use scim_core::{Request, Response};
use serde_json::Value;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::catalog;
use crate::diff;
use crate::draft::Draft;
use crate::exchange::Exchange;
use crate::lane::Lane;
use crate::learner;
use crate::playground::Playground;
use crate::remote::{self, Base, ObservedRow, RelayAdvice};

/// The lane "Open in Lane B" opens a learned profile in.
const OPEN_IN_LANE: usize = 1;

/// The `sessionStorage` key the opt-in remembers `{base, token}` under.
const SESSION_KEY: &str = "scim-playground:remote-lane";

/// What the last Send produced.
#[derive(Debug, Clone)]
struct Outcome {
    exchange: Option<Exchange>,
    /// The read before and after a write, classified.
    observed: Vec<ObservedRow>,
    /// Why the request could not be sent or answered.
    error: Option<String>,
    advice: Option<RelayAdvice>,
}

impl Outcome {
    fn failed(error: String, advice: Option<RelayAdvice>) -> Outcome {
        Outcome { exchange: None, observed: Vec::new(), error: Some(error), advice }
    }
}

/// Why a fetch produced no response.
enum Failure {
    /// The browser refused or could not connect (CORS or network: it does not say which).
    Network,
    Other(String),
}

/// Exchanges with the server and how long each took, for a HAR download (built by the
/// learner's module, [`learner::Module::har`]: credential headers redacted, and the section
/// never records one).
#[derive(Debug, Clone, Default)]
struct Recording {
    started_ms: u64,
    /// `scim_learn::Exchange` JSON: `{probe, request, response}`.
    exchanges: Vec<Value>,
    times_ms: Vec<u64>,
}

impl Recording {
    fn new() -> Recording {
        Recording { started_ms: now_ms(), ..Recording::default() }
    }

    /// Sends `req` with [`fetch`], recording the exchange under `step` with its absolute URL.
    async fn fetch(&mut self, step: &str, base: &Base, req: &Request, token: &str) -> Result<Response, Failure> {
        let t = now_ms();
        let r = fetch(base, req, token).await?;
        self.exchanges.push(serde_json::json!({
            "probe": step,
            "request": {"method": req.method, "path": base.join(&req.path), "headers": req.headers,
                "body": String::from_utf8_lossy(&req.body)},
            "response": {"status": r.status, "headers": r.headers, "body": r.body},
        }));
        self.times_ms.push(now_ms().saturating_sub(t));
        Ok(r)
    }

    /// The HAR 1.2 text; `base_url` is what the recorded paths are relative to (empty when
    /// they are absolute).
    async fn har(&self, base_url: &str) -> Result<String, String> {
        let input = serde_json::json!({
            "exchanges": self.exchanges, "baseUrl": base_url, "startedMs": self.started_ms,
            "timesMs": self.times_ms, "creator": ["scim-playground", env!("CARGO_PKG_VERSION")],
        });
        learner::Module::load().await?.har(&input)
    }
}

/// Milliseconds since the epoch, from the browser's clock.
fn now_ms() -> u64 {
    // `as` saturates; the clock is never negative.
    js_sys::Date::now() as u64
}

/// A `data:` URL a download link carries.
fn data_href(mime: &str, text: &str) -> String {
    format!("data:{mime};charset=utf-8,{}", String::from(js_sys::encode_uri_component(text)))
}

/// Saves `text` as the file `name` (a download the page starts itself).
fn download(name: &str, text: &str) {
    let Ok(a) = document().create_element("a") else { return };
    let _ = a.set_attribute("href", &data_href("application/json", text));
    let _ = a.set_attribute("download", name);
    if let Ok(a) = a.dyn_into::<web_sys::HtmlElement>() {
        a.click();
    }
}

/// The "Download (HAR)" link of a finished run, or why there is none.
fn har_link(har: &Result<String, String>, id: &'static str, file: &'static str) -> AnyView {
    match har {
        Ok(text) => {
            let href = data_href("application/json", text);
            view! { <a class="button small" id=id href=href download=file>"Download (HAR)"</a> }.into_any()
        }
        Err(e) => view! { <span class="not-applied">{format!("No HAR: {e}")}</span> }.into_any(),
    }
}

/// The exchanges of a learn run or a replay report (its `exchanges`), for the HAR.
fn exchanges_of(v: &Value) -> Vec<Value> {
    v.get("exchanges").and_then(Value::as_array).cloned().unwrap_or_default()
}

/// The section. `draft` reads the composer's request (untracked, on click).
#[component]
pub fn RemoteLane(pg: RwSignal<Playground>, draft: impl Fn() -> Draft + Copy + Send + Sync + 'static) -> impl IntoView {
    let remembered = load_session();
    let base = RwSignal::new(remembered.as_ref().map(|r| r.0.clone()).unwrap_or_default());
    let token = RwSignal::new(remembered.as_ref().map(|r| r.1.clone()).unwrap_or_default());
    let remember = RwSignal::new(remembered.is_some());
    let dialect = RwSignal::new("rfc".to_string());
    let busy = RwSignal::new(false);
    let outcome: RwSignal<Option<Outcome>> = RwSignal::new(None);
    let history: RwSignal<Vec<String>> = RwSignal::new(Vec::new());
    // Every exchange the Sends made (lookups and reads included), for the HAR download.
    let recorded: RwSignal<Recording> = RwSignal::new(Recording::new());
    let har_error: RwSignal<Option<String>> = RwSignal::new(None);

    Effect::new(move |_| {
        let (b, t, keep) = (base.get(), token.get(), remember.get());
        save_session(keep.then_some((b.as_str(), t.as_str())));
    });

    let send = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let (b, t, d, name) = (base.get_untracked(), token.get_untracked(), draft(), dialect.get_untracked());
        spawn_local(async move {
            let mut rec = Recording::new();
            let o = run(&b, t.trim(), &name, &d, &mut rec).await;
            recorded.update(|all| {
                all.exchanges.append(&mut rec.exchanges);
                all.times_ms.append(&mut rec.times_ms);
            });
            if let Some(x) = &o.exchange {
                history.update(|h| h.insert(0, format!("{} → {}", x.request_line, x.status_text())));
            }
            outcome.set(Some(o));
            busy.set(false);
        });
    };

    view! {
        <section class="remote-lane" id="remote" aria-labelledby="remote-h">
            <h2 id="remote-h">"Your server"</h2>
            <p class="muted">
                "Send the composer's request to a SCIM server of your own, from this browser. "
                "Nothing is sent until you press Send. The credential stays in this page's memory."
            </p>
            <div class="remote-form">
                <label>"Base URL"
                    <input type="url" id="remote-base" placeholder="http://localhost:8000/scim/v2" prop:value=move || base.get() on:input=move |e| base.set(event_target_value(&e)) />
                </label>
                <label>"Authorization (optional)"
                    <input type="password" id="remote-token" autocomplete="off" placeholder="Bearer …" prop:value=move || token.get() on:input=move |e| token.set(event_target_value(&e)) />
                </label>
                <label class="inline">
                    <input type="checkbox" id="remote-remember" prop:checked=move || remember.get() on:change=move |e| remember.set(event_target_checked(&e)) />
                    " Remember in this tab (sessionStorage)"
                </label>
                <label>"Dialect"
                    <select id="remote-dialect" on:change=move |e| dialect.set(event_target_value(&e))>
                        // Built-ins, then the custom and learned profiles (a learned profile is
                        // the dialect its own server speaks).
                        {move || {
                            pg.track();
                            catalog::choices()
                                .into_iter()
                                .map(|c| {
                                    let is = c.name.clone();
                                    view! { <option value=c.name.clone() selected=move || dialect.get_untracked() == is>{c.label()}</option> }
                                })
                                .collect_view()
                        }}
                    </select>
                </label>
                <button type="button" id="remote-send" prop:disabled=move || busy.get() on:click=send>
                    {move || if busy.get() { "Sending…" } else { "Send to your server" }}
                </button>
            </div>
            {move || outcome.get().map(|o| view! { <OutcomeView o=o pg=pg /> })}
            <LearnPanel base=base token=token pg=pg />
            <ReplayPanel base=base token=token />
            <h3>"Sent to your server"</h3>
            <ol class="remote-history">
                {move || history.get().into_iter().map(|l| view! { <li><code>{l}</code></li> }).collect_view()}
            </ol>
            {move || recorded.with(|r| !r.exchanges.is_empty()).then(|| view! {
                <button type="button" class="small" id="remote-har" on:click=move |_| {
                    let rec = recorded.get_untracked();
                    spawn_local(async move {
                        match rec.har("").await {
                            Ok(text) => download("your-server.har", &text),
                            Err(e) => har_error.set(Some(e)),
                        }
                    });
                }>"Download (HAR)"</button>
                {move || har_error.get().map(|e| view! { <p class="not-applied" role="alert">{e}</p> })}
            })}
        </section>
    }
}

#[component]
fn OutcomeView(o: Outcome, pg: RwSignal<Playground>) -> impl IntoView {
    let error = o.error.clone().map(|e| view! { <p class="not-applied" role="alert" id="remote-error">{e}</p> });
    let advice = o.advice.clone().map(|a| {
        view! {
            <div class="relay-advice" id="remote-advice">
                <p>"Run the relay next to your server (it adds CORS and forwards only to that server):"</p>
                <pre><code id="remote-relay-command">{a.command}</code></pre>
                <p>"Then use this base URL instead: " <code id="remote-relay-url">{a.url}</code></p>
            </div>
        }
    });
    let exchange = o.exchange.clone().map(|x| {
        let sent_body = x.sent.as_ref().map(|r| String::from_utf8_lossy(&r.body).into_owned()).unwrap_or_default();
        let notes = x.notes.clone();
        view! {
            <div class="remote-answer">
                <p class="request-line"><code id="remote-request-line">{x.request_line.clone()}</code></p>
                {(!notes.is_empty()).then(|| view! { <ul class="notes">{notes.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}</ul> })}
                {(!sent_body.is_empty()).then(|| view! { <details><summary>"Request body"</summary><pre>{sent_body}</pre></details> })}
                <p class="status" id="remote-status">{x.status_text()}</p>
                <pre class="body">{x.pretty_body()}</pre>
            </div>
        }
    });
    let observed = (!o.observed.is_empty()).then(|| {
        view! {
            <h3>"Observed explanation"</h3>
            <p class="muted">"Read from the server before and after the write: what it did, not why."</p>
            <table class="observed" id="remote-observed">
                <thead><tr><th scope="col">"attribute"</th><th scope="col">"outcome"</th><th scope="col">"before → after"</th></tr></thead>
                <tbody>
                    {o.observed.iter().map(|r| view! {
                        <tr><th scope="row">{r.path.clone()}</th><td>{r.outcome.clone()}</td><td><code>{r.change.clone()}</code></td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        }
    });
    let remote = o.exchange.clone();
    let differences = move || {
        let x = remote.clone()?;
        let a = pg.with(|p| p.lanes.first().and_then(|l| l.last.clone()))?;
        let rows: Vec<_> = diff::exchanges(&a, &x).into_iter().filter(diff::DiffRow::is_behaviour).collect();
        let compact = |v: &Option<Value>| v.as_ref().map_or_else(|| "(absent)".to_string(), Value::to_string);
        Some(view! {
            <h3>"Differences from Lane A"</h3>
            {if rows.is_empty() {
                view! { <p class="muted">"No difference in behaviour from Lane A's last answer."</p> }.into_any()
            } else {
                view! {
                    <table class="remote-diff" id="remote-diff">
                        <thead><tr><th scope="col">"attribute"</th><th scope="col">"Lane A"</th><th scope="col">"your server"</th></tr></thead>
                        <tbody>
                            {rows.iter().map(|r| view! {
                                <tr><th scope="row">{r.path.clone()}</th><td><code>{compact(&r.left)}</code></td><td><code>{compact(&r.right)}</code></td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        })
    };
    view! { {error} {advice} {exchange} {observed} {differences} }
}

/// One Send: resolve the placeholder, render, read before, send, read after, classify.
async fn run(base_input: &str, token: &str, dialect: &str, draft: &Draft, rec: &mut Recording) -> Outcome {
    let base = match Base::parse(base_input) {
        Ok(b) => b,
        Err(e) => return Outcome::failed(e, None),
    };
    let unreachable = |base: &Base| {
        Outcome::failed(
            format!(
                "The browser could not reach {}: the server sends no CORS headers (most SCIM servers do not), \
                 or nothing answers there. The relay below fixes the first.",
                base.url
            ),
            Some(base.relay_advice()),
        )
    };
    let mut path = draft.path.trim().to_string();
    if let Some((start, end, name)) = remote::placeholder(&path) {
        let lookup = Request::new("GET", &remote::lookup_path(&name));
        let id = match rec.fetch("look up the user", &base, &lookup, token).await {
            Ok(r) if r.status == 200 => remote::first_id(&r.json()),
            Ok(r) => {
                return Outcome::failed(
                    format!("Looking up {name} answered {}.", crate::exchange::status_text(r.status)),
                    None,
                );
            }
            Err(Failure::Network) => return unreachable(&base),
            Err(Failure::Other(e)) => return Outcome::failed(e, None),
        };
        let Some(id) = id else {
            return Outcome::failed(format!("Your server has no user with userName {name}."), None);
        };
        path = format!("{}{id}{}", path.get(..start).unwrap_or_default(), path.get(end..).unwrap_or_default());
    }
    let (req, notes) = match remote::prepare(&Lane::new(dialect), draft, &path) {
        Ok(x) => x,
        Err(e) => return Outcome::failed(e, None),
    };
    let write = matches!(req.method.as_str(), "PUT" | "PATCH" | "POST");
    let target = remote::resource_path(&req.path);
    let mut before = None;
    if write {
        if let Some(t) = &target {
            before = match rec.fetch("read before the write", &base, &Request::new("GET", t), token).await {
                Ok(r) if r.status == 200 => Some(r.json()),
                Ok(_) => None,
                Err(Failure::Network) => return unreachable(&base),
                Err(Failure::Other(e)) => return Outcome::failed(e, None),
            };
        }
    }
    let response = match rec.fetch("the request", &base, &req, token).await {
        Ok(r) => r,
        Err(Failure::Network) => return unreachable(&base),
        Err(Failure::Other(e)) => return Outcome::failed(e, None),
    };
    let mut observed = Vec::new();
    if write && (200..300).contains(&response.status) {
        let answer = response.json();
        let after_path = target.clone().or_else(|| {
            let id = answer.get("id").and_then(Value::as_str)?;
            Some(format!(
                "{}/{id}",
                req.path.split_once('?').map_or(req.path.as_str(), |(p, _)| p).trim_end_matches('/')
            ))
        });
        if let Some(p) = after_path {
            if let Ok(r) = rec.fetch("read after the write", &base, &Request::new("GET", &p), token).await {
                if r.status == 200 {
                    let sent: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
                    observed = remote::observed_rows(&req.method, &sent, before.as_ref(), &r.json());
                }
            }
        }
    }
    let exchange = Exchange {
        request_line: base.request_line(&req.method, &req.path),
        sent: Some(req),
        notes,
        hint: None,
        before,
        response,
    };
    Outcome { exchange: Some(exchange), observed, error: None, advice: None }
}

/// Sends one request with the browser's `fetch`; `Authorization` is added here only.
async fn fetch(base: &Base, req: &Request, token: &str) -> Result<Response, Failure> {
    let other = |e: JsValue| Failure::Other(e.as_string().unwrap_or_else(|| "the browser refused the request".into()));
    let headers = web_sys::Headers::new().map_err(other)?;
    headers.set("Accept", "application/scim+json, application/json").map_err(other)?;
    for (n, v) in &req.headers {
        headers.set(n, v).map_err(other)?;
    }
    if !token.is_empty() {
        headers.set("Authorization", token).map_err(other)?;
    }
    let init = web_sys::RequestInit::new();
    init.set_method(&req.method);
    init.set_mode(web_sys::RequestMode::Cors);
    init.set_headers(&headers);
    if !req.body.is_empty() {
        init.set_body(&JsValue::from_str(&String::from_utf8_lossy(&req.body)));
    }
    let request = web_sys::Request::new_with_str_and_init(&base.join(&req.path), &init).map_err(other)?;
    let answer = JsFuture::from(window().fetch_with_request(&request)).await.map_err(|_| Failure::Network)?;
    let answer: web_sys::Response = answer.dyn_into().map_err(other)?;
    let mut out_headers = Vec::new();
    for name in ["content-type", "etag", "location"] {
        if let Ok(Some(v)) = answer.headers().get(name) {
            out_headers.push((name.to_string(), v));
        }
    }
    let text = JsFuture::from(answer.text().map_err(other)?).await.map_err(|_| Failure::Network)?;
    Ok(Response {
        status: answer.status(),
        headers: out_headers,
        body: text.as_string().unwrap_or_default(),
        ..Response::default()
    })
}

/// `(base, token)` when the person opted in earlier in this tab.
fn load_session() -> Option<(String, String)> {
    let s = window().session_storage().ok().flatten()?;
    let v: Value = serde_json::from_str(&s.get_item(SESSION_KEY).ok().flatten()?).ok()?;
    Some((v.get("base")?.as_str()?.to_string(), v.get("token")?.as_str()?.to_string()))
}

/// Writes `(base, token)` to `sessionStorage`, or removes it (`None`).
fn save_session(entry: Option<(&str, &str)>) {
    let Some(s) = window().session_storage().ok().flatten() else { return };
    let _ = match entry {
        Some((base, token)) => s.set_item(SESSION_KEY, &serde_json::json!({"base": base, "token": token}).to_string()),
        None => s.remove_item(SESSION_KEY),
    };
}

/// Where a learn run is.
#[derive(Debug, Clone)]
enum LearnState {
    Idle,
    /// The learner's module is on its way (first click only).
    Loading,
    /// The dry run: every request the battery will send, listed before anything is sent.
    Listed(Vec<String>),
    Running(usize),
    Done {
        profile: String,
        decided: usize,
        undecided: usize,
        leftovers: Vec<String>,
        /// Every exchange of the run as HAR 1.2 text, or why it could not be written.
        har: Result<String, String>,
    },
    Failed(String),
}

/// "Learn this server's profile": load the learner's module, list the battery's requests
/// first (a dry run in memory), then on a second click drive the battery with `fetch`, and
/// offer the learned profile as a JSON download.
#[component]
fn LearnPanel(base: RwSignal<String>, token: RwSignal<String>, pg: RwSignal<Playground>) -> impl IntoView {
    let state = RwSignal::new(LearnState::Idle);
    let open_error: RwSignal<Option<String>> = RwSignal::new(None);
    // The learned profile becomes a custom profile and opens in Lane B.
    let open = move |profile: &str| match catalog::load_custom(profile, catalog::Origin::Learned) {
        Ok(c) => {
            open_error.set(None);
            pg.update(|p| {
                p.open_custom(OPEN_IN_LANE, c);
            });
            if let Some(el) = document().get_element_by_id(&format!("lane-{OPEN_IN_LANE}")) {
                el.scroll_into_view();
            }
        }
        Err(e) => open_error.set(Some(e)),
    };
    let nonce = StoredValue::new(String::new());
    let list = move |_| {
        let n = format!("{:x}", js_sys::Date::now() as u64);
        state.set(LearnState::Loading);
        spawn_local(async move {
            let listed = learner::Module::load().await.and_then(|m| m.dry_run(&n));
            state.set(match listed {
                Ok(lines) => {
                    nonce.set_value(n);
                    LearnState::Listed(lines)
                }
                Err(e) => LearnState::Failed(e),
            });
        });
    };
    let run = move |_| {
        let (b, t, n) = (base.get_untracked(), token.get_untracked(), nonce.get_value());
        state.set(LearnState::Running(0));
        spawn_local(async move {
            let result = learn(&b, t.trim(), &n, state).await;
            state.set(result);
        });
    };
    view! {
        <h3>"Learn this server's profile"</h3>
        <p class="muted">
            "A battery of probes on throw-away users named scim-learn-… (deleted afterwards) decides each knob it can, with its evidence. "
            "First list the requests; nothing is sent until you press Run."
        </p>
        <button type="button" class="small" id="learn-list" on:click=list>"List the requests"</button>
        {move || match state.get() {
            LearnState::Idle => ().into_any(),
            LearnState::Loading => view! { <p role="status">"Loading the learner…"</p> }.into_any(),
            LearnState::Listed(lines) => view! {
                <p>{format!("{} requests to {}:", lines.len(), base.get())}</p>
                <ol class="remote-history" id="learn-requests">{lines.into_iter().map(|l| view! { <li><code>{l}</code></li> }).collect_view()}</ol>
                <button type="button" id="learn-run" on:click=run>"Run the probes against your server"</button>
            }.into_any(),
            LearnState::Running(n) => view! { <p role="status">{format!("Probing: {n} requests answered…")}</p> }.into_any(),
            LearnState::Failed(e) => view! { <p class="not-applied" role="alert">{e}</p> }.into_any(),
            LearnState::Done { profile, decided, undecided, leftovers, har } => {
                let href = data_href("application/json", &profile);
                let text = profile.clone();
                view! {
                    <p role="status" id="learn-done">{format!("Learned: {decided} knobs decided, {undecided} left at the RFC's default.")}</p>
                    {(!leftovers.is_empty()).then(|| view! { <p class="not-applied">{format!("Could not remove: {}", leftovers.join(", "))}</p> })}
                    <button type="button" class="small" id="learn-open" on:click=move |_| open(&text)>"Open in Lane B"</button>
                    " "
                    <a class="button small" href=href download="my-server.profile.json">"Download the profile (JSON)"</a>
                    " "
                    {har_link(&har, "learn-har", "my-server.learn.har")}
                    {move || open_error.get().map(|e| view! { <p class="not-applied" role="alert">{e}</p> })}
                    <details><summary>"Learned profile"</summary><pre>{profile}</pre></details>
                }.into_any()
            }
        }}
    }
}

/// Sends each request a learner-module run (the battery or a replay) asks for, with the
/// browser's `fetch`, and feeds it the answer; `progress` hears how many were sent. The
/// times of the sends come back (the exchanges are in the run's own result); a server the
/// browser cannot reach ends the run with the relay advice.
async fn drive(base: &Base, token: &str, run: &learner::Run, progress: impl Fn(usize)) -> Result<Recording, String> {
    let mut times = Recording::new();
    loop {
        let Some(req) = run.next_request()? else { return Ok(times) };
        let t = now_ms();
        let answer = match fetch(base, &req, token).await {
            Ok(r) => r,
            Err(Failure::Network) => {
                let a = base.relay_advice();
                return Err(format!(
                    "The browser could not reach {} (no CORS headers, or nothing answers). Run `{}` and use {} instead.",
                    base.url, a.command, a.url
                ));
            }
            Err(Failure::Other(e)) => scim_learn::transport_error(&e),
        };
        times.times_ms.push(now_ms().saturating_sub(t));
        run.feed(&answer)?;
        progress(times.times_ms.len());
    }
}

/// Runs the battery against the base URL; progress goes to `state`.
async fn learn(base_input: &str, token: &str, nonce: &str, state: RwSignal<LearnState>) -> LearnState {
    let base = match Base::parse(base_input) {
        Ok(b) => b,
        Err(e) => return LearnState::Failed(e),
    };
    let battery = learner::Module::load().await.and_then(|m| m.learner(nonce, &base.host));
    let battery = match battery {
        Ok(b) => b,
        Err(e) => return LearnState::Failed(e),
    };
    let times = match drive(&base, token, &battery, |sent| state.set(LearnState::Running(sent))).await {
        Ok(t) => t,
        Err(e) => return LearnState::Failed(e),
    };
    let count = |l: &Value, k: &str| l.get(k).and_then(Value::as_array).map_or(0, Vec::len);
    match battery.result() {
        Ok(Some(l)) => LearnState::Done {
            har: Recording { exchanges: exchanges_of(&l), ..times }.har(&base.url).await,
            profile: l
                .get("profile")
                .cloned()
                .and_then(|mut p| {
                    remote::learned_at(&mut p, &base);
                    serde_json::to_string_pretty(&p).ok()
                })
                .unwrap_or_default(),
            decided: count(&l, "decided"),
            undecided: count(&l, "undecided"),
            leftovers: l
                .get("leftovers")
                .and_then(Value::as_array)
                .map(|ls| ls.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
                .unwrap_or_default(),
        },
        Ok(None) => LearnState::Failed("The battery stopped without a result.".into()),
        Err(e) => LearnState::Failed(e),
    }
}

/// One step of a replay report, ready to render.
#[derive(Debug, Clone)]
struct StepView {
    name: String,
    outcome: String,
    /// The request line with the host (`None` when the step was skipped).
    request_line: Option<String>,
    status: Option<String>,
    conclusion: String,
    problems: Vec<String>,
    cleanup: bool,
}

/// The key prefix of a scenario from the person's file in the Scenario list.
const FILE_KEY: &str = "file:";

/// The scenario a replay runs.
#[derive(Debug, Clone)]
enum Source {
    /// A built-in scenario, by name.
    Builtin(String),
    /// The text of the person's scenario file (checked when it was loaded).
    File(String),
}

/// Where a replay is.
#[derive(Debug, Clone)]
enum ReplayState {
    Idle,
    Loading,
    /// The built-in scenarios, `(name, title)`; nothing sent yet.
    Listed,
    Running(usize),
    Done {
        scenario: String,
        passed: bool,
        steps: Vec<StepView>,
        /// The report as JSON text, without any `Authorization` value.
        json: String,
        /// Its exchanges as HAR 1.2 text, or why it could not be written.
        har: Result<String, String>,
    },
    Failed(String),
}

/// "Replay a client's habits": list the built-in scenarios (from the learner's module),
/// pick one, and on Run send its steps to the server; a per-step report and its download.
#[component]
fn ReplayPanel(base: RwSignal<String>, token: RwSignal<String>) -> impl IntoView {
    let state = RwSignal::new(ReplayState::Idle);
    // `(key, label)`: the built-ins by name, then the person's files (`file:NAME`).
    let scenarios: RwSignal<Vec<(String, String)>> = RwSignal::new(Vec::new());
    // The person's scenario files, `(name, text)`, checked.
    let files: RwSignal<Vec<(String, String)>> = RwSignal::new(Vec::new());
    let file_errors: RwSignal<Vec<String>> = RwSignal::new(Vec::new());
    let file_input: NodeRef<leptos::html::Input> = NodeRef::new();
    let chosen = RwSignal::new(String::new());
    let list = move || {
        state.set(ReplayState::Loading);
        spawn_local(async move {
            match learner::Module::load().await.and_then(|m| m.scenarios()) {
                Ok(list) => {
                    if chosen.get_untracked().is_empty() {
                        chosen.set(list.first().map(|s| s.0.clone()).unwrap_or_default());
                    }
                    scenarios.set(
                        list.into_iter().map(|(name, title)| (name.clone(), format!("{title} ({name})"))).collect(),
                    );
                    state.set(ReplayState::Listed);
                }
                Err(e) => state.set(ReplayState::Failed(e)),
            }
        });
    };
    // A scenario file: checked as the tests check tests/scenarios, then listed and chosen.
    let on_file = move |e: leptos::ev::Event| {
        let Some(el) = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
        spawn_local(async move {
            let text = crate::custom_view::file_text(&el).await;
            el.set_value("");
            let text = match text {
                Ok(Some(t)) => t,
                Ok(None) => return,
                Err(e) => return file_errors.set(vec![e]),
            };
            let module = match learner::Module::load().await {
                Ok(m) => m,
                Err(e) => return file_errors.set(vec![e]),
            };
            match module.check_scenario(&text) {
                Ok((name, title)) => {
                    file_errors.set(Vec::new());
                    files.update(|fs| {
                        fs.retain(|(n, _)| *n != name);
                        fs.push((name.clone(), text));
                    });
                    if scenarios.with_untracked(Vec::is_empty) {
                        if let Ok(list) = module.scenarios() {
                            scenarios.set(list.into_iter().map(|(n, t)| (n.clone(), format!("{t} ({n})"))).collect());
                        }
                    }
                    let key = format!("{FILE_KEY}{name}");
                    scenarios.update(|l| {
                        l.retain(|(k, _)| *k != key);
                        l.push((key.clone(), format!("{title} ({name}, your file)")));
                    });
                    chosen.set(key);
                    if matches!(state.get_untracked(), ReplayState::Idle | ReplayState::Loading) {
                        state.set(ReplayState::Listed);
                    }
                }
                Err(errors) => file_errors.set(errors),
            }
        });
    };
    let run = move |_| {
        if matches!(state.get_untracked(), ReplayState::Running(_)) {
            return;
        }
        let (b, t, key) = (base.get_untracked(), token.get_untracked(), chosen.get_untracked());
        let source = match key.strip_prefix(FILE_KEY) {
            Some(name) => match files.with_untracked(|fs| fs.iter().find(|(n, _)| n == name).map(|(_, t)| t.clone())) {
                Some(text) => Source::File(text),
                None => return,
            },
            None => Source::Builtin(key),
        };
        let nonce = format!("{:x}", js_sys::Date::now() as u64);
        state.set(ReplayState::Running(0));
        spawn_local(async move {
            let result = replay(&b, t.trim(), &source, &nonce, state).await;
            state.set(result);
        });
    };
    view! {
        <h3>"Replay a client's habits"</h3>
        <p class="muted">
            "Send what a real provisioning client sends (Okta, Microsoft Entra ID, JumpCloud), step by step, on throw-away users, "
            "and see what the client would conclude and where it breaks. Nothing is sent until you press Run."
        </p>
        <button type="button" class="small" id="replay-list" on:click=move |_| list()>"Show the scenarios"</button>
        " "
        <button
            type="button"
            class="small"
            id="replay-file"
            title="A scenario JSON file of your own, in the format of tests/scenarios (checked against the same schema)"
            on:click=move |_| {
                if let Some(i) = file_input.get() {
                    i.click();
                }
            }
        >
            "Load a scenario file…"
        </button>
        <input
            type="file"
            class="sr-only"
            accept=".json,application/json"
            aria-label="Scenario JSON file"
            tabindex="-1"
            node_ref=file_input
            on:change=on_file
        />
        {move || (!file_errors.get().is_empty()).then(|| view! {
            <div class="not-applied" role="alert" id="replay-file-errors">
                <p>"The scenario file was not loaded:"</p>
                <ul>{file_errors.get().into_iter().map(|e| view! { <li>{e}</li> }).collect_view()}</ul>
            </div>
        })}
        {move || (!scenarios.get().is_empty()).then(|| view! {
            <div class="remote-form">
                <label>"Scenario"
                    <select id="replay-scenario" on:change=move |e| chosen.set(event_target_value(&e))>
                        {scenarios.get().into_iter().map(|(key, label)| {
                            let selected = key == chosen.get();
                            view! { <option value=key selected=selected>{label}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <button type="button" id="replay-run" prop:disabled=move || matches!(state.get(), ReplayState::Running(_)) on:click=run>
                    "Run the scenario against your server"
                </button>
            </div>
        })}
        {move || match state.get() {
            ReplayState::Idle | ReplayState::Listed => ().into_any(),
            ReplayState::Loading => view! { <p role="status">"Loading the scenarios…"</p> }.into_any(),
            ReplayState::Running(n) => view! { <p role="status">{format!("Replaying: {n} requests answered…")}</p> }.into_any(),
            ReplayState::Failed(e) => view! { <p class="not-applied" role="alert">{e}</p> }.into_any(),
            ReplayState::Done { scenario, passed, steps, json, har } => {
                let href = data_href("application/json", &json);
                let verdict = if passed {
                    format!("{scenario}: passed, every step went as the client expects.")
                } else {
                    let first = steps.iter().position(|s| s.outcome == "broken" && !s.cleanup).map_or(0, |i| i + 1);
                    format!("{scenario}: broken, first at step {first}.")
                };
                view! {
                    <p role="status" id="replay-done" class=if passed { "" } else { "not-applied" }>{verdict}</p>
                    <ol class="replay-steps" id="replay-steps">
                        {steps.into_iter().map(|s| view! {
                            <li class=format!("replay-step {}", s.outcome)>
                                <p><strong>{s.name}</strong>{format!(" — {}{}", s.outcome, if s.cleanup { " (cleanup)" } else { "" })}</p>
                                {s.request_line.map(|l| view! { <p>"Sent: " <code>{l}</code></p> })}
                                {s.status.map(|st| view! { <p>"Received: " {st}</p> })}
                                <p>"The client concludes: " {s.conclusion}</p>
                                {(!s.problems.is_empty()).then(|| view! {
                                    <ul class="not-applied">{s.problems.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}</ul>
                                })}
                            </li>
                        }).collect_view()}
                    </ol>
                    <a class="button small" href=href download="replay-report.json">"Download the report (JSON)"</a>
                    " "
                    {har_link(&har, "replay-har", "replay-report.har")}
                }.into_any()
            }
        }}
    }
}

/// Replays a scenario against the base URL; progress goes to `state`.
async fn replay(
    base_input: &str,
    token: &str,
    source: &Source,
    nonce: &str,
    state: RwSignal<ReplayState>,
) -> ReplayState {
    let base = match Base::parse(base_input) {
        Ok(b) => b,
        Err(e) => return ReplayState::Failed(e),
    };
    let replayer = learner::Module::load().await.and_then(|m| match source {
        Source::Builtin(name) => m.replayer(name, nonce),
        Source::File(text) => m.replayer_of(text, nonce),
    });
    let replayer = match replayer {
        Ok(r) => r,
        Err(e) => return ReplayState::Failed(e),
    };
    let times = match drive(&base, token, &replayer, |sent| state.set(ReplayState::Running(sent))).await {
        Ok(t) => t,
        Err(e) => return ReplayState::Failed(e),
    };
    match replayer.result() {
        Ok(Some(report)) => {
            let har = Recording { exchanges: exchanges_of(&report), ..times }.har(&base.url).await;
            replay_done(&base, report, har)
        }
        Ok(None) => ReplayState::Failed("The replay stopped without a report.".into()),
        Err(e) => ReplayState::Failed(e),
    }
}

/// The finished report, rendered per step, and its JSON (with the server's base URL, without
/// any `Authorization` header).
fn replay_done(base: &Base, mut report: Value, har: Result<String, String>) -> ReplayState {
    strip_authorization(&mut report);
    let s = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
    let steps = report
        .get("steps")
        .and_then(Value::as_array)
        .map(|steps| {
            steps
                .iter()
                .map(|st| {
                    let sent = st.get("sent").filter(|x| !x.is_null());
                    let status = st.get("received").and_then(|r| r.get("status")).and_then(Value::as_u64);
                    StepView {
                        name: s(st, "name"),
                        outcome: s(st, "outcome"),
                        request_line: sent.map(|x| base.request_line(&s(x, "method"), &s(x, "path"))),
                        status: status.map(|c| match u16::try_from(c) {
                            Ok(0) | Err(_) => "no answer (the request could not be sent)".to_string(),
                            Ok(c) => crate::exchange::status_text(c),
                        }),
                        conclusion: s(st, "conclusion"),
                        problems: st
                            .get("problems")
                            .and_then(Value::as_array)
                            .map(|ps| ps.iter().filter_map(|p| p.as_str().map(str::to_string)).collect())
                            .unwrap_or_default(),
                        cleanup: st.get("cleanup").and_then(Value::as_bool).unwrap_or(false),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let passed = report.get("passed").and_then(Value::as_bool).unwrap_or(false);
    let scenario = s(&report, "scenario");
    if let Value::Object(o) = &mut report {
        o.insert("server".into(), Value::String(base.url.clone()));
    }
    let json = serde_json::to_string_pretty(&report).unwrap_or_default();
    ReplayState::Done { scenario, passed, steps, json, har }
}

/// Drops every `[name, value]` pair named `Authorization` from any `headers` list in `v`.
/// The door adds the credential itself, so a report should hold none; this keeps it so.
fn strip_authorization(v: &mut Value) {
    match v {
        Value::Object(o) => {
            for (k, x) in o.iter_mut() {
                if let (true, Value::Array(hs)) = (k == "headers", &mut *x) {
                    hs.retain(|h| {
                        !h.get(0).and_then(Value::as_str).is_some_and(|n| n.eq_ignore_ascii_case("authorization"))
                    });
                } else {
                    strip_authorization(x);
                }
            }
        }
        Value::Array(xs) => xs.iter_mut().for_each(strip_authorization),
        _ => {}
    }
}
