// Types of the package entry (browser and Node builds alike): the generated bindings, the
// fetch mock, the Node listener, sessions and archives, scenario seeding.
export * from "./web/scim_wasm.js";
export { default } from "./web/scim_wasm.js";
export { installFetchMock, type FetchMockOptions } from "./fetch-mock.js";
export * from "./archive.js";
export { seedScenario } from "./scenario.js";
export { createScimListener, type ScimListenerOptions } from "./listener.js";
export { learnProfile, learnDryRun, replayScenario, type RemoteOptions, type Learned, type ReplayReport } from "./remote.js";
