//! The history as archives other tools read, and back: a Postman Collection v2.1 (one folder
//! per lane, each request testing the status that lane showed, so `newman run` replays the
//! history against a real service and reports every difference), a HAR 1.2 log (one entry
//! per request and lane), and a Postman collection's requests as drafts (templates).
//!
//! Conventions shared with the npm package's archives (`scim-playground-wasm/archive`): URLs
//! start with a `{{baseUrl}}` collection variable, the `Authorization` header's value is the
//! `{{authorization}}` variable, and a path placeholder `{userName:bjensen}` becomes the
//! Postman variable `{{userName:bjensen}}`, set before the request by a filter query
//! (`userName eq "bjensen"`, RFC 7644 §3.4.2.2), so one collection works on any service.

use serde_json::{Map, Value, json};

use crate::draft::Draft;
use crate::playground::HistoryEntry;

/// The `{{baseUrl}}` an archive starts with: a placeholder service (the person sets the
/// variable to their own base URL); paths are the history's intents, relative to it.
const BASE_URL: &str = "https://scim.example.com/scim/v2";

/// The Postman Collection v2.1 format identifier.
pub const POSTMAN_SCHEMA: &str = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json";

/// What exported archives say made them.
const CREATOR: &str = "SCIM Playground";

/// `{attribute:value}` placeholders of a path: (start, end, attribute, value), in order.
fn placeholders(path: &str) -> Vec<(usize, usize, &str, &str)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(open) = path.get(from..).and_then(|s| s.find('{')).map(|i| i + from) {
        let Some(close) = path.get(open..).and_then(|s| s.find('}')).map(|i| i + open) else { break };
        let inner = path.get(open + 1..close).unwrap_or_default();
        if let Some((attr, value)) = inner.split_once(':') {
            if !attr.is_empty() && !attr.contains('{') {
                out.push((open, close + 1, attr, value));
            }
        }
        from = close + 1;
    }
    out
}

/// The status code and reason of a history status (`"200 OK"`).
fn status_parts(status: &str) -> Option<(u16, &str)> {
    let (code, reason) = status.trim().split_once(' ').unwrap_or((status.trim(), ""));
    Some((code.parse().ok()?, reason.trim()))
}

/// The draft's headers, without ones a client sets itself.
fn headers(draft: &Draft) -> Vec<(String, String)> {
    draft
        .parse_headers()
        .unwrap_or_default()
        .into_iter()
        .filter(|(n, _)| !n.eq_ignore_ascii_case("host") && !n.eq_ignore_ascii_case("content-length"))
        .collect()
}

fn body(draft: &Draft) -> Option<&str> {
    draft.sends_body().then_some(draft.body.as_str()).filter(|b| !b.trim().is_empty())
}

/// A JSON string literal, which is also a JavaScript one.
fn js(s: &str) -> String {
    Value::String(s.into()).to_string()
}

/// The history (newest first, as the playground keeps it) as a Postman collection: one folder
/// per lane (`lanes`: the folder names, e.g. "Lane A (rfc)"), requests oldest first.
pub fn postman(history: &[HistoryEntry], lanes: &[String], name: &str) -> Value {
    let mut auth: Option<String> = None;
    let folders: Vec<Value> = lanes
        .iter()
        .enumerate()
        .map(|(lane, folder)| {
            let items: Vec<Value> = history
                .iter()
                .rev()
                .enumerate()
                .map(|(i, h)| {
                    let status = h.statuses.get(lane).and_then(|s| status_parts(s));
                    item(&h.draft, i + 1, status, &mut auth)
                })
                .collect();
            json!({ "name": folder, "item": items })
        })
        .collect();
    json!({
        "info": { "name": name, "schema": POSTMAN_SCHEMA, "description": format!("Exported from the {CREATOR} history; run one folder per service (newman run --folder).") },
        "item": folders,
        "variable": [
            { "key": "baseUrl", "value": BASE_URL, "type": "string" },
            { "key": "authorization", "value": auth.unwrap_or_default(), "type": "string" },
        ],
    })
}

