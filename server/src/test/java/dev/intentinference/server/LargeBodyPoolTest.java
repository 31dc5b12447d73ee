package dev.intentinference.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LargeBodyPoolTest {
  @Test
  void bodiesBeyondTheThreadsAndTheQueueAreRefusedAtOnceAsAFullQueue() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch running = new CountDownLatch(1);
    try (LargeBodyPool pool = new LargeBodyPool(1, 1)) {
      CompletableFuture<String> first = pool.run(() -> {
        running.countDown();
        await(release);
        return CompletableFuture.completedFuture("first");
      });
      assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
      CompletableFuture<String> queued = pool.run(() -> CompletableFuture.completedFuture("queued"));
      CompletableFuture<String> refused = pool.run(() -> CompletableFuture.completedFuture("refused"));
      assertThat(refused).isCompletedExceptionally();
      ExecutionException e = org.assertj.core.api.Assertions.catchThrowableOfType(refused::get, ExecutionException.class);
      assertThat(e.getCause()).isInstanceOf(ApiException.class).hasMessageContaining("too many large requests at once");
      assertThat(((ApiException) e.getCause()).errorCause()).isEqualTo(ErrorCause.QUEUE_FULL);
      release.countDown();
      assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("first");
      assertThat(queued.get(10, TimeUnit.SECONDS)).isEqualTo("queued");
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
