// createScimListener: a Node `http` request listener, and Express/Connect middleware, that
// serves a MockServer, so a Node dev server can host the mock without Rust. Requests under
// `basePath` go to the engine through the shared conversion (core.js); others go to `next()`
// (middleware) or get a 404 (plain listener).

import { checkServer, scope, serve } from "./core.js";

/**
 * @param {{ handle(request: object): object }} server a MockServer
 * @param {{ basePath?: string, session?: { record(exchange: object): void } }} [options]
 *   basePath: the path prefix served (default "/scim/v2"; "" serves every path).
 * @returns {(req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse, next?: (err?: unknown) => void) => Promise<void>}
 */
export function createScimListener(server, options = {}) {
  checkServer(server, "createScimListener");
  const basePath = options.basePath ?? "/scim/v2";
  if (typeof basePath !== "string" || (basePath !== "" && !basePath.startsWith("/"))) {
    throw new TypeError('createScimListener: options.basePath must be a path such as "/scim/v2" (or "")');
  }
  const session = options.session;

  return async function scimListener(req, res, next) {
    try {
      const proto = String(req.headers["x-forwarded-proto"] ?? (req.socket?.encrypted ? "https" : "http")).split(",")[0].trim();
      const host = req.headers.host ?? "localhost";
      // Express mounts (`app.use("/x", listener)`) rewrite req.url; originalUrl is the real one.
      const url = new URL(req.originalUrl ?? req.url ?? "/", `${proto}://${host}`);
      const sc = scope(`${url.origin}${basePath}`, "createScimListener");
      if (!sc.covers(url)) {
        if (typeof next === "function") return next();
        res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end(`Not under ${basePath || "/"}\n`);
        return;
      }
      const headers = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : String(value);
      }
      const out = serve(server, sc, { method: req.method ?? "GET", url, headers, body: await bodyOf(req) }, session);
      res.writeHead(out.status, out.headers);
      res.end(out.status === 204 || out.status === 304 || req.method === "HEAD" ? undefined : out.body);
    } catch (err) {
      if (typeof next === "function") return next(err);
      res.writeHead(500, { "content-type": "text/plain; charset=utf-8" }).end(`scim listener: ${err?.message ?? err}\n`);
    }
  };
}

/** The body as text: read from the stream, or taken from a body parser that ran first
 *  (`express.text()` gives a string, `express.json()` an object, `express.raw()` a Buffer). */
async function bodyOf(req) {
  if (req.body !== undefined && (req.readableEnded || req.complete)) {
    const b = req.body;
    if (typeof b === "string") return b;
    if (b instanceof Uint8Array) return new TextDecoder().decode(b);
    // express.json() with nothing to parse leaves `{}`: there was no body.
    if (b && typeof b === "object" && Object.keys(b).length === 0 && !req.headers["content-length"]) return undefined;
    return JSON.stringify(b);
  }
  const chunks = [];
  for await (const chunk of req) chunks.push(typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk);
  if (chunks.length === 0) return undefined;
  const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  return new TextDecoder().decode(all);
}
