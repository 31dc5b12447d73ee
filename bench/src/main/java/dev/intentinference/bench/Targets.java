package dev.intentinference.bench;

import java.util.List;

/**
 * Opens the {@link Target} a {@link TargetSpec} names.
 *
 * <pre>{@code
 * Target t = Targets.open(TargetSpec.parse("inproc:models/clinc150"), TargetOptions.defaults(), texts);
 * }</pre>
 */
public final class Targets {
  private Targets() {}

  public static Target open(TargetSpec spec, TargetOptions options, List<String> messages) {
    return switch (spec.kind()) {
      case HTTP -> new HttpTarget(spec.uri(), options, messages);
      case INPROC -> new InprocTarget(spec.path(), options, messages);
      case GRPC -> new GrpcTarget(spec.uri(), options, messages);
    };
  }
}
