// Starts Swagger UI on /docs over the OpenAPI document the page names. A file of its own
// (not an inline script), so the Content-Security-Policy allows scripts from this site only.
(function () {
  "use strict";
  var el = document.getElementById("swagger-ui");
  if (!el || !window.SwaggerUIBundle) return;
  window.ui = window.SwaggerUIBundle({
    url: el.getAttribute("data-openapi"), dom_id: "#swagger-ui", layout: "BaseLayout",
    deepLinking: true, showExtensions: true, showCommonExtensions: true,
    presets: [window.SwaggerUIBundle.presets.apis, window.SwaggerUIBundle.SwaggerUIStandalonePreset]
  });
})();
