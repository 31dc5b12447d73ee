package dev.intentinference.core.data;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import com.fasterxml.jackson.databind.MappingIterator;
import dev.intentinference.core.IntentException;
import dev.intentinference.core.io.IoErrors;
import dev.intentinference.core.text.TextContent;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads labeled utterances from CLINC150 JSON, CSV/TSV with a header, or JSON lines. Every
 * problem is an {@link IntentException} naming the file and line (or split and index). Files as
 * spreadsheets save them read as written: a byte-order mark, blank lines, a semicolon-separated
 * "CSV" and header names in another case ({@code Text,Intent}) are all taken.
 *
 * <pre>{@code
 * Map<String, List<LabeledText>> splits = new DatasetReader(Columns.DEFAULT).readSplits(Path.of("data_full.json"));
 * List<LabeledText> rows = new DatasetReader(Columns.DEFAULT).read(Path.of("intents.csv"));
 * }</pre>
 */
public final class DatasetReader {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** What spreadsheet programs put before the first byte of a UTF-8 file they save. */
  private static final char BYTE_ORDER_MARK = '\uFEFF';
  private static final int HEADER_LOOKAHEAD = 1 << 20;
  private final Columns columns;

  public DatasetReader(Columns columns) {
    this.columns = columns;
  }

  /**
   * Reads a file as named splits. CLINC150 JSON keeps its own split names ({@code train},
   * {@code val}, {@code oos_val}, ...); any other format is one split named {@code all}.
   */
  public Map<String, List<LabeledText>> readSplits(Path file) {
    requireReadable(file);
    if (DataFormat.of(file) == DataFormat.CLINC_JSON) {
      return readClinc(file);
    }
    return Map.of("all", read(file));
  }

  /**
   * Reads every row. For CLINC150 JSON, give the splits to read, e.g. {@code "test", "oos_test"};
   * with none, all splits are concatenated.
   */
  public List<LabeledText> read(Path file, String... clincSplits) {
    requireReadable(file);
    return switch (DataFormat.of(file)) {
      case CLINC_JSON -> concat(readClinc(file), file, clincSplits);
      case CSV -> readDelimited(file, ',', true);
      case TSV -> readDelimited(file, '\t', false);
      case JSONL -> readJsonLines(file);
    };
  }

  private static List<LabeledText> concat(Map<String, List<LabeledText>> splits, Path file, String... names) {
    List<LabeledText> out = new ArrayList<>();
    if (names.length == 0) {
      splits.values().forEach(out::addAll);
      return out;
    }
    for (String name : names) {
      List<LabeledText> split = splits.get(name);
      if (split == null) {
        throw new IntentException(BuiltInDatasets.shownName(file) + ": no split '" + name + "' (has " + splits.keySet() + ")");
      }
      out.addAll(split);
    }
    return out;
  }

