package dev.intentinference.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import dev.intentinference.core.IntentException;
import dev.intentinference.core.data.BuiltInDatasets;
import dev.intentinference.core.data.Columns;
import dev.intentinference.core.data.DataFormat;
import dev.intentinference.core.data.DatasetReader;
import dev.intentinference.core.data.FirstFew;
import dev.intentinference.core.data.LabeledText;
import dev.intentinference.core.model.CascadePredictor;
import dev.intentinference.core.model.IntentPrediction;
import dev.intentinference.core.model.IntentPredictor;
import dev.intentinference.core.model.LoadOptions;
import dev.intentinference.core.model.OpenedModel;
import dev.intentinference.core.onnx.SessionSettings;
import dev.intentinference.train.ClassScore;
import dev.intentinference.train.Confusion;
import dev.intentinference.train.EvalReport;
import dev.intentinference.train.IntentMetrics;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code intent eval}: scores a model (directory or compiled .intent) on labelled data. */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Evaluate a model (directory or .intent) on labelled data.",
      "",
      "Reports in-scope accuracy (right intent and not rejected), out-of-scope recall and precision, "
          + "macro-F1 (oos as one class), the worst intents by F1 and the most confused pairs. "
          + "Rows labelled 'oos' are out of scope.",
      ""
    },
    footer = {"", "Examples:", "  intent eval --model models/clinc150 --data data_full.json --split test,oos_test --json",
      "  intent eval --model models/student --fallback models/teacher --escalate-below 0.8 --data clinc150"})
public final class EvalCommand implements Callable<Integer> {
  /** CLINC150 splits scored when none are named: the published test set. */
  static final String DEFAULT_SPLITS = "test,oos_test";

  @Spec CommandSpec spec;

  @Option(names = "--allow-cpu-fallback", description = "Run an artifact compiled for cuda/tensorrt on the CPU when no GPU "
      + "provider is available, instead of failing.")
  boolean allowCpuFallback;

  @Option(names = "--model", required = true, paramLabel = "PATH", description = "Model directory or .intent artifact.")
  Path model;

  @Option(names = "--data", required = true, paramLabel = "FILE", description = "Labelled data (.json CLINC150, .csv, .tsv, .jsonl), or clinc150 for the CLINC150 Full copy shipped with intent.")
  Path data;

  @Option(names = "--split", split = ",", paramLabel = "NAME",
      description = "CLINC150 splits to score. Default: ${DEFAULT-VALUE}.")
  List<String> splits = Arrays.asList(DEFAULT_SPLITS.split(","));

  @Option(names = "--text-column", paramLabel = "NAME", description = "Text column for CSV/TSV/JSONL. Default: ${DEFAULT-VALUE}.")
  String textColumn = Columns.DEFAULT.text();

  @Option(names = "--label-column", paramLabel = "NAME", description = "Label column for CSV/TSV/JSONL. Default: ${DEFAULT-VALUE}.")
  String labelColumn = Columns.DEFAULT.label();

  @Option(names = "--json", description = "Print the report as JSON.")
  boolean json;

  @Option(names = "--top", paramLabel = "N", description = "Worst intents and confused pairs listed. Default: ${DEFAULT-VALUE}.")
  int top = IntentMetrics.DEFAULT_LIST_SIZE;

  @Option(names = "--batch-size", paramLabel = "N", description = "Texts per model call, 1..4096. Default: ${DEFAULT-VALUE}.")
  int batchSize = 64;

  @Option(names = "--threads", paramLabel = "N", description = "ONNX Runtime threads. Default: all cores (${DEFAULT-VALUE}).")
  int threads = Runtime.getRuntime().availableProcessors();

  @Option(names = "--quiet", description = "No progress bar.")
  boolean quiet;

  @Mixin CascadeOptions cascadeOptions;

