// scimHandlers: Mock Service Worker (msw 3) request handlers that answer every request under
// a base URL with a MockServer. One catch-all `http.all` handler whose predicate is the base
// URL; the request goes through the same conversion as the fetch mock (core.js). Works with
// `setupServer` (msw/node: Vitest, Jest; sees fetch, XMLHttpRequest, axios, http.request)
// and `setupWorker` (msw/browser). msw is a peer dependency: this module is the only one in
// the package that imports it.

import { http } from "msw";

import { checkServer, handleFetch, scope } from "./core.js";

/**
 * @param {{ handle(request: object): object }} server a MockServer
 * @param {{ baseUrl: string | URL, session?: { record(exchange: object): void } }} options
 * @returns {import("msw").HttpHandler[]}
 */
export function scimHandlers(server, options) {
  checkServer(server, "scimHandlers");
  const sc = scope(options?.baseUrl, "scimHandlers", globalThis.location?.href);
  const session = options?.session;
  return [
    http.all(
      ({ request }) => sc.covers(new URL(request.url)),
      ({ request }) => handleFetch(server, sc, request, session),
    ),
  ];
}
