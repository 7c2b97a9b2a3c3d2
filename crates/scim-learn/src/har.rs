//! Exchanges with a live server as a HAR 1.2 log (the HTTP Archive format browsers' network
//! panels import), the shape the npm package's `toHar` writes: `{log: {version, creator,
//! entries}}`, each entry with `startedDateTime`, `time`, `request`, `response`, `cache`
//! and `timings`.
//!
//! Pure: the caller hands in the base URL the paths are relative to, the creator, when the
//! run started and, if it measured them, each exchange's duration. Credentials never reach
//! the file: the value of every `Authorization`, `Proxy-Authorization`, `Cookie` and
//! `Set-Cookie` header is replaced by [`REDACTED`] (the doors add the credential outside the
//! state machines, so there should be none; this keeps it so for any caller).

use serde_json::{Value, json};

use crate::Exchange;

/// What a credential header's value becomes.
pub const REDACTED: &str = "[redacted]";

/// Headers whose values are never written.
const SECRET_HEADERS: [&str; 4] = ["authorization", "proxy-authorization", "cookie", "set-cookie"];

/// The log's context.
#[derive(Debug, Clone, Copy)]
pub struct HarContext<'a> {
    /// The server's base URL (`http://localhost:8000/scim/v2`); each path is appended to it.
    pub base_url: &'a str,
    /// The creator's name and version (`scim-mock`, `0.1.0`).
    pub creator: (&'a str, &'a str),
    /// When the run started (RFC 3339); every entry is stamped with it.
    pub started: &'a str,
    /// Each exchange's duration in milliseconds, in order (missing ones are 0).
    pub times_ms: &'a [u64],
}

/// The exchanges as a HAR 1.2 document.
pub fn har(exchanges: &[Exchange], cx: &HarContext<'_>) -> Value {
    let base = cx.base_url.trim_end_matches('/');
    let entries: Vec<Value> = exchanges
        .iter()
        .enumerate()
        .map(|(i, x)| entry(x, base, cx.started, cx.times_ms.get(i).copied().unwrap_or(0)))
        .collect();
    json!({"log": {"version": "1.2", "creator": {"name": cx.creator.0, "version": cx.creator.1}, "entries": entries}})
}

fn entry(x: &Exchange, base: &str, started: &str, time: u64) -> Value {
    let url = format!("{base}{}", x.request.path);
    let query: Vec<Value> = url
        .split_once('?')
        .map(|(_, q)| q.split_once('#').map_or(q, |(q, _)| q))
        .map(|q| {
            q.split('&')
                .filter(|p| !p.is_empty())
                .map(|p| {
                    let (n, v) = p.split_once('=').unwrap_or((p, ""));
                    json!({"name": decode(n), "value": decode(v)})
                })
                .collect()
        })
        .unwrap_or_default();
    let mut request = json!({
        "method": x.request.method.to_ascii_uppercase(),
        "url": url,
        "httpVersion": "HTTP/1.1",
        "cookies": [],
        "headers": pairs(&x.request.headers),
        "queryString": query,
        "headersSize": -1,
        "bodySize": x.request.body.len(),
    });
    if let (false, Value::Object(r)) = (x.request.body.is_empty(), &mut request) {
        let mime = header(&x.request.headers, "content-type").unwrap_or_default();
        r.insert("postData".into(), json!({"mimeType": mime, "text": x.request.body}));
    }
    let status = x.response.status;
    let location = header(&x.response.headers, "location").filter(|_| (300..400).contains(&status));
    let mut out = json!({
        "startedDateTime": started,
        "time": time,
        "request": request,
        "response": {
            "status": status,
            "statusText": reason(status),
            "httpVersion": "HTTP/1.1",
            "cookies": [],
            "headers": pairs(&x.response.headers),
            "content": {
                "size": x.response.body.len(),
                "mimeType": header(&x.response.headers, "content-type").unwrap_or_default(),
                "text": x.response.body,
            },
            "redirectURL": location.unwrap_or_default(),
            "headersSize": -1,
            "bodySize": x.response.body.len(),
        },
        "cache": {},
        "timings": {"send": 0, "wait": time, "receive": 0},
    });
    if let (false, Value::Object(o)) = (x.probe.is_empty(), &mut out) {
        o.insert("comment".into(), json!(x.probe));
    }
    out
}

fn pairs(headers: &[(String, String)]) -> Vec<Value> {
    headers
        .iter()
        .map(|(n, v)| {
            let secret = SECRET_HEADERS.iter().any(|s| n.eq_ignore_ascii_case(s));
            json!({"name": n, "value": if secret { REDACTED } else { v.as_str() }})
        })
        .collect()
}

fn header(headers: &[(String, String)], name: &str) -> Option<String> {
    headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone())
}

