package life.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import life.cli.CliTest.Run;
import life.spec.InputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded mutations of every kind of input file, run through the command line in-process: sweep files, hardware
 * files, model {@code config.json} files, measurement files and a result folder's {@code manifest.json}. A mutation may
 * be harmless (exit 0); otherwise stderr is exactly one line {@code life: error: ...} naming the file, and nothing
 * else: no stack trace, no exception class, no internal error, no NaN printed before the error. A failure prints the
 * seed, the case, its mutations and the mutated input, and keeps the input under {@code target/fuzz-failures/}.
 */
final class FuzzTest {
  /** The seed of every case: case {@code i} of kind {@code k} draws from {@code new Random(caseSeed(k, i))}. */
  static final long SEED = 18_2026L;
  private static final Path FAILURES = Path.of("target", "fuzz-failures");
  private static final Pattern CLASS_NAME = Pattern.compile("\\b[A-Z]\\w*(Exception|Error)\\b|\\b(java|javax|com|org)"
      + "\\.[a-z]\\w*\\.");

  /** A small sweep of every kind of axis value: a dry run evaluates its 96 points in milliseconds. */
  static final String SMALL_SWEEP = """
      name: fuzz-small
      description: "a sweep for the fuzz test"
      axes:
        model: [llama-3.2-1b, qwen2.5-7b]
        hardware: [nvidia-rtx-4090, apple-m2-max-38c]
        prompt: {from: 128, to: 512, factor: 2}
        output: [16]
        batch: {from: 1, to: 4, step: 3}
        weights: [none, q4_k_m]
        kv_keep: [1.0, 0.5]
        parallel: [1]
      where: [fits, prompt + output <= max_context]
      objectives: [tpot_ms:min, price_usd:min]
      intervals: true
      """;

  /** Measurement rows with every kind of column, each of them forecastable. */
  static final String MEASUREMENTS = """
      source,hardware,devices,parallelism,framework,stack_version,build_date,flash_attn,model,weight_dtype,\
      act_dtype,kv_dtype,batch,prompt_len,context_len,output_len,same_prompt,metric,value,unit
      lab,nvidia-v100-sxm2,1,none,pytorch,,,,llama-2-7b,fp16,fp16,fp16,1,512,0,128,,throughput_tps,37.5,tok/s
      "lab, ""two""\",nvidia-rtx-4090,1,none,llama.cpp CUDA,b3000,2024-05,on,llama-3-8b,q4_k_m,fp16,fp16,1,512,0,1,,\
      prefill_tps,5900,tok/s
      lab,nvidia-h100-sxm5-80gb,2,tp,vLLM CUDA,,2025-01-15,,llama-3.1-8b,fp16,fp16,fp16,8,1024,0,128,true,tpot,9.5,ms
      """;

  /** One run: what was run, on which mutated input, and what came out. */
  private record Case(String kind, int index, long seed, List<String> mutations, byte[] input, Run run) {}

  @Test
  void sweepFiles_neverFailWithoutOneLineError(@TempDir Path dir) throws IOException {
    byte[] quickstart = Files.readAllBytes(Path.of("sweeps", "quickstart.yaml"));
    byte[] small = SMALL_SWEEP.getBytes(StandardCharsets.UTF_8);
    Path file = dir.resolve("s.yaml");
    fuzz("sweep", 250, Format.YAML, i -> i % 4 == 0 ? quickstart : small, file, file.getFileName().toString(),
        (i, f) -> new String[] {"sweep", f.toString(), "--dry-run", "--quiet", "--threads", "1", "--out",
            dir.resolve("out").toString()});
  }

  @Test
  void hardwareFiles_neverFailWithoutOneLineError(@TempDir Path dir) throws IOException {
    List<String> catalog = Files.readAllLines(Path.of("src", "main", "resources", "catalog", "hardware.csv"));
    String gpu = catalog.stream().filter(l -> l.startsWith("nvidia-rtx-4090,")).findFirst().orElseThrow();
    String soc = catalog.stream().filter(l -> l.startsWith("apple-m2-max-38c,")).findFirst().orElseThrow();
    byte[] one = (catalog.get(0) + "\n" + gpu.replaceFirst("^nvidia-rtx-4090", "fuzz-gpu") + "\n")
        .getBytes(StandardCharsets.UTF_8);
    byte[] two = (catalog.get(0) + ",sequence_us,step_us,decode_compute_eff\n"
        + gpu.replaceFirst("^nvidia-rtx-4090", "fuzz-gpu") + ",20,150,0.5\n"
        + soc.replaceFirst("^apple-m2-max-38c", "fuzz-soc") + ",,,\n").getBytes(StandardCharsets.UTF_8);
    // Odd cases name the file as the device (it must hold one row), even ones add it and pick a device by id.
    Path file = dir.resolve("devices.csv");
    fuzz("hardware", 250, Format.CSV, i -> i % 2 == 1 ? one : two, file, file.getFileName().toString(),
        (i, f) -> i % 2 == 1
            ? new String[] {"forecast", "--model", "llama-3.2-1b", "--hardware", f.toString(), "--prompt", "64",
                "--output", "4"}
            : new String[] {"forecast", "--model", "llama-3.2-1b", "--hardware-file", f.toString(), "--hardware",
                "fuzz-gpu", "--prompt", "64", "--output", "4"});
  }

