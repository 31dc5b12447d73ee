package dev.intentinference.core.model;

import dev.intentinference.core.IntentException;
import dev.intentinference.core.io.ExitGuard;
import dev.intentinference.core.io.Hashes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * A compiled model: one {@code .intent} file (a zip) holding {@code manifest.json}, the fused
 * ONNX graph {@code model.onnx} and {@code tokenizer.json}, and for a cascade the fallback model
 * as a nested artifact ({@link CascadeInfo}). The manifest records the SHA-256 of every other
 * entry, and reading checks them all.
 *
 * <pre>{@code
 * IntentArtifact a = IntentArtifact.read(Path.of("clinc150-1.intent"));
 * byte[] onnx = a.entry(IntentArtifact.MODEL_ENTRY);
 * }</pre>
 *
 * @param manifest the artifact's manifest ({@code kind = artifact})
 * @param entries every entry but the manifest, by name
 */
public record IntentArtifact(ModelManifest manifest, Map<String, byte[]> entries) {
  public static final String EXTENSION = ".intent";
  public static final String MODEL_ENTRY = "model.onnx";
  public static final String TOKENIZER_ENTRY = "tokenizer.json";

  public byte[] entry(String name) {
    byte[] bytes = entries.get(name);
    if (bytes == null) {
      throw new IntentException("artifact has no entry " + name);
    }
    return bytes;
  }

  /**
   * The most an entry may hold. A zip of a few megabytes can declare an entry of gigabytes; read
   * whole, one stopped the process with an OutOfMemoryError. The largest real entry, a 12-layer
   * fp32 encoder fused with its head, is about 130 MB.
   */
  public static final long MAX_ENTRY_BYTES = 1L << 30;

  /**
   * An artifact's stored bytes, not yet checked against each other.
   *
   * @param manifest the manifest's bytes as stored
   * @param entries every other entry by name
   */
  public record Stored(byte[] manifest, Map<String, byte[]> entries) {}

  /** Reads an artifact and checks every entry's hash against the manifest. */
  public static IntentArtifact read(Path file) {
    return read(readStored(file), file.toString());
  }

  /** Checks entries already read ({@link #readStored}) as {@link #read(Path)} does, without reading the file again. */
  public static IntentArtifact read(Stored stored, String where) {
    return checked(where, stored.manifest(), stored.entries());
  }

  /**
   * Reads an artifact's entries as the loader does (through the zip's central directory, so a
   * truncated file fails here, and each entry at most {@link #MAX_ENTRY_BYTES}), without checking
   * them against the manifest: {@code intent inspect} reports every mismatch, not the first.
   */
  public static Stored readStored(Path file) {
    if (Files.isDirectory(file)) {
      throw new IntentException(file + ": a directory, not a compiled " + EXTENSION + " artifact");
    }
    if (!Files.isRegularFile(file)) {
      throw new IntentException(file + ": no such file");
    }
    byte[] manifestBytes = null;
    Map<String, byte[]> entries = new LinkedHashMap<>();
    // ZipFile reads the central directory at the end, so a truncated file fails here.
    try (ZipFile zip = new ZipFile(file.toFile())) {
      for (Enumeration<? extends ZipEntry> it = zip.entries(); it.hasMoreElements(); ) {
        ZipEntry e = it.nextElement();
        byte[] bytes;
        try (InputStream in = zip.getInputStream(e)) {
          bytes = readEntry(in, e, file.toString());
        }
        if (e.getName().equals(ModelManifest.FILE_NAME)) {
          manifestBytes = bytes;
        } else {
          entries.put(e.getName(), bytes);
        }
      }
    } catch (ZipException | java.io.EOFException e) {
      throw new IntentException(file + ": not a valid .intent artifact (corrupt or truncated zip: " + e.getMessage() + ")", e);
    } catch (IOException e) {
      throw new IntentException(file + ": cannot read: " + e.getMessage(), e);
    }
    if (manifestBytes == null) {
      throw new IntentException(file + ": not a valid .intent artifact (no manifest.json)");
    }
    return new Stored(manifestBytes, entries);
  }

  private static byte[] readEntry(InputStream in, ZipEntry e, String where) throws IOException {
    byte[] bytes = e.getSize() > MAX_ENTRY_BYTES ? null : in.readNBytes((int) MAX_ENTRY_BYTES + 1);
    if (bytes == null || bytes.length > MAX_ENTRY_BYTES) {
      throw new IntentException(where + ": entry " + e.getName() + " holds more than the " + (MAX_ENTRY_BYTES >> 20)
          + " MiB an artifact entry may (" + (e.getSize() >= 0 ? e.getSize() + " bytes declared" : "size not declared")
          + "); not a valid .intent artifact");
    }
    return bytes;
  }

