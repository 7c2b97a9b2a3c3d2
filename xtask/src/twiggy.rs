//! `cargo xtask twiggy [CRATE...]`: where the bytes of a wasm package go. Release-builds
//! each package's wasm (the `wasm-release` profile, before wasm-bindgen and wasm-opt, so the
//! name section is kept) and runs `twiggy top -n 40`, `twiggy dominators` and
//! `twiggy garbage` on it. twiggy is installed at [`TWIGGY_VERSION`] on first use.
//! docs/wasm-size.md records what these showed and what each size lever saved.

use std::path::Path;
use std::process::Command;

use anyhow::{Result, bail};

use crate::util::{cargo, probe, run};
use crate::wasm;

/// The twiggy that `cargo xtask twiggy` installs (`cargo install --locked`).
pub const TWIGGY_VERSION: &str = "0.8.0";

/// How many rows of `twiggy dominators` to print (the tree is deep; its top is what counts).
const DOMINATOR_ROWS: &str = "60";

pub fn run_twiggy(root: &Path, names: &[String]) -> Result<()> {
    install(root)?;
    let names: Vec<String> = if names.is_empty() {
        let mut all: Vec<String> = wasm::PACKAGES
            .iter()
            .chain(wasm::PACKAGES.iter().flat_map(|p| p.companions.iter()))
            .filter(|p| p.exists(root))
            .map(|p| p.crate_name.to_string())
            .collect();
        all.sort_unstable();
        all.dedup();
        all
    } else {
        names.to_vec()
    };
    for name in &names {
        let Some(package) = wasm::find_any(name) else {
            bail!("unknown wasm package `{name}`; see `cargo xtask dist` for the registered ones");
        };
        let wasm_file = wasm::release_wasm(root, package.crate_name)?;
        let file = wasm_file.to_string_lossy().into_owned();
        println!("\n## {name}: {file}\n");
        run(Command::new("twiggy").args(["top", "-n", "40", &file]))?;
        run(Command::new("twiggy").args(["dominators", "-r", DOMINATOR_ROWS, &file]))?;
        run(Command::new("twiggy").args(["garbage", &file]))?;
    }
    Ok(())
}

/// `cargo install --locked twiggy@TWIGGY_VERSION` unless `twiggy --version` already says it.
fn install(root: &Path) -> Result<()> {
    if probe("twiggy", ["--version"]).is_some_and(|out| out.split_whitespace().any(|w| w == TWIGGY_VERSION)) {
        return Ok(());
    }
    run(cargo(root).args(["install", "--locked", &format!("twiggy@{TWIGGY_VERSION}")]))
}
