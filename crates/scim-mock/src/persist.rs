//! `--state FILE`: the store survives restarts, and a write is answered only once it is on
//! disk.
//!
//! Two files: `FILE`, the base (a snapshot), and `FILE.journal`, one line per write since.
//! A write appends one line and fsyncs it before the response goes out, so its cost does not
//! grow with the store; when the journal has grown past the base (and at least
//! `--journal-compact-bytes`), a background thread writes a fresh base and starts a new
//! journal ([`Journal::rotate`], [`write_base`], [`Journal::end_compaction`]).
//!
//! - The base is `{"format": "scim-mock-state", "version": 1, "seq": N, "store": S}`: `S` is
//!   the core's store snapshot ([`scim_core::Server::snapshot`], the document the playground
//!   and the wasm API export) holding every write up to journal record `N`. A file that is a
//!   bare store snapshot (what `--state` held before the journal) loads as a base at record 0
//!   and is rewritten in the new format at start-up.
//! - A journal line is `CRC32 JSON\n`, the CRC32 (8 hex digits) over the JSON bytes, the
//!   JSON `{"seq": n, "change": C}` with `C` a [`scim_core::Changes`] record. Records
//!   numbered up to the base's `seq` are already in it and skipped; the others must follow
//!   on without a gap. A last line that is incomplete or fails its checksum is a write that
//!   was never acknowledged (the process died while appending it): it is dropped. A bad line
//!   anywhere else stops start-up and leaves both files untouched.
//! - Compaction renames `FILE.journal` to `FILE.journal.old`, starts an empty journal, writes
//!   the new base (temp file, fsync, rename, fsync of the directory) and then removes the old
//!   journal. A crash at any point leaves a base and journals that load to the last
//!   acknowledged write, because records carry their number and the base says which it
//!   holds.
//! - Start-up loads the base, the old journal if one is left and the journal, then writes a
//!   fresh base (which also migrates an old-format file) and an empty journal, and removes
//!   temp files an interrupted save left beside `FILE`.
//!
//! Loading is strict: a file that does not parse or does not fit the profile stops start-up
//! and is left untouched (silently starting empty would overwrite the user's data on the
//! first write).

use std::fs::{self, File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use scim_core::{Changes, Server};
use serde_json::{Value, json};

/// The base file's `format`.
pub const STATE_FORMAT: &str = "scim-mock-state";
/// The base file's `version`.
pub const STATE_VERSION: u64 = 1;
/// The `format` of a bare store snapshot (the old `--state` format).
const SNAPSHOT_FORMAT: &str = "scim-playground-store";
/// The journal never triggers compaction below this many bytes unless told otherwise.
pub const DEFAULT_COMPACT_BYTES: u64 = 8 * 1024 * 1024;

/// The paths of one `--state FILE`.
#[derive(Debug, Clone)]
struct Paths {
    base: PathBuf,
    journal: PathBuf,
    old: PathBuf,
    dir: PathBuf,
}

impl Paths {
    fn new(base: &Path) -> Paths {
        let dir = match base.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let with = |suffix: &str| {
            let mut name = base.as_os_str().to_os_string();
            name.push(suffix);
            PathBuf::from(name)
        };
        Paths { base: base.to_path_buf(), journal: with(".journal"), old: with(".journal.old"), dir }
    }

    fn name(&self) -> String {
        self.base.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "state".into())
    }

    /// Temp files are `.NAME.tmp-…` beside the base.
    fn temp_prefix(&self) -> String {
        format!(".{}.tmp-", self.name())
    }
}

/// The open journal of a running server: where records go and how far they have got.
#[derive(Debug)]
pub struct Journal {
    paths: Paths,
    /// The number of the last record appended (or held by the base).
    seq: u64,
    /// Bytes of the journal that hold whole, acknowledged records.
    len: u64,
    /// Bytes of the base file last written, the yardstick for compaction.
    base_len: u64,
    compact_bytes: u64,
    /// A compaction is under way (at most one at a time).
    compacting: bool,
    /// After a failed compaction, the journal length at which to try again (so that a full
    /// disk does not make every write start one).
    retry_at: u64,
    /// Set when a failed append could not be cut back off the journal: its end is unknown,
    /// so nothing more may be appended.
    broken: Option<String>,
}

