package dev.intentinference.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.intentinference.bench.Arrivals;
import dev.intentinference.bench.BenchConfig;
import dev.intentinference.bench.Stability;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code intent bench} and its subcommands through the real command line. */
class BenchCommandTest {
  static Path inf1;
  static Path g4dn;
  @TempDir Path tmp;

  record Run(int code, String out, String err) {}

  @BeforeAll
  static void fixtures() throws Exception {
    inf1 = Path.of(BenchCommandTest.class.getResource("/reference/reference-inf1.csv").toURI());
    g4dn = Path.of(BenchCommandTest.class.getResource("/reference/reference-g4dn.csv").toURI());
  }

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = IntentCli.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void compareReproducesTheReferenceComparison() {
    Run r = run("bench", "compare", inf1.toString(), g4dn.toString(), "--price-per-hour", "1.18,0.526");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("throughput, peak interval").contains("4.86x").contains("5.27x")
        .contains("cost per million inferences").contains("no steady state");
  }

  @Test
  void reportWritesHtmlAndCharts() {
    Path out = tmp.resolve("report");
    Run r = run("bench", "report", inf1.toString(), g4dn.toString(), "--out", out.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(out.resolve("index.html")).isNotEmptyFile();
    assertThat(out.resolve("throughput.svg")).isNotEmptyFile();
    assertThat(r.out()).contains("report: " + out.resolve("index.html"));
  }

  @Test
  void helpShowsDefaultsUnitsAndExamples() {
    Run r = run("bench", "--help");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("Default: 60s").contains("Default: 1000").contains("inproc:PATH").contains("Examples:")
        .contains("report").contains("compare").contains("baseline");
  }

  @Test
  void arrivalsOptionChoosesTheScheduleAndRejectsOtherValues() throws Exception {
    Path data = tmp.resolve("d.csv");
    Files.writeString(data, "text,intent\nhello,greet\n");
    Run bogus = run("bench", "--target", "http://127.0.0.1:1", "--rate", "70", "--arrivals", "bogus", "--data", data.toString());
    assertThat(bogus.code()).as(bogus.err()).isEqualTo(2);
    assertThat(bogus.err().strip().lines()).hasSize(1);
    assertThat(bogus.err()).isEqualTo("intent: --arrivals: 'bogus' is not one of poisson, constant" + System.lineSeparator());
    Run closed = run("bench", "--target", "http://127.0.0.1:1", "--arrivals", "constant", "--data", data.toString());
    assertThat(closed.code()).as(closed.err()).isEqualTo(2);
    assertThat(closed.err()).startsWith("intent: --arrivals: constant needs an open-loop run (--rate R); this is a closed run");

    assertThat(parse("--target", "http://127.0.0.1:1", "--rate", "70").plan().arrivals()).isEqualTo(Arrivals.POISSON);
    assertThat(parse("--target", "http://127.0.0.1:1", "--rate", "70", "--arrivals", "constant").plan().arrivals())
        .isEqualTo(Arrivals.CONSTANT);
    assertThat(parse("--target", "http://127.0.0.1:1", "--rate", "50,100", "--arrivals", "CONSTANT").plan().arrivals())
        .as("rate sweeps too, any case").isEqualTo(Arrivals.CONSTANT);

    Run help = run("bench", "--help");
    assertThat(help.out()).contains("--arrivals=poisson|constant").contains("Default: poisson")
        .contains("intent bench --target http://127.0.0.1:8000 --rate 70 --arrivals constant --duration 10m");
  }

  @Test
  void warmUpMaxDefaultsToTheLargerOfWarmupAnd30sAndIsChecked() {
    assertThat(parse("--target", "http://127.0.0.1:1").plan().warmupMax()).isEqualTo(java.time.Duration.ofSeconds(30));
    assertThat(parse("--target", "http://127.0.0.1:1", "--warmup", "60s").plan().warmupMax()).isEqualTo(java.time.Duration.ofSeconds(60));
    assertThat(parse("--target", "http://127.0.0.1:1", "--warmup", "5s", "--warmup-max", "5s").plan().warmsUntilSteady()).isFalse();
    // --warmup 0s is no warm-up at all, unless a cap is asked for
    assertThat(parse("--target", "http://127.0.0.1:1", "--warmup", "0s").plan().warmupMax()).isEqualTo(java.time.Duration.ZERO);
    assertThat(parse("--target", "http://127.0.0.1:1", "--warmup", "0s").plan().warmsUntilSteady()).isFalse();
    assertThat(run("bench", "--target", "http://127.0.0.1:1", "--mode", "accuracy", "--rate", "5").err())
        .startsWith("intent: --rate: accuracy mode sends every message once");
    assertThat(run("bench", "--target", "http://127.0.0.1:1", "--warmup", "5s", "--warmup-max", "1s").err())
        .startsWith("intent: --warmup-max: 1.000s is outside --warmup (5.000s)..1h");
    assertThat(run("bench", "--help").out()).contains("--warmup-max=TIME");
  }

  @Test
  void stabilityLineFormat() {
    assertThat(BenchCommand.stabilityLine(new Stability(600, 70.0, 0.968, 0.0213, 1.6)))
        .isEqualTo("stability: 96.8% of 600 intervals within \u00b15% of 70.0 inf/s (cv 2.1%); p99/p50 1.60");
  }

  static BenchConfig parse(String... args) {
    BenchCommand c = new BenchCommand();
    new CommandLine(c).parseArgs(args);
    return c.config();
  }

  @Test
  void badInputIsOneLineAndExitTwo() throws Exception {
    Path data = tmp.resolve("d.csv");
    Files.writeString(data, "text,intent\nhello,greet\n");
    Path victim = Files.write(tmp.resolve("victim.intent"), new byte[] {'P', 'K', 3, 4});
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    String[][] cases = {
      {"bench", "--target", "http://127.0.0.1:" + closedPort, "--data", data.toString(), "--model", "m"},
      {"bench", "--target", "http://127.0.0.1:1", "--duration", "soon", "--data", data.toString()},
      {"bench", "--data", data.toString()},
      {"bench", "--target", "ftp://127.0.0.1:1", "--data", data.toString()},
      {"bench", "--target", "inproc:" + tmp.resolve("none"), "--data", data.toString()},
      {"bench", "--target", "http://127.0.0.1:1", "--data", tmp.resolve("missing.csv").toString()},
      {"bench", "compare", inf1.toString(), g4dn.toString(), "--price-per-hour", "1,2,3"},
      {"bench", "report", tmp.resolve("nothing.json").toString()},
      {"bench", "--target", "http://127.0.0.1:1", "--inproc-batch", "8", "--data", data.toString()},
      {"bench", "--target", "inproc:" + tmp.resolve("none"), "--inproc-batch", "0", "--data", data.toString()},
      // outputs, checked before the run: never an input, never each other, always somewhere writable
      {"bench", "--target", "inproc:" + victim, "--data", data.toString(), "--csv", victim.toString()},
      {"bench", "--target", "http://127.0.0.1:1", "--data", data.toString(), "--summary", data.toString()},
      {"bench", "--target", "http://127.0.0.1:1", "--data", data.toString(), "--csv", tmp.resolve("r").toString(), "--summary", tmp.resolve("r").toString()},
      {"bench", "--target", "http://127.0.0.1:1", "--data", data.toString(), "--csv", tmp.toString()},
      {"bench", "--target", "http://127.0.0.1:1", "--data", data.toString(), "--csv", data.resolve("run.csv").toString()},
    };
    String[] expected = {"cannot reach", "--duration: 'soon'", "--target is required", "unknown scheme 'ftp'", "no such model",
        "no such file", "--price-per-hour", "no such run", "--inproc-batch: only for in-process", "--inproc-batch: 0 is outside 1..1024",
        "is the --target file; writing it would destroy it", "is the --data file", "--csv and --summary name the same file",
        "is a directory; name a file", "d.csv is a file, not a directory"};
    for (int i = 0; i < cases.length; i++) {
      Run r = run(cases[i]);
      assertThat(r.code()).as("case %d: %s", i, r.err()).isEqualTo(2);
      assertThat(r.err().strip().lines()).as("case %d is one line", i).hasSize(1);
      assertThat(r.err()).as("case %d", i).startsWith("intent: ").contains(expected[i]);
    }
    assertThat(Files.readAllBytes(victim)).containsExactly('P', 'K', 3, 4);
    assertThat(Files.readString(data)).isEqualTo("text,intent\nhello,greet\n");
  }
}
