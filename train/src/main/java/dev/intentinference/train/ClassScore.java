package dev.intentinference.train;

/**
 * Precision, recall and F1 of one label, each in [0, 1].
 *
 * @param support gold examples of this label
 */
public record ClassScore(String intent, double precision, double recall, double f1, int support) {}
