// Browser entry: instantiates the wasm module (fetching scim_wasm_bg.wasm beside this file)
// before anything is exported, so `new MockServer()` works right after the import.
import init, { MockServer } from "./scim_wasm.js";
import * as remote from "../remote.js";
import { speedUp } from "../fast.js";

await init();
speedUp(MockServer);

export * from "./scim_wasm.js";
export { default } from "./scim_wasm.js";
export { installFetchMock } from "../fetch-mock.js";
export { createSession, toHar, toPostmanCollection, fromPostmanCollection, statusText } from "../archive.js";
export { seedScenario } from "../scenario.js";
export { createScimListener } from "../listener.js";

// The learner's module (learn/web, beside this directory) is fetched and instantiated on the
// first learnProfile, learnDryRun or replayScenario call, once.
let learner;
function loadLearner() {
  learner ??= import("../learn/web/scim_learn_wasm.js").then(async (m) => {
    await m.default();
    return m;
  });
  return learner;
}
export const learnProfile = (fetchLike, options) => remote.learnProfile(loadLearner, fetchLike, options);
export const learnDryRun = () => remote.learnDryRun(loadLearner);
export const replayScenario = (fetchLike, scenario, options) => remote.replayScenario(loadLearner, fetchLike, scenario, options);
