//! What one write changed, for a door that persists writes one at a time (the native server's
//! journal) instead of the whole store.
//!
//! With [`Server::record_changes`] on, every request that changes the store leaves a
//! [`Changes`]: the resources it put or removed, in order, each with its before-image and
//! creation-order position, plus the id source, clock and numeric-id counter before and
//! after. A door takes it ([`Server::take_changes`]), writes [`Changes::to_json`] somewhere
//! durable and then answers; if that fails it calls [`Server::undo`], which puts the store
//! back exactly as it was (a property the tests hold to the snapshot's bytes). At start it
//! loads a snapshot and replays the records written since ([`Server::replay`]).
//!
//! Recording costs one copy of each written resource (the after-image) and of the replaced
//! or removed one; with it off (the default) the write path is unchanged.

use serde_json::{Value, json};

use crate::clock::{IdState, Time};
use crate::resource::Resource;

use super::Server;

/// The state a write moves on besides the resources: where the id source and the clock stand
/// and the next numeric id.
#[derive(Debug, Clone)]
pub(super) struct Counters {
    ids: IdState,
    time: Time,
    numeric: Option<u64>,
}

/// One store operation of a write, with what it replaced.
#[derive(Debug, Clone)]
enum Op {
    Put { kind: String, id: String, before: Option<(u64, Resource)>, after: Resource },
    Remove { kind: String, id: String, before: Option<(u64, Resource)> },
}

/// Everything one successful write changed, in the order it changed it: what a journal
/// records ([`Changes::to_json`]) and what [`Server::undo`] takes back.
#[derive(Debug, Clone)]
pub struct Changes {
    ops: Vec<Op>,
    before: Counters,
    after: Counters,
}

impl Changes {
    /// The journal record: `{"ops": [{"op": "put", "type": "User", "id": "…", "resource":
    /// {…}}, {"op": "remove", "type": "User", "id": "…"}], "ids": …, "clock": …,
    /// "nextNumericId": n}` (the after-images and the states a snapshot carries), which
    /// [`Server::replay`] applies.
    pub fn to_json(&self) -> Value {
        let ops: Vec<Value> = self
            .ops
            .iter()
            .map(|op| match op {
                Op::Put { kind, id, after, .. } => {
                    json!({"op": "put", "type": kind, "id": id, "resource": Value::Object(after.clone())})
                }
                Op::Remove { kind, id, .. } => json!({"op": "remove", "type": kind, "id": id}),
            })
            .collect();
        json!({
            "ops": ops,
            "ids": self.after.ids.to_json(),
            "clock": self.after.time.to_json(),
            "nextNumericId": self.after.numeric,
        })
    }

    /// How many resources the write put or removed.
    pub fn len(&self) -> usize {
        self.ops.len()
    }

    /// Whether the write touched no resource (only counters moved).
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }
}

/// The server's recording state ([`Server::record_changes`]).
#[derive(Debug, Clone, Default)]
pub(super) struct Recorder {
    on: bool,
    ops: Vec<Op>,
    last: Option<Changes>,
}

impl Server {
    /// Turns change recording on or off (off by default). With it on, each request that
    /// changes the store leaves its [`Changes`] for [`Server::take_changes`] (only the last
    /// request's are kept).
    pub fn record_changes(&mut self, on: bool) {
        self.recorder = Recorder { on, ..Recorder::default() };
    }

    /// What the last request changed, if it changed anything and recording is on.
    pub fn take_changes(&mut self) -> Option<Changes> {
        self.recorder.last.take()
    }

    /// Takes back a write: `changes` must be the last write's ([`Server::take_changes`] right
    /// after [`Server::handle`], nothing written in between). Afterwards the store, the id
    /// source and the clock are exactly as before that write.
    pub fn undo(&mut self, changes: Changes) {
        for op in changes.ops.into_iter().rev() {
            match op {
                Op::Put { kind, id, before: Some((seq, old)), .. }
                | Op::Remove { kind, id, before: Some((seq, old)) } => self.store.put_at(&kind, &id, seq, old),
                Op::Put { kind, id, before: None, .. } => {
                    self.store.remove(&kind, &id);
                }
                Op::Remove { before: None, .. } => {}
            }
        }
        self.set_counters(changes.before);
        self.recorder.last = None;
    }

