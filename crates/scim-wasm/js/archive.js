// Sessions and their archives: every adapter (fetch mock, msw, Playwright, Node listener)
// can record its exchanges into a session, which exports as HAR 1.2 (browser dev tools,
// HAR viewers) or as a Postman Collection v2.1 (Postman, newman); a Postman collection of
// SCIM requests imports back as request templates for `MockServer.handle`. Plain JS with no
// imports; formats: HAR 1.2 (w3c.github.io/web-performance/specs/HAR/Overview.html) and
// Postman Collection v2.1.0.

const PACKAGE = { name: "scim-playground-wasm", version: "0.1.0" };
const POSTMAN_SCHEMA = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json";

/** RFC 9110 reason phrases for the statuses a SCIM service sends. */
const REASONS = {
  200: "OK", 201: "Created", 204: "No Content", 304: "Not Modified", 400: "Bad Request",
  401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
  406: "Not Acceptable", 409: "Conflict", 412: "Precondition Failed", 413: "Content Too Large",
  415: "Unsupported Media Type", 500: "Internal Server Error", 501: "Not Implemented",
};

/** The reason phrase of an HTTP status ("" when unusual). */
export function statusText(status) {
  return REASONS[status] ?? "";
}

/**
 * A session: pass it as `options.session` to an adapter and it keeps every exchange, in
 * order, until `clear()`.
 */
export function createSession() {
  const exchanges = [];
  return {
    exchanges,
    record(exchange) {
      exchanges.push(exchange);
    },
    clear() {
      exchanges.length = 0;
    },
    toHar(options) {
      return toHar(exchanges, options);
    },
    toPostman(options) {
      return toPostmanCollection(exchanges, options);
    },
  };
}

function lowerHeaders(headers) {
  const out = {};
  if (!headers) return out;
  const entries = typeof headers.entries === "function" && !Array.isArray(headers) ? [...headers.entries()] : Array.isArray(headers) ? headers : Object.entries(headers);
  for (const [name, value] of entries) out[String(name).toLowerCase()] = String(value);
  return out;
}

function pairs(headers) {
  return Object.entries(headers ?? {}).map(([name, value]) => ({ name, value: String(value) }));
}

function byteLength(text) {
  return new TextEncoder().encode(text).length;
}

function bodyText(body) {
  if (body === undefined || body === null || body === "") return undefined;
  return typeof body === "string" ? body : JSON.stringify(body);
}

/**
 * A HAR 1.2 document (`{ log: { version, creator, entries } }`) of recorded exchanges:
 * `{ startedAt?, time?, request: { method, url, headers?, body? }, response: { status,
 * headers?, body? } }`, as sessions record them.
 */
export function toHar(exchanges, options = {}) {
  const entries = exchanges.map((x) => {
    const url = new URL(x.request.url);
    const reqHeaders = pairs(x.request.headers);
    const reqBody = bodyText(x.request.body);
    const request = {
      method: x.request.method.toUpperCase(),
      url: url.href,
      httpVersion: "HTTP/1.1",
      cookies: [],
      headers: reqHeaders,
      queryString: [...url.searchParams].map(([name, value]) => ({ name, value })),
      headersSize: -1,
      bodySize: reqBody === undefined ? 0 : byteLength(reqBody),
    };
    if (reqBody !== undefined) {
      request.postData = { mimeType: lowerHeaders(x.request.headers)["content-type"] ?? "", text: reqBody };
    }
    const resHeaders = lowerHeaders(x.response.headers);
    const resBody = x.response.body ?? "";
    const time = Math.max(0, Number(x.time) || 0);
    return {
      startedDateTime: new Date(x.startedAt ?? 0).toISOString(),
      time,
      request,
      response: {
        status: x.response.status,
        statusText: statusText(x.response.status),
        httpVersion: "HTTP/1.1",
        cookies: [],
        headers: pairs(x.response.headers),
        content: { size: byteLength(resBody), mimeType: resHeaders["content-type"] ?? "", text: resBody },
        redirectURL: resHeaders.location && x.response.status >= 300 && x.response.status < 400 ? resHeaders.location : "",
        headersSize: -1,
        bodySize: byteLength(resBody),
      },
      cache: {},
      timings: { send: 0, wait: time, receive: 0 },
    };
  });
  return { log: { version: "1.2", creator: options.creator ?? { ...PACKAGE }, entries } };
}

/**
 * A Postman Collection v2.1 of requests. Each item is an exchange a session recorded
 * (`{ request, response }`), or a request `{ method, url | path, headers?, body?, name?,
 * status? }`. URLs under `baseUrl` become `{{baseUrl}}/...` (a collection variable whose
 * value is `baseUrl`); the auth header (`authHeader`, default `Authorization`) becomes
 * `{{authorization}}` (its value the first one seen, or `authValue`). A request with a known
 * status (a recorded response, or `status`) gets a test asserting that status, so that
 * `newman run` checks a live service answers as the recording did.
 *
 * @param {object[]} items
 * @param {{ baseUrl: string, name?: string, authHeader?: string, authValue?: string }} options
 */
