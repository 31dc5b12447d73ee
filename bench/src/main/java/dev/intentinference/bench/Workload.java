package dev.intentinference.bench;

import dev.intentinference.core.IntentException;
import dev.intentinference.core.data.BuiltInDatasets;
import dev.intentinference.core.data.Columns;
import dev.intentinference.core.data.DataFormat;
import dev.intentinference.core.data.DatasetReader;
import dev.intentinference.core.data.LabeledText;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The messages a run sends: read with core's {@link DatasetReader}, shuffled with a seed and
 * optionally cut to a sample. CLINC150 JSON files (by default the copy shipped with intent) contribute their {@code test} and
 * {@code oos_test} splits (every split when those are absent).
 *
 * <pre>{@code
 * List<LabeledText> m = Workload.load(null, 1000, 42);   // 1000 CLINC150 test messages
 * }</pre>
 */
public final class Workload {
  private Workload() {}

  /**
   * @param data the file (or a {@link BuiltInDatasets} name), or {@code null} for the test messages
   *     of the CLINC150 copy shipped with intent
   * @param limit at most this many messages (0: all)
   * @param seed seeds the shuffle
   */
  public static List<LabeledText> load(Path data, int limit, long seed) {
    if (limit < 0) {
      throw new IntentException("--messages: " + limit + " must be 0 (all) or more");
    }
    Path file = data != null ? BuiltInDatasets.resolve(data) : BuiltInDatasets.file(BuiltInDatasets.CLINC150);
    List<LabeledText> rows;
    DatasetReader reader = new DatasetReader(Columns.DEFAULT);
    if (DataFormat.of(file) == DataFormat.CLINC_JSON) {
      Map<String, List<LabeledText>> splits = reader.readSplits(file);
      rows = new ArrayList<>();
      if (splits.containsKey("test") || splits.containsKey("oos_test")) {
        rows.addAll(splits.getOrDefault("test", List.of()));
        rows.addAll(splits.getOrDefault("oos_test", List.of()));
      } else {
        splits.values().forEach(rows::addAll);
      }
    } else {
      rows = new ArrayList<>(reader.read(file));
    }
    if (rows.isEmpty()) {
      throw new IntentException(file + ": no messages to send");
    }
    Collections.shuffle(rows, new Random(seed));
    return limit > 0 && limit < rows.size() ? List.copyOf(rows.subList(0, limit)) : List.copyOf(rows);
  }

  public static List<String> texts(List<LabeledText> rows) {
    return rows.stream().map(LabeledText::text).toList();
  }
}
