//! Saved state: the only module that touches browser storage (through gloo-storage).
//!
//! - Versioned: every saved document has a `version`; each version has its own type and
//!   older ones migrate one step at a time ([`SavedV1`] → [`SavedV2`]).
//! - Corrupt data or an unknown version is copied to `scim-playground:backup` and the page
//!   starts from defaults with a visible notice.
//! - A full quota trims the history until the state fits, and says so.
//! - Without storage (private modes, blocked cookies) the page works in memory, with a notice.
//! - Loading is explicit ([`Persistence::load`]), never part of `Default`.
//!
//! The logic runs against a [`Backend`] so it is tested natively with [`MemoryBackend`].

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::catalog::find_profile;
use crate::draft::Draft;
use crate::lane::Lane;
use crate::playground::{HISTORY_CAP, HistoryEntry, LANE_NAMES, Playground};

/// Prefix of every key this app writes.
pub const NAMESPACE: &str = "scim-playground:";
/// Prefix in embed mode (session storage), so an embedded copy never overwrites the page's.
pub const EMBED_NAMESPACE: &str = "scim-playground:embed:";
/// The current state document.
pub const STATE: &str = "state";
/// Where unreadable state is kept for the person to recover by hand.
pub const BACKUP: &str = "backup";

/// The version [`Persistence::save`] writes.
pub const CURRENT_VERSION: u32 = 2;

/// Version 1: composer, lane profiles and history; stores were not kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SavedV1 {
    pub version: u32,
    pub draft: Draft,
    pub profiles: Vec<String>,
    #[serde(default)]
    pub history: Vec<HistoryEntry>,
}

/// One lane in version 2: its profile and its server's snapshot, which carries the id
/// sequence and clock (earlier builds also wrote `idsIssued` and `elapsedMs`; they are
/// ignored now, and a snapshot without that state continues after its highest id and
/// newest timestamp).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SavedLane {
    pub profile: String,
    /// A `Server::snapshot`; `None` means "start from the seed users".
    #[serde(default)]
    pub store: Option<Value>,
}

/// Version 2 (current): version 1 plus each lane's store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SavedV2 {
    pub version: u32,
    pub draft: Draft,
    pub lanes: Vec<SavedLane>,
    #[serde(default)]
    pub history: Vec<HistoryEntry>,
}

/// The current saved-state type.
pub type Saved = SavedV2;

impl From<SavedV1> for SavedV2 {
    fn from(v1: SavedV1) -> SavedV2 {
        SavedV2 {
            version: 2,
            draft: v1.draft,
            lanes: v1.profiles.into_iter().map(|profile| SavedLane { profile, store: None }).collect(),
            history: v1.history,
        }
    }
}

/// Why a saved document was not used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    Corrupt(String),
    UnknownVersion(String),
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecodeError::Corrupt(e) => write!(f, "it is not valid saved state ({e})"),
            DecodeError::UnknownVersion(v) => write!(f, "its version {v} is unknown to this page"),
        }
    }
}

/// Parses any known version and migrates it to the current one, step by step.
pub fn decode(text: &str) -> Result<Saved, DecodeError> {
    let value: Value = scim_core::from_json_str(text).map_err(|e| DecodeError::Corrupt(e.to_string()))?;
    let version = value.get("version").cloned().unwrap_or(Value::Null);
    let corrupt = |e: serde_json::Error| DecodeError::Corrupt(e.to_string());
    match version.as_u64() {
        Some(1) => Ok(SavedV1::deserialize(&value).map_err(corrupt)?.into()),
        Some(2) => SavedV2::deserialize(&value).map_err(corrupt),
        _ => Err(DecodeError::UnknownVersion(version.to_string())),
    }
}

/// Captures the page's state for saving.
pub fn capture(pg: &mut Playground, draft: &Draft) -> Saved {
    let lanes = pg
        .lanes
        .iter_mut()
        .map(|lane| SavedLane { profile: lane.profile_name.clone(), store: Some(lane.snapshot()) })
        .collect();
    Saved { version: CURRENT_VERSION, draft: draft.clone(), lanes, history: pg.history.clone() }
}

