package dev.intentinference.compiler;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.intentinference.core.IntentException;
import dev.intentinference.core.data.Columns;
import dev.intentinference.core.data.DataFormat;
import dev.intentinference.core.data.DatasetReader;
import dev.intentinference.core.data.LabeledText;
import dev.intentinference.core.onnx.SessionSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The static int8 pass of {@code intent compile --calibration-data}: calibrates the activations
 * of the quantizable MatMul/Gemm nodes on the float graph, decides which are quantized with
 * constants and rewrites those ({@link StaticQuantizer}). The rest stay for the dynamic pass. In an
 * encoder shipped in int8, the same rule gives its run-time quantizations constant ranges.
 *
 * <p>An activation stays dynamic when a node reading it matches {@code --int8-keep-dynamic}, or
 * when its exact range is more than {@code --calibration-max-outlier-ratio} times the range of
 * its central 99.99% of values ({@link ActivationRange#outlierRatio()}): for such a tensor a
 * constant range either clips the outliers or spends the 256 levels on them, while a range
 * taken per batch is tight whenever the batch has none.
 *
 * <pre>{@code
 * List<String> texts = CalibratedQuantization.read(options.calibration());
 * CalibratedQuantization.Result r = CalibratedQuantization.apply(graph, keepFloat, options, texts, "data_full.json:train",
 *     tokenizerJson, 128, settings);
 * }</pre>
 */
final class CalibratedQuantization {
  private CalibratedQuantization() {}

  /**
   * @param model the graph with static quantization applied
   * @param quantized MatMul/Gemm nodes whose weights this pass quantized, activations with constants
   *     (a shipped int8 encoder's products, given constant ranges, keep their weights and are not counted)
   * @param dynamicNodes quantizable MatMul/Gemm nodes left for dynamic quantization
   * @param description the manifest's {@code passes} entry
   * @param record the manifest's {@code compile.calibration} section
   */
  record Result(ModelProto model, int quantized, int dynamicNodes, String description, Map<String, Object> record) {}

  /** The calibration texts: the file's (CLINC150 JSON: the split's), at most {@code limit}, spread over it. */
  static List<String> read(CalibrationOptions c) {
    return readTexts(c.data(), c.split(), c.limit(), "--calibration-data");
  }

  /**
   * @param option the command-line option that named the file, for error messages
   * @return the file's texts (CLINC150 JSON: the split's), at most {@code limit}, spread over it
   */
  static List<String> readTexts(Path file, String split, int limit, String option) {
    DatasetReader reader = new DatasetReader(Columns.DEFAULT);
    List<LabeledText> rows;
    try {
      // The reader's own messages name the file and what is wrong with it.
      rows = DataFormat.of(file) == DataFormat.CLINC_JSON ? reader.read(file, split) : reader.read(file);
    } catch (IntentException e) {
      throw new IntentException(option + ": " + e.getMessage(), e);
    }
    if (rows.isEmpty()) {
      throw new IntentException(option + ": " + file + ": no texts to calibrate on");
    }
    return (rows.size() <= limit ? rows : Verifier.spread(rows, limit)).stream().map(LabeledText::text).toList();
  }

  /** What the manifest calls a calibration file: its name, and the split for CLINC150 JSON. */
  static String name(Path data, String split) {
    return data.getFileName() + (DataFormat.of(data) == DataFormat.CLINC_JSON ? ":" + split : "");
  }

  /** What the manifest calls the calibration data: the file name, and the split for CLINC150 JSON. */
  static String name(CalibrationOptions c) {
    return name(c.data(), c.split());
  }

  static Result apply(ModelProto graph, Predicate<NodeProto> keepFloat, CompileOptions options, List<String> texts,
      String dataName, byte[] tokenizer, int maxLength, SessionSettings settings) {
    CalibrationOptions c = options.calibration();
    Pattern keepDynamic = c.keepDynamic() == null ? null : Pattern.compile(c.keepDynamic());
    Set<String> toObserve = new LinkedHashSet<>(StaticQuantizer.activations(graph, keepFloat));
    Set<String> shipped = StaticQuantizer.runTimeQuantized(graph, keepFloat);
    toObserve.addAll(shipped);
    Map<String, ActivationHistogram> seen = new ActivationCalibrator(graph, tokenizer, maxLength, options.buckets(), settings)
        .run(toObserve, texts);
    // Activations read by a node the user keeps dynamic stay dynamic for every reader: one
    // activation has one quantization.
    Set<String> forcedDynamic = new LinkedHashSet<>();
    Map<String, Integer> readers = new LinkedHashMap<>();
    Map<String, TensorProto> inits = new LinkedHashMap<>();
    graph.getGraph().getInitializerList().forEach(t -> inits.put(t.getName(), t));
    // In a shipped int8 graph the products are the integer MatMuls reading a run-time
    // quantization's output; the graph is in topological order, so that node comes first.
    Map<String, String> runTimeQuantizedBy = new LinkedHashMap<>();
    for (NodeProto n : graph.getGraph().getNodeList()) {
      String activation = null;
      if (!keepFloat.test(n) && DynamicQuantizer.hasQuantizableWeight(n, inits)) {
        activation = n.getInput(0);
        readers.merge(activation, 1, Integer::sum);
      } else if (StaticQuantizer.isRunTimeQuantization(n) && shipped.contains(n.getInput(0))) {
        activation = n.getInput(0);
        runTimeQuantizedBy.put(n.getOutput(0), activation);
      } else if (n.getOpType().equals("MatMulInteger") && runTimeQuantizedBy.containsKey(n.getInput(0))) {
        activation = runTimeQuantizedBy.get(n.getInput(0));
        readers.merge(activation, 1, Integer::sum);
      }
      if (activation != null && keepDynamic != null && keepDynamic.matcher(n.getName()).find()) {
        forcedDynamic.add(activation);
      }
    }
    Map<String, ActivationRange> ranges = new LinkedHashMap<>();
    List<Map<String, Object>> tensors = new ArrayList<>();
    int outliers = 0;
    int forced = 0;
    for (Map.Entry<String, ActivationHistogram> e : seen.entrySet()) {
      ActivationRange r = e.getValue().range(c.percentile());
      String decision;
      if (forcedDynamic.contains(e.getKey())) {
        decision = "dynamic (--int8-keep-dynamic)";
        forced++;
      } else if (!c.isStatic(r)) {
        decision = "dynamic (outlier ratio)";
        outliers++;
      } else {
        decision = "static";
        ranges.put(e.getKey(), r);
      }
      Map<String, Object> t = new LinkedHashMap<>();
      t.put("tensor", e.getKey());
      t.put("matmuls", readers.getOrDefault(e.getKey(), 0));
      t.put("min", r.min());
      t.put("max", r.max());
      t.put("low", r.low());
      t.put("high", r.high());
      t.put("outlier_ratio", Math.round(r.outlierRatio() * 100) / 100.0);
      t.put("quantization", decision);
      tensors.add(t);
    }
    StaticQuantizer.Result q = new StaticQuantizer(options.weightBits()).quantize(graph, keepFloat, ranges);
    int shippedStatic = shipped.stream().filter(ranges::containsKey).mapToInt(a -> readers.getOrDefault(a, 0)).sum();
    int staticNodes = q.quantized() + shippedStatic;
    int dynamicNodes = readers.values().stream().mapToInt(Integer::intValue).sum() - staticNodes;
    String rule = c.percentile() >= 100 ? "min/max" : String.format(Locale.ROOT, "%s%% percentile", trim(c.percentile()));
    String description = String.format(Locale.ROOT,
        "int8-static-quantization(calibrated on %s, %d texts, %s ranges, uint8 asymmetric activations; %d MatMul/Gemm static"
            + " over %d activations, %d left dynamic: %d activations with outlier ratio > %s%s; %d bias adds folded%s)",
        dataName, texts.size(), rule, staticNodes, q.quantizeNodes() + q.runTimeQuantizationsFixed(), dynamicNodes, outliers,
        c.maxOutlierRatio() == 0 ? "off" : trim(c.maxOutlierRatio()),
        forced == 0 ? "" : ", " + forced + " kept by --int8-keep-dynamic", q.biasesFolded(),
        shipped.isEmpty() ? "" : "; " + q.runTimeQuantizationsFixed() + " of the shipped int8 encoder's " + shipped.size()
            + " run-time quantizations given constant ranges");
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("data", dataName);
    record.put("texts", texts.size());
    record.put("range_rule", rule);
    record.put("max_outlier_ratio", c.maxOutlierRatio());
    record.put("static_matmuls", staticNodes);
    if (!shipped.isEmpty()) {
      record.put("shipped_run_time_quantizations", shipped.size());
      record.put("shipped_run_time_quantizations_fixed", q.runTimeQuantizationsFixed());
    }
    record.put("dynamic_matmuls", dynamicNodes);
    record.put("activations", tensors);
    return new Result(q.model(), q.quantized(), dynamicNodes, description, record);
  }

  private static String trim(double d) {
    return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
  }
}
