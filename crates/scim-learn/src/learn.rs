//! The learner: the probe battery of [`crate::battery`] as one sequential script over the
//! transcript (see the crate docs for how it is driven), and what it concluded.

use std::collections::BTreeMap;

use scim_core::{Profile, Request, Response, Server};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::{Drive, Exchange, Io, Need, body, drive, ok, summary};

const CORE_USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const CORE_GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];
const OPERATORS: [&str; 14] = ["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le", "pr", "and", "or", "not", "[]"];

/// A knob the battery decided: its value and the evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Decision {
    pub knob: String,
    pub value: Value,
    pub probe: String,
    /// Why the evidence means this value.
    pub reason: String,
    /// Indexes into [`Learned::exchanges`] of the exchanges that decided it.
    pub evidence: Vec<usize>,
}

/// A knob the battery could not decide on this server, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Undecided {
    pub knob: String,
    pub reason: String,
}

/// What a run of the battery found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Learned {
    /// A profile JSON document ([`scim_core::Profile::from_json`] loads it): the `rfc`
    /// profile with every decided knob set and cited in `knobSources`.
    pub profile: Value,
    pub decided: Vec<Decision>,
    /// Every knob of the profile not decided, with the reason (those outside
    /// [`crate::DECIDABLE`] too: they keep the RFC's default).
    pub undecided: Vec<Undecided>,
    /// Every request sent and its response, in order.
    pub exchanges: Vec<Exchange>,
    /// Resources the battery created and could not remove (`endpoint/id`, why).
    pub leftovers: Vec<String>,
}

/// The learner's state machine: [`Learner::next_request`] yields the next request (a path
/// relative to the server's base URL, no credential), [`Learner::feed`] takes its response;
/// when `next_request` yields nothing, [`Learner::result`] holds what was learned.
#[derive(Debug, Clone)]
pub struct Learner {
    nonce: String,
    name: String,
    answers: Vec<Response>,
    pending: bool,
    result: Option<Learned>,
}

impl Learner {
    /// `nonce` makes the throw-away names unique (`scim-learn-{nonce}-create`): use a few
    /// random or time-based characters ([a-z0-9]); `name` becomes the profile's name.
    pub fn new(nonce: &str, name: &str) -> Learner {
        let nonce: String = nonce.chars().filter(char::is_ascii_alphanumeric).take(24).collect();
        Learner { nonce, name: name.to_string(), answers: vec![], pending: false, result: None }
    }

    /// The next request to send, or `None` when the battery is done.
    pub fn next_request(&mut self) -> Option<Request> {
        if self.result.is_some() || self.pending {
            return None;
        }
        let nonce = self.nonce.clone();
        let name = self.name.clone();
        match drive(&self.answers, |io| run(io, &nonce, &name)) {
            Drive::Send(req) => {
                self.pending = true;
                Some(req)
            }
            Drive::Done(learned) => {
                self.result = Some(learned);
                None
            }
        }
    }

    /// The response to the request [`Learner::next_request`] last yielded (a request that
    /// could not be sent: [`crate::transport_error`]).
    pub fn feed(&mut self, response: Response) {
        if self.pending {
            self.answers.push(response);
            self.pending = false;
        }
    }

    /// What was learned, once [`Learner::next_request`] has returned `None`.
    pub fn result(&self) -> Option<&Learned> {
        self.result.as_ref()
    }

    /// How many requests have been answered.
    pub fn sent(&self) -> usize {
        self.answers.len()
    }
}

/// Every request the battery sends, before anything is sent: the battery run against the
/// `rfc` reference profile in memory (ids are the ones that in-memory server gave). Against
/// another server the sequence differs only where an answer decides what comes next: a
/// server without versioning also gets one write with `If-Match` (a PUT, else a PATCH, of
/// the create probe's user); the media probe's second POST and the second multiple-primary
/// POST are left out when the first one was taken; steps that need a method the server
/// refuses are left out; group requests go to a made-up id when POST on groups is refused.
pub fn dry_run(nonce: &str) -> Vec<Exchange> {
    let Ok(mut server) = Server::new(Profile::rfc()) else { return vec![] };
    let mut learner = Learner::new(nonce, "dry-run");
    while let Some(req) = learner.next_request() {
        let mut inner = req.clone();
        inner.path = format!("/scim/v2{}", req.path);
        let resp = server.handle(&inner);
        learner.feed(Response { explanation: None, changed: false, ..resp });
    }
    learner.result().map(|l| l.exchanges.clone()).unwrap_or_default()
}

/// What discovery found about the server.
#[derive(Debug, Clone)]
struct Target {
    users: String,
    user_schema: String,
    /// Extensions of the User type: URN and whether required.
    extensions: Vec<(String, bool)>,
    /// Top-level attribute names (lower case) the User schema defines; `None`: unknown.
    user_attrs: Option<Vec<String>>,
    /// Required attributes of each extension schema.
    ext_required: BTreeMap<String, Vec<String>>,
    groups: Option<String>,
    group_schema: String,
    discovered: bool,
    /// Schemas the server described, as it did (for a profile of its own schemas).
    schemas: Vec<Value>,
}

#[derive(Debug, Default)]
struct Out {
    decided: Vec<Decision>,
    undecided: Vec<Undecided>,
    created: Vec<(String, String)>,
    deleted: Vec<(String, String)>,
}

impl Out {
    fn decide(&mut self, knob: &str, value: Value, probe: &str, evidence: Vec<usize>, reason: String) {
        if self.decided.iter().any(|d| d.knob == knob) || self.undecided.iter().any(|u| u.knob == knob) {
            return;
        }
        self.decided.push(Decision { knob: knob.into(), value, probe: probe.into(), reason, evidence });
    }

