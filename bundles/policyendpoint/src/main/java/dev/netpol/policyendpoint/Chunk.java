package dev.netpol.policyendpoint;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;

/**
 * Position of a PolicyEndpoint among the chunks of one policy. {@code generation} is a digest of
 * the whole resolved policy; chunks of one result all carry the same one.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Chunk {
  private int index;
  private int count = 1;
  private String generation;

  public Chunk() {}

  public Chunk(int index, int count, String generation) {
    this.index = index;
    this.count = count;
    this.generation = generation;
  }

  public int getIndex() {
    return index;
  }

  public void setIndex(int index) {
    this.index = index;
  }

  public int getCount() {
    return count;
  }

  public void setCount(int count) {
    this.count = count;
  }

  public String getGeneration() {
    return generation;
  }

  public void setGeneration(String generation) {
    this.generation = generation;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Chunk c
        && index == c.index
        && count == c.count
        && Objects.equals(generation, c.generation);
  }

  @Override
  public int hashCode() {
    return Objects.hash(index, count, generation);
  }

  @Override
  public String toString() {
    return index + "/" + count + "@" + generation;
  }
}
