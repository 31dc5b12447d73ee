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
 * CascadePacker.pack(Path.of("tmp/clinc150-2.intent"), Path.of("tmp/clinc150-teacher-1.intent"), 0.8,
 *     Path.of("dist/clinc150-2.intent"));
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

  /** Writes {@code target} atomically; the two inputs are left as they are. */
  public static IntentArtifact pack(Path first, Path fallback, double escalateBelow, Path target) {
    IntentArtifact a = IntentArtifact.read(first);
    byte[] fallbackBytes;
    try {
      fallbackBytes = Files.readAllBytes(fallback);
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + fallback, e);
    }
    ModelManifest f = IntentArtifact.read(fallbackBytes, fallback.toString()).manifest();
    checkPair(a.manifest(), f);
    Map<String, Object> extra = new LinkedHashMap<>();
    extra.put("fallback_sha256", Hashes.sha256(fallbackBytes));
    extra.put("fallback_threshold", f.threshold() == null ? 0.0 : f.threshold().value());
    Object verification = f.compile() == null ? null : f.compile().get("verification");
    if (verification != null) {
      extra.put("fallback_verification", verification);
    }
    Map<String, Object> compile = new LinkedHashMap<>(a.manifest().compile());
    compile.put(CascadeInfo.KEY, new CascadeInfo(escalateBelow, f.name(), f.version()).toMap(extra));
    Map<String, byte[]> entries = new LinkedHashMap<>(a.entries());
    entries.put(CascadeInfo.ENTRY, fallbackBytes);
    return IntentArtifact.write(target, a.manifest().withCompile(compile), entries);
  }
}