    /// Applies one journal record ([`Changes::to_json`]) on top of the current state. Each
    /// operation is checked (a type this profile defines, a resource object whose `id` is
    /// the operation's, no unique value another resource holds); on error nothing changes.
    pub fn replay(&mut self, record: &Value) -> Result<(), String> {
        let saved = std::mem::replace(&mut self.recorder, Recorder { on: true, ..Recorder::default() });
        let before = self.counters();
        let result = self.replay_record(record);
        let ops = std::mem::take(&mut self.recorder.ops);
        self.recorder = saved;
        if result.is_err() {
            self.undo(Changes { ops, after: before.clone(), before });
        }
        result
    }

    fn replay_record(&mut self, record: &Value) -> Result<(), String> {
        let obj = record.as_object().ok_or("a journal record must be a JSON object")?;
        let ops = obj.get("ops").and_then(Value::as_array).ok_or("journal record: \"ops\" must be an array")?;
        for (i, op) in ops.iter().enumerate() {
            let text = |key: &str| {
                op.get(key)
                    .and_then(Value::as_str)
                    .filter(|s| !s.is_empty())
                    .ok_or_else(|| format!("journal record: ops[{i}].{key} must be a non-empty string"))
            };
            let (kind, id) = (text("type")?, text("id")?);
            if self.registry.kind(kind).is_none() {
                return Err(format!("journal record: ops[{i}]: resource type {kind:?} is not defined by this profile"));
            }
            match text("op")? {
                "put" => {
                    let resource = op
                        .get("resource")
                        .and_then(Value::as_object)
                        .ok_or_else(|| format!("journal record: ops[{i}].resource must be an object"))?;
                    if resource.get("id").and_then(Value::as_str) != Some(id) {
                        return Err(format!("journal record: ops[{i}]: the resource's id is not {id:?}"));
                    }
                    if let Some((attr, other)) = self.store.unique_conflict(kind, resource, Some(id)) {
                        return Err(format!("journal record: ops[{i}]: {attr} is also used by {other:?}"));
                    }
                    self.check_replayed(kind, resource).map_err(|why| format!("journal record: ops[{i}]: {why}"))?;
                    self.put_resource(kind, id, resource.clone());
                }
                "remove" => self.remove_resource(kind, id),
                other => {
                    return Err(format!("journal record: ops[{i}].op {other:?} is neither \"put\" nor \"remove\""));
                }
            }
        }
        let mut counters = self.counters();
        if let Some(ids) = obj.get("ids") {
            counters.ids = IdState::from_json(ids)?;
        }
        match obj.get("clock") {
            Some(Value::Object(state)) => counters.time.resume(state),
            None => {}
            Some(other) => return Err(format!("journal record: \"clock\" must be an object, got {other}")),
        }
        match obj.get("nextNumericId") {
            None | Some(Value::Null) => {}
            Some(v) => counters.numeric = Some(v.as_u64().ok_or("journal record: \"nextNumericId\" must be a number")?),
        }
        self.set_counters(counters);
        Ok(())
    }

    /// Where the id source, the clock and the numeric-id counter stand.
    pub(super) fn counters(&self) -> Counters {
        Counters { ids: self.ids.clone(), time: self.time.clone(), numeric: self.store.numeric_counter() }
    }

    fn set_counters(&mut self, c: Counters) {
        self.ids = c.ids;
        self.time = c.time;
        self.store.set_numeric_counter(c.numeric);
    }

    /// Called by [`Server::handle`] before serving: the counters to record against, when
    /// recording.
    pub(super) fn begin_changes(&mut self) -> Option<Counters> {
        if !self.recorder.on {
            return None;
        }
        self.recorder.ops.clear();
        self.recorder.last = None;
        Some(self.counters())
    }

    /// Called by [`Server::handle`] after serving: keeps the request's changes when it
    /// changed the store.
    pub(super) fn end_changes(&mut self, before: Option<Counters>, changed: bool) {
        let Some(before) = before else { return };
        let ops = std::mem::take(&mut self.recorder.ops);
        if changed {
            self.recorder.last = Some(Changes { ops, before, after: self.counters() });
        }
    }

