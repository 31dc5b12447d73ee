package dev.intentinference.core.text;

/**
 * Whether a message holds anything a model can read. {@link String#isBlank()} only knows white
 * space: a text of zero-width spaces, byte-order marks, control characters, no-break spaces or
 * lone combining accents passes it, yet tokenizes to nothing, and the model would then answer a
 * question nobody asked.
 *
 * <pre>{@code
 * TextContent.isEmpty("\u200b\u00a0"); // true
 * TextContent.isEmpty("where is my card?"); // false
 * }</pre>
 */
public final class TextContent {
  private TextContent() {}

  /** True when the text has no letter, digit, punctuation mark or symbol (emoji count as symbols). */
  public static boolean isEmpty(CharSequence text) {
    // A plain loop, not a stream: the server checks every text of every request, and a usual
    // message ends the loop at its first character.
    for (int i = 0; i < text.length(); ) {
      int c = Character.codePointAt(text, i);
      if (readable(c)) {
        return false;
      }
      i += Character.charCount(c);
    }
    return true;
  }

  private static boolean readable(int codePoint) {
    return switch (Character.getType(codePoint)) {
      case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER, Character.MODIFIER_LETTER,
          Character.OTHER_LETTER, Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER,
          Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
          Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
          Character.OTHER_PUNCTUATION, Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL, Character.MODIFIER_SYMBOL,
          Character.OTHER_SYMBOL, Character.PRIVATE_USE -> true;
      default -> false;
    };
  }
}
