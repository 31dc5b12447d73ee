package dev.intentinference.bench;

import dev.intentinference.core.IntentException;
import java.net.URI;
import java.nio.file.Path;

/**
 * Where requests go, parsed from {@code --target}:
 *
 * <ul>
 *   <li>{@code http://host:port} (or {@code https://}): an Open Inference Protocol REST server,
 *       such as {@code intent serve} or Triton;
 *   <li>{@code grpc://host:port}: the same protocol over gRPC;
 *   <li>{@code inproc:PATH}: a model directory or {@code .intent} artifact run inside this JVM.
 * </ul>
 *
 * <pre>{@code
 * TargetSpec t = TargetSpec.parse("http://127.0.0.1:8000");
 * }</pre>
 *
 * @param kind the transport
 * @param uri the base URI for network targets, {@code null} for in-process
 * @param path the model path for in-process targets, {@code null} otherwise
 */
public record TargetSpec(Kind kind, URI uri, Path path) {
  /** The transport of a target. */
  public enum Kind { HTTP, GRPC, INPROC }

  public static TargetSpec parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IntentException("--target: missing (use http://host:port, grpc://host:port or inproc:PATH)");
    }
    if (text.startsWith("inproc:")) {
      String p = text.substring("inproc:".length());
      if (p.isBlank()) {
        throw new IntentException("--target: 'inproc:' needs a model path, e.g. inproc:models/clinc150 or inproc:clinc150-1.intent");
      }
      return new TargetSpec(Kind.INPROC, null, Path.of(p));
    }
    URI uri;
    try {
      uri = URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
    } catch (IllegalArgumentException e) {
      throw new IntentException("--target: '" + text + "' is not a URI (use http://host:port, grpc://host:port or inproc:PATH)");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme();
    if (uri.getHost() == null || uri.getPort() < 0 && !scheme.startsWith("http")) {
      throw new IntentException("--target: '" + text + "' needs a host and port, e.g. http://127.0.0.1:8000");
    }
    return switch (scheme) {
      case "http", "https" -> new TargetSpec(Kind.HTTP, uri, null);
      case "grpc" -> new TargetSpec(Kind.GRPC, uri, null);
      default -> throw new IntentException("--target: unknown scheme '" + scheme + "' in '" + text
          + "' (use http://host:port, grpc://host:port or inproc:PATH)");
    };
  }

  @Override
  public String toString() {
    return kind == Kind.INPROC ? "inproc:" + path : uri.toString();
  }
}
