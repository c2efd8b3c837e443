package dev.netpol.apiserver.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LabelSelectorTest {
  private static final Map<String, String> WEB =
      Map.of("app", "web", "tier", "front", "example.com/team", "a");

  private static boolean sel(String s) {
    return LabelSelector.parse(s).matches(WEB);
  }

  @Test
  void equalityForms() {
    assertTrue(sel("app=web"));
    assertTrue(sel("app==web"));
    assertFalse(sel("app!=web"));
    assertTrue(sel("app!=db"));
    assertTrue(sel("missing!=x"), "!= matches objects without the label");
    assertTrue(sel("example.com/team=a"));
  }

  @Test
  void setForms() {
    assertTrue(sel("app in (db, web)"));
    assertFalse(sel("app in (db)"));
    assertTrue(sel("app notin (db,api)"));
    assertFalse(sel("app notin (web)"));
    assertTrue(sel("missing notin (web)"));
    assertFalse(sel("missing in (web)"));
  }

  @Test
  void existence() {
    assertTrue(sel("tier"));
    assertFalse(sel("!tier"));
    assertTrue(sel("!missing"));
    assertFalse(sel("missing"));
  }

  @Test
  void allRequirementsMustHold() {
    assertTrue(sel("app in (web,db),tier=front,!missing"));
    assertFalse(sel("app in (web,db),tier=back"));
    assertEquals(3, LabelSelector.parse("a in (x,y),b,!c").requirements().size());
    assertTrue(LabelSelector.parse("").matches(Map.of()));
  }

  @Test
  void badSyntaxIsBadRequest() {
    ApiException e = assertThrows(ApiException.class, () -> LabelSelector.parse("app in web"));
    assertEquals(400, e.code());
    assertThrows(ApiException.class, () -> LabelSelector.parse("a=b=c"));
    assertThrows(ApiException.class, () -> LabelSelector.parse("app=,"));
  }
}
