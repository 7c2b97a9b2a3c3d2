//! `scim-mock compare --all REQUEST.json`: one request sent to every built-in profile (and
//! each `--profile FILE`), each in a fresh store holding the documented users
//! ([`scim_core::compare_all`]); prints one row per profile, its status and what happened to
//! each attribute (replaced, kept, cleared, ignored, rejected), or the same as JSON.
//!
//! REQUEST.json (or `-` for standard input) is `{"method", "path", "headers"?, "body"?}`: the
//! path relative to the base path with `{userName:NAME}` placeholders, rendered per profile
//! as the playground's lanes do (`Server::render`).

use std::io::Read;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use scim_core::{AllProfiles, Profile, Request, compare_all};
use serde_json::Value;

#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// Send the request to every built-in profile (the only mode so far).
    #[arg(long)]
    all: bool,
    /// A custom profile JSON file to compare as well (repeatable).
    #[arg(long = "profile", value_name = "FILE")]
    profiles: Vec<PathBuf>,
    /// Print the result as JSON (`{"attributes": [...], "rows": [...]}`) instead of a table.
    #[arg(long)]
    json: bool,
    /// The request: a JSON file `{"method", "path", "headers"?, "body"?}`, or `-` for stdin.
    #[arg(value_name = "REQUEST.json")]
    request: PathBuf,
}

pub fn run(args: CompareArgs) -> Result<()> {
    if !args.all {
        bail!("compare needs --all (send the request to every built-in profile)");
    }
    let text = if args.request.as_os_str() == "-" {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s).context("reading the request from stdin")?;
        s
    } else {
        std::fs::read_to_string(&args.request).with_context(|| format!("reading {}", args.request.display()))?
    };
    let request = parse_request(&text).with_context(|| format!("the request {}", args.request.display()))?;
    let mut custom = Vec::new();
    for path in &args.profiles {
        let src = std::fs::read_to_string(path).with_context(|| format!("reading --profile {}", path.display()))?;
        custom.push(Profile::from_json(&src).map_err(|e| anyhow::anyhow!("--profile {}: {e}", path.display()))?);
    }
    let all = compare_all(&request, &custom);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&all)?);
    } else {
        print!("{}", table(&all));
    }
    Ok(())
}

/// `{"method", "path", "headers"?, "body"?}`; a body that is a string is sent as written.
fn parse_request(text: &str) -> Result<Request> {
    let v: Value = scim_core::from_json_str(text)?;
    let field =
        |name: &str| v.get(name).and_then(Value::as_str).with_context(|| format!("\"{name}\" (a string) is missing"));
    let mut req = Request::new(field("method")?, field("path")?);
    if let Some(headers) = v.get("headers") {
        let map = headers.as_object().context("\"headers\" must be an object of strings")?;
        for (k, val) in map {
            let val = val.as_str().with_context(|| format!("header {k}: the value must be a string"))?;
            req = req.header(k, val);
        }
    }
    match v.get("body") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) => req.body = s.as_bytes().to_vec(),
        Some(body) => req = req.json(body),
    }
    Ok(req)
}

/// A plain-text table: profile, status, then one column per attribute (`-` where the
/// profile's answer says nothing about it); failed rows end with their error's detail.
pub fn table(all: &AllProfiles) -> String {
    let mut header = vec!["profile".to_string(), "status".to_string()];
    header.extend(all.attributes.iter().cloned());
    let mut lines = vec![header];
    for row in &all.rows {
        let mut cells = vec![row.profile.clone(), row.status.to_string()];
        cells.extend(all.attributes.iter().map(|a| row.outcomes.get(a).map_or("-", |v| v.as_str()).to_string()));
        lines.push(cells);
    }
    let widths: Vec<usize> = (0..lines.first().map_or(0, Vec::len))
        .map(|i| lines.iter().filter_map(|l| l.get(i)).map(|c| c.chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for (n, cells) in lines.iter().enumerate() {
        let padded: Vec<String> = cells.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect();
        out.push_str(padded.join("  ").trim_end());
        if let Some(row) = n.checked_sub(1).and_then(|i| all.rows.get(i)) {
            if !row.detail.is_empty() {
                out.push_str(&format!("  ({})", row.detail));
            }
        }
        out.push('\n');
    }
    out
}
