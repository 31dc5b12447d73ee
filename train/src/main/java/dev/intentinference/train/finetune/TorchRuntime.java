package dev.intentinference.train.finetune;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import dev.intentinference.core.IntentException;
import dev.intentinference.core.io.ExitGuard;

/**
 * Starts DJL's PyTorch engine the way this project needs it: offline (libtorch comes out of the
 * {@code pytorch-native-cpu} jar on the class path, nothing is downloaded), with a pinned number
 * of threads so that results are repeatable for a seed and a thread count.
 */
public final class TorchRuntime {
  private static final String THREADS = "ai.djl.pytorch.num_threads";

  private TorchRuntime() {}

  /**
   * The engine, started on first use with {@code threads} intra-op threads. PyTorch reads its
   * thread settings once per process: a later call with another count keeps the first one, and
   * says so through {@link #threads()}.
   */
  public static synchronized Engine engine(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, was " + threads);
    }
    System.setProperty("ai.djl.offline", "true");
    // PyTorch reads these once, when the engine starts: only the first request (or a -D given on
    // the command line) counts, so the property keeps telling the truth for threads().
    if (System.getProperty(THREADS) == null) {
      System.setProperty(THREADS, Integer.toString(threads));
      System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    }
    try {
      // Through the exit's guard: the process's first start unpacks libtorch (445 MB) into DJL's
      // cache, into a temporary directory it renames when done; a signal during it left that
      // directory half written in the cache (~/.djl.ai), 80-364 MB a time. Now the exit waits
      // for the unpacking (0.9-2.1 s after a signal in it) and leaves a whole library instead.
      return ExitGuard.process().call(() -> Engine.getEngine("PyTorch"));
    } catch (RuntimeException | LinkageError e) {
      throw new IntentException("cannot start the PyTorch engine for fine-tuning: " + e.getMessage()
          + " (the pytorch-native-cpu jar must be on the class path)", e);
    }
  }

  /** A manager on the PyTorch engine's CPU, with the random seed set for dropout. */
  public static NDManager manager(int threads, long seed) {
    Engine engine = engine(threads);
    return ExitGuard.process().call(() -> {
      engine.setRandomSeed((int) seed);
      return engine.newBaseManager();
    });
  }

  /**
   * A base manager whose closing goes through the exit's guard: it frees every tensor the run
   * made, in libtorch, which must not race libtorch's teardown at exit.
   *
   * <pre>{@code
   * try (TorchRuntime.GuardedManager torch = TorchRuntime.guardedManager(2, 42)) {
   *   NDManager manager = torch.manager();
   * }
   * }</pre>
   */
  public record GuardedManager(NDManager manager) implements AutoCloseable {
    @Override
    public void close() {
      ExitGuard.process().run(manager::close);
    }
  }

  /** As {@link #manager}, closed through the exit's guard. */
  public static GuardedManager guardedManager(int threads, long seed) {
    return new GuardedManager(manager(threads, seed));
  }

  /**
   * Whether runs repeat bit for bit: with one thread always; with several only when MKL may not
   * change its thread count on the fly (environment {@code MKL_DYNAMIC=FALSE}, which the
   * {@code intent} launcher sets), since another split of a sum rounds differently.
   */
  public static boolean repeatable() {
    return threads() == 1 || "FALSE".equalsIgnoreCase(System.getenv("MKL_DYNAMIC"));
  }

  /** The intra-op threads PyTorch was started with. */
  public static int threads() {
    String v = System.getProperty(THREADS);
    return v == null ? 0 : Integer.parseInt(v);
  }
}
