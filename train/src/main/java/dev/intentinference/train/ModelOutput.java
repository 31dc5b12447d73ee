package dev.intentinference.train;

import dev.intentinference.core.IntentException;
import dev.intentinference.core.io.OutputPlace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Checks on a model directory to be written ({@code --out}, {@code --keep-teacher}), made before
 * any work so that a run of many minutes does not fail at its last step, and never overwrites a
 * model that is already there (checked again when the directory is written).
 *
 * <pre>{@code
 * ModelOutput.requireFree(out, "--out");
 * String name = ModelOutput.name(out, "--out"); // "clinc150" for models/clinc150
 * }</pre>
 */
final class ModelOutput {
  private ModelOutput() {}

  /**
   * The directory's own name, which names the model unless told otherwise; a file system root has
   * none and is refused.
   */
  static String name(Path out, String option) {
    Path name = out.toAbsolutePath().normalize().getFileName();
    if (name == null) {
      throw new IntentException(option + " " + out + ": a file system root, not a model directory to create");
    }
    return name.toString();
  }

  /**
   * {@code out} must be new or an empty directory, in a place this process may write.
   *
   * @param option {@code --out} or {@code --keep-teacher}, for the message
   */
  static void requireFree(Path out, String option) {
    if (out.toString().isEmpty()) {
      throw new IntentException(option + " is empty; name the model directory to create");
    }
    name(out, option);
    if (Files.exists(out) && !Files.isDirectory(out)) {
      throw new IntentException(out + ": is a file; " + option + " names a model directory to create");
    }
    if (Files.exists(out) && !isEmpty(out)) {
      throw new IntentException(out + ": already exists and is not empty; choose another " + option + " or remove it"
          + (option.equals("--keep-teacher") && Files.isRegularFile(out.resolve("manifest.json"))
              ? " (a teacher kept by an earlier run teaches again with --teacher " + out + ")" : ""));
    }
    OutputPlace.requireWritable(option, out);
  }

  private static boolean isEmpty(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.findAny().isEmpty();
    } catch (IOException e) {
      return false; // unreadable: not a place to write a model into
    }
  }
}
