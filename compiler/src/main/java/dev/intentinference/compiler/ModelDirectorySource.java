package dev.intentinference.compiler;

import ai.onnx.proto.OnnxMl.ModelProto;
import dev.intentinference.core.IntentException;
import dev.intentinference.core.encoder.EncoderSpec;
import dev.intentinference.core.io.ClasspathResources;
import dev.intentinference.core.io.Hashes;
import dev.intentinference.core.text.TokenizerFingerprint;
import dev.intentinference.core.model.ClassifierHead;
import dev.intentinference.core.model.EmbeddingHeadScorer;
import dev.intentinference.core.model.EncoderRef;
import dev.intentinference.core.model.IntentScorer;
import dev.intentinference.core.model.ModelDirectory;
import dev.intentinference.core.model.ModelEncoder;
import dev.intentinference.core.model.ModelManifest;
import dev.intentinference.core.onnx.SessionSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A trained model directory ({@code manifest.json}, {@code head.safetensors}, {@code tokenizer.json})
 * as compile input. Every file is checked against the manifest and every encoder against the
 * SHA-256 it was trained with.
 *
 * <pre>{@code
 * CompileSource src = ModelDirectorySource.open(Path.of("models/clinc150"));
 * }</pre>
 */
public final class ModelDirectorySource implements CompileSource {
  private final Path dir;
  private final ModelManifest manifest;
  private final ClassifierHead head;
  private final byte[] tokenizer;
  private final List<ModelEncoder> encoders;
  private final String sha256;
  private List<ModelProto> encoderGraphs;

  private ModelDirectorySource(Path dir, ModelManifest manifest, ClassifierHead head, byte[] tokenizer,
      List<ModelEncoder> encoders, String sha256) {
    this.dir = dir;
    this.manifest = manifest;
    this.head = head;
    this.tokenizer = tokenizer;
    this.encoders = encoders;
    this.sha256 = sha256;
  }

  /**
   * The same model published under another name and/or version (null keeps the manifest's): a
   * retrained model compiled as the next version of a repository's model.
   */
  public ModelDirectorySource renamed(String name, String version) {
    return new ModelDirectorySource(dir, manifest.withIdentity(name, version), head, tokenizer, encoders, sha256);
  }

  public static ModelDirectorySource open(Path dir) {
    ModelManifest manifest = ModelDirectory.readManifest(dir);
    if (!ModelManifest.KIND_MODEL.equals(manifest.kind()) || manifest.head() == null) {
      throw new IntentException(dir + ": not a trained model directory (manifest kind '" + manifest.kind() + "' without a head)");
    }
    if (manifest.encoders().isEmpty()) {
      throw new IntentException(dir + ": manifest lists no encoder");
    }
    ClassifierHead head = ClassifierHead.fromSafeTensors(
        ModelDirectory.readVerified(dir, manifest, manifest.head().file()), manifest.head().activations());
    if (head.outputs() != manifest.labels().size()) {
      throw new IntentException(dir + ": head gives " + head.outputs() + " logits but the manifest lists "
          + manifest.labels().size() + " labels");
    }
    byte[] tokenizer = ModelDirectory.readVerified(dir, manifest, ModelDirectory.TOKENIZER_FILE);
    List<ModelEncoder> encoders = new ArrayList<>();
    String tokenizerHash = null;
    for (EncoderRef ref : manifest.encoders()) {
      ModelEncoder encoder = ModelEncoder.resolve(dir, manifest, ref);
      EncoderSpec spec = encoder.spec();
      String th = TokenizerFingerprint.of(ClasspathResources.readAll(spec.tokenizerResource()));
      if (tokenizerHash != null && !tokenizerHash.equals(th)) {
        throw new IntentException(dir + ": encoders " + manifest.encoders().stream().map(EncoderRef::id).toList()
            + " use different tokenizers; one fused graph takes one tokenization");
      }
      tokenizerHash = th;
      encoders.add(encoder);
    }
    String sha;
    try {
      sha = Hashes.sha256(Files.readAllBytes(dir.resolve(ModelManifest.FILE_NAME)));
    } catch (IOException e) {
      throw new IntentException(dir + ": cannot read manifest.json", e);
    }
    return new ModelDirectorySource(dir, manifest, head, tokenizer, List.copyOf(encoders), sha);
  }

  @Override
  public ModelManifest manifest() {
    return manifest;
  }

  @Override
  public byte[] tokenizer() {
    return tokenizer.clone();
  }

  @Override
  public ModelProto fusedGraph() {
    List<HeadFusion.Encoder> graphs = new ArrayList<>();
    List<ModelProto> models = sourceGraphs();
    for (int i = 0; i < encoders.size(); i++) {
      graphs.add(new HeadFusion.Encoder(encoders.get(i).spec(), models.get(i)));
    }
    return HeadFusion.fuse(graphs, head);
  }

  /**
   * Read once: a compile asks for them to fuse and again to count their operators, and each read
   * of a shipped encoder inflates it from its jar, checks its SHA-256 and parses it (about a second
   * for the 6-layer MiniLM: docs/perf.md, forty-fourth session). The fused graph shares their weights; an int8 compile now holds the float
   * ones until it ends instead of dropping them once quantized (90-130 MB for the shipped fp32
   * encoders; the launcher gives the JVM 4 GB).
   */
  @Override
  public List<ModelProto> sourceGraphs() {
    if (encoderGraphs == null) {
      encoderGraphs = encoders.stream().map(ModelEncoder::model).toList();
    }
    return encoderGraphs;
  }

  @Override
  public IntentScorer reference(SessionSettings settings) {
    return EmbeddingHeadScorer.open(dir, settings);
  }

  @Override
  public String kind() {
    return "model-directory";
  }

  @Override
  public String sha256() {
    return sha256;
  }

  @Override
  public String location() {
    Path name = dir.toAbsolutePath().normalize().getFileName();
    return name == null ? dir.toString() : name.toString();
  }

  /** The encoders' precisions, e.g. {@code [int8]}, to tell whether int8 is already in place. */
  public List<String> encoderPrecisions() {
    return encoders.stream().map(e -> e.spec().precision()).toList();
  }
}
