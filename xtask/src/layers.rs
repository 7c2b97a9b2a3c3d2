//! `cargo xtask test --stage layers`: the layering rules of the workspace, checked on the
//! source text (no compiler involved).
//!
//! 1. **No import cycles** among the modules of `crates/scim-core/src` and `web/src`. A module
//!    is a file (`src/x.rs`, `src/x/mod.rs` as `x`, `src/x/y.rs` as `x::y`); an edge
//!    `x → y` is any `crate::y…` or `super::…y…` path in x's files, `use` trees included, and
//!    `crate::Name` for a name the crate root re-exports from y (`pub use y::Name`).
//! 2. **Doors use scim-core's public face only**: no door source (`src/`, `tests/`, `benches/`
//!    of scim-wasm, scim-mock and the playground) names `scim_core::<module>::…`.
//! 3. **Short parameter lists**: no function in `crates/scim-core/src` takes more than
//!    [`MAX_PARAMS`] parameters (`self` not counted).
//!
//! Each rule has an allow-list of today's offenders. The lists may only shrink: an entry that
//! no longer matches anything is an error too, so fixing an offender means deleting its entry.
//!
//! Comments and string literals are skipped, so doc links and examples do not count.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result, bail};

/// The crates whose module graph must be acyclic, with the imports allowed to lie on a cycle.
const ACYCLIC: &[(&str, &[(&str, &str)])] = &[("crates/scim-core/src", CORE_CYCLE_IMPORTS_ALLOWED), ("web/src", &[])];

/// scim-core's import cycles when this check came in: every import (from, to) that lies on a
/// cycle, i.e. between two modules of one strongly connected set. SHRINK-ONLY: never add an
/// entry; an entry whose import is gone or no longer on a cycle fails the check until removed.
/// Empty it when scim-core's cycles are gone.
const CORE_CYCLE_IMPORTS_ALLOWED: &[(&str, &str)] = &[];

/// The door sources rule 2 reads: these crates' `src/`, `tests/` and `benches/`.
const DOORS: &[&str] = &["crates/scim-wasm", "crates/scim-learn-wasm", "crates/scim-mock", "crates/scim-learn", "web"];

/// scim-core modules a door may name (`scim_core::<module>::…`). Empty: doors use what the
/// crate root exports.
const CORE_MODULES_PUBLIC: &[&str] = &[];

/// Door files that name scim-core modules today, as (file, path) with the path cut after the
/// item it names. SHRINK-ONLY: remove an entry when its file stops using that path.
const DOOR_PATHS_ALLOWED: &[(&str, &str)] = &[];

/// Functions scim-core exports at its root under the name of one of its modules.
const ROOT_FUNCTIONS: &[&str] = &["compare"];

/// Most parameters a scim-core function may take, `self` not counted.
const MAX_PARAMS: usize = 6;

/// scim-core functions with more than [`MAX_PARAMS`] parameters today, as (file, fn name).
/// SHRINK-ONLY: remove an entry when its function gets shorter.
const LONG_FNS_ALLOWED: &[(&str, &str)] = &[];

/// The source tree of scim-core, whose modules rule 2 protects and rule 3 measures.
const CORE_SRC: &str = "crates/scim-core/src";

/// One Rust file: its path relative to the repository root (with `/`) and its text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub rel: String,
    pub text: String,
}

impl SourceFile {
    #[cfg(test)]
    fn new(rel: &str, text: &str) -> SourceFile {
        SourceFile { rel: rel.to_string(), text: text.to_string() }
    }
}

/// Runs the three rules on the repository and fails with every problem found.
pub fn run(root: &Path) -> Result<()> {
    let mut problems = Vec::new();
    let mut summary = Vec::new();
    for (src, allowed) in ACYCLIC {
        let files = read_rs_files(root, src)?;
        let graph = module_graph(src, &files);
        summary.push(format!("{src}: {} modules, {} imports", graph.modules.len(), graph.edges.len()));
        problems.extend(check_cycles(src, &graph, allowed));
    }

    let core = read_rs_files(root, CORE_SRC)?;
    let core_modules = module_names(CORE_SRC, &core);
    let mut doors = Vec::new();
    for door in DOORS {
        for dir in ["src", "tests", "benches"] {
            doors.extend(read_rs_files(root, &format!("{door}/{dir}"))?);
        }
    }
    summary.push(format!("doors: {} files read", doors.len()));
    problems.extend(check_doors(&doors, &core_modules, CORE_MODULES_PUBLIC, DOOR_PATHS_ALLOWED));
    problems.extend(check_params(&core, MAX_PARAMS, LONG_FNS_ALLOWED));

    for line in &summary {
        println!("layers: {line}");
    }
    if problems.is_empty() {
        println!(
            "layers: ok (allow-listed: {} scim-core imports on cycles, {} door paths, {} long functions)",
            CORE_CYCLE_IMPORTS_ALLOWED.len(),
            DOOR_PATHS_ALLOWED.len(),
            LONG_FNS_ALLOWED.len()
        );
        return Ok(());
    }
    let mut msg = format!("{} layering problem(s):", problems.len());
    for p in &problems {
        let _ = write!(msg, "\n  - {p}");
    }
    bail!(msg)
}

