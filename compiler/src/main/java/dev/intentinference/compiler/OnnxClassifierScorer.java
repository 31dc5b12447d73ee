package dev.intentinference.compiler;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.intentinference.core.IntentException;
import dev.intentinference.core.io.ExitGuard;
import dev.intentinference.core.model.IntentScorer;
import dev.intentinference.core.model.ModelManifest;
import dev.intentinference.core.model.Scores;
import dev.intentinference.core.model.Softmax;
import dev.intentinference.core.text.TextTokenizer;
import dev.intentinference.core.onnx.OrtSessions;
import dev.intentinference.core.onnx.TokenTensors;
import dev.intentinference.core.text.TokenBatch;
import dev.intentinference.core.text.TokenizedText;
import java.util.List;
import java.util.Set;

/**
 * An uncompiled classifier graph (token ids to {@code logits}) with the softmax done in Java: the
 * reference a compiled external classifier is verified against. Checks on every batch that the
 * logits are as wide as the label list.
 */
final class OnnxClassifierScorer implements IntentScorer {
  private final ModelManifest manifest;
  private final TextTokenizer tokenizer;
  private final OrtSession session;
  private final String output;
  private final boolean wantsTypeIds;

  OnnxClassifierScorer(ModelManifest manifest, TextTokenizer tokenizer, OrtSession session, String output) {
    this.manifest = manifest;
    this.tokenizer = tokenizer;
    this.session = session;
    this.output = output;
    this.wantsTypeIds = session.getInputNames().contains("token_type_ids");
  }

  @Override
  public ModelManifest manifest() {
    return manifest;
  }

  @Override
  public TextTokenizer tokenizer() {
    return tokenizer;
  }

  @Override
  public Scores score(List<String> texts, int padTo) {
    boolean[] truncated = new boolean[texts.size()];
    if (texts.isEmpty()) {
      return new Scores(new float[0][], truncated);
    }
    List<TokenizedText> tokens = tokenizer.encodeAll(texts);
    for (int i = 0; i < tokens.size(); i++) {
      truncated[i] = tokens.get(i).truncated();
    }
    TokenBatch batch = TokenBatch.pack(tokens, padTo);
    // The tensors, the run and their release are native code the exit must not race (ExitGuard).
    try {
      return ExitGuard.process().call(() -> {
        try (TokenTensors in = TokenTensors.of(batch, wantsTypeIds);
            OrtSession.Result result = session.run(in.inputs(), Set.of(output))) {
          float[][] logits = (float[][]) ((OnnxTensor) result.get(0)).getValue();
          float[][] probs = new float[logits.length][];
          for (int i = 0; i < logits.length; i++) {
            if (logits[i].length != manifest.labels().size()) {
              throw new IntentException("classifier gives " + logits[i].length + " logits but config.json id2label names "
                  + manifest.labels().size() + " labels");
            }
            probs[i] = Softmax.of(logits[i]);
          }
          return new Scores(probs, truncated);
        }
      });
    } catch (OrtException e) {
      throw new IntentException("the classifier graph fails to run: " + OfflineOptimizer.firstLine(e.getMessage()), e);
    } catch (ClassCastException e) {
      throw new IntentException("classifier 'logits' output is not a float [batch, labels] matrix", e);
    }
  }

  @Override
  public void close() {
    try {
      OrtSessions.close(session);
    } catch (OrtException e) {
      throw new IllegalStateException(e);
    } finally {
      tokenizer.close();
    }
  }
}
