// seedScenario: puts fixtures into a MockServer through the engine (POST), so they get the
// profile's ids, meta and checks like any client's; a fixture the profile rejects throws
// with the engine's detail instead of leaving a half-seeded store.

/**
 * @param {{ handle(request: object): { status: number, body: string, json?: object } }} server
 * @param {Record<string, object[]>} fixtures resources by endpoint: `{ Users: [...], Groups: [...] }`
 * @returns {Record<string, object[]>} the created resources (as the server answered), by endpoint
 */
export function seedScenario(server, fixtures) {
  if (!server || typeof server.handle !== "function") throw new TypeError("seedScenario: the first argument must be a MockServer");
  if (!fixtures || typeof fixtures !== "object" || Array.isArray(fixtures)) {
    throw new TypeError('seedScenario: fixtures must be an object of lists by endpoint, e.g. { Users: [...] }');
  }
  const created = {};
  for (const [endpoint, resources] of Object.entries(fixtures)) {
    if (!Array.isArray(resources)) throw new TypeError(`seedScenario: fixtures.${endpoint} must be a list`);
    created[endpoint] = resources.map((resource, i) => {
      const res = server.handle({ method: "POST", path: `/${endpoint.replace(/^\/+/, "")}`, body: resource });
      if (res.status !== 201) {
        throw new Error(`seedScenario: ${endpoint}[${i}] was refused: ${res.status} ${res.json?.detail ?? res.body}`);
      }
      return res.json;
    });
  }
  return created;
}
