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

/// What a successful PATCH answers (RFC 7644 §3.5.2 allows either).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub enum PatchResponse {
    /// 200 with the resource.
    #[default]
    Resource,
    /// 204 No Content (Microsoft Entra's SCIM API).
    NoContent,
    /// 200 with an empty JSON object `{}` (Google Cloud Identity).
    EmptyObject,
}

/// What DELETE does to a resource that has an `active` attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub enum DeleteMode {
    /// The resource is removed (RFC 7644 §3.6).
    #[default]
    Delete,
    /// The resource stays with `active: false` (Slack, Salesforce); resources without an
    /// `active` attribute are still removed.
    Deactivate,
}

/// How a resource with `active: false` answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub enum Deactivated {
    /// Like any other resource.
    #[default]
    Visible,
    /// 404 to every request naming it, and left out of lists (Atlassian, PingFederate).
    NotFound,
}

/// `If-Match` on a write when `versioning` is off (RFC 7644 §3.14).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub enum IfMatchUnversioned {
    /// The header is ignored.
    #[default]
    Ignore,
    /// 412: no version can match.
    Reject,
}

/// How a list is paged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub enum Paging {
    /// `startIndex` and `count` (RFC 7644 §3.4.2.4).
    #[default]
    Index,
    /// `cursor` and `count`, answered with `nextCursor` (RFC 9865); `startIndex` is ignored.
    Cursor,
    /// No paging: `startIndex`, `count` and `cursor` are ignored; the whole result (up to
    /// `maxPageSize`) comes back.
    None,
}

/// A filter using an operator or attribute the service does not support.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub enum UnsupportedFilter {
    /// 400 `invalidFilter` naming what is unsupported.
    #[default]
    Reject,
    /// 200 with an empty list (Snowflake before bundle 2026_03).
    EmptyList,
}

/// `behaviour.maxPageSize` when a profile leaves it out: the engine's own cap on one list
/// response (the list module's `MAX_RESULTS`; a test holds the two equal).
pub const DEFAULT_MAX_PAGE_SIZE: usize = 1000;

/// The key of the resources in a ListResponse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum ListKey {
    /// `Resources`, as RFC 7644 §3.4.2 spells it.
    #[default]
    #[serde(rename = "Resources")]
    Capitalized,
    /// `resources` (Microsoft Entra's and Google's examples).
    #[serde(rename = "resources")]
    Lowercase,
}

/// What a Group write does with a member `value` that names no resource the service holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub enum MemberReferences {
    /// 400 `invalidValue`: RFC 7643 §4.2 makes `value` the "identifier of the member", a
    /// SCIM resource (`$ref` "the URI corresponding to a SCIM resource"), so a value that
    /// names none is an invalid value (RFC 7644 §3.12).
    #[default]
    Checked,
    /// Stored as sent: the RFC nowhere requires the service to verify that the member
    /// exists (a client may provision the group before its members); a member it does not
    /// hold keeps the `type` it was sent with and gets no derived `display` or `$ref`.
    Accepted,
}

