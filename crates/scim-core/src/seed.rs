//! Seed data: the resources a profile puts in the store when a server starts with
//! [`crate::Server::with_seed`] (the playground's and the native server's "demo" data, and
//! the users the vendor documents' example responses imply).
//!
//! A seed resource is written in the shape a GET returns. It goes through the same replace
//! engine as a POST (types, schemas, required attributes, uniqueness), under the RFC's strict
//! knobs whatever the profile's, so a typo in a seed is an error rather than a silent drop.
//! Unlike a POST, readOnly values are taken as written ([`Mode::Seed`]): a seed may say when
//! a Veeva user last logged in. `id`, `meta.created` and `meta.lastModified` may be given;
//! otherwise they come from the profile's id style, the server's [`crate::Ids`] and its clock.

use serde_json::{Map, Value};

use crate::clock::{Clock, IdState, Ids, Millis, Time};
use crate::explain::Explanation;
use crate::profile::registry::Registry;
use crate::profile::types::{Behaviour, IdStyle, Profile, ProfileError};
use crate::replace::{self, Mode, Target};
use crate::resource::{Stamp, assemble};
use crate::store::Store;
use crate::time::{format_millis, parse_datetime};

/// Checks that every seed resource of `profile` loads ([`crate::Profile::validate`]).
pub(crate) fn check(profile: &Profile, registry: &Registry) -> Result<usize, ProfileError> {
    let mut store = Store::new(registry);
    let now = Time::new(Clock::default()).now();
    apply(profile, registry, &mut store, &mut IdState::new(Ids::Counting), now)
}

/// Adds every seed resource of `profile` to `store`. Errors name the resource
/// (`seed.User[0].emails: ...`); on error the caller discards the store.
pub(crate) fn apply(
    profile: &Profile,
    registry: &Registry,
    store: &mut Store,
    ids: &mut IdState,
    now: Millis,
) -> Result<usize, ProfileError> {
    let now = format_millis(now);
    let strict = Behaviour::default();
    let mut count = 0;
    for (type_name, list) in &profile.seed {
        let kind = registry.kind(type_name).ok_or_else(|| {
            let names: Vec<&str> = registry.kinds.iter().map(|k| k.def.name.as_str()).collect();
            ProfileError(format!(
                "seed.{type_name}: no resource type named {type_name:?}; this profile defines {}",
                names.join(", ")
            ))
        })?;
        for (i, resource) in list.iter().enumerate() {
            let at = format!("seed.{type_name}[{i}]");
            let mut expl = Explanation::new("seed".to_string(), profile.name.clone());
            let body = Value::Object(resource.clone());
            let written = replace::apply(
                kind,
                &strict,
                Target::new_resource(Mode::Seed),
                &crate::json::Node::from_value(&body),
                &mut expl,
            )
            .map_err(|e| ProfileError(format!("{at}: {}", e.detail)))?;
            let id = match resource.get("id") {
                Some(Value::String(s)) if crate::resource::unservable_id(s).is_none() => s.clone(),
                Some(Value::String(s)) => {
                    let why = crate::resource::unservable_id(s).unwrap_or_default();
                    return Err(ProfileError(format!("{at}.id: {why}, got {s:?}")));
                }
                Some(other) => {
                    return Err(ProfileError(format!("{at}.id: must be a non-empty string, got {other}")));
                }
                None => match profile.id_style {
                    IdStyle::Uuid => ids.next_id(),
                    IdStyle::Numeric { start } => store.next_numeric_id(start),
                },
            };
            if store.contains(&kind.def.name, &id) {
                return Err(ProfileError(format!("{at}.id: {id:?} is used by an earlier seed resource")));
            }
            if let (IdStyle::Numeric { .. }, Ok(n)) = (&profile.id_style, id.parse::<u64>()) {
                store.reserve_numeric_id(n);
            }
            let meta = resource.get("meta").and_then(Value::as_object);
            let created = meta_time(meta, "created", &at)?.unwrap_or_else(|| now.clone());
            let modified = meta_time(meta, "lastModified", &at)?.unwrap_or_else(|| created.clone());
            if let Some((attr, other)) = store.unique_conflict(&kind.def.name, &written.attributes, None) {
                return Err(ProfileError(format!("{at}.{attr}: the value is already used by seed resource {other:?}")));
            }
            let version = profile.behaviour.versioning.then_some(1);
            let stored = assemble(kind, written, &id, Stamp { created: &created, modified: &modified, version });
            store.put(&kind.def.name, &id, stored);
            count += 1;
        }
    }
    Ok(count)
}

fn meta_time(meta: Option<&Map<String, Value>>, name: &str, at: &str) -> Result<Option<String>, ProfileError> {
    match meta.and_then(|m| m.get(name)) {
        None => Ok(None),
        Some(Value::String(s)) if parse_datetime(s).is_some() => Ok(Some(s.clone())),
        Some(other) => Err(ProfileError(format!(
            "{at}.meta.{name}: must be an xsd:dateTime string such as 2018-01-09T23:07:43.000Z, got {other}"
        ))),
    }
}