/// What [`Journal::open`] found.
#[derive(Debug, Default)]
pub struct Loaded {
    /// Whether `FILE` existed.
    pub existed: bool,
    /// Journal records replayed on top of the base.
    pub replayed: u64,
    /// A torn last record that was dropped (a write that had not been acknowledged).
    pub dropped_tail: bool,
    /// Temp files of interrupted saves that were removed.
    pub cleaned: usize,
}

impl Journal {
    /// Loads `path` (and its journal) into `server`, which must be fresh. Does not write; call
    /// [`Journal::checkpoint`] once the server is ready.
    pub fn open(server: &mut Server, path: &Path, compact_bytes: u64) -> Result<(Journal, Loaded)> {
        let paths = Paths::new(path);
        let mut loaded = Loaded { cleaned: clean_temp_files(&paths), ..Loaded::default() };
        let refuse = |what: &Path, why: String| {
            anyhow::anyhow!(
                "refusing to start: --state {} is not usable ({}: {why}). \
                 The files were left untouched; move them away or pass another --state path.",
                paths.base.display(),
                what.display()
            )
        };
        let mut seq = 0;
        let mut base_len = 0;
        match fs::read(&paths.base) {
            Ok(bytes) => {
                loaded.existed = true;
                base_len = bytes.len() as u64;
                let value: Value =
                    serde_json::from_slice(&bytes).map_err(|e| refuse(&paths.base, format!("invalid JSON: {e}")))?;
                let (store, at) = split_base(&value).map_err(|e| refuse(&paths.base, e))?;
                server.restore(store).map_err(|e| {
                    refuse(&paths.base, format!("does not fit profile {:?}: {e}", server.profile().name))
                })?;
                seq = at;
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) if paths.base.is_dir() => bail!("--state {} is a directory, not a file ({e})", paths.base.display()),
            Err(e) => bail!("cannot read --state {}: {e}", paths.base.display()),
        }
        let segments = [&paths.old, &paths.journal];
        let last = segments.iter().rposition(|p| p.exists());
        for (i, segment) in segments.iter().enumerate() {
            let bytes = match fs::read(segment) {
                Ok(b) => b,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => bail!("cannot read {}: {e}", segment.display()),
            };
            let parsed = parse_journal(&bytes).map_err(|e| refuse(segment, e))?;
            if let Some(why) = parsed.torn {
                if Some(i) != last {
                    return Err(refuse(segment, why));
                }
                tracing::warn!(
                    "{}: dropped an incomplete last record ({why}); it was never acknowledged",
                    segment.display()
                );
                loaded.dropped_tail = true;
            }
            for (n, change) in parsed.records {
                if n <= seq {
                    continue;
                }
                if n != seq + 1 {
                    return Err(refuse(segment, format!("record {n} follows record {seq}: records are missing")));
                }
                server.replay(&change).map_err(|e| refuse(segment, format!("record {n}: {e}")))?;
                seq = n;
                loaded.replayed += 1;
            }
        }
        let journal =
            Journal { paths, seq, len: 0, base_len, compact_bytes, compacting: false, retry_at: 0, broken: None };
        Ok((journal, loaded))
    }

    /// Writes `snapshot` (the state after record [`Journal::seq`]) as the new base, empties
    /// the journal and removes an old one. At start-up and after the store was replaced
    /// wholesale; the server must not write meanwhile.
    pub fn checkpoint(&mut self, snapshot: &Value) -> Result<()> {
        self.base_len = write_base(&self.paths.base, snapshot, self.seq)?;
        let reset = || -> std::io::Result<()> {
            let f = File::create(&self.paths.journal)?;
            f.sync_all()?;
            match fs::remove_file(&self.paths.old) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
            sync_dir(&self.paths.dir);
            Ok(())
        };
        reset().with_context(|| format!("starting the journal {}", self.paths.journal.display()))?;
        self.len = 0;
        self.broken = None;
        Ok(())
    }

