//! Small helpers shared by every subcommand: repo root, running commands, timing.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// The workspace root: the parent of this crate's manifest directory.
pub fn repo_root() -> Result<PathBuf> {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = manifest_dir.parent().with_context(|| format!("{} has no parent directory", manifest_dir.display()))?;
    Ok(root.to_path_buf())
}

/// The cargo that started us (`cargo xtask ...` sets `CARGO`), else `cargo` from PATH.
pub fn cargo_bin() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}

/// A `cargo` command rooted at the workspace.
pub fn cargo(root: &Path) -> Command {
    let mut cmd = Command::new(cargo_bin());
    cmd.current_dir(root);
    cmd
}

/// Render a command the way a person would type it.
pub fn describe(cmd: &Command) -> String {
    let mut parts: Vec<String> = Vec::new();
    for (key, value) in cmd.get_envs() {
        if let Some(value) = value {
            parts.push(format!("{}={}", key.to_string_lossy(), shell_word(value.to_string_lossy().as_ref())));
        }
    }
    let program = cmd.get_program().to_string_lossy();
    let program = Path::new(program.as_ref())
        .file_name()
        .map_or_else(|| program.to_string(), |n| n.to_string_lossy().to_string());
    parts.push(program);
    parts.extend(cmd.get_args().map(|a| shell_word(a.to_string_lossy().as_ref())));
    parts.join(" ")
}

fn shell_word(word: &str) -> String {
    let plain = !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || "-_=./:,+@%".contains(c));
    if plain { word.to_owned() } else { format!("'{}'", word.replace('\'', r"'\''")) }
}

/// Echo a command, run it with inherited stdio, and fail if it does not exit 0.
pub fn run(cmd: &mut Command) -> Result<()> {
    let shown = describe(cmd);
    eprintln!("$ {shown}");
    let status = cmd.stdin(Stdio::null()).status().with_context(|| format!("could not start `{shown}`"))?;
    if !status.success() {
        bail!("`{shown}` failed ({status})");
    }
    Ok(())
}

/// Run a command quietly and return its stdout, or `None` if it cannot start or fails.
/// For probes such as `tool --version`.
pub fn probe<I, S>(program: &str, args: I) -> Option<String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let output = Command::new(program).args(args).stdin(Stdio::null()).stderr(Stdio::null()).output().ok()?;
    output.status.success().then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Run `f`, returning its result and how long it took.
pub fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let value = f();
    (value, start.elapsed())
}

pub fn fmt_duration(d: Duration) -> String {
    let secs = d.as_secs_f64();
    if secs < 60.0 {
        format!("{secs:.1}s")
    } else {
        let whole = d.as_secs();
        format!("{}m{:02}s", whole / 60, whole % 60)
    }
}

/// Human-readable byte count.
pub fn fmt_bytes(n: u64) -> String {
    // Precision loss is irrelevant at display resolution.
    #[allow(clippy::cast_precision_loss)]
    let kib = n as f64 / 1024.0;
    if kib < 1024.0 { format!("{kib:.1} KiB") } else { format!("{:.2} MiB", kib / 1024.0) }
}

/// Every version of package `name` recorded in a `Cargo.lock` text.
pub fn locked_versions(lock: &str, name: &str) -> Vec<String> {
    let mut versions = Vec::new();
    for block in lock.split("[[package]]").skip(1) {
        let mut block_name = None;
        let mut block_version = None;
        for line in block.lines() {
            if let Some(value) = toml_string_value(line, "name") {
                block_name = Some(value);
            } else if let Some(value) = toml_string_value(line, "version") {
                block_version = Some(value);
            }
        }
        if let (Some(n), Some(v)) = (block_name, block_version)
            && n == name
        {
            versions.push(v.to_owned());
        }
    }
    versions
}

/// The single version of `name` in the workspace's `Cargo.lock`; `None` when the lock file
/// or the package is absent. Fails if the lock holds several versions.
pub fn locked_version(root: &Path, name: &str) -> Result<Option<String>> {
    let path = root.join("Cargo.lock");
    if !path.is_file() {
        return Ok(None);
    }
    let lock = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let mut versions = locked_versions(&lock, name);
    match versions.len() {
        0 => Ok(None),
        1 => Ok(versions.pop()),
        _ => bail!(
            "Cargo.lock holds several versions of {name} ({}); the workspace pin should allow only one",
            versions.join(", ")
        ),
    }
}

