package dev.netpol.ebpf.sdk;

import java.nio.ByteBuffer;
import java.util.List;

/** {@code struct lpm_v4_key { __u32 prefixlen; __u8 addr[4]; }} of sdk_test.bpf.c. */
record LpmV4Key(int prefixLength, String address) {
  static final Codec<LpmV4Key> CODEC =
      new Codec<>() {
        public int size() {
          return 8;
        }

        public void write(LpmV4Key k, ByteBuffer out) {
          out.putInt(k.prefixLength()).put(Packets.addr(k.address()));
        }

        public LpmV4Key read(ByteBuffer in) {
          int len = in.getInt();
          byte[] a = new byte[4];
          in.get(a);
          return new LpmV4Key(
              len, (a[0] & 0xff) + "." + (a[1] & 0xff) + "." + (a[2] & 0xff) + "." + (a[3] & 0xff));
        }

        public List<Field> fields() {
          return List.of(new Field("prefixlen", 0, 4), new Field("addr", 4, 4));
        }
      };
}
