//! Saved state: the only module that touches browser storage (through gloo-storage).
//!
//! - Split per lane (version 3), so saving costs what changed, not the store's size: the
//!   state document (`state`: composer, history, each lane's profile and generation) is small;
//!   each lane keeps its store under `lane0`/`lane1` (written when the lane starts over:
//!   new, reset, switched profile, or after [`COMPACT_AFTER`] records) and the change records
//!   of every write since under `lane0:log`/`lane1:log` ([`scim_core::Changes::to_json`],
//!   replayed on load with [`scim_core::Server::replay`]). A store and its log carry the
//!   generation the state document names, so a log never lands on another store.
//! - Versioned: every state document has a `version`; each version has its own type and
//!   older ones migrate one step at a time ([`SavedV1`] → [`SavedV2`] → version 3 → version 4:
//!   a version 2 document holds the stores inline; they are restored and written to their
//!   own keys by the next save; version 4 adds the custom profiles, version 3 had none).
//! - Custom profiles (learned, or loaded from a file; [`crate::catalog::custom`]) are kept in
//!   the state document with the lanes that name them, so a lane and its profile are written
//!   together. Their documents hold no credential (the catalog drops it on load); the remote
//!   lane's token is never part of saved state. A saved profile that no longer loads is left
//!   out with a notice, and a lane running it starts on the `rfc` profile.
//! - Corrupt data or an unknown version is copied to `scim-playground:backup` (a lane's to
//!   `backup:lane0`/`backup:lane1`) and the page starts from defaults (that lane from its
//!   seed users) with a visible notice. A log record that no longer applies stops the replay
//!   there, with a notice.
//! - A full quota trims the history until the state fits, and says so; a lane whose store or
//!   log does not fit keeps what was written before (a consistent earlier state) and says so.
//! - Without storage (private modes, blocked cookies) the page works in memory, with a notice.
//! - Loading is explicit ([`Persistence::load`]), never part of `Default`.
//!
//! The logic runs against a [`Backend`] so it is tested natively with [`MemoryBackend`].

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::catalog::{Origin, custom, find_profile, load_custom, set_custom};
use crate::draft::Draft;
use crate::lane::{Lane, SavedAt};
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
pub const CURRENT_VERSION: u32 = 4;

/// A lane's store is written again (and its log emptied) once its log holds this many
/// records, so loading replays at most this many and a log write stays small.
pub const COMPACT_AFTER: usize = 100;

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

/// Version 2: version 1 plus each lane's store, all in one document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SavedV2 {
    pub version: u32,
    pub draft: Draft,
    pub lanes: Vec<SavedLane>,
    #[serde(default)]
    pub history: Vec<HistoryEntry>,
}

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

/// One lane in version 3: its profile and the generation of its `laneN` and `laneN:log`
/// keys (`None`: not saved, start from the seed users).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LaneRef {
    pub profile: String,
    #[serde(default)]
    pub generation: Option<u64>,
}

/// Version 3: the state document without stores; they live under their own keys.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SavedV3 {
    pub version: u32,
    pub draft: Draft,
    pub lanes: Vec<LaneRef>,
    #[serde(default)]
    pub history: Vec<HistoryEntry>,
}

/// A custom profile as saved: where it came from and its document (no credential).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SavedProfile {
    pub origin: Origin,
    pub profile: Value,
}

/// Version 4 (current): version 3 plus the custom profiles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SavedV4 {
    pub version: u32,
    pub draft: Draft,
    pub lanes: Vec<LaneRef>,
    #[serde(default)]
    pub history: Vec<HistoryEntry>,
    #[serde(default)]
    pub profiles: Vec<SavedProfile>,
}

impl From<SavedV3> for SavedV4 {
    fn from(v3: SavedV3) -> SavedV4 {
        SavedV4 { version: 4, draft: v3.draft, lanes: v3.lanes, history: v3.history, profiles: Vec::new() }
    }
}

/// A state document as read, migrated as far as it can be without its lanes' keys.
#[derive(Debug, Clone, PartialEq)]
pub enum Document {
    /// Versions 1 and 2: stores inline (or none).
    Whole(SavedV2),
    /// Versions 3 and 4: stores under the lanes' keys.
    Split(SavedV4),
}

/// A lane as loaded: profile, store (`None`: seed users), the records written since, and
/// the generation they were read from (`None`: not yet saved in the current format).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LoadedLane {
    pub profile: String,
    pub store: Option<Value>,
    pub journal: Vec<Value>,
    pub generation: Option<u64>,
}

