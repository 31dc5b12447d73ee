package dev.intentinference.cli;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code intent serve ARGS} as a real child JVM (the test's own class path, the CLI's main class),
 * its output written to a file so that nothing printed just before exit is lost.
 */
final class ServeProcess implements AutoCloseable {
  private static final Pattern API = Pattern.compile("API .*: (http://\\S+)/v2");

  private final Process process;
  private final Path log;

  private ServeProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  static ServeProcess start(Path workDir, String... serveArgs) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx1g", IntentCli.class.getName(), "serve"));
    cmd.addAll(List.of(serveArgs));
    Path log = Files.createTempFile(workDir, "serve", ".log");
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    // In the environment, not as -cp: with a command line this long (the whole Maven class path)
    // the JVM crashes with SIGSEGV while ONNX Runtime starts, and not with a short one.
    pb.environment().put("CLASSPATH", System.getProperty("java.class.path"));
    return new ServeProcess(pb.start(), log);
  }

  /** The server's root URL, once it listens; fails if the process exits first or takes over two minutes. */
  URI baseUri() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (System.nanoTime() < deadline) {
      Matcher m = API.matcher(output());
      if (m.find()) {
        return URI.create(m.group(1));
      }
      if (!process.isAlive()) {
        throw new IllegalStateException("intent serve exited (code " + process.exitValue() + ") before listening:\n" + output());
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException("intent serve did not listen within two minutes:\n" + output());
  }

  Process process() {
    return process;
  }

  String output() throws java.io.IOException {
    return Files.readString(log, StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws Exception {
    if (process.isAlive()) {
      process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
  }
}
