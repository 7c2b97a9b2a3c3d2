//! Behaviour profiles: everything that makes one SCIM service differ from another, as data.
//!
//! A [`Profile`] holds schemas, resource types, behaviour knobs, the id style and the base
//! path. The engine branches on knobs, never on a profile's name. Built-in profiles are JSON
//! files embedded at compile time; user-made ones are loaded with [`Profile::from_json`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::schema::{self, Attribute, Schema};

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
    /// From [`crate::Env::new_id`].
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
    pub schemas: Vec<SchemaEntry>,
    pub resource_types: Vec<ResourceTypeDef>,
}

fn default_base_path() -> String {
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

const RFC_PROFILE: &str = include_str!("../profiles/rfc.json");

/// The names and JSON sources of the built-in profiles.
pub fn builtin_sources() -> [(&'static str, &'static str); 1] {
    [("rfc", RFC_PROFILE)]
}

impl Profile {
    /// The RFC 7643/7644 profile (the default).
    pub fn rfc() -> Profile {
        Profile::builtin("rfc").unwrap_or_else(|| Profile {
            // Unreachable in practice (the embedded file is tested); keeps the core panic-free.
            name: "rfc".into(),
            title: String::new(),
            description: String::new(),
            sources: vec![],
            base_path: default_base_path(),
            base_path_defaults: BTreeMap::new(),
            behaviour: Behaviour::default(),
            id_style: IdStyle::Uuid,
            media: Media::default(),
            schemas: vec![],
            resource_types: vec![],
        })
    }

    /// A built-in profile by name.
    pub fn builtin(name: &str) -> Option<Profile> {
        builtin_sources()
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .and_then(|(_, src)| serde_json::from_str(src).ok())
    }

    /// Loads a profile from JSON; errors name the field.
    pub fn from_json(src: &str) -> Result<Profile, ProfileError> {
        let p: Profile = serde_json::from_str(src).map_err(|e| ProfileError(format!("profile JSON: {e}")))?;
        p.compile()?;
        Ok(p)
    }

    /// Resolves schemas and checks references: the form the engine runs on.
    pub fn compile(&self) -> Result<Registry, ProfileError> {
        Registry::new(self)
    }
}

/// A compiled resource type: its schemas resolved.
#[derive(Debug, Clone)]
pub struct ResourceKind {
    pub def: ResourceTypeDef,
    pub core: Schema,
    /// (extension schema, required)
    pub extensions: Vec<(Schema, bool)>,
    /// RFC 7643 §3.1 common attributes.
    pub common: Vec<Attribute>,
    /// Top-level core attributes not returned by default (`returned: never | request`).
    pub hidden_by_default: Vec<String>,
    /// True when no sub-attribute or extension attribute has `returned: never | request`,
    /// so a default response is the stored resource minus `hidden_by_default` (fast path).
    pub plain_render: bool,
}

impl ResourceKind {
    /// An extension schema by case-insensitive URN.
    pub fn extension(&self, urn: &str) -> Option<&(Schema, bool)> {
        self.extensions.iter().find(|(s, _)| s.id.eq_ignore_ascii_case(urn))
    }

    /// The spelling of `meta.resourceType`.
    pub fn meta_resource_type(&self) -> &str {
        self.def.meta_resource_type.as_deref().unwrap_or(&self.def.name)
    }

    /// Resolves an attribute path such as `userName`, `name.givenName`,
    /// `urn:...:enterprise:2.0:User:manager.value` (RFC 7644 §3.10) to
    /// (schema URN or "" for core/common, top attribute, optional sub-attribute).
    pub fn resolve_path<'a>(&'a self, path: &str) -> Option<AttrRef<'a>> {
        let (schema_id, rest): (Option<&str>, &str) = if path.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("urn:")) {
            // The longest schema URN that prefixes the path, followed by ':'.
            let mut best: Option<(&str, &str)> = None;
            for s in std::iter::once(&self.core).chain(self.extensions.iter().map(|(s, _)| s)) {
                let n = s.id.len();
                if path.get(..n).is_some_and(|p| p.eq_ignore_ascii_case(&s.id))
                    && path.as_bytes().get(n) == Some(&b':')
                    && path.len() > n + 1
                {
                    best = Some((&s.id, path.get(n + 1..).unwrap_or_default()));
                } else if path.len() == n && path.eq_ignore_ascii_case(&s.id) {
                    best = Some((&s.id, ""));
                }
            }
            let (id, rest) = best?;
            (Some(id), rest)
        } else {
            (None, path)
        };
        if rest.is_empty() {
            return None;
        }
        let (top, sub) = match rest.split_once('.') {
            Some((t, s)) => (t, Some(s)),
            None => (rest, None),
        };
        let (schema, attr) = match schema_id {
            Some(id) if !id.eq_ignore_ascii_case(&self.core.id) => {
                let (ext, _) = self.extension(id)?;
                (Some(ext.id.as_str()), ext.attribute(top)?)
            }
            _ => match self.core.attribute(top) {
                Some(a) => (None, a),
                None => (None, schema::find(&self.common, top)?),
            },
        };
        let sub = match sub {
            Some(s) => Some(attr.sub(s)?),
            None => None,
        };
        Some(AttrRef { schema, attr, sub })
    }
}

/// An attribute located by [`ResourceKind::resolve_path`].
#[derive(Debug, Clone, Copy)]
pub struct AttrRef<'a> {
    /// The extension URN, or `None` for the core schema and common attributes.
    pub schema: Option<&'a str>,
    pub attr: &'a Attribute,
    pub sub: Option<&'a Attribute>,
}

/// All schemas of a profile, resolved.
#[derive(Debug, Clone)]
pub struct Registry {
    pub schemas: Vec<Schema>,
    pub kinds: Vec<ResourceKind>,
}

