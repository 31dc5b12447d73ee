package dev.intentinference.server;

import dev.intentinference.core.IntentException;
import dev.intentinference.core.model.IntentArtifact;
import dev.intentinference.core.model.Manifests;
import dev.intentinference.core.model.ModelDirectory;
import dev.intentinference.core.model.ModelManifest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Reads the layout of a model repository: {@code REPO/<model>/<version>/} holding either one
 * compiled {@code .intent} artifact or a trained model directory ({@code manifest.json}). Versions
 * that are all digits compare as numbers ({@code 10 > 9}), others as text; numbers sort after text.
 *
 * <p>Given a model name, only that model is served, and a repository directory that itself holds
 * the artifact ({@code REPO/<file>.intent} or {@code REPO/manifest.json}: how KServe's storage
 * initializer leaves a model in {@code /mnt/models}) is that model, at the version its manifest
 * records.
 *
 * <pre>{@code
 * List<ModelRepository.Candidate> c = new ModelRepository(Path.of("models"), null).versions("clinc150"); // newest first
 * List<String> one = new ModelRepository(Path.of("/mnt/models"), "intent").models(); // [intent]
 * }</pre>
 */
final class ModelRepository {
  /**
   * One loadable version.
   *
   * @param model the model directory's name
   * @param version the version directory's name
   * @param source the {@code .intent} file or the version directory itself (model directory)
   * @param fingerprint changes whenever the files change (sizes and modification times)
   */
  record Candidate(String model, String version, Path source, String fingerprint) {}

  static final Comparator<String> VERSION_ORDER = (a, b) -> {
    boolean na = a.chars().allMatch(Character::isDigit) && !a.isEmpty();
    boolean nb = b.chars().allMatch(Character::isDigit) && !b.isEmpty();
    if (na && nb) {
      return new java.math.BigInteger(a).compareTo(new java.math.BigInteger(b));
    }
    if (na != nb) {
      return na ? 1 : -1;
    }
    return a.compareTo(b);
  };

  private static final java.util.regex.Pattern PLAIN_NAME = java.util.regex.Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}");

  private final Path root;
  private final String onlyModel;

  /** @param onlyModel null to serve every model; else only this one (see the class comment) */
  ModelRepository(Path root, String onlyModel) {
    this.root = root;
    this.onlyModel = onlyModel;
  }

  /** Whether {@code name} can name a model: no path separators, no leading dot, 1..128 characters. */
  static boolean isPlainName(String name) {
    return PLAIN_NAME.matcher(name).matches();
  }

  Path root() {
    return root;
  }

  /** Model names: the repository's subdirectories (or the one model asked for). */
  List<String> models() {
    if (onlyModel != null) {
      return List.of(onlyModel);
    }
    return list(root).stream().filter(Files::isDirectory).map(p -> p.getFileName().toString())
        .filter(n -> !n.startsWith(".")).sorted().toList();
  }

  /** A model's versions that hold something loadable, newest first. */
  List<Candidate> versions(String model) {
    if (onlyModel != null && !onlyModel.equals(model)) {
      return List.of();
    }
    Path flat = onlyModel == null ? null : flatSource();
    if (flat != null) {
      return List.of(new Candidate(model, versionOf(flat), flat, fingerprint(root)));
    }
    List<Candidate> out = new ArrayList<>();
    for (Path dir : list(root.resolve(model))) {
      String version = dir.getFileName().toString();
      if (!Files.isDirectory(dir) || version.startsWith(".")) {
        continue;
      }
      Path source = sourceOf(dir);
      if (source != null) {
        out.add(new Candidate(model, version, source, fingerprint(dir)));
      }
    }
    out.sort(Comparator.comparing(Candidate::version, VERSION_ORDER).reversed());
    return out;
  }

  /** Whether no model has any loadable version. */
  boolean isEmpty() {
    return models().stream().allMatch(m -> versions(m).isEmpty());
  }

  /**
   * The artifact in a version directory: its one {@code .intent} file, or the directory itself
   * when it holds {@code manifest.json}. Null when it holds neither (e.g. a copy in progress).
   *
   * @throws IntentException when it holds several {@code .intent} files
   */
  static Path sourceOf(Path versionDir) {
    List<Path> artifacts = list(versionDir).stream()
        .filter(p -> p.getFileName().toString().endsWith(IntentArtifact.EXTENSION) && Files.isRegularFile(p)).toList();
    if (artifacts.size() > 1) {
      throw new IntentException(versionDir + ": holds " + artifacts.size() + " .intent files; expected one");
    }
    if (artifacts.size() == 1) {
      return artifacts.get(0);
    }
    return Files.isRegularFile(versionDir.resolve(ModelManifest.FILE_NAME)) ? versionDir : null;
  }

  /** The artifact held by the repository directory itself, or null. */
  private Path flatSource() {
    return Files.isDirectory(root) ? sourceOf(root) : null;
  }

  /** The version an artifact's or model directory's manifest records (read without loading the model). */
  static String versionOf(Path source) {
    ModelManifest manifest;
    if (Files.isDirectory(source)) {
      manifest = ModelDirectory.readManifest(source);
    } else {
      try (ZipFile zip = new ZipFile(source.toFile())) {
        ZipEntry entry = zip.getEntry(ModelManifest.FILE_NAME);
        if (entry == null) {
          throw new IntentException(source + ": not a valid .intent artifact (no manifest.json)");
        }
        try (InputStream in = zip.getInputStream(entry)) {
          manifest = Manifests.fromJson(in.readAllBytes(), source.toString());
        }
      } catch (IOException e) {
        throw new IntentException(source + ": not a valid .intent artifact (" + e.getMessage() + ")", e);
      }
    }
    if (manifest.version() == null || manifest.version().isBlank()) {
      throw new IntentException(source + ": its manifest records no version");
    }
    return manifest.version();
  }

  private static String fingerprint(Path dir) {
    StringBuilder sb = new StringBuilder();
    try (Stream<Path> files = Files.walk(dir, 2)) {
      files.filter(Files::isRegularFile).sorted().forEach(p -> {
        try {
          BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
          sb.append(dir.relativize(p)).append(':').append(a.size()).append(':').append(a.lastModifiedTime().toMillis()).append(';');
        } catch (IOException e) {
          sb.append(p).append(":gone;");
        }
      });
    } catch (IOException | UncheckedIOException e) {
      sb.append("unreadable");
    }
    return sb.toString();
  }

  private static List<Path> list(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
