package dev.intentinference.train;

import dev.intentinference.core.model.Activation;
import dev.intentinference.core.model.ClassifierHead;
import dev.intentinference.core.model.DenseLayer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Trains a classification head on frozen embeddings: softmax regression, or one hidden ReLU
 * layer with dropout, by mini-batch AdamW on label-smoothed cross-entropy, stopping early when
 * validation accuracy stops improving and keeping the best epoch's weights.
 *
 * <p>Deterministic for a given seed (single-threaded, fixed iteration order). Weights are kept
 * input-major while training so every inner loop is a contiguous {@code y += a * x} that the JIT
 * vectorises; they are transposed to {@link DenseLayer}'s output-major layout at the end.
 *
 * <pre>{@code
 * TrainedHead t = new HeadTrainer(HeadConfig.defaults()).train(x, y, labels, valX, valY, epoch -> {});
 * ClassifierHead head = t.head();
 * }</pre>
 */
public final class HeadTrainer {
  private static final double BETA1 = 0.9;
  private static final double BETA2 = 0.999;
  private static final double EPSILON = 1e-8;

  private final HeadConfig config;
  private final int threads;

  /** A single-threaded trainer. */
  public HeadTrainer(HeadConfig config) {
    this(config, 1);
  }

  /**
   * @param threads threads computing each batch's gradient, 1..64; results are reproducible for
   *     a given seed and thread count
   */
  public HeadTrainer(HeadConfig config, int threads) {
    if (threads < 1 || threads > 64) {
      throw new IllegalArgumentException("threads must be in 1..64, was " + threads);
    }
    this.config = config;
    this.threads = threads;
  }

  /** Called after each epoch, e.g. to drive a progress bar. */
  @FunctionalInterface
  public interface EpochListener {
    void epochDone(EpochResult epoch);
  }

  /**
   * @param epoch 1-based epoch number
   * @param trainLoss mean smoothed cross-entropy over the epoch's batches
   * @param validationAccuracy share of validation rows whose argmax is right, in [0, 1]
   * @param validationLoss mean cross-entropy (no smoothing) on validation rows
   */
  public record EpochResult(int epoch, double trainLoss, double validationAccuracy, double validationLoss) {}

  /**
   * The trained head and how training went.
   *
   * @param bestEpoch the epoch whose weights were kept (1-based)
   * @param history every epoch, in order
   */
  public record TrainedHead(ClassifierHead head, int bestEpoch, List<EpochResult> history) {
    public EpochResult best() {
      return history.get(bestEpoch - 1);
    }
  }

  /**
   * Trains a head.
   *
   * @param x training embeddings, one row per example, all the same width
   * @param y label index per training row, in 0..classes-1
   * @param classes number of labels (logits)
   * @param valX validation embeddings (in-scope rows only), not empty
   * @param valY their label indices
   */
  public TrainedHead train(float[][] x, int[] y, int classes, float[][] valX, int[] valY, EpochListener listener) {
    if (x.length == 0 || x.length != y.length) {
      throw new IllegalArgumentException("need as many labels as rows, got " + x.length + " rows and " + y.length + " labels");
    }
    if (valX.length == 0 || valX.length != valY.length) {
      throw new IllegalArgumentException("need validation rows with labels, got " + valX.length + " and " + valY.length);
    }
    SplittableRandom random = new SplittableRandom(config.seed());
    int inputs = x[0].length;
    Net net = config.hiddenUnits() == 0
        ? new Net(new int[] {inputs, classes}, random)
        : new Net(new int[] {inputs, config.hiddenUnits(), classes}, random);
    try (Workspace ws = new Workspace(net, threads)) {
      return run(net, ws, x, y, valX, valY, random, listener);
    }
  }

