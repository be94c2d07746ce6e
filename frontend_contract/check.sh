#!/usr/bin/env bash
# The client toolchain against the committed SDL: GraphQL Code Generator, tsc --strict on the
# generated types and the Apollo type policies, relay-compiler on the Relay documents.
# Installs only into frontend_contract/node_modules, from package-lock.json.
set -euo pipefail
cd "$(dirname "$0")"

echo "== npm ci"
npm ci --no-audit --no-fund --loglevel=error

echo "== graphql-codegen (schema.graphql + operations/*.graphql -> generated/)"
rm -rf generated
npx --no-install graphql-codegen --config codegen.ts --silent

echo "== tsc --noEmit --strict"
npx --no-install tsc --noEmit --strict -p tsconfig.json

echo "== relay-compiler --validate (relay/ and its committed __generated__ artifacts)"
npx --no-install relay-compiler --validate
