// ESLint (flat config) for web/src: TypeScript's recommended rules and React's rules of hooks.
// scripts/test.sh runs `npm run lint` with --max-warnings 0 (no findings allowed).
import js from "@eslint/js";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

// Only src/api talks to the network: everything else calls the typed client (api/client.ts),
// uploads (api/upload.ts) and sockets (api/socket.ts) there.
const NETWORK = [
  { name: "fetch", message: "Call the API through src/api (the typed client over api/openapi.yaml)." },
  { name: "XMLHttpRequest", message: "Uploads go through src/api/upload.ts." },
  { name: "WebSocket", message: "Sockets are opened through src/api/socket.ts." },
  { name: "EventSource", message: "Server events come through src/api/events.ts." },
];
const NETWORK_PROPERTIES = [
  { object: "navigator", property: "sendBeacon", message: "Only src/api talks to the network." },
  { object: "window", property: "fetch", message: "Call the API through src/api." },
  { object: "globalThis", property: "fetch", message: "Call the API through src/api." },
  // The untyped call bypasses the contract: features use api.http (or api.requestRaw on a spec path).
  { object: "api", property: "request", message: "Call api.http (typed by api/openapi.yaml), not the untyped api.request." },
];
// (A rule given only a severity keeps its earlier options, so an empty list turns it off.)
const restrict = (list) => (list.length ? ["error", ...list] : "off");
const networkExcept = (...allowed) => ({
  "no-restricted-globals": restrict(NETWORK.filter((g) => !allowed.includes(g.name))),
  "no-restricted-properties": restrict(NETWORK_PROPERTIES.filter((p) => !allowed.includes(p.property))),
});

export default tseslint.config(
  { ignores: ["dist/**", "src/api/schema.d.ts"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["src/**/*.{ts,tsx}"],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { "react-hooks": reactHooks },
    rules: {
      "react-hooks/rules-of-hooks": "error",
      "react-hooks/exhaustive-deps": "warn",
      // `_name` is unused on purpose (destructuring a field away, a required parameter).
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", ignoreRestSiblings: true }],
      ...networkExcept(),
    },
  },
  // Import boundaries: a feature uses another feature only through its index (`../party`, which
  // names what the feature offers), never its files; shared modules (api, components) use no feature.
  {
    files: ["src/features/**/*.{ts,tsx}"],
    ignores: ["src/features/**/*.test.{ts,tsx}"],
    rules: {
      "no-restricted-imports": ["error", {
        patterns: [
          { regex: "^\\.\\./(?!\\.\\.)[^/]+/", message: "Import another feature through its index (../<feature>), not its files." },
          { regex: "(^|/)features/[^/]+/", message: "Import another feature through its index (../<feature>), not its files." },
        ],
      }],
    },
  },
  {
    files: ["src/api/**/*.{ts,tsx}", "src/components/**/*.{ts,tsx}"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ regex: "(^|/)features(/|$)", message: "Shared modules do not depend on features." }] }],
    },
  },
  // The network outside src/api, where it must be (each named with its reason):
  // src/api itself; tests, which stand in for the server.
  { files: ["src/api/**", "src/test/**", "src/**/*.test.{ts,tsx}"], rules: networkExcept("fetch", "XMLHttpRequest", "WebSocket", "EventSource", "sendBeacon") },
  // The error boundary fetches index.html (the app shell, not the API) to see whether a new build is served.
  { files: ["src/app/RouteBoundary.tsx"], rules: networkExcept("fetch") },
  // The player reads captions and chapters (WebVTT) from media URLs the API handed it, not API calls.
  { files: ["src/features/player/Player.tsx"], rules: networkExcept("fetch") },
  // The QoE beacon must outlive the page (sendBeacon, else a keepalive fetch) — the ops dashboard's hook.
  { files: ["src/features/player/qoe.ts"], rules: networkExcept("fetch", "sendBeacon") },
  // Verse reads model and texture bytes from the asset URLs of a world or share (binary media).
  { files: ["src/features/verse/scene.ts"], rules: networkExcept("fetch") },
);
