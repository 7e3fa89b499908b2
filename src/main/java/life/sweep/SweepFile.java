package life.sweep;

import static life.spec.InputException.escape;
import static life.spec.InputException.quote;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import life.spec.InputException;
import life.catalog.HardwareCatalog;
import life.catalog.InputFile;
import life.catalog.ModelCatalog;
import life.forecast.Overlap;
import life.ops.ActQuant;
import life.ops.AttentionVariant;
import life.ops.Counting;
import life.ops.Fusion;
import life.ops.GraphOptions;
import life.spec.DType;
import life.spec.DeviceKind;
import life.spec.HardwareSpec;
import life.spec.Limits;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads a sweep file (YAML) into a validated {@link SweepSpec}. Every error is one line naming the file, the line and
 * the key, and nothing starts until the whole file is valid.
 *
 * <pre>
 * name: quickstart
 * hardware_files: [my-devices.csv]        # optional, relative to this file
 * axes:
 *   model: [llama-2-7b, llama-3.1-8b]
 *   hardware: {kind: [gpu, soc]}          # or a list of ids, or all
 *   prompt: {from: 128, to: 8192, factor: 2}   # or a list, or {from, to, step}
 *   output: [128]
 *   batch: [1, 8, 32]
 *   weights: [none, int4, int8-g64, q4_k_m]
 * where: [fits, prompt + output &lt;= max_context]
 * objectives: [tpot_ms:min, price_usd:min]
 * intervals: true                         # optional: each time and rate's 80 % interval (NAME_lo, NAME_hi)
 * </pre>
 */
public final class SweepFile {
  /** The most values a range may expand to. */
  private static final int MAX_RANGE_VALUES = 10_000_000;
  private static final Set<String> TOP = Set.of("name", "description", "hardware_files", "axes", "where",
      "objectives", "intervals");
  private final String file;

  private SweepFile(String file) {
    this.file = file;
  }

  /** Reads and validates {@code path}. */
  public static SweepSpec read(Path path) {
    byte[] bytes = InputFile.bytes("sweep file", path);
    return new SweepFile(escape(path.toString())).parse(path, bytes);
  }

  private InputException error(Node n, String key, String msg) {
    return new InputException(file + " line " + (n.getStartMark().getLine() + 1) + ", key " + quote(key) + ": "
        + escape(msg));
  }

