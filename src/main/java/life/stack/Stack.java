package life.stack;

import java.time.LocalDate;
import java.util.Map;

/**
 * A serving stack: engine (llama.cpp, vLLM, TensorRT-LLM, ...) on a device API (cuda, rocm, metal, vulkan, sycl,
 * cpu, npu, ...) at a version or date, with the kernel settings in force then ({@link StackSettings}) and the source
 * of each. Written {@code engine/api@version}; built only by {@link Stacks#parse}.
 *
 * @param engine the serving engine, {@code none} for the raw roofline
 * @param api the device API the engine runs on
 * @param version the version as the user gave it: {@code current}, a date ({@code 2024-05}) or a release
 *     ({@code 0.6.0}, {@code b2824})
 * @param date the date whose defaults apply
 * @param settings the settings, after any user overrides
 * @param sources where each setting's value comes from (a PR, release note or source file; {@code user} when
 *     overridden)
 */
public record Stack(String engine, String api, String version, LocalDate date, StackSettings settings,
    Map<String, String> sources) {

  /** No stack: the operator graph's raw roofline with the device kind's efficiencies. */
  public static final Stack NONE = new Stack("none", "", "", LocalDate.MIN, StackSettings.NONE, Map.of());

  public Stack {
    sources = Map.copyOf(sources);
  }

  /** {@code engine/api}: the key of the stack's fitted efficiencies ({@code catalog/backends.csv}). */
  public String name() {
    return engine.equals("none") ? "none" : engine + "/" + api;
  }

  /** {@code engine/api@version}, or {@code none}. */
  public String id() {
    return engine.equals("none") ? "none" : name() + "@" + version;
  }

  public boolean none() {
    return engine.equals("none");
  }

  /** This stack with setting {@code name} set by the user. */
  public Stack with(String name, String value) {
    java.util.Map<String, String> s = new java.util.TreeMap<>(sources);
    s.put(name, "user");
    return new Stack(engine, api, version, date, settings.with(name, value), s);
  }

  @Override
  public String toString() {
    return id();
  }
}
