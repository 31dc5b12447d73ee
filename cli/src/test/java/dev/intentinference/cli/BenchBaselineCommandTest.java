package dev.intentinference.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.Server;
import dev.intentinference.core.encoder.EncoderRegistry;
import dev.intentinference.core.model.CentroidModelBuilder;
import dev.intentinference.core.onnx.SentenceEncoder;
import dev.intentinference.core.onnx.SessionSettings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code intent bench baseline} end to end: an Open Inference Protocol endpoint on a loopback port
 * (a fixed answer: the project's server lives in another module) against a real model in
 * process, padded. Checks what the command wrote, not how fast anything was.
 */
class BenchBaselineCommandTest {
  @TempDir Path tmp;

  @Test
  void runsBothSidesAndWritesTheComparison() throws Exception {
    Map<String, List<String>> examples = new LinkedHashMap<>();
    examples.put("greet", List.of("hello", "hi there"));
    examples.put("bye", List.of("goodbye", "see you later"));
    Path model = tmp.resolve("model");
    try (SentenceEncoder enc = SentenceEncoder.load(EncoderRegistry.builtIn().get(EncoderRegistry.DEFAULT_ID), SessionSettings.singleThread())) {
      new CentroidModelBuilder(enc, "demo", "1").write(model, examples, 0.0);
    }
    Path data = tmp.resolve("d.csv");
    Files.writeString(data, "text,intent\nhello friend,greet\nbye for now,bye\n");
    String answer = "{\"model_name\":\"demo\",\"outputs\":[{\"name\":\"label\",\"datatype\":\"BYTES\",\"shape\":[1],\"data\":[\"greet\"]}]}";
    Server server = Server.builder().http(0)
        .service("/v2/models/demo", (ctx, req) -> HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, "{\"name\":\"demo\",\"versions\":[\"1\"]}"))
        .service("/v2/models/demo/infer", (ctx, req) -> HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, answer))
        .build();
    server.start().join();
    try {
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      Path dir = tmp.resolve("out");
      int code = IntentCli.execute(new String[] {"bench", "baseline", "--served", "http://127.0.0.1:" + server.activeLocalPort(),
          "--model", "demo", "--reference", model.toString(), "--pad-to", "64", "--duration", "600ms", "--warmup", "0s",
          "--interval", "300ms", "--data", data.toString(), "--out", dir.toString()}, new PrintWriter(out, true), new PrintWriter(err, true));
      assertThat(code).as(err.toString()).isZero();
      assertThat(out.toString()).contains("metric").contains("served").contains("reference").contains("throughput, steady");
      for (String f : List.of("served.csv", "served.json", "reference.csv", "reference.json", "report/index.html")) {
        assertThat(dir.resolve(f)).isNotEmptyFile();
      }
      assertThat(Files.readString(dir.resolve("reference.json"))).contains("\"pad_to\" : 64").contains("padded to 64 tokens");
    } finally {
      server.stop().join();
    }
  }
}
