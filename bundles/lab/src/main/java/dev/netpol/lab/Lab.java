package dev.netpol.lab;

import dev.netpol.lab.internal.AddressPool;
import dev.netpol.lab.internal.ApiRegistrar;
import dev.netpol.lab.internal.LabState;
import dev.netpol.lab.internal.PodNetwork;
import dev.netpol.lab.internal.PodProcesses;
import dev.netpol.lab.internal.StateStore;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pods as network namespaces, registered in the API. Every call reads the state file, acts, and
 * writes it back under a file lock, so separate processes (each {@code netpol lab} invocation) see
 * one lab. Nothing keeps running in this JVM: servers are detached processes.
 */
public final class Lab implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Lab.class);
  private final LabConfig config;
  private final StateStore store;
  private final PodProcesses processes;
  private ApiRegistrar api;

  public Lab(LabConfig config) {
    this.config = config;
    this.store = new StateStore(config.dataDir());
    this.processes = new PodProcesses(config.dataDir());
    for (String[] p : new String[][] {{config.pool4(), "4"}, {config.pool6(), "6"}}) {
      AddressPool pool = AddressPool.parse(p[0]);
      boolean v6 = p[1].equals("6");
      if (pool.ipv6() != v6
          || !pool.within(
              v6 ? AddressPool.parse("fd00:198:18::/48") : AddressPool.parse("198.18.0.0/15"))) {
        throw new IllegalArgumentException(
            "lab IPv"
                + p[1]
                + " range "
                + p[0]
                + " must be inside "
                + (v6 ? "fd00:198:18::/48" : "198.18.0.0/15"));
      }
    }
  }

  /** Makes the pod: namespace, veth, addresses, routes, server, Pod object (and Service). */
  public LabPod addPod(PodSpec spec) {
    try (java.nio.channels.FileChannel lock = store.lock()) {
      LabState state = state();
      if (state.pods().stream().anyMatch(p -> p.key().equals(spec.key()))) {
        throw new IllegalArgumentException("pod " + spec.key() + " already exists in the lab");
      }
      AddressPool pool4 = AddressPool.parse(state.pool4());
      AddressPool pool6 = AddressPool.parse(state.pool6());
      Set<String> used = new HashSet<>();
      state.pods().forEach(p -> used.add(p.ipv4()));
      long index = pool4.firstFree(used);
      if (index >= pool6.size()) {
        throw new IllegalStateException(
            "lab IPv6 range " + pool6 + " is smaller than the IPv4 range");
      }
      String netns = state.prefix() + "-" + spec.namespace() + "-" + spec.name();
      String hostVeth = state.prefix() + Long.toHexString(index);
      if (hostVeth.length() > 15) {
        throw new IllegalStateException(
            "pod " + spec.key() + ": link name " + hostVeth + " is longer than 15");
      }
      Map<String, String> labels = new TreeMap<>(spec.labels());
      if (spec.service()) {
        labels.putIfAbsent("pod", spec.name());
      }
      String node = spec.nodeName() != null ? spec.nodeName() : config.nodeName();
      LabPod pod =
          new LabPod(
              spec.namespace(),
              spec.name(),
              netns,
              hostVeth,
              pool4.address(index),
              spec.ipv6() ? pool6.address(index) : null,
              labels,
              spec.serve().stream().map(ServePort::toString).toList(),
              node,
              0,
              null);
      boolean apiDone = false;
      api(); // a missing or unreadable kubeconfig fails here, before anything is made
      try {
        PodNetwork.ensureBlackholes();
        PodNetwork.create(netns, hostVeth, pod.ipv4(), pod.ipv6());
        long pid =
            spec.serve().isEmpty() ? 0 : processes.startServer(netns, spec.name(), spec.serve());
        pod = with(pod, pid, null);
        if (api() != null) {
          if (api().ensureNamespace(spec.namespace())
              && !state.createdNamespaces().contains(spec.namespace())) {
            state.createdNamespaces().add(spec.namespace());
          }
          api().registerPod(pod, spec.serve(), config.hostIp());
          apiDone = true;
          if (spec.service()) {
            Map.Entry<String, String> svc = api().createService(pod, spec.serve());
            pod = with(pod, pid, svc.getKey());
            LOG.info(
                "lab service {}/{} has ClusterIP {}",
                spec.namespace(),
                svc.getKey(),
                svc.getValue());
          }
        }
      } catch (RuntimeException e) {
        PodProcesses.killAll(netns);
        PodNetwork.delete(netns, hostVeth);
        if (apiDone) {
          quietly(() -> api().deletePod(spec.namespace(), spec.name()));
        }
        store.save(state);
        throw e;
      }
      state.pods().add(pod);
      store.save(state);
      LOG.info(
          "lab pod {} up: netns {}, host link {}, {}{}",
          pod.key(),
          netns,
          hostVeth,
          pod.ipv4(),
          pod.ipv6() == null ? "" : " " + pod.ipv6());
      return pod;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Removes the pod's processes, links, namespace, Pod object and Service; false if unknown. */
  public boolean removePod(String namespace, String name) {
    try (java.nio.channels.FileChannel lock = store.lock()) {
      LabState state = state();
      Optional<LabPod> pod =
          state.pods().stream()
              .filter(p -> p.namespace().equals(namespace) && p.name().equals(name))
              .findFirst();
      if (pod.isEmpty()) {
        return false;
      }
      List<String> errors = new ArrayList<>();
      remove(pod.get(), errors);
      state.pods().remove(pod.get());
      store.save(state);
      if (!errors.isEmpty()) {
        throw new IllegalStateException(
            "pod "
                + pod.get().key()
                + " removed from the kernel, but: "
                + String.join("; ", errors));
      }
      return true;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Removes every pod and every namespace the lab created; the blackhole routes stay. */
  public List<String> down() {
    try (java.nio.channels.FileChannel lock = store.lock()) {
      LabState state = store.load();
      List<String> errors = new ArrayList<>();
      if (state == null) {
        return errors;
      }
      for (LabPod p : List.copyOf(state.pods())) {
        remove(p, errors);
        state.pods().remove(p);
      }
      for (String ns : List.copyOf(state.createdNamespaces())) {
        if (api() != null) {
          quietly(() -> api().deleteNamespace(ns), errors, "namespace " + ns);
        }
        state.createdNamespaces().remove(ns);
      }
      store.save(state);
      LOG.info("lab down: {} problems", errors.size());
      return errors;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The lab's pods as recorded. */
  public List<LabPod> pods() {
    LabState s = store.load();
    return s == null ? List.of() : List.copyOf(s.pods());
  }

  public Optional<LabPod> pod(String namespace, String name) {
    return pods().stream()
        .filter(p -> p.namespace().equals(namespace) && p.name().equals(name))
        .findFirst();
  }

  /** The prefix of this lab's netns and link names, or null before the first pod. */
  public String prefix() {
    LabState s = store.load();
    return s == null ? null : s.prefix();
  }

  /**
   * The address a probe target names: a literal IP, a lab pod {@code NS/NAME} (its IPv4 address, or
   * IPv6 with {@code ipv6}), or {@code svc/NS/NAME} (the Service's ClusterIP from the API).
   */
  public String resolve(String target, boolean ipv6) {
    if (target.matches("[0-9.]+") || target.contains(":")) {
      return target;
    }
    String[] parts = target.split("/");
    if (parts.length == 3 && (parts[0].equals("svc") || parts[0].equals("service"))) {
      if (api() == null) {
        throw new IllegalArgumentException(
            "probe target " + target + ": Services need the API (no --no-api)");
      }
      List<String> ips = api().clusterIps(parts[1], parts[2]);
      return ips.stream()
          .filter(ip -> ip.contains(":") == ipv6)
          .findFirst()
          .orElseThrow(
              () ->
                  new IllegalArgumentException(
                      "service "
                          + parts[1]
                          + "/"
                          + parts[2]
                          + " has no IPv"
                          + (ipv6 ? "6" : "4")
                          + " ClusterIP"));
    }
    if (parts.length != 2) {
      throw new IllegalArgumentException(
          "probe target '" + target + "' is not an IP, NS/NAME or svc/NS/NAME");
    }
    LabPod p =
        pod(parts[0], parts[1])
            .orElseThrow(() -> new IllegalArgumentException("pod " + target + " is not a lab pod"));
    if (ipv6 && p.ipv6() == null) {
      throw new IllegalArgumentException("pod " + target + " has no IPv6 address");
    }
    return ipv6 ? p.ipv6() : p.ipv4();
  }

  /** Probes {@code host:port} from inside lab pod {@code from} (NS/NAME). */
  public ProbeResult probe(String from, String host, int port, String protocol, Duration timeout) {
    String[] f = from.split("/");
    LabPod src = f.length == 2 ? pod(f[0], f[1]).orElse(null) : null;
    if (src == null) {
      throw new IllegalArgumentException("probe source '" + from + "' is not a lab pod NS/NAME");
    }
    new ServePort(port, protocol); // validates both
    return processes.probe(
        src.netns(), host, port, protocol.toLowerCase(java.util.Locale.ROOT), timeout);
  }

  private void remove(LabPod p, List<String> errors) {
    PodProcesses.killAll(p.netns());
    PodProcesses.killServer(
        p.pid()); // in case someone deleted the netns name under a running server
    PodNetwork.delete(p.netns(), p.hostVeth());
    if (PodNetwork.netnsExists(p.netns()) || PodNetwork.linkExists(p.hostVeth())) {
      errors.add(
          "pod "
              + p.key()
              + ": netns "
              + p.netns()
              + " or link "
              + p.hostVeth()
              + " is still there");
    }
    if (api() != null) {
      if (p.service() != null) {
        quietly(
            () -> api().deleteService(p.namespace(), p.service()),
            errors,
            "service " + p.namespace() + "/" + p.service());
      }
      quietly(() -> api().deletePod(p.namespace(), p.name()), errors, "pod " + p.key());
    }
    LOG.info("lab pod {} removed", p.key());
  }

  private LabState state() {
    LabState s = store.load();
    if (s != null) {
      return s;
    }
    String prefix =
        config.namePrefix()
            + HexFormat.of().toHexDigits((short) new SecureRandom().nextInt(1 << 16));
    return new LabState(prefix, config.pool4(), config.pool6(), List.of(), List.of());
  }

  private ApiRegistrar api() {
    if (api == null && config.kubeconfig() != null) {
      api = new ApiRegistrar(config.kubeconfig());
    }
    return api;
  }

  private static LabPod with(LabPod p, long pid, String service) {
    return new LabPod(
        p.namespace(),
        p.name(),
        p.netns(),
        p.hostVeth(),
        p.ipv4(),
        p.ipv6(),
        p.labels(),
        p.serve(),
        p.nodeName(),
        pid,
        service);
  }

  private static void quietly(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      LOG.warn("lab cleanup: {}", e.getMessage());
    }
  }

  private static void quietly(Runnable r, List<String> errors, String what) {
    try {
      r.run();
    } catch (RuntimeException e) {
      errors.add(what + ": " + e.getMessage());
    }
  }

  @Override
  public void close() {
    if (api != null) {
      api.close();
      api = null;
    }
  }
}