/// Every `.rs` file under `root/dir`, sorted; none when the directory does not exist.
fn read_rs_files(root: &Path, dir: &str) -> Result<Vec<SourceFile>> {
    let mut out = Vec::new();
    let mut pending = vec![root.join(dir)];
    while let Some(path) = pending.pop() {
        if !path.is_dir() {
            continue;
        }
        for entry in std::fs::read_dir(&path).with_context(|| format!("listing {}", path.display()))? {
            let p = entry?.path();
            if p.is_dir() {
                pending.push(p);
            } else if p.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&p).with_context(|| format!("reading {}", p.display()))?;
                let rel = p.strip_prefix(root).unwrap_or(&p).to_string_lossy().replace('\\', "/");
                out.push(SourceFile { rel, text });
            }
        }
    }
    out.sort_by(|a, b| a.rel.cmp(&b.rel));
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// Lexing: just enough of Rust's to find paths and function signatures.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Ident,
    /// `::`, `->`, `=>` or a single punctuation character.
    Punct,
    /// String, char and number literals (their text is not kept).
    Literal,
    Lifetime,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Token {
    kind: Kind,
    text: String,
    line: usize,
}

impl Token {
    fn is(&self, punct: &str) -> bool {
        self.kind == Kind::Punct && self.text == punct
    }

    fn ident(&self) -> Option<&str> {
        (self.kind == Kind::Ident).then_some(self.text.as_str())
    }
}

fn is_ident_start(c: char) -> bool {
    c == '_' || c.is_alphabetic()
}

fn is_ident_char(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

/// Tokens of `src` without comments; literals are kept as opaque [`Kind::Literal`] tokens.
fn lex(src: &str) -> Vec<Token> {
    let s: Vec<char> = src.chars().collect();
    let at = |i: usize| s.get(i).copied().unwrap_or('\0');
    let mut out = Vec::new();
    let mut line = 1;
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        let start_line = line;
        let mut push = |kind: Kind, text: String| out.push(Token { kind, text, line: start_line });
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c == '/' && at(i + 1) == '/' {
            while i < s.len() && s[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            while i < s.len() {
                if s[i] == '/' && at(i + 1) == '*' {
                    depth += 1;
                    i += 2;
                } else if s[i] == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    line += usize::from(s[i] == '\n');
                    i += 1;
                }
            }
        } else if c == '"' {
            i = skip_string(&s, i, &mut line);
            push(Kind::Literal, String::new());
        } else if let Some(end) = raw_or_byte_literal(&s, i, &mut line) {
            i = end;
            push(Kind::Literal, String::new());
        } else if is_ident_start(c) {
            // Raw identifiers (`r#type`) are the identifier itself.
            if c == 'r' && at(i + 1) == '#' && is_ident_start(at(i + 2)) {
                i += 2;
            }
            let begin = i;
            while i < s.len() && is_ident_char(s[i]) {
                i += 1;
            }
            push(Kind::Ident, s[begin..i].iter().collect());
        } else if c.is_ascii_digit() {
            while i < s.len() && (is_ident_char(s[i]) || (s[i] == '.' && at(i + 1).is_ascii_digit())) {
                i += 1;
            }
            push(Kind::Literal, String::new());
        } else if c == '\'' {
            if at(i + 1) == '\\' {
                // Past the quote, the backslash and the escaped character (which may be `'`).
                i += 3;
                while i < s.len() && s[i] != '\'' {
                    i += 1;
                }
                i += 1;
                push(Kind::Literal, String::new());
            } else if at(i + 2) == '\'' {
                i += 3;
                push(Kind::Literal, String::new());
            } else {
                i += 1;
                let begin = i;
                while i < s.len() && is_ident_char(s[i]) {
                    i += 1;
                }
                push(Kind::Lifetime, s[begin..i].iter().collect());
            }
        } else {
            let two: String = [c, at(i + 1)].iter().collect();
            if matches!(two.as_str(), "::" | "->" | "=>") {
                i += 2;
                push(Kind::Punct, two);
            } else {
                i += 1;
                push(Kind::Punct, c.to_string());
            }
        }
    }
    out
}

/// Skips a `"…"` literal starting at `i`; returns the index after it.
fn skip_string(s: &[char], mut i: usize, line: &mut usize) -> usize {
    i += 1;
    while i < s.len() && s[i] != '"' {
        if s[i] == '\\' {
            i += 1;
        }
        if s.get(i) == Some(&'\n') {
            *line += 1;
        }
        i += 1;
    }
    i + 1
}