    /// [`crate::store::Store::put`], recorded.
    pub(super) fn put_resource(&mut self, kind: &str, id: &str, resource: Resource) {
        if self.recorder.on {
            let before = self.before_image(kind, id);
            let after = resource.clone();
            self.recorder.ops.push(Op::Put { kind: kind.to_string(), id: id.to_string(), before, after });
        }
        self.store.put(kind, id, resource);
    }

    /// [`crate::store::Store::remove`], recorded.
    pub(super) fn remove_resource(&mut self, kind: &str, id: &str) {
        if self.recorder.on {
            let before = self.before_image(kind, id);
            self.recorder.ops.push(Op::Remove { kind: kind.to_string(), id: id.to_string(), before });
        }
        self.store.remove(kind, id);
    }

    fn before_image(&self, kind: &str, id: &str) -> Option<(u64, Resource)> {
        Some((self.store.position(kind, id)?, self.store.get(kind, id)?.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Profile, Request};

    fn user(name: &str) -> Value {
        json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": name})
    }

    /// A server with three users and (where the profile has groups) a group of two,
    /// recording.
    fn server(profile: Profile) -> (Server, Vec<String>, Option<String>) {
        let mut s = Server::new(profile).unwrap();
        let ids: Vec<String> = ["a", "b", "c"]
            .iter()
            .map(|n| {
                s.handle(&Request::new("POST", "/Users").json(&user(n))).json()["id"].as_str().unwrap().to_string()
            })
            .collect();
        let group = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "g",
            "members": [{"value": ids[0]}, {"value": ids[2]}]});
        let g = s.handle(&Request::new("POST", "/Groups").json(&group));
        let gid = g.json()["id"].as_str().map(str::to_string);
        assert_eq!(gid.is_some(), s.profile().resource_types.len() > 1, "{}", g.body);
        s.record_changes(true);
        (s, ids, gid)
    }

    fn writes(ids: &[String], gid: Option<&str>) -> Vec<Request> {
        let patch = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "path": "title", "value": "x"}]});
        let mut all = vec![
            Request::new("POST", "/Users").json(&user("d")),
            Request::new("PUT", &format!("/Users/{}", ids[1])).json(&user("renamed")),
            Request::new("PATCH", &format!("/Users/{}", ids[1])).json(&patch),
            // Removes the user and takes it out of the group: two resources change.
            Request::new("DELETE", &format!("/Users/{}", ids[0])),
        ];
        all.extend(gid.map(|g| Request::new("DELETE", &format!("/Groups/{g}"))));
        all
    }

    #[test]
    fn undo_restores_the_snapshot_exactly() {
        for profile in [Profile::rfc(), Profile::builtin("veeva").unwrap()] {
            let (mut s, ids, gid) = server(profile);
            for req in writes(&ids, gid.as_deref()) {
                let before = s.snapshot();
                let listed = s.handle(&Request::new("GET", "/Users")).body;
                let resp = s.handle(&req);
                assert!(resp.changed, "{} {}: {}", req.method, req.path, resp.body);
                let changes = s.take_changes().unwrap();
                assert!(!changes.is_empty());
                s.undo(changes);
                assert_eq!(s.snapshot(), before, "{} {}", req.method, req.path);
                assert_eq!(s.handle(&Request::new("GET", "/Users")).body, listed, "listing order");
                // The same write again gives the same answer: ids and clock were taken back.
                assert_eq!(s.handle(&req).body, resp.body, "{} {}", req.method, req.path);
            }
        }
    }

    #[test]
    fn replaying_the_records_rebuilds_the_same_state() {
        let (mut s, ids, gid) = server(Profile::rfc());
        let base = s.snapshot();
        let mut records = vec![];
        for req in writes(&ids, gid.as_deref()) {
            s.handle(&req);
            records.push(s.take_changes().map(|c| c.to_json()));
            s.handle(&Request::new("GET", "/Users"));
            assert!(s.take_changes().is_none(), "a read leaves none");
        }
        assert!(records.iter().all(Option::is_some), "every write left its changes");
        let mut r = Server::new(Profile::rfc()).unwrap();
        r.restore(&base).unwrap();
        for rec in records.iter().flatten() {
            r.replay(rec).unwrap();
        }
        assert_eq!(r.snapshot(), s.snapshot());
        let next = Request::new("POST", "/Users").json(&user("e"));
        assert_eq!(r.handle(&next).body, s.handle(&next).body, "ids and clock continue exactly");
    }

    #[test]
    fn reads_and_failed_writes_leave_no_changes() {
        let (mut s, ids, _) = server(Profile::rfc());
        for req in [
            Request::new("GET", "/Users"),
            Request::new("POST", "/Users").json(&user("a")),
            Request::new("PUT", &format!("/Users/{}", ids[1])).json(&user("b")),
            Request::new("DELETE", "/Users/nope"),
        ] {
            s.handle(&req);
            assert!(s.take_changes().is_none(), "{} {}", req.method, req.path);
        }
    }

    #[test]
    fn a_bad_record_changes_nothing() {
        let (mut s, ids, _) = server(Profile::rfc());
        let before = s.snapshot();
        let taken = s.snapshot()["resources"]["User"][1].clone();
        let bad = [
            json!([]),
            json!({"ops": [{"op": "remove", "type": "User", "id": ids[0]}, {"op": "put", "type": "Nope", "id": "x", "resource": {"id": "x"}}]}),
            json!({"ops": [{"op": "remove", "type": "User", "id": ids[2]}, {"op": "put", "type": "User", "id": "x", "resource": {"id": "y"}}]}),
            // userName "b" is taken by another user.
            json!({"ops": [{"op": "remove", "type": "User", "id": ids[2]}, {"op": "put", "type": "User", "id": "x", "resource": {"id": "x", "userName": taken["userName"]}}]}),
            json!({"ops": [{"op": "move", "type": "User", "id": ids[0]}]}),
            json!({"ops": [{"op": "remove", "type": "User", "id": ids[0]}], "clock": 3}),
            json!({"ops": [{"op": "remove", "type": "User", "id": ids[0]}], "ids": {"counting": "x"}}),
        ];
        for rec in bad {
            assert!(s.replay(&rec).is_err(), "{rec}");
            assert_eq!(s.snapshot(), before, "{rec}");
        }
    }
}

