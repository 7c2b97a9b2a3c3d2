//! The built-in page at `/` when no playground build is there to serve.
//!
//! It is built only from the profile (base path, endpoints), never from request data, and
//! every value is HTML-escaped because a profile may come from a user's file.

use scim_core::Profile;

/// The page listing the SCIM endpoints of `profile`, served at `origin`.
pub fn page(profile: &Profile, origin: &str) -> String {
    let base = format!("{origin}{}", profile.base_path);
    let mut endpoints: Vec<(String, String)> = profile
        .resource_types
        .iter()
        .map(|t| (format!("{base}{}", t.endpoint), format!("{} resources (RFC 7644 §3)", t.name)))
        .collect();
    for (ep, what) in [
        ("/ServiceProviderConfig", "service provider configuration (RFC 7644 §4)"),
        ("/Schemas", "schemas (RFC 7644 §4)"),
        ("/ResourceTypes", "resource types (RFC 7644 §4)"),
    ] {
        endpoints.push((format!("{base}{ep}"), what.to_string()));
    }
    let items: String = endpoints
        .iter()
        .map(|(url, what)| format!("      <li><code>{}</code> — {}</li>\n", escape(url), escape(what)))
        .collect();
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n  <meta charset=\"utf-8\">\n  <title>scim-mock</title>\n  \
         <style>body{{font-family:system-ui,sans-serif;max-width:46rem;margin:3rem auto;padding:0 1rem;line-height:1.5}}\
         code{{background:#f3f3f3;padding:.1rem .3rem;border-radius:3px}}</style>\n</head>\n<body>\n  \
         <h1>scim-mock</h1>\n  <p>An in-memory SCIM 2.0 service provider running profile <strong>{name}</strong>{title}.</p>\n  \
         <h2>SCIM endpoints</h2>\n    <ul>\n{items}    </ul>\n  \
         <p>Send <code>Content-Type: application/scim+json</code> with request bodies (RFC 7644 §3.1).</p>\n  \
         <h2>Playground</h2>\n  <p>The playground is not built yet. Run <code>cargo xtask serve</code> to build it and \
         serve it here, or pass <code>--static DIR</code>.</p>\n</body>\n</html>\n",
        name = escape(&profile.name),
        title = if profile.title.is_empty() { String::new() } else { format!(" ({})", escape(&profile.title)) },
    )
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_endpoints_and_escapes_profile_text() {
        let mut p = Profile::rfc();
        p.title = "<script>alert(1)</script>".into();
        let html = page(&p, "http://127.0.0.1:8080");
        assert!(html.contains("<code>http://127.0.0.1:8080/scim/v2/Users</code>"));
        assert!(html.contains("/scim/v2/ServiceProviderConfig"));
        assert!(html.contains("not built yet"));
        assert!(!html.contains("<script>"));
        assert!(html.contains("&lt;script&gt;"));
    }
}