    /// The number of the last record written.
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// Appends one write's record and makes it durable (fsync). On error the journal is cut
    /// back to where it was and nothing is recorded; the caller rolls the write back.
    pub fn append(&mut self, changes: &Changes) -> Result<()> {
        if let Some(why) = &self.broken {
            bail!("the journal cannot be appended to since an earlier failure ({why}); restart the server");
        }
        let n = self.seq + 1;
        let record = json!({"seq": n, "change": changes.to_json()}).to_string();
        let line = format!("{:08x} {record}\n", crc32fast::hash(record.as_bytes()));
        // Opened per write, never created: a journal that vanished or became something else
        // is an error, not a fresh file missing the records before. Nothing written yet.
        let mut f = OpenOptions::new()
            .append(true)
            .open(&self.paths.journal)
            .with_context(|| format!("opening {} to append", self.paths.journal.display()))?;
        if let Err(e) = f.write_all(line.as_bytes()).and_then(|()| f.sync_data()) {
            // Part of the line may be in the file: cut it back to the last whole record.
            if let Err(cut) = f.set_len(self.len).and_then(|()| f.sync_data()) {
                self.broken = Some(format!("{e}; cutting it back failed too: {cut}"));
            }
            return Err(anyhow::anyhow!("appending to {}: {e}", self.paths.journal.display()));
        }
        self.seq = n;
        self.len += line.len() as u64;
        Ok(())
    }

    /// Whether the journal has outgrown the base (and the floor) and no compaction runs: the
    /// caller then starts one. Compacting when the journal is as large as the base keeps its
    /// cost, linear in the store, to a constant share of each write's.
    pub fn wants_compaction(&mut self) -> bool {
        let due = !self.compacting && self.len >= self.compact_bytes.max(self.base_len).max(self.retry_at);
        if due {
            self.compacting = true;
        }
        due
    }

    /// Compaction, step 1 (no writes meanwhile): the journal so far becomes the old journal
    /// and new records go to an empty one. Skipped when an old journal is still there (an
    /// earlier compaction failed to write its base): it is kept until one succeeds.
    pub fn rotate(&mut self) -> Result<()> {
        if self.paths.old.exists() {
            return Ok(());
        }
        let rotate = || -> std::io::Result<()> {
            fs::rename(&self.paths.journal, &self.paths.old)?;
            OpenOptions::new().write(true).create_new(true).open(&self.paths.journal)?.sync_all()?;
            sync_dir(&self.paths.dir);
            Ok(())
        };
        match rotate() {
            Ok(()) => {
                self.len = 0;
                Ok(())
            }
            Err(e) => {
                // Whatever happened, appends need a journal at that path again.
                if !self.paths.journal.exists() && fs::rename(&self.paths.old, &self.paths.journal).is_err() {
                    self.broken = Some(format!("rotating the journal: {e}"));
                }
                self.failed_compaction();
                Err(anyhow::anyhow!("rotating {}: {e}", self.paths.journal.display()))
            }
        }
    }

    /// The base path, for [`write_base`] off the lock.
    pub fn base_path(&self) -> PathBuf {
        self.paths.base.clone()
    }

