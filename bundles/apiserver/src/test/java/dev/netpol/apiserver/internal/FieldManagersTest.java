package dev.netpol.apiserver.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class FieldManagersTest {
  private static final ResourceType POD = ResourceRegistry.PODS;

  private static ObjectNode j(String s) throws Exception {
    return (ObjectNode) Json.MAPPER.readTree(s.replace('\'', '"'));
  }

  @Test
  void anElementAnotherManagerAlsoOwnsIsKeptWhenTheApplierDropsIt() throws Exception {
    ObjectNode v1 =
        FieldManagers.apply(
            null,
            j("{'spec':{'containers':[{'name':'a','image':'x'},{'name':'b','image':'y'}]}}"),
            "ci",
            false,
            POD);
    // another manager sets b's imagePullPolicy: it now owns a field inside element b
    ObjectNode edited = v1.deepCopy();
    ((ObjectNode) edited.at("/spec/containers/1")).put("imagePullPolicy", "Always");
    FieldManagers.recordUpdate(v1, edited, "kubectl-edit", POD);
    ObjectNode v2 =
        FieldManagers.apply(
            edited, j("{'spec':{'containers':[{'name':'a','image':'x'}]}}"), "ci", false, POD);
    assertEquals(2, v2.at("/spec/containers").size(), "b stays: kubectl-edit owns part of it");
    assertEquals("y", v2.at("/spec/containers/1/image").asText(), v2.toString());
    // without the other owner, the dropped element goes
    ObjectNode v3 =
        FieldManagers.apply(
            v1, j("{'spec':{'containers':[{'name':'a','image':'x'}]}}"), "ci", false, POD);
    assertEquals(1, v3.at("/spec/containers").size(), v3.toString());
  }

  @Test
  void conflictsNameTheOwnerAndForceTakesTheFieldOver() throws Exception {
    ObjectNode v1 = FieldManagers.apply(null, j("{'spec':{'nodeName':'n1'}}"), "a", false, POD);
    ApiException e =
        assertThrows(
            ApiException.class,
            () -> FieldManagers.apply(v1, j("{'spec':{'nodeName':'n2'}}"), "b", false, POD));
    assertEquals(409, e.code());
    assertEquals(
        "Apply failed with 1 conflict: conflict with \"a\" using v1: .spec.nodeName",
        e.getMessage());
    // the same value is no conflict: both own it
    ObjectNode shared = FieldManagers.apply(v1, j("{'spec':{'nodeName':'n1'}}"), "b", false, POD);
    assertEquals(2, shared.at("/metadata/managedFields").size());
    ObjectNode forced = FieldManagers.apply(v1, j("{'spec':{'nodeName':'n2'}}"), "b", true, POD);
    assertEquals("n2", forced.at("/spec/nodeName").asText());
    assertEquals(1, forced.at("/metadata/managedFields").size(), "a lost its only field");
    assertEquals("b", forced.at("/metadata/managedFields/0/manager").asText());
  }

  @Test
  void updatesTakeChangedFieldsAndRequestManagedFieldsReplaceTheStoredOnes() throws Exception {
    ObjectNode v1 =
        FieldManagers.apply(null, j("{'metadata':{'labels':{'x':'1'}}}"), "a", false, POD);
    ObjectNode v2 = v1.deepCopy();
    ((ObjectNode) v2.at("/metadata/labels")).put("x", "2");
    FieldManagers.recordUpdate(v1, v2, "kubectl-label", POD);
    assertEquals("kubectl-label", v2.at("/metadata/managedFields/0/manager").asText());
    assertEquals(1, v2.at("/metadata/managedFields").size(), "a owned only x, now taken");
    ObjectNode v3 = v2.deepCopy();
    Json.meta(v3).putArray("managedFields");
    FieldManagers.recordUpdate(v2, v3, "someone", POD);
    assertTrue(v3.at("/metadata/managedFields").isMissingNode(), "an empty list resets them");
  }
}
