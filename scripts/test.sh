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
echo "== tests (vitest)"
npx vitest run "$@"
