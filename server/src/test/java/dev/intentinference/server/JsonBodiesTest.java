package dev.intentinference.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import org.junit.jupiter.api.Test;

/** The hand-written Server-Timing value says what {@code String.format("app;dur=%.3f", ms)} said. */
class JsonBodiesTest {
  @Test
  void serverTimingIsMillisecondsWithThreeDecimals() {
    assertThat(JsonBodies.serverTiming(0)).isEqualTo("app;dur=0.000");
    assertThat(JsonBodies.serverTiming(7_000)).isEqualTo("app;dur=0.007");
    assertThat(JsonBodies.serverTiming(1_050_000)).isEqualTo("app;dur=1.050");
    assertThat(JsonBodies.serverTiming(12_000_000)).isEqualTo("app;dur=12.000");
    assertThat(JsonBodies.serverTiming(1_234_567)).isEqualTo("app;dur=1.235");
    assertThat(JsonBodies.serverTiming(-5)).as("a clock step back is not a negative duration").isEqualTo("app;dur=0.000");
    for (long nanos = 0; nanos < 20_000_000_000L; nanos = nanos * 3 + 1_234_567) {
      if (nanos % 1000 != 500) { // an exact half microsecond may round either way in a double
        assertThat(JsonBodies.serverTiming(nanos)).as("%d ns", nanos)
            .isEqualTo(String.format(Locale.ROOT, "app;dur=%.3f", nanos / 1e6));
      }
    }
  }
}
