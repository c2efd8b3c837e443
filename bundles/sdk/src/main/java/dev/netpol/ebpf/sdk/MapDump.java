package dev.netpol.ebpf.sdk;

import java.util.List;

/** The contents of one map at one moment: raw bytes and their text (decoded or hex). */
public record MapDump(MapInfo map, List<Entry> entries) {
  public MapDump {
    entries = List.copyOf(entries);
  }

  public record Entry(byte[] key, byte[] value, String keyText, String valueText) {
    @Override
    public String toString() {
      return keyText + " => " + valueText;
    }
  }

  @Override
  public String toString() {
    StringBuilder b =
        new StringBuilder(map.toString()).append(", ").append(entries.size()).append(" entries");
    for (Entry e : entries) {
      b.append("\n  ").append(e);
    }
    return b.toString();
  }
}
