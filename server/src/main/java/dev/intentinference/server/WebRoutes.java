package dev.intentinference.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.file.FileService;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The server's web face, all from the server jar (no external URL, nothing built at run time):
 *
 * <ul>
 *   <li>{@code GET /}: the home page, the {@code <intent-chat>} component beside the live dashboard;
 *   <li>{@code GET /web/...}: the page's files; {@code /web/intent-chat.js} is the component any page
 *       embeds with one script tag (public, so served to every origin: the API it calls is what
 *       {@code --cors-origin} guards);
 *   <li>{@code GET /v1/stats}: {@link StatsService}; {@code GET /v1/reports}, {@code /reports/...}:
 *       {@link ReportsFolder};
 *   <li>{@code GET /openapi.json}: the API description, {@code GET /api}: the page that reads it.
 * </ul>
 *
 * <pre>{@code
 * new WebRoutes(registry, metrics, mapper, reportsOrNull).addTo(serverBuilder);
 * }</pre>
 */
final class WebRoutes {
  /** Only this server's own files and API: no inline script, no other host. */
  static final String CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
      + "connect-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'self'";

  private final ModelRegistry registry;
  private final ServerMetrics metrics;
  private final ObjectMapper mapper;
  private final ReportsFolder reports;

  WebRoutes(ModelRegistry registry, ServerMetrics metrics, ObjectMapper mapper, ReportsFolder reports) {
    this.registry = registry;
    this.metrics = metrics;
    this.mapper = mapper;
    this.reports = reports;
  }

  void addTo(ServerBuilder sb) {
    sb.route().get("/").build(page("index.html", MediaType.HTML_UTF_8));
    sb.route().get("/api").build(page("api.html", MediaType.HTML_UTF_8));
    sb.route().get("/openapi.json").build(page("openapi.json", MediaType.JSON_UTF_8));
    HttpService assets = FileService.builder(WebRoutes.class.getClassLoader(), "web").serveCompressedFiles(false)
        .cacheControl("no-cache").build();
    // The pages are files here too (/web/, /web/index.html): the same policy as at / and /api, or
    // any site could frame them there.
    sb.serviceUnder("/web/", assets.decorate((delegate, ctx, req) -> delegate.serve(ctx, req)
        .mapHeaders(h -> h.toBuilder().set("access-control-allow-origin", "*").set("x-content-type-options", "nosniff")
            .set("content-security-policy", CSP).build())));
    sb.route().get("/v1/stats").build(new StatsService(registry, metrics.registry(), mapper, java.time.Clock.systemUTC(),
        reports != null));
    if (reports != null) {
      sb.route().get("/v1/reports").build(reports.list());
      sb.serviceUnder("/reports/", reports.files());
    } else {
      sb.route().get("/v1/reports").build((ctx, req) -> {
        try {
          return JsonBodies.ok(mapper.writeValueAsBytes(ReportsFolder.none()));
        } catch (JsonProcessingException e) {
          throw new IllegalStateException(e);
        }
      });
    }
  }

  static byte[] resource(String name) {
    try (InputStream in = WebRoutes.class.getClassLoader().getResourceAsStream("web/" + name)) {
      if (in == null) {
        throw new IllegalStateException("web/" + name + " missing from the server jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static HttpService page(String name, MediaType type) {
    byte[] body = resource(name);
    ResponseHeaders headers = ResponseHeaders.builder(HttpStatus.OK).contentType(type)
        .set("content-security-policy", CSP).set("cache-control", "no-cache").set("x-content-type-options", "nosniff")
        .build();
    return (ctx, req) -> HttpResponse.of(headers, HttpData.wrap(body));
  }
}
