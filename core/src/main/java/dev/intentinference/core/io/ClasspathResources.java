package dev.intentinference.core.io;

import dev.intentinference.core.IntentException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Reads files that ship inside jars on the classpath (the pretrained encoders). */
public final class ClasspathResources {
  private ClasspathResources() {}

  /** The whole resource, e.g. {@code readAll("bge-small-en-v1.5-q.onnx")}. */
  public static byte[] readAll(String name) {
    try (InputStream in = open(name)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("reading classpath resource " + name, e);
    }
  }

  public static InputStream open(String name) {
    InputStream in = ClasspathResources.class.getClassLoader().getResourceAsStream(name);
    if (in == null) {
      throw new IntentException("resource " + name + " is not on the classpath (is its encoder jar a dependency?)");
    }
    return in;
  }
}
