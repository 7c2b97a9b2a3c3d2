//! `--state FILE`: the store survives restarts.
//!
//! The file holds exactly the core's store snapshot ([`scim_core::Server::snapshot`]), the same
//! document the playground and the wasm API export, so a state file can be moved between
//! doors. Loading is strict: a file that does not parse or does not fit the profile stops
//! start-up and is left untouched (silently starting empty would overwrite the user's data on
//! the first write). Saving is atomic: temp file in the same directory, fsync, rename.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use scim_core::Server;
use serde_json::Value;

/// Loads `path` into `server`. Returns `false` when the file does not exist yet (it is created
/// on the first successful write).
pub fn load(server: &mut Server, path: &Path) -> Result<bool> {
    let text = match fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => bail!("cannot read --state {}: {e}", path.display()),
    };
    let refuse = |why: String| {
        anyhow::anyhow!(
            "refusing to start: --state {} is not a usable store snapshot ({why}). \
             The file was left untouched; move it away or pass another --state path.",
            path.display()
        )
    };
    let value: Value = serde_json::from_str(&text).map_err(|e| refuse(format!("invalid JSON: {e}")))?;
    server.restore(&value).map_err(|e| refuse(format!("does not fit profile {:?}: {e}", server.profile().name)))?;
    Ok(true)
}

/// Writes `snapshot` to `path` atomically: a reader (or a crash) sees the old file or the new
/// one, never half of one.
pub fn save(path: &Path, snapshot: &Value) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "state".into());
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let text = serde_json::to_string_pretty(snapshot).context("serialising the store")?;
    let write = || -> std::io::Result<()> {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.write_all(b"\n")?;
        f.sync_all()?;
        fs::rename(&tmp, path)?;
        // Make the rename itself durable; not every platform can open a directory.
        if let Ok(d) = fs::File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(())
    };
    write().map_err(|e| {
        let _ = fs::remove_file(&tmp);
        anyhow::anyhow!("writing --state {}: {e}", path.display())
    })
}
