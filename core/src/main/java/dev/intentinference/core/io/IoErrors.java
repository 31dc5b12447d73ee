package dev.intentinference.core.io;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * Why a file operation failed, in words. The JDK's file exceptions carry the path as their whole
 * message ({@code AccessDeniedException: model/manifest.json}), so "file: message" printed the path
 * twice and never the reason.
 *
 * <pre>{@code
 * throw new IntentException(file + ": " + IoErrors.reason(e), e); // "model/manifest.json: permission denied"
 * }</pre>
 */
public final class IoErrors {
  private IoErrors() {}

  public static String reason(IOException e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof NotDirectoryException) {
      return "not a directory";
    }
    if (e instanceof FileSystemException f) {
      return f.getReason() != null ? f.getReason() : "cannot be read or written";
    }
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }
}
