package dev.netpol.ebpf.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netpol.ebpf.sdk.internal.ErrnoNames;
import org.junit.jupiter.api.Test;

class ErrnoTest {
  @Test
  void symbolicNames() {
    assertEquals("EPERM", ErrnoNames.name(1));
    assertEquals("ENOENT", ErrnoNames.name(-2));
    assertEquals("E2BIG", ErrnoNames.name(7));
    assertEquals("EOPNOTSUPP", ErrnoNames.name(95));
    assertEquals("ENOTSUPP", ErrnoNames.name(524));
    assertEquals("E9999", ErrnoNames.name(9999));
    assertEquals("LIBBPF_ERRNO__FORMAT", ErrnoNames.name(4001));
  }

  @Test
  void messageSaysWhatOnWhatAndWhy() {
    BpfException e = new BpfException("bpf_map_update_elem", "map 'ingress_rules' (id 42)", -7);
    assertEquals(
        "bpf_map_update_elem on map 'ingress_rules' (id 42): E2BIG (Argument list too long)",
        e.getMessage());
    assertEquals(7, e.errno());
    assertEquals("E2BIG", e.errnoName());
    assertEquals("", e.verifierLog());
  }
}
