import type { ScimBody, ScimRequest, ScimResponse } from "./web/scim_wasm.js";

/** POSTs fixtures (`{ Users: [...], Groups: [...] }`) through the engine; throws with the
 *  engine's detail when one is refused. Returns the created resources by endpoint. */
export function seedScenario(
  server: { handle(request: ScimRequest): ScimResponse },
  fixtures: Record<string, Record<string, unknown>[]>,
): Record<string, ScimBody[]>;