    fn undecided(&mut self, knob: &str, reason: String) {
        if self.decided.iter().any(|d| d.knob == knob) || self.undecided.iter().any(|u| u.knob == knob) {
            return;
        }
        self.undecided.push(Undecided { knob: knob.into(), reason });
    }
}

fn get(path: &str) -> Request {
    Request::new("GET", path).header("Accept", "application/scim+json")
}

fn send_json(method: &str, path: &str, v: &Value) -> Request {
    Request::new(method, path).header("Accept", "application/scim+json").json(v)
}

/// Whether a response says the method is not served (405, 501, or a 400/404 that says so).
fn unsupported(resp: &Response) -> bool {
    if matches!(resp.status, 405 | 501) {
        return true;
    }
    if matches!(resp.status, 400 | 404) {
        let d = body(resp).get("detail").and_then(Value::as_str).unwrap_or_default().to_ascii_lowercase();
        return d.contains("not supported") || d.contains("not allowed") || d.contains("unsupported method");
    }
    false
}

fn list_items(v: &Value) -> Option<(&'static str, &Vec<Value>)> {
    if let Some(Value::Array(a)) = v.get("Resources") {
        return Some(("Resources", a));
    }
    if let Some(Value::Array(a)) = v.get("resources") {
        return Some(("resources", a));
    }
    None
}

fn user_names(v: &Value) -> Vec<String> {
    list_items(v)
        .map(|(_, a)| a.iter().filter_map(|r| r.get("userName").and_then(Value::as_str)).map(str::to_string).collect())
        .unwrap_or_default()
}

fn swap_first_case(endpoint: &str) -> String {
    let mut out = String::with_capacity(endpoint.len());
    let mut swapped = false;
    for c in endpoint.chars() {
        if !swapped && c.is_ascii_alphabetic() {
            swapped = true;
            out.push(if c.is_ascii_uppercase() { c.to_ascii_lowercase() } else { c.to_ascii_uppercase() });
        } else {
            out.push(c);
        }
    }
    out
}

fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Discovery: the resource types and schemas, as far as the server describes them.
fn discover(io: &mut Io, out: &mut Out) -> Result<Target, Need> {
    io.probe = "discovery".into();
    let mut t = Target {
        users: "/Users".into(),
        user_schema: CORE_USER.into(),
        extensions: vec![(ENTERPRISE.into(), false)],
        user_attrs: None,
        ext_required: BTreeMap::new(),
        groups: Some("/Groups".into()),
        group_schema: CORE_GROUP.into(),
        discovered: false,
        schemas: vec![],
    };
    let at = io.next_index();
    let rt = io.send(Request::new("GET", "/ResourceTypes").header("Accept", "*/*"))?;
    if ok(&rt) {
        if let Some(ct) = rt.header_value("content-type") {
            let media = ct.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
            if media == "application/json" || media == "application/scim+json" {
                out.decide(
                    "media.defaultResponse",
                    json!(media),
                    "discovery",
                    vec![at],
                    format!("answered Accept: */* with Content-Type {ct}"),
                );
            }
        }
        let v = body(&rt);
        let items: Vec<Value> = match list_items(&v) {
            Some((_, a)) => a.clone(),
            None => v.as_array().cloned().unwrap_or_default(),
        };
        let find = |name: &str| {
            items.iter().find(|r| r.get("name").and_then(Value::as_str).is_some_and(|n| n.eq_ignore_ascii_case(name)))
        };
        if let Some(u) = find("User") {
            t.discovered = true;
            if let Some(e) = u.get("endpoint").and_then(Value::as_str) {
                t.users = e.to_string();
                out.decide(
                    "resourceTypes.User.endpoint",
                    json!(e),
                    "discovery",
                    vec![at],
                    "the User resource type's endpoint in /ResourceTypes".into(),
                );
            }
            if let Some(s) = u.get("schema").and_then(Value::as_str) {
                t.user_schema = s.to_string();
            }
            t.extensions = u
                .get("schemaExtensions")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|e| {
                            let s = e.get("schema").and_then(Value::as_str)?;
                            Some((s.to_string(), e.get("required").and_then(Value::as_bool).unwrap_or(false)))
                        })
                        .collect()
                })
                .unwrap_or_default();
            match find("Group") {
                Some(g) => {
                    let e = g.get("endpoint").and_then(Value::as_str).unwrap_or("/Groups").to_string();
                    out.decide(
                        "resourceTypes.Group.endpoint",
                        json!(e),
                        "discovery",
                        vec![at],
                        "the Group resource type's endpoint in /ResourceTypes".into(),
                    );
                    if let Some(s) = g.get("schema").and_then(Value::as_str) {
                        t.group_schema = s.to_string();
                    }
                    t.groups = Some(e);
                }
                None => t.groups = None,
            }
        }
    }
    if !t.discovered {
        let why = format!("GET /ResourceTypes: {}", summary(&rt));
        for k in ["resourceTypes.User.endpoint", "resourceTypes.Group.endpoint"] {
            out.undecided(k, why.clone());
        }
    }
    let sc = io.send(get("/Schemas"))?;
    if ok(&sc) {
        let v = body(&sc);
        let items: Vec<Value> = match list_items(&v) {
            Some((_, a)) => a.clone(),
            None => v.as_array().cloned().unwrap_or_default(),
        };
        for s in &items {
            let Some(id) = s.get("id").and_then(Value::as_str) else { continue };
            let attrs = s.get("attributes").and_then(Value::as_array).cloned().unwrap_or_default();
            if id.eq_ignore_ascii_case(&t.user_schema) {
                t.user_attrs = Some(
                    attrs
                        .iter()
                        .filter_map(|a| a.get("name").and_then(Value::as_str))
                        .map(str::to_ascii_lowercase)
                        .collect(),
                );
            }
            let required: Vec<String> = attrs
                .iter()
                .filter(|a| a.get("required").and_then(Value::as_bool) == Some(true))
                .filter_map(|a| a.get("name").and_then(Value::as_str))
                .map(str::to_string)
                .collect();
            t.ext_required.insert(id.to_string(), required);
        }
        t.schemas = items;
    }
    Ok(t)
}

