package dev.intentinference.cli;

import dev.intentinference.deploy.RemoteListing;
import dev.intentinference.deploy.RemoteVersion;
import dev.intentinference.deploy.S3ArtifactStore;
import dev.intentinference.deploy.S3Location;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import software.amazon.awssdk.services.s3.S3Client;

/** {@code intent models s3://bucket/prefix}: what a bucket repository holds. */
@Command(
    name = "models",
    mixinStandardHelpOptions = true,
    description = "List the models of an S3 repository (as intent push lays it out): each version with its size, "
        + "SHA-256 and upload time, newest first; '*' marks the version servers serve when its bytes verify (the pinned one, else the newest "
        + "with its SHA-256 metadata).",
    footer = {
      "",
      "Examples:",
      "  intent models s3://my-models/prod",
      "  intent models s3://models/prod --s3-endpoint http://127.0.0.1:9000 --s3-path-style"
    })
final class ModelsCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "s3://BUCKET/PREFIX", description = "The repository in the bucket.")
  String location;

  @Mixin S3Options s3;

  @Override
  public Integer call() {
    S3Location at = S3Location.parse(location);
    PrintWriter out = spec.commandLine().getOut();
    try (S3Client client = s3.settings().client()) {
      S3ArtifactStore store = new S3ArtifactStore(client, at);
      RemoteListing listing = store.list();
      if (listing.models().isEmpty()) {
        out.println(at + ": no models (push one with: intent push FILE.intent " + at + ")");
      }
      for (String model : listing.models()) {
        String pin = listing.pins().get(model);
        Map<String, Optional<String>> shas = new LinkedHashMap<>();
        listing.versions(model).forEach(v -> shas.put(v.version(), store.sha256Of(v.key())));
        // Servers refuse an object without its hash, so they serve the pin only when it has one,
        // else the newest that has one (whether its bytes match is known only once downloaded).
        String serving = pin != null && shas.getOrDefault(pin, Optional.empty()).isPresent() ? pin
            : shas.entrySet().stream().filter(e -> e.getValue().isPresent()).map(Map.Entry::getKey).findFirst().orElse(null);
        out.println(model + (pin == null ? "" : "  (pinned to version " + pin + (pin.equals(serving) ? ")"
            : "; servers cannot serve it: " + (listing.version(model, pin).isPresent() ? "it has no sha256 metadata)" : "no such version)"))));
        for (RemoteVersion v : listing.versions(model)) {
          String sha = shas.get(v.version()).orElse("(no sha256 metadata: servers will refuse it)");
          out.printf("  %s %-8s %10s  %s  %s  %s%n", v.version().equals(serving) ? "*" : " ", v.version(),
              Format.bytes(v.size()), v.lastModified(), sha, v.fileName());
        }
      }
      listing.ambiguous().forEach(dir -> out.println("warning: " + dir + " holds several .intent objects; servers skip it"));
    }
    out.flush();
    return 0;
  }
}
