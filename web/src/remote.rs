//! The "Your server" lane, as plain Rust (its view and `fetch` are in [`crate::remote_view`]):
//! a base URL checked before anything is sent, the host every request line shows, the
//! request the composer's intent becomes for a remote server (rendered in a dialect profile,
//! `rfc` unless the person picks another, with the dialect's base path taken off since the
//! base URL already names the SCIM root), the relay advice for a server that sends no CORS
//! headers, and the observed explanation of a write ([`scim_learn::observe`]) as rows.
//!
//! Nothing here holds the token: the view adds `Authorization` when it sends, so a request
//! kept here (history, Differences) never carries it.

use scim_core::Request;
use serde_json::Value;

use crate::draft::Draft;
use crate::lane::Lane;

/// The port the relay advice suggests.
pub const RELAY_PORT: u16 = 8090;

/// A base URL as the person typed it, checked: `http(s)://host[:port][/path]`, no query,
/// fragment or credentials, trailing `/` dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Base {
    /// `http://localhost:8000/scim/v2`.
    pub url: String,
    /// `localhost:8000`.
    pub host: String,
    /// `/scim/v2` (empty at the root).
    pub path: String,
}

impl Base {
    pub fn parse(input: &str) -> Result<Base, String> {
        let url = input.trim().trim_end_matches('/');
        let rest = url
            .strip_prefix("http://")
            .or_else(|| url.strip_prefix("https://"))
            .ok_or("The base URL must start with http:// or https:// (for example http://localhost:8000/scim/v2).")?;
        if url.contains(['?', '#', ' ']) {
            return Err("The base URL must be the SCIM root only: no query, fragment or spaces.".into());
        }
        let (host, path) = rest.split_once('/').map_or((rest, String::new()), |(h, p)| (h, format!("/{p}")));
        if host.is_empty() || host.contains('@') {
            return Err(
                "The base URL needs a host, without user:password@ (put a credential in the Authorization field)."
                    .into(),
            );
        }
        Ok(Base { url: url.to_string(), host: host.to_string(), path })
    }

    /// The absolute URL of a path relative to the SCIM root (`/Users/42`).
    pub fn join(&self, path: &str) -> String {
        format!("{}{}", self.url, path)
    }

    /// `PUT localhost:8000/scim/v2/Users/42`: what history and the request shown say.
    pub fn request_line(&self, method: &str, path: &str) -> String {
        format!("{method} {}{}{path}", self.host, self.path)
    }

    /// What to run, and the base URL to use instead, when the browser may not reach this
    /// server (no CORS headers, or nothing listening).
    pub fn relay_advice(&self) -> RelayAdvice {
        RelayAdvice {
            command: format!("scim-mock relay --to {} --port {RELAY_PORT}", self.url),
            url: format!("http://127.0.0.1:{RELAY_PORT}{}", self.path),
        }
    }
}

/// The relay command and the base URL the lane should use with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelayAdvice {
    pub command: String,
    pub url: String,
}

/// The `userName` a path's `{userName:NAME}` placeholder names, if any.
pub fn placeholder(path: &str) -> Option<(usize, usize, String)> {
    let start = path.find("{userName:")?;
    let len = path.get(start..)?.find('}')?;
    let name = path.get(start + "{userName:".len()..start + len)?;
    Some((start, start + len + 1, name.to_string()))
}

/// The filter request that finds a user's id by `userName` (RFC 7644 §3.4.2.2), relative to
/// the SCIM root.
pub fn lookup_path(user_name: &str) -> String {
    let quoted = user_name.replace('\\', "\\\\").replace('"', "\\\"");
    format!("/Users?filter={}", encode(&format!("userName eq \"{quoted}\"")))
}

/// The id in a list response's first resource.
pub fn first_id(list: &Value) -> Option<String> {
    list.get("Resources")?.get(0)?.get("id")?.as_str().map(str::to_string)
}

