package dev.netpol.policyendpoint;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;

/** The NetworkPolicy a PolicyEndpoint was resolved from. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PolicyRef {
  private String namespace;
  private String name;
  private String uid;

  public PolicyRef() {}

  public PolicyRef(String namespace, String name, String uid) {
    this.namespace = namespace;
    this.name = name;
    this.uid = uid;
  }

  public String getNamespace() {
    return namespace;
  }

  public void setNamespace(String namespace) {
    this.namespace = namespace;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getUid() {
    return uid;
  }

  public void setUid(String uid) {
    this.uid = uid;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PolicyRef r
        && Objects.equals(namespace, r.namespace)
        && Objects.equals(name, r.name)
        && Objects.equals(uid, r.uid);
  }

  @Override
  public int hashCode() {
    return Objects.hash(namespace, name, uid);
  }

  @Override
  public String toString() {
    return namespace + "/" + name + (uid == null ? "" : " (" + uid + ")");
  }
}
