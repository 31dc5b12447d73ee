package dev.intentinference.core.model;

/** One candidate intent and its probability in [0, 1]. */
public record ScoredIntent(String intent, double confidence) {}