/// The request the composer's intent becomes for a remote lane, with a path relative to the
/// SCIM root: rendered by the dialect lane (its notes say what changed), or as written in
/// raw mode. `path` has its placeholder resolved already.
pub fn prepare(dialect: &Lane, draft: &Draft, path: &str) -> Result<(Request, Vec<String>), String> {
    let headers = draft.parse_headers()?;
    let mut d = draft.clone();
    d.path = path.to_string();
    let rendered = dialect.render(&d, &headers).map_err(|e| e.detail)?;
    let mut req = rendered.request;
    let base = dialect.profile().base_path.trim_end_matches('/');
    if !draft.raw && !base.is_empty() {
        if let Some(rest) = req.path.strip_prefix(base) {
            req.path = rest.to_string();
        }
    }
    if !req.path.starts_with('/') {
        req.path = format!("/{}", req.path);
    }
    req.headers.retain(|(n, _)| !n.eq_ignore_ascii_case("authorization"));
    Ok((req, rendered.notes))
}

/// The resource path a write targets (`/Users/42` for `/Users/42?attributes=x`); `None` for
/// a collection (a POST).
pub fn resource_path(path: &str) -> Option<String> {
    let bare = path.split_once('?').map_or(path, |(p, _)| p);
    let segments: Vec<&str> = bare.split('/').filter(|s| !s.is_empty()).collect();
    (segments.len() >= 2).then(|| bare.to_string())
}

/// One row of the observed explanation, in the words the engine's Explanation uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObservedRow {
    pub path: String,
    /// `replaced`, `kept omitted`, `cleared by null`...; `not observable` for writeOnly.
    pub outcome: String,
    /// `"Tour Guide" → (absent)`.
    pub change: String,
}

/// The observed explanation of a write: `before` and `after` are the GETs around it.
pub fn observed_rows(method: &str, sent: &Value, before: Option<&Value>, after: &Value) -> Vec<ObservedRow> {
    scim_learn::observe(method, sent, before, after)
        .into_iter()
        .map(|o| ObservedRow {
            outcome: o
                .outcome
                .map_or_else(|| "not observable (writeOnly)".to_string(), crate::explain_view::outcome_label),
            change: format!("{} → {}", short(o.before.as_ref()), short(o.after.as_ref())),
            path: o.path,
        })
        .collect()
}

fn short(v: Option<&Value>) -> String {
    match v {
        None => "(absent)".into(),
        Some(v) => {
            let s = v.to_string();
            if s.chars().count() > 60 { format!("{}…", s.chars().take(59).collect::<String>()) } else { s }
        }
    }
}

