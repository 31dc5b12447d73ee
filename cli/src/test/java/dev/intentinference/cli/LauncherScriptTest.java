package dev.intentinference.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checkout's {@code ./intent} launcher passes java what it was given. A stand-in java (a shell
 * script printing its arguments, found through JAVA_HOME) shows the command line without starting a
 * JVM; INTENT_JAR skips the build.
 */
class LauncherScriptTest {
  private static final Path LAUNCHER = Path.of("..", "intent").toAbsolutePath().normalize();

  @TempDir Path tmp;

  @Test
  void javaOptionsAreSplitOnBlanksButNeverGlobbed() throws Exception {
    Path work = Files.createDirectories(tmp.resolve("work"));
    // A file the pattern would match if the launcher let the shell glob its options.
    Files.createFile(work.resolve("-Xlog:gc-matched"));
    List<String> args = run(work, "-Xmx1g  -Xlog:gc*", "serve", "--port", "1");
    assertThat(args).containsExactly("-Xmx1g", "-Xlog:gc*", "-jar", tmp.resolve("fake.jar").toString(), "serve", "--port", "1");
  }

  @Test
  void withoutOptionsJavaGetsTheDefaultHeap() throws Exception {
    Path work = Files.createDirectories(tmp.resolve("work"));
    assertThat(run(work, null, "eval", "a b")).containsExactly("-Xmx4g", "-jar", tmp.resolve("fake.jar").toString(), "eval", "a b");
  }

  private List<String> run(Path work, String javaOpts, String... cliArgs) throws IOException, InterruptedException {
    Path bin = Files.createDirectories(tmp.resolve("jdk/bin"));
    Path java = Files.writeString(bin.resolve("java"), "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path jar = tmp.resolve("fake.jar");
    if (!Files.exists(jar)) {
      Files.createFile(jar);
    }
    List<String> command = new java.util.ArrayList<>(List.of(LAUNCHER.toString()));
    command.addAll(List.of(cliArgs));
    ProcessBuilder pb = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true);
    pb.environment().put("JAVA_HOME", tmp.resolve("jdk").toString());
    pb.environment().put("INTENT_JAR", jar.toString());
    pb.environment().remove("INTENT_JAVA_OPTS");
    if (javaOpts != null) {
      pb.environment().put("INTENT_JAVA_OPTS", javaOpts);
    }
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(new String(out, StandardCharsets.UTF_8)).isZero();
    return new String(out, StandardCharsets.UTF_8).lines().toList();
  }
}
