// Counts the cases visible to a user through authLink, starting from the tokens it is given
// (an expired access token and its refresh token), and prints what the client saw as JSON.
// tests/graphql_schema/test_apollo_refresh.py runs it against a real server:
//   CASEWORK_URL=http://127.0.0.1:8000/graphql ACCESS_TOKEN=... REFRESH_TOKEN=... \
//     node build/apollo/queryWithExpiredToken.js
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache, gql } from "@apollo/client";
import { authLink } from "./authLink.js";
import type { TokenPair } from "./authLink.js";
import { possibleTypes, typePolicies } from "./typePolicies.js";

const CASE_COUNT = gql`
  query CaseCount {
    cases {
      totalCount
    }
  }
`;

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

const uri = required("CASEWORK_URL");
let stored: TokenPair | null = {
  accessToken: required("ACCESS_TOKEN"),
  refreshToken: required("REFRESH_TOKEN"),
};
let refreshes = 0;
let signedOut = false;

const tokens = {
  read: () => stored,
  write: (pair: TokenPair) => {
    refreshes += 1;
    stored = pair;
  },
  clear: () => {
    stored = null;
  },
};

const client = new ApolloClient({
  cache: new InMemoryCache({ typePolicies, possibleTypes }),
  link: ApolloLink.from([
    authLink({ uri, tokens, onSignedOut: () => (signedOut = true) }),
    new HttpLink({ uri }),
  ]),
});

let data: unknown = null;
let error: string | null = null;
try {
  data = (await client.query({ query: CASE_COUNT, fetchPolicy: "network-only" })).data;
} catch (caught) {
  error = caught instanceof Error ? caught.message : String(caught);
}
console.log(JSON.stringify({ data, error, refreshes, signedOut, tokens: stored }));