/// `b"…"`, `c"…"`, `b'x'`, `r"…"`, `r#"…"#`, `br#"…"#`, `cr"…"` starting at `i`: the index
/// after the literal, or `None` when `i` does not start one.
fn raw_or_byte_literal(s: &[char], i: usize, line: &mut usize) -> Option<usize> {
    let at = |j: usize| s.get(j).copied().unwrap_or('\0');
    let mut j = i;
    if matches!(at(j), 'b' | 'c') {
        j += 1;
        if at(j) == '"' {
            return Some(skip_string(s, j, line));
        }
        if at(i) == 'b' && at(j) == '\'' {
            let mut k = j + 1;
            if at(k) == '\\' {
                k += 1;
            }
            k += 1;
            while k < s.len() && s[k] != '\'' {
                k += 1;
            }
            return Some(k + 1);
        }
    }
    if at(j) != 'r' {
        return None;
    }
    j += 1;
    let mut hashes = 0;
    while at(j + hashes) == '#' {
        hashes += 1;
    }
    if at(j + hashes) != '"' {
        return None;
    }
    let mut k = j + hashes + 1;
    while k < s.len() {
        if s[k] == '"' && (1..=hashes).all(|h| at(k + h) == '#') {
            return Some(k + 1 + hashes);
        }
        *line += usize::from(s[k] == '\n');
        k += 1;
    }
    Some(k)
}

// ---------------------------------------------------------------------------------------
// Paths.

/// One path as written, `use` trees expanded (`use a::{b, c::d}` gives `a::b` and `a::c::d`).
#[derive(Debug, Clone, PartialEq, Eq)]
struct PathRef {
    segments: Vec<String>,
    line: usize,
    /// The inline modules (`mod tests { … }`) the path sits in, outermost first.
    inline: Vec<String>,
}

/// Every path of two or more segments in `tokens`, plus one-segment imports.
fn paths(tokens: &[Token]) -> Vec<PathRef> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut pending_mod: Option<String> = None;
    let mut i = 0;
    while i < tokens.len() {
        let t = &tokens[i];
        if t.is("{") {
            depth += 1;
            if let Some(name) = pending_mod.take() {
                inline.push((name, depth));
            }
            i += 1;
        } else if t.is("}") {
            if inline.last().is_some_and(|(_, d)| *d == depth) {
                inline.pop();
            }
            depth = depth.saturating_sub(1);
            i += 1;
        } else if t.ident() == Some("mod") {
            pending_mod = tokens.get(i + 1).and_then(Token::ident).map(str::to_string);
            if !tokens.get(i + 2).is_some_and(|t| t.is("{")) {
                pending_mod = None;
            }
            i += 1;
        } else if t.ident().is_some_and(|w| !KEYWORDS_BEFORE_PATHS.contains(&w)) && starts_path(tokens, i) {
            let (found, next) = path_tree(tokens, i, &[]);
            let scope: Vec<String> = inline.iter().map(|(n, _)| n.clone()).collect();
            out.extend(found.into_iter().filter(|segs| segs.len() > 1).map(|segments| PathRef {
                segments,
                line: t.line,
                inline: scope.clone(),
            }));
            i = next;
        } else {
            i += 1;
        }
    }
    out
}

/// Keywords that may stand before a path with a leading `::` (`use ::scim_core::x`).
const KEYWORDS_BEFORE_PATHS: &[&str] = &[
    "as", "box", "const", "dyn", "else", "for", "if", "impl", "in", "let", "match", "mut", "pub", "ref", "return",
    "static", "use", "where",
];

/// Whether the identifier at `i` begins a path: not a later segment of one (`a::b`,
/// `Vec::<u8>::new`), but a leading `::scim_core` does begin one.
fn starts_path(tokens: &[Token], i: usize) -> bool {
    let Some(prev) = i.checked_sub(1).map(|p| &tokens[p]) else { return true };
    if !prev.is("::") {
        return !prev.is(".");
    }
    let before = i.checked_sub(2).map(|p| &tokens[p]);
    !before.is_some_and(|b| b.is(">") || b.is(")") || b.ident().is_some_and(|w| !KEYWORDS_BEFORE_PATHS.contains(&w)))
}

/// The path (or `use` tree) starting at `i` under `prefix`: its expanded paths and the index
/// after it. `self` in a group stands for the group's prefix; `as` renames are skipped.
fn path_tree(tokens: &[Token], mut i: usize, prefix: &[String]) -> (Vec<Vec<String>>, usize) {
    let mut segs = prefix.to_vec();
    loop {
        match tokens.get(i) {
            Some(t) if t.kind == Kind::Ident => {
                if t.text != "self" || segs.is_empty() {
                    segs.push(t.text.clone());
                }
                i += 1;
            }
            Some(t) if t.is("*") => {
                segs.push("*".into());
                i += 1;
                break;
            }
            Some(t) if t.is("{") && !segs.is_empty() && tokens[i - 1].is("::") => {
                let mut all = Vec::new();
                i += 1;
                while let Some(t) = tokens.get(i) {
                    if t.is("}") {
                        i += 1;
                        break;
                    }
                    if t.is(",") {
                        i += 1;
                        continue;
                    }
                    let (found, next) = path_tree(tokens, i, &segs);
                    all.extend(found);
                    i = if next > i { next } else { i + 1 };
                }
                return (all, i);
            }
            _ => break,
        }
        if tokens.get(i).is_some_and(|t| t.is("::")) {
            i += 1;
        } else {
            break;
        }
    }
    if tokens.get(i).and_then(Token::ident) == Some("as") {
        i += 2;
    }
    (vec![segs], i)
}

