// Calls a prix-ceser server (PRIX_API, default http://127.0.0.1:8080) through the client
// generated from the contract: if the contract and the server disagree, this fails.
import createClient from "openapi-fetch";
import type { paths } from "./generated/schema.js";

const client = createClient<paths>({ baseUrl: process.env.PRIX_API ?? "http://127.0.0.1:8080" });

function fail(message: string): never {
  throw new Error(message);
}

const editions = await client.GET("/api/v1/editions", { params: { query: { limit: 10 } } });
if (!editions.data) fail(`list editions: ${editions.response.status}`);
const first = editions.data.items[0] ?? fail("the demo has editions");
console.log(`${editions.data.items.length} editions; the first: ${first.title}`);

const edition = await client.GET("/api/v1/editions/{id}", { params: { path: { id: first.id } } });
if (!edition.data) fail(`get edition: ${edition.response.status}`);
const prizes: string[] = edition.data.prizes.map((prize) => `${prize.name} (${prize.kind})`);
console.log(`prizes: ${prizes.join(", ")}`);

const login = await client.POST("/api/v1/auth/token", {
  body: { email: "secretariat@ceser-ara.example", password: "demo-secretariat-2026" },
});
if (!login.data) fail(`log in: ${login.response.status}`);
const me = await client.GET("/api/v1/me", {
  headers: { Authorization: `Bearer ${login.data.access_token}` },
});
if (!me.data) fail(`me: ${me.response.status}`);
console.log(`logged in as ${me.data.email} (${me.data.roles.join(", ")})`);

const refused = await client.GET("/api/v1/users", {});
if (refused.response.status !== 401 || !refused.error) fail("an anonymous list of users must be refused");
console.log(`anonymous list of users: ${refused.response.status} ${refused.error.code}`);
