// installFetchMock: answers `fetch` calls under a base URL with a MockServer, in browsers
// and Node 20+. Plain JS on purpose: it only moves bytes between the Fetch API and
// `server.handle`; every SCIM decision is the engine's.

/** Statuses whose responses have no body (Fetch standard, "null body status"). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/**
 * @param {{ handle(request: object): { status: number, headers: Record<string, string>, body: string } }} server
 * @param {{ baseUrl: string | URL }} options
 * @returns {() => void} uninstall
 */
export function installFetchMock(server, options) {
  if (!server || typeof server.handle !== "function") {
    throw new TypeError("installFetchMock: the first argument must be a MockServer");
  }
  const baseUrl = options?.baseUrl;
  if (baseUrl === undefined || baseUrl === null || String(baseUrl) === "") {
    throw new TypeError('installFetchMock: options.baseUrl is required, e.g. "https://scim.test/scim/v2"');
  }
  const original = globalThis.fetch;
  if (typeof original !== "function") {
    throw new TypeError("installFetchMock: this environment has no global fetch to mock");
  }
  const base = new URL(String(baseUrl), globalThis.location?.href);
  const basePath = base.pathname.replace(/\/+$/, "");

  /** The request's URL, found without consuming a Request's body. */
  function urlOf(input) {
    const href = input instanceof Request ? input.url : input instanceof URL ? input.href : String(input);
    try {
      return new URL(href, globalThis.location?.href);
    } catch {
      return null; // let the real fetch report the bad URL
    }
  }

  function covers(url) {
    return (
      url !== null &&
      url.origin === base.origin &&
      (basePath === "" || url.pathname === basePath || url.pathname.startsWith(basePath + "/"))
    );
  }

  let active = true;
  async function fetch(input, init) {
    const url = urlOf(input);
    if (!active || !covers(url)) {
      return original.call(globalThis, input, init);
    }
    const request = new Request(input instanceof URL ? input.href : input, init);
    if (request.signal?.aborted) {
      throw request.signal.reason ?? new DOMException("The operation was aborted.", "AbortError");
    }
    const headers = {};
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
    // Host and scheme let the engine write absolute Location and meta.location values.
    headers["host"] = url.host;
    headers["x-forwarded-proto"] = url.protocol.replace(/:$/, "");
    const body = request.method === "GET" || request.method === "HEAD" ? "" : await request.text();
    const res = server.handle({
      method: request.method,
      path: (url.pathname.slice(basePath.length) || "/") + url.search,
      headers,
      body: body === "" ? undefined : body,
    });
    return new Response(NULL_BODY.has(res.status) ? null : res.body, { status: res.status, headers: res.headers });
  }

  globalThis.fetch = fetch;
  return function uninstall() {
    active = false;
    if (globalThis.fetch === fetch) {
      globalThis.fetch = original;
    }
  };
}
