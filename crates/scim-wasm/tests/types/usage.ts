// Compiled with `tsc --strict` (no emit) by tests/node/types.test.mjs against the built
// package's .d.ts files: the calls below must type-check, and each @ts-expect-error line must
// not (which fails if a type has decayed to `any`). The exhaustive switches and the
// `Required<ProfileDefinition>` literal fail to compile when a union gains a member or a
// profile gains a field that this file does not name.
import init, {
  installFetchMock,
  MockServer,
  type Auth,
  type Behaviour,
  type Comparison,
  type DiffEntry,
  type ExplanationEntry,
  type IdStyle,
  type Outcome,
  type ProfileDefinition,
  type ProfileInfo,
  type ScimErrorBody,
  type ScimResponse,
  type ScimType,
} from "scim-playground-wasm";

/** Reached only if a switch misses a case: a type added to a union fails to compile. */
function unreachable(value: never): never {
  throw new Error(`unexpected ${String(value)}`);
}

/** Every outcome, exhaustively: a literal missing here or unknown to `Outcome` is an error. */
export function outcomeGroup(outcome: Outcome): "written" | "kept" | "ignored" | "rejected" {
  switch (outcome) {
    case "added":
    case "replaced":
    case "unchanged":
    case "clearedByNull":
    case "clearedByEmptyArray":
    case "removed":
    case "clearedOmitted":
    case "coerced":
      return "written";
    case "keptOmitted":
    case "keptWriteOnly":
    case "keptImmutable":
      return "kept";
    case "ignoredReadOnly":
    case "ignoredUnknown":
      return "ignored";
    case "rejectedImmutable":
    case "rejectedType":
    case "rejectedRequired":
    case "rejectedUnknown":
    case "rejectedUniqueness":
    case "rejectedPrimary":
    case "rejectedIdMismatch":
    case "rejectedSchemas":
      return "rejected";
    default:
      return unreachable(outcome);
  }
}

/** Every `scimType` keyword, exhaustively. */
export function isClientFixable(scimType: ScimType): boolean {
  switch (scimType) {
    case "invalidFilter":
    case "invalidSyntax":
    case "invalidPath":
    case "invalidValue":
    case "invalidVers":
    case "noTarget":
    case "mutability":
    case "invalidCursor":
      return true;
    case "tooMany":
    case "uniqueness":
    case "sensitive":
      return false;
    default:
      return unreachable(scimType);
  }
}

/** Every auth scheme and id style, exhaustively, with the fields each one has. */
export function describeAuth(auth: Auth): string {
  switch (auth.kind) {
    case "none":
      return "none";
    case "bearer":
      return `Bearer ${auth.token ?? "(any token)"}`;
    case "rawHeader":
      return `${auth.header ?? "Authorization"}: ${auth.secret ?? "(any)"} (${auth.challenge ?? "Session"})`;
    default:
      return unreachable(auth);
  }
}

export function describeIdStyle(idStyle: IdStyle): string {
  switch (idStyle.kind) {
    case "uuid":
      return "uuid";
    case "numeric":
      return `from ${idStyle.start}`;
    default:
      return unreachable(idStyle);
  }
}

/** Every section and kind of a diff entry, exhaustively. */
export function describeDiff(entry: DiffEntry): string {
  const where = (() => {
    switch (entry.section) {
      case "status":
      case "header":
      case "body":
        return entry.section;
      default:
        return unreachable(entry.section);
    }
  })();
  switch (entry.kind) {
    case "added":
    case "removed":
    case "changed":
    case "equal":
      return `${where} ${entry.path}: ${entry.kind}${entry.volatile ? " (volatile)" : ""}`;
    default:
      return unreachable(entry.kind);
  }
}

/** Every knob, each away from the RFC default. */
const everyKnob: Behaviour = {
  omitted: "keep",
  unknownAttributes: "ignore",
  idMismatch: "reject",
  multiplePrimary: "keepLast",
  stringBooleans: "coerce",
  missingExtensionUrn: "accept",
  complexReplace: "merge",
  versioning: false,
  strictMediaTypes: false,
  patchResponse: "noContent",
  deleteMode: "deactivate",
  deactivated: "notFound",
  caseSensitivePaths: true,
  ifMatchUnversioned: "reject",
  unsupportedMethodStatus: 501,
  sorting: false,
  paging: "cursor",
  defaultPageSize: 50,
  maxPageSize: 100,
  filterOperators: ["eq", "and"],
  unsupportedFilter: "emptyList",
  filterRequired: true,
  patchPathRequired: true,
  listKey: "resources",
  memberReferences: "accepted",
  memberDisplay: "echoed",
};

