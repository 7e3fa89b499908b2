package life.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import life.exec.Manifest;
import life.exec.Merger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code life merge DIR... --out DIR}: joins the result folders of a sweep's shards into one. */
@Command(name = "merge", mixinStandardHelpOptions = true,
    description = "Merge shard result folders (life sweep --shard i/N) into one folder, as a single run gives.")
final class MergeCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "DIR", description = "Shard result folders.")
  List<Path> shards;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Merged result folder (new or empty).")
  Path out;

  @Option(names = "--resume", description = "Continue an interrupted merge into --out.")
  boolean resume;

  @Override
  public Integer call() throws Exception {
    Manifest m = Merger.merge(shards, out, resume);
    spec.commandLine().getOut().printf(Locale.ROOT, "merged %d shards of %s: %d chunks, %d rows -> %s%n",
        shards.size(), m.sweepName, m.completedCount(), m.rows, out);
    spec.commandLine().getOut().flush();
    return 0;
  }
}
