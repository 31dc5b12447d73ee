package dev.intentinference.compiler;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cascade compile cut by Ctrl-C or SIGTERM (the JVM exits without unwinding the compiling
 * thread, so its {@code finally} never runs) leaves neither the artifact nor its hidden staging
 * directory beside the target.
 */
class InterruptedCascadeCompileTest {
  @TempDir Path tmp;

  /**
   * Child: compiles a cascade of two small models into {@code args[0]}/out; with a second
   * argument it exits as Ctrl-C does once the first model's artifact lies in the staging directory.
   */
  public static void main(String[] args) throws Exception {
    Path work = Path.of(args[0]);
    Path first = Fixtures.centroidModel(work.resolve("first"), "all-minilm-l6-v2-q");
    Path fallback = Fixtures.centroidModel(work.resolve("fallback"), "all-minilm-l6-v2-q");
    Path out = Files.createDirectories(work.resolve("out"));
    if (args.length > 1) {
      Thread cut = new Thread(() -> {
        while (!firstCompiled(out)) {
          Thread.onSpinWait();
        }
        System.exit(130); // shutdown hooks run; the compiling thread never returns
      });
      cut.setDaemon(true);
      cut.start();
    }
    new CascadeCompiler(new ModelCompiler(Fixtures.quick())).compile(ModelDirectorySource.open(first), fallback, 0.5,
        out.resolve("pair.intent"));
  }

  private static boolean firstCompiled(Path out) {
    try (Stream<Path> staging = Files.list(out)) {
      return staging.anyMatch(d -> d.getFileName().toString().startsWith(".compile-") && Files.isRegularFile(d.resolve("first.intent")));
    } catch (java.io.IOException e) {
      return false;
    }
  }

  private int child(Path work, boolean interrupt) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m", InterruptedCascadeCompileTest.class.getName(), work.toString()));
    if (interrupt) {
      command.add("interrupt");
    }
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(tmp.resolve("child.log").toFile());
    // In the environment, not as -cp: ONNX Runtime's start-up crashes with a command line as long
    // as the Maven class path (OrtNativeLoad).
    pb.environment().put("CLASSPATH", System.getProperty("java.class.path"));
    Process p = pb.start();
    assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
    return p.exitValue();
  }

  @Test
  void anInterruptedCascadeCompileLeavesNothingBesideTheTarget() throws Exception {
    Path cut = Files.createDirectories(tmp.resolve("cut"));
    assertThat(child(cut, true)).as(Files.readString(tmp.resolve("child.log"))).isEqualTo(130);
    try (Stream<Path> left = Files.list(cut.resolve("out"))) {
      assertThat(left).as("no artifact and no hidden staging directory").isEmpty();
    }
  }
}
