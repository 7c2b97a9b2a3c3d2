//! The profile catalog: every profile a lane can run (the built-ins plus derived variants,
//! then the person's own: a learned profile opened in a lane, or a profile JSON file loaded
//! in a lane's Profile list) and the default profiles of lanes A and B.
//!
//! Custom profiles are loaded by the core's loader ([`Profile::from_json`], its errors shown
//! as text) and live in this page's registry ([`add_custom`], [`custom`]); saved state keeps
//! their documents ([`crate::storage`]). A custom profile never keeps a credential: `auth.token`
//! and `auth.secret` are dropped on load (a lane needs none, and saved state holds no token).

use std::cell::RefCell;

use scim_core::Profile;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A profile a lane can run: the built-ins plus derived variants.
#[derive(Debug, Clone)]
pub struct ProfileChoice {
    /// The key stored in saved state and share links.
    pub name: String,
    pub title: String,
    pub profile: Profile,
    pub origin: Origin,
}

/// Where a catalog profile comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Origin {
    /// Built into the page (or derived from a built-in).
    Builtin,
    /// Learned from a live server by the probe battery.
    Learned,
    /// A profile JSON file the person loaded.
    File,
}

impl ProfileChoice {
    /// The name a Profile list shows: custom profiles marked as such.
    pub fn label(&self) -> String {
        match self.origin {
            Origin::Builtin => self.name.clone(),
            Origin::Learned => format!("{} (learned)", self.name),
            Origin::File => format!("{} (custom)", self.name),
        }
    }
}

/// A custom profile and the document it was loaded from (credential dropped), which saved
/// state keeps.
#[derive(Debug, Clone)]
pub struct Custom {
    pub choice: ProfileChoice,
    pub document: Value,
}

thread_local! {
    /// The person's own profiles, in the order they were added (the page is one thread).
    static CUSTOM: RefCell<Vec<Custom>> = const { RefCell::new(Vec::new()) };
}

/// Name of the derived RFC variant that keeps omitted attributes (RFC 7644 §3.5.1 allows it).
pub const RFC_KEEP_OMITTED: &str = "rfc (keep omitted)";

/// Every profile the lanes offer. Data-driven: each entry of
/// [`scim_core::Profile::builtins`] appears, so new built-ins show up unchanged here.
/// Parsed once per page.
pub fn catalog() -> &'static [ProfileChoice] {
    static CATALOG: std::sync::OnceLock<Vec<ProfileChoice>> = std::sync::OnceLock::new();
    CATALOG.get_or_init(build_catalog)
}

fn build_catalog() -> Vec<ProfileChoice> {
    let mut out = Vec::new();
    for info in Profile::builtins() {
        if let Some(profile) = Profile::builtin(&info.name) {
            let title = if info.title.is_empty() { info.name.clone() } else { info.title };
            out.push(ProfileChoice { name: info.name, title, profile, origin: Origin::Builtin });
        }
    }
    if let Some(rfc) = out.iter().find(|c| c.name == "rfc").map(|c| c.profile.clone()) {
        if !out.iter().any(|c| c.name == RFC_KEEP_OMITTED) {
            let mut p = rfc;
            p.behaviour.omitted = scim_core::Omitted::Keep;
            p.name = RFC_KEEP_OMITTED.into();
            p.title = "RFC, keeping omitted attributes".into();
            p.description = "The RFC profile with behaviour.omitted = keep: a PUT leaves attributes the body omits as they were, as many services do (RFC 7644 §3.5.1 permits it).".into();
            out.push(ProfileChoice {
                name: RFC_KEEP_OMITTED.into(),
                title: p.title.clone(),
                profile: p,
                origin: Origin::Builtin,
            });
        }
    }
    out
}

/// The profile for a name, if the catalog or the custom profiles have it.
pub fn find_profile(name: &str) -> Option<Profile> {
    catalog().iter().find(|c| c.name == name).map(|c| c.profile.clone()).or_else(|| {
        CUSTOM.with_borrow(|cs| cs.iter().find(|c| c.choice.name == name).map(|c| c.choice.profile.clone()))
    })
}

