// The package's hand-written types, appended to the generated bindings' .d.ts by
// `#[wasm_bindgen(typescript_custom_section)]` (src/types.rs). tests/ts_types.rs checks
// them against scim-core's Rust types (every variant, field and optional `?`), so edit the
// two together.

/** Options of `new MockServer(...)` and `MockServer.restore(...)`. */
export interface MockServerOptions {
  /** A built-in profile name (see `MockServer.profiles()`), or a whole profile object in the
   *  JSON format of the built-in profiles. Default: `"rfc"`. */
  profile?: string | ProfileDefinition;
  /** Makes generated ids reproducible (a non-negative integer). */
  seed?: number;
  /** Fixed clock (2026-01-01T00:00:00Z, one second later per write) and counting ids
   *  (`00000000-0000-4000-8000-000000000001`, ...) unless `seed` is given. */
  deterministic?: boolean;
}

/** What PUT and POST do where real services disagree (RFC 7644 §3.5.1), and the other
 *  behaviour knobs (methods' answers, paging, filters, deactivation). */
export interface Behaviour {
  omitted: "clear" | "keep";
  unknownAttributes: "reject" | "ignore";
  idMismatch: "ignore" | "reject";
  multiplePrimary: "reject" | "keepLast";
  stringBooleans: "reject" | "coerce";
  missingExtensionUrn: "reject" | "accept";
  complexReplace: "whole" | "merge";
  versioning: boolean;
  strictMediaTypes: boolean;
  /** PATCH success: 200 with the resource, 204, or 200 with `{}`. */
  patchResponse: "resource" | "noContent" | "emptyObject";
  /** DELETE of a resource with `active`: removed, or kept with `active: false`. */
  deleteMode: "delete" | "deactivate";
  /** A resource with `active: false`: like any other, or 404 and left out of lists. */
  deactivated: "visible" | "notFound";
  caseSensitivePaths: boolean;
  /** `If-Match` when `versioning` is off: ignored, or 412. */
  ifMatchUnversioned: "ignore" | "reject";
  /** Status of a method a resource type does not list: 400, 404, 405 or 501. */
  unsupportedMethodStatus: number;
  sorting: boolean;
  /** `startIndex`/`count`, RFC 9865 `cursor`/`count`, or no paging. */
  paging: "index" | "cursor" | "none";
  defaultPageSize: number | null;
  maxPageSize: number;
  /** Supported filter operators (`eq`, `and`, `[]`, ...); `null`: all. */
  filterOperators: string[] | null;
  /** An unsupported filter: 400 `invalidFilter`, or 200 with an empty list. */
  unsupportedFilter: "reject" | "emptyList";
  filterRequired: boolean;
  patchPathRequired: boolean;
  /** The key of a ListResponse's resources. */
  listKey: "Resources" | "resources";
  /** A Group member naming no resource the service holds: 400 (`checked`) or stored as sent. */
  memberReferences: "checked" | "accepted";
  /** `members[].display`: filled from the member (`derived`) or what the client sent. */
  memberDisplay: "derived" | "echoed";
}

/** How new resource ids are made: UUIDs, or decimal strings counting up from `start`. */
export type IdStyle = { kind: "uuid" } | { kind: "numeric"; start: number };

/** How clients authenticate: no scheme; `Authorization: Bearer <token>` (RFC 6750 §2.1); or
 *  the credential as the whole value of a header (default `Authorization`) with no scheme
 *  word, `challenge` being the `WWW-Authenticate` value sent with a 401. The mock checks
 *  requests only when a `token` or `secret` is given; without one the profile just
 *  documents the scheme. */
export type Auth =
  | { kind: "none" }
  | { kind: "bearer"; token?: string }
  | { kind: "rawHeader"; header?: string; secret?: string; challenge?: string };

/** A resource type of a profile (RFC 7643 §6). */
export interface ResourceTypeDefinition {
  id: string;
  name: string;
  endpoint: string;
  description?: string;
  schema: string;
  schemaExtensions?: { schema: string; required?: boolean }[];
  metaResourceType?: string;
  /** Methods the type supports (`GET`, `POST`, `PUT`, `PATCH`, `DELETE`); default all. */
  methods?: string[];
  /** Attribute paths required beyond the schema's. */
  requiredAttributes?: string[];
  /** Top-level attributes a PUT accepts but does not change. */
  putIgnores?: string[];
  listOmitsExtensions?: boolean;
  /** Attribute paths a filter may name; default any. */
  filterAttributes?: string[];
  /** `$ref` templates (`{value}`) by complex attribute path. */
  refTemplates?: Record<string, string>;
  maxValues?: number;
  maxPatchOperations?: number;
  maxMemberChanges?: number;
  maxMemberRemovals?: number;
  /** Top-level attributes stored but never returned (groups without `members`). */
  neverReturned?: string[];
  /** Whether a PATCH may replace or remove all `members` at once (default true). */
  membersReplaceable?: boolean;
}

/** A behaviour profile, as in the built-in profile files. */
export interface ProfileDefinition {
  name: string;
  title?: string;
  description?: string;
  sources?: string[];
  basePath?: string;
  basePathDefaults?: Record<string, string>;
  behaviour?: Partial<Behaviour>;
  idStyle?: IdStyle;
  media?: { defaultResponse?: string };
  /** How clients authenticate. Default: `{ kind: "none" }`. */
  auth?: Auth;
  /** Built-in schema URNs or full schema objects (RFC 7643 §7). */
  schemas: (string | Record<string, unknown>)[];
  resourceTypes: ResourceTypeDefinition[];
  /** Demo resources by resource type name (`"User"`), in the shape a GET returns. */
  seed?: Record<string, Record<string, unknown>[]>;
  /** Where each knob's value comes from, by knob name (`behaviour.paging`,
   *  `resourceTypes.User.methods`). */
  knobSources?: Record<string, { basis: "documented" | "inferred" | "secondary"; url: string; quote: string; note?: string }>;
}

