package dev.netpol.itests.deploy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The image as the distribution's {@code Containerfile} describes it, read from that file so that a
 * test lays out the same tree the image build does. Only the instructions the file uses are
 * understood; anything else is an error naming the line, so the file cannot grow a step that the
 * test silently leaves out.
 *
 * @param from the base image
 * @param packages Debian packages installed by {@code RUN apt-get install}
 * @param copies {@code COPY source destination}, in order
 * @param env {@code ENV} variables
 * @param workdir {@code WORKDIR}
 * @param entrypoint {@code ENTRYPOINT} (exec form)
 * @param cmd {@code CMD} (exec form)
 */
public record ContainerImage(
    String from,
    List<String> packages,
    List<Copy> copies,
    Map<String, String> env,
    String workdir,
    List<String> entrypoint,
    List<String> cmd) {

  public record Copy(String source, String destination) {}

  private static final Pattern ENV = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(\"(.*)\"|(\\S*))");
  private static final Pattern APT_INSTALL = Pattern.compile("^apt-get\\s+install\\s+(.*)$");

  public static ContainerImage parse(Path containerfile) throws IOException {
    return parse(Files.readString(containerfile));
  }

  public static ContainerImage parse(String text) {
    String from = null;
    String workdir = "/";
    List<String> packages = new ArrayList<>();
    List<Copy> copies = new ArrayList<>();
    Map<String, String> env = new LinkedHashMap<>();
    List<String> entrypoint = List.of();
    List<String> cmd = List.of();
    for (String line : logicalLines(text)) {
      String[] parts = line.split("\\s+", 2);
      String instruction = parts[0];
      String rest = parts.length > 1 ? parts[1].trim() : "";
      switch (instruction) {
        case "FROM" -> from = rest;
        case "RUN" -> packages.addAll(aptPackages(line, rest));
        case "COPY" -> {
          String[] args = rest.split("\\s+");
          if (args.length != 2 || args[0].startsWith("--")) {
            throw new IllegalArgumentException(
                "COPY with other than one source and one destination: " + line);
          }
          copies.add(new Copy(args[0], args[1]));
        }
        case "ENV" -> {
          Matcher m = ENV.matcher(rest);
          if (!m.matches()) {
            throw new IllegalArgumentException("ENV other than one KEY=VALUE: " + line);
          }
          env.put(m.group(1), m.group(3) != null ? m.group(3) : m.group(4));
        }
        case "WORKDIR" -> workdir = rest;
        case "ENTRYPOINT" -> entrypoint = execForm(line, rest);
        case "CMD" -> cmd = execForm(line, rest);
        default ->
            throw new IllegalArgumentException(
                "instruction the image test does not reproduce: " + line);
      }
    }
    if (from == null) {
      throw new IllegalArgumentException("no FROM");
    }
    return new ContainerImage(from, packages, copies, env, workdir, entrypoint, cmd);
  }

  /** Lays the COPY steps out under {@code rootfs}, from the build context {@code context}. */
  public void assemble(Path context, Path rootfs) throws IOException {
    for (Copy c : copies) {
      Path source = context.resolve(c.source()).normalize();
      if (!source.startsWith(context) || !Files.exists(source)) {
        throw new IOException("COPY source " + c.source() + " is not in " + context);
      }
      Path target = rootfs.resolve(c.destination().replaceFirst("^/+", ""));
      copyTree(source, target);
    }
  }

  /** What the container runs when its pod gives {@code args}: the entrypoint, then the args. */
  public List<String> command(List<String> args) {
    List<String> c = new ArrayList<>(entrypoint);
    c.addAll(args == null || args.isEmpty() ? cmd : args);
    return c;
  }

  private static void copyTree(Path source, Path target) throws IOException {
    try (Stream<Path> s = Files.walk(source)) {
      for (Path p : s.toList()) {
        Path t = target.resolve(source.relativize(p).toString());
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          Files.createDirectories(t);
        } else {
          Files.createDirectories(t.getParent());
          Files.copy(p, t, StandardCopyOption.COPY_ATTRIBUTES, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  /** Lines with continuations joined, without comments and blank lines. */
  private static List<String> logicalLines(String text) {
    List<String> lines = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String raw : text.split("\n")) {
      String l = raw.strip();
      if (current.isEmpty() && (l.isEmpty() || l.startsWith("#"))) {
        continue;
      }
      if (l.endsWith("\\")) {
        current.append(l, 0, l.length() - 1).append(' ');
      } else {
        lines.add(current.append(l).toString().trim());
        current.setLength(0);
      }
    }
    if (!current.isEmpty()) {
      throw new IllegalArgumentException("a continuation at the end of the file");
    }
    return lines;
  }

  /** The packages of a RUN made only of apt-get steps and the removal of apt's lists. */
  private static List<String> aptPackages(String line, String command) {
    List<String> packages = new ArrayList<>();
    for (String step : command.split("&&")) {
      String s = step.trim();
      Matcher m = APT_INSTALL.matcher(s);
      if (m.matches()) {
        for (String word : m.group(1).split("\\s+")) {
          if (!word.startsWith("-")) {
            packages.add(word);
          }
        }
      } else if (!s.equals("apt-get update") && !s.equals("rm -rf /var/lib/apt/lists/*")) {
        throw new IllegalArgumentException("RUN step the image test does not reproduce: " + s);
      }
    }
    return packages;
  }

  private static List<String> execForm(String line, String json) {
    try {
      return new ObjectMapper().readValue(json, new TypeReference<List<String>>() {});
    } catch (IOException e) {
      throw new IllegalArgumentException("not in exec form (a JSON array): " + line);
    }
  }
}
