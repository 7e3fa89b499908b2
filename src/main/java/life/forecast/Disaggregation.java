package life.forecast;

/**
 * Disaggregated serving: prompts run on {@code prefill} instances and decoding on {@code decode} others (each instance
 * the scenario's devices and parallelism), the KV cache of each prompt moving from one to the other over a link
 * (DistServe, Zhong et al. 2024; Splitwise, Patel et al. 2024). The transfer delays a request's second token; the
 * decode instances never pause for a prefill.
 *
 * @param prefill instances that run prompts (0: not disaggregated)
 * @param decode instances that decode
 * @param linkGbps GB/s each device sends its share of the cache at; 0: the device's {@code link_gbps}
 */
public record Disaggregation(int prefill, int decode, double linkGbps) {
  public static final Disaggregation NONE = new Disaggregation(0, 0, 0);

  /** Most instances on either side. */
  public static final int MAX_INSTANCES = 1024;

  public Disaggregation {
    if (prefill != 0 || decode != 0) {
      if (prefill < 1 || decode < 1 || prefill > MAX_INSTANCES || decode > MAX_INSTANCES) {
        throw new IllegalArgumentException("disaggregation needs 1 to " + MAX_INSTANCES + " prefill and decode "
            + "instances (P:D), got " + prefill + ":" + decode);
      }
      if (!(linkGbps >= 0 && linkGbps <= 1e6)) {
        throw new IllegalArgumentException("the KV link must be from 0 (the device's link_gbps) to 1e6 GB/s, got "
            + linkGbps);
      }
    }
  }

  /** {@code none}, or {@code P:D} or {@code P:D@GBPS}: P prefill and D decode instances, the KV link's GB/s. */
  public static Disaggregation parse(String text) {
    String t = text.trim();
    if (t.equals("none")) {
      return NONE;
    }
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,4}):(\\d{1,4})(?:@([0-9.eE+]+))?")
        .matcher(t);
    if (!m.matches()) {
      throw new IllegalArgumentException("disaggregation must be none, P:D or P:D@GBPS (prefill and decode instances, "
          + "the KV link's GB/s; e.g. 1:2 or 2:3@50); got '" + text + "'");
    }
    double gbps = m.group(3) == null ? 0 : Double.parseDouble(m.group(3));
    return new Disaggregation(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), gbps);
  }

  public boolean active() {
    return prefill > 0;
  }

  public String id() {
    return active() ? prefill + ":" + decode + (linkGbps > 0 ? "@" + linkGbps : "") : "none";
  }
}
