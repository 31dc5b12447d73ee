package dev.intentinference.core.encoder;

/** How token vectors become one sentence vector. */
public enum Pooling {
  /** The first token's vector ([CLS]), as BGE models were trained. */
  CLS,
  /** The mean over tokens where the attention mask is 1, as sentence-transformers MiniLM. */
  MEAN
}