/// Rebuilds the page's state; lanes that no longer fit (profile gone, store unreadable)
/// start from the seed users, each with a notice.
pub fn apply(saved: Saved) -> (Playground, Draft, Vec<String>) {
    let mut notices = Vec::new();
    let mut pg = Playground::default();
    for (i, lane) in saved.lanes.iter().enumerate().take(pg.lanes.len()) {
        let name = LANE_NAMES.get(i).copied().unwrap_or("Lane");
        let l = if find_profile(&lane.profile).is_none() {
            let l = Lane::new(&lane.profile);
            notices.push(format!(
                "{name}: profile {:?} is not available in this build; using {:?} from the seed users.",
                lane.profile, l.profile_name
            ));
            l
        } else {
            match &lane.store {
                None => Lane::new(&lane.profile),
                Some(store) => Lane::restore(&lane.profile, store).unwrap_or_else(|| {
                    notices.push(format!(
                        "{name}: the saved store could not be restored under profile {:?}; it starts from the seed users.",
                        lane.profile
                    ));
                    Lane::new(&lane.profile)
                }),
            }
        };
        if let Some(slot) = pg.lanes.get_mut(i) {
            *slot = l;
        }
    }
    pg.history = saved.history;
    pg.history.truncate(HISTORY_CAP);
    (pg, saved.draft, notices)
}

/// A failed write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetError {
    Quota,
    Other(String),
}

/// Key-value text storage.
pub trait Backend {
    fn get(&self, key: &str) -> Result<Option<String>, String>;
    fn set(&mut self, key: &str, value: &str) -> Result<(), SetError>;
}

/// In-memory storage with an optional size limit (tests, and the no-storage fallback).
#[derive(Debug, Default)]
pub struct MemoryBackend {
    pub items: HashMap<String, String>,
    /// Total characters allowed across all items, like a browser quota.
    pub quota: Option<usize>,
}

impl Backend for MemoryBackend {
    fn get(&self, key: &str) -> Result<Option<String>, String> {
        Ok(self.items.get(key).cloned())
    }

    fn set(&mut self, key: &str, value: &str) -> Result<(), SetError> {
        if let Some(q) = self.quota {
            let others: usize = self.items.iter().filter(|(k, _)| *k != key).map(|(k, v)| k.len() + v.len()).sum();
            if others + key.len() + value.len() > q {
                return Err(SetError::Quota);
            }
        }
        self.items.insert(key.into(), value.into());
        Ok(())
    }
}

/// What loading found.
#[derive(Debug, Default)]
pub struct Loaded {
    pub saved: Option<Saved>,
    pub notice: Option<String>,
}

/// Saved state in one namespace of one backend (`None`: storage unavailable, memory only).
#[derive(Debug)]
pub struct Persistence<B: Backend> {
    backend: Option<B>,
    namespace: String,
    last_written: Option<String>,
}

impl<B: Backend> Persistence<B> {
    pub fn new(backend: Option<B>, namespace: &str) -> Self {
        Persistence { backend, namespace: namespace.into(), last_written: None }
    }

    pub fn key(&self, name: &str) -> String {
        format!("{}{name}", self.namespace)
    }

    pub fn is_available(&self) -> bool {
        self.backend.is_some()
    }

    /// Reads the saved state. Unreadable data is moved to the backup key, never lost.
    pub fn load(&mut self) -> Loaded {
        let (key, backup) = (self.key(STATE), self.key(BACKUP));
        let Some(backend) = self.backend.as_mut() else {
            return Loaded {
                saved: None,
                notice: Some(
                    "Browser storage is unavailable here: the playground works, but nothing is kept after this page closes."
                        .into(),
                ),
            };
        };
        let text = match backend.get(&key) {
            Ok(Some(t)) => t,
            Ok(None) => return Loaded::default(),
            Err(e) => return Loaded { saved: None, notice: Some(format!("Saved state could not be read ({e}).")) },
        };
        match decode(&text) {
            Ok(saved) => {
                self.last_written = Some(text);
                Loaded { saved: Some(saved), notice: None }
            }
            Err(why) => {
                let kept = backend.set(&backup, &text).is_ok();
                let where_ =
                    if kept { format!("a copy is kept under {backup:?}") } else { "it could not be backed up".into() };
                Loaded {
                    saved: None,
                    notice: Some(format!(
                        "Saved state was not restored because {why}; {where_}. Starting from defaults."
                    )),
                }
            }
        }
    }

