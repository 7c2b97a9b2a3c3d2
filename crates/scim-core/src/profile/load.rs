//! Loading profiles: the built-ins embedded at compile time, JSON documents with errors that
//! name the field, derived profiles, the self-contained export and validation.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::profile::read::json_path_at;
use crate::profile::registry::{Registry, builtin_schemas};
use crate::profile::types::{Auth, Behaviour, IdStyle, Media, Profile, ProfileError, SchemaEntry, default_base_path};

/// The built-in profiles, minified at build time (see `build.rs`). A `static`, not a value
/// built in the function: rustc then emits each text once, where an array built in every
/// caller put a second copy of all of them in the wasm.
static BUILTIN_SOURCES: [(&str, &str); 18] = [
    ("rfc", include_str!(concat!(env!("OUT_DIR"), "/profiles/rfc.json"))),
    ("veeva", include_str!(concat!(env!("OUT_DIR"), "/profiles/veeva.json"))),
    ("ping", include_str!(concat!(env!("OUT_DIR"), "/profiles/ping.json"))),
    ("idp-compat", include_str!(concat!(env!("OUT_DIR"), "/profiles/idp-compat.json"))),
    ("strict-clear", include_str!(concat!(env!("OUT_DIR"), "/profiles/strict-clear.json"))),
    ("aws", include_str!(concat!(env!("OUT_DIR"), "/profiles/aws.json"))),
    ("entra", include_str!(concat!(env!("OUT_DIR"), "/profiles/entra.json"))),
    ("google", include_str!(concat!(env!("OUT_DIR"), "/profiles/google.json"))),
    ("github", include_str!(concat!(env!("OUT_DIR"), "/profiles/github.json"))),
    ("zoom", include_str!(concat!(env!("OUT_DIR"), "/profiles/zoom.json"))),
    ("atlassian", include_str!(concat!(env!("OUT_DIR"), "/profiles/atlassian.json"))),
    ("pingfederate", include_str!(concat!(env!("OUT_DIR"), "/profiles/pingfederate.json"))),
    ("salesforce", include_str!(concat!(env!("OUT_DIR"), "/profiles/salesforce.json"))),
    ("slack", include_str!(concat!(env!("OUT_DIR"), "/profiles/slack.json"))),
    ("snowflake", include_str!(concat!(env!("OUT_DIR"), "/profiles/snowflake.json"))),
    ("okta", include_str!(concat!(env!("OUT_DIR"), "/profiles/okta.json"))),
    ("interop", include_str!(concat!(env!("OUT_DIR"), "/profiles/interop.json"))),
    ("ipsie", include_str!(concat!(env!("OUT_DIR"), "/profiles/ipsie.json"))),
];

/// The names and JSON sources of the built-in profiles, embedded at compile time.
pub(crate) fn builtin_sources() -> [(&'static str, &'static str); 18] {
    BUILTIN_SOURCES
}

/// A built-in profile's name, title and description, for a picker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProfileInfo {
    pub name: String,
    pub title: String,
    pub description: String,
}

impl Profile {
    /// The built-in profiles, in their catalog order (`rfc` first).
    pub fn builtins() -> Vec<ProfileInfo> {
        builtin_sources()
            .into_iter()
            .filter_map(|(name, _)| Profile::builtin(name))
            .map(|p| ProfileInfo { name: p.name, title: p.title, description: p.description })
            .collect()
    }

    /// The same profile requiring `credential` on every request, in the profile's own scheme:
    /// `Authorization: Bearer <credential>` (RFC 6750 §2.1) for a bearer or unauthenticated
    /// profile, the raw header for one that names its own (Veeva's session id). What the
    /// native server's `--token` makes of a profile.
    pub fn with_credential(&self, credential: &str) -> Result<Profile, ProfileError> {
        let mut p = self.clone();
        p.auth = match &self.auth {
            Auth::RawHeader { header, challenge, .. } => Auth::RawHeader {
                header: header.clone(),
                secret: Some(credential.to_string()),
                challenge: challenge.clone(),
            },
            _ => Auth::Bearer { token: Some(credential.to_string()) },
        };
        p.validate()?;
        Ok(p)
    }

    /// The RFC 7643/7644 profile (the default).
    pub fn rfc() -> Profile {
        // The fallback is unreachable in practice (the embedded file is tested); it keeps the
        // core panic-free.
        Profile::builtin("rfc").unwrap_or_else(|| Profile::blank("rfc".into()))
    }

