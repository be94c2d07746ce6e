// The type policies against the committed SDL, offline: answers are written to an
// InMemoryCache as Apollo Client writes them, and read back as a screen would.
// Run by check.sh: tsc -p tsconfig.node.json, then node --test.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { ApolloClient, ApolloLink, InMemoryCache, gql } from "@apollo/client";
import type { DocumentNode } from "@apollo/client";
import { buildSchema, isInterfaceType, isObjectType, validate } from "graphql";
import { Observable } from "rxjs";
import { NODE_TYPES, possibleTypes, typePolicies } from "./typePolicies.js";

const SCHEMA = buildSchema(readFileSync("schema.graphql", "utf8"));

const CASE_ID = "3f1c1f8e-7a55-4c64-9d0b-5be0b7f7f0a1";
const WORKER = { __typename: "UserRef", id: "a6b0c6c2-1f0e-4a43-9a53-0d3d1b8e6a10" };

const CASE_QUERY = gql`
  query CaseWithFlags($id: ID!) {
    case(id: $id) {
      id
      shortId
      owner {
        id
        fullName
      }
      flags {
        id
        reason
      }
    }
  }
`;

const FLAG_CASE = gql`
  mutation FlagCase($id: ID!, $reason: String!) {
    flagCase(id: $id, reason: $reason) {
      flag {
        id
        reason
      }
      case {
        id
        flags {
          id
          reason
        }
      }
      errors {
        code
        message
      }
      clientMutationId
    }
  }
`;

const CASE_PAGE = gql`
  query CasePage($first: Int, $after: String) {
    cases(first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        hasPreviousPage
        startCursor
        endCursor
      }
      edges {
        cursor
        node {
          id
          shortId
        }
      }
    }
  }
`;

const EARLIER_FLAG = { __typename: "FlagInfo", id: "c2d9a3f4-0b1e-4f55-8c1a-6e2f3a4b5c6d", reason: "school" };
const NEW_FLAG = { __typename: "FlagInfo", id: "e8f7a6b5-4c3d-4e2f-9a1b-0c9d8e7f6a5b", reason: "missed visit" };

const CASE_ANSWER = {
  case: {
    __typename: "Case",
    id: CASE_ID,
    shortId: "c0a1b2c",
    owner: { ...WORKER, fullName: "Case Worker" },
    flags: [EARLIER_FLAG],
  },
};

const FLAG_CASE_ANSWER = {
  flagCase: {
    __typename: "FlagCasePayload",
    flag: NEW_FLAG,
    case: { __typename: "Case", id: CASE_ID, flags: [EARLIER_FLAG, NEW_FLAG] },
    errors: [],
    clientMutationId: null,
  },
};

const newCache = () => new InMemoryCache({ typePolicies, possibleTypes });

test("the documents of these tests are valid against schema.graphql", () => {
  for (const document of [CASE_QUERY, FLAG_CASE, CASE_PAGE]) {
    assert.deepEqual(validate(SCHEMA, document), []);
  }
});

test("every Node type is keyed by id and matches fragments on Node", () => {
  const node = SCHEMA.getType("Node");
  if (!isInterfaceType(node)) assert.fail("schema.graphql has no Node interface");
  const implementations = SCHEMA.getPossibleTypes(node).map((type) => type.name);

  assert.deepEqual([...NODE_TYPES].sort(), implementations.sort());
  assert.deepEqual([...(possibleTypes["Node"] ?? [])].sort(), implementations.sort());
  for (const typename of implementations) {
    assert.deepEqual(typePolicies[typename]?.keyFields, ["id"], typename);
  }
});

test("every type with an id field has a policy saying whether the id is its key", () => {
  const withId = Object.values(SCHEMA.getTypeMap())
    .filter((type) => isObjectType(type) && !type.name.startsWith("__"))
    .filter((type) => isObjectType(type) && "id" in type.getFields())
    .map((type) => type.name);

  const withoutPolicy = withId.filter((typename) => typePolicies[typename]?.keyFields === undefined);
  assert.deepEqual(withoutPolicy, []);
});

test("after flagCase the cached case shows the flag without a refetch", () => {
  const cache = newCache();
  const variables = { id: CASE_ID };
  cache.writeQuery({ query: CASE_QUERY, variables, data: CASE_ANSWER });

  // What Apollo Client does with a mutation's answer: written under ROOT_MUTATION, its
  // objects normalised into the entities they name.
  cache.write({
    dataId: "ROOT_MUTATION",
    query: FLAG_CASE,
    variables: { id: CASE_ID, reason: NEW_FLAG.reason },
    result: FLAG_CASE_ANSWER,
  });

  const answer = cache.readQuery<typeof CASE_ANSWER>({ query: CASE_QUERY, variables });
  assert.deepEqual(
    answer?.case.flags.map((flag) => flag.reason),
    ["school", "missed visit"],
  );
  assert.equal(answer?.case.owner.fullName, "Case Worker");
  // One entity per flag, whichever answer brought it.
  const flagKey = cache.identify(NEW_FLAG);
  assert.ok(flagKey !== undefined && flagKey in cache.extract());
});

test("a client answers the case query from its cache after flagCase", async () => {
  const sent: string[] = [];
  const answers = new Map<string, Record<string, unknown>>([
    ["CaseWithFlags", CASE_ANSWER],
    ["FlagCase", FLAG_CASE_ANSWER],
  ]);
  const server = new ApolloLink(
    (operation) =>
      new Observable((observer) => {
        sent.push(operation.operationName ?? "");
        observer.next({ data: answers.get(operation.operationName ?? "") ?? null });
        observer.complete();
      }),
  );
  const client = new ApolloClient({ cache: newCache(), link: server });
  const variables = { id: CASE_ID };

  await client.query({ query: CASE_QUERY, variables });
  await client.mutate({ mutation: FLAG_CASE, variables: { id: CASE_ID, reason: "missed visit" } });
  const after = await client.query({ query: CASE_QUERY, variables });

  assert.deepEqual(sent, ["CaseWithFlags", "FlagCase"]);
  const data = after.data as typeof CASE_ANSWER | undefined;
  assert.deepEqual(
    data?.case.flags.map((flag) => flag.id),
    [EARLIER_FLAG.id, NEW_FLAG.id],
  );
});

test("a second page of cases is appended to the first", () => {
  const cache = newCache();
  const page = (ids: string[], after: string | null, hasNextPage: boolean) => ({
    cases: {
      __typename: "CaseConnection",
      totalCount: 3,
      pageInfo: {
        __typename: "PageInfo",
        hasNextPage,
        hasPreviousPage: after !== null,
        startCursor: `cursor-${ids[0]}`,
        endCursor: `cursor-${ids[ids.length - 1]}`,
      },
      edges: ids.map((id) => ({
        __typename: "CaseEdge",
        cursor: `cursor-${id}`,
        node: { __typename: "Case", id, shortId: id.slice(0, 7) },
      })),
    },
  });
  const write = (query: DocumentNode, variables: Record<string, unknown>, data: object) =>
    cache.writeQuery({ query, variables, data });

  write(CASE_PAGE, { first: 2, after: null }, page(["case-one", "case-two"], null, true));
  write(CASE_PAGE, { first: 2, after: "cursor-case-two" }, page(["case-three"], "cursor-case-two", false));

  type Page = ReturnType<typeof page>;
  const answer = cache.readQuery<Page>({ query: CASE_PAGE, variables: { first: 2 } });
  assert.deepEqual(
    answer?.cases.edges.map((edge) => edge.node.id),
    ["case-one", "case-two", "case-three"],
  );
  assert.equal(answer?.cases.pageInfo.hasNextPage, false);
});
