package dev.netpol.ebpf.sdk;

/** What the kernel reports about a map ({@code struct bpf_map_info}). */
public record MapInfo(
    int id,
    MapType type,
    int typeCode,
    String name,
    int keySize,
    int valueSize,
    int maxEntries,
    int flags) {

  @Override
  public String toString() {
    return "map '"
        + name
        + "' (id "
        + id
        + ", "
        + type
        + ", key "
        + keySize
        + " B, value "
        + valueSize
        + " B, max "
        + maxEntries
        + ")";
  }
}
