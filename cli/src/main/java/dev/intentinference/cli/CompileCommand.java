package dev.intentinference.cli;

import dev.intentinference.compiler.CalibrationOptions;
import dev.intentinference.compiler.CascadeCompiler;
import dev.intentinference.compiler.CascadePacker;
import dev.intentinference.compiler.CompileOptions;
import dev.intentinference.compiler.CompileSource;
import dev.intentinference.compiler.DynamicQuantizer;
import dev.intentinference.compiler.HfClassifierSource;
import dev.intentinference.compiler.ModelCompiler;
import dev.intentinference.compiler.ModelDirectorySource;
import dev.intentinference.compiler.Precision;
import dev.intentinference.compiler.SmoothingOptions;
import dev.intentinference.compiler.Target;
import dev.intentinference.core.IntentException;
import dev.intentinference.core.io.OutputPlace;
import dev.intentinference.core.model.CascadeInfo;
import dev.intentinference.core.model.IntentArtifact;
import dev.intentinference.core.model.ModelNames;
import dev.intentinference.core.data.BuiltInDatasets;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code intent compile}: one verified, optimized, self-contained {@code .intent} artifact. */
@Command(
    name = "compile",
    mixinStandardHelpOptions = true,
    description = {
      "Compile a model into one verified, optimized .intent artifact (the \"trace\" step).%n",
      "Fuses pooling, normalisation, the head and softmax into the encoder graph (outputs logits and"
          + " probabilities [batch, labels]), sets the precision, runs ONNX Runtime's offline optimization"
          + " for the target, verifies against the uncompiled model and writes NAME-VERSION.intent atomically."
          + " The model is a directory from 'intent train' or a Hugging Face classifier exported to ONNX"
          + " (with tokenizer.json and config.json holding id2label beside it).%n"
    },
    footer = {
      "",
      "Examples:",
      "  intent compile --model models/clinc150 --out dist/ --precision int8",
      "  intent compile --model models/clinc150 --out clinc150.intent --verify-data data_full.json --verify-split val",
      "  intent compile --model models/clinc150 --out dist/ --precision int8 --explain   # node counts per pass",
      "  intent compile --model models/clinc150 --out dist/ --precision int8 --fuse-attention --explain",
      "  intent compile --model models/clinc150 --out dist/ --precision int8 --smooth-data clinc150   # smooth on its train split",
      "  intent compile --model models/clinc150 --out dist/ --precision int8 --calibration-data clinc150   # static int8",
      "  intent compile --model models/clinc150 --out dist/ --precision int8 --remove-padding   # for mixed-length batches",
      "  intent compile --model export/model.onnx --name support --model-version 3 --target cuda --precision fp16",
      "  intent compile --model models/clinc150 --fallback models/clinc150-teacher --out dist/ --precision int8   # a cascade",
    })
