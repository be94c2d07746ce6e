#!/usr/bin/env bash
# The client toolchain against the committed SDL: GraphQL Code Generator, tsc --strict on the
# generated types and the Apollo type policies, relay-compiler on the Relay documents, and the
# Apollo cache tests under node's test runner.
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
if ! npx --no-install relay-compiler --validate; then
  echo "relay/__generated__ is not what relay-compiler writes for schema.graphql and relay/:" >&2
  echo "run 'cd frontend_contract && npx relay-compiler' and commit the artifacts." >&2
  exit 1
fi

echo "== node --test (Apollo type policies on an InMemoryCache, the auth link; offline)"
rm -rf build
npx --no-install tsc -p tsconfig.node.json
node --test build/apollo/typePolicies.test.js build/apollo/authLink.test.js
