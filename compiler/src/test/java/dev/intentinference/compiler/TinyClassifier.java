package dev.intentinference.compiler;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import dev.intentinference.core.encoder.EncoderRegistry;
import dev.intentinference.core.io.ClasspathResources;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * Builds a small Hugging Face-style sequence classifier with the ONNX protobuf classes, so the
 * external-classifier path is tested without downloads: token + type embeddings, masked mean,
 * a hidden MatMul + ReLU layer and a Gemm to {@code logits [batch, labels]}. Weights are seeded.
 */
final class TinyClassifier {
  static final int VOCAB = 30522;
  static final int DIM = 16;
  static final int HIDDEN = 32;
  static final List<String> LABELS = List.of("billing", "shipping", "other");

  private TinyClassifier() {}

  static ModelProto model(boolean staticLabelDim, boolean withTypeIds) {
    Random rnd = new Random(42);
    GraphProto.Builder g = GraphProto.newBuilder().setName("tiny-classifier");
    g.addInput(tokenInput("input_ids"));
    g.addInput(tokenInput("attention_mask"));
    if (withTypeIds) {
      g.addInput(tokenInput("token_type_ids"));
    }
    g.addInitializer(OnnxNodes.floats("word_embeddings", new long[] {VOCAB, DIM}, gaussian(rnd, VOCAB * DIM, 1f)));
    g.addNode(OnnxNodes.node("Gather", "emb", List.of("word_embeddings", "input_ids"), List.of("tok")));
    String emb = "tok";
    if (withTypeIds) {
      g.addInitializer(OnnxNodes.floats("type_embeddings", new long[] {2, DIM}, gaussian(rnd, 2 * DIM, 0.1f)));
      g.addNode(OnnxNodes.node("Gather", "type_emb", List.of("type_embeddings", "token_type_ids"), List.of("typ")));
      g.addNode(OnnxNodes.node("Add", "emb_add", List.of("tok", "typ"), List.of("emb_sum")));
      emb = "emb_sum";
    }
    g.addNode(OnnxNodes.node("Cast", "mask_cast", List.of("attention_mask"), List.of("mask_f"), OnnxNodes.intAttr("to", TensorProto.DataType.FLOAT_VALUE)));
    g.addNode(OnnxNodes.node("Unsqueeze", "mask_3d", List.of("mask_f"), List.of("mask3"), OnnxNodes.intsAttr("axes", 2)));
    g.addNode(OnnxNodes.node("Mul", "masked", List.of(emb, "mask3"), List.of("masked_emb")));
    g.addNode(OnnxNodes.node("ReduceSum", "sum", List.of("masked_emb"), List.of("summed"), OnnxNodes.intsAttr("axes", 1), OnnxNodes.intAttr("keepdims", 0)));
    g.addNode(OnnxNodes.node("ReduceSum", "count", List.of("mask3"), List.of("counted"), OnnxNodes.intsAttr("axes", 1), OnnxNodes.intAttr("keepdims", 0)));
    g.addNode(OnnxNodes.node("Div", "mean", List.of("summed", "counted"), List.of("pooled")));
    g.addInitializer(OnnxNodes.floats("dense.weight", new long[] {DIM, HIDDEN}, gaussian(rnd, DIM * HIDDEN, 0.5f)));
    g.addInitializer(OnnxNodes.floats("dense.bias", new long[] {HIDDEN}, gaussian(rnd, HIDDEN, 0.1f)));
    g.addNode(OnnxNodes.node("MatMul", "dense", List.of("pooled", "dense.weight"), List.of("h0")));
    g.addNode(OnnxNodes.node("Add", "dense_bias", List.of("h0", "dense.bias"), List.of("h1")));
    g.addNode(OnnxNodes.node("Relu", "act", List.of("h1"), List.of("h2")));
    g.addInitializer(OnnxNodes.floats("classifier.weight", new long[] {LABELS.size(), HIDDEN}, gaussian(rnd, LABELS.size() * HIDDEN, 1f)));
    g.addInitializer(OnnxNodes.floats("classifier.bias", new long[] {LABELS.size()}, new float[LABELS.size()]));
    g.addNode(OnnxNodes.node("Gemm", "classifier", List.of("h2", "classifier.weight", "classifier.bias"), List.of("logits"), OnnxNodes.intAttr("transB", 1)));
    g.addOutput(OnnxNodes.matrixInfo("logits", TensorProto.DataType.FLOAT, "batch_size", staticLabelDim ? LABELS.size() : 0));
    return ModelProto.newBuilder().setIrVersion(6).setProducerName("tiny-classifier-test")
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(11)).setGraph(g).build();
  }

  /** Writes model.onnx, tokenizer.json (bge's BERT vocabulary) and config.json into {@code dir}. */
  static Path write(Path dir, ModelProto model, List<String> labels) throws IOException {
    Files.createDirectories(dir);
    Files.write(dir.resolve("model.onnx"), model.toByteArray());
    Files.write(dir.resolve("tokenizer.json"),
        ClasspathResources.readAll(EncoderRegistry.builtIn().get(EncoderRegistry.DEFAULT_ID).tokenizerResource()));
    StringBuilder id2label = new StringBuilder();
    for (int i = 0; i < labels.size(); i++) {
      id2label.append(i == 0 ? "" : ", ").append('"').append(i).append("\": \"").append(labels.get(i)).append('"');
    }
    Files.writeString(dir.resolve("config.json"), "{\"_name_or_path\": \"acme/support-bert\", \"model_type\": \"bert\","
        + " \"max_position_embeddings\": 128, \"id2label\": {" + id2label + "}}");
    return dir.resolve("model.onnx");
  }

  private static ValueInfoProto tokenInput(String name) {
    TensorShapeProto shape = TensorShapeProto.newBuilder()
        .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("batch_size"))
        .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("sequence_length")).build();
    return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
        TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.INT64_VALUE).setShape(shape))).build();
  }

  private static float[] gaussian(Random rnd, int n, float scale) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) rnd.nextGaussian() * scale;
    }
    return v;
  }
}
