package dev.intentinference.server;

import dev.intentinference.core.IntentException;
import dev.intentinference.core.model.IntentArtifact;
import dev.intentinference.core.model.Manifests;
import dev.intentinference.core.model.ModelDirectory;
import dev.intentinference.core.model.ModelManifest;
import dev.intentinference.core.model.VersionOrder;
import dev.intentinference.core.model.ModelNames;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Reads the layout of a model repository: {@code REPO/<model>/<version>/} holding either one
 * compiled {@code .intent} artifact or a trained model directory ({@code manifest.json}). Versions
 * that are all digits compare as numbers ({@code 10 > 9}), others as text; numbers sort after text.
 * Hidden entries ({@code .staging}, {@code .pinned-version}) are not models or versions; a
 * directory whose name breaks {@link ModelNames}' rule is skipped with one warning, never loaded.
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
public final class ModelRepository {
  private static final Logger LOG = Logger.getLogger(ModelRepository.class.getName());

  /**
   * One loadable version.
   *
   * @param model the model directory's name
   * @param version the version directory's name
   * @param source the {@code .intent} file or the version directory itself (model directory)
   * @param fingerprint changes whenever the files change (sizes and modification times)
   * @param problem why the directory cannot be loaded as it stands (several {@code .intent} files),
   *     else null: such a version is refused when its turn comes, like any version that fails to
   *     load, so the model's other versions still serve
   */
  record Candidate(String model, String version, Path source, String fingerprint, String problem) {
    Candidate(String model, String version, Path source, String fingerprint) {
      this(model, version, source, fingerprint, null);
    }
  }

  static final Comparator<String> VERSION_ORDER = VersionOrder.INSTANCE;

  private final Path root;
  private final String onlyModel;
  /** Directories already warned about, so each invalid name is reported once, not every poll. */
  private final Set<Path> warned = ConcurrentHashMap.newKeySet();

  /** Every model of {@code root}. */
  public ModelRepository(Path root) {
    this(root, null);
  }

  /** @param onlyModel null to serve every model; else only this one (see the class comment) */
  public ModelRepository(Path root, String onlyModel) {
    this.root = root;
    this.onlyModel = onlyModel;
  }

  public Path root() {
    return root;
  }

  /** Model names: the repository's subdirectories with valid names (or the one model asked for). */
  public List<String> models() {
    if (onlyModel != null) {
      return List.of(onlyModel);
    }
    return list(root).stream().filter(Files::isDirectory).filter(this::validName).map(p -> p.getFileName().toString())
        .sorted().toList();
  }

  /** Names of a model's versions that hold something loadable, newest first. */
  public List<String> versionNames(String model) {
    return versions(model).stream().map(Candidate::version).toList();
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
    for (Path dir : list(root.resolve(ModelNames.checkModel(model)))) {
      String version = dir.getFileName().toString();
      if (!Files.isDirectory(dir) || !validName(dir)) {
        continue;
      }
      List<Path> artifacts = artifactsIn(dir);
      if (artifacts.size() > 1) {
        out.add(new Candidate(model, version, dir, fingerprint(dir), severalArtifacts(dir, artifacts)));
        continue;
      }
      Path source = sourceAmong(dir, artifacts); // the listing above, not a second one per poll
      if (source != null) {
        out.add(new Candidate(model, version, source, fingerprint(dir)));
      }
    }
    out.sort(Comparator.comparing(Candidate::version, VERSION_ORDER).reversed());
    return out;
  }

  /** Hidden entries are skipped silently; other invalid names once with a warning. */
  private boolean validName(Path dir) {
    String name = dir.getFileName().toString();
    if (name.startsWith(".")) {
      return false;
    }
    String problem = ModelNames.problem("name", name);
    if (problem != null && warned.add(dir)) {
      LOG.warning("skipping " + dir + ": " + problem);
    }
    return problem == null;
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
    List<Path> artifacts = artifactsIn(versionDir);
    if (artifacts.size() > 1) {
      throw new IntentException(severalArtifacts(versionDir, artifacts));
    }
    return sourceAmong(versionDir, artifacts);
  }

  /** {@link #sourceOf} given the directory's {@code .intent} files (at most one). */
  private static Path sourceAmong(Path versionDir, List<Path> artifacts) {
    if (artifacts.size() == 1) {
      return artifacts.get(0);
    }
    return Files.isRegularFile(versionDir.resolve(ModelManifest.FILE_NAME)) ? versionDir : null;
  }

  private static List<Path> artifactsIn(Path dir) {
    return list(dir).stream()
        .filter(p -> p.getFileName().toString().endsWith(IntentArtifact.EXTENSION) && Files.isRegularFile(p)).toList();
  }

  private static String severalArtifacts(Path dir, List<Path> artifacts) {
    return dir + ": holds " + artifacts.size() + " .intent files (" + artifacts.stream().map(p -> p.getFileName().toString())
        .sorted().toList() + "); expected one";
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
