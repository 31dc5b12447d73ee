package dev.intentinference.server;

import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.cors.CorsService;
import com.linecorp.armeria.server.cors.CorsServiceBuilder;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.function.Function;

/**
 * Cross-origin access for pages that embed {@code <intent-chat>} from another site: only the
 * origins given with {@code --cors-origin} (none by default) may call the API from a browser. A
 * preflight from any other origin is answered without {@code Access-Control-Allow-Origin}, so
 * the browser never sends the request (nor shows any answer to the page).
 *
 * <pre>{@code
 * var cors = CorsOrigins.decorator(List.of("https://shop.example.com")); // null: no origin allowed
 * if (cors != null) sb.decorator(cors);
 * }</pre>
 */
final class CorsOrigins {
  /** The header carrying the server-side latency of an inference answer, readable by embedding pages. */
  static final String SERVER_TIMING = "server-timing";

  private CorsOrigins() {}

  /**
   * Checks one {@code --cors-origin} value: {@code *}, or {@code http(s)://host[:port]} with no
   * path, query or trailing slash (a browser's {@code Origin} header never has one).
   *
   * @throws IllegalArgumentException naming the value and the expected form
   */
  static void check(String origin) {
    if ("*".equals(origin)) {
      return;
    }
    String expected = "--cors-origin must be * or scheme://host[:port] such as https://shop.example.com "
        + "(no path, no trailing slash), was '" + origin + "'";
    try {
      URI uri = new URI(origin);
      boolean web = "http".equals(uri.getScheme()) || "https".equals(uri.getScheme());
      if (!web || uri.getHost() == null || uri.getRawPath() == null || !uri.getRawPath().isEmpty()
          || uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
        throw new IllegalArgumentException(expected);
      }
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(expected, e);
    }
  }

  /** The CORS decorator for {@code origins}, or null when none is allowed (no CORS headers at all). */
  static Function<? super HttpService, ? extends HttpService> decorator(List<String> origins) {
    if (origins.isEmpty()) {
      return null;
    }
    CorsServiceBuilder b = origins.contains("*") ? CorsService.builderForAnyOrigin() : CorsService.builder(origins);
    return b.allowRequestMethods(HttpMethod.GET, HttpMethod.POST)
        .allowRequestHeaders(HttpHeaderNames.CONTENT_TYPE)
        .exposeHeaders(SERVER_TIMING, HttpHeaderNames.RETRY_AFTER.toString())
        .maxAge(600)
        .newDecorator();
  }
}
