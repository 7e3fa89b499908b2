package life.forecast;

/** Which roofline term dominates a phase's time. */
public enum Bound {
  COMPUTE,
  MEMORY;

  public String id() {
    return life.spec.Names.id(this);
  }
}
