package dev.intentinference.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.intentinference.core.io.SafeTensors;
import dev.intentinference.core.model.IntentArtifact;
import dev.intentinference.core.model.IntentDecoder;
import dev.intentinference.core.model.IntentPrediction;
import dev.intentinference.core.model.ModelManifest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FormatsTest {
  @TempDir Path tmp;

  @Test
  void safeTensorsRoundTripAndHeaderLayout() {
    Map<String, SafeTensors.Tensor> t = new LinkedHashMap<>();
    t.put("w", new SafeTensors.Tensor(new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6}));
    t.put("b", new SafeTensors.Tensor(new long[] {2}, new float[] {-1, 0.5f}));
    byte[] file = SafeTensors.write(t);
    long headerLength = java.nio.ByteBuffer.wrap(file).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
    assertThat(headerLength % 8).isZero();
    assertThat(file.length).isEqualTo(8 + headerLength + 4 * 8);
    Map<String, SafeTensors.Tensor> back = SafeTensors.read(file);
    assertThat(back.get("w").values()).containsExactly(1, 2, 3, 4, 5, 6);
    assertThat(back.get("b").shape()).containsExactly(2);
    assertThatThrownBy(() -> SafeTensors.read(Arrays.copyOf(file, 20))).isInstanceOf(IntentException.class);
  }

  @Test
  void decoderRejectsBelowThresholdButStillNamesTheBestIntent() {
    IntentDecoder d = new IntentDecoder(List.of("a", "b", "c"), 0.5, 2, "7");
    IntentPrediction sure = d.decode("x", new float[] {0.1f, 0.8f, 0.1f}, false);
    assertThat(sure.intent()).isEqualTo("b");
    assertThat(sure.outOfScope()).isFalse();
    assertThat(sure.top()).extracting(s -> s.intent()).containsExactly("b", "a");
    IntentPrediction unsure = d.decode("y", new float[] {0.3f, 0.3f, 0.4f}, true);
    assertThat(unsure.intent()).isEqualTo("c");
    assertThat(unsure.outOfScope()).isTrue();
    assertThat(unsure.truncated()).isTrue();
  }

  @Test
  void explicitOutOfScopeClassIsNeverTheIntent() {
    IntentDecoder d = new IntentDecoder(List.of("a", "oos", "b"), 0.0, 3, "1");
    IntentPrediction p = d.decode("z", new float[] {0.2f, 0.7f, 0.1f}, false);
    assertThat(p.intent()).isEqualTo("a");
    assertThat(p.outOfScope()).isTrue();
    assertThat(p.top()).hasSize(2);
  }

  @Test
  void artifactChecksEveryEntryAndNeverLeavesPartialFiles() throws Exception {
    ModelManifest m = new ModelManifest(1, "artifact", "demo", "1", List.of("a", "b"), null, null, null, null, null, null, null, null);
    Path file = tmp.resolve("demo-1.intent");
    IntentArtifact.write(file, m, Map.of("model.onnx", new byte[] {1, 2}, "tokenizer.json", new byte[] {3}));
    IntentArtifact read = IntentArtifact.read(file);
    assertThat(read.manifest().files()).containsOnlyKeys("model.onnx", "tokenizer.json");
    try (var files = Files.list(tmp)) {
      assertThat(files).containsExactly(file);
    }
    assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-r--r--");

    // Same entries, but one changed after the manifest was written.
    ModelManifest stale = read.manifest();
    Files.write(file, IntentArtifact.toZipBytes(stale, Map.of("model.onnx", new byte[] {9, 9}, "tokenizer.json", new byte[] {3})));
    assertThatThrownBy(() -> IntentArtifact.read(file)).isInstanceOf(IntentException.class)
        .hasMessageContaining("model.onnx has SHA-256").hasMessageContaining("tampered");

    byte[] whole = IntentArtifact.toZipBytes(stale, read.entries());
    Files.write(file, Arrays.copyOf(whole, whole.length / 2));
    assertThatThrownBy(() -> IntentArtifact.read(file)).isInstanceOf(IntentException.class)
        .hasMessageContaining("not a valid .intent artifact");
  }

  /**
   * Graphs and nested artifacts are stored as they are (they barely compress, and deflating costs
   * seconds per compile), JSON is deflated; both kinds read back the same from a file and from
   * bytes, and a stored entry changed on disk is still caught by its hash.
   */
  @Test
  void graphsAreStoredAndJsonDeflated() throws Exception {
    ModelManifest m = new ModelManifest(1, "artifact", "demo", "1", List.of("a", "b"), null, null, null, null, null, null, null, null);
    byte[] graph = new byte[100_000];
    new Random(7).nextBytes(graph);
    byte[] tokenizer = "{\"model\": {\"vocab\": {}}}".repeat(1000).getBytes(StandardCharsets.UTF_8);
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("model.onnx", graph);
    entries.put("tokenizer.json", tokenizer);
    entries.put("fallback.intent", Arrays.copyOf(graph, 5_000));
    Path file = tmp.resolve("demo-1.intent");
    IntentArtifact written = IntentArtifact.write(file, m, entries);
    Map<String, Integer> methods = new LinkedHashMap<>();
    try (ZipFile zip = new ZipFile(file.toFile())) {
      zip.stream().forEach(e -> methods.put(e.getName(), e.getMethod()));
    }
    assertThat(methods).containsExactly(Map.entry("manifest.json", ZipEntry.DEFLATED),
        Map.entry("model.onnx", ZipEntry.STORED), Map.entry("tokenizer.json", ZipEntry.DEFLATED),
        Map.entry("fallback.intent", ZipEntry.STORED));
    assertThat(Files.size(file)).isLessThan(graph.length + 5_000 + tokenizer.length / 10);
    assertThat(IntentArtifact.read(file).entries().get("model.onnx")).isEqualTo(graph);
    IntentArtifact fromBytes = IntentArtifact.read(IntentArtifact.toZipBytes(written.manifest(), entries), "nested");
    assertThat(fromBytes.entries().get("model.onnx")).isEqualTo(graph);
    assertThat(fromBytes.entries().get("tokenizer.json")).isEqualTo(tokenizer);

    byte[] bytes = Files.readAllBytes(file);
    int start = new String(bytes, StandardCharsets.ISO_8859_1).indexOf(new String(graph, 0, 64, StandardCharsets.ISO_8859_1));
    assertThat(start).as("a stored graph is in the file verbatim").isNotNegative();
    bytes[start + 1_000] ^= 1;
    Files.write(file, bytes);
    assertThatThrownBy(() -> IntentArtifact.read(file)).isInstanceOf(IntentException.class).hasMessageContaining("model.onnx");
  }
}
