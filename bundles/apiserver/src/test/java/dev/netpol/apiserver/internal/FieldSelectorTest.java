package dev.netpol.apiserver.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class FieldSelectorTest {
  private static ObjectNode pod() throws Exception {
    return (ObjectNode)
        Json.MAPPER.readTree(
            "{\"metadata\":{\"name\":\"p1\",\"namespace\":\"ns1\"},\"spec\":{\"nodeName\":\"node-1\"},\"status\":{\"phase\":\"Running\"}}");
  }

  @Test
  void matchesPaths() throws Exception {
    assertTrue(FieldSelector.parse("spec.nodeName=node-1").matches(pod()));
    assertFalse(FieldSelector.parse("spec.nodeName=node-2").matches(pod()));
    assertTrue(FieldSelector.parse("metadata.name==p1,metadata.namespace=ns1").matches(pod()));
    assertTrue(FieldSelector.parse("status.phase!=Pending").matches(pod()));
    assertFalse(FieldSelector.parse("metadata.name=p1,metadata.namespace!=ns1").matches(pod()));
  }

  @Test
  void missingFieldIsEmpty() throws Exception {
    assertTrue(FieldSelector.parse("spec.hostname=").matches(pod()));
    assertFalse(FieldSelector.parse("spec.hostname=x").matches(pod()));
  }

  @Test
  void rejectsTermsWithoutOperator() {
    assertEquals(
        400, assertThrows(ApiException.class, () -> FieldSelector.parse("spec.nodeName")).code());
  }
}
