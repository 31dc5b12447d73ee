package dev.intentinference.compiler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.intentinference.core.encoder.EncoderRegistry;
import dev.intentinference.core.encoder.EncoderSpec;
import dev.intentinference.core.io.ClasspathResources;
import dev.intentinference.core.io.Hashes;
import dev.intentinference.core.model.Activation;
import dev.intentinference.core.model.BuildInfo;
import dev.intentinference.core.model.CentroidModelBuilder;
import dev.intentinference.core.model.ClassifierHead;
import dev.intentinference.core.model.DenseLayer;
import dev.intentinference.core.model.EncoderRef;
import dev.intentinference.core.model.HeadInfo;
import dev.intentinference.core.model.ModelDirectory;
import dev.intentinference.core.model.ModelManifest;
import dev.intentinference.core.model.ThresholdInfo;
import dev.intentinference.core.onnx.SentenceEncoder;
import dev.intentinference.core.onnx.SessionSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model whose head reads two concatenated encoders (int8 and fp32 MiniLM, one tokenizer) with a
 * two-layer GELU head: both graphs are stacked under one set of token inputs.
 */
class TwoEncoderFusionTest {
  @TempDir Path tmp;

  @Test
  void stacksTwoEncodersAndAMultiLayerHeadInOneGraph() {
    List<EncoderSpec> specs = List.of(EncoderRegistry.builtIn().get("all-minilm-l6-v2-q"), EncoderRegistry.builtIn().get("all-minilm-l6-v2"));
    Map<String, List<String>> ex = Fixtures.examples();
    int labels = ex.size();
    float[] first = new float[labels * 768];
    for (int e = 0; e < 2; e++) {
      try (SentenceEncoder enc = SentenceEncoder.load(specs.get(e), SessionSettings.singleThread())) {
        float[] w = new CentroidModelBuilder(enc, "x", "1").head(ex).layers().get(0).weights();
        for (int l = 0; l < labels; l++) {
          System.arraycopy(w, l * 384, first, l * 768 + e * 384, 384);
        }
      }
    }
    // layer 0: [labels, 768] centroid similarities, GELU; layer 1: identity-like mixing to logits.
    float[] mix = new float[labels * labels];
    for (int i = 0; i < labels; i++) {
      mix[i * labels + i] = 1f;
    }
    ClassifierHead head = new ClassifierHead(List.of(
        new DenseLayer(768, labels, first, new float[labels], Activation.GELU),
        new DenseLayer(labels, labels, mix, new float[labels], Activation.NONE)));
    byte[] tokenizer = ClasspathResources.readAll(specs.get(0).tokenizerResource());
    List<EncoderRef> refs = new ArrayList<>();
    specs.forEach(s -> refs.add(EncoderRef.of(s, Hashes.sha256(tokenizer))));
    ModelManifest m = new ModelManifest(ModelManifest.FORMAT_VERSION, ModelManifest.KIND_MODEL, "two", "1",
        new ArrayList<>(ex.keySet()), refs, new ThresholdInfo(0, "given", null),
        new HeadInfo(ModelDirectory.HEAD_FILE, "safetensors-f32", head.activationNames()), null, null, null, null,
        BuildInfo.current("test", null, null));
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put(ModelDirectory.HEAD_FILE, head.toSafeTensors());
    files.put(ModelDirectory.TOKENIZER_FILE, tokenizer);
    Path dir = tmp.resolve("two");
    ModelDirectory.write(dir, m, files);

    ModelCompiler.CompileResult r = new ModelCompiler(Fixtures.quick())
        .compile(ModelDirectorySource.open(dir), tmp.resolve("two.intent"));
    assertThat(r.report().top1Agreement()).isEqualTo(1.0);
    assertThat(r.report().maxAbsDiff()).isLessThan(1e-3);
    assertThat(r.manifest().encoders()).hasSize(2);
    assertThat(r.manifest().maxLength()).isEqualTo(256);

    // Attention fusion finds both encoders' blocks under their enc0/ and enc1/ prefixes: the int8
    // one's become QAttention, the fp32 one's Attention, and the answers stay the same.
    ModelCompiler.CompileResult fused = new ModelCompiler(Fixtures.quick().withFuseAttention(true))
        .compile(ModelDirectorySource.open(dir), tmp.resolve("two-fused.intent"));
    assertThat(fused.manifest().compile().get("passes").toString())
        .contains("12 self-attention blocks fused: 6 Attention, 6 QAttention; 0 left unfused");
    assertThat(fused.report().top1Agreement()).isEqualTo(1.0);
    assertThat(fused.report().maxAbsDiff()).isLessThan(1e-3);
  }
}
