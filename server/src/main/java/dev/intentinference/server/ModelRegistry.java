package dev.intentinference.server;

import dev.intentinference.core.IntentException;
import dev.intentinference.core.model.ModelNames;
import dev.intentinference.core.model.PinFile;
import dev.intentinference.core.onnx.SessionSettings;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The models being served, kept in step with the repository. {@link #refresh()} (called at start
 * and then every {@code --poll}) loads the version each model should serve, which core's loader
 * verifies against the manifest's hashes, warms it up, then swaps it in atomically. The version
 * to serve is, first to last: a pin from {@code --pin} or the admin API's {@code load}, the pin
 * file {@code REPO/<model>/.pinned-version} ({@link PinFile}, written by {@code intent rollback}),
 * the newest version. A version that fails to load is logged with its reason, counted in
 * {@code intent_model_load_failures_total}, and not retried until its files change; the version
 * already serving keeps serving, and so it does when a pin names a version that is missing. A
 * model unloaded through the admin API stays unloaded until the admin API loads it again.
 *
 * <pre>{@code
 * ModelRegistry r = new ModelRegistry(config, metrics, BatchClock.system());
 * r.refresh();
 * ModelSlot slot = r.slot("clinc150");
 * r.load("clinc150", "1");   // pin version 1: it serves until the pin is dropped (r.load("clinc150", null))
 * }</pre>
 */
