// Compiled with `tsc --noEmit` by tests/node/types.test.mjs against the built package's
// .d.ts files: the calls below must type-check, and each @ts-expect-error line must not
// (which fails if a type has decayed to `any`).
import init, {
  installFetchMock,
  MockServer,
  type Comparison,
  type ExplanationEntry,
  type ProfileInfo,
  type ScimResponse,
} from "scim-playground-wasm";

export async function usage(): Promise<void> {
  await init();
  const server = new MockServer({ profile: "rfc", deterministic: true });
  const other = new MockServer();
  const res: ScimResponse = server.handle({ method: "POST", path: "/Users", body: { userName: "x" } });
  const status: number = res.status;
  const etag: string | undefined = res.headers["etag"];
  const id: string | undefined = res.json?.id;
  const detail: string | undefined = res.json?.detail;
  const entries: ExplanationEntry[] = res.explanation?.entries ?? [];
  const outcome: "added" | string = entries[0]?.outcome ?? "added";
  const snapshot: string = server.snapshot();
  const restored: MockServer = MockServer.restore(snapshot, { seed: 1 });
  const profiles: ProfileInfo[] = MockServer.profiles();
  server.handle({ method: "GET", path: "/Users/1", headers: new Map([["Accept", "application/scim+json"]]) });
  const diff: Comparison = server.compare({ method: "GET", path: `/Users/${id}` }, other);
  const same: boolean = diff.diff.significantDifferences === 0;
  const kinds: ("added" | "removed" | "changed" | "equal")[] = diff.diff.entries.map((e) => e.kind);
  const custom = new MockServer({
    profile: { name: "keep", behaviour: { omitted: "keep" }, schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], resourceTypes: [] },
  });
  const uninstall: () => void = installFetchMock(server, { baseUrl: new URL("https://scim.test/scim/v2") });
  uninstall();
  restored.reset();
  void [status, etag, detail, outcome, profiles, same, kinds, custom];

  // @ts-expect-error path is required
  server.handle({ method: "GET" });
  // @ts-expect-error status is a number
  res.status.toUpperCase();
  // @ts-expect-error profile is a name or a definition
  new MockServer({ profile: 42 });
  // @ts-expect-error knob values are a closed set
  new MockServer({ profile: { name: "x", behaviour: { omitted: "sometimes" }, schemas: [], resourceTypes: [] } });
  // @ts-expect-error ids are strings
  res.json?.id?.toFixed();
  // @ts-expect-error outcomes are a closed set
  const bad: ExplanationEntry["outcome"] = "vanished";
  // @ts-expect-error baseUrl is required
  installFetchMock(server, {});
  void bad;
}
