package life.cli;

import static life.cli.CliTest.assertOneLineError;
import static life.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import life.exec.FolderLock;
import life.exec.Manifest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a result folder guarantees against two writers, kills, planted links and damaged or changed inputs: each
 * defect of the reliability issue through the command line, with a second process where it takes one.
 */
final class OutputSafetyTest {
  private static final String SWEEP = """
      name: small
      axes:
        model: [llama-2-7b, mistral-7b, phi-3-mini]
        hardware: [nvidia-rtx-4090, apple-m2-max-38c, nvidia-l4]
        weights: [none, int4]
        prompt: [512, 2048, 3900]
        output: [64, 300]
        batch: [1, 16]
        stack: [none]
      objectives: [tpot_ms:min, price_usd:min]
      """;

  /** 357,120 points in 179 chunks of 2,000: long enough that a second process is stopped half-way. */
  private static final String BIG = """
      name: big
      axes:
        hardware: all
        model: [llama-2-7b, mistral-7b, phi-3-mini, llama-3.1-8b]
        weights: [none, int8, int4, q4_k_m]
        prompt: {from: 256, to: 4096, step: 256}
        output: [16, 64, 256]
        batch: [1, 4, 16, 32, 64]
        stack: [none]
      """;

  @TempDir Path dir;
  private Path sweep;
  private Path victim;

  @BeforeEach
  void files() throws IOException {
    sweep = dir.resolve("small.yaml");
    Files.writeString(sweep, SWEEP);
    victim = dir.resolve("outside.txt");
    Files.writeString(victim, "not yours");
  }

  private String out(String name) {
    return dir.resolve(name).toString();
  }

  private CliTest.Run sweep(String out, String... extra) {
    List<String> a = new ArrayList<>(List.of("sweep", sweep.toString(), "--out", out(out), "--quiet"));
    if (!List.of(extra).contains("--resume")) {
      a.addAll(List.of("--part-rows", "50"));
    }
    a.addAll(List.of(extra));
    return run(a.toArray(new String[0]));
  }

  /** Every file under a result folder's {@code parts/}, by name. */
  private static Map<String, byte[]> parts(Path folder) throws IOException {
    Map<String, byte[]> m = new TreeMap<>();
    try (var s = Files.list(folder.resolve("parts"))) {
      for (Path p : s.toList()) {
        m.put(p.getFileName().toString(), Files.readAllBytes(p));
      }
    }
    return m;
  }

  private static void assertSameTables(Path a, Path b) throws IOException {
    Map<String, byte[]> pa = parts(a);
    Map<String, byte[]> pb = parts(b);
    assertEquals(pa.keySet(), pb.keySet());
    pa.forEach((k, v) -> assertArrayEquals(v, pb.get(k), k));
    assertArrayEquals(Files.readAllBytes(a.resolve("results.csv")), Files.readAllBytes(b.resolve("results.csv")));
  }

