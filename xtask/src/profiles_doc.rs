//! `cargo xtask profiles-doc`: writes `docs/profiles.md` from the built-in profile files, a
//! matrix of every profile × every knob and, per profile, each knob's value with its source
//! ([`scim_core::Profile::knobs`]), and a matrix of every profile × conformance tool from the
//! recorded results (`tests/conformance/expected-*.txt`, which the `conformance` stage keeps
//! true). A test fails when the committed file is out of date.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result, bail};
use scim_core::{Basis, Knob, Profile};

use crate::conformance::{Expect, Expectations, TOOLS, read_expected};
use serde_json::Value;

/// Where the generated file lives, relative to the repository root.
pub const PATH: &str = "docs/profiles.md";

/// Writes `docs/profiles.md`, or with `check` fails when it differs from what the profiles
/// give.
pub fn run(root: &Path, check: bool) -> Result<()> {
    let path = root.join(PATH);
    let want = render(root)?;
    if check {
        let have = std::fs::read_to_string(&path).with_context(|| format!("reading {PATH}"))?;
        if have != want {
            bail!("{PATH} is out of date; run `cargo xtask profiles-doc` and commit it");
        }
        println!("{PATH} is up to date");
        return Ok(());
    }
    std::fs::write(&path, want).with_context(|| format!("writing {PATH}"))?;
    println!("wrote {PATH}");
    Ok(())
}

fn tag(b: Basis) -> &'static str {
    match b {
        Basis::Documented => "D",
        Basis::Inferred => "I",
        Basis::Secondary => "S",
    }
}

/// A knob value, short enough for a table cell.
fn short(v: &Value) -> String {
    let s = match v {
        Value::Null => "–".to_string(),
        Value::Bool(true) => "yes".to_string(),
        Value::Bool(false) => "no".to_string(),
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) if items.is_empty() => "–".to_string(),
        Value::Array(items) => items.iter().map(short).collect::<Vec<_>>().join(", "),
        Value::Object(o) => match o.get("kind").and_then(Value::as_str) {
            Some(kind) => match o.get("start").or_else(|| o.get("header")) {
                Some(extra) => format!("{kind} ({})", short(extra)),
                None => kind.to_string(),
            },
            // refTemplates: the attributes whose `$ref` is rebuilt.
            None => o.keys().map(|k| k.rsplit(':').next().unwrap_or(k).to_string()).collect::<Vec<_>>().join(", "),
        },
    };
    s.replace('|', "\\|").replace('\n', " ")
}

/// The row name of a knob: `behaviour.` dropped, `resourceTypes.` dropped.
fn row(name: &str) -> &str {
    name.strip_prefix("behaviour.").or_else(|| name.strip_prefix("resourceTypes.")).unwrap_or(name)
}

/// The short name of a cause: the knob or RFC section it starts with.
fn cause_head(cause: &str) -> String {
    if cause.starts_with("tool:") {
        return "the tool's own limit".into();
    }
    if cause.starts_with("RFC ") {
        return cause.split(':').next().unwrap_or(cause).trim().to_owned();
    }
    let head = cause.split_whitespace().next().unwrap_or(cause);
    format!("`{}`", head.trim_end_matches([',', ':', ';']))
}

/// The conformance section: per profile and tool, the checks passed / failed / skipped as
/// recorded, and the causes of the failures.
fn conformance(root: &Path, profiles: &[Profile]) -> Result<String> {
    let tools: Vec<(&str, Expectations)> =
        TOOLS.iter().map(|t| Ok((*t, read_expected(root, t)?))).collect::<Result<_>>()?;
    let mut out = String::from(
        "\n## Conformance per profile\n\n\
         `cargo xtask test --stage conformance` runs two third-party testers against scim-mock with each \
         profile, at the profile's own base path with the credential its auth scheme needs: \
         [scim2-cli](https://pypi.org/project/scim2-cli/) (`scim2 test`, scim2-tester) and \
         [scim-sanity](https://pypi.org/project/scim-sanity/) (`probe`). Each cell is checks passed / failed / \
         skipped as recorded in `tests/conformance/expected-*.txt`; the stage fails when a run gives anything \
         else. A failure comes from what the profile's vendor does (or, where marked, from a limit of the \
         tool), not from a defect of the mock: the last column names the knobs (or RFC sections) behind the \
         failures; the files give the reason per check.\n\n",
    );
    out.push_str("| profile |");
    for (t, _) in &tools {
        let _ = write!(out, " {t} |");
    }
    out.push_str(" failures caused by |\n| --- |");
    for _ in &tools {
        out.push_str(" --- |");
    }
    out.push_str(" --- |\n");
    for p in profiles {
        let _ = write!(out, "| `{}` |", p.name);
        let mut heads: Vec<String> = Vec::new();
        for (_, expected) in &tools {
            match expected.get(&p.name) {
                Some(Expect::Report { counts, known }) => {
                    let _ = write!(out, " {} / {} / {} |", counts.passed, counts.failed, counts.skipped);
                    for cause in known.values() {
                        let h = cause_head(cause);
                        if !heads.contains(&h) {
                            heads.push(h);
                        }
                    }
                }
                Some(Expect::NoReport { cause }) => {
                    let _ = write!(out, " no report |");
                    let h = cause_head(cause);
                    if !heads.contains(&h) {
                        heads.push(h);
                    }
                }
                None => out.push_str(" not run |"),
            }
        }
        let _ = writeln!(out, " {} |", if heads.is_empty() { "–".to_string() } else { heads.join(", ") });
    }
    Ok(out)
}

