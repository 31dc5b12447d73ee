package dev.intentinference.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.intentinference.core.IntentException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each kind of bad input gets one IntentException naming the option and value. */
class InputValidationTest {
  @TempDir Path tmp;

  @Test
  void durations() {
    assertThat(Durations.parse("--duration", "60s")).isEqualTo(Duration.ofSeconds(60));
    assertThat(Durations.parse("--duration", "250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(Durations.parse("--duration", "1.5")).isEqualTo(Duration.ofMillis(1500));
    assertThat(Durations.parse("--duration", "2m")).isEqualTo(Duration.ofMinutes(2));
    assertThatThrownBy(() -> Durations.parse("--duration", "soon")).isInstanceOf(IntentException.class)
        .hasMessage("--duration: 'soon' is not a duration (use e.g. 500ms, 10s, 2m, 1h)");
    assertThatThrownBy(() -> Durations.parse("--warmup", "-3s")).isInstanceOf(IntentException.class).hasMessageContaining("--warmup");
  }

  @Test
  void targets() {
    assertThat(TargetSpec.parse("http://127.0.0.1:8000").kind()).isEqualTo(TargetSpec.Kind.HTTP);
    assertThat(TargetSpec.parse("grpc://127.0.0.1:8001").kind()).isEqualTo(TargetSpec.Kind.GRPC);
    assertThat(TargetSpec.parse("inproc:models/x").path()).isEqualTo(Path.of("models/x"));
    assertThatThrownBy(() -> TargetSpec.parse("ftp://x:1")).isInstanceOf(IntentException.class).hasMessageContaining("unknown scheme 'ftp'");
    assertThatThrownBy(() -> TargetSpec.parse("inproc:")).isInstanceOf(IntentException.class).hasMessageContaining("needs a model path");
    assertThatThrownBy(() -> TargetSpec.parse("grpc://nohost")).isInstanceOf(IntentException.class).hasMessageContaining("host and port");
    assertThatThrownBy(() -> Targets.open(TargetSpec.parse("inproc:" + tmp.resolve("missing")), TargetOptions.defaults(), List.of("x")))
        .isInstanceOf(IntentException.class).hasMessageContaining("no such model");
  }

  @Test
  void plans() {
    Duration s = Duration.ofSeconds(1);
    assertThatThrownBy(() -> RunPlan.of(Mode.CLOSED, List.of(0), List.of(), Duration.ZERO, s, s, 1000, 1))
        .isInstanceOf(IntentException.class).hasMessage("--concurrency: 0 is outside 1..100000");
    assertThatThrownBy(() -> RunPlan.of(Mode.CLOSED, List.of(1), List.of(), Duration.ZERO, Duration.ZERO, s, 1000, 1))
        .isInstanceOf(IntentException.class).hasMessageContaining("--duration: 0.000s is outside");
    assertThatThrownBy(() -> RunPlan.of(Mode.SWEEP, List.of(1), List.of(), Duration.ZERO, s, s, 1000, 1))
        .isInstanceOf(IntentException.class).hasMessageContaining("at least two steps");
    assertThatThrownBy(() -> RunPlan.of(Mode.CLOSED, List.of(1), List.of(), Duration.ZERO, s, Duration.ofMillis(1), 1000, 1))
        .isInstanceOf(IntentException.class).hasMessageContaining("--interval");
    assertThatThrownBy(() -> RunPlan.of(Mode.OPEN, List.of(1), List.of(-5.0), Duration.ZERO, s, s, 1000, 1))
        .isInstanceOf(IntentException.class).hasMessageContaining("--rate: -5.0");
    RunPlan closed = RunPlan.of(Mode.CLOSED, List.of(1), List.of(), Duration.ZERO, s, s, 1000, 1);
    assertThat(closed.arrivals()).isEqualTo(Arrivals.POISSON);
    assertThatThrownBy(() -> closed.withArrivals(Arrivals.CONSTANT))
        .isInstanceOf(IntentException.class).hasMessage("--arrivals: constant needs an open-loop run (--rate R); this is a closed run");
    RunPlan open = RunPlan.of(Mode.OPEN, List.of(1), List.of(70.0), Duration.ZERO, s, s, 1000, 1).withArrivals(Arrivals.CONSTANT);
    assertThat(open.arrivals()).isEqualTo(Arrivals.CONSTANT);
    assertThat(open.rates()).containsExactly(70.0);

    RunPlan fixed = RunPlan.of(Mode.CLOSED, List.of(1), List.of(), Duration.ofSeconds(5), s, s, 1000, 1);
    assertThat(fixed.warmupMax()).isEqualTo(Duration.ofSeconds(5));
    assertThat(fixed.warmsUntilSteady()).as("a plan warms for a fixed time unless asked").isFalse();
    assertThat(fixed.withWarmupMax(Duration.ofSeconds(30)).warmsUntilSteady()).isTrue();
    assertThat(open.withWarmupMax(Duration.ofSeconds(30)).warmsUntilSteady()).as("open loops: the rate sets throughput").isFalse();
    assertThatThrownBy(() -> fixed.withWarmupMax(Duration.ofSeconds(2)))
        .isInstanceOf(IntentException.class).hasMessage("--warmup-max: 2.000s is outside --warmup (5.000s)..1h");
    assertThatThrownBy(() -> fixed.withWarmupMax(Duration.ofHours(2)))
        .isInstanceOf(IntentException.class).hasMessageStartingWith("--warmup-max: 7200.000s is outside");
  }

  @Test
  void data() throws Exception {
    Path empty = tmp.resolve("empty.csv");
    Files.writeString(empty, "text,intent\n");
    assertThatThrownBy(() -> Workload.load(empty, 0, 1)).isInstanceOf(IntentException.class).hasMessageContaining("no rows");
    assertThatThrownBy(() -> Workload.load(tmp.resolve("nope.csv"), 0, 1)).isInstanceOf(IntentException.class).hasMessageContaining("no such file");
    Path csv = tmp.resolve("d.csv");
    Files.writeString(csv, "text,intent\na,x\nb,y\nc,z\nd,oos\n");
    List<String> first = Workload.texts(Workload.load(csv, 0, 5));
    assertThat(first).containsExactlyInAnyOrder("a", "b", "c", "d");
    assertThat(Workload.texts(Workload.load(csv, 0, 5))).as("same seed, same order").isEqualTo(first);
    assertThat(Workload.load(csv, 2, 5)).hasSize(2);
  }

  @Test
  void requestBodiesAreValidInferenceRequests() throws Exception {
    byte[] body = InferenceBodies.request("say \"hi\"\n\u00e9");
    var node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(body);
    var input = node.path("inputs").get(0);
    assertThat(input.path("name").asText()).isEqualTo("text");
    assertThat(input.path("datatype").asText()).isEqualTo("BYTES");
    assertThat(input.path("shape").get(0).asInt()).isEqualTo(1);
    assertThat(input.path("data").get(0).asText()).isEqualTo("say \"hi\"\n\u00e9");
    assertThat(InferenceBodies.label("{\"outputs\":[{\"name\":\"probability\",\"data\":[0.9]},{\"name\":\"label\",\"data\":[\"greet\"]}]}".getBytes()))
        .isEqualTo("greet");
    assertThat(InferenceBodies.label("{}".getBytes())).isNull();
  }
}
