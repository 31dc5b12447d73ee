package dev.intentinference.bench;

/**
 * How well a served model answered a labeled set, end to end.
 *
 * @param messages labeled messages sent
 * @param answered messages answered (failures are {@code messages - answered})
 * @param correct answers equal to the gold label ({@code oos} counts as a label)
 * @param accuracy {@code correct / answered}, in [0, 1]
 * @param inScope answered messages whose gold label is an intent
 * @param inScopeAccuracy share of those answered with the right intent (not rejected), in [0, 1]
 * @param outOfScope answered messages whose gold label is {@code oos}
 * @param oosRecall share of those rejected as out of scope, in [0, 1] ({@code NaN} when none)
 */
public record AccuracyResult(
    int messages, int answered, int correct, double accuracy, int inScope, double inScopeAccuracy,
    int outOfScope, double oosRecall) {}
