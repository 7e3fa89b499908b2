package life.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import life.catalog.HardwareCatalog;
import picocli.CommandLine.Option;

/** {@code --hardware-file}, shared by every command that looks up devices. */
final class HardwareOptions {
  @Option(names = "--hardware-file", paramLabel = "FILE",
      description = "CSV of extra devices (hardware-catalog schema); repeatable; a row replaces the built-in row "
          + "with the same id.")
  List<Path> files = new ArrayList<>();

  HardwareCatalog catalog() {
    HardwareCatalog c = HardwareCatalog.builtIn();
    for (Path f : files) {
      c = c.with(f);
    }
    return c;
  }
}
