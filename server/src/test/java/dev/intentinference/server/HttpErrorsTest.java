package dev.intentinference.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class HttpErrorsTest {
  private final HttpErrors errors = new HttpErrors(new ServerMetrics(), 1024);

  @Test
  void aClientGoneWhileItsAnswerIsWrittenIsNotAnInternalError() {
    // What Netty's native transport throws when the peer reset the connection or closed it.
    for (String message : new String[] {"sendAddress(..) failed with error(-104): Connection reset by peer",
        "writevAddresses(..) failed with error(-32): Broken pipe"}) {
      assertThat(errors.toApi(new CompletionException(new IOException(message))).errorCause()).as(message)
          .isEqualTo(ErrorCause.CLIENT_CLOSED);
    }
    assertThat(errors.toApi(new IllegalStateException("boom")).errorCause()).isEqualTo(ErrorCause.INTERNAL);
    assertThat(errors.toApi(new IOException("disk full")).errorCause()).isEqualTo(ErrorCause.INTERNAL);
  }
}