  @Override
  public Integer call() throws Exception {
    if (threads < 1 || threads > 256) {
      throw new IntentException("--threads must be in 1..256, was " + threads);
    }
    if (batchSize < 1 || batchSize > 4096) {
      throw new IntentException("--batch-size must be in 1..4096, was " + batchSize);
    }
    if (top < 1) {
      throw new IntentException("--top must be at least 1, was " + top);
    }
    DatasetReader reader = new DatasetReader(new Columns(textColumn, labelColumn));
    Path file = BuiltInDatasets.resolve(data);
    boolean clinc = DataFormat.of(file) == DataFormat.CLINC_JSON;
    if (!clinc && spec.commandLine().getParseResult() != null && spec.commandLine().getParseResult().hasMatchedOption("--split")) {
      throw new IntentException("--split: only for CLINC150 JSON data; " + file.getFileName() + " is one split, scored whole");
    }
    List<LabeledText> rows = clinc ? reader.read(file, splits.toArray(String[]::new)) : reader.read(file);
    long start = System.nanoTime();
    List<IntentPrediction> predictions;
    Map<String, Object> model;
    LoadOptions load = LoadOptions.defaults().withAllowCpuFallback(allowCpuFallback)
        .withSession(new SessionSettings(threads, 1, true)).withTopK(1);
    try (OpenedModel opened = cascadeOptions.open(model(), load)) {
      IntentPredictor predictor = opened.first();
      CascadePredictor cascade = cascadeOptions.cascade(predictor, opened.fallback());
      CascadePredictor.Answers answers = predictAll(CascadeOptions.answering(predictor, cascade), rows);
      predictions = answers.predictions();
      model = new LinkedHashMap<>();
      model.put("name", predictor.manifest().name());
      model.put("version", predictor.manifest().version());
      model.put("kind", predictor.manifest().kind());
      model.put("threshold", predictor.decoder().threshold());
      model.put("threshold_score", predictor.decoder().score().id());
      if (cascade != null) {
        model.put("cascade", cascadeRecord(cascade, answers));
      }
      warnOfUnknownLabels(rows, predictor.decoder().labels());
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    List<String> gold = rows.stream().map(LabeledText::intent).toList();
    EvalReport report = IntentMetrics.ofPredictions(gold, predictions, top);
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("model", model);
      doc.put("data", data.toString());
      if (DataFormat.of(file) == DataFormat.CLINC_JSON) {
        doc.put("splits", splits);
      }
      doc.put("report", report);
      doc.put("seconds", Math.round(seconds * 1000) / 1000.0);
      out.println(reportJson().writeValueAsString(doc));
    } else {
      printTable(out, report, model, seconds);
    }
    return 0;
  }

  /**
   * JSON for the report: a metric with nothing to measure (out-of-scope recall without out-of-scope
   * queries) is null, as in the manifest, not the string "NaN" Jackson writes by default.
   */
  private static ObjectMapper reportJson() {
    JsonSerializer<Double> nanAsNull = new StdSerializer<>(Double.class) {
      @Override
      public void serialize(Double v, JsonGenerator g, SerializerProvider p) throws java.io.IOException {
        if (v == null || !Double.isFinite(v)) {
          g.writeNull();
        } else {
          g.writeNumber(v);
        }
      }
    };
    SimpleModule m = new SimpleModule().addSerializer(Double.class, nanAsNull).addSerializer(Double.TYPE, nanAsNull);
    return new ObjectMapper().registerModule(m).enable(SerializationFeature.INDENT_OUTPUT);
  }

  private Path model() {
    return model;
  }

  private PrintWriter err() {
    return spec.commandLine().getErr();
  }

