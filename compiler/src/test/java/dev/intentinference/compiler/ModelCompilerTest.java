package dev.intentinference.compiler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.intentinference.core.IntentException;
import dev.intentinference.core.encoder.EncoderRegistry;
import dev.intentinference.core.model.IntentArtifact;
import dev.intentinference.core.model.IntentPredictor;
import dev.intentinference.core.model.IntentScorer;
import dev.intentinference.core.model.LoadOptions;
import dev.intentinference.core.model.ModelLoader;
import dev.intentinference.core.model.ModelManifest;
import dev.intentinference.core.model.Scores;
import dev.intentinference.core.onnx.SessionSettings;
import dev.intentinference.core.text.TextTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compiles a real model (default int8 bge encoder + centroid head) and checks the artifact. */
class ModelCompilerTest {
  @TempDir static Path shared;
  @TempDir Path tmp;
  static Path model;
  static final LoadOptions ONE_THREAD = LoadOptions.defaults().withSession(SessionSettings.singleThread());

  @BeforeAll
  static void buildModel() {
    model = Fixtures.centroidModel(shared.resolve("model"), EncoderRegistry.DEFAULT_ID);
  }

  @Test
  void fusedGraphAgreesWithTheUncompiledModelAndLoadsEverywhere() throws Exception {
    CompileOptions opts = CompileOptions.defaults().withBuckets(List.of(16, 32, 64, 512));
    ModelCompiler.CompileResult r = new ModelCompiler(opts).compile(ModelDirectorySource.open(model), tmp);

    assertThat(r.artifact().getFileName().toString()).isEqualTo("demo-3.intent");
    assertThat(r.report().examples()).isEqualTo(200);
    assertThat(r.report().top1Agreement()).as("fp32 fusion changes no decision").isEqualTo(1.0);
    assertThat(r.report().maxAbsDiff()).as("fp32 fusion reproduces probabilities").isLessThan(1e-4);
    Map<String, Object> c = r.manifest().compile();
    assertThat(c).containsEntry("target", "cpu").containsEntry("precision", "fp32").containsEntry("max_length", 512)
        .containsEntry("buckets", List.of(16, 32, 64, 512)).containsKeys("passes", "provider_options", "verification", "source");
    assertThat(r.manifest().kind()).isEqualTo(ModelManifest.KIND_ARTIFACT);
    assertThat(r.manifest().files()).containsKeys(IntentArtifact.MODEL_ENTRY, IntentArtifact.TOKENIZER_ENTRY);

    List<String> texts = List.of("what is my balance", "is it going to rain tomorrow", "i can't find my card anywhere");
    try (IntentPredictor dir = ModelLoader.open(model, ONE_THREAD);
        IntentPredictor art = ModelLoader.open(r.artifact(), ONE_THREAD)) {
      for (String t : texts) {
        assertThat(art.predict(t).intent()).as(t).isEqualTo(dir.predict(t).intent());
        // The artifact pads to its 16-token bucket and the int8 encoder quantizes activations per
        // tensor (padding included), so confidences differ slightly from the unpadded model's.
        assertThat(art.predict(t).confidence()).as(t).isCloseTo(dir.predict(t).confidence(), org.assertj.core.data.Offset.offset(0.02));
      }
      assertThat(art.predict("is my flight to denver delayed").intent()).isEqualTo("flight");
    }
  }

  @Test
  void int8KeepsTheQuantizedEncoderAndTheFloatHead() {
    ModelCompiler.CompileResult r = new ModelCompiler(Fixtures.quick().withPrecision(Precision.INT8))
        .compile(ModelDirectorySource.open(model), tmp.resolve("x.intent"));
    assertThat(r.manifest().compile()).containsEntry("precision", "int8");
    assertThat(r.manifest().compile().get("passes").toString()).contains("0 MatMul/Gemm quantized");
    assertThat(r.report().top1Agreement()).isEqualTo(1.0);
  }

  @Test
  void maxLengthTruncatesAndIsRecorded() throws Exception {
    ModelCompiler.CompileResult r = new ModelCompiler(CompileOptions.defaults().withMaxLength(16).withBuckets(List.of(8, 16)))
        .compile(ModelDirectorySource.open(model), tmp.resolve("short.intent"));
    assertThat(r.manifest().maxLength()).isEqualTo(16);
    assertThat(r.report().skippedTruncated()).as("long built-in sentences are cut only by the artifact").isPositive();
    try (IntentScorer s = ModelLoader.openScorer(r.artifact(), ONE_THREAD)) {
      Scores scores = s.score(List.of("word ".repeat(40), "hi"));
      assertThat(scores.truncated()).containsExactly(true, false);
    }
  }

