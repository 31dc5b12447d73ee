package dev.intentinference.cli;

import dev.intentinference.compiler.ArtifactInspector;
import dev.intentinference.compiler.PassStats;
import dev.intentinference.core.IntentException;
import dev.intentinference.core.model.CpuRequirements;
import dev.intentinference.core.model.IntentArtifact;
import dev.intentinference.core.model.ModelManifest;
import dev.intentinference.core.onnx.CpuFeatures;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code intent inspect FILE}: prints an artifact's manifest and checks every entry's SHA-256. */
@Command(
    name = "inspect",
    mixinStandardHelpOptions = true,
    description = {
      "Print a .intent artifact's manifest and check the SHA-256 of every entry against it.",
      "Exit code 2 when any entry is missing, unlisted or does not match its hash."
    },
    footer = {"", "Examples:", "  intent inspect dist/clinc150-1.intent",
        "  intent inspect --explain dist/clinc150-1.intent     # also: node counts per compile pass"})
final class InspectCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", description = "The .intent artifact.")
  Path file;

  @CommandLine.Option(names = "--explain",
      description = "Also print what each compile pass did: node counts by operator type before and after.")
  boolean explain;

  @Override
  public Integer call() {
    ArtifactInspector.Inspection i = ArtifactInspector.inspect(file);
    PrintWriter o = spec.commandLine().getOut();
    o.println(i.manifestJson().strip());
    o.println();
    o.println("entries:");
    for (ArtifactInspector.EntryCheck e : i.entries()) {
      o.printf("  %-8s %-16s %12d bytes  sha256 %s%n", e.status(), e.name(), e.size(), e.actual() == null ? "-" : e.actual());
    }
    printCpuCheck(o, i.manifest());
    if (explain) {
      o.println();
      List<PassStats> passes;
      try {
        passes = PassStats.ofManifest(i.manifest().compile());
      } catch (RuntimeException e) {
        throw new IntentException(file + ": the manifest's compile.pass_stats cannot be read (" + e.getMessage() + ")", e);
      }
      if (passes.isEmpty()) {
        o.println("this artifact's manifest records no per-pass node counts (compiled before they were recorded)");
        ExplainPrinter.printCounts(o, "stored graph", ArtifactInspector.modelOpCounts(file));
      } else {
        ExplainPrinter.print(o, passes);
      }
    }
    o.flush();
    if (!i.ok()) {
      long bad = i.entries().stream().filter(e -> !e.ok()).count();
      throw new IntentException(file + ": " + bad + " of " + i.entries().size()
          + " entries fail the manifest's hash check (corrupted or tampered)");
    }
    // What the loader checks beyond the hashes: the entries a model needs, and a cascade's nested
    // fallback artifact with its own entries and hashes.
    IntentArtifact fallback = IntentArtifact.read(i.stored(), file.toString()).fallback(file.toString());
    o.println("all " + i.entries().size() + " entries match the manifest"
        + (fallback == null ? "" : "; so do the " + fallback.entries().size() + " entries of the nested fallback "
            + fallback.manifest().name() + " version " + fallback.manifest().version()));
    return 0;
  }

  /** The artifact's CPU needs against this machine: met, or what is missing and what that means. */
  private static void printCpuCheck(PrintWriter o, ModelManifest m) {
    List<CpuRequirements.Need> needs = CpuRequirements.needs(m);
    if (needs.isEmpty()) {
      return;
    }
    List<CpuRequirements.Finding> findings =
        CpuRequirements.check(m, CpuFeatures.current());
    o.println();
    if (findings.isEmpty()) {
      o.println("cpu: this machine has every feature the artifact's passes need (" + needs.size() + " checked)");
    }
    for (CpuRequirements.Finding f : findings) {
      o.println("cpu " + (f.ifMissing() == CpuRequirements.IfMissing.REFUSE
          ? "REFUSED (loading fails here)" : "warning") + ": " + f.message());
    }
  }
}