impl Registry {
    fn new(profile: &Profile) -> Result<Registry, ProfileError> {
        let builtins: Vec<Schema> =
            schema::builtin_schema_sources().iter().filter_map(|s| serde_json::from_str(s).ok()).collect();
        let mut schemas: Vec<Schema> = Vec::new();
        for (i, entry) in profile.schemas.iter().enumerate() {
            let s = match entry {
                SchemaEntry::Builtin(urn) => {
                    builtins.iter().find(|s| s.id.eq_ignore_ascii_case(urn)).cloned().ok_or_else(|| {
                        ProfileError(format!("schemas[{i}]: no built-in schema {urn:?}; give the full schema instead"))
                    })?
                }
                SchemaEntry::Inline(s) => s.clone(),
            };
            if schemas.iter().any(|o| o.id.eq_ignore_ascii_case(&s.id)) {
                return Err(ProfileError(format!("schemas[{i}]: schema {:?} is listed twice", s.id)));
            }
            check_attributes(&s.attributes, &format!("schemas[{i}] ({})", s.id))?;
            schemas.push(s);
        }
        let find = |urn: &str, at: &str| -> Result<Schema, ProfileError> {
            schemas
                .iter()
                .find(|s| s.id.eq_ignore_ascii_case(urn))
                .cloned()
                .ok_or_else(|| ProfileError(format!("{at}: schema {urn:?} is not in the profile's schemas")))
        };
        let mut kinds = Vec::new();
        for (i, def) in profile.resource_types.iter().enumerate() {
            if !def.endpoint.starts_with('/') {
                return Err(ProfileError(format!(
                    "resourceTypes[{i}].endpoint: must start with '/', got {:?}",
                    def.endpoint
                )));
            }
            let core = find(&def.schema, &format!("resourceTypes[{i}].schema"))?;
            let mut extensions = Vec::new();
            for (j, ext) in def.schema_extensions.iter().enumerate() {
                extensions.push((
                    find(&ext.schema, &format!("resourceTypes[{i}].schemaExtensions[{j}].schema"))?,
                    ext.required,
                ));
            }
            let hidden = |a: &Attribute| matches!(a.returned, schema::Returned::Never | schema::Returned::Request);
            let hidden_by_default = core.attributes.iter().filter(|a| hidden(a)).map(|a| a.name.clone()).collect();
            let plain_render = !core.attributes.iter().any(|a| a.sub_attributes.iter().any(hidden))
                && !extensions
                    .iter()
                    .any(|(s, _)| s.attributes.iter().any(|a| hidden(a) || a.sub_attributes.iter().any(hidden)));
            kinds.push(ResourceKind {
                def: def.clone(),
                core,
                extensions,
                common: schema::common_attributes(),
                hidden_by_default,
                plain_render,
            });
        }
        Ok(Registry { schemas, kinds })
    }

    /// The resource type served at an endpoint segment (`Users`), case-sensitively as URLs are.
    pub fn kind_by_endpoint(&self, segment: &str) -> Option<&ResourceKind> {
        self.kinds.iter().find(|k| k.def.endpoint.trim_start_matches('/') == segment)
    }

    /// The resource type by its name (`User`).
    pub fn kind(&self, name: &str) -> Option<&ResourceKind> {
        self.kinds.iter().find(|k| k.def.name == name)
    }
}

fn check_attributes(attrs: &[Attribute], at: &str) -> Result<(), ProfileError> {
    for (i, a) in attrs.iter().enumerate() {
        let here = format!("{at}.attributes[{i}] ({})", a.name);
        if a.name.is_empty() || a.name.contains(['.', ' ', '[', ']', '"']) {
            return Err(ProfileError(format!("{here}.name: not a valid attribute name")));
        }
        if attrs.iter().take(i).any(|o| o.name.eq_ignore_ascii_case(&a.name)) {
            return Err(ProfileError(format!("{here}.name: defined twice")));
        }
        if a.is_complex() && a.sub_attributes.is_empty() {
            return Err(ProfileError(format!("{here}.subAttributes: a complex attribute needs sub-attributes")));
        }
        if !a.is_complex() && !a.sub_attributes.is_empty() {
            return Err(ProfileError(format!("{here}.subAttributes: only complex attributes have sub-attributes")));
        }
        if a.sub_attributes.iter().any(|s| s.is_complex()) {
            return Err(ProfileError(format!(
                "{here}.subAttributes: sub-attributes cannot be complex (RFC 7643 §2.3.8)"
            )));
        }
        check_attributes(&a.sub_attributes, &format!("{here}.subAttributes"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_profile_compiles() {
        let p = Profile::builtin("rfc").unwrap();
        let r = p.compile().unwrap();
        let user = r.kind_by_endpoint("Users").unwrap();
        assert_eq!(user.core.id, schema::USER_SCHEMA);
        let a = user.resolve_path("name.GivenName").unwrap();
        assert_eq!(a.sub.unwrap().name, "givenName");
        let e = user.resolve_path("URN:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value").unwrap();
        assert_eq!(e.schema, Some(schema::ENTERPRISE_USER_SCHEMA));
        assert!(user.resolve_path("nope").is_none());
    }

    #[test]
    fn broken_profile_names_the_field() {
        let err = Profile::from_json(r#"{"name":"x","schemas":[],"resourceTypes":[{"id":"User","name":"User","endpoint":"/Users","schema":"urn:x"}]}"#).unwrap_err();
        assert!(err.0.contains("resourceTypes[0].schema"), "{err}");
        let err = Profile::from_json(r#"{"name":"x","behaviour":{"omited":"keep"},"schemas":[],"resourceTypes":[]}"#)
            .unwrap_err();
        assert!(err.0.contains("omited"), "{err}");
    }
}