    /// Writes the state; on a full quota drops history (oldest first) until it fits.
    /// Returns a notice when something had to give.
    pub fn save(&mut self, saved: &mut Saved) -> Option<String> {
        let key = self.key(STATE);
        let backend = self.backend.as_mut()?;
        let before = saved.history.len();
        loop {
            let text = match serde_json::to_string(saved) {
                Ok(t) => t,
                Err(e) => return Some(format!("State could not be saved ({e}).")),
            };
            if self.last_written.as_deref() == Some(text.as_str()) {
                return None;
            }
            match backend.set(&key, &text) {
                Ok(()) => {
                    self.last_written = Some(text);
                    let after = saved.history.len();
                    return (after < before).then(|| {
                        format!(
                            "Browser storage is full: history trimmed from {before} to {after} entries so the rest could be saved."
                        )
                    });
                }
                Err(SetError::Quota) if !saved.history.is_empty() => {
                    let keep = saved.history.len() / 2;
                    saved.history.truncate(keep);
                }
                Err(SetError::Quota) => {
                    return Some("Browser storage is full even without history: this state is not saved.".into());
                }
                Err(SetError::Other(e)) => return Some(format!("State could not be saved ({e}).")),
            }
        }
    }

    /// Forgets what was last written, so the next save writes even if unchanged.
    pub fn forget_last_written(&mut self) {
        self.last_written = None;
    }
}

/// Browser storage (local, or session in embed mode) through gloo-storage.
#[derive(Debug)]
pub struct BrowserBackend {
    session: bool,
}

impl BrowserBackend {
    /// Probes the storage with a write; `None` when it is missing or refuses writes.
    pub fn probe(session: bool) -> Option<BrowserBackend> {
        let window = web_sys::window()?;
        let storage = if session { window.session_storage() } else { window.local_storage() };
        let storage = storage.ok().flatten()?;
        let probe = format!("{NAMESPACE}probe");
        storage.set_item(&probe, "1").ok()?;
        storage.remove_item(&probe).ok()?;
        Some(BrowserBackend { session })
    }

    fn raw(&self) -> web_sys::Storage {
        use gloo_storage::Storage;
        if self.session { gloo_storage::SessionStorage::raw() } else { gloo_storage::LocalStorage::raw() }
    }
}

impl Backend for BrowserBackend {
    fn get(&self, key: &str) -> Result<Option<String>, String> {
        self.raw().get_item(key).map_err(|e| js_error_text(&e))
    }

    fn set(&mut self, key: &str, value: &str) -> Result<(), SetError> {
        self.raw().set_item(key, value).map_err(|e| {
            let name = js_sys::Reflect::get(&e, &"name".into()).ok().and_then(|n| n.as_string()).unwrap_or_default();
            if name == "QuotaExceededError" || name == "NS_ERROR_DOM_QUOTA_REACHED" {
                SetError::Quota
            } else {
                SetError::Other(js_error_text(&e))
            }
        })
    }
}

fn js_error_text(e: &wasm_bindgen::JsValue) -> String {
    js_sys::Reflect::get(e, &"message".into()).ok().and_then(|m| m.as_string()).unwrap_or_else(|| format!("{e:?}"))
}

/// The page's persistence: local storage, session storage in embed mode, or memory.
pub fn open(embed: bool) -> Persistence<BrowserBackend> {
    let ns = if embed { EMBED_NAMESPACE } else { NAMESPACE };
    Persistence::new(BrowserBackend::probe(embed), ns)
}

