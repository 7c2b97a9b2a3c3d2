// Types of the package entry: the generated bindings plus the fetch mock.
export * from "./web/scim_wasm.js";
export { default } from "./web/scim_wasm.js";
export { installFetchMock, type FetchMockOptions } from "./fetch-mock.js";
