package dev.intentinference.core.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import org.junit.jupiter.api.Test;

class IoErrorsTest {
  @Test
  void namesTheReasonNotThePathAgain() {
    assertThat(IoErrors.reason(new AccessDeniedException("m/manifest.json"))).isEqualTo("permission denied");
    assertThat(IoErrors.reason(new NoSuchFileException("m/manifest.json"))).isEqualTo("no such file");
    assertThat(IoErrors.reason(new FileSystemException("m", null, "Read-only file system"))).isEqualTo("Read-only file system");
    assertThat(IoErrors.reason(new IOException("disk on fire"))).isEqualTo("disk on fire");
  }
}
