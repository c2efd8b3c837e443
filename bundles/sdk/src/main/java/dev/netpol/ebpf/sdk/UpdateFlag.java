package dev.netpol.ebpf.sdk;

/** The flags of {@code bpf_map_update_elem}. */
public enum UpdateFlag {
  /** Create or replace (BPF_ANY). */
  ANY(0),
  /** Create only; EEXIST if present (BPF_NOEXIST). */
  NO_EXIST(1),
  /** Replace only; ENOENT if absent (BPF_EXIST). */
  EXIST(2);

  private final int bits;

  UpdateFlag(int bits) {
    this.bits = bits;
  }

  public int bits() {
    return bits;
  }
}
