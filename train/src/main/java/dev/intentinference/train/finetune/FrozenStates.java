package dev.intentinference.train.finetune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.intentinference.core.IntentException;
import dev.intentinference.core.io.ExitGuard;
import dev.intentinference.core.text.TokenBatch;
import dev.intentinference.core.text.TokenizedText;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The output of an encoder's fixed part ({@link IntentNetwork#fixedPart}) for every text of a data
 * set, computed once: an epoch then runs only the layers that train. Kept per text, real tokens
 * only, in the Java heap; a batch is put together with zeros where its shorter texts end, which
 * the attention mask keeps away from the real tokens. When the network pools states below the
 * fixed part's output too (a layer range such as {@code @0-3}), their pooled vectors are kept
 * alongside: one row per text.
 */
public final class FrozenStates {
  private final float[][] states;
  private final int[] lengths;
  private final int hidden;
  /** Per text, the pooled states below the fixed part's output; null when none are pooled. */
  private final float[][] pooledBelow;

  private FrozenStates(float[][] states, int[] lengths, int hidden, float[][] pooledBelow) {
    this.states = states;
    this.lengths = lengths;
    this.hidden = hidden;
    this.pooledBelow = pooledBelow;
  }

  /**
   * Bytes the states of {@code texts} take, to decide whether they fit before computing them.
   *
   * @param pooledWidth floats kept per text for the pooled states below the fixed part, 0 if none
   */
  public static long bytes(List<TokenizedText> texts, int hidden, int pooledWidth) {
    long tokens = 0;
    for (TokenizedText t : texts) {
      tokens += t.length();
    }
    return (tokens * hidden + (long) texts.size() * pooledWidth) * Float.BYTES;
  }

  /** Runs the fixed part of {@code net} over {@code texts}, in batches of similar length. */
  public static FrozenStates of(NDManager manager, IntentNetwork net, List<TokenizedText> texts) {
    int hidden = net.bert().config().hidden();
    float[][] states = new float[texts.size()][];
    float[][] pooled = net.selectedBelowFixed() == 0 ? null : new float[texts.size()][];
    int[] lengths = LengthChunks.lengths(texts);
    for (int[] rows : LengthChunks.of(lengths, FineTuner.PREDICT_BATCH, net.bert().config())) {
      if (Thread.currentThread().isInterrupted()) {
        throw new IntentException("fine-tuning interrupted while computing the fixed layers' output");
      }
      List<TokenizedText> chunk = new ArrayList<>(rows.length);
      for (int r : rows) {
        chunk.add(texts.get(r));
      }
      TokenBatch batch = TokenBatch.pack(chunk);
      // Through the exit's guard, as every libtorch call (FineTuner).
      ExitGuard.process().run(() -> {
        try (NDManager m = manager.newSubManager()) {
          IntentNetwork.FixedPart part = net.fixedPart(m, batch);
          float[] flat = part.state().toFloatArray();
          int seq = batch.sequenceLength();
          for (int i = 0; i < rows.length; i++) {
            int offset = i * seq * hidden;
            states[rows[i]] = Arrays.copyOfRange(flat, offset, offset + lengths[rows[i]] * hidden);
          }
          if (pooled != null) {
            float[] rowsPooled = part.pooledBelow().toFloatArray();
            int width = rowsPooled.length / rows.length;
            for (int i = 0; i < rows.length; i++) {
              pooled[rows[i]] = Arrays.copyOfRange(rowsPooled, i * width, (i + 1) * width);
            }
          }
        }
      });
    }
    return new FrozenStates(states, lengths, hidden, pooled);
  }

  public int size() {
    return states.length;
  }

  /**
   * The states and attention mask of rows {@code rows}, padded to the longest, and their pooled
   * states below the fixed part if any, on {@code m}.
   */
  public Batch batch(NDManager m, int[] rows) {
    int seq = 0;
    for (int r : rows) {
      seq = Math.max(seq, lengths[r]);
    }
    float[] values = new float[rows.length * seq * hidden];
    long[] mask = new long[rows.length * seq];
    for (int i = 0; i < rows.length; i++) {
      int r = rows[i];
      System.arraycopy(states[r], 0, values, i * seq * hidden, lengths[r] * hidden);
      Arrays.fill(mask, i * seq, i * seq + lengths[r], 1L);
    }
    NDArray below = null;
    if (pooledBelow != null) {
      int width = pooledBelow[rows[0]].length;
      float[] rowsPooled = new float[rows.length * width];
      for (int i = 0; i < rows.length; i++) {
        System.arraycopy(pooledBelow[rows[i]], 0, rowsPooled, i * width, width);
      }
      below = Tensors.owned(m, rowsPooled, new Shape(rows.length, width));
    }
    return new Batch(Tensors.owned(m, values, new Shape(rows.length, seq, hidden)),
        Tensors.owned(m, mask, new Shape(rows.length, seq)), below);
  }

  /**
   * A batch of states {@code [batch, sequence, hidden]}, its mask {@code [batch, sequence]} and
   * the pooled states below them {@code [batch, width]} (null when none are pooled).
   */
  public record Batch(NDArray states, NDArray mask, NDArray pooledBelow) {}

  /** Logits for every row, in order, without dropout or gradients. */
  public float[][] logits(NDManager manager, IntentNetwork net) {
    float[][] out = new float[states.length][];
    for (int[] rows : LengthChunks.of(lengths, FineTuner.PREDICT_BATCH, net.bert().config())) {
      ExitGuard.process().run(() -> {
        try (NDManager m = manager.newSubManager()) {
          Batch b = batch(m, rows);
          FineTuner.scatter(net.logitsFrom(b.states(), b.mask(), b.pooledBelow(), 0f), rows, out);
        }
      });
    }
    return out;
  }
}
