package life.cli;

import java.io.PrintWriter;
import life.spec.InputException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code life} command: forecasts, catalogs and the benchmark. Thin: parses, delegates, prints. */
@Command(
    name = "life",
    mixinStandardHelpOptions = true,
    version = "life 0.2.0",
    description = "LLM Inference Forecast Engine: TTFT, TPOT, TPS and memory of LLM inference from hardware specs.",
    subcommands = {ForecastCommand.class, SweepCommand.class, MergeCommand.class, ParetoCommand.class,
        ValidateCommand.class, CalibrateCommand.class,
        ReportCommand.class,
        CatalogCommand.class,
        BenchCommand.class,
        CommandLine.HelpCommand.class})
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /**
   * The configured command line: bad input gives a one-line error and exit code 1, 2 for usage errors (a bad option
   * or option value).
   */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Main());
    cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
      PrintWriter err = cmd.getErr();
      // A bad option value is a usage error (exit 2, as picocli's own): thrown as UsageError here, or by a lower
      // stage with a message that names the option.
      if (ex instanceof UsageError || ex instanceof IllegalArgumentException && ex.getMessage() != null
          && ex.getMessage().startsWith("--")) {
        err.println("life: error: " + ex.getMessage());
        err.flush();
        return 2;
      }
      if (ex instanceof IllegalArgumentException || ex instanceof InputException
          || ex instanceof java.io.IOException) {
        err.println("life: error: " + ex.getMessage());
        err.flush();
        return 1;
      }
      throw ex;
    });
    cl.setParameterExceptionHandler((ex, args) -> {
      PrintWriter err = ex.getCommandLine().getErr();
      err.println("life: error: " + ex.getMessage());
      err.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help' for more information.");
      err.flush();
      return 2;
    });
    return cl;
  }
}
