/** What `learnProfile` and `replayScenario` need to reach a server. */
export interface RemoteOptions {
  /** The server's SCIM base URL, e.g. `http://localhost:8000/scim/v2`. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <token>`; never part of a result or its HAR. */
  token?: string;
  /** learnProfile: the learned profile's name (default `my-server`). */
  name?: string;
  /** learnProfile: makes the throw-away users' names unique (default: random). */
  nonce?: string;
  /** replayScenario: replaces `{{run}}` in the scenario (default: random). */
  run?: string;
}

/** One request sent and the response it got (a path relative to `baseUrl`). */
export interface RemoteExchange {
  probe: string;
  request: { method: string; path: string; headers: [string, string][]; body: string };
  response: { status: number; headers: [string, string][]; body: string };
}

/** What the probe battery learned. */
export interface Learned {
  /** A profile JSON document: `new MockServer({ profile })` serves it. */
  profile: Record<string, unknown> & { knobSources: Record<string, unknown> };
  decided: { knob: string; value: unknown; probe: string; reason: string; evidence: number[] }[];
  undecided: { knob: string; reason: string }[];
  exchanges: RemoteExchange[];
  leftovers: string[];
  /** HAR 1.2 of every exchange. */
  har: { log: { version: string; entries: unknown[] } };
}

/** A scenario replay, step by step. */
export interface ReplayReport {
  scenario: string;
  client: string;
  passed: boolean;
  steps: {
    name: string;
    source: string;
    outcome: "passed" | "broken" | "skipped";
    conclusion: string;
    problems: string[];
    cleanup: boolean;
  }[];
  exchanges: RemoteExchange[];
  har: { log: { version: string; entries: unknown[] } };
}

type FetchLike = (url: string, init: { method: string; headers: Headers; body?: string }) => Promise<Response>;

/** Runs the probe battery (throw-away users `scim-learn-{nonce}-*`, deleted afterwards). */
export function learnProfile(fetchLike: FetchLike, options: RemoteOptions): Promise<Learned>;
/** The battery's probes and every request it sends, without sending anything (a Promise:
 * the learner's wasm module is loaded on first use). */
export function learnDryRun(): Promise<{
  probes: { name: string; decides: string[]; sequence: string }[];
  requests: { probe: string; method: string; path: string; body: string }[];
}>;
/** Replays a scenario file (object or JSON text) against the server. */
export function replayScenario(
  fetchLike: FetchLike,
  scenario: string | Record<string, unknown>,
  options: RemoteOptions,
): Promise<ReplayReport>;
