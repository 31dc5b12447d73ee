package dev.intentinference.cli;

import dev.intentinference.core.IntentException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code intent <command>}: train, evaluate, compile, serve and benchmark intent models.
 *
 * <p>Exit codes: 0 success, 1 runtime failure, 2 bad usage or bad input (one line naming the
 * problem), 130 after Ctrl-C and 143 after SIGTERM (one line; unfinished output is not kept, see
 * {@link ProcessExit}). Stack traces are printed only with {@code --verbose}.
 */
@Command(
    name = "intent",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Train, compile, serve and benchmark BERT-family intent models.%n",
    subcommands = {
      CommandLine.HelpCommand.class,
      ServeCommand.class,
      RollbackCommand.class,
      TrainCommand.class,
      EvalCommand.class,
      PredictCommand.class,
      CompileCommand.class,
      InspectCommand.class,
      PushCommand.class,
      ModelsCommand.class,
      BenchCommand.class,
    },
    footer = {
      "",
      "Examples:",
      "  intent serve                                   # serve ./models (builds the default model on first start)",
      "  intent rollback --repository models --model clinc150 --version 1",
      "  intent train --data data_full.json --out models/clinc150",
      "  intent eval --model models/clinc150 --data data_full.json",
      "  intent predict --model models/clinc150 \"change company address\"",
      "  intent compile --model models/clinc150 --out clinc150-1.intent --precision int8",
      "  intent inspect clinc150-1.intent",
      "  intent push clinc150-1.intent s3://my-models/prod && intent serve --repository s3://my-models/prod",
      "  intent bench --target http://127.0.0.1:8000 --concurrency 16 --duration 60s --csv run.csv",
      "",
      "Run 'intent help <command>' for a command's options and an example."
    })
public final class IntentCli implements Runnable {
  public static final int EXIT_USAGE = 2;
  public static final int EXIT_FAILURE = 1;

  @Option(names = "--verbose", description = "Print stack traces of failures.", scope = CommandLine.ScopeType.INHERIT)
  boolean verbose;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** What happens when the process ends; commands with steps of their own ({@code serve}) add them. */
  private final ProcessExit exit;

  private IntentCli(ProcessExit exit) {
    this.exit = exit;
  }

  ProcessExit exit() {
    return exit;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true);
    PrintWriter err = new PrintWriter(System.err, true);
    // First: from here on Ctrl-C or SIGTERM stops ONNX Runtime before the JVM's exit, instead of
    // crashing in it (ProcessExit).
    ProcessExit exit = ProcessExit.install(err);
    // ONNX Runtime's loader leaves its unpacked-library directory in the temp directory otherwise.
    dev.intentinference.core.onnx.OrtStagingCleanup.atExit();
    dev.intentinference.core.onnx.OrtNativeLoad.fitCommandLine();
    exit.exit(execute(args, out, err, exit));
  }

  /** Runs the command line and returns its exit code, without exiting: what tests call. */
  public static int execute(String[] args, PrintWriter out, PrintWriter err) {
    return execute(args, out, err, ProcessExit.unmanaged());
  }

  static int execute(String[] args, PrintWriter out, PrintWriter err, ProcessExit exit) {
    CommandLine cli = new CommandLine(new IntentCli(exit));
    cli.setUsageHelpWidth(120);
    // A message such as "@home" is a message: picocli would otherwise read a file of that name as arguments.
    cli.setExpandAtFiles(false);
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler(IntentCli::handleFailure);
    cli.setParameterExceptionHandler(
        (ex, a) -> {
          ex.getCommandLine().getErr().println("intent: " + ex.getMessage());
          ex.getCommandLine().getErr().println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName(" ") + " --help'.");
          return EXIT_USAGE;
        });
    return cli.execute(args);
  }

  private static int handleFailure(Exception ex, CommandLine cmd, CommandLine.ParseResult parsed) {
    boolean verbose = parsed.hasMatchedOption("--verbose")
        || parsed.subcommands().stream().anyMatch(p -> p.hasMatchedOption("--verbose"));
    PrintWriter err = cmd.getErr();
    Throwable cause = ex;
    while (!(cause instanceof IntentException) && cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    if (cause instanceof IntentException) {
      err.println("intent: " + cause.getMessage());
      if (verbose) {
        ex.printStackTrace(err);
      }
      return EXIT_USAGE;
    }
    err.println("intent: failed: " + (ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage()));
    if (verbose) {
      ex.printStackTrace(err);
    } else {
      err.println("(run with --verbose for details)");
    }
    return EXIT_FAILURE;
  }

}
