package dev.intentinference.core.model;

import dev.intentinference.core.IntentException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * The version an operator pinned a model to: {@code REPO/<model>/.pinned-version}, holding the
 * version's name on one line. The server serves that version instead of the newest; {@code intent
 * rollback} writes it. Writes are atomic (a temporary file renamed over the old one), so a server
 * polling the repository never reads half a pin. {@link #format} and {@link #parse} are the file's
 * content on its own, for stores other than a file system (e.g. an object in a bucket).
 *
 * <pre>{@code
 * PinFile.write(Path.of("models"), "clinc150", "1");
 * PinFile.read(Path.of("models"), "clinc150");   // Optional[1]
 * PinFile.clear(Path.of("models"), "clinc150");  // back to the newest version
 * }</pre>
 */
public final class PinFile {
  public static final String FILE_NAME = ".pinned-version";

  private PinFile() {}

  /** Where {@code model}'s pin lives in {@code repository}. */
  public static Path path(Path repository, String model) {
    return repository.resolve(ModelNames.checkModel(model)).resolve(FILE_NAME);
  }

  /** The file's content for {@code version}. */
  public static String format(String version) {
    return ModelNames.checkVersion(version) + "\n";
  }

  /**
   * The version named by a pin's content.
   *
   * @param where the pin's address, for the message
   * @throws IntentException when the content is not one valid version name
   */
  public static String parse(String content, String where) {
    String v = content.strip();
    String problem = ModelNames.problem("version", v);
    if (problem != null) {
      throw new IntentException(where + ": " + problem);
    }
    return v;
  }

  /**
   * The pinned version of {@code model}, or empty when it has no pin.
   *
   * @throws IntentException when the pin cannot be read or does not hold a valid version name
   */
  public static Optional<String> read(Path repository, String model) {
    Path file = path(repository, model);
    try {
      byte[] bytes = Files.readAllBytes(file);
      if (bytes.length > 4 * ModelNames.MAX_LENGTH) {
        throw new IntentException(file + ": " + bytes.length + " bytes; a pin holds one version name");
      }
      return Optional.of(parse(new String(bytes, StandardCharsets.UTF_8), file.toString()));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new IntentException(file + ": cannot read the pin: " + e.getMessage(), e);
    }
  }

  /** Pins {@code model} to {@code version}, replacing any pin atomically; returns the file. */
  public static Path write(Path repository, String model, String version) {
    Path file = path(repository, model);
    Path tmp = file.resolveSibling(FILE_NAME + ".tmp-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
    try {
      Files.writeString(tmp, format(version), StandardCharsets.UTF_8);
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
      return file;
    } catch (IOException e) {
      throw new IntentException(file + ": cannot write the pin: " + e.getMessage(), e);
    } finally {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // best effort: a leftover temporary file is hidden and never read as a pin
      }
    }
  }

  /** Removes {@code model}'s pin; true when there was one. */
  public static boolean clear(Path repository, String model) {
    Path file = path(repository, model);
    try {
      return Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new IntentException(file + ": cannot remove the pin: " + e.getMessage(), e);
    }
  }
}