/// Everything loaded, ready for [`apply`].
#[derive(Debug, Clone, PartialEq)]
pub struct Saved {
    pub draft: Draft,
    pub lanes: Vec<LoadedLane>,
    pub history: Vec<HistoryEntry>,
    pub profiles: Vec<SavedProfile>,
}

impl From<SavedV2> for Saved {
    fn from(v2: SavedV2) -> Saved {
        let lanes = v2
            .lanes
            .into_iter()
            .map(|l| LoadedLane { profile: l.profile, store: l.store, ..LoadedLane::default() })
            .collect();
        Saved { draft: v2.draft, lanes, history: v2.history, profiles: Vec::new() }
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

/// Parses any known version of the state document and migrates it, step by step.
pub fn decode(text: &str) -> Result<Document, DecodeError> {
    let value: Value = scim_core::from_json_str(text).map_err(|e| DecodeError::Corrupt(e.to_string()))?;
    let version = value.get("version").cloned().unwrap_or(Value::Null);
    let corrupt = |e: serde_json::Error| DecodeError::Corrupt(e.to_string());
    match version.as_u64() {
        Some(1) => Ok(Document::Whole(SavedV1::deserialize(&value).map_err(corrupt)?.into())),
        Some(2) => Ok(Document::Whole(SavedV2::deserialize(&value).map_err(corrupt)?)),
        Some(3) => Ok(Document::Split(SavedV3::deserialize(&value).map_err(corrupt)?.into())),
        Some(4) => Ok(Document::Split(SavedV4::deserialize(&value).map_err(corrupt)?)),
        _ => Err(DecodeError::UnknownVersion(version.to_string())),
    }
}

/// A lane's saved store (`laneN`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct LaneBase {
    generation: u64,
    profile: String,
    store: Value,
}

impl LaneBase {
    /// Reads a parsed `laneN` document, moving the store out rather than copying it (a
    /// 10,000-user store is megabytes of values).
    fn take(mut v: Value) -> Option<LaneBase> {
        let obj = v.as_object_mut()?;
        let generation = obj.get("generation")?.as_u64()?;
        let profile = obj.get("profile")?.as_str()?.to_string();
        let store = obj.remove("store")?;
        Some(LaneBase { generation, profile, store })
    }
}

/// A lane's change records since its store (`laneN:log`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct LaneLog {
    generation: u64,
    records: Vec<Value>,
}

fn lane_name(i: usize) -> &'static str {
    LANE_NAMES.get(i).copied().unwrap_or("Lane")
}

