package dev.intentinference.core.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import dev.intentinference.core.text.TokenBatch;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * A packed batch as the int64 {@code [batch, sequence]} inputs of a BERT-style graph
 * ({@code input_ids}, {@code attention_mask} and, when the graph takes it, {@code token_type_ids}).
 * The tensors wrap the batch's arrays without copying; close them after the run.
 *
 * <pre>{@code
 * try (TokenTensors in = TokenTensors.of(batch, session.getInputNames().contains("token_type_ids"));
 *      OrtSession.Result r = session.run(in.inputs())) { ... }
 * }</pre>
 */
public final class TokenTensors implements AutoCloseable {
  private final Map<String, OnnxTensor> inputs;

  private TokenTensors(Map<String, OnnxTensor> inputs) {
    this.inputs = inputs;
  }

  public static TokenTensors of(TokenBatch batch, boolean withTypeIds) throws OrtException {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    long[] shape = {batch.batch(), batch.sequenceLength()};
    Map<String, OnnxTensor> inputs = new HashMap<>(4);
    TokenTensors tensors = new TokenTensors(inputs);
    try {
      inputs.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(batch.ids()), shape));
      inputs.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(batch.attentionMask()), shape));
      if (withTypeIds) {
        inputs.put("token_type_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(batch.typeIds()), shape));
      }
      return tensors;
    } catch (OrtException | RuntimeException e) {
      tensors.close();
      throw e;
    }
  }

  public Map<String, OnnxTensor> inputs() {
    return inputs;
  }

  @Override
  public void close() {
    inputs.values().forEach(OnnxTensor::close);
  }
}
