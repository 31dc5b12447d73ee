package dev.intentinference.bench;

import dev.intentinference.core.IntentException;
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
      // The gRPC transport plugs in here as a GrpcTarget once the OIP gRPC stubs are in core.
      case GRPC -> throw new IntentException("--target " + spec
          + ": gRPC targets are not available in this build yet (use http://host:port or inproc:PATH)");
    };
  }
}