/// Milliseconds since the Unix epoch as RFC 3339 UTC (`2026-01-02T03:04:05.678Z`), for
/// [`HarContext::started`] (days to a civil date: H. Hinnant's `civil_from_days`).
pub fn rfc3339(millis: u64) -> String {
    let (secs, ms) = (millis / 1000, millis % 1000);
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let z = i64::try_from(days).unwrap_or(0) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{ms:03}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// `application/x-www-form-urlencoded` decoding of one query name or value (`+` is a space,
/// `%XX` a byte); a malformed escape is kept as written.
fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = |j: usize| bytes.get(j).and_then(|c| char::from(*c).to_digit(16));
        match (b, hex(i + 1), hex(i + 2)) {
            (b'%', Some(h), Some(l)) => {
                out.push(u8::try_from(h * 16 + l).unwrap_or(b'?'));
                i += 3;
            }
            (b'+', _, _) => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The reason phrase of a status (RFC 9110 §15, as the engine names it); status 0 is a
/// request that got no answer.
fn reason(status: u16) -> &'static str {
    if status == 0 { "No answer" } else { scim_core::reason_phrase(status) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Received, Sent};

    fn exchange(method: &str, path: &str, req_headers: &[(&str, &str)], body: &str, status: u16) -> Exchange {
        let hs = |h: &[(&str, &str)]| h.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect();
        Exchange {
            probe: "create".into(),
            request: Sent { method: method.into(), path: path.into(), headers: hs(req_headers), body: body.into() },
            response: Received {
                status,
                headers: hs(&[("Content-Type", "application/scim+json"), ("Set-Cookie", "sid=abc")]),
                body: r#"{"id":"1"}"#.into(),
            },
        }
    }

    fn cx<'a>(times: &'a [u64]) -> HarContext<'a> {
        HarContext {
            base_url: "http://localhost:8000/scim/v2/",
            creator: ("scim-mock", "0.1.0"),
            started: "2026-01-02T03:04:05.000Z",
            times_ms: times,
        }
    }

    #[test]
    fn a_log_has_the_har_1_2_shape_with_every_field_the_js_to_har_writes() {
        let xs = [
            exchange(
                "post",
                "/Users",
                &[("Content-Type", "application/scim+json"), ("Authorization", "Bearer t0k3n")],
                r#"{"userName":"é"}"#,
                201,
            ),
            exchange("GET", "/Users?filter=userName%20eq%20%22a+b%22&count=2", &[], "", 0),
        ];
        let h = har(&xs, &cx(&[12]));
        let log = &h["log"];
        assert_eq!(log["version"], "1.2");
        assert_eq!(log["creator"], json!({"name": "scim-mock", "version": "0.1.0"}));
        let e = log["entries"].as_array().unwrap();
        assert_eq!(e.len(), 2);
        for x in e {
            for k in ["startedDateTime", "time", "request", "response", "cache", "timings"] {
                assert!(x.get(k).is_some(), "entry lacks {k}: {x}");
            }
            for k in ["method", "url", "httpVersion", "cookies", "headers", "queryString", "headersSize", "bodySize"] {
                assert!(x["request"].get(k).is_some(), "request lacks {k}");
            }
            for k in ["status", "statusText", "httpVersion", "cookies", "headers", "content", "redirectURL", "bodySize"]
            {
                assert!(x["response"].get(k).is_some(), "response lacks {k}");
            }
            for k in ["send", "wait", "receive"] {
                assert!(x["timings"][k].is_u64(), "timings.{k}");
            }
        }
        let first = &e[0];
        assert_eq!(first["request"]["method"], "POST");
        assert_eq!(first["request"]["url"], "http://localhost:8000/scim/v2/Users");
        assert_eq!(first["request"]["bodySize"], 17, "bytes, not characters");
        assert_eq!(first["request"]["postData"]["mimeType"], "application/scim+json");
        assert_eq!((first["time"].clone(), first["timings"]["wait"].clone()), (json!(12), json!(12)));
        assert_eq!(first["response"]["statusText"], "Created");
        assert_eq!(first["response"]["content"]["text"], r#"{"id":"1"}"#);
        assert_eq!(first["comment"], "create");
        let second = &e[1];
        assert_eq!(second["time"], 0, "no measured time");
        assert_eq!(
            second["request"]["queryString"],
            json!([{"name": "filter", "value": "userName eq \"a b\""}, {"name": "count", "value": "2"}])
        );
        assert!(second["request"].get("postData").is_none());
        assert_eq!(
            (second["response"]["status"].clone(), second["response"]["statusText"].clone()),
            (json!(0), json!("No answer"))
        );
    }

    #[test]
    fn credentials_are_redacted_wherever_they_appear() {
        let xs = [exchange("GET", "/Users", &[("authorization", "Bearer t0k3n"), ("Cookie", "sid=abc")], "", 200)];
        let text = har(&xs, &cx(&[])).to_string();
        assert!(!text.contains("t0k3n") && !text.contains("sid=abc"), "{text}");
        assert_eq!(text.matches(REDACTED).count(), 3, "{text}");
        assert!(text.contains(r#""name":"authorization""#), "the header is kept, its value is not");
    }

    #[test]
    fn rfc3339_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(1_767_225_600_000), "2026-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(951_827_696_789), "2000-02-29T12:34:56.789Z");
        assert_eq!(rfc3339(4_107_542_399_999), "2100-02-28T23:59:59.999Z");
    }

    #[test]
    fn a_malformed_escape_is_kept_and_a_redirect_names_its_target() {
        assert_eq!(decode("a%2"), "a%2");
        assert_eq!(decode("%zz%41"), "%zzA");
        let mut x = exchange("GET", "/Users", &[], "", 307);
        x.response.headers.push(("Location".into(), "/scim/v2/Users/".into()));
        let h = har(&[x], &cx(&[]));
        assert_eq!(h["log"]["entries"][0]["response"]["redirectURL"], "/scim/v2/Users/");
    }
}