  private static Map<String, Object> cascadeRecord(CascadePredictor cascade, CascadePredictor.Answers answers) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("fallback", cascade.fallback().manifest().name());
    c.put("fallback_version", cascade.fallback().manifest().version());
    c.put("fallback_threshold", cascade.fallback().decoder().threshold());
    c.put("escalate_below", cascade.escalateBelow());
    c.put("escalated", answers.escalatedCount());
    c.put("escalated_share", answers.predictions().isEmpty() ? 0.0 : (double) answers.escalatedCount() / answers.predictions().size());
    return c;
  }

  /** Predicts in length-sorted batches (less padding), returning the answers in input order. */
  private CascadePredictor.Answers predictAll(Function<List<String>, CascadePredictor.Answers> answer, List<LabeledText> rows) {
    Integer[] order = new Integer[rows.size()];
    Arrays.setAll(order, i -> i);
    Arrays.sort(order, Comparator.comparingInt(i -> rows.get(i).text().length()));
    IntentPrediction[] out = new IntentPrediction[rows.size()];
    boolean[] escalated = new boolean[rows.size()];
    ProgressBar bar = new ProgressBars(quiet).start("eval", rows.size(), "texts");
    try {
      for (int s = 0; s < order.length; s += batchSize) {
        int e = Math.min(order.length, s + batchSize);
        List<String> texts = new ArrayList<>(e - s);
        for (int i = s; i < e; i++) {
          texts.add(rows.get(order[i]).text());
        }
        CascadePredictor.Answers a = answer.apply(texts);
        for (int i = s; i < e; i++) {
          out[order[i]] = a.predictions().get(i - s);
          escalated[order[i]] = a.escalated()[i - s];
        }
        ProgressBars.stepTo(bar, e);
      }
    } finally {
      ProgressBars.close(bar);
    }
    return new CascadePredictor.Answers(Arrays.asList(out), escalated);
  }

  private static void printTable(PrintWriter out, EvalReport r, Map<String, Object> model, double seconds) {
    out.printf(Locale.ROOT, "model %s version %s (%s), threshold %.4f on the %s score%n", model.get("name"),
        model.get("version"), model.get("kind"), (Double) model.get("threshold"), model.get("threshold_score"));
    out.printf(Locale.ROOT, "%d queries: %d in scope, %d out of scope (%.1f s)%n", r.examples(), r.inScope(),
        r.outOfScope(), seconds);
    if (model.get("cascade") instanceof Map<?, ?> c) {
      out.printf(Locale.ROOT, "fallback %s version %s, threshold %.4f: answered %d queries (%s), those the model "
          + "gave no probability of %s or more%n",
          c.get("fallback"), c.get("fallback_version"), (Double) c.get("fallback_threshold"), (Integer) c.get("escalated"),
          Format.pct2((Double) c.get("escalated_share")), c.get("escalate_below"));
    }
    out.println();
    out.printf(Locale.ROOT, "  %-24s %8s%n", "in-scope accuracy", Format.pct2(r.inScopeAccuracy()));
    out.printf(Locale.ROOT, "  %-24s %8s%n", "in-scope top-1", Format.pct2(r.inScopeTop1()));
    out.printf(Locale.ROOT, "  %-24s %8s%n", "out-of-scope recall", Format.pct2(r.oosRecall()));
    out.printf(Locale.ROOT, "  %-24s %8s%n", "out-of-scope precision", Format.pct2(r.oosPrecision()));
    out.printf(Locale.ROOT, "  %-24s %8s%n", "macro-F1", Format.pct2(r.macroF1()));
    out.printf(Locale.ROOT, "  %-24s %8s%n", "overall accuracy", Format.pct2(r.accuracy()));
    out.println();
    out.printf(Locale.ROOT, "worst intents by F1:%n  %-32s %7s %7s %7s %7s%n", "intent", "F1", "prec", "recall", "support");
    for (ClassScore c : r.worstIntents()) {
      out.printf(Locale.ROOT, "  %-32s %7.3f %7.3f %7.3f %7d%n", Printable.of(c.intent()), c.f1(), c.precision(), c.recall(), c.support());
    }
    out.println();
    out.printf(Locale.ROOT, "most confused (gold -> decided, oos = rejected):%n");
    for (Confusion c : r.mostConfused()) {
      out.printf(Locale.ROOT, "  %5d  %s -> %s%n", c.count(), Printable.of(c.gold()), Printable.of(c.predicted()));
    }
  }

  /** One line naming every gold label the model cannot predict: those rows can only be scored wrong. */
  private void warnOfUnknownLabels(List<LabeledText> rows, List<String> modelLabels) {
    Map<String, Integer> unknown = new LinkedHashMap<>();
    for (LabeledText row : rows) {
      if (!row.isOutOfScope() && !modelLabels.contains(row.intent())) {
        unknown.merge(row.intent(), 1, Integer::sum);
      }
    }
    if (unknown.isEmpty()) {
      return;
    }
    int total = unknown.values().stream().mapToInt(Integer::intValue).sum();
    String each = FirstFew.join(unknown.entrySet().stream()
        .map(e -> "'" + e.getKey() + "' (" + e.getValue() + (e.getValue() == 1 ? " row)" : " rows)")).toList());
    err().println("intent: warning: " + (unknown.size() == 1 ? "label " + each + " is not one of the model's intents"
        : unknown.size() + " labels are not among the model's intents: " + each)
        + "; " + (total == 1 ? "that row is" : "those " + total + " rows are") + " scored as wrong");
  }
}
