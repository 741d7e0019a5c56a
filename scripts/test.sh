#!/usr/bin/env bash
# The whole test suite, as the README's test command runs it: install what is missing, then format check, lint,
# typecheck and every test (on SQLite and PostgreSQL).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm install --no-audit --no-fund
bash scripts/setup.sh
echo "== format and lint (biome)"
npx biome check .
echo "== typecheck (tsc)"
npx tsc --noEmit
npx tsc -p web --noEmit
echo "== web UI build (vite)"
npm run --silent build:web
echo "== tests (vitest)"
mkdir -p test-output
status=0
npx vitest run --reporter=default --reporter=json --outputFile=test-output/vitest.json "$@" || status=$?
# One plain closing line that any CI reads: "N passed, N failed".
node -e '
  const r = JSON.parse(require("fs").readFileSync("test-output/vitest.json", "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
' || true
exit "$status"
