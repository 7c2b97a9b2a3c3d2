// `MockServer.handleText` for plain requests, with two boundary crossings instead of dozens.
// wasm-bindgen's `handleText` reads the request object field by field from wasm and builds
// the response object field by field (each a call across the boundary, each string copied
// and re-encoded); for a GET that answers 404 that was most of the ~7 µs a call cost in Node.
// Here a plain request (a plain object; method, path, header values and body all strings)
// goes to `handleParts` as strings, and its answer comes back as one string split here. Any
// other request (a `Headers` or `Map` of headers, a body object, an unknown field, a value
// of the wrong type, a string over the size limit) goes to the original `handleText`, whose
// checks and error messages stay exactly as documented. Plain JS with no imports.

/** Strings longer than this (UTF-16 units) take the checked path: the engine's limit. */
const MAX = 1024 * 1024;
/** Header entries past this take the checked path (which refuses them). */
const MAX_HEADERS = 256;
const KEYS = new Set(["method", "path", "headers", "body"]);

const plain = (o) => o !== null && typeof o === "object" && Object.getPrototypeOf(o) === Object.prototype;
const short = (v) => typeof v === "string" && v.length <= MAX;

/** `[method, path, flatHeaders, body]` for a plain request, or `null`. */
function parts(request) {
  if (!plain(request)) return null;
  for (const k of Object.keys(request)) if (!KEYS.has(k)) return null;
  const { method, path, headers, body } = request;
  if (!short(method) || !short(path)) return null;
  const flat = [];
  if (headers !== undefined && headers !== null) {
    if (!plain(headers)) return null;
    const names = Object.keys(headers);
    if (names.length > MAX_HEADERS) return null;
    for (const name of names) {
      const value = headers[name];
      if (!short(name) || !short(value)) return null;
      flat.push(name, value);
    }
  }
  if (body !== undefined && body !== null && !short(body)) return null;
  return [method, path, flat, body ?? undefined];
}

/** The `ScimResponse` of `handleParts`' one string: status, changed, headers JSON, body. */
export function decode(text) {
  const a = text.indexOf("\n");
  const b = text.indexOf("\n", a + 1);
  const c = text.indexOf("\n", b + 1);
  const out = { status: Number(text.slice(0, a)), headers: JSON.parse(text.slice(b + 1, c)), body: text.slice(c + 1) };
  if (text.charCodeAt(a + 1) === 49 /* "1" */) out.changed = true;
  return out;
}

/** Puts the plain-request path in front of `MockServer.prototype.handleText`, once. */
export function speedUp(MockServer) {
  const proto = MockServer.prototype;
  if (typeof proto.handleParts !== "function" || proto.handleText.checked) return;
  const checked = proto.handleText;
  const handleText = function handleText(request) {
    let p;
    try {
      p = parts(request);
    } catch {
      p = null; // a throwing getter or proxy: the checked path reports it
    }
    return p === null ? checked.call(this, request) : decode(this.handleParts(p[0], p[1], p[2], p[3]));
  };
  handleText.checked = checked;
  proto.handleText = handleText;
}
