package dev.netpol.apiserver.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class JsonPatchTest {
  private static JsonNode j(String s) throws Exception {
    return Json.MAPPER.readTree(s.replace('\'', '"'));
  }

  @Test
  void allOperations() throws Exception {
    JsonNode doc = j("{'a':{'b':[1,2]},'c':'x','d~e':1,'f/g':2}");
    JsonNode out =
        JsonPatch.apply(
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
        JsonPatch.apply(
            j("{'metadata':{'labels':{}}}"),
            j("[{'op':'add','path':'/metadata/labels/k','value':'v'}]")));
    assertEquals(
        j("{'a':2}"), JsonPatch.apply(j("{'a':1}"), j("[{'op':'add','path':'/a','value':2}]")));
  }

  @Test
  void failuresAre422() {
    assertEquals(
        422,
        assertThrows(
                ApiException.class,
                () -> JsonPatch.apply(j("{'a':1}"), j("[{'op':'test','path':'/a','value':2}]")))
            .code());
    assertEquals(
        422,
        assertThrows(
                ApiException.class,
                () -> JsonPatch.apply(j("{'a':1}"), j("[{'op':'remove','path':'/b'}]")))
            .code());
    assertEquals(
        422,
        assertThrows(
                ApiException.class,
                () ->
                    JsonPatch.apply(
                        j("{'a':[1]}"), j("[{'op':'replace','path':'/a/5','value':1}]")))
            .code());
    assertEquals(
        422,
        assertThrows(
                ApiException.class,
                () -> JsonPatch.apply(j("{'a':1}"), j("[{'op':'add','path':'/x/y','value':1}]")))
            .code());
    assertEquals(
        400, assertThrows(ApiException.class, () -> JsonPatch.apply(j("{}"), j("{}"))).code());
  }
}
