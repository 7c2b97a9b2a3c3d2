//! # scim-learn
//!
//! Learning a live SCIM server's behaviour profile, and replaying real provisioning clients'
//! habits against it, without doing any I/O: the caller (the native `scim-mock learn` and
//! `scim-mock replay`, the wasm package's `learnProfile` and `replayScenario`) sends the
//! requests this crate yields and feeds back the responses, so every door drives the same
//! code.
//!
//! - [`Learner`] runs the probe battery ([`battery`] documents each probe): throw-away users
//!   named `scim-learn-{nonce}-{probe}` are created, written, read back and deleted, and every
//!   knob the probes can decide gets a value and its evidence (the exchange that decided it).
//!   [`Learned::profile`] is a profile JSON that [`scim_core::Profile::from_json`] loads.
//!   [`dry_run`] lists every request the battery sends, by running it against the `rfc`
//!   reference in memory, before anything reaches a real server.
//! - [`Replayer`] runs a [`Scenario`] (a data file of steps a client sends, each with its
//!   source and what the client concludes from the answer) and reports per step.
//! - [`check_scenario`] checks a person's scenario file against [`scenario_schema`] (the
//!   schema the tests check `tests/scenarios` with; they also check that it agrees with the
//!   `boon` validator) and loads it.
//! - [`har()`] writes exchanges (a learn run's, a replay's) as a HAR 1.2 log, credential
//!   headers redacted, for the native commands' `--har` and the playground's downloads.
//! - [`observe`] classifies, from a GET before and after a write, what a server did with
//!   each attribute, in the engine's outcome words (the playground's observed explanation).
//!
//! Requests carry paths relative to the server's base URL (`/Users?filter=...`) and no
//! credential: the door adds `Authorization`, so a token never appears in a transcript,
//! a learned profile or a report.
//!
//! ## How the state machines work
//!
//! Both are scripts written as plain sequential code over a transcript: each
//! call to `next_request` reruns the script from the start over the responses received so
//! far; the first request without a response is the next one to send. The scripts are
//! deterministic (the nonce is an input, not random), so reruns send the same requests.

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

mod battery;
mod check;
mod har;
mod learn;
mod observe;
mod output;
mod replay;

use scim_core::{Request, Response};
use serde::{Deserialize, Serialize};

pub use battery::{DECIDABLE, Probe, battery};
pub use check::check_scenario;
pub use har::{HarContext, REDACTED, har, rfc3339};
pub use learn::{Decision, Learned, Learner, Undecided, dry_run};
pub use observe::{Observed, observe};
pub use replay::{Expect, ReplayReport, Replayer, Scenario, Step, StepReport, scenario_schema};

/// One request and the response it got, tagged with the probe (or scenario step) that
/// sent it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Exchange {
    /// The probe or step name.
    pub probe: String,
    pub request: Sent,
    pub response: Received,
}

/// A request as sent, for reports: the body as text. The door adds the credential, so none
/// is here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Sent {
    pub method: String,
    /// Relative to the server's base URL.
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl From<&Request> for Sent {
    fn from(r: &Request) -> Sent {
        Sent {
            method: r.method.clone(),
            path: r.path.clone(),
            headers: r.headers.clone(),
            body: String::from_utf8_lossy(&r.body).into_owned(),
        }
    }
}

/// A response as received, for reports (status 0: it could not be sent, the error is the
/// body).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Received {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl From<&Response> for Received {
    fn from(r: &Response) -> Received {
        Received { status: r.status, headers: r.headers.clone(), body: r.body.clone() }
    }
}

/// The response a door feeds back when a request could not be sent at all (connection
/// refused, timeout): status 0 and the error as the body. Scripts treat it as a failure.
pub fn transport_error(message: &str) -> Response {
    Response { status: 0, headers: vec![], body: message.to_string(), ..Response::default() }
}

/// The script ran out of responses: this request is the next one to send.
#[derive(Debug)]
pub(crate) struct Need(pub(crate) Request);

/// A script's view of the transport: the responses received so far, in order.
#[derive(Debug)]
pub(crate) struct Io<'a> {
    answers: &'a [Response],
    pos: usize,
    pub(crate) log: Vec<Exchange>,
    pub(crate) probe: String,
}

impl<'a> Io<'a> {
    pub(crate) fn new(answers: &'a [Response]) -> Self {
        Io { answers, pos: 0, log: vec![], probe: String::new() }
    }

    /// Sends `req`: its response when one has been received, else [`Need`].
    pub(crate) fn send(&mut self, req: Request) -> Result<Response, Need> {
        match self.answers.get(self.pos) {
            Some(resp) => {
                self.pos += 1;
                self.log.push(Exchange { probe: self.probe.clone(), request: (&req).into(), response: resp.into() });
                Ok(resp.clone())
            }
            None => Err(Need(req)),
        }
    }

    /// The index in [`Io::log`] the next exchange will get.
    pub(crate) fn next_index(&self) -> usize {
        self.log.len()
    }
}

/// What a door does next.
#[derive(Debug)]
pub(crate) enum Drive<T> {
    Send(Request),
    Done(T),
}

pub(crate) fn drive<T>(answers: &[Response], script: impl FnOnce(&mut Io) -> Result<T, Need>) -> Drive<T> {
    let mut io = Io::new(answers);
    match script(&mut io) {
        Ok(t) => Drive::Done(t),
        Err(Need(req)) => Drive::Send(req),
    }
}

/// A response body as JSON (`Null` when empty or not JSON).
pub(crate) fn body(resp: &Response) -> serde_json::Value {
    resp.json()
}

/// Whether a status is 2xx.
pub(crate) fn ok(resp: &Response) -> bool {
    (200..300).contains(&resp.status)
}

/// A short summary of a response for evidence lines: status, scimType and detail when an
/// error, else the status alone.
pub(crate) fn summary(resp: &Response) -> String {
    summary_parts(resp.status, &resp.body)
}

/// [`summary`] of a status and a body.
pub(crate) fn summary_parts(status: u16, text: &str) -> String {
    if status == 0 {
        return format!("no response ({text})");
    }
    let v: serde_json::Value = scim_core::from_json_str(text).unwrap_or_default();
    let mut s = Response { status, ..Response::default() }.status_text();
    if let Some(t) = v.get("scimType").and_then(|t| t.as_str()) {
        s.push_str(&format!(" scimType {t}"));
    }
    if let Some(d) = v.get("detail").and_then(|t| t.as_str()) {
        let short: String = d.chars().take(160).collect();
        s.push_str(&format!(": {short}"));
    }
    s
}
