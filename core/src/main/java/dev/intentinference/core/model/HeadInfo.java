package dev.intentinference.core.model;

import java.util.List;

/**
 * Where and how the classification head is stored.
 *
 * @param file file name inside the model directory, e.g. {@code head.safetensors}
 * @param format always {@code safetensors-f32}
 * @param activations one per layer, e.g. {@code ["relu", "none"]}
 */
public record HeadInfo(String file, String format, List<String> activations) {}
