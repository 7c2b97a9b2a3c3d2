// A SCIM mock for a Node dev server, no Rust needed:
//   node server.mjs [port] [profile]
// then point your app (or curl) at http://localhost:8080/scim/v2.
import { createServer } from "node:http";
import { MockServer, createScimListener, seedScenario } from "scim-playground-wasm";

const port = Number(process.argv[2] ?? 8080);
const profile = process.argv[3] ?? "rfc";
const server = new MockServer({ profile });
seedScenario(server, {
  Users: [{ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "bjensen", title: "Tour Guide" }],
});

const http = createServer(createScimListener(server, { basePath: "/scim/v2" }));
http.listen(port, "127.0.0.1", () => {
  const { port: bound } = http.address();
  console.log(`SCIM mock (${profile}) on http://127.0.0.1:${bound}/scim/v2`);
});
