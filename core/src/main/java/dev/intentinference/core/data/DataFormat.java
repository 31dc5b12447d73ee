package dev.intentinference.core.data;

import dev.intentinference.core.IntentException;
import java.nio.file.Path;
import java.util.Locale;

/** File formats for labeled utterances, chosen from the file name. */
public enum DataFormat {
  /** CLINC150 JSON: an object of splits, each a list of {@code [text, intent]} pairs. */
  CLINC_JSON,
  /** Comma-separated with a header row. */
  CSV,
  /** Tab-separated with a header row. */
  TSV,
  /** One JSON object per line with text and intent fields. */
  JSONL;

  public static DataFormat of(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".json")) {
      return CLINC_JSON;
    }
    if (name.endsWith(".csv")) {
      return CSV;
    }
    if (name.endsWith(".tsv") || name.endsWith(".tab")) {
      return TSV;
    }
    if (name.endsWith(".jsonl") || name.endsWith(".ndjson")) {
      return JSONL;
    }
    throw new IntentException(
        file + ": unknown data format (expected .json for CLINC150, .csv, .tsv or .jsonl)");
  }
}