// ---------------------------------------------------------------------------------------
// Rule 1: the module graph.

/// A crate's top-level modules and the imports between them.
#[derive(Debug, Default)]
struct ModuleGraph {
    modules: BTreeSet<String>,
    /// `from → to`, with the first place (file:line) that makes the edge.
    edges: BTreeMap<(String, String), String>,
}

impl ModuleGraph {
    fn targets(&self, from: &str) -> impl Iterator<Item = &str> {
        self.edges.keys().filter(move |(f, _)| f == from).map(|(_, t)| t.as_str())
    }
}

/// Where a file sits in the module tree: `x.rs` and `x/mod.rs` are `[x]`, `x/y.rs` is `[x, y]`;
/// `None` for crate roots (`lib.rs`, `main.rs`, `bin/`).
fn module_path(src: &str, rel: &str) -> Option<Vec<String>> {
    let inner = rel.strip_prefix(src)?.trim_start_matches('/');
    if matches!(inner, "lib.rs" | "main.rs") || inner.starts_with("bin/") {
        return None;
    }
    let mut parts: Vec<String> = inner.trim_end_matches(".rs").split('/').map(str::to_string).collect();
    if parts.len() > 1 && parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    Some(parts)
}

/// The top-level module names of the crate in `src`.
fn module_names(src: &str, files: &[SourceFile]) -> BTreeSet<String> {
    files.iter().filter_map(|f| module_path(src, &f.rel)).filter_map(|p| p.into_iter().next()).collect()
}

/// Every file module of the crate in `src`, as `a` or `a::b`: the graph's nodes.
fn file_modules(src: &str, files: &[SourceFile]) -> BTreeSet<String> {
    files.iter().filter_map(|f| module_path(src, &f.rel)).map(|p| p.join("::")).collect()
}

fn module_graph(src: &str, files: &[SourceFile]) -> ModuleGraph {
    let modules = module_names(src, files);
    // Names the crate root re-exports (`pub use server::Server;`) and the module they come from.
    let mut reexports: BTreeMap<String, String> = BTreeMap::new();
    for root in files.iter().filter(|f| module_path(src, &f.rel).is_none()) {
        for p in paths(&lex(&root.text)) {
            let segs: Vec<&str> =
                p.segments.iter().map(String::as_str).skip_while(|s| matches!(*s, "crate" | "self")).collect();
            if let (Some(first), Some(last)) = (segs.first(), segs.last()) {
                if segs.len() > 1 && modules.contains(*first) && *last != "*" {
                    reexports.insert(last.to_string(), first.to_string());
                }
            }
        }
    }
    let nodes = file_modules(src, files);
    let mut graph = ModuleGraph { modules: nodes.clone(), edges: BTreeMap::new() };
    for file in files {
        let Some(base) = module_path(src, &file.rel) else { continue };
        let from = &base.join("::");
        for p in paths(&lex(&file.text)) {
            let mut scope: Vec<String> = base.iter().chain(&p.inline).cloned().collect();
            let target =
                resolve(&mut scope, &p.segments, &modules, &reexports).and_then(|absolute| deepest(&absolute, &nodes));
            if let Some(to) = target.filter(|to| to != from) {
                graph.edges.entry((from.clone(), to)).or_insert_with(|| format!("{}:{}", file.rel, p.line));
            }
        }
    }
    graph
}

/// The absolute path (from the crate root) a path in module `scope` names, when it is a
/// crate-relative (`crate::`, `self::`, `super::`) path; a root re-export (`crate::Server`)
/// is followed to the top-level module it comes from.
fn resolve(
    scope: &mut Vec<String>,
    segments: &[String],
    modules: &BTreeSet<String>,
    reexports: &BTreeMap<String, String>,
) -> Option<Vec<String>> {
    let mut rest = segments.iter().map(String::as_str).peekable();
    match rest.next()? {
        "crate" => scope.clear(),
        "self" => {}
        "super" => {
            scope.pop()?;
            while rest.next_if_eq(&"super").is_some() {
                scope.pop()?;
            }
        }
        _ => return None,
    }
    if scope.is_empty() {
        let name = rest.next()?;
        if modules.contains(name) {
            scope.push(name.to_string());
        } else {
            scope.push(reexports.get(name)?.clone());
            return Some(scope.clone());
        }
    }
    scope.extend(rest.map(str::to_string));
    Some(scope.clone())
}

