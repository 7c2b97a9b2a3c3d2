// Loads the built package the way Node resolves it: through package.json "exports".
import { readFile } from "node:fs/promises";

const root = new URL("../../../../dist/scim-wasm/", import.meta.url);
const manifest = JSON.parse(await readFile(new URL("package.json", root), "utf8"));

export { manifest };
export const entry = new URL(manifest.exports["."].node, root);
export const pkg = await import(entry.href);

export const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
export const user = (userName, extra = {}) => ({ schemas: [USER], userName, ...extra });