/// The probe user `scim-learn-{nonce}-{tag}`: what vendors require beyond the RFC (name,
/// displayName, a primary email, a password) and a title to omit, keeping only attributes
/// the server's User schema defines, plus every required extension's required attributes.
fn probe_user(t: &Target, prefix: &str, tag: &str) -> Value {
    let user_name = format!("{prefix}-{tag}");
    let mut schemas = vec![json!(t.user_schema)];
    let mut v = json!({
        "userName": user_name,
        "externalId": user_name,
        "name": {"givenName": "Probe", "familyName": "Learner"},
        "displayName": user_name,
        "title": "Probe title",
        "active": true,
        "password": "Sc1m-learn-Probe!",
        "emails": [{"value": format!("{user_name}@example.com"), "type": "work", "primary": true}],
    });
    if let (Some(attrs), Value::Object(o)) = (&t.user_attrs, &mut v) {
        o.retain(|k, _| k == "userName" || attrs.contains(&k.to_ascii_lowercase()));
    }
    for (urn, required) in &t.extensions {
        if !required {
            continue;
        }
        schemas.push(json!(urn));
        let mut ext = serde_json::Map::new();
        for a in t.ext_required.get(urn).into_iter().flatten() {
            ext.insert(a.clone(), json!(user_name));
        }
        if let Value::Object(o) = &mut v {
            o.insert(urn.clone(), Value::Object(ext));
        }
    }
    if let Value::Object(o) = &mut v {
        o.insert("schemas".into(), Value::Array(schemas));
    }
    v
}

fn has_attr(t: &Target, name: &str) -> bool {
    t.user_attrs.as_ref().is_none_or(|a| a.iter().any(|x| x == name))
}

/// POSTs a probe user; its id when created.
fn create(io: &mut Io, out: &mut Out, t: &Target, v: &Value) -> Result<(Option<String>, Response, usize), Need> {
    let at = io.next_index();
    let r = io.send(send_json("POST", &t.users, v))?;
    let id = if ok(&r) { body(&r).get("id").and_then(Value::as_str).map(str::to_string) } else { None };
    if let Some(id) = &id {
        out.created.push((t.users.clone(), id.clone()));
    }
    Ok((id, r, at))
}

/// The methods seen served (`true`) or refused as unsupported (`false`), with the exchange
/// that showed it.
type Methods = BTreeMap<&'static str, (bool, usize)>;

fn note_method(methods: &mut Methods, status: &mut Option<(u16, usize)>, m: &'static str, r: &Response, at: usize) {
    if ok(r) {
        methods.insert(m, (true, at));
    } else if unsupported(r) {
        methods.insert(m, (false, at));
        if status.is_none() {
            *status = Some((r.status, at));
        }
    }
}

