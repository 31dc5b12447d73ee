package dev.intentinference.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.ByteString;
import com.linecorp.armeria.client.grpc.GrpcClients;
import dev.intentinference.core.oip.GRPCInferenceServiceGrpc;
import dev.intentinference.core.oip.InferTensorContents;
import dev.intentinference.core.oip.ModelInferRequest;
import dev.intentinference.core.oip.ModelInferResponse;
import dev.intentinference.core.onnx.SentenceEncoder;
import io.grpc.Status;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Closing the server answers every request already taken, on both protocols, within the shutdown
 * grace; past it, those still queued get a clear refusal, never a cut connection. Then it refuses
 * new connections.
 */
class GracefulShutdownTest {
  private static final int REQUESTS = 24;

  @TempDir Path repo;

  /** Requests sent to a server, every third over gRPC. */
  private record Sent(List<CompletableFuture<HttpResponse<String>>> http, List<ListenableFuture<ModelInferResponse>> grpc) {}

  @Test
  void inFlightAndQueuedRequestsAreAnsweredBeforeExit() throws Exception {
    InferenceServer server = start(Duration.ofSeconds(60));
    Http http = new Http(server.baseUri());
    Sent sent = sendAndWaitUntilTaken(server, http);
    server.close();
    for (CompletableFuture<HttpResponse<String>> f : sent.http()) {
      HttpResponse<String> r = f.join();
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }
    for (ListenableFuture<ModelInferResponse> f : sent.grpc()) {
      assertThat(f.get().getOutputsList()).isNotEmpty();
    }
    assertThat(http.postJsonAsync("/v1/models/demo/predict", "{\"text\":\"hi\"}").handle((r, t) -> t).join())
        .as("no longer listening").isNotNull();
  }

  @Test
  void pastTheGraceQueuedRequestsAreRefusedClearly() throws Exception {
    InferenceServer server = start(Duration.ZERO);
    Sent sent = sendAndWaitUntilTaken(server, new Http(server.baseUri()));
    server.close();
    int refused = 0;
    for (CompletableFuture<HttpResponse<String>> f : sent.http()) {
      HttpResponse<String> r = f.join(); // a cut connection throws here
      if (r.statusCode() != 200) {
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).isEqualTo("{\"error\":\"the server is shutting down\"}");
        refused++;
      }
    }
    for (ListenableFuture<ModelInferResponse> f : sent.grpc()) {
      Throwable t = catchThrowable(f::get);
      if (t != null) {
        assertThat(t).isInstanceOf(ExecutionException.class);
        assertThat(Status.fromThrowable(t.getCause()).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        refused++;
      }
    }
    assertThat(refused).as("requests still queued when the grace (0) ran out").isPositive();
  }

  private InferenceServer start(Duration grace) throws Exception {
    try (SentenceEncoder enc = TestModels.encoder()) {
      TestModels.write(enc, repo, "demo", "1", TestModels.bankingExamples());
    }
    // One text per batch and long texts: the requests are queued behind each other, enough of them
    // that answering those left when close() starts takes seconds, well past the second Armeria
    // alone gives requests in flight before it cuts their connections.
    ServerConfig config = ServerConfig.builder(repo).port(0).threads(1).batch(new BatchPolicy(1, 0, 64))
        .pollInterval(Duration.ZERO).timeout(Duration.ofSeconds(60)).shutdownGrace(grace).build();
    return InferenceServer.start(config, RepositoryBootstrapper.NONE);
  }

  private static Sent sendAndWaitUntilTaken(InferenceServer server, Http http) throws InterruptedException {
    String text = "please change the address on my account ".repeat(50);
    var grpc = GrpcClients.newClient("http://127.0.0.1:" + server.port() + "/",
        GRPCInferenceServiceGrpc.GRPCInferenceServiceFutureStub.class);
    Sent sent = new Sent(new ArrayList<>(), new ArrayList<>());
    for (int i = 0; i < REQUESTS; i++) {
      if (i % 3 == 2) {
        sent.grpc().add(grpc.modelInfer(ModelInferRequest.newBuilder().setModelName("demo")
            .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("text").setDatatype("BYTES").addShape(1)
                .setContents(InferTensorContents.newBuilder().addBytesContents(ByteString.copyFromUtf8(text + i))))
            .build()));
      } else {
        sent.http().add(http.postJsonAsync("/v1/models/demo/predict", "{\"text\":\"" + text + i + "\"}"));
      }
    }
    // Wait (without timing anything) until the server has taken them all: closing refuses requests
    // still on their way, and these tests are about those already taken.
    while (server.metrics().registry().get("intent_requests_in_flight").gauge().value()
        + sent.http().stream().filter(CompletableFuture::isDone).count()
        + sent.grpc().stream().filter(ListenableFuture::isDone).count() < REQUESTS) {
      Thread.sleep(1);
    }
    return sent;
  }
}
