package life.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import life.spec.InputException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code life} command: forecasts, catalogs and the benchmark. Thin: parses, delegates, prints. */
@Command(
    name = "life",
    mixinStandardHelpOptions = true,
    version = "life 0.2.0",
    description = "LLM Inference Forecast Engine: TTFT, TPOT, TPS and memory of LLM inference from hardware specs.",
    subcommands = {ForecastCommand.class, ServeCommand.class, PlanCommand.class, SweepCommand.class,
        MergeCommand.class, ParetoCommand.class,
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
   * or option value). Anything else is a bug: one line {@code life: internal error: ...} and exit code
   * {@value #INTERNAL_ERROR}, with the stack trace only when the environment sets {@code LIFE_DEBUG=1}.
   */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Main());
    cl.setExecutionStrategy(parsed -> {
      try {
        return new CommandLine.RunLast().execute(parsed);
      } catch (Error e) {
        // picocli hands only exceptions to the handler: an error is wrapped so that it reaches handle() too.
        throw new CommandLine.ExecutionException(parsed.commandSpec().commandLine(), String.valueOf(e), e);
      }
    });
    boolean debug = "1".equals(System.getenv("LIFE_DEBUG"));
    cl.setExecutionExceptionHandler((ex, cmd, parsed) -> handle(ex, cmd.getErr(), debug));
    cl.setParameterExceptionHandler((ex, args) -> {
      PrintWriter err = ex.getCommandLine().getErr();
      // picocli words some messages "Error: ..." itself (argument groups): one prefix is enough.
      err.println("life: error: " + InputException.escape(ex.getMessage().replaceFirst("^Error: ", "")));
      err.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help' for more information.");
      err.flush();
      return 2;
    });
    return cl;
  }

  /**
   * A file system error as a sentence: Java gives only the path for most of them ({@code NoSuchFileException:
   * results/x/parts/part-00000002.csv}), so the kind of error is said after it.
   */
  static String describe(java.nio.file.FileSystemException e) {
    String what = e.getReason() != null ? e.getReason()
        : e instanceof java.nio.file.NoSuchFileException ? "does not exist"
        : e instanceof java.nio.file.AccessDeniedException ? "permission denied"
        : e instanceof java.nio.file.FileAlreadyExistsException ? "already exists"
        : e instanceof java.nio.file.DirectoryNotEmptyException ? "is a folder that is not empty"
        : e instanceof java.nio.file.NotDirectoryException ? "is not a folder"
        : e instanceof java.nio.file.NotLinkException ? "is not a link"
        : "cannot be used";
    return InputException.escape((e.getFile() == null ? "" : e.getFile() + (e.getOtherFile() == null ? ""
        : " -> " + e.getOtherFile()) + ": ") + what);
  }

  /** Exit code of an internal error (BSD {@code EX_SOFTWARE}). */
  static final int INTERNAL_ERROR = 70;

  /**
   * Reports {@code thrown} on {@code err} as one line and returns the exit code: bad input (an
   * {@link InputException}, an {@link IllegalArgumentException} or an {@link IOException}) as {@code life: error: },
   * anything else as an internal error, with its stack trace first when {@code debug}.
   */
  static int handle(Exception thrown, PrintWriter err, boolean debug) {
    Throwable ex = thrown instanceof CommandLine.ExecutionException && thrown.getCause() != null
        ? thrown.getCause()
        : thrown;
    if (ex instanceof UncheckedIOException && ex.getCause() != null) {
      ex = ex.getCause();
    }
    String message = ex instanceof java.nio.file.FileSystemException f ? describe(f)
        : ex.getMessage() == null ? null : InputException.escape(ex.getMessage());
    // A bad option value is a usage error (exit 2, as picocli's own): thrown as UsageError here, or by a lower
    // stage with a message that names the option.
    if (ex instanceof UsageError || ex instanceof IllegalArgumentException && message != null
        && message.startsWith("--")) {
      err.println("life: error: " + message);
      err.flush();
      return 2;
    }
    if (message != null && (ex instanceof IllegalArgumentException || ex instanceof InputException
        || ex instanceof IOException)) {
      err.println("life: error: " + message);
      err.flush();
      return 1;
    }
    if (debug) {
      ex.printStackTrace(err);
    }
    err.println("life: internal error: " + ex.getClass().getName() + ": " + message
        + " (set LIFE_DEBUG=1 for the stack trace)");
    err.flush();
    return INTERNAL_ERROR;
  }
}
