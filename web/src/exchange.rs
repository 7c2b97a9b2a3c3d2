//! One request as a lane answered it, and the status line (`200 OK`) the lanes, the
//! history and the Differences table show.

use scim_core::{Request, Response};
use serde_json::Value;

/// One request as a lane resolved and answered it.
#[derive(Debug, Clone, PartialEq)]
pub struct Exchange {
    /// `PUT /scim/v2/Users/00000000-…`: the method and path as sent.
    pub request_line: String,
    /// The exact request the lane's server received (after rendering, or as written in raw
    /// mode); `None` when it never got that far (a placeholder naming nobody).
    pub sent: Option<Request>,
    /// What rendering the intent for this lane rewrote, one sentence each.
    pub notes: Vec<String>,
    /// What the person can do about this answer, when there is something to say (a user
    /// an earlier request renamed or deleted).
    pub hint: Option<String>,
    /// The target resource as it was before a PUT, PATCH or DELETE (what the Differences
    /// table uses to tell the seed data's differences from the request's).
    pub before: Option<Value>,
    pub response: Response,
}

impl Exchange {
    /// `200 OK`.
    pub fn status_text(&self) -> String {
        status_text(self.response.status)
    }

    /// The body pretty-printed (as sent when it is not JSON).
    pub fn pretty_body(&self) -> String {
        if self.response.body.is_empty() {
            return String::new();
        }
        match serde_json::from_str::<Value>(&self.response.body) {
            Ok(v) => serde_json::to_string_pretty(&v).unwrap_or_else(|_| self.response.body.clone()),
            Err(_) => self.response.body.clone(),
        }
    }
}

/// `200 OK`; only the number when scim-core knows no reason phrase for it.
pub fn status_text(status: u16) -> String {
    Response { status, ..Response::default() }.status_text()
}
