package dev.intentinference.core.onnx;

import ai.onnxruntime.OrtEnvironment;
import dev.intentinference.core.io.ExitGuard;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Loads ONNX Runtime's native library on a thread whose stack fits the process's command line.
 *
 * <p>The library's load-time initialisation (1.29, Linux x64) reads {@code /proc/self/cmdline} and
 * uses stack in proportion to its length: about 250 bytes a character, measured. From about 4,000
 * characters (one long message given to {@code intent predict}, or a deep path) the 1 MB stack of
 * Java's main thread overflows and the process dies of SIGSEGV, with no message and exit code 139.
 * Loading it once on a thread with room, before anything else touches it, leaves the library
 * loaded for every thread after; short command lines, the usual case, change nothing.
 *
 * <pre>{@code
 * OrtNativeLoad.fitCommandLine(); // once, first thing in main
 * }</pre>
 */
public final class OrtNativeLoad {
  private static final Path CMDLINE = Path.of("/proc/self/cmdline");
  /** Lines this long load fine on the default stack (3,900 characters did, measured). */
  static final long SAFE_LENGTH = 2_048;
  /** Twice the measured use per character, plus room for everything else on the thread. */
  static final long STACK_BYTES_PER_CHARACTER = 512;
  static final long STACK_BASE_BYTES = 16L << 20;

  private OrtNativeLoad() {}

  /** Loads the library now, on a large enough stack, when the command line is long; else does nothing. */
  public static void fitCommandLine() {
    long length = commandLineLength();
    if (length > SAFE_LENGTH) {
      loadWithStack(stackBytesFor(length));
    }
  }

  static long stackBytesFor(long commandLineLength) {
    return STACK_BASE_BYTES + STACK_BYTES_PER_CHARACTER * commandLineLength;
  }

  /** Loads the library on a new thread with {@code stackBytes} of stack and waits for it. */
  static void loadWithStack(long stackBytes) {
    Thread loader = new Thread(null, OrtNativeLoad::load, "ort-native-load", stackBytes);
    try {
      loader.start();
      loader.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (OutOfMemoryError noThread) {
      // No thread that large: the first use loads the library as before.
    }
  }

  private static void load() {
    try {
      ExitGuard.process().call(OrtEnvironment::getEnvironment); // native start-up: the exit waits for it too
    } catch (RuntimeException | LinkageError e) {
      // Reported where the library is first used, with that command's own message.
    }
  }

  private static long commandLineLength() {
    try {
      return Files.isReadable(CMDLINE) ? Files.readAllBytes(CMDLINE).length : 0; // procfs sizes read as 0
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }
}
