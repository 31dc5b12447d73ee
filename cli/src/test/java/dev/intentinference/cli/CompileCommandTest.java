package dev.intentinference.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.intentinference.core.encoder.EncoderRegistry;
import dev.intentinference.core.model.CentroidModelBuilder;
import dev.intentinference.core.onnx.SentenceEncoder;
import dev.intentinference.core.onnx.SessionSettings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code intent compile} and {@code intent inspect} end to end through the CLI entry point. */
class CompileCommandTest {
  @TempDir static Path shared;
  @TempDir Path tmp;
  static Path model;
  static Path artifact;

  record Run(int exit, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = IntentCli.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(code, out.toString(), err.toString());
  }

  @BeforeAll
  static void compileOnce() {
    Map<String, List<String>> ex = new LinkedHashMap<>();
    ex.put("balance", List.of("what is my account balance", "how much money do i have"));
    ex.put("weather", List.of("will it rain today", "what's the weather like"));
    ex.put("greeting", List.of("hello", "hi there"));
    model = shared.resolve("model");
    try (SentenceEncoder enc = SentenceEncoder.load(EncoderRegistry.builtIn().get(EncoderRegistry.DEFAULT_ID), SessionSettings.singleThread())) {
      new CentroidModelBuilder(enc, "cli-demo", "7").write(model, ex, 0.2);
    }
    Run r = run("compile", "--model", model.toString(), "--out", shared.toString(), "--precision", "int8", "--buckets", "16,32,64,512", "--explain");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("wrote").contains("top-1 agreement");
    // The default encoder ships int8 already: the quantizer leaves it as it is, fusion adds the head.
    assertThat(r.out()).contains("1. HeadFusion: ").contains("Gemm +1").contains("2. DynamicQuantizer: ")
        .contains("no operator count changed").contains("3. OfflineOptimizer(extended_opt): ").contains("final graph: ");
    artifact = shared.resolve("cli-demo-7.intent");
  }

  @Test
  void anOutPathEndingInASlashIsADirectoryCreatedForTheArtifact() {
    Path dir = tmp.resolve("repo/cli-demo/7");
    Run r = run("compile", "--model", model.toString(), "--out", dir + "/", "--precision", "fp32", "--buckets", "16,512");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(dir).isDirectory();
    assertThat(dir.resolve("cli-demo-7.intent")).isRegularFile();
  }

  @Test
  void aModelDirectoryCanBePublishedUnderAnotherNameAndVersion() throws Exception {
    Path dir = tmp.resolve("repo/support/8");
    Run r = run("compile", "--model", model.toString(), "--out", dir + "/", "--precision", "fp32", "--buckets", "16,512",
        "--name", "support", "--model-version", "8");
    assertThat(r.exit()).as(r.err()).isZero();
    Path artifact8 = dir.resolve("support-8.intent");
    assertThat(artifact8).isRegularFile();
    Run inspect = run("inspect", artifact8.toString());
    assertThat(inspect.exit()).as(inspect.err()).isZero();
    assertThat(inspect.out()).contains("\"name\" : \"support\"").contains("\"version\" : \"8\"");
    assertThat(run("compile", "--model", model.toString(), "--out", tmp.resolve("bad.intent").toString(),
        "--model-version", "a/b").exit()).isEqualTo(2);
  }

