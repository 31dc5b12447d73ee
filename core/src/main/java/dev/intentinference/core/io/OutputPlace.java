package dev.intentinference.core.io;

import dev.intentinference.core.IntentException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks made on an output path before any work, so a long run does not fail at its last step
 * (or, worse, replace one of its own inputs): the place must be writable, and the output must not
 * be a file the command reads.
 *
 * <pre>{@code
 * OutputPlace.requireWritable("--csv", csv);
 * OutputPlace.requireNotInput("--csv", csv, new OutputPlace.Input("--data", data));
 * }</pre>
 */
public final class OutputPlace {
  private OutputPlace() {}

  /** A file the command reads, named by its option; a null path is no input. */
  public record Input(String option, Path path) {}

  /**
   * The nearest existing directory on the way to {@code output} (its parent, or a parent's parent
   * when those are still to be created) must be a directory this process may write in.
   */
  public static void requireWritable(String option, Path output) {
    Path absolute = output.toAbsolutePath().normalize();
    Path place = absolute.getParent();
    while (place != null && !Files.exists(place)) {
      place = place.getParent();
    }
    if (place == null) {
      return;
    }
    if (!Files.isDirectory(place)) {
      throw new IntentException(option + " " + output + ": " + place + " is a file, not a directory");
    }
    if (!Files.isWritable(place)) {
      throw new IntentException(option + " " + output + ": cannot write in " + place + " (permission denied)");
    }
  }

  /**
   * {@code output} must not be one of {@code inputs}: writing it would destroy what the command
   * reads, e.g. {@code --csv model.intent}.
   */
  public static void requireNotInput(String option, Path output, Input... inputs) {
    for (Input in : inputs) {
      if (in.path() != null && same(output, in.path())) {
        throw new IntentException(option + " " + output + " is the " + in.option() + " file; writing it would destroy it."
            + " Choose another path");
      }
    }
  }

  private static boolean same(Path a, Path b) {
    try {
      if (Files.exists(a) && Files.exists(b)) {
        return Files.isSameFile(a, b);
      }
    } catch (IOException e) {
      // Compared by name below.
    }
    return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
  }
}
