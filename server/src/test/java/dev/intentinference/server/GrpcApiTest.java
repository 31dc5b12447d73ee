package dev.intentinference.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.linecorp.armeria.client.grpc.GrpcClients;
import dev.intentinference.core.oip.GRPCInferenceServiceGrpc;
import dev.intentinference.core.oip.InferTensorContents;
import dev.intentinference.core.oip.ModelInferRequest;
import dev.intentinference.core.oip.ModelInferResponse;
import dev.intentinference.core.oip.ModelMetadataRequest;
import dev.intentinference.core.oip.ModelMetadataResponse;
import dev.intentinference.core.oip.ModelReadyRequest;
import dev.intentinference.core.oip.ServerLiveRequest;
import dev.intentinference.core.oip.ServerMetadataRequest;
import dev.intentinference.core.oip.ServerReadyRequest;
import dev.intentinference.core.onnx.SentenceEncoder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Open Inference Protocol over gRPC, on the same port as REST, with generated stubs from core. */
class GrpcApiTest {
  @TempDir static Path repo;
  static InferenceServer server;
  static GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub;

  @BeforeAll
  static void start() {
    try (SentenceEncoder enc = TestModels.encoder()) {
      TestModels.write(enc, repo, "demo", "3", TestModels.bankingExamples());
    }
    server = InferenceServer.start(ServerConfig.builder(repo).port(0).threads(1).pollInterval(Duration.ZERO).build(),
        RepositoryBootstrapper.NONE);
    stub = GrpcClients.newClient("http://127.0.0.1:" + server.port() + "/",
        GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub.class);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static ModelInferRequest.InferInputTensor.Builder text(String... texts) {
    InferTensorContents.Builder c = InferTensorContents.newBuilder();
    for (String t : texts) {
      c.addBytesContents(ByteString.copyFromUtf8(t));
    }
    return ModelInferRequest.InferInputTensor.newBuilder().setName("text").setDatatype("BYTES").addShape(texts.length).setContents(c);
  }

  @Test
  void healthAndMetadata() {
    assertThat(stub.serverLive(ServerLiveRequest.getDefaultInstance()).getLive()).isTrue();
    assertThat(stub.serverReady(ServerReadyRequest.getDefaultInstance()).getReady()).isTrue();
    assertThat(stub.modelReady(ModelReadyRequest.newBuilder().setName("demo").build()).getReady()).isTrue();
    assertThat(stub.modelReady(ModelReadyRequest.newBuilder().setName("demo").setVersion("3").build()).getReady()).isTrue();
    assertThat(stub.serverMetadata(ServerMetadataRequest.getDefaultInstance()).getName()).isEqualTo("intent-inference");
    ModelMetadataResponse m = stub.modelMetadata(ModelMetadataRequest.newBuilder().setName("demo").build());
    assertThat(m.getVersionsList()).containsExactly("3");
    assertThat(m.getInputs(0).getName()).isEqualTo("text");
    assertThat(m.getInputs(0).getDatatype()).isEqualTo("BYTES");
    assertThat(m.getInputs(0).getShapeList()).containsExactly(-1L);
    assertThat(m.getOutputs(3).getShapeList()).containsExactly(-1L, 3L);
  }

  @Test
  void inferRoundTrip() {
    ModelInferResponse r = stub.modelInfer(ModelInferRequest.newBuilder().setModelName("demo").setId("g1")
        .addInputs(text("change my address please", "what's my balance")).build());
    assertThat(r.getModelName()).isEqualTo("demo");
    assertThat(r.getModelVersion()).isEqualTo("3");
    assertThat(r.getId()).isEqualTo("g1");
    assertThat(r.getOutputs(0).getName()).isEqualTo("label");
    assertThat(r.getOutputs(0).getShapeList()).containsExactly(2L);
    assertThat(r.getOutputs(0).getContents().getBytesContentsList()).extracting(ByteString::toStringUtf8)
        .containsExactly("update_address", "balance");
    assertThat(r.getOutputs(1).getName()).isEqualTo("probability");
    assertThat(r.getOutputs(1).getContents().getFp32ContentsList()).allSatisfy(p -> assertThat(p).isBetween(0f, 1f));
  }

  @Test
  void inferAcceptsRawContentsAndRequestedOutputs() {
    byte[] t = "will it rain today".getBytes(StandardCharsets.UTF_8);
    ByteBuffer raw = ByteBuffer.allocate(4 + t.length).order(ByteOrder.LITTLE_ENDIAN).putInt(t.length).put(t);
    ModelInferResponse r = stub.modelInfer(ModelInferRequest.newBuilder().setModelName("demo").setModelVersion("3")
        .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("text").setDatatype("BYTES").addShape(1).addShape(1))
        .addRawInputContents(ByteString.copyFrom(raw.array()))
        .addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("probabilities"))
        .addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("label"))
        .build());
    assertThat(r.getOutputs(0).getName()).isEqualTo("probabilities");
    assertThat(r.getOutputs(0).getShapeList()).containsExactly(1L, 3L);
    assertThat(r.getOutputs(1).getContents().getBytesContents(0).toStringUtf8()).isEqualTo("weather");
  }

  /** Raw contents stand for every input's contents, one entry per input: anything else is refused, not half read. */
  @Test
  void rawContentsMustMatchTheInputsAndReplaceTheirContents() {
    byte[] t = "will it rain today".getBytes(StandardCharsets.UTF_8);
    ByteString raw = ByteString.copyFrom(ByteBuffer.allocate(4 + t.length).order(ByteOrder.LITTLE_ENDIAN).putInt(t.length).put(t).array());
    ModelInferRequest.InferInputTensor.Builder input = ModelInferRequest.InferInputTensor.newBuilder().setName("text")
        .setDatatype("BYTES").addShape(1);
    assertThatThrownBy(() -> stub.modelInfer(ModelInferRequest.newBuilder().setModelName("demo").addInputs(input)
        .addRawInputContents(raw).addRawInputContents(raw).build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getStatus().getDescription()).contains("raw_input_contents has 2 entries for 1 input(s)");
        });
    assertThatThrownBy(() -> stub.modelInfer(ModelInferRequest.newBuilder().setModelName("demo")
        .addInputs(input.clone().setContents(InferTensorContents.newBuilder().addBytesContents(ByteString.copyFromUtf8("hello"))))
        .addRawInputContents(raw).build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getDescription())
            .contains("sets contents as well as raw_input_contents"));
  }

  @Test
  void errorsMapToGrpcStatusCodes() {
    assertThatThrownBy(() -> stub.modelInfer(ModelInferRequest.newBuilder().setModelName("nope").addInputs(text("hi")).build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
          assertThat(e.getStatus().getDescription()).contains("unknown model 'nope'");
        });
    assertThatThrownBy(() -> stub.modelInfer(ModelInferRequest.newBuilder().setModelName("demo")
        .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("text").setDatatype("FP32").addShape(1)
            .setContents(InferTensorContents.newBuilder().addFp32Contents(1f))).build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getStatus().getDescription()).contains("must have datatype BYTES, was FP32");
        });
    assertThatThrownBy(() -> stub.modelInfer(ModelInferRequest.newBuilder().setModelName("demo").addInputs(text("")).build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
    assertThatThrownBy(() -> stub.modelInfer(ModelInferRequest.newBuilder().setModelName("demo").addInputs(
        ModelInferRequest.InferInputTensor.newBuilder().setName("text").setDatatype("BYTES").addShape(1)
            .setContents(InferTensorContents.newBuilder().addBytesContents(ByteString.copyFrom(new byte[] {(byte) 0xC0, (byte) 0x80}))))
        .build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getDescription()).contains("not valid UTF-8"));
    assertThatThrownBy(() -> stub.modelMetadata(ModelMetadataRequest.newBuilder().setName("demo").setVersion("1").build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
    // Still serving after the failures.
    assertThat(stub.modelInfer(ModelInferRequest.newBuilder().setModelName("demo").addInputs(text("hello")).build()).getOutputsCount()).isEqualTo(2);
  }
}