fn run(io: &mut Io, nonce: &str, name: &str) -> Result<Learned, Need> {
    let mut out = Out::default();
    let prefix = format!("scim-learn-{nonce}");
    let t = discover(io, &mut out)?;
    let users = t.users.clone();
    let mut methods: Methods = BTreeMap::new();
    let mut unsupported_status: Option<(u16, usize)> = None;

    // create
    io.probe = "create".into();
    let base = probe_user(&t, &prefix, "create");
    let (id, created, at) = create(io, &mut out, &t, &base)?;
    let Some(id) = id else {
        let why = format!("POST {users} of the probe user failed: {}", summary(&created));
        return Ok(finish(io, out, &t, name, &why));
    };
    methods.insert("POST", (true, at));
    let cv = body(&created);
    let etag = created.header_value("etag").is_some();
    let version = cv.pointer("/meta/version").is_some();
    let versioning = etag || version;
    out.decide(
        "behaviour.versioning",
        json!(versioning),
        "create",
        vec![at],
        if versioning {
            format!("the created user came with {}", if etag { "an ETag header" } else { "meta.version" })
        } else {
            "the created user came with neither an ETag header nor meta.version".into()
        },
    );
    if let Some(rt) = cv.pointer("/meta/resourceType").and_then(Value::as_str) {
        out.decide(
            "resourceTypes.User.metaResourceType",
            json!(rt),
            "create",
            vec![at],
            "meta.resourceType of the created user".into(),
        );
    }
    let item = format!("{users}/{id}");

    // media
    io.probe = "media".into();
    let mut media_user = probe_user(&t, &prefix, "media");
    let at = io.next_index();
    let media_req = Request {
        method: "POST".into(),
        path: users.clone(),
        headers: vec![("Content-Type".into(), "text/plain".into()), ("Accept".into(), "application/scim+json".into())],
        body: media_user.to_string().into_bytes(),
    };
    let r = io.send(media_req)?;
    let mut media_id = None;
    if r.status == 415 {
        out.decide(
            "behaviour.strictMediaTypes",
            json!(true),
            "media",
            vec![at],
            "a JSON body sent as text/plain got 415".into(),
        );
        let (mid, _, _) = create(io, &mut out, &t, &media_user)?;
        media_id = mid;
    } else if ok(&r) {
        out.decide(
            "behaviour.strictMediaTypes",
            json!(false),
            "media",
            vec![at],
            "a JSON body sent as text/plain was accepted".into(),
        );
        media_id = body(&r).get("id").and_then(Value::as_str).map(str::to_string);
        if let Some(mid) = &media_id {
            out.created.push((users.clone(), mid.clone()));
        }
    } else {
        out.undecided("behaviour.strictMediaTypes", format!("POST as text/plain: {}", summary(&r)));
    }
    if let Value::Object(o) = &mut media_user {
        o.remove("title");
    }

    // case
    io.probe = "case".into();
    let at = io.next_index();
    let g = io.send(get(&item))?;
    note_method(&mut methods, &mut unsupported_status, "GET", &g, at);
    let swapped = swap_first_case(&users);
    if swapped != users && ok(&g) {
        let at = io.next_index();
        let r = io.send(get(&format!("{swapped}/{id}")))?;
        if r.status == 404 {
            out.decide(
                "behaviour.caseSensitivePaths",
                json!(true),
                "case",
                vec![at],
                format!("{swapped}/{{id}} answered 404"),
            );
        } else if ok(&r) {
            out.decide(
                "behaviour.caseSensitivePaths",
                json!(false),
                "case",
                vec![at],
                format!("{swapped}/{{id}} answered the user"),
            );
        } else {
            out.undecided("behaviour.caseSensitivePaths", format!("GET {swapped}/{{id}}: {}", summary(&r)));
        }
    }

    // omitted (PUT)
    io.probe = "omitted".into();
    let title = has_attr(&t, "title");
    let mut put_ok = false;
    if title {
        let mut v = base.clone();
        if let Value::Object(o) = &mut v {
            o.remove("title");
        }
        let at = io.next_index();
        let r = io.send(send_json("PUT", &item, &v))?;
        note_method(&mut methods, &mut unsupported_status, "PUT", &r, at);
        if ok(&r) {
            put_ok = true;
            let at2 = io.next_index();
            let g = io.send(get(&item))?;
            if ok(&g) {
                let kept = body(&g).get("title").is_some();
                out.decide(
                    "behaviour.omitted",
                    json!(if kept { "keep" } else { "clear" }),
                    "omitted",
                    vec![at, at2],
                    format!("after a PUT without title, GET {}", if kept { "still has it" } else { "has none" }),
                );
            }
        } else if unsupported(&r) {
            out.undecided("behaviour.omitted", format!("PUT is not served: {}", summary(&r)));
        } else {
            out.undecided("behaviour.omitted", format!("PUT without title: {}", summary(&r)));
        }
    } else {
        out.undecided("behaviour.omitted", "the User schema has no title to leave out".into());
    }

    // complex
    io.probe = "complex".into();
    if put_ok && has_attr(&t, "name") {
        let mut v = base.clone();
        if let Value::Object(o) = &mut v {
            o.insert("name".into(), json!({"givenName": "Changed"}));
        }
        let at = io.next_index();
        let r = io.send(send_json("PUT", &item, &v))?;
        if ok(&r) {
            let at2 = io.next_index();
            let g = io.send(get(&item))?;
            let kept = body(&g).pointer("/name/familyName").is_some();
            out.decide(
                "behaviour.complexReplace",
                json!(if kept { "merge" } else { "whole" }),
                "complex",
                vec![at, at2],
                format!(
                    "after a PUT of name {{givenName}} only, familyName {}",
                    if kept { "is still stored" } else { "is gone" }
                ),
            );
        } else {
            out.undecided("behaviour.complexReplace", format!("PUT of name {{givenName}}: {}", summary(&r)));
        }
    } else {
        out.undecided("behaviour.complexReplace", "needs a PUT the server takes and a name attribute".into());
    }

    // idMismatch
    io.probe = "idMismatch".into();
    if put_ok {
        let mut v = base.clone();
        if let Value::Object(o) = &mut v {
            o.insert("id".into(), json!(format!("{prefix}-other-id")));
        }
        let at = io.next_index();
        let r = io.send(send_json("PUT", &item, &v))?;
        if r.status == 400 {
            out.decide(
                "behaviour.idMismatch",
                json!("reject"),
                "idMismatch",
                vec![at],
                "a PUT whose body id differs from the path got 400".into(),
            );
        } else if ok(&r) && body(&r).get("id").and_then(Value::as_str) == Some(id.as_str()) {
            out.decide(
                "behaviour.idMismatch",
                json!("ignore"),
                "idMismatch",
                vec![at],
                "a PUT whose body id differs from the path succeeded and kept the id".into(),
            );
        } else {
            out.undecided("behaviour.idMismatch", format!("PUT with another id: {}", summary(&r)));
        }
    } else {
        out.undecided("behaviour.idMismatch", "needs a PUT the server takes".into());
    }

    // patch
    io.probe = "patch".into();
    let patch = json!({"schemas": [PATCH_OP], "Operations": [{"op": "replace", "path": "title", "value": "Patched"}]});
    let at = io.next_index();
    let r = io.send(send_json("PATCH", &item, &patch))?;
    note_method(&mut methods, &mut unsupported_status, "PATCH", &r, at);
    let patch_ok = ok(&r);
    if patch_ok {
        let v = body(&r);
        let (style, why) = if r.status == 204 {
            ("noContent", "PATCH answered 204")
        } else if v.as_object().is_some_and(|o| o.is_empty()) {
            ("emptyObject", "PATCH answered 200 with {}")
        } else if v.get("id").is_some() {
            ("resource", "PATCH answered 200 with the resource")
        } else {
            ("", "")
        };
        if style.is_empty() {
            out.undecided("behaviour.patchResponse", format!("PATCH answered {}", summary(&r)));
        } else {
            out.decide("behaviour.patchResponse", json!(style), "patch", vec![at], why.into());
        }
        let pathless =
            json!({"schemas": [PATCH_OP], "Operations": [{"op": "replace", "value": {"title": "Pathless"}}]});
        let at = io.next_index();
        let r = io.send(send_json("PATCH", &item, &pathless))?;
        if r.status == 400 {
            out.decide(
                "behaviour.patchPathRequired",
                json!(true),
                "patch",
                vec![at],
                format!("a replace without path got {}", summary(&r)),
            );
        } else if ok(&r) {
            out.decide(
                "behaviour.patchPathRequired",
                json!(false),
                "patch",
                vec![at],
                "a replace without path succeeded".into(),
            );
        } else {
            out.undecided("behaviour.patchPathRequired", format!("PATCH without path: {}", summary(&r)));
        }
    } else {
        let why = format!("PATCH replace title: {}", summary(&r));
        out.undecided("behaviour.patchResponse", why.clone());
        out.undecided("behaviour.patchPathRequired", why);
    }

    // ifMatch (only meaningful without versioning)
    io.probe = "ifMatch".into();
    if versioning {
        out.undecided("behaviour.ifMatchUnversioned", "applies only to servers without versioning".into());
    } else if put_ok || patch_ok {
        let mut req = if put_ok { send_json("PUT", &item, &base) } else { send_json("PATCH", &item, &patch) };
        req.headers.push(("If-Match".into(), "W/\"scim-learn\"".into()));
        let at = io.next_index();
        let r = io.send(req)?;
        if r.status == 412 {
            out.decide(
                "behaviour.ifMatchUnversioned",
                json!("reject"),
                "ifMatch",
                vec![at],
                "a write with If-Match got 412".into(),
            );
        } else if ok(&r) {
            out.decide(
                "behaviour.ifMatchUnversioned",
                json!("ignore"),
                "ifMatch",
                vec![at],
                "a write with If-Match succeeded".into(),
            );
        } else {
            out.undecided("behaviour.ifMatchUnversioned", format!("write with If-Match: {}", summary(&r)));
        }
    } else {
        out.undecided("behaviour.ifMatchUnversioned", "needs a PUT or PATCH the server takes".into());
    }

    // unknown
    io.probe = "unknown".into();
    let mut v = probe_user(&t, &prefix, "unknown");
    if let Value::Object(o) = &mut v {
        o.insert("scimLearnUnknownAttribute".into(), json!("x"));
    }
    let (uid, r, at) = create(io, &mut out, &t, &v)?;
    if r.status == 400 {
        out.decide(
            "behaviour.unknownAttributes",
            json!("reject"),
            "unknown",
            vec![at],
            format!("a user with an attribute no schema defines got {}", summary(&r)),
        );
    } else if uid.is_some() && body(&r).get("scimLearnUnknownAttribute").is_none() {
        out.decide(
            "behaviour.unknownAttributes",
            json!("ignore"),
            "unknown",
            vec![at],
            "a user with an attribute no schema defines was created without it".into(),
        );
    } else {
        out.undecided("behaviour.unknownAttributes", format!("POST with an unknown attribute: {}", summary(&r)));
    }

    // stringBoolean
    io.probe = "stringBoolean".into();
    if has_attr(&t, "active") {
        let mut v = probe_user(&t, &prefix, "strbool");
        if let Value::Object(o) = &mut v {
            o.insert("active".into(), json!("False"));
        }
        let (sid, r, at) = create(io, &mut out, &t, &v)?;
        if r.status == 400 {
            out.decide(
                "behaviour.stringBooleans",
                json!("reject"),
                "stringBoolean",
                vec![at],
                format!("active: \"False\" got {}", summary(&r)),
            );
        } else if sid.is_some() && body(&r).get("active") == Some(&json!(false)) {
            out.decide(
                "behaviour.stringBooleans",
                json!("coerce"),
                "stringBoolean",
                vec![at],
                "active: \"False\" was stored as false".into(),
            );
        } else {
            out.undecided("behaviour.stringBooleans", format!("POST with active \"False\": {}", summary(&r)));
        }
    } else {
        out.undecided("behaviour.stringBooleans", "the User schema has no active attribute".into());
    }

    // primary
    io.probe = "primary".into();
    if has_attr(&t, "emails") {
        let mut v = probe_user(&t, &prefix, "primary");
        let un = format!("{prefix}-primary");
        if let Value::Object(o) = &mut v {
            o.insert(
                "emails".into(),
                json!([
                    {"value": format!("{un}@example.com"), "type": "work", "primary": true},
                    {"value": format!("{un}@example.org"), "type": "home", "primary": true}
                ]),
            );
        }
        let (pid, r, at) = create(io, &mut out, &t, &v)?;
        if pid.is_some() {
            let primaries = body(&r)
                .get("emails")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter(|e| e.get("primary") == Some(&json!(true))).count())
                .unwrap_or(0);
            if primaries == 1 {
                out.decide(
                    "behaviour.multiplePrimary",
                    json!("keepLast"),
                    "primary",
                    vec![at],
                    "two primary emails were stored with one primary left".into(),
                );
            } else {
                out.undecided("behaviour.multiplePrimary", format!("two primaries stored as {primaries} primaries"));
            }
        } else if r.status == 400 {
            let mut v2 = v.clone();
            let un2 = format!("{prefix}-twovalues");
            if let Value::Object(o) = &mut v2 {
                o.insert("userName".into(), json!(un2));
                o.insert(
                    "emails".into(),
                    json!([
                        {"value": format!("{un2}@example.com"), "type": "work", "primary": true},
                        {"value": format!("{un2}@example.org"), "type": "home"}
                    ]),
                );
                for k in ["externalId", "displayName"] {
                    if o.contains_key(k) {
                        o.insert(k.into(), json!(un2));
                    }
                }
            }
            let (tid, r2, at2) = create(io, &mut out, &t, &v2)?;
            if tid.is_some() {
                out.decide(
                    "behaviour.multiplePrimary",
                    json!("reject"),
                    "primary",
                    vec![at, at2],
                    format!("two primary emails got {}; two emails with one primary were taken", summary(&r)),
                );
            } else {
                out.undecided(
                    "behaviour.multiplePrimary",
                    format!("the server refuses two emails at all: {}", summary(&r2)),
                );
            }
        } else {
            out.undecided("behaviour.multiplePrimary", format!("POST with two primaries: {}", summary(&r)));
        }
    } else {
        out.undecided("behaviour.multiplePrimary", "the User schema has no emails attribute".into());
    }

    // extensionUrn
    io.probe = "extensionUrn".into();
    if t.extensions.iter().any(|(u, _)| u.eq_ignore_ascii_case(ENTERPRISE)) {
        let mut v = probe_user(&t, &prefix, "exturn");
        if let Value::Object(o) = &mut v {
            o.insert(ENTERPRISE.into(), json!({"employeeNumber": "1"}));
        }
        let (eid, r, at) = create(io, &mut out, &t, &v)?;
        if r.status == 400 {
            out.decide(
                "behaviour.missingExtensionUrn",
                json!("reject"),
                "extensionUrn",
                vec![at],
                format!("an enterprise extension object without its URN in schemas got {}", summary(&r)),
            );
        } else if eid.is_some() {
            out.decide(
                "behaviour.missingExtensionUrn",
                json!("accept"),
                "extensionUrn",
                vec![at],
                "an enterprise extension object without its URN in schemas was taken".into(),
            );
        }
    } else {
        out.undecided("behaviour.missingExtensionUrn", "Users do not take the enterprise extension".into());
    }

    // deactivated
    io.probe = "deactivated".into();
    let mut hidden = None;
    if has_attr(&t, "active") {
        let mut v = probe_user(&t, &prefix, "inactive");
        if let Value::Object(o) = &mut v {
            o.insert("active".into(), json!(false));
        }
        let (did, r, at) = create(io, &mut out, &t, &v)?;
        if let Some(did) = did {
            let at2 = io.next_index();
            let g = io.send(get(&format!("{users}/{did}")))?;
            if g.status == 404 {
                hidden = Some(true);
                out.decide(
                    "behaviour.deactivated",
                    json!("notFound"),
                    "deactivated",
                    vec![at, at2],
                    "a user created with active false answers 404".into(),
                );
            } else if ok(&g) {
                hidden = Some(false);
                out.decide(
                    "behaviour.deactivated",
                    json!("visible"),
                    "deactivated",
                    vec![at, at2],
                    "a user created with active false is read back".into(),
                );
            }
        } else {
            out.undecided("behaviour.deactivated", format!("POST with active false: {}", summary(&r)));
        }
    }

    // delete
    io.probe = "delete".into();
    if let Some(mid) = media_id {
        let mitem = format!("{users}/{mid}");
        let at = io.next_index();
        let r = io.send(Request::new("DELETE", &mitem))?;
        note_method(&mut methods, &mut unsupported_status, "DELETE", &r, at);
        if ok(&r) {
            out.deleted.push((users.clone(), mid.clone()));
            let at2 = io.next_index();
            let g = io.send(get(&mitem))?;
            if g.status == 404 && hidden == Some(true) {
                out.undecided(
                    "behaviour.deleteMode",
                    "deleted and deactivated users both answer 404 here: DELETE may delete or deactivate".into(),
                );
            } else if g.status == 404 {
                out.decide(
                    "behaviour.deleteMode",
                    json!("delete"),
                    "delete",
                    vec![at, at2],
                    "a deleted user answers 404".into(),
                );
            } else if ok(&g) && body(&g).get("active") == Some(&json!(false)) {
                out.decide(
                    "behaviour.deleteMode",
                    json!("deactivate"),
                    "delete",
                    vec![at, at2],
                    "a deleted user is still read, with active false".into(),
                );
            } else {
                out.undecided("behaviour.deleteMode", format!("GET after DELETE: {}", summary(&g)));
            }
        } else {
            out.undecided("behaviour.deleteMode", format!("DELETE: {}", summary(&r)));
        }
    } else {
        out.undecided("behaviour.deleteMode", "the media probe left no user to delete".into());
    }

    // list
    io.probe = "list".into();
    let at = io.next_index();
    let r = io.send(get(&format!("{users}?count=1")))?;
    let lv = body(&r);
    let mut filter_required = false;
    if r.status == 400 && lv.get("scimType").and_then(Value::as_str) == Some("tooMany") {
        filter_required = true;
        out.decide(
            "behaviour.filterRequired",
            json!(true),
            "list",
            vec![at],
            "a list without a filter got 400 tooMany".into(),
        );
        out.undecided("behaviour.paging", "lists need a filter, and a filter matches one probe user".into());
        out.undecided("behaviour.sorting", "lists need a filter, and a filter matches one probe user".into());
    } else if let Some((key, items)) = list_items(&lv).filter(|_| ok(&r)) {
        out.decide("behaviour.filterRequired", json!(false), "list", vec![at], "a list without a filter worked".into());
        out.decide("behaviour.listKey", json!(key), "list", vec![at], format!("the list's resources are under {key}"));
        let total = lv.get("totalResults").and_then(Value::as_u64).unwrap_or(0);
        if items.len() > 1 {
            out.decide(
                "behaviour.paging",
                json!("none"),
                "list",
                vec![at],
                format!("count=1 gave {} resources", items.len()),
            );
        } else if total < 2 {
            out.undecided("behaviour.paging", format!("only {total} resources listed"));
        } else if lv.get("nextCursor").is_some() {
            out.decide("behaviour.paging", json!("cursor"), "list", vec![at], "count=1 gave a nextCursor".into());
        } else {
            out.decide(
                "behaviour.paging",
                json!("index"),
                "list",
                vec![at],
                "count=1 gave one resource and no nextCursor".into(),
            );
        }
    } else {
        out.undecided("behaviour.filterRequired", format!("list: {}", summary(&r)));
        out.undecided("behaviour.paging", format!("list: {}", summary(&r)));
    }

    // sort
    io.probe = "sort".into();
    if !filter_required {
        let mut orders = vec![];
        let mut ev = vec![];
        for order in ["ascending", "descending"] {
            ev.push(io.next_index());
            let r = io.send(get(&format!("{users}?sortBy=userName&sortOrder={order}&count=1000")))?;
            let mine: Vec<String> = user_names(&body(&r)).into_iter().filter(|n| n.starts_with(&prefix)).collect();
            orders.push((ok(&r), mine));
        }
        if let [(true, asc), (true, desc)] = orders.as_slice() {
            if asc.len() >= 2 {
                let lower = |v: &Vec<String>| v.iter().map(|s| s.to_ascii_lowercase()).collect::<Vec<_>>();
                let (a, d) = (lower(asc), lower(desc));
                let asc_ok = a.windows(2).all(|w| matches!(w, [x, y] if x <= y));
                let desc_ok = d.windows(2).all(|w| matches!(w, [x, y] if x >= y));
                out.decide(
                    "behaviour.sorting",
                    json!(asc_ok && desc_ok),
                    "sort",
                    ev,
                    format!(
                        "sortBy=userName ascending gave the probe users {}, descending {}",
                        if asc_ok { "in order" } else { "out of order" },
                        if desc_ok { "in order" } else { "out of order" }
                    ),
                );
            } else {
                out.undecided("behaviour.sorting", "fewer than two probe users listed".into());
            }
        } else {
            out.undecided("behaviour.sorting", "a sorted list request failed".into());
        }
    }

    // filter
    io.probe = "filter".into();
    let un = format!("{prefix}-create");
    let filters = [
        ("eq", format!("userName eq \"{un}\"")),
        ("ne", format!("userName ne \"{prefix}-nobody\"")),
        ("co", format!("userName co \"{nonce}-creat\"")),
        ("sw", format!("userName sw \"{prefix}-creat\"")),
        ("ew", format!("userName ew \"{nonce}-create\"")),
        ("gt", format!("userName gt \"{prefix}-c\"")),
        ("ge", format!("userName ge \"{un}\"")),
        ("lt", format!("userName lt \"{un}~\"")),
        ("le", format!("userName le \"{un}\"")),
        ("pr", "userName pr".to_string()),
        ("and", format!("userName eq \"{un}\" and userName eq \"{un}\"")),
        ("or", format!("userName eq \"{un}\" or userName eq \"{prefix}-nobody\"")),
        ("not", format!("not (userName eq \"{prefix}-nobody\")")),
        ("[]", format!("emails[value eq \"{un}@example.com\"]")),
    ];
    let mut supported: Vec<&str> = vec![];
    let mut unknown_ops: Vec<&str> = vec![];
    let mut unsupported_answer: Option<(&str, usize, String)> = None;
    let mut ev = vec![];
    for (op, f) in &filters {
        let at = io.next_index();
        ev.push(at);
        let r = io.send(get(&format!("{users}?filter={}&count=1000", enc(f))))?;
        let v = body(&r);
        let names = user_names(&v);
        let total = v.get("totalResults").and_then(Value::as_u64);
        if ok(&r) && names.iter().any(|n| n.eq_ignore_ascii_case(&un)) {
            supported.push(op);
        } else if r.status == 400 {
            unsupported_answer.get_or_insert((*op, at, "reject".into()));
        } else if ok(&r) && total == Some(0) {
            unsupported_answer.get_or_insert((*op, at, "emptyList".into()));
        } else {
            unknown_ops.push(op);
        }
    }
    if !unknown_ops.is_empty() {
        out.undecided(
            "behaviour.filterOperators",
            format!("no clear answer for the operators {}", unknown_ops.join(", ")),
        );
    } else if supported.is_empty() {
        out.undecided("behaviour.filterOperators", "no filter worked, not even eq".into());
    } else {
        let all = supported.len() == OPERATORS.len();
        out.decide(
            "behaviour.filterOperators",
            if all { Value::Null } else { json!(supported) },
            "filter",
            ev.clone(),
            if all {
                "every operator found the probe user".into()
            } else {
                format!("only {} found the probe user", supported.join(", "))
            },
        );
    }
    match unsupported_answer {
        Some((op, at, answer)) => out.decide(
            "behaviour.unsupportedFilter",
            json!(answer),
            "filter",
            vec![at],
            format!("the {op} filter got {}", if answer == "reject" { "400" } else { "200 with an empty list" }),
        ),
        None => out.undecided("behaviour.unsupportedFilter", "every operator was supported".into()),
    }
    if filter_required {
        let at = ev.first().copied().unwrap_or_default();
        if let Some(r) = io.log.get(at) {
            let v: Value = scim_core::from_json_str(&r.response.body).unwrap_or_default();
            if let Some((key, _)) = list_items(&v) {
                out.decide(
                    "behaviour.listKey",
                    json!(key),
                    "filter",
                    vec![at],
                    format!("the list's resources are under {key}"),
                );
            }
        }
    }

    // user methods
    decide_methods(&mut out, "User", &methods);

    // groups
    io.probe = "groups".into();
    let mut group_methods: Methods = BTreeMap::new();
    if let Some(gep) = t.groups.clone() {
        let g = json!({"schemas": [t.group_schema], "displayName": format!("{prefix}-group")});
        let at = io.next_index();
        let r = io.send(send_json("POST", &gep, &g))?;
        note_method(&mut group_methods, &mut unsupported_status, "POST", &r, at);
        let gid = if ok(&r) { body(&r).get("id").and_then(Value::as_str).map(str::to_string) } else { None };
        if let Some(rt) = body(&r).pointer("/meta/resourceType").and_then(Value::as_str) {
            out.decide(
                "resourceTypes.Group.metaResourceType",
                json!(rt),
                "groups",
                vec![at],
                "meta.resourceType of the created group".into(),
            );
        }
        let (gitem, real) = match &gid {
            Some(gid) => {
                out.created.push((gep.clone(), gid.clone()));
                (format!("{gep}/{gid}"), true)
            }
            None => (format!("{gep}/{prefix}-no-such-group"), false),
        };
        let gpatch = json!({"schemas": [PATCH_OP], "Operations": [{"op": "replace", "path": "displayName", "value": format!("{prefix}-group")}]});
        let reqs = [
            ("GET", get(&gitem)),
            ("PUT", send_json("PUT", &gitem, &g)),
            ("PATCH", send_json("PATCH", &gitem, &gpatch)),
            ("DELETE", Request::new("DELETE", &gitem)),
        ];
        for (m, req) in reqs {
            let at = io.next_index();
            let r = io.send(req)?;
            note_method(&mut group_methods, &mut unsupported_status, m, &r, at);
            if !real && r.status == 404 && !unsupported(&r) {
                group_methods.insert(m, (true, at));
            }
            if m == "DELETE" && ok(&r) {
                if let Some(gid) = &gid {
                    out.deleted.push((gep.clone(), gid.clone()));
                }
            }
        }
        if !real && unsupported_status.is_some_and(|(s, _)| s == 404) {
            out.undecided(
                "resourceTypes.Group.methods",
                "unsupported methods answer 404, like a group that does not exist".into(),
            );
        }
        decide_methods(&mut out, "Group", &group_methods);
    }
    match unsupported_status {
        Some((s, at)) => out.decide(
            "behaviour.unsupportedMethodStatus",
            json!(s),
            "omitted",
            vec![at],
            format!("a method the server does not serve got {s}"),
        ),
        None => out.undecided("behaviour.unsupportedMethodStatus", "every method probed was served".into()),
    }

    // cleanup
    io.probe = "cleanup".into();
    let pending: Vec<(String, String)> = out.created.iter().filter(|c| !out.deleted.contains(c)).cloned().collect();
    for (ep, rid) in pending {
        let r = io.send(Request::new("DELETE", &format!("{ep}/{rid}")))?;
        if ok(&r) || r.status == 404 {
            out.deleted.push((ep, rid));
        }
    }
    Ok(finish(io, out, &t, name, ""))
}

