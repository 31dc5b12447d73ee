package dev.intentinference.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.intentinference.core.IntentException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CacheLockTest {
  @TempDir Path tmp;

  @Test
  void oneHolderAtATimeAndFreeAgainAfterClose() {
    Path cache = tmp.resolve("s3-cache/models");
    try (CacheLock first = CacheLock.acquire(cache)) {
      assertThatThrownBy(() -> CacheLock.acquire(cache)).isInstanceOf(IntentException.class)
          .hasMessage(cache + " is the cache of another running server; give each server its own --cache");
      try (CacheLock other = CacheLock.acquire(tmp.resolve("s3-cache/other"))) {
        assertThat(other).as("another directory is free").isNotNull();
      }
    }
    try (CacheLock again = CacheLock.acquire(cache)) {
      assertThat(again).isNotNull();
    }
  }
}
