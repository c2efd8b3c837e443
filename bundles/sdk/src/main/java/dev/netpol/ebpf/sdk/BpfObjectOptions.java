package dev.netpol.ebpf.sdk;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How {@link BpfObject#open} prepares an object before load. Immutable; each {@code with…} returns
 * a copy.
 *
 * <ul>
 *   <li>{@code pinRoot}: directory on bpffs for pins (libbpf's {@code pin_root_path}, used by maps
 *       declared {@code __uint(pinning, LIBBPF_PIN_BY_NAME)} and by {@link #withReusePinnedMaps}).
 *   <li>{@code mapPins}: explicit pin path per map name. If the path exists at load, libbpf reuses
 *       the pinned map (failing if type/sizes differ); otherwise it creates and pins the map.
 *   <li>{@code reusePinnedMaps}: every map of the object (not .data/.bss/.rodata) gets the pin path
 *       {@code pinRoot/<map name>} unless named in {@code mapPins}: maps survive restarts.
 *   <li>{@code logSize}: bytes of verifier log kept per program when a load fails.
 * </ul>
 */
public record BpfObjectOptions(
    Path pinRoot, Map<String, Path> mapPins, boolean reusePinnedMaps, int logSize) {
  public BpfObjectOptions {
    mapPins = Map.copyOf(mapPins);
    if (logSize < 4096) {
      throw new IllegalArgumentException("logSize " + logSize + " is below 4096 bytes");
    }
  }

  public static BpfObjectOptions defaults() {
    return new BpfObjectOptions(Pins.DEFAULT_ROOT, Map.of(), false, 1 << 20);
  }

  public BpfObjectOptions withPinRoot(Path root) {
    return new BpfObjectOptions(root, mapPins, reusePinnedMaps, logSize);
  }

  public BpfObjectOptions withMapPin(String mapName, Path pin) {
    Map<String, Path> m = new LinkedHashMap<>(mapPins);
    m.put(mapName, pin);
    return new BpfObjectOptions(pinRoot, m, reusePinnedMaps, logSize);
  }

  public BpfObjectOptions withReusePinnedMaps(boolean reuse) {
    return new BpfObjectOptions(pinRoot, mapPins, reuse, logSize);
  }

  public BpfObjectOptions withLogSize(int bytes) {
    return new BpfObjectOptions(pinRoot, mapPins, reusePinnedMaps, bytes);
  }
}
