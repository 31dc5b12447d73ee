package dev.intentinference.cli;

import dev.intentinference.core.IntentException;
import dev.intentinference.deploy.PushResult;
import dev.intentinference.deploy.S3ArtifactStore;
import dev.intentinference.deploy.S3Location;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import software.amazon.awssdk.services.s3.S3Client;

/** {@code intent push FILE s3://bucket/prefix}: uploads a compiled artifact where servers find it. */
@Command(
    name = "push",
    mixinStandardHelpOptions = true,
    description = {
      "Upload a compiled .intent artifact to an S3 bucket as prefix/<model>/<version>/<file>, model and version taken "
          + "from its manifest, with its SHA-256 and its manifest's SHA-256 as object metadata (servers check both).",
      "The artifact is checked before anything is sent. Versions are immutable: an existing version is not replaced "
          + "unless --force is given (pushing the identical file again is a no-op)."
    },
    footer = {
      "",
      "Examples:",
      "  intent push models/clinc150/2/clinc150-2.intent s3://my-models/prod",
      "  intent push clinc150-2.intent s3://models/prod --s3-endpoint http://127.0.0.1:9000 --s3-path-style   # MinIO",
      "  intent serve --repository s3://my-models/prod    # servers pick it up within one poll"
    })
final class PushCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", description = "The .intent artifact (from intent compile).")
  Path file;

  @Parameters(index = "1", paramLabel = "s3://BUCKET/PREFIX", description = "Where the repository lives in the bucket.")
  String target;

  @Option(names = "--force", description = "Replace the version if the bucket already holds a different artifact for it.")
  boolean force;

  @Mixin S3Options s3;

  @Override
  public Integer call() {
    if (!file.getFileName().toString().endsWith(dev.intentinference.core.model.IntentArtifact.EXTENSION)) {
      throw new IntentException(file + ": expected a compiled .intent artifact (intent compile makes one)");
    }
    if (!java.nio.file.Files.isRegularFile(file)) {
      // Before any S3 setting is looked at: a missing file is the first thing to fix.
      throw new IntentException(file + (java.nio.file.Files.isDirectory(file) ? ": a directory, not a compiled .intent artifact" : ": no such file"));
    }
    S3Location at = S3Location.parse(target);
    PushResult r;
    try (S3Client client = s3.settings().client()) {
      r = new S3ArtifactStore(client, at).push(file, force);
    }
    PrintWriter out = spec.commandLine().getOut();
    switch (r.outcome()) {
      case ALREADY_THERE -> out.printf("%s already holds this artifact (sha256 %s); nothing uploaded%n", r.url(), r.sha256());
      case REPLACED -> out.printf("replaced %s: %s version %s, %s, sha256 %s%n", r.url(), r.model(), r.version(), Format.bytes(r.size()), r.sha256());
      default -> out.printf("pushed %s: %s version %s, %s, sha256 %s%n", r.url(), r.model(), r.version(), Format.bytes(r.size()), r.sha256());
    }
    out.flush();
    return 0;
  }
}
