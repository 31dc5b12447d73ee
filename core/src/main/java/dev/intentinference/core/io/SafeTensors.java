package dev.intentinference.core.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.intentinference.core.IntentException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads and writes float32 tensors in the safetensors format, so head weights can be opened by
 * any safetensors reader (Python {@code safetensors.numpy.load_file}, Rust, ...). Layout: an
 * 8-byte little-endian header length, a JSON header mapping each name to
 * {@code {"dtype":"F32","shape":[..],"data_offsets":[begin,end]}}, then the raw little-endian data.
 *
 * <pre>{@code
 * byte[] file = SafeTensors.write(Map.of("layer0.weight", new SafeTensors.Tensor(new long[] {150, 384}, w)));
 * Map<String, SafeTensors.Tensor> back = SafeTensors.read(file);
 * }</pre>
 */
public final class SafeTensors {
  private static final ObjectMapper JSON = new ObjectMapper();

  private SafeTensors() {}

  /** A float32 tensor: its shape and row-major values. */
  public record Tensor(long[] shape, float[] values) {
    public Tensor {
      long n = 1;
      for (long d : shape) {
        n *= d;
      }
      if (n != values.length) {
        throw new IllegalArgumentException("shape holds " + n + " values, got " + values.length);
      }
    }
  }

  public static byte[] write(Map<String, Tensor> tensors) {
    ObjectNode header = JSON.createObjectNode();
    long offset = 0;
    for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
      ObjectNode entry = header.putObject(e.getKey());
      entry.put("dtype", "F32");
      var shape = entry.putArray("shape");
      for (long d : e.getValue().shape()) {
        shape.add(d);
      }
      long bytes = 4L * e.getValue().values().length;
      entry.putArray("data_offsets").add(offset).add(offset + bytes);
      offset += bytes;
    }
    byte[] headerBytes = header.toString().getBytes(StandardCharsets.UTF_8);
    int padded = (headerBytes.length + 7) / 8 * 8; // the format aligns data to 8 bytes with spaces
    ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(8 + padded + offset)).order(ByteOrder.LITTLE_ENDIAN);
    out.putLong(padded);
    out.put(headerBytes);
    for (int i = headerBytes.length; i < padded; i++) {
      out.put((byte) ' ');
    }
    for (Tensor t : tensors.values()) {
      for (float v : t.values()) {
        out.putFloat(v);
      }
    }
    return out.array();
  }

  public static Map<String, Tensor> read(byte[] file) {
    try {
      ByteBuffer in = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
      long headerLength = in.getLong();
      if (headerLength < 2 || headerLength > file.length - 8) {
        throw new IntentException("not a safetensors file: header length " + headerLength);
      }
      JsonNode header = JSON.readTree(new String(file, 8, (int) headerLength, StandardCharsets.UTF_8));
      int dataStart = 8 + (int) headerLength;
      Map<String, Tensor> out = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (e.getKey().equals("__metadata__")) {
          continue;
        }
        JsonNode node = e.getValue();
        if (!"F32".equals(node.path("dtype").asText())) {
          throw new IntentException("tensor " + e.getKey() + ": only F32 is supported, got " + node.path("dtype"));
        }
        long[] shape = new long[node.get("shape").size()];
        for (int i = 0; i < shape.length; i++) {
          shape[i] = node.get("shape").get(i).asLong();
        }
        long begin = node.get("data_offsets").get(0).asLong();
        long end = node.get("data_offsets").get(1).asLong();
        if (begin < 0 || end < begin || dataStart + end > file.length) {
          throw new IntentException("tensor " + e.getKey() + ": data offsets out of range");
        }
        float[] values = new float[(int) ((end - begin) / 4)];
        in.position(dataStart + (int) begin);
        in.asFloatBuffer().get(values);
        out.put(e.getKey(), new Tensor(shape, values));
      }
      return out;
    } catch (java.io.IOException | RuntimeException e) {
      if (e instanceof IntentException ie) {
        throw ie;
      }
      throw new IntentException("not a valid safetensors file: " + e.getMessage(), e);
    }
  }
}
