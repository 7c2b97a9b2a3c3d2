import type { HttpHandler } from "msw";
import type { ScimRequest, ScimResponse } from "./web/scim_wasm.js";
import type { Recorder } from "./archive.js";

export interface ScimHandlersOptions {
  /** Requests to this origin under this path are answered by the server, e.g.
   *  `"https://scim.test/scim/v2"`; others fall through to the next handler. */
  baseUrl: string | URL;
  /** Records every exchange (see `createSession`). */
  session?: Recorder;
}

/** msw request handlers (one catch-all `http.all` under `baseUrl`) served by `server`, for
 *  `setupServer(...scimHandlers(server, { baseUrl }))` or `setupWorker(...)`. */
export function scimHandlers(
  server: { handle(request: ScimRequest): ScimResponse } | (() => { handle(request: ScimRequest): ScimResponse }),
  options: ScimHandlersOptions,
): HttpHandler[];
