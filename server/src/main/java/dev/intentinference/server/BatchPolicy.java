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
   * together so padding stays small. Short texts, the usual chat message, get buckets 4 tokens
   * wide (1..4, 5..8, ..., 29..32): on this model size padding a batch of 10-token messages to 16
   * costs more than batching saves. Beyond 32 tokens buckets double (33..64, 65..128, ...).
   */
  public static int lengthBucket(int tokens) {
    if (tokens <= 32) {
      return Math.max(0, (tokens - 1) / 4);
    }
    int bucket = 8;
    for (int edge = 64; tokens > edge; edge <<= 1) {
      bucket++;
    }
    return bucket;
  }

}
