package dev.intentinference.server;

/**
 * Checks that bytes are well-formed UTF-8 (no overlong forms, no surrogates, nothing above
 * U+10FFFF), without decoding or allocating: request bodies are checked before JSON parsing so a
 * bad byte gets a clear 400 instead of a parser message about "invalid start bytes".
 *
 * <pre>{@code
 * int bad = Utf8.firstInvalid(body, 0, body.length); // -1 when valid, else the offset of the bad byte
 * }</pre>
 */
final class Utf8 {
  private Utf8() {}

  static int firstInvalid(byte[] b, int from, int to) {
    int i = from;
    while (i < to) {
      int c = b[i] & 0xFF;
      if (c < 0x80) {
        i++;
        continue;
      }
      int need;
      int min;
      if (c >= 0xC2 && c <= 0xDF) {
        need = 1;
        min = 0x80;
      } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        min = 0x800;
      } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        min = 0x10000;
      } else {
        return i;
      }
      if (i + need >= to) { // truncated sequence
        return i;
      }
      int cp = c & (0x3F >> need);
      for (int k = 1; k <= need; k++) {
        int cc = b[i + k] & 0xFF;
        if ((cc & 0xC0) != 0x80) {
          return i;
        }
        cp = (cp << 6) | (cc & 0x3F);
      }
      if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        return i;
      }
      i += need + 1;
    }
    return -1;
  }
}
