package dev.intentinference.server;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads Open Inference Protocol infer requests and the plain JSON predict request with Jackson's
 * streaming parser (no JSON tree on the hot path), and writes infer responses with its generator.
 * Every malformed or unexpected shape becomes an {@link ApiException} naming the problem.
 *
 * <pre>{@code
 * OipJson json = new OipJson();
 * OipJson.InferRequest r = json.readInfer(body); // r.texts() = ["change my address"]
 * }</pre>
 */
final class OipJson {
  /** The one input every intent model takes. */
  static final String INPUT = "text";
  static final List<String> OUTPUTS = List.of("label", "probability", "logits", "probabilities");
  static final List<String> DEFAULT_OUTPUTS = List.of("label", "probability");

  /**
   * @param id echoed in the response, may be null
   * @param texts the {@code text} input's elements, row-major
   * @param outputs requested outputs, in request order
   */
  record InferRequest(String id, List<String> texts, List<String> outputs) {}

  private final JsonFactory factory = new JsonFactory();

  JsonFactory factory() {
    return factory;
  }

  InferRequest readInfer(byte[] body) {
    try (JsonParser p = factory.createParser(body)) {
      expect(p.nextToken(), JsonToken.START_OBJECT, "request body must be a JSON object");
      String id = null;
      List<String> texts = null;
      List<String> outputs = DEFAULT_OUTPUTS;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken t = p.nextToken();
        switch (field) {
          case "id" -> {
            if (t != JsonToken.VALUE_NULL) {
              if (t != JsonToken.VALUE_STRING) {
                throw bad("'id' must be a string");
              }
              id = p.getText();
            }
          }
          case "inputs" -> texts = readInputs(p, t);
          case "outputs" -> outputs = readOutputs(p, t);
          default -> p.skipChildren(); // "parameters" and extensions
        }
      }
      requireEnd(p);
      if (texts == null) {
        throw bad("request has no 'inputs'");
      }
      return new InferRequest(id, texts, outputs);
    } catch (JsonProcessingException e) {
      throw malformed(e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> readInputs(JsonParser p, JsonToken t) throws IOException {
    expect(t, JsonToken.START_ARRAY, "'inputs' must be an array of tensors");
    List<String> texts = null;
    while (p.nextToken() != JsonToken.END_ARRAY) {
      expect(p.currentToken(), JsonToken.START_OBJECT, "each input must be an object");
      String name = null;
      String datatype = null;
      List<Long> shape = null;
      List<String> data = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken v = p.nextToken();
        switch (field) {
          case "name" -> name = string(p, v, "input 'name'");
          case "datatype" -> datatype = string(p, v, "input 'datatype'");
          case "shape" -> shape = readShape(p, v);
          case "data" -> {
            if (datatype != null && !"BYTES".equals(datatype)) {
              throw bad("input 'text' must have datatype BYTES, was " + datatype);
            }
            data = readStrings(p, v, name);
          }
          default -> p.skipChildren();
        }
      }
      if (!INPUT.equals(name)) {
        throw bad("unknown input '" + name + "'; the model takes one BYTES input named 'text'");
      }
      if (texts != null) {
        throw bad("input 'text' given twice");
      }
      if (!"BYTES".equals(datatype)) {
        throw bad("input 'text' must have datatype BYTES, was " + datatype);
      }
      if (data == null) {
        throw bad("input 'text' has no 'data'");
      }
      checkShape(shape, data.size());
      texts = data;
    }
    if (texts == null) {
      throw bad("'inputs' must hold the BYTES input 'text'");
    }
    return texts;
  }

  private static void checkShape(List<Long> shape, int elements) {
    if (shape == null) {
      throw bad("input 'text' has no 'shape'; expected [n] or [n, 1]");
    }
    boolean ok = (shape.size() == 1 || (shape.size() == 2 && shape.get(1) == 1)) && shape.get(0) == elements;
    if (!ok) {
      throw bad("input 'text' has shape " + shape + " but " + elements + " elements; expected [" + elements
          + "] or [" + elements + ", 1]");
    }
  }

  private static List<Long> readShape(JsonParser p, JsonToken t) throws IOException {
    expect(t, JsonToken.START_ARRAY, "input 'shape' must be an array of integers");
    List<Long> shape = new ArrayList<>(2);
    while (p.nextToken() != JsonToken.END_ARRAY) {
      if (p.currentToken() != JsonToken.VALUE_NUMBER_INT || p.getLongValue() < 0) {
        throw bad("input 'shape' must be an array of non-negative integers");
      }
      shape.add(p.getLongValue());
    }
    return shape;
  }

  /** Flattens nested arrays of strings, row-major. */
  private static List<String> readStrings(JsonParser p, JsonToken t, String input) throws IOException {
    expect(t, JsonToken.START_ARRAY, "input 'data' must be an array");
    List<String> out = new ArrayList<>();
    int depth = 1;
    while (depth > 0) {
      JsonToken v = p.nextToken();
      if (v == JsonToken.START_ARRAY) {
        depth++;
      } else if (v == JsonToken.END_ARRAY) {
        depth--;
      } else if (v == JsonToken.VALUE_STRING) {
        out.add(p.getText());
      } else {
        throw bad("input 'data' of a BYTES tensor must hold strings, found " + describe(v));
      }
    }
    return out;
  }

  private static List<String> readOutputs(JsonParser p, JsonToken t) throws IOException {
    expect(t, JsonToken.START_ARRAY, "'outputs' must be an array");
    List<String> out = new ArrayList<>(4);
    while (p.nextToken() != JsonToken.END_ARRAY) {
      expect(p.currentToken(), JsonToken.START_OBJECT, "each requested output must be an object");
      String name = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken v = p.nextToken();
        if (field.equals("name")) {
          name = string(p, v, "output 'name'");
        } else {
          p.skipChildren();
        }
      }
      if (name == null) {
        throw new ApiException(ErrorCause.BAD_REQUEST, "each requested output needs a 'name'; outputs are " + OUTPUTS);
      }
      if (!OUTPUTS.contains(name)) {
        throw new ApiException(ErrorCause.BAD_REQUEST, "unknown output '" + name + "'; outputs are " + OUTPUTS);
      }
      if (!out.contains(name)) {
        out.add(name);
      }
    }
    return out.isEmpty() ? DEFAULT_OUTPUTS : out;
  }

