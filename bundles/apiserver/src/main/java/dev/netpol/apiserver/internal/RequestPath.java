package dev.netpol.apiserver.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A resource URL split into its parts:
 * /api/v1/[watch/][namespaces/{ns}/]{plural}[/{name}[/{subresource}]] and the same under
 * /apis/{group}/{version}. Null when the path is not a resource path.
 */
record RequestPath(
    String apiVersion,
    String namespace,
    String plural,
    String name,
    String subresource,
    boolean watchPath) {

  static RequestPath parse(String path, ResourceRegistry registry) {
    List<String> s = new ArrayList<>(Arrays.asList(path.replaceAll("^/+|/+$", "").split("/")));
    String apiVersion;
    if (s.size() >= 3 && s.get(0).equals("api")) {
      apiVersion = s.get(1);
      s = s.subList(2, s.size());
    } else if (s.size() >= 4 && s.get(0).equals("apis")) {
      apiVersion = s.get(1) + "/" + s.get(2);
      s = s.subList(3, s.size());
    } else {
      return null;
    }
    boolean watch = false;
    if (!s.isEmpty() && s.get(0).equals("watch")) {
      watch = true;
      s = s.subList(1, s.size());
    }
    if (s.isEmpty()) {
      return null;
    }
    // namespaces/{ns}/{plural}... unless {plural} is a namespace subresource such as "status" or
    // "finalize"
    if (s.get(0).equals("namespaces")
        && s.size() >= 3
        && registry.find(apiVersion, s.get(2)) != null) {
      return new RequestPath(
          apiVersion,
          s.get(1),
          s.get(2),
          s.size() > 3 ? s.get(3) : null,
          s.size() > 4 ? s.get(4) : null,
          watch);
    }
    if (s.size() > 3) {
      return null;
    }
    return new RequestPath(
        apiVersion,
        null,
        s.get(0),
        s.size() > 1 ? s.get(1) : null,
        s.size() > 2 ? s.get(2) : null,
        watch);
  }
}
