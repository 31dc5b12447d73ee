package dev.intentinference.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.file.FileService;
import dev.intentinference.core.IntentException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The folder given to {@code intent serve --reports DIR}, read-only: {@code GET /reports/...}
 * serves its files (Armeria's {@link FileService}, which only answers GET and HEAD and refuses any
 * path that leaves the folder, {@code ..} and its encodings included) and {@code GET /v1/reports}
 * lists the reports in it: each folder, up to two levels down, holding an {@code index.html}
 * (what {@code intent bench report --out DIR} writes), newest first.
 *
 * <pre>{@code
 * intent bench report run.json --out reports/2026-12-01-inf1
 * intent serve --reports reports      # the home page links /reports/2026-12-01-inf1/index.html
 * }</pre>
 */
final class ReportsFolder {
  /** A report as listed: its folder relative to DIR ("" for DIR itself), its page's URL path, when it was written. */
  record Entry(String name, String url, long modified_ms) {}

  private final Path dir;
  private final ObjectMapper mapper;

  private ReportsFolder(Path dir, ObjectMapper mapper) {
    this.dir = dir;
    this.mapper = mapper;
  }

  /**
   * @throws IntentException when {@code dir} is not a readable directory
   */
  static ReportsFolder of(Path dir, ObjectMapper mapper) {
    if (!Files.isDirectory(dir) || !Files.isReadable(dir)) {
      throw new IntentException("--reports " + dir + ": not a readable directory (give the folder that holds the "
          + "outputs of intent bench report --out)");
    }
    try {
      return new ReportsFolder(dir.toRealPath(), mapper);
    } catch (IOException e) {
      throw new IntentException("--reports " + dir + ": " + e.getMessage(), e);
    }
  }

  /** The files, under the route prefix {@code /reports/}. */
  HttpService files() {
    // No cache: a report written again under the same name must show its new figures.
    return FileService.builder(dir).autoIndex(false).serveCompressedFiles(false).cacheControl("no-cache")
        .maxCacheEntries(0).build();
  }

  /** {@code GET /v1/reports}: {@code [{"name","url","modified_ms"}]}. */
  HttpService list() {
    return (ctx, req) -> {
      try {
        return JsonBodies.ok(mapper.writeValueAsBytes(Map.of("reports", entries())));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    };
  }

  List<Entry> entries() {
    List<Entry> out = new ArrayList<>();
    try (Stream<Path> pages = Files.find(dir, 3, (p, a) -> a.isRegularFile() && p.getFileName().toString().equals("index.html"))) {
      pages.forEach(page -> {
        Path rel = dir.relativize(page.getParent());
        String name = rel.toString().replace('\\', '/');
        StringBuilder url = new StringBuilder("/reports/");
        for (Path part : rel) {
          if (!part.toString().isEmpty()) {
            url.append(java.net.URLEncoder.encode(part.toString(), java.nio.charset.StandardCharsets.UTF_8)
                .replace("+", "%20")).append('/');
          }
        }
        try {
          out.add(new Entry(name, url.append("index.html").toString(), Files.getLastModifiedTime(page).toMillis()));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException | UncheckedIOException e) {
      return out; // a report being written or removed while listed: list what was readable
    }
    out.sort(Comparator.comparingLong(Entry::modified_ms).reversed().thenComparing(Entry::name));
    return out;
  }

  static Map<String, Object> none() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("reports", List.of());
    m.put("note", "no reports folder: start the server with --reports DIR");
    return m;
  }
}
