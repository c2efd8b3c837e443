package dev.netpol.apiserver.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One change in the store. For DELETED, object is the last state stamped with the deletion's
 * resourceVersion. previous is the state before the change (null for ADDED).
 */
public record StoreEvent(
    String type, String storageKey, ObjectNode previous, ObjectNode object, long resourceVersion) {
  public static final String ADDED = "ADDED";
  public static final String MODIFIED = "MODIFIED";
  public static final String DELETED = "DELETED";
}