/// Where a Group member's `display` comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub enum MemberDisplay {
    /// Filled by the service from the member's `displayName` (else `userName`), whatever
    /// the client sent: RFC 7643 §8.7.1 marks `members.display` readOnly, and RFC 7643
    /// §2.4 calls it "a human-readable name".
    #[default]
    Derived,
    /// What the client sent, or nothing: the service stores `display` as written, as
    /// clients that read back what they wrote expect (RFC 7643 §2.4 gives `display` no
    /// source; scim2-tester checks it this way).
    Echoed,
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
    /// What a successful PATCH answers.
    pub patch_response: PatchResponse,
    /// What DELETE does to a resource with an `active` attribute.
    pub delete_mode: DeleteMode,
    /// How a resource with `active: false` answers.
    pub deactivated: Deactivated,
    /// Whether endpoint names in paths must match the profile's spelling exactly (`/Users`
    /// vs `/users`); discovery endpoints included.
    pub case_sensitive_paths: bool,
    /// `If-Match` on a write when `versioning` is off.
    pub if_match_unversioned: IfMatchUnversioned,
    /// The status of a method a resource type does not support (`methods`): 405 (RFC 9110
    /// §15.5.6), 501, 400 or 404.
    pub unsupported_method_status: u16,
    /// Whether `sortBy` is honoured; when off it is ignored.
    pub sorting: bool,
    /// How lists are paged.
    pub paging: Paging,
    /// Resources per page when the request gives no `count`; `None`: all (up to
    /// `maxPageSize`).
    pub default_page_size: Option<usize>,
    /// The most resources one page holds; a larger `count` is cut to it.
    pub max_page_size: usize,
    /// Filter operators supported (`eq`, `sw`, `and`, `or`, `not`, `pr`, ...); `None`: all.
    pub filter_operators: Option<Vec<String>>,
    /// What a filter with an unsupported operator or attribute gets.
    pub unsupported_filter: UnsupportedFilter,
    /// Whether a list request must carry a filter (400 `tooMany` without one).
    pub filter_required: bool,
    /// Whether every PATCH operation must name a `path` (400 `invalidSyntax` otherwise).
    pub patch_path_required: bool,
    /// The key of the resources in a ListResponse.
    pub list_key: ListKey,
    /// Whether a Group member must name a resource the service holds.
    pub member_references: MemberReferences,
    /// Where a Group member's `display` comes from.
    pub member_display: MemberDisplay,
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
            patch_response: PatchResponse::Resource,
            delete_mode: DeleteMode::Delete,
            deactivated: Deactivated::Visible,
            case_sensitive_paths: true,
            if_match_unversioned: IfMatchUnversioned::Ignore,
            unsupported_method_status: 405,
            sorting: true,
            paging: Paging::Index,
            default_page_size: None,
            max_page_size: DEFAULT_MAX_PAGE_SIZE,
            filter_operators: None,
            unsupported_filter: UnsupportedFilter::Reject,
            filter_required: false,
            patch_path_required: false,
            list_key: ListKey::Capitalized,
            member_references: MemberReferences::Checked,
            member_display: MemberDisplay::Derived,
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
    /// The methods the type supports (`GET`, `POST`, `PUT`, `PATCH`, `DELETE`); `None`:
    /// all. Others get `behaviour.unsupportedMethodStatus`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub methods: Option<Vec<String>>,
    /// Attribute paths required beyond the schema's (`name.givenName`, `displayName`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub required_attributes: Vec<String>,
    /// Top-level attributes a PUT accepts but does not change.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub put_ignores: Vec<String>,
    /// Whether list responses leave the schema extensions out (a GET by id has them).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub list_omits_extensions: bool,
    /// Attribute paths a filter may name; `None`: any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter_attributes: Option<Vec<String>>,
    /// `$ref` templates by complex attribute path: after every write the attribute's `$ref`
    /// is rebuilt from its `value` (`{value}` in the template).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub ref_templates: BTreeMap<String, String>,
    /// The most values one multi-valued attribute may hold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_values: Option<usize>,
    /// The most operations one PATCH may carry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_patch_operations: Option<usize>,
    /// The most `members` added or removed by one PATCH (or sent in a POST or PUT).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_member_changes: Option<usize>,
    /// The most `members` removed by one write (Entra: one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_member_removals: Option<usize>,
    /// Top-level attributes stored (and filterable) but never returned in a response
    /// (AWS and Entra return groups without `members`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub never_returned: Vec<String>,
    /// Whether a PATCH may replace `members` whole or remove them all; when off that is a
    /// 400 and members change one by one (AWS).
    #[serde(default = "yes", skip_serializing_if = "is_yes")]
    pub members_replaceable: bool,
}

fn yes() -> bool {
    true
}

fn is_yes(b: &bool) -> bool {
    *b
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

/// A behaviour profile as written in JSON. `Deserialize` is written by hand (in `read`):
/// the same walk as [`Profile::from_json`], so no derived visitor is linked; scim-core's own
/// tests keep the derived one to hold the walk to it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(test, derive(Deserialize))]
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
    /// Where each knob's value comes from, by knob name (`behaviour.patchResponse`,
    /// `resourceTypes.Group.methods`; see [`Profile::knobs`]).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub knob_sources: BTreeMap<String, KnobSource>,
}

/// How a knob's value is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Basis {
    /// The vendor's (or the standard's) own text says so.
    Documented,
    /// Reasoned from the vendor's text or examples, not stated there.
    Inferred,
    /// From a third party (a forum answer, a client library quoting the vendor).
    Secondary,
}

/// The source of one knob's value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KnobSource {
    pub basis: Basis,
    /// The page.
    pub url: String,
    /// A short quote, or a precise pointer into the page.
    pub quote: String,
    /// What the quote does not say by itself (an inference, an older version of the docs).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
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
