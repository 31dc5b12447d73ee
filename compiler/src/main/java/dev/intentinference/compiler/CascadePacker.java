package dev.intentinference.compiler;

import dev.intentinference.core.IntentException;
import dev.intentinference.core.io.Hashes;
import dev.intentinference.core.model.CascadeInfo;
import dev.intentinference.core.model.IntentArtifact;
import dev.intentinference.core.model.ModelManifest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Packs two compiled artifacts into one cascade artifact ({@link CascadeInfo}): the first model's
 * entries as they are, the fallback's whole artifact as a nested entry, and {@code compile.cascade}
 * in the manifest. Nothing is recompiled; each model keeps its own verification record.
 *
 * <pre>{@code
 * CascadePacker.pack(IntentArtifact.read(Path.of("tmp/clinc150-2.intent")),
 *     CascadePacker.Fallback.read(Path.of("tmp/clinc150-teacher-1.intent")), 0.8, Path.of("dist/clinc150-2.intent"));
 * }</pre>
 */
public final class CascadePacker {
  private CascadePacker() {}

  /**
   * Refuses a pair that cannot form a cascade: different intents, or a fallback that is itself a
   * cascade.
   */
  public static void checkPair(ModelManifest first, ModelManifest fallback) {
    if (!new HashSet<>(first.labels()).equals(new HashSet<>(fallback.labels()))) {
      throw new IntentException("--fallback: " + fallback.name() + "'s intents differ from " + first.name() + "'s ("
          + fallback.labels().size() + " vs " + first.labels().size() + " labels): both must be trained on the same intents");
    }
    if (CascadeInfo.of(fallback) != null) {
      throw new IntentException("--fallback: " + fallback.name() + " is itself a cascade; a cascade has two models");
    }
  }

  /**
   * A compiled fallback artifact as it will be nested: its bytes, and its manifest read (and its
   * hashes checked) once from them.
   */
  public record Fallback(byte[] bytes, ModelManifest manifest) {
    public static Fallback read(Path file) {
      // Checked as the loader will read the file (through the zip's central directory: a truncated
      // zip's entries still stream from its start, and such a file was packed), once.
      ModelManifest manifest = IntentArtifact.read(file).manifest();
      byte[] bytes;
      try {
        bytes = Files.readAllBytes(file);
      } catch (IOException e) {
        throw new UncheckedIOException("reading " + file, e);
      }
      return new Fallback(bytes, manifest);
    }
  }

  /** Writes {@code target} atomically; the two inputs are left as they are. */
  public static IntentArtifact pack(IntentArtifact first, Fallback fallback, double escalateBelow, Path target) {
    ModelManifest f = fallback.manifest();
    checkPair(first.manifest(), f);
    Map<String, Object> extra = new LinkedHashMap<>();
    extra.put("fallback_sha256", Hashes.sha256(fallback.bytes()));
    extra.put("fallback_threshold", f.threshold() == null ? 0.0 : f.threshold().value());
    Object verification = f.compile() == null ? null : f.compile().get("verification");
    if (verification != null) {
      extra.put("fallback_verification", verification);
    }
    Map<String, Object> compile = new LinkedHashMap<>(first.manifest().compile());
    compile.put(CascadeInfo.KEY, new CascadeInfo(escalateBelow, f.name(), f.version()).toMap(extra));
    Map<String, byte[]> entries = new LinkedHashMap<>(first.entries());
    entries.put(CascadeInfo.ENTRY, fallback.bytes());
    return IntentArtifact.write(target, first.manifest().withCompile(compile), entries);
  }
}
