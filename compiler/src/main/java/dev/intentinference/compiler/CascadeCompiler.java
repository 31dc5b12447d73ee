package dev.intentinference.compiler;

import dev.intentinference.core.IntentException;
import dev.intentinference.core.io.ScratchDirectory;
import dev.intentinference.core.model.IntentArtifact;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Compiles a model and its fallback with the same options and packs them into one cascade
 * artifact ({@link CascadePacker}). Both are compiled into a private staging directory beside the
 * target, so an interrupted run leaves no artifact there and nothing half written.
 *
 * <pre>{@code
 * new CascadeCompiler(new ModelCompiler(CompileOptions.defaults().withPrecision(Precision.INT8), "dev"))
 *     .compile(ModelDirectorySource.open(student), teacherDir, 0.8, Path.of("dist/clinc150-2.intent"));
 * }</pre>
 */
public final class CascadeCompiler {
  private static final String FIRST = "first" + IntentArtifact.EXTENSION;
  private static final String FALLBACK = "fallback" + IntentArtifact.EXTENSION;

  private final ModelCompiler compiler;

  /**
   * @param packed the cascade artifact, its manifest the first model's with {@code compile.cascade}
   * @param first the first model's compile, whose verification the cascade keeps
   * @param fallback the fallback's compile, or null when it came compiled
   */
  public record Result(ModelCompiler.CompileResult packed, ModelCompiler.CompileResult first, ModelCompiler.CompileResult fallback) {}

  public CascadeCompiler(ModelCompiler compiler) {
    this.compiler = compiler;
  }

  /**
   * @param fallback a model directory, compiled here with the first model's options, or a compiled
   *     {@code .intent} artifact, packed as it is
   * @param target the cascade artifact's file
   */
  public Result compile(CompileSource first, Path fallback, double escalateBelow, Path target) {
    CascadePacker.Fallback compiledFallback = Files.isDirectory(fallback) ? null : CascadePacker.Fallback.read(fallback);
    CompileSource fallbackSource = compiledFallback == null ? ModelDirectorySource.open(fallback) : null;
    CascadePacker.checkPair(first.manifest(), compiledFallback != null ? compiledFallback.manifest() : fallbackSource.manifest());
    ScratchDirectory staging;
    try {
      Path parent = target.toAbsolutePath().normalize().getParent();
      Files.createDirectories(parent);
      staging = ScratchDirectory.create(parent, ".compile-");
    } catch (IOException | UncheckedIOException e) {
      throw new IntentException(target + ": cannot create a staging directory beside it: " + e.getMessage(), e);
    }
    try (staging) {
      ModelCompiler.CompileResult f = null;
      ModelCompiler.CompileResult c = compiler.compile(first, staging.path().resolve(FIRST));
      if (fallbackSource != null) {
        f = compiler.compile(fallbackSource, staging.path().resolve(FALLBACK));
        compiledFallback = CascadePacker.Fallback.read(f.artifact());
      }
      IntentArtifact packed = CascadePacker.pack(IntentArtifact.read(c.artifact()), compiledFallback, escalateBelow, target);
      return new Result(new ModelCompiler.CompileResult(target, packed.manifest(), c.report(), Files.size(target)), c, f);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
