package dev.netpol.itests.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.netpol.itests.deploy.ContainerImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One container of a rendered pod template, run on this machine the way a container runtime runs
 * it, as far as one can without an image or a runtime: the image's tree (laid out from the
 * Containerfile) as the root, read-only when the pod says so, with this Debian 12 host's {@code
 * /usr} and {@code /etc} standing in for the base image and its packages; the pod's volumes mounted
 * at their paths; the container's environment only; root with the capability bounding set cut to
 * the pod's {@code capabilities.add}; the host's network (the pod asks for it). Everything happens
 * in a private mount namespace of the process ({@code unshare --mount}), so no mount is ever
 * visible on the host and all of them go with the process.
 *
 * <p>The one departure: instead of the in-cluster service account, {@code --kubeconfig} names a
 * file mounted at {@link #KUBECONFIG} (the test's API speaks plain HTTP on loopback).
 */
final class PodSandbox {
  static final String KUBECONFIG = "/run/netpol-test/kubeconfig";
  private final Path rootfs;
  private final String caps;
  private final Map<String, String> env;
  private final String workdir;

  private PodSandbox(Path rootfs, String caps, Map<String, String> env, String workdir) {
    this.rootfs = rootfs;
    this.caps = caps;
    this.env = env;
    this.workdir = workdir;
  }

  /** Where a pod's volume comes from on this machine: a hostPath is mapped by this. */
  interface HostPaths {
    Path map(String hostPath) throws IOException;
  }

  /**
   * Lays out the container {@code name} of {@code podSpec} under {@code work} and returns the
   * command that runs it (to be started by the caller), with {@code fields} answering the downward
   * API ({@code spec.nodeName}, {@code metadata.name}, ...).
   */
  static Started prepare(
      ContainerImage image,
      Path context,
      JsonNode podSpec,
      String name,
      Map<String, JsonNode> configMaps,
      Map<String, String> fields,
      HostPaths hostPaths,
      Path kubeconfig,
      Path work)
      throws IOException {
    JsonNode container = null;
    for (JsonNode c : podSpec.path("containers")) {
      if (c.path("name").asText().equals(name)) {
        container = c;
      }
    }
    if (container == null) {
      throw new IllegalArgumentException("no container " + name);
    }
    Path rootfs = Files.createDirectories(work.resolve("rootfs"));
    image.assemble(context, rootfs);
    // mount points of the runtime and of the base image's stand-ins
    for (String d : List.of("usr", "etc", "proc", "sys", "dev", "run", "tmp", "root")) {
      Files.createDirectories(rootfs.resolve(d));
    }
    for (String l : List.of("bin", "sbin", "lib", "lib64")) {
      Path host = Path.of("/" + l);
      if (Files.isSymbolicLink(host)) {
        Files.createSymbolicLink(rootfs.resolve(l), Files.readSymbolicLink(host));
      }
    }
    // volumes
    List<String[]> mounts = new ArrayList<>(); // source, mount path, "ro"|"rw"
    for (JsonNode m : container.path("volumeMounts")) {
      JsonNode volume = null;
      for (JsonNode v : podSpec.path("volumes")) {
        if (v.path("name").asText().equals(m.path("name").asText())) {
          volume = v;
        }
      }
      if (volume == null) {
        throw new IllegalArgumentException("no volume " + m.path("name").asText());
      }
      Path source = volumeSource(volume, configMaps, hostPaths, work.resolve("volumes"));
      String path = m.path("mountPath").asText();
      Path point = rootfs.resolve(path.substring(1));
      if (Files.isDirectory(source)) {
        Files.createDirectories(point);
      } else if (!Files.exists(point)) {
        Files.createDirectories(point.getParent());
        Files.createFile(point);
      }
      mounts.add(
          new String[] {source.toString(), path, m.path("readOnly").asBoolean() ? "ro" : "rw"});
    }
    Path kc = rootfs.resolve(KUBECONFIG.substring(1));
    Files.createDirectories(kc.getParent());
    Files.createFile(kc);
    mounts.add(new String[] {kubeconfig.toString(), KUBECONFIG, "ro"});
    mounts.sort(Comparator.comparing(m -> m[1]));
    // environment: the image's, then the container's
    Map<String, String> env = new LinkedHashMap<>(image.env());
    env.put("HOME", "/root");
    env.put("HOSTNAME", Cli.run("hostname").out().strip());
    for (JsonNode e : container.path("env")) {
      String value;
      if (e.has("value")) {
        value = e.path("value").asText();
      } else if (e.at("/valueFrom/fieldRef/fieldPath").isTextual()) {
        String field = e.at("/valueFrom/fieldRef/fieldPath").asText();
        value = fields.get(field);
        if (value == null) {
          throw new IllegalArgumentException("no value for the downward API field " + field);
        }
      } else {
        throw new IllegalArgumentException("env " + e + " is not reproduced here");
      }
      env.put(e.path("name").asText(), value);
    }
    JsonNode sc = container.path("securityContext");
    if (sc.path("privileged").asBoolean()) {
      throw new IllegalArgumentException("a privileged container is not reproduced here");
    }
    List<String> drop = new ArrayList<>();
    sc.at("/capabilities/drop").forEach(d -> drop.add(d.asText()));
    if (!drop.equals(List.of("ALL"))) {
      throw new IllegalArgumentException("capabilities other than drop [ALL] + add: " + drop);
    }
    StringBuilder caps = new StringBuilder("-all");
    sc.at("/capabilities/add")
        .forEach(c -> caps.append(",+").append(c.asText().toLowerCase(Locale.ROOT)));
    List<String> args = new ArrayList<>();
    container.path("args").forEach(a -> args.add(a.asText()));
    args.addAll(List.of("--kubeconfig", KUBECONFIG));
    PodSandbox sandbox = new PodSandbox(rootfs, caps.toString(), env, image.workdir());
    Path script =
        Files.writeString(
            work.resolve("sandbox.sh"),
            sandbox.script(mounts, sc.path("readOnlyRootFilesystem").asBoolean()));
    List<String> command =
        new ArrayList<>(
            List.of("unshare", "--mount", "--propagation", "private", "--", "/bin/bash"));
    command.add(script.toString());
    command.addAll(sandbox.inside(image.command(args)));
    return new Started(sandbox, command);
  }

  /** The command to start and the sandbox, for {@link #exec}. */
  record Started(PodSandbox sandbox, List<String> command) {}

  /**
   * What {@code kubectl exec} does: {@code command} in the container's mount namespace, root,
   * environment and capabilities, from its working directory.
   */
  Cli.Result exec(long pid, String... command) {
    List<String> c =
        new ArrayList<>(List.of("nsenter", "--target", String.valueOf(pid), "--mount", "--"));
    c.addAll(inside(List.of(command)));
    return Cli.run(60, c);
  }

  /** chroot, capabilities, a clean environment, the working directory, then {@code command}. */
  private List<String> inside(List<String> command) {
    List<String> c =
        new ArrayList<>(
            List.of(
                "chroot",
                rootfs.toString(),
                "setpriv",
                "--bounding-set=" + caps,
                "--inh-caps=-all",
                "--",
                "/usr/bin/env",
                "-i"));
    env.forEach((k, v) -> c.add(k + "=" + v));
    c.addAll(List.of("/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", workdir));
    c.addAll(command);
    return c;
  }

  /** The mounts, made inside the new mount namespace; then exec of its arguments. */
  private String script(List<String[]> mounts, boolean readOnlyRoot) {
    String r = sq(rootfs.toString());
    StringBuilder b = new StringBuilder("set -euo pipefail\nmount --make-rprivate /\n");
    if (readOnlyRoot) {
      b.append("mount --bind ").append(r).append(' ').append(r).append('\n');
      b.append("mount -o remount,bind,ro ").append(r).append('\n');
    }
    for (String d : List.of("usr", "etc")) {
      b.append("mount --bind /").append(d).append(' ').append(r).append('/').append(d).append('\n');
      b.append("mount -o remount,bind,ro ").append(r).append('/').append(d).append('\n');
    }
    b.append("mount --rbind /proc ").append(r).append("/proc\n");
    b.append("mount --rbind /sys ").append(r).append("/sys\n");
    b.append("mount -o remount,bind,ro ").append(r).append("/sys\n");
    b.append("mount --rbind /dev ").append(r).append("/dev\n");
    for (String[] m : mounts) {
      String target = sq(rootfs + m[1]);
      b.append("mount --bind ").append(sq(m[0])).append(' ').append(target).append('\n');
      if (m[2].equals("ro")) {
        b.append("mount -o remount,bind,ro ").append(target).append('\n');
      }
    }
    b.append("exec \"$@\"\n");
    return b.toString();
  }

  private static Path volumeSource(
      JsonNode volume, Map<String, JsonNode> configMaps, HostPaths hostPaths, Path volumes)
      throws IOException {
    String name = volume.path("name").asText();
    if (volume.has("hostPath")) {
      Path p = hostPaths.map(volume.at("/hostPath/path").asText());
      String type = volume.at("/hostPath/type").asText("");
      if (type.equals("FileOrCreate") && !Files.exists(p)) {
        Files.createFile(p);
      } else if (type.equals("DirectoryOrCreate")) {
        Files.createDirectories(p);
      } else if (type.equals("Directory") && !Files.isDirectory(p)) {
        throw new IOException("hostPath " + p + " is not a directory");
      }
      return p;
    }
    if (volume.has("emptyDir")) {
      return Files.createDirectories(volumes.resolve(name));
    }
    if (volume.has("configMap")) {
      JsonNode cm = configMaps.get(volume.at("/configMap/name").asText());
      if (cm == null) {
        throw new IOException("no ConfigMap " + volume.at("/configMap/name").asText());
      }
      return configMapVolume(cm, volumes.resolve(name));
    }
    throw new IllegalArgumentException("volume " + volume + " is not reproduced here");
  }

  /**
   * A ConfigMap volume as kubelet writes it: the files in a timestamped directory, {@code ..data}
   * pointing at it, and each key a symbolic link through {@code ..data}.
   */
  static Path configMapVolume(JsonNode configMap, Path dir) throws IOException {
    Path stamped = Files.createDirectories(dir.resolve("..2026_01_01_00_00_00.000000001"));
    Files.createSymbolicLink(dir.resolve("..data"), stamped.getFileName());
    for (Iterator<Map.Entry<String, JsonNode>> it = configMap.path("data").fields();
        it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      Files.writeString(stamped.resolve(e.getKey()), e.getValue().asText());
      Files.createSymbolicLink(dir.resolve(e.getKey()), Path.of("..data", e.getKey()));
    }
    return dir;
  }

  /** Single-quoted for the shell. */
  private static String sq(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }
}
