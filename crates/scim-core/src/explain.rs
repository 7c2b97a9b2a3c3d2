//! The explanation: an attribute-by-attribute account of what a write did and why.
//!
//! Every PUT, POST and PATCH yields one, on success and on failure: PUT and POST attribute by
//! attribute (RFC 7644 §3.5.1, §3.3), PATCH per operation and attribute (§3.5.2). The
//! playground shows it so a user sees which rule decided each attribute: an RFC section or a
//! profile knob.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What happened to one attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Outcome {
    /// The body set a value where there was none.
    Added,
    /// The body's value replaced a different stored value.
    Replaced,
    /// The body's value equals the stored one.
    Unchanged,
    /// `null` in the body cleared the attribute.
    ClearedByNull,
    /// `[]` in the body cleared the multi-valued attribute.
    ClearedByEmptyArray,
    /// A PATCH `remove` (or a `replace` with nothing) took the value away (RFC 7644 §3.5.2.2).
    Removed,
    /// Left out of the body; the profile clears omitted attributes.
    ClearedOmitted,
    /// Left out of the body; the profile keeps omitted attributes.
    KeptOmitted,
    /// A writeOnly attribute (password) left out of the body is kept.
    KeptWriteOnly,
    /// An immutable attribute left out of the body is kept.
    KeptImmutable,
    /// readOnly: the server owns it; the body's value was ignored.
    IgnoredReadOnly,
    /// No schema defines it; the profile ignores unknown attributes.
    IgnoredUnknown,
    /// A value was converted (string boolean, duplicate primary) as the profile allows.
    Coerced,
    /// Rejected: immutable and the body's value differs (RFC 7643 §7).
    RejectedImmutable,
    /// Rejected: wrong JSON type for the attribute.
    RejectedType,
    /// Rejected: required and missing after the replace.
    RejectedRequired,
    /// Rejected: unknown attribute under a strict profile.
    RejectedUnknown,
    /// Rejected: another resource has this unique value.
    RejectedUniqueness,
    /// Rejected: more than one `primary: true`.
    RejectedPrimary,
    /// Rejected: body `id` differs from the path under a strict profile.
    RejectedIdMismatch,
    /// Rejected: `schemas` is missing or inconsistent with the body.
    RejectedSchemas,
}

impl Outcome {
    pub fn is_rejection(self) -> bool {
        matches!(
            self,
            Outcome::RejectedImmutable
                | Outcome::RejectedType
                | Outcome::RejectedRequired
                | Outcome::RejectedUnknown
                | Outcome::RejectedUniqueness
                | Outcome::RejectedPrimary
                | Outcome::RejectedIdMismatch
                | Outcome::RejectedSchemas
        )
    }
}

/// One line of the explanation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    /// Attribute path in schema spelling (`name`, `emails`,
    /// `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department`).
    pub path: String,
    pub outcome: Outcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new: Option<Value>,
    /// The RFC section or profile knob that decided it (`RFC 7644 §3.5.1`,
    /// `behaviour.omitted = keep`).
    pub rule: String,
    /// A sentence for people, when there is more to say.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// The whole account of one request.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Explanation {
    /// The operation (`PUT /Users/{id}`).
    pub operation: String,
    /// The profile that served it.
    pub profile: String,
    pub entries: Vec<Entry>,
    /// Remarks about the request as a whole.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Set by [`Explanation::off`]: nothing is recorded (see there).
    #[serde(skip)]
    off: bool,
}

impl Explanation {
    pub fn new(operation: impl Into<String>, profile: impl Into<String>) -> Self {
        Explanation {
            operation: operation.into(),
            profile: profile.into(),
            entries: Vec::new(),
            notes: Vec::new(),
            off: false,
        }
    }

    /// An explanation that records nothing, for doors that throw it away (the HTTP server):
    /// [`Explanation::push`] neither copies values nor keeps entries, which saves a good part
    /// of a PUT's work. Only a scratch entry for the caller's note is held; a server that
    /// explains nothing drops the whole value before answering ([`crate::Server::set_explain`]).
    pub fn off() -> Self {
        Explanation { off: true, ..Explanation::default() }
    }

    /// Whether entries are recorded (see [`Explanation::off`]).
    pub fn is_on(&self) -> bool {
        !self.off
    }

    pub fn push(
        &mut self,
        path: impl Into<String>,
        outcome: Outcome,
        old: Option<&Value>,
        new: Option<&Value>,
        rule: impl Into<String>,
    ) -> &mut Entry {
        if self.off {
            return self.push_owned(path, outcome, None, None, rule);
        }
        self.push_owned(path, outcome, old.cloned(), new.cloned(), rule)
    }

    /// [`Explanation::push`] for values the caller already owns (no second copy).
    pub fn push_owned(
        &mut self,
        path: impl Into<String>,
        outcome: Outcome,
        old: Option<Value>,
        new: Option<Value>,
        rule: impl Into<String>,
    ) -> &mut Entry {
        let entry = if self.off {
            // One scratch entry, so callers can still set its note; nothing is copied.
            self.entries.clear();
            Entry { path: String::new(), outcome, old: None, new: None, rule: String::new(), note: String::new() }
        } else {
            Entry { path: path.into(), outcome, old, new, rule: rule.into(), note: String::new() }
        };
        self.entries.push(entry);
        let last = self.entries.len() - 1;
        // In bounds: an entry was pushed on the line above.
        #[allow(clippy::indexing_slicing)]
        &mut self.entries[last]
    }

    /// The entry for a path, if any.
    pub fn get(&self, path: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.path == path)
    }
}
