package dev.intentinference.deploy;

import java.time.Instant;

/**
 * One version of a model in a bucket: the {@code .intent} object under
 * {@code prefix/<model>/<version>/}.
 *
 * @param model the model's name
 * @param version the version's name
 * @param key the artifact's object key
 * @param size its size in bytes
 * @param etag the store's entity tag: changes whenever the object is replaced
 * @param lastModified when it was written
 */
public record RemoteVersion(String model, String version, String key, long size, String etag, Instant lastModified) {
  /** The artifact's file name (the key's last part). */
  public String fileName() {
    return key.substring(key.lastIndexOf('/') + 1);
  }
}