/// The whole of `docs/profiles.md`.
pub fn render(root: &Path) -> Result<String> {
    let profiles: Vec<Profile> =
        Profile::builtins().into_iter().filter_map(|info| Profile::builtin(&info.name)).collect();
    let knobs: Vec<Vec<Knob>> = profiles.iter().map(Profile::knobs).collect();
    // Rows: every knob name in first-seen order (resource types of every profile).
    let mut rows: Vec<String> = Vec::new();
    for k in knobs.iter().flatten() {
        if !rows.contains(&k.name) {
            rows.push(k.name.clone());
        }
    }
    let mut out = String::new();
    out.push_str("# Built-in profiles and their knobs\n\n");
    out.push_str(
        "Generated by `cargo xtask profiles-doc` from `crates/scim-core/profiles/*.json`; do not edit by hand \
         (a test fails when this file is out of date).\n\n",
    );
    out.push_str(
        "Each cell is the knob's value in that profile. A letter after it says where the value comes from: \
         **D** documented (the vendor's or the standard's own text), **I** inferred from that text, \
         **S** secondary (a third party quoting or observing the vendor). A cell without a letter is the \
         RFC's reading, kept because the vendor's documentation says nothing else. `–` means not set \
         (no limit, any operator, any attribute); `n/a` means the profile has no such resource type. \
         The sources follow the matrix, per profile.\n\n",
    );
    out.push_str("| knob |");
    for p in &profiles {
        let _ = write!(out, " {} |", p.name);
    }
    out.push_str("\n| --- |");
    for _ in &profiles {
        out.push_str(" --- |");
    }
    out.push('\n');
    for name in &rows {
        let _ = write!(out, "| `{}` |", row(name));
        for ks in &knobs {
            match ks.iter().find(|k| &k.name == name) {
                Some(k) => {
                    let mark = k.source.as_ref().map(|s| format!(" {}", tag(s.basis))).unwrap_or_default();
                    let _ = write!(out, " {}{mark} |", short(&k.value));
                }
                None => out.push_str(" n/a |"),
            }
        }
        out.push('\n');
    }
    out.push_str(&conformance(root, &profiles)?);
    for (p, ks) in profiles.iter().zip(&knobs) {
        let _ = write!(out, "\n## `{}`: {}\n\n{}\n\n", p.name, p.title, p.description);
        if !p.sources.is_empty() {
            out.push_str("Sources:\n\n");
            for s in &p.sources {
                let _ = writeln!(out, "- {s}");
            }
            out.push('\n');
        }
        let cited: Vec<&Knob> = ks.iter().filter(|k| k.source.is_some()).collect();
        if cited.is_empty() {
            out.push_str("Every knob keeps the RFC's reading.\n");
            continue;
        }
        out.push_str("| knob | value | basis | source |\n| --- | --- | --- | --- |\n");
        for k in cited {
            let Some(s) = &k.source else { continue };
            let note = if s.note.is_empty() { String::new() } else { format!(" {}", s.note) };
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | <{}>: “{}”{} |",
                row(&k.name),
                short(&k.value),
                tag(s.basis),
                s.url,
                s.quote.replace('|', "\\|"),
                note.replace('|', "\\|")
            );
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The committed `docs/profiles.md` is what the profile files give.
    #[test]
    fn profiles_doc_is_current() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let have = std::fs::read_to_string(root.join(PATH)).unwrap_or_default();
        assert!(
            have == render(&root).expect("renders"),
            "{PATH} is out of date; run `cargo xtask profiles-doc` and commit it"
        );
    }

    #[test]
    fn matrix_has_a_column_per_builtin_and_a_row_per_knob() {
        let doc = render(&Path::new(env!("CARGO_MANIFEST_DIR")).join("..")).expect("renders");
        let header = doc.lines().find(|l| l.starts_with("| knob | rfc |")).unwrap_or_default();
        assert_eq!(header.matches('|').count(), Profile::builtins().len() + 2);
        for knob in ["patchResponse", "deleteMode", "User.methods", "Group.maxMemberChanges", "filterOperators"] {
            assert!(doc.contains(&format!("| `{knob}` |")), "no row for {knob}");
        }
    }

    #[test]
    fn conformance_matrix_has_a_row_per_builtin_from_the_recorded_results() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let doc = render(&root).expect("renders");
        let section = doc.split("## Conformance per profile").nth(1).unwrap_or_default();
        assert!(section.contains("| profile | scim2 | scim-sanity | failures caused by |"), "{section}");
        for p in Profile::builtins() {
            assert!(section.contains(&format!("| `{}` |", p.name)), "no conformance row for {}", p.name);
        }
        let Some(Expect::Report { counts, .. }) = read_expected(&root, "scim2").expect("reads").remove("rfc") else {
            panic!("no scim2 report recorded for rfc")
        };
        let cell = format!("| `rfc` | {} / {} / {} |", counts.passed, counts.failed, counts.skipped);
        assert!(section.contains(&cell), "{cell} not in {section}");
        assert!(section.contains("`behaviour.memberDisplay`"), "rfc's failures name their knob");
    }
}