#[cfg(test)]
mod read_path_tests {
    use serde_json::json;

    use crate::{Profile, Request, Server};

    /// Every request `handle_read` answers, it answers as `handle` does, and it leaves the
    /// writes to `handle`.
    #[test]
    fn handle_read_answers_reads_as_handle_does() {
        let mut p = Profile::rfc();
        p.behaviour.versioning = true;
        let mut s = Server::new(p).unwrap();
        let user = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "bjensen"});
        let id = s.handle(&Request::new("POST", "/Users").json(&user)).json()["id"].as_str().unwrap().to_string();
        let search =
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], "filter": "userName sw \"b\""});
        let reads = [
            Request::new("GET", "/Users"),
            Request::new("GET", "/Users?filter=userName%20eq%20%22bjensen%22"),
            Request::new("GET", &format!("/Users/{id}")),
            Request::new("GET", "/Users/nope"),
            Request::new("POST", "/Users/.search").json(&search),
            Request::new("POST", "/.search").json(&search),
            Request::new("GET", "/ServiceProviderConfig"),
            Request::new("GET", "/Nowhere"),
            Request::new("TRACE", "/Users"),
            Request::new("GET", "/Bulk"),
            Request::new("GET", "/Users").header("Accept", "text/html"),
        ];
        for req in reads {
            let read = s.handle_read(&req);
            let read = read.unwrap_or_else(|| panic!("{} {} is a read", req.method, req.path));
            assert_eq!(read, s.handle(&req), "{} {}", req.method, req.path);
        }
        let writes = [
            Request::new("POST", "/Users").json(&user),
            Request::new("PUT", &format!("/Users/{id}")).json(&user),
            Request::new("PATCH", &format!("/Users/{id}")).json(&json!({})),
            Request::new("DELETE", &format!("/Users/{id}")),
        ];
        for req in writes {
            assert!(s.handle_read(&req).is_none(), "{} {} is a write", req.method, req.path);
        }
        let mut locked = Server::new(Profile::rfc()).unwrap();
        locked.require_credential("t0ken").unwrap();
        let refused = locked.handle_read(&Request::new("POST", "/Users").json(&user));
        assert_eq!(refused.map(|r| r.status), Some(401), "a write without the credential is refused as a read");
    }
}
