package dev.intentinference.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The machine a run was measured on, copied into every summary: numbers from different machines
 * are not comparable, and a report should say so.
 *
 * @param cores processors visible to the JVM
 * @param cpuModel the {@code model name} line of {@code /proc/cpuinfo}, or {@code os.arch} when
 *     unavailable
 * @param jvm vendor, name and version of the running JVM
 * @param os operating system name, version and architecture
 */
public record MachineInfo(int cores, String cpuModel, String jvm, String os) {
  public static MachineInfo current() {
    return new MachineInfo(
        Runtime.getRuntime().availableProcessors(),
        readCpuModel(),
        System.getProperty("java.vm.vendor") + " " + System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
        System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
  }

  private static String readCpuModel() {
    try {
      List<String> lines = Files.readAllLines(Path.of("/proc/cpuinfo"));
      for (String line : lines) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).strip();
        }
      }
    } catch (IOException | RuntimeException e) {
      // Not Linux, or not readable: fall through to the architecture.
    }
    return System.getProperty("os.arch");
  }
}
