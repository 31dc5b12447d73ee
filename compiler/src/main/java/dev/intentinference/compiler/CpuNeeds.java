package dev.intentinference.compiler;

import dev.intentinference.core.model.CpuRequirements;
import dev.intentinference.core.model.CpuRequirements.IfMissing;
import dev.intentinference.core.model.CpuRequirements.Need;
import dev.intentinference.core.onnx.CpuFeatures;
import java.util.ArrayList;
import java.util.List;

/**
 * Which CPU features the compiled graph depends on, given the CPU it was verified on: recorded in
 * the manifest so a loading machine can tell whether what was measured still holds
 * ({@link CpuRequirements}).
 *
 * <ul>
 *   <li>int8 matrix products verified on an x86 CPU with VNNI (or AMX): without it ONNX Runtime
 *       runs slower uint8 x int8 kernels. A warning.
 *   <li>our own 8-bit weights ({@code --int8-weight-bits 8}) verified with VNNI: x86 CPUs without
 *       it compute uint8 x int8 with {@code vpmaddubsw}, whose int16 pair sums saturate for
 *       full-range weights, so answers can differ from the verified ones. A refusal. (Verified
 *       without VNNI, the saturation was part of what verification measured: no need.)
 * </ul>
 *
 * <pre>{@code
 * List<Need> needs = CpuNeeds.of(OpCounts.of(graph), options, quantized, CpuFeatures.current());
 * }</pre>
 */
final class CpuNeeds {
  /** Operators that multiply int8/uint8 matrices on the CPU. */
  static final List<String> INT8_MATRIX_OPS = List.of("MatMulInteger", "MatMulIntegerToFloat", "DynamicQuantizeMatMul",
      "QLinearMatMul", "QGemm", "QAttention", "ConvInteger", "QLinearConv");

  private CpuNeeds() {}

  /**
   * @param graph the final graph's operator counts
   * @param quantized MatMul/Gemm nodes our quantizer rewrote (0 when it did not run)
   * @param verifiedOn the CPU verification ran on (this machine)
   */
  static List<Need> of(OpCounts graph, CompileOptions options, int quantized, CpuFeatures verifiedOn) {
    List<Need> needs = new ArrayList<>();
    if (options.target() != Target.CPU || !verifiedOn.isX86() || !verifiedOn.hasAny(CpuFeatures.INT8_DOT_PRODUCT)) {
      return needs;
    }
    int int8Ops = INT8_MATRIX_OPS.stream().mapToInt(graph::count).sum();
    if (int8Ops > 0) {
      needs.add(new Need(CpuFeatures.INT8_DOT_PRODUCT, "x86_64", IfMissing.WARN, int8Ops
          + " int8 matrix-product nodes were verified with VNNI dot products; without them ONNX Runtime runs slower"
          + " uint8 x int8 kernels, so throughput measured on the compiling machine will not hold"));
    }
    if (options.precision() == Precision.INT8 && options.weightBits() == 8 && quantized > 0) {
      needs.add(new Need(CpuFeatures.INT8_DOT_PRODUCT, "x86_64", IfMissing.REFUSE, quantized
          + " MatMul/Gemm nodes have full-range 8-bit weights (--int8-weight-bits 8), verified with VNNI; x86 CPUs"
          + " without it saturate uint8 x int8 pair sums, so answers could differ from the verified ones;"
          + " recompile with --int8-weight-bits 7 (the default) to serve on this CPU"));
    }
    return needs;
  }
}
