package dev.intentinference.cli;

import dev.intentinference.deploy.RemoteListing;
import dev.intentinference.deploy.S3ArtifactStore;
import dev.intentinference.deploy.S3Location;
import picocli.CommandLine.Mixin;
import software.amazon.awssdk.services.s3.S3Client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.intentinference.core.IntentException;
import dev.intentinference.core.model.ModelNames;
import dev.intentinference.core.model.PinFile;
import dev.intentinference.server.ModelRepository;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code intent rollback}: puts a model back on a given version, either in a repository (writes the
 * pin file {@code REPO/<model>/.pinned-version}, which every server polling that repository
 * follows) or on one running server (its admin API's {@code load}, a pin that lasts until the next
 * load or a restart).
 */
@Command(
    name = "rollback",
    description = "Serve a given version of a model instead of the newest. With --repository: writes the pin file "
        + "REPO/<model>/.pinned-version (atomically), which servers polling that repository follow within one poll; "
        + "--clear removes it (back to the newest version). With an s3:// repository the pin is an object there that "
        + "every server on the bucket follows. With --server: asks that running server's admin API to load "
        + "and serve the version now (needs its admin token); --clear drops that pin.%n",
    footer = {
      "",
      "Examples:",
      "  intent rollback --repository models --model clinc150 --version 1",
      "  intent rollback --repository models --model clinc150 --clear",
      "  intent rollback --repository s3://my-models/prod --model clinc150 --version 1   # every server on the bucket",
      "  INTENT_ADMIN_TOKEN=s3cret intent rollback --server http://127.0.0.1:8000 --model clinc150 --version 1",
      "  intent rollback --server http://127.0.0.1:8000 --model clinc150 --clear --admin-token s3cret"
    })
