package dev.intentinference.core.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A directory of intermediate files that is gone when the work ends, however it ends: closed
 * normally, or by Ctrl-C or SIGTERM, which end the JVM without running the work's {@code finally}
 * (a shutdown hook deletes it then). Whatever writes into it must go through {@link ExitGuard}, the
 * exit's guard, which {@code intent} stops before hooks run: a file written while the hook deletes
 * would be left behind, and the directory with it.
 *
 * <pre>{@code
 * try (ScratchDirectory work = ScratchDirectory.create(null, "intent-default-model-")) {
 *   Path trained = work.path().resolve("model");
 * }
 * }</pre>
 */
public final class ScratchDirectory implements AutoCloseable {
  private final Path path;
  private final Thread atExit;

  private ScratchDirectory(Path path) {
    this.path = path;
    this.atExit = new Thread(() -> deleteQuietly(path), "delete " + path.getFileName());
    Runtime.getRuntime().addShutdownHook(atExit);
  }

  /**
   * @param parent where to create it, or null for the system's temporary directory
   * @param prefix of its name (a leading dot hides it from repository scans)
   */
  public static ScratchDirectory create(Path parent, String prefix) {
    try {
      // Through the exit's guard, as every write the exit deletes: created once the exit has begun,
      // the directory would get no hook to delete it.
      return ExitGuard.process().call(() -> new ScratchDirectory(
          parent == null ? Files.createTempDirectory(prefix) : Files.createTempDirectory(parent, prefix)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a working directory " + (parent == null ? "" : "in " + parent + " ")
          + "(" + IoErrors.reason(e) + ")", e);
    }
  }

  public Path path() {
    return path;
  }

  /** Deletes the directory and everything in it. */
  @Override
  public void close() {
    deleteQuietly(path);
    try {
      Runtime.getRuntime().removeShutdownHook(atExit);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs anyway
    }
  }

  /** Deletes {@code dir} and everything in it, as far as it can; a missing {@code dir} is no error. */
  public static void deleteQuietly(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // best effort: what is left is hidden or in the temporary directory, and read by nothing
    }
  }
}