/** A built-in profile. */
export interface ProfileInfo {
  name: string;
  title: string;
  description: string;
}

/** A request. `path` is relative to the server (`/scim/v2/Users/42?attributes=userName`;
 *  the base path may be left out: `/Users/42`). */
export interface ScimRequest {
  method: string;
  path: string;
  /** A plain object, a `Headers`, a `Map` or `[name, value]` pairs. */
  headers?: Record<string, string> | Iterable<readonly [string, string]>;
  /** JSON text, or a value that is sent as JSON (with `Content-Type: application/scim+json`
   *  unless `headers` names one). */
  body?: string | object | null;
}

/** What an attribute went through in a write. */
export type Outcome =
  | "added" | "replaced" | "unchanged" | "clearedByNull" | "clearedByEmptyArray" | "removed"
  | "clearedOmitted" | "keptOmitted" | "keptWriteOnly" | "keptImmutable"
  | "ignoredReadOnly" | "ignoredUnknown" | "coerced"
  | "rejectedImmutable" | "rejectedType" | "rejectedRequired" | "rejectedUnknown"
  | "rejectedUniqueness" | "rejectedPrimary" | "rejectedIdMismatch" | "rejectedSchemas";

/** One attribute of an explanation. */
export interface ExplanationEntry {
  path: string;
  outcome: Outcome;
  old?: unknown;
  new?: unknown;
  /** The RFC section or profile knob that decided it. */
  rule: string;
  note?: string;
}

/** The attribute-by-attribute account of a write (POST, PUT, PATCH), also on failure. */
export interface Explanation {
  operation: string;
  profile: string;
  entries: ExplanationEntry[];
  notes?: string[];
}

/** `meta` of a resource (RFC 7643 §3.1). */
export interface ResourceMeta {
  resourceType?: string;
  created?: string;
  lastModified?: string;
  location?: string;
  version?: string;
}

/** `scimType` keywords of errors (RFC 7644 §3.12). */
export type ScimType =
  | "invalidFilter" | "tooMany" | "uniqueness" | "mutability" | "invalidSyntax"
  | "invalidPath" | "noTarget" | "invalidValue" | "invalidVers" | "sensitive" | "invalidCursor";

/** An error body (RFC 7644 §3.12): what `json` holds when `status` is 400 or more. */
export interface ScimErrorBody {
  schemas: string[];
  /** The HTTP status as a string. */
  status: string;
  scimType?: ScimType;
  detail: string;
}

/** A response body: a resource (RFC 7643 §3), an error (RFC 7644 §3.12, see
 *  `ScimErrorBody`) or a list (RFC 7644 §3.4.2); the fields any of them may carry are
 *  typed, other attributes are `unknown`. */
export interface ScimBody {
  schemas: string[];
  id?: string;
  externalId?: string;
  meta?: ResourceMeta;
  /** Errors: the HTTP status as a string. */
  status?: string;
  scimType?: ScimType;
  detail?: string;
  totalResults?: number;
  startIndex?: number;
  itemsPerPage?: number;
  Resources?: ScimBody[];
  [attribute: string]: unknown;
}

/** A response. Header names are lower-case, as in `fetch` and Node. */
export interface ScimResponse {
  status: number;
  headers: Record<string, string>;
  /** JSON text, or `""` (204, 304). */
  body: string;
  /** `body` parsed, when it is JSON. Errors are RFC 7644 §3.12 objects. */
  json?: ScimBody;
  explanation?: Explanation;
  /** Present (`true`) when the request changed the store: persist after it. */
  changed?: boolean;
}

/** One path of a diff (RFC 7644 attribute notation for body paths). */
export interface DiffEntry {
  section: "status" | "header" | "body";
  /** `status`; a header name; or an attribute path (`name.givenName`, `emails[0].value`). */
  path: string;
  kind: "added" | "removed" | "changed" | "equal";
  left?: unknown;
  right?: unknown;
  /** Generated by the server (ids, timestamps, versions): expected to differ. */
  volatile: boolean;
}

/** An attribute-by-attribute diff of two responses. */
export interface Diff {
  entries: DiffEntry[];
  /** Entries that are not `equal`. */
  differences: number;
  /** Entries that are neither `equal` nor volatile. */
  significantDifferences: number;
}

/** The same request sent to two servers. */
export interface Comparison {
  left: ScimResponse;
  right: ScimResponse;
  diff: Diff;
}

/** Options of `compareAll`. */
export interface CompareAllOptions {
  /** Profiles compared after the built-ins: built-in names or profile definitions. */
  profiles?: (string | ProfileDefinition)[];
}

/** What happened to one attribute in `compareAll`'s table. */
export type Verdict = "replaced" | "kept" | "cleared" | "ignored" | "rejected";

/** One profile's answer in `compareAll`'s table. */
export interface ProfileRow {
  profile: string;
  title: string;
  status: number;
  /** `scimType` of a failed request, if the answer names one. */
  scimType?: string;
  /** The error's `detail` of a failed request. */
  detail?: string;
  /** One word per attribute path (of `AllProfiles.attributes`) this row has. */
  outcomes: Record<string, Verdict>;
}

/** One request sent to every profile, each in a fresh store (`compareAll`). */
export interface AllProfiles {
  /** Columns: the request's attributes, then those it left out that a profile cleared or kept. */
  attributes: string[];
  rows: ProfileRow[];
}
