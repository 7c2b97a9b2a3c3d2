// Types of the package entry: the generated bindings plus the fetch mock and the archives
// (createScimListener is exported by the Node build only).
export * from "./web/scim_wasm.js";
export { default } from "./web/scim_wasm.js";
export { installFetchMock, type FetchMockOptions } from "./fetch-mock.js";
export * from "./archive.js";
export { seedScenario } from "./scenario.js";
export { createScimListener, type ScimListenerOptions } from "./listener.js";