final class CompileCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "DIR|FILE.onnx",
      description = "Model directory from 'intent train', or an exported classifier .onnx file; with --fallback also a"
          + " compiled .intent, packed as it is.")
  Path model;

  @Option(names = "--out", paramLabel = "FILE|DIR", defaultValue = ".",
      description = "Artifact file, or a directory to write NAME-VERSION.intent into; a path ending in / is a "
          + "directory and is created when missing (default: ${DEFAULT-VALUE}).")
  String out;

  @Option(names = "--precision", paramLabel = "fp32|int8|fp16", defaultValue = "fp32",
      description = "Weight precision (default: ${DEFAULT-VALUE}). int8: dynamic quantization of MatMul/Gemm weights,"
          + " per channel, activations smoothed first (--int8-smooth; static activations with --calibration-data); an int8 encoder stays int8 under fp32. fp16: GPU targets only.")
  String precision;

  @Option(names = "--target", paramLabel = "cpu|cuda|tensorrt", defaultValue = "cpu",
      description = "Where the artifact runs (default: ${DEFAULT-VALUE}). GPU targets compile here and need a GPU to load.")
  String target;

  @Option(names = "--max-length", paramLabel = "TOKENS", defaultValue = "0",
      description = "Maximum tokens per text, 2..512; 0 keeps the model's own maximum (default: ${DEFAULT-VALUE}).")
  int maxLength;

  @Option(names = "--buckets", paramLabel = "N,N,...",
      description = "Sequence-length buckets, ascending, the largest equal to the max length, e.g. 16,32,64,128"
          + " (default: none, dynamic shapes).")
  String buckets;

  @Option(names = "--min-agreement", paramLabel = "FRACTION", defaultValue = "0.99",
      description = "Refuse to write the artifact when top-1 agreement with the uncompiled model is below this,"
          + " in [0, 1] (default: ${DEFAULT-VALUE}).")
  double minAgreement;

  @Option(names = "--verify-data", paramLabel = "FILE",
      description = "Labeled data to verify on (CLINC150 JSON, CSV, TSV, JSONL, or clinc150 for the CLINC150 Full copy shipped with intent); default: 200 built-in sentences.")
  Path verifyData;

  @Option(names = "--verify-split", paramLabel = "SPLIT", defaultValue = "val",
      description = "CLINC150 split of --verify-data (default: ${DEFAULT-VALUE}).")
  String verifySplit;

  @Option(names = "--verify-limit", paramLabel = "N", defaultValue = "" + CompileOptions.DEFAULT_VERIFY_LIMIT,
      description = "Verify on at most N texts, spread over the file (default: ${DEFAULT-VALUE}).")
  int verifyLimit;

  @Option(names = "--int8-weight-bits", paramLabel = "7|8", defaultValue = "" + DynamicQuantizer.DEFAULT_WEIGHT_BITS,
      description = "int8 weight range: 7 avoids uint8 x int8 saturation on x86 CPUs without VNNI (default: ${DEFAULT-VALUE}).")
  int weightBits;

  @Option(names = "--int8-keep-float", paramLabel = "REGEX",
      description = "int8: leave MatMul/Gemm nodes whose name matches REGEX in float, e.g. 'layer\\.11/'"
          + " (default: none; the fused head always stays float).")
  String keepFloat;

  @Option(names = "--threads", paramLabel = "N", defaultValue = "2",
      description = "ONNX Runtime intra-op threads for optimization and verification, 1..256 (default: ${DEFAULT-VALUE}).")
  int threads;

  @Option(names = "--fuse-attention",
      description = "CPU: rewrite each self-attention block (Q/K/V projections, heads, softmax, merge) into ONNX Runtime's"
          + " fused Attention operator (QAttention for int8 projections); blocks it does not recognise stay as they are"
          + " (default: off).")
  boolean fuseAttention;

  @Option(names = "--remove-padding",
      description = "CPU: run the encoder's per-token work (projections, feed-forward, LayerNorm) on each batch's real tokens"
          + " only, packed; attention and pooling still see the padded batch. Saves the work a dynamic batch spends on"
          + " padding (default: off).")
  boolean removePadding;

  @Option(names = "--calibration-data", paramLabel = "FILE",
      description = "int8: static activation quantization. Runs the float graph over these texts (CLINC150 JSON, CSV, TSV, JSONL,"
          + " or clinc150 for the shipped copy; labels unused), records each MatMul input's range and quantizes it with"
          + " constants instead of at run time (default: none, dynamic activations). On an encoder shipped in int8 it gives"
          + " the run-time quantizations constant ranges, so an answer no longer depends on its batch-mates.")
  Path calibrationData;

  @Option(names = "--calibration-split", paramLabel = "SPLIT", defaultValue = CalibrationOptions.DEFAULT_SPLIT,
      description = "CLINC150 split of --calibration-data (default: ${DEFAULT-VALUE}).")
  String calibrationSplit;

  @Option(names = "--calibration-limit", paramLabel = "N", defaultValue = "" + CalibrationOptions.DEFAULT_LIMIT,
      description = "Calibrate on at most N texts, spread over the file (default: ${DEFAULT-VALUE}).")
  int calibrationLimit;

  @Option(names = "--calibration-percentile", paramLabel = "P", defaultValue = "" + CalibrationOptions.DEFAULT_PERCENTILE,
      description = "Share of each activation's values its static range covers, 99..100; 100 is the exact min/max,"
          + " less clips outliers (default: ${DEFAULT-VALUE}).")
  double calibrationPercentile;

  @Option(names = "--calibration-max-outlier-ratio", paramLabel = "R", defaultValue = "" + CalibrationOptions.DEFAULT_MAX_OUTLIER_RATIO,
      description = "Keep an activation dynamic when its exact range is more than R times the range of its central"
          + " 99.99%% of values; 0 turns this off (default: ${DEFAULT-VALUE}).")
  double calibrationMaxOutlierRatio;

  @Option(names = "--int8-keep-dynamic", paramLabel = "REGEX",
      description = "With --calibration-data: MatMul/Gemm nodes whose name matches REGEX keep run-time activation"
          + " quantization, e.g. 'output/dense' (default: none).")
  String keepDynamic;

  @Option(names = "--int8-smooth", paramLabel = "ALPHA",
      description = "int8: before quantizing, divide each MatMul input whose widest channel is over 5 times its median one,"
          + " per channel, by max|x|^ALPHA / max|W|^(1-ALPHA), and multiply the weights' rows to match (SmoothQuant), so a few"
          + " large channels no longer take the int8 range from the rest; in (0, 1], 0 turns it off (default: "
          + SmoothingOptions.DEFAULT_ALPHA + ").")
  Double smoothAlpha;

  @Option(names = "--smooth-data", paramLabel = "FILE",
      description = "int8: texts that measure each activation's channels for --int8-smooth, ideally the training data"
          + " (CLINC150 JSON, CSV, TSV, JSONL, or clinc150; labels unused); default: --calibration-data if given, else the"
          + " 200 built-in sentences.")
  Path smoothData;

  @Option(names = "--smooth-split", paramLabel = "SPLIT", defaultValue = CalibrationOptions.DEFAULT_SPLIT,
      description = "CLINC150 split of --smooth-data (default: ${DEFAULT-VALUE}).")
  String smoothSplit;

  @Option(names = "--smooth-limit", paramLabel = "N", defaultValue = "" + CalibrationOptions.DEFAULT_LIMIT,
      description = "Measure on at most N texts of --smooth-data, spread over the file (default: ${DEFAULT-VALUE}).")
  int smoothLimit;

  @Option(names = "--explain",
      description = "Print, per compile pass, the node count before and after and which operator types changed"
          + " (also recorded in the manifest as compile.pass_stats; 'intent inspect --explain' prints it later).")
  boolean explain;

  @Option(names = "--tokenizer", paramLabel = "FILE",
      description = "For an .onnx model: its tokenizer.json (default: tokenizer.json beside it).")
  Path tokenizer;

  @Option(names = "--config", paramLabel = "FILE",
      description = "For an .onnx model: its config.json with id2label (default: config.json beside it).")
  Path config;

  @Option(names = "--name", description = "Model name (default: a model directory's manifest; for an .onnx model its config"
      + " _name_or_path or folder name).")
  String name;

  @Option(names = "--model-version", paramLabel = "VERSION",
      description = "Model version (default: a model directory's manifest; for an .onnx model 1).")
  String version;

  @Option(names = "--threshold", paramLabel = "PROB", defaultValue = "0",
      description = "For an .onnx model: out-of-scope threshold in [0, 1]; 0 never rejects (default: ${DEFAULT-VALUE}).")
  double threshold;

  @Option(names = "--fallback", paramLabel = "DIR|FILE.intent",
      description = "Pack a second model behind this one into a cascade artifact: a model directory (compiled here with"
          + " the same options) or a compiled .intent, trained on the same intents, e.g. the teacher from 'intent train"
          + " --keep-teacher'. Messages the first model is unsure of are answered again by it, in eval, predict, serve and bench.")
  Path fallback;

  @Option(names = "--escalate-below", paramLabel = "P",
      description = "With --fallback: messages whose largest probability from the first model is under P go to the"
          + " fallback model, in [0, 1] (default: the value 'intent train --keep-teacher' chose on validation and recorded"
          + " with the model, else " + CascadeInfo.DEFAULT_ESCALATE_BELOW + ").")
  Double escalateBelow;

  /** Options read only with another one, or only for one kind of --model: given alone they would be ignored. */
  private void refuseOptionsThatWouldBeIgnored() {
    CommandLine.ParseResult given = spec.commandLine().getParseResult();
    if (given == null) {
      return;
    }
    for (String option : List.of("--calibration-split", "--calibration-limit", "--calibration-percentile",
        "--calibration-max-outlier-ratio")) {
      if (calibrationData == null && given.hasMatchedOption(option)) {
        throw new IntentException(option + ": only with --calibration-data (without it nothing is calibrated)");
      }
    }
    for (String option : List.of("--smooth-split", "--smooth-limit")) {
      if (smoothData == null && given.hasMatchedOption(option)) {
        throw new IntentException(option + ": only with --smooth-data");
      }
    }
    boolean onnx = model != null && model.getFileName() != null && model.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".onnx");
    for (String option : List.of("--tokenizer", "--config", "--threshold")) {
      if (!onnx && given.hasMatchedOption(option)) {
        throw new IntentException(option + ": only for an .onnx --model (a model directory or artifact brings its own)");
      }
    }
  }

  @Override
  public Integer call() {
    refuseOptionsThatWouldBeIgnored();
    if (escalateBelow != null && fallback == null) {
      throw new IntentException("--escalate-below needs --fallback: the model that answers the escalated messages");
    }
    if (escalateBelow != null) {
      CascadeInfo.checkEscalateBelow(escalateBelow);
    }
    if (fallback != null && !Files.isDirectory(fallback)
        && !(Files.isRegularFile(fallback) && fallback.getFileName().toString().endsWith(IntentArtifact.EXTENSION))) {
      throw new IntentException("--fallback: " + fallback + " is neither a model directory nor a compiled " + IntentArtifact.EXTENSION + " file");
    }
    if (name != null) {
      ModelNames.check("--name", name);
    }
    if (version != null) {
      ModelNames.check("--model-version", version);
    }
    Precision p = Precision.parse(precision);
    CalibrationOptions calibration = calibrationData == null ? null : new CalibrationOptions(BuiltInDatasets.resolve(calibrationData),
        calibrationSplit, calibrationLimit, calibrationPercentile, calibrationMaxOutlierRatio, keepDynamic);
    CompileOptions options = new CompileOptions(Target.parse(target), p, maxLength,
        CompileOptions.parseBuckets(buckets), minAgreement, BuiltInDatasets.resolve(verifyData), verifySplit, verifyLimit, weightBits, keepFloat, threads,
        fuseAttention, calibration, removePadding, smoothing(p, calibration));
    if (keepDynamic != null && calibrationData == null) {
      throw new IntentException("--int8-keep-dynamic: only with --calibration-data (without it every activation is dynamic)");
    }
    if (!Files.exists(model)) {
      throw new IntentException("--model: " + model + ": no such file or directory");
    }
    PrintWriter o = spec.commandLine().getOut();
    if (fallback != null && Files.isRegularFile(model) && model.getFileName().toString().endsWith(IntentArtifact.EXTENSION)) {
      return packCompiled(o);
    }
    CompileSource source;
    if (Files.isDirectory(model)) {
      source = ModelDirectorySource.open(model).renamed(name, version);
    } else if (model.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".onnx")) {
      if (!(threshold >= 0 && threshold <= 1)) {
        throw new IntentException("--threshold: must be in [0, 1], was " + threshold);
      }
      source = HfClassifierSource.open(model, tokenizer, config, name, version == null ? "1" : version, threshold);
    } else {
      throw new IntentException("--model: " + model + " is neither a model directory nor an .onnx file");
    }
    checkTarget(targetFor(source.manifest()), options);
    String tool = IntentCli.class.getPackage().getImplementationVersion();
    ModelCompiler compiler = new ModelCompiler(options, tool == null ? "dev" : tool);
    double escalate = fallback == null ? 0 : escalation(source.manifest());
    ModelCompiler.CompileResult r = fallback == null ? compiler.compile(source, outPath())
        : compileCascade(compiler, source, escalate, o);
    o.println("wrote " + r.artifact() + " (" + (r.sizeBytes() / 1024) + " KiB, " + options.target().id() + ", "
        + options.precision().id() + (fallback == null ? "" : ", a cascade escalating below " + escalate) + ")");
    o.println(r.report().summary());
    o.println("passes: " + r.manifest().compile().get("passes"));
    o.println("timings (ms): " + r.manifest().compile().get("timings_ms"));
    if (explain) {
      ExplainPrinter.print(o, dev.intentinference.compiler.PassStats.ofManifest(r.manifest().compile()));
    }
    return 0;
  }

  /** Compiles the pair into a staging directory beside the target and packs it there (see {@link CascadeCompiler}). */
  private ModelCompiler.CompileResult compileCascade(ModelCompiler compiler, CompileSource source, double escalate, PrintWriter o) {
    Path out = outPath();
    Path target = Files.isDirectory(out) ? out.resolve(ModelCompiler.fileName(source.manifest())) : out;
    CascadeCompiler.Result r = new CascadeCompiler(compiler).compile(source, fallback, escalate, target);
    if (r.fallback() != null) {
      o.println("fallback " + r.fallback().manifest().name() + " version " + r.fallback().manifest().version() + ": "
          + r.fallback().report().summary());
    }
    return r.packed();
  }

  /** {@code --escalate-below}, else the value recorded with the model (chosen on validation by 'intent train'), else the default. */
  private double escalation(dev.intentinference.core.model.ModelManifest first) {
    if (escalateBelow != null) {
      return escalateBelow;
    }
    Double recorded = CascadeInfo.recordedEscalateBelow(first);
    return recorded != null ? recorded : CascadeInfo.DEFAULT_ESCALATE_BELOW;
  }

  /** Two artifacts already compiled: packed as they are, no pass runs again. */
  private int packCompiled(PrintWriter o) {
    if (name != null || version != null) {
      throw new IntentException((name != null ? "--name" : "--model-version") + ": a compiled artifact keeps its name and version;"
          + " give them when compiling it");
    }
    if (Files.isDirectory(fallback)) {
      throw new IntentException("--fallback: with a compiled --model, the fallback must be a compiled .intent too, was the directory " + fallback);
    }
    IntentArtifact first = IntentArtifact.read(model);
    double escalate = escalation(first.manifest());
    Path target = targetFor(first.manifest());
    checkTarget(target, null);
    IntentArtifact packed = CascadePacker.pack(first, CascadePacker.Fallback.read(fallback), escalate, target);
    CascadeInfo c = CascadeInfo.of(packed.manifest());
    o.println("wrote " + target + ": " + first.manifest().name() + " version " + first.manifest().version() + " with "
        + c.fallbackName() + " version " + c.fallbackVersion() + " behind it, escalating below " + escalate
        + " (both packed as compiled; compile options apply to model directories only)");
    return 0;
  }

  /** {@code --int8-smooth} and its texts; null when off. Only int8 smooths, so naming it elsewhere is a mistake worth saying. */
  private SmoothingOptions smoothing(Precision p, CalibrationOptions calibration) {
    if (p != Precision.INT8 && (smoothData != null || (smoothAlpha != null && smoothAlpha != 0))) {
      throw new IntentException((smoothData != null ? "--smooth-data" : "--int8-smooth") + ": only for --precision int8, precision was " + precision);
    }
    double alpha = smoothAlpha == null ? SmoothingOptions.DEFAULT_ALPHA : smoothAlpha;
    if (alpha == 0) {
      if (smoothData != null) {
        throw new IntentException("--smooth-data: --int8-smooth 0 turns smoothing off; drop one of them");
      }
      return null;
    }
    if (smoothData != null) {
      return new SmoothingOptions(alpha, BuiltInDatasets.resolve(smoothData), smoothSplit, smoothLimit);
    }
    if (calibration != null) {
      return new SmoothingOptions(alpha, calibration.data(), calibration.split(), calibration.limit());
    }
    return SmoothingOptions.builtIn().withAlpha(alpha);
  }

  /** The artifact file {@code --out} names: inside it when it is a directory, else itself. */
  private Path targetFor(dev.intentinference.core.model.ModelManifest manifest) {
    Path o = outPath();
    return Files.isDirectory(o) ? o.resolve(ModelCompiler.fileName(manifest)) : o;
  }

  /**
   * Before any pass runs: the artifact may replace an older artifact, never another kind of file
   * and never a file this command reads, and its directory must be writable.
   */
  private void checkTarget(Path target, CompileOptions options) {
    if (Files.isDirectory(target)) {
      throw new IntentException("--out " + target + " is a directory named like the artifact; remove it or choose another --out");
    }
    OutputPlace.requireNotInput("--out", target, new OutputPlace.Input("--model", model), new OutputPlace.Input("--fallback", fallback),
        new OutputPlace.Input("--tokenizer", tokenizer), new OutputPlace.Input("--config", config),
        new OutputPlace.Input("--verify-data", options == null ? null : options.verifyData()),
        new OutputPlace.Input("--smooth-data", options == null || options.smoothing() == null ? null : options.smoothing().data()),
        new OutputPlace.Input("--calibration-data", options == null || options.calibration() == null ? null : options.calibration().data()));
    if (Files.exists(target) && !target.getFileName().toString().endsWith(IntentArtifact.EXTENSION)) {
      throw new IntentException("--out " + target + " exists and is not a " + IntentArtifact.EXTENSION
          + " artifact; refusing to replace it (name a directory or a " + IntentArtifact.EXTENSION + " file)");
    }
    OutputPlace.requireWritable("--out", target);
  }

  /** {@code --out} as a path; one written as a directory ({@code models/clinc150/2/}) is created, so the artifact goes inside it. */
  private Path outPath() {
    Path p = Path.of(out);
    if (out.endsWith("/") || out.endsWith(java.io.File.separator)) {
      try {
        Files.createDirectories(p);
      } catch (java.io.IOException e) {
        throw new IntentException("--out " + out + ": cannot create the directory: " + e.getMessage(), e);
      }
    }
    return p;
  }
}
