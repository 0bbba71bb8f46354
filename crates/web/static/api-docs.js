// Starts swagger-ui on /api/docs against /openapi.json (a file, not an inline
// script, so the content security policy can forbid inline scripts).
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    requestInterceptor: function (req) {
      var meta = document.querySelector('meta[name="csrf-token"]');
      if (meta) { req.headers["X-CSRF-Token"] = meta.content; }
      return req;
    },
  });
});
