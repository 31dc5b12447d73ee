package dev.intentinference.server;

import java.nio.file.Path;

/**
 * Fills an empty model repository before the server starts, e.g. by training and compiling the
 * default CLINC150 model. The server module cannot train or compile (those live in other
 * modules), so the command line supplies this.
 *
 * <pre>{@code
 * RepositoryBootstrapper b = repo -> trainAndCompile(repo.resolve("clinc150/1"));
 * }</pre>
 */
@FunctionalInterface
public interface RepositoryBootstrapper {
  /** Does nothing: an empty repository stays empty and the server refuses to start. */
  RepositoryBootstrapper NONE = repository -> {};

  /**
   * Writes at least one model into {@code repository} as {@code <model>/<version>/...}.
   *
   * @param repository the (empty) repository directory, already created
   */
  void populate(Path repository) throws Exception;
}
