// Shared by the kit tests, which run inside a throw-away consumer project (see ../run.mjs):
// the package is the packed tarball installed there, and is loaded the way a user's code
// loads it, by name through its `exports` map.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the kit tests with \`cargo xtask test --stage kit\``);
  return value;
};

/** The repository (for the README, Cargo.toml, tests/vectors). */
export const repo = env("SCIM_REPO");
/** The installed package's directory (node_modules/scim-playground-wasm). */
export const pkgDir = dirname(createRequire(join(process.cwd(), "x.js")).resolve("scim-playground-wasm/package.json"));
export const manifest = JSON.parse(await readFile(join(pkgDir, "package.json"), "utf8"));

/** A module of the installed package, by subpath: `load()`, `load("/msw")`. */
export function load(subpath = "") {
  return import(`scim-playground-wasm${subpath}`);
}

export const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
export const user = (userName, extra = {}) => ({ schemas: [USER], userName, ...extra });
