// Browser entry: instantiates the wasm module (fetching scim_wasm_bg.wasm beside this file)
// before anything is exported, so `new MockServer()` works right after the import.
import init, * as bindings from "./scim_wasm.js";
import * as remote from "../remote.js";

await init();

export * from "./scim_wasm.js";
export { default } from "./scim_wasm.js";
export { installFetchMock } from "../fetch-mock.js";
export { createSession, toHar, toPostmanCollection, fromPostmanCollection, statusText } from "../archive.js";
export { seedScenario } from "../scenario.js";
export { createScimListener } from "../listener.js";
export const learnProfile = (fetchLike, options) => remote.learnProfile(bindings, fetchLike, options);
export const learnDryRun = () => remote.learnDryRun(bindings);
export const replayScenario = (fetchLike, scenario, options) => remote.replayScenario(bindings, fetchLike, scenario, options);
