// Starts Swagger UI on /docs. A separate file because the page's CSP forbids inline scripts.
(function () {
  "use strict";
  function start() {
    window.ui = SwaggerUIBundle({
      url: "/api/v1/openapi.json",
      dom_id: "#swagger-ui",
      deepLinking: true,
      validatorUrl: null, // never send the API description to an outside validator
      presets: [SwaggerUIBundle.presets.apis],
      layout: "BaseLayout",
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
