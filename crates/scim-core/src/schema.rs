//! The attribute model of RFC 7643 §2 and §7: schemas, attributes and their
//! characteristics. Schemas are data (the RFC's own `/Schemas` representation), loaded from
//! JSON files embedded at compile time or from a user-made profile.

use serde::{Deserialize, Serialize};

/// RFC 7643 §2.3 data types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AttrType {
    String,
    Boolean,
    Decimal,
    Integer,
    DateTime,
    Binary,
    Reference,
    Complex,
}

impl AttrType {
    pub fn as_str(self) -> &'static str {
        match self {
            AttrType::String => "string",
            AttrType::Boolean => "boolean",
            AttrType::Decimal => "decimal",
            AttrType::Integer => "integer",
            AttrType::DateTime => "dateTime",
            AttrType::Binary => "binary",
            AttrType::Reference => "reference",
            AttrType::Complex => "complex",
        }
    }
}

/// RFC 7643 §7 `mutability`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub enum Mutability {
    ReadOnly,
    #[default]
    ReadWrite,
    Immutable,
    WriteOnly,
}

/// RFC 7643 §7 `returned`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub enum Returned {
    Always,
    Never,
    #[default]
    Default,
    Request,
}

/// RFC 7643 §7 `uniqueness`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub enum Uniqueness {
    #[default]
    None,
    Server,
    Global,
}

/// One attribute definition with every characteristic of RFC 7643 §7.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Attribute {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: AttrType,
    #[serde(default)]
    pub multi_valued: bool,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub case_exact: bool,
    #[serde(default)]
    pub mutability: Mutability,
    #[serde(default)]
    pub returned: Returned,
    #[serde(default)]
    pub uniqueness: Uniqueness,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub canonical_values: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reference_types: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sub_attributes: Vec<Attribute>,
}

impl Attribute {
    /// A sub-attribute by case-insensitive name (RFC 7643 §2.1).
    pub fn sub(&self, name: &str) -> Option<&Attribute> {
        find(&self.sub_attributes, name)
    }

    pub fn is_complex(&self) -> bool {
        self.kind == AttrType::Complex
    }

    /// Short description of the shape a value must have, for error details.
    pub fn shape(&self) -> String {
        if self.multi_valued { format!("an array of {}", self.kind.as_str()) } else { self.kind.as_str().to_string() }
    }
}

/// An attribute by case-insensitive name.
pub fn find<'a>(attrs: &'a [Attribute], name: &str) -> Option<&'a Attribute> {
    attrs.iter().find(|a| a.name.eq_ignore_ascii_case(name))
}

/// A schema (RFC 7643 §7).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Schema {
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub attributes: Vec<Attribute>,
}

impl Schema {
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        find(&self.attributes, name)
    }
}

/// URN of the RFC 7643 §4.1 User schema.
pub const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
/// URN of the RFC 7643 §4.3 Enterprise User extension.
#[cfg(test)]
pub const ENTERPRISE_USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
/// URN of the RFC 7643 §4.2 Group schema.
pub const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
/// URN of the RFC 7644 §3.4.3 ListResponse message.
pub const LIST_RESPONSE: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";

/// The built-in schemas, minified at build time (see `build.rs`); a `static` so each text is
/// emitted once (see `profile::builtin_sources`).
static BUILTIN_SCHEMA_SOURCES: [&str; 6] = [
    include_str!(concat!(env!("OUT_DIR"), "/schemas/rfc/user.json")),
    include_str!(concat!(env!("OUT_DIR"), "/schemas/rfc/enterprise_user.json")),
    include_str!(concat!(env!("OUT_DIR"), "/schemas/rfc/group.json")),
    include_str!(concat!(env!("OUT_DIR"), "/schemas/veeva/user_extension.json")),
    include_str!(concat!(env!("OUT_DIR"), "/schemas/ping/user.json")),
    include_str!(concat!(env!("OUT_DIR"), "/schemas/ping/sample_profile.json")),
];

/// Built-in schema library, embedded at compile time. Profiles name these by URN.
pub fn builtin_schema_sources() -> [&'static str; 6] {
    BUILTIN_SCHEMA_SOURCES
}

/// The common attributes of RFC 7643 §3.1 that every resource has, whatever its schema.
pub fn common_attributes() -> Vec<Attribute> {
    fn attr(name: &str, kind: AttrType, mutability: Mutability, returned: Returned, case_exact: bool) -> Attribute {
        Attribute {
            name: name.into(),
            kind,
            multi_valued: false,
            description: String::new(),
            required: false,
            case_exact,
            mutability,
            returned,
            uniqueness: Uniqueness::None,
            canonical_values: vec![],
            reference_types: vec![],
            sub_attributes: vec![],
        }
    }
    let mut id = attr("id", AttrType::String, Mutability::ReadOnly, Returned::Always, true);
    id.description =
        "A unique identifier for a SCIM resource as defined by the service provider (RFC 7643 §3.1).".into();
    id.uniqueness = Uniqueness::Server;
    let mut external = attr("externalId", AttrType::String, Mutability::ReadWrite, Returned::Default, true);
    external.description =
        "An identifier for the resource as defined by the provisioning client (RFC 7643 §3.1).".into();
    let sub = |name: &str, kind| attr(name, kind, Mutability::ReadOnly, Returned::Default, name != "resourceType");
    let mut meta = attr("meta", AttrType::Complex, Mutability::ReadOnly, Returned::Default, false);
    meta.description = "Resource metadata maintained by the service provider (RFC 7643 §3.1).".into();
    meta.sub_attributes = vec![
        sub("resourceType", AttrType::String),
        sub("created", AttrType::DateTime),
        sub("lastModified", AttrType::DateTime),
        sub("location", AttrType::Reference),
        sub("version", AttrType::String),
    ];
    vec![id, external, meta]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_schemas_parse_and_carry_characteristics() {
        for src in builtin_schema_sources() {
            let s: Schema = serde_json::from_str(src).unwrap();
            assert!(s.id.starts_with("urn:"), "{}", s.id);
            assert!(!s.attributes.is_empty());
        }
        let user: Schema = serde_json::from_str(builtin_schema_sources()[0]).unwrap();
        let user_name = user.attribute("USERNAME").unwrap();
        assert_eq!(user_name.name, "userName");
        assert!(user_name.required);
        assert_eq!(user_name.uniqueness, Uniqueness::Server);
        let password = user.attribute("password").unwrap();
        assert_eq!(password.mutability, Mutability::WriteOnly);
        assert_eq!(password.returned, Returned::Never);
        let groups = user.attribute("groups").unwrap();
        assert_eq!(groups.mutability, Mutability::ReadOnly);
        assert!(user.attribute("emails").unwrap().sub("Primary").is_some());
    }
}
