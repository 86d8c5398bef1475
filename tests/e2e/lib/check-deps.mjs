// Preloaded with `node --import` before the tests: fails with a clear message when the
// test dependencies (package.json) are not installed, instead of a module-resolution error.

import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
const missing = Object.keys(pkg.dependencies ?? {}).filter(
  (name) => !existsSync(new URL(`../node_modules/${name}/package.json`, import.meta.url)),
);
if (missing.length > 0) {
  process.stderr.write(
    `e2e test dependencies missing in ${root}node_modules: ${missing.join(", ")}\n` +
      "Run scripts/setup (it runs `npm ci` in tests/e2e) and try again.\n",
  );
  process.exit(1);
}
