/** One request and its response, as a session records it. */
export interface Exchange {
  startedAt?: Date | string | number;
  /** Milliseconds the engine took. */
  time?: number;
  request: { method: string; url: string; headers?: Record<string, string>; body?: string };
  response: { status: number; headers?: Record<string, string>; body?: string };
}

/** What adapters record into (`options.session`). */
export interface Recorder {
  record(exchange: Exchange): void;
}

/** A recording of exchanges, exportable as HAR 1.2 or a Postman Collection v2.1. */
export interface Session extends Recorder {
  readonly exchanges: Exchange[];
  clear(): void;
  toHar(options?: HarOptions): Har;
  toPostman(options: PostmanOptions): PostmanCollection;
}

export function createSession(): Session;

export interface HarOptions {
  creator?: { name: string; version: string };
}

export interface HarHeader {
  name: string;
  value: string;
}

export interface HarEntry {
  startedDateTime: string;
  time: number;
  request: {
    method: string;
    url: string;
    httpVersion: string;
    cookies: never[];
    headers: HarHeader[];
    queryString: HarHeader[];
    postData?: { mimeType: string; text: string };
    headersSize: number;
    bodySize: number;
  };
  response: {
    status: number;
    statusText: string;
    httpVersion: string;
    cookies: never[];
    headers: HarHeader[];
    content: { size: number; mimeType: string; text: string };
    redirectURL: string;
    headersSize: number;
    bodySize: number;
  };
  cache: Record<string, never>;
  timings: { send: number; wait: number; receive: number };
}

/** A HAR 1.2 document. */
export interface Har {
  log: { version: "1.2"; creator: { name: string; version: string }; entries: HarEntry[] };
}

export function toHar(exchanges: readonly Exchange[], options?: HarOptions): Har;

/** A request to export: a recorded exchange, or a request with an optional expected status. */
export type PostmanInput =
  | Exchange
  | {
      method: string;
      /** An absolute URL, or `path` relative to `baseUrl`. */
      url?: string;
      path?: string;
      headers?: Record<string, string>;
      body?: string | object;
      name?: string;
      /** Adds a test asserting this status. */
      status?: number;
    };

export interface PostmanOptions {
  /** The SCIM base URL: URLs under it become `{{baseUrl}}/...`. */
  baseUrl: string;
  name?: string;
  /** The header carrying credentials (default `Authorization`); its value becomes `{{authorization}}`. */
  authHeader?: string;
  /** The value of `{{authorization}}` (default: the first one seen). */
  authValue?: string;
}

export interface PostmanItem {
  name: string;
  request: {
    method: string;
    header: { key: string; value: string; disabled?: boolean }[];
    url: string | { raw?: string; host?: string[]; path?: (string | { value: string })[]; query?: { key: string; value?: string; disabled?: boolean }[] };
    body?: { mode: string; raw?: string; options?: unknown };
  };
  event?: { listen: string; script: { type?: string; exec: string[] } }[];
}

export interface PostmanFolder {
  name?: string;
  item: (PostmanItem | PostmanFolder)[];
}

/** A Postman Collection v2.1 (the parts this package reads and writes). */
export interface PostmanCollection {
  info: { name: string; schema: string; description?: string };
  item: (PostmanItem | PostmanFolder)[];
  variable?: { key: string; value?: string; type?: string }[];
}

export function toPostmanCollection(items: readonly PostmanInput[], options: PostmanOptions): PostmanCollection;

/** A request template imported from Postman; `request` goes straight to `MockServer.handle`. */
export interface RequestTemplate {
  name: string;
  request: { method: string; path: string; headers: Record<string, string>; body?: string };
  /** The URL is not under `{{baseUrl}}`; `path` is absolute. */
  external?: true;
}

export function fromPostmanCollection(
  collection: PostmanCollection | string,
  options?: { baseVariable?: string },
): RequestTemplate[];

/** The RFC 9110 reason phrase of a status ("" when unusual). */
export function statusText(status: number): string;
