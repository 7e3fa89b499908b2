package life.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import life.report.ResultTable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** What {@code life pareto} and {@code life report} share: a sweep result folder and the options of its fronts. */
abstract class FrontCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DIR", description = "Sweep result folder (results/<name>).")
  Path dir;

  @Mixin FrontOptions front = new FrontOptions();

  @Override
  public final Integer call() throws Exception {
    run(ResultTable.open(dir));
    spec.commandLine().getOut().flush();
    return 0;
  }

  /** Computes and writes this command's outputs for the folder's table {@code t}. */
  abstract void run(ResultTable t) throws Exception;
}
