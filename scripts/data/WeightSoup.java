import ai.onnx.proto.OnnxMl;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

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
    ((ObjectNode) manifest.get("encoders").get(0)).put("onnxSha256", sha256(onnx));
    manifest.put("name", out.getFileName().toString());
    ObjectNode files = (ObjectNode) manifest.get("files");
    for (String f : List.of("head.safetensors", "encoder.onnx", "tokenizer.json")) {
      files.put(f, sha256(Files.readAllBytes(out.resolve(f))));
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
        all[m] = floats(tm);
        differ |= !Arrays.equals(all[0], all[m]);
      }
      if (differ) {
        graph.setInitializer(t, first.toBuilder().clearFloatData().setRawData(ByteString.copyFrom(littleEndian(mean(all)))));
        averaged++;
      }
    }
    System.err.println(averaged + " initializers averaged (the others are equal in every input)");
    return model.build().toByteArray();
  }

  /** safetensors: an 8-byte header length, a JSON header, then the F32 tensors the header places. */
  static byte[] averagedHead(List<Path> in) throws Exception {
    byte[] first = Files.readAllBytes(in.get(0).resolve("head.safetensors"));
    int start = 8 + (int) ByteBuffer.wrap(first, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    float[][] all = new float[in.size()][];
    for (int m = 0; m < in.size(); m++) {
      byte[] file = Files.readAllBytes(in.get(m).resolve("head.safetensors"));
      if (!Arrays.equals(file, 0, start, first, 0, start)) {
        throw new IllegalArgumentException(in.get(m) + ": head.safetensors has another header than " + in.get(0));
      }
      FloatBuffer f = ByteBuffer.wrap(file, start, file.length - start).slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
      all[m] = new float[f.remaining()];
      f.get(all[m]);
    }
    byte[] out = Arrays.copyOf(first, first.length);
    System.arraycopy(littleEndian(mean(all)), 0, out, start, first.length - start);
    return out;
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

  static byte[] littleEndian(float[] v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(v);
    return b.array();
  }

  static float[] floats(OnnxMl.TensorProto t) {
    if (!t.getRawData().isEmpty()) {
      FloatBuffer f = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
      float[] v = new float[f.remaining()];
      f.get(v);
      return v;
    }
    float[] v = new float[t.getFloatDataCount()];
    for (int i = 0; i < v.length; i++) {
      v[i] = t.getFloatData(i);
    }
    return v;
  }

  static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
