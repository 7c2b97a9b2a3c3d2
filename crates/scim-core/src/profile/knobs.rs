//! Every knob of a profile with its value and where that value comes from: what
//! `docs/profiles.md` tabulates and what a profile card shows. Also the checks of the knobs
//! that serde's shape check cannot make (ranges, attribute paths, source names).

use serde::Serialize;
use serde_json::{Value, json};

use crate::profile::registry::Registry;
use crate::profile::types::{Auth, KnobSource, Profile, ProfileError};

/// One knob of a profile: its name (`behaviour.patchResponse`,
/// `resourceTypes.Group.methods`), its value as JSON (`null`: not set, the default applies)
/// and, when the profile gives one, its source.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Knob {
    pub name: String,
    pub value: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<KnobSource>,
}

/// The per-resource-type knobs, in the order they are listed.
pub(crate) const TYPE_KNOBS: [&str; 14] = [
    "endpoint",
    "metaResourceType",
    "methods",
    "requiredAttributes",
    "putIgnores",
    "listOmitsExtensions",
    "filterAttributes",
    "refTemplates",
    "maxValues",
    "maxPatchOperations",
    "maxMemberChanges",
    "maxMemberRemovals",
    "neverReturned",
    "membersReplaceable",
];

/// The methods a resource type may list in `methods`.
pub(crate) const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/// The filter operators `behaviour.filterOperators` may list (RFC 7644 §3.4.2.2).
pub(crate) const FILTER_OPERATORS: [&str; 14] =
    ["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le", "pr", "and", "or", "not", "[]"];

impl Profile {
    /// Every knob with its value and source, in a fixed order: the profile-wide ones
    /// (`basePath`, `idStyle`, `media.defaultResponse`, `auth`), every `behaviour.*` knob,
    /// then each resource type's (`resourceTypes.{name}.methods`, ...). A credential is
    /// never shown, only the scheme.
    pub fn knobs(&self) -> Vec<Knob> {
        let mut out = Vec::new();
        let mut push = |name: String, value: Value| {
            let source = self.knob_sources.get(&name).cloned();
            out.push(Knob { name, value, source });
        };
        push("basePath".into(), Value::String(self.base_path.clone()));
        push("idStyle".into(), serde_json::to_value(&self.id_style).unwrap_or(Value::Null));
        push("media.defaultResponse".into(), Value::String(self.media.default_response.clone()));
        let auth = match &self.auth {
            Auth::None => json!({"kind": "none"}),
            Auth::Bearer { .. } => json!({"kind": "bearer"}),
            Auth::RawHeader { header, .. } => json!({"kind": "rawHeader", "header": header}),
        };
        push("auth".into(), auth);
        if let Ok(Value::Object(b)) = serde_json::to_value(&self.behaviour) {
            for (k, v) in b {
                push(format!("behaviour.{k}"), v);
            }
        }
        for rt in &self.resource_types {
            let Ok(Value::Object(def)) = serde_json::to_value(rt) else { continue };
            for k in TYPE_KNOBS {
                let v = match (k, def.get(k)) {
                    ("metaResourceType", None) => Value::String(rt.name.clone()),
                    ("listOmitsExtensions", None) => Value::Bool(false),
                    ("membersReplaceable", None) => Value::Bool(true),
                    (_, Some(v)) => v.clone(),
                    (_, None) => Value::Null,
                };
                push(format!("resourceTypes.{}.{k}", rt.name), v);
            }
        }
        out
    }
}