fn item(draft: &Draft, n: usize, status: Option<(u16, &str)>, auth: &mut Option<String>) -> Value {
    let method = draft.method.trim().to_ascii_uppercase();
    let path = draft.path.trim();
    let marks = placeholders(path);
    let mut url = String::from("{{baseUrl}}");
    let mut at = 0;
    let mut prerequest = Vec::new();
    for (start, end, attr, value) in &marks {
        url.push_str(path.get(at..*start).unwrap_or_default());
        url.push_str(&format!("{{{{{attr}:{value}}}}}"));
        // The endpoint is the path up to the placeholder (`/Users/`).
        let endpoint = path.get(..*start).unwrap_or_default().trim_end_matches('/');
        let filter = format!("{attr} eq {}", js(value));
        prerequest.push(format!(
            "pm.sendRequest({{ url: pm.variables.get(\"baseUrl\") + {} + \"?filter=\" + encodeURIComponent({}), method: \"GET\", header: {{ Accept: \"application/scim+json\", Authorization: pm.variables.get(\"authorization\") || \"\" }} }}, function (err, res) {{",
            js(endpoint),
            js(&filter)
        ));
        prerequest.push("  var found = !err && res.code === 200 ? (res.json().Resources || []) : [];".into());
        prerequest.push(format!(
            "  pm.variables.set({}, found.length === 1 ? found[0].id : {});",
            js(&format!("{attr}:{value}")),
            js(&format!("unknown-{value}"))
        ));
        prerequest.push("});".into());
        at = *end;
    }
    url.push_str(path.get(at..).unwrap_or_default());
    let header: Vec<Value> = headers(draft)
        .into_iter()
        .map(|(n, v)| {
            if n.eq_ignore_ascii_case("authorization") {
                auth.get_or_insert(v);
                json!({ "key": n, "value": "{{authorization}}" })
            } else {
                json!({ "key": n, "value": v })
            }
        })
        .collect();
    let mut request = json!({ "method": method, "header": header, "url": url });
    if let Some(b) = body(draft) {
        request["body"] = json!({ "mode": "raw", "raw": b, "options": { "raw": { "language": "json" } } });
    }
    let mut events = Vec::new();
    if !prerequest.is_empty() {
        events.push(json!({ "listen": "prerequest", "script": { "type": "text/javascript", "exec": prerequest } }));
    }
    if let Some((code, reason)) = status {
        events.push(json!({ "listen": "test", "script": { "type": "text/javascript", "exec": [
            format!("pm.test({}, function () {{", js(format!("status {code} {reason}").trim())),
            format!("  pm.response.to.have.status({code});"),
            "});",
        ] } }));
    }
    let mut out = json!({ "name": format!("{n}. {method} {path}"), "request": request });
    if !events.is_empty() {
        out["event"] = Value::Array(events);
    }
    out
}

/// The history as a HAR 1.2 log: per request (oldest first) one entry per lane, its comment
/// naming the lane. The history keeps statuses, not response bodies, so responses carry the
/// status only; `started` (RFC 3339) stamps every entry, as the history keeps no times.
pub fn har(history: &[HistoryEntry], lanes: &[String], started: &str) -> Value {
    let mut entries = Vec::new();
    for h in history.iter().rev() {
        for (lane, name) in lanes.iter().enumerate() {
            let Some((code, reason)) = h.statuses.get(lane).and_then(|s| status_parts(s)) else { continue };
            entries.push(har_entry(&h.draft, code, reason, name, started));
        }
    }
    json!({ "log": { "version": "1.2", "creator": { "name": CREATOR, "version": env!("CARGO_PKG_VERSION") }, "entries": entries } })
}

fn har_entry(draft: &Draft, code: u16, reason: &str, lane: &str, started: &str) -> Value {
    let path = draft.path.trim().replace('{', "%7B").replace('}', "%7D");
    let url = format!("{BASE_URL}{path}");
    let query: Vec<Value> = url
        .split_once('?')
        .map(|(_, q)| {
            q.split('&')
                .filter(|p| !p.is_empty())
                .map(|p| {
                    let (n, v) = p.split_once('=').unwrap_or((p, ""));
                    json!({ "name": n, "value": v })
                })
                .collect()
        })
        .unwrap_or_default();
    let hs: Vec<Value> = headers(draft).into_iter().map(|(n, v)| json!({ "name": n, "value": v })).collect();
    let mut request = json!({
        "method": draft.method.trim().to_ascii_uppercase(),
        "url": url,
        "httpVersion": "HTTP/1.1",
        "cookies": [],
        "headers": hs,
        "queryString": query,
        "headersSize": -1,
        "bodySize": body(draft).map_or(0, str::len),
    });
    if let Some(b) = body(draft) {
        let mime = headers(draft)
            .into_iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-type"))
            .map(|(_, v)| v)
            .unwrap_or_default();
        request["postData"] = json!({ "mimeType": mime, "text": b });
    }
    json!({
        "startedDateTime": started,
        "time": 0,
        "request": request,
        "response": {
            "status": code,
            "statusText": reason,
            "httpVersion": "HTTP/1.1",
            "cookies": [],
            "headers": [],
            "content": { "size": -1, "mimeType": "", "comment": "the playground history keeps statuses, not bodies" },
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": -1,
        },
        "cache": {},
        "timings": { "send": 0, "wait": 0, "receive": 0 },
        "comment": lane,
    })
}

