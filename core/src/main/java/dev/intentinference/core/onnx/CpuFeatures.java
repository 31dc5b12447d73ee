package dev.intentinference.core.onnx;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * The instruction-set features of this machine's CPU that decide which ONNX Runtime kernels run,
 * read from {@code /proc/cpuinfo} ({@code flags} on x86, {@code Features} on ARM). On systems
 * without it the feature set is empty and {@link #known()} is false: nothing can be judged.
 *
 * <pre>{@code
 * CpuFeatures cpu = CpuFeatures.current();
 * if (cpu.isX86() && !cpu.hasAny(CpuFeatures.INT8_DOT_PRODUCT)) { ... }   // uint8 x int8 saturates
 * }</pre>
 *
 * @param arch {@code x86_64}, {@code aarch64} or the JVM's {@code os.arch} as given
 * @param model the CPU model name, or empty when unknown
 * @param flags every feature flag the kernel lists, lower case
 */
public record CpuFeatures(String arch, String model, Set<String> flags) {
  /** Features that change how ONNX Runtime computes, in the order they are listed. */
  public static final List<String> INFERENCE_RELEVANT = List.of(
      "sse4_1", "sse4_2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512vl", "avx512_vnni", "avx_vnni",
      "avx512_bf16", "avx512_fp16", "amx_tile", "amx_int8", "amx_bf16",
      "asimd", "asimddp", "i8mm", "sve", "bf16", "fphp");

  /**
   * x86 int8 dot products without saturation: with any of these ONNX Runtime computes
   * uint8 x int8 without {@code vpmaddubsw}'s saturating int16 pair sums.
   */
  public static final List<String> INT8_DOT_PRODUCT = List.of("avx512_vnni", "avx_vnni", "amx_int8");

  private static final Path CPUINFO = Path.of("/proc/cpuinfo");

  public CpuFeatures {
    flags = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(flags));
  }

  /** This machine's CPU. */
  public static CpuFeatures current() {
    String arch = normalizeArch(System.getProperty("os.arch", ""));
    try {
      return parse(arch, Files.readString(CPUINFO, StandardCharsets.ISO_8859_1));
    } catch (IOException | SecurityException e) {
      return new CpuFeatures(arch, "", Set.of());
    }
  }

  /** Reads the first processor's {@code flags}/{@code Features} and {@code model name} lines. */
  public static CpuFeatures parse(String arch, String cpuinfo) {
    Set<String> flags = new LinkedHashSet<>();
    String model = "";
    boolean sawFlags = false;
    for (String line : cpuinfo.split("\n")) {
      int colon = line.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String key = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = line.substring(colon + 1).trim();
      if ((key.equals("flags") || key.equals("features")) && !sawFlags) {
        sawFlags = true;
        Arrays.stream(value.split("\\s+")).filter(s -> !s.isEmpty()).map(s -> s.toLowerCase(Locale.ROOT)).forEach(flags::add);
      } else if (key.equals("model name") && model.isEmpty()) {
        model = value;
      }
    }
    return new CpuFeatures(normalizeArch(arch), model, flags);
  }

  static String normalizeArch(String arch) {
    String a = arch.toLowerCase(Locale.ROOT);
    return switch (a) {
      case "amd64", "x86_64", "x86-64" -> "x86_64";
      case "arm64", "aarch64" -> "aarch64";
      default -> a;
    };
  }

  /** Whether the feature flags could be read at all. */
  public boolean known() {
    return !flags.isEmpty();
  }

  public boolean isX86() {
    return arch.equals("x86_64");
  }

  public boolean has(String flag) {
    return flags.contains(flag.toLowerCase(Locale.ROOT));
  }

  public boolean hasAny(List<String> anyOf) {
    return anyOf.stream().anyMatch(this::has);
  }

  /** This CPU's {@link #INFERENCE_RELEVANT} features, in that order: what a manifest records. */
  public List<String> relevant() {
    return INFERENCE_RELEVANT.stream().filter(this::has).toList();
  }
}
