package dev.intentinference.compiler;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.intentinference.core.IntentException;
import dev.intentinference.core.io.ExitGuard;
import dev.intentinference.core.model.SequenceBuckets;
import dev.intentinference.core.onnx.OrtSessions;
import dev.intentinference.core.onnx.SessionSettings;
import dev.intentinference.core.onnx.TokenTensors;
import dev.intentinference.core.text.TextTokenizer;
import dev.intentinference.core.text.TokenBatch;
import dev.intentinference.core.text.TokenizedText;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs the float graph over calibration texts and records the distribution of chosen activation
 * tensors (the inputs of the MatMuls {@link StaticQuantizer} will quantize), by adding them to the
 * graph's outputs. Texts are tokenized and padded as serving does (the artifact's tokenizer, max
 * length and buckets), in batches of {@value #BATCH} in the order given, so padding rows are
 * calibrated too, as they are quantized with the same constants when serving batches requests.
 *
 * <pre>{@code
 * Map<String, ActivationHistogram> seen = new ActivationCalibrator(graph, tokenizerJson, 128, List.of(), settings)
 *     .run(Set.of("/encoder/layer.0/attention/output/LayerNorm_output_0"), texts);
 * }</pre>
 */
final class ActivationCalibrator {
  static final int BATCH = 8;

  private final ModelProto graph;
  private final byte[] tokenizer;
  private final int maxLength;
  private final SequenceBuckets buckets;
  private final SessionSettings settings;

  ActivationCalibrator(ModelProto graph, byte[] tokenizer, int maxLength, List<Integer> buckets, SessionSettings settings) {
    this.graph = graph;
    this.tokenizer = tokenizer;
    this.maxLength = maxLength;
    this.buckets = new SequenceBuckets(buckets.stream().mapToInt(Integer::intValue).toArray());
    this.settings = settings;
  }

  /** @return each tensor's histogram, in the order asked */
  Map<String, ActivationHistogram> run(Set<String> tensors, List<String> texts) {
    Map<String, ActivationHistogram> out = new LinkedHashMap<>();
    tensors.forEach(t -> out.put(t, new ActivationHistogram()));
    visit(tensors, texts, (name, values, n, channels) -> out.get(name).add(values, 0, n));
    return out;
  }

  /**
   * @return for each tensor, the largest absolute value seen in each channel (its last
   *     dimension), in the order asked
   */
  Map<String, float[]> channelMaxima(Set<String> tensors, List<String> texts) {
    Map<String, float[]> out = new LinkedHashMap<>();
    visit(tensors, texts, (name, values, n, channels) -> {
      float[] max = out.computeIfAbsent(name, k -> new float[channels]);
      if (max.length != channels) {
        throw new IntentException("calibration: " + name + " changed its last dimension from " + max.length + " to " + channels);
      }
      for (int i = 0; i < n; i++) {
        int c = i % channels;
        max[c] = Math.max(max[c], Math.abs(values[i]));
      }
    });
    return out;
  }

  /** Receives one batch's values of one tensor: {@code values[0..n)}, {@code channels} per row. */
  private interface BatchVisitor {
    void accept(String tensor, float[] values, int n, int channels);
  }

  private void visit(Set<String> tensors, List<String> texts, BatchVisitor visitor) {
    if (tensors.isEmpty()) {
      return;
    }
    Set<String> outputs = new LinkedHashSet<>(tensors);
    float[][] scratch = {new float[0]}; // one buffer for every batch, grown as needed
    try (TextTokenizer tok = TextTokenizer.fromBytes(tokenizer, maxLength)) {
      OrtSession session = OrtSessions.create(withOutputs(graph, tensors).toByteArray(), settings);
      try {
        boolean typeIds = session.getInputNames().contains("token_type_ids");
        for (int start = 0; start < texts.size(); start += BATCH) {
          List<TokenizedText> tokens = tok.encodeAll(texts.subList(start, Math.min(texts.size(), start + BATCH)));
          int longest = tokens.stream().mapToInt(TokenizedText::length).max().orElse(1);
          TokenBatch batch = TokenBatch.pack(tokens, buckets.padTo(longest));
          // The tensors, the run and their release are native code the exit must not race (ExitGuard).
          ExitGuard.process().run(() -> {
            try (TokenTensors in = TokenTensors.of(batch, typeIds);
                OrtSession.Result r = session.run(in.inputs(), outputs)) {
              for (String name : tensors) {
                OnnxTensor tensor = (OnnxTensor) r.get(name).orElseThrow();
                long[] shape = tensor.getInfo().getShape();
                FloatBuffer values = tensor.getFloatBuffer();
                int n = values.remaining();
                if (scratch[0].length < n) {
                  scratch[0] = new float[n];
                }
                values.get(scratch[0], 0, n);
                visitor.accept(name, scratch[0], n, shape.length == 0 ? 1 : (int) shape[shape.length - 1]);
              }
            }
          });
        }
      } finally {
        OrtSessions.close(session);
      }
    } catch (OrtException e) {
      throw new IntentException("calibration: ONNX Runtime failed: " + OfflineOptimizer.firstLine(e.getMessage()), e);
    }
  }

  /** The graph with the given intermediate tensors added to its outputs (float, any shape). */
  static ModelProto withOutputs(ModelProto model, Set<String> tensors) {
    GraphProto.Builder g = model.getGraph().toBuilder();
    Set<String> present = new LinkedHashSet<>();
    g.getOutputList().forEach(o -> present.add(o.getName()));
    List<ValueInfoProto> added = new ArrayList<>();
    for (String t : tensors) {
      if (present.add(t)) {
        added.add(ValueInfoProto.newBuilder().setName(t)
            .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE)))
            .build());
      }
    }
    g.addAllOutput(added);
    return model.toBuilder().setGraph(g).build();
  }
}
