package dev.intentinference.compiler;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnxruntime.OrtEnvironment;
import dev.intentinference.core.IntentException;
import dev.intentinference.core.data.LabeledText;
import dev.intentinference.core.model.BuildInfo;
import dev.intentinference.core.model.CpuRequirements;
import dev.intentinference.core.model.EncoderRef;
import dev.intentinference.core.model.FusedGraphScorer;
import dev.intentinference.core.model.IntentArtifact;
import dev.intentinference.core.model.IntentScorer;
import dev.intentinference.core.model.ModelManifest;
import dev.intentinference.core.onnx.CpuFeatures;
import dev.intentinference.core.onnx.OrtSessions;
import dev.intentinference.core.onnx.SessionSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The compile ("trace") step: fuse the model into one graph, set its precision, optimize it for
 * the target, verify it against the uncompiled model and write one {@code .intent} artifact.
 * Nothing is written when any step fails or verification falls below the agreement floor.
 *
 * <pre>{@code
 * CompileResult r = new ModelCompiler(CompileOptions.defaults().withPrecision(Precision.INT8))
 *     .compile(ModelDirectorySource.open(Path.of("models/clinc150")), Path.of("dist"));
 * System.out.println(r.artifact() + ": " + r.report().summary());
 * }</pre>
 */
public final class ModelCompiler {
  /** Name prefix of the nodes compile adds (pooling, normalisation, head, softmax). */
  static final String HEAD_PREFIX = "intent/";

  private final CompileOptions options;
  private final String toolVersion;

  public ModelCompiler(CompileOptions options) {
    this(options, "dev");
  }

  public ModelCompiler(CompileOptions options, String toolVersion) {
    this.options = options;
    this.toolVersion = toolVersion;
  }

  /**
   * @param artifact where the artifact was written
   * @param manifest its manifest (with the compile record)
   * @param report the verification result
   * @param sizeBytes the artifact file's size
   */
  public record CompileResult(Path artifact, ModelManifest manifest, VerificationReport report, long sizeBytes) {}

  /** The default file name, {@code NAME-VERSION.intent}. */
  public static String fileName(ModelManifest m) {
    return (m.name() + "-" + m.version()).replaceAll("[^A-Za-z0-9._-]", "-") + IntentArtifact.EXTENSION;
  }

