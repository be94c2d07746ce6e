// Starts GraphiQL against this server's /graphql. Every asset is served locally:
// field deployments have no internet.
(function () {
  var defaultQuery = [
    "# Sign in, then put the access token in the Headers tab:",
    '# {"Authorization": "Bearer <accessToken>"}',
    "mutation Login {",
    '  login(tenant: "demo", username: "cp_worker", password: "...") {',
    "    accessToken",
    "    refreshToken",
    "    expiresIn",
    "  }",
    "}",
    "",
    "query Me {",
    "  me { username tenant { slug } role { name } }",
    "}",
    "",
  ].join("\n");
  // A query to pre-fill comes in the URL fragment (/graphql#query=...): the server refuses
  // a GET that carries a query.
  var params = new URLSearchParams(window.location.hash.slice(1));
  var fetcher = GraphiQL.createFetcher({ url: window.location.pathname });
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: defaultQuery,
      query: params.get("query") || undefined,
      defaultEditorToolsVisibility: true,
      shouldPersistHeaders: false,
    })
  );
})();
