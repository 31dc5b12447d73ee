package dev.intentinference.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.ByteString;
import com.linecorp.armeria.client.grpc.GrpcClients;
import dev.intentinference.core.oip.GRPCInferenceServiceGrpc;
import dev.intentinference.core.oip.InferTensorContents;
import dev.intentinference.core.oip.ModelInferRequest;
import dev.intentinference.core.oip.ModelInferResponse;
import dev.intentinference.core.onnx.SentenceEncoder;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Closing the server answers every request already accepted, on both protocols, then refuses new connections. */
class GracefulShutdownTest {
  @TempDir Path repo;

  @Test
  void inFlightAndQueuedRequestsAreAnsweredBeforeExit() throws Exception {
    try (SentenceEncoder enc = TestModels.encoder()) {
      TestModels.write(enc, repo, "demo", "1", TestModels.bankingExamples());
    }
    // One text per batch and long texts: the requests below are queued behind each other, enough
    // of them that answering those left when close() starts takes seconds, well past the second
    // Armeria alone gives requests in flight before it cuts their connections.
    ServerConfig config = ServerConfig.builder(repo).port(0).threads(1).batch(new BatchPolicy(1, 0, 64))
        .pollInterval(Duration.ZERO).timeout(Duration.ofSeconds(60)).shutdownGrace(Duration.ofSeconds(60)).build();
    InferenceServer server = InferenceServer.start(config, RepositoryBootstrapper.NONE);
    Http http = new Http(server.baseUri());
    String text = "please change the address on my account ".repeat(50);
    List<CompletableFuture<HttpResponse<String>>> pending = new ArrayList<>();
    var grpc = GrpcClients.newClient("http://127.0.0.1:" + server.port() + "/",
        GRPCInferenceServiceGrpc.GRPCInferenceServiceFutureStub.class);
    List<ListenableFuture<ModelInferResponse>> pendingGrpc = new ArrayList<>();
    int requests = 24;
    for (int i = 0; i < requests; i++) {
      if (i % 3 == 2) {
        pendingGrpc.add(grpc.modelInfer(ModelInferRequest.newBuilder().setModelName("demo")
            .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("text").setDatatype("BYTES").addShape(1)
                .setContents(InferTensorContents.newBuilder().addBytesContents(ByteString.copyFromUtf8(text + i))))
            .build()));
      } else {
        pending.add(http.postJsonAsync("/v1/models/demo/predict", "{\"text\":\"" + text + i + "\"}"));
      }
    }
    // Wait (without timing anything) until the server has taken them all: closing refuses requests
    // still on their way (503), and this test is about those already taken.
    while (server.metrics().registry().get("intent_requests_in_flight").gauge().value()
        + pending.stream().filter(CompletableFuture::isDone).count()
        + pendingGrpc.stream().filter(ListenableFuture::isDone).count() < requests) {
      Thread.sleep(1);
    }
    server.close();
    int answered = 0;
    for (CompletableFuture<HttpResponse<String>> f : pending) {
      HttpResponse<String> r = f.join();
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      answered++;
    }
    for (ListenableFuture<ModelInferResponse> f : pendingGrpc) {
      assertThat(f.get().getOutputsList()).isNotEmpty();
      answered++;
    }
    assertThat(answered).isEqualTo(requests);
    assertThat(http.postJsonAsync("/v1/models/demo/predict", "{\"text\":\"hi\"}").handle((r, t) -> t).join())
        .as("no longer listening").isNotNull();
  }
}
