package dev.netpol.backend.ebpf.internal.abi;

import static dev.netpol.backend.ebpf.internal.abi.Layout.field;

import java.util.List;

/** struct np_node_info (np_node, one entry): which object the node's pinned programs came from. */
public record NodeInfo(String objectDigest, long loadedUnixMs) {
  public static final int SIZE = 40;
  public static final Layout LAYOUT =
      new Layout(
          "np_node_info",
          SIZE,
          List.of(field("object_digest", 0, 32), field("loaded_unix_ms", 32, 8)));
  public static final dev.netpol.ebpf.sdk.Codec<NodeInfo> CODEC =
      new AbiCodec<>(LAYOUT, NodeInfo::encode, NodeInfo::decode);

  public byte[] encode() {
    var b = Abi.buffer(SIZE);
    PodInfo.str(b, 0, objectDigest, 32);
    return b.putLong(32, loadedUnixMs).array();
  }

  public static NodeInfo decode(byte[] raw) {
    return new NodeInfo(PodInfo.str(raw, 0, 32), Abi.wrap(raw).getLong(32));
  }
}
