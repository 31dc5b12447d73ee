package dev.intentinference.core.text;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.TokenizersLibrary;
import dev.intentinference.core.IntentException;
import dev.intentinference.core.io.ExitGuard;
import dev.intentinference.core.io.IoErrors;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A Hugging Face tokenizer loaded from {@code tokenizer.json}, with explicit truncation to the
 * model's maximum length and no padding (batches pad to their own longest text).
 *
 * <pre>{@code
 * try (TextTokenizer tok = TextTokenizer.fromBytes(json, 512)) {
 *   TokenizedText t = tok.encode("change company address"); // [101, 2689, 2194, 4769, 102]
 * }
 * }</pre>
 *
 * <p>Thread-safe: the native tokenizer is immutable once loaded.
 */
public final class TextTokenizer implements AutoCloseable {
  private static final boolean ADD_SPECIAL_TOKENS = true;

  private final HuggingFaceTokenizer tokenizer;
  private final int maxLength;
  /** Texts longer than this are first encoded from a prefix of about this many characters. */
  private final int prefixChars;

  private TextTokenizer(HuggingFaceTokenizer tokenizer, int maxLength, int prefixChars) {
    this.tokenizer = tokenizer;
    this.maxLength = maxLength;
    this.prefixChars = prefixChars;
  }

  /** The prefix length for {@code maxLength}: about 16 characters per token, several times what natural text needs. */
  static int prefixCharsFor(int maxLength) {
    return Math.max(1024, 16 * maxLength);
  }

  /** The same tokenizer, trying prefixes of {@code chars} characters (tests reach the cut with short texts). */
  TextTokenizer withPrefixChars(int chars) {
    return new TextTokenizer(tokenizer, maxLength, chars);
  }

  /**
   * @param tokenizerJson the bytes of a Hugging Face {@code tokenizer.json}
   * @param maxLength maximum tokens per text including special tokens, 2..512
   */
  public static TextTokenizer fromBytes(byte[] tokenizerJson, int maxLength) {
    if (maxLength < 2 || maxLength > 512) {
      throw new IntentException("max length must be in 2..512, was " + maxLength);
    }
    Map<String, String> options =
        Map.of(
            "truncation", "true",
            "maxLength", Integer.toString(maxLength),
            "padding", "false",
            "addSpecialTokens", Boolean.toString(ADD_SPECIAL_TOKENS));
    try (InputStream in = new ByteArrayInputStream(tokenizerJson)) {
      // Through the exit's guard: the process's first tokenizer unpacks the native library into
      // DJL's cache, which a signal must not leave half done (as for libtorch, TorchRuntime).
      HuggingFaceTokenizer tokenizer = ExitGuard.process().call(() -> HuggingFaceTokenizer.newInstance(in, options));
      return new TextTokenizer(tokenizer, maxLength, prefixCharsFor(maxLength));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      throw new IntentException("not a valid tokenizer.json: " + e.getMessage(), e);
    }
  }

  public static TextTokenizer fromFile(Path tokenizerJson, int maxLength) {
    try {
      return fromBytes(Files.readAllBytes(tokenizerJson), maxLength);
    } catch (IOException e) {
      throw new IntentException("cannot read tokenizer " + tokenizerJson + ": " + IoErrors.reason(e), e);
    }
  }

  public int maxLength() {
    return maxLength;
  }

  /**
   * Encodes one text. This is the serving path, called once per request: DJL's own {@code encode}
   * copies nine fields out of the native encoding (tokens as strings, character spans, word ids,
   * masks...), about a fifth of its CPU time and 1.2 KB of garbage per text, where only the ids,
   * the type ids and the overflow count are used. So those three are read from the encoding
   * directly (same native call, same options; {@code TextTokenizerTest} checks that the result is
   * DJL's on every shipped text).
   */
  public TokenizedText encode(String text) {
    Objects.requireNonNull(text, "text");
    if (text.length() > prefixChars) {
      // The native tokenizer turns all of a text into tokens before truncating, and keeps every
      // cut-off window: a 1 MB message took seconds and hundreds of MB. A prefix that ends before a
      // lone space ends between two words, so its tokens are the whole text's first tokens; when it
      // already has more than fit, they are the answer (truncated, as the whole text's would be).
      int cut = wordBoundaryBefore(text, prefixChars);
      if (cut > 0) {
        TokenizedText head = encodeWhole(text.substring(0, cut));
        if (head.truncated()) {
          return head;
        }
      }
    }
    return encodeWhole(text);
  }

  /**
   * The last index in {@code [limit / 2, limit]} of a single ASCII space between two characters
   * that are not whitespace, or -1. A run of spaces is avoided: byte-level tokenizers keep runs
   * together, so cutting inside one would change a token.
   */
  static int wordBoundaryBefore(String text, int limit) {
    for (int i = Math.min(limit, text.length() - 2); i >= Math.max(1, limit / 2); i--) {
      if (text.charAt(i) == ' ' && !isSpace(text.charAt(i - 1)) && !isSpace(text.charAt(i + 1))) {
        return i;
      }
    }
    return -1;
  }

  private static boolean isSpace(char c) {
    return Character.isWhitespace(c) || Character.isSpaceChar(c);
  }

  private TokenizedText encodeWhole(String text) {
    TokenizersLibrary lib = TokenizersLibrary.LIB;
    long encoding = lib.encode(tokenizer.getHandle(), text, ADD_SPECIAL_TOKENS);
    try {
      return new TokenizedText(lib.getTokenIds(encoding), lib.getTypeIds(encoding), lib.getOverflowCount(encoding) > 0);
    } finally {
      lib.deleteEncoding(encoding);
    }
  }

  /** Encodes several texts at once (the native side parallelises). */
  public List<TokenizedText> encodeAll(List<String> texts) {
    if (texts.isEmpty()) {
      return List.of();
    }
    if (texts.stream().anyMatch(t -> t.length() > prefixChars)) {
      return texts.stream().map(this::encode).toList(); // long texts go through the prefix, one by one
    }
    Encoding[] encodings = tokenizer.batchEncode(texts);
    List<TokenizedText> out = new ArrayList<>(encodings.length);
    for (Encoding e : encodings) {
      out.add(toTokenized(e));
    }
    return out;
  }

  private static TokenizedText toTokenized(Encoding e) {
    return new TokenizedText(e.getIds(), e.getTypeIds(), e.exceedMaxLength());
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