    /// Compaction, last step: with the new base written (`Ok(its length)`), the old journal
    /// goes; on failure it stays for the next attempt.
    pub fn end_compaction(&mut self, written: Result<u64>) -> Result<()> {
        let base_len = match written {
            Ok(n) => n,
            Err(e) => {
                self.failed_compaction();
                return Err(e);
            }
        };
        self.compacting = false;
        self.retry_at = 0;
        self.base_len = base_len;
        match fs::remove_file(&self.paths.old) {
            Ok(()) => {
                sync_dir(&self.paths.dir);
                Ok(())
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(anyhow::anyhow!("removing {}: {e}", self.paths.old.display())),
        }
    }
}

impl Journal {
    /// Tries again once the journal has grown by another compaction's worth.
    fn failed_compaction(&mut self) {
        self.compacting = false;
        self.retry_at = self.len.saturating_add(self.compact_bytes.max(self.base_len));
    }
}

/// The store snapshot and record number a base file holds; a bare snapshot (old format) is
/// at record 0.
fn split_base(value: &Value) -> Result<(&Value, u64), String> {
    match value.get("format").and_then(Value::as_str) {
        Some(STATE_FORMAT) => {
            if value.get("version").and_then(Value::as_u64) != Some(STATE_VERSION) {
                return Err(format!("{STATE_FORMAT} version {} is not supported", value["version"]));
            }
            let seq = value.get("seq").and_then(Value::as_u64).ok_or("\"seq\" must be a number")?;
            let store = value.get("store").ok_or("\"store\" is missing")?;
            Ok((store, seq))
        }
        Some(SNAPSHOT_FORMAT) => Ok((value, 0)),
        _ => Err(format!("\"format\" must be {STATE_FORMAT:?} (or {SNAPSHOT_FORMAT:?} for a bare store snapshot)")),
    }
}

/// A journal file's whole records, and why its last line was dropped, if it was.
#[derive(Debug, Default)]
struct Parsed {
    records: Vec<(u64, Value)>,
    torn: Option<String>,
}

fn parse_journal(bytes: &[u8]) -> Result<Parsed, String> {
    let mut parsed = Parsed::default();
    let mut rest = bytes;
    let mut line_no = 0;
    while !rest.is_empty() {
        line_no += 1;
        let (line, after, complete) = match rest.iter().position(|&b| b == b'\n') {
            Some(i) => (&rest[..i], &rest[i + 1..], true),
            None => (rest, &rest[rest.len()..], false),
        };
        let record = if complete { parse_line(line) } else { Err("no line end".to_string()) };
        match record {
            Ok(r) => parsed.records.push(r),
            Err(why) if after.is_empty() => {
                parsed.torn = Some(format!("line {line_no}: {why}"));
                break;
            }
            Err(why) => return Err(format!("line {line_no} is damaged ({why}) and records follow it")),
        }
        rest = after;
    }
    Ok(parsed)
}

fn parse_line(line: &[u8]) -> Result<(u64, Value), String> {
    let (crc, json) = match line.iter().position(|&b| b == b' ') {
        Some(8) => (&line[..8], &line[9..]),
        _ => return Err("not \"CRC32 JSON\"".into()),
    };
    let want =
        std::str::from_utf8(crc).ok().and_then(|h| u32::from_str_radix(h, 16).ok()).ok_or("bad checksum field")?;
    if crc32fast::hash(json) != want {
        return Err("checksum mismatch".into());
    }
    let value: Value = serde_json::from_slice(json).map_err(|e| format!("invalid JSON: {e}"))?;
    let seq = value.get("seq").and_then(Value::as_u64).ok_or("no \"seq\"")?;
    let change = value.get("change").cloned().ok_or("no \"change\"")?;
    Ok((seq, change))
}

/// Writes a base file atomically (temp file beside it, fsync, rename, fsync of the
/// directory): a reader or a crash sees the old base or the new one. Returns its length.
pub fn write_base(path: &Path, snapshot: &Value, seq: u64) -> Result<u64> {
    let paths = Paths::new(path);
    let tmp = paths.dir.join(format!("{}{}", paths.temp_prefix(), std::process::id()));
    let doc = json!({"format": STATE_FORMAT, "version": STATE_VERSION, "seq": seq, "store": snapshot});
    let write = || -> std::io::Result<u64> {
        let f = File::create(&tmp)?;
        let mut w = BufWriter::new(f);
        serde_json::to_writer(&mut w, &doc)?;
        w.write_all(b"\n")?;
        let f = w.into_inner().map_err(std::io::IntoInnerError::into_error)?;
        f.sync_all()?;
        let len = f.metadata()?.len();
        fs::rename(&tmp, path)?;
        sync_dir(&paths.dir);
        Ok(len)
    };
    write().map_err(|e| {
        let _ = fs::remove_file(&tmp);
        anyhow::anyhow!("writing --state {}: {e}", path.display())
    })
}

/// Makes renames and new files in `dir` durable; not every platform can open a directory.
fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Removes the temp files of saves that never finished (`.NAME.tmp-PID`); returns how many.
fn clean_temp_files(paths: &Paths) -> usize {
    let prefix = paths.temp_prefix();
    let Ok(entries) = fs::read_dir(&paths.dir) else { return 0 };
    entries
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter(|e| fs::remove_file(e.path()).is_ok())
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(seq: u64) -> String {
        let record = json!({"seq": seq, "change": {"ops": []}}).to_string();
        format!("{:08x} {record}\n", crc32fast::hash(record.as_bytes()))
    }

    #[test]
    fn a_torn_last_line_is_dropped_and_a_damaged_middle_one_refused() {
        let good = format!("{}{}", line(1), line(2));
        assert_eq!(parse_journal(good.as_bytes()).unwrap().records.len(), 2);
        let cut = &line(3)[..20];
        let torn = parse_journal(format!("{good}{cut}").as_bytes()).unwrap();
        assert_eq!((torn.records.len(), torn.torn.is_some()), (2, true));
        let flipped = line(3).replace("\"seq\":3", "\"seq\":4");
        let bad = parse_journal(format!("{good}{flipped}").as_bytes()).unwrap();
        assert!(bad.torn.unwrap().contains("checksum"));
        let err = parse_journal(format!("{}{flipped}{}", line(1), line(3)).as_bytes()).unwrap_err();
        assert!(err.contains("line 2"), "{err}");
    }
}
