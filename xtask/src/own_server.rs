//! The `own-server` test stage: `scim-mock learn` and `scim-mock replay` against a SCIM server
//! that is not ours, the Python `scim2-server` from PyPI (pinned, in the project's `.venv`
//! like the conformance tools).
//!
//! What the server does is a finding, not a test outcome: the stage fails only when the
//! tools do not get through a run (a crash, a learned profile that does not load, a replay
//! that writes no report). The learned profile and the reports land in
//! `{target}/own-server/`; the stage prints the learned knobs and each scenario's result.

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, Result, bail};

use crate::conformance::{Guard, SCIM2_SERVER, ensure_venv, free_port, run_with_timeout, tail, target_dir};
use crate::util::{cargo, run};

const TOOL_TIMEOUT: Duration = Duration::from_secs(180);

pub fn run_stage(root: &Path) -> Result<()> {
    let bin = ensure_venv(root, &[SCIM2_SERVER])?;
    run(cargo(root).args(["build", "-p", "scim-mock"]))?;
    let mock = target_dir(root).join("debug").join("scim-mock");
    let out = target_dir(root).join("own-server");
    fs::create_dir_all(&out)?;
    let port = free_port()?;
    let _server = Guard::start(
        "scim2-server",
        Command::new(bin.join("scim2-server")).args(["--port", &port.to_string()]),
        port,
        &out.join("scim2-server.log"),
    )?;
    let base = format!("http://127.0.0.1:{port}");

    // learn
    let (profile, err) = (out.join("learned.json"), out.join("learn.err"));
    let report = out.join("learn-report.json");
    let status = run_with_timeout(
        Command::new(&mock).args(["learn", "--url", &base, "--name", "scim2-server", "--report"]).arg(&report),
        TOOL_TIMEOUT,
        &profile,
        &err,
    )?;
    if !status.success() {
        bail!("scim-mock learn against scim2-server failed ({status}):\n{}", tail(&err, 30));
    }
    let text = fs::read_to_string(&err).unwrap_or_default();
    println!("learn against {SCIM2_SERVER}:\n{text}");
    let learned: serde_json::Value = serde_json::from_str(&fs::read_to_string(&profile)?)
        .with_context(|| format!("the learned profile {} is not JSON", profile.display()))?;
    if learned.get("behaviour").is_none() {
        bail!("the learned profile has no behaviour: {}", profile.display());
    }

    // replay every scenario
    let mut scenarios: Vec<_> = fs::read_dir(root.join("tests/scenarios"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    scenarios.sort();
    if scenarios.is_empty() {
        bail!("no scenarios in tests/scenarios");
    }
    for s in scenarios {
        let stem = s.file_stem().and_then(|x| x.to_str()).unwrap_or("scenario").to_string();
        let (o, e, r) =
            (out.join(format!("{stem}.out")), out.join(format!("{stem}.err")), out.join(format!("{stem}.json")));
        let _ = fs::remove_file(&r);
        let status = run_with_timeout(
            Command::new(&mock).arg("replay").arg(&s).args(["--url", &base, "--report"]).arg(&r),
            TOOL_TIMEOUT,
            &o,
            &e,
        )?;
        let report: serde_json::Value = match fs::read_to_string(&r).ok().and_then(|t| serde_json::from_str(&t).ok()) {
            Some(v) => v,
            None => bail!("scim-mock replay {stem} wrote no report ({status}):\n{}", tail(&e, 30)),
        };
        let passed = report["passed"].as_bool().unwrap_or(false);
        if passed != status.success() {
            bail!("scim-mock replay {stem}: exit status {status} does not match the report (passed: {passed})");
        }
        println!("replay {stem}: {}", if passed { "passed" } else { "broken" });
        for step in report["steps"].as_array().into_iter().flatten().filter(|s| s["outcome"] != "passed") {
            let problems: Vec<&str> =
                step["problems"].as_array().into_iter().flatten().filter_map(|p| p.as_str()).collect();
            println!(
                "  {} {}: {}",
                step["outcome"].as_str().unwrap_or("?"),
                step["name"].as_str().unwrap_or("?"),
                problems.join("; ")
            );
        }
    }
    Ok(())
}
