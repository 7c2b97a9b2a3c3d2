import type { ScimRequest, ScimResponse } from "./web/scim_wasm.js";
import type { Recorder } from "./archive.js";

export interface FetchMockOptions {
  /** Requests whose URL starts with this (same origin, path prefix) are answered by the
   *  mock; all others go to the real `fetch`. Use the profile's base path, e.g.
   *  `"https://scim.test/scim/v2"`. */
  baseUrl: string | URL;
  /** Records every exchange (see `createSession`). */
  session?: Recorder;
}

/**
 * Replaces `globalThis.fetch` so that requests under `baseUrl` (string, `URL` or `Request`
 * inputs; any method) are served by `server` and answered with real `Response` objects.
 * Returns a function that uninstalls the mock.
 */
export function installFetchMock(
  server: { handle(request: ScimRequest): ScimResponse } | (() => { handle(request: ScimRequest): ScimResponse }),
  options: FetchMockOptions,
): () => void;