    /// A profile named `name` with every field at its default and no schemas or resource
    /// types: where a reader starts, and the last resort when the rfc file cannot load.
    pub(crate) fn blank(name: String) -> Profile {
        Profile {
            name,
            title: String::new(),
            description: String::new(),
            sources: Vec::new(),
            base_path: default_base_path(),
            base_path_defaults: BTreeMap::new(),
            behaviour: Behaviour::default(),
            id_style: IdStyle::Uuid,
            media: Media::default(),
            auth: Auth::None,
            schemas: Vec::new(),
            resource_types: Vec::new(),
            seed: BTreeMap::new(),
            knob_sources: BTreeMap::new(),
        }
    }

    /// A built-in profile by name.
    pub fn builtin(name: &str) -> Option<Profile> {
        builtin_sources()
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .and_then(|(_, src)| crate::from_json_str::<Value>(src).ok())
            .and_then(|doc| read(&doc).ok())
    }

    /// Loads a profile from JSON; errors name the field (`behaviour.omitted: unknown variant
    /// ...`). A document with `"extends": "veeva"` is read as overrides of that built-in
    /// profile (see [`Profile::derive`]).
    pub fn from_json(src: &str) -> Result<Profile, ProfileError> {
        let doc = crate::json::parse_strict(src).map_err(|e| match crate::json::duplicate_key(&e) {
            // What serde's derive said of a field given twice, where it was given.
            Some(key) => located(&json_path_at(src, e.line(), e.column()), &format!("duplicate field `{key}`")),
            None => ProfileError(format!("profile JSON: {e}")),
        })?;
        if let Some(ext) = doc.get("extends") {
            let name =
                ext.as_str().ok_or_else(|| ProfileError("extends: must be the name of a built-in profile".into()))?;
            let base = Profile::builtin(name).ok_or_else(|| {
                let names: Vec<&str> = builtin_sources().iter().map(|(n, _)| *n).collect();
                ProfileError(format!("extends: no built-in profile {name:?}; built-in profiles: {}", names.join(", ")))
            })?;
            let mut overrides = doc;
            if let Value::Object(o) = &mut overrides {
                o.remove("extends");
            }
            return Profile::derive(&base, &overrides);
        }
        let p = read(&doc)?;
        p.validate()?;
        Ok(p)
    }

    /// A profile made from `base` with `overrides` merged over it: objects merge key by key
    /// (`{"behaviour": {"omitted": "clear"}}` changes one knob), anything else replaces,
    /// `null` restores a field's default. Errors name the field.
    pub fn derive(base: &Profile, overrides: &Value) -> Result<Profile, ProfileError> {
        if !overrides.is_object() {
            return Err(ProfileError("overrides: must be a JSON object of profile fields".into()));
        }
        let mut v = serde_json::to_value(base).map_err(|e| ProfileError(format!("base profile: {e}")))?;
        merge(&mut v, overrides);
        let p = read(&v)?;
        p.validate()?;
        Ok(p)
    }

    /// The profile as one self-contained JSON document: built-in schemas named by URN are
    /// written out in full, so the export loads anywhere, also where the built-ins differ.
    pub fn to_json(&self) -> Value {
        let mut p = self.clone();
        let builtins = builtin_schemas();
        for entry in &mut p.schemas {
            if let SchemaEntry::Builtin(urn) = entry {
                if let Some(s) = builtins.iter().find(|s| s.id.eq_ignore_ascii_case(urn)) {
                    *entry = SchemaEntry::Inline(s.clone());
                }
            }
        }
        serde_json::to_value(&p).unwrap_or(Value::Null)
    }

