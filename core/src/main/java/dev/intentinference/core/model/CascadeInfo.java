package dev.intentinference.core.model;

import dev.intentinference.core.IntentException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a cascade artifact pairs its two models: {@code compile.cascade} in the manifest. The first
 * model is the artifact's own graph; the fallback is a complete artifact of its own, nested as the
 * entry {@value #ENTRY} (its manifest, hashes and compile record intact), that answers again the
 * messages the first model is unsure of ({@link CascadePredictor}).
 *
 * <p>A build that predates cascades ignores this section and serves the first model alone: its
 * answers stay right, only less accurate, so the manifest format is not raised for it.
 *
 * @param escalateBelow a message whose largest probability from the first model is under this
 *     goes to the fallback, in [0, 1]
 * @param fallbackName the fallback model's name
 * @param fallbackVersion the fallback model's version
 */
public record CascadeInfo(double escalateBelow, String fallbackName, String fallbackVersion) {
  /** The compile record's key. */
  public static final String KEY = "cascade";
  /** The nested fallback artifact's entry name. */
  public static final String ENTRY = "fallback.intent";
  /**
   * Chosen on validation: BANKING77's held-out slice and CLINC150's val (docs/accuracy.md,
   * "Twenty-third session").
   */
  public static final double DEFAULT_ESCALATE_BELOW = 0.8;

  public CascadeInfo {
    checkEscalateBelow(escalateBelow);
  }

  /** @throws IntentException unless {@code p} is in [0, 1] */
  public static double checkEscalateBelow(double p) {
    if (!(p >= 0 && p <= 1)) {
      throw new IntentException("the escalation threshold must be in [0, 1], was " + p);
    }
    return p;
  }

  /** The manifest's cascade, or null when the artifact holds one model. */
  public static CascadeInfo of(ModelManifest m) {
    Object c = m.compile() == null ? null : m.compile().get(KEY);
    if (c == null) {
      return null;
    }
    if (!(c instanceof Map<?, ?> map) || !(map.get("escalate_below") instanceof Number p)) {
      throw new IntentException("manifest of " + m.name() + " version " + m.version()
          + ": compile.cascade must hold a numeric escalate_below, was " + c);
    }
    return new CascadeInfo(p.doubleValue(), String.valueOf(map.get("fallback_name")), String.valueOf(map.get("fallback_version")));
  }

  /**
   * The escalation threshold recorded for a model: a cascade artifact's own, else the one its
   * training chose on validation for the teacher it kept ({@code training.cascade}), else null.
   */
  public static Double recordedEscalateBelow(ModelManifest m) {
    CascadeInfo packed = of(m);
    if (packed != null) {
      return packed.escalateBelow();
    }
    if (m.training() != null && m.training().get(KEY) instanceof Map<?, ?> chosen
        && chosen.get("escalate_below") instanceof Number p) {
      return checkEscalateBelow(p.doubleValue());
    }
    return null;
  }

  /** The compile record's section; {@code extra} (e.g. the fallback's hash) is added after the fields. */
  public Map<String, Object> toMap(Map<String, Object> extra) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("escalate_below", escalateBelow);
    m.put("fallback_entry", ENTRY);
    m.put("fallback_name", fallbackName);
    m.put("fallback_version", fallbackVersion);
    m.putAll(extra);
    return m;
  }
}