  @Test
  void modelConfigs_neverFailWithoutOneLineError(@TempDir Path dir) throws IOException {
    List<byte[]> bases = new ArrayList<>();
    for (String id : List.of("llama-3.2-1b", "deepseek-v2-lite", "gemma-3-4b", "mixtral-8x7b")) {
      bases.add(Files.readAllBytes(Path.of("src", "main", "resources", "catalog", "models", id + ".json")));
    }
    Path file = dir.resolve("config.json");
    fuzz("config", 250, Format.JSON, i -> bases.get(i % bases.size()), file, file.getFileName().toString(),
        (i, f) -> new String[] {"forecast", "--model", f.toString(), "--hardware", "nvidia-rtx-4090", "--prompt", "64",
            "--output", "4"});
  }

  @Test
  void measurementFiles_neverFailWithoutOneLineError(@TempDir Path dir) throws IOException {
    byte[] base = MEASUREMENTS.getBytes(StandardCharsets.UTF_8);
    Path file = dir.resolve("runs.csv");
    fuzz("measurements", 250, Format.CSV, i -> base, file, file.getFileName().toString(),
        (i, f) -> new String[] {"validate", "--measurements", f.toString()});
  }

  @Test
  void manifests_neverFailWithoutOneLineError(@TempDir Path dir) throws IOException {
    Path sweep = dir.resolve("tiny.yaml");
    Files.writeString(sweep, "name: tiny\naxes:\n  model: [llama-3.2-1b]\n  hardware: [nvidia-rtx-4090]\n"
        + "  batch: [1, 2, 4]\nobjectives: [tpot_ms:min, ttft_ms:min]\n");
    Path results = dir.resolve("results");
    Run made = CliTest.run("sweep", sweep.toString(), "--out", results.toString(), "--format", "csv", "--quiet",
        "--threads", "1", "--part-rows", "2");
    assertEquals(0, made.code(), made.err());
    // The same bytes on every run: keys sorted (the writer's order of a column's keys varies) and no temporary path.
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
        .enable(SerializationFeature.INDENT_OUTPUT);
    @SuppressWarnings("unchecked")
    Map<String, Object> manifest = json.readValue(results.resolve("manifest.json").toFile(), Map.class);
    manifest.put("sweep_file", "tiny.yaml");
    manifest.put("started", "2026-01-18T00:00:00Z");
    manifest.put("updated", "2026-01-18T00:00:01Z");
    manifest.put("elapsed_s", 0.25);
    byte[] base = json.writeValueAsBytes(manifest);
    fuzz("manifest", 200, Format.JSON, i -> base, results.resolve("manifest.json"), results.toString(),
        (i, f) -> new String[] {"pareto", results.toString(), "--out", dir.resolve("fronts").toString()});
  }

  /**
   * Runs {@code cases} mutations of {@code base.apply(i)}, each written to {@code file} and run as
   * {@code args.apply(i, file)}, and fails listing the cases whose outcome breaks the rules; an error must contain
   * {@code named}.
   */
  private static void fuzz(String kind, int cases, Format format, IntFunction<byte[]> base, Path file, String named,
      BiFunction<Integer, Path, String[]> args) throws IOException {
    List<String> failures = new ArrayList<>();
    int errors = 0;
    long start = System.nanoTime();
    long slowestNs = 0;
    String slowest = "";
    for (int i = 0; i < cases; i++) {
      long seed = caseSeed(kind, i);
      List<String> log = new ArrayList<>();
      byte[] input = new Mutator(new Random(seed), format).mutate(base.apply(i), log);
      Files.write(file, input);
      long caseStart = System.nanoTime();
      Run r = CliTest.run(args.apply(i, file));
      long ns = System.nanoTime() - caseStart;
      if (ns > slowestNs) {
        slowestNs = ns;
        slowest = i + " " + log;
      }
      Case c = new Case(kind, i, seed, log, input, r);
      errors += r.code() != 0 ? 1 : 0;
      String problem = problem(c, named);
      if (problem != null) {
        failures.add(report(c, problem, failures.size() < 3));
      }
    }
    System.out.printf(Locale.ROOT, "fuzz %s: %d cases (%d errors, %d harmless) in %.1f s (slowest: case %s, %.0f ms),"
        + " seed %d%n", kind, cases, errors, cases - errors, (System.nanoTime() - start) / 1e9, slowest,
        slowestNs / 1e6, SEED);
    assertTrue(failures.isEmpty(), failures.size() + " of " + cases + " " + kind + " cases failed:\n"
        + String.join("\n", failures));
  }

