import type { ScimRequest, ScimResponse } from "./web/scim_wasm.js";
import type { Recorder } from "./archive.js";

/** The parts of a Playwright `Route` that routeScim uses. */
export interface RouteLike {
  request(): {
    url(): string;
    method(): string;
    allHeaders(): Promise<Record<string, string>>;
    postData(): string | null;
  };
  fulfill(response: { status?: number; headers?: Record<string, string>; body?: string }): Promise<void>;
  fallback(): Promise<void>;
}

/** A Playwright `Page` or `BrowserContext` (structurally: no import of Playwright). */
export interface RoutableLike {
  route(url: (url: URL) => boolean, handler: (route: RouteLike) => unknown): Promise<void>;
  unroute(url: (url: URL) => boolean, handler: (route: RouteLike) => unknown): Promise<void>;
}

export interface RouteScimOptions {
  /** Requests under this URL are answered by the server; other paths on its origin go on
   *  with `route.fallback()`. */
  baseUrl: string | URL;
  /** Records every exchange (see `createSession`). */
  session?: Recorder;
  /** Answer CORS preflights and add CORS headers for pages on other origins (default true). */
  cors?: boolean;
}

/** Serves `server` to everything the page sends under `baseUrl`; resolves to a function
 *  that removes the route. */
export function routeScim(
  page: RoutableLike,
  server: { handle(request: ScimRequest): ScimResponse } | (() => { handle(request: ScimRequest): ScimResponse }),
  options: RouteScimOptions,
): Promise<() => Promise<void>>;
