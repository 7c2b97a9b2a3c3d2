//! Behaviour profiles: everything that makes one SCIM service differ from another, as data.
//!
//! A [`Profile`] holds schemas, resource types, behaviour knobs, the id style and the base
//! path. The engine branches on knobs, never on a profile's name. Built-in profiles are JSON
//! files embedded at compile time; user-made ones are loaded with [`Profile::from_json`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::schema::Schema;

/// What PUT does with a readWrite attribute the body leaves out (RFC 7644 §3.5.1 lets the
/// server either clear it or keep/default it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub enum Omitted {
    /// The resource becomes exactly the body: omitted attributes are cleared.
    #[default]
    Clear,
    /// Omitted attributes keep their stored value (Ping, Veeva).
    Keep,
}

/// Attributes that no schema of the resource defines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub enum Unknown {
    /// 400 `invalidSyntax` naming the attribute.
    #[default]
    Reject,
    /// Dropped silently ("Invalid attributes are ignored": Veeva).
    Ignore,
}

/// An `id` in a PUT body that differs from the id in the path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub enum IdMismatch {
    /// `id` is readOnly (RFC 7643 §3.1): ignored like any readOnly value.
    #[default]
    Ignore,
    /// 400 `invalidValue`.
    Reject,
}

/// More than one `primary: true` in one multi-valued attribute (RFC 7643 §2.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub enum MultiplePrimary {
    #[default]
    Reject,
    /// The last value marked primary stays primary; the others lose the flag.
    KeepLast,
}

/// Booleans sent as strings (`"False"`, as Microsoft Entra does).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub enum StringBooleans {
    #[default]
    Reject,
    Coerce,
}

/// An extension attribute object whose URN is not listed in `schemas`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub enum MissingExtensionUrn {
    #[default]
    Reject,
    Accept,
}

/// Sub-attributes left out of a single-valued complex attribute in a PUT body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub enum ComplexReplace {
    /// The complex value is replaced whole (`name: {givenName}` drops `familyName`).
    #[default]
    Whole,
    /// Omitted sub-attributes keep their stored values.
    Merge,
}

/// The knobs on which real services disagree. Defaults are the RFC's reading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct Behaviour {
    pub omitted: Omitted,
    pub unknown_attributes: Unknown,
    pub id_mismatch: IdMismatch,
    pub multiple_primary: MultiplePrimary,
    pub string_booleans: StringBooleans,
    pub missing_extension_urn: MissingExtensionUrn,
    pub complex_replace: ComplexReplace,
    /// ETags and `meta.version` (RFC 7644 §3.14).
    pub versioning: bool,
    /// Reject request bodies whose Content-Type is not a JSON media type (415), and
    /// requests whose Accept excludes JSON (406).
    pub strict_media_types: bool,
}

impl Default for Behaviour {
    fn default() -> Self {
        Behaviour {
            omitted: Omitted::Clear,
            unknown_attributes: Unknown::Reject,
            id_mismatch: IdMismatch::Ignore,
            multiple_primary: MultiplePrimary::Reject,
            string_booleans: StringBooleans::Reject,
            missing_extension_urn: MissingExtensionUrn::Reject,
            complex_replace: ComplexReplace::Whole,
            versioning: true,
            strict_media_types: true,
        }
    }
}

/// How new resource ids are made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum IdStyle {
    /// From the server's [`crate::Ids`].
    #[default]
    Uuid,
    /// Decimal strings counting up from `start` (Veeva: `"93521"`).
    Numeric { start: u64 },
}

/// One schema extension of a resource type (RFC 7643 §6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SchemaExtension {
    pub schema: String,
    #[serde(default)]
    pub required: bool,
}

/// A resource type (RFC 7643 §6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResourceTypeDef {
    pub id: String,
    pub name: String,
    /// Relative to the base path, e.g. `/Users`.
    pub endpoint: String,
    #[serde(default)]
    pub description: String,
    pub schema: String,
    #[serde(default)]
    pub schema_extensions: Vec<SchemaExtension>,
    /// What `meta.resourceType` says (`User`, or Ping's `Users`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta_resource_type: Option<String>,
}

/// Media types (RFC 7644 §3.1, §8.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct Media {
    /// Content-Type of responses when the client's Accept allows either.
    pub default_response: String,
}

