package dev.intentinference.cli;

import java.util.Map;

/**
 * The training records check their own values and name their fields ({@code maxEpochs must be in
 * 1..1000}); a user typed a flag. This puts the flag where the field was, so the message names
 * what to change ({@code --epochs must be in 1..1000, was 0}).
 *
 * <pre>{@code
 * OptionNames.flagged("intraOpThreads must be in 1..256, was 0"); // "--threads must be in 1..256, was 0"
 * }</pre>
 */
final class OptionNames {
  private static final Map<String, String> FLAGS = Map.ofEntries(
      Map.entry("hiddenUnits", "--hidden-units"), Map.entry("maxEpochs", "--epochs"), Map.entry("patience", "--patience"),
      Map.entry("batchSize", "--batch-size"), Map.entry("learningRate", "--learning-rate"),
      Map.entry("weightDecay", "--weight-decay"), Map.entry("dropout", "--dropout"),
      Map.entry("labelSmoothing", "--label-smoothing"), Map.entry("temperature", "--temperature"),
      Map.entry("holdoutFraction", "--holdout"), Map.entry("intraOpThreads", "--threads"), Map.entry("threads", "--threads"),
      Map.entry("distillTemperature", "--distill-temperature"), Map.entry("distillWeight", "--distill-weight"),
      Map.entry("augment", "--augment"), Map.entry("feedForwardWidth", "--ffn-width"));

  private OptionNames() {}

  /** {@code message} with its first word replaced by the flag that sets it, when it names a field; else as it is. */
  static String flagged(String message) {
    if (message == null) {
      return "";
    }
    int space = message.indexOf(' ');
    String flag = space < 0 ? null : FLAGS.get(message.substring(0, space));
    return flag == null ? message : flag + message.substring(space);
  }
}
