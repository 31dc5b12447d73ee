package dev.intentinference.core.model;

import dev.intentinference.core.IntentException;
import dev.intentinference.core.onnx.CpuFeatures;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The CPU an artifact was compiled and verified on ({@code compile.cpu} in its manifest) and the
 * features its compile passes depend on, checked against the CPU that loads it. A missing
 * feature that only costs speed is a warning; one without which the artifact could answer
 * differently from what verification measured is a refusal, so no loader silently serves
 * different answers.
 *
 * <pre>{@code
 * CpuRequirements.refuseIfUnfit(manifest, CpuFeatures.current(), "clinc150-1.intent");   // throws for a refusal
 * CpuRequirements.warnings(manifest, CpuFeatures.current()).forEach(log::warning);
 * }</pre>
 */
public final class CpuRequirements {
  /** The manifest key, inside {@code compile}. */
  public static final String KEY = "cpu";

  private CpuRequirements() {}

  /** What a missing feature means. */
  public enum IfMissing {
    /** The artifact runs correctly but slower than it was measured. */
    WARN,
    /** The artifact could answer differently from its verification: it is not loaded. */
    REFUSE;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * One dependency of a compile pass on the CPU.
   *
   * @param anyOf feature flags, any one of which satisfies it (as {@code /proc/cpuinfo} spells them)
   * @param arch the architecture it applies to ({@code x86_64}), or null for every one
   * @param ifMissing what the loader does on a CPU with none of them
   * @param why the pass and the consequence, for the message
   */
  public record Need(List<String> anyOf, String arch, IfMissing ifMissing, String why) {
    public Need {
      anyOf = List.copyOf(anyOf);
    }

    Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("any_of", anyOf);
      if (arch != null) {
        m.put("arch", arch);
      }
      m.put("if_missing", ifMissing.id());
      m.put("why", why);
      return m;
    }

    /** Lenient: an unreadable entry becomes a warning rather than a crash of the loader. */
    static Need fromMap(Object o) {
      if (!(o instanceof Map<?, ?> m) || !(m.get("any_of") instanceof List<?> any)) {
        return new Need(List.of(), null, IfMissing.WARN, "unreadable entry in compile.cpu.needs: " + o);
      }
      IfMissing ifMissing = "refuse".equals(String.valueOf(m.get("if_missing"))) ? IfMissing.REFUSE : IfMissing.WARN;
      Object arch = m.get("arch");
      Object why = m.get("why");
      return new Need(any.stream().map(String::valueOf).toList(), arch == null ? null : arch.toString(), ifMissing,
          why == null ? "" : why.toString());
    }
  }

  /**
   * One unmet need on this CPU.
   *
   * @param ifMissing whether it refuses the artifact or only warns
   * @param message one line naming the missing features, the CPU and the consequence
   */
  public record Finding(IfMissing ifMissing, String message) {}

  /** The manifest's {@code compile.cpu} section: the compiling CPU and the needs of the passes. */
  public static Map<String, Object> section(CpuFeatures compiledOn, List<Need> needs) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("arch", compiledOn.arch());
    m.put("model", compiledOn.model());
    m.put("features", compiledOn.relevant());
    m.put("needs", needs.stream().map(Need::toMap).toList());
    return m;
  }

  /** The needs recorded in a manifest; none for models and artifacts compiled before they were recorded. */
  public static List<Need> needs(ModelManifest m) {
    Object cpu = m.compile() == null ? null : m.compile().get(KEY);
    if (!(cpu instanceof Map<?, ?> c) || !(c.get("needs") instanceof List<?> list)) {
      return List.of();
    }
    return list.stream().map(Need::fromMap).toList();
  }

  /** The CPU model the artifact was compiled on, or {@code "unknown"}. */
  static String compiledOn(ModelManifest m) {
    Object cpu = m.compile() == null ? null : m.compile().get(KEY);
    if (cpu instanceof Map<?, ?> c && c.get("model") != null && !c.get("model").toString().isBlank()) {
      return c.get("model").toString();
    }
    return "unknown";
  }

  /** Every need {@code here} does not meet. */
  public static List<Finding> check(ModelManifest m, CpuFeatures here) {
    List<Finding> out = new ArrayList<>();
    for (Need n : needs(m)) {
      if (n.anyOf().isEmpty()) {
        out.add(new Finding(IfMissing.WARN, n.why()));
        continue;
      }
      if (n.arch() != null && !n.arch().equals(here.arch())) {
        continue;
      }
      String features = String.join(", ", n.anyOf());
      if (!here.known()) {
        out.add(new Finding(IfMissing.WARN, "cannot read this CPU's features (no /proc/cpuinfo), so cannot check for any of "
            + features + ", which the artifact was compiled with (on " + compiledOn(m) + "): " + n.why()));
      } else if (!here.hasAny(n.anyOf())) {
        String cpu = here.model().isEmpty() ? here.arch() : here.model() + ", " + here.arch();
        out.add(new Finding(n.ifMissing(), "this CPU (" + cpu + ") has none of " + features
            + ", which the artifact was compiled and verified with (on " + compiledOn(m) + "): " + n.why()));
      }
    }
    return out;
  }

  /** The messages of the findings that only warn. */
  public static List<String> warnings(ModelManifest m, CpuFeatures here) {
    return check(m, here).stream().filter(f -> f.ifMissing() == IfMissing.WARN).map(Finding::message).toList();
  }

  /**
   * @param where the artifact, for the message
   * @throws IntentException naming the missing features when a refusing need is unmet
   */
  public static void refuseIfUnfit(ModelManifest m, CpuFeatures here, String where) {
    for (Finding f : check(m, here)) {
      if (f.ifMissing() == IfMissing.REFUSE) {
        throw new IntentException(where + ": not loaded: " + f.message());
      }
    }
  }
}
