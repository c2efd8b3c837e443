package dev.netpol.apiserver.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Defaulting and validation of one kind, run on every create and update (old is null on create).
 */
public interface KindRules {
  default void applyDefaults(ObjectNode obj, ObjectNode old) {}

  default List<FieldError> validate(ObjectNode obj, ObjectNode old) {
    return List.of();
  }
}
