package dev.intentinference.core.model;

import dev.intentinference.core.IntentException;
import dev.intentinference.core.io.ExitGuard;
import dev.intentinference.core.io.ScratchDirectory;
import dev.intentinference.core.io.Hashes;
import dev.intentinference.core.io.IoErrors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A trained model on disk: {@code manifest.json}, {@code head.safetensors} and
 * {@code tokenizer.json}. The encoder itself is not copied: it is named (with its SHA-256) in
 * the manifest and comes from its Maven jar; {@code intent compile} makes a self-contained file.
 *
 * <p>Writing is atomic: files go to a temporary sibling directory that is renamed into place,
 * so a failed or interrupted write never leaves a partial model.
 */
public final class ModelDirectory {
  public static final String HEAD_FILE = "head.safetensors";
  public static final String TOKENIZER_FILE = "tokenizer.json";

  private ModelDirectory() {}

  /**
   * Writes a model directory at {@code dir}, which must not exist yet (or be empty).
   *
   * @param files file name to contents, besides the manifest; their hashes go into the manifest
   */
  public static void write(Path dir, ModelManifest manifest, Map<String, byte[]> files) {
    Path target = dir.toAbsolutePath().normalize();
    if (Files.exists(target) && !isEmptyDirectory(target)) {
      throw new IntentException(dir + ": already exists and is not empty; choose another --out or remove it");
    }
    Map<String, String> hashes = new LinkedHashMap<>();
    files.forEach((name, bytes) -> hashes.put(name, Hashes.sha256(bytes)));
    ModelManifest complete = manifest.withFiles(hashes, manifest.kind());
    // Through the exit's guard: a signal waits for a write under way to finish, and a write not
    // yet begun never begins, so no file lands in a directory the exit is deleting.
    ExitGuard.process().run(() -> writeFiles(dir, target, complete, files));
  }

  private static void writeFiles(Path dir, Path target, ModelManifest complete, Map<String, byte[]> files) {
    Path tmp = null;
    try {
      Files.createDirectories(target.getParent());
      tmp = Files.createTempDirectory(target.getParent(), "." + target.getFileName() + ".tmp-");
      // Ctrl-C ends the process without unwinding this thread, so the finally below never runs:
      // the JVM's exit deletions remove a half-written directory (files first, as registered last)
      // when the exit does not wait for the write (a process without intent's own exit, or a
      // write longer than its limit). After the rename these paths no longer exist, and deleting
      // them does nothing.
      tmp.toFile().deleteOnExit();
      FilePermissions.makeWorldReadable(tmp);
      for (Map.Entry<String, byte[]> e : files.entrySet()) {
        tmp.resolve(e.getKey()).toFile().deleteOnExit();
        Files.write(tmp.resolve(e.getKey()), e.getValue());
      }
      tmp.resolve(ModelManifest.FILE_NAME).toFile().deleteOnExit();
      Files.write(tmp.resolve(ModelManifest.FILE_NAME), Manifests.toJson(complete));
      if (Files.exists(target)) {
        Files.delete(target);
      }
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target);
      }
      tmp = null;
    } catch (IOException e) {
      throw new UncheckedIOException("writing model to " + dir, e);
    } finally {
      if (tmp != null) {
        ScratchDirectory.deleteQuietly(tmp);
      }
    }
  }

  public static ModelManifest readManifest(Path dir) {
    Path file = dir.resolve(ModelManifest.FILE_NAME);
    if (!Files.isRegularFile(file)) {
      throw new IntentException(dir + ": not a model directory (no manifest.json)");
    }
    try {
      return Manifests.fromJson(Files.readAllBytes(file), file.toString());
    } catch (IOException e) {
      throw new IntentException(file + ": " + IoErrors.reason(e), e);
    }
  }

  /** Reads a file of the model, checking it against the hash recorded in the manifest. */
  public static byte[] readVerified(Path dir, ModelManifest manifest, String name) {
    Path file = dir.resolve(name);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new IntentException(dir + ": missing or unreadable " + name, e);
    }
    String expected = manifest.files() == null ? null : manifest.files().get(name);
    if (expected == null) {
      throw new IntentException(dir + ": manifest records no hash for " + name);
    }
    String actual = Hashes.sha256(bytes);
    if (!expected.equals(actual)) {
      throw new IntentException(dir + ": " + name + " has SHA-256 " + actual + " but the manifest says " + expected);
    }
    return bytes;
  }

  private static boolean isEmptyDirectory(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return Files.isDirectory(dir) && s.findAny().isEmpty();
    } catch (IOException e) {
      return false;
    }
  }
}
