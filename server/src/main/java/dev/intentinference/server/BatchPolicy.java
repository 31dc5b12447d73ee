package dev.intentinference.server;

/**
 * How a model's requests are grouped into batches.
 *
 * <pre>{@code
 * new BatchPolicy(16, 1_000, 256); // up to 16 texts, wait at most 1 ms, queue at most 256
 * }</pre>
 *
 * @param maxBatch most texts run together, 1..1024
 * @param maxQueueDelayMicros how long, in microseconds since the first waiting request, a batch may
 *     wait for more requests when the server is busy, 0..1,000,000 (0 never waits)
 * @param queueCapacity most texts waiting per model before new ones are refused (503), 1..1,000,000
 */
public record BatchPolicy(int maxBatch, long maxQueueDelayMicros, int queueCapacity) {
  public BatchPolicy {
    ServerConfig.check("--max-batch", maxBatch, 1, 1024);
    ServerConfig.check("--max-queue-delay", maxQueueDelayMicros, 0, 1_000_000);
    ServerConfig.check("--queue-capacity", queueCapacity, 1, 1_000_000);
  }

  /**
   * The length bucket of a text of {@code tokens} tokens: texts in the same bucket are batched
   * together so padding stays small. Buckets double from 16 tokens (1..16, 17..32, 33..64, ...),
   * so a batch is padded to at most twice its shortest text's length, beyond the first 16 tokens.
   */
  public static int lengthBucket(int tokens) {
    int bucket = 0;
    for (int edge = 16; tokens > edge; edge <<= 1) {
      bucket++;
    }
    return bucket;
  }
}