final class RollbackCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  // No standard --version option here: --version names the model version, as in the examples.
  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
  boolean help;

  static final class Where {
    @Option(names = "--repository", paramLabel = "DIR|s3://BUCKET/PREFIX", required = true,
        description = "Model repository whose pin file to write: a directory, or an S3 repository (the pin object "
            + "<prefix>/<model>/.pinned-version, which every server on the bucket follows).")
    String repository;

    @Option(names = "--server", paramLabel = "URL", required = true,
        description = "A running server, e.g. http://127.0.0.1:8000: its admin API loads the version.")
    String server;
  }

  static final class What {
    @Option(names = "--version", paramLabel = "VERSION", required = true, description = "The version to serve.")
    String version;

    @Option(names = "--clear", required = true, description = "Remove the pin: the newest version serves again.")
    boolean clear;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  Where where;

  @Option(names = "--model", required = true, paramLabel = "NAME", description = "The model, e.g. clinc150.")
  String model;

  @ArgGroup(exclusive = true, multiplicity = "1")
  What what;

  @Mixin S3Options s3;

  @Option(names = "--admin-token", paramLabel = "TOKEN",
      description = "With --server: the server's admin token (default: the INTENT_ADMIN_TOKEN environment variable).")
  String adminToken;

  @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "600",
      description = "With --server: how long to wait for the server to load and warm up the version (default: ${DEFAULT-VALUE}).")
  long timeoutSeconds;

  /** Where the admin token comes from when {@code --admin-token} is not given; a test replaces it. */
  Map<String, String> environment = System.getenv();

  @Override
  public Integer call() throws Exception {
    ModelNames.check("--model", model);
    if (what.version != null) {
      ModelNames.check("--version", what.version);
    }
    PrintWriter out = spec.commandLine().getOut();
    if (where.repository != null && S3Location.isS3(where.repository)) {
      out.println(inBucket(S3Location.parse(where.repository)));
    } else if (where.repository != null) {
      out.println(inRepository(Path.of(where.repository)));
    } else {
      out.println(onServer(where.server));
    }
    return 0;
  }

  private String inRepository(Path repository) {
    if (!Files.isDirectory(repository.resolve(model))) {
      ModelRepository repo = new ModelRepository(repository);
      throw new IntentException("--model " + model + ": no such model in " + repository
          + (Files.isDirectory(repository) ? "; models: " + repo.models() : " (no such directory)"));
    }
    if (what.clear) {
      boolean had = PinFile.clear(repository, model);
      return had ? model + ": pin removed; the newest version serves from the next poll"
          : model + ": had no pin; the newest version serves";
    }
    List<String> versions = new ModelRepository(repository).versionNames(model);
    if (!versions.contains(what.version)) {
      throw new IntentException("--version " + what.version + ": " + repository.resolve(model).resolve(what.version)
          + " holds no model; versions of " + model + ": " + versions);
    }
    Path file = PinFile.write(repository, model, what.version);
    return model + ": pinned to version " + what.version + " (" + file + "); servers polling " + repository
        + " serve it from their next poll";
  }

  private String inBucket(S3Location at) {
    try (S3Client client = s3.settings().client()) {
      S3ArtifactStore store = new S3ArtifactStore(client, at);
      RemoteListing listing = store.list();
      if (listing.versions(model).isEmpty()) {
        throw new IntentException("--model " + model + ": no such model in " + at + "; models: " + listing.models());
      }
      if (what.clear) {
        if (listing.pins().get(model) == null) {
          return model + ": had no pin in " + at + "; servers on it serve the newest version";
        }
        store.unpin(model);
        return model + ": pin removed from " + at + "; servers on it serve the newest version from their next poll";
      }
      store.pin(model, what.version);
      return model + ": pinned to version " + what.version + " in " + at + "; servers on it serve it from their next poll";
    }
  }

  private String onServer(String server) throws IOException, InterruptedException {
    URI base;
    try {
      base = URI.create(server.endsWith("/") ? server : server + "/");
      if (base.getScheme() == null || !base.getScheme().matches("https?") || base.getHost() == null) {
        throw new IllegalArgumentException("not an http(s) URL");
      }
    } catch (IllegalArgumentException e) {
      throw new IntentException("--server " + server + ": expected a URL like http://127.0.0.1:8000");
    }
    String token = AdminTokens.resolve(adminToken, environment);
    if (token == null) {
      throw new IntentException("--server needs the server's admin token: --admin-token TOKEN or the "
          + AdminTokens.ENV + " environment variable");
    }
    URI uri = base.resolve("v2/repository/models/" + model + "/load");
    String body = what.clear ? "" : "{\"parameters\":{\"version\":\"" + what.version + "\"}}";
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(timeoutSeconds))
        .header("Authorization", "Bearer " + token).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    HttpResponse<String> r;
    try {
      r = client.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (ConnectException e) {
      throw new IOException("cannot connect to " + base + " (connection refused: is 'intent serve' running there?)", e);
    } catch (HttpTimeoutException e) {
      throw new IOException(uri + ": no answer within " + timeoutSeconds + " s (--timeout)", e);
    }
    String error = errorOf(r.body());
    switch (r.statusCode()) {
      case 200 -> {
        JsonNode ok = new ObjectMapper().readTree(r.body());
        return model + ": " + base + " now serves version " + ok.path("version").asText("?")
            + (what.clear ? " (pin dropped)" : " (pinned until the next load or a restart)");
      }
      case 401 -> throw new IntentException(base + " wants an admin token: " + error);
      case 403 -> throw new IntentException(base + " refused the admin token: " + error);
      case 400, 404 -> throw new IntentException(base + ": " + error);
      default -> throw new IOException(base + " answered " + r.statusCode() + ": " + error);
    }
  }

  /** The server's {@code {"error": "..."}} message, or the body itself. */
  private static String errorOf(String body) {
    try {
      JsonNode n = new ObjectMapper().readTree(body);
      if (n != null && n.hasNonNull("error")) {
        return n.get("error").asText();
      }
    } catch (IOException e) {
      // not JSON: show it as it is
    }
    return body.length() > 300 ? body.substring(0, 300) + "..." : body;
  }
}
