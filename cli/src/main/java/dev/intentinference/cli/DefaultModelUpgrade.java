package dev.intentinference.cli;

import dev.intentinference.compiler.CalibrationOptions;
import dev.intentinference.compiler.CascadeCompiler;
import dev.intentinference.compiler.CompileOptions;
import dev.intentinference.compiler.ModelCompiler;
import dev.intentinference.compiler.ModelDirectorySource;
import dev.intentinference.compiler.Precision;
import dev.intentinference.compiler.SmoothingOptions;
import dev.intentinference.core.io.ExitGuard;
import dev.intentinference.core.io.ScratchDirectory;
import dev.intentinference.core.model.CascadeInfo;
import dev.intentinference.core.model.IntentArtifact;
import dev.intentinference.core.model.ModelManifest;
import dev.intentinference.train.FineTuneTrainer;
import dev.intentinference.train.FineTuning;
import dev.intentinference.train.TrainingListener;
import dev.intentinference.train.TrainingOptions;
import dev.intentinference.train.TrainingResult;
import dev.intentinference.train.finetune.FineTuner;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Turns the quick default model into the fine-tuned one while it serves: fine-tunes (teacher, then
 * distilled model), compiles to int8 verified on the validation split, and publishes the artifact
 * as {@code clinc150/2}, which the server's repository poll loads, warms up and swaps in with no
 * failed request. Work happens in a hidden staging directory of the model (the poll ignores dot
 * directories) and the finished version directory is renamed into place, so the poll never sees
 * half a model; a stopped server leaves no visible trace and the next start begins again. As a
 * cascade, version 2 is the distilled model with the teacher the run trained behind it, escalating
 * below the value the run chose on validation (docs/fine-tuning.md, "A fallback model").
 *
 * <pre>{@code
 * if (DefaultModelUpgrade.needed(repo)) new DefaultModelUpgrade(data, FineTuning.defaults(), false, out).startInBackground(repo, () -> {});
 * }</pre>
 */
final class DefaultModelUpgrade {
  static final String VERSION = "2";

  private final Path data;
  private final FineTuning fineTuning;
  private final boolean cascade;
  private final PrintWriter out;

  /** @param cascade publish the model with its teacher packed behind it, instead of the model alone */
  DefaultModelUpgrade(Path data, FineTuning fineTuning, boolean cascade, PrintWriter out) {
    this.data = data;
    this.fineTuning = fineTuning;
    this.cascade = cascade;
    this.out = out;
  }

