package life.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import life.exec.FolderLock;
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

  /** Reads the folder's table and writes this command's outputs while holding the output folder's lock. */
  @Override
  public final Integer call() throws Exception {
    ResultTable.requireFolder(dir);
    FolderLock lock = FolderLock.acquire(target(), "life " + spec.name());
    try {
      run(ResultTable.open(dir));
    } finally {
      lock.close();
    }
    spec.commandLine().getOut().flush();
    return 0;
  }

  /** The folder this command writes into. */
  Path target() {
    return dir;
  }

  /** Computes and writes this command's outputs for the folder's table {@code t}. */
  abstract void run(ResultTable t) throws Exception;
}
