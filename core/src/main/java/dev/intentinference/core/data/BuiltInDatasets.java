package dev.intentinference.core.data;

import dev.intentinference.core.IntentException;
import dev.intentinference.core.io.ExitGuard;
import dev.intentinference.core.io.Hashes;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * Datasets shipped inside intent-core as classpath resources ({@code datasets/NAME/}, with their
 * licence and attribution beside them), so that nothing outside the project is needed to use them.
 * Readers take a {@link Path}, so {@link #file} copies a dataset into a temporary directory, under
 * its published file name, after checking its SHA-256.
 *
 * <pre>{@code
 * Path clinc = BuiltInDatasets.file(BuiltInDatasets.CLINC150);   // .../data_full.json
 * Path data = BuiltInDatasets.resolve(Path.of("clinc150"));        // a shipped name, or else the path itself
 * }</pre>
 */
public final class BuiltInDatasets {
  /** CLINC150 "Full" (Larson et al., EMNLP 2019; CC BY 3.0): {@code train}, {@code val}, {@code test} and their {@code oos_} splits. */
  public static final String CLINC150 = "clinc150";

  private record Shipped(String fileName, String sha256) {}

  private static final Map<String, Shipped> SHIPPED = Map.of(
      CLINC150, new Shipped("data_full.json", "36923c3705a59e08fe9c3883d8bc2dd966ef93e22cb78ac41171782a698d56e0"));

  private BuiltInDatasets() {}

  public static Set<String> names() {
    return SHIPPED.keySet();
  }

  /** The classpath resource of a shipped dataset, e.g. {@code datasets/clinc150/data_full.json}. */
  public static String resource(String name) {
    return "datasets/" + name + "/" + shipped(name).fileName();
  }

  /** The SHA-256 the shipped bytes must have. */
  public static String sha256(String name) {
    return shipped(name).sha256();
  }

  /** The shipped bytes, checked against {@link #sha256}. */
  public static byte[] bytes(String name) {
    byte[] bytes;
    try (InputStream in = BuiltInDatasets.class.getClassLoader().getResourceAsStream(resource(name))) {
      if (in == null) {
        throw new IntentException("the built-in dataset '" + name + "' (" + resource(name) + ") is missing from the classpath");
      }
      bytes = in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("reading the built-in dataset " + resource(name), e);
    }
    String actual = Hashes.sha256(bytes);
    if (!actual.equals(sha256(name))) {
      throw new IntentException("the built-in dataset " + resource(name) + " is damaged: SHA-256 " + actual
          + ", expected " + sha256(name));
    }
    return bytes;
  }

  /**
   * A file holding the shipped dataset, named as published (e.g. {@code data_full.json}, which is
   * what training provenance records), in a new temporary directory deleted at exit. Each call
   * writes its own copy: callers that need the file more than once keep the path.
   */
  public static Path file(String name) {
    byte[] bytes = bytes(name);
    try {
      // Through the exit's guard, and each path marked for deletion before it exists: a signal
      // during the write of a CLINC150 copy (8 MB) otherwise left it in the temporary directory,
      // whose own deletion then failed.
      return ExitGuard.process().call(() -> {
        Path dir = Files.createTempDirectory("intent-dataset-" + name + "-");
        dir.toFile().deleteOnExit();
        Path copy = dir.resolve(shipped(name).fileName());
        copy.toFile().deleteOnExit();   // runs before the directory's (reverse order of registration)
        Files.write(copy, bytes);
        return copy;
      });
    } catch (IOException e) {
      throw new UncheckedIOException("writing the built-in dataset " + name + " to a temporary file", e);
    }
  }

  /**
   * What a {@code --data} argument means: an existing file is itself; otherwise a shipped dataset's
   * name (e.g. {@code clinc150}) is its {@link #file}; anything else (and {@code null}) is returned
   * unchanged, for the reader to report.
   */
  public static Path resolve(Path given) {
    if (given == null || Files.isRegularFile(given) || !SHIPPED.containsKey(given.toString())) {
      return given;
    }
    return file(given.toString());
  }

  /**
   * How to name {@code file} to a user: the shipped dataset's name (e.g. {@code clinc150}) for a
   * copy {@link #file} wrote, rather than a temporary path they never gave; else the path.
   */
  public static String shownName(Path file) {
    Path dir = file.toAbsolutePath().getParent();
    String dirName = dir == null || dir.getFileName() == null ? "" : dir.getFileName().toString();
    for (Map.Entry<String, Shipped> e : SHIPPED.entrySet()) {
      if (dirName.startsWith("intent-dataset-" + e.getKey() + "-") && file.getFileName().toString().equals(e.getValue().fileName())
          && dir.getParent() != null && dir.getParent().equals(Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath())) {
        return e.getKey();
      }
    }
    return file.toString();
  }

  private static Shipped shipped(String name) {
    Shipped s = SHIPPED.get(name);
    if (s == null) {
      throw new IntentException("no built-in dataset '" + name + "' (have " + SHIPPED.keySet() + ")");
    }
    return s;
  }
}
