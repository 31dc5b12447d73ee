package dev.intentinference.core.model;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.intentinference.core.IntentException;
import java.io.IOException;

/** JSON reading and writing of {@link ModelManifest}. */
public final class Manifests {
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          // format_version 1.9 read as 1 would pass a manifest this build cannot read for one it can
          .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);

  private Manifests() {}

  public static byte[] toJson(ModelManifest manifest) {
    try {
      return JSON.writeValueAsBytes(manifest);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public static ModelManifest fromJson(byte[] json, String where) {
    ModelManifest m;
    try {
      m = JSON.readValue(json, ModelManifest.class);
    } catch (IOException | IllegalArgumentException e) {
      throw new IntentException(where + ": invalid manifest.json: " + e.getMessage().lines().findFirst().orElse(""), e);
    }
    if (m == null) {
      throw new IntentException(where + ": invalid manifest.json: null, not an object");
    }
    if (m.formatVersion() < 1 || m.formatVersion() > ModelManifest.MAX_FORMAT_VERSION) {
      throw new IntentException(where + ": manifest format_version " + m.formatVersion()
          + " is not supported (this build reads 1.." + ModelManifest.MAX_FORMAT_VERSION + ")");
    }
    if (m.labels().isEmpty()) {
      throw new IntentException(where + ": manifest has no labels");
    }
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (String label : m.labels()) {
      if (!seen.add(label)) {
        // Two outputs under one name: every answer of the second would be reported as the first.
        throw new IntentException(where + ": manifest lists label '" + label + "' twice");
      }
    }
    return m;
  }

  public static ObjectMapper mapper() {
    return JSON.copy();
  }
}