  /** Reads {@code {"text": "..."}} or {@code {"texts": [...]}}: returns the texts and whether it was the list form. */
  record PredictRequest(List<String> texts, boolean many) {}

  PredictRequest readPredict(byte[] body) {
    try (JsonParser p = factory.createParser(body)) {
      expect(p.nextToken(), JsonToken.START_OBJECT, "request body must be a JSON object");
      List<String> texts = null;
      boolean many = false;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken t = p.nextToken();
        if (field.equals("text")) {
          if (texts != null) {
            throw bad("give either 'text' or 'texts', not both");
          }
          texts = List.of(string(p, t, "'text'"));
        } else if (field.equals("texts")) {
          if (texts != null) {
            throw bad("give either 'text' or 'texts', not both");
          }
          expect(t, JsonToken.START_ARRAY, "'texts' must be an array of strings");
          texts = new ArrayList<>();
          many = true;
          while (p.nextToken() != JsonToken.END_ARRAY) {
            texts.add(string(p, p.currentToken(), "each of 'texts'"));
          }
        } else {
          p.skipChildren();
        }
      }
      requireEnd(p);
      if (texts == null) {
        throw bad("request needs 'text' (a string) or 'texts' (an array of strings)");
      }
      return new PredictRequest(texts, many);
    } catch (JsonProcessingException e) {
      throw malformed(e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Nothing but white space may follow the request's object: a second value or stray text is a malformed request. */
  private static void requireEnd(JsonParser p) throws IOException {
    if (p.nextToken() != null) {
      throw bad("unexpected content after the request's JSON object");
    }
  }

  /** Writes an infer response; {@code outputs} are in the order requested. */
  byte[] writeInfer(String id, ModelSlot.Inference inference, List<String> outputs) {
    LoadedVersion v = inference.version();
    List<ModelSlot.Row> rows = inference.rows();
    int n = rows.size();
    int labels = v.labels().size();
    ByteArrayBuilder buf = new ByteArrayBuilder(256 + n * 64);
    try (JsonGenerator g = factory.createGenerator(buf)) {
      g.writeStartObject();
      g.writeStringField("model_name", v.model());
      g.writeStringField("model_version", v.version());
      if (id != null) {
        g.writeStringField("id", id);
      }
      // Batch indices, "0,3": texts cut to the model's maximum length, texts a fallback model answered.
      String truncated = inference.truncatedIndices();
      String escalated = inference.escalatedIndices();
      if (truncated != null || escalated != null) {
        g.writeObjectFieldStart("parameters");
        if (truncated != null) {
          g.writeStringField("truncated", truncated);
        }
        if (escalated != null) {
          g.writeStringField("escalated", escalated);
        }
        g.writeEndObject();
      }
      g.writeArrayFieldStart("outputs");
      for (String out : outputs) {
        g.writeStartObject();
        g.writeStringField("name", out);
        boolean perLabel = out.equals("logits") || out.equals("probabilities");
        g.writeStringField("datatype", out.equals("label") ? "BYTES" : "FP32");
        g.writeArrayFieldStart("shape");
        g.writeNumber(n);
        if (perLabel) {
          g.writeNumber(labels);
        }
        g.writeEndArray();
        g.writeArrayFieldStart("data");
        for (ModelSlot.Row r : rows) {
          switch (out) {
            case "label" -> g.writeString(v.decoder(r.escalated()).isOutOfScope(r.probabilities())
                ? dev.intentinference.core.data.LabeledText.OUT_OF_SCOPE
                : v.labels().get(v.decoder().bestInScope(r.probabilities())));
            case "probability" -> g.writeNumber(r.probabilities()[v.decoder().bestInScope(r.probabilities())]);
            case "probabilities" -> writeFloats(g, r.probabilities());
            default -> writeFloats(g, r.logits());
          }
        }
        g.writeEndArray();
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return buf.toByteArray();
  }

  private static void writeFloats(JsonGenerator g, float[] values) throws IOException {
    for (float f : values) {
      g.writeNumber(f);
    }
  }

  private static String string(JsonParser p, JsonToken t, String what) throws IOException {
    if (t != JsonToken.VALUE_STRING) {
      throw bad(what + " must be a string, found " + describe(t));
    }
    return p.getText();
  }

  private static void expect(JsonToken actual, JsonToken expected, String message) {
    if (actual != expected) {
      throw bad(message + (actual == null ? " (body is empty)" : ", found " + describe(actual)));
    }
  }

  private static String describe(JsonToken t) {
    if (t == null) {
      return "end of input";
    }
    return switch (t) {
      case START_OBJECT -> "an object";
      case START_ARRAY -> "an array";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      default -> t.toString();
    };
  }

  private static ApiException bad(String message) {
    return new ApiException(ErrorCause.BAD_REQUEST, message);
  }

  private static ApiException malformed(JsonProcessingException e) {
    String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
    String msg = e.getOriginalMessage();
    int nl = msg.indexOf('\n');
    return new ApiException(ErrorCause.MALFORMED_JSON, "malformed JSON" + where + ": " + (nl < 0 ? msg : msg.substring(0, nl)));
  }
}
