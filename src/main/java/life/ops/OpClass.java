package life.ops;

/** Operator family, the grouping of the paper's compute mix (Table 4: GEMM vs BMM share) and of breakdowns. */
public enum OpClass {
  GEMM,
  BMM,
  ELEMENTWISE,
  NONLINEAR,
  NORM,
  ROPE,
  SOFTMAX,
  EMBEDDING,
  LM_HEAD,
  KV_CACHE,
  /** Collectives between the devices of a tensor-parallel model (all-reduce), timed at the link's bandwidth. */
  COMM,
  /** Host work per sequence of a serving engine (sampling, scheduling), not a kernel. */
  HOST;

  public String id() {
    return life.spec.Names.id(this);
  }
}
