package dev.intentinference.compiler;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.intentinference.core.IntentException;
import dev.intentinference.core.io.Hashes;
import dev.intentinference.core.model.BuildInfo;
import dev.intentinference.core.model.EncoderRef;
import dev.intentinference.core.model.IntentScorer;
import dev.intentinference.core.model.ModelManifest;
import dev.intentinference.core.model.ThresholdInfo;
import dev.intentinference.core.onnx.OrtSessions;
import dev.intentinference.core.onnx.SessionSettings;
import dev.intentinference.core.text.TextTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * An external Hugging Face-style sequence classifier exported to ONNX, as a team that fine-tunes
 * in Python hands it over: {@code model.onnx} (inputs {@code input_ids}, {@code attention_mask},
 * optionally {@code token_type_ids}; output {@code logits [batch, labels]}), {@code tokenizer.json}
 * and {@code config.json} whose {@code id2label} names the labels in logit order.
 *
 * <pre>{@code
 * CompileSource src = HfClassifierSource.open(Path.of("export/model.onnx"), null, null, "support", "3", 0.5);
 * }</pre>
 */
public final class HfClassifierSource implements CompileSource {
  public static final String LOGITS = "logits";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path onnxFile;
  private final byte[] onnx;
  private final ModelProto model;
  private final byte[] tokenizer;
  private final ModelManifest manifest;

  private HfClassifierSource(Path onnxFile, byte[] onnx, ModelProto model, byte[] tokenizer, ModelManifest manifest) {
    this.onnxFile = onnxFile;
    this.onnx = onnx;
    this.model = model;
    this.tokenizer = tokenizer;
    this.manifest = manifest;
  }

  /**
   * @param onnxFile the exported classifier
   * @param tokenizerFile its {@code tokenizer.json}; null for {@code tokenizer.json} beside the ONNX file
   * @param configFile its {@code config.json}; null for {@code config.json} beside the ONNX file
   * @param name model name; null for the config's {@code _name_or_path} or the folder name
   * @param version model version, e.g. {@code 1}
   * @param threshold out-of-scope threshold in [0, 1]; 0 never rejects
   */
  public static HfClassifierSource open(Path onnxFile, Path tokenizerFile, Path configFile, String name, String version, double threshold) {
    Path folder = onnxFile.toAbsolutePath().normalize().getParent();
    Path tokPath = tokenizerFile != null ? tokenizerFile : folder.resolve("tokenizer.json");
    Path cfgPath = configFile != null ? configFile : folder.resolve("config.json");
    byte[] onnx = readFile(onnxFile, "ONNX model");
    ModelProto model = OnnxModels.parse(onnx, onnxFile.toString());
    GraphProto g = model.getGraph();
    Set<String> inputs = OnnxModels.inputNames(g);
    if (!inputs.contains("input_ids") || !inputs.contains("attention_mask")) {
      throw new IntentException(onnxFile + ": classifier graph must take input_ids and attention_mask, has " + inputs);
    }
    for (String in : inputs) {
      if (!HeadFusion.TOKEN_INPUTS.contains(in)) {
        throw new IntentException(onnxFile + ": unexpected graph input '" + in + "' (expected input_ids, attention_mask, token_type_ids)");
      }
    }
    ValueInfoProto logits = g.getOutputList().stream().filter(v -> v.getName().equals(LOGITS)).findFirst()
        .orElseThrow(() -> new IntentException(onnxFile + ": classifier graph must have a 'logits' output, has " + OnnxModels.outputNames(g)));
    if (OnnxModels.outputNames(g).contains(HeadFusion.PROBABILITIES)) {
      throw new IntentException(onnxFile + ": graph already has a 'probabilities' output; export logits only");
    }
    JsonNode config = readJson(cfgPath);
    List<String> labels = labels(config, cfgPath);
    TensorShapeProto shape = logits.getType().getTensorType().getShape();
    if (shape.getDimCount() != 2) {
      throw new IntentException(onnxFile + ": logits must be [batch, labels], has rank " + shape.getDimCount());
    }
    if (shape.getDim(1).hasDimValue() && shape.getDim(1).getDimValue() != labels.size()) {
      throw new IntentException(onnxFile + ": logits have width " + shape.getDim(1).getDimValue() + " but "
          + cfgPath.getFileName() + " id2label names " + labels.size() + " labels");
    }
    byte[] tokenizer = readFile(tokPath, "tokenizer.json");
    int maxLength = Math.min(512, config.path("max_position_embeddings").asInt(512));
    try (TextTokenizer ignored = TextTokenizer.fromBytes(tokenizer, Math.max(2, maxLength))) {
      // parsed once here so a bad tokenizer.json fails before any work
    }
    String modelName = name != null ? name : defaultName(config, folder);
    String sha = Hashes.sha256(onnx);
    EncoderRef ref = new EncoderRef("external:" + modelName, null, sha, Hashes.sha256(tokenizer), null, false,
        maxLength, config.path("hidden_size").asInt(0), null);
    Map<String, Object> training = new LinkedHashMap<>();
    training.put("source", "hugging-face-onnx-classifier");
    training.put("model_type", config.path("model_type").asText("unknown"));
    training.put("architectures", config.path("architectures").toString());
    ModelManifest manifest = new ModelManifest(ModelManifest.FORMAT_VERSION, ModelManifest.KIND_MODEL, modelName, version,
        labels, List.of(ref), new ThresholdInfo(threshold, "given", "external classifier; threshold given at compile time"),
        null, training, null, null, null, BuildInfo.current("dev", null, null));
    return new HfClassifierSource(onnxFile, onnx, model, tokenizer, manifest);
  }