/// The deepest file module an absolute path lies in (`profile::types::Behaviour` →
/// `profile::types`): files are the graph's nodes, so `profile/load.rs` may use
/// `profile/types.rs` while `types` knows nothing of `load`.
fn deepest(absolute: &[String], nodes: &BTreeSet<String>) -> Option<String> {
    (1..=absolute.len()).rev().map(|n| absolute[..n].join("::")).find(|m| nodes.contains(m))
}

/// The import cycles of `graph`: each strongly connected set of two or more modules.
fn cycles(graph: &ModuleGraph) -> Vec<BTreeSet<String>> {
    let reach = |from: &str| -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from.to_string()];
        while let Some(m) = todo.pop() {
            for t in graph.targets(&m) {
                if seen.insert(t.to_string()) {
                    todo.push(t.to_string());
                }
            }
        }
        seen
    };
    let reaches: BTreeMap<&str, BTreeSet<String>> = graph.modules.iter().map(|m| (m.as_str(), reach(m))).collect();
    let mut out: Vec<BTreeSet<String>> = Vec::new();
    for m in &graph.modules {
        if !reaches[m.as_str()].contains(m) || out.iter().any(|c| c.contains(m)) {
            continue;
        }
        let scc: BTreeSet<String> =
            reaches[m.as_str()].iter().filter(|o| reaches[o.as_str()].contains(m)).cloned().collect();
        if scc.len() > 1 {
            out.push(scc);
        }
    }
    out
}

/// A shortest cycle through the import `from → to` (which lies in `scc`), as
/// `from → to (file:line) → … → from (file:line)`.
fn describe_cycle(graph: &ModuleGraph, scc: &BTreeSet<String>, from: &str, to: &str) -> String {
    // Breadth-first from `to` back to `from`, inside the strongly connected set.
    let mut parent: BTreeMap<&str, &str> = BTreeMap::new();
    let mut queue = VecDeque::from([to]);
    while let Some(m) = queue.pop_front() {
        if m == from {
            break;
        }
        for t in graph.targets(m).filter(|t| scc.contains(*t)) {
            if t != to && !parent.contains_key(t) {
                parent.insert(t, m);
                queue.push_back(t);
            }
        }
    }
    let mut back = vec![from];
    while let Some(p) = back.last().and_then(|m| parent.get(m)) {
        back.push(p);
    }
    back.reverse(); // to, …, from
    let mut out = from.to_string();
    let mut prev = from;
    for m in back {
        let site = graph.edges.get(&(prev.to_string(), m.to_string())).map_or("?", String::as_str);
        let _ = write!(out, " → {m} ({site})");
        prev = m;
    }
    out
}

/// Rule 1 for one crate. `allowed` lists imports (from, to) that may lie on a cycle; any other
/// import on a cycle fails, and so does an allowed one that no longer lies on one.
fn check_cycles(src: &str, graph: &ModuleGraph, allowed: &[(&str, &str)]) -> Vec<String> {
    let found = cycles(graph);
    let scc_of = |m: &str| found.iter().position(|c| c.contains(m));
    let on_cycle = |from: &str, to: &str| scc_of(from).is_some() && scc_of(from) == scc_of(to);
    let mut problems = Vec::new();
    for scc in &found {
        let new: Vec<(&str, &str)> = graph
            .edges
            .keys()
            .map(|(f, t)| (f.as_str(), t.as_str()))
            .filter(|(f, t)| scc.contains(*f) && scc.contains(*t) && !allowed.contains(&(*f, *t)))
            .collect();
        let Some((from, to)) = new.first() else { continue };
        let list: Vec<String> = new.iter().map(|(f, t)| format!("{f} → {t}")).collect();
        problems.push(format!(
            "import cycle among the modules of {src}: {} (strongly connected: {}; imports on a cycle that are not allow-listed: {})",
            describe_cycle(graph, scc, from, to),
            join(scc),
            list.join(", ")
        ));
    }
    for (from, to) in allowed {
        if !graph.edges.contains_key(&(from.to_string(), to.to_string())) {
            problems.push(format!("allow-listed import {from} → {to} in {src} is gone: remove its entry"));
        } else if !on_cycle(from, to) {
            problems.push(format!(
                "allow-listed import {from} → {to} in {src} no longer lies on a cycle: remove its entry"
            ));
        }
    }
    problems
}

fn join(set: &BTreeSet<String>) -> String {
    set.iter().map(String::as_str).collect::<Vec<_>>().join(", ")
}

// ---------------------------------------------------------------------------------------
// Rule 2: doors and scim-core's modules.