/// The requests of a Postman collection (v2.0/v2.1; folders flattened in order) as drafts,
/// each with its name. `{{baseUrl}}` is dropped (paths are relative to the SCIM base; an
/// absolute URL keeps its path), `{{attribute:value}}` becomes the playground's
/// `{attribute:value}` placeholder, and other variables take the collection's values.
pub fn drafts_from_postman(text: &str) -> Result<Vec<(String, Draft)>, String> {
    let doc: Value = serde_json::from_str(text).map_err(|e| format!("Not JSON: {e}"))?;
    let items =
        doc.get("item").and_then(Value::as_array).ok_or("Not a Postman collection: it has no \"item\" list.")?;
    let mut vars = Map::new();
    for v in doc.get("variable").and_then(Value::as_array).into_iter().flatten() {
        if let (Some(k), Some(val)) = (v.get("key").and_then(Value::as_str), v.get("value")) {
            vars.insert(k.to_string(), Value::String(val.as_str().map_or_else(|| val.to_string(), str::to_string)));
        }
    }
    let mut out = Vec::new();
    walk(items, "", &vars, &mut out);
    if out.is_empty() {
        return Err("The collection holds no requests.".into());
    }
    Ok(out)
}

fn walk(items: &[Value], prefix: &str, vars: &Map<String, Value>, out: &mut Vec<(String, Draft)>) {
    for it in items {
        let name = it.get("name").and_then(Value::as_str).unwrap_or_default();
        if let Some(children) = it.get("item").and_then(Value::as_array) {
            walk(children, &format!("{prefix}{name} / "), vars, out);
            continue;
        }
        let Some(req) = it.get("request") else { continue };
        let (method, raw) = match req {
            Value::String(url) => ("GET".to_string(), url.clone()),
            _ => (
                req.get("method").and_then(Value::as_str).unwrap_or("GET").to_ascii_uppercase(),
                match req.get("url") {
                    Some(Value::String(u)) => u.clone(),
                    Some(u) => u.get("raw").and_then(Value::as_str).map_or_else(|| url_from_parts(u), str::to_string),
                    None => String::new(),
                },
            ),
        };
        let headers: Vec<String> = req
            .get("header")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|h| h.get("disabled").and_then(Value::as_bool) != Some(true))
            .filter_map(|h| Some(format!("{}: {}", h.get("key")?.as_str()?, fill(h.get("value")?.as_str()?, vars))))
            .collect();
        let body = req.get("body").filter(|b| b.get("mode").and_then(Value::as_str) == Some("raw"));
        let body = body.and_then(|b| b.get("raw")).and_then(Value::as_str).map(|b| fill(b, vars)).unwrap_or_default();
        let draft = Draft { method, path: path_of(&fill(&raw, vars)), headers: headers.join("\n"), body, raw: false };
        let label = if name.is_empty() { format!("{} {}", draft.method, draft.path) } else { name.to_string() };
        out.push((format!("{prefix}{label}"), draft));
    }
}