  private static List<String> labels(JsonNode config, Path cfgPath) {
    JsonNode id2label = config.get("id2label");
    if (id2label == null || !id2label.isObject() || id2label.isEmpty()) {
      throw new IntentException(cfgPath + ": no id2label mapping (the labels in logit order)");
    }
    TreeMap<Integer, String> byId = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = id2label.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      try {
        byId.put(Integer.parseInt(e.getKey()), e.getValue().asText());
      } catch (NumberFormatException ex) {
        throw new IntentException(cfgPath + ": id2label key '" + e.getKey() + "' is not a number");
      }
    }
    if (byId.firstKey() != 0 || byId.lastKey() != byId.size() - 1) {
      throw new IntentException(cfgPath + ": id2label ids must be 0.." + (byId.size() - 1) + " without gaps, are " + byId.keySet());
    }
    List<String> labels = new ArrayList<>(byId.values());
    if (Set.copyOf(labels).size() != labels.size()) {
      throw new IntentException(cfgPath + ": id2label has duplicate labels");
    }
    return labels;
  }

  private static String defaultName(JsonNode config, Path folder) {
    String n = config.path("_name_or_path").asText("");
    if (!n.isBlank()) {
      n = n.replaceAll(".*/", "");
    } else {
      n = folder.getFileName() == null ? "classifier" : folder.getFileName().toString();
    }
    return n.replaceAll("[^A-Za-z0-9._-]", "-");
  }

  private static byte[] readFile(Path file, String what) {
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new IntentException(file + ": no such file (" + what + ")", e);
    } catch (IOException e) {
      throw new IntentException(file + ": cannot read " + what + ": " + e.getMessage(), e);
    }
  }

  private static JsonNode readJson(Path file) {
    byte[] bytes = readFile(file, "config.json");
    try {
      return JSON.readTree(bytes);
    } catch (IOException e) {
      throw new IntentException(file + ": not valid JSON: " + e.getMessage().lines().findFirst().orElse(""), e);
    }
  }

  @Override
  public ModelManifest manifest() {
    return manifest;
  }

  @Override
  public byte[] tokenizer() {
    return tokenizer.clone();
  }

  /** The classifier with a {@code Softmax} over its logits added as the {@code probabilities} output. */
  @Override
  public ModelProto fusedGraph() {
    GraphProto.Builder g = model.getGraph().toBuilder();
    ValueInfoProto logits = g.getOutputList().stream().filter(v -> v.getName().equals(LOGITS)).findFirst().orElseThrow();
    GraphEditor ed = new GraphEditor(g, "intent/");
    String probs = ed.claim(HeadFusion.PROBABILITIES);
    ed.op("Softmax", List.of(LOGITS), probs, OnnxNodes.intAttr("axis", 1));
    String batchDim = HeadFusion.batchDimName(g.getInputList().stream()
        .filter(v -> v.getName().equals("input_ids")).findFirst().orElse(null));
    g.clearOutput();
    g.addOutput(logits);
    g.addOutput(OnnxNodes.matrixInfo(probs, TensorProto.DataType.FLOAT, batchDim, manifest.labels().size()));
    return model.toBuilder().setGraph(g).build();
  }

  @Override
  public List<ModelProto> sourceGraphs() {
    return List.of(model);
  }

  @Override
  public IntentScorer reference(SessionSettings settings) {
    return new OnnxClassifierScorer(manifest, TextTokenizer.fromBytes(tokenizer, manifest.maxLength()),
        OrtSessions.create(onnx, settings), LOGITS);
  }

  @Override
  public String kind() {
    return "hf-onnx-classifier";
  }

  @Override
  public String sha256() {
    return Hashes.sha256(onnx);
  }

  @Override
  public String location() {
    return onnxFile.getFileName().toString();
  }
}
