package life.forecast;

/** Which roofline term dominates a phase's time. */
public enum Bound {
  COMPUTE,
  MEMORY;

  private final String id = life.spec.Names.id(this);

  public String id() {
    return id;
  }
}
