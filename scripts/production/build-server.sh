#!/usr/bin/env bash
# Builds the server for production into dist/ so it runs with plain `node` (no tsx):
#   dist/node_modules/@alcove/shared/   the shared contract as a real JavaScript package
#   dist/server/                        the server (main.js, cli.js); app.js serves ../../client/dist
# Node resolves the server's bare "@alcove/shared" import by walking up to dist/node_modules, and
# every other package from the repository's node_modules above it.
set -euo pipefail
cd "$(dirname "$0")/../.."
rm -rf dist/server dist/node_modules/@alcove/shared
npx tsc -p scripts/production/tsconfig.shared.json
# The workspace package exports ./src/index.ts; this one exports the compiled index.
cat > dist/node_modules/@alcove/shared/package.json <<'JSON'
{ "name": "@alcove/shared", "private": true, "type": "module", "exports": { ".": "./index.js" } }
JSON
npx tsc -p server/tsconfig.build.json
# dist/ has no package.json of its own: mark the server as ES modules for node.
printf '{ "type": "module" }\n' > dist/server/package.json
