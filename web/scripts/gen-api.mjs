// Generates src/api/schema.d.ts from ../api/openapi.yaml with openapi-typescript.
// When the contract file is absent the hand-written src/api/types.ts stand alone and this is a no-op.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import openapiTS, { astToString } from "openapi-typescript";

const here = dirname(fileURLToPath(import.meta.url));
const spec = resolve(here, "../../api/openapi.yaml");
const out = resolve(here, "../src/api/schema.d.ts");
if (!existsSync(spec)) {
  console.log(`gen:api: ${spec} not found; using the hand-written types in src/api/types.ts`);
  process.exit(0);
}
// Fields with a default are optional in what a client sends (the server fills them in).
const ast = await openapiTS(new URL(`file://${spec}`), { defaultNonNullable: false });
const header = "// Generated from api/openapi.yaml by `npm run gen:api`. Do not edit.\n";
const text = header + astToString(ast);
// Leaves the tracked file untouched (contents and timestamp) when the contract did not change.
if (existsSync(out) && readFileSync(out, "utf8") === text) {
  console.log(`gen:api: ${out} is up to date`);
} else {
  writeFileSync(out, text);
  console.log(`gen:api: wrote ${out}`);
}