  @Test
  void gpuTargetCompilesHereButLoadsOnlyWithAGpuOrExplicitFallback() {
    Path out = tmp.resolve("gpu.intent");
    ModelCompiler.CompileResult r = new ModelCompiler(Fixtures.quick().withTarget(Target.CUDA)).compile(ModelDirectorySource.open(model), out);
    assertThat(r.manifest().compile()).containsEntry("target", "cuda");
    assertThat(r.manifest().compile().get("provider_options").toString()).contains("CUDAExecutionProvider");
    assertThatThrownBy(() -> ModelLoader.open(out, ONE_THREAD))
        .isInstanceOf(IntentException.class).hasMessageContaining("compiled for cuda").hasMessageContaining("fallback");
    try (IntentPredictor p = ModelLoader.open(out, ONE_THREAD.withAllowCpuFallback(true))) {
      assertThat(p.predict("what is my account balance").intent()).isEqualTo("balance");
    }
  }

  @Test
  void refusesToWriteWhenTheArtifactDisagreesWithTheModel() {
    CompileSource real = ModelDirectorySource.open(model);
    // A reference whose probabilities are reversed: every top-1 decision differs from the artifact's.
    CompileSource disagreeing = new DelegatingSource(real) {
      @Override
      public IntentScorer reference(SessionSettings settings) {
        IntentScorer s = real.reference(settings);
        return new ReversedScorer(s);
      }
    };
    Path out = tmp.resolve("never.intent");
    assertThatThrownBy(() -> new ModelCompiler(Fixtures.quick()).compile(disagreeing, out))
        .isInstanceOf(IntentException.class).hasMessageContaining("below --min-agreement");
    assertThat(out).doesNotExist();
    assertThat(listing(tmp)).isEmpty();
  }

  @Test
  void rejectsBadOptionsNamingTheOption() {
    assertThatThrownBy(() -> Target.parse("tpu")).isInstanceOf(IntentException.class).hasMessageContaining("--target").hasMessageContaining("tpu");
    assertThatThrownBy(() -> Precision.parse("int4")).isInstanceOf(IntentException.class).hasMessageContaining("--precision");
    assertThatThrownBy(() -> CompileOptions.defaults().withBuckets(List.of(64, 32))).hasMessageContaining("ascending");
    assertThatThrownBy(() -> CompileOptions.defaults().withMaxLength(128).withBuckets(List.of(16, 64))).hasMessageContaining("largest bucket");
    assertThatThrownBy(() -> CompileOptions.defaults().withMinAgreement(1.5)).hasMessageContaining("--min-agreement");
    assertThatThrownBy(() -> CompileOptions.defaults().withPrecision(Precision.FP16)).hasMessageContaining("cuda or tensorrt");
    assertThatThrownBy(() -> CompileOptions.parseBuckets("16,x")).hasMessageContaining("'x'");
    assertThatThrownBy(() -> CompileOptions.defaults().withKeepFloat("layer[")).hasMessageContaining("--int8-keep-float");
  }

  @Test
  void fp16NeedsAFloatEncoder() {
    CompileOptions o = CompileOptions.defaults().withTarget(Target.CUDA).withPrecision(Precision.FP16);
    assertThatThrownBy(() -> new ModelCompiler(o).compile(ModelDirectorySource.open(model), tmp.resolve("h.intent")))
        .isInstanceOf(IntentException.class).hasMessageContaining("already quantized");
    assertThat(listing(tmp)).isEmpty();
  }

  static List<Path> listing(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.toList();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Forwards everything to another source. */
  static class DelegatingSource implements CompileSource {
    final CompileSource d;

    DelegatingSource(CompileSource d) {
      this.d = d;
    }

    @Override public ModelManifest manifest() { return d.manifest(); }
    @Override public byte[] tokenizer() { return d.tokenizer(); }
    @Override public ai.onnx.proto.OnnxMl.ModelProto fusedGraph() { return d.fusedGraph(); }
    @Override public IntentScorer reference(SessionSettings s) { return d.reference(s); }
    @Override public String kind() { return d.kind(); }
    @Override public String sha256() { return d.sha256(); }
    @Override public String location() { return d.location(); }
  }

  /** Reverses each probability row, so the argmax moves. */
  record ReversedScorer(IntentScorer s) implements IntentScorer {
    @Override public ModelManifest manifest() { return s.manifest(); }
    @Override public TextTokenizer tokenizer() { return s.tokenizer(); }
    @Override public void close() { s.close(); }

    @Override
    public Scores score(List<String> texts, int padTo) {
      Scores sc = s.score(texts, padTo);
      float[][] p = sc.probabilities();
      for (float[] row : p) {
        for (int i = 0, j = row.length - 1; i < j; i++, j--) {
          float t = row[i];
          row[i] = row[j];
          row[j] = t;
        }
      }
      return sc;
    }
  }
}
