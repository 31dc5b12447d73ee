package dev.intentinference.cli;

import dev.intentinference.compiler.CompileOptions;
import dev.intentinference.compiler.ModelCompiler;
import dev.intentinference.compiler.ModelDirectorySource;
import dev.intentinference.compiler.Precision;
import dev.intentinference.core.IntentException;
import dev.intentinference.core.data.BuiltInDatasets;
import dev.intentinference.core.io.ScratchDirectory;
import dev.intentinference.server.RepositoryBootstrapper;
import dev.intentinference.train.IntentTrainer;
import dev.intentinference.train.TrainingOptions;
import dev.intentinference.train.TrainingResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Builds the default CLINC150 model into an empty repository on the first {@code intent serve}:
 * the same as {@code intent train} with its defaults on CLINC150 Full, then {@code intent compile
 * --precision int8} verified on the validation split, giving {@code REPO/clinc150/1/clinc150-1.intent}.
 * The data is {@code --data} when given, else the copy shipped in intent-core
 * ({@link BuiltInDatasets#CLINC150}), so a fresh clone needs nothing else. The trained model
 * directory is an intermediate and is deleted; the artifact's manifest keeps its provenance.
 *
 * <pre>{@code
 * RepositoryBootstrapper b = DefaultModelBootstrap.of(null, out);   // the shipped CLINC150
 * }</pre>
 */
final class DefaultModelBootstrap implements RepositoryBootstrapper {
  static final String MODEL = "clinc150";
  static final String VERSION = "1";

  /** The CLINC150 file from {@code --data}, or null for the shipped copy. */
  private final Path given;
  private final PrintWriter out;
  /** The shipped CLINC150 written to a temporary file, once, for the first build and the upgrade. */
  private Path shippedCopy;

  private DefaultModelBootstrap(Path given, PrintWriter out) {
    this.given = given;
    this.out = out;
  }

  /**
   * @param given {@code --data}: a CLINC150 {@code data_full.json}, or {@code null} or
   *     {@code clinc150} for the copy shipped in intent-core
   */
  static DefaultModelBootstrap of(Path given, PrintWriter out) {
    if (given != null && !Files.isRegularFile(given)) {
      if (!given.toString().equals(BuiltInDatasets.CLINC150)) {
        throw new IntentException("--data " + given + ": no such file (give a CLINC150 data_full.json, or "
            + BuiltInDatasets.CLINC150 + " for the copy shipped with intent)");
      }
      given = null;
    }
    return new DefaultModelBootstrap(given, out);
  }

  /** Whether the data is the copy shipped in intent-core rather than a {@code --data} file. */
  boolean usesShippedData() {
    return given == null;
  }

  /** The file to train on; the shipped copy is written out (SHA-256 checked) only when first asked for. */
  synchronized Path data() {
    if (shippedCopy == null && given == null) {
      shippedCopy = BuiltInDatasets.file(BuiltInDatasets.CLINC150);
    }
    return given != null ? given : shippedCopy;
  }

  @Override
  public void populate(Path repository) {
    out.printf("intent: %s is empty: building the default model %s/%s from %s (train, then compile int8)...%n",
        repository, MODEL, VERSION, given != null ? given : "CLINC150 Full as shipped with intent (" + BuiltInDatasets.resource(BuiltInDatasets.CLINC150) + ")");
    out.flush();
    long start = System.nanoTime();
    try {
      Path data = data();
      Files.createDirectories(repository);
      // Outside the repository, so the poller never sees a half-built model; gone after Ctrl-C too.
      try (ScratchDirectory work = ScratchDirectory.create(null, "intent-default-model-")) {
        Path trained = work.path().resolve(MODEL);
        TrainingResult t = new IntentTrainer().train(
            TrainingOptions.defaults(data, trained).withNameAndVersion(MODEL, VERSION),
            new TrainingProgressBars(new ProgressBars(false)));
        out.printf(Locale.ROOT, "intent: trained in %.1f s (validation in-scope accuracy %.2f%%, out-of-scope recall %.1f%%)%n",
            t.totalSeconds(), 100 * t.validation().inScopeAccuracy(), 100 * t.validation().oosRecall());
        Path versionDir = Files.createDirectories(repository.resolve(MODEL).resolve(VERSION));
        CompileOptions options = CompileOptions.defaults().withPrecision(Precision.INT8)
            .withVerifyData(data, "val", CompileOptions.DEFAULT_VERIFY_LIMIT);
        ModelCompiler.CompileResult c = new ModelCompiler(options, "default-model").compile(ModelDirectorySource.open(trained), versionDir);
        out.printf(Locale.ROOT, "intent: compiled %s (%s)%n", c.artifact(), c.report().summary());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("building the default model in " + repository, e);
    }
    out.printf(Locale.ROOT, "intent: built %s/%s in %.1f s%n", MODEL, VERSION, (System.nanoTime() - start) / 1e9);
    out.flush();
  }
}