    /// Everything [`Profile::from_json`] checks beyond the JSON shape: schema references,
    /// attribute definitions, the credential, and that every seed resource loads.
    pub fn validate(&self) -> Result<(), ProfileError> {
        self.compile()?;
        if !self.base_path.starts_with('/') && !self.base_path.is_empty() {
            return Err(ProfileError(format!("basePath: must start with '/', got {:?}", self.base_path)));
        }
        let media = &self.media.default_response;
        if !media.eq_ignore_ascii_case(crate::http::SCIM_JSON) && !media.eq_ignore_ascii_case(crate::http::JSON) {
            return Err(ProfileError(format!(
                "media.defaultResponse: {media:?} is not a SCIM media type; use application/scim+json or application/json (RFC 7644 §3.1)"
            )));
        }
        for seg in self.base_path.split('/') {
            if let Some(param) = seg.strip_prefix('{').and_then(|x| x.strip_suffix('}')) {
                if !self.base_path_defaults.contains_key(param) {
                    return Err(ProfileError(format!(
                        "basePathDefaults.{param}: missing; basePath {:?} has a {{{param}}} segment, which needs a default for requests that leave the base path out",
                        self.base_path
                    )));
                }
            }
        }
        match &self.auth {
            Auth::Bearer { token: Some(t) } if t.trim().is_empty() || t.contains(char::is_whitespace) => {
                return Err(ProfileError(
                    "auth.token: a bearer token must be non-empty and contain no spaces (RFC 6750 §2.1)".into(),
                ));
            }
            Auth::RawHeader { secret: Some(s), .. } if s.trim().is_empty() => {
                return Err(ProfileError("auth.secret: must be non-empty (or left out to not enforce it)".into()));
            }
            Auth::RawHeader { header, .. }
                if header.is_empty() || !header.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') =>
            {
                return Err(ProfileError(format!("auth.header: {header:?} is not an HTTP header name")));
            }
            _ => {}
        }
        crate::profile::knobs::check(self, &self.compile()?)?;
        if !self.seed.is_empty() {
            crate::seed::check(self, &self.compile()?)?;
        }
        Ok(())
    }

    /// Resolves schemas and checks references: the form the engine runs on.
    pub(crate) fn compile(&self) -> Result<Registry, ProfileError> {
        Registry::new(self)
    }
}

/// Deep merge for [`Profile::derive`]: objects key by key, everything else replaced; `null`
/// removes the key so the field takes its default.
fn merge(base: &mut Value, over: &Value) {
    match (base, over) {
        (Value::Object(b), Value::Object(o)) => {
            for (k, v) in o {
                if v.is_null() {
                    b.remove(k);
                } else if let Some(slot) = b.get_mut(k) {
                    merge(slot, v);
                } else {
                    b.insert(k.clone(), v.clone());
                }
            }
        }
        (b, o) => *b = o.clone(),
    }
}

/// Reads a profile document; an error names the field (`behaviour.omitted: unknown variant
/// ...`), or `profile` for the document itself.
fn read(doc: &Value) -> Result<Profile, ProfileError> {
    crate::profile::read::profile(doc).map_err(|e| located(&e.path, &e.msg))
}

