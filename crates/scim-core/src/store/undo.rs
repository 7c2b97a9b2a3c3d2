//! What rolling a write back and replaying a journal need from the store beyond
//! [`Store::put`] and [`Store::remove`]: a resource's place in creation order, putting a
//! removed resource back at that place, and the numeric-id counter as it was.

use super::Store;
use crate::resource::Resource;

impl Store {
    /// The creation-order position of a resource, for [`Store::put_at`].
    pub(crate) fn position(&self, kind: &str, id: &str) -> Option<u64> {
        self.collections.get(kind)?.by_id.get(id).copied()
    }

    /// Puts a resource back at creation-order position `seq` (where [`Store::position`] saw
    /// it), so that listing order is what it was before the write that removed it. An
    /// existing resource with that id is replaced where it stands.
    pub(crate) fn put_at(&mut self, kind: &str, id: &str, seq: u64, resource: Resource) {
        if self.contains(kind, id) {
            self.put(kind, id, resource);
            return;
        }
        let c = self.collections.entry(kind.to_string()).or_default();
        if c.by_seq.contains_key(&seq) {
            // Taken by a resource created since: keep both, the returning one last.
            self.put(kind, id, resource);
            return;
        }
        c.insert_at(seq, id, resource);
        self.next_seq = self.next_seq.max(seq.saturating_add(1));
    }

    /// The next numeric id as [`Store::snapshot`] writes it (`nextNumericId`).
    pub(crate) fn numeric_counter(&self) -> Option<u64> {
        self.next_numeric
    }

    /// Sets the numeric-id counter back (rollback) or forward (journal replay).
    pub(crate) fn set_numeric_counter(&mut self, next: Option<u64>) {
        self.next_numeric = next;
    }
}
