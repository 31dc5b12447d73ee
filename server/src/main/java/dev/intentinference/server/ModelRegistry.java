package dev.intentinference.server;

import dev.intentinference.core.onnx.SessionSettings;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The models being served, kept in step with the repository. {@link #refresh()} (called at start
 * and then every {@code --poll}) loads the newest version of each model, which core's loader
 * verifies against the manifest's hashes, warms it up, then swaps it in atomically. A version that
 * fails to load is logged with its reason, counted in {@code intent_model_load_failures_total}, and
 * not retried until its files change; the version already serving keeps serving.
 *
 * <pre>{@code
 * ModelRegistry r = new ModelRegistry(config, metrics, BatchClock.system());
 * r.refresh();
 * ModelSlot slot = r.slot("clinc150");
 * }</pre>
 */
final class ModelRegistry implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ModelRegistry.class.getName());
  private static final List<String> WARM_UP = List.of("warm up the model", "hello", "what is my account balance today");

  private final ServerConfig config;
  private final ServerMetrics metrics;
  private final BatchClock clock;
  private final ModelRepository repository;
  private final Map<String, ModelSlot> slots = new ConcurrentHashMap<>();
  private final Map<String, String> rejectedFingerprints = new ConcurrentHashMap<>();
  private final Map<String, String> lastRejection = new ConcurrentHashMap<>();

  ModelRegistry(ServerConfig config, ServerMetrics metrics, BatchClock clock) {
    this.config = config;
    this.metrics = metrics;
    this.clock = clock;
    this.repository = new ModelRepository(config.repository(), config.modelName());
  }

  ModelRepository repository() {
    return repository;
  }

  /** The served model, or 404. */
  ModelSlot slot(String model) {
    ModelSlot s = slots.get(model);
    if (s == null) {
      throw new ApiException(ErrorCause.NOT_FOUND, "unknown model '" + model + "'; serving " + names());
    }
    return s;
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
      try {
        refresh(model);
      } catch (RuntimeException e) {
        reject(model, repository.root().resolve(model).toString(), null, e);
      }
    }
  }

  private void refresh(String model) {
    ModelSlot slot = slots.get(model);
    for (ModelRepository.Candidate c : repository.versions(model)) {
      LoadedVersion serving = slot == null ? null : slot.current();
      if (serving != null && ModelRepository.VERSION_ORDER.compare(c.version(), serving.version()) < 0) {
        return; // only newer versions replace the one serving
      }
      String key = c.source() + "|" + c.fingerprint();
      if (serving != null && key.equals(servingKey(model))) {
        return;
      }
      if (key.equals(rejectedFingerprints.get(model + "|" + c.version()))) {
        if (serving != null) {
          return; // already refused these very files
        }
        continue; // nothing serving yet: try an older version
      }
      LoadedVersion loaded;
      try {
        loaded = load(c);
      } catch (RuntimeException e) {
        rejectedFingerprints.put(model + "|" + c.version(), key);
        reject(model, c.source().toString(), c.version(), e);
        if (serving != null) {
          return;
        }
        continue;
      }
      servingKeys.put(model, key);
      if (slot == null) {
        slots.put(model, new ModelSlot(model, loaded, config, metrics, clock));
        LOG.info("serving " + loaded);
      } else {
        slot.swap(loaded);
        LOG.info("hot reload: now serving " + loaded + " (was version " + serving.version() + ")");
      }
      return;
    }
  }

  private final Map<String, String> servingKeys = new ConcurrentHashMap<>();

  private String servingKey(String model) {
    return servingKeys.get(model);
  }

  private LoadedVersion load(ModelRepository.Candidate c) {
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

  private void reject(String model, String source, String version, RuntimeException e) {
    String reason = (version == null ? model : model + " version " + version) + " rejected (" + source + "): "
        + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    lastRejection.put(model, reason);
    metrics.loadFailure(model);
    ModelSlot slot = slots.get(model);
    LOG.warning(reason + (slot == null ? "" : "; still serving version " + slot.current().version()));
  }

  /** Stops every model: queued requests are answered first. */
  @Override
  public synchronized void close() {
    slots.values().forEach(ModelSlot::close);
    slots.clear();
  }
}
