import type { ScimRequest, ScimResponse } from "./web/scim_wasm.js";
import type { Recorder } from "./archive.js";

/** The parts of Node's `IncomingMessage` the listener reads (an Express `Request` is one). */
export interface IncomingLike extends AsyncIterable<Uint8Array | string> {
  method?: string;
  url?: string;
  originalUrl?: string;
  headers: Record<string, string | string[] | undefined>;
  body?: unknown;
}

/** The parts of Node's `ServerResponse` the listener writes. */
export interface ResponseLike {
  writeHead(status: number, headers?: Record<string, string>): unknown;
  end(body?: string): unknown;
}

export interface ScimListenerOptions {
  /** The path prefix served (default `"/scim/v2"`; `""` serves every path). */
  basePath?: string;
  /** Records every exchange (see `createSession`). */
  session?: Recorder;
}

/** A Node `http` request listener and Express/Connect middleware: requests under
 *  `basePath` are served by `server`; others go to `next()`, or get a 404 without one. */
export function createScimListener(
  server: { handle(request: ScimRequest): ScimResponse } | (() => { handle(request: ScimRequest): ScimResponse }),
  options?: ScimListenerOptions,
): (req: IncomingLike, res: ResponseLike, next?: (err?: unknown) => void) => Promise<void>;
