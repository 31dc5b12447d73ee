package dev.intentinference.deploy;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import dev.intentinference.core.model.VersionOrder;

/**
 * What a bucket location holds, read in one listing: the versions of each model and the pins.
 * A version directory holding several {@code .intent} objects is listed in {@code ambiguous},
 * not in {@code versions}: no one can tell which is meant.
 *
 * @param versions every loadable version, by model, newest first
 * @param pins the pinned version by model (from {@code <model>/.pinned-version})
 * @param ambiguous keys of version directories that hold more than one artifact
 */
public record RemoteListing(Map<String, List<RemoteVersion>> versions, Map<String, String> pins, List<String> ambiguous) {
  public RemoteListing {
    versions = Map.copyOf(versions);
    pins = Map.copyOf(pins);
    ambiguous = List.copyOf(ambiguous);
  }

  /** The models, sorted. */
  public List<String> models() {
    return new TreeMap<>(versions).keySet().stream().toList();
  }

  public List<RemoteVersion> versions(String model) {
    return versions.getOrDefault(model, List.of());
  }

  public Optional<RemoteVersion> version(String model, String version) {
    return versions(model).stream().filter(v -> v.version().equals(version)).findFirst();
  }

  /** Sorts newest first by the server's version order (numbers as numbers, after text). */
  static List<RemoteVersion> newestFirst(List<RemoteVersion> vs) {
    return vs.stream().sorted(Comparator.comparing(RemoteVersion::version, VersionOrder.INSTANCE).reversed()).toList();
  }
}
