package dev.intentinference.deploy;

import dev.intentinference.core.IntentException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One server per bucket cache. Two servers mirroring into one directory (both started from the
 * same folder, with the default {@code --cache}) each prune and install under the other, and one
 * of them ends up refusing good versions as corrupt. The lock is the operating system's on
 * {@code DIR/.lock}, so it goes with the process, also when the process is killed.
 *
 * <pre>{@code
 * try (CacheLock lock = CacheLock.acquire(Path.of("s3-cache/models"))) { ... }
 * }</pre>
 */
public final class CacheLock implements AutoCloseable {
  static final String FILE_NAME = ".lock";
  private final FileChannel channel;
  private final FileLock lock;

  private CacheLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /** Locks {@code dir} (created if needed) for this process, or says which directory is taken. */
  public static CacheLock acquire(Path dir) {
    FileChannel channel = null;
    try {
      Files.createDirectories(dir);
      channel = FileChannel.open(dir.resolve(FILE_NAME), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException sameProcess) {
        lock = null;
      }
      if (lock == null) {
        channel.close();
        throw new IntentException(dir + " is the cache of another running server; give each server its own --cache");
      }
      return new CacheLock(channel, lock);
    } catch (IOException e) {
      closeQuietly(channel);
      throw new IntentException("cannot lock the cache " + dir + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try {
      lock.release();
    } catch (IOException e) {
      // Closing the channel below releases it too.
    }
    closeQuietly(channel);
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        // Nothing left to do.
      }
    }
  }
}
