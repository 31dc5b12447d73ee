package dev.intentinference.bench;

import java.util.concurrent.CompletableFuture;

/**
 * Something that answers inference requests for a fixed list of messages: a server over HTTP,
 * over gRPC, or a model in this JVM. The harness only sees this interface, so adding a transport
 * means one new implementation and one line in {@link Targets}.
 *
 * <p>Implementations prepare whatever they send per message up front (serialized bodies,
 * singleton lists) so {@link #send} does as little as possible, and are thread-safe.
 *
 * <pre>{@code
 * try (Target t = Targets.open(TargetSpec.parse("http://127.0.0.1:8000"), options, messages)) {
 *   TargetInfo info = t.probe();
 *   Reply r = t.send(0, false).join();
 * }
 * }</pre>
 */
public interface Target extends AutoCloseable {
  /**
   * Checks the target is reachable and knows the model, and says what it is.
   *
   * @throws dev.intentinference.core.IntentException when unreachable or the model is unknown
   */
  TargetInfo probe();

  /**
   * Sends message number {@code message} (an index into the prepared list). Never throws: a
   * failure completes the future with {@link Reply#failed}.
   *
   * @param decode whether to read the predicted label from the answer (accuracy runs); timing
   *     runs skip parsing
   */
  CompletableFuture<Reply> send(int message, boolean decode);

  @Override
  void close();
}
