package dev.intentinference.train.finetune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.intentinference.core.IntentException;
import dev.intentinference.core.text.TokenBatch;
import dev.intentinference.core.text.TokenizedText;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The output of an encoder's fixed part ({@link TorchBert#frozenState}) for every text of a data
 * set, computed once: an epoch then runs only the layers that train. Kept per text, real tokens
 * only, in the Java heap; a batch is put together with zeros where its shorter texts end, which
 * the attention mask keeps away from the real tokens.
 */
public final class FrozenStates {
  private final float[][] states;
  private final int[] lengths;
  private final int hidden;

  private FrozenStates(float[][] states, int[] lengths, int hidden) {
    this.states = states;
    this.lengths = lengths;
    this.hidden = hidden;
  }

  /** Bytes the states of {@code texts} take, to decide whether they fit before computing them. */
  public static long bytes(List<TokenizedText> texts, int hidden) {
    long tokens = 0;
    for (TokenizedText t : texts) {
      tokens += t.length();
    }
    return tokens * hidden * Float.BYTES;
  }

  /** Runs the fixed part of {@code net} over {@code texts}, in batches of similar length. */
  public static FrozenStates of(NDManager manager, IntentNetwork net, List<TokenizedText> texts) {
    int hidden = net.bert().config().hidden();
    float[][] states = new float[texts.size()][];
    int[] lengths = LengthChunks.lengths(texts);
    for (int[] rows : LengthChunks.of(lengths, FineTuner.PREDICT_BATCH)) {
      if (Thread.currentThread().isInterrupted()) {
        throw new IntentException("fine-tuning interrupted while computing the fixed layers' output");
      }
      List<TokenizedText> chunk = new ArrayList<>(rows.length);
      for (int r : rows) {
        chunk.add(texts.get(r));
      }
      TokenBatch batch = TokenBatch.pack(chunk);
      try (NDManager m = manager.newSubManager()) {
        float[] flat = net.frozenState(m, batch).toFloatArray();
        int seq = batch.sequenceLength();
        for (int i = 0; i < rows.length; i++) {
          int offset = i * seq * hidden;
          states[rows[i]] = Arrays.copyOfRange(flat, offset, offset + lengths[rows[i]] * hidden);
        }
      }
    }
    return new FrozenStates(states, lengths, hidden);
  }

  public int size() {
    return states.length;
  }

  /** The states and attention mask of rows {@code rows}, padded to the longest, on {@code m}. */
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
    return new Batch(Tensors.owned(m, values, new Shape(rows.length, seq, hidden)),
        Tensors.owned(m, mask, new Shape(rows.length, seq)));
  }

  /** A batch of states {@code [batch, sequence, hidden]} and its mask {@code [batch, sequence]}. */
  public record Batch(NDArray states, NDArray mask) {}

  /** Logits for every row, in order, without dropout or gradients. */
  public float[][] logits(NDManager manager, IntentNetwork net) {
    float[][] out = new float[states.length][];
    for (int[] rows : LengthChunks.of(lengths, FineTuner.PREDICT_BATCH)) {
      try (NDManager m = manager.newSubManager()) {
        Batch b = batch(m, rows);
        FineTuner.scatter(net.logitsFrom(b.states(), b.mask(), 0f), rows, out);
      }
    }
    return out;
  }
}