/// The version requirement of `name` as written in a `Cargo.toml` text, without a leading
/// `=`: understands `name = "=1.2.3"` and `name = { version = "=1.2.3", ... }`.
pub fn manifest_pin(manifest: &str, name: &str) -> Option<String> {
    manifest.lines().find_map(|line| {
        let rest = line.trim().strip_prefix(name)?.trim_start().strip_prefix('=')?;
        let rest = rest.trim_start();
        let quoted = if rest.starts_with('{') {
            let at = rest.find("version")?;
            rest[at + "version".len()..].trim_start().strip_prefix('=')?.trim_start()
        } else {
            rest
        };
        let value = quoted.strip_prefix('"')?;
        let value = &value[..value.find('"')?];
        Some(value.trim_start_matches('=').trim().to_owned())
    })
}

/// `key = "value"` on one line, giving `value`.
fn toml_string_value<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let rest = line.trim().strip_prefix(key)?.trim_start().strip_prefix('=')?;
    let rest = rest.trim().strip_prefix('"')?;
    rest.strip_suffix('"')
}

/// The wasm-bindgen version the workspace uses: `Cargo.lock`'s entry, or, before any crate
/// depends on wasm-bindgen, the pin in the root `Cargo.toml`.
pub fn wasm_bindgen_version(root: &Path) -> Result<String> {
    if let Some(version) = locked_version(root, "wasm-bindgen")? {
        return Ok(version);
    }
    let path = root.join("Cargo.toml");
    let manifest = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    manifest_pin(&manifest, "wasm-bindgen").with_context(|| {
        format!("no wasm-bindgen entry in Cargo.lock and no `wasm-bindgen = \"=X\"` pin in {}", path.display())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describe_quotes_only_when_needed() {
        let mut cmd = Command::new("/usr/bin/cargo");
        cmd.args(["clippy", "--", "-D", "warnings", "a b"]);
        assert_eq!(describe(&cmd), "cargo clippy -- -D warnings 'a b'");
    }

    #[test]
    fn durations_and_sizes_read_well() {
        assert_eq!(fmt_duration(Duration::from_millis(2500)), "2.5s");
        assert_eq!(fmt_duration(Duration::from_secs(125)), "2m05s");
        assert_eq!(fmt_bytes(2048), "2.0 KiB");
        assert_eq!(fmt_bytes(3 * 1024 * 1024), "3.00 MiB");
    }

    const LOCK: &str = r#"
version = 4

[[package]]
name = "wasm-bindgen"
version = "0.2.130"
dependencies = [
 "cfg-if",
]

[[package]]
name = "wasm-bindgen-cli-support"
version = "0.2.130"

[[package]]
name = "xtask"
version = "0.1.0"
"#;

    #[test]
    fn reads_versions_from_a_lock_file() {
        assert_eq!(locked_versions(LOCK, "wasm-bindgen"), ["0.2.130"]);
        assert_eq!(locked_versions(LOCK, "wasm-bindgen-cli-support"), ["0.2.130"]);
        assert!(locked_versions(LOCK, "wasm").is_empty());
    }

    #[test]
    fn reads_pins_from_a_manifest() {
        let manifest = "[workspace.dependencies]\n\
            wasm-bindgen-test = \"0.3.80\"\n\
            wasm-bindgen = \"=0.2.130\"\n";
        assert_eq!(manifest_pin(manifest, "wasm-bindgen").as_deref(), Some("0.2.130"));
        let table = "wasm-bindgen = { version = \"=0.2.131\", default-features = false }";
        assert_eq!(manifest_pin(table, "wasm-bindgen").as_deref(), Some("0.2.131"));
        assert_eq!(manifest_pin(table, "serde"), None);
    }

    #[test]
    fn repo_root_holds_the_workspace_manifest() {
        let root = repo_root().expect("repo root");
        assert!(root.join("Cargo.toml").is_file());
        assert!(root.join("xtask").is_dir());
    }
}
