// Bearer tokens for Apollo Client, refreshed when the server answers UNAUTHENTICATED:
//
//   const client = new ApolloClient({
//     cache: new InMemoryCache({ typePolicies, possibleTypes }),
//     link: ApolloLink.from([authLink({ uri, tokens }), new HttpLink({ uri })]),
//   });
//
// An expired or revoked access token is answered with HTTP 401 (a ServerError in Apollo
// Client 4); a field that needs a user may also answer UNAUTHENTICATED in `errors`. Either
// way the link calls `refreshToken(refreshToken:)` once, stores the new pair and sends the
// operation again with it; when the refresh is refused the user must sign in again.
import { ApolloLink } from "@apollo/client";
import type { ErrorLike } from "@apollo/client";
import { CombinedGraphQLErrors, ServerError } from "@apollo/client/errors";
import { ErrorLink } from "@apollo/client/link/error";
import { Kind } from "graphql";
import type { DocumentNode } from "graphql";
import { from, switchMap, throwError } from "rxjs";

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
}

// Where the client keeps its tokens. `write` must replace both at once: a refresh token is
// good once, and presenting a spent one ends the whole session.
export interface TokenStore {
  read(): TokenPair | null;
  write(tokens: TokenPair): void;
  clear(): void;
}

export interface AuthLinkOptions {
  // The GraphQL endpoint, e.g. https://casework.example.org/graphql.
  uri: string;
  tokens: TokenStore;
  // Called when the refresh token is refused: send the user to sign-in.
  onSignedOut?: () => void;
  fetch?: typeof fetch;
}

const REFRESH_TOKEN = `mutation RefreshToken($refreshToken: String!) {
  refreshToken(refreshToken: $refreshToken) { accessToken refreshToken }
}`;

// Documents the server runs as if no token were sent: their UNAUTHENTICATED is a wrong
// password or a spent refresh token, never an expired access token.
const SIGN_IN_FIELDS = new Set(["login", "loginWithOidc", "refreshToken"]);

interface AuthContext {
  headers?: Record<string, string>;
  // The access token this operation was sent with, and whether it is already a retry.
  sentAccessToken?: string | null;
  retriedAfterRefresh?: boolean;
}

export function isUnauthenticated(error: ErrorLike): boolean {
  if (ServerError.is(error)) return error.statusCode === 401;
  if (CombinedGraphQLErrors.is(error)) {
    return error.errors.some((e) => e.extensions?.["code"] === "UNAUTHENTICATED");
  }
  return false;
}

function isSignIn(query: DocumentNode): boolean {
  return query.definitions.some(
    (definition) =>
      definition.kind === Kind.OPERATION_DEFINITION &&
      definition.selectionSet.selections.every(
        (selection) => selection.kind === Kind.FIELD && SIGN_IN_FIELDS.has(selection.name.value),
      ),
  );
}

export function authLink({ uri, tokens, onSignedOut, fetch: send = fetch }: AuthLinkOptions): ApolloLink {
  // One refresh at a time: operations refused together wait for the same new pair.
  let refreshing: Promise<TokenPair | null> | null = null;

  async function refresh(spent: TokenPair): Promise<TokenPair | null> {
    const response = await send(uri, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        query: REFRESH_TOKEN,
        variables: { refreshToken: spent.refreshToken },
        operationName: "RefreshToken",
      }),
    });
    const body = (await response.json()) as { data?: { refreshToken?: TokenPair | null } | null };
    const pair = body.data?.refreshToken;
    if (!pair) {
      tokens.clear();
      onSignedOut?.();
      return null;
    }
    tokens.write({ accessToken: pair.accessToken, refreshToken: pair.refreshToken });
    return tokens.read();
  }

  function newPair(sentAccessToken: string | null | undefined): Promise<TokenPair | null> {
    const current = tokens.read();
    if (current === null) return Promise.resolve(null);
    // Another operation refreshed since this one was sent: use its pair, do not spend it.
    if (current.accessToken !== sentAccessToken) return Promise.resolve(current);
    refreshing ??= refresh(current).finally(() => {
      refreshing = null;
    });
    return refreshing;
  }

  const bearer = new ApolloLink((operation, forward) => {
    const accessToken = tokens.read()?.accessToken ?? null;
    operation.setContext(({ headers }: AuthContext) => ({
      headers: { ...headers, ...(accessToken ? { Authorization: `Bearer ${accessToken}` } : {}) },
      sentAccessToken: accessToken,
    }));
    return forward(operation);
  });

  const refreshOnUnauthenticated = new ErrorLink(({ error, operation, forward }) => {
    const context = operation.getContext() as AuthContext;
    if (!isUnauthenticated(error) || context.retriedAfterRefresh || isSignIn(operation.query)) {
      return;
    }
    return from(newPair(context.sentAccessToken)).pipe(
      switchMap((pair) => {
        if (pair === null) return throwError(() => error);
        operation.setContext({ retriedAfterRefresh: true });
        return forward(operation);
      }),
    );
  });

  return ApolloLink.from([refreshOnUnauthenticated, bearer]);
}
