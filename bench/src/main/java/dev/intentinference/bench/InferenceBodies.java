package dev.intentinference.bench;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Open Inference Protocol request bodies and answers for a text model: one {@code BYTES} input
 * named {@code text} with shape {@code [1]}; the answer's {@code label} output holds the intent.
 *
 * <pre>{@code
 * byte[] body = InferenceBodies.request("change my address");
 * // {"inputs":[{"name":"text","shape":[1],"datatype":"BYTES","data":["change my address"]}]}
 * }</pre>
 */
public final class InferenceBodies {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final byte[] HEAD =
      "{\"inputs\":[{\"name\":\"text\",\"shape\":[1],\"datatype\":\"BYTES\",\"data\":[\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] TAIL = "\"]}]}".getBytes(StandardCharsets.US_ASCII);

  private InferenceBodies() {}

  /** The request body for one message, serialized once so the hot path only copies bytes. */
  public static byte[] request(String text) {
    byte[] quoted = JsonStringEncoder.getInstance().quoteAsUTF8(text);
    byte[] out = new byte[HEAD.length + quoted.length + TAIL.length];
    System.arraycopy(HEAD, 0, out, 0, HEAD.length);
    System.arraycopy(quoted, 0, out, HEAD.length, quoted.length);
    System.arraycopy(TAIL, 0, out, HEAD.length + quoted.length, TAIL.length);
    return out;
  }

  /**
   * The first element of the {@code label} output of an infer answer.
   *
   * @return the label, or {@code null} when the answer has none
   */
  public static String label(byte[] answer) {
    try {
      JsonNode outputs = JSON.readTree(answer).path("outputs");
      for (JsonNode o : outputs) {
        if ("label".equals(o.path("name").asText())) {
          JsonNode data = o.path("data");
          JsonNode first = data.isArray() && data.size() > 0 ? data.get(0) : null;
          while (first != null && first.isArray()) {
            first = first.size() > 0 ? first.get(0) : null;
          }
          return first == null ? null : first.asText();
        }
      }
      return null;
    } catch (IOException e) {
      return null;
    }
  }
}
