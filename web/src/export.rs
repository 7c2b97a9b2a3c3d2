//! "Export as": the composer's request as a cURL command, a `fetch` call, Python `requests`
//! code, or raw HTTP/1.1, aimed at a placeholder host so it can be pasted and edited.

use crate::draft::Draft;

/// Where exported requests point; the person replaces it with their service.
pub const BASE_URL: &str = "https://scim.example.com/scim/v2";

/// (id, label) for the picker.
pub const KINDS: &[(&str, &str)] =
    &[("curl", "cURL"), ("fetch", "fetch (JavaScript)"), ("python", "Python (requests)"), ("http", "Raw HTTP")];

/// Renders `draft` with its path already resolved (`path`).
pub fn render(kind: &str, draft: &Draft, path: &str) -> String {
    let method = draft.method.trim().to_ascii_uppercase();
    let url = format!("{BASE_URL}{path}");
    let headers = draft.parse_headers().unwrap_or_default();
    let body = draft.sends_body().then_some(draft.body.as_str()).filter(|b| !b.trim().is_empty());
    match kind {
        "curl" => {
            let mut s = format!("curl -X {method} {}", shell(&url));
            for (n, v) in &headers {
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
            for (n, v) in &headers {
                s.push_str(&format!("        {}: {},\n", py(n), py(v)));
            }
            s.push_str("    },\n");
            if let Some(b) = body {
                s.push_str(&format!("    data={},\n", py(b)));
            }
            s.push_str(")\nprint(response.status_code, response.text)");
            s
        }
        _ => {
            let mut s = format!("{method} /scim/v2{path} HTTP/1.1\r\nHost: scim.example.com\r\n");
            for (n, v) in &headers {
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

    fn draft() -> Draft {
        Draft {
            method: "put".into(),
            path: "/Users/{userName:x}".into(),
            headers: "Content-Type: application/scim+json".into(),
            body: "{\"userName\": \"o'brien\"}".into(),
            raw: false,
        }
    }

    #[test]
    fn curl_quotes_for_the_shell() {
        let s = render("curl", &draft(), "/Users/1");
        assert!(s.starts_with("curl -X PUT 'https://scim.example.com/scim/v2/Users/1'"), "{s}");
        assert!(s.contains("-H 'Content-Type: application/scim+json'"));
        assert!(s.contains(r#"--data-binary '{"userName": "o'\''brien"}'"#), "{s}");
    }

    #[test]
    fn fetch_python_and_raw_http_carry_method_headers_body() {
        let f = render("fetch", &draft(), "/Users/1");
        assert!(f.contains("method: \"PUT\"") && f.contains("\"Content-Type\": \"application/scim+json\""), "{f}");
        assert!(f.contains(r#"body: "{\"userName\": \"o'brien\"}""#), "{f}");
        let p = render("python", &draft(), "/Users/1");
        assert!(p.contains("requests.request(\n    \"PUT\""), "{p}");
        let h = render("http", &draft(), "/Users/1");
        assert!(h.starts_with("PUT /scim/v2/Users/1 HTTP/1.1\r\n"));
        assert!(h.ends_with("Content-Length: 23\r\n\r\n{\"userName\": \"o'brien\"}"), "{h:?}");
        let mut get = draft();
        get.method = "GET".into();
        assert!(!render("curl", &get, "/Users/1").contains("--data-binary"));
    }
}