/** The other values of the knobs that have more than two. */
const otherPatchResponses: Behaviour["patchResponse"][] = ["resource", "emptyObject"];
const otherPagings: Behaviour["paging"][] = ["index", "none"];

/** Every field of a profile: `Required` makes a field the declarations gain a compile error
 *  here until it is written out. */
const everyField: Required<ProfileDefinition> = {
  name: "vendor",
  title: "A vendor",
  description: "PUT keeps what the body leaves out",
  sources: ["https://example.com/scim-docs"],
  basePath: "/api/{version}/scim/v2",
  basePathDefaults: { version: "v24.1" },
  behaviour: everyKnob,
  idStyle: { kind: "numeric", start: 93521 },
  media: { defaultResponse: "application/json" },
  auth: { kind: "rawHeader", header: "Authorization", secret: "s3cret", challenge: 'Session realm="SCIM"' },
  schemas: [
    "urn:ietf:params:scim:schemas:core:2.0:User",
    { id: "urn:example:params:scim:schemas:extension:badge:2.0:User", name: "Badge", attributes: [] },
  ],
  resourceTypes: [
    {
      id: "User",
      name: "User",
      endpoint: "/Users",
      description: "User account",
      schema: "urn:ietf:params:scim:schemas:core:2.0:User",
      schemaExtensions: [{ schema: "urn:example:params:scim:schemas:extension:badge:2.0:User", required: false }],
      metaResourceType: "Users",
      methods: ["GET", "POST", "PUT", "DELETE"],
      requiredAttributes: ["displayName", "name.familyName"],
      putIgnores: ["userName"],
      listOmitsExtensions: true,
      filterAttributes: ["userName", "externalId"],
      refTemplates: { securityProfile: "/api/v24.1/objects/securityprofiles/{value}" },
      maxValues: 1,
      maxPatchOperations: 20,
      maxMemberChanges: 100,
      maxMemberRemovals: 1,
      neverReturned: ["members"],
      membersReplaceable: false,
    },
  ],
  knobSources: {
    "behaviour.omitted": { basis: "documented", url: "https://example.com/scim-docs#put", quote: "Omitted attributes are kept", note: "PUT" },
    "behaviour.paging": { basis: "inferred", url: "https://example.com/scim-docs#list", quote: "Pointer: the list example" },
  },
  seed: { User: [{ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "bjensen" }] },
};

/** The other variants of the tagged unions, with only their required fields. */
const otherAuths: Auth[] = [{ kind: "none" }, { kind: "bearer" }, { kind: "bearer", token: "t0ken" }, { kind: "rawHeader" }];
const otherIdStyles: IdStyle[] = [{ kind: "uuid" }];

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

  const vendor = new MockServer({ profile: everyField, seed: 7 });
  const failed = vendor.handle({ method: "POST", path: "/Users", body: {} });
  if (failed.status >= 400 && failed.json) {
    const error = failed.json as ScimErrorBody;
    const keyword: ScimType | undefined = error.scimType;
    const fixable: boolean = keyword !== undefined && isClientFixable(keyword);
    const statusText: string = error.status;
    void [fixable, statusText];
  }
  const scimType: ScimType | undefined = failed.json?.scimType;
  const groups = (failed.explanation?.entries ?? []).map((e) => outcomeGroup(e.outcome));
  const described = diff.diff.entries.map(describeDiff);
  void [scimType, groups, described, otherAuths.map(describeAuth), otherIdStyles.map(describeIdStyle), otherPatchResponses, otherPagings];

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
  // @ts-expect-error auth schemes are a closed set
  const basic: Auth = { kind: "basic" };
  // @ts-expect-error a bearer scheme has a token, not a secret
  const mixed: Auth = { kind: "bearer", secret: "s" };
  // @ts-expect-error a numeric id style needs its start
  const noStart: IdStyle = { kind: "numeric" };
  // @ts-expect-error seed resources are listed by resource type
  const flatSeed: ProfileDefinition["seed"] = [{ userName: "x" }];
  // @ts-expect-error scimType keywords are a closed set
  const keyword: ScimType = "invalidUser";
  void [bad, basic, mixed, noStart, flatSeed, keyword];
}
