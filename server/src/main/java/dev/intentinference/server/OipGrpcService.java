package dev.intentinference.server;

import com.google.protobuf.ByteString;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.intentinference.core.data.LabeledText;
import dev.intentinference.core.oip.GRPCInferenceServiceGrpc;
import dev.intentinference.core.oip.InferParameter;
import dev.intentinference.core.oip.InferTensorContents;
import dev.intentinference.core.oip.ModelInferRequest;
import dev.intentinference.core.oip.ModelInferResponse;
import dev.intentinference.core.oip.ModelMetadataRequest;
import dev.intentinference.core.oip.ModelMetadataResponse;
import dev.intentinference.core.oip.ModelReadyRequest;
import dev.intentinference.core.oip.ModelReadyResponse;
import dev.intentinference.core.oip.ServerLiveRequest;
import dev.intentinference.core.oip.ServerLiveResponse;
import dev.intentinference.core.oip.ServerMetadataRequest;
import dev.intentinference.core.oip.ServerMetadataResponse;
import dev.intentinference.core.oip.ServerReadyRequest;
import dev.intentinference.core.oip.ServerReadyResponse;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The Open Inference Protocol over gRPC ({@code inference.GRPCInferenceService}), on the same
 * port as REST and with the same models, queue and rules. BYTES input comes either as
 * {@code contents.bytes_contents} or as {@code raw_input_contents} (each element prefixed by its
 * length, 4 bytes little-endian). Failures map to gRPC codes via {@link ErrorCause#grpcCode()}.
 *
 * <pre>{@code
 * stub.modelInfer(ModelInferRequest.newBuilder().setModelName("clinc150").addInputs(
 *     InferInputTensor.newBuilder().setName("text").setDatatype("BYTES").addShape(1)
 *         .setContents(InferTensorContents.newBuilder().addBytesContents(ByteString.copyFromUtf8("hi")))).build());
 * }</pre>
 */
final class OipGrpcService extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {
  private final ModelRegistry registry;
  private final MetadataService metadata;
  private final ServerMetrics metrics;

  OipGrpcService(ModelRegistry registry, MetadataService metadata, ServerMetrics metrics) {
    this.registry = registry;
    this.metadata = metadata;
    this.metrics = metrics;
  }

  @Override
  public void serverLive(ServerLiveRequest request, StreamObserver<ServerLiveResponse> out) {
    reply(out, () -> ServerLiveResponse.newBuilder().setLive(true).build());
  }

  @Override
  public void serverReady(ServerReadyRequest request, StreamObserver<ServerReadyResponse> out) {
    reply(out, () -> ServerReadyResponse.newBuilder().setReady(metadata.ready()).build());
  }

  @Override
  public void modelReady(ModelReadyRequest request, StreamObserver<ModelReadyResponse> out) {
    reply(out, () -> {
      metadata.version(request.getName(), request.getVersion());
      return ModelReadyResponse.newBuilder().setReady(metadata.accepting()).build();
    });
  }

  @Override
  public void serverMetadata(ServerMetadataRequest request, StreamObserver<ServerMetadataResponse> out) {
    reply(out, () -> ServerMetadataResponse.newBuilder().setName(MetadataService.SERVER_NAME)
        .setVersion(MetadataService.serverVersion()).addAllExtensions(metadata.extensions()).build());
  }

  @Override
  public void modelMetadata(ModelMetadataRequest request, StreamObserver<ModelMetadataResponse> out) {
    reply(out, () -> {
      LoadedVersion v = metadata.version(request.getName(), request.getVersion());
      long labels = v.labels().size();
      // Every loaded version, newest first, as the REST metadata lists them.
      return ModelMetadataResponse.newBuilder().setName(v.model()).addAllVersions(metadata.loadedVersions(v.model()))
          .setPlatform(MetadataService.PLATFORM)
          .addInputs(tensor("text", "BYTES", -1))
          .addOutputs(tensor("label", "BYTES", -1))
          .addOutputs(tensor("probability", "FP32", -1))
          .addOutputs(tensor("logits", "FP32", -1, labels))
          .addOutputs(tensor("probabilities", "FP32", -1, labels))
          .build();
    });
  }

  @Override
  public void modelInfer(ModelInferRequest request, StreamObserver<ModelInferResponse> out) {
    long start = System.nanoTime();
    String model = request.getModelName();
    try {
      // Before anything is counted under the model's name: a bad name is not a metric tag.
      ModelRegistry.checkName(model);
      if (!Admission.taken(ServiceRequestContext.current())) {
        throw new ShuttingDownException();
      }
    } catch (ApiException e) {
      fail(out, e);
      return;
    }
    try {
      List<String> texts = texts(request);
      List<String> outputs = outputs(request);
      registry.slot(model).infer(texts, request.getModelVersion()).whenComplete((inf, failure) -> {
        metrics.request("grpc_infer", model, System.nanoTime() - start, failure == null);
        if (failure != null) {
          fail(out, failure);
        } else {
          out.onNext(response(request.getId(), inf, outputs));
          out.onCompleted();
        }
      });
    } catch (RuntimeException e) {
      metrics.request("grpc_infer", model, System.nanoTime() - start, false);
      fail(out, e);
    }
  }

  private static List<String> texts(ModelInferRequest request) {
    if (request.getInputsCount() != 1 || !request.getInputs(0).getName().equals(OipJson.INPUT)) {
      throw new ApiException(ErrorCause.BAD_REQUEST, "the model takes one BYTES input named 'text'");
    }
    ModelInferRequest.InferInputTensor in = request.getInputs(0);
    if (!in.getDatatype().equals("BYTES")) {
      throw new ApiException(ErrorCause.BAD_REQUEST, "input 'text' must have datatype BYTES, was " + in.getDatatype());
    }
    List<ByteString> elements;
    if (request.getRawInputContentsCount() > 0) {
      // The protocol: raw contents replace every input's contents, one entry per input, in order.
      if (request.getRawInputContentsCount() != request.getInputsCount()) {
        throw new ApiException(ErrorCause.BAD_REQUEST, "raw_input_contents has " + request.getRawInputContentsCount()
            + " entries for " + request.getInputsCount() + " input(s); give one per input");
      }
      if (in.hasContents()) {
        throw new ApiException(ErrorCause.BAD_REQUEST, "input 'text' sets contents as well as raw_input_contents; use one of them");
      }
      elements = splitRaw(request.getRawInputContents(0));
    } else {
      elements = in.getContents().getBytesContentsList();
    }
    List<Long> shape = in.getShapeList();
    int n = elements.size();
    if (!((shape.size() == 1 || (shape.size() == 2 && shape.get(1) == 1)) && shape.get(0) == n)) {
      throw new ApiException(ErrorCause.BAD_REQUEST, "input 'text' has shape " + shape + " but " + n
          + " elements; expected [" + n + "] or [" + n + ", 1]");
    }
    List<String> texts = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      byte[] b = elements.get(i).toByteArray();
      if (Utf8.firstInvalid(b, 0, b.length) >= 0) {
        throw new ApiException(ErrorCause.INVALID_UTF8, "text " + i + " is not valid UTF-8");
      }
      texts.add(new String(b, StandardCharsets.UTF_8));
    }
    return texts;
  }

  /** Splits a raw BYTES tensor: each element is a 4-byte little-endian length then its bytes. */
  private static List<ByteString> splitRaw(ByteString raw) {
    ByteBuffer buf = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    List<ByteString> out = new ArrayList<>();
    while (buf.hasRemaining()) {
      if (buf.remaining() < 4) {
        throw new ApiException(ErrorCause.BAD_REQUEST, "raw_input_contents: truncated element length");
      }
      int len = buf.getInt();
      if (len < 0 || len > buf.remaining()) {
        throw new ApiException(ErrorCause.BAD_REQUEST, "raw_input_contents: element length " + len + " exceeds the data");
      }
      byte[] b = new byte[len];
      buf.get(b);
      out.add(ByteString.copyFrom(b));
    }
    return out;
  }

  private static List<String> outputs(ModelInferRequest request) {
    if (request.getOutputsCount() == 0) {
      return OipJson.DEFAULT_OUTPUTS;
    }
    List<String> out = new ArrayList<>();
    for (ModelInferRequest.InferRequestedOutputTensor o : request.getOutputsList()) {
      if (!OipJson.OUTPUTS.contains(o.getName())) {
        throw new ApiException(ErrorCause.BAD_REQUEST, "unknown output '" + o.getName() + "'; outputs are " + OipJson.OUTPUTS);
      }
      if (!out.contains(o.getName())) {
        out.add(o.getName());
      }
    }
    return out;
  }

  private static ModelInferResponse response(String id, ModelSlot.Inference inf, List<String> outputs) {
    LoadedVersion v = inf.version();
    int n = inf.rows().size();
    ModelInferResponse.Builder r = ModelInferResponse.newBuilder().setModelName(v.model()).setModelVersion(v.version()).setId(id);
    String truncated = inf.truncatedIndices();
    if (truncated != null) {
      r.putParameters("truncated", InferParameter.newBuilder().setStringParam(truncated).build());
    }
    String escalated = inf.escalatedIndices();
    if (escalated != null) {
      r.putParameters("escalated", InferParameter.newBuilder().setStringParam(escalated).build());
    }
    for (String name : outputs) {
      ModelInferResponse.InferOutputTensor.Builder t = r.addOutputsBuilder().setName(name)
          .setDatatype(name.equals("label") ? "BYTES" : "FP32").addShape(n);
      InferTensorContents.Builder c = t.getContentsBuilder();
      for (ModelSlot.Row row : inf.rows()) {
        float[] p = row.probabilities();
        switch (name) {
          case "label" -> c.addBytesContents(ByteString.copyFromUtf8(v.decoder(row.escalated()).isOutOfScope(p)
              ? LabeledText.OUT_OF_SCOPE : v.labels().get(v.decoder().bestInScope(p))));
          case "probability" -> c.addFp32Contents(p[v.decoder().bestInScope(p)]);
          case "probabilities" -> addAll(c, p);
          default -> addAll(c, row.logits());
        }
      }
      if (!name.equals("label") && !name.equals("probability")) {
        t.addShape(v.labels().size());
      }
    }
    return r.build();
  }

  private static void addAll(InferTensorContents.Builder c, float[] values) {
    for (float f : values) {
      c.addFp32Contents(f);
    }
  }

  private static ModelMetadataResponse.TensorMetadata tensor(String name, String datatype, long... shape) {
    ModelMetadataResponse.TensorMetadata.Builder b = ModelMetadataResponse.TensorMetadata.newBuilder().setName(name).setDatatype(datatype);
    for (long s : shape) {
      b.addShape(s);
    }
    return b.build();
  }

  private <T> void reply(StreamObserver<T> out, Supplier<T> body) {
    try {
      out.onNext(body.get());
      out.onCompleted();
    } catch (RuntimeException e) {
      fail(out, e);
    }
  }

  private void fail(StreamObserver<?> out, Throwable failure) {
    Throwable t = failure;
    while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    ErrorCause cause = t instanceof ApiException api ? api.errorCause() : ErrorCause.INTERNAL;
    metrics.error(cause);
    out.onError(Status.fromCode(cause.grpcCode()).withDescription(t.getMessage()).asRuntimeException());
  }
}