  private static void requireReadable(Path file) {
    if (!Files.exists(file)) {
      throw new IntentException(file + ": no such file");
    }
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw new IntentException(file + ": not a readable file");
    }
  }

  private Map<String, List<LabeledText>> readClinc(Path file) {
    JsonNode root;
    try {
      root = JSON.readTree(readUtf8(file));
    } catch (JsonParseException e) {
      throw new IntentException(
          file + ":" + e.getLocation().getLineNr() + ": malformed JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new IntentException(file + ": " + IoErrors.reason(e), e);
    }
    if (root == null || !root.isObject()) {
      throw new IntentException(file + ": expected a JSON object of splits like {\"train\": [[text, intent], ...]}");
    }
    Map<String, List<LabeledText>> splits = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> split = it.next();
      if (!split.getValue().isArray()) {
        throw new IntentException(file + ": split '" + split.getKey() + "' is not a list");
      }
      ArrayNode rows = (ArrayNode) split.getValue();
      List<LabeledText> out = new ArrayList<>(rows.size());
      for (int i = 0; i < rows.size(); i++) {
        JsonNode row = rows.get(i);
        String where = file + "#" + split.getKey() + "[" + i + "]";
        if (!row.isArray() || row.size() != 2 || !row.get(0).isTextual() || !row.get(1).isTextual()) {
          throw new IntentException(where + ": expected [text, intent], got " + abbreviate(row.toString()));
        }
        out.add(checked(row.get(0).asText(), row.get(1).asText(), where));
      }
      splits.put(split.getKey(), out);
    }
    return splits;
  }

  /**
   * @param quoting CSV's double quotes (RFC 4180) for {@code .csv}; none for {@code .tsv}, read as
   *     IANA's text/tab-separated-values: every line one row, a quote an ordinary character (a lone
   *     {@code "} in a message would otherwise swallow the rows after it)
   */
  private List<LabeledText> readDelimited(Path file, char declaredSeparator, boolean quoting) {
    CsvMapper mapper = new CsvMapper();
    mapper.enable(CsvParser.Feature.FAIL_ON_MISSING_COLUMNS);
    // Editors and exports often end a file with blank lines; they hold no row.
    mapper.enable(CsvParser.Feature.SKIP_EMPTY_LINES);
    List<LabeledText> out = new ArrayList<>();
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      skipByteOrderMark(reader);
      String headerLine = headerLine(reader);
      char separator = separatorOf(headerLine, declaredSeparator);
      if (headerLine.endsWith(String.valueOf(separator))) {
        // A header with an unnamed last column (a sheet's stray column): its values are a column
        // of their own, not a trailing separator to drop.
        mapper.disable(CsvParser.Feature.ALLOW_TRAILING_COMMA);
      }
      CsvSchema schema = CsvSchema.emptySchema().withHeader().withColumnSeparator(separator);
      if (!quoting) {
        schema = schema.withoutQuoteChar();
      }
      try (MappingIterator<Map<String, String>> rows = mapper.readerForMapOf(String.class).with(schema).readValues(reader)) {
        CsvSchema header = null;
        int columnCount = 0;
        String textColumn = null;
        String labelColumn = null;
        while (true) {
          Map<String, String> row;
          try {
            if (!rows.hasNextValue()) {
              break;
            }
            row = rows.nextValue();
          } catch (IOException | RuntimeException e) {
            // The last token read is on the faulty row's line; a short row is only found once its
            // line end is read, so the stream's own location is already on the next line.
            var at = rows.getParser().currentTokenLocation();
            int line = at != null && at.getLineNr() > 0 ? at.getLineNr()
                : rows.getCurrentLocation() == null ? -1 : rows.getCurrentLocation().getLineNr();
            throw new IntentException(file + ":" + line + ": malformed row: " + firstLine(e.getMessage()), e);
          }
          if (header == null) {
            header = (CsvSchema) rows.getParserSchema();
            textColumn = column(file, header, columns.text());
            labelColumn = column(file, header, columns.label());
            columnCount = distinctNames(file, header, textColumn, labelColumn);
          }
          // The last token read is on the row's own line; the stream's location is already past it.
          int line = rows.getParser().currentTokenLocation().getLineNr();
          String where = file + ":" + line;
          if (row.size() != columnCount) {
            throw new IntentException(where + ": malformed row: expected " + header.size() + " columns, got " + row.size());
          }
          out.add(checked(row.get(textColumn), row.get(labelColumn), where));
        }
      }
    } catch (CharacterCodingException e) {
      throw new IntentException(file + ": not valid UTF-8", e);
    } catch (IOException e) {
      throw new IntentException(file + ": " + firstLine(e.getMessage()), e);
    }
    if (out.isEmpty()) {
      throw new IntentException(file + ": no rows (expected a header '" + columns.text() + "," + columns.label() + "' and data)");
    }
    return out;
  }

  /**
   * How many distinct names the header has (a row read as a map holds one value per name). A name
   * given twice is refused when it is the text or label column, since which one was meant is unknown.
   */
  private static int distinctNames(Path file, CsvSchema header, String textColumn, String labelColumn) {
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (CsvSchema.Column c : header) {
      if (!seen.add(c.getName()) && (c.getName().equals(textColumn) || c.getName().equals(labelColumn))) {
        throw new IntentException(file + ":1: the header names column '" + c.getName() + "' twice; which one to read is unclear");
      }
    }
    return seen.size();
  }

  /** Reads the first line and steps back to it, so the CSV parser still sees the header. */
  private static String headerLine(BufferedReader reader) throws IOException {
    reader.mark(HEADER_LOOKAHEAD);
    String line = reader.readLine();
    reader.reset();
    return line == null ? "" : line;
  }

  /**
   * The separator the header uses. Spreadsheets in many locales save "CSV" with semicolons, and
   * a tab-separated file is sometimes named {@code .csv}: when the header has none of the
   * separator its extension implies but has one of the others, that one is meant. Only the header
   * decides, since a message may contain any of them.
   */
  static char separatorOf(String header, char declared) {
    if (header.indexOf(declared) >= 0) {
      return declared;
    }
    for (char other : new char[] {',', '\t', ';'}) {
      if (other != declared && header.indexOf(other) >= 0) {
        return other;
      }
    }
    return declared;
  }

  /**
   * The header's name for a wanted column: the exact name, else the one name equal to it but for
   * case and surrounding spaces ({@code Text}, {@code " Intent"}), as spreadsheets often write them.
   */
  private static String column(Path file, CsvSchema header, String wanted) {
    if (header.column(wanted) != null) {
      return wanted;
    }
    List<String> names = new ArrayList<>();
    List<String> matches = new ArrayList<>();
    header.forEach(c -> {
      names.add(c.getName());
      if (c.getName().strip().equalsIgnoreCase(wanted)) {
        matches.add(c.getName());
      }
    });
    if (matches.size() == 1) {
      return matches.get(0);
    }
    if (matches.size() > 1) {
      throw new IntentException(file + ":1: columns " + matches + " all match '" + wanted
          + "'; name the one to read with --text-column/--label-column");
    }
    throw new IntentException(file + ":1: no column '" + wanted + "' in header " + names
        + " (choose columns with --text-column/--label-column)");
  }

  private static void skipByteOrderMark(BufferedReader reader) throws IOException {
    reader.mark(1);
    if (reader.read() != BYTE_ORDER_MARK) {
      reader.reset();
    }
  }

  private List<LabeledText> readJsonLines(Path file) {
    List<String> lines = List.of(readUtf8(file).split("\r?\n", -1));
    List<LabeledText> out = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank()) {
        continue;
      }
      String where = file + ":" + (i + 1);
      JsonNode node;
      try {
        node = JSON.readTree(line);
      } catch (IOException e) {
        throw new IntentException(where + ": malformed JSON line", e);
      }
      if (node == null || !node.isObject()) {
        throw new IntentException(where + ": expected a JSON object with '" + columns.text() + "' and '" + columns.label() + "'");
      }
      String text = scalar(node, columns.text(), "text", where);
      String label = scalar(node, columns.label(), "label", where);
      out.add(checked(text, label, where));
    }
    if (out.isEmpty()) {
      throw new IntentException(file + ": no rows");
    }
    return out;
  }

  /** A string field, or a number as written (labels exported as class ids: {@code "intent": 3}). */
  private static String scalar(JsonNode node, String field, String what, String where) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      throw new IntentException(where + ": missing " + what + " field '" + field + "'");
    }
    if (!v.isTextual() && !v.isNumber()) {
      throw new IntentException(where + ": " + what + " field '" + field + "' must be a string, was " + v.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
    }
    return v.asText();
  }

  private static LabeledText checked(String text, String intent, String where) {
    if (text == null || TextContent.isEmpty(text)) {
      throw new IntentException(where + ": empty text");
    }
    if (intent == null || TextContent.isEmpty(intent)) {
      throw new IntentException(where + ": empty intent label");
    }
    String label = intent.strip();
    // "OOS" or "Oos" in a file means what "oos" means; taken as an intent of its own, it would
    // turn out-of-scope queries into confident answers.
    return new LabeledText(text.strip(), label.equalsIgnoreCase(LabeledText.OUT_OF_SCOPE) ? LabeledText.OUT_OF_SCOPE : label, where);
  }

  private static String readUtf8(Path file) {
    try {
      String text = StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file)))
          .toString();
      return text.startsWith(String.valueOf(BYTE_ORDER_MARK)) ? text.substring(1) : text;
    } catch (CharacterCodingException e) {
      throw new IntentException(file + ": not valid UTF-8", e);
    } catch (NoSuchFileException e) {
      throw new IntentException(file + ": no such file", e);
    } catch (IOException e) {
      throw new IntentException(file + ": " + IoErrors.reason(e), e);
    }
  }

  private static String abbreviate(String s) {
    return s.length() > 80 ? s.substring(0, 77) + "..." : s;
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