export function toPostmanCollection(items, options) {
  const baseUrl = String(options?.baseUrl ?? "").replace(/\/+$/, "");
  if (!baseUrl) throw new TypeError('toPostmanCollection: options.baseUrl is required, e.g. "https://scim.test/scim/v2"');
  const authHeader = (options.authHeader ?? "authorization").toLowerCase();
  let authValue = options.authValue;
  const item = items.map((entry, i) => {
    const req = entry.request && entry.response ? entry.request : entry;
    const status = entry.response?.status ?? entry.status;
    const method = String(req.method).toUpperCase();
    const href = req.url !== undefined ? String(req.url) : `${baseUrl}${req.path ?? ""}`;
    const raw = href === baseUrl || href.startsWith(baseUrl + "/") || href.startsWith(baseUrl + "?") ? `{{baseUrl}}${href.slice(baseUrl.length)}` : href;
    const header = [];
    for (const [name, value] of Object.entries(lowerHeaders(req.headers))) {
      if (name === "host" || name === "content-length" || name === "x-forwarded-proto") continue;
      if (name === authHeader) {
        authValue ??= value;
        header.push({ key: name, value: "{{authorization}}" });
      } else {
        header.push({ key: name, value });
      }
    }
    const body = bodyText(req.body);
    const request = { method, header, url: raw };
    if (body !== undefined) {
      if (!header.some((h) => h.key === "content-type")) header.push({ key: "content-type", value: "application/scim+json" });
      request.body = { mode: "raw", raw: body, options: { raw: { language: "json" } } };
    }
    const out = { name: entry.name ?? `${i + 1}. ${method} ${raw.replace("{{baseUrl}}", "")}`, request };
    if (Number.isInteger(status)) {
      out.event = [
        {
          listen: "test",
          script: {
            type: "text/javascript",
            exec: [`pm.test("status ${status} ${statusText(status)}".trim(), function () {`, `  pm.response.to.have.status(${status});`, "});"],
          },
        },
      ];
    }
    return out;
  });
  const variable = [{ key: "baseUrl", value: baseUrl, type: "string" }];
  variable.push({ key: "authorization", value: authValue ?? "", type: "string" });
  return {
    info: { name: options.name ?? "SCIM requests", schema: POSTMAN_SCHEMA, description: `Exported by ${PACKAGE.name} ${PACKAGE.version}` },
    item,
    variable,
  };
}

/**
 * Request templates from a Postman collection (v2.0/v2.1; folders are flattened, in order):
 * `[{ name, request: { method, path, headers, body? } }]`, each `request` ready for
 * `MockServer.handle`. `{{baseUrl}}` (or the variable named `baseVariable`) is dropped, so
 * paths are relative to the SCIM base; other `{{variables}}` take the collection's values.
 * Requests to other URLs keep their absolute URL as `path` and `external: true`.
 */
export function fromPostmanCollection(collection, options = {}) {
  const doc = typeof collection === "string" ? JSON.parse(collection) : collection;
  if (!doc || typeof doc !== "object" || !Array.isArray(doc.item)) {
    throw new TypeError("fromPostmanCollection: not a Postman collection (no `item` list)");
  }
  const baseVariable = options.baseVariable ?? "baseUrl";
  const vars = Object.fromEntries((doc.variable ?? []).map((v) => [v.key ?? v.id, v.value ?? ""]));
  const fill = (text) => String(text ?? "").replace(/\{\{([^{}]+)\}\}/g, (m, name) => (name === baseVariable ? m : (vars[name] ?? m)));
  const out = [];
  const walk = (items, prefix) => {
    for (const it of items) {
      if (Array.isArray(it.item)) {
        walk(it.item, `${prefix}${it.name ?? ""} / `);
        continue;
      }
      const r = it.request;
      if (!r) continue;
      const req = typeof r === "string" ? { url: r, method: "GET" } : r;
      let raw = typeof req.url === "string" ? req.url : (req.url?.raw ?? urlFromParts(req.url));
      raw = fill(raw);
      const marker = `{{${baseVariable}}}`;
      const external = !raw.startsWith(marker);
      const path = external ? raw : raw.slice(marker.length) || "/";
      const headers = {};
      for (const h of req.header ?? []) if (!h.disabled) headers[h.key] = fill(h.value);
      const template = { name: `${prefix}${it.name ?? `${req.method ?? "GET"} ${path}`}`, request: { method: (req.method ?? "GET").toUpperCase(), path, headers } };
      if (req.body?.mode === "raw" && req.body.raw !== undefined && req.body.raw !== "") template.request.body = fill(req.body.raw);
      if (external) template.external = true;
      out.push(template);
    }
  };
  walk(doc.item, "");
  return out;
}

function urlFromParts(url) {
  if (!url) return "";
  const host = Array.isArray(url.host) ? url.host.join(".") : (url.host ?? "");
  const path = Array.isArray(url.path) ? url.path.map((p) => (typeof p === "string" ? p : p.value)).join("/") : (url.path ?? "");
  const query = (url.query ?? []).filter((q) => !q.disabled).map((q) => `${q.key}=${q.value ?? ""}`).join("&");
  return `${url.protocol ? url.protocol + "://" : ""}${host}${path ? "/" + path : ""}${query ? "?" + query : ""}`;
}