  private SweepSpec parse(Path path, byte[] bytes) {
    Node root;
    String yaml = InputFile.text(file, bytes);
    try {
      LoaderOptions lo = new LoaderOptions();
      lo.setAllowDuplicateKeys(false);
      root = new Yaml(lo).compose(new StringReader(yaml));
    } catch (MarkedYAMLException e) {
      Mark at = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      String where = at == null ? ":" : " line " + (at.getLine() + 1) + ", column " + (at.getColumn() + 1) + ":";
      String problem = e.getProblem() != null ? e.getProblem() : e.getContext();
      throw new InputException(file + where + " not valid YAML: " + escape(String.valueOf(problem)));
    } catch (YAMLException e) {
      String m = String.valueOf(e.getMessage());
      throw new InputException(file + ": not valid YAML: " + escape(m.lines().findFirst().orElse(m)));
    }
    if (root == null) {
      throw new InputException(file + ": the file is empty (expected a mapping with keys "
          + String.join(", ", TOP.stream().sorted().toList()) + ")");
    }
    if (!(root instanceof MappingNode top)) {
      throw new InputException(file + ": expected a mapping with keys " + String.join(", ", TOP.stream().sorted()
          .toList()));
    }
    String name = path.getFileName() == null ? "" : path.getFileName().toString().replaceFirst("\\.ya?ml$", "");
    Node nameNode = null;
    List<Path> hwFiles = new ArrayList<>();
    Node axesNode = null;
    List<Constraint> where = new ArrayList<>();
    List<String> objectives = new ArrayList<>();
    List<NodeTuple> whereNodes = new ArrayList<>();
    boolean intervals = false;
    for (NodeTuple t : top.getValue()) {
      String key = scalar(t.getKeyNode(), "(top level)");
      Node v = t.getValueNode();
      switch (key) {
        case "name" -> {
          name = scalar(v, key);
          nameNode = v;
        }
        case "description" -> scalar(v, key);
        case "hardware_files" -> {
          for (Node f : list(v, key)) {
            Path p;
            try {
              p = path.toAbsolutePath().getParent().resolve(scalar(f, key));
            } catch (InvalidPathException e) {
              throw error(f, key, "not a valid path: " + quote(scalar(f, key)));
            }
            if (!Files.isRegularFile(p)) {
              throw error(f, key, "hardware file " + p + (Files.isDirectory(p) ? " is a directory"
                  : Files.exists(p) ? " is not a regular file" : " does not exist"));
            }
            hwFiles.add(p);
          }
        }
        case "axes" -> axesNode = v;
        case "intervals" -> {
          String b = scalar(v, key);
          if (!b.equals("true") && !b.equals("false")) {
            throw error(v, key, "must be true or false; got " + quote(b));
          }
          intervals = b.equals("true");
        }
        case "where" -> whereNodes.add(t);
        case "objectives" -> {
          for (Node o : list(v, key)) {
            objectives.add(objective(o));
          }
        }
        default -> throw error(t.getKeyNode(), key, "unknown key (allowed: "
            + String.join(", ", TOP.stream().sorted().toList()) + ")");
      }
    }
    if (!validName(name)) {
      String rule = " may only use letters, digits, '.', '_' and '-', and may not be '.' or '..' (it names the "
          + "result folder results/<name>)";
      if (nameNode != null) {
        throw error(nameNode, "name", "the name " + quote(name) + rule);
      }
      throw new InputException(file + ": the sweep's name " + quote(name) + ", taken from the file name," + rule
          + "; set key 'name'");
    }
    for (NodeTuple t : whereNodes) {
      for (Node c : list(t.getValueNode(), "where")) {
        String text = scalar(c, "where");
        try {
          where.add(Constraint.parse(text, c.getStartMark().getLine() + 1));
        } catch (IllegalArgumentException e) {
          throw error(c, "where", e.getMessage());
        }
      }
    }
    if (axesNode == null) {
      throw new InputException(file + ": missing key 'axes' (the axes to sweep: " + AxisName.allowed() + ")");
    }
    HardwareCatalog catalog = HardwareCatalog.builtIn();
    for (Path p : hwFiles) {
      try {
        catalog = catalog.with(p);
      } catch (InputException e) {
        throw new InputException(file + ": hardware_files: " + e.getMessage());
      }
    }
    List<SweepSpec.Axis> axes = axes(axesNode, catalog);
    SweepSpec spec = new SweepSpec(name, path, sha256(bytes), axes, where, objectives, hwFiles, intervals);
    try {
      spec.points();
    } catch (ArithmeticException e) {
      throw error(axesNode, "axes", "the grid has more than " + Long.MAX_VALUE + " points");
    }
    return spec;
  }

  /** A sweep name is a folder name: letters, digits, '.', '_' and '-', and not '.' or '..'. */
  private static boolean validName(String name) {
    return name.matches("[A-Za-z0-9._-]+") && !name.equals(".") && !name.equals("..");
  }

  private List<SweepSpec.Axis> axes(Node node, HardwareCatalog catalog) {
    if (!(node instanceof MappingNode m)) {
      throw error(node, "axes", "expected a mapping of axis names to values (axes: " + AxisName.allowed() + ")");
    }
    Map<AxisName, SweepSpec.Axis> declared = new EnumMap<>(AxisName.class);
    List<SweepSpec.Axis> out = new ArrayList<>();
    for (NodeTuple t : m.getValue()) {
      String key = scalar(t.getKeyNode(), "axes");
      AxisName a = AxisName.parse(key);
      if (a == null) {
        throw error(t.getKeyNode(), key, "unknown axis (allowed: " + AxisName.allowed() + ")");
      }
      Node v = t.getValueNode();
      List<String> values = switch (a) {
        case HARDWARE -> hardware(v, catalog);
        case PROMPT, OUTPUT, BATCH, CHUNK -> integers(v, a);
        default -> values(v, a, catalog);
      };
      if (values.isEmpty()) {
        throw error(v, key, "the axis is empty: give at least one value");
      }
      List<String> unique = new ArrayList<>(new LinkedHashSet<>(values));
      if (unique.size() != values.size()) {
        throw error(v, key, "the axis repeats a value: " + values);
      }
      SweepSpec.Axis axis = new SweepSpec.Axis(a, values, v.getStartMark().getLine() + 1);
      declared.put(a, axis);
      out.add(axis);
    }
    for (AxisName a : AxisName.values()) {
      if (!declared.containsKey(a)) {
        out.add(new SweepSpec.Axis(a, List.of(a.defaultValue()), 0));
      }
    }
    return out;
  }

