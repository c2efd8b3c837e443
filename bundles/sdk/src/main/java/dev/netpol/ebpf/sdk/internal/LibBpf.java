package dev.netpol.ebpf.sdk.internal;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.Delegate;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.byref.IntByReference;
import jnr.ffi.types.size_t;

/**
 * The libbpf 1.1 functions the SDK calls. libbpf 1.x returns negative errno from int functions and
 * NULL with errno set from pointer functions. Option structs are passed as raw memory laid out by
 * {@link Structs}.
 */
public interface LibBpf {
  String libbpf_version_string();

  int libbpf_num_possible_cpus();

  int libbpf_strerror(int err, Pointer buf, @size_t long size);

  /** Installs {@code fn}; returns the previous print function. */
  Pointer libbpf_set_print(PrintCallback fn);

  /** Puts back a print function {@link #libbpf_set_print(PrintCallback)} returned. */
  Pointer libbpf_set_print(Pointer fn);

  /** {@code int (*libbpf_print_fn_t)(enum libbpf_print_level, const char *, va_list)}. */
  interface PrintCallback {
    @Delegate
    int print(int level, Pointer format, Pointer args);
  }

  // objects
  Pointer bpf_object__open_file(String path, Pointer opts);

  Pointer bpf_object__open_mem(Pointer objBuf, @size_t long objBufSize, Pointer opts);

  int bpf_object__load(Pointer obj);

  void bpf_object__close(Pointer obj);

  Pointer bpf_object__next_program(Pointer obj, Pointer prev);

  Pointer bpf_object__next_map(Pointer obj, Pointer prev);

  Pointer bpf_object__btf(Pointer obj);

  String bpf_program__name(Pointer prog);

  int bpf_program__fd(Pointer prog);

  int bpf_program__set_log_buf(Pointer prog, Pointer buf, @size_t long size);

  String bpf_map__name(Pointer map);

  int bpf_map__fd(Pointer map);

  int bpf_map__set_pin_path(Pointer map, String path);

  String bpf_map__pin_path(Pointer map);

  int bpf_map__set_inner_map_fd(Pointer map, int fd);

  int bpf_map__set_max_entries(Pointer map, int maxEntries);

  // maps by fd
  int bpf_map_create(
      int type, String name, int keySize, int valueSize, int maxEntries, Pointer opts);

  int bpf_map_update_elem(int fd, @In byte[] key, @In byte[] value, long flags);

  int bpf_map_lookup_elem(int fd, @In byte[] key, @Out byte[] value);

  int bpf_map_delete_elem(int fd, @In byte[] key);

  int bpf_map_get_next_key(int fd, @In byte[] key, @Out byte[] nextKey);

  int bpf_map_lookup_batch(
      int fd,
      Pointer inBatch,
      Pointer outBatch,
      Pointer keys,
      Pointer values,
      IntByReference count,
      Pointer opts);

  int bpf_map_update_batch(
      int fd, Pointer keys, Pointer values, IntByReference count, Pointer opts);

  int bpf_map_delete_batch(int fd, Pointer keys, IntByReference count, Pointer opts);

  // pins, ids, info
  int bpf_obj_pin(int fd, String path);

  int bpf_obj_get(String path);

  int bpf_prog_get_next_id(int startId, IntByReference nextId);

  int bpf_map_get_next_id(int startId, IntByReference nextId);

  int bpf_prog_get_fd_by_id(int id);

  int bpf_map_get_fd_by_id(int id);

  int bpf_obj_get_info_by_fd(int fd, Pointer info, IntByReference infoLen);

  int bpf_prog_test_run_opts(int progFd, Pointer opts);

  // tc
  int bpf_tc_hook_create(Pointer hook);

  int bpf_tc_hook_destroy(Pointer hook);

  int bpf_tc_attach(Pointer hook, Pointer opts);

  int bpf_tc_detach(Pointer hook, Pointer opts);

  int bpf_tc_query(Pointer hook, Pointer opts);

  /** {@code BPF_ENABLE_STATS}: returns an fd; run-time statistics are on while it is open. */
  int bpf_enable_stats(int type);

  // ring buffer
  Pointer ring_buffer__new(int mapFd, SampleCallback callback, Pointer ctx, Pointer opts);

  int ring_buffer__poll(Pointer rb, int timeoutMs);

  void ring_buffer__free(Pointer rb);

  /** {@code int (*ring_buffer_sample_fn)(void *ctx, void *data, size_t size)}. */
  interface SampleCallback {
    @Delegate
    int onSample(Pointer ctx, Pointer data, @size_t long size);
  }

  // BTF
  Pointer btf__parse_elf(String path, Pointer btfExt);

  void btf__free(Pointer btf);

  int btf__find_by_name_kind(Pointer btf, String name, int kind);

  Pointer btf__type_by_id(Pointer btf, int id);

  String btf__name_by_offset(Pointer btf, int offset);

  long btf__resolve_size(Pointer btf, int typeId);
}
