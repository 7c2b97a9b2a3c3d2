//! "Export as": the request one lane sends, as a cURL command, a `fetch` call, Python
//! `requests` code, or raw HTTP/1.1, ready to run: the lane's own base path and ids (the
//! request as [`crate::lane::Lane::export_request`] renders it), a percent-encoded URL, and
//! the profile's `Authorization` header with [`scim_core::AUTH_PLACEHOLDER`] for the
//! credential. Only the host is a placeholder ([`ORIGIN`]) to replace with the real service.

use scim_core::Request;

/// Where exported requests point; the person replaces it with their service.
pub const ORIGIN: &str = "https://scim.example.com";

/// (id, label) for the picker.
pub const KINDS: &[(&str, &str)] =
    &[("curl", "cURL"), ("fetch", "fetch (JavaScript)"), ("python", "Python (requests)"), ("http", "Raw HTTP")];

/// Renders `req` (path with its base path, as the lane sent it) against `origin`.
pub fn render(kind: &str, req: &Request, origin: &str) -> String {
    let method = req.method.trim().to_ascii_uppercase();
    let target = encode_target(&req.path);
    let url = format!("{}{target}", origin.trim_end_matches('/'));
    let headers = &req.headers;
    let text = String::from_utf8_lossy(&req.body);
    let body = Some(text.as_ref()).filter(|b| !b.trim().is_empty());
    match kind {
        "curl" => {
            let mut s = format!("curl -X {method} {}", shell(&url));
            for (n, v) in headers {
                s.push_str(&format!(" \\\n  -H {}", shell(&format!("{n}: {v}"))));
            }
            if let Some(b) = body {
                s.push_str(&format!(" \\\n  --data-binary {}", shell(b)));
            }
            s
        }
        "fetch" => {
            // A `Value`, not a `Map`: reuses the pretty printer the lanes' bodies already use.
            let hs = serde_json::Value::Object(
                headers.iter().map(|(n, v)| (n.clone(), serde_json::Value::String(v.clone()))).collect(),
            );
            let mut s = format!(
                "const response = await fetch({}, {{\n  method: {},\n  headers: {},\n",
                js(&url),
                js(&method),
                serde_json::to_string_pretty(&hs).unwrap_or_default().replace('\n', "\n  ")
            );
            if let Some(b) = body {
                s.push_str(&format!("  body: {},\n", js(b)));
            }
            s.push_str("});\nconsole.log(response.status, await response.text());");
            s
        }
        "python" => {
            let mut s = format!(
                "import requests\n\nresponse = requests.request(\n    {},\n    {},\n    headers={{\n",
                py(&method),
                py(&url)
            );
            for (n, v) in headers {
                s.push_str(&format!("        {}: {},\n", py(n), py(v)));
            }
            s.push_str("    },\n");
            if let Some(b) = body {
                s.push_str(&format!("    data={}.encode(\"utf-8\"),\n", py(b)));
            }
            s.push_str(")\nprint(response.status_code, response.text)");
            s
        }
        _ => {
            let host = origin.split_once("://").map_or(origin, |(_, h)| h).trim_end_matches('/');
            let mut s = format!("{method} {target} HTTP/1.1\r\nHost: {host}\r\n");
            for (n, v) in headers {
                s.push_str(&format!("{n}: {v}\r\n"));
            }
            if let Some(b) = body {
                s.push_str(&format!("Content-Length: {}\r\n\r\n{b}", b.len()));
            } else {
                s.push_str("\r\n");
            }
            s
        }
    }
}

/// A request target (path and query) percent-encoded as RFC 3986 requires: path segments keep
/// `/` and the path characters of §3.3, query names and values keep only unreserved
/// characters; `%XX` already there stays.
pub fn encode_target(target: &str) -> String {
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (target, None),
    };
    let mut out = encode(path, b"-._~!$&'()*+,;=:@/");
    if let Some(q) = query {
        out.push('?');
        let pairs: Vec<String> = q
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((k, v)) => format!("{}={}", encode(k, b"-._~"), encode(v, b"-._~")),
                None => encode(pair, b"-._~"),
            })
            .collect();
        out.push_str(&pairs.join("&"));
    }
    out
}

fn encode(s: &str, keep: &[u8]) -> String {
    let bytes = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let escaped = b == b'%' && bytes.get(i + 1..i + 3).is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit));
        if b.is_ascii_alphanumeric() || keep.contains(&b) || escaped {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
        i += 1;
    }
    out
}

/// POSIX single quotes: `'` becomes `'\''`.
fn shell(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// A JSON string literal is a valid JavaScript string literal.
fn js(s: &str) -> String {
    serde_json::Value::String(s.into()).to_string()
}

/// A JSON string literal is also a valid Python string literal (no `\u` surrogates issue
/// for BMP text; astral characters are emitted raw by serde_json).
fn py(s: &str) -> String {
    js(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(method: &str, path: &str) -> Request {
        let mut r = Request::new(method, path);
        r.headers = vec![("Content-Type".into(), "application/scim+json".into())];
        if method.eq_ignore_ascii_case("PUT") {
            r.body = b"{\"userName\": \"o'brien\"}".to_vec();
        }
        r
    }

    #[test]
    fn curl_quotes_for_the_shell() {
        let s = render("curl", &req("put", "/scim/v2/Users/1"), ORIGIN);
        assert!(s.starts_with("curl -X PUT 'https://scim.example.com/scim/v2/Users/1'"), "{s}");
        assert!(s.contains("-H 'Content-Type: application/scim+json'"));
        assert!(s.contains(r#"--data-binary '{"userName": "o'\''brien"}'"#), "{s}");
    }

    #[test]
    fn urls_are_percent_encoded() {
        assert_eq!(
            encode_target("/api/v23.1/scim/v2/Users?filter=userName eq \"o'b\"&count=2"),
            "/api/v23.1/scim/v2/Users?filter=userName%20eq%20%22o%27b%22&count=2"
        );
        assert_eq!(encode_target("/Users/a b%20c/é"), "/Users/a%20b%20c/%C3%A9");
        let s = render("curl", &req("GET", "/scim/v2/Users?filter=userName eq \"x\""), "http://127.0.0.1:8080/");
        assert!(
            s.starts_with("curl -X GET 'http://127.0.0.1:8080/scim/v2/Users?filter=userName%20eq%20%22x%22'"),
            "{s}"
        );
    }

    #[test]
    fn fetch_python_and_raw_http_carry_method_headers_body() {
        let r = req("PUT", "/scim/v2/Users/1");
        let f = render("fetch", &r, ORIGIN);
        assert!(f.contains("method: \"PUT\"") && f.contains("\"Content-Type\": \"application/scim+json\""), "{f}");
        assert!(f.contains(r#"body: "{\"userName\": \"o'brien\"}""#), "{f}");
        let p = render("python", &r, ORIGIN);
        assert!(p.contains("requests.request(\n    \"PUT\""), "{p}");
        let h = render("http", &r, ORIGIN);
        assert!(h.starts_with("PUT /scim/v2/Users/1 HTTP/1.1\r\nHost: scim.example.com\r\n"), "{h:?}");
        assert!(h.ends_with("Content-Length: 23\r\n\r\n{\"userName\": \"o'brien\"}"), "{h:?}");
        assert!(!render("curl", &req("GET", "/Users/1"), ORIGIN).contains("--data-binary"));
    }
}
