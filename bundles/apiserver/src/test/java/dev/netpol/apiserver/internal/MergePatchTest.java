package dev.netpol.apiserver.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class MergePatchTest {
  private static JsonNode j(String s) throws Exception {
    return Json.MAPPER.readTree(s.replace('\'', '"'));
  }

  @Test
  void rfc7386Examples() throws Exception {
    // the test cases of RFC 7386 appendix A
    assertEquals(j("{'a':'c'}"), MergePatch.apply(j("{'a':'b'}"), j("{'a':'c'}")));
    assertEquals(j("{'a':'b','b':'c'}"), MergePatch.apply(j("{'a':'b'}"), j("{'b':'c'}")));
    assertEquals(j("{}"), MergePatch.apply(j("{'a':'b'}"), j("{'a':null}")));
    assertEquals(j("{'b':'c'}"), MergePatch.apply(j("{'a':'b','b':'c'}"), j("{'a':null}")));
    assertEquals(j("{'a':'c'}"), MergePatch.apply(j("{'a':['b']}"), j("{'a':'c'}")));
    assertEquals(j("{'a':['b']}"), MergePatch.apply(j("{'a':'c'}"), j("{'a':['b']}")));
    assertEquals(
        j("{'a':{'b':'d'}}"),
        MergePatch.apply(j("{'a':{'b':'c'}}"), j("{'a':{'b':'d','c':null}}")));
    assertEquals(j("{'a':[1]}"), MergePatch.apply(j("{'a':[{'b':'c'}]}"), j("{'a':[1]}")));
    assertEquals(j("['c','d']"), MergePatch.apply(j("['a','b']"), j("['c','d']")));
    assertEquals(j("['c']"), MergePatch.apply(j("{'a':'b'}"), j("['c']")));
    assertEquals(
        j("{'e':null,'a':1}").get("a"), MergePatch.apply(j("{'e':null}"), j("{'a':1}")).get("a"));
    assertEquals(j("{'a':{'bb':{}}}"), MergePatch.apply(j("{}"), j("{'a':{'bb':{'ccc':null}}}")));
  }

  @Test
  void arraysAreReplacedNotAppended() throws Exception {
    JsonNode np =
        j("{'spec':{'policyTypes':['Ingress']},'metadata':{'labels':{'k1':'v','k2':'w'}}}");
    JsonNode out =
        MergePatch.apply(
            np, j("{'spec':{'policyTypes':['Egress']},'metadata':{'labels':{'k1':null}}}"));
    assertEquals(j("{'spec':{'policyTypes':['Egress']},'metadata':{'labels':{'k2':'w'}}}"), out);
  }
}
