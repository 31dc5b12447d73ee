package dev.intentinference.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process that ends while it writes a model (Ctrl-C, SIGTERM: the JVM exits without unwinding
 * the writing thread, so its {@code finally} never runs) leaves no half-written directory.
 */
class InterruptedWriteTest {
  @TempDir Path tmp;

  /** Child: writes a model whose second file "arrives" only after the process was told to end. */
  public static void main(String[] args) {
    Path dir = Path.of(args[0]);
    int[] calls = {0};
    Map<String, byte[]> files = new AbstractMap<>() {
      @Override
      public Set<Entry<String, byte[]>> entrySet() {
        return new java.util.AbstractSet<>() {
          @Override
          public Iterator<Entry<String, byte[]>> iterator() {
            return new Iterator<>() {
              int i;

              @Override
              public boolean hasNext() {
                return i < 2;
              }

              @Override
              public Entry<String, byte[]> next() {
                // The files are read twice: hashed, then written. The second file's write is cut.
                if (++calls[0] == 4 && args.length > 1) {
                  System.exit(130); // as Ctrl-C does: shutdown hooks run, this thread never returns
                }
                return Map.entry("file" + ++i, new byte[1024]);
              }
            };
          }

          @Override
          public int size() {
            return 2;
          }
        };
      }
    };
    ModelManifest m = new ModelManifest(2, ModelManifest.KIND_MODEL, "x", "1", List.of("a", "b"), List.of(), null, null,
        null, null, null, null, null);
    ModelDirectory.write(dir, m, files);
  }

  private int child(Path dir, boolean interrupt) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), InterruptedWriteTest.class.getName(), dir.toString()));
    if (interrupt) {
      command.add("interrupt");
    }
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return p.exitValue();
  }

  @Test
  void anInterruptedWriteLeavesNothingAndACompleteOneLeavesTheModel() throws Exception {
    assertThat(child(tmp.resolve("cut"), true)).isEqualTo(130);
    try (Stream<Path> left = Files.list(tmp)) {
      assertThat(left).as("no model and no hidden temporary directory").isEmpty();
    }
    assertThat(child(tmp.resolve("whole"), false)).isZero();
    assertThat(tmp.resolve("whole/manifest.json")).isRegularFile();
    assertThat(tmp.resolve("whole/file1")).isRegularFile();
    try (Stream<Path> left = Files.list(tmp)) {
      assertThat(left.map(p -> p.getFileName().toString())).containsExactly("whole");
    }
  }
}
