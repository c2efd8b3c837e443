package dev.netpol.resolver.bench;

import dev.netpol.apiserver.EmbeddedApiServer;
import java.nio.file.Path;

/**
 * The embedded API server alone, for the scale benchmark: its heap stays out of the controller's.
 * Prints {@code url=<url>} and runs until its standard input closes.
 */
public final class ApiMain {
  private ApiMain() {}

  public static void main(String[] args) throws Exception {
    EmbeddedApiServer server = new EmbeddedApiServer();
    String url = server.start("127.0.0.1", 0, Path.of(args[0]));
    System.out.println("url=" + url);
    System.out.flush();
    while (System.in.read() >= 0) {
      // until the parent goes
    }
    server.stop();
  }
}