/// `scim_core::<module>::Item` paths in door files, as (file, path, line), where the module
/// is not public. A lowercase segment followed by `::`, or any known module name, is a module.
fn door_paths(files: &[SourceFile], core_modules: &BTreeSet<String>, public: &[&str]) -> Vec<(String, String, usize)> {
    let mut out = Vec::new();
    for file in files {
        for p in paths(&lex(&file.text)) {
            let segs = &p.segments;
            if segs[0] != "scim_core" {
                continue;
            }
            let module = &segs[1];
            let lowercase = module.chars().next().is_some_and(|c| c.is_ascii_lowercase() || c == '_')
                && module.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            // `scim_core::compare(…)` is the root function, not the module of that name.
            let root_fn = segs.len() == 2 && ROOT_FUNCTIONS.contains(&module.as_str());
            let is_module = !root_fn && (core_modules.contains(module) || (lowercase && segs.len() > 2));
            if is_module && !public.contains(&module.as_str()) {
                let named = segs.iter().take(3).map(String::as_str).collect::<Vec<_>>().join("::");
                out.push((file.rel.clone(), named, p.line));
            }
        }
    }
    out
}

fn check_doors(
    files: &[SourceFile],
    core_modules: &BTreeSet<String>,
    public: &[&str],
    allowed: &[(&str, &str)],
) -> Vec<String> {
    let found = door_paths(files, core_modules, public);
    let mut problems = Vec::new();
    let mut reported = BTreeSet::new();
    for (file, path, line) in &found {
        if !allowed.contains(&(file.as_str(), path.as_str())) && reported.insert((file, path)) {
            problems.push(format!(
                "{file}:{line}: a door names scim-core's internal module: `{path}` (use what `scim_core` exports at its root)"
            ));
        }
    }
    for (file, path) in allowed {
        if !found.iter().any(|(f, p, _)| f == file && p == path) {
            problems.push(format!("allow-listed door path ({file}, {path}) is no longer used: remove its entry"));
        }
    }
    problems
}

// ---------------------------------------------------------------------------------------
// Rule 3: parameter counts.

/// Every `fn name(…)` in `tokens` with its parameter count (`self` not counted) and line.
fn functions(tokens: &[Token]) -> Vec<(String, usize, usize)> {
    let mut out = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        if t.ident() != Some("fn") {
            continue;
        }
        let Some(name) = tokens.get(i + 1).and_then(Token::ident) else { continue };
        let mut j = i + 2;
        // Generic parameters: skip to the matching `>` (`->` is one token, so it never closes).
        if tokens.get(j).is_some_and(|t| t.is("<")) {
            let mut angle = 0usize;
            while let Some(t) = tokens.get(j) {
                if t.is("<") {
                    angle += 1;
                } else if t.is(">") {
                    angle -= 1;
                    if angle == 0 {
                        j += 1;
                        break;
                    }
                }
                j += 1;
            }
        }
        if !tokens.get(j).is_some_and(|t| t.is("(")) {
            continue;
        }
        let mut params = 0;
        let mut current: Vec<&Token> = Vec::new();
        let (mut nest, mut angle) = (0usize, 0usize);
        for t in &tokens[j + 1..] {
            if nest == 0 && angle == 0 && (t.is(",") || t.is(")")) {
                if !current.is_empty() && !is_self_param(&current) {
                    params += 1;
                }
                current.clear();
                if t.is(")") {
                    break;
                }
                continue;
            }
            if t.is("(") || t.is("[") || t.is("{") {
                nest += 1;
            } else if t.is(")") || t.is("]") || t.is("}") {
                nest = nest.saturating_sub(1);
            } else if t.is("<") {
                angle += 1;
            } else if t.is(">") {
                angle = angle.saturating_sub(1);
            }
            current.push(t);
        }
        out.push((name.to_string(), params, t.line));
    }
    out
}

/// `self`, `mut self`, `&self`, `&'a mut self`, `self: Box<Self>`, after any attributes.
fn is_self_param(param: &[&Token]) -> bool {
    let mut i = 0;
    // `#[attr]`: skip to the `]` that closes it.
    while param.get(i).is_some_and(|t| t.is("#")) {
        let mut depth = 0usize;
        i += 1;
        while let Some(t) = param.get(i) {
            i += 1;
            if t.is("[") {
                depth += 1;
            } else if t.is("]") {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    break;
                }
            }
        }
    }
    param[i.min(param.len())..]
        .iter()
        .find(|t| !(t.is("&") || t.kind == Kind::Lifetime || t.ident() == Some("mut")))
        .and_then(|t| t.ident())
        == Some("self")
}

