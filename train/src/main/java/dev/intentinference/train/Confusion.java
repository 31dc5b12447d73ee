package dev.intentinference.train;

/** How often queries of {@code gold} were decided as {@code predicted} ({@code oos} = rejected). */
public record Confusion(String gold, String predicted, int count) {}
