//! # scim-core
//!
//! A sans-IO, in-memory SCIM 2.0 service provider (RFC 7643, RFC 7644) whose PUT replace
//! semantics are driven by a behaviour [`Profile`]. One entry point, [`Server::handle`],
//! serves every door: the native HTTP server, the wasm facade, the leptos playground and the
//! tests.
//!
//! Built-in profiles (`rfc`, `veeva`, `ping`, `idp-compat`, `strict-clear` and thirteen
//! vendor and standard profiles such as `aws`, `entra`, `slack`, `interop`; see
//! [`Profile::builtins`]) are JSON data citing the source of each knob ([`Profile::knobs`]);
//! [`Profile::derive`] changes knobs of one,
//! [`Profile::to_json`] exports a self-contained copy, [`Server::load_seed`] starts with the
//! users the vendors document, [`compare()`] sends one request to two servers and diffs
//! the answers attribute by attribute, [`compare_all()`] sends one request to every profile
//! at once (one row per profile, one word per attribute), and [`Server::render`] rewrites a request written for
//! any profile into one server's dialect (base path, schema URNs, ids, `Authorization`
//! header) so that servers are compared on what they do, not on how they spell it.
//!
//! Beside POST, GET, PUT and DELETE it serves PATCH (RFC 7644 §3.5.2), listing with filters,
//! sorting and paging plus `.search` (§3.4.2–§3.4.3), Groups with membership derived into a
//! user's `groups` (RFC 7643 §4.2) and discovery generated from the profile (RFC 7644 §4).
//! Bulk (§3.7) and `/Me` (§3.11) answer 501.
//!
//! This is the whole public surface: every door (the HTTP server, the wasm package, the
//! playground) works through [`Server`] and these types, and owns no SCIM logic. Time and
//! ids come from the core's [`Clock`] and [`Ids`]; a door that has a platform clock hands
//! in a function that reads it.
//!
//! ```
//! use scim_core::{Profile, Request, Server};
//! use serde_json::json;
//!
//! let mut server = Server::new(Profile::rfc()).unwrap();
//! let created = server.handle(&Request::new("POST", "/scim/v2/Users").json(&json!({
//!     "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
//!     "userName": "bjensen", "title": "Tour Guide"
//! })));
//! assert_eq!(created.status, 201);
//! let id = created.json()["id"].as_str().unwrap().to_string();
//! // RFC profile: PUT clears what the body leaves out (title).
//! let put = server.handle(&Request::new("PUT", &format!("/scim/v2/Users/{id}")).json(&json!({
//!     "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "bjensen"
//! })));
//! assert_eq!(put.status, 200);
//! assert!(put.json().get("title").is_none());
//! ```
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

mod atlas;
mod auth;
mod clock;
mod compare;
mod compiled;
mod discovery;
mod error;
mod explain;
mod filter;
mod fit;
mod groups;
mod http;
mod intent;
mod json;
mod list;
mod patch;
mod profile;
mod project;
mod quirks;
mod replace;
mod resource;
mod schema;
mod seed;
mod server;
mod store;
mod time;
mod value;

pub use atlas::{AllProfiles, ProfileRow, Verdict, compare_all};
pub use clock::{Clock, Ids, Millis};
pub use compare::{Comparison, Diff, DiffEntry, DiffKind, Section, compare, diff_responses};
pub use error::{ScimError, ScimType};
pub use explain::{Entry, Explanation, Outcome};
pub use http::{Request, Response, reason_phrase};
pub use intent::{AUTH_PLACEHOLDER, Rendered};
pub use profile::knobs::Knob;
pub use profile::load::ProfileInfo;
pub use profile::types::{
    Auth, Basis, Behaviour, ComplexReplace, Deactivated, DeleteMode, IdMismatch, IdStyle, IfMatchUnversioned,
    KnobSource, ListKey, MemberDisplay, MemberReferences, MissingExtensionUrn, MultiplePrimary, Omitted, Paging,
    PatchResponse, Profile, ProfileError, StringBooleans, Unknown, UnsupportedFilter,
};
pub use server::{Changes, Seed, SeedReport, Server};

/// Parses JSON text: the same values and the same errors (with line and column) as
/// `serde_json::from_str`, but through the byte reader that request bodies use
/// (`serde_json::from_slice`). Every parser serde_json generates is generic over its reader,
/// so one reader everywhere means one copy of each parser in a wasm build, not two.
pub fn from_json_str<T: serde::de::DeserializeOwned>(text: &str) -> serde_json::Result<T> {
    serde_json::from_slice(text.as_bytes())
}