/// `{{name}}` → the collection's value; `{{attr:value}}` → the playground placeholder;
/// `{{baseUrl}}` and unknown variables stay for [`path_of`] and the person.
fn fill(text: &str, vars: &Map<String, Value>) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        out.push_str(rest.get(..open).unwrap_or_default());
        let after = rest.get(open + 2..).unwrap_or_default();
        let Some(close) = after.find("}}") else {
            out.push_str(rest.get(open..).unwrap_or_default());
            return out;
        };
        let name = after.get(..close).unwrap_or_default();
        match vars.get(name).and_then(Value::as_str) {
            Some(v) if name != "baseUrl" => out.push_str(v),
            _ if name.contains(':') => out.push_str(&format!("{{{name}}}")),
            _ => out.push_str(&format!("{{{{{name}}}}}")),
        }
        rest = after.get(close + 2..).unwrap_or_default();
    }
    out.push_str(rest);
    out
}

/// The playground path of a Postman URL: after `{{baseUrl}}`, or an absolute URL's path.
fn path_of(url: &str) -> String {
    if let Some(rest) = url.strip_prefix("{{baseUrl}}") {
        return if rest.is_empty() { "/".into() } else { rest.to_string() };
    }
    let without_scheme = url.split_once("://").map_or(url, |(_, r)| r);
    match without_scheme.find('/') {
        Some(i) if url.contains("://") => without_scheme.get(i..).unwrap_or("/").to_string(),
        _ => url.to_string(),
    }
}

