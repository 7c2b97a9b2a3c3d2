// Node entry (ES module): the nodejs glue loads the wasm synchronously on require.
import { createRequire } from "node:module";
import bindings from "./scim_wasm.js";

import { speedUp } from "../fast.js";

export const { MockServer, compareAll } = bindings;
speedUp(MockServer);
export { installFetchMock } from "../fetch-mock.js";
export { createSession, toHar, toPostmanCollection, fromPostmanCollection, statusText } from "../archive.js";
export { seedScenario } from "../scenario.js";
export { createScimListener } from "../listener.js";
import * as remote from "../remote.js";
// The learner's module (learn/node) is read and compiled on the first learnProfile,
// learnDryRun or replayScenario call; require caches it.
const require = createRequire(import.meta.url);
const loadLearner = async () => require("../learn/node/scim_learn_wasm.js");
export const learnProfile = (fetchLike, options) => remote.learnProfile(loadLearner, fetchLike, options);
export const learnDryRun = () => remote.learnDryRun(loadLearner);
export const replayScenario = (fetchLike, scenario, options) => remote.replayScenario(loadLearner, fetchLike, scenario, options);

/** Nothing to do in Node (the module is ready on import); kept so code written for the
 * browser entry (`await init()`) runs unchanged. */
export default async function init() {
  return undefined;
}
