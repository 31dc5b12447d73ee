import ai.onnx.proto.OnnxMl;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.intentinference.core.io.Hashes;
import dev.intentinference.core.io.SafeTensors;
import dev.intentinference.core.onnx.OnnxTensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A uniform "model soup" (Wortsman et al., ICML 2022) of fine-tuned model directories that share a
 * topology, e.g. students trained with different seeds: every float initializer of encoder.onnx
 * and every head weight is the mean over the inputs. Writes a model directory whose manifest is
 * the first input's with its file hashes renewed (its threshold is kept, not chosen again, so
 * compare top-1 figures). An experiment tool, not a product feature (docs/accuracy.md,
 * "Thirty-first session"). Run with the build's classpath:
 *
 * <pre>java -cp 'cli/target/lib/*' scripts/data/WeightSoup.java OUT_DIR MODEL_DIR MODEL_DIR...</pre>
 */
public class WeightSoup {
  public static void main(String[] args) throws Exception {
    Path out = Path.of(args[0]);
    List<Path> in = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      in.add(Path.of(args[i]));
    }
    if (in.size() < 2 || Files.exists(out)) {
      System.err.println("usage: WeightSoup NEW_DIR MODEL_DIR MODEL_DIR... (NEW_DIR must not exist)");
      System.exit(2);
    }
    Files.createDirectories(out);
    byte[] onnx = averagedEncoder(in);
    Files.write(out.resolve("encoder.onnx"), onnx);
    Files.write(out.resolve("head.safetensors"), averagedHead(in));
    Files.copy(in.get(0).resolve("tokenizer.json"), out.resolve("tokenizer.json"));
    ObjectMapper json = new ObjectMapper();
    ObjectNode manifest = (ObjectNode) json.readTree(in.get(0).resolve("manifest.json").toFile());
    ((ObjectNode) manifest.get("encoders").get(0)).put("onnxSha256", Hashes.sha256(onnx));
    manifest.put("name", out.getFileName().toString());
    ObjectNode files = (ObjectNode) manifest.get("files");
    for (String f : List.of("head.safetensors", "encoder.onnx", "tokenizer.json")) {
      files.put(f, Hashes.sha256(out.resolve(f)));
    }
    json.writerWithDefaultPrettyPrinter().writeValue(out.resolve("manifest.json").toFile(), manifest);
  }

  static byte[] averagedEncoder(List<Path> in) throws Exception {
    List<OnnxMl.ModelProto> models = new ArrayList<>();
    for (Path p : in) {
      models.add(OnnxMl.ModelProto.parseFrom(Files.readAllBytes(p.resolve("encoder.onnx"))));
    }
    OnnxMl.ModelProto.Builder model = models.get(0).toBuilder();
    OnnxMl.GraphProto.Builder graph = model.getGraphBuilder();
    int averaged = 0;
    for (int t = 0; t < graph.getInitializerCount(); t++) {
      OnnxMl.TensorProto first = graph.getInitializer(t);
      if (first.getDataType() != OnnxMl.TensorProto.DataType.FLOAT.getNumber()) {
        continue;
      }
      float[][] all = new float[models.size()][];
      boolean differ = false;
      for (int m = 0; m < models.size(); m++) {
        OnnxMl.TensorProto tm = models.get(m).getGraph().getInitializer(t);
        if (!tm.getName().equals(first.getName())) {
          throw new IllegalArgumentException(in.get(m) + ": initializer " + t + " is " + tm.getName() + ", not " + first.getName());
        }
        all[m] = OnnxTensors.floatValues(tm);
        differ |= !Arrays.equals(all[0], all[m]);
      }
      if (differ) {
        graph.setInitializer(t, OnnxTensors.withFloatValues(first, mean(all)));
        averaged++;
      }
    }
    System.err.println(averaged + " initializers averaged (the others are equal in every input)");
    return model.build().toByteArray();
  }

  static byte[] averagedHead(List<Path> in) throws Exception {
    List<Map<String, SafeTensors.Tensor>> heads = new ArrayList<>();
    for (Path p : in) {
      heads.add(SafeTensors.read(Files.readAllBytes(p.resolve("head.safetensors"))));
    }
    Map<String, SafeTensors.Tensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, SafeTensors.Tensor> e : heads.get(0).entrySet()) {
      float[][] all = new float[heads.size()][];
      for (int m = 0; m < heads.size(); m++) {
        SafeTensors.Tensor t = heads.get(m).get(e.getKey());
        if (t == null || !Arrays.equals(t.shape(), e.getValue().shape())) {
          throw new IllegalArgumentException(in.get(m) + ": head.safetensors has no " + e.getKey() + " of shape "
              + Arrays.toString(e.getValue().shape()));
        }
        all[m] = t.values();
      }
      out.put(e.getKey(), new SafeTensors.Tensor(e.getValue().shape(), mean(all)));
    }
    return SafeTensors.write(out);
  }

  static float[] mean(float[][] all) {
    float[] m = new float[all[0].length];
    for (float[] a : all) {
      for (int i = 0; i < m.length; i++) {
        m[i] += a[i];
      }
    }
    for (int i = 0; i < m.length; i++) {
      m[i] /= all.length;
    }
    return m;
  }
}