fn check_params(files: &[SourceFile], max: usize, allowed: &[(&str, &str)]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut found = BTreeSet::new();
    for file in files {
        for (name, count, line) in functions(&lex(&file.text)) {
            if count <= max {
                continue;
            }
            found.insert((file.rel.clone(), name.clone()));
            if !allowed.contains(&(file.rel.as_str(), name.as_str())) {
                problems.push(format!(
                    "{}:{line}: fn {name} takes {count} parameters (at most {max}; group them in a struct)",
                    file.rel
                ));
            }
        }
    }
    for (file, name) in allowed {
        if !found.contains(&(file.to_string(), name.to_string())) {
            problems
                .push(format!("allow-listed long function ({file}, {name}) is gone or short now: remove its entry"));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segs(src: &str) -> Vec<String> {
        paths(&lex(src)).into_iter().map(|p| p.segments.join("::")).collect()
    }

    #[test]
    fn lexer_skips_comments_strings_and_tells_chars_from_lifetimes() {
        let src = r##"
            // crate::a::x
            /* crate::b /* nested crate::c */ still comment crate::d */
            let s = "crate::e \" crate::f"; let r = r#"crate::g " "#; let b = b"crate::h";
            let c = 'x'; let q = '\''; fn f<'a>(x: &'a str) -> &'a str { crate::real::y(x) }
        "##;
        assert_eq!(segs(src), vec!["crate::real::y"]);
        let toks = lex(src);
        assert!(toks.iter().any(|t| t.kind == Kind::Lifetime && t.text == "a"));
        let real = toks.iter().find(|t| t.text == "real").unwrap();
        assert_eq!(real.line, 5);
    }

    #[test]
    fn use_trees_expand_and_later_segments_do_not_start_paths() {
        assert_eq!(
            segs("use crate::{a::{self, X}, b::*, c::Y as Z}; Vec::<u8>::new(); ::scim_core::env::Millis; use ::x::y;"),
            vec!["crate::a", "crate::a::X", "crate::b::*", "crate::c::Y", "scim_core::env::Millis", "x::y"]
        );
    }

    fn graph(files: &[(&str, &str)]) -> ModuleGraph {
        let files: Vec<SourceFile> = files.iter().map(|(r, t)| SourceFile::new(r, t)).collect();
        module_graph("src", &files)
    }

    fn edges(g: &ModuleGraph) -> Vec<String> {
        g.edges.keys().map(|(f, t)| format!("{f}->{t}")).collect()
    }

    #[test]
    fn graph_follows_crate_super_and_root_reexports() {
        let g = graph(&[
            ("src/lib.rs", "pub mod a; pub mod b; pub mod c; pub mod d; pub use d::Thing; pub fn helper() {}"),
            ("src/a.rs", "use crate::b::X; fn f() { super::c::g(); crate::Thing::new(); crate::helper(); }"),
            // Each file is a node: `super` from `b/inner.rs` is `b`.
            ("src/b/mod.rs", "mod inner;"),
            ("src/b/inner.rs", "use super::Y; use super::super::c;"),
            // `super` inside an inline module is the file's own module.
            ("src/c.rs", "#[cfg(test)] mod tests { use super::*; use crate::d; }"),
            ("src/d.rs", "pub struct Thing; use self::x::y; use std::fmt; use scim_core::a::Z;"),
        ]);
        assert_eq!(g.modules.iter().map(String::as_str).collect::<Vec<_>>(), vec!["a", "b", "b::inner", "c", "d"]);
        assert_eq!(edges(&g), vec!["a->b", "a->c", "a->d", "b::inner->b", "b::inner->c", "c->d"]);
        assert_eq!(g.edges[&("b::inner".to_string(), "c".to_string())], "src/b/inner.rs:1");
        assert!(check_cycles("src", &g, &[]).is_empty());
    }

    #[test]
    fn a_cycle_fails_naming_its_modules_and_where_each_import_is() {
        let g = graph(&[
            ("src/lib.rs", "mod a; mod b; mod c; mod d;"),
            ("src/a.rs", "use crate::b::X;"),
            ("src/b.rs", "\nuse crate::c::{Y};"),
            ("src/c.rs", "fn f() { crate::a::z() }"),
            ("src/d.rs", "use crate::a;"),
        ]);
        let problems = check_cycles("src", &g, &[]);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(
            problems[0],
            "import cycle among the modules of src: a → b (src/a.rs:1) → c (src/b.rs:2) → a (src/c.rs:1) \
             (strongly connected: a, b, c; imports on a cycle that are not allow-listed: a → b, b → c, c → a)"
        );
        // Tests modules count: a test-only import closes a cycle too.
        let g = graph(&[("src/a.rs", "use crate::b;"), ("src/b.rs", "mod tests { use crate::a::X; }")]);
        assert_eq!(cycles(&g), vec![BTreeSet::from(["a".to_string(), "b".to_string()])]);
    }

    #[test]
    fn allowed_cycle_imports_pass_only_while_they_stay_on_a_cycle() {
        let two = [("src/a.rs", "use crate::b;"), ("src/b.rs", "use crate::a;"), ("src/c.rs", "")];
        assert!(check_cycles("src", &graph(&two), &[("a", "b"), ("b", "a")]).is_empty());
        // A new import onto the same cycle fails, and the report runs the cycle through it.
        let more = [("src/a.rs", "use crate::b;"), ("src/b.rs", "use crate::{a, c};"), ("src/c.rs", "use crate::a;")];
        assert_eq!(
            check_cycles("src", &graph(&more), &[("a", "b"), ("b", "a")]),
            vec![
                "import cycle among the modules of src: b → c (src/b.rs:1) → a (src/c.rs:1) → b (src/a.rs:1) \
                 (strongly connected: a, b, c; imports on a cycle that are not allow-listed: b → c, c → a)"
            ]
        );
        // A broken cycle must leave the list: the import that is gone, and the one left alone.
        let broken = [("src/a.rs", "use crate::b;"), ("src/b.rs", "")];
        assert_eq!(
            check_cycles("src", &graph(&broken), &[("a", "b"), ("b", "a")]),
            vec![
                "allow-listed import a → b in src no longer lies on a cycle: remove its entry",
                "allow-listed import b → a in src is gone: remove its entry",
            ]
        );
    }

    fn door_check(src: &str, public: &[&str], allowed: &[(&str, &str)]) -> Vec<String> {
        let modules: BTreeSet<String> = ["env", "profile", "http"].iter().map(|s| s.to_string()).collect();
        check_doors(&[SourceFile::new("door/src/lib.rs", src)], &modules, public, allowed)
    }

    #[test]
    fn doors_may_not_name_core_modules() {
        let src = "use scim_core::{Env, Server, env::Millis};\nuse scim_core::profile;\n\
                   fn f() { scim_core::from_json_str(\"scim_core::http::x\"); scim_core::private::g(); }\n\
                   // scim_core::http::reason\n";
        assert_eq!(
            door_check(src, &[], &[]),
            vec![
                "door/src/lib.rs:1: a door names scim-core's internal module: `scim_core::env::Millis` (use what `scim_core` exports at its root)",
                "door/src/lib.rs:2: a door names scim-core's internal module: `scim_core::profile` (use what `scim_core` exports at its root)",
                "door/src/lib.rs:3: a door names scim-core's internal module: `scim_core::private::g` (use what `scim_core` exports at its root)",
            ]
        );
        assert!(door_check("use scim_core::{Env, Request, from_json_str};", &[], &[]).is_empty());
        // A public module is fine; the same path twice is one problem.
        assert!(door_check("use scim_core::env::Millis;", &["env"], &[]).is_empty());
        assert_eq!(door_check("scim_core::http::reason(1); scim_core::http::reason(2);", &[], &[]).len(), 1);
    }

    #[test]
    fn door_allow_list_is_per_file_and_path_and_shrink_only() {
        let allowed = [("door/src/lib.rs", "scim_core::profile::builtin_sources")];
        assert!(door_check("scim_core::profile::builtin_sources()", &[], &allowed).is_empty());
        // Another item of the same module is not covered.
        let problems =
            door_check("scim_core::profile::builtin_sources(); scim_core::profile::Omitted::Keep;", &[], &allowed);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].contains("`scim_core::profile::Omitted`"), "{problems:?}");
        assert_eq!(
            door_check("scim_core::Profile::rfc()", &[], &allowed),
            vec![
                "allow-listed door path (door/src/lib.rs, scim_core::profile::builtin_sources) is no longer used: remove its entry"
            ]
        );
    }

    fn param_check(src: &str, allowed: &[(&str, &str)]) -> Vec<String> {
        check_params(&[SourceFile::new("core/src/x.rs", src)], 6, allowed)
    }

    #[test]
    fn parameter_counts_skip_self_and_nested_commas() {
        let src = "impl X {
            fn method(&'a mut self, a: HashMap<K, V>, (b, c): (u8, u8), d: [u8; 2], e: impl Fn(u8, u8) -> u8, f: F, g: G) {}
            fn free<T: Into<Vec<(u8, u16)>>, F>(a: u8, b: u8, c: u8, d: u8, e: u8, f: u8, g: u8,) -> u8 { 0 }
            fn boxed(self: Box<Self>, #[allow(unused)] a: u8) {}
            fn none() {}
        }
        type P = fn(u8, u8, u8, u8, u8, u8, u8, u8);";
        let counts: Vec<(String, usize)> = functions(&lex(src)).into_iter().map(|(n, c, _)| (n, c)).collect();
        let expect = [("method", 6), ("free", 7), ("boxed", 1), ("none", 0)];
        assert_eq!(counts, expect.map(|(n, c)| (n.to_string(), c)));
        assert_eq!(
            param_check(src, &[]),
            vec!["core/src/x.rs:3: fn free takes 7 parameters (at most 6; group them in a struct)"]
        );
        assert!(param_check(src, &[("core/src/x.rs", "free")]).is_empty());
        assert_eq!(
            param_check("fn free(a: u8) {}", &[("core/src/x.rs", "free")]),
            vec!["allow-listed long function (core/src/x.rs, free) is gone or short now: remove its entry"]
        );
    }
}
