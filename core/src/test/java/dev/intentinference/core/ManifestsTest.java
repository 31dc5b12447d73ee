package dev.intentinference.core;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.intentinference.core.model.Manifests;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ManifestsTest {
  private static void refused(String json, String message) {
    assertThatThrownBy(() -> Manifests.fromJson(json.getBytes(StandardCharsets.UTF_8), "m.intent"))
        .isInstanceOf(IntentException.class).hasMessageStartingWith(message.substring(0, message.indexOf(':') + 1))
        .hasMessageContaining(message.substring(message.indexOf(':') + 2));
  }

  @Test
  void aNullManifestARepeatedLabelAndANullLabelAreNamed() {
    refused("null", "m.intent: invalid manifest.json: null, not an object");
    refused("{\"format_version\":2,\"labels\":[\"alarm\",\"alarm\",\"weather\"]}", "m.intent: manifest lists label 'alarm' twice");
    refused("{\"format_version\":2,\"labels\":[\"alarm\",null]}", "m.intent: manifest labels hold a null");
    refused("{\"format_version\":1.9,\"labels\":[\"alarm\"]}", "m.intent: invalid manifest.json: Cannot coerce Floating-point value");
  }
}
