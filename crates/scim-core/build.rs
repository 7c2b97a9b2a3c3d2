//! Embeds the built-in profiles and schemas minified: the JSON files stay readable in the
//! repository, while the wasm builds carry no indentation (about a third of their bytes).

use std::path::Path;

fn main() {
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR for build scripts");
    for dir in ["profiles", "schemas"] {
        println!("cargo::rerun-if-changed={dir}");
        walk(Path::new(dir), &Path::new(&out).join(dir));
    }
}

fn walk(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).expect("create OUT_DIR subdirectory");
    let mut entries: Vec<_> = std::fs::read_dir(src).expect("read JSON directory").flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let target = dst.join(entry.file_name());
        if path.is_dir() {
            walk(&path, &target);
        } else if path.extension().is_some_and(|e| e == "json") {
            println!("cargo::rerun-if-changed={}", path.display());
            let text = std::fs::read_to_string(&path).expect("read JSON file");
            std::fs::write(&target, minify(&text)).expect("write minified JSON");
        }
    }
}

/// Drops whitespace outside strings. JSON whitespace is only ever between tokens (RFC 8259
/// §2), so the value read back is the same; a string's escapes are copied as they are.
fn minify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in text.chars() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
            out.push(c);
        } else if !matches!(c, ' ' | '\t' | '\n' | '\r') {
            out.push(c);
        }
    }
    out
}