impl Default for Media {
    fn default() -> Self {
        Media { default_response: crate::http::SCIM_JSON.into() }
    }
}

/// How a client proves who it is. The mock enforces it only when a token or secret is
/// configured, so a built-in profile can document the vendor's scheme without forcing every
/// playground request to carry a credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase", tag = "kind", deny_unknown_fields)]
pub enum Auth {
    /// No authentication (the RFC leaves the scheme to the deployment, RFC 7644 §2).
    #[default]
    None,
    /// `Authorization: Bearer <token>` (RFC 6750 §2.1), as Ping documents.
    Bearer {
        /// The accepted token; `None` documents the scheme without enforcing it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        token: Option<String>,
    },
    /// A credential sent as the whole value of a header, with no scheme word: Veeva's
    /// `Authorization: {SESSION_ID}`.
    #[serde(rename_all = "camelCase")]
    RawHeader {
        /// The header carrying the credential.
        #[serde(default = "default_auth_header")]
        header: String,
        /// The accepted value; `None` documents the scheme without enforcing it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        secret: Option<String>,
        /// The `WWW-Authenticate` challenge sent with a 401 (HTTP requires one, RFC 9110
        /// §11.6.1); default `Session realm="SCIM"`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        challenge: Option<String>,
    },
}

fn default_auth_header() -> String {
    "Authorization".into()
}

impl Auth {
    /// Whether requests are checked: a scheme with a configured credential.
    pub fn is_enforced(&self) -> bool {
        match self {
            Auth::None => false,
            Auth::Bearer { token } => token.is_some(),
            Auth::RawHeader { secret, .. } => secret.is_some(),
        }
    }
}

/// A schema in a profile: a built-in one named by URN, or a full definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SchemaEntry {
    Builtin(String),
    Inline(Schema),
}

/// A behaviour profile as written in JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Profile {
    /// Short machine name (`rfc`, `veeva`, `ping`).
    pub name: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// Sources the behaviour is taken from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    /// Base path of the SCIM endpoints, e.g. `/scim/v2`; `{param}` segments match anything
    /// (Veeva's `/api/{version}/scim/v2`).
    #[serde(default = "default_base_path")]
    pub base_path: String,
    /// Values used for `{param}` segments when a request comes without the base path.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub base_path_defaults: BTreeMap<String, String>,
    #[serde(default)]
    pub behaviour: Behaviour,
    #[serde(default)]
    pub id_style: IdStyle,
    #[serde(default)]
    pub media: Media,
    /// How clients authenticate (enforced only with a configured credential).
    #[serde(default)]
    pub auth: Auth,
    pub schemas: Vec<SchemaEntry>,
    pub resource_types: Vec<ResourceTypeDef>,
    /// Resources present when a server starts with [`crate::Server::with_seed`], by resource
    /// type name (`"User"`), in the shape a GET returns. `id` and `meta.created` /
    /// `meta.lastModified` may be given (a seed can reproduce a vendor's documented user);
    /// readOnly attributes are taken as written, as a store snapshot would hold them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub seed: BTreeMap<String, Vec<Map<String, Value>>>,
}

pub(crate) fn default_base_path() -> String {
    "/scim/v2".into()
}

/// A profile that failed to load, with the field it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileError(pub String);

impl std::fmt::Display for ProfileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ProfileError {}

impl Profile {
    /// Whether `path` (without its query) lies under the base path, where `{param}`
    /// segments match any one segment (`/api/{version}/scim/v2` serves
    /// `/api/v24.1/scim/v2/Users`). A door uses it to tell SCIM requests from its other
    /// pages; the server itself also takes paths that leave the base path out.
    pub fn serves(&self, path: &str) -> bool {
        base_path_prefix(&self.base_path, path).is_some()
    }
}

/// When `path` starts with `base` (`{param}` segments match any one segment): the
/// number of path segments the base path takes.
pub(crate) fn base_path_prefix(base: &str, path: &str) -> Option<usize> {
    let path = path.split_once('?').map_or(path, |(p, _)| p);
    let mut segs = path.split('/').filter(|s| !s.is_empty());
    let mut n = 0;
    for b in base.split('/').filter(|s| !s.is_empty()) {
        let s = segs.next()?;
        if !((b.starts_with('{') && b.ends_with('}')) || b == s) {
            return None;
        }
        n += 1;
    }
    Some(n)
}