final class ModelRegistry implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ModelRegistry.class.getName());
  private static final List<String> WARM_UP = List.of("warm up the model", "hello", "what is my account balance today");

  /** One line of the repository index: a version of a model and whether it serves. */
  record IndexEntry(String name, String version, String state, String reason) {}

  /** A pin and who set it; {@code version} null when the pin itself is unreadable ({@code problem}). */
  private record Pin(String version, String origin, String problem) {}

  private final ServerConfig config;
  private final ServerMetrics metrics;
  private final BatchClock clock;
  private final ModelRepository repository;
  private final Map<String, ModelSlot> slots = new ConcurrentHashMap<>();
  /** model|version -> the files' key ({@code source|fingerprint}) of a loaded or refused version. */
  private final Map<String, String> loadedKeys = new ConcurrentHashMap<>();
  private final Map<String, String> rejectedFingerprints = new ConcurrentHashMap<>();
  private final Map<String, String> rejectionReasons = new ConcurrentHashMap<>();
  private final Map<String, String> lastRejection = new ConcurrentHashMap<>();
  /** Pins from {@code --pin} and the admin API: they win over pin files. */
  private final Map<String, String> pins = new ConcurrentHashMap<>();
  /** The last pin problem reported per model, so a missing pinned version is logged once, not every poll. */
  private final Map<String, String> pinProblems = new ConcurrentHashMap<>();
  private final Set<String> unloaded = ConcurrentHashMap.newKeySet();

  ModelRegistry(ServerConfig config, ServerMetrics metrics, BatchClock clock) {
    this.config = config;
    this.metrics = metrics;
    this.clock = clock;
    this.repository = new ModelRepository(config.repository(), config.modelName());
    this.pins.putAll(config.pins());
  }

  ModelRepository repository() {
    return repository;
  }

  /** The served model: 400 for an invalid name, 404 for a model not served. */
  ModelSlot slot(String model) {
    ModelSlot s = slots.get(model);
    if (s == null) {
      checkName(model);
      throw new ApiException(ErrorCause.NOT_FOUND, "unknown model '" + model + "'"
          + (unloaded.contains(model) ? " (unloaded through the admin API)" : "") + "; serving " + names());
    }
    return s;
  }

  /** Names of models are checked when they miss: a served model's name is valid by construction. */
  static void checkName(String model) {
    String problem = ModelNames.problem("model name", model);
    if (problem != null) {
      throw new ApiException(ErrorCause.INVALID_NAME, problem);
    }
  }

  Collection<ModelSlot> slots() {
    return slots.values();
  }

  List<String> names() {
    return slots.keySet().stream().sorted().toList();
  }

  /** The reason the last rejected version of {@code model} was refused, or null. */
  String lastRejection(String model) {
    return lastRejection.get(model);
  }

  /** Loads whatever is new in the repository. Never throws: failures are logged and counted. */
  synchronized void refresh() {
    List<String> models;
    try {
      models = repository.models();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "cannot read model repository " + repository.root() + ": " + e.getMessage());
      return;
    }
    for (String model : models) {
      refreshSafely(model);
    }
  }

  private void refreshSafely(String model) {
    try {
      refresh(model);
    } catch (RuntimeException e) {
      reject(model, repository.root().resolve(model).toString(), null, e);
    }
  }

  private void refresh(String model) {
    if (unloaded.contains(model)) {
      return;
    }
    List<ModelRepository.Candidate> candidates = repository.versions(model);
    Pin pin = pin(model);
    if (pin != null) {
      ModelRepository.Candidate c = pin.version() == null ? null
          : candidates.stream().filter(x -> x.version().equals(pin.version())).findFirst().orElse(null);
      if (c != null && serve(model, c, true)) {
        pinProblems.remove(model);
        return;
      }
      if (c == null) {
        reportPinProblem(model, pin.problem() != null ? pin.problem()
            : model + " is pinned to version " + pin.version() + " (" + pin.origin() + ") but " + repository.root().resolve(model)
                .resolve(pin.version()) + " holds no model; versions: " + candidates.stream().map(ModelRepository.Candidate::version).toList());
      }
      if (slots.containsKey(model)) {
        return; // a pin that cannot be honoured keeps the version serving
      }
      // Nothing serving yet: the newest good version, rather than no model at all.
    }
    ModelSlot slot = slots.get(model);
    for (ModelRepository.Candidate c : candidates) {
      LoadedVersion serving = slot == null ? null : slot.current();
      if (serving != null && ModelRepository.VERSION_ORDER.compare(c.version(), serving.version()) < 0) {
        return; // only newer versions replace the one serving
      }
      if (serve(model, c, false) || serving != null) {
        return;
      }
    }
  }

  private Pin pin(String model) {
    String pinned = pins.get(model);
    if (pinned != null) {
      return new Pin(pinned, "--pin or the admin API", null);
    }
    try {
      Optional<String> fromFile = PinFile.read(repository.root(), model);
      return fromFile.map(v -> new Pin(v, PinFile.path(repository.root(), model).toString(), null)).orElse(null);
    } catch (IntentException e) {
      return new Pin(null, "pin file", e.getMessage());
    }
  }

  private void reportPinProblem(String model, String problem) {
    ModelSlot slot = slots.get(model);
    String line = problem + (slot == null ? "" : "; still serving version " + slot.current().version());
    lastRejection.put(model, line);
    if (!line.equals(pinProblems.put(model, line))) {
      LOG.warning(line);
    }
  }

  /**
   * Makes candidate {@code c} the serving version of {@code model}: reuses it when already loaded
   * with the same files, else loads and warms it up. False when it cannot be loaded (now, or
   * earlier with the same files); the version serving then keeps serving.
   */
  private boolean serve(String model, ModelRepository.Candidate c, boolean keepPrevious) {
    ModelSlot slot = slots.get(model);
    String key = c.source() + "|" + c.fingerprint();
    String versionKey = model + "|" + c.version();
    if (slot != null) {
      LoadedVersion have = slot.loaded(c.version());
      if (have != null && key.equals(loadedKeys.get(versionKey))) {
        LoadedVersion was = slot.current();
        if (have != was) {
          slot.serve(have, keepPrevious);
          LOG.info("now serving " + have + " (was version " + was.version() + ")");
        }
        return true;
      }
    }
    if (key.equals(rejectedFingerprints.get(versionKey))) {
      return false; // already refused these very files
    }
    LoadedVersion loaded;
    try {
      loaded = load(c);
    } catch (RuntimeException e) {
      rejectedFingerprints.put(versionKey, key);
      rejectionReasons.put(versionKey, reject(model, c.source().toString(), c.version(), e));
      return false;
    }
    loadedKeys.put(versionKey, key);
    rejectionReasons.remove(versionKey);
    if (slot == null) {
      slots.put(model, new ModelSlot(model, loaded, config, metrics, clock));
      LOG.info("serving " + loaded);
    } else {
      String was = slot.current().version();
      slot.serve(loaded, keepPrevious);
      LOG.info("hot reload: now serving " + loaded + " (was version " + was + ")");
    }
    return true;
  }

  private LoadedVersion load(ModelRepository.Candidate c) {
    if (c.problem() != null) {
      throw new IntentException(c.problem());
    }
    SessionSettings session = new SessionSettings(config.threadsPerInstance(), 1, true);
    LoadedVersion v = LoadedVersion.open(c.model(), c.version(), c.source(), config.instances(), session, config.topK());
    try {
      // Warm up every instance (first runs allocate and tune) before any client sees it.
      for (int i = 0; i < config.instances(); i++) {
        for (int n : new int[] {1, WARM_UP.size()}) {
          List<String> texts = WARM_UP.subList(0, n);
          v.engine(i).run(texts, texts.stream().map(v.tokenizer()::encode).toList());
        }
      }
      return v;
    } catch (RuntimeException e) {
      v.release();
      throw e;
    }
  }

  private String reject(String model, String source, String version, RuntimeException e) {
    String reason = (version == null ? model : model + " version " + version) + " rejected (" + source + "): "
        + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    lastRejection.put(model, reason);
    metrics.loadFailure(model);
    ModelSlot slot = slots.get(model);
    LOG.warning(reason + (slot == null ? "" : "; still serving version " + slot.current().version()));
    return reason;
  }

  /**
   * The admin API's load: serves {@code version} of {@code model} and pins it there, or, when
   * {@code version} is null, drops the pin and serves what the pin file or the repository says.
   * Brings back an unloaded model. Returns the version now serving.
   *
   * @throws ApiException 404 for a model or version not in the repository, 409 when it fails to
   *     load (the version serving keeps serving and the pin is left as it was)
   */
  synchronized LoadedVersion load(String model, String version) {
    List<String> versions = repositoryVersions(model);
    if (version != null) {
      String problem = ModelNames.problem("version", version);
      if (problem != null) {
        throw new ApiException(ErrorCause.INVALID_NAME, problem);
      }
      if (!versions.contains(version)) {
        throw new ApiException(ErrorCause.NOT_FOUND, "model '" + model + "' has no version '" + version
            + "' in the repository; versions: " + versions);
      }
    }
    String oldPin = version == null ? pins.remove(model) : pins.put(model, version);
    boolean wasUnloaded = unloaded.remove(model);
    refreshSafely(model);
    ModelSlot slot = slots.get(model);
    if (slot != null && (version == null || slot.current().version().equals(version))) {
      LOG.info("admin: " + model + " serving version " + slot.current().version()
          + (version == null ? "" : " (pinned)"));
      return slot.current();
    }
    if (oldPin == null) {
      pins.remove(model);
    } else {
      pins.put(model, oldPin);
    }
    if (wasUnloaded && slot == null) {
      unloaded.add(model);
    }
    String why = version == null ? lastRejection.get(model) : rejectionReasons.get(model + "|" + version);
    throw new ApiException(ErrorCause.LOAD_FAILED, "could not load model '" + model + "'"
        + (version == null ? "" : " version '" + version + "'") + ": " + (why == null ? "no loadable version" : why)
        + (slot == null ? "" : "; still serving version " + slot.current().version()));
  }

  /**
   * The admin API's unload: stops serving {@code model} (queued requests are answered first) until
   * {@link #load} brings it back; the repository poll leaves it alone.
   *
   * @throws ApiException 404 for a model neither served nor in the repository
   */
  void unload(String model) {
    ModelSlot slot;
    synchronized (this) {
      if (!slots.containsKey(model)) {
        repositoryVersions(model);
      }
      unloaded.add(model);
      slot = slots.remove(model);
    }
    if (slot != null) {
      slot.close(); // outside the lock: it waits for queued requests, the poll need not
      LOG.info("admin: unloaded " + model);
    }
  }

  /** The versions of {@code model} in the repository; 400 for an invalid name, 404 for an unknown model. */
  private List<String> repositoryVersions(String model) {
    checkName(model);
    if (!repository.models().contains(model)) {
      throw new ApiException(ErrorCause.NOT_FOUND, "unknown model '" + model + "'; the repository holds " + repository.models());
    }
    return repository.versionNames(model);
  }

  /** Every version of every model, in the repository or loaded, with its state (Open Inference Protocol repository index). */
  List<IndexEntry> index() {
    Set<String> models = new TreeSet<>(slots.keySet());
    models.addAll(unloaded);
    try {
      models.addAll(repository.models());
    } catch (RuntimeException e) {
      LOG.warning("cannot read model repository " + repository.root() + ": " + e.getMessage());
    }
    List<IndexEntry> out = new ArrayList<>();
    for (String model : models) {
      ModelSlot slot = slots.get(model);
      Set<String> versions = new TreeSet<>(ModelRepository.VERSION_ORDER.reversed());
      try {
        versions.addAll(repository.versionNames(model));
      } catch (RuntimeException e) {
        // a model directory that cannot be read: its loaded versions are still listed
      }
      if (slot != null) {
        versions.addAll(slot.loadedVersions());
      }
      for (String v : versions) {
        out.add(entry(model, v, slot));
      }
    }
    return out;
  }

  private IndexEntry entry(String model, String version, ModelSlot slot) {
    if (slot != null && slot.loaded(version) != null) {
      LoadedVersion serving = slot.current();
      String pinned = pins.containsKey(model) ? " (pinned by --pin or the admin API)" : "";
      return new IndexEntry(model, version, "READY", serving.version().equals(version)
          ? "serving" + pinned : "loaded, not serving (serving version " + serving.version() + ")");
    }
    String rejected = rejectionReasons.get(model + "|" + version);
    String reason = unloaded.contains(model) ? "unloaded" : rejected != null ? rejected : "not loaded";
    return new IndexEntry(model, version, "UNAVAILABLE", reason);
  }

  /** Every model refuses new requests and fails those queued (503); returns how many were queued. */
  int abandonQueued() {
    return slots.values().stream().mapToInt(ModelSlot::abandonQueued).sum();
  }

  /** Stops every model: queued requests are answered first. */
  @Override
  public synchronized void close() {
    slots.values().forEach(ModelSlot::close);
    slots.clear();
  }
}
