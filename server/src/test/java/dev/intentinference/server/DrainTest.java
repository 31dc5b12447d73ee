package dev.intentinference.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.linecorp.armeria.client.grpc.GrpcClients;
import dev.intentinference.core.oip.GRPCInferenceServiceGrpc;
import dev.intentinference.core.oip.InferTensorContents;
import dev.intentinference.core.oip.ModelInferRequest;
import dev.intentinference.core.oip.ModelReadyRequest;
import dev.intentinference.core.oip.ServerLiveRequest;
import dev.intentinference.core.oip.ServerReadyRequest;
import dev.intentinference.core.onnx.SentenceEncoder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Once draining, every readiness signal is false, inference is refused with a retryable answer on
 * both protocols, and liveness and metadata keep answering. (SIGTERM on a real process: the cli
 * module's ServeSigtermTest.)
 */
class DrainTest {
  @TempDir Path repo;

  @Test
  void drainingTurnsReadinessFalseAndRefusesNewInference() throws Exception {
    try (SentenceEncoder enc = TestModels.encoder()) {
      TestModels.write(enc, repo, "demo", "1", TestModels.bankingExamples());
    }
    try (InferenceServer server = InferenceServer.start(ServerConfig.builder(repo).port(0).threads(1)
        .pollInterval(Duration.ZERO).build(), RepositoryBootstrapper.NONE)) {
      Http http = new Http(server.baseUri());
      var grpc = GrpcClients.newClient("http://127.0.0.1:" + server.port() + "/",
          GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub.class);
      ModelInferRequest infer = ModelInferRequest.newBuilder().setModelName("demo")
          .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("text").setDatatype("BYTES").addShape(1)
              .setContents(InferTensorContents.newBuilder().addBytesContents(ByteString.copyFromUtf8("hello"))))
          .build();
      assertThat(http.get("/v2/health/ready").statusCode()).isEqualTo(200);
      assertThat(http.get("/v2/models/demo/ready").statusCode()).isEqualTo(200);
      assertThat(grpc.serverReady(ServerReadyRequest.getDefaultInstance()).getReady()).isTrue();
      assertThat(grpc.modelInfer(infer).getModelName()).isEqualTo("demo");

      server.stopAccepting();

      assertThat(server.accepting()).isFalse();
      assertThat(http.get("/v2/health/ready").statusCode()).isEqualTo(503);
      assertThat(http.get("/v2/models/demo/ready").statusCode()).isEqualTo(503);
      assertThat(http.get("/v2/models/demo/versions/1/ready").statusCode()).isEqualTo(503);
      assertThat(http.get("/v2/health/live").statusCode()).as("still alive: not to be restarted").isEqualTo(200);
      assertThat(http.get("/v2/models/demo").statusCode()).as("metadata still answers").isEqualTo(200);
      for (String path : new String[] {"/v1/models/demo/predict", "/v2/models/demo/infer", "/v2/models/demo/versions/1/infer"}) {
        HttpResponse<String> r = http.postJson(path, path.startsWith("/v1") ? "{\"text\":\"hello\"}" : Http.infer("hello"));
        assertThat(r.statusCode()).as(path).isEqualTo(503);
        assertThat(r.headers().firstValue("retry-after")).as(path).hasValue(HttpErrors.RETRY_AFTER_SECONDS);
        assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("application/json"));
        assertThat(r.body()).isEqualTo("{\"error\":\"the server is shutting down\"}");
      }
      assertThat(grpc.serverLive(ServerLiveRequest.getDefaultInstance()).getLive()).isTrue();
      assertThat(grpc.serverReady(ServerReadyRequest.getDefaultInstance()).getReady()).isFalse();
      assertThat(grpc.modelReady(ModelReadyRequest.newBuilder().setName("demo").build()).getReady()).isFalse();
      assertThatThrownBy(() -> grpc.modelInfer(infer)).isInstanceOfSatisfying(StatusRuntimeException.class,
          e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
      assertThat(server.metrics().scrape()).contains("cause=\"shutting_down\"");
    }
  }
}
