package life.catalog;

import life.spec.InputException;
import com.univocity.parsers.common.record.Record;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.ConcurrentHashMap;
import life.spec.ModelSpec;

/**
 * Built-in models: {@code catalog/models.csv} indexes the Hugging Face {@code config.json} files shipped under
 * {@code catalog/models/}, each with the URL it was taken from and the published parameter count. A user passes
 * either a built-in id or the path of any {@code config.json}.
 */
public final class ModelCatalog {
  /** One index row. */
  public record Entry(String id, String name, String hfRepo, String configSource, OptionalDouble publishedParams,
      String paramsSource, String notes) {}

  private static final ModelCatalog BUILT_IN = load();
  private final Map<String, Entry> entries;
  private final Map<String, ModelSpec> cache = new ConcurrentHashMap<>();

  private ModelCatalog(Map<String, Entry> entries) {
    this.entries = Collections.unmodifiableMap(entries);
  }

  public static ModelCatalog builtIn() {
    return BUILT_IN;
  }

  public Map<String, Entry> entries() {
    return entries;
  }

  /** A built-in model by id, or the model described by the {@code config.json} at a path. */
  public ModelSpec resolve(String idOrPath) {
    if (entries.containsKey(idOrPath)) {
      return cache.computeIfAbsent(idOrPath, this::loadBuiltIn);
    }
    Path p;
    try {
      p = Path.of(idOrPath);
    } catch (InvalidPathException e) {
      throw new InputException(Suggest.unknown("model id", idOrPath, entries.keySet()));
    }
    if (idOrPath.endsWith(".json") || Files.exists(p)) {
      String id = p.getFileName() == null ? idOrPath : p.getFileName().toString().replaceFirst("\\.json$", "");
      if (id.equals("config") && p.getParent() != null && p.getParent().getFileName() != null) {
        id = p.getParent().getFileName().toString();
      }
      return HfConfigReader.read(id, idOrPath, InputFile.read("model config", p));
    }
    throw new InputException(Suggest.unknown("model id", idOrPath, entries.keySet()));
  }

  private ModelSpec loadBuiltIn(String id) {
    String res = "/catalog/models/" + id + ".json";
    try (InputStream in = ModelCatalog.class.getResourceAsStream(res)) {
      if (in == null) {
        throw new InputException("built-in model " + id + ": resource " + res + " is missing");
      }
      String file = "models/" + id + ".json";
      return HfConfigReader.read(id, file, InputFile.text(file, in.readAllBytes()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ModelCatalog load() {
    try (InputStream in = ModelCatalog.class.getResourceAsStream("/catalog/models.csv")) {
      if (in == null) {
        throw new InputException("built-in model index catalog/models.csv is missing from the jar");
      }
      String file = "models.csv (built-in)";
      Map<String, Entry> m = new LinkedHashMap<>();
      for (Record r : InputFile.csv(file, InputFile.text(file, in.readAllBytes())).rows()) {
        String pp = r.getString("published_params");
        OptionalDouble params = pp == null || pp.isBlank()
            ? OptionalDouble.empty()
            : OptionalDouble.of(Double.parseDouble(pp.trim()));
        Entry e = new Entry(r.getString("id").trim(), nz(r.getString("name")), nz(r.getString("hf_repo")),
            nz(r.getString("config_source")), params, nz(r.getString("params_source")), nz(r.getString("notes")));
        m.put(e.id(), e);
      }
      return new ModelCatalog(m);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String nz(String s) {
    return s == null ? "" : s.trim();
  }
}
