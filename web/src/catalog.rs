//! The profile catalog: every profile a lane can run (the built-ins plus derived variants)
//! and the default profiles of lanes A and B.

use scim_core::Profile;

/// A profile a lane can run: the built-ins plus derived variants.
#[derive(Debug, Clone)]
pub struct ProfileChoice {
    /// The key stored in saved state and share links.
    pub name: String,
    pub title: String,
    pub profile: Profile,
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
            out.push(ProfileChoice { name: info.name, title, profile });
        }
    }
    if let Some(rfc) = out.iter().find(|c| c.name == "rfc").map(|c| c.profile.clone()) {
        if !out.iter().any(|c| c.name == RFC_KEEP_OMITTED) {
            let mut p = rfc;
            p.behaviour.omitted = scim_core::Omitted::Keep;
            p.name = RFC_KEEP_OMITTED.into();
            p.title = "RFC, keeping omitted attributes".into();
            p.description = "The RFC profile with behaviour.omitted = keep: a PUT leaves attributes the body omits as they were, as many services do (RFC 7644 §3.5.1 permits it).".into();
            out.push(ProfileChoice { name: RFC_KEEP_OMITTED.into(), title: p.title.clone(), profile: p });
        }
    }
    out
}

/// The profile for a name, if the catalog has it.
pub fn find_profile(name: &str) -> Option<Profile> {
    catalog().iter().find(|c| c.name == name).map(|c| c.profile.clone())
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
