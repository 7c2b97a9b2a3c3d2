//! Embeds every `tests/vectors/*.json` file so that doors without a file system (wasm in a
//! browser) run the same cases.
use std::{env, fs, path::PathBuf};

fn main() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let dir = manifest.join("../../tests/vectors");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<PathBuf> =
        fs::read_dir(&dir).map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect()).unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "json"));
    files.sort();
    let mut out =
        String::from("/// (file name, contents) of every vector file.\npub const FILES: &[(&str, &str)] = &[\n");
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let name = f.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        out.push_str(&format!("    ({name:?}, include_str!({:?})),\n", f.display().to_string()));
    }
    out.push_str("];\n");
    let mut ef = String::from(
        "/// Known failures per door (shrink-only lists).\npub const EXPECTED_FAILURES: &[(&str, &str)] = &[\n",
    );
    let efdir = dir.join("expected-failures");
    println!("cargo:rerun-if-changed={}", efdir.display());
    for door in ["core", "wasm", "http"] {
        let p = efdir.join(format!("{door}.txt"));
        println!("cargo:rerun-if-changed={}", p.display());
        if p.exists() {
            ef.push_str(&format!("    ({door:?}, include_str!({:?})),\n", p.display().to_string()));
        } else {
            ef.push_str(&format!("    ({door:?}, \"\"),\n"));
        }
    }
    ef.push_str("];\n");
    let out_dir = PathBuf::from(env::var("OUT_DIR").unwrap_or_default());
    fs::write(out_dir.join("vectors.rs"), out + &ef).unwrap_or_else(|e| panic!("writing vectors.rs: {e}"));
}