  /**
   * Whether the repository serves the quick default model and nothing newer: {@code clinc150}
   * with version 1 only, a head on frozen features (as the first start builds it).
   */
  static boolean needed(Path repository) {
    Path model = repository.resolve(DefaultModelBootstrap.MODEL);
    List<String> versions;
    try (Stream<Path> s = Files.list(model)) {
      versions = s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).toList();
    } catch (IOException e) {
      return false;
    }
    if (!versions.equals(List.of(DefaultModelBootstrap.VERSION))) {
      return false;
    }
    Path artifact = model.resolve(DefaultModelBootstrap.VERSION)
        .resolve(DefaultModelBootstrap.MODEL + "-" + DefaultModelBootstrap.VERSION + IntentArtifact.EXTENSION);
    if (!Files.isRegularFile(artifact)) {
      return false;
    }
    try {
      ModelManifest m = IntentArtifact.read(artifact).manifest();
      Object mode = m.training() == null ? null : m.training().get("mode");
      return mode == null || "frozen".equals(mode);
    } catch (RuntimeException e) {
      return false;
    }
  }

  /**
   * Runs {@link #run} on a daemon thread, then {@code published}; a failure is logged and version 1
   * keeps serving.
   */
  Thread startInBackground(Path repository, Runnable published) {
    Thread t = new Thread(() -> {
      try {
        run(repository);
        published.run();
      } catch (RuntimeException e) {
        log("building %s/%s failed: %s; version %s keeps serving", DefaultModelBootstrap.MODEL, VERSION,
            e.getMessage(), DefaultModelBootstrap.VERSION);
      }
    }, "intent-default-model-upgrade");
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** What {@code intent train} does by default, written to {@code trained}. */
  TrainingOptions trainingOptions(Path trained) {
    return TrainingOptions.defaults(data, trained).withEncoders(List.of(FineTuning.DEFAULT_MODEL_ENCODER))
        .withNameAndVersion(DefaultModelBootstrap.MODEL, VERSION).withOosClass(FineTuning.DEFAULT_OOS_CLASS);
  }

  /** Builds and publishes {@code clinc150/2}; returns its directory. */
  Path run(Path repository) {
    long start = System.nanoTime();
    Path model = repository.resolve(DefaultModelBootstrap.MODEL);
    ScratchDirectory scratch = ScratchDirectory.create(model, "." + VERSION + ".building-");
    Path staging = scratch.path();
    try (scratch) {
      log("fine-tuning %s/%s%s in the background (%d thread(s)); version %s serves meanwhile", DefaultModelBootstrap.MODEL,
          VERSION, cascade ? " (a cascade: the model, its teacher behind it)" : "", fineTuning.threads(), DefaultModelBootstrap.VERSION);
      Path trained = staging.resolve("model");
      Path teacher = cascade ? staging.resolve("teacher") : null;
      TrainingResult t = new FineTuneTrainer(fineTuning, teacher).train(trainingOptions(trained), new ProgressLog());
      log("fine-tuned in %.0f s: validation in-scope accuracy %.2f%%, out-of-scope recall %.1f%%", t.totalSeconds(),
          100 * t.validation().inScopeAccuracy(), 100 * t.validation().oosRecall());
      // Writes into the staging directory go through the exit's guard (ExitGuard), so none lands
      // after its shutdown hook has deleted it.
      Path built = ExitGuard.process().call(() -> Files.createDirectories(staging.resolve(VERSION)));
      // Smoothing measures the channels on the texts the model was trained on: on CLINC150
      // validation that keeps more decisions through int8 than the generic built-in sentences.
      // Constant activation ranges, calibrated on the same texts, make a message's answer the
      // same whatever the server batches it with; on validation they scored as dynamic ranges
      // did, at the same CPU time (docs/perf.md, "Twenty-ninth session").
      CompileOptions options = CompileOptions.defaults().withPrecision(Precision.INT8)
          .withVerifyData(data, "val", CompileOptions.DEFAULT_VERIFY_LIMIT).withSmoothing(SmoothingOptions.of(data))
          .withCalibration(CalibrationOptions.of(data));
      ModelCompiler compiler = new ModelCompiler(options, "default-model-upgrade");
      if (cascade) {
        Double chosen = CascadeInfo.recordedEscalateBelow(t.manifest());
        double escalate = chosen != null ? chosen : CascadeInfo.DEFAULT_ESCALATE_BELOW;
        CascadeCompiler.Result c = new CascadeCompiler(compiler).compile(ModelDirectorySource.open(trained), teacher, escalate,
            built.resolve(ModelCompiler.fileName(t.manifest())));
        log("compiled and verified: %s; its teacher: %s; packed as a cascade escalating below %s", c.first().report().summary(),
            c.fallback().report().summary(), escalate);
      } else {
        ModelCompiler.CompileResult c = compiler.compile(ModelDirectorySource.open(trained), built);
        log("compiled and verified: %s", c.report().summary());
      }
      Path target = model.resolve(VERSION);
      // Guarded too: published while the exit deletes the staging directory, the version could
      // lose files on the way.
      ExitGuard.process().call(() -> {
        try {
          return Files.move(built, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
          return Files.move(built, target);
        }
      });
      log("published %s/%s after %.0f s; the server loads it at its next repository poll",
          DefaultModelBootstrap.MODEL, VERSION, (System.nanoTime() - start) / 1e9);
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("publishing " + DefaultModelBootstrap.MODEL + "/" + VERSION, e);
    }
  }

  private void log(String format, Object... args) {
    synchronized (out) {
      out.printf(Locale.ROOT, "intent: " + format + "%n", args);
      out.flush();
    }
  }

  /** Progress as log lines (a server log is no terminal): every tenth of the steps and every epoch. */
  private final class ProgressLog implements TrainingListener {
    private String role = "";
    private int nextReport;
    private long started;

    @Override
    public void fineTuneStarted(String role, String encoderId, int epochs, int totalSteps) {
      this.role = role;
      this.nextReport = Math.max(1, totalSteps / 10);
      this.started = System.nanoTime();
      log("fine-tuning the %s (%s): %d epochs, %d steps", role, encoderId, epochs, totalSteps);
    }

    @Override
    public void fineTuneStep(int step, int totalSteps, double loss) {
      if (step >= nextReport) {
        double elapsed = (System.nanoTime() - started) / 1e9;
        log("%s: step %d/%d (%d%%), loss %.4f, about %.0f s left", role, step, totalSteps, 100 * step / totalSteps,
            loss, elapsed / step * (totalSteps - step));
        nextReport += Math.max(1, totalSteps / 10);
      }
    }

    @Override
    public void fineTuneEpoch(String role, FineTuner.EpochRecord epoch) {
      log("%s: epoch %d, validation in-scope accuracy %.2f%%%s", role, epoch.epoch(), 100 * epoch.validationAccuracy(),
          epoch.skippedSteps() == 0 ? "" : ", " + epoch.skippedSteps() + " steps skipped (non-finite)");
    }
  }
}
