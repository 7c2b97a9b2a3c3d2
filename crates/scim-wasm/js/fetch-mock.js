// installFetchMock: answers `fetch` calls under a base URL with a MockServer, in browsers
// and Node 20+. It patches `globalThis.fetch`, so it sees neither XMLHttpRequest nor
// requests that other interceptors (msw, Playwright) take first: for those, use
// `scimHandlers` (scim-playground-wasm/msw) or `routeScim` (scim-playground-wasm/playwright).
// The conversion itself is the shared one in core.js.

import { checkServer, handleFetch, scope, urlOf } from "./core.js";

/**
 * @param {{ handle(request: object): { status: number, headers: Record<string, string>, body: string } }} server
 * @param {{ baseUrl: string | URL, session?: { record(exchange: object): void } }} options
 * @returns {() => void} uninstall
 */
export function installFetchMock(server, options) {
  checkServer(server, "installFetchMock");
  const sc = scope(options?.baseUrl, "installFetchMock", globalThis.location?.href);
  const original = globalThis.fetch;
  if (typeof original !== "function") {
    throw new TypeError("installFetchMock: this environment has no global fetch to mock");
  }
  const session = options?.session;

  let active = true;
  async function fetch(input, init) {
    // The URL is found without consuming a Request's body; a bad URL goes to the real fetch,
    // which reports it.
    if (!active || !sc.covers(urlOf(input, globalThis.location?.href))) {
      return original.call(globalThis, input, init);
    }
    return handleFetch(server, sc, new Request(input instanceof URL ? input.href : input, init), session);
  }

  globalThis.fetch = fetch;
  return function uninstall() {
    active = false;
    if (globalThis.fetch === fetch) {
      globalThis.fetch = original;
    }
  };
}
