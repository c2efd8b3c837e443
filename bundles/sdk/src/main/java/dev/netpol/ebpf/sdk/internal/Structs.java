package dev.netpol.ebpf.sdk.internal;

/**
 * Offsets of the libbpf 1.1 / uapi structs the SDK fills by hand (x86_64 and arm64 LP64; checked
 * with offsetof against /usr/include/bpf on this machine).
 */
public final class Structs {
  private Structs() {}

  /** struct bpf_object_open_opts (80 bytes). */
  public static final int OPEN_OPTS_SIZE = 80;

  public static final int OPEN_OPTS_OBJECT_NAME = 8;
  public static final int OPEN_OPTS_PIN_ROOT_PATH = 24;

  /** struct bpf_tc_hook (24 bytes): sz, ifindex, attach_point, parent. */
  public static final int TC_HOOK_SIZE = 24;

  public static final int TC_HOOK_IFINDEX = 8;
  public static final int TC_HOOK_ATTACH_POINT = 12;
  public static final int TC_HOOK_PARENT = 16;

  /** struct bpf_tc_opts (32 bytes): sz, prog_fd, flags, prog_id, handle, priority. */
  public static final int TC_OPTS_SIZE = 32;

  public static final int TC_OPTS_PROG_FD = 8;
  public static final int TC_OPTS_FLAGS = 12;
  public static final int TC_OPTS_PROG_ID = 16;
  public static final int TC_OPTS_HANDLE = 20;
  public static final int TC_OPTS_PRIORITY = 24;
  public static final int BPF_TC_F_REPLACE = 1;

  /** struct bpf_test_run_opts (80 bytes). */
  public static final int TEST_RUN_SIZE = 80;

  public static final int TEST_RUN_DATA_IN = 8;
  public static final int TEST_RUN_DATA_OUT = 16;
  public static final int TEST_RUN_DATA_SIZE_IN = 24;
  public static final int TEST_RUN_DATA_SIZE_OUT = 28;
  public static final int TEST_RUN_CTX_IN = 32;
  public static final int TEST_RUN_CTX_SIZE_IN = 48;
  public static final int TEST_RUN_RETVAL = 56;
  public static final int TEST_RUN_REPEAT = 60;
  public static final int TEST_RUN_DURATION = 64;

  /** struct __sk_buff up to and including ifindex (the context BPF_PROG_RUN takes for tc). */
  public static final int SKB_CTX_SIZE = 44;

  public static final int SKB_CTX_IFINDEX = 40;

  /** struct bpf_map_batch_opts (24 bytes). */
  public static final int BATCH_OPTS_SIZE = 24;

  public static final int BATCH_OPTS_ELEM_FLAGS = 8;

  /** struct bpf_map_create_opts (48 bytes). */
  public static final int MAP_CREATE_SIZE = 48;

  public static final int MAP_CREATE_INNER_MAP_FD = 24;
  public static final int MAP_CREATE_MAP_FLAGS = 28;

  /** struct bpf_map_info (88 bytes). */
  public static final int MAP_INFO_SIZE = 88;

  public static final int MAP_INFO_TYPE = 0;
  public static final int MAP_INFO_ID = 4;
  public static final int MAP_INFO_KEY_SIZE = 8;
  public static final int MAP_INFO_VALUE_SIZE = 12;
  public static final int MAP_INFO_MAX_ENTRIES = 16;
  public static final int MAP_INFO_FLAGS = 20;
  public static final int MAP_INFO_NAME = 24;
  public static final int MAP_INFO_BTF_ID = 64;

  /** struct bpf_prog_info (232 bytes in this uapi; the kernel accepts shorter or longer). */
  public static final int PROG_INFO_SIZE = 232;

  public static final int PROG_INFO_TYPE = 0;
  public static final int PROG_INFO_ID = 4;
  public static final int PROG_INFO_TAG = 8;
  public static final int PROG_INFO_LOAD_TIME = 40;
  public static final int PROG_INFO_NR_MAP_IDS = 52;
  public static final int PROG_INFO_MAP_IDS = 56;
  public static final int PROG_INFO_NAME = 64;
  public static final int PROG_INFO_RUN_TIME_NS = 192;
  public static final int PROG_INFO_RUN_CNT = 200;

  public static final int BPF_OBJ_NAME_LEN = 16;

  /**
   * struct btf_type (12 bytes) followed, for STRUCT/UNION, by vlen struct btf_member (12 bytes).
   */
  public static final int BTF_TYPE_SIZE = 12;

  public static final int BTF_MEMBER_SIZE = 12;
  public static final int BTF_KIND_STRUCT = 4;
  public static final int BTF_KIND_UNION = 5;
}