  @Test
  void inspectPrintsTheManifestAndChecksEveryHash() {
    assertThat(artifact).exists();
    Run r = run("inspect", artifact.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("\"precision\" : \"int8\"").contains("\"verification\"")
        .contains("OK       model.onnx").contains("OK       tokenizer.json").contains("all 2 entries match");
  }

  @Test
  void inspectExplainPrintsWhatEachPassDid() {
    Run r = run("inspect", "--explain", artifact.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("\"pass_stats\"").contains("passes (node counts by operator type")
        .contains("1. HeadFusion: ").contains("3. OfflineOptimizer(extended_opt): ").containsPattern("MatMulInteger\\w*\\s+\\d+");
  }

  @Test
  void inspectFailsWithExit2WhenAnEntryWasTampered() throws Exception {
    Path copy = Files.copy(artifact, tmp.resolve("tampered.intent"));
    try (FileSystem zip = FileSystems.newFileSystem(URI.create("jar:" + copy.toUri()), Map.of())) {
      Files.writeString(zip.getPath("tokenizer.json"), "{}");
    }
    Run r = run("inspect", copy.toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.out()).contains("MISMATCH tokenizer.json");
    assertThat(r.err().strip().lines()).hasSize(1);
    assertThat(r.err()).contains("fail the manifest's hash check");
    assertThat(run("inspect", tmp.resolve("missing.intent").toString()).exit()).isEqualTo(2);
    byte[] whole = Files.readAllBytes(artifact);
    Path truncated = Files.write(tmp.resolve("truncated.intent"), java.util.Arrays.copyOf(whole, whole.length / 3));
    Run cut = run("inspect", truncated.toString());
    assertThat(cut.exit()).isEqualTo(2);
    assertThat(cut.err().strip()).contains("truncated").doesNotContain("\n");
  }

  @Test
  void inspectRefusesWhatTheLoaderRefuses() throws Exception {
    // Cut at its central directory, as an interrupted copy leaves it: every entry still streams.
    byte[] whole = Files.readAllBytes(artifact);
    int end = lastIndexOf(whole, new byte[] {'P', 'K', 5, 6});
    int directory = java.nio.ByteBuffer.wrap(whole, end + 16, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt();
    Path cut = Files.write(tmp.resolve("cut.intent"), java.util.Arrays.copyOf(whole, directory));
    Run r = run("inspect", cut.toString());
    assertThat(r.exit()).as(r.out()).isEqualTo(2);
    assertThat(r.err()).contains("not a valid .intent artifact");

    // An entry that declares more than an artifact may hold is refused before it is read.
    Path bomb = tmp.resolve("bomb.intent");
    try (java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(bomb))) {
      zip.setLevel(java.util.zip.Deflater.BEST_SPEED);
      zip.putNextEntry(new java.util.zip.ZipEntry("manifest.json"));
      zip.write("{}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      zip.putNextEntry(new java.util.zip.ZipEntry("zeros"));
      byte[] block = new byte[1 << 20];
      for (int i = 0; i <= 1024; i++) {
        zip.write(block);
      }
    }
    Run big = run("inspect", bomb.toString());
    assertThat(big.exit()).isEqualTo(2);
    assertThat(big.err().strip()).contains("entry zeros holds more than the 1024 MiB an artifact entry may").doesNotContain("\n");
  }

  private static int lastIndexOf(byte[] data, byte[] pattern) {
    for (int i = data.length - pattern.length; i >= 0; i--) {
      if (java.util.Arrays.equals(data, i, i + pattern.length, pattern, 0, pattern.length)) {
        return i;
      }
    }
    throw new AssertionError("no end of central directory");
  }

  @Test
  void badOptionsAndInputsExitWith2AndOneLineAndWriteNothing() throws Exception {
    Path out = tmp.resolve("x.intent");
    Run target = run("compile", "--model", model.toString(), "--out", out.toString(), "--target", "tpu");
    assertThat(target.exit()).isEqualTo(2);
    assertThat(target.err().strip()).startsWith("intent: --target: unknown target 'tpu'").doesNotContain("\n");
    Run precision = run("compile", "--model", model.toString(), "--out", out.toString(), "--precision", "int4");
    assertThat(precision.exit()).isEqualTo(2);
    assertThat(precision.err()).contains("--precision");
    Run gpuFusion = run("compile", "--model", model.toString(), "--out", out.toString(), "--target", "cuda", "--fuse-attention");
    assertThat(gpuFusion.exit()).isEqualTo(2);
    assertThat(gpuFusion.err().strip()).startsWith("intent: --fuse-attention: only for --target cpu").doesNotContain("\n");
    Path bad = Files.write(tmp.resolve("model.onnx"), "definitely not protobuf".getBytes());
    Run corrupt = run("compile", "--model", bad.toString(), "--out", out.toString());
    assertThat(corrupt.exit()).isEqualTo(2);
    assertThat(corrupt.err().strip()).contains("not a valid ONNX model").doesNotContain("\n");
    assertThat(run("compile", "--model", tmp.resolve("nope").toString()).exit()).isEqualTo(2);
    try (Stream<Path> s = Files.list(tmp)) {
      assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("model.onnx");
    }
  }

  @Test
  void inspectOfADirectorySaysSo() {
    Run r = run("inspect", model.toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err().strip()).endsWith("a directory, not a compiled .intent artifact (a model directory: its manifest.json is plain JSON)");
  }

  /** An output that is one of the command's inputs, another kind of file, or in no writable place: refused before any pass. */
  @Test
  void anOutputThatWouldDestroyAnInputOrCannotBeWrittenIsRefusedFirst() throws Exception {
    Path copy = Files.createDirectories(tmp.resolve("copy"));
    try (Stream<Path> s = Files.list(model)) {
      for (Path f : s.toList()) {
        Files.copy(f, copy.resolve(f.getFileName()));
      }
    }
    byte[] manifest = Files.readAllBytes(copy.resolve("manifest.json"));
    Run intoManifest = run("compile", "--model", copy.toString(), "--out", copy.resolve("manifest.json").toString());
    assertThat(intoManifest.exit()).isEqualTo(2);
    assertThat(intoManifest.err().strip()).contains("exists and is not a .intent artifact; refusing to replace it").doesNotContain("\n");
    assertThat(Files.readAllBytes(copy.resolve("manifest.json"))).isEqualTo(manifest);

    Path data = Files.writeString(tmp.resolve("val.intent"), "text,intent\nhello,greeting\n");
    Run intoData = run("compile", "--model", copy.toString(), "--verify-data", data.toString(), "--out", data.toString());
    assertThat(intoData.exit()).isEqualTo(2);
    assertThat(intoData.err()).contains("is the --verify-data file; writing it would destroy it");
    assertThat(Files.readString(data)).startsWith("text,intent");

    Run intoFallback = run("compile", "--model", artifact.toString(), "--fallback", artifact.toString(), "--out", artifact.toString());
    assertThat(intoFallback.exit()).isEqualTo(2);
    assertThat(intoFallback.err()).contains("is the --model file");

    Path file = Files.writeString(tmp.resolve("plain.txt"), "x");
    Run underAFile = run("compile", "--model", copy.toString(), "--out", file.resolve("x.intent").toString());
    assertThat(underAFile.exit()).isEqualTo(2);
    assertThat(underAFile.err().strip()).endsWith("plain.txt is a file, not a directory").doesNotContain("\n");
  }

  @Test
  void badStaticInt8CalibrationOrSmoothingExitsWith2AndOneLineAndWritesNothing() throws Exception {
    Path out = tmp.resolve("x.intent");
    Path empty = Files.writeString(tmp.resolve("empty.csv"), "text,intent\n");
    Path garbage = Files.writeString(tmp.resolve("garbage.json"), "{ not json");
    String m = model.toString();
    String o = out.toString();
    Map<String, String[]> cases = new LinkedHashMap<>();
    cases.put("intent: --calibration-data: only for --precision int8",
        new String[] {"compile", "--model", m, "--out", o, "--calibration-data", "clinc150"});
    cases.put("intent: --calibration-data: " + tmp.resolve("missing.csv") + ": no such file",
        new String[] {"compile", "--model", m, "--out", o, "--precision", "int8", "--calibration-data", tmp.resolve("missing.csv").toString()});
    cases.put("intent: --calibration-data: " + empty,
        new String[] {"compile", "--model", m, "--out", o, "--precision", "int8", "--calibration-data", empty.toString()});
    cases.put("intent: --calibration-data: " + garbage,
        new String[] {"compile", "--model", m, "--out", o, "--precision", "int8", "--calibration-data", garbage.toString()});
    cases.put("intent: --calibration-data: clinc150: no split 'nope'",
        new String[] {"compile", "--model", m, "--out", o, "--precision", "int8", "--calibration-data", "clinc150", "--calibration-split", "nope"});
    cases.put("intent: --calibration-data: cannot be combined with --fuse-attention",
        new String[] {"compile", "--model", m, "--out", o, "--precision", "int8", "--calibration-data", "clinc150", "--fuse-attention"});
    cases.put("intent: --calibration-limit: must be in 1..100000, was 0",
        new String[] {"compile", "--model", m, "--out", o, "--precision", "int8", "--calibration-data", "clinc150", "--calibration-limit", "0"});
    cases.put("intent: --int8-keep-dynamic: only with --calibration-data",
        new String[] {"compile", "--model", m, "--out", o, "--precision", "int8", "--int8-keep-dynamic", "output"});
    cases.put("intent: --int8-smooth: must be in (0, 1]",
        new String[] {"compile", "--model", m, "--out", o, "--precision", "int8", "--int8-smooth", "1.5"});
    cases.put("intent: --int8-smooth: only for --precision int8",
        new String[] {"compile", "--model", m, "--out", o, "--int8-smooth", "0.5"});
    cases.put("intent: --smooth-data: only for --precision int8",
        new String[] {"compile", "--model", m, "--out", o, "--smooth-data", "clinc150"});
    cases.put("intent: --smooth-data: --int8-smooth 0 turns smoothing off",
        new String[] {"compile", "--model", m, "--out", o, "--precision", "int8", "--int8-smooth", "0", "--smooth-data", "clinc150"});
    cases.put("intent: --smooth-data: " + tmp.resolve("missing.csv") + ": no such file",
        new String[] {"compile", "--model", m, "--out", o, "--precision", "int8", "--smooth-data", tmp.resolve("missing.csv").toString()});
    cases.put("intent: --smooth-limit: must be in 1..100000, was 0",
        new String[] {"compile", "--model", m, "--out", o, "--precision", "int8", "--smooth-data", "clinc150", "--smooth-limit", "0"});
    cases.put("intent: --smooth-data: " + empty,
        new String[] {"compile", "--model", m, "--out", o, "--precision", "int8", "--smooth-data", empty.toString()});
    cases.put("intent: --calibration-percentile: only with --calibration-data",
        new String[] {"compile", "--model", m, "--out", o, "--precision", "int8", "--calibration-percentile", "NaN"});
    cases.put("intent: --smooth-limit: only with --smooth-data",
        new String[] {"compile", "--model", m, "--out", o, "--precision", "int8", "--smooth-limit", "10"});
    cases.put("intent: --threshold: only for an .onnx --model",
        new String[] {"compile", "--model", m, "--out", o, "--threshold", "0.5"});
    cases.forEach((expected, args) -> {
      Run r = run(args);
      assertThat(r.exit()).as(expected + ": " + r.err()).isEqualTo(2);
      assertThat(r.err().strip()).as(expected).doesNotContain("\n");
      if (expected.contains("clinc150: no split")) {
        assertThat(r.err().strip()).startsWith("intent: --calibration-data: ").contains("no split 'nope'");
      } else {
        assertThat(r.err().strip()).startsWith(expected);
      }
    });
    assertThat(out).doesNotExist();
  }

  @Test
  void helpShowsDefaultsAndAnExample() {
    Run r = run("compile", "--help");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("default: fp32").contains("default: 0.99").contains("Examples:").contains("--fuse-attention")
        .contains("--calibration-data clinc150").contains("default: 99.99").contains("central 99.99% of values").doesNotContain("%%").contains("default: train")
        .contains("--int8-smooth").contains("default: 0.75").contains("--smooth-data clinc150");
  }
}
