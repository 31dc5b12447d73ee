package dev.intentinference.train.finetune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Tensors whose memory libtorch owns. DJL's {@code create} wraps a Java direct buffer without
 * copying it ({@code torch::from_blob}), so the tensor is only as safe as that buffer's lifetime;
 * autograd keeps some inputs (token ids, targets) for the backward pass and parameters live for a
 * whole run. With wrapped buffers, gradients occasionally came out NaN or absurdly large in the
 * first run of a JVM; copies into libtorch's own memory made those runs repeat exactly.
 *
 * <p>The same holds for DJL's arithmetic with a Java number ({@code x.div(2f)}): it wraps the
 * number in a direct buffer, runs the operation and closes the wrapper at once. Autograd keeps the
 * wrapper's tensor for the backward pass (a quotient's gradient needs its divisor), but nothing
 * keeps the buffer: once the garbage collector has freed it, the backward pass reads whatever
 * memory took its place (a test shows NaN gradients). Every constant on a path gradients flow back
 * through is therefore a {@link #scalar}.
 */
final class Tensors {
  private Tensors() {}

  static NDArray owned(NDManager m, float[] values, Shape shape) {
    try (NDArray wrapped = m.create(values, shape)) {
      return wrapped.duplicate();
    }
  }

  static NDArray owned(NDManager m, long[] values, Shape shape) {
    try (NDArray wrapped = m.create(values, shape)) {
      return wrapped.duplicate();
    }
  }

  /** A 0-dimensional float tensor holding {@code value}, in memory libtorch owns. */
  static NDArray scalar(NDManager m, float value) {
    return owned(m, new float[] {value}, new Shape());
  }
}