  /** {@code life ARGS} in a new JVM on this test's class path. */
  private static Process child(Path log, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "life.cli.Main"));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  /** Waits until the child's result folder records {@code chunks} finished chunks; fails if it ends first. */
  private static void awaitChunks(Process p, Path out, long chunks) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      assertTrue(p.isAlive(), "the child process ended before it was stopped");
      Path mf = out.resolve("manifest.json");
      if (Files.isRegularFile(mf)) {
        try {
          if (Manifest.read(mf).completedCount() >= chunks) {
            return;
          }
        } catch (IllegalArgumentException e) {
          // Read between writes of a rename: try again.
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no progress in 120 s");
  }

  @Test
  void secondWriter_inAnotherProcess_isRefusedInOneLine() throws Exception {
    assertEquals(0, sweep("r", "--stop-after-chunks", "1").code());
    Map<String, byte[]> before = parts(dir.resolve("r"));
    FolderLock held = FolderLock.acquire(dir.resolve("r"), "a test");
    try {
      Path log = dir.resolve("child.log");
      Process p = child(log, "sweep", sweep.toString(), "--out", out("r"), "--resume", "--quiet");
      assertTrue(p.waitFor(120, TimeUnit.SECONDS));
      assertEquals(1, p.exitValue());
      List<String> lines = Files.readAllLines(log);
      assertEquals(1, lines.size(), lines.toString());
      assertTrue(lines.get(0).startsWith("life: error: " + out("r") + " is in use by another life process (pid "
          + ProcessHandle.current().pid() + ", a test, since "), lines.get(0));
      assertOneLineError(sweep("r", "--resume"), "is in use by another");
      assertOneLineError(run("pareto", out("r")), "is in use by another");
      assertOneLineError(run("report", out("r")), "is in use by another");
    } finally {
      held.close();
    }
    assertEquals(before.keySet(), parts(dir.resolve("r")).keySet(), "the refused writers wrote nothing");
    assertEquals(0, sweep("r", "--resume").code(), "free again once the holder ends");
  }

  /**
   * A writer killed with SIGKILL leaves its lock to the system, which drops it: the next run takes the folder and a
   * resume gives the tables of an uninterrupted run. SIGTERM stops at a chunk boundary and says how to resume.
   */
  @Test
  void killedOrStoppedWriter_resumesToTheSameTables() throws Exception {
    Path big = dir.resolve("big.yaml");
    Files.writeString(big, BIG);
    Path whole = dir.resolve("whole");
    assertEquals(0, run("sweep", big.toString(), "--out", whole.toString(), "--quiet", "--part-rows", "2000",
        "--format", "csv").code());
    for (boolean kill : new boolean[] {true, false}) {
      Path out = dir.resolve(kill ? "killed" : "stopped");
      Path log = dir.resolve(kill ? "killed.log" : "stopped.log");
      Process p = child(log, "sweep", big.toString(), "--out", out.toString(), "--quiet", "--threads", "1",
          "--part-rows", "2000", "--format", "csv");
      awaitChunks(p, out, 2);
      if (kill) {
        p.destroyForcibly();
      } else {
        p.destroy();
      }
      assertTrue(p.waitFor(120, TimeUnit.SECONDS));
      String said = Files.readString(log);
      if (!kill) {
        // The sweep's chunks of 2,000 points: as many as the catalog's devices make.
        long chunks = (new life.sweep.Plan(life.sweep.SweepFile.read(big)).points() + 1999) / 2000;
        assertTrue(said.lines().anyMatch(l -> l.matches("life: stopped with \\d+ of " + chunks + " chunks done; "
            + "continue with: life sweep " + big + " --out " + out + " --resume")), said);
      }
      assertEquals(0, run("sweep", big.toString(), "--out", out.toString(), "--resume", "--quiet").code());
      assertSameTables(whole, out);
    }
  }

  @Test
  void plantedLinks_atEveryTemporaryName_areNeverWrittenThrough() throws Exception {
    assertEquals(0, sweep("r", "--stop-after-chunks", "1").code());
    Path r = dir.resolve("r");
    List<Path> planted = new ArrayList<>();
    for (int k = 0; k < 40; k++) {
      for (String ext : List.of(".csv", ".parquet")) {
        planted.add(r.resolve("parts").resolve(String.format("part-%08d%s.tmp", k, ext)));
      }
    }
    planted.addAll(List.of(r.resolve("manifest.json.tmp"), r.resolve("results.csv.tmp")));
    for (Path p : planted) {
      Files.createSymbolicLink(p, victim);
    }
    assertEquals(0, sweep("r", "--resume").code());
    for (String name : List.of("pareto.csv", "pareto.parquet", "report.html", "summary.csv")) {
      Files.createSymbolicLink(r.resolve(name + ".tmp"), victim);
    }
    Files.createSymbolicLink(r.resolve("pareto.commit.tmp"), victim);
    Files.createSymbolicLink(r.resolve("report.commit.tmp"), victim);
    Files.createSymbolicLink(r.resolve("pareto.csv"), victim);
    assertEquals(0, run("pareto", r.toString()).code());
    assertEquals(0, run("report", r.toString()).code());

    assertEquals("not yours", Files.readString(victim));
    for (String name : List.of("manifest.json", "results.csv", "pareto.csv", "pareto.parquet", "report.html",
        "summary.csv")) {
      assertTrue(Files.isRegularFile(r.resolve(name), LinkOption.NOFOLLOW_LINKS), name + " is a regular file");
    }
    try (var s = Files.walk(r)) {
      assertEquals(List.of(), s.filter(Files::isSymbolicLink).toList(), "no link left in the folder");
    }
    assertEquals(0, sweep("whole").code());
    assertSameTables(dir.resolve("whole"), r);

    Path locked = dir.resolve("locked");
    Files.createDirectories(locked);
    Files.createSymbolicLink(locked.resolve(FolderLock.NAME), victim);
    assertOneLineError(sweep("locked"), "is a link, not a lock file");
    Path linkedParts = dir.resolve("linked-parts");
    Files.createDirectories(linkedParts);
    Files.createSymbolicLink(linkedParts.resolve("parts"), dir);
    assertOneLineError(sweep("linked-parts"), "is not empty");
    assertEquals("not yours", Files.readString(victim));
  }

  @Test
  void resume_refusesWhatChangedSinceTheRunStarted() throws Exception {
    String h100 = Files.readAllLines(Path.of("src/main/resources/catalog/hardware.csv")).stream()
        .filter(l -> l.startsWith("nvidia-h100-sxm5-80gb,")).findFirst().orElseThrow();
    String header = Files.readAllLines(Path.of("src/main/resources/catalog/hardware.csv")).get(0);
    Path devices = dir.resolve("devices.csv");
    Files.writeString(devices, header + "\n" + h100.replaceFirst("^nvidia-h100-sxm5-80gb,", "my-h100,") + "\n");
    Files.writeString(sweep, SWEEP.replace("hardware: [nvidia-rtx-4090,", "hardware: [my-h100,")
        .replace("axes:", "hardware_files: [devices.csv]\naxes:"));
    assertEquals(0, sweep("r", "--stop-after-chunks", "2").code());
    Path r = dir.resolve("r");

    Files.writeString(devices, Files.readString(devices).replace(",700,", ",701,"));
    assertOneLineError(sweep("r", "--resume"), "cannot resume " + r + ": the input file devices.csv changed since "
        + "the run started");
    Files.writeString(devices, Files.readString(devices).replace(",701,", ",700,"));

    Path mf = r.resolve("manifest.json");
    String manifest = Files.readString(mf);
    Files.writeString(mf, manifest.replace("\"tool_version\" : \"" + life.exec.SweepRunner.VERSION + "\"",
        "\"tool_version\" : \"0.0.9\""));
    assertOneLineError(sweep("r", "--resume"), "it was made by life 0.0.9, this is life " + life.exec.SweepRunner.VERSION);
    Files.writeString(mf, manifest);

    Path part = r.resolve("parts").resolve("part-00000001.csv");
    byte[] good = Files.readAllBytes(part);
    Files.write(part, java.util.Arrays.copyOf(good, good.length - 10));
    assertOneLineError(sweep("r", "--resume"), "the finished part " + part + " has " + (good.length - 10)
        + " bytes, the manifest recorded " + good.length);
    byte[] flipped = good.clone();
    flipped[good.length / 2] ^= 1;
    Files.write(part, flipped);
    assertOneLineError(sweep("r", "--resume"), "the finished part " + part + " is damaged (CRC32C");
    Files.delete(part);
    assertOneLineError(sweep("r", "--resume"), "the finished part " + part + " is missing (chunk 1)");
    Files.write(part, good);

    assertOneLineError(sweep("r", "--resume", "--part-rows", "60"), "it was run with --part-rows 50");
    assertEquals(0, sweep("r", "--resume").code(), "settings come from the manifest");
    assertTrue(Manifest.read(mf).complete);
  }

  @Test
  void resume_readsItsSettingsFromTheManifest_andKeepsItsKeyOrder() throws Exception {
    assertEquals(0, run("sweep", sweep.toString(), "--out", out("r"), "--quiet", "--part-rows", "40", "--format",
        "csv", "--stop-after-chunks", "1").code());
    Path mf = dir.resolve("r").resolve("manifest.json");
    List<String> keys = keys(mf);
    assertEquals(List.of("tool", "tool_version", "sweep_name", "sweep_file", "sweep_sha256", "inputs", "points",
        "part_rows", "chunks", "shard_index", "shard_count", "formats", "schema", "objectives", "completed", "parts",
        "jobs", "rows", "failed", "removed_by", "started", "updated", "elapsed_s", "complete"), keys);
    assertEquals(0, run("sweep", sweep.toString(), "--out", out("r"), "--quiet", "--resume").code());
    assertEquals(keys, keys(mf));
    JsonNode m = new ObjectMapper().readTree(mf.toFile());
    for (JsonNode column : m.get("schema")) {
      assertEquals(List.of("name", "type"), fieldNames(column));
    }
    assertEquals(40, m.get("part_rows").asInt());
    assertEquals("[\"csv\"]", m.get("formats").toString());
    assertTrue(m.get("complete").asBoolean());
  }

  private static List<String> keys(Path mf) throws IOException {
    return fieldNames(new ObjectMapper().readTree(mf.toFile()));
  }

  private static List<String> fieldNames(JsonNode n) {
    List<String> out = new ArrayList<>();
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      out.add(it.next());
    }
    return out;
  }

  /**
   * A merge stopped half-way leaves a manifest that says what was copied and that it is not complete; a second merge
   * without {@code --resume} is refused, with it the merge finishes equal to a single run. A damaged shard part is
   * refused before it is published.
   */
  @Test
  void interruptedMerge_resumes_andDamagedShardsAreRefused() throws Exception {
    assertEquals(0, sweep("whole").code());
    List<String> shards = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      assertEquals(0, sweep("s" + i, "--shard", i + "/3").code());
      shards.add(out("s" + i));
    }
    List<String> merge = new ArrayList<>(List.of("merge"));
    merge.addAll(shards);
    merge.addAll(List.of("--out", out("m")));
    assertEquals(0, run(merge.toArray(new String[0])).code());
    Path m = dir.resolve("m");
    assertSameTables(dir.resolve("whole"), m);

    // The state a merge leaves when it stops after its first chunks: chunks 3.. not yet recorded or copied.
    ObjectNode json = (ObjectNode) new ObjectMapper().readTree(m.resolve("manifest.json").toFile());
    ArrayNode completed = json.putArray("completed");
    completed.addArray().add(0).add(2);
    ObjectNode sums = (ObjectNode) json.get("parts");
    for (Iterator<String> it = sums.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      int k = Integer.parseInt(name.substring(5, 13));
      if (k > 2) {
        it.remove();
        Files.delete(m.resolve("parts").resolve(name));
      }
    }
    json.put("complete", false);
    json.put("rows", 0);
    Files.delete(m.resolve("results.csv"));
    Files.writeString(m.resolve("manifest.json"), json.toPrettyString());
    Files.writeString(m.resolve("parts").resolve("part-00000003.csv.tmp"), "half a part");

    assertOneLineError(run(merge.toArray(new String[0])), "is not empty (--resume continues an interrupted merge");
    merge.add("--resume");
    assertEquals(0, run(merge.toArray(new String[0])).code());
    assertSameTables(dir.resolve("whole"), m);
    assertTrue(Manifest.read(m.resolve("manifest.json")).complete);

    Path part = dir.resolve("s1").resolve("parts").resolve("part-00000001.parquet");
    byte[] b = Files.readAllBytes(part);
    b[b.length / 2] ^= 1;
    Files.write(part, b);
    merge.remove("--resume");
    merge.set(merge.size() - 1, out("m2"));
    assertOneLineError(run(merge.toArray(new String[0])), "cannot merge: the shard part " + part + " is damaged");
    assertFalse(Files.exists(dir.resolve("m2").resolve("parts").resolve("part-00000001.parquet")));
  }

  /** {@code pareto} and {@code report} refuse a folder whose parts went missing or changed since they were written. */
  @Test
  void pareto_refusesMissingOrChangedParts() throws Exception {
    assertEquals(0, sweep("r").code());
    Path r = dir.resolve("r");
    Path part = r.resolve("parts").resolve("part-00000002.csv");
    byte[] good = Files.readAllBytes(part);
    Files.delete(part);
    assertOneLineError(run("pareto", r.toString()), "cannot read " + r + ": the finished part " + part
        + " is missing");
    Files.write(part, java.util.Arrays.copyOf(good, 1000));
    assertOneLineError(run("report", r.toString()), "has 1000 bytes, the manifest recorded " + good.length);
    // A spliced line: the same size, a separator moved from one line to the next.
    String text = new String(good, StandardCharsets.UTF_8);
    int comma = text.indexOf(',', text.indexOf('\n', text.length() / 2));
    int next = text.indexOf('\n', comma);
    String spliced = text.substring(0, comma) + text.substring(comma + 1, next + 1) + "," + text.substring(next + 1);
    assertEquals(good.length, spliced.getBytes(StandardCharsets.UTF_8).length);
    Files.writeString(part, text.replace(",ok", ",ko"));
    assertOneLineError(run("pareto", r.toString()), "cannot read " + part + ": it is damaged (CRC32C");
    Files.writeString(part, spliced);
    assertOneLineError(run("pareto", r.toString()), "cannot read " + part + ": line ");
    assertFalse(Files.exists(r.resolve("pareto.csv")), "nothing written");
  }

  /** A file system error names the path and what is wrong with it, not the path alone. */
  @Test
  void fileSystemErrors_sayWhatIsWrong() throws Exception {
    Path file = dir.resolve("f.txt");
    Files.writeString(file, "a file");
    CliTest.Run r = sweep("f.txt/out");
    assertOneLineError(r, "f.txt");
    assertTrue(r.err().strip().matches("life: error: .*f\\.txt[^ ]*: \\S.*"), r.err());
    Path missing = dir.resolve("nope").resolve("part.csv");
    assertEquals("%s: does not exist".formatted(missing),
        Main.describe(new java.nio.file.NoSuchFileException(missing.toString())));
  }

  /** A frontier whose commit stopped half-way is finished by the next command that takes the folder. */
  @Test
  void interruptedParetoCommit_isFinishedByTheNextCommand() throws Exception {
    assertEquals(0, sweep("r").code());
    Path r = dir.resolve("r");
    assertEquals(0, run("pareto", r.toString(), "--where", "batch >= 16").code());
    byte[] oneObjective = Files.readAllBytes(r.resolve("pareto.csv"));
    assertEquals(0, run("pareto", r.toString()).code());
    byte[] twoCsv = Files.readAllBytes(r.resolve("pareto.csv"));
    byte[] twoParquet = Files.readAllBytes(r.resolve("pareto.parquet"));
    assertFalse(java.util.Arrays.equals(oneObjective, twoCsv));

    // The new pair written and journalled, the old CSV already replaced, the old Parquet still there.
    Files.write(r.resolve("pareto.parquet.tmp"), twoParquet);
    Files.writeString(r.resolve("pareto.commit"), "pareto.csv\npareto.parquet\n", StandardCharsets.UTF_8);
    Files.write(r.resolve("pareto.parquet"), Files.readAllBytes(r.resolve("pareto.csv")));
    assertEquals(0, run("report", r.toString()).code());
    assertArrayEquals(twoParquet, Files.readAllBytes(r.resolve("pareto.parquet")));
    assertArrayEquals(twoCsv, Files.readAllBytes(r.resolve("pareto.csv")));
    assertFalse(Files.exists(r.resolve("pareto.commit")));
    try (var s = Files.list(r)) {
      assertEquals(List.of(), s.filter(p -> p.toString().endsWith(".tmp")).toList());
    }
  }
}