  /**
   * Reads an artifact held in memory, e.g. the fallback nested in a cascade artifact, and checks
   * every entry's hash against its manifest.
   *
   * @param where names the bytes in messages
   */
  public static IntentArtifact read(byte[] zipBytes, String where) {
    byte[] manifestBytes = null;
    Map<String, byte[]> entries = new LinkedHashMap<>();
    try (ZipInputStream zip = new ZipInputStream(new java.io.ByteArrayInputStream(zipBytes))) {
      for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
        byte[] bytes = readEntry(zip, e, where);
        if (e.getName().equals(ModelManifest.FILE_NAME)) {
          manifestBytes = bytes;
        } else {
          entries.put(e.getName(), bytes);
        }
      }
    } catch (IOException e) {
      throw new IntentException(where + ": not a valid .intent artifact (" + e.getMessage() + ")", e);
    }
    if (manifestBytes == null) {
      throw new IntentException(where + ": not a valid .intent artifact (no manifest.json)");
    }
    return checked(where, manifestBytes, entries);
  }

  private static IntentArtifact checked(String where, byte[] manifestBytes, Map<String, byte[]> entries) {
    ModelManifest manifest = Manifests.fromJson(manifestBytes, where);
    verify(where, manifest, entries);
    CascadeInfo cascade = CascadeInfo.of(manifest);
    if (cascade != null && !entries.containsKey(CascadeInfo.ENTRY)) {
      throw new IntentException(where + ": the manifest names a fallback model but the artifact has no " + CascadeInfo.ENTRY);
    }
    return new IntentArtifact(manifest, Map.copyOf(entries));
  }

  /** The cascade's fallback model, read and checked from its nested entry; null when there is none. */
  public IntentArtifact fallback(String where) {
    if (CascadeInfo.of(manifest) == null) {
      return null;
    }
    IntentArtifact f = read(entry(CascadeInfo.ENTRY), where + "!" + CascadeInfo.ENTRY);
    if (CascadeInfo.of(f.manifest()) != null) {
      throw new IntentException(where + ": the fallback model has a fallback of its own; a cascade has two models");
    }
    return f;
  }

  /** Checks that the entries are exactly those the manifest lists, with matching hashes. */
  public static void verify(String where, ModelManifest manifest, Map<String, byte[]> entries) {
    Map<String, String> expected = manifest.files() == null ? Map.of() : manifest.files();
    for (Map.Entry<String, String> e : expected.entrySet()) {
      byte[] bytes = entries.get(e.getKey());
      if (bytes == null) {
        throw new IntentException(where + ": entry " + e.getKey() + " listed in the manifest is missing");
      }
      String actual = Hashes.sha256(bytes);
      if (!actual.equals(e.getValue())) {
        throw new IntentException(where + ": entry " + e.getKey() + " has SHA-256 " + actual
            + " but the manifest says " + e.getValue() + " (corrupted or tampered)");
      }
    }
    for (String name : entries.keySet()) {
      if (!expected.containsKey(name)) {
        throw new IntentException(where + ": entry " + name + " is not listed in the manifest");
      }
    }
    if (!entries.containsKey(MODEL_ENTRY) || !entries.containsKey(TOKENIZER_ENTRY)) {
      throw new IntentException(where + ": artifact must contain " + MODEL_ENTRY + " and " + TOKENIZER_ENTRY);
    }
  }

  /**
   * Writes the artifact atomically (temporary file, then rename): an interrupted write never
   * leaves a partial {@code .intent} file. The manifest's file hashes are computed here.
   */
  public static IntentArtifact write(Path file, ModelManifest manifest, Map<String, byte[]> entries) {
    Map<String, String> hashes = new LinkedHashMap<>();
    entries.forEach((name, bytes) -> hashes.put(name, Hashes.sha256(bytes)));
    ModelManifest complete = manifest.withFiles(hashes, ModelManifest.KIND_ARTIFACT);
    // Through the exit's guard: a signal waits for a write under way to finish, and a write not
    // yet begun never begins, so no file lands in a directory the exit is deleting.
    ExitGuard.process().run(() -> writeFile(file, complete, entries));
    return new IntentArtifact(complete, Map.copyOf(entries));
  }

  private static void writeFile(Path file, ModelManifest complete, Map<String, byte[]> entries) {
    Path target = file.toAbsolutePath().normalize();
    Path tmp = null;
    try {
      Files.createDirectories(target.getParent());
      tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
      tmp.toFile().deleteOnExit(); // Ctrl-C skips the finally below; after the rename this deletes nothing
      // Temporary files are private (0600); an artifact is meant to be read by whoever serves it.
      FilePermissions.makeWorldReadable(tmp);
      try (OutputStream out = Files.newOutputStream(tmp);
          ZipOutputStream zip = new ZipOutputStream(out)) {
        put(zip, ModelManifest.FILE_NAME, Manifests.toJson(complete));
        for (Map.Entry<String, byte[]> e : entries.entrySet()) {
          put(zip, e.getKey(), e.getValue());
        }
      }
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
      tmp = null;
    } catch (IOException e) {
      // The place is the user's choice (e.g. under /proc, or a full disk): say why, as a usage error.
      throw new IntentException("cannot write " + file + ": " + dev.intentinference.core.io.IoErrors.reason(e), e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // nothing more to do; the temporary file is hidden
        }
      }
    }
  }

  private static void put(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
    ZipEntry entry = new ZipEntry(name);
    if (storedAsIs(name)) {
      CRC32 crc = new CRC32();
      crc.update(bytes);
      entry.setMethod(ZipEntry.STORED);
      entry.setSize(bytes.length);
      entry.setCompressedSize(bytes.length);
      entry.setCrc(crc.getValue());
    }
    zip.putNextEntry(entry);
    zip.write(bytes);
    zip.closeEntry();
  }

  /**
   * Graphs and nested artifacts are stored, not deflated: deflate saved about a tenth of an ONNX
   * float graph's bytes (weights look random; an int8 graph's, about a quarter) and cost about 3 s
   * at every compile of a 3-layer encoder and a quarter to half a second at every load
   * (docs/perf.md, forty-fourth session). JSON entries shrink 3-4x and stay deflated.
   */
  private static boolean storedAsIs(String name) {
    return name.endsWith(".onnx") || name.endsWith(EXTENSION);
  }

  /** The artifact as zip bytes, for tests and in-memory shipping. */
  public static byte[] toZipBytes(ModelManifest manifest, Map<String, byte[]> entries) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      put(zip, ModelManifest.FILE_NAME, Manifests.toJson(manifest));
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        put(zip, e.getKey(), e.getValue());
      }
    }
    return bytes.toByteArray();
  }

}
