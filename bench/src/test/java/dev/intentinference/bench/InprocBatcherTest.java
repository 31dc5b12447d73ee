package dev.intentinference.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The in-process dynamic batching of {@code intent bench --inproc-batch}. */
class InprocBatcherTest {
  @Test
  void aWorkerTakesItsShareOfWhatIsWaitingAmongIdleWorkers() {
    assertThat(InprocBatcher.share(15, 2, 16)).isEqualTo(7);   // 16 waiting, 2 idle: 8 each
    assertThat(InprocBatcher.share(15, 1, 16)).isEqualTo(15);  // the other worker is busy: all of them
    assertThat(InprocBatcher.share(40, 2, 16)).isEqualTo(15);  // never more than the batch limit
    assertThat(InprocBatcher.share(0, 2, 16)).isZero();        // a lone request goes alone
    assertThat(InprocBatcher.share(3, 0, 16)).isEqualTo(3);    // no idle count: as if alone
  }

  @Test
  void everyRequestIsAnsweredOnceInBatchesWithinTheLimit() throws Exception {
    CountDownLatch firstBatchHeld = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ConcurrentLinkedQueue<Integer> sizes = new ConcurrentLinkedQueue<>();
    AtomicInteger answered = new AtomicInteger();
    try (InprocBatcher<InprocBatcher.Request<Integer>> b = new InprocBatcher<>(4, 2, "test-batch", batch -> {
      sizes.add(batch.size());
      if (firstBatchHeld.getCount() > 0) {
        firstBatchHeld.countDown();
        await(release);
      }
      batch.forEach(r -> {
        answered.incrementAndGet();
        r.future().complete(r.message());
      });
    })) {
      CompletableFuture<Integer> first = new CompletableFuture<>();
      b.submit(new InprocBatcher.Request<>(0, false, first));
      assertThat(firstBatchHeld.await(10, TimeUnit.SECONDS)).isTrue();
      // While one worker is held, 10 more queue up: the other takes batches of at most 4.
      List<CompletableFuture<Integer>> rest = IntStream.range(1, 11).mapToObj(i -> {
        CompletableFuture<Integer> f = new CompletableFuture<>();
        b.submit(new InprocBatcher.Request<>(i, false, f));
        return f;
      }).toList();
      release.countDown();
      assertThat(first.get(10, TimeUnit.SECONDS)).isZero();
      for (int i = 0; i < rest.size(); i++) {
        assertThat(rest.get(i).get(10, TimeUnit.SECONDS)).isEqualTo(i + 1);
      }
    }
    assertThat(answered.get()).isEqualTo(11);
    assertThat(sizes).allSatisfy(s -> assertThat(s).isBetween(1, 4));
    assertThat(sizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(11);
    assertThat(sizes).anySatisfy(s -> assertThat(s).isGreaterThan(1));
  }

  @Test
  void closingHandsBackWhatIsStillWaiting() throws Exception {
    CountDownLatch held = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    InprocBatcher<InprocBatcher.Request<Integer>> b = new InprocBatcher<>(1, 1, "test-close", batch -> {
      held.countDown();
      await(release);
    });
    b.submit(new InprocBatcher.Request<>(0, false, new CompletableFuture<>()));
    assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();
    b.submit(new InprocBatcher.Request<>(1, false, new CompletableFuture<>()));
    List<InprocBatcher.Request<Integer>> left = b.drainOnClose();
    release.countDown();
    assertThat(left).extracting(InprocBatcher.Request::message).containsExactly(1);
  }

  private static void await(CountDownLatch l) {
    try {
      l.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
