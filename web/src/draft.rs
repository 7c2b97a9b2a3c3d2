//! The composer's draft: one request as the person wrote it, the body editor's live JSON
//! verdict, and header parsing. A leaf: it imports nothing else of this crate (the default
//! draft is the minimal template, so `impl Default for Draft` lives in `templates`).

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Methods offered by the composer (RFC 7644 §3.2).
pub const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/// What the composer holds: one request as the person wrote it. `Draft::default()` is the
/// minimal template (see `templates`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Draft {
    pub method: String,
    /// Path relative to the base path (`/Users/{id}`); may hold `{userName:NAME}`.
    pub path: String,
    /// `Name: value`, one header a line.
    pub headers: String,
    pub body: String,
    /// Raw mode: the path's placeholders are resolved, nothing else is rewritten; headers and
    /// body go to every lane exactly as written. Otherwise the draft is an intent that each
    /// lane renders in its own dialect ([`scim_core::Server::render`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub raw: bool,
}

/// The body editor's live verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyCheck {
    Empty,
    Valid,
    /// serde_json's message with its 1-based line and column.
    Invalid {
        line: usize,
        column: usize,
        message: String,
    },
}

impl BodyCheck {
    pub fn of(body: &str) -> BodyCheck {
        if body.trim().is_empty() {
            return BodyCheck::Empty;
        }
        match serde_json::from_str::<Value>(body) {
            Ok(_) => BodyCheck::Valid,
            Err(e) => {
                let full = e.to_string();
                // serde_json appends " at line L column C"; we show those separately.
                let message = full.split(" at line ").next().unwrap_or(&full).to_string();
                BodyCheck::Invalid { line: e.line(), column: e.column(), message }
            }
        }
    }

    /// One sentence for the status line under the editor.
    pub fn describe(&self) -> String {
        match self {
            BodyCheck::Empty => "No body.".into(),
            BodyCheck::Valid => "Valid JSON.".into(),
            BodyCheck::Invalid { line, column, message } => format!("Line {line}, column {column}: {message}"),
        }
    }
}

impl Draft {
    /// Headers as pairs; a non-blank line without a colon is an error naming the line.
    pub fn parse_headers(&self) -> Result<Vec<(String, String)>, String> {
        let mut out = Vec::new();
        for (i, line) in self.headers.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            match line.split_once(':') {
                Some((name, value)) if !name.trim().is_empty() && !name.trim().contains(' ') => {
                    out.push((name.trim().to_string(), value.trim().to_string()));
                }
                _ => return Err(format!("Header line {} is not `Name: value`: {line:?}", i + 1)),
            }
        }
        Ok(out)
    }

    /// Whether this method carries a body.
    pub fn sends_body(&self) -> bool {
        matches!(self.method.to_ascii_uppercase().as_str(), "POST" | "PUT" | "PATCH")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_check_reports_line_and_column() {
        assert_eq!(BodyCheck::of("  "), BodyCheck::Empty);
        assert_eq!(BodyCheck::of("{\"a\": 1}"), BodyCheck::Valid);
        match BodyCheck::of("{\n  \"a\": 1,\n  \"b\" 2\n}") {
            BodyCheck::Invalid { line, column, message } => {
                assert_eq!((line, column), (3, 7));
                assert!(message.contains("expected `:`"), "{message}");
            }
            other => panic!("expected invalid, got {other:?}"),
        }
        assert!(BodyCheck::of("{").describe().starts_with("Line 1, column 1:"));
    }

    #[test]
    fn headers_parse_and_errors_name_the_line() {
        let mut d = Draft {
            method: "GET".into(),
            path: "/Users".into(),
            headers: "Accept: application/json\n\nIf-Match: W/\"1\"".into(),
            body: String::new(),
            raw: false,
        };
        assert_eq!(
            d.parse_headers().unwrap(),
            vec![("Accept".into(), "application/json".into()), ("If-Match".into(), "W/\"1\"".into())]
        );
        d.headers = "Accept: x\nnot a header".into();
        assert!(d.parse_headers().unwrap_err().contains("line 2"));
    }
}
