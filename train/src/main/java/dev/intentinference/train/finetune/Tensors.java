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
}
