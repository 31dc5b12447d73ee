package dev.intentinference.core.onnx;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Removes the directory ONNX Runtime's Java loader unpacks its native libraries into
 * ({@code java.io.tmpdir/onnxruntime-java<digits>}) when the process ends.
 *
 * <p>The loader (1.29) only marks the libraries and the directory for deletion on exit, the
 * directory last; the JVM deletes in reverse order of marking, so it tries the directory while
 * the libraries are still in it, and every process left an empty directory behind. On Linux the
 * directory is found through the libraries mapped into the process ({@code /proc/self/maps}); a
 * shutdown hook runs before the JVM's own deletions, so removing the files and then the
 * directory there leaves nothing. Elsewhere nothing is done.
 *
 * <p>The library's own initialisation (1.29, Linux) also creates an empty debug log,
 * {@code $TMPDIR/mat-debug-<pid>.log} ({@code /tmp} when {@code TMPDIR} is unset), in every
 * process and never removes it: the same hook removes this process's one while it is still empty.
 *
 * <pre>{@code
 * OrtStagingCleanup.atExit(); // once, early in main
 * }</pre>
 */
public final class OrtStagingCleanup {
  static final String PREFIX = "onnxruntime-java";
  private static final Path MAPS = Path.of("/proc/self/maps");

  private OrtStagingCleanup() {}

  /** Registers the removal for the end of the process; calling again does nothing more. */
  public static void atExit() {
    Hook.install();
  }

  /** Class initialisation runs once: the hook is added once without a mutable flag. */
  private static final class Hook {
    static {
      Runtime.getRuntime().addShutdownHook(new Thread(OrtStagingCleanup::removeOwnStaging, "ort-staging-cleanup"));
    }

    static void install() {}
  }

  private static void removeOwnStaging() {
    try {
      if (Files.isReadable(MAPS)) {
        stagingDirectory(Files.readAllLines(MAPS)).ifPresent(OrtStagingCleanup::remove);
        removeIfEmpty(debugLog(System.getenv("TMPDIR"), ProcessHandle.current().pid()));
      }
    } catch (IOException | RuntimeException e) {
      // Best effort at exit: a leftover empty directory is harmless.
    }
  }

  /**
   * The loader's directory among the mapped files of {@code /proc/self/maps} lines: the parent of
   * a mapped {@code libonnxruntime*} whose directory name starts with {@value #PREFIX}.
   */
  static Optional<Path> stagingDirectory(List<String> mapsLines) {
    for (String line : mapsLines) {
      int slash = line.indexOf('/');
      if (slash < 0) {
        continue;
      }
      String file = line.substring(slash);
      if (file.endsWith(" (deleted)")) {
        file = file.substring(0, file.length() - " (deleted)".length());
      }
      Path path = Path.of(file);
      Path dir = path.getParent();
      if (dir != null && dir.getFileName() != null && dir.getFileName().toString().startsWith(PREFIX)
          && path.getFileName().toString().startsWith("libonnxruntime")) {
        return Optional.of(dir);
      }
    }
    return Optional.empty();
  }

  /** Where the library writes its debug log for process {@code pid}, given the {@code TMPDIR} variable. */
  static Path debugLog(String tmpdirVariable, long pid) {
    String dir = tmpdirVariable == null || tmpdirVariable.isEmpty() ? "/tmp" : tmpdirVariable;
    return Path.of(dir, "mat-debug-" + pid + ".log");
  }

  /** Deletes {@code file} when it is a regular file holding nothing, so no log anybody wrote to is lost. */
  static void removeIfEmpty(Path file) {
    try {
      if (Files.isRegularFile(file) && Files.size(file) == 0) {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      // Best effort at exit.
    }
  }

  /** Deletes the regular files directly in {@code dir}, then {@code dir}; only a loader's directory. */
  static void remove(Path dir) {
    if (dir.getFileName() == null || !dir.getFileName().toString().startsWith(PREFIX) || !Files.isDirectory(dir)) {
      return;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path f : files) {
        if (Files.isRegularFile(f)) {
          Files.deleteIfExists(f);
        }
      }
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      // Best effort: whatever is left, the JVM's own deletions on exit still try.
    }
  }
}