/// Every profile a lane's Profile list offers: the catalog, then the custom profiles.
pub fn choices() -> Vec<ProfileChoice> {
    let mut out = catalog().to_vec();
    out.extend(custom().into_iter().map(|c| c.choice));
    out
}

/// The custom profiles, oldest first.
pub fn custom() -> Vec<Custom> {
    CUSTOM.with_borrow(Clone::clone)
}

/// Reads a profile JSON document with the core's loader ([`Profile::from_json`]; a document
/// with `"extends"` derives from a built-in). The credential (`auth.token`, `auth.secret`) is
/// dropped first. The name must not be a built-in's (those cannot be replaced); an empty
/// name becomes `custom`. Errors are sentences a person can act on.
pub fn load_custom(text: &str, origin: Origin) -> Result<Custom, String> {
    let mut doc: Value = scim_core::from_json_str(text)
        .map_err(|e| format!("The file is not JSON ({e}); a profile is a JSON object."))?;
    let Some(obj) = doc.as_object_mut() else {
        return Err("The file is JSON but not an object; a profile is a JSON object with a name and behaviour.".into());
    };
    if let Some(Value::Object(auth)) = obj.get_mut("auth") {
        auth.remove("token");
        auth.remove("secret");
    }
    let name = obj.get("name").and_then(Value::as_str).map(str::trim).unwrap_or_default().to_string();
    let name = if name.is_empty() { "custom".to_string() } else { name };
    if catalog().iter().any(|c| c.name.eq_ignore_ascii_case(&name)) {
        return Err(format!(
            "The profile is named {name:?}, like a built-in profile; give it another \"name\" (built-ins cannot be replaced)."
        ));
    }
    obj.insert("name".into(), Value::String(name.clone()));
    let text = serde_json::to_string(&doc).map_err(|e| e.to_string())?;
    let profile = Profile::from_json(&text).map_err(|e| format!("The profile does not load: {e}."))?;
    // The document as read (not the profile serialised again, which would link Profile's
    // serializer into the page for nothing): it loads back to the same profile.
    let document = doc;
    let title = if profile.title.is_empty() { name.clone() } else { profile.title.clone() };
    Ok(Custom { choice: ProfileChoice { name, title, profile, origin }, document })
}

/// Adds a custom profile, replacing one of the same name. Returns its name.
pub fn add_custom(c: Custom) -> String {
    let name = c.choice.name.clone();
    CUSTOM.with_borrow_mut(|cs| match cs.iter_mut().find(|x| x.choice.name == name) {
        Some(slot) => *slot = c,
        None => cs.push(c),
    });
    name
}

/// Removes the custom profile `name`; whether there was one.
pub fn remove_custom(name: &str) -> bool {
    CUSTOM.with_borrow_mut(|cs| {
        let before = cs.len();
        cs.retain(|c| c.choice.name != name);
        cs.len() < before
    })
}

/// Whether `name` is a custom profile.
pub fn is_custom(name: &str) -> bool {
    CUSTOM.with_borrow(|cs| cs.iter().any(|c| c.choice.name == name))
}

/// Replaces every custom profile (saved state being applied).
pub fn set_custom(list: Vec<Custom>) {
    CUSTOM.with_borrow_mut(|cs| *cs = list);
}

/// Default profiles for lanes A and B: the RFC, and the first other profile that keeps
/// omitted attributes on PUT (RFC 7644 §3.5.1 allows both) while using the RFC's core User
/// schema, so the default request (the minimal template) is valid in both lanes and the first
/// Send shows the omitted-attribute difference. With the built-ins that is Veeva; Ping keeps
/// omitted attributes too but wants its own User schema URN in `schemas`.
pub fn default_profiles() -> [String; 2] {
    let core = find_profile("rfc").and_then(|p| user_schema(&p));
    let b = catalog()
        .iter()
        .filter(|c| c.name != "rfc" && c.profile.behaviour.omitted == scim_core::Omitted::Keep)
        .find(|c| core.is_some() && user_schema(&c.profile) == core)
        .map(|c| c.name.clone())
        .unwrap_or_else(|| RFC_KEEP_OMITTED.into());
    ["rfc".into(), b]
}

