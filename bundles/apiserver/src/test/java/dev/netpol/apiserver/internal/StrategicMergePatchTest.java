package dev.netpol.apiserver.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StrategicMergePatchTest {
  private static final Map<String, String> POD = PatchStrategies.of(ResourceRegistry.PODS);
  private static final Map<String, String> NP =
      PatchStrategies.of(ResourceRegistry.NETWORK_POLICIES);

  private static JsonNode j(String s) throws Exception {
    return Json.MAPPER.readTree(s.replace('\'', '"'));
  }

  private static JsonNode pod() throws Exception {
    return j(
        "{'spec':{'containers':[{'name':'a','image':'x:1','ports':[{'containerPort':80}],"
            + "'env':[{'name':'E','value':'1'}]},{'name':'b','image':'y:1'}]}}");
  }

  @Test
  void listsWithAMergeKeyMergeByItWithoutAnyDirective() throws Exception {
    // what `kubectl patch pod p -p '{"spec":{"containers":[{"name":"a","image":"x:2"}]}}'` sends
    assertEquals(
        j(
            "{'spec':{'containers':[{'name':'a','image':'x:2','ports':[{'containerPort':80}],"
                + "'env':[{'name':'E','value':'1'}]},{'name':'b','image':'y:1'}]}}"),
        StrategicMergePatch.apply(
            pod(), j("{'spec':{'containers':[{'name':'a','image':'x:2'}]}}"), POD));
    // nested merge keys: ports by containerPort, env by name; a new element is appended
    assertEquals(
        j(
            "{'spec':{'containers':[{'name':'a','image':'x:1','ports':[{'containerPort':80,'name':'http'},"
                + "{'containerPort':81}],'env':[{'name':'E','value':'2'}]},{'name':'b','image':'y:1'},{'name':'c'}]}}"),
        StrategicMergePatch.apply(
            pod(),
            j(
                "{'spec':{'containers':[{'name':'a','ports':[{'containerPort':80,'name':'http'},{'containerPort':81}],"
                    + "'env':[{'name':'E','value':'2'}]},{'name':'c'}]}}"),
            POD));
  }

  @Test
  void deleteReplaceAndOrderDirectives() throws Exception {
    assertEquals(
        j("{'spec':{'containers':[{'name':'b','image':'y:1'}]}}"),
        StrategicMergePatch.apply(
            pod(),
            j(
                "{'spec':{'$setElementOrder/containers':[{'name':'b'}],"
                    + "'containers':[{'name':'a','$patch':'delete'}]}}"),
            POD));
    assertEquals(
        j("{'spec':{'containers':[{'name':'z'}]}}"),
        StrategicMergePatch.apply(
            pod(), j("{'spec':{'containers':[{'$patch':'replace'},{'name':'z'}]}}"), POD));
    assertEquals(
        j(
            "{'spec':{'containers':[{'name':'b','image':'y:1'},{'name':'a','image':'x:3',"
                + "'ports':[{'containerPort':80}],'env':[{'name':'E','value':'1'}]}]}}"),
        StrategicMergePatch.apply(
            pod(),
            j(
                "{'spec':{'$setElementOrder/containers':[{'name':'b'},{'name':'a'}],"
                    + "'containers':[{'name':'a','image':'x:3'}]}}"),
            POD));
    assertEquals(
        j("{'spec':{'x':{'a':1}}}"),
        StrategicMergePatch.apply(
            j("{'spec':{'x':{'a':1,'b':2}}}"), j("{'spec':{'x':{'$retainKeys':['a']}}}"), POD));
    assertEquals(
        j("{'spec':{}}"),
        StrategicMergePatch.apply(
            j("{'spec':{'a':{'b':1}}}"), j("{'spec':{'a':{'$patch':'delete'}}}"), NP));
    assertEquals(
        j("{'spec':{'a':{'c':2}}}"),
        StrategicMergePatch.apply(
            j("{'spec':{'a':{'b':1}}}"), j("{'spec':{'a':{'$patch':'replace','c':2}}}"), NP));
  }

  @Test
  void finalizersMergeAsASetAndAtomicListsAreReplaced() throws Exception {
    JsonNode target =
        j(
            "{'metadata':{'finalizers':['a','b'],'labels':{'x':'1'}},'spec':{'ingress':[{'ports':[{'port':80}]}]}}");
    JsonNode patch =
        j(
            "{'metadata':{'$deleteFromPrimitiveList/finalizers':['a'],'finalizers':['c'],'labels':{'y':'2','x':null}},"
                + "'spec':{'$setElementOrder/ingress':[{}],'ingress':[{'ports':[{'port':81}]}]}}");
    assertEquals(
        j(
            "{'metadata':{'finalizers':['b','c'],'labels':{'y':'2'}},'spec':{'ingress':[{'ports':[{'port':81}]}]}}"),
        StrategicMergePatch.apply(target, patch, NP));
  }

  @Test
  void servicePortsMergeByPort() throws Exception {
    assertEquals(
        j("{'spec':{'ports':[{'port':80,'targetPort':8081},{'port':443}]}}"),
        StrategicMergePatch.apply(
            j("{'spec':{'ports':[{'port':80,'targetPort':8080}]}}"),
            j("{'spec':{'ports':[{'port':80,'targetPort':8081},{'port':443}]}}"),
            PatchStrategies.of(ResourceRegistry.SERVICES)));
  }
}
