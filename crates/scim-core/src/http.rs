//! Plain-data requests and responses: what every door (HTTP, wasm, playground, tests) hands
//! to [`crate::Server::handle`] and gets back.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::explain::Explanation;

/// `application/scim+json` (RFC 7644 §8.1).
pub const SCIM_JSON: &str = "application/scim+json";
/// `application/json`, which RFC 7644 §3.1 also accepts.
pub const JSON: &str = "application/json";

/// A request as plain data. `path` may carry a query string (`/Users?filter=...`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn new(method: &str, path: &str) -> Self {
        Request { method: method.into(), path: path.into(), headers: vec![], body: vec![] }
    }

    /// Adds a header (builder style).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sets a JSON body and `Content-Type: application/scim+json`.
    pub fn json(mut self, body: &Value) -> Self {
        self.body = body.to_string().into_bytes();
        if self.header_value("content-type").is_none() {
            self.headers.push(("Content-Type".into(), SCIM_JSON.into()));
        }
        self
    }

    /// The first header of that name (case-insensitive).
    pub fn header_value(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// Path without the query string, and the decoded query pairs.
    pub fn split_path(&self) -> (&str, Vec<(String, String)>) {
        match self.path.split_once('?') {
            Some((p, q)) => (p, parse_query(q)),
            None => (self.path.as_str(), vec![]),
        }
    }
}

/// A response as plain data, plus the engine's explanation of what it did.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// UTF-8 JSON, or empty (204, 304).
    pub body: String,
    /// Attribute-by-attribute account of a write (POST, PUT, PATCH), also on failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<Explanation>,
    /// Whether the request changed the store: what a door persists after, and when a
    /// stepped clock moves on. A failed request, a read and a write that changes nothing
    /// leave it `false`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub changed: bool,
}

impl Response {
    pub fn header_value(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// `200 OK`: the status and its reason phrase (RFC 9110 §15).
    pub fn status_text(&self) -> String {
        let reason = reason_phrase(self.status);
        if reason.is_empty() { self.status.to_string() } else { format!("{} {reason}", self.status) }
    }

    /// The body parsed as JSON (`Value::Null` when empty or not JSON).
    pub fn json(&self) -> Value {
        crate::from_json_str(&self.body).unwrap_or(Value::Null)
    }
}

/// The reason phrase of a status code as RFC 9110 §15 names it, for the statuses SCIM servers
/// (and the proxies in front of them) answer with; `""` for any other.
pub fn reason_phrase(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        409 => "Conflict",
        412 => "Precondition Failed",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Content",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

/// Splits `a=1&b=2` and percent-decodes (`+` is a space, as HTML forms and most clients send).
pub(crate) fn parse_query(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (percent_decode(k, true), percent_decode(v, true)),
            None => (percent_decode(p, true), String::new()),
        })
        .collect()
}

/// Percent-decodes; invalid escapes are kept as written; invalid UTF-8 is replaced.
pub(crate) fn percent_decode(s: &str, plus_is_space: bool) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let c = b.get(i).copied().unwrap_or_default();
        match c {
            b'%' if i + 2 < b.len() => match (b.get(i + 1).and_then(|&x| hex(x)), b.get(i + 2).and_then(|&x| hex(x))) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' if plus_is_space => out.push(b' '),
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Whether a Content-Type names a JSON media type SCIM accepts (parameters such as
/// `charset` are allowed).
pub fn is_json_media_type(ct: &str) -> bool {
    let essence = ct.split(';').next().unwrap_or("").trim();
    essence.eq_ignore_ascii_case(SCIM_JSON) || essence.eq_ignore_ascii_case(JSON)
}

/// Picks the response media type from an Accept header: `None` when nothing acceptable.
pub fn negotiate(accept: Option<&str>, default: &str) -> Option<&'static str> {
    let default_static = if default.eq_ignore_ascii_case(JSON) { JSON } else { SCIM_JSON };
    let Some(accept) = accept else {
        return Some(default_static);
    };
    if accept.trim().is_empty() {
        return Some(default_static);
    }
    let mut best: Option<(u16, &'static str)> = None;
    for range in accept.split(',') {
        let mut parts = range.split(';');
        let essence = parts.next().unwrap_or("").trim();
        let q = parts.filter_map(|p| p.trim().strip_prefix("q=")).find_map(|v| qvalue(v.trim())).unwrap_or(1000);
        if q == 0 {
            continue;
        }
        let hit = if essence.eq_ignore_ascii_case(SCIM_JSON) {
            Some(SCIM_JSON)
        } else if essence.eq_ignore_ascii_case(JSON) {
            Some(JSON)
        } else if essence == "*/*" || essence.eq_ignore_ascii_case("application/*") {
            Some(default_static)
        } else {
            None
        };
        if let Some(m) = hit {
            if best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, m));
            }
        }
    }
    best.map(|(_, m)| m)
}

/// An RFC 9110 §12.4.2 qvalue (`0`, `0.5`, `1.000`) in thousandths; `None` when it is not
/// one (then the range counts as `q=1`). Parsed by hand: float parsing would add ~15 KB gzip
/// to the wasm builds for this one header parameter.
fn qvalue(v: &str) -> Option<u16> {
    let (int, frac) = v.split_once('.').unwrap_or((v, ""));
    if frac.len() > 3 || !frac.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let mut thousandths: u16 = 0;
    for (i, c) in frac.bytes().enumerate() {
        thousandths += u16::from(c - b'0') * [100, 10, 1].get(i).copied().unwrap_or(0);
    }
    match int {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qvalues() {
        assert_eq!(qvalue("0"), Some(0));
        assert_eq!(qvalue("0.5"), Some(500));
        assert_eq!(qvalue("0.125"), Some(125));
        assert_eq!(qvalue("1"), Some(1000));
        assert_eq!(qvalue("1.000"), Some(1000));
        for bad in ["1.5", "2", ".5", "0.1234", "nan", "", "0.x"] {
            assert_eq!(qvalue(bad), None, "{bad}");
        }
        assert_eq!(negotiate(Some("application/scim+json;q=0, application/json;q=0.001"), SCIM_JSON), Some(JSON));
        assert_eq!(negotiate(Some("application/json;q=0"), SCIM_JSON), None);
    }

    #[test]
    fn query_decoding() {
        let q = parse_query("filter=userName%20eq%20%22bjensen%22&attributes=a,b&x");
        assert_eq!(q[0], ("filter".into(), "userName eq \"bjensen\"".into()));
        assert_eq!(q[1].1, "a,b");
        assert_eq!(q[2], ("x".into(), String::new()));
        assert_eq!(percent_decode("100%", false), "100%");
        assert_eq!(percent_decode("%4", false), "%4");
        assert_eq!(percent_decode("%zz", false), "%zz");
        assert_eq!(percent_decode("a+b", true), "a b");
    }

    #[test]
    fn negotiation() {
        assert_eq!(negotiate(None, SCIM_JSON), Some(SCIM_JSON));
        assert_eq!(negotiate(Some("application/json"), SCIM_JSON), Some(JSON));
        assert_eq!(negotiate(Some("text/html"), SCIM_JSON), None);
        assert_eq!(negotiate(Some("*/*"), JSON), Some(JSON));
        assert_eq!(negotiate(Some("application/json;q=0.5, application/scim+json"), JSON), Some(SCIM_JSON));
    }
}