  private List<String> hardware(Node v, HardwareCatalog catalog) {
    String key = "hardware";
    if (v instanceof ScalarNode s) {
      if (s.getValue().equals("all")) {
        return List.copyOf(catalog.devices().keySet());
      }
      return List.of(check(v, key, s.getValue(), catalog::resolve));
    }
    if (v instanceof MappingNode m) {
      Set<DeviceKind> kinds = new LinkedHashSet<>();
      for (NodeTuple t : m.getValue()) {
        String k = scalar(t.getKeyNode(), key);
        if (!k.equals("kind")) {
          throw error(t.getKeyNode(), key, "unknown selector " + quote(k) + " (allowed: kind)");
        }
        List<Node> ks = t.getValueNode() instanceof SequenceNode ? list(t.getValueNode(), key)
            : List.of(t.getValueNode());
        for (Node kn : ks) {
          try {
            kinds.add(DeviceKind.parse(scalar(kn, key)));
          } catch (IllegalArgumentException e) {
            throw error(kn, key, e.getMessage());
          }
        }
      }
      List<String> ids = new ArrayList<>();
      for (HardwareSpec h : catalog.devices().values()) {
        if (kinds.contains(h.kind())) {
          ids.add(h.id());
        }
      }
      return ids;
    }
    List<String> ids = new ArrayList<>();
    for (Node n : list(v, key)) {
      ids.add(check(n, key, scalar(n, key), catalog::resolve).toString());
    }
    return ids;
  }

  private List<String> integers(Node v, AxisName a) {
    String key = a.key();
    long min = a == AxisName.CHUNK ? 0 : 1;
    long max = a == AxisName.BATCH ? Limits.MAX_BATCH : Limits.MAX_TOKENS;
    List<String> out = new ArrayList<>();
    if (v instanceof MappingNode m) {
      Long from = null;
      Long to = null;
      Long step = null;
      Double factor = null;
      for (NodeTuple t : m.getValue()) {
        String k = scalar(t.getKeyNode(), key);
        Node n = t.getValueNode();
        switch (k) {
          case "from" -> from = integer(n, key, min, max);
          case "to" -> to = integer(n, key, min, max);
          case "step" -> step = integer(n, key, 1, max);
          case "factor" -> {
            factor = number(n, key);
            if (!(factor > 1)) {
              throw error(n, key, "factor must be greater than 1, got " + factor);
            }
          }
          default -> throw error(t.getKeyNode(), key, "unknown range key " + quote(k)
              + " (allowed: from, to, step, factor)");
        }
      }
      if (from == null || to == null || (step == null) == (factor == null)) {
        throw error(v, key, "a range needs from, to and one of step or factor");
      }
      if (to < from) {
        throw error(v, key, "range 'to' (" + to + ") is below 'from' (" + from + ")");
      }
      long count = 0;
      for (long x = from; x <= to; x = next(x, step, factor)) {
        if (++count > MAX_RANGE_VALUES) {
          throw error(v, key, String.format(Locale.ROOT, "the range has more than %,d values", MAX_RANGE_VALUES));
        }
      }
      for (long x = from; x <= to; x = next(x, step, factor)) {
        out.add(Long.toString(x));
      }
      return out;
    }
    for (Node n : v instanceof SequenceNode ? list(v, key) : List.of(v)) {
      boolean auto = a == AxisName.CHUNK && n instanceof ScalarNode sn && sn.getValue().trim().equals("auto");
      out.add(auto ? "auto" : Long.toString(integer(n, key, min, max)));
    }
    return out;
  }

  /** The value after {@code x} in a range: {@code x + step}, or {@code x * factor} rounded and at least {@code x + 1}. */
  private static long next(long x, Long step, Double factor) {
    return step != null ? x + step : Math.max(Math.round(x * factor), x + 1);
  }