/// Percent-encodes everything but unreserved characters (RFC 3986 §2.3).
fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A learned profile's `basePath` becomes the path of the base URL it was learned at (cited
/// in `knobSources`), as `scim-mock learn` does, so `scim-mock serve --profile` of the
/// downloaded file answers where the server does.
pub fn learned_at(profile: &mut Value, base: &Base) {
    let Value::Object(o) = profile else { return };
    o.insert("basePath".into(), Value::String(base.path.clone()));
    if let Some(Value::Object(sources)) = o.get_mut("knobSources") {
        sources.insert(
            "basePath".into(),
            serde_json::json!({"basis": "inferred", "url": base.url, "quote": "the base URL the server was learned at"}),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_learned_profile_answers_where_the_server_was_learned() {
        let mut server = scim_core::Server::new(scim_core::Profile::rfc()).unwrap();
        let mut learner = scim_learn::Learner::new("t2", "api.example.test");
        while let Some(mut req) = learner.next_request() {
            req.path = format!("/scim/v2{}", req.path);
            learner.feed(server.handle(&req));
        }
        let mut profile = learner.result().unwrap().profile.clone();
        learned_at(&mut profile, &Base::parse("http://api.example.test/tenant/scim").unwrap());
        assert_eq!(profile["knobSources"]["basePath"]["url"], "http://api.example.test/tenant/scim");
        let custom = crate::catalog::load_custom(&profile.to_string(), crate::catalog::Origin::Learned).unwrap();
        assert_eq!(custom.choice.profile.base_path, "/tenant/scim");
        let mut pg = crate::playground::Playground::default();
        pg.open_custom(1, custom);
        pg.send(&Draft::default()).unwrap();
        let x = pg.lanes[1].last.as_ref().unwrap();
        assert!(x.request_line.starts_with("PUT /tenant/scim/Users/"), "{}", x.request_line);
        assert_eq!(x.response.status, 200);
        crate::catalog::set_custom(Vec::new());
    }

    #[test]
    fn base_urls_are_checked_and_split() {
        let b = Base::parse(" http://localhost:8000/scim/v2/ ").unwrap();
        assert_eq!(b.url, "http://localhost:8000/scim/v2");
        assert_eq!(b.host, "localhost:8000");
        assert_eq!(b.path, "/scim/v2");
        assert_eq!(b.request_line("PUT", "/Users/42"), "PUT localhost:8000/scim/v2/Users/42");
        assert_eq!(b.join("/Users"), "http://localhost:8000/scim/v2/Users");
        assert_eq!(Base::parse("https://scim.example.com").unwrap().path, "");
        for bad in ["localhost:8000", "ftp://x", "http://", "http://u:p@x/scim", "http://x/scim?a=1"] {
            assert!(Base::parse(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn relay_advice_is_the_exact_command_and_the_url_to_use() {
        let a = Base::parse("https://scim.example.com/scim/v2").unwrap().relay_advice();
        assert_eq!(a.command, "scim-mock relay --to https://scim.example.com/scim/v2 --port 8090");
        assert_eq!(a.url, "http://127.0.0.1:8090/scim/v2");
    }

    #[test]
    fn placeholders_are_looked_up_by_filter() {
        assert_eq!(placeholder("/Users/{userName:bjensen}"), Some((7, 25, "bjensen".into())));
        assert_eq!(placeholder("/Users/42"), None);
        assert_eq!(lookup_path("a\"b"), "/Users?filter=userName%20eq%20%22a%5C%22b%22");
        assert_eq!(first_id(&json!({"Resources": [{"id": "7"}]})), Some("7".into()));
        assert_eq!(first_id(&json!({"Resources": []})), None);
    }

    #[test]
    fn the_intent_is_rendered_in_the_dialect_relative_to_the_root_and_without_credentials() {
        let draft = Draft {
            method: "PUT".into(),
            path: "/Users/{userName:bjensen}".into(),
            headers: "Authorization: Bearer secret\nContent-Type: application/scim+json".into(),
            body: r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bjensen"}"#.into(),
            raw: false,
        };
        let lane = Lane::new("rfc");
        let (req, _) = prepare(&lane, &draft, "/Users/abc").unwrap();
        assert_eq!(req.method, "PUT");
        assert_eq!(req.path, "/Users/abc");
        assert!(req.header_value("authorization").is_none(), "{:?}", req.headers);
        let body: Value = serde_json::from_slice(&req.body).unwrap();
        assert_eq!(body["userName"], "bjensen");
        assert_eq!(resource_path("/Users/abc?x=1").as_deref(), Some("/Users/abc"));
        assert_eq!(resource_path("/Users"), None);
    }

    #[test]
    fn observed_rows_use_the_engines_words() {
        let before = json!({"id": "1", "userName": "a", "title": "T"});
        let after = json!({"id": "1", "userName": "a"});
        let rows = observed_rows("PUT", &json!({"userName": "a", "password": "x"}), Some(&before), &after);
        let find = |p: &str| rows.iter().find(|r| r.path == p).map(|r| r.outcome.clone());
        assert_eq!(find("title").as_deref(), Some("cleared omitted"));
        assert_eq!(find("userName").as_deref(), Some("unchanged"));
        assert_eq!(find("password").as_deref(), Some("not observable (writeOnly)"));
        assert_eq!(rows.iter().find(|r| r.path == "title").map(|r| r.change.as_str()), Some("\"T\" → (absent)"));
    }
}
