// authLink offline, against a stand-in server whose refusals are the real server's: a 401
// for an expired token, UNAUTHENTICATED in `errors`, a refused refresh.
// tests/graphql_schema/test_apollo_refresh.py runs the link against the real server.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ApolloClient, ApolloLink, InMemoryCache, gql } from "@apollo/client";
import { ServerError } from "@apollo/client/errors";
import { Observable } from "rxjs";
import { authLink } from "./authLink.js";
import type { TokenPair } from "./authLink.js";

const URI = "http://casework.test/graphql";
const ME = gql`
  query Me {
    me {
      id
      username
    }
  }
`;
const ANSWER = { me: { __typename: "Me", id: "5b0e1c9a-2f4d-4c8e-9a7b-3d6f1e2a4b5c", username: "cp_worker" } };
const UNAUTHENTICATED = { message: "Sign in again.", extensions: { code: "UNAUTHENTICATED" } };

interface Server {
  // How the server answers a token it does not accept: a 401, or a 200 with `errors`.
  refusal: "401" | "errors";
  validAccessToken: string;
  // The refresh token it accepts once, and the pair it answers with.
  refreshable: string | null;
  issued: TokenPair;
  refreshes: number;
  requests: number;
}

function server(overrides: Partial<Server> = {}): Server {
  return {
    refusal: "401",
    validAccessToken: "access-2",
    refreshable: "refresh-1",
    issued: { accessToken: "access-2", refreshToken: "refresh-2" },
    refreshes: 0,
    requests: 0,
    ...overrides,
  };
}

function endpoint(state: Server): ApolloLink {
  return new ApolloLink(
    (operation) =>
      new Observable((observer) => {
        state.requests += 1;
        const headers = (operation.getContext()["headers"] ?? {}) as Record<string, string>;
        if (headers["Authorization"] === `Bearer ${state.validAccessToken}`) {
          observer.next({ data: ANSWER });
          observer.complete();
        } else if (state.refusal === "401") {
          const body = JSON.stringify({ errors: [UNAUTHENTICATED] });
          const response = new Response(body, { status: 401 });
          observer.error(new ServerError("Received status code 401", { response, bodyText: body }));
        } else {
          observer.next({ data: null, errors: [UNAUTHENTICATED] });
          observer.complete();
        }
      }),
  );
}

// The refresh mutation, as fetch sees it.
function refreshEndpoint(state: Server): typeof fetch {
  return async (_input, init) => {
    state.refreshes += 1;
    const { variables } = JSON.parse(String(init?.body)) as { variables: { refreshToken: string } };
    const accepted = state.refreshable !== null && variables.refreshToken === state.refreshable;
    state.refreshable = null;
    const body = accepted
      ? { data: { refreshToken: state.issued } }
      : { data: null, errors: [UNAUTHENTICATED] };
    return new Response(JSON.stringify(body), { headers: { "Content-Type": "application/json" } });
  };
}

function signedIn(state: Server, tokens: TokenPair | null = { accessToken: "access-1", refreshToken: "refresh-1" }) {
  let stored = tokens;
  const signedOut: string[] = [];
  const store = {
    read: () => stored,
    write: (pair: TokenPair) => {
      stored = pair;
    },
    clear: () => {
      stored = null;
    },
  };
  const link = authLink({
    uri: URI,
    tokens: store,
    fetch: refreshEndpoint(state),
    onSignedOut: () => signedOut.push("signed out"),
  });
  const client = new ApolloClient({ cache: new InMemoryCache(), link: ApolloLink.from([link, endpoint(state)]) });
  // Each call a request of its own: no deduplication of identical queries in flight.
  const query = () =>
    client.query({ query: ME, fetchPolicy: "network-only", context: { queryDeduplication: false } });
  return { query, tokens: () => stored, signedOut };
}

test("a 401 is answered by one refresh and the operation sent again", async () => {
  const state = server();
  const client = signedIn(state);

  const result = await client.query();

  assert.deepEqual(result.data, ANSWER);
  assert.equal(state.refreshes, 1);
  assert.equal(state.requests, 2);
  assert.deepEqual(client.tokens(), state.issued);
});

test("UNAUTHENTICATED in the errors of a 200 is refreshed the same way", async () => {
  const state = server({ refusal: "errors" });
  const client = signedIn(state);

  const result = await client.query();

  assert.deepEqual(result.data, ANSWER);
  assert.equal(state.refreshes, 1);
});

test("operations refused together share one refresh", async () => {
  const state = server();
  const client = signedIn(state);

  const results = await Promise.all([client.query(), client.query(), client.query()]);

  assert.deepEqual(results.map((result) => result.data), [ANSWER, ANSWER, ANSWER]);
  assert.equal(state.requests, 6);
  assert.equal(state.refreshes, 1);
});

test("a refused refresh signs the user out and fails the operation", async () => {
  const state = server({ refreshable: null });
  const client = signedIn(state);

  await assert.rejects(client.query(), (error: unknown) => ServerError.is(error) && error.statusCode === 401);

  assert.equal(state.refreshes, 1);
  assert.deepEqual(client.signedOut, ["signed out"]);
  assert.equal(client.tokens(), null);
});

test("an operation refused again after a refresh is not retried twice", async () => {
  const state = server({ validAccessToken: "never-valid" });
  const client = signedIn(state);

  await assert.rejects(client.query());

  assert.equal(state.refreshes, 1);
  assert.equal(state.requests, 2);
});

test("without tokens nothing is refreshed", async () => {
  const state = server();
  const client = signedIn(state, null);

  await assert.rejects(client.query());

  assert.equal(state.refreshes, 0);
  assert.deepEqual(client.signedOut, []);
});
