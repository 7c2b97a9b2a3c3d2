// Browser entry: instantiates the wasm module (fetching scim_wasm_bg.wasm beside this file)
// before anything is exported, so `new MockServer()` works right after the import.
import init from "./scim_wasm.js";

await init();

export * from "./scim_wasm.js";
export { default } from "./scim_wasm.js";
export { installFetchMock } from "../fetch-mock.js";
export { createSession, toHar, toPostmanCollection, fromPostmanCollection, statusText } from "../archive.js";
export { seedScenario } from "../scenario.js";
export { createScimListener } from "../listener.js";