  /**
   * @param out the artifact file, or an existing directory to write {@code NAME-VERSION.intent} into
   */
  public CompileResult compile(CompileSource source, Path out) {
    long t0 = System.nanoTime();
    ModelManifest base = source.manifest();
    Path target = Files.isDirectory(out) ? out.resolve(fileName(base)) : out;
    List<LabeledText> verifyRows;
    String dataset;
    if (options.verifyData() != null) {
      verifyRows = Verifier.read(options.verifyData(), options.verifySplit(), options.verifyLimit());
      dataset = options.verifyData().getFileName() + (options.verifyData().toString().endsWith(".json") ? ":" + options.verifySplit() : "");
    } else {
      verifyRows = Verifier.builtIn();
      dataset = "built-in (" + verifyRows.size() + " sentences)";
    }
    List<String> calibrationTexts = null;
    String calibrationName = null;
    if (options.calibration() != null) {
      // Read before any work, so a bad calibration file fails at once.
      calibrationTexts = CalibratedQuantization.read(options.calibration());
      calibrationName = CalibratedQuantization.name(options.calibration());
    }
    SmoothingOptions smoothing = options.precision() == Precision.INT8 ? options.smoothing() : null;
    List<String> smoothingTexts = null;
    String smoothingName = null;
    if (smoothing != null) {
      // Read before any work, so a bad file fails at once.
      if (smoothing.data() == null) {
        smoothingTexts = Verifier.builtIn().stream().map(LabeledText::text).toList();
        smoothingName = "the built-in sentences";
      } else {
        CalibrationOptions c = options.calibration();
        // The served default smooths and calibrates on the same texts: read and parse them once.
        boolean sameTexts = c != null && c.data().equals(smoothing.data()) && c.split().equals(smoothing.split())
            && c.limit() == smoothing.limit();
        smoothingTexts = sameTexts ? calibrationTexts
            : CalibratedQuantization.readTexts(smoothing.data(), smoothing.split(), smoothing.limit(), "--smooth-data");
        smoothingName = CalibratedQuantization.name(smoothing.data(), smoothing.split());
      }
    }
    int sourceMax = base.maxLength();
    int maxLength = options.maxLength() == 0 ? sourceMax : options.maxLength();
    if (maxLength > sourceMax) {
      throw new IntentException("--max-length: " + maxLength + " exceeds the model's maximum of " + sourceMax + " tokens");
    }
    if (!options.buckets().isEmpty() && options.buckets().get(options.buckets().size() - 1) != maxLength) {
      throw new IntentException("--buckets: the largest bucket must equal the max length " + maxLength
          + " so every text fits a bucket, was " + options.buckets());
    }

    List<String> passes = new ArrayList<>();
    List<PassStats> stats = new ArrayList<>();
    Map<String, Object> timings = new LinkedHashMap<>();
    long t = System.nanoTime();
    ModelProto graph = source.fusedGraph();
    passes.add(source.kind().equals("model-directory") ? "fuse-pooling-normalize-head-softmax" : "append-softmax");
    stats.add(new PassStats("HeadFusion", OpCounts.sum(source.sourceGraphs()), OpCounts.of(graph)));
    timings.put("fuse_ms", ms(t));

    t = System.nanoTime();
    ModelProto verifyGraph = null;
    int quantized = 0;
    Map<String, Object> calibrationRecord = null;
    List<Map<String, Object>> smoothingRecord = null;
    switch (options.precision()) {
      case FP32 -> { }
      case INT8 -> {
        // The fused head stays float: it is a few thousand multiply-adds next to the encoder's
        // millions, and its temperature-scaled logits are where rounding would flip decisions.
        java.util.regex.Pattern keep = options.keepFloat() == null ? null : java.util.regex.Pattern.compile(options.keepFloat());
        java.util.function.Predicate<ai.onnx.proto.OnnxMl.NodeProto> keepFloat =
            n -> n.getName().startsWith(HEAD_PREFIX) || (keep != null && keep.matcher(n.getName()).find());
        // An encoder shipped in int8 has no float MatMul left to smooth: no pass to record.
        java.util.Set<String> toSmooth = smoothing == null ? java.util.Set.of() : StaticQuantizer.activations(graph, keepFloat);
        if (!toSmooth.isEmpty()) {
          long ts = System.nanoTime();
          ActivationSmoothing.Result sm = ActivationSmoothing.calibrateAndApply(graph, keepFloat, toSmooth, smoothing.alpha(), smoothingTexts,
              new ActivationCalibrator(graph, source.tokenizer(), maxLength, options.buckets(), new SessionSettings(options.threads(), 1, true)));
          smoothingRecord = sm.record();
          stats.add(new PassStats("ActivationSmoothing", OpCounts.of(graph), OpCounts.of(sm.model())));
          graph = sm.model();
          passes.add(sm.description(smoothing.alpha(), smoothingName, smoothingTexts.size()));
          timings.put("smoothing_ms", ms(ts));
        }
        if (options.calibration() != null) {
          long tc = System.nanoTime();
          CalibratedQuantization.Result s = CalibratedQuantization.apply(graph, keepFloat, options, calibrationTexts, calibrationName,
              source.tokenizer(), maxLength, new SessionSettings(options.threads(), 1, true));
          stats.add(new PassStats("StaticQuantizer", OpCounts.of(graph), OpCounts.of(s.model())));
          graph = s.model();
          quantized += s.quantized();
          passes.add(s.description());
          calibrationRecord = s.record();
          timings.put("calibration_ms", ms(tc));
        }
        DynamicQuantizer.Result q = new DynamicQuantizer(options.weightBits()).quantize(graph, keepFloat);
        stats.add(new PassStats("DynamicQuantizer", OpCounts.of(graph), OpCounts.of(q.model())));
        graph = q.model();
        quantized += q.quantized();
        passes.add("int8-dynamic-quantization(per-channel, " + options.weightBits() + "-bit weights, "
            + q.quantized() + " MatMul/Gemm quantized, " + q.skipped() + " activation products kept float, fused head kept float"
            + (keep == null ? "" : ", nodes matching '" + keep + "' kept float") + ")");
      }
      case FP16 -> {
        HalfPrecision.Result h = HalfPrecision.convert(graph);
        stats.add(new PassStats("HalfPrecision", OpCounts.of(graph), OpCounts.of(h.model())));
        graph = h.model();
        verifyGraph = h.emulation();
        passes.add("fp16-weights-and-arithmetic(" + h.converted() + " tensors converted, float32 inputs/outputs kept)");
      }
      default -> throw new IllegalStateException();
    }
    timings.put("precision_ms", ms(t));

    if (options.fuseAttention()) {
      // After precision, so int8 projections (ours or a shipped -q encoder's) become QAttention.
      t = System.nanoTime();
      AttentionFusion.Result a = AttentionFusion.fuse(graph);
      stats.add(new PassStats("AttentionFusion", OpCounts.of(graph), OpCounts.of(a.model())));
      graph = a.model();
      passes.add("attention-fusion(" + a.total() + " self-attention blocks fused: " + a.fused() + " Attention, "
          + a.fusedQuantized() + " QAttention; " + a.unfused() + " left unfused)");
      timings.put("attention_fusion_ms", ms(t));
    }

    if (options.removePadding()) {
      // After precision and attention fusion: it packs around whatever form the blocks have by now.
      t = System.nanoTime();
      PaddingRemoval.Result r = PaddingRemoval.apply(graph);
      stats.add(new PassStats("PaddingRemoval", OpCounts.of(graph), OpCounts.of(r.model())));
      graph = r.model();
      passes.add("padding-removal(" + r.packed() + " per-token nodes run on real tokens only, packed after " + r.seeds()
          + " attention blocks, " + r.gathers() + " pack/unpack gathers)");
      timings.put("padding_removal_ms", ms(t));
    }

    t = System.nanoTime();
    OfflineOptimizer.Result optimized = OfflineOptimizer.optimize(graph.toByteArray(), options.target(), options.threads());
    passes.add("onnxruntime-" + optimized.level() + "-offline-optimization");
    stats.add(new PassStats("OfflineOptimizer(" + optimized.level() + ")", OpCounts.of(graph),
        OpCounts.of(OnnxModels.parse(optimized.model(), "optimized graph"))));
    timings.put("optimize_ms", ms(t));
    byte[] modelBytes = optimized.model();
    byte[] tokenizer = source.tokenizer();

    List<EncoderRef> encoders = new ArrayList<>();
    for (EncoderRef e : base.encoders()) {
      encoders.add(e.compiled(maxLength));
    }
    Map<String, Object> compile = new LinkedHashMap<>();
    compile.put("format", "onnx");
    compile.put("target", options.target().id());
    compile.put("precision", options.precision().id());
    compile.put("max_length", maxLength);
    compile.put("buckets", options.buckets());
    compile.put("inputs", List.of("input_ids", "attention_mask", "token_type_ids"));
    compile.put("outputs", List.of(HeadFusion.LOGITS, HeadFusion.PROBABILITIES));
    compile.put("onnx_opset", OnnxModels.defaultOpset(graph));
    compile.put("passes", passes);
    compile.put("pass_stats", stats.stream().map(PassStats::toMap).toList());
    if (calibrationRecord != null) {
      compile.put("calibration", calibrationRecord);
    }
    if (smoothingRecord != null) {
      compile.put("smoothing", smoothingRecord);
    }
    CpuFeatures cpu = CpuFeatures.current();
    compile.put(CpuRequirements.KEY, CpuRequirements.section(cpu,
        CpuNeeds.of(stats.get(stats.size() - 1).after(), options, quantized, cpu)));
    compile.put("provider_options", optimized.providerOptions());
    Map<String, Object> src = new LinkedHashMap<>();
    src.put("kind", source.kind());
    src.put("location", source.location());
    src.put("sha256", source.sha256());
    src.put("encoders", base.encoders().stream().map(EncoderRef::id).toList());
    compile.put("source", src);
    compile.put("options", options.toManifest());
    compile.put("onnxruntime", OrtEnvironment.getEnvironment().getVersion());
    ModelManifest manifest = new ModelManifest(ModelManifest.formatFor(base.threshold()), ModelManifest.KIND_ARTIFACT,
        base.name(), base.version(), base.labels(), encoders, base.threshold(), null, base.training(), base.metrics(),
        compile, null, BuildInfo.current(toolVersion, null, OrtEnvironment.getEnvironment().getVersion()));

    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put(IntentArtifact.MODEL_ENTRY, modelBytes);
    entries.put(IntentArtifact.TOKENIZER_ENTRY, tokenizer);

    t = System.nanoTime();
    SessionSettings settings = new SessionSettings(options.threads(), 1, true);
    // GPU-targeted graphs hold only standard operators after the basic level, so this machine's CPU
    // can check them. fp16 graphs run on the CPU provider too (it computes the fp16 nodes it has no
    // kernel for in float32 behind inserted casts); only if it refuses them are the fp16-rounded
    // weights checked in a float32 copy of the graph instead. Either way the manifest says which.
    byte[] toVerify = modelBytes;
    String verifiedOn = "cpu";
    if (verifyGraph != null) {
      verifiedOn = "cpu (fp16 graph; the CPU provider computes fp16 nodes without CPU kernels in float32)";
      try {
        OrtSessions.close(OrtSessions.create(modelBytes, settings));
      } catch (IntentException | ai.onnxruntime.OrtException e) {
        toVerify = verifyGraph.toByteArray();
        verifiedOn = "cpu (fp16-rounded weights in float32 arithmetic: the CPU provider refused the fp16 graph)";
      }
    }
    // The compile map is still filled in below (verification, timings); the manifest holds the
    // same map object, so the written manifest carries them.
    IntentArtifact inMemory = new IntentArtifact(manifest, Map.copyOf(entries));
    VerificationReport report;
    try (IntentScorer reference = source.reference(settings);
        IntentScorer compiled = FusedGraphScorer.open(inMemory, OrtSessions.create(toVerify, settings))) {
      report = Verifier.compare(reference, compiled, verifyRows, dataset, verifiedOn);
    }
    timings.put("verify_ms", ms(t));
    if (report.top1Agreement() < options.minAgreement()) {
      throw new IntentException(String.format(java.util.Locale.ROOT,
          "verification failed: top-1 agreement %.4f is below --min-agreement %.4f (%s); no artifact written%s",
          report.top1Agreement(), options.minAgreement(), report.summary(),
          // A model fine-tuned on one domain is unsure on most generic sentences, where the top
          // intent flips at the smallest change: its own data is the fair test.
          options.verifyData() == null ? ". The built-in sentences are generic; verify on the model's own data, "
              + "e.g. --verify-data clinc150 or --verify-data your.csv" : ""));
    }
    compile.put("verification", report.toMap());
    if (verifyGraph != null) {
      compile.put("verification_note", "fp16 arithmetic itself is verified only on a GPU machine");
    }
    timings.put("total_ms", ms(t0));
    compile.put("timings_ms", timings);
    IntentArtifact written = IntentArtifact.write(target, manifest, entries);
    long size;
    try {
      size = Files.size(target);
    } catch (java.io.IOException e) {
      size = -1;
    }
    return new CompileResult(target, written.manifest(), report, size);
  }

  private static long ms(long since) {
    return (System.nanoTime() - since) / 1_000_000;
  }
}
