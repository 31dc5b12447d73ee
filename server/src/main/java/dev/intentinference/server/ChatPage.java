package dev.intentinference.server;

import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.HttpService;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * {@code GET /}: a self-contained chat page (HTML, CSS and JavaScript in one file, no external
 * URLs) that sends each message to {@code /v1/models/{m}/predict} and shows the intent, its
 * confidence and the top alternatives. {@code /?say=hello} sends a first message on load.
 */
final class ChatPage {
  private ChatPage() {}

  static HttpService service() {
    byte[] html;
    try (InputStream in = ChatPage.class.getResourceAsStream("chat.html")) {
      if (in == null) {
        throw new IllegalStateException("chat.html missing from the server jar");
      }
      html = in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ResponseHeaders headers = ResponseHeaders.builder(HttpStatus.OK).contentType(MediaType.HTML_UTF_8)
        .set("content-security-policy", "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'unsafe-inline'")
        .build();
    return (ctx, req) -> HttpResponse.of(headers, HttpData.wrap(html));
  }
}