/// The core schema of the profile's `/Users` resource type (RFC 7643 §6).
fn user_schema(p: &Profile) -> Option<String> {
    p.resource_types.iter().find(|t| t.endpoint == "/Users").map(|t| t.schema.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    const LEARNED: &str = r#"{"extends": "rfc", "name": "my server", "title": "my server (learned from a live server)",
        "behaviour": {"omitted": "keep", "unknownAttributes": "ignore"},
        "auth": {"kind": "bearer", "token": "s3cret-token"}}"#;

    #[test]
    fn a_custom_profile_loads_joins_the_choices_and_keeps_no_credential() {
        set_custom(Vec::new());
        let c = load_custom(LEARNED, Origin::Learned).unwrap();
        assert!(!c.document.to_string().contains("s3cret-token"), "{}", c.document);
        assert_eq!(c.choice.label(), "my server (learned)");
        assert_eq!(add_custom(c), "my server");
        let p = find_profile("my server").unwrap();
        assert_eq!(p.behaviour.omitted, scim_core::Omitted::Keep);
        assert_eq!(p.behaviour.unknown_attributes, scim_core::Unknown::Ignore);
        assert_eq!(choices().last().map(|c| c.name.clone()).as_deref(), Some("my server"));
        assert_eq!(choices().len(), catalog().len() + 1);
        // The saved document loads back to the same profile.
        let again = load_custom(&custom()[0].document.to_string(), Origin::Learned).unwrap();
        assert_eq!(again.choice.profile.behaviour, p.behaviour);
        // Same name: replaced, not added.
        add_custom(load_custom(&LEARNED.replace("keep", "clear"), Origin::File).unwrap());
        assert_eq!(custom().len(), 1);
        assert_eq!(find_profile("my server").unwrap().behaviour.omitted, scim_core::Omitted::Clear);
        assert_eq!(custom()[0].choice.label(), "my server (custom)");
        set_custom(Vec::new());
        assert!(find_profile("my server").is_none());
    }

    #[test]
    fn a_bad_profile_file_says_what_is_wrong() {
        let err = |t: &str| load_custom(t, Origin::File).unwrap_err();
        assert!(err("{name").contains("not JSON"), "{}", err("{name"));
        assert!(err("[1]").contains("not an object"));
        let e = err(r#"{"name": "x", "behaviour": {"omitted": "sometimes"}}"#);
        assert!(e.contains("behaviour.omitted") && e.contains("sometimes"), "{e}");
        assert!(err(r#"{"name": "RFC"}"#).contains("like a built-in profile"));
        let e = err(r#"{"extends": "nope"}"#);
        assert!(e.contains("no built-in profile \"nope\""), "{e}");
        // `extends` derives; an empty name becomes "custom".
        let c = load_custom(r#"{"extends": "veeva", "name": ""}"#, Origin::File).unwrap();
        assert_eq!(
            (c.choice.name.as_str(), c.choice.profile.base_path.as_str()),
            ("custom", Profile::builtin("veeva").unwrap().base_path.as_str())
        );
    }

    #[test]
    fn catalog_lists_every_builtin_and_the_keep_omitted_variant() {
        let names: Vec<&str> = catalog().iter().map(|c| c.name.as_str()).collect();
        for builtin in Profile::builtins() {
            assert!(names.iter().any(|n| *n == builtin.name), "{} missing from {names:?}", builtin.name);
        }
        let keep = find_profile(RFC_KEEP_OMITTED).unwrap();
        assert_eq!(keep.behaviour.omitted, scim_core::Omitted::Keep);
        assert_eq!(find_profile("rfc").unwrap().behaviour.omitted, scim_core::Omitted::Clear);
    }
}
