package dev.intentinference.core.data;

import java.util.List;

/**
 * Names the first few items of a list in a one-line message, then how many more there are: a
 * message about problem rows or labels stays readable when a file has hundreds of them.
 *
 * <pre>{@code
 * FirstFew.join(List.of("'a'", "'b'", "'c'", "'d'", "'e'", "'f'", "'g'"))   // "'a', 'b', 'c', 'd', 'e' and 2 more"
 * }</pre>
 */
public final class FirstFew {
  /** How many items a message names. */
  public static final int SHOWN = 5;

  private FirstFew() {}

  /** The first {@link #SHOWN} items, comma-separated, and how many more there are. */
  public static String join(List<String> items) {
    int shown = Math.min(items.size(), SHOWN);
    String head = String.join(", ", items.subList(0, shown));
    return items.size() > shown ? head + " and " + (items.size() - shown) + " more" : head;
  }
}