/// The checks of [`Profile::validate`] for the knobs: ranges, names, attribute paths, and
/// that every `knobSources` entry names a knob and has a page and a quote.
pub(crate) fn check(p: &Profile, registry: &Registry) -> Result<(), ProfileError> {
    let b = &p.behaviour;
    if ![400, 404, 405, 501].contains(&b.unsupported_method_status) {
        return Err(ProfileError(format!(
            "behaviour.unsupportedMethodStatus: {} is not one of 400, 404, 405, 501",
            b.unsupported_method_status
        )));
    }
    if b.max_page_size == 0 {
        return Err(ProfileError("behaviour.maxPageSize: must be at least 1".into()));
    }
    if let Some(d) = b.default_page_size {
        if d == 0 || d > b.max_page_size {
            return Err(ProfileError(format!(
                "behaviour.defaultPageSize: {d} must be between 1 and maxPageSize ({})",
                b.max_page_size
            )));
        }
    }
    for (i, op) in b.filter_operators.iter().flatten().enumerate() {
        if !FILTER_OPERATORS.contains(&op.as_str()) {
            return Err(ProfileError(format!(
                "behaviour.filterOperators[{i}]: {op:?} is not a filter operator; use {}",
                FILTER_OPERATORS.join(", ")
            )));
        }
    }
    for (i, rt) in p.resource_types.iter().enumerate() {
        let at = format!("resourceTypes[{i}]");
        let Some(kind) = registry.kind(&rt.name) else { continue };
        for (j, m) in rt.methods.iter().flatten().enumerate() {
            if !METHODS.contains(&m.as_str()) {
                return Err(ProfileError(format!("{at}.methods[{j}]: {m:?} is not one of {}", METHODS.join(", "))));
            }
        }
        let paths = rt
            .required_attributes
            .iter()
            .map(|a| ("requiredAttributes", a))
            .chain(rt.put_ignores.iter().map(|a| ("putIgnores", a)))
            .chain(rt.filter_attributes.iter().flatten().map(|a| ("filterAttributes", a)))
            .chain(rt.ref_templates.keys().map(|a| ("refTemplates", a)))
            .chain(rt.never_returned.iter().map(|a| ("neverReturned", a)));
        for (field, path) in paths {
            let Some(r) = kind.resolve_path(path) else {
                return Err(ProfileError(format!("{at}.{field}: {path:?} is not an attribute of {}", rt.name)));
            };
            let core_only = matches!(field, "requiredAttributes" | "putIgnores" | "neverReturned");
            if core_only && r.schema.is_some() {
                return Err(ProfileError(format!(
                    "{at}.{field}: {path:?} is an extension attribute; only core attributes can be listed here"
                )));
            }
            if matches!(field, "putIgnores" | "neverReturned") && r.sub.is_some() {
                return Err(ProfileError(format!("{at}.{field}: {path:?} must be a top-level attribute")));
            }
            if field == "refTemplates" && (r.sub.is_some() || r.attr.multi_valued || r.attr.sub("value").is_none()) {
                return Err(ProfileError(format!(
                    "{at}.refTemplates: {path:?} must be a single-valued complex attribute with a \"value\""
                )));
            }
        }
        for (path, t) in &rt.ref_templates {
            if !t.contains("{value}") {
                return Err(ProfileError(format!("{at}.refTemplates.{path}: the template must contain {{value}}")));
            }
        }
        for (field, v) in [
            ("maxValues", rt.max_values),
            ("maxPatchOperations", rt.max_patch_operations),
            ("maxMemberChanges", rt.max_member_changes),
            ("maxMemberRemovals", rt.max_member_removals),
        ] {
            if v == Some(0) {
                return Err(ProfileError(format!("{at}.{field}: must be at least 1 (leave it out for no limit)")));
            }
        }
    }
    let names: Vec<String> = p.knobs().into_iter().map(|k| k.name).collect();
    for (name, src) in &p.knob_sources {
        if !names.contains(name) {
            return Err(ProfileError(format!(
                "knobSources.{name}: no such knob; knobs are named like behaviour.omitted or resourceTypes.User.methods"
            )));
        }
        if src.url.trim().is_empty() || src.quote.trim().is_empty() {
            return Err(ProfileError(format!("knobSources.{name}: needs a url and a quote (or a precise pointer)")));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every built-in loads, validates, and cites a source for every knob whose value
    /// differs from the `rfc` profile's (a knob left at the RFC's reading needs none).
    #[test]
    fn every_builtin_cites_each_knob_it_changes() {
        let rfc: Vec<Knob> = Profile::rfc().knobs();
        let rfc_value = |name: &str| {
            let generic = name.split('.').enumerate().map(|(i, s)| if i == 1 { "User" } else { s }).collect::<Vec<_>>();
            rfc.iter()
                .find(|k| k.name == name || (name.starts_with("resourceTypes.") && k.name == generic.join(".")))
                .map(|k| k.value.clone())
        };
        let mut uncited = Vec::new();
        for info in Profile::builtins() {
            let p = Profile::builtin(&info.name).unwrap();
            p.validate().unwrap_or_else(|e| panic!("{}: {e}", info.name));
            if p.name == "rfc" {
                continue;
            }
            for k in p.knobs() {
                let same = rfc_value(&k.name).is_some_and(|v| v == k.value);
                let endpoint_default = k.name.ends_with(".endpoint") || k.name.ends_with(".metaResourceType");
                if !same
                    && k.source.is_none()
                    && !(endpoint_default
                        && p.resource_types
                            .iter()
                            .all(|r| r.meta_resource_type.is_none() && r.endpoint == format!("/{}s", r.name)))
                {
                    uncited.push(format!("{}: {} = {}", p.name, k.name, k.value));
                }
            }
        }
        assert!(uncited.is_empty(), "knobs without a source:\n{}", uncited.join("\n"));
    }

    #[test]
    fn default_page_size_cap_is_the_engines() {
        assert_eq!(crate::profile::types::DEFAULT_MAX_PAGE_SIZE, crate::list::MAX_RESULTS);
    }

    #[test]
    fn knob_sources_must_name_a_knob() {
        let mut p = Profile::rfc();
        p.knob_sources.insert(
            "behaviour.omited".into(),
            KnobSource {
                basis: crate::profile::types::Basis::Documented,
                url: "u".into(),
                quote: "q".into(),
                note: String::new(),
            },
        );
        let e = p.validate().unwrap_err();
        assert!(e.0.starts_with("knobSources.behaviour.omited: no such knob"), "{e}");
    }

    #[test]
    fn knob_errors_name_the_field() {
        let cases = [
            (r#"{"extends": "rfc", "behaviour": {"paging": "pages"}}"#, "behaviour.paging: unknown variant"),
            (
                r#"{"extends": "rfc", "behaviour": {"unsupportedMethodStatus": 418}}"#,
                "behaviour.unsupportedMethodStatus: 418",
            ),
            (r#"{"extends": "rfc", "behaviour": {"filterOperators": ["eq", "like"]}}"#, "behaviour.filterOperators[1]"),
            (r#"{"extends": "rfc", "behaviour": {"defaultPageSize": 2000}}"#, "behaviour.defaultPageSize: 2000"),
            (
                r#"{"extends": "aws", "resourceTypes": [{"id": "User", "name": "User", "endpoint": "/Users", "schema": "urn:ietf:params:scim:schemas:core:2.0:User", "methods": ["FETCH"]}]}"#,
                "resourceTypes[0].methods[0]",
            ),
            (
                r#"{"extends": "aws", "resourceTypes": [{"id": "User", "name": "User", "endpoint": "/Users", "schema": "urn:ietf:params:scim:schemas:core:2.0:User", "requiredAttributes": ["nickname.x"]}]}"#,
                "resourceTypes[0].requiredAttributes",
            ),
            (
                r#"{"extends": "aws", "resourceTypes": [{"id": "User", "name": "User", "endpoint": "/Users", "schema": "urn:ietf:params:scim:schemas:core:2.0:User", "maxValues": 0}]}"#,
                "resourceTypes[0].maxValues",
            ),
            (
                r#"{"extends": "aws", "resourceTypes": [{"id": "User", "name": "User", "endpoint": "/Users", "schema": "urn:ietf:params:scim:schemas:core:2.0:User", "refTemplates": {"name": "x"}}]}"#,
                "resourceTypes[0].refTemplates",
            ),
            (
                r#"{"extends": "aws", "resourceTypes": [{"id": "User", "name": "User", "endpoint": "/Users", "schema": "urn:ietf:params:scim:schemas:core:2.0:User", "maxValue": 1}]}"#,
                "resourceTypes[0].maxValue",
            ),
            (
                r#"{"extends": "aws", "knobSources": {"basePath": {"basis": "guessed", "url": "u", "quote": "q"}}}"#,
                "knobSources.basePath.basis",
            ),
        ];
        for (src, want) in cases {
            let e = Profile::from_json(src).unwrap_err();
            assert!(e.0.contains(want), "{src}\n  gave {e}\n  want {want}");
        }
    }
}
