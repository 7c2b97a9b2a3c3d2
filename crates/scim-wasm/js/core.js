// The one conversion every adapter shares (fetch mock, msw, Playwright, Node listener):
// which URLs a mock answers, an HTTP request's parts → `MockServer.handleText` (the fast
// path: text in, text out, no explanation) → its response,
// and the record of the exchange for a session (HAR, Postman). Plain JS with no imports, so
// it runs in browsers, Node, workers and Playwright's test process alike. Every SCIM
// decision is the engine's: nothing here reads or writes a body.

/** Statuses whose responses have no body (Fetch standard, "null body status"). */
export const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/** Checks the first argument of an adapter: a MockServer, or a function returning the one
 *  to use now (so a test can swap in `MockServer.restore(...)` without new handlers). */
export function checkServer(server, who) {
  if (typeof server === "function") return;
  if (!server || typeof server.handle !== "function") {
    throw new TypeError(`${who}: the first argument must be a MockServer (or a function returning one)`);
  }
}

function current(server) {
  const s = typeof server === "function" ? server() : server;
  if (!s || typeof s.handle !== "function") throw new TypeError("the server function did not return a MockServer");
  return s;
}

/**
 * What a mock answers: requests to `baseUrl`'s origin whose path is the base path or under
 * it. `relativeTo` resolves a relative base (a browser page's location).
 */
export function scope(baseUrl, who, relativeTo) {
  if (baseUrl === undefined || baseUrl === null || String(baseUrl) === "") {
    throw new TypeError(`${who}: options.baseUrl is required, e.g. "https://scim.test/scim/v2"`);
  }
  const base = new URL(String(baseUrl), relativeTo);
  const basePath = base.pathname.replace(/\/+$/, "");
  return {
    base,
    basePath,
    /** Whether `url` (a `URL`) is under the base URL. */
    covers(url) {
      return (
        url !== null &&
        url.origin === base.origin &&
        (basePath === "" || url.pathname === basePath || url.pathname.startsWith(basePath + "/"))
      );
    },
  };
}

/** A `URL` from a string, `URL` or `Request`, or `null` when it is not one. */
export function urlOf(input, relativeTo) {
  const href = typeof Request !== "undefined" && input instanceof Request ? input.url : input instanceof URL ? input.href : String(input);
  try {
    return new URL(href, relativeTo);
  } catch {
    return null;
  }
}

/**
 * Serves one HTTP request with `server`: `url` (a `URL` under `sc`), lower- or mixed-case
 * `headers` (a plain object), `body` text or `undefined`. Host and scheme are passed on so
 * the engine writes absolute `Location` and `meta.location` values. Records the exchange in
 * `session` when one is given. Returns the engine's `ScimResponse` (with `json` parsed
 * lazily and no `explanation` when the server has `handleText`).
 */
export function serve(server, sc, { method, url, headers, body }, session) {
  const sent = { ...headers, host: url.host, "x-forwarded-proto": url.protocol.replace(/:$/, "") };
  const startedAt = new Date();
  const start = now();
  const s = current(server);
  const request = {
    method,
    path: (url.pathname.slice(sc.basePath.length) || "/") + url.search,
    headers: sent,
    body: body === undefined || body === "" ? undefined : body,
  };
  // The fast path (text in, text out, no explanation) when the server has it; `json` is
  // then parsed only if someone reads it.
  const response = typeof s.handleText === "function" ? lazyJson(s.handleText(request)) : s.handle(request);
  if (session) {
    session.record({
      startedAt,
      time: now() - start,
      request: { method, url: url.href, headers: { ...headers }, body: body === "" ? undefined : body },
      response: { status: response.status, headers: response.headers, body: response.body },
    });
  }
  return response;
}

/** Gives a `handleText` response the `json` member of a `handle` response, parsed from
 *  `body` on first read (absent when the body is empty or not JSON). */
function lazyJson(res) {
  if (res.body === "") return res;
  let parsed;
  let done = false;
  Object.defineProperty(res, "json", {
    enumerable: true,
    configurable: true,
    get() {
      if (!done) {
        done = true;
        try {
          parsed = JSON.parse(res.body);
        } catch {
          parsed = undefined;
        }
      }
      return parsed;
    },
  });
  return res;
}

/** The parts of a Fetch `Request` that `serve` takes (reads, and so consumes, its body). */
export async function fromFetchRequest(request) {
  const headers = {};
  request.headers.forEach((value, name) => {
    headers[name] = value;
  });
  const body = request.method === "GET" || request.method === "HEAD" ? undefined : await request.text();
  return { method: request.method, url: new URL(request.url), headers, body };
}

/** A Fetch `Response` for a `ScimResponse`. */
export function toFetchResponse(res) {
  return new Response(NULL_BODY.has(res.status) ? null : res.body, { status: res.status, headers: res.headers });
}

/** A Fetch `Request` under `sc` → the engine → a Fetch `Response`. */
export async function handleFetch(server, sc, request, session) {
  if (request.signal?.aborted) {
    throw request.signal.reason ?? new DOMException("The operation was aborted.", "AbortError");
  }
  return toFetchResponse(serve(server, sc, await fromFetchRequest(request), session));
}

function now() {
  return typeof performance !== "undefined" ? performance.now() : Date.now();
}
