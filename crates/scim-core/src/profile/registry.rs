//! A profile compiled: schemas resolved, resource types checked, the tables the engine runs on.

use crate::profile::types::{MemberDisplay, MemberReferences, Profile, ProfileError, ResourceTypeDef, SchemaEntry};
use crate::schema::{self, Attribute, Schema};

pub(crate) fn builtin_schemas() -> Vec<Schema> {
    schema::builtin_schema_sources()
        .iter()
        .filter_map(|s| crate::from_json_str::<serde_json::Value>(s).ok())
        .filter_map(|v| crate::profile::read::schema(&v).ok())
        .collect()
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
    /// The attributes compiled into slots the write path walks by index.
    pub(crate) table: crate::compiled::Table,
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
    /// `behaviour.memberReferences` and `behaviour.memberDisplay`, for the Group rules.
    pub members: (MemberReferences, MemberDisplay),
}

impl Registry {
    pub(crate) fn new(profile: &Profile) -> Result<Registry, ProfileError> {
        let builtins = builtin_schemas();
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
        if profile.behaviour.member_display == MemberDisplay::Echoed {
            // The display is the client's: readWrite, so a write keeps what it sends.
            for s in &mut schemas {
                echo_member_display(s);
            }
        }
        for def in &profile.resource_types {
            if let Some(s) = schemas.iter_mut().find(|s| s.id.eq_ignore_ascii_case(&def.schema)) {
                for path in &def.required_attributes {
                    require(s, path);
                }
            }
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
            let common = schema::common_attributes();
            let table = crate::compiled::Table::new(&core, &common, &extensions);
            kinds.push(ResourceKind {
                def: def.clone(),
                core,
                extensions,
                common,
                hidden_by_default,
                plain_render,
                table,
            });
        }
        Ok(Registry {
            schemas,
            kinds,
            members: (profile.behaviour.member_references, profile.behaviour.member_display),
        })
    }

    /// The resource type served at an endpoint segment (`Users`), case-sensitively as URLs are.
    pub fn kind_by_endpoint(&self, segment: &str) -> Option<&ResourceKind> {
        self.kinds.iter().find(|k| k.def.endpoint.trim_start_matches('/') == segment)
    }

    /// The resource type served at an endpoint segment, ignoring case when
    /// `case_sensitive` is off (`behaviour.caseSensitivePaths`).
    pub fn kind_at_segment(&self, segment: &str, case_sensitive: bool) -> Option<&ResourceKind> {
        if case_sensitive {
            return self.kind_by_endpoint(segment);
        }
        self.kinds.iter().find(|k| k.def.endpoint.trim_start_matches('/').eq_ignore_ascii_case(segment))
    }

    /// The resource type by its name (`User`).
    pub fn kind(&self, name: &str) -> Option<&ResourceKind> {
        self.kinds.iter().find(|k| k.def.name == name)
    }
}

/// Marks a core attribute (`displayName`) or sub-attribute (`name.givenName`, then `name`
/// too) required: `resourceTypes[].requiredAttributes`. Paths were checked by the loader.
/// `members.display` readWrite (behaviour.memberDisplay = echoed), in a schema with a
/// multi-valued complex `members`.
fn echo_member_display(schema: &mut Schema) {
    let members = schema.attributes.iter_mut().filter(|a| a.name.eq_ignore_ascii_case("members") && a.multi_valued);
    for m in members {
        for d in m.sub_attributes.iter_mut().filter(|d| d.name.eq_ignore_ascii_case("display")) {
            d.mutability = schema::Mutability::ReadWrite;
        }
    }
}

fn require(schema: &mut Schema, path: &str) {
    let (top, sub) = match path.split_once('.') {
        Some((t, s)) => (t, Some(s)),
        None => (path, None),
    };
    let Some(attr) = schema.attributes.iter_mut().find(|a| a.name.eq_ignore_ascii_case(top)) else { return };
    attr.required = true;
    if let Some(sub) = sub {
        if let Some(s) = attr.sub_attributes.iter_mut().find(|s| s.name.eq_ignore_ascii_case(sub)) {
            s.required = true;
        }
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
