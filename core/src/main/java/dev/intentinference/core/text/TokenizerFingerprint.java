package dev.intentinference.core.text;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.intentinference.core.IntentException;
import dev.intentinference.core.io.Hashes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * What decides the token ids of a {@code tokenizer.json}: its SHA-256 without the
 * {@code truncation} and {@code padding} sections. {@link TextTokenizer} always sets both itself,
 * so two files that differ only there (bge-small and all-MiniLM ship the same BERT uncased
 * tokenizer with different padding) give the same ids, and one fused graph can serve both
 * encoders with one tokenization.
 *
 * <pre>{@code
 * boolean same = TokenizerFingerprint.of(a).equals(TokenizerFingerprint.of(b));
 * }</pre>
 */
public final class TokenizerFingerprint {
  private static final ObjectMapper JSON = new ObjectMapper();

  private TokenizerFingerprint() {}

  public static String of(byte[] tokenizerJson) {
    try {
      if (!(JSON.readTree(tokenizerJson) instanceof ObjectNode root)) {
        throw new IntentException("tokenizer.json is not a JSON object");
      }
      root.remove("truncation");
      root.remove("padding");
      return Hashes.sha256(JSON.writeValueAsString(root).getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IntentException("tokenizer.json is not valid JSON: " + e.getMessage(), e);
    }
  }
}
