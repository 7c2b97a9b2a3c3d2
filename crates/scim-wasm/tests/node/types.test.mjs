// The package's .d.ts files: tests/types/usage.ts must compile with `tsc --strict`, which
// also proves its @ts-expect-error lines are errors (precise types, not `any`).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

test("the TypeScript declarations are precise and compile with --strict", () => {
  const root = fileURLToPath(new URL("../../../../", import.meta.url));
  const tsc = fileURLToPath(new URL("node_modules/typescript/bin/tsc", `file://${root}/`));
  try {
    execFileSync(process.execPath, [tsc, "--strict", "-p", "crates/scim-wasm/tests/types/tsconfig.json"], {
      cwd: root,
      encoding: "utf8",
    });
  } catch (e) {
    assert.fail(`tsc failed:\n${e.stdout}${e.stderr}`);
  }
});
