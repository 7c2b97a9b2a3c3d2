//! `--seed`: resources created at start-up. `demo` is the core's demo set
//! ([`scim_core::Seed::Demo`]); a file's resources go through the core's own `POST`
//! (RFC 7644 §3.3), so seeded data obeys the profile exactly like data a client sends.

use std::path::Path;

use anyhow::{Context, Result, bail};
use scim_core::{Request, SeedReport, Server};
use serde_json::Value;

/// What to create at start-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seed {
    None,
    /// The profile's documented users, RFC 7643 §8.2's bjensen and colleagues, and one group.
    Demo,
    /// A JSON object mapping endpoints to resources: `{"Users": [{...}], "Groups": [...]}`.
    File(std::path::PathBuf),
}

impl std::str::FromStr for Seed {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "none" => Seed::None,
            "demo" => Seed::Demo,
            file => Seed::File(file.into()),
        })
    }
}

/// Runs the seed on a server that requires no credential yet. Resources the profile refuses
/// are reported, not fatal; a seed file that cannot be read is fatal.
pub fn apply(server: &mut Server, seed: &Seed) -> Result<SeedReport> {
    match seed {
        Seed::None => Ok(SeedReport::default()),
        Seed::Demo => server.load_seed(scim_core::Seed::Demo).map_err(|e| anyhow::anyhow!("the profile's seed: {e}")),
        Seed::File(path) => {
            let mut report = SeedReport::default();
            for (endpoint, resources) in read_file(path)? {
                let path = format!("/{}", endpoint.trim_start_matches('/'));
                for r in resources {
                    let resp = server.handle(&Request::new("POST", &path).json(&r));
                    if resp.status == 201 {
                        report.created += 1;
                    } else {
                        let detail = resp.json().get("detail").and_then(Value::as_str).unwrap_or_default().to_string();
                        report.refused.push(format!("POST {path}: {} {detail}", resp.status));
                    }
                }
            }
            Ok(report)
        }
    }
}

fn read_file(path: &Path) -> Result<Vec<(String, Vec<Value>)>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading --seed {}", path.display()))?;
    let value: Value =
        serde_json::from_str(&text).with_context(|| format!("--seed {}: invalid JSON", path.display()))?;
    let Value::Object(map) = value else {
        bail!("--seed {}: expected an object such as {{\"Users\": [ ... ]}}", path.display());
    };
    map.into_iter()
        .map(|(endpoint, list)| match list {
            Value::Array(items) => Ok((endpoint, items)),
            _ => bail!("--seed {}: {endpoint:?} must be an array of resources", path.display()),
        })
        .collect()
}
