package dev.netpol.backend.ebpf.internal.kernel;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.Delegate;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.byref.IntByReference;

/**
 * The slice of system libbpf (1.1) and libc the backend calls. libbpf 1.x returns {@code -errno}
 * from fd-returning calls and NULL + errno from pointer-returning ones.
 *
 * <p>Minimal by intent: the project's Java eBPF SDK (bundles/sdk) is the general binding; this one
 * exists so the backend does not wait for it, and holds only what the backend uses.
 */
public interface Libbpf {
  int BPF_MAP_TYPE_HASH = 1;
  int BPF_MAP_TYPE_ARRAY = 2;
  int BPF_MAP_TYPE_LRU_HASH = 9;
  int BPF_MAP_TYPE_LPM_TRIE = 11;
  int BPF_MAP_TYPE_ARRAY_OF_MAPS = 12;
  int BPF_MAP_TYPE_RINGBUF = 27;
  int BPF_F_NO_PREALLOC = 1;
  int BPF_ANY = 0;

  Libbpf LIB = Loader.load();
  Runtime RUNTIME = Runtime.getRuntime(LIB);

  @SaveError
  Pointer bpf_object__open_file(String path, Pointer opts);

  int bpf_object__load(Pointer obj);

  void bpf_object__close(Pointer obj);

  Pointer bpf_object__find_program_by_name(Pointer obj, String name);

  Pointer bpf_object__find_map_by_name(Pointer obj, String name);

  Pointer bpf_object__btf(Pointer obj);

  int bpf_program__fd(Pointer prog);

  int bpf_program__set_log_buf(Pointer prog, Pointer buf, long size);

  int bpf_program__set_log_level(Pointer prog, int level);

  int bpf_map__fd(Pointer map);

  int bpf_map__set_pin_path(Pointer map, String path);

  int bpf_map_create(int type, String name, int keySize, int valueSize, int maxEntries, Pointer opts);

  int bpf_map_update_elem(int fd, @In byte[] key, @In byte[] value, long flags);

  int bpf_map_lookup_elem(int fd, @In byte[] key, @Out byte[] value);

  int bpf_map_delete_elem(int fd, @In byte[] key);

  int bpf_map_get_next_key(int fd, @In byte[] key, @Out byte[] next);

  int bpf_obj_pin(int fd, String path);

  int bpf_obj_get(String path);

  int bpf_obj_get_info_by_fd(int fd, Pointer info, IntByReference len);

  int bpf_prog_get_fd_by_id(int id);

  int bpf_map_get_fd_by_id(int id);

  int bpf_prog_test_run_opts(int fd, Pointer opts);

  int bpf_tc_hook_create(Pointer hook);

  int bpf_tc_attach(Pointer hook, Pointer opts);

  int bpf_tc_detach(Pointer hook, Pointer opts);

  int bpf_tc_query(Pointer hook, Pointer opts);

  int btf__find_by_name_kind(Pointer btf, String name, int kind);

  Pointer btf__type_by_id(Pointer btf, int id);

  String btf__name_by_offset(Pointer btf, int offset);

  long btf__resolve_size(Pointer btf, int id);

  /** Called by libbpf for each ring-buffer record; return 0 to go on. */
  interface SampleCallback {
    @Delegate
    int call(Pointer ctx, Pointer data, long size);
  }

  Pointer ring_buffer__new(int mapFd, SampleCallback cb, Pointer ctx, Pointer opts);

  int ring_buffer__poll(Pointer rb, int timeoutMs);

  void ring_buffer__free(Pointer rb);

  /** libc */
  int close(int fd);

  int if_nametoindex(String name);

  int dup(int fd);

  /** Loads libbpf.so (libbpf-dev) or the runtime soname libbpf.so.1, plus libc. */
  final class Loader {
    private Loader() {}

    static Libbpf load() {
      LibraryLoader<Libbpf> loader = LibraryLoader.create(Libbpf.class).failImmediately();
      try {
        return loader.library("bpf").library("c").load();
      } catch (UnsatisfiedLinkError e) {
        return LibraryLoader.create(Libbpf.class).failImmediately()
            .library("libbpf.so.1").library("libc.so.6").load();
      }
    }
  }
}