/// Calls `on_change` when another tab writes our state key (the `storage` event only fires
/// in other documents of the same origin).
pub fn watch_other_tabs(namespace: String, on_change: impl Fn() + 'static) {
    let _ = leptos::prelude::window_event_listener(leptos::ev::storage, move |e: web_sys::StorageEvent| {
        if e.key().is_none_or(|k| k == format!("{namespace}{STATE}")) {
            on_change();
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::RFC_KEEP_OMITTED;

    const V1: &str = include_str!("../tests/fixtures/saved-v1.json");
    const V1_AS_V2: &str = include_str!("../tests/fixtures/saved-v1-migrated.json");

    fn mem() -> Persistence<MemoryBackend> {
        Persistence::new(Some(MemoryBackend::default()), NAMESPACE)
    }

    fn saved_with_history(n: usize) -> Saved {
        let mut pg = Playground::with_profiles("rfc", RFC_KEEP_OMITTED);
        for _ in 0..n {
            pg.send(&Draft::default()).unwrap();
        }
        capture(&mut pg, &Draft::default())
    }

    #[test]
    fn nothing_saved_loads_nothing_without_notice() {
        let loaded = mem().load();
        assert!(loaded.saved.is_none());
        assert!(loaded.notice.is_none());
    }

    #[test]
    fn round_trip_restores_lanes_stores_and_history() {
        let mut p = mem();
        let mut pg = Playground::with_profiles("rfc", RFC_KEEP_OMITTED);
        let d = Draft { method: "DELETE".into(), ..Draft::default() };
        pg.send(&d).unwrap();
        let mut saved = capture(&mut pg, &d);
        assert_eq!(p.save(&mut saved), None);
        let loaded = p.load().saved.unwrap();
        assert_eq!(loaded, saved);
        let (mut back, draft, notices) = apply(loaded);
        assert!(notices.is_empty(), "{notices:?}");
        assert_eq!(draft, d);
        assert_eq!(back.lanes[0].users().len(), 2);
        assert_eq!(back.lanes[1].profile_name, RFC_KEEP_OMITTED);
        assert_eq!(back.history.len(), 1);
        assert_eq!(capture(&mut back, &d), saved);
    }

    #[test]
    fn version_1_fixture_migrates_to_the_version_2_fixture_exactly() {
        let migrated = decode(V1).unwrap();
        let expected: SavedV2 = serde_json::from_str(V1_AS_V2).unwrap();
        assert_eq!(migrated, expected);
        let (pg, _, notices) = apply(migrated);
        assert!(notices.is_empty());
        assert_eq!(pg.lanes[1].users().len(), 3, "v1 had no stores: lanes start from the seed users");
    }

    #[test]
    fn corrupt_data_is_backed_up_with_a_notice() {
        let mut p = mem();
        p.backend.as_mut().unwrap().set("scim-playground:state", "{not json").unwrap();
        let loaded = p.load();
        assert!(loaded.saved.is_none());
        let notice = loaded.notice.unwrap();
        assert!(notice.contains("scim-playground:backup"), "{notice}");
        assert!(notice.contains("Starting from defaults"), "{notice}");
        assert_eq!(p.backend.as_ref().unwrap().get("scim-playground:backup").unwrap().as_deref(), Some("{not json"));
    }

    #[test]
    fn unknown_version_is_backed_up_with_a_notice() {
        let mut p = mem();
        let text = r#"{"version": 99, "whatever": true}"#;
        p.backend.as_mut().unwrap().set("scim-playground:state", text).unwrap();
        let notice = p.load().notice.unwrap();
        assert!(notice.contains("version 99"), "{notice}");
        assert_eq!(p.backend.as_ref().unwrap().get("scim-playground:backup").unwrap().as_deref(), Some(text));
        assert!(matches!(decode(r#"{"draft": 1}"#), Err(DecodeError::UnknownVersion(_))));
        assert!(matches!(decode(r#"{"version": 2, "draft": 1}"#), Err(DecodeError::Corrupt(_))));
    }

    #[test]
    fn quota_trims_history_and_says_so() {
        let mut saved = saved_with_history(20);
        let small = serde_json::to_string(&Saved { history: vec![], ..saved.clone() }).unwrap().len();
        let mut p =
            Persistence::new(Some(MemoryBackend { items: HashMap::new(), quota: Some(small + 1500) }), NAMESPACE);
        let notice = p.save(&mut saved).unwrap();
        assert!(notice.contains("history trimmed from 20 to"), "{notice}");
        assert!(saved.history.len() < 20);
        assert_eq!(decode(&p.backend.as_ref().unwrap().items["scim-playground:state"]).unwrap(), saved);

        let mut tiny = Persistence::new(Some(MemoryBackend { items: HashMap::new(), quota: Some(10) }), NAMESPACE);
        assert!(tiny.save(&mut saved_with_history(1)).unwrap().contains("not saved"));
    }

    #[test]
    fn unavailable_storage_works_in_memory_with_a_notice() {
        let mut p: Persistence<MemoryBackend> = Persistence::new(None, NAMESPACE);
        assert!(!p.is_available());
        assert!(p.load().notice.unwrap().contains("unavailable"));
        assert_eq!(p.save(&mut saved_with_history(0)), None);
    }

    #[test]
    fn unchanged_state_is_not_rewritten_and_keys_are_namespaced() {
        let mut p = Persistence::new(Some(MemoryBackend::default()), EMBED_NAMESPACE);
        let mut s = saved_with_history(0);
        p.save(&mut s);
        p.backend.as_mut().unwrap().items.clear();
        p.save(&mut s);
        assert!(p.backend.as_ref().unwrap().items.is_empty(), "same text is not written twice");
        p.forget_last_written();
        p.save(&mut s);
        assert!(p.backend.as_ref().unwrap().items.contains_key("scim-playground:embed:state"));
    }

    #[test]
    fn a_lane_whose_profile_vanished_falls_back_with_a_notice() {
        let mut s = saved_with_history(0);
        s.lanes[1].profile = "retired".into();
        let (pg, _, notices) = apply(s);
        assert_eq!(pg.lanes[1].profile_name, "rfc");
        assert!(notices.iter().any(|n| n.contains("retired")), "{notices:?}");
    }
}
