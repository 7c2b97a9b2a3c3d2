//! SCIM errors as values (RFC 7644 §3.12).
//!
//! Every failure the engine can produce is a [`ScimError`]: an HTTP status, an optional
//! `scimType` keyword and a `detail` sentence that names the attribute (and, for JSON
//! syntax errors, the line and column) so a person can act on it.
//!
//! A detail quotes input (an attribute name, a filter, a path) so it stays short: at most
//! [`MAX_DETAIL`] bytes, longer ones cut in the middle (the start names what failed, the
//! end says what to do), so a 200 KB attribute name does not come back as a 200 KB answer.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::http::Response;

/// The URN of the SCIM error message schema (RFC 7644 §3.12).
pub(crate) const ERROR_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

/// `scimType` keywords of RFC 7644 §3.12, table 9.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ScimType {
    InvalidFilter,
    TooMany,
    Uniqueness,
    Mutability,
    InvalidSyntax,
    InvalidPath,
    NoTarget,
    InvalidValue,
    InvalidVers,
    Sensitive,
    /// RFC 9865 §4: a `cursor` the server did not issue.
    InvalidCursor,
}

impl ScimType {
    /// The keyword as it appears on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            ScimType::InvalidFilter => "invalidFilter",
            ScimType::TooMany => "tooMany",
            ScimType::Uniqueness => "uniqueness",
            ScimType::Mutability => "mutability",
            ScimType::InvalidSyntax => "invalidSyntax",
            ScimType::InvalidPath => "invalidPath",
            ScimType::NoTarget => "noTarget",
            ScimType::InvalidValue => "invalidValue",
            ScimType::InvalidVers => "invalidVers",
            ScimType::Sensitive => "sensitive",
            ScimType::InvalidCursor => "invalidCursor",
        }
    }
}

/// One SCIM error: rendered as the RFC 7644 §3.12 body by [`ScimError::to_json`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScimError {
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scim_type: Option<ScimType>,
    pub detail: String,
    /// For 405: the methods the endpoint allows, sent as the `Allow` header (RFC 9110
    /// §15.5.6). Not part of the RFC 7644 §3.12 body.
    #[serde(skip)]
    pub allow: Option<String>,
}

/// The longest `detail` a [`ScimError`] carries, in bytes.
pub const MAX_DETAIL: usize = 1024;

/// At most 100 characters of `s`, with `…` when cut: how a detail quotes a long input.
pub(crate) fn excerpt(s: &str) -> String {
    let mut out: String = s.chars().take(100).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}

/// A detail of at most [`MAX_DETAIL`] bytes: the first 600 and the last 300 (on character
/// boundaries) around ` … `.
fn bounded(detail: String) -> String {
    if detail.len() <= MAX_DETAIL {
        return detail;
    }
    let mut head = 600;
    while !detail.is_char_boundary(head) {
        head -= 1;
    }
    let mut tail = detail.len() - 300;
    while !detail.is_char_boundary(tail) {
        tail += 1;
    }
    format!("{} … {}", detail.get(..head).unwrap_or_default(), detail.get(tail..).unwrap_or_default())
}

impl ScimError {
    /// An error; a `detail` over 1024 bytes is cut in the middle.
    pub fn new(status: u16, scim_type: Option<ScimType>, detail: impl Into<String>) -> Self {
        ScimError { status, scim_type, detail: bounded(detail.into()), allow: None }
    }

    /// 400 with a `scimType`.
    pub fn bad_request(scim_type: ScimType, detail: impl Into<String>) -> Self {
        Self::new(400, Some(scim_type), detail)
    }

    pub fn invalid_value(detail: impl Into<String>) -> Self {
        Self::bad_request(ScimType::InvalidValue, detail)
    }

    pub fn invalid_syntax(detail: impl Into<String>) -> Self {
        Self::bad_request(ScimType::InvalidSyntax, detail)
    }

    pub fn mutability(detail: impl Into<String>) -> Self {
        Self::bad_request(ScimType::Mutability, detail)
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(404, None, detail)
    }

    pub fn uniqueness(detail: impl Into<String>) -> Self {
        Self::new(409, Some(ScimType::Uniqueness), detail)
    }

    /// A JSON syntax error, with line and column from serde_json.
    pub fn from_json_error(e: &serde_json::Error) -> Self {
        Self::invalid_syntax(format!(
            "The request body is not valid JSON: {} (line {}, column {}).",
            strip_position(&e.to_string()),
            e.line(),
            e.column()
        ))
    }

    /// The RFC 7644 §3.12 body; `status` is a string there.
    pub fn to_json(&self) -> Value {
        let mut body = json!({
            "schemas": [ERROR_SCHEMA],
            "status": self.status.to_string(),
        });
        if let (Some(t), Some(obj)) = (self.scim_type, body.as_object_mut()) {
            obj.insert("scimType".into(), Value::String(t.as_str().into()));
        }
        if let Some(obj) = body.as_object_mut() {
            obj.insert("detail".into(), Value::String(self.detail.clone()));
        }
        body
    }
}

impl ScimError {
    /// The error as a response: its status, `Content-Type: application/scim+json`, the
    /// `Allow` header of a 405, and the RFC 7644 §3.12 body. What every door answers with
    /// for an error of its own (a body too large, a credential missing).
    pub fn to_response(&self) -> Response {
        self.to_response_as(crate::http::SCIM_JSON)
    }

    pub(crate) fn to_response_as(&self, media: &str) -> Response {
        let mut headers = vec![("Content-Type".to_string(), media.to_string())];
        if let Some(allow) = &self.allow {
            headers.push(("Allow".into(), allow.clone()));
        }
        Response { status: self.status, headers, body: self.to_json().to_string(), ..Response::default() }
    }
}

impl std::fmt::Display for ScimError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.scim_type {
            Some(t) => write!(f, "{} {}: {}", self.status, t.as_str(), self.detail),
            None => write!(f, "{}: {}", self.status, self.detail),
        }
    }
}

impl std::error::Error for ScimError {}

/// serde_json appends " at line L column C"; we print the position ourselves.
pub(crate) fn strip_position(msg: &str) -> &str {
    match msg.rfind(" at line ") {
        Some(i) => msg.get(..i).unwrap_or(msg),
        None => msg,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_are_bounded_on_character_boundaries() {
        let long = format!("Attribute '{}' is not defined (RFC 7643 §2).", "é".repeat(100_000));
        let e = ScimError::invalid_syntax(long);
        assert!(e.detail.len() <= MAX_DETAIL, "{}", e.detail.len());
        assert!(e.detail.starts_with("Attribute 'éé") && e.detail.ends_with("(RFC 7643 §2)."), "{}", e.detail);
        assert_eq!(ScimError::invalid_syntax("short").detail, "short");
        assert_eq!(excerpt(&"x".repeat(150)).chars().count(), 101);
    }
}