fn decide_methods(out: &mut Out, kind: &str, methods: &Methods) {
    let knob = format!("resourceTypes.{kind}.methods");
    let unknown: Vec<&str> = METHODS.iter().copied().filter(|m| !methods.contains_key(m)).collect();
    if !unknown.is_empty() {
        out.undecided(&knob, format!("no clear answer for {}", unknown.join(", ")));
        return;
    }
    let served: Vec<&str> = METHODS.iter().copied().filter(|m| methods.get(m).is_some_and(|(s, _)| *s)).collect();
    let evidence: Vec<usize> = METHODS.iter().filter_map(|m| methods.get(m)).map(|(_, at)| *at).collect();
    let value = if served.len() == METHODS.len() { Value::Null } else { json!(served) };
    out.decide(&knob, value, "methods", evidence, format!("served: {}", served.join(", ")));
}

fn finish(io: &mut Io, mut out: Out, t: &Target, name: &str, aborted: &str) -> Learned {
    let mut leftovers: Vec<String> = out
        .created
        .iter()
        .filter(|c| !out.deleted.contains(c))
        .map(|(ep, id)| format!("{ep}/{id}: DELETE failed"))
        .collect();
    if out.decided.iter().any(|d| d.knob == "behaviour.deleteMode" && d.value == json!("deactivate")) {
        leftovers.push("DELETE only deactivates here: the probe users remain, deactivated".into());
    }
    if !aborted.is_empty() {
        for k in crate::DECIDABLE {
            out.undecided(k, aborted.to_string());
        }
    }
    let exchanges = std::mem::take(&mut io.log);
    let profile = crate::output::profile(name, &t.view(), &out.decided, &mut out.undecided, &exchanges);
    Learned { profile, decided: out.decided, undecided: out.undecided, exchanges, leftovers }
}

/// Discovery's view used by the profile builder.
#[derive(Debug)]
pub(crate) struct Discovered<'a> {
    pub(crate) user_schema: &'a str,
    pub(crate) extensions: &'a [(String, bool)],
    pub(crate) group_schema: Option<&'a str>,
    /// The schemas the server described (empty when it did not).
    pub(crate) schemas: &'a [Value],
}

impl Target {
    pub(crate) fn view(&self) -> Discovered<'_> {
        Discovered {
            user_schema: &self.user_schema,
            extensions: &self.extensions,
            group_schema: self.groups.as_ref().map(|_| self.group_schema.as_str()),
            schemas: &self.schemas,
        }
    }
}