  private TrainedHead run(Net net, Workspace ws, float[][] x, int[] y, float[][] valX, int[] valY,
      SplittableRandom random, EpochListener listener) {
    Net best = net.copy();
    List<EpochResult> history = new ArrayList<>();
    int bestEpoch = 0;
    double bestAcc = -1;
    double bestLoss = Double.POSITIVE_INFINITY;
    int[] order = new int[x.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    long step = 0;
    for (int epoch = 1; epoch <= config.maxEpochs(); epoch++) {
      shuffle(order, random);
      double lossSum = 0;
      int batches = 0;
      for (int start = 0; start < order.length; start += config.batchSize()) {
        int end = Math.min(order.length, start + config.batchSize());
        lossSum += ws.step(net, x, y, order, start, end, ++step, random);
        batches++;
      }
      double[] val = evaluate(net, valX, valY);
      EpochResult result = new EpochResult(epoch, lossSum / batches, val[0], val[1]);
      history.add(result);
      listener.epochDone(result);
      if (val[0] > bestAcc || (val[0] == bestAcc && val[1] < bestLoss)) {
        bestAcc = val[0];
        bestLoss = val[1];
        bestEpoch = epoch;
        best = net.copy();
      } else if (epoch - bestEpoch >= config.patience()) {
        break;
      }
    }
    return new TrainedHead(best.toHead(), bestEpoch, List.copyOf(history));
  }

  /** {accuracy, mean cross-entropy} of the network on labelled rows. */
  private static double[] evaluate(Net net, float[][] x, int[] y) {
    float[][] acts = net.activations();
    int correct = 0;
    double loss = 0;
    for (int i = 0; i < x.length; i++) {
      float[] z = net.forward(x[i], acts, null);
      int arg = 0;
      float max = z[0];
      for (int c = 1; c < z.length; c++) {
        if (z[c] > max) {
          max = z[c];
          arg = c;
        }
      }
      double sum = 0;
      for (float v : z) {
        sum += Math.exp(v - max);
      }
      loss += Math.log(sum) - (z[y[i]] - max);
      if (arg == y[i]) {
        correct++;
      }
    }
    return new double[] {(double) correct / x.length, loss / x.length};
  }

  private static void shuffle(int[] a, SplittableRandom random) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  /**
   * Dense layers in training layout: {@code w[l]} is input-major {@code [in][out]}; hidden layers
   * use ReLU, the last layer is linear.
   */
  private static final class Net {
    final int[] sizes;
    final float[][][] w;
    final float[][] b;

    Net(int[] sizes, SplittableRandom random) {
      this.sizes = sizes;
      int layers = sizes.length - 1;
      w = new float[layers][][];
      b = new float[layers][];
      for (int l = 0; l < layers; l++) {
        int in = sizes[l];
        int out = sizes[l + 1];
        w[l] = new float[in][out];
        b[l] = new float[out];
        boolean last = l == layers - 1;
        if (!last || layers > 1) {
          // He initialisation for ReLU layers; a softmax regression starts from zero (convex).
          double scale = last ? Math.sqrt(1.0 / in) : Math.sqrt(2.0 / in);
          for (float[] row : w[l]) {
            for (int o = 0; o < out; o++) {
              row[o] = (float) (gaussian(random) * scale);
            }
          }
        }
      }
    }

    private Net(int[] sizes, float[][][] w, float[][] b) {
      this.sizes = sizes;
      this.w = w;
      this.b = b;
    }

    int layers() {
      return sizes.length - 1;
    }

    float[][] activations() {
      float[][] a = new float[sizes.length][];
      for (int l = 1; l < sizes.length; l++) {
        a[l] = new float[sizes[l]];
      }
      return a;
    }

    /**
     * Forward pass; {@code acts[l]} receives layer l's output (acts[0] is the input). With a
     * dropout mask, hidden outputs are multiplied by it.
     */
    float[] forward(float[] input, float[][] acts, float[][] dropMasks) {
      acts[0] = input;
      for (int l = 0; l < layers(); l++) {
        float[] in = acts[l];
        float[] out = acts[l + 1];
        int n = sizes[l + 1];
        System.arraycopy(b[l], 0, out, 0, n);
        float[][] wl = w[l];
        for (int i = 0; i < in.length; i++) {
          float a = in[i];
          if (a != 0) {
            axpy(a, wl[i], out, n);
          }
        }
        if (l < layers() - 1) {
          for (int o = 0; o < n; o++) {
            if (out[o] < 0) {
              out[o] = 0;
            }
          }
          if (dropMasks != null) {
            float[] m = dropMasks[l + 1];
            for (int o = 0; o < n; o++) {
              out[o] *= m[o];
            }
          }
        }
      }
      return acts[layers()];
    }

    Net copy() {
      float[][][] w2 = new float[w.length][][];
      float[][] b2 = new float[b.length][];
      for (int l = 0; l < w.length; l++) {
        w2[l] = new float[w[l].length][];
        for (int i = 0; i < w[l].length; i++) {
          w2[l][i] = w[l][i].clone();
        }
        b2[l] = b[l].clone();
      }
      return new Net(sizes, w2, b2);
    }

    ClassifierHead toHead() {
      List<DenseLayer> dense = new ArrayList<>();
      for (int l = 0; l < layers(); l++) {
        int in = sizes[l];
        int out = sizes[l + 1];
        float[] t = new float[in * out];
        for (int i = 0; i < in; i++) {
          for (int o = 0; o < out; o++) {
            t[o * in + i] = w[l][i][o];
          }
        }
        dense.add(new DenseLayer(in, out, t, b[l].clone(), l < layers() - 1 ? Activation.RELU : Activation.NONE));
      }
      return new ClassifierHead(dense);
    }
  }

  /**
   * Adam moments and one {@link Lane} of gradient buffers per thread, reused across steps so a
   * step allocates nothing. A batch is split into contiguous slices, one per lane; the lanes'
   * gradients are summed in lane order, so results depend on the thread count but not on timing.
   */
  private final class Workspace implements AutoCloseable {
    final float[][][] mw;
    final float[][][] vw;
    final float[][] mb;
    final float[][] vb;
    /** Output-major copies of layers > 0, for back-propagating with contiguous loops. */
    final float[][][] wOutMajor;
    final Lane[] lanes;
    final ExecutorService pool;

    Workspace(Net net, int threads) {
      int layers = net.layers();
      mw = new float[layers][][];
      vw = new float[layers][][];
      mb = new float[layers][];
      vb = new float[layers][];
      wOutMajor = new float[layers][][];
      for (int l = 0; l < layers; l++) {
        int in = net.sizes[l];
        int out = net.sizes[l + 1];
        mw[l] = new float[in][out];
        vw[l] = new float[in][out];
        mb[l] = new float[out];
        vb[l] = new float[out];
        if (l > 0) {
          wOutMajor[l] = new float[out][in];
        }
      }
      lanes = new Lane[threads];
      for (int i = 0; i < threads; i++) {
        lanes[i] = new Lane(net);
      }
      pool = threads > 1 ? Executors.newFixedThreadPool(threads - 1, r -> {
        Thread t = new Thread(r, "head-trainer");
        t.setDaemon(true);
        return t;
      }) : null;
    }

    /** One AdamW step on rows {@code order[start..end)}; returns the batch's mean loss. */
    double step(Net net, float[][] x, int[] y, int[] order, int start, int end, long t, SplittableRandom random) {
      int layers = net.layers();
      for (int l = 1; l < layers; l++) {
        transpose(net.w[l], wOutMajor[l]);
      }
      float batch = end - start;
      int n = lanes.length;
      List<Future<Double>> pending = new ArrayList<>(n - 1);
      double loss = 0;
      int slice = (end - start + n - 1) / n;
      // Each lane draws its dropout masks from its own generator, split off in lane order.
      SplittableRandom[] streams = new SplittableRandom[n];
      for (int i = 0; i < n; i++) {
        streams[i] = random.split();
      }
      for (int i = 1; i < n; i++) {
        int from = Math.min(end, start + i * slice);
        int to = Math.min(end, from + slice);
        Lane lane = lanes[i];
        SplittableRandom stream = streams[i];
        pending.add(pool.submit(() -> lane.accumulate(net, wOutMajor, x, y, order, from, to, batch, stream)));
      }
      loss += lanes[0].accumulate(net, wOutMajor, x, y, order, start, Math.min(end, start + slice), batch, streams[0]);
      for (Future<Double> f : pending) {
        try {
          loss += f.get();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while training", e);
        } catch (ExecutionException e) {
          throw new IllegalStateException("head training failed", e.getCause());
        }
      }
      for (int i = 1; i < n; i++) {
        lanes[0].add(lanes[i]);
      }
      double lr = config.learningRate();
      double c1 = 1 - Math.pow(BETA1, t);
      double c2 = 1 - Math.pow(BETA2, t);
      float stepSize = (float) (lr * Math.sqrt(c2) / c1);
      float decay = (float) (1 - lr * config.weightDecay());
      Lane g = lanes[0];
      for (int l = 0; l < layers; l++) {
        for (int i = 0; i < net.w[l].length; i++) {
          adam(net.w[l][i], g.gw[l][i], mw[l][i], vw[l][i], stepSize, decay);
        }
        adam(net.b[l], g.gb[l], mb[l], vb[l], stepSize, 1f);
      }
      return loss / batch;
    }

    private void adam(float[] p, float[] g, float[] m, float[] v, float stepSize, float decay) {
      float b1 = (float) BETA1;
      float b2 = (float) BETA2;
      float eps = (float) EPSILON;
      for (int i = 0; i < p.length; i++) {
        float gi = g[i];
        m[i] = b1 * m[i] + (1 - b1) * gi;
        v[i] = b2 * v[i] + (1 - b2) * gi * gi;
        p[i] = p[i] * decay - stepSize * m[i] / ((float) Math.sqrt(v[i]) + eps);
      }
    }

    @Override
    public void close() {
      if (pool != null) {
        pool.shutdownNow();
      }
    }
  }

  /** One thread's gradient buffers and scratch activations. */
  private final class Lane {
    final float[][][] gw;
    final float[][] gb;
    final float[][] acts;
    final float[][] masks;
    final float[][] deltas;

    Lane(Net net) {
      int layers = net.layers();
      gw = new float[layers][][];
      gb = new float[layers][];
      for (int l = 0; l < layers; l++) {
        gw[l] = new float[net.sizes[l]][net.sizes[l + 1]];
        gb[l] = new float[net.sizes[l + 1]];
      }
      acts = net.activations();
      masks = net.activations();
      deltas = net.activations();
    }

    void add(Lane other) {
      for (int l = 0; l < gw.length; l++) {
        for (int i = 0; i < gw[l].length; i++) {
          axpy(1f, other.gw[l][i], gw[l][i], gw[l][i].length);
        }
        axpy(1f, other.gb[l], gb[l], gb[l].length);
      }
    }

    /**
     * Zeroes this lane's gradients, then accumulates the gradient of the batch-mean loss over
     * rows {@code order[from..to)}; returns their summed loss.
     */
    double accumulate(Net net, float[][][] wOutMajor, float[][] x, int[] y, int[] order, int from, int to,
        float batch, SplittableRandom random) {
      int layers = net.layers();
      for (int l = 0; l < layers; l++) {
        for (float[] g : gw[l]) {
          java.util.Arrays.fill(g, 0f);
        }
        java.util.Arrays.fill(gb[l], 0f);
      }
      int classes = net.sizes[layers];
      float smooth = (float) config.labelSmoothing();
      float keep = (float) (1 - config.dropout());
      boolean dropout = layers > 1 && config.dropout() > 0;
      double loss = 0;
      for (int r = from; r < to; r++) {
        int row = order[r];
        if (dropout) {
          for (int l = 1; l < layers; l++) {
            float[] m = masks[l];
            for (int o = 0; o < m.length; o++) {
              m[o] = random.nextDouble() < keep ? 1f / keep : 0f;
            }
          }
        }
        float[] z = net.forward(x[row], acts, dropout ? masks : null);
        // softmax and the gradient of smoothed cross-entropy w.r.t. the logits: p - target
        float max = z[0];
        for (int c = 1; c < classes; c++) {
          max = Math.max(max, z[c]);
        }
        double sum = 0;
        float[] d = deltas[layers];
        for (int c = 0; c < classes; c++) {
          d[c] = (float) Math.exp(z[c] - max);
          sum += d[c];
        }
        double logSum = Math.log(sum);
        float inv = (float) (1 / sum);
        float off = smooth / classes;
        for (int c = 0; c < classes; c++) {
          float target = off + (c == y[row] ? 1 - smooth : 0);
          loss -= target * ((z[c] - max) - logSum);
          d[c] = (d[c] * inv - target) / batch;
        }
        for (int l = layers - 1; l >= 0; l--) {
          float[] delta = deltas[l + 1];
          float[] in = acts[l];
          int n = net.sizes[l + 1];
          float[][] g = gw[l];
          for (int i = 0; i < in.length; i++) {
            float a = in[i];
            if (a != 0) {
              axpy(a, delta, g[i], n);
            }
          }
          axpy(1f, delta, gb[l], n);
          if (l > 0) {
            // delta of the hidden layer: W^T delta, masked by ReLU and dropout
            float[] prev = deltas[l];
            java.util.Arrays.fill(prev, 0f);
            float[][] wt = wOutMajor[l];
            int width = net.sizes[l];
            for (int o = 0; o < n; o++) {
              axpy(delta[o], wt[o], prev, width);
            }
            for (int i = 0; i < width; i++) {
              if (in[i] == 0) {
                prev[i] = 0; // ReLU was off or the unit was dropped
              } else if (dropout) {
                prev[i] *= masks[l][i];
              }
            }
          }
        }
      }
      return loss;
    }
  }

  private static void transpose(float[][] inMajor, float[][] outMajor) {
    for (int i = 0; i < inMajor.length; i++) {
      float[] row = inMajor[i];
      for (int o = 0; o < row.length; o++) {
        outMajor[o][i] = row[o];
      }
    }
  }

  /**
   * {@code y[0..n) += a * x[0..n)}. Kept as its own method over whole arrays with one index:
   * HotSpot 17 vectorises this form, but not the same loop over offset slices of one flat
   * array (measured 5-10x slower).
   */
  private static void axpy(float a, float[] x, float[] y, int n) {
    for (int i = 0; i < n; i++) {
      y[i] += a * x[i];
    }
  }

  private static double gaussian(SplittableRandom random) {
    // Box-Muller: SplittableRandom has no nextGaussian on Java 17.
    double u = 1 - random.nextDouble();
    double v = random.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}