  static long caseSeed(String kind, int i) {
    return SEED * 1_000_003L + kind.hashCode() * 10_007L + i;
  }

  /** What is wrong with the outcome of {@code c}, or null. */
  private static String problem(Case c, String named) {
    String err = c.run().err();
    if (err.contains("\tat ") || err.contains("internal error")) {
      return "a stack trace or an internal error";
    }
    if (CLASS_NAME.matcher(err).find()) {
      return "an exception or class name on stderr";
    }
    if (c.run().code() == 0) {
      return null;
    }
    List<String> lines = err.lines().toList();
    if (lines.size() != 1 || !err.endsWith("\n")) {
      return "not exactly one line on stderr";
    }
    if (err.chars().limit(err.length() - 1).anyMatch(Character::isISOControl)) {
      return "a raw control character on stderr";
    }
    if (!lines.get(0).startsWith("life: error: ")) {
      return "the line does not start 'life: error: '";
    }
    if (!lines.get(0).contains(named) && !(c.kind().equals("hardware") && lines.get(0).contains(
        "unknown hardware id 'fuzz-gpu'"))) {
      return "the error does not name " + named;
    }
    if (c.run().out().contains("NaN")) {
      return "NaN printed before the error";
    }
    return null;
  }

  /** The failure of {@code c}: one line, and in {@code full} its mutations, output and input. */
  private static String report(Case c, String problem, boolean full) {
    Path kept = FAILURES.resolve(c.kind() + "-" + c.index());
    try {
      Files.createDirectories(FAILURES);
      Files.write(kept, c.input());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String head = String.format(Locale.ROOT, "%s case %d (seed %d, case seed %d): %s; exit %d, stderr: %s", c.kind(),
        c.index(), SEED, c.seed(), problem, c.run().code(), clip(c.run().err(), full ? 2000 : 200));
    if (!full) {
      return head;
    }
    return String.format(Locale.ROOT, "%s%n  mutations: %s%n  stdout: %s%n  input (%d bytes, kept as %s): %s", head,
        c.mutations(), clip(c.run().out(), 300), c.input().length, kept,
        clip(new String(c.input(), StandardCharsets.UTF_8), 3000));
  }

  private static String clip(String s, int max) {
    String e = InputException.escape(s);
    return e.length() <= max ? e : e.substring(0, max) + "... (" + e.length() + " characters)";
  }

  /** The syntax a mutation knows about: where cells, keys and values are. */
  enum Format { YAML, CSV, JSON }

  /** Applies one to three random mutations of the kinds a hostile or careless user makes. */
  static final class Mutator {
    private static final byte[] BYTES = {0, 1, '\t', '\n', '\r', 27, '"', '\'', ',', ':', ';', '[', ']', '{', '}',
        127, (byte) 0x80, (byte) 0xc3, (byte) 0xff, '-', '#', '&', '*', '!', '|', '>', '%', '@', '`', ' ', '\\'};
    private static final String[] NUMBERS = {"1e400", "9223372036854775808", "-1", "0", "NaN", "4000000000",
        "-9223372036854775809", "1e-400", "Infinity", "0.5", "99999999999999999999999", "2147483648", "1048577",
        "65536", "-0", "1e308", "100001"};
    private static final String[] CONTROLS = {"\u0000", "\u0001", "\b", "\u000b", "\f", "\u001b", "\u007f",
        "\u0085", "\u2028", "\r", "\t"};
    private static final String[] NAMES = {"..", ".", "a/b", "../x", "a\\b", "''", "\"a\\u0001b\"", "x y",
        "/etc", "\"\\n\""};
    private static final int OPS = 22;
    private final Random r;
    private final Format format;

    Mutator(Random r, Format format) {
      this.r = r;
      this.format = format;
    }

    byte[] mutate(byte[] in, List<String> log) {
      byte[] b = in;
      int n = 1 + r.nextInt(3);
      for (int i = 0; i < n; i++) {
        b = apply(r.nextInt(OPS), b, log);
      }
      return b;
    }

    private byte[] apply(int op, byte[] b, List<String> log) {
      int at = b.length == 0 ? 0 : r.nextInt(b.length + 1);
      switch (op) {
        case 0 -> {
          if (b.length == 0) {
            return b;
          }
          int p = Math.min(at, b.length - 1);
          int bit = r.nextInt(8);
          log.add("flip bit " + bit + " of byte " + p);
          byte[] c = b.clone();
          c[p] ^= (byte) (1 << bit);
          return c;
        }
        case 1 -> {
          byte x = BYTES[r.nextInt(BYTES.length)];
          log.add("insert byte " + (x & 0xff) + " at " + at);
          return splice(b, at, 0, new byte[] {x});
        }
        case 2 -> {
          int len = Math.min(1 + r.nextInt(8), b.length - Math.min(at, b.length));
          log.add("delete " + len + " bytes at " + at);
          return splice(b, at, len, new byte[0]);
        }
        case 3 -> {
          log.add("truncate at " + at);
          return Arrays.copyOf(b, at);
        }
        case 4, 5, 19 -> {
          List<String> lines = new ArrayList<>(lines(b));
          if (lines.isEmpty()) {
            return b;
          }
          int l = r.nextInt(lines.size());
          if (op == 4) {
            log.add("duplicate line " + (l + 1));
            lines.add(l, lines.get(l));
          } else if (op == 5) {
            log.add("drop line " + (l + 1));
            lines.remove(l);
          } else {
            int m = r.nextInt(lines.size());
            log.add("swap lines " + (l + 1) + " and " + (m + 1));
            String t = lines.get(l);
            lines.set(l, lines.get(m));
            lines.set(m, t);
          }
          return join(lines);
        }
        case 6 -> {
          String from = switch (format) {
            case CSV -> ",";
            case YAML -> r.nextBoolean() ? ":" : ",";
            case JSON -> r.nextBoolean() ? ":" : ",";
          };
          String to = new String[] {";", "\t", "|", " ", "=", ",", ":"}[r.nextInt(7)];
          log.add("replace every '" + InputException.escape(from) + "' by '" + InputException.escape(to) + "'");
          return bytes(text(b).replace(from, to));
        }
        case 7 -> {
          log.add("insert a quote at " + at);
          return splice(b, at, 0, new byte[] {'"'});
        }
        case 8 -> {
          String v = format == Format.JSON ? "\"a\nb\r\tc\"" : "\"line\nbreak\r\tand\u0001control\"";
          log.add("insert a quoted newline at " + at);
          return splice(b, at, 0, v.getBytes(StandardCharsets.UTF_8));
        }
        case 9 -> {
          String t = text(b);
          var m = Pattern.compile("-?\\d+(\\.\\d+)?").matcher(t);
          List<int[]> runs = new ArrayList<>();
          while (m.find()) {
            runs.add(new int[] {m.start(), m.end()});
          }
          if (runs.isEmpty()) {
            return b;
          }
          int[] run = runs.get(r.nextInt(runs.size()));
          String x = NUMBERS[r.nextInt(NUMBERS.length)];
          log.add("replace number '" + t.substring(run[0], run[1]) + "' at " + run[0] + " by " + x);
          return bytes(t.substring(0, run[0]) + x + t.substring(run[1]));
        }
        case 10 -> {
          int depth = format == Format.YAML ? 60 + r.nextInt(200) : 900 + r.nextInt(1200);
          String open = format == Format.JSON && r.nextBoolean() ? "{\"a\":" : "[";
          String close = open.equals("[") ? "]" : "}";
          log.add("insert " + depth + " nested '" + open + "' at " + at);
          return splice(b, at, 0, (open.repeat(depth) + "1" + close.repeat(depth)).getBytes(StandardCharsets.UTF_8));
        }
        case 11 -> {
          log.add("prepend a byte-order mark");
          return splice(b, 0, 0, new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf});
        }
        case 12 -> {
          log.add("empty the file");
          return new byte[0];
        }
        case 13 -> {
          int p = cellStart(b, at);
          log.add("insert 100,001 characters at " + p);
          return splice(b, p, 0, "x".repeat(100_001).getBytes(StandardCharsets.UTF_8));
        }
        case 14 -> {
          List<String> lines = new ArrayList<>(lines(b));
          if (lines.isEmpty()) {
            return b;
          }
          int l = r.nextInt(lines.size());
          log.add("append 600 columns to line " + (l + 1));
          lines.set(l, lines.get(l) + ",c".repeat(600));
          return join(lines);
        }
        case 15 -> {
          List<String> lines = new ArrayList<>(lines(b));
          if (lines.isEmpty()) {
            return b;
          }
          String[] cells = lines.get(0).split(",", -1);
          int c = r.nextInt(cells.length);
          log.add("empty name of header column " + (c + 1));
          cells[c] = r.nextBoolean() ? "" : "  ";
          lines.set(0, String.join(",", cells));
          return join(lines);
        }
        case 16 -> {
          String c = CONTROLS[r.nextInt(CONTROLS.length)];
          log.add("insert control character U+" + String.format(Locale.ROOT, "%04x", (int) c.charAt(0)) + " at "
              + at);
          return splice(b, at, 0, c.getBytes(StandardCharsets.UTF_8));
        }
        case 17 -> {
          List<String> lines = lines(b);
          log.add("keep only the first line");
          return join(lines.isEmpty() ? List.of() : List.of(lines.get(0)));
        }
        case 18 -> {
          byte[] bad = r.nextBoolean() ? new byte[] {(byte) 0xc3, '('} : new byte[] {(byte) 0xff};
          log.add("insert invalid UTF-8 at " + at);
          return splice(b, at, 0, bad);
        }
        case 20 -> {
          String[] values = switch (format) {
            case CSV -> new String[] {"", " ", "NaN", "-0", "1e400", "null", "true", "\"\"", "\"a,b\"", "0x10"};
            case JSON -> new String[] {"null", "[]", "{}", "\"\"", "true", "-1", "1e400", "\"12\"", "[1,2]"};
            case YAML -> new String[] {"~", "[]", "{}", "''", "!!binary x", "*alias", "&a x", "? x", "|", "-1",
                ".inf", ".nan"};
          };
          String v = values[r.nextInt(values.length)];
          String t = text(b);
          String sep = format == Format.CSV ? "," : ":";
          int p = t.indexOf(sep, Math.min(at, t.length()));
          if (p < 0) {
            return b;
          }
          int end = p + 1;
          while (end < t.length() && ",\n}]".indexOf(t.charAt(end)) < 0) {
            end++;
          }
          log.add("replace the value after offset " + p + " by " + v);
          return bytes(t.substring(0, p + 1) + (format == Format.CSV ? "" : " ") + v + t.substring(end));
        }
        case 21 -> {
          if (format != Format.YAML) {
            return apply(16, b, log);
          }
          String name = NAMES[r.nextInt(NAMES.length)];
          log.add("name the sweep " + name);
          return bytes(text(b).replaceFirst("(?m)^name:.*$", Matcher.quoteReplacement("name: " + name)));
        }
        default -> throw new IllegalStateException("operation " + op);
      }
    }

    /** A position just after a cell or value separator near {@code at}, else {@code at}. */
    private static int cellStart(byte[] b, int at) {
      for (int i = Math.min(at, b.length) - 1; i >= 0; i--) {
        if (b[i] == ',' || b[i] == '\n' || b[i] == ':') {
          return i + 1;
        }
      }
      return Math.min(at, b.length);
    }

    private static byte[] splice(byte[] b, int at, int remove, byte[] insert) {
      int p = Math.min(at, b.length);
      int q = Math.min(b.length, p + remove);
      byte[] out = new byte[p + insert.length + b.length - q];
      System.arraycopy(b, 0, out, 0, p);
      System.arraycopy(insert, 0, out, p, insert.length);
      System.arraycopy(b, q, out, p + insert.length, b.length - q);
      return out;
    }

    /** One character per byte, so that edits keep every other byte as it was. */
    private static String text(byte[] b) {
      return new String(b, StandardCharsets.ISO_8859_1);
    }

    private static List<String> lines(byte[] b) {
      String t = text(b);
      return t.isEmpty() ? List.of() : Arrays.asList(t.split("\n", -1));
    }

    private static byte[] join(List<String> lines) {
      return bytes(String.join("\n", lines));
    }

    /** The bytes of {@link #text}: byte for byte what it was read from. */
    private static byte[] bytes(String text) {
      return text.getBytes(StandardCharsets.ISO_8859_1);
    }
  }
}