fn url_from_parts(u: &Value) -> String {
    let join = |key: &str, sep: &str| -> String {
        match u.get(key) {
            Some(Value::Array(parts)) => parts
                .iter()
                .map(|p| {
                    p.as_str().map_or_else(
                        || p.get("value").and_then(Value::as_str).unwrap_or_default().to_string(),
                        str::to_string,
                    )
                })
                .collect::<Vec<_>>()
                .join(sep),
            Some(Value::String(s)) => s.clone(),
            _ => String::new(),
        }
    };
    let (host, path) = (join("host", "."), join("path", "/"));
    let query: Vec<String> = u
        .get("query")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|q| q.get("disabled").and_then(Value::as_bool) != Some(true))
        .filter_map(|q| {
            Some(format!("{}={}", q.get("key")?.as_str()?, q.get("value").and_then(Value::as_str).unwrap_or_default()))
        })
        .collect();
    let mut s = host;
    if !path.is_empty() {
        s.push('/');
        s.push_str(&path);
    }
    if !query.is_empty() {
        s.push('?');
        s.push_str(&query.join("&"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::playground::Playground;

    fn draft(method: &str, path: &str, body: &str) -> Draft {
        Draft {
            method: method.into(),
            path: path.into(),
            headers: "Content-Type: application/scim+json\nAuthorization: Bearer s3cret".into(),
            body: body.into(),
            raw: false,
        }
    }

    fn played() -> Playground {
        let mut pg = Playground::with_profiles("rfc", "veeva");
        pg.send(&draft("GET", "/Users/{userName:bjensen}", "")).expect("sent");
        pg.send(&draft(
            "PUT",
            "/Users/{userName:bjensen}",
            r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bjensen"}"#,
        ))
        .expect("sent");
        pg.send(&draft("GET", "/Users/{userName:nobody}", "")).expect("sent");
        pg
    }

    #[test]
    fn postman_has_a_folder_per_lane_variables_lookups_and_status_tests() {
        let pg = played();
        let c = postman(&pg.history, &["Lane A (rfc)".into(), "Lane B (veeva)".into()], "history");
        assert_eq!(c["info"]["schema"], POSTMAN_SCHEMA);
        assert_eq!(c["variable"][1], json!({ "key": "authorization", "value": "Bearer s3cret", "type": "string" }));
        let a = c["item"][0]["item"].as_array().expect("lane A items");
        assert_eq!(a.len(), 3);
        assert_eq!(a[0]["request"]["url"], "{{baseUrl}}/Users/{{userName:bjensen}}", "oldest first");
        assert_eq!(a[1]["request"]["method"], "PUT");
        assert!(a[1]["request"]["body"]["raw"].as_str().unwrap_or_default().contains("bjensen"));
        assert_eq!(a[1]["request"]["header"][1], json!({ "key": "Authorization", "value": "{{authorization}}" }));
        let pre = a[0]["event"][0]["script"]["exec"].as_array().expect("prerequest");
        assert!(
            pre[0].as_str().unwrap_or_default().contains(r#"encodeURIComponent("userName eq \"bjensen\"")"#),
            "{pre:?}"
        );
        assert!(pre[0].as_str().unwrap_or_default().contains(r#"+ "/Users" +"#), "{pre:?}");
        let test = a[2]["event"][1]["script"]["exec"].as_array().expect("test");
        assert_eq!(test[1], "  pm.response.to.have.status(404);", "the unknown user was a 404");
        let b = c["item"][1]["item"].as_array().expect("lane B items");
        assert_eq!(c["item"][1]["name"], "Lane B (veeva)");
        assert_eq!(
            b[1]["event"][1]["script"]["exec"][1],
            format!("  pm.response.to.have.status({});", &pg.history[1].statuses[1][..3])
        );
    }

    #[test]
    fn har_has_an_entry_per_request_and_lane() {
        let pg = played();
        let h = har(&pg.history, &["Lane A (rfc)".into(), "Lane B (veeva)".into()], "2026-01-01T00:00:00.000Z");
        let entries = h["log"]["entries"].as_array().expect("entries");
        assert_eq!(h["log"]["version"], "1.2");
        assert_eq!(entries.len(), 6);
        assert_eq!(entries[0]["comment"], "Lane A (rfc)");
        assert_eq!(entries[0]["request"]["url"], format!("{BASE_URL}/Users/%7BuserName:bjensen%7D"));
        assert_eq!(entries[0]["response"]["status"], 200);
        assert_eq!(entries[0]["response"]["statusText"], "OK");
        assert_eq!(entries[2]["request"]["postData"]["mimeType"], "application/scim+json");
        assert_eq!(entries[5]["response"]["status"], 404);
        assert!(entries[0]["request"].get("postData").is_none(), "a GET sends no body");
    }

    #[test]
    fn a_postman_export_imports_back_as_the_same_drafts() {
        let pg = played();
        let c = postman(&pg.history, &["Lane A (rfc)".into()], "history");
        let drafts = drafts_from_postman(&c.to_string()).expect("imports");
        let sent: Vec<Draft> = pg.history.iter().rev().map(|h| h.draft.clone()).collect();
        assert_eq!(drafts.iter().map(|(_, d)| d.clone()).collect::<Vec<_>>(), sent);
        assert_eq!(drafts[0].0, "Lane A (rfc) / 1. GET /Users/{userName:bjensen}");
    }

    #[test]
    fn postman_import_reads_url_objects_folders_variables_and_absolute_urls() {
        let c = json!({
            "info": { "name": "x", "schema": POSTMAN_SCHEMA },
            "variable": [{ "key": "token", "value": "abc" }],
            "item": [
                { "name": "List", "request": { "method": "get", "header": [{ "key": "Authorization", "value": "Bearer {{token}}" }, { "key": "X", "value": "1", "disabled": true }],
                  "url": { "host": ["{{baseUrl}}"], "path": ["Users"], "query": [{ "key": "count", "value": "2" }] } } },
                { "name": "Vendor", "item": [{ "name": "Create", "request": { "method": "POST", "url": "https://vendor.example/scim/v2/Users",
                  "body": { "mode": "raw", "raw": "{\"userName\":\"{{token}}\"}" } } }] },
            ],
        });
        let drafts = drafts_from_postman(&c.to_string()).expect("imports");
        assert_eq!(drafts[0].0, "List");
        assert_eq!(
            drafts[0].1,
            Draft {
                method: "GET".into(),
                path: "/Users?count=2".into(),
                headers: "Authorization: Bearer abc".into(),
                body: String::new(),
                raw: false,
            }
        );
        assert_eq!(drafts[1].0, "Vendor / Create");
        assert_eq!(drafts[1].1.path, "/scim/v2/Users");
        assert_eq!(drafts[1].1.body, "{\"userName\":\"abc\"}");
        assert!(drafts_from_postman("{}").unwrap_err().contains("no \"item\" list"));
        assert!(drafts_from_postman("nope").unwrap_err().starts_with("Not JSON"));
        assert!(drafts_from_postman(r#"{"item":[]}"#).unwrap_err().contains("no requests"));
    }

    #[test]
    fn placeholders_are_found_in_order() {
        assert_eq!(
            placeholders("/Users/{userName:a b}/x/{displayName:G}"),
            vec![(7, 21, "userName", "a b"), (24, 39, "displayName", "G")]
        );
        assert!(placeholders("/Users/{id}").is_empty());
        assert!(placeholders("/Users/{unclosed:x").is_empty());
    }
}