/// Rebuilds the page's state: each lane's store, then its records replayed in order. Lanes
/// that no longer fit (profile gone, store unreadable) start from the seed users, and a
/// record that no longer applies stops the replay there, each with a notice.
pub fn apply(saved: Saved) -> (Playground, Draft, Vec<String>) {
    let mut notices = Vec::new();
    let mut custom = Vec::new();
    for p in &saved.profiles {
        let name = p.profile.get("name").and_then(Value::as_str).unwrap_or("(unnamed)");
        match load_custom(&p.profile.to_string(), p.origin) {
            Ok(c) => custom.push(c),
            Err(e) => notices.push(format!("The saved profile {name:?} could not be loaded: {e}")),
        }
    }
    set_custom(custom);
    let mut pg = Playground::default();
    for (i, lane) in saved.lanes.iter().enumerate().take(pg.lanes.len()) {
        let name = lane_name(i);
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
                Some(store) => match Lane::restore(&lane.profile, store) {
                    Some(mut l) => {
                        let mut complete = true;
                        for (n, record) in lane.journal.iter().enumerate() {
                            if let Err(e) = l.replay(record) {
                                notices.push(format!(
                                    "{name}: saved change {} of {} could not be applied ({e}); the lane shows the state before it.",
                                    n + 1,
                                    lane.journal.len()
                                ));
                                complete = false;
                                break;
                            }
                        }
                        // After a replay that stopped early the next save writes the store
                        // afresh (without the records that did not apply).
                        if let (Some(generation), true) = (lane.generation, complete) {
                            l.saved = Some(SavedAt { generation, logged: lane.journal.len() });
                        }
                        l
                    }
                    None => {
                        notices.push(format!(
                            "{name}: the saved store could not be restored under profile {:?}; it starts from the seed users.",
                            lane.profile
                        ));
                        Lane::new(&lane.profile)
                    }
                },
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
    /// Per lane slot, the newest generation seen (read or written), so a new store gets a
    /// new one.
    generations: Vec<u64>,
    /// Per lane slot, the generation its keys hold now (what the state document names).
    on_disk: Vec<Option<u64>>,
}

impl<B: Backend> Persistence<B> {
    pub fn new(backend: Option<B>, namespace: &str) -> Self {
        Persistence {
            backend,
            namespace: namespace.into(),
            last_written: None,
            generations: vec![0; LANE_NAMES.len()],
            on_disk: vec![None; LANE_NAMES.len()],
        }
    }

    pub fn key(&self, name: &str) -> String {
        format!("{}{name}", self.namespace)
    }

    /// The key of lane `i`'s store (`laneN`) or, with `log`, of its change records.
    pub fn lane_key(&self, i: usize, log: bool) -> String {
        if log { self.key(&format!("lane{i}:log")) } else { self.key(&format!("lane{i}")) }
    }

    pub fn is_available(&self) -> bool {
        self.backend.is_some()
    }

    /// Reads the saved state. Unreadable data is moved to a backup key, never lost.
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
            Ok(Document::Whole(v2)) => {
                // Migrated: the next save writes every lane's store to its own key.
                self.on_disk = vec![None; LANE_NAMES.len()];
                Loaded { saved: Some(v2.into()), notice: None }
            }
            Ok(Document::Split(doc)) => {
                self.last_written = Some(text);
                let mut notices = Vec::new();
                let lanes = doc.lanes.iter().enumerate().map(|(i, r)| self.load_lane(i, r, &mut notices)).collect();
                let notice = (!notices.is_empty()).then(|| notices.join(" "));
                Loaded {
                    saved: Some(Saved { draft: doc.draft, lanes, history: doc.history, profiles: doc.profiles }),
                    notice,
                }
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

    /// Reads lane `i`'s store and log for the generation the state document names.
    fn load_lane(&mut self, i: usize, r: &LaneRef, notices: &mut Vec<String>) -> LoadedLane {
        let seed = LoadedLane { profile: r.profile.clone(), ..LoadedLane::default() };
        if let Some(slot) = self.on_disk.get_mut(i) {
            *slot = None;
        }
        let Some(generation) = r.generation else { return seed };
        let (base_key, log_key, backup) =
            (self.lane_key(i, false), self.lane_key(i, true), self.key(&format!("{BACKUP}:lane{i}")));
        let Some(backend) = self.backend.as_mut() else { return seed };
        let name = lane_name(i);
        let text = match backend.get(&base_key) {
            Ok(Some(t)) => t,
            Ok(None) | Err(_) => {
                notices.push(format!("{name}: its saved users are missing; it starts from the seed users."));
                return seed;
            }
        };
        let base = match scim_core::from_json_str::<Value>(&text).ok().and_then(LaneBase::take) {
            Some(b) => b,
            None => {
                let kept = backend.set(&backup, &text).is_ok();
                let where_ =
                    if kept { format!("a copy is kept under {backup:?}") } else { "it could not be backed up".into() };
                notices.push(format!(
                    "{name}: its saved users are not readable ({where_}); it starts from the seed users."
                ));
                return seed;
            }
        };
        if let Some(g) = self.generations.get_mut(i) {
            *g = (*g).max(base.generation);
        }
        if base.generation != generation || base.profile != r.profile {
            // The store was written, the state document naming it was not (full storage,
            // a closed tab): the lane's users were not saved with this profile.
            notices.push(format!("{name}: its saved users belong to an older state; it starts from the seed users."));
            return seed;
        }
        let journal = match backend.get(&log_key) {
            Ok(Some(t)) => scim_core::from_json_str::<Value>(&t)
                .ok()
                .and_then(|v| LaneLog::deserialize(&v).ok())
                .filter(|log| log.generation == generation)
                .map(|log| log.records)
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        if let Some(slot) = self.on_disk.get_mut(i) {
            *slot = Some(generation);
        }
        LoadedLane { profile: r.profile.clone(), store: Some(base.store), journal, generation: Some(generation) }
    }

    /// Writes what changed: each lane's new records (or its whole store when it started over
    /// or its log is long), then the state document; on a full quota drops history (oldest
    /// first) until the state fits. Returns a notice when something had to give.
    pub fn save(&mut self, pg: &mut Playground, draft: &Draft) -> Option<String> {
        self.backend.as_ref()?;
        let mut notices = Vec::new();
        for i in 0..pg.lanes.len().min(LANE_NAMES.len()) {
            if let Some(lane) = pg.lanes.get_mut(i) {
                if let Some(n) = self.save_lane(i, lane) {
                    notices.push(n);
                }
            }
        }
        let lanes = pg
            .lanes
            .iter()
            .enumerate()
            .map(|(i, l)| LaneRef {
                profile: l.profile_name.clone(),
                generation: self.on_disk.get(i).copied().flatten(),
            })
            .collect();
        let profiles =
            custom().into_iter().map(|c| SavedProfile { origin: c.choice.origin, profile: c.document }).collect();
        let mut doc =
            SavedV4 { version: CURRENT_VERSION, draft: draft.clone(), lanes, history: pg.history.clone(), profiles };
        if let Some(n) = self.save_state(&mut doc) {
            pg.history.truncate(doc.history.len());
            notices.push(n);
        }
        (!notices.is_empty()).then(|| notices.join(" "))
    }

    fn save_lane(&mut self, i: usize, lane: &mut Lane) -> Option<String> {
        let (base_key, log_key) = (self.lane_key(i, false), self.lane_key(i, true));
        let name = lane_name(i);
        let backend = self.backend.as_mut()?;
        let full = |what: &str| {
            format!(
                "Browser storage is full: {name}'s {what} not saved (the page keeps working; a reload shows the lane as last saved)."
            )
        };
        match lane.saved {
            Some(at) if lane.journal.len() <= COMPACT_AFTER => {
                if lane.journal.len() == at.logged {
                    return None;
                }
                let log = LaneLog { generation: at.generation, records: lane.journal.clone() };
                let text = serde_json::to_string(&log).ok()?;
                match backend.set(&log_key, &text) {
                    Ok(()) => {
                        lane.saved = Some(SavedAt { logged: lane.journal.len(), ..at });
                        None
                    }
                    Err(SetError::Quota) => Some(full("latest changes are")),
                    Err(SetError::Other(e)) => Some(format!("{name}: changes could not be saved ({e}).")),
                }
            }
            _ => {
                let generation = self.generations.get(i).copied().unwrap_or_default() + 1;
                let base = LaneBase { generation, profile: lane.profile_name.clone(), store: lane.snapshot() };
                let text = serde_json::to_string(&base).ok()?;
                match backend.set(&base_key, &text) {
                    Ok(()) => {
                        if let Some(g) = self.generations.get_mut(i) {
                            *g = generation;
                        }
                        if let Some(slot) = self.on_disk.get_mut(i) {
                            *slot = Some(generation);
                        }
                        lane.journal.clear();
                        lane.saved = Some(SavedAt { generation, logged: 0 });
                        // An older log names an older generation and is ignored; write an
                        // empty one anyway so storage holds no dead weight.
                        let empty = serde_json::to_string(&LaneLog { generation, records: Vec::new() }).ok()?;
                        let _ = backend.set(&log_key, &empty);
                        None
                    }
                    Err(SetError::Quota) => Some(full("users are")),
                    Err(SetError::Other(e)) => Some(format!("{name}: users could not be saved ({e}).")),
                }
            }
        }
    }

    /// Writes the state document; on a full quota drops history (oldest first) until it
    /// fits.
    fn save_state(&mut self, doc: &mut SavedV4) -> Option<String> {
        let key = self.key(STATE);
        let backend = self.backend.as_mut()?;
        let before = doc.history.len();
        loop {
            let text = match serde_json::to_string(doc) {
                Ok(t) => t,
                Err(e) => return Some(format!("State could not be saved ({e}).")),
            };
            if self.last_written.as_deref() == Some(text.as_str()) {
                return None;
            }
            match backend.set(&key, &text) {
                Ok(()) => {
                    self.last_written = Some(text);
                    let after = doc.history.len();
                    return (after < before).then(|| {
                        format!(
                            "Browser storage is full: history trimmed from {before} to {after} entries so the rest could be saved."
                        )
                    });
                }
                Err(SetError::Quota) if !doc.history.is_empty() => {
                    let keep = doc.history.len() / 2;
                    doc.history.truncate(keep);
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

/// The page's persistence: local storage, session storage in embed mode, or memory. Each
/// embed keeps its own keys, named by its query (`scim-playground:embed:embed=1&lesson=etag:`),
/// so two embeds on one docs page (which share one session storage) never load each other's
/// state.
pub fn open(embed: bool) -> Persistence<BrowserBackend> {
    let ns = if embed {
        let query = web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default();
        format!("{EMBED_NAMESPACE}{}:", query.trim_start_matches('?'))
    } else {
        NAMESPACE.to_string()
    };
    Persistence::new(BrowserBackend::probe(embed), &ns)
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
    use serde_json::json;

    const V1: &str = include_str!("../tests/fixtures/saved-v1.json");
    const V1_AS_V2: &str = include_str!("../tests/fixtures/saved-v1-migrated.json");

    fn mem() -> Persistence<MemoryBackend> {
        Persistence::new(Some(MemoryBackend::default()), NAMESPACE)
    }

    fn items(p: &Persistence<MemoryBackend>) -> &HashMap<String, String> {
        &p.backend.as_ref().unwrap().items
    }

    fn playground_with_history(n: usize) -> Playground {
        let mut pg = Playground::with_profiles("rfc", RFC_KEEP_OMITTED);
        for _ in 0..n {
            pg.send(&Draft::default()).unwrap();
        }
        pg
    }

    fn post(name: &str) -> Draft {
        let body = format!(r#"{{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "{name}"}}"#);
        Draft { method: "POST".into(), path: "/Users".into(), body, ..Draft::default() }
    }

    /// Saves, loads into a fresh persistence over the same items, applies.
    fn reload(p: &mut Persistence<MemoryBackend>) -> (Persistence<MemoryBackend>, Playground, Draft, Vec<String>) {
        let items = p.backend.as_ref().unwrap().items.clone();
        let mut q = Persistence::new(Some(MemoryBackend { items, quota: None }), NAMESPACE);
        let loaded = q.load();
        assert!(loaded.notice.is_none(), "{:?}", loaded.notice);
        let (pg, d, notices) = apply(loaded.saved.unwrap());
        (q, pg, d, notices)
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
        assert_eq!(p.save(&mut pg, &d), None);
        let (_, mut back, draft, notices) = reload(&mut p);
        assert!(notices.is_empty(), "{notices:?}");
        assert_eq!(draft, d);
        assert_eq!(back.lanes[0].users().len(), 2);
        assert_eq!(back.lanes[1].profile_name, RFC_KEEP_OMITTED);
        assert_eq!(back.history, pg.history);
        for (a, b) in back.lanes.iter_mut().zip(&pg.lanes) {
            assert_eq!(a.snapshot(), b.snapshot());
        }
    }

    #[test]
    fn a_send_appends_its_records_and_leaves_the_stored_users_alone() {
        let mut p = mem();
        let mut pg = playground_with_history(0);
        p.save(&mut pg, &Draft::default());
        let base = items(&p)["scim-playground:lane0"].clone();
        for i in 0..3 {
            pg.send(&post(&format!("u{i}"))).unwrap();
            p.save(&mut pg, &Draft::default());
        }
        assert_eq!(items(&p)["scim-playground:lane0"], base, "the store key is not rewritten by a Send");
        let log: Value = serde_json::from_str(&items(&p)["scim-playground:lane0:log"]).unwrap();
        assert_eq!(log["records"].as_array().unwrap().len(), 3);
        assert!(!items(&p)["scim-playground:state"].contains("\"store\""), "the state document holds no store");
        // A GET changes nothing: no record, nothing written.
        pg.send(&Draft { method: "GET".into(), ..Draft::default() }).unwrap();
        assert_eq!(pg.lanes[0].journal.len(), 3);
        let (_, mut back, _, _) = reload(&mut p);
        assert_eq!(back.lanes[0].users().len(), 6);
        // Ids and clock continue exactly where the saved lane stood.
        pg.send(&post("next")).unwrap();
        back.send(&post("next")).unwrap();
        assert_eq!(back.lanes[0].snapshot(), pg.lanes[0].snapshot());
    }

    #[test]
    fn a_long_log_is_compacted_into_the_store() {
        let mut p = mem();
        let mut pg = playground_with_history(0);
        for i in 0..=COMPACT_AFTER {
            pg.send(&post(&format!("u{i}"))).unwrap();
        }
        p.save(&mut pg, &Draft::default());
        pg.send(&post("after")).unwrap();
        p.save(&mut pg, &Draft::default());
        let log: Value = serde_json::from_str(&items(&p)["scim-playground:lane0:log"]).unwrap();
        assert_eq!(log["records"].as_array().unwrap().len(), 1, "{log}");
        let (_, back, _, _) = reload(&mut p);
        assert_eq!(back.lanes[0].users().len(), 3 + COMPACT_AFTER + 2);
    }

    #[test]
    fn reset_lanes_write_a_new_generation_and_old_logs_are_ignored() {
        let mut p = mem();
        let mut pg = playground_with_history(0);
        pg.send(&post("gone-after-reset")).unwrap();
        p.save(&mut pg, &Draft::default());
        let old_log = items(&p)["scim-playground:lane0:log"].clone();
        pg.reset_lane(0);
        p.save(&mut pg, &Draft::default());
        // A stale log (as if its rewrite had failed) names the old generation: ignored.
        p.backend.as_mut().unwrap().items.insert("scim-playground:lane0:log".into(), old_log);
        let (_, back, _, _) = reload(&mut p);
        assert_eq!(back.lanes[0].users().len(), 3);
        assert_eq!(back.lanes[1].users().len(), 4);
    }

    #[test]
    fn version_2_state_migrates_to_split_keys() {
        // A version 2 document: the stores inline, one user deleted in lane A.
        let mut pg = Playground::with_profiles("rfc", RFC_KEEP_OMITTED);
        pg.send(&Draft { method: "DELETE".into(), ..Draft::default() }).unwrap();
        let v2 = SavedV2 {
            version: 2,
            draft: Draft::default(),
            lanes: pg
                .lanes
                .iter()
                .map(|l| SavedLane { profile: l.profile_name.clone(), store: Some(l.snapshot()) })
                .collect(),
            history: pg.history.clone(),
        };
        let mut p = mem();
        p.backend.as_mut().unwrap().set("scim-playground:state", &serde_json::to_string(&v2).unwrap()).unwrap();
        let loaded = p.load();
        assert!(loaded.notice.is_none());
        let (mut back, d, notices) = apply(loaded.saved.unwrap());
        assert!(notices.is_empty(), "{notices:?}");
        assert_eq!(back.lanes[0].users().len(), 2, "the deletion survives the migration");
        p.save(&mut back, &d);
        let state: Value = serde_json::from_str(&items(&p)["scim-playground:state"]).unwrap();
        assert_eq!(state["version"], 4);
        assert!(state["lanes"][0].get("store").is_none());
        assert_eq!(state["lanes"][0]["generation"], 1);
        let (_, again, _, _) = reload(&mut p);
        assert_eq!(again.lanes[0].users().len(), 2);
    }

    /// A profile as the learner writes one (trimmed), with a credential a hand-made file
    /// might carry.
    const CUSTOM: &str = r#"{"extends": "rfc", "name": "learned from localhost:8000", "title": "learned from localhost:8000 (learned from a live server)",
        "behaviour": {"omitted": "keep"}, "auth": {"kind": "bearer", "token": "tok-never-saved"}}"#;

    #[test]
    fn custom_profiles_are_saved_with_their_lanes_and_without_a_credential() {
        set_custom(Vec::new());
        let mut p = mem();
        let mut pg = playground_with_history(0);
        let name = pg.open_custom(1, load_custom(CUSTOM, Origin::Learned).unwrap());
        pg.send(&post("kept-by-the-custom-lane")).unwrap();
        assert_eq!(p.save(&mut pg, &Draft::default()), None);
        let all: String = items(&p).values().cloned().collect();
        assert!(!all.contains("tok-never-saved"), "no credential in saved state");
        let state: Value = serde_json::from_str(&items(&p)["scim-playground:state"]).unwrap();
        assert_eq!((state["version"].clone(), state["profiles"][0]["origin"].clone()), (json!(4), json!("learned")));
        // A fresh page: the registry is empty until the saved state is applied.
        set_custom(Vec::new());
        let (_, mut back, _, notices) = reload(&mut p);
        assert!(notices.is_empty(), "{notices:?}");
        assert_eq!(back.lanes[1].profile_name, name);
        assert_eq!(back.lanes[1].profile().behaviour.omitted, scim_core::Omitted::Keep);
        assert_eq!(back.lanes[1].users().len(), 4, "its store came back too");
        assert_eq!(crate::catalog::custom()[0].choice.origin, Origin::Learned);
        // It behaves as loaded: PUT keeps what the body omits.
        back.send(&Draft::default()).unwrap();
        assert_eq!(back.lanes[1].last.as_ref().unwrap().response.json()["title"], "Tour Guide");
        set_custom(Vec::new());
    }

    #[test]
    fn a_saved_profile_that_no_longer_loads_is_left_out_with_a_notice() {
        set_custom(Vec::new());
        let mut p = mem();
        let mut pg = playground_with_history(0);
        pg.open_custom(1, load_custom(CUSTOM, Origin::File).unwrap());
        p.save(&mut pg, &Draft::default());
        let key = "scim-playground:state";
        let mut state: Value = serde_json::from_str(&items(&p)[key]).unwrap();
        state["profiles"][0]["profile"]["behaviour"]["omitted"] = json!("sometimes");
        p.backend.as_mut().unwrap().items.insert(key.into(), state.to_string());
        set_custom(Vec::new());
        let (_, back, _, notices) = reload(&mut p);
        let text = notices.join(" ");
        assert!(text.contains("could not be loaded") && text.contains("behaviour.omitted"), "{text}");
        assert_eq!(back.lanes[1].profile_name, "rfc", "the lane falls back: {text}");
        assert!(crate::catalog::custom().is_empty());
    }

    #[test]
    fn version_3_state_migrates_to_version_4_without_custom_profiles() {
        set_custom(Vec::new());
        let mut p = mem();
        let mut pg = playground_with_history(1);
        p.save(&mut pg, &Draft::default());
        // Rewrite the state document as version 3 wrote it (no `profiles`).
        let key = "scim-playground:state";
        let mut state: Value = serde_json::from_str(&items(&p)[key]).unwrap();
        state["version"] = json!(3);
        state.as_object_mut().unwrap().remove("profiles");
        let v3 = SavedV3::deserialize(&state).unwrap();
        p.backend.as_mut().unwrap().items.insert(key.into(), serde_json::to_string(&v3).unwrap());
        let (mut q, mut back, d, notices) = reload(&mut p);
        assert!(notices.is_empty(), "{notices:?}");
        assert_eq!(back.history, pg.history);
        assert_eq!(back.lanes[1].profile_name, pg.lanes[1].profile_name);
        q.save(&mut back, &d);
        let state: Value = serde_json::from_str(&items(&q)[key]).unwrap();
        assert_eq!((state["version"].clone(), state["profiles"].clone()), (json!(4), json!([])));
    }

    #[test]
    fn version_1_fixture_migrates_to_the_version_2_fixture_exactly() {
        let migrated = decode(V1).unwrap();
        let expected: SavedV2 = serde_json::from_str(V1_AS_V2).unwrap();
        assert_eq!(migrated, Document::Whole(expected.clone()));
        let (pg, _, notices) = apply(expected.into());
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
    fn a_corrupt_lane_store_is_backed_up_and_that_lane_starts_from_its_seed() {
        let mut p = mem();
        let mut pg = playground_with_history(1);
        pg.send(&post("kept-in-lane-b")).unwrap();
        p.save(&mut pg, &Draft::default());
        p.backend.as_mut().unwrap().items.insert("scim-playground:lane0".into(), "{torn".into());
        let mut q = Persistence::new(Some(MemoryBackend { items: items(&p).clone(), quota: None }), NAMESPACE);
        let loaded = q.load();
        let notice = loaded.notice.unwrap();
        assert!(notice.contains("Lane A") && notice.contains("scim-playground:backup:lane0"), "{notice}");
        assert_eq!(items(&q)["scim-playground:backup:lane0"], "{torn");
        let (back, _, _) = apply(loaded.saved.unwrap());
        assert_eq!(back.lanes[0].users().len(), 3);
        assert_eq!(back.lanes[1].users().len(), 4, "lane B is unaffected");
        assert_eq!(back.history.len(), 2);
    }

    #[test]
    fn a_record_that_no_longer_applies_stops_the_replay_with_a_notice() {
        let mut p = mem();
        let mut pg = playground_with_history(0);
        p.save(&mut pg, &Draft::default());
        pg.send(&post("first")).unwrap();
        pg.send(&post("second")).unwrap();
        p.save(&mut pg, &Draft::default());
        let key = "scim-playground:lane0:log";
        let mut log: Value = serde_json::from_str(&items(&p)[key]).unwrap();
        log["records"][1]["ops"][0]["type"] = json!("Nope");
        p.backend.as_mut().unwrap().items.insert(key.into(), log.to_string());
        let (mut q, mut back, d, notices) = reload(&mut p);
        assert!(notices.iter().any(|n| n.contains("change 2 of 2")), "{notices:?}");
        assert_eq!(back.lanes[0].users().len(), 4, "the first record applied");
        // The next save writes the lane afresh, so the next load is clean.
        q.save(&mut back, &d);
        let (_, again, _, notices) = reload(&mut q);
        assert!(notices.is_empty(), "{notices:?}");
        assert_eq!(again.lanes[0].users().len(), 4);
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
        assert!(matches!(decode(r#"{"version": 3, "lanes": 1}"#), Err(DecodeError::Corrupt(_))));
    }

    #[test]
    fn quota_trims_history_and_says_so() {
        let mut pg = playground_with_history(20);
        // Room for both lanes and the state without history, plus a little.
        let mut probe = mem();
        let mut empty = playground_with_history(0);
        probe.save(&mut empty, &Draft::default());
        let small: usize = items(&probe).iter().map(|(k, v)| k.len() + v.len()).sum();
        let mut p =
            Persistence::new(Some(MemoryBackend { items: HashMap::new(), quota: Some(small + 1500) }), NAMESPACE);
        let notice = p.save(&mut pg, &Draft::default()).unwrap();
        assert!(notice.contains("history trimmed from 20 to"), "{notice}");
        assert!(pg.history.len() < 20);
        let Document::Split(doc) = decode(&items(&p)["scim-playground:state"]).unwrap() else { panic!("version 4") };
        assert_eq!(doc.history, pg.history);

        let mut tiny = Persistence::new(Some(MemoryBackend { items: HashMap::new(), quota: Some(10) }), NAMESPACE);
        let notice = tiny.save(&mut playground_with_history(1), &Draft::default()).unwrap();
        assert!(notice.contains("Lane A's users are not saved") && notice.contains("not saved"), "{notice}");
    }

    #[test]
    fn a_log_that_does_not_fit_keeps_the_earlier_state_and_says_so() {
        let mut p = mem();
        let mut pg = playground_with_history(0);
        p.save(&mut pg, &Draft::default());
        let used: usize = items(&p).iter().map(|(k, v)| k.len() + v.len()).sum();
        p.backend.as_mut().unwrap().quota = Some(used + 200);
        pg.send(&post("does-not-fit-in-the-quota-of-this-test")).unwrap();
        let notice = p.save(&mut pg, &Draft::default()).unwrap();
        assert!(notice.contains("Lane A's latest changes are not saved"), "{notice}");
        p.backend.as_mut().unwrap().quota = None;
        let (_, back, _, _) = reload(&mut p);
        assert_eq!(back.lanes[0].users().len(), 3, "the earlier, consistent state");
    }

    #[test]
    fn unavailable_storage_works_in_memory_with_a_notice() {
        let mut p: Persistence<MemoryBackend> = Persistence::new(None, NAMESPACE);
        assert!(!p.is_available());
        assert!(p.load().notice.unwrap().contains("unavailable"));
        assert_eq!(p.save(&mut playground_with_history(0), &Draft::default()), None);
    }

    #[test]
    fn unchanged_state_is_not_rewritten_and_keys_are_namespaced() {
        let mut p = Persistence::new(Some(MemoryBackend::default()), EMBED_NAMESPACE);
        let mut pg = playground_with_history(0);
        p.save(&mut pg, &Draft::default());
        assert!(items(&p).contains_key("scim-playground:embed:lane1"));
        p.backend.as_mut().unwrap().items.clear();
        p.save(&mut pg, &Draft::default());
        assert!(items(&p).is_empty(), "same text is not written twice");
        p.forget_last_written();
        p.save(&mut pg, &Draft::default());
        assert!(items(&p).contains_key("scim-playground:embed:state"));
    }

    #[test]
    fn a_lane_whose_profile_vanished_falls_back_with_a_notice() {
        let mut p = mem();
        let mut pg = playground_with_history(0);
        p.save(&mut pg, &Draft::default());
        let mut loaded = p.load().saved.unwrap();
        loaded.lanes[1].profile = "retired".into();
        let (pg, _, notices) = apply(loaded);
        assert_eq!(pg.lanes[1].profile_name, "rfc");
        assert!(notices.iter().any(|n| n.contains("retired")), "{notices:?}");
    }
}
