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

  @Test
  void strategicDirectivesAreInterpretedAndStripped() throws Exception {
    JsonNode target =
        j(
            "{'metadata':{'finalizers':['a','b'],'labels':{'x':'1'}},'spec':{'ingress':[{'ports':[{'port':80}]}],'podSelector':{'matchLabels':{'app':'a'}}}}");
    JsonNode patch =
        j(
            "{'$setElementOrder/ingress':[{}],'metadata':{'$deleteFromPrimitiveList/finalizers':['a'],'labels':{'y':'2'}},"
                + "'spec':{'ingress':[{'ports':[{'port':81}]}],'podSelector':{'$patch':'replace','matchLabels':{'app':'b'}}}}");
    JsonNode out = MergePatch.applyStrategic(target, patch);
    assertEquals(
        j(
            "{'metadata':{'finalizers':['b'],'labels':{'x':'1','y':'2'}},'spec':{'ingress':[{'ports':[{'port':81}]}],'podSelector':{'matchLabels':{'app':'b'}}}}"),
        out);
    assertEquals(
        j("{'spec':{}}"),
        MergePatch.applyStrategic(
            j("{'spec':{'a':{'b':1}}}"), j("{'spec':{'a':{'$patch':'delete'}}}")));
  }

  @Test
  void listsWithSetElementOrderMergeByKey() throws Exception {
    JsonNode pod =
        j(
            "{'spec':{'containers':[{'name':'a','image':'x:1','ports':[{'containerPort':80}]},{'name':'b','image':'y:1'}]}}");
    JsonNode patch =
        j(
            "{'spec':{'$setElementOrder/containers':[{'name':'a'},{'name':'b'}],'containers':[{'name':'a','image':'x:2'}]}}");
    assertEquals(
        j(
            "{'spec':{'containers':[{'name':'a','image':'x:2','ports':[{'containerPort':80}]},{'name':'b','image':'y:1'}]}}"),
        MergePatch.applyStrategic(pod, patch));
    JsonNode remove =
        j(
            "{'spec':{'$setElementOrder/containers':[{'name':'b'}],'containers':[{'name':'a','$patch':'delete'}]}}");
    assertEquals(
        j("{'spec':{'containers':[{'name':'b','image':'y:1'}]}}"),
        MergePatch.applyStrategic(pod, remove));
    JsonNode fin = j("{'metadata':{'finalizers':['a']}}");
    assertEquals(
        j("{'metadata':{'finalizers':['a','b']}}"),
        MergePatch.applyStrategic(
            fin, j("{'metadata':{'$setElementOrder/finalizers':['a','b'],'finalizers':['b']}}")));
  }
}
