package dev.intentinference.cli;

import dev.intentinference.compiler.CompileOptions;
import dev.intentinference.compiler.ModelCompiler;
import dev.intentinference.compiler.ModelDirectorySource;
import dev.intentinference.compiler.Precision;
import dev.intentinference.core.IntentException;
import dev.intentinference.server.RepositoryBootstrapper;
import dev.intentinference.train.IntentTrainer;
import dev.intentinference.train.TrainingOptions;
import dev.intentinference.train.TrainingResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Builds the default CLINC150 model into an empty repository on the first {@code intent serve}:
 * the same as {@code intent train} with its defaults on CLINC150 Full, then {@code intent compile
 * --precision int8} verified on the validation split, giving {@code REPO/clinc150/1/clinc150-1.intent}.
 * The trained model directory is an intermediate and is deleted; the artifact's manifest keeps its
 * provenance.
 *
 * <pre>{@code
 * RepositoryBootstrapper b = new DefaultModelBootstrap(DefaultModelBootstrap.findClinc150(null), out);
 * }</pre>
 */
final class DefaultModelBootstrap implements RepositoryBootstrapper {
  static final String MODEL = "clinc150";
  static final String VERSION = "1";
  static final List<Path> DATA_CANDIDATES = List.of(
      Path.of("data/clinc150/data_full.json"),
      Path.of("../shared/data/clinc150/data_full.json"),
      Path.of("/work/shared/data/clinc150/data_full.json"));

  private final Path data;
  private final PrintWriter out;

  DefaultModelBootstrap(Path data, PrintWriter out) {
    this.data = data;
    this.out = out;
  }

  /** The CLINC150 file: {@code given} when set, else the first of {@link #DATA_CANDIDATES} that exists. */
  static Path findClinc150(Path given) {
    if (given != null) {
      if (!Files.isRegularFile(given)) {
        throw new IntentException("--data " + given + ": no such file");
      }
      return given;
    }
    return DATA_CANDIDATES.stream().filter(Files::isRegularFile).findFirst().orElse(null);
  }

  @Override
  public void populate(Path repository) {
    if (data == null) {
      throw new IntentException("the model repository " + repository + " is empty and CLINC150 (data_full.json) was not found at "
          + DATA_CANDIDATES + "; pass --data FILE or put a model in " + repository + "/<model>/<version>/");
    }
    out.printf("intent: %s is empty: building the default model %s/%s from %s (train, then compile int8)...%n",
        repository, MODEL, VERSION, data);
    out.flush();
    long start = System.nanoTime();
    Path work = null;
    try {
      Files.createDirectories(repository);
      // Outside the repository, so the poller never sees a half-built model.
      work = Files.createTempDirectory("intent-default-model-");
      Path trained = work.resolve(MODEL);
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
    } catch (IOException e) {
      throw new UncheckedIOException("building the default model in " + repository, e);
    } finally {
      if (work != null) {
        deleteRecursively(work);
      }
    }
    out.printf(Locale.ROOT, "intent: built %s/%s in %.1f s%n", MODEL, VERSION, (System.nanoTime() - start) / 1e9);
    out.flush();
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a leftover temporary directory is harmless
    }
  }
}
