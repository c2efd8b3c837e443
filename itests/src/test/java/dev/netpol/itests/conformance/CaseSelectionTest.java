package dev.netpol.itests.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class CaseSelectionTest {
  private static List<Integer> numbers(String spec) {
    return CaseSelection.parse(spec).stream().map(ConformanceCase::number).toList();
  }

  @Test
  void selectsAllDefaultOffAndRanges() {
    assertEquals(48, numbers("all").size());
    assertEquals(numbers(CaseSelection.DEFAULT), numbers("default"));
    assertEquals(numbers("default"), numbers(null));
    assertEquals(numbers("default"), numbers("${netpol.conformance}"));
    assertEquals(List.of(), numbers("off"));
    assertEquals(List.of(1, 2, 30, 31, 32, 36), numbers("2, 1,30-32,36"));
  }

  @Test
  void badSpecsNameTheProperty() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> numbers("1,x"));
    assertTrue(e.getMessage().contains("netpol.conformance='1,x'"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> numbers("49"));
    assertTrue(e.getMessage().contains("#49"), e.getMessage());
  }
}
