package dev.intentinference.cli;

import dev.intentinference.core.IntentException;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Lines of a stream that must be UTF-8, decoded one at a time, so that bytes which are not stop
 * the reading at the line that holds them, named by its number (a reader decoding a whole buffer
 * ahead would fail lines early, or, replacing, answer {@code caf\uFFFD} as if it were a message).
 *
 * <pre>{@code
 * Utf8Lines lines = new Utf8Lines(System.in, "stdin");
 * for (String line; (line = lines.next()) != null; ) { ... }
 * }</pre>
 */
final class Utf8Lines {
  private final InputStream in;
  private final String source;
  private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
      .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
  private final ByteArrayOutputStream line = new ByteArrayOutputStream();
  private int number;

  Utf8Lines(InputStream in, String source) {
    this.in = new BufferedInputStream(in);
    this.source = source;
  }

  /** The next line without its line end ({@code \n} or {@code \r\n}), or null at the end. */
  String next() throws IOException {
    line.reset();
    int b;
    while ((b = in.read()) >= 0 && b != '\n') {
      line.write(b);
    }
    if (b < 0 && line.size() == 0) {
      return null;
    }
    number++;
    byte[] bytes = line.toByteArray();
    int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
    try {
      return utf8.decode(ByteBuffer.wrap(bytes, 0, length)).toString();
    } catch (CharacterCodingException e) {
      throw new IntentException(source + " line " + number + ": not valid UTF-8 (the lines before it were answered)", e);
    }
  }
}
