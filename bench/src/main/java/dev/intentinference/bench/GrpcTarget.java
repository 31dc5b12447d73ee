package dev.intentinference.bench;

import com.google.protobuf.ByteString;
import com.linecorp.armeria.client.ResponseTimeoutMode;
import com.linecorp.armeria.client.grpc.GrpcClients;
import dev.intentinference.core.IntentException;
import dev.intentinference.core.oip.GRPCInferenceServiceGrpc;
import dev.intentinference.core.oip.InferTensorContents;
import dev.intentinference.core.oip.ModelInferRequest;
import dev.intentinference.core.oip.ModelInferResponse;
import dev.intentinference.core.oip.ModelMetadataRequest;
import dev.intentinference.core.oip.ModelMetadataResponse;
import dev.intentinference.core.oip.ServerLiveRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * An Open Inference Protocol server over gRPC ({@code inference.GRPCInferenceService/ModelInfer})
 * through Armeria's gRPC client. Each message's request is built once before the run.
 *
 * <pre>{@code
 * try (Target t = new GrpcTarget(URI.create("grpc://127.0.0.1:8000"), TargetOptions.defaults().withModel("clinc150"), texts)) {
 *   t.probe();
 *   Reply r = t.send(0, true).join();
 * }
 * }</pre>
 */
public final class GrpcTarget implements Target {
  private final URI base;
  private final TargetOptions options;
  private final List<String> messages;
  private final ClientLoops loops;
  private final GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub blocking;
  private final GRPCInferenceServiceGrpc.GRPCInferenceServiceStub async;
  private ModelInferRequest[] requests;

  public GrpcTarget(URI base, TargetOptions options, List<String> messages) {
    if (options.endpoint() != null) {
      throw new IntentException("--endpoint applies to http:// targets only");
    }
    this.base = base;
    this.options = options;
    this.messages = List.copyOf(messages);
    this.loops = ClientLoops.open(options);
    String uri = "gproto+h2c://" + base.getRawAuthority();
    this.blocking = GrpcClients.builder(uri).factory(loops.factory()).responseTimeout(options.timeout()).responseTimeoutMode(ResponseTimeoutMode.FROM_START)
        .build(GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub.class);
    this.async = GrpcClients.builder(uri).factory(loops.factory()).responseTimeout(options.timeout()).responseTimeoutMode(ResponseTimeoutMode.FROM_START)
        .build(GRPCInferenceServiceGrpc.GRPCInferenceServiceStub.class);
  }

  @Override
  public TargetInfo probe() {
    String model = options.model();
    if (model == null) {
      throw new IntentException(base + ": --model is required for grpc:// targets");
    }
    ModelMetadataResponse meta;
    try {
      blocking.serverLive(ServerLiveRequest.getDefaultInstance());
      meta = blocking.modelMetadata(ModelMetadataRequest.newBuilder().setName(model).build());
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
        throw new IntentException(base + ": unknown model '" + model + "'", e);
      }
      throw new IntentException("cannot reach " + base + " over gRPC: " + e.getStatus(), e);
    } catch (RuntimeException e) {
      throw new IntentException("cannot reach " + base + " over gRPC: " + HttpTarget.cause(e), e);
    }
    requests = new ModelInferRequest[messages.size()];
    for (int i = 0; i < requests.length; i++) {
      requests[i] = ModelInferRequest.newBuilder()
          .setModelName(model)
          .addInputs(ModelInferRequest.InferInputTensor.newBuilder()
              .setName("text").setDatatype("BYTES").addShape(1)
              .setContents(InferTensorContents.newBuilder().addBytesContents(ByteString.copyFromUtf8(messages.get(i)))))
          .build();
    }
    String version = meta.getVersionsCount() == 0 ? null : meta.getVersions(meta.getVersionsCount() - 1);
    return new TargetInfo(base.toString(), model, version, null, meta.getPlatform());
  }

  @Override
  public CompletableFuture<Reply> send(int message, boolean decode) {
    if (requests == null) {
      throw new IllegalStateException("probe() first");
    }
    CompletableFuture<Reply> reply = new CompletableFuture<>();
    async.modelInfer(requests[message], new StreamObserver<>() {
      @Override
      public void onNext(ModelInferResponse r) {
        reply.complete(decode ? label(r) : Reply.OK);
      }

      @Override
      public void onError(Throwable t) {
        reply.complete(Reply.failed(t instanceof StatusRuntimeException s
            ? "grpc " + s.getStatus().getCode() : HttpTarget.cause(t)));
      }

      @Override
      public void onCompleted() {
        reply.complete(Reply.failed("grpc answer without a message"));
      }
    });
    return reply;
  }

  private static Reply label(ModelInferResponse r) {
    for (ModelInferResponse.InferOutputTensor out : r.getOutputsList()) {
      if (out.getName().equals("label") && out.getContents().getBytesContentsCount() > 0) {
        return Reply.labeled(out.getContents().getBytesContents(0).toStringUtf8());
      }
    }
    return Reply.failed("answer without a label output");
  }

  @Override
  public void close() {
    loops.close();
  }

  @Override
  public String toString() {
    return base.toString();
  }
}
