package dev.intentinference.cli;

import picocli.CommandLine;

/** The tool's version, from the jar manifest when packaged. */
final class VersionProvider implements CommandLine.IVersionProvider {
  @Override
  public String[] getVersion() {
    String v = IntentCli.class.getPackage().getImplementationVersion();
    return new String[] {"intent " + (v == null ? "dev" : v)};
  }
}