fn located(path: &str, msg: &str) -> ProfileError {
    if path.is_empty() { ProfileError(format!("profile: {msg}")) } else { ProfileError(format!("{path}: {msg}")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_profile_compiles() {
        let p = Profile::builtin("rfc").unwrap();
        let r = p.compile().unwrap();
        let user = r.kind_by_endpoint("Users").unwrap();
        assert_eq!(user.core.id, crate::schema::USER_SCHEMA);
        let a = user.resolve_path("name.GivenName").unwrap();
        assert_eq!(a.sub.unwrap().name, "givenName");
        let e = user.resolve_path("URN:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value").unwrap();
        assert_eq!(e.schema, Some(crate::schema::ENTERPRISE_USER_SCHEMA));
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

#[cfg(test)]
mod profile_data_tests {
    use super::*;
    use crate::profile::types::{Omitted, Unknown};
    use serde_json::json;

    #[test]
    fn every_builtin_profile_loads_validates_and_describes_put() {
        for (name, src) in builtin_sources() {
            let p = Profile::from_json(src).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(p.name, name);
            assert!(p.description.contains("PUT"), "{name}: the description must say what a PUT does");
            assert!(!p.sources.is_empty(), "{name}: sources");
            assert!(!p.seed.is_empty(), "{name}: a demo seed");
            assert_eq!(Profile::builtin(name).as_ref(), Some(&p));
        }
    }

    #[test]
    fn errors_name_the_field() {
        let cases = [
            (json!({"behaviour": {"omitted": "kep"}}), "behaviour.omitted: unknown variant `kep`"),
            (json!({"behaviour": {"omited": "keep"}}), "behaviour.omited: unknown field `omited`"),
            (json!({"behaviour": {"versioning": "yes"}}), "behaviour.versioning: invalid type"),
            (json!({"idStyle": {"kind": "numeric"}}), "idStyle: missing field `start`"),
            (json!({"idStyle": {"kind": "numeric", "start": -1}}), "idStyle"),
            (json!({"auth": {"kind": "bearer", "tokn": "x"}}), "auth: unknown field `tokn`"),
            (json!({"auth": {"kind": "bearer", "token": ""}}), "auth.token"),
            (json!({"auth": {"kind": "rawHeader", "header": "Bad Header", "secret": "s"}}), "auth.header"),
            (json!({"media": {"defaultResponse": 3}}), "media.defaultResponse: invalid type"),
            (
                json!({"resourceTypes": [{"id": "User", "name": "User", "endpoint": "/Users"}]}),
                "resourceTypes[0]: missing field `schema`",
            ),
            (
                json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User",
                    {"id": "urn:x", "attributes": [{"name": "a", "type": "strng"}]}]}),
                "schemas[1].attributes[0].type: unknown variant `strng`",
            ),
            (json!({"seed": {"User": [{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"]}]}}), "seed.User[0]"),
            (
                json!({"seed": {"User": [{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "a", "titel": "x"}]}}),
                "seed.User[0]: Attribute 'titel'",
            ),
            (json!({"seed": {"Person": []}}), "seed.Person: no resource type"),
            (json!({"basePath": "/api/{version}/scim/v2"}), "basePathDefaults.version: missing"),
            (json!({"basePath": "scim"}), "basePath: must start with '/'"),
            (json!({"media": {"defaultResponse": "text/html"}}), "media.defaultResponse: \"text/html\""),
        ];
        let base = Profile::rfc();
        for (over, want) in cases {
            let err = Profile::derive(&base, &over).unwrap_err();
            assert!(err.0.starts_with(want), "{over}: got {err}, want {want}");
        }
        // One line with multi-byte characters before the error: serde_json counts columns
        // in bytes, and so does the path scan.
        let src = r#"{"name":"x","title":"Vérité — ünïcode","behaviour":{"stringBooleans":"coerce","omitted":"kep"},"schemas":[],"resourceTypes":[]}"#;
        let err = Profile::from_json(src).unwrap_err();
        assert!(err.0.starts_with("behaviour.omitted: unknown variant"), "{err}");
        let err = Profile::from_json(r#"{"extends": "nope"}"#).unwrap_err();
        assert!(err.0.contains("extends: no built-in profile \"nope\""), "{err}");
    }

    proptest::proptest! {
        /// Whatever text arrives, loading a profile answers with a profile or an error.
        #[test]
        fn loading_arbitrary_text_never_panics(text in "\\PC{0,200}", line in 0usize..5, col in 0usize..300) {
            let _ = Profile::from_json(&text);
            let _ = json_path_at(&text, line, col);
        }

        /// Mutating one character of a real profile never panics the loader either.
        #[test]
        fn loading_mutated_builtin_never_panics(at in 0usize..4000, c in proptest::char::any()) {
            let src = builtin_sources()[1].1;
            let mut chars: Vec<char> = src.chars().collect();
            let i = at % chars.len();
            chars[i] = c;
            let text: String = chars.into_iter().collect();
            let _ = Profile::from_json(&text);
        }
    }

    #[test]
    fn derive_changes_only_the_named_knobs() {
        let veeva = Profile::builtin("veeva").unwrap();
        let d = Profile::derive(&veeva, &json!({"behaviour": {"omitted": "clear"}, "auth": {"secret": "s3"}})).unwrap();
        assert_eq!(d.behaviour.omitted, Omitted::Clear);
        assert_eq!(d.behaviour.unknown_attributes, Unknown::Ignore, "other knobs stay");
        assert_eq!(d.base_path, veeva.base_path);
        assert!(
            matches!(&d.auth, Auth::RawHeader { header, secret: Some(s), .. } if header == "Authorization" && s == "s3")
        );
        // null restores a default; `extends` reads the same as derive.
        let e =
            Profile::from_json(r#"{"extends": "veeva", "behaviour": {"omitted": "clear"}, "auth": {"secret": "s3"}}"#)
                .unwrap();
        assert_eq!(e, d);
        let n = Profile::derive(&veeva, &json!({"seed": null})).unwrap();
        assert!(n.seed.is_empty());
    }

    #[test]
    fn export_is_self_contained_and_round_trips() {
        for (name, _) in builtin_sources() {
            let p = Profile::builtin(name).unwrap();
            let exported = p.to_json();
            let schemas = exported["schemas"].as_array().unwrap();
            assert!(schemas.iter().all(Value::is_object), "{name}: schemas inlined");
            let back = Profile::from_json(&exported.to_string()).unwrap();
            assert_eq!(back.to_json(), exported, "{name}");
            let (a, b) = (p.compile().unwrap(), back.compile().unwrap());
            assert_eq!(a.schemas, b.schemas);
        }
    }
}
