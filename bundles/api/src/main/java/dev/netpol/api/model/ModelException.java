package dev.netpol.api.model;

/** A value of the domain model is invalid; the message starts with the field that holds it. */
public final class ModelException extends IllegalArgumentException {
  private final String field;

  public ModelException(String field, String reason) {
    super(field + ": " + reason);
    this.field = field;
  }

  /** Path of the offending field, e.g. {@code spec.ingress[0].ports[1].endPort}. */
  public String field() {
    return field;
  }
}
