// GraphQL Code Generator: TypeScript types for the schema and for every example operation.
// Run `npm run codegen` (or check.sh); the output folder is generated, never committed.
import type { CodegenConfig } from "@graphql-codegen/cli";

// The platform's JSON scalar carries any JSON value.
const JSON_VALUE = `export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | { [key: string]: JsonValue };
`;

const scalarConfig = {
  // A scalar without a mapping fails the generation instead of becoming `any`.
  strictScalars: true,
  scalars: {
    Date: "string",
    DateTime: "string",
    JSON: "JsonValue",
    // A file sent by the GraphQL multipart request spec (apollo-upload-client, urql, ...).
    Upload: "File | Blob",
  },
  enumsAsTypes: true,
  useTypeImports: true,
};

const config: CodegenConfig = {
  schema: "schema.graphql",
  documents: ["operations/*.graphql"],
  ignoreNoDocuments: false,
  generates: {
    // Every type of the schema, for code that handles objects outside an operation.
    "generated/schema.ts": {
      documents: [],
      plugins: [{ add: { content: JSON_VALUE } }, "typescript"],
      config: scalarConfig,
    },
    // The result and variables types of each operation, with the inputs and enums they use.
    "generated/operations.ts": {
      plugins: [{ add: { content: JSON_VALUE } }, "typescript-operations"],
      config: scalarConfig,
    },
  },
};

export default config;