  private List<String> values(Node v, AxisName a, HardwareCatalog catalog) {
    String key = a.key();
    List<String> out = new ArrayList<>();
    if (v instanceof MappingNode) {
      throw error(v, key, "expected a value or a list of values, got a mapping");
    }
    for (Node n : v instanceof SequenceNode ? list(v, key) : List.of(v)) {
      String s = scalar(n, key).trim();
      out.add(switch (a) {
        case MODEL -> check(n, key, s, x -> {
          ModelCatalog.builtIn().resolve(x);
          return x;
        });
        case DTYPE -> check(n, key, s, x -> DType.parse(life.scenario.ScenarioText.check("dtype", x)).id());
        case WEIGHTS -> check(n, key, s.toLowerCase(Locale.ROOT), x -> life.scenario.ScenarioText.check("weights", x));
        case ACT_BITS -> check(n, key, s.toLowerCase(Locale.ROOT), x -> life.scenario.ScenarioText.check("act_bits", x));
        case KV_BITS -> check(n, key, s.toLowerCase(Locale.ROOT), x -> life.scenario.ScenarioText.check("kv_bits", x));
        case KV_KEEP -> check(n, key, s, x -> Double.toString(Double.parseDouble(life.scenario.ScenarioText.check(
            "kv_keep", x))));
        case LORA -> check(n, key, s.toLowerCase(Locale.ROOT), x -> life.scenario.ScenarioText.check("lora", x));
        case ATTENTION -> check(n, key, s.toLowerCase(Locale.ROOT), x -> life.scenario.ScenarioText.check("attention", x));
        case WINDOW -> check(n, key, s, x -> life.scenario.ScenarioText.check("window", x));
        case FUSION -> check(n, key, s.toLowerCase(Locale.ROOT), x -> life.scenario.ScenarioText.check("fusion", x));
        case OVERLAP -> check(n, key, s, x -> Overlap.parse(x).id());
        case STACK -> check(n, key, s, x -> life.scenario.ScenarioText.check("stack", x));
        case COUNTING -> check(n, key, s, x -> Counting.parse(x).id());
        case PARALLEL -> check(n, key, s, x -> life.ops.Parallelism.parse(x).id());
        case SPEC -> check(n, key, s, x -> life.forecast.Speculation.parse(x).id());
        case QPS, SLO_TTFT_MS, SLO_TPOT_MS -> check(n, key, s, SweepFile::rateOrTime);
        default -> throw new IllegalStateException(a.toString());
      });
    }
    return out;
  }

  /** A serving axis value: a number from 0 (none) to 1e9 (requests/s or ms), in one canonical text. */
  private static String rateOrTime(String x) {
    double d;
    try {
      d = Double.parseDouble(x);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("expected a number from 0 to 1e9, got " + quote(x));
    }
    if (!(d >= 0 && d <= 1e9)) {
      throw new IllegalArgumentException("expected a number from 0 to 1e9, got " + quote(x));
    }
    return Double.toString(d);
  }

  private static int parseInt(String x) {
    try {
      return Integer.parseInt(x);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("expected an integer, got " + quote(x));
    }
  }

  private <T> String check(Node n, String key, String value, java.util.function.Function<String, T> validate) {
    try {
      Object r = validate.apply(value);
      return r instanceof HardwareSpec h ? h.id() : r.toString();
    } catch (IllegalArgumentException | InputException e) {
      throw error(n, key, e.getMessage());
    }
  }

  private String objective(Node o) {
    String s = scalar(o, "objectives").trim();
    String[] p = s.split(":");
    if (p.length != 2 || !(p[1].equals("min") || p[1].equals("max"))) {
      throw error(o, "objectives", "expected column:min or column:max, got " + quote(s));
    }
    return s;
  }

  private String scalar(Node n, String key) {
    if (n instanceof ScalarNode s) {
      return s.getValue();
    }
    throw error(n, key, "expected a single value, got a " + (n instanceof SequenceNode ? "list" : "mapping"));
  }

  private List<Node> list(Node n, String key) {
    if (n instanceof SequenceNode s) {
      return s.getValue();
    }
    throw error(n, key, "expected a list, e.g. [a, b]");
  }

  private long integer(Node n, String key, long min, long max) {
    String s = scalar(n, key).replace("_", "");
    long v;
    try {
      v = Long.parseLong(s);
    } catch (NumberFormatException e) {
      if (!s.matches("[-+]?\\d+")) {
        throw error(n, key, "expected an integer, got " + quote(scalar(n, key)));
      }
      throw error(n, key, "must be " + (s.startsWith("-") ? "at least " + min : "at most " + max) + " (allowed: "
          + min + " to " + max + "), got " + quote(scalar(n, key)));
    }
    if (v < min) {
      throw error(n, key, "must be at least " + min + ", got " + v);
    }
    if (v > max) {
      throw error(n, key, "must be at most " + max + " (allowed: " + min + " to " + max + "), got " + s);
    }
    return v;
  }

  private double number(Node n, String key) {
    try {
      return Double.parseDouble(scalar(n, key));
    } catch (NumberFormatException e) {
      throw error(n, key, "expected a number, got " + quote(scalar(n, key)));
    }
  }

  /** SHA-256 of {@code bytes} as lower-case hex: how a manifest records the sweep file and the inputs it reads. */
  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
