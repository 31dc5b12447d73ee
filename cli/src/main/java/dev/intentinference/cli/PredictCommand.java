package dev.intentinference.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.intentinference.core.IntentException;
import dev.intentinference.core.model.CascadePredictor;
import dev.intentinference.core.model.IntentPrediction;
import dev.intentinference.core.model.IntentPredictor;
import dev.intentinference.core.model.LoadOptions;
import dev.intentinference.core.model.OpenedModel;
import dev.intentinference.core.model.ScoredIntent;
import dev.intentinference.core.onnx.SessionSettings;
import dev.intentinference.core.text.TextContent;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code intent predict}: the intents of messages given as arguments or on stdin. */
@Command(
    name = "predict",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Predict the intents of messages, with the out-of-scope decision.",
      "",
      "Prints the top-k intents with probabilities; a message is out of scope when its best in-scope "
          + "probability is below the model's threshold. Give messages as arguments, or '-' to read one "
          + "message per line from stdin.",
      ""
    },
    footer = {"", "Examples:", "  intent predict --model models/clinc150 \"change company address\"",
        "  cat messages.txt | intent predict --model clinc150-1.intent --json -",
        "  intent predict --model models/student --fallback models/teacher \"where is my card\""})
public final class PredictCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--allow-cpu-fallback", description = "Run an artifact compiled for cuda/tensorrt on the CPU when no GPU "
      + "provider is available, instead of failing.")
  boolean allowCpuFallback;

  @Option(names = "--model", required = true, paramLabel = "PATH", description = "Model directory or .intent artifact.")
  Path model;

  @Option(names = "--top-k", paramLabel = "K", description = "Intents listed per message, at least 1. Default: ${DEFAULT-VALUE}.")
  int topK = LoadOptions.DEFAULT_TOP_K;

  @Option(names = "--json", description = "One JSON object per message and line: "
      + "{\"text\",\"intent\",\"confidence\",\"out_of_scope\",\"top\",\"model_version\"}.")
  boolean json;

  @Option(names = "--batch-size", paramLabel = "N", description = "Messages per model call when reading stdin, 1..4096. Default: ${DEFAULT-VALUE}.")
  int batchSize = 32;

  @Option(names = "--threads", paramLabel = "N", description = "ONNX Runtime threads. Default: all cores (${DEFAULT-VALUE}).")
  int threads = Runtime.getRuntime().availableProcessors();

  @Parameters(arity = "1..*", paramLabel = "TEXT", description = "Messages, or '-' for one message per line on stdin.")
  List<String> texts;

  @Mixin CascadeOptions cascadeOptions;

  /** Where '-' reads from; tests replace it. */
  InputStream stdin = System.in;

  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public Integer call() throws IOException {
    if (topK < 1) {
      throw new IntentException("--top-k must be at least 1, was " + topK);
    }
    if (threads < 1 || threads > 256) {
      throw new IntentException("--threads must be in 1..256, was " + threads);
    }
    if (batchSize < 1 || batchSize > 4096) {
      throw new IntentException("--batch-size must be in 1..4096, was " + batchSize);
    }
    boolean fromStdin = texts.size() == 1 && texts.get(0).equals("-");
    if (!fromStdin && texts.contains("-")) {
      throw new IntentException("'-' (read stdin) cannot be mixed with message arguments");
    }
    for (String t : texts) {
      if (TextContent.isEmpty(t) && !fromStdin) {
        throw new IntentException("empty message (no letter, digit, punctuation or symbol); give some text");
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    LoadOptions load = LoadOptions.defaults().withAllowCpuFallback(allowCpuFallback)
        .withSession(new SessionSettings(threads, 1, true)).withTopK(topK);
    try (OpenedModel opened = cascadeOptions.open(model, load)) {
      IntentPredictor predictor = opened.first();
      CascadePredictor cascade = cascadeOptions.cascade(predictor, opened.fallback());
      Function<List<String>, CascadePredictor.Answers> answer = CascadeOptions.answering(predictor, cascade);
      if (!fromStdin) {
        print(out, answer.apply(texts));
        return 0;
      }
      // Bytes that are not UTF-8 stop the run, as they do in data files and at the server.
      Utf8Lines in = new Utf8Lines(stdin, "stdin");
      List<String> batch = new ArrayList<>();
      for (String line; (line = in.next()) != null; ) {
        if (TextContent.isEmpty(line)) {
          continue; // blank lines, and a byte-order mark alone, are not messages
        }
        batch.add(line);
        if (batch.size() == batchSize) {
          print(out, answer.apply(batch));
          batch.clear();
        }
      }
      if (!batch.isEmpty()) {
        print(out, answer.apply(batch));
      }
    }
    return 0;
  }

  private void print(PrintWriter out, CascadePredictor.Answers answers) throws IOException {
    for (int i = 0; i < answers.predictions().size(); i++) {
      IntentPrediction p = answers.predictions().get(i);
      if (json) {
        out.println(JSON.writeValueAsString(p));
        continue;
      }
      String intent = Printable.of(p.intent());
      out.printf(Locale.ROOT, "%s%n  -> %s%s%s%n", Printable.of(p.text()), p.outOfScope() ? "OUT OF SCOPE (best: " + intent + ")" : intent,
          p.answeredByFallback() ? "  [answered by the fallback model]" : "",
          p.truncated() ? "  [truncated to the model's maximum length]" : "");
      for (ScoredIntent s : p.top()) {
        out.printf(Locale.ROOT, "     %-32s %.4f%n", Printable.of(s.intent()), s.confidence());
      }
    }
    out.flush();
  }
}
