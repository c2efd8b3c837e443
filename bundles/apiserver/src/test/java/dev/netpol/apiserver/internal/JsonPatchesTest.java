package dev.netpol.apiserver.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class JsonPatchesTest {
  private static JsonNode j(String s) throws Exception {
    return Json.MAPPER.readTree(s.replace('\'', '"'));
  }

  @Test
  void allOperations() throws Exception {
    JsonNode doc = j("{'a':{'b':[1,2]},'c':'x','d~e':1,'f/g':2}");
    JsonNode out =
        JsonPatches.apply(
            doc,
            j(
                "["
                    + "{'op':'add','path':'/a/b/1','value':9},"
                    + "{'op':'add','path':'/a/b/-','value':3},"
                    + "{'op':'remove','path':'/c'},"
                    + "{'op':'replace','path':'/d~0e','value':5},"
                    + "{'op':'move','from':'/f~1g','path':'/moved'},"
                    + "{'op':'copy','from':'/a/b','path':'/copy'},"
                    + "{'op':'test','path':'/moved','value':2}]"));
    assertEquals(j("{'a':{'b':[1,9,2,3]},'d~e':5,'moved':2,'copy':[1,9,2,3]}"), out);
    assertEquals(j("{'a':{'b':[1,2]},'c':'x','d~e':1,'f/g':2}"), doc, "the input is not changed");
  }

  @Test
  void addCreatesMapKeysAndReplacesExisting() throws Exception {
    assertEquals(
        j("{'metadata':{'labels':{'k':'v'}}}"),
        JsonPatches.apply(
            j("{'metadata':{'labels':{}}}"),
            j("[{'op':'add','path':'/metadata/labels/k','value':'v'}]")));
    assertEquals(
        j("{'a':2}"), JsonPatches.apply(j("{'a':1}"), j("[{'op':'add','path':'/a','value':2}]")));
  }

  @Test
  void failuresAre422() {
    assertEquals(
        422,
        assertThrows(
                ApiException.class,
                () -> JsonPatches.apply(j("{'a':1}"), j("[{'op':'test','path':'/a','value':2}]")))
            .code());
    assertEquals(
        422,
        assertThrows(
                ApiException.class,
                () -> JsonPatches.apply(j("{'a':1}"), j("[{'op':'remove','path':'/b'}]")))
            .code());
    assertEquals(
        422,
        assertThrows(
                ApiException.class,
                () ->
                    JsonPatches.apply(
                        j("{'a':[1]}"), j("[{'op':'replace','path':'/a/5','value':1}]")))
            .code());
    assertEquals(
        422,
        assertThrows(
                ApiException.class,
                () -> JsonPatches.apply(j("{'a':1}"), j("[{'op':'add','path':'/x/y','value':1}]")))
            .code());
    assertEquals(
        400, assertThrows(ApiException.class, () -> JsonPatches.apply(j("{}"), j("{}"))).code());
  }

  @Test
  void rfc6902Semantics() throws Exception {
    // operations apply in order to the result of the previous one; a failing test stops all
    assertEquals(
        j("{'a':[0,1]}"),
        JsonPatches.apply(
            j("{'a':[1]}"),
            j("[{'op':'add','path':'/a/0','value':0},{'op':'test','path':'/a/1','value':1}]")));
    ApiException failed =
        assertThrows(
            ApiException.class,
            () ->
                JsonPatches.apply(
                    j("{'a':1,'b':1}"),
                    j("[{'op':'remove','path':'/a'},{'op':'test','path':'/b','value':'1'}]")));
    assertEquals(422, failed.code());
    assertEquals("Invalid", failed.reason());
    assertTrue(failed.getMessage().contains("/b"), failed.getMessage());
    // test compares whole values, including arrays and objects
    assertEquals(
        j("{'a':{'x':[1,{'y':2}]}}"),
        JsonPatches.apply(
            j("{'a':{'x':[1,{'y':2}]}}"),
            j("[{'op':'test','path':'/a','value':{'x':[1,{'y':2}]}}]")));
    // replace needs an existing target; an unknown op is rejected
    assertEquals(
        422,
        assertThrows(
                ApiException.class,
                () -> JsonPatches.apply(j("{}"), j("[{'op':'replace','path':'/a','value':1}]")))
            .code());
    assertEquals(
        422,
        assertThrows(
                ApiException.class,
                () -> JsonPatches.apply(j("{}"), j("[{'op':'frobnicate','path':'/a'}]")))
            .code());
  }
}
