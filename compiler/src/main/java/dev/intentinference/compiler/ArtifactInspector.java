package dev.intentinference.compiler;

import dev.intentinference.core.IntentException;
import dev.intentinference.core.io.Hashes;
import dev.intentinference.core.model.IntentArtifact;
import dev.intentinference.core.model.Manifests;
import dev.intentinference.core.model.ModelManifest;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;

/**
 * Reads a {@code .intent} artifact without trusting it: the manifest as written, and the result
 * of checking every entry against the manifest's SHA-256 (missing, unlisted and mismatching
 * entries are all reported, not only the first).
 *
 * <pre>{@code
 * ArtifactInspector.Inspection i = ArtifactInspector.inspect(Path.of("clinc150-1.intent"));
 * if (!i.ok()) { ... }
 * }</pre>
 */
public final class ArtifactInspector {
  private ArtifactInspector() {}

  /**
   * One entry's check.
   *
   * @param name entry name
   * @param expected SHA-256 the manifest lists, or null when unlisted
   * @param actual SHA-256 of the bytes, or null when missing
   * @param size entry size in bytes (0 when missing)
   */
  public record EntryCheck(String name, String expected, String actual, long size) {
    public boolean ok() {
      return expected != null && expected.equals(actual);
    }

    public String status() {
      if (actual == null) {
        return "MISSING";
      }
      if (expected == null) {
        return "UNLISTED";
      }
      return ok() ? "OK" : "MISMATCH";
    }
  }

  /**
   * @param manifestJson the manifest exactly as stored
   * @param manifest the parsed manifest
   * @param entries one check per listed or present entry
   * @param stored the bytes as read, for checks beyond the hashes without reading the file again
   */
  public record Inspection(String manifestJson, ModelManifest manifest, List<EntryCheck> entries, IntentArtifact.Stored stored) {
    public boolean ok() {
      return !entries.isEmpty() && entries.stream().allMatch(EntryCheck::ok);
    }
  }

  /**
   * Nodes by operator type of the artifact's graph as stored, for artifacts whose manifest
   * predates {@code compile.pass_stats}.
   */
  public static OpCounts modelOpCounts(Path file) {
    try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(file))) {
      for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
        if (e.getName().equals(dev.intentinference.core.model.IntentArtifact.MODEL_ENTRY)) {
          return OpCounts.of(OnnxModels.parse(zip.readAllBytes(), file + "!" + e.getName()));
        }
      }
    } catch (ZipException | EOFException e) {
      throw new IntentException(file + ": not a valid .intent artifact (corrupt or truncated zip: " + e.getMessage() + ")", e);
    } catch (IOException e) {
      throw new IntentException(file + ": cannot read: " + e.getMessage(), e);
    }
    throw new IntentException(file + ": not a valid .intent artifact (no " + dev.intentinference.core.model.IntentArtifact.MODEL_ENTRY + ")");
  }

  public static Inspection inspect(Path file) {
    if (Files.isDirectory(file)) {
      throw new IntentException(file + ": a directory, not a compiled " + IntentArtifact.EXTENSION + " artifact"
          + (Files.isRegularFile(file.resolve(ModelManifest.FILE_NAME)) ? " (a model directory: its manifest.json is plain JSON)" : ""));
    }
    // Read as the loader reads it: an inspection that passes a file the loader refuses says nothing.
    IntentArtifact.Stored stored = IntentArtifact.readStored(file);
    byte[] manifestBytes = stored.manifest();
    Map<String, byte[]> entries = stored.entries();
    ModelManifest manifest = Manifests.fromJson(manifestBytes, file.toString());
    Map<String, String> listed = manifest.files() == null ? Map.of() : manifest.files();
    List<EntryCheck> checks = new ArrayList<>();
    for (Map.Entry<String, String> l : listed.entrySet()) {
      byte[] bytes = entries.get(l.getKey());
      checks.add(new EntryCheck(l.getKey(), l.getValue(), bytes == null ? null : Hashes.sha256(bytes), bytes == null ? 0 : bytes.length));
    }
    for (Map.Entry<String, byte[]> e : entries.entrySet()) {
      if (!listed.containsKey(e.getKey())) {
        checks.add(new EntryCheck(e.getKey(), null, Hashes.sha256(e.getValue()), e.getValue().length));
      }
    }
    return new Inspection(new String(manifestBytes, StandardCharsets.UTF_8), manifest, List.copyOf(checks), stored);
  }
}
