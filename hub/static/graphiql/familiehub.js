// Familiehub's GraphiQL start-up (served by the hub, not vendored): reads the page's JSON config, lets
// `?query=`, `?variables=` and `?headers=` override the example, and talks HTTP and graphql-transport-ws to the
// hub's own /graphql. The editor's headers (Authorization) also go into connection_init for subscriptions.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("familiehub-config").textContent);
  var params = new URLSearchParams(window.location.search);
  var endpoint = new URL(config.endpoint, window.location.href);
  var wsUrl = (endpoint.protocol === "https:" ? "wss:" : "ws:") + "//" + endpoint.host + endpoint.pathname;
  var fetcher = GraphiQL.createFetcher({ url: endpoint.href, subscriptionUrl: wsUrl });
  window.familiehubFetcher = fetcher;
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: config.query,
      query: params.get("query") || config.query,
      variables: params.get("variables") || undefined,
      headers: params.get("headers") || config.headers,
      defaultHeaders: config.headers,
      shouldPersistHeaders: false,
      isHeadersEditorEnabled: true,
      defaultEditorToolsVisibility: "headers",
    })
  );
})();
